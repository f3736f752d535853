"""The package's TFDS datasets under the package's own name: ``import keras_motifs.datasets``
registers them with TFDS (it is ``import tfds_builders``), so that ``tfds.load("deepsea")``,
``tfds.load("rbp_clip/e23_pum2", ...)`` etc. work.

    import keras_motifs.datasets  # noqa: F401
    import tensorflow_datasets as tfds
    ds = tfds.load("deepsea", split="test")  # the embedded synthetic set, generated locally

The builders, their recipes and tests live in ``tfds_builders/<name>/`` (the TFDS folder convention).
"""

from tfds_builders import (  # noqa: F401  (importing registers the builders)
    deepbind_encode_chipseq,
    deepprune_simulated,
    deepsea,
    koo_eddy_synthetic,
    labelled_sequences,
    rbp_clip,
    zeng_chipseq,
)

__all__ = ["deepsea", "koo_eddy_synthetic", "zeng_chipseq", "deepprune_simulated", "rbp_clip", "deepbind_encode_chipseq",
           "labelled_sequences"]
