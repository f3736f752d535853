"""iDeepS hyperparameters as data, with the source of each value.

Sources: Pan, Rijnbeek, Yan & Shen 2018, BMC Genomics 19:511 ("paper"), and the original code
xypan1232/iDeepS ``ideeps.py`` run on Keras 1.1.2 + Theano ("code"; defaults from keras-team/keras
1.1.2 ``keras/optimizers.py``, ``keras/layers/recurrent.py``).

Presets:
  ideeps            the published model: sequence + structure CNNs, concatenated along the time
                    axis, BiLSTM (code ``get_cnn_network`` + ``run_network``).
  ideeps_cnn        ablation "only CNNs, no BLSTM" (paper, Added value of BLSTM, Fig. 5 and
                    "simply concatenating the outputs from sequence and structure CNNs", mean AUC
                    0.84): the code's per-branch CNNs ``get_cnn_network_old`` (sequence) and
                    ``get_struct_network`` (structure), each Flatten → Dense 16 ReLU → Dropout 0.25,
                    concatenated on features (total_hid = seq_hid + struct_hid = 32 in
                    ``run_seq_struct_cnn_network``) → Dense 2 softmax.
  ideeps_seq_blstm  ablation "CNN + BLSTM using only the sequences" (paper, Additional file 4,
                    Fig. S3): the published model without the structure branch.
  ideeps_seq_cnn    the sequence-only CNN baseline (paper, Baseline methods: "DeepBind uses a
                    sequence CNN with the same architecture as iDeepS"): the code's
                    ``get_cnn_network_old`` → Dense 2 softmax.
"""

from __future__ import annotations

_TRAINING = {
    # code run_network: optimizer='rmsprop' = Keras 1.1.2 RMSprop, which divides by sqrt(a) + eps
    # (keras-team/keras 1.1.2 keras/optimizers.py); "rmsprop" = Keras 3's sqrt(a + eps)
    "optimizer": "keras1_rmsprop",
    "learning_rate": 1e-3,  # Keras 1.1.2 RMSprop lr; paper: "default learning rate of 0.001"
    "rho": 0.9,  # Keras 1.1.2 RMSprop default
    "epsilon": 1e-8,  # Keras 1.1.2 RMSprop default (keras-team/keras 1.1.2 keras/optimizers.py)
    # code run_network loss='categorical_crossentropy' on 2-column one-hot labels, which Keras 1.1.2
    # computes on probabilities clipped to [1e-7, 1 - 1e-7] (keras/backend/theano_backend.py);
    # "categorical_crossentropy" = Keras 3's exact log-softmax
    "loss": "clipped_categorical_crossentropy",
    "batch_size": 50,  # code fit(batch_size=50); paper Implementation
    "epochs": 30,  # code nb_epoch=30; paper "maximum number of epochs to 30"
    "early_stopping_patience": 5,  # code EarlyStopping(monitor='val_loss', patience=5)
    # Keras 1.1.2 keras/callbacks.py EarlyStopping: stops after patience + 1 epochs without
    # improvement (wait compared before it is incremented); "keras3" stops after patience
    "early_stopping_rule": "keras1",
    "monitor": "val_loss",
    "restore_best_weights": False,  # code: no checkpoint; the last epoch's weights predict
    "validation_fraction": 0.2,  # code split_training_validation(validation_size=0.2)
}

