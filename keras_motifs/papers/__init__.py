"""Each paper's protocol beyond its model, one module per paper: training loops that differ from
:func:`keras_motifs.training.train`, calibration and pruning schedules, motif protocols and the
comparison with the published tables. Used by ``reproductions/<paper>.py`` and by the tests.

Paper modules import the models and tools below them, never datasets (``tfds_builders``): the
scripts load the data and hand arrays to these functions.
"""
