"""WGANGP under tf.distribute.MirroredStrategy with two logical CPU devices."""

import json
import subprocess
import sys
from pathlib import Path

HELPER = Path(__file__).with_name("_gan_helpers.py")


def test_mirrored_step_equals_one_device_step(tmp_path):
    # Logical devices must be configured before TensorFlow initialises them, so the
    # comparison runs in its own process (see _gan_helpers.py).
    out = tmp_path / "report.json"
    subprocess.run([sys.executable, str(HELPER), "distributed", str(out)], check=True, timeout=300)
    report = json.loads(out.read_text())
    assert report["replicas"] == 2
    assert report["initial_difference"] == 0.0  # same starting weights
    assert report["max_update"] > 1e-4  # the step did change the weights ...
    assert report["max_weight_difference"] < 1e-5  # ... identically on 1 and 2 replicas
    for name, value in report["history_one_device"].items():
        assert abs(report["history_mirrored"][name] - value) < 1e-5, name
