"""The DeepBind model database: the index ``db.tsv`` and the folder ``params/``.

``db.tsv`` (DeepBind v0.1 web repository) lists 2,622 model IDs with the columns ID, Protein,
Type, Species, Family, Class, Experiment, Experiment Details, Model, Cite, Labels, Path, Comment;
lines starting with ``#`` are comments. Parameter files exist for 927 of them (the released
models); :meth:`Database.find` returns only those unless ``with_params=False``.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataFormatError
from ..paths import ENV_VAR, shared_data_dir
from .params import MODEL_ID_RE, DeepBindParams, check_model_id, read_params

COLUMNS = (
    "ID", "Protein", "Type", "Species", "Family", "Class", "Experiment", "Experiment Details",
    "Model", "Cite", "Labels", "Path", "Comment",
)


@dataclass(frozen=True)
class ModelInfo:
    """One row of ``db.tsv``."""

    id: str
    protein: str
    type: str
    species: str
    family: str
    structural_class: str
    experiment: str
    experiment_details: tuple[str, ...]
    model: str
    cite: str
    labels: str
    path: str
    comment: str
    line: str  # the raw line (for --dump-info)

    @property
    def deprecated(self) -> bool:
        return "deprecated" in self.labels.lower()

    def details(self) -> dict[str, str]:
        """Experiment details as a dict, e.g. ``{"Cell Line": "K562", "Lab": "Stanford"}``."""
        out = {}
        for item in self.experiment_details:
            key, _, value = item.partition("=")
            out[key.strip()] = value.strip()
        return out


def default_db_dir() -> Path:
    """``<shared>/data/deepbind_models`` (set ``KERAS_MOTIFS_SHARED`` to move it)."""
    return shared_data_dir("deepbind_models")


def _parse_details(text: str, path: str, lineno: int) -> tuple[str, ...]:
    text = text.strip()
    if not text:
        return ()
    if len(text) > 10_000:  # literal_eval executes nothing, but deep nesting can exhaust the stack
        raise DataFormatError(f"file '{path}', line {lineno}: Experiment Details of {len(text)} characters; too long")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise DataFormatError(f"file '{path}', line {lineno}: cannot read Experiment Details {text[:80]!r}") from None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise DataFormatError(f"file '{path}', line {lineno}: Experiment Details must be a list of strings")
    return tuple(value)


def read_index(path: "str | os.PathLike") -> tuple[list[str], dict[str, ModelInfo]]:
    """Read ``db.tsv``; returns the header line and the rows by ID (in file order)."""
    path = str(path)
    rows: dict[str, ModelInfo] = {}
    header = None
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.readlines()
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"file '{path}': not UTF-8 text ({exc}); not a DeepBind db.tsv index") from None
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if fields[0] == "ID":
            if tuple(f.strip() for f in fields[: len(COLUMNS)]) != COLUMNS:
                raise DataFormatError(f"file '{path}', line {lineno}: unexpected header {fields}")
            header = raw
            continue
        if header is None:
            raise DataFormatError(f"file '{path}', line {lineno}: data line before the 'ID ...' header")
        if len(fields) < len(COLUMNS):
            fields = fields + [""] * (len(COLUMNS) - len(fields))
        model_id = check_model_id(fields[0], f"file '{path}', line {lineno}: ")
        if model_id in rows:
            raise DataFormatError(f"file '{path}', line {lineno}: model id {model_id} listed twice")
        rows[model_id] = ModelInfo(
            id=model_id,
            protein=fields[1],
            type=fields[2],
            species=fields[3],
            family=fields[4],
            structural_class=fields[5],
            experiment=fields[6],
            experiment_details=_parse_details(fields[7], path, lineno),
            model=fields[8],
            cite=fields[9],
            labels=fields[10],
            path=fields[11],
            comment=fields[12],
            line=raw if raw.endswith("\n") else raw + "\n",
        )
    if header is None:
        raise DataFormatError(f"file '{path}': no 'ID\\tProtein\\t...' header line")
    return header, rows


class Database:
    """A DeepBind model database folder holding ``db.tsv`` and ``params/``.

    Example::

        db = Database()                                  # the shared copy
        db.find(protein="CTCF", experiment="ChIP-seq")   # -> [ModelInfo, ...]
        params = db.params("D00328.003")                 # -> DeepBindParams
    """

    def __init__(self, db_dir: "str | os.PathLike | None" = None):
        self.dir = Path(db_dir) if db_dir is not None else default_db_dir()
        self.index_path = self.dir / "db.tsv"
        self.params_dir = self.dir / "params"
        if not self.params_dir.is_dir():
            hint = "" if db_dir is not None else f" (set {ENV_VAR} or pass the folder explicitly)"
            raise FileNotFoundError(
                f"DeepBind database folder '{self.dir}' has no params/ subfolder{hint}"
            )
        self._header = None
        self._rows = None

    def _load_index(self):
        if self._rows is None:
            if not self.index_path.is_file():
                raise FileNotFoundError(f"DeepBind database index '{self.index_path}' not found")
            self._header, self._rows = read_index(self.index_path)
        return self._rows

    @property
    def header(self) -> str:
        self._load_index()
        return self._header

    def info(self, model_id: str) -> ModelInfo:
        rows = self._load_index()
        check_model_id(model_id)
        if model_id not in rows:
            raise KeyError(f"model id {model_id} is not in '{self.index_path}'")
        return rows[model_id]

    def available_ids(self) -> list[str]:
        """IDs that have a parameter file, sorted."""
        return sorted(p.stem for p in self.params_dir.glob("D*.txt") if MODEL_ID_RE.match(p.stem))

    def has_params(self, model_id: str) -> bool:
        return (self.params_dir / f"{model_id}.txt").is_file()

    def params_path(self, model_id: str) -> Path:
        check_model_id(model_id)
        path = self.params_dir / f"{model_id}.txt"
        if not path.is_file():
            raise FileNotFoundError(f"no parameter file for model {model_id}: '{path}' does not exist")
        return path

    def params(self, model_id: str) -> DeepBindParams:
        return _read_params_cached(str(self.params_path(model_id)), model_id)

    def find(
        self,
        protein: str | None = None,
        species: str | None = None,
        type: str | None = None,
        experiment: str | None = None,
        family: str | None = None,
        with_params: bool = True,
        include_deprecated: bool = False,
        **details: str,
    ) -> list[ModelInfo]:
        """Rows of ``db.tsv`` matching every given field (case-insensitive, exact match).

        ``experiment`` is e.g. ``"ChIP-seq"``, ``"SELEX"``, ``"RNAcompete"``, ``"PBM"``;
        ``type`` is ``"TF"`` or ``"RBP"``; ``species`` e.g. ``"Homo sapiens"``. Keyword
        arguments not listed match Experiment Details keys ignoring case, spaces and underscores,
        e.g. ``cell_line="K562"`` matches ``CellLine=K562``, ``lab="Stanford"``. Deprecated models are left out unless
        ``include_deprecated``; IDs without a parameter file unless ``with_params=False``.
        """
        rows = self._load_index().values()
        wanted = {
            "protein": protein, "species": species, "type": type, "experiment": experiment,
            "family": family,
        }
        out = []
        for row in rows:
            if any(v is not None and getattr(row, k).lower() != v.lower() for k, v in wanted.items()):
                continue
            if details:
                d = {_norm_key(k): v.lower() for k, v in row.details().items()}
                if any(d.get(_norm_key(k)) != str(v).lower() for k, v in details.items()):
                    continue
            if row.deprecated and not include_deprecated:
                continue
            if with_params and not self.has_params(row.id):
                continue
            out.append(row)
        return out


def _norm_key(key: str) -> str:
    return key.lower().replace(" ", "").replace("_", "")


@lru_cache(maxsize=4096)
def _read_params_cached(path: str, model_id: str) -> DeepBindParams:
    return read_params(path, model_id=model_id)
