"""Variant effect scores: reference vs alternative sequence through a model.

Scores per variant and model output (DeepSEA/DanQ conventions):

* ``diff = f(alt) − f(ref)``, ``abs_diff = |diff|``;
* ``log_odds_diff = logit(f(alt)) − logit(f(ref))`` with probabilities clipped to
  [1e-7, 1 − 1e-7] (NaN for models whose outputs are not probabilities, e.g. DeepBind scores);
* ``rc_average=True`` averages each prediction with that of the reverse complement, as the
  DeepSEA/DanQ evaluation does.

Input: pairs of sequences, or a VCF plus a reference FASTA (read with ``pyfaidx``). A record
with several ALT alleles gives one variant (one row per target) per ALT.

**Windows** (forward strand, model length ``L``, centre ``c = L // 2``). Each of the two windows
holds its allele — REF in the reference window, ALT in the alternative one — with the allele's
middle base (index ``len(allele) // 2``) at window index ``c``, and the genome around the REF
allele on either side: the reference window starts ``c - len(REF) // 2`` bases before POS, the
alternative window ``c - len(ALT) // 2`` bases before POS, and the bases after the allele are those
after the REF allele in the genome (N beyond the chromosome ends). So an SNV sits at index ``c``
of two windows that differ there only; a deletion's alternative window reaches further into the
flanks by the deleted length (split half left, half right); an insertion's pushes flanking bases
out at both ends. Alleles are used as written in the VCF (the padding base VCF puts before an
indel is kept; no left-alignment or trimming). This is Selene's rule (FunctionLab/selene
``selene_sdk/predict/_variant_effect_prediction.py``, ``_process_alt``: the window centred on
POS + len(REF) // 2, deletions filled from the genome's flanks); for an insertion Selene splices
ALT into the reference window and trims ``d // 2`` bases (``d = len(ALT) - len(REF)``) from its
left, which puts ALT one base further right than here when both ``len(REF)`` and ``d`` are odd.
Kipoi's ``kipoiseq.extractors.VariantSeqExtractor`` likewise keeps the sequence fixed around an
anchor (the window centre) and extends or trims the flanks.

**Checks.** The VCF's REF allele is checked against the FASTA: a mismatch is an error naming the
VCF line (``on_mismatch="error"``, default) or a flagged row with no scores
(``on_mismatch="flag"``) — never silently scored; so are alleles that are not A/C/G/T/N strings,
a REF allele running past the chromosome's end and an allele longer than the model's input.
Symbolic alleles (``<DEL>``, ``<INS:ME>``, ``<*>``, the spanning deletion ``*``, breakends such
as ``G]17:198982]``, and ``.`` for no ALT) describe no sequence: they are skipped — kept as rows
with no scores and ``status`` ``skipped: ...``, counted, and logged as a warning naming their
lines — in either mode.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
from dataclasses import dataclass

import numpy as np

from ..data import get_alphabet, one_hot, reverse_complement
from ..errors import DataFormatError, InvalidSequenceError, ModelInputError
from ..progress import Progress

_EPS = 1e-7
LOG = logging.getLogger("keras_motifs.interpret")
_BASES = frozenset("ACGTN")


@dataclass
class Variant:
    chrom: str
    pos: int  # 1-based, as in the VCF
    id: str
    ref: str
    alt: str
    line: int  # line number in the VCF (1-based)

    @property
    def kind(self) -> str:
        """``snv``, ``mnv`` (equal lengths > 1), ``insertion``, ``deletion`` or ``symbolic``."""
        if is_symbolic(self.alt):
            return "symbolic"
        if len(self.ref) == len(self.alt):
            return "snv" if len(self.ref) == 1 else "mnv"
        return "insertion" if len(self.alt) > len(self.ref) else "deletion"


_BREAKEND = re.compile(r"^(\.[A-Z]+|[A-Z]+\.|[A-Z]*[\[\]].*[\[\]][A-Z]*)$")


def is_symbolic(alt: str) -> bool:
    """True for an ALT that names no sequence: ``<ID>`` alleles, ``*`` (a spanning deletion),
    ``.`` (no ALT) and breakends (``G]17:198982]``, ``]13:123456]T``, ``.A``, ``G.``)."""
    return alt in ("*", ".") or (alt.startswith("<") and alt.endswith(">")) or bool(_BREAKEND.match(alt))


VCF_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT")


def read_vcf(path: "str | os.PathLike") -> list[Variant]:
    """Read the first five columns of a VCF (plain or gzip); one :class:`Variant` per ALT allele.

    The ``#CHROM POS ID REF ALT ...`` header line must come before the first variant, and the file
    must hold at least one variant; a damaged gzip file, a missing or wrong header, or text that is
    not UTF-8 raise :class:`DataFormatError` naming the file and line.
    """
    from ..io.files import check_input_file

    path = check_input_file(path, "VCF file")  # a folder, FIFO or device is refused unopened
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    out = []
    header_seen = False
    lineno = 0
    try:
        with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as fh:
            for lineno, raw_line in enumerate(fh, 1):  # bytes, decoded line by line: errors name the line
                try:
                    line = raw_line.decode("utf-8-sig" if lineno == 1 else "utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    raise DataFormatError(f"file '{path}', line {lineno}: not UTF-8 text; is this a VCF file?") from None
                _read_vcf_line(path, lineno, line, out, header_seen)
                header_seen = header_seen or line.startswith("#CHROM")
    except (OSError, EOFError) as exc:  # gzip cut short or damaged
        raise DataFormatError(f"file '{path}': not a readable gzip file ({exc}) after line {lineno}; the file may "
                              "be truncated") from None
    if not header_seen:
        raise DataFormatError(f"file '{path}': no '#CHROM POS ID REF ALT' header line; not a VCF file (or empty)")
    if not out:
        raise DataFormatError(f"file '{path}': the VCF holds no variants")
    return out


def _read_vcf_line(path: str, lineno: int, line: str, out: list, header_seen: bool) -> None:
    if line.startswith("#CHROM"):
        cols = tuple(line.split("\t")[:5])
        if cols != VCF_COLUMNS:
            raise DataFormatError(f"file '{path}', line {lineno}: header columns {list(cols)}, expected "
                                  f"{list(VCF_COLUMNS)} (tab-separated)")
        return
    if line.startswith("#") or not line.strip():
        return
    if not header_seen:
        raise DataFormatError(f"file '{path}', line {lineno}: variant line before the '#CHROM POS ID REF ALT' "
                              "header line; a VCF file has that header before its variants")
    cols = line.split("\t")
    if len(cols) < 5:
        raise DataFormatError(f"file '{path}', line {lineno}: a VCF data line needs at least 5 "
                              f"tab-separated columns (CHROM POS ID REF ALT), found {len(cols)}")
    chrom, pos, vid, ref, alts = cols[:5]
    try:
        pos_i = int(pos)
    except ValueError:
        raise DataFormatError(f"file '{path}', line {lineno}: POS {pos!r} is not an integer") from None
    if pos_i < 1:
        raise DataFormatError(f"file '{path}', line {lineno}: POS {pos_i} must be >= 1")
    for alt in alts.split(","):
        out.append(Variant(chrom, pos_i, vid, ref.upper(), alt.upper(), lineno))


def open_fasta(fasta: "str | os.PathLike"):
    """Open a reference FASTA with pyfaidx, its index checked first
    (:func:`keras_motifs.io.fasta.open_reference`; pyfaidx's errors become DataFormatError)."""
    from ..io.fasta import open_reference

    return open_reference(fasta)


def _symbolic_reason(v: Variant) -> str:
    what = ("no ALT allele ('.')" if v.alt == "." else "the spanning deletion '*'" if v.alt == "*"
            else f"symbolic allele {v.alt!r}" if v.alt.startswith("<") else f"breakend {v.alt!r}")
    return f"skipped: {what} names no sequence to score"


def warn_skipped(variants: list[Variant], status: list[str], vcf_name: str = "VCF", shown: int = 10) -> int:
    """Log one warning naming the VCF lines of the skipped (symbolic) alleles; returns their number."""
    skipped = [(v, s) for v, s in zip(variants, status) if s.startswith("skipped")]
    if skipped:
        lines = ", ".join(f"line {v.line} ({v.chrom}:{v.pos} {v.ref}>{v.alt})" for v, _ in skipped[:shown])
        more = f" and {len(skipped) - shown} more" if len(skipped) > shown else ""
        LOG.warning(f"file '{vcf_name}': {len(skipped)} symbolic or breakend ALT allele(s) not scored (no sequence): "
                    f"{lines}{more}; they are kept as rows with status 'skipped: ...' and no scores")
    return len(skipped)


def _fetch(fa, chrom: str, chrom_len: int, start: int, end: int) -> str:
    """Genome bases [start, end) (0-based), N outside the chromosome."""
    lo, hi = max(0, start), min(chrom_len, end)
    if hi <= lo:
        return "N" * (end - start)
    return "N" * (lo - start) + fa[chrom][lo:hi] + "N" * (end - hi)


def allele_window(fa, chrom: str, chrom_len: int, pos: int, ref_len: int, allele: str, length: int) -> str:
    """The window of ``length`` holding ``allele`` in place of the REF allele (``ref_len`` bases
    from 1-based ``pos``), the allele's middle base at index ``length // 2``, genome flanks around."""
    p0 = pos - 1
    left = length // 2 - len(allele) // 2  # bases before the allele
    right = length - left - len(allele)  # bases after it
    return (_fetch(fa, chrom, chrom_len, p0 - left, p0) + allele
            + _fetch(fa, chrom, chrom_len, p0 + ref_len, p0 + ref_len + right))


def variant_windows(
    variants: list[Variant],
    fasta: "str | os.PathLike",
    length: int,
    on_mismatch: str = "error",
    vcf_name: str = "VCF",
) -> tuple[list[str | None], list[str | None], list[str]]:
    """Reference and alternative windows of ``length`` around each variant (strings; one-hot they
    are (N, length, A)); substitutions, insertions and deletions (module docstring: the windows).

    Returns ``(ref_seqs, alt_seqs, status)``: ``status`` is ``"ok"``, ``"skipped: ..."`` for a
    symbolic allele, or the reason the variant is not scored (its sequences are then None).
    """
    if on_mismatch not in ("error", "flag"):
        raise ValueError("on_mismatch must be 'error' or 'flag'")
    fa = open_fasta(fasta)
    refs, alts, status = [], [], []
    for v in variants:
        problem = None
        if is_symbolic(v.alt):
            refs.append(None)
            alts.append(None)
            status.append(_symbolic_reason(v))
            continue
        if not v.ref or not v.alt or not set(v.ref) <= _BASES or not set(v.alt) <= _BASES:
            problem = (f"unsupported allele REF={v.ref or '(empty)'} ALT={v.alt or '(empty)'} (REF and ALT must be "
                       "strings of A, C, G, T, N; symbolic ALT alleles such as <DEL> are skipped)")
        elif v.chrom not in fa:
            problem = f"chromosome {v.chrom!r} is not in the FASTA"
        elif max(len(v.ref), len(v.alt)) > length:
            which = "REF" if len(v.ref) >= len(v.alt) else "ALT"
            problem = (f"{which} allele of {max(len(v.ref), len(v.alt))} bp is longer than the model's input "
                       f"length {length}")
        else:
            chrom_len = len(fa[v.chrom])
            p0 = v.pos - 1
            if p0 >= chrom_len:
                problem = f"position {v.pos} is past the end of {v.chrom} (length {chrom_len})"
            elif p0 + len(v.ref) > chrom_len:
                problem = (f"REF allele of {len(v.ref)} bp from position {v.pos} runs past the end of {v.chrom} "
                           f"(length {chrom_len}; it would end at {p0 + len(v.ref)})")
            else:
                genome_ref = fa[v.chrom][p0 : p0 + len(v.ref)]
                if genome_ref != v.ref:
                    problem = f"REF allele mismatch: VCF REF={v.ref}, FASTA has {genome_ref} at {v.chrom}:{v.pos}"
        if problem is not None:
            if on_mismatch == "error":
                raise DataFormatError(f"file '{vcf_name}', line {v.line} ({v.chrom}:{v.pos} {v.ref}>{v.alt}): "
                                      f"{problem}; fix the VCF/FASTA, or keep such variants as flagged rows "
                                      "without scores (keras-motifs score-variants --on-mismatch flag; "
                                      "on_mismatch='flag' in Python)")
            refs.append(None)
            alts.append(None)
            status.append(problem)
            continue
        refs.append(allele_window(fa, v.chrom, chrom_len, v.pos, len(v.ref), v.ref, length))
        alts.append(allele_window(fa, v.chrom, chrom_len, v.pos, len(v.ref), v.alt, length))
        status.append("ok")
    return refs, alts, status


def _predict(model, x, batch_size):
    out = []
    with Progress(len(x), "scoring variants", unit="seq") as bar:
        for i in range(0, len(x), batch_size):
            p = model.predict_on_batch(x[i : i + batch_size])
            p = np.asarray(p, dtype=np.float64)
            out.append(p.reshape(len(p), -1))
            bar.update(len(p))
    return np.concatenate(out) if out else np.zeros((0, int(np.prod(model.outputs[0].shape[1:]))))


def score_variants(model, ref_x: np.ndarray, alt_x: np.ndarray, alphabet: str = "ACGT",
                   rc_average: bool = False, batch_size: int = 128) -> dict[str, np.ndarray]:
    """Scores of one-hot reference/alternative pairs (N, L, A): dict of (N, T) arrays ``ref``,
    ``alt``, ``diff``, ``abs_diff``, ``log_odds_diff``."""
    ref_x = np.asarray(ref_x, dtype=np.float32)
    alt_x = np.asarray(alt_x, dtype=np.float32)
    if ref_x.shape != alt_x.shape:
        raise ModelInputError(f"reference {ref_x.shape} and alternative {alt_x.shape} inputs differ in shape")
    alpha = get_alphabet(alphabet)
    want = tuple(model.inputs[0].shape)
    if ref_x.ndim != len(want) or any(w is not None and g != w for g, w in zip(ref_x.shape[1:], want[1:])):
        raise ModelInputError(f"variant sequences of shape (N, {', '.join(map(str, ref_x.shape[1:]))}) do not fit "
                              f"the model's input (N, {', '.join(map(str, want[1:]))}): the model takes sequences "
                              f"of length {want[1]} with {want[-1]} letters ({alpha.letters})")
    for name, arr in (("reference", ref_x), ("alternative", alt_x)):
        if not np.isfinite(arr).all():
            i = int(np.argwhere(~np.isfinite(arr))[0][0])
            raise ModelInputError(f"{name} sequence {i} holds a value that is not a finite number")

    def f(x):
        p = _predict(model, x, batch_size)
        if rc_average:
            p = (p + _predict(model, np.ascontiguousarray(reverse_complement(x, alpha)), batch_size)) / 2.0
        return p

    r, a = f(ref_x), f(alt_x)
    with np.errstate(divide="ignore", invalid="ignore"):
        prob = (r >= 0).all() and (r <= 1).all() and (a >= 0).all() and (a <= 1).all()
        if prob:
            rc, ac = np.clip(r, _EPS, 1 - _EPS), np.clip(a, _EPS, 1 - _EPS)
            lod = (np.log(ac) - np.log1p(-ac)) - (np.log(rc) - np.log1p(-rc))
        else:
            lod = np.full_like(r, np.nan)
    return {"ref": r, "alt": a, "diff": a - r, "abs_diff": np.abs(a - r), "log_odds_diff": lod}


def _model_length(model, input_index: int = 0) -> int:
    length = model.inputs[input_index].shape[1]
    if length is None:
        raise ModelInputError("the model accepts any length: pass length=")
    return int(length)


def check_targets(model, targets=None, target_names=None) -> None:
    """Before any scoring: every index of ``targets`` names an output of ``model`` (0 to T-1;
    negative indices are refused, not counted from the end), and ``target_names`` (when given)
    names every output once: exactly T names, no more, no fewer (UsageError naming the CLI's
    ``--targets`` / ``--target-names``)."""
    from ..errors import UsageError

    n_out = int(np.prod(model.outputs[0].shape[1:]))
    if targets is not None:
        targets = list(targets)
        if not targets:
            raise UsageError("targets (--targets): no output index given")
        for t in targets:
            if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
                raise UsageError(f"targets (--targets): {t!r} is not an output index (an integer)")
            if not 0 <= t < n_out:
                raise UsageError(f"targets (--targets): output {t} does not exist; the model has {n_out} outputs "
                                 f"(indices 0 to {n_out - 1})")
    if target_names is not None and len(target_names) != n_out:
        few = "fewer" if len(target_names) < n_out else "more"
        raise UsageError(f"target names (--target-names): {len(target_names)} names for the model's {n_out} outputs "
                         f"({few} names than outputs); give one name per output, in output order")


def _table(meta: list[dict], scores: dict[str, np.ndarray] | None, ok: np.ndarray, targets, target_names):
    import pandas as pd

    n_targets = scores["ref"].shape[1] if scores is not None else 0
    targets = list(range(n_targets)) if targets is None else list(targets)
    for t in targets:
        if not 0 <= t < max(n_targets, 1):
            raise ModelInputError(f"target {t} out of range: the model has {n_targets} outputs")
    rows = []
    ok_index = np.cumsum(ok) - 1
    for i, m in enumerate(meta):
        for t in targets:
            row = dict(m)
            row["target"] = target_names[t] if target_names is not None else t
            for k in ("ref", "alt", "diff", "abs_diff", "log_odds_diff"):
                row[k] = float(scores[k][ok_index[i], t]) if ok[i] else float("nan")
            rows.append(row)
    return pd.DataFrame(rows)


def score_sequence_pairs(model, ref_seqs: list[str], alt_seqs: list[str], alphabet: str = "ACGT",
                         rc_average: bool = False, targets=None, target_names=None, n_value: float = 0.0,
                         batch_size: int = 128, ids: list[str] | None = None):
    """Score (reference, alternative) sequence pairs (N strings each, one-hot (N, L, A) for the
    model); returns a long ``pandas.DataFrame`` with one row per pair and target (N × T rows):
    ``id, status, target, ref, alt, diff, abs_diff, log_odds_diff``."""
    check_targets(model, targets, target_names)
    if len(ref_seqs) != len(alt_seqs):
        raise ModelInputError(f"{len(ref_seqs)} reference but {len(alt_seqs)} alternative sequences")
    if not ref_seqs:
        raise ModelInputError("no sequence pairs to score")
    for i, (r, a) in enumerate(zip(ref_seqs, alt_seqs)):
        if len(r) != len(a):
            raise ModelInputError(f"pair {i}: reference length {len(r)} != alternative length {len(a)}")
    ids = ids or [str(i) for i in range(len(ref_seqs))]
    encoded = []
    for kind, seqs in (("reference", ref_seqs), ("alternative", alt_seqs)):
        try:
            encoded.append(one_hot(seqs, alphabet, n_value=n_value))
        except InvalidSequenceError as exc:
            if exc.index is None:
                raise InvalidSequenceError(f"{kind} sequences: {exc}") from None
            raise InvalidSequenceError(f"pair {exc.index} ({ids[exc.index]}), {kind} sequence{exc.detail}") from None
    ref_x, alt_x = encoded
    scores = score_variants(model, ref_x, alt_x, alphabet, rc_average, batch_size)
    meta = [{"id": ids[i], "status": "ok"} for i in range(len(ref_seqs))]
    return _table(meta, scores, np.ones(len(meta), bool), targets, target_names)


def score_vcf(model, vcf: "str | os.PathLike", fasta: "str | os.PathLike", alphabet: str = "ACGT",
              length: int | None = None, on_mismatch: str = "error", rc_average: bool = False, targets=None,
              target_names=None, n_value: float = 0.0, batch_size: int = 128):
    """Score every variant of a VCF against a reference FASTA (windows one-hot (N, length, A));
    returns a long ``DataFrame`` (one row per variant — one per ALT allele — and target)
    (``chrom, pos, id, ref_allele, alt_allele, status, target, ref, alt, diff, abs_diff,
    log_odds_diff``). Flagged variants (``on_mismatch="flag"``) and skipped symbolic alleles keep
    their rows with NaN scores and the reason in ``status``."""
    check_targets(model, targets, target_names)
    length = length or _model_length(model)
    variants = read_vcf(vcf)
    refs, alts, status = variant_windows(variants, fasta, length, on_mismatch, vcf_name=str(vcf))
    warn_skipped(variants, status, str(vcf))
    ok = np.array([s == "ok" for s in status], dtype=bool)
    scores = None
    if ok.any():
        ok_variants = [v for v, s in zip(variants, status) if s == "ok"]
        try:
            ref_x = one_hot([s for s in refs if s is not None], alphabet, n_value=n_value)
            alt_x = one_hot([s for s in alts if s is not None], alphabet, n_value=n_value)
        except InvalidSequenceError as exc:
            if exc.index is None or not exc.detail.startswith(": "):
                raise
            v = ok_variants[exc.index]
            raise InvalidSequenceError(
                f"file '{fasta}', window of {v.chrom}:{v.pos} (file '{vcf}', line {v.line}): "
                f"{exc.detail[2:]}; the reference FASTA holds a letter the model cannot read"
            ) from None
        scores = score_variants(model, ref_x, alt_x, alphabet, rc_average, batch_size)
    else:
        n_out = int(np.prod(model.outputs[0].shape[1:]))
        empty = np.zeros((0, n_out))
        scores = {k: empty for k in ("ref", "alt", "diff", "abs_diff", "log_odds_diff")}
    meta = [{"chrom": v.chrom, "pos": v.pos, "id": v.id, "ref_allele": v.ref, "alt_allele": v.alt, "status": s}
            for v, s in zip(variants, status)]
    return _table(meta, scores, ok, targets, target_names)
