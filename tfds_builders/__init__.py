"""TFDS dataset builders of keras_motifs. Importing this package registers them with TFDS.

    import tfds_builders  # noqa: F401
    import tensorflow_datasets as tfds
    ds = tfds.load("deepsea", split="train")  # the default config: the embedded synthetic set

The same builders are reachable as ``keras_motifs.datasets`` (one import root for users).
"""

from . import deepsea  # noqa: F401  (registers 'deepsea')
from . import koo_eddy_synthetic  # noqa: F401  (registers 'koo_eddy_synthetic')
from . import zeng_chipseq  # noqa: F401
from . import deepprune_simulated  # noqa: F401
from . import rbp_clip  # noqa: F401
from . import deepbind_encode_chipseq  # noqa: F401
from . import labelled_sequences  # noqa: F401

__all__ = ["deepsea", "koo_eddy_synthetic", "zeng_chipseq", "deepprune_simulated", "rbp_clip", "deepbind_encode_chipseq",
           "labelled_sequences"]
