"""Koo & Eddy 2019 CNN-N hyperparameters as data, with the source of each value.

Sources: Koo & Eddy 2019, PLoS Comput Biol 15:e1007560 ("paper": Methods, Table 1, Table 2) and
the released code p-koo/learning_sequence_motifs, ``code/models/<name>.py`` (deepomics dict
configs) and ``code/deepomics`` ("code": ``init.py``, ``layers/norm.py``, ``optimize.py``,
``fit.py``).

Every preset is a list of convolutional blocks plus the dense head. A conv block is
``conv (no bias) -> batch norm -> ReLU -> max-pool (SAME) -> dropout``; ``pool`` ``None`` means
no pooling. ``pool_stride`` ``None`` means stride = pool size. Preset names follow the released
code's model files (``cnn_25`` = ``code/models/cnn_25.py``) prefixed with ``koo_eddy_``;
``table_name`` is the name used in the paper's tables.
"""

from __future__ import annotations

# Values common to every architecture.
_COMMON = {
    "alphabet": "ACGT",  # paper Methods: channels A, C, G, T (code: X (N,4,L) ACGT one-hot)
    "sequence_length": 200,  # paper: 200-nt synthetic sequences (in vivo: 1000, see IN_VIVO_LENGTH)
    "num_targets": 12,  # paper: 12 TF classes
    "dense_units": 512,  # paper Methods; code layer4 'num_units': 512
    "dense_dropout": 0.5,  # paper Methods; code layer4 'dropout': 0.5
    "l2": 1e-6,  # paper Methods "L2-regularization with a strength equal to 1e-6"; code 'l2': 1e-6 (summed)
    "batch_norm_epsilon": 1e-8,  # code deepomics batch-norm layer epsilon
    "batch_norm_momentum": 0.99,  # code deepomics: population statistics by EMA decay 0.99
}


def _conv(filters, size, pool, pool_stride=None, padding="same", dropout=0.1):
    """One conv block; dropout 0.1 after every conv layer (paper Methods; code 'dropout': 0.1)."""
    return {
        "filters": filters,
        "size": size,
        "padding": padding,
        "pool": pool,
        "pool_stride": pool_stride,
        "dropout": dropout,
    }


def _two_layer(table_name, size1, pool1, pool2, filters1=30):
    # conv1: 30 filters (paper: "30 filters each with a size of 19"); conv2: 128 x 5 (paper Methods;
    # code layer3). Pool sizes are the (first, second) pairs of paper Table 1 / code model files.
    return {
        **_COMMON,
        "table_name": table_name,
        "conv_blocks": [_conv(filters1, size1, pool1), _conv(128, 5, pool2)],
    }


PRESETS: dict[str, dict] = {
    # Paper "Max-pooling influences ...": pool pairs (1,100) (2,50) (4,25) (10,10) (25,4) (50,2) (100,1);
    # code cnn_1.py (no first pool, 'max_pool': 100) ... cnn_100.py (100, no second pool).
    "koo_eddy_cnn_1": _two_layer("CNN-1", 19, None, 100),
    "koo_eddy_cnn_2": _two_layer("CNN-2", 19, 2, 50),
    "koo_eddy_cnn_4": _two_layer("CNN-4", 19, 4, 25),
    "koo_eddy_cnn_10": _two_layer("CNN-10", 19, 10, 10),
    "koo_eddy_cnn_25": _two_layer("CNN-25", 19, 25, 4),
    "koo_eddy_cnn_50": _two_layer("CNN-50", 19, 50, 2),
    "koo_eddy_cnn_100": _two_layer("CNN-100", 19, 100, None),
    # Paper "Motif representations are not very sensitive to 1st layer filter size": first-layer
    # filter 9 (code cnn9_4.py, cnn9_25.py) and 3 (code cnn3_2.py, cnn3_50.py).
    "koo_eddy_cnn9_4": _two_layer("CNN9-4", 9, 4, 25),
    "koo_eddy_cnn9_25": _two_layer("CNN9-25", 9, 25, 4),
    "koo_eddy_cnn3_2": _two_layer("CNN3-2", 3, 2, 50),
    "koo_eddy_cnn3_50": _two_layer("CNN3-50", 3, 50, 2),
    # CNN-50-2: pool 50 with stride 2 in layer 1; conv2 64 filters, pool 50; dense 96
    # (code cnn_50_2.py; 25,712 trainable parameters in the code's results table).
    "koo_eddy_cnn_50_2": {
        **_COMMON,
        "table_name": "CNN-50-2",
        "conv_blocks": [_conv(30, 19, 50, pool_stride=2), _conv(64, 5, 50)],
        "dense_units": 96,  # code cnn_50_2.py layer4 'num_units': 96
    },
    # CNN19,1-2 (code cnn_2_1.py): CNN-2 with a second-layer filter size of 1, padding VALID
    # (code: the later duplicate key 'padding': 'VALID' wins), pool 50.
    "koo_eddy_cnn_2_1": {
        **_COMMON,
        "table_name": "CNN19,1-2",
        "conv_blocks": [_conv(30, 19, 2), _conv(128, 1, 50, padding="valid")],
    },
    # CNN-1-1-100 (paper "Distributed representations ..."; code cnn_1_3.py): three conv layers,
    # 30x19 no pool -> 128x5 no pool -> 128x5 pool 100.
    "koo_eddy_cnn_1_3": {
        **_COMMON,
        "table_name": "CNN-1-1-100",
        "conv_blocks": [_conv(30, 19, None), _conv(128, 5, None), _conv(128, 5, 100)],
    },
    # CNN-25 with 60, 90, 120 first-layer filters (paper "Sensitivity ... to the number of
    # filters", Table 1/2). The released cnn_25_60/_90/_120.py are byte-identical to cnn_25.py
    # (30 filters, a copy-paste bug); we follow the paper's numbers.
    "koo_eddy_cnn_25_60": _two_layer("CNN-25(60)", 19, 25, 4, filters1=60),
    "koo_eddy_cnn_25_90": _two_layer("CNN-25(90)", 19, 25, 4, filters1=90),
    "koo_eddy_cnn_25_120": _two_layer("CNN-25(120)", 19, 25, 4, filters1=120),
}

