"""Hand-made Tomtom tables for tests (not collected): rows of
``(query, target_id, target_name, offset, overlap, orientation, p_value, e_value, q_value)`` in the
column layout of :func:`keras_motifs.interpret.tomtom`."""

import pandas as pd

from keras_motifs.interpret.tomtom import COLUMNS


def tomtom_table(rows) -> pd.DataFrame:
    df = pd.DataFrame([dict(zip(COLUMNS, r + ("", ""))) for r in rows], columns=COLUMNS)
    for c in ("p_value", "e_value", "q_value"):
        df[c] = df[c].astype(float)
    return df
