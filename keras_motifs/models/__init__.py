"""Model builders (Keras functional). ``build(name)`` builds any registered preset by name."""

from functools import partial

from . import registry
from .danq import DanQ
from .danq import training_config as _danq_training
from .registry import available, build, training_config

for _preset in ("danq", "danq_jaspar"):
    registry.register(_preset, partial(DanQ, _preset), partial(_danq_training, _preset))

__all__ = ["DanQ", "available", "build", "training_config"]
