"""The 927 pretrained DeepBind v0.1 models (Alipanahi et al. 2015) as Keras models.

    from keras_motifs import deepbind
    model = deepbind.load("D00328.003")                  # keras.Model, (B, L, 4) -> (B, 1)
    deepbind.predict(model, ["TACCACTAGGGGGCGCCACC"])    # -> [[17.682623]]
    deepbind.score(["D00210.001", "D00328.003"], ["TACCACTAGGGGGCGCCACC"])  # many models at once
    deepbind.Database().find(protein="CTCF", experiment="ChIP-seq")

The scores are those of the original C ``deepbind`` executable (v0.11); see
:mod:`keras_motifs.layers.deepbind_scan` for the computation and
``keras-motifs deepbind`` for the command-line drop-in.
"""

from .database import Database, ModelInfo, default_db_dir, read_index
from ..layers.deepbind_scan import DeepBindScan
from .params import DeepBindParams, check_model_id, parse_params, read_params
from .predictor import Scorer, build_model, encode, load, predict, score

__all__ = [
    "Database", "ModelInfo", "default_db_dir", "read_index", "DeepBindScan", "DeepBindParams",
    "check_model_id", "parse_params", "read_params", "Scorer", "build_model", "encode", "load",
    "predict", "score",
]
