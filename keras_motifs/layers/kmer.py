"""k-mer count features computed inside the model from one-hot sequences."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="keras_motifs", name="KmerCounts")
class KmerCounts(keras.layers.Layer):
    """Counts of every k-mer for k = ``k_min`` .. ``k_max`` in one-hot input (batch, L, A).

    Output (batch, sum_k A**k) float32, k-mers ordered by k, then lexicographically in the input's
    channel order (index = sum_j c_j * A**(k-1-j)). Windows that touch an N (a row that is not
    exactly one-hot) are not counted. Counts are of one strand, k-mers and their reverse
    complements separately, as in the DanQ paper's logistic-regression baseline.
    """

    def __init__(self, k_min: int = 1, k_max: int = 5, alphabet_size: int = 4, **kwargs):
        super().__init__(**kwargs)
        self.k_min, self.k_max, self.alphabet_size = int(k_min), int(k_max), int(alphabet_size)

    @property
    def num_features(self) -> int:
        return sum(self.alphabet_size ** k for k in range(self.k_min, self.k_max + 1))

    def call(self, inputs):
        if keras.backend.backend() != "tensorflow":
            raise NotImplementedError(
                "KmerCounts (the k-mer logistic-regression baseline) needs the TensorFlow backend; "
                f"KERAS_BACKEND is {keras.backend.backend()!r}"
            )
        import tensorflow as tf  # imported here so the package imports without TensorFlow

        x = tf.convert_to_tensor(inputs)
        a = self.alphabet_size
        is_base = tf.logical_and(tf.equal(tf.reduce_max(x, -1), 1.0), tf.equal(tf.reduce_sum(x, -1), 1.0))
        idx = tf.cast(tf.argmax(x, -1), tf.int32)  # (B, L)
        length = tf.shape(idx)[1]
        feats = []
        for k in range(self.k_min, self.k_max + 1):
            n = length - k + 1
            code = tf.zeros_like(idx[:, :n])
            valid = tf.ones_like(is_base[:, :n])
            for j in range(k):
                code = code * a + idx[:, j : j + n]
                valid = tf.logical_and(valid, is_base[:, j : j + n])
            code = tf.where(valid, code, a**k)  # invalid windows go to an extra bin, dropped below
            counts = tf.math.bincount(code, minlength=a**k + 1, maxlength=a**k + 1, axis=-1, dtype=tf.float32)
            feats.append(tf.reshape(counts[:, : a**k], [-1, a**k]))
        return tf.concat(feats, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_features)

    def get_config(self):
        return {**super().get_config(), "k_min": self.k_min, "k_max": self.k_max, "alphabet_size": self.alphabet_size}
