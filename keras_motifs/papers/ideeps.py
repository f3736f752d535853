"""Train and evaluate an iDeepS preset the way the original ``run_network`` did.

:func:`make_inputs` turns sequences and context strings into the model's input dict;
:func:`fit` trains with :func:`keras_motifs.training.train` (seed, logs, resume) using the
preset's settings — categorical cross-entropy, RMSprop (eps 1e-8), batch 50, at most 30 epochs,
early stopping on validation loss with patience 5 — and, as the original (no checkpoint, no
restore), keeps the weights of the *last* epoch unless ``restore_best=True``.

:func:`write_motifs` is the paper's motif analysis (Fig. 3: sequence and structure motifs of both
convolutions, Tomtom of the sequence motifs against Ray et al. 2013, p < 0.05;
``keras_motifs.models.ideeps.MOTIF_PROTOCOL`` / ``STRUCTURE_MOTIF_PROTOCOL`` run by
:func:`keras_motifs.interpret.analyse_filters`); :func:`motif_report` tabulates the best matches
of many experiments and the rank of each protein's own RNAcompete motif.
"""

from __future__ import annotations

import os
from typing import Sequence

import keras
import numpy as np

from ..errors import ModelInputError
from ..models.ideeps.encoding import encode_sequences, encode_structures
from ..registry import get_preset
from ..models import ideeps as _ideeps  # noqa: F401  (registers the iDeepS presets)
from ..models.ideeps import MOTIF_PROTOCOL, STRUCTURE_MOTIF_PROTOCOL


class KeepFinalWeights(keras.callbacks.Callback):
    """Remember the weights at the end of training (before any reload of a best checkpoint)."""

    def __init__(self):
        super().__init__()
        self.weights = None
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1

    def on_train_end(self, logs=None):
        self.weights = [w.copy() for w in self.model.get_weights()]


def make_inputs(
    sequences: Sequence[str],
    structures: Sequence[str] | None = None,
    preset: str = "ideeps",
    layout: str = "centered",
    length: int | None = None,
) -> dict[str, np.ndarray]:
    """``{"sequence": (N, L+10, 4), "structure": (N, L+10, 6)}`` for the preset's branches."""
    cfg = get_preset(preset)
    length = length or cfg["sequence_length"]
    out = {"sequence": encode_sequences(sequences, length, cfg["flank"], cfg["sequence_n_value"], layout)}
    if "structure" in cfg["branches"]:
        if structures is None:
            raise ModelInputError(f"preset {preset!r} needs structure context strings")
        if len(structures) != len(sequences):
            raise ModelInputError(f"{len(sequences)} sequences but {len(structures)} structure strings")
        for i, (s, c) in enumerate(zip(sequences, structures)):
            if len(s) != len(c):
                raise ModelInputError(f"record {i}: sequence has length {len(s)}, structure {len(c)}")
        out["structure"] = encode_structures(structures, length, cfg["flank"], cfg["structure_n_value"], layout)
    return out


def one_hot_labels(labels) -> np.ndarray:
    """0/1 labels → (N, 2) float32, as LabelEncoder + to_categorical in the original."""
    labels = np.asarray(labels).astype(np.int64)
    if labels.size and not np.isin(labels, [0, 1]).all():
        bad = labels[~np.isin(labels, [0, 1])][:5].tolist()
        raise ModelInputError(f"labels must be 0 or 1; found {bad}")
    return np.eye(2, dtype=np.float32)[labels]


def fit(
    preset: str,
    train: tuple[dict, np.ndarray],
    validation: tuple[dict, np.ndarray],
    output_dir: "str | os.PathLike",
    *,
    seed: int = 1,
    epochs: int | None = None,
    batch_size: int | None = None,
    early_stopping_patience: int | None = None,
    restore_best: bool | None = None,
    model_kwargs: dict | None = None,
    verbose=0,
):
    """Train ``preset`` on ``(inputs, labels 0/1)`` pairs; returns ``(model, TrainResult)``.

    The returned model holds the last epoch's weights (original behaviour) unless
    ``restore_best`` (default: the preset's ``restore_best_weights``, False) is true, in which case
    it is the checkpoint with the lowest validation loss.
    """
    from ..training import train as _train

    cfg = get_preset(preset)["training"]
    restore = cfg["restore_best_weights"] if restore_best is None else restore_best
    keep = KeepFinalWeights()
    x_train, y_train = train
    x_val, y_val = validation
    names = get_preset(preset)["branches"]
    x_train = {k: x_train[k] for k in names}
    x_val = {k: x_val[k] for k in names}
    result = _train(
        preset,
        (x_train, one_hot_labels(y_train)),
        (x_val, one_hot_labels(y_val)),
        output_dir=output_dir,
        model_kwargs=dict(model_kwargs or {}, seed=seed),
        epochs=epochs,
        batch_size=batch_size,
        early_stopping_patience=early_stopping_patience if early_stopping_patience is not None else cfg["early_stopping_patience"],
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=["categorical_accuracy"],
        seed=seed,
        shuffle_buffer=len(y_train),  # Keras 1 fit(shuffle=True): a full reshuffle every epoch
        tensorboard=False,
        callbacks=[keep],
        verbose=verbose,
    )
    model = result.model
    if not restore and keep.weights is not None:
        model.set_weights(keep.weights)
    result.extra["weights"] = "best_val_loss" if restore else "last_epoch"
    return model, result


def predict_bound(model, inputs: dict, batch_size: int = 500) -> np.ndarray:
    """Probability of the bound class (column 1 of the softmax), as ``predict_proba(...)[:, 1]``."""
    names = [i.name for i in model.inputs]
    return model.predict({k: inputs[k] for k in names}, batch_size=batch_size, verbose=0)[:, 1]


