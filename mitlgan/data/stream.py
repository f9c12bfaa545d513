"""Images read from their folder as training needs them: input larger than memory.

:class:`ImageFiles` names the files and how to decode them; pass it to
``AdversarialModel.prepare_dataset`` (or ``mitlgan.training.train``) where an array
would go. The epoch order is the array path's (a function of seed and epoch only), and
each image is decoded by the very function that fills the array
(:func:`mitlgan.data.images.read_image`), so the batches equal the in-memory ones
(tested) while memory holds only the batches in flight. Under multi-worker training
each worker reads only the images of its own slice of every batch.

``ImageFiles.cached(path)`` decodes every file once into a uint8 array file on local
disk (N x S x S x 3 bytes: CelebA's 200k faces at 128x128 are 9.8 GB, against 39 GB
as float32 in memory) and reads rows from it, memory-mapped, afterwards.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mitlgan.data.images import list_image_files, read_image, to_float

__all__ = ["STREAM_THRESHOLD_BYTES", "ImageFiles", "select_files"]

#: above this many float32 bytes a reproduction streams its images instead of holding
#: them (2 GiB: the thesis's 2,000 images at 128x128 are 393 MB)
STREAM_THRESHOLD_BYTES = 2 * 1024**3


def select_files(path, *, limit=None, seed=0, recursive=False):
    """The image files of a folder that ``load_image_array`` reads, in its order.

    Returns:
        (files, skipped): the sorted image files (a seeded random subset of ``limit``
        of them, kept in sorted order, when the folder has more), and (file, reason)
        pairs of what is not an image.
    """
    files, others = list_image_files(path, recursive=recursive)
    if limit is not None:
        if not isinstance(limit, (int, np.integer)) or limit < 1:
            raise ValueError(f"limit must be a positive int or None, got {limit!r}")
        if len(files) > limit:
            pick = np.sort(np.random.default_rng(seed).choice(len(files), limit, replace=False))
            files = [files[i] for i in pick]
    return files, others


@dataclass(frozen=True)
class ImageFiles:
    """Image files decoded on demand to float32 (S, S, 3) in [-1, 1].

    Attributes:
        files: the image files, in dataset order.
        image_size: side S.
        square, background, resample: decoding options of
            :func:`mitlgan.data.images.read_image`.
        cache_file: a uint8 ``.npy`` file holding every decoded image (see :meth:`cached`);
            None: decode from the files each time.
    """

    files: tuple
    image_size: int
    square: str = "crop"
    background: tuple = (0, 0, 0)
    resample: str = "lanczos"
    cache_file: str | None = None

    @classmethod
    def from_folder(cls, path, image_size: int, *, limit=None, seed=0, **decoding) -> ImageFiles:
        """The images ``load_image_array(path, image_size, limit=..., seed=...)`` would
        load, unread.

        Raises:
            FileNotFoundError: the folder has no image (the message names it).
        """
        files, _ = select_files(path, limit=limit, seed=seed)
        if not files:
            raise FileNotFoundError(f"No image files in {str(path)!r} to stream.")
        return cls(tuple(str(f) for f in files), int(image_size), **decoding)

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self):
        """float32 batches of up to 256 images in file order (for FID statistics)."""
        for start in range(0, len(self.files), 256):
            yield self.read(range(start, min(start + 256, len(self.files))))

    @property
    def shape(self) -> tuple:
        """(N, S, S, 3), as the array would have."""
        return (len(self.files), self.image_size, self.image_size, 3)

    @property
    def float32_bytes(self) -> int:
        """Bytes the images would take as one float32 array."""
        return int(np.prod(self.shape)) * 4

    @functools.cached_property
    def _cache(self) -> np.ndarray:
        """The cache file, memory-mapped once (not once per batch)."""
        return np.load(self.cache_file, mmap_mode="r")

    def _decode(self, index: int) -> np.ndarray:
        return read_image(self.files[index], self.image_size, square=self.square,
                          background=self.background, resample=self.resample)

    def read(self, indices) -> np.ndarray:
        """float32 (len(indices), S, S, 3) in [-1, 1] of the images at ``indices``."""
        indices = np.asarray(indices, dtype=np.int64).ravel()
        if self.cache_file is not None:
            rows = self._cache[indices]
        else:
            rows = np.stack([self._decode(int(i)) for i in indices]) if len(indices) else (
                np.zeros((0, self.image_size, self.image_size, 3), np.uint8))
        return to_float(rows)

    def tensor_reader(self):
        """A TF function ``indices (any shape) -> float32 images`` of shape
        ``indices.shape + (S, S, 3)``, for ``tf.data`` maps."""
        import tensorflow as tf

        size = self.image_size

        def read(indices):
            flat = tf.reshape(indices, [-1])
            images = tf.numpy_function(self.read, [flat], tf.float32, stateful=False)
            shape = tf.concat([tf.shape(indices, out_type=tf.int32), [size, size, 3]], 0)
            return tf.reshape(images, shape)

        return read

    def cache_name(self, prefix: str = "images") -> str:
        """A file name that changes with the files and decoding options
        (``PREFIX-SIZE-DIGEST.npy``): a cache never serves other images."""
        import hashlib

        recipe = "\n".join([*self.files, str(self.image_size), self.square,
                             str(tuple(self.background)), self.resample])
        digest = hashlib.sha1(recipe.encode()).hexdigest()[:12]
        return f"{prefix}-{self.image_size}px-{digest}.npy"

    def cached(self, path, progress=None) -> ImageFiles:
        """These images decoded once into the uint8 file ``path`` (reused when it exists
        with the right shape); returns an ``ImageFiles`` that reads from it.

        Args:
            path: a ``.npy`` file on local disk (written atomically).
            progress: called with (done, total) every 1,000 images, or None.
        """
        path = Path(path)
        if path.is_file():
            existing = np.load(path, mmap_mode="r")
            if existing.shape == self.shape and existing.dtype == np.uint8:
                return ImageFiles(self.files, self.image_size, self.square, self.background,
                                  self.resample, str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        array = np.lib.format.open_memmap(temporary, mode="w+", dtype=np.uint8, shape=self.shape)
        for index in range(len(self.files)):
            array[index] = self._decode(index)
            if progress is not None and (index + 1) % 1000 == 0:
                progress(index + 1, len(self.files))
        array.flush()
        del array
        os.replace(temporary, path)
        return ImageFiles(self.files, self.image_size, self.square, self.background,
                          self.resample, str(path))
