"""A paper's motif analysis as data: which layer, how filters are aligned, how motifs are compared.

:class:`MotifProtocol` holds every setting :func:`keras_motifs.interpret.analyse_filters` needs:
the alignment (layer, rule, window, alphabet, minimum sites), the MEME file (which filters, which
background, trimming), Tomtom (targets, distance, minimum overlap, the threshold and whether it
is on E-, p- or q-values) and the match rule (any hit or the best hit, against ground-truth
target IDs when given). Each paper's protocol is a plain dict beside its presets
(``keras_motifs/models/<family>/presets.py``, ``MOTIF_PROTOCOL``), registered with the preset
registry (:func:`keras_motifs.registry.motif_protocol`); :meth:`MotifProtocol.from_dict` turns it
into this object. The defaults are ``keras-motifs motifs``' own analysis.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

THRESHOLD_COLUMNS = ("e_value", "p_value", "q_value")
_THRESHOLD_ALIASES = {"e": "e_value", "evalue": "e_value", "p": "p_value", "pvalue": "p_value",
                      "q": "q_value", "qvalue": "q_value"}
MATCH_RULES = ("any", "best")
MEME_STYLES = ("keras_motifs", "koo_eddy")
BACKGROUNDS = ("uniform", "letter_frequencies")


@dataclass(frozen=True)
class MotifProtocol:
    """One motif analysis (see the module docstring). Fields:

    * ``name`` — whose protocol (a family/paper name, or ``"keras_motifs"`` for the command's own);
    * ``layer`` — the layer whose outputs are the activations (None: the first ``Conv1D``);
    * ``rule`` — alignment rule of :func:`~keras_motifs.interpret.filter_motifs` (``koo_eddy``,
      ``basset``/``ideeps``, ``deepbind``/``danq``);
    * ``window`` — a fixed window centred on each activation (Koo & Eddy's 19), or None for the
      convolution's receptive field;
    * ``alphabet`` — the model's channel order (``AGCT`` for DanQ); None: from the model's preset;
    * ``min_sites`` — filters with fewer aligned sites are left out (None: the rule's default,
      10 for basset, 1 otherwise) unless ``all_filters``;
    * ``all_filters`` — every filter goes to the MEME file and Tomtom, even without sites;
    * ``background`` — MEME background: ``uniform`` or ``letter_frequencies`` (of the input, +1
      pseudocount per letter, as iDeepS wrote it);
    * ``trim``, ``trim_bits``, ``trim_pad`` — Tomtom compares motifs clipped to the positions with
      more than ``trim_bits`` bits, padded by ``trim_pad`` (Koo & Eddy's ``clip_filters``);
    * ``meme_style`` — ``keras_motifs`` (trimmed motifs named ``trim<start>-<end>``, ``nsites`` the
      number of sites) or ``koo_eddy`` (the code's MEME writer: no alternative name, ``nsites`` the
      width);
    * ``targets`` — Tomtom targets: a JASPAR release name (``JASPAR2016``: CORE vertebrates via
      pyjaspar), a shared motif set name (``Ray2013``), a MEME path, or None (no Tomtom);
    * ``distance``, ``min_overlap`` — Tomtom's column distance and minimum overlap;
    * ``threshold_on``, ``threshold`` — a hit is a pair with ``threshold_on`` (``e_value``,
      ``p_value`` or ``q_value``) below ``threshold``;
    * ``all_pairs`` — the Tomtom table written holds every pair (the threshold is applied when
      matching) instead of the hits only;
    * ``match`` — ``any``: a filter matches the ground truth if any of its hits is a ground-truth
      target, a ground-truth motif is recovered if any filter hits it; ``best``: only each
      filter's best hit counts (Koo & Eddy);
    * ``best_by`` — the columns that rank a filter's hits (lowest first);
    * ``ground_truth`` — name → target IDs counted as that motif (e.g. a TF's JASPAR IDs), or None.
    """

    name: str = "keras_motifs"
    layer: str | None = None
    rule: str = "koo_eddy"
    window: int | None = None
    alphabet: str | None = None
    min_sites: int | None = None
    all_filters: bool = False
    background: str = "uniform"
    trim: bool = True
    trim_bits: float = 0.5
    trim_pad: int = 3
    meme_style: str = "keras_motifs"
    targets: str | None = "JASPAR2016"
    distance: str = "pearson"
    min_overlap: int = 5
    threshold_on: str = "e_value"
    threshold: float = 0.01
    all_pairs: bool = False
    match: str = "any"
    best_by: tuple[str, ...] = ("p_value",)
    ground_truth: tuple[tuple[str, tuple[str, ...]], ...] | None = None

    def __post_init__(self):
        from .alignment import normalize_rule

        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731  (frozen: normalise in place)
        normalize_rule(self.rule)  # an unknown rule fails here, naming the rules
        on = _THRESHOLD_ALIASES.get(str(self.threshold_on).lower(), str(self.threshold_on).lower())
        if on not in THRESHOLD_COLUMNS:
            raise ValueError(f"threshold_on must be one of {THRESHOLD_COLUMNS}, not {self.threshold_on!r}")
        set_("threshold_on", on)
        set_("threshold", float(self.threshold))
        if self.match not in MATCH_RULES:
            raise ValueError(f"match must be one of {MATCH_RULES}, not {self.match!r}")
        if self.meme_style not in MEME_STYLES:
            raise ValueError(f"meme_style must be one of {MEME_STYLES}, not {self.meme_style!r}")
        if self.background not in BACKGROUNDS:
            raise ValueError(f"background must be one of {BACKGROUNDS}, not {self.background!r}")
        if self.distance not in ("pearson", "euclidean"):
            raise ValueError(f"distance must be 'pearson' or 'euclidean', not {self.distance!r}")
        best_by = (self.best_by,) if isinstance(self.best_by, str) else tuple(self.best_by)
        bad = [c for c in best_by if c not in THRESHOLD_COLUMNS]
        if not best_by or bad:
            raise ValueError(f"best_by must be columns of {THRESHOLD_COLUMNS}, not {self.best_by!r}")
        set_("best_by", best_by)
        if self.window is not None:
            set_("window", int(self.window))
        if isinstance(self.ground_truth, Mapping):
            set_("ground_truth", tuple((str(k), tuple(str(i) for i in v)) for k, v in self.ground_truth.items()))
        elif self.ground_truth is not None:
            set_("ground_truth", tuple((str(k), tuple(str(i) for i in v)) for k, v in self.ground_truth))

    @property
    def ground_truth_ids(self) -> dict[str, list[str]] | None:
        """``ground_truth`` as a dict (name → target IDs), or None."""
        return None if self.ground_truth is None else {k: list(v) for k, v in self.ground_truth}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], **overrides) -> "MotifProtocol":
        """A protocol from a plain dict (a preset file's ``MOTIF_PROTOCOL``); unknown keys are an
        error; ``overrides`` replace fields (None values are ignored)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        merged = {**dict(data), **{k: v for k, v in overrides.items() if v is not None}}
        unknown = sorted(set(merged) - fields)
        if unknown:
            raise ValueError(f"unknown motif protocol fields {unknown}; fields: {sorted(fields)}")
        if isinstance(merged.get("best_by"), list):
            merged["best_by"] = tuple(merged["best_by"])
        return cls(**merged)

    def to_dict(self) -> dict:
        """The protocol as a plain dict (JSON-ready; ``from_dict`` gives it back)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["best_by"] = list(self.best_by)
        out["ground_truth"] = self.ground_truth_ids
        return out

    def replace(self, **changes) -> "MotifProtocol":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def get_protocol(protocol: "MotifProtocol | Mapping | str | None" = None) -> MotifProtocol:
    """A :class:`MotifProtocol` from a protocol, a dict, or a registered name (a model family
    such as ``"koo_eddy"``, or a preset name); None gives the default protocol. Names are looked
    up in :mod:`keras_motifs.registry` (import :mod:`keras_motifs.models` first to fill it)."""
    if protocol is None:
        return MotifProtocol()
    if isinstance(protocol, MotifProtocol):
        return protocol
    if isinstance(protocol, Mapping):
        return MotifProtocol.from_dict(protocol)
    from ..registry import motif_protocol

    return MotifProtocol.from_dict(motif_protocol(str(protocol)))