# Paper Table 1 order (the reproduction's default model list); CNN-1-1-100 is reported in the text.
TABLE1_MODELS = [
    "koo_eddy_cnn_1", "koo_eddy_cnn_2", "koo_eddy_cnn_4", "koo_eddy_cnn_10", "koo_eddy_cnn_25",
    "koo_eddy_cnn_50", "koo_eddy_cnn_100", "koo_eddy_cnn9_4", "koo_eddy_cnn9_25", "koo_eddy_cnn3_50",
    "koo_eddy_cnn3_2", "koo_eddy_cnn_50_2", "koo_eddy_cnn_2_1", "koo_eddy_cnn_25_60",
    "koo_eddy_cnn_25_90", "koo_eddy_cnn_25_120",
]

IN_VIVO_LENGTH = 1000  # paper "Generalization to in vivo sequences": 1,000-nt DeepSEA inputs

# Output-bias initialisation of the code: deepomics GlorotUniform on the 1-D bias shape (12,)
# takes fan_in = fan_out = sqrt(12), so the limit is sqrt(6 / (2 sqrt(12))) ~= 0.9306
# (p-koo/learning_sequence_motifs code/deepomics/init.py, get_fans). Keras's glorot_uniform on a
# 1-D shape would use fan = 12 (limit 0.5).
def output_bias_limit(num_targets: int) -> float:
    return (6.0 / (2.0 * num_targets**0.5)) ** 0.5


# Training settings. "paper": Methods "Adam ... recommended default parameters with a constant
# learning rate of 0.0003", mini-batch 100, 100 epochs, best validation loss. "code": deepomics
# optimize.py assigns the requested rate to a misspelt variable, so Adam ran with its default
# learning rate 0.001 and the library's beta1 0.95 (code/deepomics/optimize.py, build_updates);
# patience 20 (code fit.train_minibatch(..., patience=20)).
TRAINING: dict[str, dict] = {
    "paper": {
        "optimizer": "adam",
        "learning_rate": 3e-4,  # paper Methods; code configs 'learning_rate': 0.0003
        "beta_1": 0.9,  # paper: Adam "recommended default parameters"
        "beta_2": 0.999,
        "epsilon": 1e-8,  # Adam paper default (code deepomics too)
        "batch_size": 100,  # paper Methods; code batch_size=100
        "epochs": 100,  # paper Methods; code num_epochs=100
        "early_stopping_patience": 20,  # code patience=20 (paper: best validation loss)
        "monitor": "val_loss",  # paper: "lowest binary cross-entropy loss on the validation set"
        # code 1_train_synthetic.py fit.train_minibatch(..., shuffle=True): deepomics BatchGenerator
        # draws np.random.permutation(num_data) every epoch; papers.koo_eddy.train_and_test passes it
        # to training.train(shuffle_buffer=...): "full" = a new permutation every epoch
        "shuffle": "full",
    },
    "code": {
        "optimizer": "adam",
        "learning_rate": 1e-3,  # code: effective rate (typo 'leanring_rate' leaves the default)
        "beta_1": 0.95,  # code deepomics optimize.py
        "beta_2": 0.999,
        "epsilon": 1e-8,
        "batch_size": 100,
        "epochs": 100,
        "early_stopping_patience": 20,
        "monitor": "val_loss",
        "shuffle": "full",
    },
}
IN_VIVO_BATCH_SIZE = 32  # code 1_train_invivo.py batch_size=32

