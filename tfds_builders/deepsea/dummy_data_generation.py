"""Write the dummy ``train.mat`` / ``valid.mat`` / ``test.mat`` used by the builder test.

They follow the real bundle's formats exactly: ``train.mat`` is MATLAB v7.3 (HDF5 with MATLAB's
512-byte header user block; h5py shapes (1000, 4, N) and (919, N)), ``valid.mat`` and
``test.mat`` are MATLAB v5 (``scipy.io.savemat``; shapes (N, 4, 1000) and (N, 919)). Each file
holds n forward sequences then their reverse complements; channel order A,G,C,T; one N position.

    python -m tfds_builders.deepsea.dummy_data_generation
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import scipy.io

OUT = Path(__file__).parent / "dummy_data"
MATLAB_HEADER = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2015 HDF5 schema 1.00 ."


def _onehot_pairs(n_forward: int, rng) -> tuple[np.ndarray, np.ndarray]:
    idx = rng.integers(0, 4, size=(n_forward, 1000))
    x = np.eye(4, dtype=np.uint8)[idx]  # (n, 1000, 4) in A,G,C,T order
    x[0, 10] = 0  # an N
    rc = x[:, ::-1, ::-1]  # A,G,C,T reversed is T,C,G,A = the complement order
    y = (rng.random((n_forward, 919)) < 0.2).astype(np.uint8)
    return np.concatenate([x, rc]), np.concatenate([y, y])


def write_train_v73(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    with h5py.File(path, "w", userblock_size=512) as f:
        f.create_dataset("trainxdata", data=np.transpose(x, (1, 2, 0)), chunks=True, compression="gzip")
        f.create_dataset("traindata", data=y.T, chunks=True, compression="gzip")
    with open(path, "r+b") as fh:
        fh.write(MATLAB_HEADER.ljust(116, b" ") + b"\x00" * 8 + b"\x00\x02IM")


def write_v5(path: Path, prefix: str, x: np.ndarray, y: np.ndarray) -> None:
    scipy.io.savemat(path, {f"{prefix}xdata": np.transpose(x, (0, 2, 1)), f"{prefix}data": y}, format="5")


def main() -> None:
    rng = np.random.default_rng(0)
    OUT.mkdir(exist_ok=True)
    write_train_v73(OUT / "train.mat", *_onehot_pairs(3, rng))
    write_v5(OUT / "valid.mat", "valid", *_onehot_pairs(2, rng))
    write_v5(OUT / "test.mat", "test", *_onehot_pairs(2, rng))


if __name__ == "__main__":
    main()
