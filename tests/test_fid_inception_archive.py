"""The restricted reader of PyTorch archives, on archives written here by hand (no torch)."""

import numpy as np
import pytest
from fid_inception_support import (
    op_global,
    op_text,
    op_tuple,
    state_dict_pickle,
    tensor_pickle,
    write_archive,
)

from mitlgan.metrics.fid_inception.__main__ import main as fid_inception_main
from mitlgan.metrics.fid_inception.archive import UnsafeArchiveError, read_tensors
from mitlgan.metrics.fid_inception.torchvision_names import tensors_in_graph_names


def test_tensors_come_back_with_their_shape_offset_and_strides(tmp_path):
    values = np.arange(12, dtype=np.float32)
    pickled = state_dict_pickle({
        "plain": tensor_pickle("0", 12, 0, (3, 4), (4, 1)),
        "transposed": tensor_pickle("0", 12, 0, (4, 3), (1, 4)),
        "offset": tensor_pickle("0", 12, 2, (2, 2), (4, 1)),
    })
    tensors = read_tensors(write_archive(tmp_path / "w.pt", pickled, {"0": values.tobytes()}))
    full = values.reshape(3, 4)
    np.testing.assert_array_equal(tensors["plain"], full)
    np.testing.assert_array_equal(tensors["transposed"], full.T)
    np.testing.assert_array_equal(tensors["offset"], full[:2, 2:4])


def _evil_pickle(marker) -> bytes:
    # os.system("touch MARKER"), the classic payload of a malicious checkpoint
    return (b"\x80\x02" + op_global("os", "system")
            + op_tuple(op_text(f"touch {marker}")) + b"R.")


def test_a_pickle_that_would_run_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    archive = write_archive(tmp_path / "evil.pt", _evil_pickle(marker), {})
    with pytest.raises(UnsafeArchiveError, match="os.system"):
        read_tensors(archive)
    assert not marker.exists()


def test_install_from_a_crafted_archive_exits_2_and_runs_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    marker = tmp_path / "ran"
    archive = write_archive(tmp_path / "inception-2015-12-05.pt", _evil_pickle(marker), {})
    assert fid_inception_main(["install", "--from", str(archive)]) == 2
    assert not marker.exists()
    error = capsys.readouterr().err
    assert "refusing to load" in error and "os.system" in error
    assert not (tmp_path / "keras").exists()


def test_a_tensor_reaching_past_its_storage_is_refused(tmp_path):
    pickled = state_dict_pickle({"w": tensor_pickle("0", 4, 2, (4,), (1,))})
    archive = write_archive(tmp_path / "w.pt", pickled, {"0": np.zeros(4, np.float32).tobytes()})
    with pytest.raises(UnsafeArchiveError, match="past the end"):
        read_tensors(archive)


def test_install_names_a_missing_file_and_exits_2(tmp_path, capsys):
    assert fid_inception_main(["install", "--from", str(tmp_path / "nope.pt")]) == 2
    assert "nope.pt: no such file" in capsys.readouterr().err


def test_pytorch_fid_names_fold_the_batchnorm_scale_into_the_variance():
    rng = np.random.default_rng(0)
    var, gamma = rng.uniform(0.5, 2, 8), rng.uniform(0.5, 2, 8)
    tensors = {
        "Mixed_6b.branch7x7dbl_3.conv.weight": rng.normal(size=(8, 4, 7, 1)),
        "Mixed_6b.branch7x7dbl_3.bn.weight": gamma,
        "Mixed_6b.branch7x7dbl_3.bn.bias": rng.normal(size=8),
        "Mixed_6b.branch7x7dbl_3.bn.running_mean": rng.normal(size=8),
        "Mixed_6b.branch7x7dbl_3.bn.running_var": var,
        "fc.weight": np.ones((1008, 2048)),
    }
    graph = tensors_in_graph_names(tensors)
    layer = "layers.mixed_4.tower_1.conv_2"
    assert set(graph) == {f"{layer}.{p}" for p in ("weight", "beta", "mean", "var")} | {
        "output.weight"}
    # the graph's rule, scale = 1 / sqrt(var' + eps), gives torchvision's gamma / sqrt(var + eps)
    np.testing.assert_allclose(1 / np.sqrt(graph[f"{layer}.var"] + 0.001),
                               gamma / np.sqrt(var + 0.001), rtol=1e-12)


def test_a_torchvision_archive_with_an_unknown_layer_is_refused():
    tensors = {"Mixed_9z.branch1x1.conv.weight": np.zeros((1, 1, 1, 1)),
               "Mixed_9z.branch1x1.bn.running_var": np.ones(1)}
    with pytest.raises(ValueError, match="Mixed_9z"):
        tensors_in_graph_names(tensors)


def test_only_the_storage_classes_are_taken_from_torch(tmp_path):
    pickled = b"\x80\x02" + op_global("torch", "load") + b"."
    with pytest.raises(UnsafeArchiveError, match="torch.load"):
        read_tensors(write_archive(tmp_path / "w.pt", pickled, {}))
