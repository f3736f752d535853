"""The ``keras-motifs`` command line. Each sub-command lives in ``keras_motifs/commands/<name>.py``
and exposes ``register(subparsers)``, which adds its parser and sets ``func`` (args → exit code).

Common options: ``--version``, ``-q``/``--quiet`` (warnings and errors only), ``-v``/``--verbose``
(debug logging, TensorFlow's own logging, and a traceback with errors).

Errors, for every sub-command and any bad input: exactly one line on stderr, ``error: ...``
(naming the file or option, the record and the problem), exit status 1, no traceback (``-v``
adds it). Options are checked while the command line is parsed (argument types of
:mod:`keras_motifs.cli_args`: positive sizes, indices, alphabets, readable regular input files,
writable outputs), so a bad value stops the command before any work; argparse's usage errors
also give that one line and status 1 (not argparse's usage text and status 2). Whatever a command
raises becomes that line here (:func:`error_line`): the package's own errors as they are, an
``OSError`` as its path and problem in words (a folder, a permission, a symbolic-link loop, a
name too long, a full disk), and anything else as its type and message. Interrupted with Ctrl-C:
``error: interrupted``, status 130.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .version import __version__
from .cli_args import ArgumentParser, common_options

# Modules of keras_motifs.commands that provide sub-commands; add yours here.
COMMAND_MODULES: list[str] = ["deepbind"]
COMMAND_MODULES += ["motifs", "mutation_map", "score_variants", "attribute"]  # interpretation
COMMAND_MODULES += ["train", "predict"]  # your own data

_MAX_MESSAGE = 2000  # characters of one error line


class CommandLineParser(ArgumentParser):
    """The CLI's parser: a usage error raises :class:`~keras_motifs.errors.UsageError` (printed by
    :func:`main` as one ``error:`` line, status 1) instead of printing the usage and exiting 2.
    Sub-command parsers are of this class too (argparse makes them of the parent's class)."""

    def error(self, message):
        from .errors import UsageError

        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(
        prog="keras-motifs",
        description="Published DNA/RNA binding-motif models in Keras 3: score with the pretrained DeepBind "
                    "models, interpret trained models (motifs, mutation maps, variant effects).",
    )
    parser.add_argument("--version", action="version", version=f"keras-motifs {__version__}")
    common_options(parser, tfds_dir=False,
                   verbosity="debug logging, TensorFlow's own logging, tracebacks with errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"keras_motifs.commands.{name}").register(sub)
    return parser


def _option_names(parser, command) -> dict:
    """dest → how the command line spells it (``--targets``, or a positional's name)."""
    names = {}
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its sub-parsers here
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:  # noqa: SLF001
            for a in action.choices[command]._actions:  # noqa: SLF001
                names[a.dest] = a.option_strings[0] if a.option_strings else a.dest
    return names


def _option_of(path, args, names) -> str | None:
    """The option whose value is ``path`` (the file an OSError names), if any."""
    if path is None or args is None:
        return None
    path = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    for dest, value in vars(args).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, (str, os.PathLike)) and str(v) == path for v in values):
            return names.get(dest, dest)
    return None


def error_line(exc: BaseException, args=None, names=None) -> str:
    """The one line ``error: ...`` that :func:`main` prints for ``exc``."""
    from .errors import KerasMotifsError
    from .io.files import describe_os_error, show_path

    names = names or {}
    if isinstance(exc, KerasMotifsError):
        message = str(exc)
    elif isinstance(exc, OSError):
        problem = describe_os_error(exc)
        if exc.filename is not None:
            option = _option_of(exc.filename, args, names)
            where = f"{option} " if option else ""
            message = f"{where}{show_path(exc.filename)}: {problem}"
            if exc.filename2 is not None:
                message += f" (with {show_path(exc.filename2)})"
        else:
            text = str(exc)
            message = text if text and not text.startswith("[Errno") else problem
    elif isinstance(exc, MemoryError):
        message = "out of memory; use a smaller --batch-size or fewer sequences (--max-sequences)"
    elif isinstance(exc, RecursionError):
        message = "the input is nested too deeply to read"
    elif isinstance(exc, KeyError):
        message = str(exc.args[0]) if exc.args else "KeyError"
    elif isinstance(exc, (ValueError, OverflowError, IndexError, ArithmeticError)):
        message = str(exc) or type(exc).__name__
    else:
        message = (f"unexpected {type(exc).__name__}: {exc} (rerun with -v for the traceback; this is a bug "
                   "if the input was valid)")
    message = " ".join(message.split())  # one line
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return f"error: {message}"


def run_script(main, argv: "list[str] | None" = None) -> int:
    """Run a reproduction script's ``main()``: the package's own errors (bad input, an unreadable or
    malformed file; :class:`keras_motifs.errors.KerasMotifsError`) end it with one ``error: ...``
    line on stderr and exit status 1, as the ``keras-motifs`` command does, the traceback above it
    only with ``-v``; any other exception keeps its traceback (a bug)."""
    import re
    import traceback

    from .errors import KerasMotifsError

    argv = sys.argv[1:] if argv is None else argv
    try:
        return main()
    except KerasMotifsError as exc:
        if any(a == "--verbose" or re.fullmatch(r"-v+", a) for a in argv):
            traceback.print_exc()
        print(error_line(exc), file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    from .errors import UsageError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(error_line(exc), file=sys.stderr)
        return 1
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from .logs import configure, import_tensorflow_quietly

    verbosity = args.verbosity or 0
    try:
        configure(verbosity)
        import_tensorflow_quietly(verbose=verbosity > 0)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of standard output went away (e.g. '| head')
        try:  # no second BrokenPipeError when Python flushes standard output at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        print("error: standard output was closed before all results were written (broken pipe)", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - every error becomes one line (a traceback only with -v)
        if verbosity > 0:
            import traceback

            traceback.print_exc()
        print(error_line(exc, args, _option_names(parser, args.command)), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
