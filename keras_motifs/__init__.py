"""keras_motifs: faithful Keras 3 reimplementations of published DNA/RNA binding-motif models.

``import keras_motifs`` imports Keras (quietly: no TensorFlow start-up lines) and registers every
custom Keras object of the package, so ``keras.models.load_model`` reads a saved model of any
family; it does not import the model builders (``keras_motifs.models``) or the datasets
(``tfds_builders``). Top-level helpers:

* :func:`load_model` — a ``.keras`` file of any family, safely (no Python code deserialised);
* :func:`export_model` / :func:`load_exported` — weights-only export (+ TF SavedModel) for sharing.
"""

from .version import __version__
from .logs import import_tensorflow_quietly as _import_quietly

_import_quietly()

from .serialization import export_model, load_exported, load_model, register_custom_objects  # noqa: E402

register_custom_objects()

__all__ = ["__version__", "load_model", "export_model", "load_exported", "register_custom_objects"]