# JASPAR IDs counted as a match to each TF's ground truth (p-koo/learning_sequence_motifs
# code/3_match_statistics_synthetic.py); the in vivo "relevant" motifs use the same ID sets (code
# 3_match_statistics_invivo.py).
GROUND_TRUTH_IDS: dict[str, list[str]] = {
    "Arid3a": ["MA0151.1", "MA0601.1", "PB0001.1"],
    "CEBPB": ["MA0466.1", "MA0466.2"],
    "FOSL1": ["MA0477.1"],
    "Gabpa": ["MA0062.1", "MA0062.2"],
    "MAFK": ["MA0496.1", "MA0496.2"],
    "MAX": ["MA0058.1", "MA0058.2", "MA0058.3"],
    "MEF2A": ["MA0052.1", "MA0052.2", "MA0052.3"],
    "NFYB": ["MA0502.1", "MA0060.1", "MA0060.2"],
    "SP1": ["MA0079.1", "MA0079.2", "MA0079.3"],
    "SRF": ["MA0083.1", "MA0083.2", "MA0083.3"],
    "STAT1": ["MA0137.1", "MA0137.2", "MA0137.3", "MA0660.1", "MA0773.1"],
    "YY1": ["MA0095.1", "MA0095.2"],
}

# The paper's motif analysis as data (keras_motifs.interpret.MotifProtocol.from_dict reads it):
# paper Results/Table 1 and p-koo/learning_sequence_motifs code/deepomics/visualize.py activation_pwm,
# code/helper.py clip_filters and meme_generate, code/2_tomtom_synthetic.sh. Run by keras_motifs.papers.koo_eddy.analyse_model and
# ``keras-motifs motifs --protocol koo_eddy``.
MOTIF_PROTOCOL: dict = {
    "layer": "conv0_active",  # code: activations of conv1d_0_active (BN + ReLU, before pooling)
    "rule": "koo_eddy",  # code activation_pwm: positions > 0.5 x the filter's max, windows weighted by activation
    "window": 19,  # code activation_pwm(..., window=19): 9 left, 10 right, for every layer analysed
    "alphabet": "ACGT",  # paper Methods: A, C, G, T one-hot
    "min_sites": None,  # the rule's default (1)
    "all_filters": True,  # code: every filter is written (rows never covered are 0)
    "background": "uniform",  # code meme_generate: 0.25 each
    "trim": True,  # code helper.clip_filters: Tomtom compares the clipped filters
    "trim_bits": 0.5,  # code clip_filters: positions with > 0.5 bits
    "trim_pad": 3,  # code clip_filters: padded by 3 on each side
    "meme_style": "koo_eddy",  # code meme_generate: nsites= the width, no alternative name
    "targets": "JASPAR2016",  # paper: "JASPAR 2016 vertebrate database"; code JASPAR_CORE_2016_vertebrates.meme
    "distance": "pearson",  # MEME Tomtom's default (the code passes no -dist)
    "min_overlap": 1,  # MEME Tomtom's default (the code passes no -min-overlap)
    "threshold_on": "e_value",  # code: tomtom -evalue -thresh 0.1
    "threshold": 0.1,  # paper: "E-value cutoff of 0.1"
    "all_pairs": False,  # the hits
    # A filter matches a ground-truth motif when ANY of its hits (E < 0.1) is one: paper Table 1
    # caption ("filters that match to any ground truth TF motif"); code/helper.py
    # match_hits_to_ground_truth loops over all of a filter's Tomtom rows and counts the filter
    # when any row's Target ID is in a ground-truth ID set. keras_motifs.papers.koo_eddy also
    # reports the best-hit rule (the filter's lowest-q hit must be a ground-truth ID) beside it.
    "match": "any",
    "best_by": ["q_value", "p_value"],  # each filter's best hit (code: lowest q-value)
    "ground_truth": GROUND_TRUTH_IDS,  # synthetic: the 12 embedded TFs; in vivo: the ChIP'd TFs' motifs
}
