"""RNA secondary structure for structure-aware models (iDeepS).

``predict_contexts(sequences, n_jobs=2, cache=path)`` folds each sequence with ViennaRNA (MFE) and
labels every nucleotide with its structural context (F, T, I, H, M, S; see
:mod:`keras_motifs.structure.annotate`), in parallel and cached on disk. The original iDeepS
used RNAshapes instead of ViennaRNA: see :mod:`keras_motifs.structure.folding` for the difference.
"""

from .annotate import CONTEXT_LETTERS, annotate, check_dotbracket
from .folding import (
    StructureCache,
    default_cache_path,
    fold,
    method_tag,
    predict_contexts,
    predict_structures,
    to_rna,
)

__all__ = [
    "CONTEXT_LETTERS", "StructureCache", "annotate", "check_dotbracket", "default_cache_path",
    "fold", "method_tag", "predict_contexts", "predict_structures", "to_rna",
]
