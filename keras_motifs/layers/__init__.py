"""Custom layers and activations of keras_motifs (all registered serialisable objects)."""

from .activations import hard_sigmoid_keras2
from .mask import MaskLayer

__all__ = ["hard_sigmoid_keras2"]
