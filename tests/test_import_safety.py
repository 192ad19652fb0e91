"""Imported files read only what they declare (issue 28, findings 1 and 6).

The reproductions first: an ``.hdf5`` whose ``rewards`` is declared with h5py's external
storage on ``/etc/passwd`` imported the server's file as returns (and a missing path
answered "unable to open external raw data file", so file existence leaked); virtual
datasets, external and soft links read other files or other objects; a 0.97 MB ``.npz``
unpacked to 950 MiB before its lengths were compared. Each is refused now, from the
file's declarations, with one line naming the key and what is allowed.

Then property tests (hypothesis) throw malformed files at ``import_file``: random bytes,
valid files truncated or with bytes flipped, hand-built ``.npz`` files with random member
names, ``.npy`` headers and zip sizes that lie, and ``.hdf5`` files with random external,
virtual, link, group and dtype declarations aimed at canary files outside the folder.
Every outcome must be a valid import or a one-line ValueError; Linux inotify watches the
canaries, so any open or read of them is an escape, and so is a peak of traced memory
above what the file holds.

Counts of the hostile files tried and of the escapes (target: 0) go to
``test-artifacts/import_counts*.json``; ``FUZZ_SCALE=20`` multiplies the examples.
"""

import ctypes
import functools
import os
import re
import resource
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox import ROOT, fake_expert_refs, write_counts

from rlcore.data import datasets as ds

ENV = "Pendulum-v1"  # observations of 3 numbers, one action in [-2, 2]
KEYS = (*ds.REQUIRED_KEYS, "timeouts")
MARK = 4242.0  # every reward of the canary file outside the folder
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
COUNTS: Counter = Counter()


