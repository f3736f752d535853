"""Reading the published DeepSEA/DanQ per-target table and printing comparison tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataFormatError

PUBLISHED_COLUMNS = (
    "DeepSEA ROC AUC", "DanQ ROC AUC", "DanQ-JASPAR ROC AUC",
    "DeepSEA PR AUC", "DanQ PR AUC", "DanQ-JASPAR PR AUC",
)


def read_published_aucs(path: "str | Path") -> dict:
    """Parse the DanQ repository's ``aucs.txt``: 919 rows in DeepSEA target order.

    Returns ``{"names": [...], "groups": [...], "<column>": float array (NaN for "NA ...")}``.
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    if not lines:
        raise DataFormatError(f"file '{path}' is empty")
    header = lines[0].split("\t")
    missing = [c for c in PUBLISHED_COLUMNS if c not in header]
    if missing:
        raise DataFormatError(f"file '{path}', line 1: missing column(s) {missing}")
    rows = [ln.split("\t") for ln in lines[1:] if ln.strip()]
    if len(rows) != 919:
        raise DataFormatError(f"file '{path}': {len(rows)} data rows, expected 919 (one per DeepSEA target)")
    out: dict = {"names": [], "groups": []}
    cols = {c: header.index(c) for c in PUBLISHED_COLUMNS}
    values = {c: np.full(len(rows), np.nan) for c in PUBLISHED_COLUMNS}
    for i, r in enumerate(rows):
        if len(r) != len(header):
            raise DataFormatError(f"file '{path}', line {i + 2}: {len(r)} fields, expected {len(header)}")
        out["names"].append(f"{r[0]}|{r[1]}|{r[2]}")
        for c, j in cols.items():
            v = r[j].strip()
            if v.startswith("NA"):
                continue
            try:
                values[c][i] = float(v)
            except ValueError:
                raise DataFormatError(f"file '{path}', line {i + 2}: column '{c}' has {v!r}, not a number") from None
    from ..metrics import deepsea_groups

    out["groups"] = list(deepsea_groups())
    out.update(values)
    return out


def format_table(rows: list[tuple[str, list]], headers: list[str]) -> str:
    """Plain-text table; floats with 4 decimals, NaN as 'NA'."""
    def fmt(v):
        if isinstance(v, float):
            return "NA" if np.isnan(v) else f"{v:.4f}"
        return str(v)

    cells = [[name] + [fmt(v) for v in vals] for name, vals in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))
    out = [line, "-" * len(line)]
    for c in cells:
        out.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(c, widths))))
    return "\n".join(out)
