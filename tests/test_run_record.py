"""keras_motifs.reporting.run_record: one record of a run, and a unit of work cached under its settings."""

import json

import numpy as np
import pytest

from keras_motifs.reporting.run_record import Unit, plain, record


def test_record_holds_command_versions_machine_seed_and_settings():
    r = record({"epochs": 2, "sizes": (1, 2), "eps": float("nan")}, seed=7, argv=["/x/danq.py", "--epochs", "2"])
    assert r["command"] == "danq.py --epochs 2" and r["seed"] == 7
    assert r["settings"] == {"epochs": 2, "sizes": [1, 2], "eps": None}
    assert {"python", "keras_motifs", "numpy"} <= set(r["versions"])
    assert "logical CPUs" in r["machine"]


def test_unit_reuses_only_a_result_of_the_same_settings(tmp_path):
    path = tmp_path / "m" / "results.json"
    unit = Unit(path, {"epochs": 1, "shape": (2, 3)}, seed=3)
    assert unit.done() is None and unit.existing() is None
    written = unit.write({"auc": np.float64(0.75), "per_target": np.array([0.5, np.nan])})
    assert written["run"]["settings"] == {"epochs": 1, "shape": [2, 3]} and written["run"]["seed"] == 3
    with pytest.raises(RuntimeError, match="written once"):
        unit.write({"auc": 0.8})
    stored = json.loads(path.read_text())
    assert stored["per_target"] == [0.5, None] and stored["run"]["settings"]["shape"] == [2, 3]
    assert Unit(path, {"epochs": 1, "shape": [2, 3]}).done() == stored  # the same settings after a round trip
    assert Unit(path, {"epochs": 2, "shape": (2, 3)}).done() is None  # other settings: compute again
    assert Unit(path, {"epochs": 2, "shape": (2, 3)}).existing() == stored
    path.write_text("{trunc")
    assert Unit(path, {"epochs": 1, "shape": (2, 3)}).done() is None
    with pytest.raises(ValueError, match="'run'"):
        Unit(tmp_path / "x.json", {}).write({"run": 1})


def test_unit_accepts_a_result_written_before_the_record_only_by_its_legacy_fields(tmp_path):
    path = tmp_path / "seed0.json"
    path.write_text(json.dumps({"seed": 0, "epochs": 5, "records": []}))
    assert Unit(path, {"seed": 0, "epochs": 5}).done() is None  # no record, no legacy rule: redone
    assert Unit(path, {"seed": 0, "epochs": 5}, legacy_fields={"seed": 0, "epochs": 5}).done()["records"] == []
    assert Unit(path, {"seed": 0, "epochs": 6}, legacy_fields={"seed": 0, "epochs": 6}).done() is None
    assert Unit(path, {}, legacy_fields={"seed": 0, "missing": None}).done() is None


def test_plain_is_what_json_reads_back():
    assert plain({"a": (1, np.int64(2)), 3: np.array([1.5])}) == {"a": [1, 2], "3": [1.5]}
