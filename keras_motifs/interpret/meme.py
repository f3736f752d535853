"""MEME minimal motif format, version 4: read and write.

The format (https://meme-suite.org/meme/doc/meme-format.html)::

    MEME version 4

    ALPHABET= ACGT

    strands: + -

    Background letter frequencies (from uniform background):
    A 0.25000 C 0.25000 G 0.25000 T 0.25000

    MOTIF M0 O0
    letter-probability matrix: alength= 4 w= 26 nsites= 2567 E= 0
    0.271523 0.187378 0.236073 0.305025
    ...

Writing then reading gives back the same motifs, and writing what was read gives the same text
(probabilities are written with 6 decimals, the E field is kept as the string it was read as).
``ALPHABET= FTIHMS`` (iDeepS structure motifs) is written the way iDeepS wrote it; MEME-suite
programs need a custom alphabet block for it, which this module does not write.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np

from ..errors import DataFormatError
from ..io import atomic_open


@dataclass
class Motif:
    """One motif: a name, an optional alternative name, a PPM (W, A) and MEME's per-motif fields.

    ``nsites`` is the number of sites the matrix was made from (MEME's field; Koo & Eddy wrote the
    width there), ``evalue`` the E field *as text* (``"0"`` when it is a placeholder).
    """

    name: str
    ppm: np.ndarray
    alt: str | None = None
    nsites: float | int | None = None
    evalue: str = "0"
    url: str | None = None

    def __post_init__(self):
        self.ppm = np.asarray(self.ppm, dtype=np.float64)
        if self.ppm.ndim != 2:
            raise ValueError(f"motif {self.name}: matrix must be 2-D (W, A), got shape {self.ppm.shape}")

    @property
    def width(self) -> int:
        return int(self.ppm.shape[0])


@dataclass
class MemeFile:
    """The contents of a MEME minimal file: motifs with PPMs (W, A), ``background`` (A,) letter
    frequencies in ``alphabet`` order (None = uniform)."""

    motifs: list[Motif]
    alphabet: str = "ACGT"
    strands: str | None = "+ -"
    background: np.ndarray | None = None  # None = uniform
    background_source: str = "from uniform background"
    version: str = "4"

    def __post_init__(self):
        if self.background is not None:
            self.background = np.asarray(self.background, dtype=np.float64)

    def __iter__(self):
        return iter(self.motifs)

    def __len__(self):
        return len(self.motifs)

    def by_name(self) -> dict[str, Motif]:
        return {m.name: m for m in self.motifs}


def _default_strands(alphabet: str) -> str | None:
    return "+ -" if set(alphabet) == set("ACGT") else ("+" if set(alphabet) == set("ACGU") else None)


def _fmt_number(x) -> str:
    if isinstance(x, (int, np.integer)) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    return f"{x:g}"


def format_meme(meme: MemeFile) -> str:
    """The text of a MEME minimal file (see :func:`write_meme`); each motif's PPM (W, A) is one
    row per position."""
    alphabet = meme.alphabet
    n = len(alphabet)
    lines = [f"MEME version {meme.version}", "", f"ALPHABET= {alphabet}", ""]
    if meme.strands:
        lines += [f"strands: {meme.strands}", ""]
    bg = np.full(n, 1.0 / n) if meme.background is None else meme.background
    if bg.shape != (n,):
        raise ValueError(f"background has {bg.shape} values, alphabet {alphabet} has {n} letters")
    src = f" ({meme.background_source})" if meme.background_source else ""
    lines.append(f"Background letter frequencies{src}:")
    lines.append(" ".join(f"{a} {p:.5f}" for a, p in zip(alphabet, bg)))
    lines.append("")
    for m in meme.motifs:
        if m.ppm.shape[1] != n:
            raise ValueError(f"motif {m.name}: {m.ppm.shape[1]} columns, alphabet {alphabet} has {n} letters")
        if not m.name or any(c.isspace() for c in m.name):
            raise ValueError(f"motif name {m.name!r} is empty or contains white space")
        lines.append(f"MOTIF {m.name}" + (f" {m.alt}" if m.alt else ""))
        nsites = f" nsites= {_fmt_number(m.nsites)}" if m.nsites is not None else ""
        lines.append(f"letter-probability matrix: alength= {n} w= {m.width}{nsites} E= {m.evalue}")
        for row in m.ppm:
            lines.append(" ".join(f"{v:.6f}" for v in row))
        if m.url:
            lines += ["", f"URL {m.url}"]
        lines.append("")
    return "\n".join(lines)


def write_meme(
    path: "str | os.PathLike",
    motifs: "MemeFile | list[Motif]",
    alphabet: str | None = None,
    background=None,
    background_source: str | None = None,
    strands: str | None = "default",
) -> None:
    """Write motifs to a MEME minimal file (atomically).

    ``motifs`` is a :class:`MemeFile` or a list of :class:`Motif` with PPMs (W, A) (then
    ``alphabet`` is required; ``strands`` defaults to ``+ -`` for DNA, ``+`` for RNA, none
    otherwise; ``background``, (A,) letter frequencies, to uniform).
    """
    if not isinstance(motifs, MemeFile):
        if alphabet is None:
            raise ValueError("alphabet is required when writing a list of motifs")
        motifs = MemeFile(
            list(motifs),
            alphabet=alphabet,
            strands=_default_strands(alphabet) if strands == "default" else strands,
            background=background,
            background_source=background_source
            if background_source is not None
            else ("from uniform background" if background is None else "from the input sequences"),
        )
    with atomic_open(path, "w") as fh:
        fh.write(format_meme(motifs))


_KV = re.compile(r"(\w+)\s*=\s*(\S+)")
# a plain decimal number: no nan/inf, no hex, no digit separators
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
MAX_WIDTH = 10_000
# MEME's own tolerance for letter-probability rows that do not sum to exactly 1 (rounding)
ROW_SUM_TOLERANCE = 0.1


def _row_problem(row: list[float]) -> str | None:
    """Why a letter-probability row is not one (None if it is). All-zero rows are accepted: Koo &
    Eddy write them for filter positions without sites."""
    arr = np.asarray(row, dtype=np.float64)
    if not np.isfinite(arr).all():
        return "holds a value that is not a finite number"
    if (arr < 0).any() or (arr > 1).any():
        return "holds a value outside [0, 1]; letter probabilities are between 0 and 1"
    total = float(arr.sum())
    if total != 0 and abs(total - 1) > ROW_SUM_TOLERANCE:
        return f"sums to {total:g}; letter probabilities of a position sum to 1"
    return None


def parse_meme(text: str, source: str = "<string>") -> MemeFile:
    """Parse the text of a MEME minimal file; errors name ``source`` and the line number. Motif
    matrices come back as PPMs (W, A), the background as (A,)."""
    lines = text.splitlines()
    version = None
    alphabet = None
    strands = None
    background = None
    background_source = ""
    motifs: list[Motif] = []
    seen_names: dict[str, int] = {}
    i = 0

    def err(lineno: int, msg: str) -> DataFormatError:
        return DataFormatError(f"file '{source}', line {lineno + 1}: {msg}")

    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("MEME version"):
            version = line[len("MEME version"):].strip()
        elif line.startswith("ALPHABET"):
            if "=" not in line:
                raise err(i, "custom alphabet definitions (MEME 5 'ALPHABET \"name\"' blocks) are not supported; "
                             "use 'ALPHABET= ACGT' style")
            alphabet = line.split("=", 1)[1].strip()
        elif line.startswith("strands:"):
            strands = line.split(":", 1)[1].strip()
        elif line.startswith("Background letter frequencies"):
            m = re.search(r"\((.*)\)", line)
            background_source = m.group(1) if m else ""
            if alphabet is None:
                raise err(i, "background given before the ALPHABET line")
            values: dict[str, float] = {}
            i += 1
            while i < len(lines) and lines[i].strip() and len(values) < len(alphabet):
                tok = lines[i].split()
                if len(tok) % 2:
                    raise err(i, f"background line must hold letter/frequency pairs: {lines[i]!r}")
                for a, p in zip(tok[::2], tok[1::2]):
                    if not _NUMBER.fullmatch(p) or not 0 <= float(p) <= 1:
                        raise err(i, f"background frequency {p[:40]!r} of letter {a!r} is not a number between 0 and 1")
                    values[a] = float(p)
                i += 1
            if set(values) != set(alphabet):
                raise err(i - 1, f"background letters {sorted(values)} do not match alphabet {alphabet}")
            background = np.array([values[a] for a in alphabet])
            continue
        elif line.startswith("MOTIF"):
            tok = line.split()
            if len(tok) < 2:
                raise err(i, "MOTIF line without a motif name")
            name, alt = tok[1], (" ".join(tok[2:]) or None)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("letter-probability matrix"):
                if lines[j].strip().startswith("MOTIF"):
                    raise err(i, f"motif {name} has no 'letter-probability matrix' line")
                j += 1
            if j == len(lines):
                raise err(i, f"motif {name} has no 'letter-probability matrix' line")
            if name in seen_names:
                raise err(i, f"motif name {name!r} is used twice (first on line {seen_names[name] + 1}); "
                             "motif names must be unique")
            seen_names[name] = i
            fields = dict(_KV.findall(lines[j].split(":", 1)[1]))
            if "w" not in fields:
                raise err(j, f"motif {name}: 'w=' missing from the matrix header")
            try:
                w = int(fields["w"])
            except ValueError:
                raise err(j, f"motif {name}: w= {fields['w'][:40]!r} is not an integer") from None
            if not 1 <= w <= MAX_WIDTH:
                raise err(j, f"motif {name}: width w= {w} must be between 1 and {MAX_WIDTH}")
            try:
                alength = int(fields["alength"]) if "alength" in fields else None
            except ValueError:
                raise err(j, f"motif {name}: alength= {fields['alength'][:40]!r} is not an integer") from None
            n_letters = len(alphabet) if alphabet else (alength or 4)
            if alength is not None and alength != n_letters:
                raise err(j, f"motif {name}: alength= {fields['alength']} but alphabet {alphabet} has {n_letters} letters")
            rows = []
            k = j + 1
            while len(rows) < w:
                if k >= len(lines):
                    raise err(k - 1, f"motif {name}: file ends after {len(rows)} of {w} matrix rows")
                s = lines[k].strip()
                k += 1
                if not s:
                    continue
                tok = s.split()
                if s.startswith(("MOTIF", "URL", "letter-probability", "Background", "ALPHABET", "strands:")):
                    raise err(k - 1, f"motif {name}: w= {w} but the matrix has {len(rows)} rows (line {k} is "
                                     f"{s[:60]!r}); w= must be the number of matrix rows")
                if not all(_NUMBER.fullmatch(t) for t in tok):
                    raise err(k - 1, f"motif {name}: matrix row {len(rows) + 1} is not numeric: {s[:80]!r}")
                row = [float(t) for t in tok]
                if len(row) != n_letters:
                    raise err(k - 1, f"motif {name}: matrix row {len(rows) + 1} has {len(row)} values, expected {n_letters}")
                problem = _row_problem(row)
                if problem:
                    raise err(k - 1, f"motif {name}: matrix row {len(rows) + 1} ({s[:80]}) {problem}")
                rows.append(row)
            extra = k
            while extra < len(lines) and not lines[extra].strip():
                extra += 1
            if extra < len(lines):
                tok = lines[extra].split()
                if tok and all(_NUMBER.fullmatch(t) for t in tok):
                    raise err(extra, f"motif {name}: w= {w} but the matrix has more rows (line {extra + 1} is "
                                     f"another row: {lines[extra].strip()[:60]!r}); w= must be the number of matrix "
                                     "rows")
            nsites = None
            if "nsites" in fields:
                if not _NUMBER.fullmatch(fields["nsites"]):
                    raise err(j, f"motif {name}: nsites= {fields['nsites'][:40]!r} is not a number")
                v = float(fields["nsites"])
                if not np.isfinite(v) or v < 0:
                    raise err(j, f"motif {name}: nsites= {fields['nsites']} must be a finite number >= 0")
                nsites = int(v) if v.is_integer() else v
            motif = Motif(name, np.array(rows), alt=alt, nsites=nsites, evalue=fields.get("E", "0"))
            # optional URL line after the matrix
            q = k
            while q < len(lines) and not lines[q].strip():
                q += 1
            if q < len(lines) and lines[q].strip().startswith("URL"):
                motif.url = lines[q].strip()[3:].strip()
                k = q + 1
            motifs.append(motif)
            i = k
            continue
        i += 1
    if version is None:
        raise DataFormatError(f"file '{source}': no 'MEME version' line; not a MEME minimal motif file")
    if alphabet is None:
        raise DataFormatError(f"file '{source}': no 'ALPHABET=' line")
    return MemeFile(motifs, alphabet=alphabet, strands=strands, background=background,
                    background_source=background_source, version=version)


def read_meme(path: "str | os.PathLike") -> MemeFile:
    """Read a MEME minimal file (version 4 or later with an ``ALPHABET=`` line): a
    :class:`MemeFile` of PPMs (W, A)."""
    from ..io.text import decode_text

    from ..io.files import check_input_file

    check_input_file(path, "MEME file")  # a folder, FIFO or device is refused unopened
    with open(path, "rb") as fh:
        data = fh.read()
    return parse_meme(decode_text(data, path, "a MEME motif file"), source=str(path))
