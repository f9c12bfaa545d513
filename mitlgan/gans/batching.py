"""How real data become train-step batches: resume-exact epoch order, regimes' layouts.

:class:`RealDataBatching` is a mixin of :class:`mitlgan.gans.AdversarialModel`. A
subclass whose train_step consumes more than one batch (WGAN-GP's "fresh" regime)
overrides :meth:`images_per_step`, :meth:`_step_index_shape` and
:meth:`_arrange_step_batch`; a conditional model passes a tuple of arrays.
"""

import numpy as np
import tensorflow as tf

from mitlgan._checks import require_positive_int
from mitlgan.gans.noise import RNG_ALGORITHM


class RealDataBatching:
    """Batching of real data into train steps (needs ``self.image_shape``)."""

    # ---- data --------------------------------------------------------------------------------

    def images_per_step(self, batch_size):
        """Real examples one train_step consumes (B here; WGAN-GP's "fresh" regime differs)."""
        return batch_size

    def steps_per_epoch(self, num_images, batch_size):
        """train_steps in one epoch over ``num_images`` (remainders are dropped)."""
        return num_images // self.images_per_step(batch_size)

    def _step_index_shape(self, batch_size):
        """Shape of one train_step's example indices (a real batch's leading axes)."""
        return [batch_size]

    def _arrange_step_batch(self, batch, batch_size):
        """Reshape ``images_per_step`` consecutive examples into one train_step's batch."""
        return batch

    #: the range real images must lie in: the generator's tanh range. An ablation that
    #: trains on data outside it on purpose (document 003's "original data", 0-255)
    #: widens it on the model: ``gan.real_range = (0.0, 255.0)``.
    real_range = (-1.0, 1.0)

    def check_real_data(self, arrays):
        """Validate the real data arrays; the first must be images like the generator's output.

        Args:
            arrays: list of arrays with the same length N; arrays[0] float (N,) +
                ``image_shape`` in :attr:`real_range` ([-1, 1] unless widened).
        """
        images = arrays[0]
        if images.ndim != len(self.image_shape) + 1 or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"images must have shape (N,) + {self.image_shape} like the generator's output; "
                f"got {images.shape}."
            )
        low, high = float(images.min()), float(images.max())
        bottom, top = self.real_range
        if low < bottom - 1e-3 or high > top + 1e-3 or not np.isfinite([low, high]).all():
            raise ValueError(
                f"images must be finite and in [{bottom:g}, {top:g}] (the generator's tanh "
                f"range unless real_range is widened); got values in [{low}, {high}]."
            )

    def prepare_dataset(self, images, batch_size, *, epochs=None, initial_epoch=0, seed=0, shuffle=True,
                        shard=None):
        """Batch real data for this model's train_step.

        Args:
            images: float array (N, H, W, C) in [-1, 1]; or a tuple of arrays of equal
                length N whose first is such images (e.g. (targets, sources, labels)
                for a conditional model: every array is gathered with the same
                indices); or :class:`mitlgan.data.stream.ImageFiles` (read from disk as
                needed, in the same order as the array of those images); or a
                ``tf.data.Dataset`` of images (H, W, C) or batches (b, H, W, C), used in
                its own order.
            batch_size: global batch B (split over replicas under a strategy).
            epochs: with arrays, give the total epoch count to get a dataset covering
                epochs ``initial_epoch .. epochs - 1`` whose order in epoch e depends only
                on (seed, e): resuming at any epoch replays exactly what an uninterrupted
                run would. Use it with ``fit(ds, epochs=epochs, initial_epoch=...,
                steps_per_epoch=self.steps_per_epoch(N, B))``. None: a one-epoch dataset
                reshuffled on each iteration (plain ``fit(ds, epochs=E)``; not
                resume-exact). With a Dataset, the data are repeated for the epochs.
            initial_epoch: first epoch of the dataset (with ``epochs``).
            seed: shuffling seed.
            shuffle: shuffle arrays (Datasets are never reshuffled here).
            shard: ``(slices, ids)``: cut every train_step batch into ``slices`` equal,
                contiguous slices along the batch axis and yield slices ``ids`` of each
                step, one after another (a multi-worker input pipeline: the replicas'
                slices of the global batch, nothing else read). None: whole batches.

        Returns:
            ``tf.data.Dataset`` of train_step batches (float32 images (B, H, W, C), or
            the subclass's layout; a tuple of such for tuple input); remainders dropped.
        """
        from mitlgan.data.stream import ImageFiles

        require_positive_int("batch_size", batch_size)
        group = self.images_per_step(batch_size)
        if isinstance(images, tf.data.Dataset):
            return self._prepare_tf_dataset(images, batch_size, group, epochs, initial_epoch)

        if isinstance(images, ImageFiles):
            if tuple(images.shape[1:]) != self.image_shape:
                raise ValueError(f"the streamed images are {images.shape[1:]}, the generator "
                                 f"makes {self.image_shape}: stream them at its size.")
            count, read = len(images), images.tensor_reader()
        else:
            several = isinstance(images, (tuple, list))
            arrays = list(images) if several else [images]
            arrays[0] = np.asarray(arrays[0], dtype="float32")
            arrays[1:] = [np.asarray(a) for a in arrays[1:]]
            if any(len(a) != len(arrays[0]) for a in arrays):
                raise ValueError(f"The data arrays have different lengths: {[len(a) for a in arrays]}.")
            self.check_real_data(arrays)
            count = len(arrays[0])
            tables = [tf.constant(a) for a in arrays]
            if several:
                def read(i):
                    return tuple(tf.gather(t, i) for t in tables)
            else:
                def read(i):
                    return tf.gather(tables[0], i)
        indices = self._step_indices(count, batch_size, group, epochs, initial_epoch, seed, shuffle)
        if shard is not None:
            indices = self._shard_steps(indices, batch_size, *shard)
        return indices.map(read, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

    def _step_indices(self, count, batch_size, group, epochs, initial_epoch, seed, shuffle):
        """Dataset of each train_step's example indices (shape ``_step_index_shape``)."""
        steps = count // group
        if steps == 0:
            raise ValueError(
                f"{count} images cannot fill one train_step of {group} images "
                f"(batch_size={batch_size})."
            )
        index_shape = [steps] + self._step_index_shape(batch_size)

        def epoch_indices(epoch):
            order = tf.range(count, dtype=tf.int64)
            if shuffle:
                key = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
                order = tf.random.experimental.stateless_shuffle(order, seed=key, alg=RNG_ALGORITHM)
            return tf.data.Dataset.from_tensor_slices(tf.reshape(order[: steps * group], index_shape))

        if epochs is None:
            indices = tf.data.Dataset.range(count)
            if shuffle:
                indices = indices.shuffle(count, seed=seed, reshuffle_each_iteration=True)
            indices = indices.batch(group, drop_remainder=True)
            return indices.map(lambda i: tf.reshape(i, index_shape[1:]))
        if epochs <= initial_epoch:
            raise ValueError(f"epochs={epochs} must be greater than initial_epoch={initial_epoch}.")
        indices = tf.data.Dataset.range(initial_epoch, epochs).flat_map(epoch_indices)
        return indices.apply(tf.data.experimental.assert_cardinality((epochs - initial_epoch) * steps))

    @staticmethod
    def _shard_steps(indices, batch_size, slices, ids):
        if batch_size % slices:
            raise ValueError(f"batch_size={batch_size} does not split into {slices} equal slices "
                             "(one per replica): choose a multiple.")
        width, ids = batch_size // slices, list(ids)
        if not ids or any(not 0 <= i < slices for i in ids):
            raise ValueError(f"shard ids {ids} must be in 0..{slices - 1}")

        def slices_of(step):
            return tf.data.Dataset.from_tensor_slices(
                tf.stack([step[i * width:(i + 1) * width] for i in ids]))

        return indices.flat_map(slices_of)

    def _prepare_tf_dataset(self, dataset, batch_size, group, epochs, initial_epoch):
        rank = len(dataset.element_spec.shape)
        if rank == 4:
            dataset = dataset.unbatch()
        elif rank != 3:
            raise ValueError(
                f"A Dataset must yield images (H, W, C) or batches (b, H, W, C); got elements of "
                f"shape {dataset.element_spec.shape}."
            )
        dataset = dataset.map(lambda x: tf.cast(x, tf.float32))
        if epochs is not None:
            dataset = dataset.repeat(epochs - initial_epoch)
        dataset = dataset.batch(group, drop_remainder=True)
        if group != batch_size:
            dataset = dataset.map(lambda x: self._arrange_step_batch(x, batch_size))
        return dataset.prefetch(tf.data.AUTOTUNE)

    def count_examples(self, data):
        """N of array data as :meth:`prepare_dataset` takes it (first array's length)."""
        return len(data[0]) if isinstance(data, (tuple, list)) else len(data)