def fast(n):
    """Hypothesis settings: ``n`` examples (x FUZZ_SCALE), no deadline, no database."""
    return settings(
        deadline=None,
        database=None,
        max_examples=max(1, int(n * SCALE)),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    write_counts(COUNTS, "import_counts")


def columns(n=10, reward=1.0):
    """Valid D4RL columns for Pendulum: ``n`` one-step episodes."""
    return {
        "observations": np.zeros((n, 3), np.float32),
        "next_observations": np.ones((n, 3), np.float32),
        "actions": np.zeros((n, 1), np.float32),
        "rewards": np.full(n, reward, np.float32),
        "terminals": np.ones(n, np.float32),
    }


class Watch:
    """Linux inotify on a folder: the names of its files opened or read since the last look."""

    IN_ACCESS, IN_OPEN, IN_ISDIR = 0x1, 0x20, 0x40000000

    def __init__(self, folder: Path):
        self.fd = -1
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            if (
                fd >= 0
                and libc.inotify_add_watch(fd, str(folder).encode(), self.IN_ACCESS | self.IN_OPEN)
                >= 0
            ):
                self.fd = fd
        except (OSError, AttributeError):  # not Linux: the content checks remain
            pass

    def seen(self) -> list[str]:
        out = []
        while self.fd >= 0:
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            i = 0
            while i + 16 <= len(buf):
                _wd, mask, _cookie, size = struct.unpack_from("iIII", buf, i)
                if not mask & self.IN_ISDIR:  # a file, not the folder being listed
                    out.append(buf[i + 16 : i + 16 + size].rstrip(b"\0").decode())
                i += 16 + size
        return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A datasets folder, a folder for the hostile files, canaries outside both."""
    root = tmp_path_factory.mktemp("imports")
    w = SimpleNamespace(store=root / "store", inputs=root / "inputs", outside=root / "outside")
    for d in (w.store, w.inputs, w.outside):
        d.mkdir()
    fake_expert_refs(w.store)
    w.secret_bin = w.outside / "secret.bin"
    w.secret_bin.write_bytes(bytes(range(256)) * 64)
    w.secret_h5 = w.outside / "secret.h5"
    with h5py.File(w.secret_h5, "w") as f:
        for k, v in columns(10, MARK).items():
            f[k] = v
    w.watch = Watch(w.outside)
    w.watch.seen()
    mp = pytest.MonkeyPatch()
    mp.setenv("RLCORE_DATASETS_DIR", str(w.store))
    yield w
    mp.undo()


@pytest.fixture
def store(world, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(world.store))
    for d in ds.list_datasets():
        ds.delete_dataset(d.id)
    return world


def refused(path) -> str:
    """Import ``path``: it must be refused in one line, leaving no dataset behind."""
    with pytest.raises(ValueError) as e:
        ds.import_file(path, ENV, "probe")
    msg = str(e.value)
    assert msg and "\n" not in msg, msg
    assert ds.list_datasets() == [], msg
    return msg


def h5(path, arrays, **special):
    """An .hdf5 file of ``arrays``; ``special[key](f, key)`` declares that key instead."""
    with h5py.File(path, "w") as f:
        for k, v in arrays.items():
            if k in special:
                special[k](f, k)
            else:
                f[k] = v
    return path


def external(target, offset, size, dtype="u1", shape=None):
    def declare(f, k):
        f.create_dataset(k, shape=shape or (size,), dtype=dtype, external=[(target, offset, size)])

    return declare


EXTERNAL = (
    "rewards: stored outside the file (external storage) - not allowed; "
    "save the arrays inside the .hdf5"
)


# -- finding 1: server files read through HDF5 -------------------------------------------
def test_the_etc_passwd_payload_is_refused(store, tmp_path):
    """The issue's file: rewards = the 1221 bytes of /etc/passwd, terminals all 1."""
    n = 1221
    path = h5(tmp_path / "passwd.h5", columns(n), rewards=external("/etc/passwd", 0, n))
    assert refused(path) == EXTERNAL


def test_the_one_row_u2_variant_is_refused(store, tmp_path):
    """One row of ``>u2`` on /etc/passwd read the bytes "ro" as a return of 29295.0."""
    path = h5(tmp_path / "ro.h5", columns(1), rewards=external("/etc/passwd", 0, 2, ">u2", (1,)))
    assert refused(path) == EXTERNAL


@pytest.mark.parametrize(
    "target", ["/nonexistent/secret", "/etc/passwd", "../outside/secret.bin", "secret.bin"]
)
def test_external_storage_says_the_same_whether_the_target_exists(store, tmp_path, target):
    target = target if target.startswith("/") else str(store.outside / target)
    path = h5(tmp_path / "x.h5", columns(4), rewards=external(target, 0, 4))
    msg = refused(path)
    assert msg == EXTERNAL and "unable to open" not in msg
    assert store.watch.seen() == []


def test_a_virtual_dataset_on_another_file_is_refused(store, tmp_path):
    def virtual(f, k):
        layout = h5py.VirtualLayout(shape=(10,), dtype="f4")
        layout[:] = h5py.VirtualSource(str(store.secret_h5), "rewards", shape=(10,))
        f.create_virtual_dataset(k, layout)

    path = h5(tmp_path / "vds.h5", columns(10), rewards=virtual)
    store.watch.seen()
    assert refused(path) == (
        "rewards: a virtual dataset (its data lies in other files) - not allowed; "
        "save the arrays inside the .hdf5"
    )
    assert store.watch.seen() == []


def test_an_external_link_is_refused_without_being_followed(store, tmp_path):
    def link(f, k):
        f[k] = h5py.ExternalLink(str(store.secret_h5), "/rewards")

    path = h5(tmp_path / "elink.h5", columns(10), rewards=link)
    store.watch.seen()
    assert refused(path) == (
        "rewards: a link to another file (external link) - not allowed; "
        "save the arrays inside the .hdf5"
    )
    assert store.watch.seen() == []


@pytest.mark.parametrize("to", ["/stash", "/nowhere"])
def test_a_soft_link_is_refused(store, tmp_path, to):
    """``rewards`` as a soft link to another dataset of the file (or to nothing)."""

    def link(f, k):
        f.create_dataset("stash", data=np.full(10, MARK, np.float32))
        f[k] = h5py.SoftLink(to)

    path = h5(tmp_path / "soft.h5", columns(10), rewards=link)
    assert refused(path) == (
        "rewards: a link inside the file (soft link) - not allowed; "
        "store the array itself under its name"
    )


@pytest.mark.parametrize(
    "declare,words",
    [
        (lambda f, k: f.create_group(k), "infos: a group - not allowed"),
        (lambda f, k: f.create_dataset(k, data=np.zeros(10)), "infos: not a dataset key"),
    ],
)
def test_keys_outside_the_schema_are_refused(store, tmp_path, declare, words):
    path = h5(tmp_path / "extra.h5", {**columns(10), "infos": None}, infos=declare)
    msg = refused(path)
    assert msg.startswith(words), msg
    assert "allowed: observations, actions, rewards, next_observations, terminals" in msg


@pytest.mark.parametrize(
    "dtype,words",
    [
        (np.dtype([("a", "<f4"), ("b", "<f4")]), "rewards: a compound type"),
        (h5py.vlen_dtype(np.float32), "rewards: variable-length values"),
        (h5py.ref_dtype, "rewards: references to other objects"),
        (h5py.string_dtype(), "rewards: variable-length values"),
        (np.dtype("S4"), "rewards: dtype |S4 is not a number type"),
        (np.dtype("c8"), "rewards: dtype <c8 is not a number type"),
    ],
)
def test_hdf5_dtypes_other_than_numbers_are_refused(store, tmp_path, dtype, words):
    path = h5(
        tmp_path / "dt.h5", columns(10), rewards=lambda f, k: f.create_dataset(k, (10,), dtype)
    )
    msg = refused(path)
    assert msg.startswith(words) and "(allowed: " in msg, msg


@pytest.mark.parametrize("driver", ["split", "family"])
def test_files_of_other_hdf5_drivers_open_nothing_beside_them(store, tmp_path, driver):
    """The split and family drivers keep data in sibling files: none of them is opened."""
    parts = store.outside / driver
    parts.mkdir(exist_ok=True)
    name = parts / ("x%d.h5" if driver == "family" else "x.h5")
    with h5py.File(name, "w", driver=driver, **({"memb_size": 4096} if driver == "family" else {})):
        pass
    with h5py.File(
        name, "a", driver=driver, **({"memb_size": 4096} if driver == "family" else {})
    ) as f:
        for k, v in columns(100, MARK).items():
            f[k] = v
    first = sorted(parts.iterdir())[0]
    watch = Watch(parts)
    if watch.fd < 0:
        pytest.skip("no inotify here")
    upload = tmp_path / "upload.h5"
    upload.write_bytes(first.read_bytes())
    watch.seen()
    assert "not a readable HDF5 file" in refused(upload)
    assert watch.seen() == []


def test_the_canary_watch_sees_a_read(world):
    """The fuzz tests' detector works: reading a canary is seen, listing the folder is not."""
    if world.watch.fd < 0:
        pytest.skip("no inotify here")
    world.watch.seen()
    sorted(world.outside.iterdir())
    assert world.watch.seen() == []
    with open(world.secret_bin, "rb") as fh:
        fh.read(1)
    assert "secret.bin" in world.watch.seen()


def test_hdf5_big_endian_and_integer_columns_import_as_numbers(store, tmp_path):
    arrays = columns(10)
    arrays["rewards"] = np.arange(10, dtype=">u2")
    arrays["observations"] = arrays["observations"].astype(">f8")
    arrays["terminals"] = np.ones(10, "?")
    ds_id = ds.import_file(h5(tmp_path / "be.h5", arrays), ENV, "be")
    tr, _ = ds.load_transitions(ds_id)
    np.testing.assert_array_equal(tr.rewards, np.arange(10, dtype=np.float32))


def test_hdf5_declared_sizes_are_checked_before_reading(store, tmp_path):
    """A dataset of fill values (nothing stored) declaring 800 MB, and a 2 GB chunk."""

    def fill(f, k):
        f.create_dataset(k, shape=(100_000_000,), dtype="f8", chunks=(1_000_000,))

    path = h5(tmp_path / "fill.h5", columns(10), rewards=fill)
    assert os.path.getsize(path) < 100_000
    assert "MB unpacked, too large" in refused(path)

    def chunk(f, k):
        f.create_dataset(k, shape=(10,), maxshape=(None,), dtype="f8", chunks=(250_000_000,))

    path = h5(tmp_path / "chunk.h5", columns(10), rewards=chunk)
    assert "MB unpacked, too large" in refused(path)


def test_an_hdf5_chunk_that_inflates_beyond_its_shape_is_refused(store, tmp_path):
    """A 300 kB gzip chunk declaring 8 kB: HDF5 itself would inflate all 300 MB."""
    c = zlib.compressobj(9)
    blob = c.compress(bytes(300 << 20)) + c.flush()

    def chunk(f, k):
        f.create_dataset(
            k, shape=(10,), dtype="f8", chunks=(1000,), maxshape=(None,), compression="gzip"
        )
        f[k].id.write_direct_chunk((0,), blob, 0)

    path = h5(tmp_path / "inflate.h5", columns(10), rewards=chunk)
    tracemalloc.start()
    try:
        msg = refused(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert msg == (
        "rewards: a compressed chunk unpacks beyond the 8000 bytes its chunk shape declares "
        "- not allowed; save the file again with h5py"
    )
    assert peak < 32 << 20, peak


@pytest.mark.parametrize("how", [{"compression": "lzf"}, {"scaleoffset": 2}])
def test_hdf5_filters_other_than_gzip_and_shuffle_are_refused(store, tmp_path, how):
    def declare(f, k):
        f.create_dataset(k, data=np.zeros(10, np.float32), chunks=(10,), **how)

    msg = refused(h5(tmp_path / "lzf.h5", columns(10), rewards=declare))
    assert msg.startswith("rewards: compressed with ") and msg.endswith(
        "(allowed: shuffle, gzip, fletcher32, in that order, as h5py writes them)"
    ), msg


# -- finding 6: npz files unpack only what they hold -------------------------------------
def npy_header(descr, shape, fortran=False, version=(1, 0)) -> bytes:
    """A .npy header declaring ``shape`` and ``descr`` (whatever the data after it)."""
    text = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)})
    size = 4 if version[0] >= 2 else 2
    pad = -(6 + 2 + size + len(text) + 1) % 64
    body = (text + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY" + bytes(version) + len(body).to_bytes(size, "little") + body


def npy(a: np.ndarray) -> bytes:
    return npy_header(np.lib.format.dtype_to_descr(a.dtype), a.shape) + a.tobytes()


def zip_file(path, members, method=zipfile.ZIP_STORED):
    """A zip of ``members``: name -> bytes, or name -> (compressed, crc, declared size)."""
    local, central, offset = [], [], 0
    for name, data in members.items():
        if isinstance(data, tuple):
            blob, crc, size, how = (*data, zipfile.ZIP_DEFLATED)
        else:
            crc, size, how = zlib.crc32(data), len(data), method
            if how == zipfile.ZIP_DEFLATED:
                c = zlib.compressobj(6, zlib.DEFLATED, -15)
                blob = c.compress(data) + c.flush()
            else:
                blob = data
        n, sizes = name.encode(), (crc, len(blob), size)
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, how, 0, 0, *sizes, len(n), 0)
        local.append(head + n + blob)
        entry = (20, 20, 0, how, 0, 0, *sizes, len(n), 0, 0, 0, 0, 0, offset)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", *entry) + n)
        offset += len(local[-1])
    cd = b"".join(central)
    count = len(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(cd), offset, 0)
    Path(path).write_bytes(b"".join(local) + cd + end)
    return path


