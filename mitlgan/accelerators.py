"""What training costs on an accelerator: peaks, assumed efficiencies, a stage table.

Wall time on an accelerator = FLOPs / (peak FLOP/s x efficiency). The peaks are the
vendors' dense figures for the arithmetic a float32 Keras model gets there; the
efficiencies are assumptions, stated and argued in :data:`ACCELERATORS` and
``docs/scaling.md``, not measurements. The FLOPs come from :mod:`mitlgan.flops`; which
stages an experiment has and how many steps each takes belongs to the experiment
(``python -m reproductions.mitlgan.cost``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACCELERATORS", "Accelerator", "StageCost", "efficiency_overrides", "hours",
           "report_lines"]


@dataclass(frozen=True)
class Accelerator:
    """A device's peak for a float32 Keras model and the share of it we assume."""

    name: str
    peak_flops: float
    arithmetic: str
    efficiency: float
    why: str


ACCELERATORS = (
    Accelerator("T4", 8.1e12, "FP32 (Turing has no TF32)", 0.35,
                "cuDNN's FP32 convolutions reach roughly half of peak on mid-size layers; the "
                "thesis's thin layers (3-48 channels) and BatchNorm/LeakyReLU passes are "
                "memory-bound, so about a third overall"),
    Accelerator("A100", 156e12, "TF32 tensor cores (TensorFlow's default for float32)", 0.15,
                "tensor cores need many channels to fill; with 3-384 channels at 128x128 and the "
                "gradient penalty's elementwise second-order ops, memory bandwidth (2 TB/s) "
                "rather than arithmetic bounds most of the step"),
    Accelerator("H100", 495e12, "TF32 tensor cores, dense", 0.12,
                "3.2x the A100's TF32 peak but only 1.7x its bandwidth: the memory-bound share "
                "of the step grows, so a lower fraction than on the A100"),
    Accelerator("TPU v4", 275e12, "bfloat16 MXU (float32 matmuls run as bfloat16 passes)", 0.15,
                "the 128x128 systolic arrays are underfilled by layers with fewer than 128 "
                "channels, most of the generators; XLA fuses the elementwise ops"),
)


@dataclass(frozen=True)
class StageCost:
    """One training stage: its steps and the FLOPs of each."""

    stage: str
    images: int
    epochs: int
    steps_per_epoch: int
    step_flops: int
    analytic_step_flops: int

    @property
    def steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def flops(self) -> int:
        return self.steps * self.step_flops


def hours(flops: float, accelerator: Accelerator, efficiency: float | None = None) -> float:
    """Hours ``flops`` take on ``accelerator`` at ``efficiency`` (default: its assumed one)."""
    share = accelerator.efficiency if efficiency is None else efficiency
    return flops / (accelerator.peak_flops * share) / 3600


def report_lines(stages, accelerators=ACCELERATORS, efficiencies=None) -> list[str]:
    """The stage table and the hours per accelerator as printable lines."""
    efficiencies = efficiencies or {}
    lines = [f"{'stage':18s} {'images':>7s} {'epochs':>6s} {'steps':>7s} "
             f"{'TFLOP/step':>11s} {'(analytic)':>10s} {'PFLOP':>9s}"]
    for s in stages:
        lines.append(f"{s.stage:18s} {s.images:7d} {s.epochs:6d} {s.steps:7d} "
                     f"{s.step_flops / 1e12:11.3f} {s.analytic_step_flops / 1e12:10.3f} "
                     f"{s.flops / 1e15:9.1f}")
    total = sum(s.flops for s in stages)
    lines += [f"{'total':18s} {'':7s} {'':6s} {sum(s.steps for s in stages):7d} "
              f"{'':11s} {'':10s} {total / 1e15:9.1f}", "",
              f"{'accelerator':9s} {'peak TFLOP/s':>12s} {'efficiency':>10s} {'hours':>8s}  arithmetic"]
    for a in accelerators:
        efficiency = efficiencies.get(a.name, a.efficiency)
        lines.append(f"{a.name:9s} {a.peak_flops / 1e12:12.1f} {efficiency:10.0%} "
                     f"{hours(total, a, efficiency):8.1f}  {a.arithmetic}")
    return lines


def efficiency_overrides(values) -> dict:
    """``["A100=0.3", ...]`` -> ``{"A100": 0.3}``.

    Raises:
        ValueError: an unknown accelerator or a share outside (0, 1]; the message says
            what is accepted.
    """
    names = {a.name for a in ACCELERATORS}
    overrides = {}
    for value in values or []:
        name, _, number = value.partition("=")
        try:
            share = float(number)
        except ValueError:
            share = -1.0
        if name not in names or not 0 < share <= 1:
            raise ValueError(f"--efficiency {value!r}: give NAME=SHARE with NAME one of "
                             f"{sorted(names)} and 0 < SHARE <= 1")
        overrides[name] = share
    return overrides


def cpu_has_bf16() -> bool:
    """Whether this CPU has AVX-512 BF16 or AMX-BF16 (Linux ``/proc/cpuinfo`` flags): the
    only CPUs where ``mixed_bfloat16`` pays off (``benchmarks/fid_inception.py``: the FID
    Inception 4.2x faster, its FID within 0.35% of float32's)."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = set(cpuinfo.read().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})
