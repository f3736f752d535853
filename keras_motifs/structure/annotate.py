"""Structural context of every nucleotide from a dot-bracket string (forgi's element string).

iDeepS labelled each nucleotide with EDeN's ``annotate_single``, itself a copy of the old forgi
``BulgeGraph``; we call the maintained ``forgi`` package (2.x) directly:

    F  dangling start (unpaired 5' end)      T  dangling end (unpaired 3' end)
    I  interior loop or bulge                H  hairpin loop
    M  multiloop, and exterior segments      S  stem (paired nucleotide)
       between two top-level stems

forgi's ``__init__`` imports its 3-D module, whose compiled extension was built against NumPy 1.x:
on NumPy 2 this prints an ABI traceback to stderr (the 2-D code we use is unaffected). The import
is done once, lazily, with stderr captured, and re-raised if forgi itself cannot be imported.
"""

from __future__ import annotations

import contextlib
import io
import re

from ..errors import InvalidSequenceError

CONTEXT_LETTERS = "FTIHMS"
_DOTBRACKET = re.compile(r"^[().]*$")
_BULGE_GRAPH = None


def _bulge_graph_class():
    """forgi's BulgeGraph, imported once with the NumPy-1.x ABI noise of forgi.threedee silenced."""
    global _BULGE_GRAPH
    if _BULGE_GRAPH is None:
        noise = io.StringIO()
        try:
            with contextlib.redirect_stderr(noise):
                from forgi.graph.bulge_graph import BulgeGraph
        except Exception as exc:  # pragma: no cover - depends on the installation
            raise ImportError(
                f"forgi could not be imported ({exc}); install it with 'pip install forgi'.\n"
                + noise.getvalue()
            ) from exc
        _BULGE_GRAPH = BulgeGraph
    return _BULGE_GRAPH


def check_dotbracket(dotbracket: str, record: "str | int | None" = None) -> None:
    """Raise InvalidSequenceError unless ``dotbracket`` is a balanced, pseudoknot-free structure."""
    where = f"structure {record}: " if record is not None else ""
    if not _DOTBRACKET.match(dotbracket):
        bad = next(i for i, c in enumerate(dotbracket) if c not in "().")
        raise InvalidSequenceError(
            f"{where}character {dotbracket[bad]!r} at position {bad} is not '(', ')' or '.' "
            "(only pseudoknot-free dot-brackets are supported)"
        )
    depth = 0
    for i, c in enumerate(dotbracket):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                raise InvalidSequenceError(f"{where}')' at position {i} closes no '('")
    if depth:
        raise InvalidSequenceError(f"{where}{depth} unclosed '(' in {dotbracket!r}")


def annotate(dotbracket: str, record: "str | int | None" = None) -> str:
    """Dot-bracket → string of F/T/I/H/M/S contexts, one letter per nucleotide.

    >>> annotate("..((...))..((...)).")
    'FFSSHHHSSMMSSHHHSST'
    """
    check_dotbracket(dotbracket, record)
    if not dotbracket:
        return ""
    if "(" not in dotbracket:  # forgi labels a structure without stems as one dangling start
        return "F" * len(dotbracket)
    graph = _bulge_graph_class().from_dotbracket(dotbracket)
    contexts = graph.to_element_string().upper()
    if len(contexts) != len(dotbracket) or set(contexts) - set(CONTEXT_LETTERS):
        raise RuntimeError(  # guards against a forgi version with a different element string
            f"forgi returned {contexts!r} for {dotbracket!r}: not one F/T/I/H/M/S letter per nucleotide"
        )
    return contexts
