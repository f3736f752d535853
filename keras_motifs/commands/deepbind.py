"""``keras-motifs deepbind``: a drop-in for the original DeepBind v0.11 ``deepbind`` executable.

    keras-motifs deepbind [--db DIR] [--window-size N] [--average] [--echo] [--no-head]
                          [--dump-info] ID_OR_IDS_FILE [...] [SEQUENCE_FILE] [< SEQUENCES]

Same interface and output as the original: each argument is a model ID (``D00328.003``) or a file
(``.ids``/``.txt``) with one ID per line (``#`` lines skipped, text after the ID ignored); the last
argument may be a ``.fa``/``.seq`` sequence file, otherwise sequences are read from stdin. If the
first input line starts with ``>`` (or ``;``) the input is FASTA (multi-line records), otherwise
one sequence per line. Output: the model IDs as a tab-separated header (omitted with
``--no-head``), then one line per sequence with the scores printed as ``%f`` (6 decimals),
tab-separated, in the order the IDs were given; ``--echo`` starts each line with the sequence.

Differences from the original (all on inputs the original mishandles):
  * The original reverse-complements the sequence in place for each reverse-complement model and
    never restores it, so a single-strand model listed after an odd number of
    reverse-complement models scores the reverse complement. We score the given strand;
    ``--emulate-strand-bug`` reproduces the original's behaviour.
  * Sequences of 1,000 or more bases (a fixed buffer in the original) are accepted.
  * A FASTA record without sequence (silently skipped by the original when followed by another
    header) is an error naming the record; errors name the line and position of a bad letter.
"""

from __future__ import annotations

import os
import sys

from ..errors import DataFormatError, InvalidSequenceError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "deepbind",
        help="score DNA/RNA sequences with pretrained DeepBind models (drop-in for 'deepbind')",
        description=(
            "Score DNA/RNA sequences with the 927 pretrained DeepBind v0.1 models, exactly as the "
            "original 'deepbind' executable (v0.11) does. Each ID can be an actual ID (e.g. "
            "D00054.002) or a file with extension .ids or .txt holding one ID per line. Sequences "
            "come from the last argument if it ends in .fa or .seq, else from stdin: FASTA if the "
            "first character is '>', else one raw sequence per line."
        ),
    )
    p.add_argument("ids", nargs="+", metavar="ID", help="model IDs, .ids/.txt files of IDs, then optionally a .fa/.seq file")
    p.add_argument("--db", metavar="DIR", default=None,
                   help="folder holding db.tsv and params/ (default: $KERAS_MOTIFS_SHARED/data/deepbind_models)")
    from ..cli_args import positive_int

    p.add_argument("--window-size", type=positive_int, default=None, metavar="N",
                   help="score every length-N subsequence (default: 1.5 x the model's detector length)")
    p.add_argument("--average", action="store_true", help="average the per-window scores instead of taking the max")
    p.add_argument("--echo", action="store_true", help="start each output line with the sequence")
    p.add_argument("--no-head", action="store_true", help="omit the header line of model IDs")
    p.add_argument("--dump-info", action="store_true", help="print the db.tsv rows of the IDs and exit")
    p.add_argument("--emulate-strand-bug", action="store_true",
                   help="reproduce the original's in-place reverse complement (see the module docs)")
    p.add_argument("--window-padding", choices=("N", "flank"), default="N",
                   help="pad windows with N (original) or with the flanking sequence (Kundaje-lab variant)")
    p.set_defaults(func=run)


def _has_ext(name: str, *exts: str) -> bool:
    base = os.path.basename(name)
    pos = base.rfind(".")
    return pos > 0 and base[pos + 1 :].lower() in exts


def parse_id_args(args: list[str]) -> tuple[list[str], str | None]:
    """Model IDs from IDs and ID files, and the sequence file (last argument, .fa/.seq) if any."""
    from ..deepbind.params import check_model_id
    from ..io.files import check_input_file
    from ..io.text import decode_text

    ids: list[str] = []
    seq_file = None
    for n, arg in enumerate(args):
        if _has_ext(arg, "ids", "txt"):
            check_input_file(arg, "ID file")  # a folder, FIFO or device is refused unopened
            with open(arg, "rb") as fh:
                text = decode_text(fh.read(), arg, "a DeepBind ID file")
            for lineno, line in enumerate(text.splitlines(), start=1):
                if line.startswith("#") or not line.strip():
                    continue
                token = line.split()[0]
                ids.append(check_model_id(token, f"file '{arg}', line {lineno}: "))
        elif n == len(args) - 1 and _has_ext(arg, "fa", "seq"):
            check_input_file(arg, "sequence file")
            seq_file = arg
        else:
            ids.append(check_model_id(arg))
    if not ids:
        raise DataFormatError("no model IDs given")
    return ids, seq_file


