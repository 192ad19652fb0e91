"""Read an imported ``.npz`` / ``.hdf5`` file: only what it declares, checked first.

A file to import is a stranger's: it may declare one thing and hold another. So it is
read in two steps. First its *declarations* (each member's name, dtype and shape, and
for HDF5 where its data lives) are collected without reading any data, and checked
against the :class:`Schema` of the environment: known keys only, numbers only, one length
for all, the values per row the environment has, at most ``max_rows`` rows, and a total
size within a cap tied to the file's real size (:data:`RATIO` times it, at least
:data:`FLOOR`). Then each array is read into an array of exactly that dtype (native byte
order) and shape, allocated once.

Never done: following a link (HDF5 soft or external links), reading data stored outside
the file (HDF5 external storage, virtual datasets), unpickling (``.npy`` object arrays),
trusting a zip's declared sizes (a member is read, in bounded chunks, up to what its own
``.npy`` header declared and checked). Every refusal is one ``ValueError`` line naming
the key and what is allowed; a refusal about where data lives says the same whatever the
target (its existence is never probed).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rlcore.core.config import short_repr

__all__ = ["FLOOR", "RATIO", "Declared", "Schema", "read_arrays"]

RATIO = 20  # declared arrays may take this many times the file's size ...
FLOOR = 16_000_000  # ... or 16 MB, whichever is more (a small file of zeros is no bomb)
CHUNK = 1 << 20  # npz members are read 1 MiB at a time
MAX_DIRECTORY = 64 << 10  # a dataset's zip directory is < 1 kB; ZipFile holds it all
MAX_HEADER = 10_000  # bytes of a .npy header (numpy's own default limit)
MAX_MEMBERS = 16
LIVES_OUTSIDE = "save the arrays inside the .hdf5"
NUMBERS = "allowed: bool, integers, floats of up to 64 bits"
# HDF5 filters read, in the order h5py applies them; any other (lzf, szip, plugins) is
# refused: their decoders size buffers from values in the file
PIPELINE = {2: "shuffle", 1: "gzip", 3: "fletcher32"}
GZIP = 1
SLACK = 64  # bytes a chunk may inflate to beyond its size (fletcher32's checksum)


class Refused(ValueError):
    """A file refused from what it declares (the message is already the user's line)."""


@dataclass(frozen=True)
class Schema:
    """What a file may declare for one environment."""

    env_id: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    row: dict[str, int]  # values per row of each key (observations: the obs size, ...)
    scalar: tuple[str, ...]  # keys of one number per step (rewards, terminals, timeouts)
    max_rows: int  # the profile's cap on transitions (RLCORE_MAX_DATASET_TRANSITIONS)

    @property
    def keys(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


@dataclass(frozen=True)
class Declared:
    """One array as a file declares it."""

    key: str
    shape: tuple[int, ...]
    dtype: np.dtype  # native byte order: what it is read as
    nbytes: int  # what reading it allocates (an HDF5 chunk, if larger)


def label(name: Any) -> str:
    """A member name fit for a one-line message (a hostile name is quoted and cut)."""
    if isinstance(name, str) and name.isprintable() and 0 < len(name) <= 40:
        return name
    return short_repr(name, 40)


def number_dtype(key: str, dtype: np.dtype) -> np.dtype:
    """``dtype`` in native byte order if it is a number type, else :class:`Refused`."""
    if dtype.hasobject:
        raise Refused(
            f"{key}: an array of Python objects (pickled) - not allowed (allowed: arrays "
            "of numbers)"
        )
    if dtype.kind not in "biuf" or dtype.itemsize > 8 or dtype.fields or dtype.subdtype:
        raise Refused(f"{key}: dtype {dtype.str} is not a number type ({NUMBERS})")
    return dtype.newbyteorder("=")


def _count(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _mb(nbytes: int) -> str:
    return f"{nbytes / 1e6:.2f}" if nbytes < 1e6 else f"{nbytes / 1e6:.0f}"


def check_declared(declared: list[Declared], schema: Schema, file_size: int) -> list[Declared]:
    """Check the declarations against ``schema`` and the size cap; the ones to read.

    Order: the total size first (a bomb is named as such), then unknown and missing keys,
    then lengths, the row cap and the values per row, as :func:`validate_arrays` words them.
    """
    cap = max(FLOOR, RATIO * file_size)
    total = sum(d.nbytes for d in declared)
    if total > cap:
        biggest = max(declared, key=lambda d: d.nbytes)
        raise Refused(
            f"{biggest.key}: {_mb(total)} MB unpacked, too large (allowed: at most "
            f"{_mb(cap)} MB for this {_mb(file_size)} MB file: {RATIO} times its size, at "
            f"least {_mb(FLOOR)} MB)"
        )
    allowed = ", ".join(schema.keys)
    for d in declared:
        if d.key not in schema.keys:
            raise Refused(f"{d.key}: not a dataset key (allowed: {allowed}); remove it")
    by_key = {d.key: d for d in declared}
    missing = [k for k in schema.required if k not in by_key]
    if missing:
        raise Refused(
            f"missing key(s) {', '.join(missing)} (required: {', '.join(schema.required)}; "
            f"optional: {', '.join(schema.optional)})"
        )
    for d in declared:
        if not d.shape:
            raise Refused(f"{d.key}: a single value, expected one row per transition")
    n = by_key["rewards"].shape[0]
    for d in declared:
        if d.shape[0] != n:
            raise Refused(f"{d.key}: length {d.shape[0]} != rewards length {n}")
    if n == 0:
        raise Refused("rewards: the file holds no transitions")
    if n > schema.max_rows:
        raise Refused(
            f"{n} transitions: too large (allowed: at most {schema.max_rows}; "
            "set by RLCORE_MAX_DATASET_TRANSITIONS)"
        )
    for d in declared:
        per_row = schema.row[d.key]
        if _count(d.shape[1:]) != per_row:
            if d.key in schema.scalar:
                raise Refused(f"{d.key}: shape {d.shape}, expected ({n},): one value per step")
            raise Refused(
                f"{d.key}: shape {d.shape}, expected ({n}, {per_row}) for {schema.env_id}"
            )
    return [by_key[k] for k in schema.keys if k in by_key]


def read_arrays(path: Path, schema: Schema) -> dict[str, np.ndarray]:
    """The arrays of a ``.npz`` or ``.hdf5``/``.h5`` file, read only as declared.

    Raises:
        ValueError: one line naming the key and what is allowed (the file declares
            something refused), or saying the file is not a readable one.
    """
    suffix = path.suffix.lower()
    if suffix == ".npz":
        reader, kind = _read_npz, ".npz"
    elif suffix in (".hdf5", ".h5"):
        reader, kind = _read_hdf5, "HDF5"
    else:
        raise ValueError(f"{path.name}: unsupported file type (allowed: .npz, .hdf5, .h5)")
    try:
        return reader(path, schema, path.stat().st_size)
    except Refused:
        raise
    except Exception as e:  # zipfile, zlib, numpy and h5py raise a zoo of types on odd files
        detail = " ".join(str(e).split())[:160] or type(e).__name__
        raise ValueError(f"{path.name}: not a readable {kind} file ({detail})") from None


# -- .npz -------------------------------------------------------------------------------


def _npz_header(fh: Any, key: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """A member's ``.npy`` header: (shape, Fortran order, dtype); nothing of its data."""
    fmt = np.lib.format
    version = fmt.read_magic(fh)
    if version == (1, 0):
        shape, fortran, dtype = fmt.read_array_header_1_0(fh, max_header_size=MAX_HEADER)
    elif version == (2, 0):
        shape, fortran, dtype = fmt.read_array_header_2_0(fh, max_header_size=MAX_HEADER)
    else:
        raise Refused(
            f"{key}: .npy format version {version[0]}.{version[1]} (allowed: 1.0 and 2.0, "
            "as numpy.savez writes arrays of numbers)"
        )
    if any(d < 0 for d in shape):
        raise Refused(f"{key}: shape {shape} has a negative size (allowed: sizes >= 0)")
    return tuple(int(d) for d in shape), bool(fortran), dtype


def _npz_members(zf: zipfile.ZipFile, name: str) -> dict[str, zipfile.ZipInfo]:
    """The ``.npy`` members by key; refuses what numpy.savez never writes."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Refused(f"{name}: holds {len(infos)} members (allowed: at most {MAX_MEMBERS})")
    out: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        key = label(info.filename[:-4] if info.filename.endswith(".npy") else info.filename)
        if not info.filename.endswith(".npy") or info.is_dir():
            raise Refused(f"{key}: not a .npy array (allowed: arrays saved by numpy.savez)")
        if info.flag_bits & 0x1:
            raise Refused(f"{key}: encrypted - not allowed (allowed: plain numpy.savez files)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(
                f"{key}: compressed with zip method {info.compress_type} (allowed: stored "
                "or deflate, as numpy.savez and numpy.savez_compressed write)"
            )
        if key in out:
            raise Refused(f"{key}: appears twice in the file (allowed: one array per key)")
        out[key] = info
    return out


def _directory_size(fh: Any, name: str) -> None:
    """Refuse a zip directory larger than a dataset's before ZipFile reads it all.

    ZipFile keeps one object per directory entry: a 50 MB upload of empty entries would
    hold a million of them. ``_EndRecData`` is what ZipFile itself reads first.
    """
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # pragma: no cover - a future Python: ZipFile's own checks
        return
    end = end_record(fh)
    if end is None:
        raise ValueError("File is not a zip file")
    size = end[zipfile._ECD_SIZE]
    if size > MAX_DIRECTORY:
        raise Refused(
            f"{name}: its zip directory takes {size} bytes (allowed: at most "
            f"{MAX_DIRECTORY}: a dataset has at most {MAX_MEMBERS} arrays)"
        )
    fh.seek(0)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, d: Declared) -> np.ndarray:
    """Exactly ``d.nbytes`` bytes after the header, in bounded chunks, into one array."""
    with zf.open(info) as fh:
        shape, fortran, dtype = _npz_header(fh, d.key)
        if shape != d.shape or dtype.newbyteorder("=") != d.dtype:
            raise Refused(f"{d.key}: its header changed while the file was read")
        out = np.empty(shape, dtype, order="F" if fortran else "C")
        flat = memoryview(out.reshape(-1, order="A").view(np.uint8))
        pos = 0
        while pos < len(flat):
            data = fh.read(min(CHUNK, len(flat) - pos))
            if not data:
                raise Refused(
                    f"{d.key}: the data ends before the shape {shape} its header declares"
                )
            flat[pos : pos + len(data)] = data
            pos += len(data)
    return out.astype(d.dtype, copy=False)


def _read_npz(path: Path, schema: Schema, size: int) -> dict[str, np.ndarray]:
    with open(path, "rb") as raw:
        _directory_size(raw, path.name)
        with zipfile.ZipFile(raw) as zf:
            members = _npz_members(zf, path.name)
            declared = []
            for key, info in members.items():
                with zf.open(info) as fh:
                    shape, _fortran, dtype = _npz_header(fh, key)
                dtype = number_dtype(key, dtype)
                declared.append(Declared(key, shape, dtype, _count(shape) * dtype.itemsize))
            wanted = check_declared(declared, schema, size)
            return {d.key: _read_member(zf, members[d.key], d) for d in wanted}


# -- .hdf5 ------------------------------------------------------------------------------


@contextmanager
def _hdf5_file(path: Path) -> Iterator[Any]:
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is in requirements.txt
        raise Refused("reading .hdf5 needs the h5py package") from None
    with h5py.File(path, "r") as f:
        yield f


def _hdf5_dtype(key: str, dset: Any) -> np.dtype:
    """The dataset's number dtype (native order); refuses compound, vlen, references."""
    import h5py

    dt = dset.dtype
    if h5py.check_dtype(ref=dt) is not None:
        raise Refused(f"{key}: references to other objects - not allowed ({NUMBERS})")
    if h5py.check_dtype(vlen=dt) is not None or dt.kind == "O":
        raise Refused(f"{key}: variable-length values - not allowed ({NUMBERS})")
    if dt.fields is not None:
        raise Refused(f"{key}: a compound type (named fields) - not allowed ({NUMBERS})")
    return number_dtype(key, dt)


def _hdf5_declared(key: str, dset: Any) -> Declared:
    """Where a dataset's data lives, its dtype, shape and the bytes reading it takes."""
    from h5py import h5d

    plist = dset.id.get_create_plist()
    if plist.get_external_count() > 0 or dset.external:
        raise Refused(
            f"{key}: stored outside the file (external storage) - not allowed; {LIVES_OUTSIDE}"
        )
    layout = plist.get_layout()
    if layout == h5d.VIRTUAL or dset.is_virtual:
        raise Refused(
            f"{key}: a virtual dataset (its data lies in other files) - not allowed; "
            f"{LIVES_OUTSIDE}"
        )
    if layout not in (h5d.COMPACT, h5d.CONTIGUOUS, h5d.CHUNKED):
        raise Refused(f"{key}: an unknown storage layout ({layout}) - not allowed")
    dtype = _hdf5_dtype(key, dset)
    if dset.shape is None:
        raise Refused(f"{key}: holds no array (allowed: one row per transition)")
    codes = tuple(plist.get_filter(i)[0] for i in range(plist.get_nfilters()))
    order = iter(PIPELINE)
    if not all(code in order for code in codes):  # a subsequence of PIPELINE, in order
        names = ", ".join(PIPELINE.get(c, f"filter {c}") for c in codes)
        raise Refused(
            f"{key}: compressed with {names} (allowed: {', '.join(PIPELINE.values())}, "
            "in that order, as h5py writes them)"
        )
    shape = tuple(int(d) for d in dset.shape)
    values = _count(shape)
    if layout == h5d.CHUNKED:  # a chunk is decompressed whole, even for one value
        chunk_bytes = _count(plist.get_chunk()) * dtype.itemsize
        if GZIP in codes:
            _check_chunks(key, dset, 1 << codes.index(GZIP), chunk_bytes)
        values = max(values, chunk_bytes // dtype.itemsize)
    return Declared(key, shape, dtype, values * dtype.itemsize)


def _check_chunks(key: str, dset: Any, gzip_bit: int, chunk_bytes: int) -> None:
    """Refuse a gzip chunk that inflates beyond its declared size.

    HDF5's deflate filter doubles its buffer until the stream ends, whatever the chunk's
    size: a 300 kB chunk declaring 8 kB inflates to 300 MB. Each stored chunk is
    inflated here first, at most ``chunk_bytes`` + :data:`SLACK` bytes of it.
    """
    dsid = dset.id
    for i in range(dsid.get_num_chunks()):
        info = dsid.get_chunk_info(i)
        if info.filter_mask & gzip_bit:  # this chunk was stored without gzip
            continue
        raw = dsid.read_direct_chunk(info.chunk_offset)[1]
        limit = chunk_bytes + SLACK
        if len(zlib.decompressobj().decompress(raw, limit + 1)) > limit:
            raise Refused(
                f"{key}: a compressed chunk unpacks beyond the {chunk_bytes} bytes its "
                "chunk shape declares - not allowed; save the file again with h5py"
            )


def _hdf5_entry(f: Any, name: Any, allowed: str) -> Any:
    """The dataset a top-level name holds (a hard link); any link or group is refused."""
    import h5py

    key = label(name)
    link = f.get(name, getlink=True)
    if isinstance(link, h5py.ExternalLink):
        raise Refused(
            f"{key}: a link to another file (external link) - not allowed; {LIVES_OUTSIDE}"
        )
    if isinstance(link, h5py.SoftLink):
        raise Refused(
            f"{key}: a link inside the file (soft link) - not allowed; "
            "store the array itself under its name"
        )
    if not isinstance(link, h5py.HardLink):
        raise Refused(f"{key}: a link of an unknown kind - not allowed; {LIVES_OUTSIDE}")
    obj = f[name]
    if isinstance(obj, h5py.Group):
        raise Refused(f"{key}: a group - not allowed (allowed: {allowed} at the top level)")
    if not isinstance(obj, h5py.Dataset):
        raise Refused(f"{key}: not a dataset (allowed: {allowed} at the top level)")
    return obj


def _read_hdf5(path: Path, schema: Schema, size: int) -> dict[str, np.ndarray]:
    allowed = ", ".join(schema.keys)
    with _hdf5_file(path) as f:
        if len(f) > MAX_MEMBERS:
            raise Refused(
                f"{path.name}: holds {len(f)} entries at the top level "
                f"(allowed: at most {MAX_MEMBERS}: {allowed})"
            )
        sets = {}
        for name in list(f):  # never follows a link: each is looked at as a link first
            dset = _hdf5_entry(f, name, allowed)
            sets[label(name)] = (dset, _hdf5_declared(label(name), dset))
        wanted = check_declared([d for _, d in sets.values()], schema, size)
        out = {}
        for d in wanted:
            out[d.key] = np.empty(d.shape, d.dtype)
            if out[d.key].size:
                sets[d.key][0].read_direct(out[d.key])
        return out
