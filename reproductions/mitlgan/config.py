"""Presets and the resolved configuration of the MITLGAN reproduction.

A configuration is a flat dict of JSON values. It is written to
``OUTPUT/DATASET/config.json`` on the first run; a later run with a different
configuration in the same folder is refused (resuming must not mix settings).
"""

from __future__ import annotations

import dataclasses

from reproductions.runner import Settings

STAGES = ("judge", "wgan_combined", "wgan_background", "wgan_foreground", "mitlgan",
          "mitlgan_corrected", "evaluation")
TRAINING_STAGES = STAGES[1:6]
PART_STAGES = ("wgan_background", "wgan_foreground")
#: which dataset part each training stage learns from
STAGE_PART = {
    "wgan_combined": "combined",
    "wgan_background": "background",
    "wgan_foreground": "foreground",
    "mitlgan": "combined",
    "mitlgan_corrected": "combined",
}
#: --variants: MITLGAN head -> (stage, output activation). "thesis" is the thesis's
#: IN+ReLU output; "corrected" ends in tanh like the part generators it merges.
VARIANTS = {"thesis": ("mitlgan", "relu"), "corrected": ("mitlgan_corrected", "tanh")}
MITLGAN_STAGES = tuple(stage for stage, _ in VARIANTS.values())

#: Thesis 7.3: epochs of the (WGAN on combined, MITLGAN) pair per dataset. The synthetic
#: scenes are sprites on landscapes, the pokemon setting, so they borrow its numbers.
THESIS_EPOCHS = {
    "faces": (51, 46),
    "anime": (126, 101),
    "pokemon": (86, 86),
    "synthetic": (86, 86),
}

#: The thesis gives no epochs for the foreground and background WGANs. We give each part
#: WGAN as many epochs as the combined WGAN it is compared with: the same recipe and
#: budget the thesis used for "this type of network ... 8 times", so the MITLGAN starts
#: from parts trained as long as its baseline and neither side gets a head start per part.
PART_EPOCHS_RULE = "same as the combined WGAN"

PRESETS = ("thesis", "hour", "quick")  # --preset auto picks thesis on a GPU, quick otherwise
BACKBONE_CHOICES = ("keras-imagenet", "fid-inception", "random")
#: With the FID Inception (299x299 only, float32: its bfloat16 FIDs moved by 0.2-0.9% on
#: the quick run's sets, beyond the 0.5% that would allow it), the CPU presets score fewer
#: images, so that the evaluation stays under a fifth of their wall time; every number
#: says its N. quick: 5 models x 64 + 3 real parts x 128 = 704 images; hour: 5 x 512 +
#: 3 x 1,024 = 5,632 (docs/fid_inception.md has the measured seconds).
FID_INCEPTION_N = {"quick": 64, "hour": 512}
FID_INCEPTION_REAL_N = {"quick": 128, "hour": 1024}
FID_INCEPTION_CURVE_N = {"quick": 32, "hour": 64}
#: config["backbone"] when the synthetic scenes are scored by the scene judge alone (the
#: offline fallback of the quick preset): no InceptionV3 FID at all.
JUDGE_ONLY = "none"
BATCH_REGIME_CHOICES = ("reused", "fresh")  # mitlgan.gans.REAL_BATCHES
PRECISION_CHOICES = ("float32", "mixed_bfloat16", "mixed_float16")

# Everything a preset sets; each key is also a command-line flag (--image-size, ...).
THESIS_PRESET = {
    "image_size": 128,
    "latent_dim": 1536,
    "critic_channels": [48, 96, 192, 384],
    "head_filters": 64,
    "num_blocks": 6,
    "batch_size": 32,
    "n_critic": 5,
    "gp_weight": 10.0,
    "batch_regime": "reused",  # the thesis: 5 critic updates on the same inputs
    "learning_rate": 1e-4,
    "n_images": None,  # all prepared images; 2000 per part for the synthetic scenes
    "checkpoint_every": 5,  # thesis: "After 5 epoch I saved my models."
    "fid_n": 2048,
    "fid_input_size": 299,
    "precision": "float32",
    "variants": ["thesis"],
    "eval_every": 5,
    "curve_n": 1024,
    "judge_images": 2000,  # scenes per part (combined, sprites, landscapes)
    "judge_epochs": 15,
}

QUICK_PRESET = {
    "image_size": 32,
    # Reshaped to 4x4x128, widths 128 -> 64 -> 32 -> 3: the thesis's structure, wider
    # than latent 256 (16 -> 8 -> 4 -> 3), whose samples stayed colour noise.
    "latent_dim": 2048,
    # The critic costs ~80% of a WGAN-GP step (n_critic updates with a double backward);
    # 16-32-64-128 halves the step time of 32-64-128-256 (measured: 432 vs 859 ms).
    "critic_channels": [16, 32, 64, 128],
    "head_filters": 8,
    "num_blocks": 6,
    "batch_size": 32,
    "n_critic": 5,
    "gp_weight": 10.0,
    "batch_regime": "reused",  # the thesis: 5 critic updates on the same inputs
    # 300 WGAN steps at 32x32 (measured): 1e-4 (the thesis) draws colour noise, 5e-4 a
    # grey field with a blob, 1e-3 sky, ground and a central creature.
    "learning_rate": 1e-3,
    "n_images": 640,
    "checkpoint_every": 1,
    # Steps per stage (20 per epoch): the WGAN 300, each part 200, each head 100.
    "wgan_epochs": 15,
    "part_epochs": 10,
    "mitlgan_epochs": 5,
    "fid_n": 512,
    "fid_input_size": 75,  # InceptionV3's smallest input: 299 costs ~16x more on a CPU
    "precision": "float32",
    "variants": ["thesis", "corrected"],
    "eval_every": 1,
    "curve_n": 256,
    "judge_images": 1000,
    "judge_epochs": 12,
}

