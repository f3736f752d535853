"""DeepBind (Alipanahi et al. 2015): the trainable ENCODE ChIP-seq classifier."""

from .layers import NPadding, ReverseComplement, StrandMax
from .model import DeepBind, compile_model, training_config
from .presets import PRESETS, SEARCH_SPACE, get_preset, sample_setting
from .training import fit_deepbind, logit_model, predict_logits

__all__ = ["DeepBind", "compile_model", "training_config", "PRESETS", "SEARCH_SPACE", "get_preset",
           "sample_setting", "NPadding", "ReverseComplement", "StrandMax", "fit_deepbind", "logit_model",
           "predict_logits"]
