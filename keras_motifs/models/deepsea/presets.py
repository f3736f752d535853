"""DeepSEA (Zhou & Troyanskaya 2015, Nat. Methods 12:931) as the DanQ paper compared against it.

Sources: "paper" = Zhou & Troyanskaya 2015 (Online Methods: 320/480/960 kernels of width 8,
pooling 4, 925 hidden units, dropout 0.2/0.2/0.5); "code" = the DeepSEA Torch7 training code as
distributed with the data bundle (mirrored publicly as jisraeli/DeepSEA: ``2_model.lua``,
``main.lua``, ``4_train.lua``, ``run.sh``).
"""

PRESETS = {
    "deepsea": {
        "sequence_length": 1000,
        "alphabet": "AGCT",
        "conv_filters": (320, 480, 960),  # paper; code 2_model.lua nkernels
        "conv_width": 8,  # paper; code SpatialConvolutionMM(..., 1, 8)
        "pool_size": 4,  # paper; code SpatialMaxPooling(1,4,1,4) after conv 1 and 2
        "dropout": (0.2, 0.2, 0.5),  # paper; code Dropout(0.2), (0.2), (0.5)
        "dense_units": 925,  # paper (code 2_model.lua uses noutputs = 919 hidden units)
        "num_targets": 919,
        "max_kernel_norm": 0.9,  # code run.sh -max_kernel_norm 0.9 (renorm of each unit's weights)
        "l1_output_activity": 1e-8,  # code run.sh -L1Sparsity 1e-8 (nn.L1Penalty on the last Linear's output)
        # code 4_train.lua feval: the L1 gradient goes through model:get(model:size()-1):backward(...),
        # the last Linear alone, so it reaches only that layer's weight and bias ("network": every layer)
        "l1_gradient": "layer",
        "threshold_value": 1e-6,  # code nn.Threshold(0, 1e-6): x <= 0 -> 1e-6 (a ReLU variant)
        "training": {
            "optimizer": "torch_sgd",  # code 4_train.lua: optim.sgd
            "learning_rate": 1.0,  # code run.sh -LearningRate 1
            "learning_rate_decay": 8e-7,  # code run.sh -LearningRateDecay 8e-7 (per batch)
            "momentum": 0.9,  # code run.sh -momentum 0.9 (Torch dampening = momentum)
            "torch_weight_decay": 1e-6,  # code run.sh -weightDecay 1e-6 (= L2 penalty 5e-7 ||w||^2, paper's lambda1)
            "batch_size": 16,  # code run.sh -batchSize 16
            "epochs": 60,  # not fixed by the code (it runs until 300 evaluations without improvement)
            "early_stopping_patience": 5,  # as our DanQ protocol; code: 300 x 110,000-sample "epochs"
            "monitor": "val_loss",
            # code 1_data.lua te_size = 4000 and 4_train.lua's validation loop (t = 1..4000): the
            # validation loss is over the first 4,000 rows of valid.mat, its forward strands (of 8,000)
            "validation_rows": 4000,
        },
    }
}
