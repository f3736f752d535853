"""Model builders (Keras functional). ``build(name)`` builds any registered preset by name."""

from functools import partial

from . import registry
from .danq import DanQ
from .danq import training_config as _danq_training
from .registry import available, build, training_config
from .koo_eddy import KooEddyCNN
from .koo_eddy import PRESETS as _KOO_EDDY_PRESETS
from .koo_eddy import training_config as _koo_eddy_training

for _preset in ("danq", "danq_jaspar"):
    registry.register(_preset, partial(DanQ, _preset), partial(_danq_training, _preset))
from .deepsea import DeepSEA, training_config as _deepsea_training  # noqa: E402
from .kmer_lr import KmerLogisticRegression, training_config as _kmer_lr_training  # noqa: E402

registry.register("deepsea", partial(DeepSEA, "deepsea"), partial(_deepsea_training, "deepsea"))
registry.register("kmer_lr", partial(KmerLogisticRegression, "kmer_lr"), partial(_kmer_lr_training, "kmer_lr"))
for _preset in _KOO_EDDY_PRESETS:
    registry.register(_preset, partial(KooEddyCNN, _preset), partial(_koo_eddy_training, _preset))
from .deepprune import Deepprune, training_config as _deepprune_training  # noqa: E402
for _preset in ("deepprune", "deepprune_chipseq"):
    registry.register(_preset, partial(Deepprune, _preset), partial(_deepprune_training, _preset))

__all__ = ["DanQ", "KooEddyCNN", "available", "build", "training_config"]
from .ideeps import IDeepS, PRESETS as _IDEEPS_PRESETS, training_config as _ideeps_training  # noqa: E402
for _preset in _IDEEPS_PRESETS:
    registry.register(_preset, partial(IDeepS, _preset), partial(_ideeps_training, _preset))
from .deepbind import DeepBind, PRESETS as _DEEPBIND_PRESETS, training_config as _deepbind_training  # noqa: E402
for _preset in _DEEPBIND_PRESETS:
    registry.register(_preset, partial(DeepBind, _preset), partial(_deepbind_training, _preset))