def zeros_member(descr, shape) -> tuple:
    """A deflated .npy of zeros declaring ``shape``, built without holding it: (blob, crc, size).

    Deflate after a full flush forgets its history, so 1 MiB of zeros compresses to the
    same bytes every time: the member is that block repeated.
    """
    head = npy_header(descr, shape)
    nbytes = int(np.prod(shape)) * np.dtype(descr).itemsize
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    mib = bytes(1 << 20)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(nbytes, 1 << 20)
    tail = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)  # the second copy, recompressed
    assert tail == block
    blob = first + block * whole + c.compress(bytes(rest)) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(whole):
        crc = zlib.crc32(mib, crc)
    return blob, zlib.crc32(bytes(rest), crc), len(head) + nbytes


def bomb(path, lie=False):
    """The issue's bomb: 0.97 MB declaring 950 MiB of observations, lengths disagreeing.

    ``lie``: the zip says the member unpacks to 4 MiB (what old code trusted).
    """
    members = {f"{k}.npy": npy(v) for k, v in columns(10).items()}
    blob, crc, size = zeros_member("<f4", (950 * (1 << 20) // 12, 3))
    members["observations.npy"] = (blob, crc, 4 << 20 if lie else size)
    return zip_file(path, members)


PEAK = """
import resource, sys
from rlcore.data import datasets as ds
import rlcore.core.envs

def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

try:  # Linux: reset the peak to the present, so the imports' own peak hides nothing
    open("/proc/self/clear_refs", "w").write("5")
    def peak_kb():
        with open("/proc/self/status") as fh:
            return int(next(l for l in fh if l.startswith("VmHWM")).split()[1])
except OSError:
    pass
before = peak_kb()
for path in sys.argv[1:]:
    try:
        ds.import_file(path, "Pendulum-v1", "bomb")
        print("imported")
    except ValueError as e:
        print(e)
print((peak_kb() - before) // 1024)
"""


def test_an_npz_bomb_is_refused_from_its_headers(tmp_path):
    """Refused before anything is allocated: the process's peak memory grows < 100 MB."""
    paths = [bomb(tmp_path / "bomb.npz"), bomb(tmp_path / "lie.npz", lie=True)]
    assert os.path.getsize(paths[0]) < 1_000_000
    fake_expert_refs(tmp_path / "store")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RLCORE_PROFILE": "hosted",
        "RLCORE_DATASETS_DIR": str(tmp_path / "store"),
    }
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *map(str, paths)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    *messages, grown_mb = out.stdout.strip().splitlines()
    for msg in messages:
        assert re.fullmatch(
            r"observations: 99\d MB unpacked, too large \(allowed: at most \d\d MB for this "
            r"0.9\d MB file: 20 times its size, at least 16 MB\)",
            msg,
        ), messages
    assert int(grown_mb) < 100, (grown_mb, messages)


def test_inconsistent_lengths_are_refused_before_any_data_is_read(store, tmp_path):
    """The data of every member is damaged (bad CRC): only the headers are read.

    (Members of over 4 kB: zipfile reads 4 kB ahead, and checks the CRC at the end.)
    """
    arrays = columns(4000)
    arrays["actions"] = arrays["actions"][:2000]
    members = {f"{k}.npy": npy(v) for k, v in arrays.items()}
    path = zip_file(tmp_path / "len.npz", members)
    raw = bytearray(path.read_bytes())
    for k in members:  # flip the last byte of each member's data: its CRC no longer holds
        name = f"{k}".encode()
        at = raw.index(name) + len(name) + len(members[k]) - 1
        raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert refused(path) == "actions: length 2000 != rewards length 4000"


def test_pickled_members_are_refused_and_never_unpickled(store, tmp_path):
    marker = tmp_path / "unpickled"

    class Trap:
        def __reduce__(self):
            return (Path.touch, (marker,))

    arrays = {**columns(10), "observations": np.array([Trap()] * 10, dtype=object)}
    np.savez(tmp_path / "pickle.npz", **arrays)
    msg = refused(tmp_path / "pickle.npz")
    assert msg.startswith("observations: an array of Python objects (pickled) - not allowed"), msg
    assert not marker.exists()


def test_npz_keys_outside_the_schema_are_refused(store, tmp_path):
    np.savez(tmp_path / "junk.npz", **columns(10), junk=np.zeros(10))
    assert refused(tmp_path / "junk.npz").startswith(
        "junk: not a dataset key (allowed: observations, actions, rewards, "
        "next_observations, terminals, timeouts)"
    )


def test_valid_npz_files_of_every_layout_import(store, tmp_path):
    """Compressed or not, big-endian, Fortran order, integer and bool columns."""
    arrays = columns(12)
    arrays["observations"] = np.asfortranarray(np.arange(36, dtype=">f8").reshape(12, 3) / 10)
    arrays["actions"] = np.linspace(-2, 2, 12).reshape(12, 1).astype(np.float16)
    arrays["terminals"] = np.ones(12, np.uint8)
    arrays["timeouts"] = np.zeros(12, bool)
    for i, save in enumerate((np.savez, np.savez_compressed)):
        save(tmp_path / f"ok{i}.npz", **arrays)
        tr, _ = ds.load_transitions(ds.import_file(tmp_path / f"ok{i}.npz", ENV, f"ok{i}"))
        np.testing.assert_allclose(tr.observations, arrays["observations"], rtol=1e-6)
        np.testing.assert_allclose(tr.actions, arrays["actions"].astype(np.float32))


# -- property tests: whatever the file, an import or one line -----------------------------
def attempt(w, kind: str, path: Path, budget: int = 64 << 20) -> str | None:
    """Import ``path``; count it; fail on an escape: another exception, a multi-line or empty
    message, an open or read of a canary outside the folder, a peak of traced memory (numpy)
    or a growth of the process's peak (HDF5's own buffers) above ``budget``, or an accepted
    dataset holding the canary's rewards."""
    COUNTS[f"{kind}:tried"] += 1
    w.watch.seen()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10
    tracemalloc.start()
    try:
        ds_id = ds.import_file(path, ENV, "fuzz")
        outcome = None
    except ValueError as e:
        ds_id, outcome = None, str(e)
    except Exception as e:  # an escape: count it, then fail with the input shown
        COUNTS[f"{kind}:escaped"] += 1
        raise AssertionError(f"{kind}: {type(e).__name__} escaped: {e}") from e
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    problems = []
    if w.watch.seen():
        problems.append("a canary outside the folder was opened or read")
    if peak > budget:
        problems.append(f"traced memory peaked at {peak >> 20} MiB")
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10) - rss
    if grown > 2 * budget:
        problems.append(f"the process's peak memory grew by {grown >> 20} MiB")
    if outcome is not None and (not outcome.strip() or "\n" in outcome):
        problems.append(f"not a one-line message: {outcome!r}")
    if ds_id is not None:
        tr, _ = ds.load_transitions(ds_id)
        ds.delete_dataset(ds_id)
        if (tr.rewards == MARK).any():
            problems.append("the canary's rewards were imported")
    if problems:
        COUNTS[f"{kind}:escaped"] += 1
        raise AssertionError(f"{kind} {path.name}: {'; '.join(problems)} ({outcome})")
    COUNTS[f"{kind}:{'refused' if outcome else 'accepted'}"] += 1
    return outcome


