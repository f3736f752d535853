"""The ``keras-motifs`` command line. Each sub-command lives in ``keras_motifs/commands/<name>.py``
and exposes ``register(subparsers)``, which adds its parser and sets ``func`` (args → exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules of keras_motifs.commands that provide sub-commands; add yours here.
COMMAND_MODULES: list[str] = ["deepbind"]
COMMAND_MODULES += ["motifs", "mutation_map", "score_variants"]  # interpretation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-motifs",
        description="Published DNA/RNA binding-motif models in Keras 3: train, score, interpret.",
    )
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

    try:
        return int(args.func(args) or 0)
    except (KerasMotifsError, FileNotFoundError) as exc:
        print(f"keras-motifs {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
