"""DeepBind hyperparameters as data, with the source of each value.

Sources: Alipanahi et al. 2015, Nat. Biotechnol. 33:831 ("paper", Methods and Supplementary
Notes) and the supplementary training code jisraeli/DeepBind ("code": ``code/cfg/classification/M1.cfg``,
``M2.cfg``, ``code/cfg/trainers/default.cfg``, ``code/deepbind_train_encode.py``, and deepity's
``code/libs/deepity/deepity/hypertrain.py``).
Values drawn by the calibration (random search) are given as distributions in ``SEARCH_SPACE``;
the fixed defaults below are a mid-range setting used when no calibration is run.
"""

from __future__ import annotations

import numpy as np

_COMMON_TRAINING = {
    "optimizer": "sgd",  # code: deepity sgd, Nesterov momentum
    "nesterov": True,  # code sgd.py: nesterov=True
    "learning_rate": 0.005,  # code: loguniform(0.0005, 0.05) — geometric middle
    "momentum": 0.97,  # code: powuniform(0.95, 0.99, 0.5)
    "batch_size": 64,  # code default.cfg: batchsize = 64
    "max_steps": 20000,  # code default.cfg: max_steps = 20000 ("all" peaks)
    "max_steps_top500": 10000,  # code deepbind_train_encode.py: 10000 in mode "top"
    "max_epochs": 500,  # code default.cfg
    "checkpoints": 5,  # code default.cfg: validation checked at 5 evenly spaced steps
    "min_rows": 100000,  # code load_seq(minrows=100000): positives repeated to >= 100,000 rows,
    #                       each paired with its own dinucleotide shuffle
    "calibration_settings": 30,  # paper/code: 30 random settings
    "calibration_folds": 3,  # paper/code: 3-fold cross-validation
    "final_trials": 6,  # code parseargs: ntrial = 6 final runs, the best kept
}

PRESETS: dict[str, dict] = {
    # M1: no hidden layer.
    "deepbind_encode": {
        "sequence_length": 101,  # paper: 101-bp sequences centred on the peak
        "alphabet": "ACGT",  # predictor: A, C, G, T/U = 0..3; N = 0.25 each
        "num_detectors": 16,  # code M1.cfg: num_motifs = 16
        "detector_len": 24,  # code deepbind_train_encode.py: fsize = 24 for ENCODE
        "pooling": "max",  # code M1.cfg: maxpool()
        "dropout": 0.25,  # code: choice([0, 0, 0.25, 0.5])
        "num_hidden": 0,  # code M1.cfg: full(num_units = 1)
        "conv_weight_decay": 1e-9,  # code: loguniform(1e-15, 1e-3) (L1)
        "conv_init_scale": 1e-5,  # code: loguniform(1e-7, 1e-3) (normal std)
        "dense_weight_decay": 1e-6,  # code: loguniform(1e-10, 1e-3) (L1)
        "dense_init_scale": 1e-3,  # code: loguniform(1e-5, 1e-2) (normal std)
        "training": dict(_COMMON_TRAINING),
    },
    # M2: 32-unit ReLU hidden layer.
    "deepbind_encode_hidden": {
        "sequence_length": 101,
        "alphabet": "ACGT",
        "num_detectors": 16,  # code M2.cfg
        "detector_len": 24,
        "pooling": "max",
        "dropout": 0.25,
        "num_hidden": 32,  # code M2.cfg: full(num_units = 32) + bias + relu + full(1)
        "conv_weight_decay": 1e-9,
        "conv_init_scale": 1e-5,
        "dense_weight_decay": 1e-6,
        "dense_init_scale": 1e-3,
        "training": dict(_COMMON_TRAINING),
    },
}

# The calibration distributions (jisraeli/DeepBind code/cfg/classification/M1.cfg, M2.cfg,
# code/cfg/trainers/default.cfg).
SEARCH_SPACE = {
    "num_hidden": ("choice", [0, 32]),  # M1 or M2; the reproduction instead gives each half of the settings
    #                                    (kangaroo.calibrate: ncalib / len(cfgs) samples per model config)
    "dropout": ("choice", [0.0, 0.0, 0.25, 0.5]),
    "conv_weight_decay": ("loguniform", 1e-15, 1e-3),
    "conv_init_scale": ("loguniform", 1e-7, 1e-3),
    "dense_weight_decay": ("loguniform", 1e-10, 1e-3),
    "dense_init_scale": ("loguniform", 1e-5, 1e-2),
    "learning_rate": ("loguniform", 0.0005, 0.05),
    "momentum": ("powuniform", 0.95, 0.99, 0.5),
}


def sample_setting(rng: np.random.Generator) -> dict:
    """One random calibration setting drawn from ``SEARCH_SPACE``.

    As in deepity's ``hpsearch``: ``loguniform(lo, hi)`` is uniform in log space and
    ``powuniform(lo, hi, p)`` is ``lo + (hi - lo) * u ** p`` with ``u`` uniform on [0, 1).
    """
    out = {}
    for key, spec in SEARCH_SPACE.items():
        kind = spec[0]
        if kind == "choice":
            out[key] = spec[1][int(rng.integers(len(spec[1])))]
        elif kind == "loguniform":
            out[key] = float(np.exp(rng.uniform(np.log(spec[1]), np.log(spec[2]))))
        elif kind == "powuniform":
            lo, hi, p = spec[1:]
            out[key] = float(lo + (hi - lo) * rng.uniform() ** p)
        else:  # pragma: no cover
            raise ValueError(kind)
    return out
