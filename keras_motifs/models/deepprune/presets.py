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