def read_sequences(stream, name: str = "<stdin>") -> tuple[list[str], list[int]]:
    """Sequences as the original reads them, and the input line where each one starts.

    FASTA if the first line starts with '>' or ';' (then a '>' or ';' line after sequence lines
    ends a record and sequence lines are concatenated), otherwise one sequence per line. Only
    line ends are stripped. Empty sequences and FASTA records without sequence are errors.
    """
    lines = [line.rstrip("\r\n") for line in stream]
    seqs: list[str] = []
    starts: list[int] = []
    if not lines:
        return seqs, starts
    if lines[0][:1] in (">", ";"):
        current: list[str] = []
        header_line = 1
        for lineno, line in enumerate(lines, start=1):
            if line[:1] in (">", ";"):
                if current:
                    seqs.append("".join(current))
                    starts.append(header_line)
                    current = []
                    header_line = lineno
                elif line[:1] == ">":
                    if lineno > 1 and lines[header_line - 1][:1] == ">":
                        raise InvalidSequenceError(f"file '{name}', line {header_line}: FASTA record has no sequence")
                    header_line = lineno
                continue
            current.append(line)
        if not current:
            raise InvalidSequenceError(f"file '{name}', line {header_line}: FASTA record has no sequence")
        seqs.append("".join(current))
        starts.append(header_line)
    else:
        for lineno, line in enumerate(lines, start=1):
            if not line:
                raise InvalidSequenceError(f"file '{name}', line {lineno}: empty sequence (sequences must have length > 0)")
            seqs.append(line)
            starts.append(lineno)
    return seqs, starts


def run(args) -> int:
    from ..deepbind import Database, Scorer, encode
    from ..data import reverse_complement_strings

    ids, seq_file = parse_id_args(args.ids)
    db = Database(args.db)
    if args.dump_info:
        out = [db.header]
        for model_id in ids:
            try:
                out.append(db.info(model_id).line)
            except KeyError:
                raise DataFormatError(f"--dump-info: model ID {model_id} is not in the index '{db.index_path}'; "
                                      "its IDs look like D00328.003") from None
        sys.stdout.write("".join(out))
        return 0
    if args.window_size is not None and args.window_size < 1:
        raise DataFormatError(f"--window-size must be >= 1, got {args.window_size}")

    params = [db.params(i) for i in ids]
    if seq_file is not None:
        try:
            with open(seq_file, encoding="ascii", errors="replace") as fh:
                seqs, starts = read_sequences(fh, seq_file)
        except OSError as exc:
            raise FileNotFoundError(f"could not open sequence file '{seq_file}': {exc.strerror}") from None
        name = seq_file
    else:
        seqs, starts = read_sequences(sys.stdin, "<stdin>")
        name = "<stdin>"
    try:
        encoded = encode(seqs)
    except InvalidSequenceError:
        for seq, line in zip(seqs, starts):  # find the record to name it by its input line
            try:
                encode([seq])
            except InvalidSequenceError as exc:
                raise InvalidSequenceError(f"file '{name}', sequence starting at line {line}: "
                                           + str(exc).replace("sequence 0: ", "", 1)) from None
        raise

    scorer = Scorer(params, window_size=args.window_size, average=args.average, window_padding=args.window_padding)
    scores = scorer.score_encoded(encoded)
    if args.emulate_strand_bug:
        # The original flips the sequence once per reverse-complement model, in ID order.
        flipped = [sum(p.reverse_complement for p in params[:j]) % 2 == 1 and not params[j].reverse_complement
                   for j in range(len(params))]
        cols = [j for j, f in enumerate(flipped) if f]
        if cols and seqs:
            rc_scorer = Scorer([params[j] for j in cols], window_size=args.window_size, average=args.average,
                               window_padding=args.window_padding)
            scores[:, cols] = rc_scorer.score(reverse_complement_strings(seqs))

    out = []
    if not args.no_head:
        out.append(("\t" if args.echo else "") + "\t".join(ids) + "\n")
    for s, row in zip(seqs, scores):
        line = "\t".join(f"{float(v):f}" for v in row)
        out.append((s + "\t" + line if args.echo else line) + "\n")
    sys.stdout.write("".join(out))
    return 0