def write_motifs(model, x_test: dict, seqs: Sequence[str], contexts: Sequence[str], out_dir: "str | os.PathLike",
                 ray2013: "str | os.PathLike | None") -> dict:
    """iDeepS-rule motifs of both convolutions → ``<branch>_motifs.meme`` (ACGU / FTIHMS; the
    background is the letter frequencies of ``seqs`` / ``contexts`` with +1 pseudocounts) and
    ``<branch>_logos.png``; Tomtom of the sequence motifs against RNAcompete (``ray2013``, a MEME
    file; skipped when absent) → ``tomtom_ray2013.tsv`` (p < 0.05, + strand).

    ``x_test``: the model's inputs (:func:`make_inputs`: ``{"sequence": (N, L+10, 4), "structure":
    (N, L+10, 6)}``); ``seqs``/``contexts``: the same N sequences and structure strings. Returns
    per branch the number of filters written and the sites of every filter, and the best Tomtom
    match of each matched sequence filter.
    """
    from pathlib import Path

    from ..interpret import MotifProtocol, analyse_filters

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = [x_test[i.name] for i in model.inputs]
    layer_names = [layer.name for layer in model.layers]
    summary = {}
    for branch, spec, strings in (("sequence", MOTIF_PROTOCOL, seqs), ("structure", STRUCTURE_MOTIF_PROTOCOL, contexts)):
        protocol = MotifProtocol.from_dict(dict(spec, name="ideeps"))
        if protocol.layer not in layer_names:
            continue
        alphabet = protocol.alphabet
        text = "".join(strings).upper().replace("T", "U") if branch == "sequence" else "".join(strings)
        counts = np.array([text.count(c) + 1 for c in alphabet], dtype=float)  # original: +1 pseudocounts
        targets = ray2013 if protocol.targets is not None and ray2013 and Path(ray2013).exists() else None
        analysis = analyse_filters(
            model, inputs, protocol.replace(targets=None) if targets is None else protocol, out_dir,
            targets=targets, background=counts / counts.sum(), batch_size=500, logos="grid", grid_columns=8,
            table_float_format=None,
            files={"meme": f"{branch}_motifs.meme", "logo_grid": f"{branch}_logos.png", "tomtom": "tomtom_ray2013.tsv"})
        summary[branch] = {"filters_written": len(analysis.motifs), "sites": analysis.filters.nsites.tolist()}
        if analysis.hits is not None:
            summary["tomtom"] = [
                {"filter": q, "target": b["target_id"], "name": b["target_name"], "p_value": b["p_value"],
                 "e_value": b["e_value"], "q_value": b["q_value"]}
                for q, b in analysis.summary["best"].items()
            ]
    return summary


# The RNAcompete motif (name in Ray et al. 2013's MEME file) of each iONMF experiment's protein,
# where that file has one. TIAL1 has no RNAcompete motif of its own: its paralogue TIA1 binds the
# same U-rich sites. The others (Ago, eIF4AIII, IGF2BP1-3, MOV10, Nsun2, PUM2, TAF15, ...) have
# none in the shared file.
RAY2013_NAMES = {
    8: "HuR", 9: "HuR", 10: "HuR", 11: "HuR", 13: "FUS", 14: "FUS", 16: "HNRNPC", 17: "HNRNPC",
    18: "HNRNPL", 19: "HNRNPL", 20: "HNRPLL", 24: "QKI", 25: "SRSF1", 27: "TARDBP", 28: "TIA1",
    29: "TIA1", 30: "U2AF2", 31: "U2AF2",
}


def motif_report(out: "str | os.PathLike", rows: list[dict]) -> str:
    """Tomtom of the learned sequence motifs against Ray 2013, per experiment (the paper's Fig. 3).

    For every experiment with a ``<out>/motifs/<config>/tomtom_ray2013.tsv`` (matches at p < 0.05,
    + strand): the best match over all filters, and the best match to the protein's own
    RNAcompete motif (:data:`RAY2013_NAMES`) with its rank among the matched proteins.
    ``rows``: result records with ``experiment``, ``config`` and ``protein``.
    """
    from pathlib import Path

    import pandas as pd

    out = Path(out)
    configs = {r["experiment"]: (r["config"], r["protein"]) for r in rows}
    lines = []
    for e in sorted(configs):
        cfg, protein = configs[e]
        path = out / "motifs" / cfg / "tomtom_ray2013.tsv"
        if not path.exists():
            continue
        t = pd.read_csv(path, sep="\t").sort_values(["p_value", "query"], kind="stable")
        b = None if t.empty else t.iloc[0]
        best = "no match at p < 0.05" if b is None else f"{b.target_name} ({b.query}, E = {b.e_value:.2g})"
        name = RAY2013_NAMES.get(e)
        if name is None:
            own = "not in the file"
        else:
            hits = t[t["target_name"] == name]
            if hits.empty:
                own = f"{name}: no match at p < 0.05"
            else:
                o = hits.iloc[0]
                ranked = list(dict.fromkeys(t["target_name"]))
                own = f"{name}: {o.query}, E = {o.e_value:.2g}, rank {ranked.index(name) + 1} of {len(ranked)}"
        lines.append(f"| {e} | {protein} | {best} | {own} |")
    if not lines:
        return ""
    head = ["| # | protein | best RNAcompete match (filter, E) | the protein's own motif (filter, E, rank among matched proteins) |",
            "|---|---|---|---|"]
    return "\n".join(head + lines) + "\n"