def valid_bytes(kind: str, n: int) -> bytes:
    """The bytes of a valid file of ``n`` transitions (npz stored/deflated, or hdf5)."""
    import io

    arrays = columns(n)
    buf = io.BytesIO()
    if kind == "hdf5":
        with h5py.File(buf, "w") as f:
            for k, v in arrays.items():
                f.create_dataset(k, data=v, compression="gzip" if n % 2 else None)
    elif kind == "npz-deflated":
        np.savez_compressed(buf, **arrays)
    else:
        np.savez(buf, **arrays)
    return buf.getvalue()


@fast(40)
@given(
    data=st.data(),
    kind=st.sampled_from(["npz", "npz-deflated", "hdf5"]),
    how=st.sampled_from(["random", "truncated", "flipped"]),
    n=st.integers(1, 20),
)
def test_random_and_damaged_files_import_or_say_one_line(world, tmp_path, data, kind, how, n):
    if how == "random":
        raw = data.draw(st.binary(max_size=400))
        if data.draw(st.booleans()):  # a valid signature in front of the noise
            raw = (b"\x89HDF\r\n\x1a\n" if kind == "hdf5" else b"PK\x03\x04") + raw
    else:
        raw = bytearray(valid_bytes(kind, n))
        if how == "truncated":
            raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
        else:
            for at in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8)):
                raw[at] = data.draw(st.integers(0, 255))
    path = tmp_path / ("f.hdf5" if kind == "hdf5" else "f.npz")
    path.write_bytes(bytes(raw))
    attempt(world, f"{kind} {how}", path)


