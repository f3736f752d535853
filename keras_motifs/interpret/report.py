"""One call from a trained model to the usual motif outputs (what ``keras-motifs motifs`` runs):

    out/filters.meme          every filter's PPM (MEME minimal v4, canonical alphabet)
    out/filters_trimmed.meme  the same, low-information flanks clipped (Koo & Eddy: 0.5 bit, pad 3)
    out/tomtom.tsv            Tomtom of the (trimmed, if --trim) motifs against the targets
    out/logo_grid.png         all filters' logos in one image
    out/logos/<filter>.png    one logo per filter; <filter>_match.png beside its best match
    out/mutation_map.png/.tsv ISM mutation map of one sequence
    out/summary.json          settings, counts, match fraction, timings
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from ..io import atomic_open, write_json
from .alignment import filter_motifs
from .meme import MemeFile, Motif, write_meme
from .pwm import trim


def write_table(path: "str | os.PathLike", df) -> None:
    """A pandas DataFrame as a tab-separated file, atomically."""
    with atomic_open(path, "w") as fh:
        df.to_csv(fh, sep="\t", index=False, float_format="%.6g")


def _first_sequence(data, index: int, model):
    from .batches import input_batches

    seen = 0
    for batch in input_batches(data, model, batch_size=256):
        if index < seen + len(batch[0]):
            return [b[index - seen] for b in batch]
        seen += len(batch[0])
    raise IndexError(f"sequence index {index} out of range: the data has {seen} sequences")


def interpret_model(
    model,
    data,
    out_dir: "str | os.PathLike",
    alphabet: str,
    layer: str | None = None,
    rule: str = "koo_eddy",
    batch_size: int = 64,
    max_sequences: int | None = None,
    targets="JASPAR2016",
    run_tomtom: bool = True,
    trim_for_tomtom: bool = True,
    distance: str = "pearson",
    min_overlap: int = 5,
    evalue_threshold: float = 0.01,
    logos: bool = True,
    mutation_map_index: int | None = 0,
    mutation_map_target: int | None = None,
    names: list[str] | None = None,
    grid_columns: int = 10,
    log=print,
) -> dict:
    """Filters → MEME → Tomtom → logos (+ a mutation map of one sequence); returns the summary."""
    out = Path(out_dir)
    summary: dict = {"rule": rule, "layer": layer, "alphabet": alphabet, "timings_s": {}}
    preloaded_targets = None
    if run_tomtom and isinstance(targets, (str, os.PathLike)) and os.path.exists(str(targets)):
        from .tomtom import load_targets

        preloaded_targets = load_targets(targets)  # a bad MEME file fails here, before any output
    t0 = time.perf_counter()
    fm = filter_motifs(model, data, layer=layer, rule=rule, alphabet=alphabet, batch_size=batch_size,
                       max_sequences=max_sequences)
    if mutation_map_index is not None and max_sequences is None and not 0 <= mutation_map_index < fm.n_sequences:
        from ..errors import ModelInputError

        raise ModelInputError(f"mutation map: sequence index {mutation_map_index} is out of range; the data has "
                              f"{fm.n_sequences} sequences")
    out.mkdir(parents=True, exist_ok=True)
    summary["timings_s"]["filter_motifs"] = round(time.perf_counter() - t0, 3)
    summary.update(layer=fm.layer, n_sequences=fm.n_sequences, n_filters=len(fm.ppm),
                   n_filters_with_sites=int(fm.enough_sites.sum()), motif_alphabet=fm.alphabet.letters)
    log(f"{len(fm.ppm)} filters of layer {fm.layer!r} aligned over {fm.n_sequences} sequences "
        f"(rule {fm.rule}); {int(fm.enough_sites.sum())} with >= {fm.min_sites} sites")
    meme = fm.meme()
    write_meme(out / "filters.meme", meme)
    trimmed = []
    for m in meme.motifs:
        t, start, end = trim(m.ppm)
        trimmed.append(Motif(m.name, t, alt=f"trim{start}-{end}", nsites=m.nsites))
    write_meme(out / "filters_trimmed.meme", MemeFile(trimmed, alphabet=meme.alphabet, strands=meme.strands))
    summary["files"] = ["filters.meme", "filters_trimmed.meme"]

    table = None
    target_motifs = {}
    if run_tomtom and len(fm.alphabet) == 4 and meme.motifs:
        from .tomtom import best_matches, load_targets, match_summary, tomtom

        t0 = time.perf_counter()
        target_list = preloaded_targets if preloaded_targets is not None else load_targets(targets)
        target_motifs = {m.name: m for m in target_list}
        queries = trimmed if trim_for_tomtom else meme.motifs
        table = tomtom(queries, target_list, distance=distance, min_overlap=min_overlap,
                       evalue_threshold=evalue_threshold, alphabet=fm.alphabet.letters)
        write_table(out / "tomtom.tsv", table)
        summary["files"].append("tomtom.tsv")
        summary["timings_s"]["tomtom"] = round(time.perf_counter() - t0, 3)
        summary["tomtom"] = {
            "targets": str(targets), "n_targets": len(target_list), "distance": distance,
            "min_overlap": min_overlap, "evalue_threshold": evalue_threshold, "trimmed_queries": trim_for_tomtom,
            **match_summary(table, [m.name for m in queries]),
        }
        best = best_matches(table)
        summary["tomtom"]["best"] = {r.query: [r.target_id, r.target_name, float(r.e_value)] for r in best.itertuples()}
        log(f"Tomtom: {summary['tomtom']['n_match_any']} of {len(queries)} filters match "
            f"{len(target_list)} targets at E < {evalue_threshold}")
    elif run_tomtom:
        summary["tomtom"] = "skipped: Tomtom needs 4-letter motifs" if meme.motifs else "skipped: no motifs"

    if logos and meme.motifs:
        from .logos import save_logo, save_logo_grid, save_logo_with_match

        t0 = time.perf_counter()
        letters = fm.alphabet.letters
        (out / "logos").mkdir(exist_ok=True)
        best_rows = {}
        if table is not None and len(table):
            from .tomtom import best_matches

            best_rows = {r.query: r for r in best_matches(table).itertuples()}
        trimmed_by_name = {m.name: m for m in trimmed}
        pngs = []
        for m in meme.motifs:
            pngs.append(save_logo(out / "logos" / f"{m.name}.png", m.ppm, letters, title=m.name))
            r = best_rows.get(m.name)
            if r is not None and r.target_id in target_motifs:
                q = trimmed_by_name[m.name] if trim_for_tomtom else m
                save_logo_with_match(out / "logos" / f"{m.name}_match.png", q, target_motifs[r.target_id],
                                     offset=int(r.offset), orientation=r.orientation, alphabet=letters,
                                     title=f"{m.name} ~ {r.target_id} {r.target_name} (E = {r.e_value:.2g})")
        save_logo_grid(out / "logo_grid.png", meme.motifs, letters, ncols=grid_columns, pngs=pngs)
        summary["files"] += ["logo_grid.png", "logos/"]
        summary["timings_s"]["logos"] = round(time.perf_counter() - t0, 3)

    if mutation_map_index is not None:
        from .mutagenesis import ism_predictions, plot_mutation_map

        t0 = time.perf_counter()
        inputs = _first_sequence(data, mutation_map_index, model)
        x = inputs[fm_input_index(model, layer)]
        others = [b[None] for i, b in enumerate(inputs) if i != fm_input_index(model, layer)]
        ref, var = ism_predictions(model, x, alphabet, input_index=fm_input_index(model, layer),
                                   other_inputs=others)
        target = int(np.argmax(ref)) if mutation_map_target is None else int(mutation_map_target)
        effect = var[..., target] - ref[target]
        name = names[mutation_map_index] if names else f"sequence {mutation_map_index}"
        plot_mutation_map(out / "mutation_map.png", x, effect, alphabet,
                          title=f"{name}, output {target} (reference score {ref[target]:.3g})")
        import pandas as pd

        from ..data import decode
        from .pwm import canonical_alphabet, reorder

        canon = canonical_alphabet(alphabet)
        eff_c = reorder(effect, alphabet, canon)
        seq = decode(x, alphabet)
        df = pd.DataFrame(eff_c, columns=[f"effect_{a}" for a in canon.letters])
        df.insert(0, "reference", list(seq))
        df.insert(0, "position", np.arange(len(seq)))
        write_table(out / "mutation_map.tsv", df)
        summary["mutation_map"] = {"sequence": name, "index": mutation_map_index, "target": target,
                                   "reference_score": float(ref[target])}
        summary["files"] += ["mutation_map.png", "mutation_map.tsv"]
        summary["timings_s"]["mutation_map"] = round(time.perf_counter() - t0, 3)
    write_json(out / "summary.json", summary)
    return summary


def fm_input_index(model, layer) -> int:
    from .alignment import conv_geometry

    return conv_geometry(model, layer).input_index
