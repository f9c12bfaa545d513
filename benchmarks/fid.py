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
architecture and arithmetic as the ImageNet weights, and needs no download.

Usage::

    python benchmarks/fid.py                       # everything, 128 images per variant
    python benchmarks/fid.py --images 64 --input-size 299 --skip-extraction
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402

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


def best_time(function, repeats):
    """(best wall time over ``repeats`` calls, last result): the machine is shared."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def benchmark_frechet(dim, samples, repeats):
    (mu1, sigma1), (mu2, sigma2) = covariances(dim, samples, seed=0)
    ours_s, ours = best_time(lambda: frechet_distance(mu1, sigma1, mu2, sigma2), repeats)
    scipy_s, reference = best_time(lambda: scipy_reference_fid(mu1, sigma1, mu2, sigma2), repeats)
    relative = abs(ours - reference) / abs(reference)
    print(f"frechet_distance at d={dim} (covariances of {samples} samples), best of {repeats}:")
    print(f"  mitlgan          {ours_s:8.3f} s   FID {ours:.10f}")
    print(f"  scipy sqrtm       {scipy_s:8.3f} s   FID {reference:.10f}")
    print(
        f"  speed-up {scipy_s / ours_s:.1f}x (target >= 5x); relative difference "
        f"{relative:.2e} (target <= 1e-6)"
    )


def benchmark_extraction(images_count, image_size, input_size, batch_size, jit):
    import keras
    import tensorflow as tf

    from mitlgan.gans import dtype_policy
    from mitlgan.metrics import InceptionFeatures

    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (images_count, image_size, image_size, 3)).astype("float32")
    print(
        f"\nInceptionV3 pooled features (backbone=random), {images_count} images "
        f"{image_size}x{image_size} resized to {input_size}, batch {batch_size}, "
        f"after one warm-up batch:"
    )
    print(f"  {'variant':44s} {'img/s':>7s} {'vs predict f32':>15s}")
    rows = []
    for policy in ("float32", "mixed_bfloat16"):
        extractor_variants = [False, True] if jit else [False]
        for xla in extractor_variants:
            features = InceptionFeatures(
                "random", input_size=input_size, batch_size=batch_size, dtype=policy,
                jit_compile=xla, verbose=0,
            )
            features(images[:batch_size])  # trace / compile
            seconds, _ = best_time(lambda f=features: f.extract(images, verbose=0), 1)
            rows.append((f"InceptionFeatures {policy}{' XLA' if xla else ''}", images_count / seconds))

        with dtype_policy(policy):
            model = keras.applications.InceptionV3(
                include_top=False, weights=None, pooling="avg",
                input_shape=(input_size, input_size, 3),
            )

        def plain(model=model):
            # Resize outside the model, then Keras's own batched predict.
            resized = tf.image.resize(images, (input_size, input_size), antialias=True)
            return model.predict(resized, batch_size=batch_size, verbose=0)

        model.predict(np.zeros((batch_size, input_size, input_size, 3), "float32"), verbose=0)
        seconds, _ = best_time(plain, 1)
        rows.append((f"model.predict {policy}", images_count / seconds))

    reference = dict(rows)["model.predict float32"]
    for name, rate in rows:
        print(f"  {name:44s} {rate:7.1f} {rate / reference:14.2f}x", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--samples", type=int, default=4096, help="samples behind each covariance")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--images", type=int, default=128, help="images per extraction variant")
    parser.add_argument("--image-size", type=int, default=64, help="side of the generated images")
    parser.add_argument("--input-size", type=int, default=299, help="InceptionV3 input side")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--no-xla", action="store_true", help="skip the XLA extractor")
    parser.add_argument("--skip-extraction", action="store_true")
    args = parser.parse_args()

    import tensorflow as tf

    print(f"numpy {np.__version__}, scipy {scipy.__version__}, TensorFlow {tf.__version__}, "
          f"{os.cpu_count()} CPUs")
    benchmark_frechet(args.dim, args.samples, args.repeats)
    if not args.skip_extraction:
        benchmark_extraction(args.images, args.image_size, args.input_size, args.batch_size,
                             jit=not args.no_xla)


if __name__ == "__main__":
    main()
