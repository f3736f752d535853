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
starting with 'id' is skipped). VCF: SNVs, MNVs, insertions and deletions; a record with several
ALT alleles gives one variant per ALT. Each window has the model's length L, cut from the FASTA
(N beyond chromosome ends), with its allele (REF, or ALT) centred: the allele's middle base at
0-based index L // 2, the genome around the REF allele on both sides (a deletion's window reaches
further into the flanks, an insertion's pushes them out; Selene's convention). The VCF REF allele
must match the FASTA: a mismatch (or a malformed allele, a REF running past the chromosome end,
an allele longer than L) stops with an error naming the VCF line, or with --on-mismatch flag is
kept as a row with empty scores and the reason in the status column. Symbolic ALT alleles (<DEL>,
<INS>, *, breakends, .) are skipped in either mode: a warning names their lines, and their rows
have empty scores and status 'skipped: ...'. Output: one row per variant and model output.
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
    from ..cli_args import alphabet_name, float_in_range, index_list, input_file, output_file, positive_int

    p.add_argument("model", type=input_file("model file"), help="trained model file (.keras)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--vcf", type=input_file("VCF file"), help="VCF file (plain or .gz); needs --fasta")
    src.add_argument("--pairs", type=input_file("pairs file"), help="TSV of id, ref_sequence, alt_sequence")
    p.add_argument("--fasta", type=input_file("reference FASTA"),
                   help="reference genome FASTA (indexed with pyfaidx on first use); only with --vcf")
    p.add_argument("--out", required=True, type=output_file("output file", stdout=True),
                   help="output TSV (- for standard output)")
    p.add_argument("--alphabet", default=None, type=alphabet_name,
                   help="model channel order (default: from the model's preset name)")
    p.add_argument("--on-mismatch", choices=["error", "flag"], default="error",
                   help="what a VCF REF allele that disagrees with the FASTA does (default: error)")
    p.add_argument("--rc-average", action="store_true",
                   help="average forward and reverse-complement predictions (DeepSEA/DanQ protocol)")
    p.add_argument("--targets", default=None, type=index_list,
                   help="comma-separated output indices to report, 0 to T-1 (default: all)")
    p.add_argument("--target-names", default=None, type=input_file("target names file"),
                   help="text file with one output name per line, one per model output (e.g. "
                        "deepsea_predictor_names.txt)")
    p.add_argument("--n-value", type=float_in_range(0.0, 1.0, what="a one-hot value"), default=0.0,
                   help="one-hot value of N, 0 to 1 (default 0)")
    p.add_argument("--batch-size", type=positive_int, default=128, help="sequences per forward pass")
    p.set_defaults(func=run)


def read_lines(path: str, what: str) -> list[tuple[int, str]]:
    """(line number, text) of a small text file (UTF-8, a byte-order mark and CRLF line ends
    accepted); DataFormatError naming the file and line for binary or UTF-16 content."""
    from ..io.files import check_input_file
    from ..io.text import decode_text

    check_input_file(path, what)
    with open(path, "rb") as fh:
        text = decode_text(fh.read(), path, f"a {what}")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        from ..errors import DataFormatError

        raise DataFormatError(f"file '{path}', line {line}: a NUL byte; not a text {what}")
    return list(enumerate(text.splitlines(), 1))


def read_pairs(path: str) -> tuple[list[str], list[str], list[str]]:
    """ids, reference and alternative sequences of a ``--pairs`` file."""
    from ..errors import DataFormatError

    ids, refs, alts = [], [], []
    for lineno, line in read_lines(path, "pairs file"):
        if not line.strip() or line.startswith("#") or (lineno == 1 and line.lower().startswith("id")):
            continue
        cols = line.split("\t")
        if len(cols) != 3:
            raise DataFormatError(f"file '{path}', line {lineno}: expected 3 tab-separated columns "
                                  f"(id, ref_sequence, alt_sequence), found {len(cols)}")
        if not cols[1] or not cols[2]:
            raise DataFormatError(f"file '{path}', line {lineno}: empty sequence")
        ids.append(cols[0])
        refs.append(cols[1])
        alts.append(cols[2])
    if not ids:
        raise DataFormatError(f"file '{path}': no sequence pairs (lines id<TAB>ref_sequence<TAB>alt_sequence)")
    return ids, refs, alts


def run(args) -> int:
    from ..errors import UsageError
    from ..interpret.report import write_table
    from ..interpret.sources import load_model, resolve_alphabet
    from ..io.files import check_distinct
    from .. import models  # noqa: F401  (fills the preset registry: the models' alphabets)
    from ..interpret.variants import check_targets, score_sequence_pairs, score_vcf

    if args.vcf and not args.fasta:
        raise UsageError("--vcf needs --fasta (the reference genome)")
    if args.fasta and not args.vcf:
        raise UsageError("--fasta is only used with --vcf (a --pairs file holds its sequences)")
    check_distinct({"--out": args.out}, {"model": args.model, "--vcf": args.vcf, "--pairs": args.pairs,
                                         "--fasta": args.fasta, "--target-names": args.target_names})
    names = None
    if args.target_names:
        names = [line.strip() for _, line in read_lines(args.target_names, "target names file") if line.strip()]
    model = load_model(args.model)
    alphabet = resolve_alphabet(model, args.alphabet)
    targets = args.targets
    check_targets(model, targets, names)  # before reading and scoring anything
    if args.vcf:
        table = score_vcf(model, args.vcf, args.fasta, alphabet, on_mismatch=args.on_mismatch,
                          rc_average=args.rc_average, targets=targets, target_names=names, n_value=args.n_value,
                          batch_size=args.batch_size)
    else:
        ids, refs, alts = read_pairs(args.pairs)
        table = score_sequence_pairs(model, refs, alts, alphabet, rc_average=args.rc_average, targets=targets,
                                     target_names=names, n_value=args.n_value, batch_size=args.batch_size, ids=ids)
    n_skip = int(table["status"].str.startswith("skipped").sum()) if len(table) else 0
    n_flag = int((table["status"] != "ok").sum()) - n_skip if len(table) else 0
    if is_stdout(args.out):
        table.to_csv(sys.stdout, sep="\t", index=False, float_format="%.6g")
        where = "standard output"
    else:
        write_table(args.out, table)
        where = args.out
    notes = " and ".join(f"{n} {what}" for n, what in ((n_flag, "flagged"), (n_skip, "skipped")) if n)
    print(f"wrote {len(table)} rows to {where}" + (f" ({notes} rows, see the status column)" if notes else ""),
          file=sys.stderr if is_stdout(args.out) else sys.stdout)
    return 0
