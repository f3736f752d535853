"""The one motif pipeline: each family's protocol data, the match rules on a hand-made Tomtom
table, and ``keras-motifs motifs --protocol koo_eddy`` end to end in a subprocess."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keras_motifs import models, registry  # noqa: F401  (models fills the registry)
from keras_motifs.interpret import MotifProtocol, analyse_filters, get_protocol, match_hits, read_meme
from tomtom_tables import tomtom_table

tomtom_module = importlib.import_module("keras_motifs.interpret.tomtom")  # the module (the package exports a function of that name)

REPO = Path(__file__).resolve().parent.parent

# Each family whose presets file holds a MOTIF_PROTOCOL, with a field or two of the paper's analysis.
EXPECTED = {
    "danq": {"rule": "deepbind", "alphabet": "AGCT", "threshold_on": "e_value", "threshold": 0.01, "min_overlap": 5},
    "ideeps": {"rule": "basset", "alphabet": "ACGU", "targets": "Ray2013", "threshold_on": "q_value", "threshold": 0.05,
               "min_overlap": 1},
    "deepprune": {"rule": "deepbind", "all_pairs": True, "match": "any", "layer": "relu_advanced"},
    "koo_eddy": {"rule": "koo_eddy", "window": 19, "min_overlap": 1, "threshold": 0.1, "match": "any",
                 "best_by": ("q_value", "p_value"), "meme_style": "koo_eddy"},
}


def test_every_registered_protocol_round_trips():
    assert registry.motif_protocols() == sorted(EXPECTED)
    for family, fields in EXPECTED.items():
        data = registry.motif_protocol(family)
        protocol = MotifProtocol.from_dict(data)
        assert protocol.name == family
        for key, value in fields.items():
            assert getattr(protocol, key) == value, (family, key)
        again = MotifProtocol.from_dict(json.loads(json.dumps(protocol.to_dict())))
        assert again == protocol and hash(again) == hash(protocol)
        # every key of the data is a protocol field, and the data say what the protocol holds
        for key, value in data.items():
            assert protocol.to_dict()[key] == (list(value) if isinstance(value, tuple) else value), (family, key)
        # a preset name finds its family's protocol; the model files hold plain data only
        for preset in registry.available(family):
            assert registry.motif_protocol(preset)["name"] == family
            assert get_protocol(preset) == protocol
    from keras_motifs.models.ideeps import STRUCTURE_MOTIF_PROTOCOL

    assert MotifProtocol.from_dict(STRUCTURE_MOTIF_PROTOCOL).targets is None
    assert get_protocol("koo_eddy").ground_truth_ids["SP1"] == ["MA0079.1", "MA0079.2", "MA0079.3"]
    with pytest.raises(KeyError, match="no motif protocol"):
        registry.motif_protocol("deepsea")
    with pytest.raises(ValueError, match="unknown motif protocol fields"):
        MotifProtocol.from_dict({"rule": "koo_eddy", "evalue": 0.1})
    with pytest.raises(ValueError, match="threshold_on"):
        MotifProtocol(threshold_on="z")
    assert MotifProtocol(threshold_on="q").threshold_on == "q_value"


# Hand-made Tomtom pairs (query, target, name, offset, overlap, strand, p, E, q). filter0's best
# hit is a decoy, its second a ground-truth motif (TF_A); filter1's best hit is TF_B; filter2 hits
# only at p = 0.02 (E 2); filter3 has no pair at all.
PAIRS = tomtom_table([
    ("filter0", "DECOY.1", "decoy", 0, 8, "+", 1e-5, 0.001, 0.001),
    ("filter0", "A.1", "TF_A", 1, 8, "+", 1e-4, 0.01, 0.005),
    ("filter1", "B.2", "TF_B", 0, 6, "-", 1e-6, 0.0001, 0.0001),
    ("filter1", "A.2", "TF_A", 0, 6, "+", 5e-4, 0.05, 0.02),
    ("filter2", "C.1", "TF_C", 0, 5, "+", 0.02, 2.0, 0.5),
])
GROUND_TRUTH = {"TF_A": ["A.1", "A.2"], "TF_B": ["B.1", "B.2"], "TF_C": ["C.1"]}


def test_match_rules_any_hit_versus_best_hit():
    names = ["filter0", "filter1", "filter2", "filter3"]
    hits = PAIRS[PAIRS["e_value"] < 0.1]
    best = match_hits(hits, names, "best", ("p_value",), GROUND_TRUTH)
    anyh = match_hits(hits, names, "any", ("p_value",), GROUND_TRUTH)
    assert best["n_match_any"] == anyh["n_match_any"] == 2 and best["match_any"] == 0.5
    assert list(best["best"]) == ["filter1", "filter0"]  # ranked by p-value
    assert best["best"]["filter0"]["target_id"] == "DECOY.1"
    # best hit: filter0's is a decoy, filter1's is TF_B; any hit: both filters match, TF_A too
    assert (best["n_match_ground_truth"], best["tfs_covered"]) == (1, ["TF_B"])
    assert (anyh["n_match_ground_truth"], anyh["tfs_covered"]) == (2, ["TF_A", "TF_B"])
    assert anyh["coverage"] == pytest.approx(2 / 3)
    # ranked by q-value first (Koo & Eddy): the same here
    assert match_hits(hits, names, "best", ("q_value", "p_value"), GROUND_TRUTH)["best"]["filter1"]["target_id"] == "B.2"
    empty = match_hits(hits.iloc[:0], names, "any", ground_truth=GROUND_TRUTH)
    assert empty["n_match_any"] == 0 and empty["n_covered"] == 0 and empty["best"] == {}


@pytest.mark.parametrize("match,threshold_on,threshold,all_pairs,n_rows,n_gt,covered", [
    ("best", "e_value", 0.1, False, 4, 1, ["TF_B"]),
    ("any", "e_value", 0.1, False, 4, 2, ["TF_A", "TF_B"]),
    ("any", "p_value", 0.05, False, 5, 3, ["TF_A", "TF_B", "TF_C"]),  # filter2 passes p < 0.05
    ("any", "q_value", 0.01, True, 5, 2, ["TF_A", "TF_B"]),  # every pair written, hits at q < 0.01
])
def test_pipeline_applies_the_protocols_threshold_and_match_rule(tmp_path, monkeypatch, match, threshold_on,
                                                                  threshold, all_pairs, n_rows, n_gt, covered):
    seen = {}

    def fake_tomtom(queries, targets, **kwargs):
        seen.update(kwargs, queries=[q.name for q in queries], widths=[q.width for q in queries])
        return PAIRS.copy()

    monkeypatch.setattr(tomtom_module, "tomtom", fake_tomtom)
    ppms = np.full((4, 12, 4), 0.25)
    ppms[:, 4:7] = [1.0, 0.0, 0.0, 0.0]  # 3 informative positions: trimmed to 3 + 2 x 3 = 9
    protocol = MotifProtocol(alphabet="ACGT", threshold_on=threshold_on, threshold=threshold, all_pairs=all_pairs,
                             match=match, ground_truth=GROUND_TRUTH, min_overlap=4)
    res = analyse_filters(None, None, protocol, tmp_path, motifs=ppms, targets=[object()])
    assert seen["queries"] == ["filter0", "filter1", "filter2", "filter3"] and seen["widths"] == [9] * 4
    assert seen["min_overlap"] == 4 and seen["distance"] == "pearson" and seen["evalue_threshold"] is None
    assert res.files == ["filters.meme", "filters_trimmed.meme", "tomtom.tsv"]
    written = pd.read_csv(tmp_path / "tomtom.tsv", sep="\t")
    assert len(written) == n_rows and len(res.table) == n_rows
    assert (res.hits[threshold_on] < threshold).all()
    assert res.summary["n_match_ground_truth"] == n_gt and res.summary["tfs_covered"] == covered
    trimmed = read_meme(tmp_path / "filters_trimmed.meme")
    assert trimmed.motifs[0].alt == "trim1-10" and read_meme(tmp_path / "filters.meme").motifs[0].width == 12


def test_koo_eddy_protocol_from_the_command_line(tmp_path):
    """``keras-motifs motifs --protocol koo_eddy`` (a subprocess, as a user runs it) on a tiny
    saved CNN: fixed 19-nt windows on conv0_active, every filter, the code's clipped MEME, Tomtom
    against JASPAR 2016 at E < 0.1 with min overlap 1, ground-truth match counts."""
    import keras

    from keras_motifs.io import save_model
    from keras_motifs.models.koo_eddy import KooEddyCNN
    from tfds_builders.koo_eddy_synthetic.synthetic import core_pwms

    keras.utils.set_random_seed(0)
    model = KooEddyCNN("koo_eddy_cnn9_25", conv_blocks=[
        {"filters": 4, "size": 9, "padding": "same", "pool": 25, "pool_stride": None, "dropout": 0.1},
        {"filters": 4, "size": 5, "padding": "same", "pool": 4, "pool_stride": None, "dropout": 0.1}], dense_units=8)
    mot = core_pwms()[0].T  # Arid3a, (W, 4)
    w = model.get_layer("conv0").get_weights()
    w[0][:, :, 0] = 0
    w[0][: min(9, len(mot)), :, 0] = 3 * (mot[:9] - 0.25)  # filter0 detects the Arid3a core
    model.get_layer("conv0").set_weights(w)
    save_model(model, tmp_path / "model.keras")
    rng = np.random.default_rng(0)
    seqs = rng.integers(0, 4, (40, 200))
    for i in range(40):
        p = int(rng.integers(0, 190))
        seqs[i, p : p + len(mot)] = mot.argmax(1)
    np.save(tmp_path / "x.npy", np.eye(4, dtype=np.float32)[seqs])
    out = tmp_path / "motifs"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-m", "keras_motifs.cli", "motifs", str(tmp_path / "model.keras"),
                        str(tmp_path / "x.npy"), "--protocol", "koo_eddy", "--out", str(out), "--no-logos",
                        "--mutation-map-index", "-1"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["protocol"]["name"] == "koo_eddy" and summary["protocol"]["window"] == 19
    assert summary["layer"] == "conv0_active" and summary["rule"] == "koo_eddy"
    assert summary["files"] == ["filters.meme", "filters_trimmed.meme", "tomtom.tsv"]
    meme, clipped = read_meme(out / "filters.meme"), read_meme(out / "filters_trimmed.meme")
    assert len(meme) == 4 and all(m.width == 19 for m in meme)  # every filter, 19-nt windows
    assert all(m.nsites == m.width and m.alt is None for m in clipped)  # the code's MEME writer
    t = summary["tomtom"]
    assert (t["threshold_on"], t["threshold"], t["min_overlap"], t["match"]) == ("e_value", 0.1, 1, "any")
    assert t["n_queries"] == 4 and "match_ground_truth" in t and "tfs_covered" in t
    table = pd.read_csv(out / "tomtom.tsv", sep="\t")
    assert (table["e_value"] < 0.1).all()
    # filter0 (the Arid3a core, ATTAA) matches Arid3a (MA0151.1) among its two best hits; with MEME's
    # pearson arithmetic the homeobox PROP1 (TAATTA) comes first, p 1.2e-4 against 1.9e-4
    assert t["best"]["filter0"][0] in {"MA0151.1", "MA0601.1", "PB0001.1", "MA0715.1"}
    assert "MA0151.1" in set(table[table["query"] == "filter0"]["target_id"].head(2))
    # the same protocol found from the model's own preset name
    from keras_motifs.commands.motifs import resolve_protocol

    assert resolve_protocol(model, "auto")["name"] == "koo_eddy"
