"""The DanQ paper's k-mer logistic-regression baseline (Quang & Xie 2016, Methods "Logistic
regression"): normalised counts of k-mers of length 1-5 as features, one sigmoid unit per target,
L2 weight regularisation 1e-6, RMSprop, minibatch 100, validation loss monitored each epoch."""

PRESETS = {
    "kmer_lr": {
        "sequence_length": 1000,
        "alphabet": "AGCT",
        "k_min": 1,  # paper: k-mers of lengths 1-5 bp
        "k_max": 5,
        "l2": 1e-6,  # paper: "a small L2 weight regularization of 1e-6"
        "num_targets": 919,
        "training": {
            "optimizer": "rmsprop",  # paper: RMSprop (Keras 0.2 defaults as for DanQ)
            "learning_rate": 1e-3,
            "rho": 0.9,
            "epsilon": 1e-6,
            "batch_size": 100,  # paper: minibatch size of 100
            "epochs": 60,
            "early_stopping_patience": 5,  # paper: validation loss evaluated each epoch
            "monitor": "val_loss",
        },
    }
}
