"""Deepprune hyperparameters as data, with the source of each value.

Sources: Luo, Chi, Deng 2019, Front. Genet. 10:1145 ("paper": Methods, Table 1, "Performance on
Real Datasets") and the original code klovbe/Deepprune ``prune_sim.py`` on Keras 2.1 / TF 1.x
("code": ``build_CNN``, ``fit`` and the pruning loop of ``prune_sim.py``).
"""

from __future__ import annotations

_TRAINING = {
    "optimizer": "adam",  # paper Table 1; code Adam(lr=...) with Keras defaults below
    "learning_rate": 0.01,  # paper Table 1 "Adam with initial learning rate 0.01"; code lr_init
    "beta_1": 0.9,  # code: Keras 2 Adam default
    "beta_2": 0.999,  # code: Keras 2 Adam default
    "epsilon": 1e-7,  # code: Keras 2.1 Adam epsilon=None -> K.epsilon() = 1e-7
    "batch_size": 256,  # paper Table 1; code batch_size = 256
    "epochs": 1000,  # code epoch_num = 1000 (upper bound; early stopping ends each fit)
    "validation_split": 0.1,  # code valadation_split = 0.1 (Keras: the last 10 % of the arrays)
    "early_stopping_patience": 15,  # paper Methods "continuous 15 epochs"; code patience = 15
    "monitor": "val_loss",  # code EarlyStopping / ModelCheckpoint(save_best_only) on val_loss
    # pruning (paper "Deepprune", Table 1; code prun_time = 7 iterations incl. the initial fit)
    "pruning_rounds": 6,  # paper: k = 6; code prun_time - 1
    "lr_decay": True,  # code lr_decay (commented default True)
    "decay_rate": 1.2,  # paper Table 1 "drops the learning rate by 1.2 every pruning step"
    "criterion": "weight",  # paper: weight-based Deepprune is the default; code modep = 0
}

PRESETS: dict[str, dict] = {
    "deepprune": {  # the simulated-data setting (paper Table 1)
        "sequence_length": 101,  # paper: "d = 4 for 101 bp sequences"
        "alphabet": "ACGT",  # code data_load / ePooling builders: A0 C1 G2 T3, N -> zeros
        "kernels": 256,  # paper: 2**k * d = 2**6 * 4; code kernel_number default 256
        "kernel_length": 24,  # paper Table 1; code ker_len default 24
        "negative_slope": 0.5,  # code relu_advanced: K.relu(x, alpha=0.5, max_value=10)
        "max_value": 10.0,  # code relu_advanced
        "batch_norm": False,  # code bn default False
        "dense_l1": 0.0,  # code spar_penal default False (when on: Keras 2 l1() = 0.01)
        "dense_l2": 0.0,  # code ridge_penal default False (when on: Keras 2 l2() = 0.01)
        "training": _TRAINING,
    },
    "deepprune_chipseq": {  # the ENCODE (Zeng et al. 2016) setting
        "sequence_length": 101,  # Zeng 2016 data: 101-bp sequences
        "alphabet": "ACGT",
        "kernels": 256,
        "kernel_length": 15,  # paper "Performance on Real Datasets": kernel length changed to 15
        "negative_slope": 0.5,
        "max_value": 10.0,
        "batch_norm": False,
        "dense_l1": 0.0,
        "dense_l2": 0.0,
        "training": _TRAINING,
    },
}

# The motif analysis as data (keras_motifs.interpret.MotifProtocol.from_dict reads it): paper
# "Model Visualization": the 4 final kernels as logos made "the way introduced in ... the DeepBind
# Supplementary Materials", compared with the true (planted) motifs by Tomtom E-values. Run by
# keras_motifs.papers.deepprune.motif_report and ``keras-motifs motifs --protocol deepprune``.
MOTIF_PROTOCOL: dict = {
    "layer": "relu_advanced",  # the activation after the convolution (code relu_advanced), before global max-pooling
    "rule": "deepbind",  # paper: DeepBind's logos (each positive sequence's max-activation window)
    "window": None,  # the kernel's width (24; ChIP-seq preset 15)
    "alphabet": "ACGT",  # code data_load: A0 C1 G2 T3
    "min_sites": None,  # the rule's default (1)
    "all_filters": True,  # every kernel
    "background": "uniform",
    "trim": False,  # whole kernels
    # ours: all 519 JASPAR 2016 vertebrate motifs (the planted ones are JASPAR 2016 motifs), so
    # that p-values have a background; the paper compared with the true motifs only
    "targets": "JASPAR2016",
    "distance": "pearson",  # MEME Tomtom's default
    "min_overlap": 5,  # as run here (interpret.tomtom's default)
    "threshold_on": "e_value",  # paper: Tomtom E-values
    "threshold": 0.01,  # ours: a planted motif is recovered at E < 0.01 (the paper gives no cut-off)
    "all_pairs": True,  # every pair is written; the planted motifs' rows are read off
    "match": "any",  # a planted motif is recovered when any kernel hits it
    "best_by": ["p_value"],
    "ground_truth": None,  # per data set: the planted motifs (deepprune_simulated.planted_motifs)
}
