"""A damaged newest checkpoint: resume from the one before it, loudly; none readable:
stop naming every checkpoint."""

import pytest
from _gan_helpers import resume_gan, state_arrays, tiny_images

from mitlgan.checkpoints import META_FILE, STATE_FILE, DamagedCheckpointError, load_checkpoint
from mitlgan.errors import UserInputError
from mitlgan.training import train


def _train(gan, epochs, folder):
    return train(gan, tiny_images(16), batch_size=8, epochs=epochs, checkpoint_dir=folder,
                 every=1, keep=None, seed=4, verbose=0)


def _cut_in_half(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_truncated_newest_checkpoint_resumes_from_the_one_before(tmp_path, capsys):
    _train(resume_gan(), 2, tmp_path)
    _cut_in_half(tmp_path / "ckpt-000002" / STATE_FILE)
    with pytest.warns(UserWarning, match="Damaged checkpoint skipped"):
        result = _train(resume_gan(), 3, tmp_path)
    assert result.resumed_from.name == "ckpt-000001" and result.initial_epoch == 1
    assert result.epochs == 3
    assert "ckpt-000002" in capsys.readouterr().err  # on the console too
    # the skipped checkpoint comes back in the result, not in a file beside it
    [line] = result.damaged_checkpoints
    assert "ckpt-000002" in line and "Resumed from" in line and "ckpt-000001" in line
    assert not list(tmp_path.glob("*.log"))
    # the damaged epoch was trained again and saved readable
    load_checkpoint(resume_gan(), tmp_path / "ckpt-000002")


def test_a_damaged_checkpoint_assigns_nothing(tmp_path):
    _train(resume_gan(), 1, tmp_path)
    (tmp_path / "ckpt-000001" / META_FILE).write_text("{ not json")
    gan = resume_gan()
    gan.compile()
    before = state_arrays(gan)
    with pytest.raises(DamagedCheckpointError, match="meta.json"):
        load_checkpoint(gan, tmp_path / "ckpt-000001")
    assert all((a == b).all() for a, b in zip(before, state_arrays(gan)))


def test_no_readable_checkpoint_stops_naming_each(tmp_path):
    _train(resume_gan(), 2, tmp_path)
    _cut_in_half(tmp_path / "ckpt-000001" / STATE_FILE)
    (tmp_path / "ckpt-000002" / STATE_FILE).write_bytes(b"")
    with pytest.raises(DamagedCheckpointError) as caught:
        _train(resume_gan(), 3, tmp_path)
    message = str(caught.value)
    assert "ckpt-000001" in message and "ckpt-000002" in message
    assert isinstance(caught.value, UserInputError)  # the command line prints it alone
