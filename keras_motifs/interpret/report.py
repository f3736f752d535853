"""One call from a trained model to the usual motif outputs (what ``keras-motifs motifs`` runs):

    out/filters.meme          every filter's PPM (MEME minimal v4, canonical alphabet)
    out/filters_trimmed.meme  the same, low-information flanks clipped (Koo & Eddy: 0.5 bit, pad 3)
    out/tomtom.tsv            Tomtom of the (trimmed, if the protocol trims) motifs against the targets
    out/logo_grid.png         all filters' logos in one image
    out/logos/<filter>.png    one logo per filter; <filter>_match.png beside its best match
    out/mutation_map.png/.tsv ISM mutation map of one sequence
    out/summary.json          protocol, settings, counts, match fraction, timings

The motif part is :func:`keras_motifs.interpret.analyse_filters` with a
:class:`~keras_motifs.interpret.MotifProtocol`: the command's own (the defaults) or a paper's
(``--protocol koo_eddy``), with explicit arguments overriding its fields.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from ..io import write_json
from .pipeline import align_filters, analyse_filters, input_index, write_table
from .protocol import MotifProtocol, get_protocol

__all__ = ["interpret_model", "write_table"]


def _first_sequence(data, index: int, model):
    from .batches import input_batches

    seen = 0
    for batch in input_batches(data, model, batch_size=256):
        if index < seen + len(batch[0]):
            return [b[index - seen] for b in batch]
        seen += len(batch[0])
    from ..errors import ModelInputError

    raise ModelInputError(f"sequence index {index} is out of range: the data has {seen} sequences "
                          f"(indices 0 to {seen - 1})")


def interpret_model(
    model,
    data,
    out_dir: "str | os.PathLike",
    alphabet: str | None = None,
    layer: str | None = None,
    rule: str | None = None,
    batch_size: int = 64,
    max_sequences: int | None = None,
    targets=None,
    run_tomtom: bool = True,
    trim_for_tomtom: bool | None = None,
    distance: str | None = None,
    min_overlap: int | None = None,
    evalue_threshold: float | None = None,
    logos: bool = True,
    mutation_map_index: int | None = 0,
    mutation_map_target: int | None = None,
    names: list[str] | None = None,
    grid_columns: int = 10,
    log=print,
    protocol: "MotifProtocol | dict | str | None" = None,
    window: int | None = None,
    threshold_on: str | None = None,
    threshold: float | None = None,
    match: str | None = None,
) -> dict:
    """Filters → MEME → Tomtom → logos (+ a mutation map of one sequence); returns the summary.

    ``data``: one-hot inputs (N, L, A) in the model's channel order ``alphabet`` (or any source
    of :mod:`keras_motifs.interpret.batches`). ``protocol``: a :class:`MotifProtocol`, its dict
    or a registered name (default: the command's own protocol); the other arguments, when given,
    override its fields (``evalue_threshold=x`` = ``threshold_on="e_value", threshold=x``;
    ``trim_for_tomtom`` = ``trim``; ``run_tomtom=False`` drops the targets).
    """
    protocol = get_protocol(protocol)
    if mutation_map_index is not None and mutation_map_target is not None:  # checked before any work
        from ..errors import UsageError

        n_out = int(np.prod(model.outputs[0].shape[1:]))
        t = mutation_map_target
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t < n_out:
            raise UsageError(f"mutation map target (--mutation-map-target) {t!r}: the model has {n_out} outputs "
                             f"(indices 0 to {n_out - 1})")
    if evalue_threshold is not None:
        threshold_on, threshold = "e_value", evalue_threshold
    changes = {k: v for k, v in dict(alphabet=alphabet, layer=layer, rule=rule, window=window, distance=distance,
                                      min_overlap=min_overlap, threshold_on=threshold_on, threshold=threshold,
                                      match=match, trim=trim_for_tomtom).items() if v is not None}
    call_targets = None  # motifs or a MemeFile given as targets go to the pipeline as they are
    if isinstance(targets, (str, os.PathLike)):
        changes["targets"] = str(targets)
    elif targets is not None:
        call_targets = targets
    protocol = protocol.replace(**changes)
    if not run_tomtom:
        protocol, call_targets = protocol.replace(targets=None), None
    label = "motifs given" if call_targets is not None else str(protocol.targets)
    if call_targets is None and protocol.targets is not None:
        from .pipeline import resolve_targets

        from .tomtom import load_targets

        # a bad MEME file, a misspelt JASPAR release or an empty target set fails here, before the
        # alignment and any output
        call_targets = load_targets(resolve_targets(protocol.targets))
    out = Path(out_dir)
    summary: dict = {"rule": protocol.rule, "layer": protocol.layer, "alphabet": protocol.alphabet, "timings_s": {},
                     "protocol": protocol.to_dict()}
    t0 = time.perf_counter()
    fm = align_filters(model, data, protocol, batch_size=batch_size, max_sequences=max_sequences, log=log)
    if mutation_map_index is not None and max_sequences is None and not 0 <= mutation_map_index < fm.n_sequences:
        from ..errors import ModelInputError

        raise ModelInputError(f"mutation map: sequence index {mutation_map_index} is out of range; the data has "
                              f"{fm.n_sequences} sequences")
    summary["timings_s"]["filter_motifs"] = round(time.perf_counter() - t0, 3)
    summary.update(layer=fm.layer, n_sequences=fm.n_sequences, n_filters=len(fm.ppm),
                   n_filters_with_sites=int(fm.enough_sites.sum()), motif_alphabet=fm.alphabet.letters)
    analysis = analyse_filters(model, data, protocol, out, motifs=fm,
                               targets=call_targets,
                               batch_size=batch_size, max_sequences=max_sequences, logos=logos,
                               grid_columns=grid_columns, log=log)
    summary["files"] = list(analysis.files)
    summary["timings_s"].update({k: v for k, v in analysis.timings_s.items() if k != "filter_motifs"})
    s = analysis.summary
    if analysis.hits is not None:
        summary["tomtom"] = {
            "targets": label, "n_targets": s["n_targets"],
            "distance": protocol.distance, "min_overlap": protocol.min_overlap,
            "threshold_on": protocol.threshold_on, "threshold": protocol.threshold,
            **({"evalue_threshold": protocol.threshold} if protocol.threshold_on == "e_value" else {}),
            "trimmed_queries": protocol.trim, "match": protocol.match,
            **{k: v for k, v in s.items() if k not in ("best", "n_targets")},
        }
        summary["tomtom"]["best"] = {q: [b["target_id"], b["target_name"], b["e_value"]] for q, b in s["best"].items()}
    elif protocol.targets is not None or call_targets is not None:
        summary["tomtom"] = s["tomtom"]

    if mutation_map_index is not None:
        from .mutagenesis import ism_predictions, plot_mutation_map

        t0 = time.perf_counter()
        alphabet = protocol.alphabet
        index = input_index(model, protocol)
        inputs = _first_sequence(data, mutation_map_index, model)
        x = inputs[index]
        others = [b[None] for i, b in enumerate(inputs) if i != index]
        ref, var = ism_predictions(model, x, alphabet, input_index=index, other_inputs=others)
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

