"""Model builders (Keras functional), one folder per model family.

Importing this package registers every preset in :mod:`keras_motifs.registry`; ``build(name)``
builds any of them by name. Each family's builder takes a preset name and keyword overrides of
its hyperparameters, and returns an uncompiled ``keras.Model``.
"""

from ..registry import available, build, get_preset, preset_info, training_config
from .danq import DanQ
from .deepbind import DeepBind
from .deepprune import Deepprune
from .deepsea import DeepSEA
from .ideeps import IDeepS
from .kmer_lr import KmerLogisticRegression
from .koo_eddy import KooEddyCNN

__all__ = [
    "DanQ", "DeepBind", "Deepprune", "DeepSEA", "IDeepS", "KmerLogisticRegression", "KooEddyCNN",
    "available", "build", "get_preset", "preset_info", "training_config",
]
