"""Custom layers and activations of keras_motifs (all registered serialisable objects)."""

from .activations import hard_sigmoid_keras2, threshold_relu
from .deepbind_scan import DeepBindScan
from .kmer import KmerCounts
from .mask import MaskLayer
from .penalties import L1ActivityPenalty, L1OutputDense
from .recurrent import FusedBidirectionalLSTM, backward_seed, old_keras_bidirectional_lstm
from .strand import NPadding, ReverseComplement, StrandMax

__all__ = [
    "hard_sigmoid_keras2", "threshold_relu", "DeepBindScan", "KmerCounts", "L1ActivityPenalty", "L1OutputDense",
    "MaskLayer", "NPadding", "ReverseComplement", "StrandMax", "FusedBidirectionalLSTM", "backward_seed",
    "old_keras_bidirectional_lstm",
]
