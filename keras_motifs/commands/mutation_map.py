"""``keras-motifs mutation-map``: in-silico saturation mutagenesis of one sequence and the
DeepBind-style mutation map (importance letters above a 4 x L heat map)."""

from __future__ import annotations

import argparse

EPILOG = """\
examples:
  keras-motifs mutation-map outputs/danq/danq/training/best.keras my.fa --index 2 --target 17 --out map.png
  keras-motifs mutation-map deepbind.keras probe.fa --alphabet ACGT --scale deepbind --region 20:80 --out map.png

writes the PNG and, beside it, a .tsv with one row per position: position, reference letter and
the effect of each substitution (f(variant) - f(reference); 0 at the reference letter).
"""


def register(subparsers) -> None:
    from .motifs import add_model_and_sequence_args

    p = subparsers.add_parser(
        "mutation-map",
        help="in-silico mutagenesis of one sequence: mutation-map PNG + effect table",
        description="Predict every single-letter substitution of one sequence in a few batches and draw the "
                    "mutation map of Alipanahi et al. 2015 (Fig. 4).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_and_sequence_args(p)
    p.add_argument("--out", required=True, help="output PNG path (the .tsv is written next to it)")
    p.add_argument("--index", type=int, default=0, help="which sequence of the source (default 0)")
    p.add_argument("--target", type=int, default=None,
                   help="model output to explain (default: the highest-scoring one for the sequence)")
    p.add_argument("--scale", choices=["raw", "deepbind"], default="raw",
                   help="raw = f(variant) - f(reference); deepbind = that times max(0, f(ref), f(variant))")
    p.add_argument("--rc-average", action="store_true", help="average forward and reverse-complement predictions")
    p.add_argument("--region", default=None, help="draw only positions START:END (0-based, end excluded)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from ..data import decode
    from ..errors import ModelInputError
    from ..interpret.mutagenesis import deepbind_scaled, ism_predictions, plot_mutation_map
    from ..interpret.pwm import canonical_alphabet, reorder
    from ..interpret.report import _first_sequence, write_table
    from ..interpret.sources import load_model, load_sequences, resolve_alphabet
    from .. import models  # noqa: F401  (fills the preset registry: the models' alphabets)
    import tfds_builders  # noqa: F401  (registers the datasets a TFDS name may refer to)

    model = load_model(args.model)
    if len(model.inputs) != 1:
        raise ModelInputError("mutation-map supports single-input models; use the Python API "
                              "(keras_motifs.interpret.ism_predictions with other_inputs=) for multi-input ones")
    alphabet = resolve_alphabet(model, args.alphabet)
    data, names = load_sequences(args.sequences, alphabet, length=model.inputs[0].shape[1], n_value=args.n_value,
                                 max_sequences=args.index + 1, split=args.split, data_dir=args.data_dir,
                                 feature=args.feature)
    x = _first_sequence(data, args.index, model)[0]
    ref, var = ism_predictions(model, x, alphabet, batch_size=max(args.batch_size, 64), rc_average=args.rc_average)
    target = int(np.argmax(ref)) if args.target is None else args.target
    if not 0 <= target < len(ref):
        raise ModelInputError(f"target {target} out of range: the model has {len(ref)} outputs")
    effect = var[..., target] - ref[target]
    if args.scale == "deepbind":
        effect = deepbind_scaled(ref[target], var[..., target])
    region = None
    if args.region:
        try:
            start, end = (int(v) for v in args.region.split(":"))
        except ValueError:
            raise ModelInputError(f"--region {args.region!r}: expected START:END") from None
        region = (start, end)
    name = names[args.index] if names else f"sequence {args.index}"
    plot_mutation_map(args.out, x, effect, alphabet, region=region,
                      title=f"{name}, output {target} (reference score {ref[target]:.3g})")
    canon = canonical_alphabet(alphabet)
    df = pd.DataFrame(reorder(effect, alphabet, canon), columns=[f"effect_{a}" for a in canon.letters])
    seq = decode(x, alphabet)
    df.insert(0, "reference", list(seq))
    df.insert(0, "position", np.arange(len(seq)))
    tsv = Path(args.out).with_suffix(".tsv")
    write_table(tsv, df)
    print(f"wrote {args.out} and {tsv} (output {target}, reference score {ref[target]:.6g})")
    return 0
