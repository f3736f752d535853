"""Sub-commands of the keras-motifs command line (see keras_motifs/cli.py)."""
