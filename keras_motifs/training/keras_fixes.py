"""Work-arounds for Keras 3.15 bugs under ``tf.distribute.MultiWorkerMirroredStrategy``
(used by :func:`keras_motifs.training.train` when there is more than one worker)."""

from __future__ import annotations


def fix_keras_symbolic_build(model) -> None:
    """Work around a Keras 3.15 bug that stops ``fit`` under MultiWorkerMirroredStrategy.

    Before the first step, Keras's TF trainer (``_maybe_symbolic_build``) takes one distributed
    batch and calls ``strategy.reduce("MEAN", batch, axis=None)`` on the whole ``(x, y)`` tuple
    only to learn the shapes; CollectiveAllReduceStrategy cannot reduce a nested structure and
    raises "Attempt to convert a value (PerReplica...) ... to a Tensor" as soon as there are two
    or more workers. This replaces that reduction, for this model only, with the batch's local
    component, which has the same shapes. No-op for other strategies.
    """
    import tensorflow as tf
    from keras import tree

    original = model._maybe_symbolic_build

    def local_part(v):
        if isinstance(v, tf.distribute.DistributedValues):
            return model.distribute_strategy.experimental_local_results(v)[0]
        return v

    def patched(iterator=None, data_batch=None):
        if iterator is not None and getattr(model, "_distribute_strategy", None) is not None:
            for _, _, it in iterator:
                return original(data_batch=tree.map_structure(local_part, next(it)))
        return original(iterator=iterator, data_batch=data_batch)

    object.__setattr__(model, "_maybe_symbolic_build", patched)
    _fix_keras_scalar_reduce()


def _fix_keras_scalar_reduce() -> None:
    """Second Keras 3.15 bug under multi-worker ``fit``: the per-step logs (scalars: loss and
    metrics) are reduced with ``strategy.reduce("MEAN", v, axis=0)``, which fails on 0-d values
    ("Invalid reduction dimension 0 for input with 0 dimensions"). Reduce scalars with
    ``axis=None`` (the mean over replicas) instead; everything else goes to Keras unchanged.
    Patches ``keras.src.backend.tensorflow.trainer.reduce_per_replica`` once per process.
    """
    import tensorflow as tf
    from keras import tree
    from keras.src.backend.tensorflow import trainer as tf_trainer

    if getattr(tf_trainer.reduce_per_replica, "_keras_motifs_fixed", False):
        return
    original = tf_trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        multi = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()
        if not multi or reduction not in ("auto", "mean"):
            return original(values, strategy, reduction)

        def _reduce(v):
            if v.shape.rank == 0:
                return strategy.reduce("MEAN", v, axis=None)
            return original(v, strategy, reduction)

        return tree.map_structure(_reduce, values)

    reduce_per_replica._keras_motifs_fixed = True
    tf_trainer.reduce_per_replica = reduce_per_replica