_BASE = {
    "sequence_length": 101,  # xypan1232/iDeepS datasets/clip/*/30000/*/sequences.fa.gz: all 101 nt
    "flank": 5,  # code motif_len/2 = 5 padding rows on each side -> 111 rows
    "sequence_alphabet": "ACGU",  # code alphabet 'ACGT' after U->T; we encode the RNA form
    "structure_alphabet": "FTIHMS",  # code get_RNA_structure_concolutional_array
    "sequence_n_value": 0.25,  # code: padding and non-ACGT rows = 0.25
    "structure_n_value": 0.16,  # code: padding rows = 0.16 (not 1/6)
    "conv_filters": 16,  # code nbfilter = 16; paper "number of motifs ... 16"
    "conv_width": 10,  # code filter_length=10; paper "filter length of 10"
    # code Convolution1D default init='glorot_uniform' with Keras 1.1.2's fans (kernel stored as
    # (10, 1, in, 16), fans read with dim_ordering 'th': limit 0.092 / 0.075; keras-team/keras 1.1.2
    # keras/layers/convolutional.py, keras/initializations.py get_fans); "glorot_uniform" = Keras 3's
    "conv_initializer": "keras1_glorot_uniform",
    "pool_size": 3,  # code MaxPooling1D(pool_length=3) (stride = pool length in Keras 1)
    "conv_dropout": 0.5,  # code Dropout(0.5) after pooling
    "lstm_units": 32,  # code Bidirectional(LSTM(2*nbfilter))
    "lstm_dropout": 0.1,  # code Dropout(0.10)
    "dense_units": 32,  # code Dense(nbfilter*2, activation='relu')
    "branch_dense_units": 16,  # code get_cnn_network_old / get_struct_network: Dense(nbfilter)
    "branch_dense_dropout": 0.25,  # code: Dropout(0.25) after that Dense
    "num_classes": 2,  # code Dense(2) + softmax on to_categorical labels
}

PRESETS: dict[str, dict] = {
    "ideeps": {**_BASE, "branches": ("sequence", "structure"), "head": "blstm", "training": _TRAINING},
    "ideeps_cnn": {**_BASE, "branches": ("sequence", "structure"), "head": "dense", "training": _TRAINING},
    "ideeps_seq_blstm": {**_BASE, "branches": ("sequence",), "head": "blstm", "training": _TRAINING},
    "ideeps_seq_cnn": {**_BASE, "branches": ("sequence",), "head": "dense", "training": _TRAINING},
}

# The paper's motif analysis as data (keras_motifs.interpret.MotifProtocol.from_dict reads it):
# paper Methods "we align them against 102 known motifs in study [48] (Ray et al. 2013) ... using
# the TOMTOM algorithm with p-value < 0.05", Fig. 3; xypan1232/iDeepS ideeps.py (get_motif_fig: ``tomtom
# -dist pearson -thresh 0.05 -eps``) and seq_motifs.py. The code is followed where the paper's text differs.
# Run by keras_motifs.papers.ideeps.write_motifs and ``keras-motifs motifs --protocol ideeps``.
MOTIF_PROTOCOL: dict = {
    "layer": "sequence_conv",  # code seq_motifs.py: the ReLU output of the sequence convolution, before pooling
    "rule": "basset",  # code (Basset-derived): threshold mean + 0.5 (max - mean), every position above it, pseudocount 1
    "window": None,  # the filter's width, 10 (the code cut 7-mers at an offset: see keras_motifs.interpret.alignment)
    "alphabet": "ACGU",  # code: sequence k-mers written with U (T -> U)
    "min_sites": 10,  # code: filters with < 10 sites are not written
    "all_filters": False,  # code: only filters with enough sites
    "background": "letter_frequencies",  # code: letter frequencies of the sequences with +1 pseudocounts
    "trim": False,  # code: whole filters
    "targets": "Ray2013",  # paper: the 102 RNAcompete motifs of Ray et al. 2013; code Ray2013_rbp_RNA.meme
    "distance": "pearson",  # code: tomtom -dist pearson
    "min_overlap": 1,  # code: no -min-overlap, so MEME Tomtom's default, 1
    # code: -thresh 0.05 without -evalue: MEME Tomtom's threshold is then on the q-value (its
    # documented default); the paper's text says p-value < 0.05 (threshold_on "p_value" gives that)
    "threshold_on": "q_value",
    "threshold": 0.05,
    "all_pairs": False,  # the hits (RNA: + strand only)
    "match": "best",  # the report gives each filter's best match (paper Fig. 3)
    "best_by": ["p_value"],
    "ground_truth": None,  # per experiment: the protein's own RNAcompete motif (papers.ideeps.RAY2013_NAMES)
}

# The structure branch (code structure_motifs.py): the same rule on the FTIHMS contexts; no Tomtom
# (the paper tested structure motifs by AME enrichment, not reproduced).
STRUCTURE_MOTIF_PROTOCOL: dict = {
    **MOTIF_PROTOCOL,
    "layer": "structure_conv",  # code structure_motifs.py: the structure convolution's ReLU output
    "alphabet": "FTIHMS",  # code get_RNA_structure_concolutional_array letters
    "targets": None,  # no Tomtom
}
