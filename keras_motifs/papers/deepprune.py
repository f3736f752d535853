"""The Deepprune paper's motif analysis (Luo, Chi & Deng 2019, "Model Visualization"): the final
kernels of Deepprune and of the baseline as DeepBind-rule motifs over the test positives, drawn as
logos, compared by Tomtom with all JASPAR 2016 vertebrate motifs, and read off at the planted
motifs (recovered at E < 0.01).

The analysis is :func:`keras_motifs.interpret.analyse_filters` with
``keras_motifs.models.deepprune.MOTIF_PROTOCOL`` (the same that ``keras-motifs motifs --protocol
deepprune`` runs); the planted motifs are its ground truth. The pruning itself is
:mod:`keras_motifs.pruning`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ..models.deepprune import MOTIF_PROTOCOL


def motif_report(set_name: str, seed: int, run_dir: "str | os.PathLike", xte: np.ndarray, yte: np.ndarray,
                 rounds_kernels: int, planted: Sequence[tuple[str, str, np.ndarray]]) -> dict:
    """Motifs of ``<run_dir>/seed<seed>_models/{deepprune,baseline}_<rounds_kernels>k.keras``.

    ``xte``: one-hot test sequences (N, L, 4) A,C,G,T; ``yte``: their 0/1 labels (N,) (the
    positives are aligned); ``planted``: ``[(JASPAR ID, name, PPM (W, 4)), ...]`` of the data set
    (``tfds_builders.deepprune_simulated.planted_motifs``). Writes per variant the logo grid
    (``seed<seed>_<variant>_<k>k_logos.png``), the Tomtom table of every pair
    (``seed<seed>_<variant>_tomtom.tsv``), a logo beside each planted motif recovered at E < 0.01
    (``seed<seed>_<variant>_<name>_match.png``) and the summary ``seed<seed>_motifs.json``
    (returned; read back when it exists).
    """
    import keras

    from ..interpret import Motif, MotifProtocol, analyse_filters, save_logo_grid, save_logo_with_match
    from ..io import write_json

    run_dir = Path(run_dir)
    out_path = run_dir / f"seed{seed}_motifs.json"
    if out_path.exists():
        return json.loads(out_path.read_text())
    planted = [Motif(mid, pfm, alt=name) for mid, name, pfm in planted]
    protocol = MotifProtocol.from_dict(dict(MOTIF_PROTOCOL, name="deepprune"))
    models_dir = run_dir / f"seed{seed}_models"
    pos = xte[yte == 1]
    summary = {"set": set_name, "seed": seed, "planted": [f"{m.name} {m.alt}" for m in planted]}
    for variant in ("deepprune", "baseline"):
        path = models_dir / f"{variant}_{rounds_kernels}k.keras"
        if not path.exists():
            continue
        model = keras.models.load_model(path, safe_mode=True)
        # against all of JASPAR 2016 CORE vertebrates (519 motifs, the planted ones included), so that
        # p-values have a proper background; then read off the rows of the planted motifs
        analysis = analyse_filters(
            model, pos, protocol, run_dir, name_prefix=f"{variant}_k", table_float_format=None,
            ground_truth={f"{m.name} {m.alt}": [m.name] for m in planted},
            files={"tomtom": f"seed{seed}_{variant}_tomtom.tsv"})
        motifs = analysis.motifs
        ic = analysis.filters.information_content()
        save_logo_grid(run_dir / f"seed{seed}_{variant}_{rounds_kernels}k_logos.png", motifs, ncols=4,
                       titles=[f"{m.name} IC {ic[i]:.1f}" for i, m in enumerate(motifs)])
        table = analysis.table  # every pair
        per_planted = {}
        for m in planted:
            rows = table[table["target_id"] == m.name]
            if len(rows):
                best = rows.sort_values("p_value").iloc[0]
                per_planted[f"{m.name} {m.alt}"] = {"kernel": best["query"], "p_value": float(best["p_value"]),
                                                    "e_value": float(best["e_value"])}
                if best[protocol.threshold_on] < protocol.threshold:
                    q = next(mm for mm in motifs if mm.name == best["query"])
                    save_logo_with_match(run_dir / f"seed{seed}_{variant}_{m.alt}_match.png", q, m,
                                         offset=int(best["offset"]), orientation=best["orientation"],
                                         title=f"E = {best['e_value']:.2g}")
            else:
                per_planted[f"{m.name} {m.alt}"] = None
        best_hits = table.sort_values("p_value").groupby("query", sort=False).head(1)
        top = {r["query"]: f"{r['target_id']} {r['target_name']} E={r['e_value']:.2g}" for _, r in best_hits.iterrows()}
        summary[variant] = {"kernel_ic": [float(v) for v in ic], "per_planted": per_planted, "best_jaspar_hit": top,
                            "recovered_e_lt_0.01": analysis.summary["n_covered"], "n_planted": len(planted)}
    write_json(out_path, summary)
    return summary