DESCRS = [*"<f4 >f8 <f2 <i8 >u2 |u1 |b1 |O <U3 |S2 <c8 |V8 <M8[s] <f16 (2,)<f4".split()]
DESCRS.append([("a", "<f4")])  # a structured dtype
NAMES = [*KEYS, "junk", "infos/qpos", "", "../rewards", "rewards.npy", "observations"]


def hostile_member(draw, n: int):
    """One .npy member that may lie: its header, shape, data or the zip's size."""
    rows = draw(st.sampled_from([n, n, n, 0, n + 1, -n, 10**9, 2**40]))
    per_row = draw(st.sampled_from([(), (), (1,), (3,), (3, 1), (0,), (10**6,)]))
    descr = draw(st.sampled_from(DESCRS))
    version = draw(st.sampled_from([(1, 0), (1, 0), (2, 0), (3, 0), (9, 9)]))
    fortran = draw(st.booleans())
    try:
        head = npy_header(descr, (rows, *per_row), fortran, version)
    except (UnicodeEncodeError, TypeError):
        head = b""
    try:
        body = np.ones((min(max(rows, 0), 12), *per_row[:1]), descr).tobytes()[: 1 << 16]
    except (TypeError, ValueError, MemoryError):
        body = b""
    body = draw(st.sampled_from([body, body, body[: len(body) // 2], body + b"xx"]))
    blob = head + body
    if draw(st.integers(0, 5)) == 0:  # a zip that lies about the unpacked size
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(blob) + c.flush(), zlib.crc32(blob), draw(st.integers(0, 2**32 - 1))
    return blob


@st.composite
def npz_members(draw):
    """A valid file's members, then up to four hostile ones replacing or joining them."""
    n = draw(st.integers(1, 12))
    members = {f"{k}.npy": npy(v) for k, v in columns(n).items()}
    for k in draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True)):
        suffix = draw(st.sampled_from([".npy", ".npy", ".npy", "", "/"]))
        members[k + suffix] = hostile_member(draw, n)
    return members


@fast(60)
@given(members=npz_members(), deflate=st.booleans())
def test_declared_npz_members_import_or_say_one_line(world, tmp_path, members, deflate):
    path = zip_file(
        tmp_path / "f.npz", members, zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    )
    attempt(world, "npz declared", path)


@functools.cache
def inflating() -> bytes:
    """A gzip stream of 256 kB that inflates to 256 MiB."""
    c = zlib.compressobj(9)
    return c.compress(bytes(256 << 20)) + c.flush()


def declaration(w, kind: str, key: str, n: int):
    """How ``key`` is declared in a hostile .hdf5 (its n rows, or something else)."""
    missing = str(w.outside / "missing.bin")
    if kind == "external":
        return lambda f, k: f.create_dataset(
            k, shape=(n,), dtype="u1", external=[(str(w.secret_bin), 0, max(n, 1))]
        )
    if kind == "external-missing":
        return lambda f, k: f.create_dataset(
            k, shape=(n,), dtype="u1", external=[(missing, 0, max(n, 1))]
        )
    if kind == "virtual":

        def virtual(f, k):
            layout = h5py.VirtualLayout(shape=(10,), dtype="f4")
            layout[:] = h5py.VirtualSource(str(w.secret_h5), "rewards", shape=(10,))
            f.create_virtual_dataset(k, layout, fillvalue=0)

        return virtual
    if kind == "external-link":
        return lambda f, k: f.__setitem__(k, h5py.ExternalLink(str(w.secret_h5), "/" + key))
    if kind == "soft-link":
        return lambda f, k: f.__setitem__(k, h5py.SoftLink("/terminals"))
    if kind == "group":
        return lambda f, k: f.create_group(k).create_dataset("x", data=np.zeros(n))
    if kind == "compound":
        return lambda f, k: f.create_dataset(k, (n,), np.dtype([("a", "<f4")]))
    if kind == "vlen":
        return lambda f, k: f.create_dataset(k, (n,), h5py.vlen_dtype(np.float32))
    if kind == "scalar":
        return lambda f, k: f.create_dataset(k, data=1.0)
    if kind == "empty":
        return lambda f, k: f.create_dataset(k, data=h5py.Empty("f4"))
    if kind == "fill":
        return lambda f, k: f.create_dataset(k, shape=(n, 10**7), dtype="f8", chunks=(1, 10**6))
    if kind == "wrong-length":
        return lambda f, k: f.create_dataset(k, data=np.zeros(n + 1, np.float32))
    if kind == "wide":
        return lambda f, k: f.create_dataset(k, data=np.zeros((n, 7), np.int8))
    if kind == "int8":
        data = columns(n).get(key, np.zeros(n)).astype(np.int8)
        return lambda f, k: f.create_dataset(k, data=data, compression="gzip", shuffle=True)
    if kind == "chunk-bomb":

        def bomb(f, k):
            f.create_dataset(k, (n,), "f8", chunks=(16,), maxshape=(None,), compression="gzip")
            f[k].id.write_direct_chunk((0,), inflating(), 0)

        return bomb
    if kind == "big-endian":
        data = columns(n).get(key, np.zeros(n))
        return lambda f, k: f.create_dataset(k, data=data.astype(">f8"))
    raise AssertionError(kind)


HDF5_KINDS = (
    "plain plain external external-missing virtual external-link soft-link group compound vlen "
    "scalar empty fill big-endian wrong-length wide int8 chunk-bomb"
).split()


@fast(60)
@given(
    decl=st.dictionaries(
        st.sampled_from([*KEYS, "infos", "junk"]), st.sampled_from(HDF5_KINDS), max_size=4
    ),
    n=st.integers(1, 12),
)
def test_declared_hdf5_files_import_or_say_one_line(world, tmp_path, decl, n):
    arrays = {**columns(n), **{k: np.zeros(n, np.float32) for k in decl if k not in columns(1)}}
    special = {k: declaration(world, v, k, n) for k, v in decl.items() if v != "plain"}
    path = h5(tmp_path / "f.hdf5", arrays, **special)
    outcome = attempt(world, "hdf5 declared", path)
    if any(v in ("external", "external-missing") for v in decl.values()):
        assert outcome is not None and "unable to open" not in outcome
