"""Speed of the FID pieces, measured in one run on this machine.

Prints:

1. ``frechet_distance`` at d = 2048 (symmetric eigendecompositions, float64) against
   the straightforward reference ``scipy.linalg.sqrtm(sigma1 @ sigma2)`` (real part),
   timed on the same covariances, with the relative difference of the two FIDs.
   Target: at least 5x faster, agreeing within 1e-6 relative.
2. Feature-extraction images per second of ``InceptionFeatures`` (resize + InceptionV3
   in one compiled function, XLA off and on) against plain ``model.predict`` on images
   resized beforehand, in float32 and ``mixed_bfloat16``.

The extraction uses the untrained ``backbone="random"`` network: it has the same
architecture and arithmetic as the ImageNet weights, and needs no download. One timed
step is one batch. Variants are timed by ``benchmarks/_timing.py`` (interleaved
rounds, median and spread, at least 8 steps).

Usage::

    python benchmarks/fid.py                       # everything, batch 32, 8 steps
    python benchmarks/fid.py --input-size 75 --skip-extraction
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
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
from mitlgan.metrics import frechet_distance  # noqa: E402


def covariances(dim, samples, seed):
    """Two sample covariances of correlated features, like pooled Inception features."""
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((dim, dim)) / np.sqrt(dim)
    stats = []
    for shift in (0.0, 0.1):
        features = np.maximum(rng.standard_normal((samples, dim)) @ mixing + shift, 0.0)
        stats.append((features.mean(0), np.cov(features, rowvar=False)))
    return stats


def scipy_reference_fid(mu1, sigma1, mu2, sigma2):
    """FID the way most public code computes it: sqrtm of the product, real part."""
    root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(root.real))


def benchmark_frechet(dim, samples, steps, out):
    (mu1, sigma1), (mu2, sigma2) = covariances(dim, samples, seed=0)
    ours = frechet_distance(mu1, sigma1, mu2, sigma2)
    reference = scipy_reference_fid(mu1, sigma1, mu2, sigma2)
    out.say(f"frechet_distance at d={dim} (covariances of {samples} samples), {steps} steps:")
    timings = time_interleaved({
        "mitlgan": lambda: frechet_distance(mu1, sigma1, mu2, sigma2),
        "scipy sqrtm": lambda: scipy_reference_fid(mu1, sigma1, mu2, sigma2),
    }, steps, say=None)
    for (name, timing), fid in zip(timings.items(), (ours, reference)):
        out.say(f"  {name:12s} median {timing.median:7.3f} s ({timing.spread()})   FID {fid:.10f}")
    relative = abs(ours - reference) / abs(reference)
    out.say(f"  speed-up {ratios(timings, 'scipy sqrtm')['mitlgan']:.1f}x (target >= 5x); "
            f"relative difference {relative:.2e} (target <= 1e-6)")
    out.rows(timing_rows(f"fid trace term d={dim}", timings, "scipy sqrtm", "s/call"))


def benchmark_extraction(image_size, input_size, batch_size, jit, steps, out):
    import keras
    import tensorflow as tf

    from mitlgan.gans import dtype_policy
    from mitlgan.metrics import InceptionFeatures

    rng = np.random.default_rng(0)
    batch = rng.uniform(-1, 1, (batch_size, image_size, image_size, 3)).astype("float32")
    out.say(f"\nInceptionV3 pooled features (backbone=random), batches of {batch_size} images "
            f"{image_size}x{image_size} resized to {input_size}, {steps} steps:")
    variants = {}
    # bfloat16 runs emulated (slower) on a CPU without AVX-512 BF16 or AMX
    for policy in ("float32", "mixed_bfloat16") if has_bf16_instructions() else ("float32",):
        for xla in ([False, True] if jit else [False]):
            features = InceptionFeatures("random", input_size=input_size, batch_size=batch_size,
                                         dtype=policy, jit_compile=xla, verbose=0)
            variants[f"InceptionFeatures {policy}{' XLA' if xla else ''}"] = (
                lambda f=features: f(batch))
        with dtype_policy(policy):
            model = keras.applications.InceptionV3(
                include_top=False, weights=None, pooling="avg",
                input_shape=(input_size, input_size, 3))

        def plain(model=model):
            # Resize outside the model, then Keras's own predict.
            resized = tf.image.resize(batch, (input_size, input_size), antialias=True)
            return model.predict_on_batch(resized)

        variants[f"model.predict {policy}"] = plain
    timings = time_interleaved(variants, steps, say=None)
    speed = ratios(timings, "model.predict float32")
    out.say(f"  {'variant':40s} {'img/s':>7s} {'vs predict f32':>15s} {'batch s (min-max)':>18s}")
    for name, timing in timings.items():
        out.say(f"  {name:40s} {timing.rate(batch_size):7.1f} {speed[name]:14.2f}x "
                f"{timing.spread():>18s}")
    out.rows(timing_rows(f"fid features {input_size}px", timings, "model.predict float32",
                         "s/batch"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--samples", type=int, default=4096, help="samples behind each covariance")
    add_steps_argument(parser, "timed calls per variant (one batch for the extraction)")
    parser.add_argument("--image-size", type=int, default=64, help="side of the generated images")
    parser.add_argument("--input-size", type=int, default=299, help="InceptionV3 input side")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--no-xla", action="store_true", help="skip the XLA extractor")
    parser.add_argument("--skip-extraction", action="store_true")
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    out.say(f"{machine_line()}, scipy {scipy.__version__}")
    benchmark_frechet(args.dim, args.samples, args.steps, out)
    if not args.skip_extraction:
        benchmark_extraction(args.image_size, args.input_size, args.batch_size,
                             jit=not args.no_xla, steps=args.steps, out=out)


if __name__ == "__main__":
    main()
