"""Read the tensors of a PyTorch archive with numpy alone, through a restricted unpickler.

A TorchScript archive (``torch.jit.save``) or a ``torch.save`` file is a zip of one
pickle (``data.pkl``) and one raw file per tensor storage. Unpickling runs whatever
callables the pickle names, so :class:`RestrictedUnpickler` resolves only the names
that rebuild tensors and containers; any other name (``os.system``, ``builtins.eval``,
...) raises :class:`UnsafeArchiveError` before anything is called. torch is never
imported.

:func:`read_tensors` returns ``{dotted.name: np.ndarray}`` for every tensor reachable
from the pickle's root: module attributes for a TorchScript archive
(``net.layers.conv.weight``), dictionary keys for a saved state dict.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

from mitlgan.errors import UserInputError

__all__ = ["UnsafeArchiveError", "RestrictedUnpickler", "read_tensors"]

#: torch's storage classes and the numpy dtypes of their raw bytes (little-endian)
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "BoolStorage": np.bool_,
    "ByteStorage": np.uint8,
}


class UnsafeArchiveError(UserInputError, ValueError):
    """The archive is not a plain tensor archive: it names a callable outside the allowed ones,
    or its structure is not one torch writes."""


class _StorageType:
    """Stands for ``torch.FloatStorage`` & co.: only its dtype is used."""

    def __init__(self, name: str):
        self.name, self.dtype = name, np.dtype(STORAGE_DTYPES[name])


class ScriptModuleRecord:
    """The attributes of one pickled TorchScript module (its class is only a name)."""

    qualified_name = "?"

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise UnsafeArchiveError(f"module {self.qualified_name} has a state that is not a dict")
        self.__dict__.update(state)


def _rebuild_tensor(storage, offset, size, stride, *_ignored):
    """numpy counterpart of ``torch._utils._rebuild_tensor_v2``: a strided view, copied."""
    if not isinstance(storage, np.ndarray):
        raise UnsafeArchiveError("a tensor refers to something that is not a storage")
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if not size:
        return storage[offset].copy()
    last = offset + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else offset
    if last >= len(storage) or offset < 0 or min(stride, default=0) < 0:
        raise UnsafeArchiveError("a tensor reaches past the end of its storage")
    item = storage.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=size, strides=[s * item for s in stride], writeable=False)
    return np.array(view)


def _build_intlist(values):
    return list(values)


_ALLOWED = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("collections", "OrderedDict"): OrderedDict,
    ("torch.jit._pickle", "build_intlist"): _build_intlist,
    ("torch.jit._pickle", "build_tensorlist"): _build_intlist,
    ("torch.jit._pickle", "build_doublelist"): _build_intlist,
    ("torch.jit._pickle", "build_boollist"): _build_intlist,
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles a torch archive's ``data.pkl`` allowing only tensor-rebuild names.

    Args:
        file: the pickle's bytes as a binary file.
        read_storage: ``key -> bytes`` of the storage file ``data/KEY``.
        where: the archive's name, for error messages.
    """

    def __init__(self, file, read_storage, where: str):
        super().__init__(file)
        self._read_storage, self._where = read_storage, where
        self._storages: dict[str, np.ndarray] = {}

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        if module.startswith("__torch__.") and name.isidentifier():
            # A TorchScript module class: a record of its attributes, nothing it can run.
            return type(name, (ScriptModuleRecord,), {"qualified_name": f"{module}.{name}"})
        raise UnsafeArchiveError(
            f"{self._where}: refusing to load: its pickle asks for {module}.{name}, which is "
            "not one of the tensor-rebuild functions a weights archive needs. The file is not "
            "a plain PyTorch weights archive (or has been tampered with); nothing in it was run."
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise UnsafeArchiveError(f"{self._where}: unexpected persistent id {pid!r:.80}")
        storage_type, key, _location, numel = pid[1], str(pid[2]), pid[3], int(pid[4])
        if not isinstance(storage_type, _StorageType):
            raise UnsafeArchiveError(f"{self._where}: storage {key} has no known storage type")
        if key not in self._storages:
            raw = self._read_storage(key)
            values = np.frombuffer(raw, dtype=storage_type.dtype.newbyteorder("<"))
            if len(values) < numel:
                raise UnsafeArchiveError(
                    f"{self._where}: storage {key} holds {len(values)} values, {numel} expected")
            self._storages[key] = values[:numel].astype(storage_type.dtype)
        return self._storages[key]


def _flatten(value, prefix: str, out: dict[str, np.ndarray], seen: set[int]) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        out[prefix] = value
    elif isinstance(value, ScriptModuleRecord):
        for key, item in value.__dict__.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, out, seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out, seen)


def _scalars(value, prefix: str, out: dict[str, object]) -> None:
    """Module attributes that are ints or int lists (strides, paddings), by dotted name."""
    if isinstance(value, ScriptModuleRecord):
        for key, item in value.__dict__.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(item, (int, list)) and not isinstance(item, bool):
                out[name] = item
            else:
                _scalars(item, name, out)


def read_tensors(path: str | Path, *, with_attributes: bool = False):
    """Every tensor of a PyTorch archive, by dotted name, read without torch.

    Args:
        path: a ``torch.jit.save`` / ``torch.save`` zip archive.
        with_attributes: also return the modules' int attributes (``stride``,
            ``padding``), by dotted name.

    Returns:
        ``{name: np.ndarray}`` (or that and ``{name: int | list}``).

    Raises:
        UnsafeArchiveError: the pickle names anything but tensor-rebuild functions.
        UserInputError: not a zip archive, or no ``data.pkl`` in it.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        raise UserInputError(f"{path}: not a PyTorch zip archive ({err})") from err
    with archive:
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pickles) != 1:
            raise UserInputError(f"{path}: expected one data.pkl in the archive, found {pickles}")
        root = pickles[0][: -len("data.pkl")]

        def read_storage(key: str) -> bytes:
            try:
                return archive.read(f"{root}data/{key}")
            except KeyError as err:
                raise UnsafeArchiveError(f"{path}: storage data/{key} is missing") from err

        unpickler = RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), read_storage,
                                        str(path))
        try:
            obj = unpickler.load()
        except UnsafeArchiveError:
            raise
        except Exception as err:  # a truncated or malformed pickle
            raise UserInputError(f"{path}: cannot read its pickle ({err!r})") from err
    tensors: dict[str, np.ndarray] = {}
    _flatten(obj, "", tensors, set())
    if not with_attributes:
        return tensors
    attributes: dict[str, object] = {}
    _scalars(obj, "", attributes)
    return tensors, attributes
