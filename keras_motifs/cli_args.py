"""One flag style for the ``keras-motifs`` CLI and the ``reproductions/`` scripts.

* Options are spelled with hyphens (``--data-dir``); the underscore spelling (``--data_dir``) is
  accepted as an alias of every option (:class:`ArgumentParser`).
* :func:`common_options` adds the options every program shares, with one meaning everywhere:
  ``--data-dir``, ``--out``, ``--seed``, ``--tfds-dir``, ``-q``/``--quiet``, ``-v``/``--verbose``.
* ``-`` as an output file name means standard output (:func:`is_stdout`).
"""

from __future__ import annotations

import argparse

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


def common_options(parser: argparse.ArgumentParser, *, data_dir: str | None = None, out: str | None = None,
                   seed: int | None = None, seeds: bool = False, tfds_dir: bool = True,
                   verbosity: bool = True) -> argparse.ArgumentParser:
    """Add the shared options. ``data_dir``/``out`` are help texts (None: the option is not added);
    ``seed`` is the default seed; ``seeds=True`` makes ``--seed`` take one or more values (then
    ``args.seed`` is a list)."""
    if data_dir is not None:
        parser.add_argument("--data-dir", dest="data_dir", default=None, help=data_dir)
    if out is not None:
        parser.add_argument("--out", default=None, help=out)
    if seed is not None:
        if seeds:
            parser.add_argument("--seed", "--seeds", dest="seed", type=int, nargs="+", default=[seed],
                                help=f"random seed(s) (default: {seed})")
        else:
            parser.add_argument("--seed", type=int, default=seed, help=f"random seed (default: {seed})")
    if tfds_dir:
        parser.add_argument("--tfds-dir", dest="tfds_dir", default=None,
                            help="where TFDS keeps prepared datasets (default: TFDS's own, ~/tensorflow_datasets)")
    if verbosity:
        loud = parser.add_mutually_exclusive_group()
        loud.add_argument("-q", "--quiet", action="store_const", const=-1, dest="verbosity", default=0,
                          help="print warnings and errors only")
        loud.add_argument("-v", "--verbose", action="count", dest="verbosity",
                          help="more output (repeat for more): training progress, debug logging")
    return parser


def is_stdout(path) -> bool:
    """True when an output path is ``-`` (standard output)."""
    return str(path) == STDOUT
