"""The one preset registry: preset name → builder, hyperparameters, training settings, alphabet.

Each model folder registers its own presets when it is imported (``keras_motifs.models``
imports them all)::

    register_presets(PRESETS, DanQ, family="danq")

``PRESETS`` maps a preset name to its hyperparameters as data (with ``"training"``: optimizer,
learning_rate, batch_size, epochs, early_stopping_patience, monitor, ...). ``builder(name,
**overrides)`` returns an uncompiled ``keras.Model``. The registry sits on the ground floor of the
package (it imports nothing of it), so tools such as :func:`keras_motifs.training.train` and the
interpretation commands resolve preset names without importing the models; the models fill it.

Look-ups: :func:`available`, :func:`get_preset` (a deep copy of the hyperparameters),
:func:`build`, :func:`training_config`, :func:`preset_info` (family, alphabet, input shape, motif
protocol), :func:`motif_protocol` (a family's motif analysis as a plain dict: the family's
``MOTIF_PROTOCOL``, registered with ``register_presets(..., motif_protocol=MOTIF_PROTOCOL)``;
``keras_motifs.interpret.MotifProtocol.from_dict`` reads it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = [
    "PresetInfo", "register_presets", "available", "get_preset", "preset_info", "build", "training_config",
    "find_by_model_name", "motif_protocol", "motif_protocols",
]


@dataclass(frozen=True)
class PresetInfo:
    """What the registry knows of one preset.

    ``alphabet`` is the channel order of the (first) sequence input (``"AGCT"`` for DanQ/DeepSEA,
    ``"ACGU"`` for iDeepS); ``input_shape`` is ``(length, channels)`` of that input;
    ``motif_protocol`` is the family's motif analysis as a plain dict (see
    ``keras_motifs.interpret.protocol``) or None.
    """

    name: str
    family: str
    builder: Callable = field(repr=False, compare=False)
    hyperparameters: Mapping[str, Any] = field(repr=False, compare=False)
    training: Callable[[], dict] = field(repr=False, compare=False)
    motif_protocol: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def alphabet(self) -> str | None:
        hp = self.hyperparameters
        return hp.get("alphabet") or hp.get("sequence_alphabet")

    @property
    def input_shape(self) -> tuple[int, int] | None:
        length, alphabet = self.hyperparameters.get("sequence_length"), self.alphabet
        return (int(length), len(alphabet)) if length and alphabet else None


_REGISTRY: dict[str, PresetInfo] = {}
_LABELS: dict[str, str] = {}
_PROTOCOLS: dict[str, Mapping[str, Any]] = {}


def register_presets(
    presets: Mapping[str, Mapping],
    builder: Callable,
    *,
    family: str,
    label: str | None = None,
    training_config: Callable[[str], dict] | None = None,
    motif_protocol: Mapping[str, Any] | None = None,
) -> None:
    """Register every preset of ``presets`` with ``builder(name, **overrides)``.

    ``label`` is the family's name in messages (``"DanQ"``; default ``family``).
    ``training_config(name)`` gives a preset's training settings when they are not stored under
    the preset's ``"training"`` key (e.g. Koo & Eddy's paper/code variants). ``motif_protocol``
    is the family's motif analysis as a plain dict (its ``MOTIF_PROTOCOL``). Registering a name
    twice with another family is an error (two models would answer to one name).
    """
    _LABELS[family] = label or family
    if motif_protocol is not None:
        _PROTOCOLS[family] = motif_protocol
    for name, hp in presets.items():
        old = _REGISTRY.get(name)
        if old is not None and old.family != family:
            raise ValueError(f"preset {name!r} is registered by {old.family!r} already; {family!r} cannot reuse it")
        if training_config is not None:
            training = (lambda n=name: training_config(n))
        else:
            if "training" not in hp:
                raise ValueError(f"preset {name!r} of {family!r} has no 'training' settings and no training_config")
            training = (lambda h=hp: copy.deepcopy(dict(h["training"])))
        _REGISTRY[name] = PresetInfo(name, family, _bind(builder, name), hp, training, motif_protocol)


def _bind(builder: Callable, name: str) -> Callable:
    def build_preset(**overrides):
        return builder(name, **overrides)

    build_preset.__name__ = f"{getattr(builder, '__name__', 'build')}[{name}]"
    return build_preset


def available(family: str | None = None) -> list[str]:
    """Registered preset names (of one ``family`` when given), sorted."""
    return sorted(n for n, info in _REGISTRY.items() if family is None or info.family == family)


def preset_info(name: str) -> PresetInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        hint = "" if _REGISTRY else " (no presets are registered: import keras_motifs.models first)"
        raise KeyError(f"unknown preset {name!r}{hint}; available: {available()}") from None


def get_preset(name: str, family: str | None = None) -> dict:
    """A deep copy of the preset's hyperparameters; with ``family``, the preset must belong to it."""
    if family is not None and (name not in _REGISTRY or _REGISTRY[name].family != family):
        raise KeyError(f"unknown {_LABELS.get(family, family)} preset {name!r}; choose from {available(family)}")
    info = preset_info(name)
    return copy.deepcopy(dict(info.hyperparameters))


def build(name: str, **overrides):
    """Build the registered preset ``name`` (uncompiled ``keras.Model``)."""
    return preset_info(name).builder(**overrides)


def training_config(name: str) -> dict:
    """The preset's training settings (a fresh dict)."""
    return preset_info(name).training()


def find_by_model_name(model_name: str) -> PresetInfo | None:
    """The preset whose name equals a built model's ``name`` (builders name models after their
    preset), or None."""
    return _REGISTRY.get(model_name)


def motif_protocols() -> list[str]:
    """The families with a registered motif protocol, sorted."""
    return sorted(_PROTOCOLS)


def motif_protocol(name: str) -> dict:
    """A motif protocol as a plain dict (a deep copy, with ``"name"``): ``name`` is a family with
    a registered protocol (``"koo_eddy"``) or a preset name (its family's protocol)."""
    if name in _PROTOCOLS:
        family = name
    elif name in _REGISTRY and _REGISTRY[name].family in _PROTOCOLS:
        family = _REGISTRY[name].family
    else:
        what = f"preset {name!r} (family {_REGISTRY[name].family!r}) has" if name in _REGISTRY else f"{name!r} has"
        hint = "" if _REGISTRY else " (no presets are registered: import keras_motifs.models first)"
        raise KeyError(f"{what} no motif protocol{hint}; protocols: {motif_protocols()}")
    out = copy.deepcopy(dict(_PROTOCOLS[family]))
    out.setdefault("name", family)
    return out
