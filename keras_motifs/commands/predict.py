"""``keras-motifs predict MODEL (FASTA | BED --genome FA) --out TSV|-``: one row per sequence or
interval, one column per model output, forward and reverse-complement predictions averaged."""

from __future__ import annotations

import argparse
import sys

from ..cli_args import is_stdout

EPILOG = """\
examples:
  keras-motifs predict runs/ctcf/model.keras peaks.bed --genome hg38.fa --out predictions.tsv \\
      --target-names runs/ctcf/target_names.txt
  keras-motifs predict model.keras sequences.fa --out -

INPUT: a FASTA of sequences of the model's input length, or, with --genome, a BED of intervals
(each resized to the model's length around its centre and read from the genome, reverse-complemented
on strand '-'). Output (tab-separated): id (the FASTA record ID or the BED name), for a BED also
chrom, start, end (the window the model read) and strand, then one column per model output (named
by --target-names, else output_0, output_1, ...). Predictions are the average over the sequence
and its reverse complement unless --no-rc-average.
"""


def register(subparsers) -> None:
    from ..cli_args import alphabet_name, float_in_range, input_file, output_file, positive_int
    from .data_options import add_interval_options

    p = subparsers.add_parser(
        "predict", help="predict sequences (FASTA) or intervals (BED + genome) with a trained model",
        description="Predict every sequence of a FASTA file, or every interval of a BED file read from a genome, "
                    "with a trained model (.keras); one row per sequence, one column per output.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", type=input_file("model file"), help="trained model file (.keras)")
    p.add_argument("input", type=input_file("input file"), help="FASTA of sequences, or a BED file with --genome")
    p.add_argument("--genome", type=input_file("reference FASTA"),
                   help="reference genome FASTA: INPUT is then a BED of intervals")
    p.add_argument("--out", required=True, type=output_file("output file", stdout=True),
                   help="output TSV (- for standard output)")
    p.add_argument("--no-rc-average", dest="rc_average", action="store_false",
                   help="predict the given strand only (default: average with the reverse complement)")
    p.add_argument("--target-names", type=input_file("target names file"), default=None,
                   help="text file with one output name per line (train writes target_names.txt)")
    p.add_argument("--alphabet", default=None, type=alphabet_name,
                   help="model channel order (default: from the model's preset name)")
    p.add_argument("--n-value", type=float_in_range(0.0, 1.0, what="a one-hot value"), default=None,
                   help="one-hot value of N, 0 to 1 (default: 0.25 for DeepBind models, else 0)")
    p.add_argument("--batch-size", type=positive_int, default=256, help="sequences per forward pass (default 256)")
    add_interval_options(p)
    p.set_defaults(func=run)


def _sequences_from_fasta(path: str, length: int):
    from ..io.labelled import read_fasta_of_length

    names, seqs = read_fasta_of_length(path, length)
    return seqs, [f"file '{path}', record {i} ({n})" for i, n in enumerate(names)], {"id": names}, []


def predict_batches(model, seqs, origins, alphabet: str, n_value: float, batch_size: int, rc_average: bool):
    """Predictions (N, T) of the sequences, one-hot encoded a chunk at a time (with progress)."""
    import numpy as np

    from ..data.onehot import encode_indices, indices_to_one_hot
    from ..errors import InvalidSequenceError
    from ..metrics import predict_arrays, predict_rc_averaged
    from ..progress import Progress
    from .data_options import name_the_record

    chunk = batch_size * 16
    out = []
    with Progress(len(seqs), "predicting", unit="seq") as bar:
        for start in range(0, len(seqs), chunk):
            part = seqs[start : start + chunk]
            try:
                idx = encode_indices(part, alphabet)
            except InvalidSequenceError as exc:
                name_the_record(exc, origins, start)
            x = indices_to_one_hot(idx, len(alphabet), n_value=n_value)
            p = (predict_rc_averaged(model, x, alphabet, batch_size=batch_size) if rc_average
                 else predict_arrays(model, x, batch_size))
            out.append(np.asarray(p).reshape(len(part), -1))
            bar.update(len(part))
    return np.concatenate(out)


def run(args) -> int:
    import os

    import pandas as pd

    from .. import models  # noqa: F401  (fills the preset registry: the models' alphabets and families)
    from ..errors import ModelInputError, UsageError
    from ..interpret.report import write_table
    from ..interpret.sources import load_model, resolve_alphabet
    from ..io.files import check_distinct
    from ..registry import find_by_model_name
    from .data_options import BED_SUFFIXES, bed_sequences
    from .score_variants import read_lines
    from .train import N_VALUE

    if args.skip_bad_intervals and not args.genome:
        raise UsageError("--skip-bad-intervals is for a BED input (with --genome)")
    check_distinct({"--out": args.out}, {"model": args.model, "input": args.input, "--genome": args.genome,
                                         "--target-names": args.target_names})
    names = None
    if args.target_names:
        names = [line.strip() for _, line in read_lines(args.target_names, "target names file") if line.strip()]
    model = load_model(args.model)
    alphabet = resolve_alphabet(model, args.alphabet)
    if len(model.inputs) != 1:
        raise ModelInputError(f"model {model.name!r} reads {len(model.inputs)} inputs; 'predict' takes models of one "
                              "one-hot sequence")
    length = model.inputs[0].shape[1]
    if length is None:
        raise ModelInputError(f"model {model.name!r} takes sequences of any length; 'predict' needs a fixed length")
    n_outputs = int(model.outputs[0].shape[-1])
    if names is not None and len(names) != n_outputs:
        raise UsageError(f"--target-names {args.target_names}: {len(names)} names, the model has {n_outputs} outputs")
    names = names or [f"output_{i}" for i in range(n_outputs)]
    if args.n_value is not None:
        n_value = args.n_value
    else:
        info = find_by_model_name(model.name)
        n_value = N_VALUE.get(info.family, 0.0) if info is not None else 0.0
    if args.genome:
        seqs, origins, columns, skipped = bed_sequences(args.input, args.genome, int(length),
                                                        skip=args.skip_bad_intervals)
    else:
        lowered = str(args.input).lower()
        if lowered.endswith(BED_SUFFIXES):
            raise UsageError(f"input {args.input}: a BED file needs --genome (the reference FASTA)")
        seqs, origins, columns, skipped = _sequences_from_fasta(args.input, int(length))
    pred = predict_batches(model, seqs, origins, alphabet, n_value, args.batch_size, args.rc_average)
    table = pd.DataFrame(columns)
    for t, name in enumerate(names):
        table[name] = pred[:, t]
    if skipped:
        print(f"skipped {len(skipped)} interval(s) (--skip-bad-intervals); first: {skipped[0]}", file=sys.stderr)
    if is_stdout(args.out):
        table.to_csv(sys.stdout, sep="\t", index=False, float_format="%.6g")
        where = "standard output"
    else:
        write_table(args.out, table)
        where = os.fspath(args.out)
    print(f"wrote {len(table)} rows to {where}", file=sys.stderr if is_stdout(args.out) else sys.stdout)
    return 0
