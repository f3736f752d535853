"""DanQ hyperparameters as data, with the source of each value.

Sources: Quang & Xie 2016, Nucleic Acids Res. 44:e107 ("paper"; Supplementary Note, Table S1),
and the original code uci-cbcl/DanQ ``DanQ_train.py`` / ``DanQ-JASPAR_train.py`` run on Keras
0.2.0 ("code"; defaults from keras-team/keras 0.2.0 ``keras/optimizers.py`` and
``keras/layers/recurrent.py``).
"""

from __future__ import annotations

PRESETS: dict[str, dict] = {
    "danq": {
        "sequence_length": 1000,  # paper, Methods: 1,000-bp inputs
        "alphabet": "AGCT",  # paper, Methods: one-hot columns A, G, C, T (DeepSEA layout)
        "conv_filters": 320,  # code DanQ_train.py; paper Supplementary Note
        "conv_width": 26,  # code; Supplementary Note
        "pool_size": 13,  # code: MaxPooling1D(pool_length=13, stride=13)
        "conv_dropout": 0.2,  # code; Supplementary Note
        "lstm_units": 320,  # code: forward and backward LSTM(320) each
        "lstm_dropout": 0.5,  # code
        "dense_units": 925,  # code; Supplementary Note
        "num_targets": 919,  # paper: 919 binary targets
        "jaspar_init": False,
        "training": {
            "optimizer": "rmsprop",  # code: optimizer='rmsprop' (Keras 0.2 defaults below)
            "learning_rate": 1e-3,
            "rho": 0.9,
            "epsilon": 1e-6,
            "batch_size": 100,  # paper Methods; code
            "epochs": 60,  # code nb_epoch=60; paper "took 60 epochs"
            "early_stopping_patience": 5,  # code EarlyStopping(monitor='val_loss', patience=5)
            "early_stopping_rule": "keras1",  # Keras 0.2.0 keras/callbacks.py EarlyStopping: stops after patience + 1 epochs without improvement
            "monitor": "val_loss",  # code ModelCheckpoint(save_best_only=True)
        },
    },
    "danq_jaspar": {
        "sequence_length": 1000,
        "alphabet": "AGCT",
        "conv_filters": 1024,  # code DanQ-JASPAR_train.py; paper: 1024 kernels
        "conv_width": 30,  # code
        "pool_size": 15,  # code
        "conv_dropout": 0.2,
        "lstm_units": 512,  # code: 512 + 512
        "lstm_dropout": 0.5,
        "dense_units": 925,
        "num_targets": 919,
        "jaspar_init": True,  # code: 525 filters from JASPAR 2016 (models.danq.jaspar)
        "training": {
            "optimizer": "rmsprop",
            "learning_rate": 1e-3,
            "rho": 0.9,
            "epsilon": 1e-6,
            "batch_size": 100,
            "epochs": 32,  # code nb_epoch=32 (paper text: "took 30 epochs")
            "early_stopping_patience": 100,  # code: patience 100, i.e. effectively off
            "early_stopping_rule": "keras1",  # Keras 0.2.0 EarlyStopping (patience + 1 epochs)
            "monitor": "val_loss",
        },
    },
}

# The paper's motif analysis as data (keras_motifs.interpret.MotifProtocol.from_dict reads it):
# paper Results "Of the 320 motifs learned by the DanQ model, 166 significantly match known motifs
# (E < 0.01)"; the repository's MEME files and tomtom.xml (uci-cbcl/DanQ). Run by
# keras_motifs.papers.danq.motif_analysis and ``keras-motifs motifs --protocol danq``.
MOTIF_PROTOCOL: dict = {
    "layer": "conv",  # model.py: the ReLU convolution that reads the one-hot input
    "rule": "deepbind",  # paper Methods: kernels -> PFMs "using a similar approach described in the DeepBind method" (each sequence's max-activation window, if > 0)
    "window": None,  # the kernel's own width (code: MEME w = kernel length, 26; DanQ-JASPAR 30)
    "alphabet": "AGCT",  # paper Methods: one-hot columns A, G, C, T (motifs are written A, C, G, T)
    "min_sites": None,  # the rule's default (1)
    "all_filters": True,  # uci-cbcl/DanQ DanQ_motifs.meme: the published MEME files hold all filters
    "background": "uniform",  # uci-cbcl/DanQ DanQ_motifs.meme: uniform background
    "trim": False,  # uci-cbcl/DanQ DanQ_motifs.meme: whole kernels (w = kernel length)
    "targets": "JASPAR2016",  # paper: JASPAR 2016 (tomtom.xml also searched jolma2013 and uniprobe_mouse, not shipped)
    "distance": "pearson",  # tomtom.xml: -dist pearson
    "min_overlap": 5,  # tomtom.xml: -min-overlap 5
    "threshold_on": "e_value",  # tomtom.xml: -evalue -thresh 0.01
    "threshold": 0.01,  # paper: E < 0.01
    "all_pairs": False,  # the table holds the hits
    "match": "any",  # paper: filters that "significantly match known motifs"
    "best_by": ["p_value"],  # best hit = lowest p-value
    "ground_truth": None,  # real data: no ground truth
}
