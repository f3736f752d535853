"""The layers of the house (docs/DEVELOPING.md): imports only run downwards, no import circle, and
``import tfds_builders`` does not import the models.

Floors, bottom to top:
  0 ground — data, io, layers, losses, optimizers, initializers, errors, paths, registry, serialization
  1 tools  — training, metrics, interpret, pruning, structure, deepbind (scoring), reporting
  2 models — keras_motifs.models
  3 papers — keras_motifs.papers (each paper's protocol)
  4 top    — datasets (tfds_builders), the CLI (cli, commands), reproductions, benchmarks

Every import (module level or inside a function) is read with ``ast``; an import of a higher floor
is an error, and so is a circle of files importing each other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FLOORS = {
    "keras_motifs.data": 0, "keras_motifs.io": 0, "keras_motifs.layers": 0, "keras_motifs.losses": 0,
    "keras_motifs.optimizers": 0, "keras_motifs.initializers": 0, "keras_motifs.errors": 0,
    "keras_motifs.paths": 0, "keras_motifs.registry": 0, "keras_motifs.serialization": 0,
    "keras_motifs.logs": 0, "keras_motifs.progress": 0, "keras_motifs.cli_args": 0,
    "keras_motifs.version": 0,
    "keras_motifs": 0,  # the package's own __init__ (version only)
    "keras_motifs.training": 1, "keras_motifs.metrics": 1, "keras_motifs.interpret": 1,
    "keras_motifs.pruning": 1, "keras_motifs.structure": 1, "keras_motifs.deepbind": 1,
    "keras_motifs.reporting": 1,
    "keras_motifs.models": 2,
    "keras_motifs.papers": 3,
    "keras_motifs.cli": 4, "keras_motifs.commands": 4, "keras_motifs.datasets": 4, "tfds_builders": 4, "reproductions": 4, "benchmarks": 4,
}
ROOTS = ("keras_motifs", "tfds_builders", "reproductions", "benchmarks")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _floor(module: str) -> int | None:
    best = None
    for prefix, floor in FLOORS.items():
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, floor)
    return None if best is None else best[1]


def _sources() -> list[Path]:
    files = []
    for root in ROOTS:
        for p in sorted((REPO / root).rglob("*.py")):
            if p.name.endswith("_test.py") or "dummy_data" in p.parts:
                continue
            files.append(p)
    return files


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file; ``from . import x`` gives the
    submodule ``pkg.x`` when it is one."""
    tree = ast.parse(path.read_text(), filename=str(path))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                sub = f"{mod}.{a.name}"
                is_module = any((REPO / Path(*sub.split("."))).with_suffix(s).exists() for s in (".py",)) or (
                    REPO / Path(*sub.split(".")) / "__init__.py").exists()
                out.append((node.lineno, sub if is_module else mod))
    return [(line, m) for line, m in out if m.split(".")[0] in ROOTS]


def _file_of(module: str) -> Path | None:
    p = REPO / Path(*module.split("."))
    if p.with_suffix(".py").exists():
        return p.with_suffix(".py")
    if (p / "__init__.py").exists():
        return p / "__init__.py"
    return None


def test_every_package_module_has_a_floor():
    missing = [_module_name(p) for p in _sources() if _floor(_module_name(p)) is None]
    assert not missing, f"modules outside the floor table of this test (add them): {missing}"


def test_no_import_runs_upward():
    upward = []
    for path in _sources():
        me = _module_name(path)
        mine = _floor(me)
        for line, target in _imports(path):
            theirs = _floor(target)
            if theirs is not None and theirs > mine:
                upward.append(f"{path.relative_to(REPO)}:{line} (floor {mine}) imports {target} (floor {theirs})")
    assert not upward, "imports that run upward:\n" + "\n".join(upward)


def test_no_import_circle():
    graph: dict[Path, set[Path]] = {}
    for path in _sources():
        targets = set()
        for _, module in _imports(path):
            f = _file_of(module)
            if f is not None and f != path:
                targets.add(f)
        graph[path] = targets
    # A package's __init__ hands names on from its own modules; a module importing a name from its
    # own package's __init__ would close a trivial loop, so only loops through two or more real
    # modules are circles.
    state: dict[Path, int] = {}
    stack: list[Path] = []
    circles = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                loop = stack[stack.index(nxt):]
                if sum(1 for p in loop if p.name != "__init__.py") >= 2:
                    circles.append(" -> ".join(str(p.relative_to(REPO)) for p in loop + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_import_tfds_builders_does_not_import_the_models():
    code = (
        "import sys, tfds_builders, tensorflow_datasets as tfds\n"
        "tfds.builder_cls('deepsea')\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('keras_motifs.models', 'keras_motifs.papers')))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                       env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert r.returncode == 0, f"import tfds_builders imported: {r.stdout.strip()} {r.stderr[-2000:]}"


def test_no_script_edits_sys_path_and_no_test_loads_a_script_by_path():
    offenders = []
    for folder in ("reproductions", "benchmarks"):
        for p in (REPO / folder).glob("*.py"):
            if "sys.path" in p.read_text():
                offenders.append(str(p.relative_to(REPO)))
    for p in (REPO / "tests").glob("*.py"):
        if p.name == Path(__file__).name:
            continue
        if "spec_from_file_location" in p.read_text() or "runpy" in p.read_text():
            offenders.append(str(p.relative_to(REPO)))
    assert not offenders, offenders
