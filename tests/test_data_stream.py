"""Streaming input: the same batches as the in-memory array, slices per replica, and a
run that trains under a memory cap its float32 array would not fit under."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from _gan_helpers import IMAGE_SIZE, tiny_models
from PIL import Image

import mitlgan
from mitlgan.data import load_image_array
from mitlgan.data.stream import ImageFiles


def _write_folder(folder, count, side=24, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for index in range(count):
        pixels = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{index:05d}.png")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return _write_folder(tmp_path_factory.mktemp("stream") / "images", 21)


@pytest.fixture(scope="module")
def gan():
    generator, critic = tiny_models(0)
    return mitlgan.WGANGP(generator, critic, n_critic=2, seed=1)


def _batches(dataset):
    return [np.asarray(batch) for batch in dataset]


@pytest.mark.parametrize("limit", [None, 13])
def test_streamed_batches_equal_the_in_memory_ones(folder, gan, limit):
    array = load_image_array(folder, IMAGE_SIZE, limit=limit, seed=5, verbose=False)
    files = ImageFiles.from_folder(folder, IMAGE_SIZE, limit=limit, seed=5)
    assert files.shape == array.shape and files.float32_bytes == array.nbytes
    # epochs 1 and 2 of a 3-epoch run (a resumed run's view), batch 4
    expected = _batches(gan.prepare_dataset(array, 4, epochs=3, initial_epoch=1, seed=7))
    streamed = _batches(gan.prepare_dataset(files, 4, epochs=3, initial_epoch=1, seed=7))
    assert len(streamed) == len(expected) == 2 * (len(array) // 4)
    for a, b in zip(expected, streamed):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(expected[0], expected[len(expected) // 2])  # epochs differ


def test_the_uint8_cache_file_reads_the_same_images(folder, gan, tmp_path):
    files = ImageFiles.from_folder(folder, IMAGE_SIZE)
    cached = files.cached(tmp_path / "cache.npy")
    assert np.load(tmp_path / "cache.npy", mmap_mode="r").shape == files.shape
    np.testing.assert_array_equal(files.read([3, 0, 20]), cached.read([3, 0, 20]))
    expected = _batches(gan.prepare_dataset(files, 4, epochs=1, seed=2))
    for a, b in zip(expected, _batches(gan.prepare_dataset(cached, 4, epochs=1, seed=2))):
        np.testing.assert_array_equal(a, b)
    assert cached.cached(tmp_path / "cache.npy").cache_file == str(tmp_path / "cache.npy")


def test_replica_slices_are_contiguous_pieces_of_each_global_batch(folder, gan):
    files = ImageFiles.from_folder(folder, IMAGE_SIZE)
    whole = _batches(gan.prepare_dataset(files, 4, epochs=2, seed=3))
    first = _batches(gan.prepare_dataset(files, 4, epochs=2, seed=3, shard=(2, [0])))
    second = _batches(gan.prepare_dataset(files, 4, epochs=2, seed=3, shard=(2, [1])))
    both = _batches(gan.prepare_dataset(files, 4, epochs=2, seed=3, shard=(2, [0, 1])))
    assert len(first) == len(second) == len(whole) and len(both) == 2 * len(whole)
    for step, batch in enumerate(whole):
        np.testing.assert_array_equal(np.concatenate([first[step], second[step]]), batch)
        np.testing.assert_array_equal(both[2 * step], first[step])
    with pytest.raises(ValueError, match="does not split into 3 equal slices"):
        gan.prepare_dataset(files, 4, epochs=1, shard=(3, [0]))


def test_streaming_at_the_wrong_size_or_from_no_images_is_refused(folder, gan, tmp_path):
    with pytest.raises(ValueError, match="stream them at its size"):
        gan.prepare_dataset(ImageFiles.from_folder(folder, 8), 4, epochs=1)
    with pytest.raises(FileNotFoundError, match="nowhere' does not exist"):
        ImageFiles.from_folder(folder.parent / "nowhere", 8)
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(FileNotFoundError, match="No image files"):
        ImageFiles.from_folder(tmp_path, 8)


STREAMED_RUN = textwrap.dedent("""
    import gc, sys
    import numpy as np
    import mitlgan
    from mitlgan.data.stream import ImageFiles
    from mitlgan.models import build_wgan_critic, build_wgan_generator
    from mitlgan.training import train

    files = ImageFiles.from_folder(sys.argv[1], 32)
    gan = mitlgan.WGANGP(build_wgan_generator(32, 32, initial_channels=16),
                         build_wgan_critic(32, channels=(8, 16)), n_critic=1, seed=1)
    # Warm up on the same stream: graphs, tf.data's threads, allocator pools.
    train(gan, files, batch_size=64, epochs=1, seed=0, verbose=0)
    gc.collect()

    def status(field):
        with open("/proc/self/status") as lines:
            line = next(l for l in lines if l.startswith(field + ":"))
        return int(line.split()[1]) * 1024

    # Resident memory, not a cap on the data segment: a cap (RLIMIT_DATA) also counts
    # reserved thread stacks and the allocator's free lists, which differ by CPU and by
    # load (35 MiB of headroom sufficed on a Xeon; an AMD EPYC under CI load needed
    # over 105). Writing 5 to clear_refs resets the peak (VmHWM) to the current RSS.
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = status("VmRSS")
    result = train(gan, files, batch_size=64, epochs=2, seed=0, verbose=0)
    growth = status("VmHWM") - before
    print(f"trained {result.epochs} epochs of {len(files)} streamed images, "
          f"{files.float32_bytes / 2**20:.0f} MiB as float32, peak growth "
          f"{growth / 2**20:.1f} MiB")
    print("growth below the array" if growth < files.float32_bytes else "growth too large")
""")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc")
def test_training_streams_a_folder_in_less_memory_than_its_array(tmp_path):
    # 6,000 images at 32x32: 70 MiB as float32; two streamed epochs after a warm-up must
    # raise the resident peak by less than that, which the array alone would (37 MiB
    # measured on an AMD EPYC: the batches, prefetch buffers and the step's tensors)
    images = _write_folder(tmp_path / "big", 6000, side=32, seed=1)
    result = subprocess.run([sys.executable, "-c", STREAMED_RUN, str(images)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "trained 2 epochs of 6000 streamed images" in result.stdout, result.stdout
    assert "growth below the array" in result.stdout, result.stdout
