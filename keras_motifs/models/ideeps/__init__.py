"""iDeepS (Pan et al. 2018) and its ablations: sequence + structure CNNs with a BiLSTM."""

from .encoding import LAYOUTS, encode_sequences, encode_structures
from .initializers import PerGateInitializer, keras1_lstm_initializers
from .model import IDeepS, input_names, training_config
from .presets import PRESETS, get_preset

__all__ = [
    "IDeepS", "training_config", "input_names", "PRESETS", "get_preset", "encode_sequences",
    "encode_structures", "LAYOUTS", "PerGateInitializer", "keras1_lstm_initializers",
]