#: The quick preset's models, trained about 6x longer on 3x the scenes: the most that
#: finishes in an hour on a 2-core CPU (measured from the quick run's seconds per step:
#: WGAN 0.3 s, MITLGAN head 0.63 s at 32x32). Steps (62 per epoch): the WGAN 1,984,
#: each part 1,488, each head 868; the thesis's pokemon setting is 86 epochs of 2,000.
HOUR_PRESET = {
    **QUICK_PRESET,
    "n_images": 2000,
    "wgan_epochs": 32,
    "part_epochs": 24,
    "mitlgan_epochs": 14,
    "fid_n": 1024,
    "judge_images": 2000,
}

SYNTHETIC_THESIS_IMAGES = 2000
#: the evaluation's records in OUTPUT/DATASET/evaluation/ that the claims are decided from
LEADS_FILE = "early_leads.json"
ATTRIBUTION_FILE = "part_attribution.json"


def build_config(dataset: str, preset: str, overrides: dict) -> dict:
    """Merge a preset with the flags the user gave.

    Args:
        dataset: registry name (decides the thesis epochs).
        preset: "thesis", "hour" or "quick" (already resolved from "auto").
        overrides: flag values that were given (None means not given).

    Returns:
        A flat JSON-serialisable dict of every setting of the run.
    """
    if preset == "thesis":
        config = dict(THESIS_PRESET)
        wgan_epochs, mitlgan_epochs = THESIS_EPOCHS[dataset] if dataset in THESIS_EPOCHS else (86, 86)
        config.update(wgan_epochs=wgan_epochs, part_epochs=wgan_epochs, mitlgan_epochs=mitlgan_epochs)
        if dataset == "synthetic":
            config["n_images"] = SYNTHETIC_THESIS_IMAGES
    else:
        config = dict(HOUR_PRESET if preset == "hour" else QUICK_PRESET)
    epochs = overrides.pop("epochs", None)
    if epochs is not None:
        config.update(wgan_epochs=epochs, part_epochs=epochs, mitlgan_epochs=epochs)
    for key, value in overrides.items():
        if value is not None:
            config[key] = list(value) if isinstance(value, tuple) else value
    if config["n_images"] is None and dataset == "synthetic":
        config["n_images"] = SYNTHETIC_THESIS_IMAGES
    config["dataset"] = dataset
    config["preset"] = preset
    return config


@dataclasses.dataclass(frozen=True, kw_only=True)
class MitlganSettings(Settings):
    """The MITLGAN experiment's settings (``context.settings``; :func:`build_config` and
    the flags make them).

    Attributes:
        dataset: "synthetic" (built in) or a prepared dataset's name.
        image_size, latent_dim: the WGAN generators' (thesis: 128, 1536).
        critic_channels: the critic's four widths (thesis: 48, 96, 192, 384).
        head_filters, num_blocks: the MITLGAN head's first width and dense-residual
            blocks (thesis: 64, 6).
        variants: the MITLGAN heads trained ("thesis", "corrected").
        wgan_epochs, part_epochs, mitlgan_epochs: the combined WGAN's, each part WGAN's
            and each head's epochs.
        batch_size, n_critic, gp_weight, batch_regime, learning_rate: WGAN-GP's.
        n_images: images per part (None: all).
        checkpoint_every: epochs between checkpoints; precision: the dtype policy.
        fid_n, fid_input_size: the final FID's samples and input side.
        eval_every, curve_n: the curves' epochs between scores and samples.
        judge_images, judge_epochs: the synthetic scenes' judge.
        backbone: the FID backbone ("keras-imagenet", "random", or "none": the scene
            judge alone); backbone_fallback: why it replaces the one asked for, or None.
    """

    dataset: str
    image_size: int
    latent_dim: int
    critic_channels: tuple[int, ...]
    head_filters: int
    num_blocks: int
    variants: tuple[str, ...]
    wgan_epochs: int
    part_epochs: int
    mitlgan_epochs: int
    batch_size: int
    n_critic: int
    gp_weight: float
    batch_regime: str
    learning_rate: float
    n_images: int | None = None
    checkpoint_every: int
    precision: str
    fid_n: int
    fid_input_size: int
    eval_every: int
    curve_n: int
    judge_images: int
    judge_epochs: int
    backbone: str = "keras-imagenet"
    backbone_fallback: str | None = None
    #: the FID network's dtype policy, named in every label that is not float32
    fid_precision: str = "float32"
    #: the FID Inception's generated and real images per model and part on the CPU
    #: presets (None: fid_n, and every real image)
    fid_inception_n: int | None = None
    fid_real_n: int | None = None


#: (fid.csv model name, stage, part the real statistics come from)
EVALUATED = (
    ("WGAN", "wgan_combined", "combined"),
    ("MITLGAN (thesis head)", "mitlgan", "combined"),
    ("MITLGAN (corrected head)", "mitlgan_corrected", "combined"),
    ("WGAN (background part)", "wgan_background", "background"),
    ("WGAN (foreground part)", "wgan_foreground", "foreground"),
)


def trained_models(config) -> list[tuple[str, str, str]]:
    """The (name, stage, part) rows of ``EVALUATED`` this run trained."""
    heads = {VARIANTS[v][0] for v in config.variants}
    return [m for m in EVALUATED if not m[1].startswith("mitlgan") or m[1] in heads]
