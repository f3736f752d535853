"""Every Python and shell block of README.md runs, so that the README cannot drift from the code.

Each fenced block's kind is the HTML comment on the line(s) just before its fence::

    <!-- readme-test: run -->              run by default (the default when there is no comment)
    <!-- readme-test: slow -->             run only with ``-m slow``
    <!-- readme-test: skip (reason) -->    never run; only for blocks that cannot run in a test
    <!-- readme-test: needs-shared -->     skipped with a reason when the shared data is absent
    <!-- readme-test: env NAME=VALUE -->   extra environment for the block (a small-budget switch)

Words may be combined in one comment (``slow needs-shared``) or given in consecutive comments.

Each block runs in a fresh process (``python FILE`` / ``bash -e -o pipefail FILE``) with the
current interpreter as ``python`` and ``keras-motifs``, this checkout first on ``PYTHONPATH``, in
a temporary folder laid out as the README assumes: ``reproductions/`` and ``benchmarks/`` of the
repository beside the block's outputs, and ``../shared`` the shared folder
(:func:`keras_motifs.paths.shared_dir`) when it exists. TFDS datasets go to a temporary
``TFDS_DATA_DIR`` shared by the blocks of one session (a cache: synthetic_tiny is prepared once).
Nothing is written into the repository (checked). In Python blocks, a comment ``# -> TEXT`` on a
line with ``print(`` is the expected output: some printed line must equal TEXT (whitespace runs
compared as one space).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from keras_motifs.paths import ENV_VAR, shared_data_dir, shared_dir

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
LANGUAGES = {"python", "bash"}
KINDS = {"run", "slow", "skip"}
LINKED = ("reproductions", "benchmarks")  # repository folders the README's commands name
TIMEOUT_S = {"run": 600, "slow": 3600}
DANQ_BEST = "outputs/danq/danq/training/best.keras"  # reproductions/danq.py: <out>/<model>/training/best.keras

DIRECTIVE_RE = re.compile(r"^\s*<!--\s*readme-test:\s*(.*?)\s*-->\s*$")
FENCE_RE = re.compile(r"^```(\S*)\s*$")
EXPECT_RE = re.compile(r"print\(.*#\s*->\s*(.+?)\s*$")


@dataclass
class Block:
    index: int
    lang: str
    line: int  # 1-based line of the opening fence
    code: str
    section: str = ""
    kind: str = "run"
    reason: str = ""
    needs_shared: bool = False
    env: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    @property
    def id(self) -> str:
        slug = "-".join(re.findall(r"[a-z0-9]+", self.section.lower())[:2])
        return f"{self.index:02d}-{self.lang or 'text'}-{slug or 'top'}"


def _apply_directive(block: Block, text: str) -> None:
    kinds = []
    m = re.match(r"^skip\s*(?:\((.*)\))?\s*$", text)
    if text.startswith("skip"):
        if not m or not (m.group(1) or "").strip():
            block.errors.append(f"'skip' needs a reason in parentheses: {text!r}")
        else:
            kinds.append("skip")
            block.reason = m.group(1).strip()
    else:
        words = text.split()
        i = 0
        while i < len(words):
            w = words[i]
            if w in ("run", "slow"):
                kinds.append(w)
            elif w == "needs-shared":
                block.needs_shared = True
            elif w == "env":
                i += 1
                if i >= len(words) or "=" not in words[i]:
                    block.errors.append(f"'env' needs NAME=VALUE: {text!r}")
                while i < len(words) and "=" in words[i]:
                    name, value = words[i].split("=", 1)
                    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                        block.errors.append(f"bad environment variable name {name!r}")
                    block.env[name] = value
                    i += 1
                continue
            else:
                block.errors.append(f"unknown readme-test word {w!r} in {text!r}")
            i += 1
    if kinds:
        if len(kinds) > 1 or (block.kind != "run" and kinds[0] != block.kind):
            block.errors.append(f"more than one kind: {[block.kind, *kinds]}")
        block.kind = kinds[-1]


def parse_readme(text: str) -> tuple[list[Block], list[str]]:
    """The fenced blocks of ``text`` with their directives, and errors outside any block
    (a directive comment not directly followed by a fence)."""
    lines = text.splitlines()
    blocks, errors, pending = [], [], []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        d = DIRECTIVE_RE.match(line)
        if d:
            pending.append((i + 1, d.group(1)))
            i += 1
            continue
        f = FENCE_RE.match(line)
        if f:
            start = i
            i += 1
            body = []
            while i < len(lines) and lines[i].rstrip() != "```":
                body.append(lines[i])
                i += 1
            block = Block(len(blocks), f.group(1), start + 1, "\n".join(body) + "\n", section)
            if i >= len(lines):
                block.errors.append("fence not closed")
            for _, directive in pending:
                _apply_directive(block, directive)
            pending = []
            blocks.append(block)
            i += 1
            continue
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        if line.lstrip().startswith("<!--") and "readme-test" in line:
            errors.append(f"line {i + 1}: malformed readme-test comment: {line.strip()!r}")
        if pending:
            errors.extend(f"line {n}: readme-test comment not directly before a fence" for n, _ in pending)
            pending = []
        i += 1
    errors.extend(f"line {n}: readme-test comment at the end of the file" for n, _ in pending)
    return blocks, errors


BLOCKS, PARSE_ERRORS = parse_readme(README.read_text(encoding="utf-8"))


def _params():
    for b in BLOCKS:
        if b.lang not in LANGUAGES:
            continue
        marks = []
        if b.kind == "slow":
            marks.append(pytest.mark.slow)
        elif b.kind == "skip":
            marks.append(pytest.mark.skip(reason=f"README block at line {b.line}: {b.reason}"))
        yield pytest.param(b, id=b.id, marks=marks)


# ---------------------------------------------------------------------------------------------
# The README's structure
# ---------------------------------------------------------------------------------------------
def test_every_block_has_a_known_kind():
    assert not PARSE_ERRORS, PARSE_ERRORS
    assert BLOCKS, "no fenced blocks found in README.md"
    problems = []
    for b in BLOCKS:
        where = f"README.md line {b.line}"
        problems += [f"{where}: {e}" for e in b.errors]
        if b.lang not in LANGUAGES:
            problems.append(f"{where}: fenced block of language {b.lang!r}; use one of {sorted(LANGUAGES)}")
        if b.kind not in KINDS:
            problems.append(f"{where}: kind {b.kind!r}")
        if b.kind == "skip" and not b.reason:
            problems.append(f"{where}: skip without a reason")
        if b.kind != "skip" and "../shared" in b.code and not b.needs_shared:
            problems.append(f"{where}: uses ../shared but is not marked needs-shared")
    assert not problems, "\n".join(problems)


def test_parser_reads_kinds_reasons_and_env():
    text = "\n".join([
        "```bash", "echo default", "```",
        "<!-- readme-test: slow needs-shared -->", "```python", "print(1)", "```",
        "<!-- readme-test: skip (the install itself) -->", "```bash", "pip install .", "```",
        "<!-- readme-test: run -->", "<!-- readme-test: env A=1 B=x=y -->", "```bash", "echo $A", "```",
        "<!-- readme-test: skip -->", "```bash", "true", "```",
        "<!-- readme-test: fast -->", "```bash", "true", "```",
        "<!-- readme-test: slow -->", "", "```bash", "true", "```",
    ])
    blocks, errors = parse_readme(text)
    assert [(b.kind, b.needs_shared, b.reason, b.env) for b in blocks[:4]] == [
        ("run", False, "", {}), ("slow", True, "", {}), ("skip", False, "the install itself", {}),
        ("run", False, "", {"A": "1", "B": "x=y"}),
    ]
    assert not any(b.errors for b in blocks[:4])
    assert blocks[4].errors and "reason" in blocks[4].errors[0]
    assert blocks[5].errors and "fast" in blocks[5].errors[0]
    assert blocks[6].kind == "run" and errors == ["line 25: readme-test comment not directly before a fence"]


def test_documented_danq_output_paths_are_the_scripts_layout():
    """The README and the sub-commands' --help examples name the DanQ model where
    reproductions/danq.py writes it (the small-budget main-job block lists the files)."""
    sources = {README: README.read_text(encoding="utf-8")}
    sources.update({p: p.read_text(encoding="utf-8") for p in sorted((REPO / "keras_motifs" / "commands").glob("*.py"))})
    cited = {(p.relative_to(REPO).as_posix(), m) for p, text in sources.items()
             for m in re.findall(r"outputs/danq/\S*?\.keras", text)}
    assert cited, "no DanQ model path cited"
    wrong = sorted(c for c in cited if c[1] != DANQ_BEST)
    assert not wrong, f"paths other than {DANQ_BEST}: {wrong}"
    script = (REPO / "reproductions" / "danq.py").read_text(encoding="utf-8")
    assert 'out / key / "training"' in script, "reproductions/danq.py's output layout changed: update DANQ_BEST"
    assert any(b.kind == "run" and f"ls " in b.code and DANQ_BEST in b.code for b in BLOCKS)


# ---------------------------------------------------------------------------------------------
# Running the blocks
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tfds_data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("readme_tfds")


def _layout(root: Path) -> Path:
    """``root/repo`` (the block's working folder) with the linked repository folders, and
    ``root/shared`` -> the shared folder when there is one."""
    work = root / "repo"
    work.mkdir()
    for name in LINKED:
        (work / name).symlink_to(REPO / name, target_is_directory=True)
    shared = shared_dir()
    if shared.is_dir():
        (root / "shared").symlink_to(shared.resolve(), target_is_directory=True)
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    wrapper = bin_dir / "keras-motifs"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m keras_motifs.cli "$@"\n')
    wrapper.chmod(0o755)
    return work


def _environment(root: Path, tfds_dir: Path, block: Block) -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env["TFDS_DATA_DIR"] = str(tfds_dir)
    env["MPLBACKEND"] = "Agg"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if shared_dir().is_dir():
        env[ENV_VAR] = str(shared_dir().resolve())
    env.update(block.env)
    return env


def _expected_outputs(block: Block) -> list[str]:
    if block.lang != "python":
        return []
    return [" ".join(m.group(1).split()) for line in block.code.splitlines() if (m := EXPECT_RE.search(line))]


def _repo_entries() -> set[str]:
    return set(os.listdir(REPO))


@pytest.mark.parametrize("block", list(_params()))
def test_readme_block(block: Block, tmp_path, tfds_data_dir):
    assert not block.errors, block.errors
    if block.needs_shared and not shared_data_dir().is_dir():
        pytest.skip(f"shared data not found at {shared_data_dir()} (set {ENV_VAR} to the folder holding data/)")
    work = _layout(tmp_path)
    script = tmp_path / ("block.py" if block.lang == "python" else "block.sh")
    script.write_text(block.code, encoding="utf-8")
    cmd = [sys.executable, str(script)] if block.lang == "python" else ["bash", "-e", "-o", "pipefail", str(script)]
    before = _repo_entries()
    try:
        r = subprocess.run(cmd, cwd=work, env=_environment(tmp_path, tfds_data_dir, block), capture_output=True,
                           text=True, timeout=TIMEOUT_S[block.kind])
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"README block at line {block.line} ran past {exc.timeout} s")
    report = f"README block at line {block.line} ({block.lang}):\n{block.code}\n--- stdout ---\n{r.stdout[-4000:]}" \
             f"\n--- stderr ---\n{r.stderr[-6000:]}"
    assert r.returncode == 0, report
    printed = {" ".join(line.split()) for line in r.stdout.splitlines()}
    missing = [e for e in _expected_outputs(block) if e not in printed]
    assert not missing, f"expected output lines not printed: {missing}\n{report}"
    assert _repo_entries() == before, f"the block wrote into the repository: {sorted(_repo_entries() - before)}"
