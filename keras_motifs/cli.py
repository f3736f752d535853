"""The ``keras-motifs`` command line. Each sub-command lives in ``keras_motifs/commands/<name>.py``
and exposes ``register(subparsers)``, which adds its parser and sets ``func`` (args → exit code).

Common options: ``--version``, ``-q``/``--quiet`` (warnings and errors only), ``-v``/``--verbose``
(debug logging, TensorFlow's own logging, and a traceback with errors). Errors are one line on
stderr (``keras-motifs <command>: error: ...``) and exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .version import __version__
from .cli_args import ArgumentParser, common_options

# Modules of keras_motifs.commands that provide sub-commands; add yours here.
COMMAND_MODULES: list[str] = ["deepbind"]
COMMAND_MODULES += ["motifs", "mutation_map", "score_variants"]  # interpretation


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from .errors import KerasMotifsError
    from .logs import configure, import_tensorflow_quietly

    verbosity = args.verbosity or 0
    configure(verbosity)
    import_tensorflow_quietly(verbose=verbosity > 0)
    try:
        return int(args.func(args) or 0)
    except (KerasMotifsError, FileNotFoundError) as exc:
        if verbosity > 0:
            import traceback

            traceback.print_exc()
        print(f"keras-motifs {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
