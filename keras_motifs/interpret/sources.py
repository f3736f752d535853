"""Load what the interpretation commands work on: a saved ``.keras`` model (with the package's
custom objects registered), its input alphabet, and one-hot sequences from a FASTA file, a
``.npy`` array or a TFDS dataset.
"""

from __future__ import annotations

import os

import numpy as np

from ..data import get_alphabet, one_hot
from ..errors import DataFormatError, InvalidSequenceError, ModelInputError
from ..io.fasta import read_fasta  # noqa: F401  (re-exported: interpret.read_fasta; moved to the ground floor)
from ..serialization import load_model  # noqa: F401  (re-exported: interpret.load_model)

FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fa.gz", ".fasta.gz", ".fna.gz")


def infer_alphabet(model) -> str | None:
    """The channel order of a model built from a registered preset, found by the model's name in
    :mod:`keras_motifs.registry` (e.g. ``danq`` → ``AGCT``); None when unknown."""
    from ..registry import find_by_model_name

    info = find_by_model_name(model.name)
    return info.alphabet if info is not None else None


def resolve_alphabet(model, alphabet: str | None) -> str:
    """The model's channel order: ``alphabet`` when given (its letters must be as many as the
    model's input channels), else the preset's (:func:`infer_alphabet`)."""
    if alphabet:
        try:
            letters = get_alphabet(alphabet).letters
        except ValueError as exc:
            raise ModelInputError(f"--alphabet: {exc}") from None
        channels = _input_channels(model)
        if channels is not None and channels != len(letters):
            raise ModelInputError(f"--alphabet {letters} has {len(letters)} letters, but model {model.name!r} reads "
                                  f"{channels} channels; give its channel order (e.g. ACGT, AGCT, ACGU, FTIHMS)")
        return letters
    found = infer_alphabet(model)
    if found is None:
        raise ModelInputError(
            f"cannot tell the channel order of model {model.name!r}; pass --alphabet (e.g. ACGT, AGCT for "
            "DanQ/DeepSEA, ACGU for RNA)"
        )
    return found


def _input_channels(model) -> int | None:
    """The channel count of a single-input model (None for several inputs or an unknown shape)."""
    try:
        if len(model.inputs) != 1:
            return None
        channels = model.inputs[0].shape[-1]
        return int(channels) if channels is not None else None
    except (AttributeError, TypeError, IndexError, ValueError):
        return None


