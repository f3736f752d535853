"""One flag style for the ``keras-motifs`` CLI, the ``reproductions/`` and the ``benchmarks/`` scripts.

* Options are spelled with hyphens (``--data-dir``); the underscore spelling (``--data_dir``) is
  accepted as an alias of every option (:class:`ArgumentParser`).
* :func:`common_options` adds the options every program shares, with one meaning everywhere:
  ``--data-dir``, ``--out``, ``--seed``, ``--tfds-dir``, ``--models``, ``-q``/``--quiet``,
  ``-v``/``--verbose`` (``args.verbosity``: -1 quiet, 0 default, n = how many ``-v``;
  :func:`fit_verbose` turns it into a Keras ``fit`` verbosity).
* ``-`` as an output file name means standard output (:func:`is_stdout`).
* Argument types that check a value while the command line is parsed (:func:`positive_int`,
  :func:`int_in_range`, :func:`float_in_range`, :func:`index_list`, :func:`alphabet_name`,
  :func:`input_file`, :func:`output_file`, :func:`output_dir`): a bad value is an error naming the
  option before any work starts.
"""

from __future__ import annotations

import argparse
import re

STDOUT = "-"


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` that also accepts ``--some_option`` for ``--some-option``."""

    def _parse_optional(self, arg_string):
        if arg_string.startswith("--") and "_" in arg_string.split("=", 1)[0]:
            name, sep, value = arg_string.partition("=")
            hyphenated = name.replace("_", "-")
            if name not in self._option_string_actions and hyphenated in self._option_string_actions:
                arg_string = hyphenated + sep + value
        return super()._parse_optional(arg_string)


class ListAction(argparse.Action):
    """One or more values, space- or comma-separated (``--seed 1 2``, ``--seed 1,2``); repeating the
    option adds to the list (``--models a --models b``); the default is replaced, not extended.
    ``item``: converts one value (after ``words`` are expanded); ``words``: names that stand for
    several values (e.g. ``{"paper": [...]}``); ``allowed``: the values accepted (checked after
    splitting, so ``a,b`` is checked as ``a`` and ``b``)."""

    def __init__(self, option_strings, dest, *, item=str, words=None, allowed=None, **kwargs):
        kwargs.setdefault("nargs", "+")
        super().__init__(option_strings, dest, **kwargs)
        self.item, self.words, self.allowed = item, dict(words or {}), allowed

    def __call__(self, parser, namespace, values, option_string=None):
        items = []
        for value in [values] if isinstance(values, str) else values:
            for part in (p.strip() for p in str(value).split(",")):
                if not part:
                    continue
                if part in self.words:
                    items.extend(self.words[part])
                    continue
                if self.allowed is not None and part not in self.allowed:
                    raise argparse.ArgumentError(
                        self, f"invalid choice: {part!r} (choose from {', '.join(map(str, self.allowed))})")
                try:
                    items.append(self.item(part))
                except (TypeError, ValueError):
                    raise argparse.ArgumentError(self, f"invalid value: {part!r}") from None
        current = getattr(namespace, self.dest, None)
        setattr(namespace, self.dest, (list(current) if current is not None and current is not self.default else [])
                + items)


def fit_verbose(verbosity: int, default: int) -> int:
    """Keras ``fit(verbose=...)`` for ``-q``/``-v``: the levels run 0 (silent) < 2 (one line per
    epoch) < 1 (progress bar); the default output is ``default``, each ``-v`` one level more,
    ``-q`` silent."""
    if verbosity < 0:
        return 0
    ladder = [0, 2, 1]
    return ladder[min(ladder.index(default) + verbosity, len(ladder) - 1)]


def common_options(parser: argparse.ArgumentParser, *, data_dir: str | None = None, out: str | None = None,
                   seed: int | None = None, seeds: bool = False, seed_help: str | None = None,
                   seed_words: dict | None = None, tfds_dir: bool | str = True, verbosity: bool | str = True,
                   models: str | None = None, models_default=None, models_choices=None,
                   models_nargs: str = "+") -> argparse.ArgumentParser:
    """Add the shared options.

    ``data_dir``/``out`` are help texts (None: the option is not added); ``seed`` is the default
    seed (``seed_help`` its help text); ``seeds=True`` makes ``--seed`` (alias ``--seeds``) take one
    or more values, space- or comma-separated (then ``args.seed`` is a list; ``seed_words`` names
    lists of seeds, e.g. ``{"paper": [...]}``). ``tfds_dir``: True, or a help text. ``verbosity``:
    True, or ``-v``'s help text (what ``-q``/``-v`` change in this program).
    ``models``: a help text: adds ``--models`` (aliases ``--model``, ``--presets``), one or more
    names, space- or comma-separated, repeatable, checked against ``models_choices`` (if given).
    """
    if data_dir is not None:
        parser.add_argument("--data-dir", dest="data_dir", default=None, help=data_dir)
    if out is not None:
        parser.add_argument("--out", default=None, help=out)
    if seed is not None:
        if seeds:
            parser.add_argument("--seed", "--seeds", dest="seed", action=ListAction, item=int, words=seed_words,
                                default=[seed], metavar="SEED",
                                help=seed_help or f"random seed(s), space- or comma-separated (default: {seed})")
        else:
            parser.add_argument("--seed", type=int, default=seed, help=seed_help or f"random seed (default: {seed})")
    if tfds_dir:
        parser.add_argument("--tfds-dir", dest="tfds_dir", default=None,
                            help=tfds_dir if isinstance(tfds_dir, str) else
                            "where TFDS keeps prepared datasets (default: TFDS's own, ~/tensorflow_datasets)")
    if models is not None:
        parser.add_argument("--models", "--model", "--presets", dest="models", action=ListAction, nargs=models_nargs,
                            allowed=None if models_choices is None else list(models_choices),
                            default=models_default, metavar="MODEL", help=models)
    if verbosity:
        mapped = isinstance(verbosity, str)
        loud = parser.add_mutually_exclusive_group()
        loud.add_argument("-q", "--quiet", action="store_const", const=-1, dest="verbosity", default=0,
                          help="less output: log warnings and errors only (see -v)" if mapped else
                          "print warnings and errors only")
        loud.add_argument("-v", "--verbose", action="count", dest="verbosity",
                          help=f"more output, repeat for more: {verbosity}" if mapped else
                          "more output (repeat for more): training progress, debug logging")
    return parser


def is_stdout(path) -> bool:
    """True when an output path is ``-`` (standard output)."""
    return str(path) == STDOUT


# ============================================================================ argument types
# Checked while the command line is parsed, before any work: a bad value is one error naming the
# option (argparse adds "argument --batch-size: "), never a traceback from deep inside.
INT32_MAX = 2**31 - 1  # sizes and counts go to TensorFlow/NumPy as 32-bit integers

_INT_RE = re.compile(r"[+-]?[0-9]{1,30}")
_FLOAT_RE = re.compile(r"[+-]?([0-9]{1,30}(\.[0-9]{0,30})?|\.[0-9]{1,30})([eE][+-]?[0-9]{1,4})?")


def _shown(text) -> str:
    text = str(text)
    return repr(text if len(text) <= 60 else text[:40] + "...")


def int_in_range(low: int | None = None, high: int | None = INT32_MAX, what: str = "an integer"):
    """An argparse ``type``: a decimal integer (ASCII digits, no ``_``) in [low, high]."""
    def convert(text):
        text = str(text).strip()
        if not _INT_RE.fullmatch(text):
            raise argparse.ArgumentTypeError(f"expected {what}, got {_shown(text)}")
        value = int(text)
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = (f"from {low} to {high}" if low is not None and high is not None else
                      f">= {low}" if low is not None else f"<= {high}")
            raise argparse.ArgumentTypeError(f"must be {what} {bounds}, got {_shown(text)}")
        return value
    convert.__name__ = what
    convert.kind, convert.low, convert.high = "int", low, high  # what tests feed it (tests/test_cli_every_command.py)
    return convert


positive_int = int_in_range(1, INT32_MAX, "a positive integer")
nonnegative_int = int_in_range(0, INT32_MAX, "an integer")


def float_in_range(low: float | None = None, high: float | None = None, *, low_open: bool = False,
                   what: str = "a number"):
    """An argparse ``type``: a finite decimal number (no nan/inf, no ``_``) in [low, high]
    (``low_open``: > low)."""
    import math

    def convert(text):
        text = str(text).strip()
        if not _FLOAT_RE.fullmatch(text):
            raise argparse.ArgumentTypeError(f"expected {what} (a finite decimal number), got {_shown(text)}")
        value = float(text)
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected {what} (a finite decimal number), got {_shown(text)}")
        if low is not None and (value <= low if low_open else value < low):
            raise argparse.ArgumentTypeError(f"must be {'>' if low_open else '>='} {low:g}, got {_shown(text)}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be <= {high:g}, got {_shown(text)}")
        return value
    convert.__name__ = what
    convert.kind, convert.low, convert.high = "float", low, high
    return convert


def index_list(text) -> list[int]:
    """An argparse ``type``: comma-separated non-negative indices (``0,5,17``), no repeats."""
    parts = [p.strip() for p in str(text).split(",")]
    if not parts or any(not p for p in parts):
        raise argparse.ArgumentTypeError(f"expected comma-separated indices such as 0,5,17, got {_shown(text)}")
    convert = int_in_range(0, INT32_MAX, "an index (0 or more)")
    values = [convert(p) for p in parts]
    if len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"index listed twice in {_shown(text)}")
    return values


index_list.kind = "index_list"


def alphabet_name(text) -> str:
    """An argparse ``type``: a channel order (``ACGT``, ``AGCT``, ``ACGU``, ``FTIHMS`` or a name
    such as ``DNA_AGCT``), returned as its letters."""
    from .data import get_alphabet

    try:
        return get_alphabet(str(text).strip()).letters
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"unknown alphabet {_shown(text)}: use a letter order such as ACGT, AGCT (DanQ/DeepSEA), ACGU (RNA), "
            "FTIHMS (RNA structure), or DNA, DNA_AGCT, RNA, RNA_STRUCTURE") from None


alphabet_name.kind = "alphabet"


def _file_type(check, what, kind):
    def convert(text):
        from .errors import KerasMotifsError

        try:
            return check(text, what)
        except KerasMotifsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = what
    convert.kind = kind
    return convert


def input_file(what: str = "file"):
    """An argparse ``type``: a regular file that can be read (not a folder, FIFO or device;
    :func:`keras_motifs.io.files.check_input_file`)."""
    from .io.files import check_input_file

    return _file_type(check_input_file, what, "input")


def output_file(what: str = "output file", stdout: bool = False):
    """An argparse ``type``: a path a result can be written to (``-`` too when ``stdout``;
    :func:`keras_motifs.io.files.check_output_file`)."""
    from .io.files import check_output_file

    def check(text, what):
        return text if stdout and is_stdout(text) else check_output_file(text, what)
    return _file_type(check, what, "output")


def output_dir(what: str = "output folder"):
    """An argparse ``type``: a folder results can be written in (existing or creatable)."""
    from .io.files import check_output_dir

    return _file_type(check_output_dir, what, "output_dir")
