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
    from ..cli_args import nonnegative_int, output_file

    add_model_and_sequence_args(p)
    p.add_argument("--out", required=True, type=output_file("image file"),
                   help="output image path, e.g. map.png (the .tsv table is written next to it, same name)")
    p.add_argument("--index", type=nonnegative_int, default=0, help="which sequence of the source (default 0)")
    p.add_argument("--target", type=nonnegative_int, default=None,
                   help="model output to explain (default: the highest-scoring one for the sequence)")
    p.add_argument("--scale", choices=["raw", "deepbind"], default="raw",
                   help="raw = f(variant) - f(reference); deepbind = that times max(0, f(ref), f(variant))")
    p.add_argument("--rc-average", action="store_true", help="average forward and reverse-complement predictions")
    p.add_argument("--region", default=None, type=region,
                   help="draw only positions START:END (0-based, end excluded)")
    p.set_defaults(func=run)


def region(text: str) -> tuple[int, int]:
    """``--region START:END`` checked while parsing: 0 <= START < END (the model's length is checked
    once the model is loaded)."""
    import re

    m = re.fullmatch(r"\s*([0-9]{1,10})\s*:\s*([0-9]{1,10})\s*", str(text))
    if not m:
        raise argparse.ArgumentTypeError(f"expected START:END (0-based, end excluded), e.g. 20:80, got {str(text)[:40]!r}")
    start, end = int(m.group(1)), int(m.group(2))
    if start >= end:
        raise argparse.ArgumentTypeError(f"START must be less than END, got {start}:{end}")
    return start, end


region.kind = "region"  # what tests feed it (tests/test_cli_every_command.py)


def image_formats() -> list[str]:
    """Image file types matplotlib can write (``png``, ``pdf``, ``svg``, ...)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def check_outputs(args):
    """Before any work: the image's type is one matplotlib writes, the table beside it can be
    written, and neither is the other or an input (``--out map.tsv`` would draw the image into
    map.tsv and then overwrite it with the table). Returns the table's path."""
    from pathlib import Path

    from ..errors import UsageError
    from ..io.files import check_distinct, check_output_file

    out = Path(args.out)
    suffix = out.suffix.lower().lstrip(".")
    if suffix and suffix not in image_formats():
        raise UsageError(f"--out '{args.out}': matplotlib cannot write .{suffix} images; use .png, .pdf or .svg "
                         f"({', '.join(image_formats())})")
    tsv = out.with_suffix(".tsv")
    check_output_file(tsv, "the table beside --out")
    inputs = {"model": args.model}
    if Path(args.sequences).exists():
        inputs["sequences"] = args.sequences
    check_distinct({"--out (the image)": args.out, "the table beside --out": tsv}, inputs)
    return tsv


def run(args) -> int:
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

    from ..errors import UsageError
    from .motifs import output_count

    tsv = check_outputs(args)
    model = load_model(args.model)
    if len(model.inputs) != 1:
        raise ModelInputError("mutation-map supports single-input models; use the Python API "
                              "(keras_motifs.interpret.ism_predictions with other_inputs=) for multi-input ones")
    alphabet = resolve_alphabet(model, args.alphabet)
    n_out = output_count(model)
    if args.target is not None and args.target >= n_out:
        raise UsageError(f"--target {args.target}: the model has {n_out} outputs (indices 0 to {n_out - 1})")
    length = model.inputs[0].shape[1]
    if args.region and length is not None and args.region[1] > length:
        raise UsageError(f"--region {args.region[0]}:{args.region[1]}: the model's sequences have {length} "
                         f"positions (0 to {length})")
    data, names = load_sequences(args.sequences, alphabet, length=length, n_value=args.n_value,
                                 max_sequences=args.index + 1, split=args.split, data_dir=args.data_dir,
                                 feature=args.feature)
    try:
        x = _first_sequence(data, args.index, model)[0]
    except ModelInputError as exc:
        raise UsageError(f"--index {args.index}: {exc}") from None
    ref, var = ism_predictions(model, x, alphabet, batch_size=max(args.batch_size, 64), rc_average=args.rc_average)
    target = int(np.argmax(ref)) if args.target is None else args.target
    if not 0 <= target < len(ref):
        raise ModelInputError(f"target {target} out of range: the model has {len(ref)} outputs")
    effect = var[..., target] - ref[target]
    if args.scale == "deepbind":
        effect = deepbind_scaled(ref[target], var[..., target])
    region = args.region
    if region and region[1] > len(x):
        raise UsageError(f"--region {region[0]}:{region[1]}: the sequence has {len(x)} positions")
    name = names[args.index] if names else f"sequence {args.index}"
    plot_mutation_map(args.out, x, effect, alphabet, region=region,
                      title=f"{name}, output {target} (reference score {ref[target]:.3g})")
    canon = canonical_alphabet(alphabet)
    df = pd.DataFrame(reorder(effect, alphabet, canon), columns=[f"effect_{a}" for a in canon.letters])
    seq = decode(x, alphabet)
    df.insert(0, "reference", list(seq))
    df.insert(0, "position", np.arange(len(seq)))
    write_table(tsv, df)
    print(f"wrote {args.out} and {tsv} (output {target}, reference score {ref[target]:.6g})")
    return 0
