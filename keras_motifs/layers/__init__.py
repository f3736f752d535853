"""Custom layers and activations of keras_motifs (all registered serialisable objects)."""

from .activations import hard_sigmoid_keras2
from .kmer import KmerCounts
from .mask import MaskLayer
from .penalties import L1ActivityPenalty

__all__ = ["hard_sigmoid_keras2", "KmerCounts", "L1ActivityPenalty", "MaskLayer"]
