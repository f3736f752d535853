"""Write dummy_data/synthetic_dataset.h5: a tiny file in the original HDF5 layout.

Run: python -m tfds_builders.koo_eddy_synthetic.dummy_data_generation
It holds 20 sequences of the published recipe (seed 7) split 14/2/4, stored exactly as the
original notebook saved them: X (N, 4, 200) one-hot A,C,G,T float, Y (N, 12), model (N, 4, 200).
"""

from pathlib import Path

import h5py
import numpy as np

from keras_motifs.data import indices_to_one_hot
from tfds_builders.koo_eddy_synthetic import synthetic


def main():
    data = synthetic.generate(num_sequences=20, seed=7)
    out = Path(__file__).parent / "dummy_data" / "synthetic_dataset.h5"
    with h5py.File(out, "w") as f:
        for key, split in data.items():
            x = np.transpose(indices_to_one_hot(split["sequence"], dtype=np.float64), (0, 2, 1))
            f.create_dataset(f"X_{key}", data=x, compression="gzip")
            f.create_dataset(f"Y_{key}", data=split["label"].astype(np.float64), compression="gzip")
            f.create_dataset(f"model_{key}", data=np.transpose(split["pwm"], (0, 2, 1)).astype(np.float64), compression="gzip")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
