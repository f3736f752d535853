"""``keras-motifs score-variants``: variant effect scores (alt - ref, |alt - ref|, log-odds
difference) from a VCF + reference FASTA or from sequence pairs."""

from __future__ import annotations

import argparse
import sys

from ..cli_args import is_stdout

EPILOG = """\
examples:
  keras-motifs score-variants outputs/danq/danq/training/best.keras --vcf variants.vcf --fasta hg19.fa \\
      --rc-average --targets 0,5 --out scores.tsv
  keras-motifs score-variants model.keras --pairs pairs.tsv --alphabet ACGT --out scores.tsv

--pairs: a tab-separated file with columns id, ref_sequence, alt_sequence (a header line
starting with 'id' is skipped). VCF: the variant is placed at 0-based index L // 2 of a window of
the model's length L cut from the FASTA (N beyond chromosome ends). The VCF REF allele must match
the FASTA: a mismatch stops with an error naming the VCF line, or with --on-mismatch flag is kept
as a row with empty scores and the reason in the status column. Output: one row per variant and
model output.
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "score-variants",
        help="score variants (VCF + FASTA, or sequence pairs) with a trained model",
        description="Predict reference and alternative sequences and report diff, abs_diff and log_odds_diff "
                    "per variant and model output.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", help="trained model file (.keras)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--vcf", help="VCF file (plain or .gz); needs --fasta")
    src.add_argument("--pairs", help="TSV of id, ref_sequence, alt_sequence")
    p.add_argument("--fasta", help="reference genome FASTA (indexed with pyfaidx on first use)")
    p.add_argument("--out", required=True, help="output TSV (- for standard output)")
    p.add_argument("--alphabet", default=None, help="model channel order (default: from the model's preset name)")
    p.add_argument("--on-mismatch", choices=["error", "flag"], default="error",
                   help="what a VCF REF allele that disagrees with the FASTA does (default: error)")
    p.add_argument("--rc-average", action="store_true",
                   help="average forward and reverse-complement predictions (DeepSEA/DanQ protocol)")
    p.add_argument("--targets", default=None, help="comma-separated output indices to report (default: all)")
    p.add_argument("--target-names", default=None, help="text file with one output name per line (e.g. deepsea_predictor_names.txt)")
    p.add_argument("--n-value", type=float, default=0.0, help="one-hot value of N (default 0)")
    p.add_argument("--batch-size", type=int, default=128)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import DataFormatError, ModelInputError
    from ..interpret.report import write_table
    from ..interpret.sources import load_model, resolve_alphabet
    from .. import models  # noqa: F401  (fills the preset registry: the models' alphabets)
    from ..interpret.variants import score_sequence_pairs, score_vcf

    model = load_model(args.model)
    alphabet = resolve_alphabet(model, args.alphabet)
    targets = None
    if args.targets:
        try:
            targets = [int(t) for t in args.targets.split(",")]
        except ValueError:
            raise ModelInputError(f"--targets {args.targets!r}: expected comma-separated integers") from None
    names = None
    if args.target_names:
        with open(args.target_names) as fh:
            names = [line.strip() for line in fh if line.strip()]
    if args.vcf:
        if not args.fasta:
            raise ModelInputError("--vcf needs --fasta (the reference genome)")
        table = score_vcf(model, args.vcf, args.fasta, alphabet, on_mismatch=args.on_mismatch,
                          rc_average=args.rc_average, targets=targets, target_names=names, n_value=args.n_value,
                          batch_size=args.batch_size)
    else:
        ids, refs, alts = [], [], []
        with open(args.pairs) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip() or line.startswith("#") or (lineno == 1 and line.lower().startswith("id")):
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 3:
                    raise DataFormatError(f"file '{args.pairs}', line {lineno}: expected 3 tab-separated columns "
                                          f"(id, ref_sequence, alt_sequence), found {len(cols)}")
                ids.append(cols[0])
                refs.append(cols[1])
                alts.append(cols[2])
        table = score_sequence_pairs(model, refs, alts, alphabet, rc_average=args.rc_average, targets=targets,
                                     target_names=names, n_value=args.n_value, batch_size=args.batch_size, ids=ids)
    n_flag = int((table["status"] != "ok").sum()) if len(table) else 0
    if is_stdout(args.out):
        table.to_csv(sys.stdout, sep="\t", index=False, float_format="%.6g")
        where = "standard output"
    else:
        write_table(args.out, table)
        where = args.out
    print(f"wrote {len(table)} rows to {where}" + (f" ({n_flag} flagged rows, see the status column)" if n_flag else ""),
          file=sys.stderr if is_stdout(args.out) else sys.stdout)
    return 0
