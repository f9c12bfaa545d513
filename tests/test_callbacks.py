"""Sample grids, history CSV, periodic checkpoints, plots and generator export."""

import csv
import types

import keras
import numpy as np
import tensorflow as tf
from _gan_helpers import tiny_images, tiny_models
from PIL import Image

import mitlgan
from mitlgan import callbacks as cb
from mitlgan import checkpoints as ckpt
from mitlgan.models import build_mitlgan_generator, build_wgan_generator
from mitlgan.plots import image_grid, read_history_csv
from mitlgan.training import export_generator, train


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_image_grid_layout_and_value_mapping():
    images = np.stack([np.full((2, 2, 3), v, "float32") for v in (-1.0, 0.0, 1.0)])
    grid = image_grid(images, nrow=2, padding=1, pad_value=7)
    assert grid.shape == (2 * 3 + 1, 2 * 3 + 1, 3) and grid.dtype == np.uint8
    assert (grid[1:3, 1:3] == 0).all()  # -1 -> black
    assert (grid[1:3, 4:6] == 128).all()  # 0 -> mid grey (127.5 rounds to 128)
    assert (grid[4:6, 1:3] == 255).all()  # 1 -> white
    assert (grid[4:6, 4:6] == 7).all() and (grid[0] == 7).all()  # empty cell and padding
    # Out-of-range values (the thesis MITLGAN's ReLU output) saturate.
    assert (image_grid(np.full((1, 1, 1, 3), 3.0), padding=0) == 255).all()


def test_sample_grid_uses_fixed_latents(tmp_path):
    generator, critic = tiny_models(0)
    gan = mitlgan.WGANGP(generator, critic)
    callback = cb.SampleGrid(tmp_path, num_samples=6, nrow=3, seed=5)
    callback.set_model(gan)
    callback.on_epoch_end(0)
    callback.on_epoch_end(1)
    first, second = (np.asarray(Image.open(tmp_path / f"epoch_000{e}.png")) for e in (1, 2))
    latents = gan.sample_latents(6, seed=5)
    expected = image_grid(generator(latents, training=False).numpy(), nrow=3)
    assert first.shape == (2 * 18 + 2, 3 * 18 + 2, 3)
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(second, first)  # same latents, same weights
    assert not np.array_equal(gan.sample_latents(6, seed=6), latents)


def test_history_csv_appends_and_drops_epochs_redone_after_a_resume(tmp_path):
    path = tmp_path / "logs" / "history.csv"
    model = types.SimpleNamespace(train_steps=0)

    def run(epochs, offset):
        callback = cb.HistoryCSV(path)
        callback.set_model(model)
        callback.on_train_begin()
        for epoch in epochs:
            callback.on_epoch_begin(epoch)
            model.train_steps = 10 * (epoch + 1)
            callback.on_epoch_end(epoch, {"critic_loss": epoch + offset, "generator_loss": -epoch})

    run(range(0, 4), offset=0.5)  # epochs 1-4; say the checkpoint was after epoch 2
    run(range(2, 5), offset=100.0)  # resumed at epoch 3: epochs 3-4 are redone, 5 is new
    rows = _rows(path)
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4, 5]
    assert [float(r["critic_loss"]) for r in rows] == [0.5, 1.5, 102.0, 103.0, 104.0]
    assert [int(r["train_steps"]) for r in rows] == [10, 20, 30, 40, 50]
    columns = read_history_csv(path)
    np.testing.assert_array_equal(columns["generator_loss"], [0, -1, -2, -3, -4])


def test_train_checkpoints_every_k_epochs_and_resumes(tmp_path):
    generator, critic = tiny_models(1)
    gan = mitlgan.WGANGP(generator, critic, n_critic=1, seed=3)
    images = tiny_images(8)  # one train_step per epoch with batch 8
    kwargs = dict(
        batch_size=8,
        checkpoint_dir=tmp_path / "ckpt",
        every=2,
        keep=2,
        sample_dir=tmp_path / "samples",
        history_csv=tmp_path / "history.csv",
        verbose=0,
    )
    result = train(gan, images, epochs=5, **kwargs)
    assert result.epochs == 5 and len(result.history["critic_loss"]) == 5
    # Every 2 epochs plus the last one; keep=2 pruned ckpt-000002.
    assert [p.name for p in ckpt.list_checkpoints(tmp_path / "ckpt")] == ["ckpt-000004", "ckpt-000005"]
    meta = ckpt.read_checkpoint_meta(result.last_checkpoint)
    assert (meta["epoch"], meta["train_steps"], meta["critic_optimizer_iterations"]) == (5, 5, 5)
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == [f"epoch_000{e}.png" for e in range(1, 6)]

    again = train(gan, images, epochs=5, **kwargs)  # already done: nothing to train
    assert again.initial_epoch == 5 and again.history == {}
    more = train(gan, images, epochs=6, **kwargs)
    assert more.resumed_from.name == "ckpt-000005" and more.initial_epoch == 5
    assert gan.train_steps == 6
    assert [int(r["epoch"]) for r in _rows(tmp_path / "history.csv")] == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose([float(r["critic_loss"]) for r in _rows(tmp_path / "history.csv")][:5],
                               result.history["critic_loss"], rtol=1e-6)


def test_export_generator_as_keras_and_saved_model(tmp_path):
    keras.utils.set_random_seed(0)
    parts = [build_wgan_generator(32, 16, initial_channels=16, name=n) for n in ("fg", "bg")]
    generator = build_mitlgan_generator(*parts, filters=4, num_downsamples=1, num_blocks=1)
    paths = export_generator(generator, tmp_path / "export")
    rng = np.random.default_rng(0)
    z = [rng.standard_normal((2, 32)).astype("float32") for _ in range(2)]
    expected = generator(z, training=False).numpy()

    reloaded = keras.saving.load_model(paths["keras"])
    np.testing.assert_allclose(reloaded(z, training=False).numpy(), expected, atol=1e-6)
    loaded = tf.saved_model.load(str(paths["saved_model"]))  # keep a reference: it owns the variables
    served = loaded.serve(z)
    np.testing.assert_allclose(np.asarray(served), expected, atol=1e-6)
    assert not list((tmp_path / "export").glob(".tmp-*"))
