"""keras_motifs: faithful Keras 3 reimplementations of published DNA/RNA binding-motif models.

Importing the package is cheap (no TensorFlow import); sub-packages import what they need.
"""

__version__ = "0.1.0"