def load_sequences(
    source: "str | os.PathLike",
    alphabet: str,
    length: int | None = None,
    n_value: float = 0.0,
    max_sequences: int | None = None,
    split: str = "test",
    data_dir: str | None = None,
    feature: str = "sequence",
    channels_first: bool | None = None,
):
    """One-hot inputs from a source; returns ``(data, names)``.

    * FASTA (``.fa``/``.fasta``/``.fna``, optionally ``.gz``): encoded with ``alphabet``
      (``n_value`` for N); every sequence must have the model's ``length``; ``names`` = record IDs.
    * ``.npy``: one-hot (N, L, A) (memory-mapped, read batch by batch); (N, A, L) — the DeepSEA
      ``.mat`` layout — is transposed when ``channels_first`` is true or the shape says so.
    * otherwise a TFDS name such as ``deepsea/synthetic_tiny`` (builders of ``tfds_builders``;
      prepared locally, no download): a ``tf.data.Dataset`` of one-hot ``feature`` values; a
      feature stored as base indices (rank 1, uint8) is one-hot encoded, index ``len(alphabet)``
      (N) becoming ``n_value``. ``names`` is None.
    """
    from ..errors import UsageError
    from ..io.files import check_input_file

    alpha = get_alphabet(alphabet)
    src = str(source)
    if max_sequences is not None and (isinstance(max_sequences, bool) or not isinstance(max_sequences, (int, np.integer))
                                      or max_sequences < 1):
        raise UsageError(f"max_sequences (--max-sequences) must be a positive integer, got {max_sequences!r}")
    if src.endswith(FASTA_SUFFIXES):
        names, seqs = read_fasta(src)
        if max_sequences is not None:
            names, seqs = names[:max_sequences], seqs[:max_sequences]
        if length is not None:
            for i, s in enumerate(seqs):
                if len(s) != length:
                    raise InvalidSequenceError(
                        f"file '{src}', record {i} ({names[i]}): length {len(s)}, the model takes {length}"
                    )
        try:
            x = one_hot(seqs, alpha, n_value=n_value)
        except InvalidSequenceError as exc:
            raise InvalidSequenceError(f"file '{src}', {_name_record(exc, names)}") from None
        return x, names
    if src.endswith(".npy"):
        if not os.path.lexists(src):
            raise FileNotFoundError(f"sequence file '{src}' not found")
        check_input_file(src, "sequence file")  # a folder, FIFO or device is refused unopened
        try:
            x = np.load(src, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise DataFormatError(f"file '{src}': not a readable numeric .npy array ({exc}); the file is empty, "
                                  "truncated or holds Python objects") from None
        if x.dtype.kind not in "fiub":
            raise DataFormatError(f"file '{src}': array of type {x.dtype}, expected numbers (one-hot values)")
        if x.ndim != 3:
            raise DataFormatError(f"file '{src}': expected a 3-D one-hot array (N, L, A), got shape {x.shape}")
        if channels_first or (channels_first is None and x.shape[-1] != len(alpha) and x.shape[1] == len(alpha)):
            x = np.swapaxes(x, 1, 2)
        if x.shape[-1] != len(alpha):
            raise DataFormatError(f"file '{src}': {x.shape[-1]} channels, alphabet {alpha.letters} has {len(alpha)}")
        if length is not None and x.shape[1] != length:
            raise DataFormatError(f"file '{src}': sequences of length {x.shape[1]}, the model takes {length}")
        if max_sequences is not None:
            x = x[:max_sequences]
        if len(x) == 0:
            raise DataFormatError(f"file '{src}': no sequences (the array has shape {x.shape})")
        _check_values(x, src)
        return x, None
    if os.path.lexists(src):
        check_input_file(src, "sequence file")
        raise DataFormatError(f"file '{src}': unknown sequence file type (use .fa/.fasta/.fna[.gz] or .npy)")
    return _load_tfds(src, alpha, n_value, max_sequences, split, data_dir, feature), None


def _name_record(exc: InvalidSequenceError, names: list[str]) -> str:
    """An encoder's 'sequence 3: letter ...' -> 'record 3 (name): letter ...' for FASTA errors."""
    i = exc.index
    if i is None:
        return str(exc)
    label = f"record {i} ({names[i]})" if i < len(names) else f"record {i}"
    return label + exc.detail


# a position's values may sum to a little more than 1 (float rounding of soft encodings)
ONE_HOT_SUM_TOLERANCE = 1e-3


def _check_values(x, src, chunk_rows: int = 4096) -> None:
    """Raise DataFormatError naming the first record, position and channel whose value is not
    one-hot-like: NaN/inf, outside [0, 1], or a position whose values sum to more than 1 (read in
    chunks: x may be memory-mapped). Accepted: one-hot rows, all-zero rows (N as 0), and soft
    rows such as DeepBind's N = 0.25 in every channel."""
    for start in range(0, len(x), chunk_rows):
        block = np.asarray(x[start : start + chunk_rows])
        if block.dtype.kind == "f":
            bad = ~np.isfinite(block)
            if bad.any():
                rec, pos, ch = (int(v) for v in np.argwhere(bad)[0])
                raise DataFormatError(f"file '{src}', record {start + rec}: position {pos}, channel {ch} holds "
                                      f"{block[rec, pos, ch].item()!r}, not a finite number; one-hot inputs must be "
                                      "finite")
        bad = (block < 0) | (block > 1)
        if bad.any():
            rec, pos, ch = (int(v) for v in np.argwhere(bad)[0])
            raise DataFormatError(f"file '{src}', record {start + rec}: position {pos}, channel {ch} holds "
                                  f"{block[rec, pos, ch].item()!r}; one-hot values are between 0 and 1")
        sums = block.sum(axis=-1, dtype=np.float64)
        over = sums > 1 + ONE_HOT_SUM_TOLERANCE
        if over.any():
            rec, pos = (int(v) for v in np.argwhere(over)[0])
            raise DataFormatError(f"file '{src}', record {start + rec}: position {pos} is not one-hot (its values "
                                  f"{np.asarray(block[rec, pos]).tolist()} sum to {sums[rec, pos]:g}, more than 1)")



def check_dataset_alphabet(name: str, metadata, alphabet: str) -> None:
    """A TFDS dataset that records its channel order must match the model's (else ModelInputError)."""
    found = None
    try:
        found = metadata.get("alphabet") if metadata is not None else None
    except Exception:  # noqa: BLE001 - metadata objects vary; no alphabet recorded
        found = None
    if isinstance(found, str) and found and found.upper() != alphabet.upper():
        raise ModelInputError(
            f"dataset '{name}' stores sequences in channel order {found}, but the model reads {alphabet}: "
            f"its base indices would be read as the wrong letters; use a model trained on {found} data or "
            f"pass --alphabet {found} if the model does read that order"
        )


def _load_tfds(name, alpha, n_value, max_sequences, split, data_dir, feature):
    import tensorflow as tf
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except Exception as exc:  # noqa: BLE001 - TFDS raises several types for unknown names
        first = str(exc).split("Available datasets")[0].strip().splitlines()
        raise DataFormatError(
            f"'{name}' is not a sequence file (.fa, .fasta, .npy) nor a known TFDS dataset: "
            f"{first[0] if first else type(exc).__name__}"
        ) from None
    check_dataset_alphabet(name, getattr(builder.info, "metadata", None), alpha.letters)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(try_download_gcs=False))
    ds = builder.as_dataset(split=split)
    spec = ds.element_spec
    if feature not in spec:
        raise DataFormatError(f"dataset '{name}' has no feature {feature!r}; features: {sorted(spec)}")
    fspec = spec[feature]
    n = len(alpha)
    if max_sequences is not None:
        ds = ds.take(max_sequences)

    if len(fspec.shape) == 1:  # base indices
        table = np.zeros((256, n), np.float32)
        table[np.arange(n), np.arange(n)] = 1.0
        table[n] = n_value
        table_t = tf.constant(table)

        def encode(ex):
            return tf.gather(table_t, tf.cast(ex[feature], tf.int32))
    elif len(fspec.shape) == 2 and fspec.shape[-1] == n:
        def encode(ex):
            return tf.cast(ex[feature], tf.float32)
    else:
        raise DataFormatError(f"dataset '{name}', feature {feature!r}: shape {fspec.shape} is neither base "
                              f"indices (L,) nor one-hot (L, {n})")
    return ds.map(encode, num_parallel_calls=tf.data.AUTOTUNE)
