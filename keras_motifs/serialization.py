"""Registration of every custom Keras object of the package (layers, activations, initializers,
losses, optimizers), so that ``.keras`` files of any model family load.

All of them live on the ground floor (:mod:`keras_motifs.layers`, :mod:`keras_motifs.initializers`,
:mod:`keras_motifs.losses`, :mod:`keras_motifs.optimizers`) and register themselves with
``keras.saving.register_keras_serializable(package="keras_motifs")`` when imported; this module
imports them all. No model builder is needed to load a saved model.
"""

from __future__ import annotations



def register_custom_objects() -> None:
    """Import the modules that hold the package's registered Keras objects (cheap after the first call)."""
    from . import initializers, layers, losses, optimizers  # noqa: F401  (registration on import)
