"""Crash-consistent datasets: a build or an import killed or out of disk leaves no half.

A dataset is written into a hidden staging folder and moved into place by one rename
(``rlcore.data.datasets``). Checked here: a real build process SIGKILLed at each step of
the write (collecting, Minari's files written, the old dataset set aside, the new one in
place) and at two moments of a write in progress never leaves a dataset that lists,
loads or trains half-made: the id holds the old dataset whole, the new one whole, or
nothing; the staging folder goes at the next listing; the next build of the same name
succeeds. A full disk (an injected ``ENOSPC``) in Minari's writer, in our metadata file
or in the final rename ends with a message saying so and leaves the old dataset whole
and nothing half-written.
"""

import errno
import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from sandbox import ROOT, cli, fake_expert_refs

from rlcore.core.files import StorageError
from rlcore.data import datasets as ds
from rlcore.service.runs import RunStore
from rlcore.train import collect
from rlcore.train.presets import make_configs

OLD, NEW = 200, 400  # transitions of the dataset before and of the one being built
NAME = "crash"
DS_ID = "rlplay/pendulum/crash-v0"


@pytest.fixture
def store(tmp_path, monkeypatch):
    d = tmp_path / "datasets"
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(d))
    fake_expert_refs(d)
    assert collect.build_dataset("Pendulum-v1", "random", OLD, name=NAME) == DS_ID
    return d


def staging(d):
    return sorted(p.name for p in d.iterdir() if p.name.startswith(ds.STAGING))


def state(tmp_path, ds_id=DS_ID):
    """Transitions of ``ds_id`` if it lists (whole, as listed), ``None`` if it is absent."""
    listed = {d.id: d for d in ds.list_datasets()}
    if ds_id not in listed:
        with pytest.raises(ValueError, match="no such local dataset"):
            ds.load_transitions(ds_id)
        run, cfg = make_configs("bc", "Pendulum-v1", None, {"dataset": ds_id, "steps": 10})
        with pytest.raises(ValueError, match="RunConfig.dataset = .*no such local dataset"):
            RunStore(tmp_path / "runs").create(run, cfg)  # nothing trains on it either
        return None
    tr, meta = ds.load_transitions(ds_id)
    assert len(tr) == listed[ds_id].transitions and len(tr) == tr.episode_returns.size * 200
    assert meta["kind"] == "random"  # our metadata file came with it
    return len(tr)


# -- SIGKILL ------------------------------------------------------------------------------
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from rlcore.data import datasets as ds
    from rlcore.train import collect

    point, steps = sys.argv[1], int(sys.argv[2])

    def pause(tag):
        print("AT", tag, flush=True)
        time.sleep(600)  # until the test kills this process

    if point == "collect":  # collecting episodes, nothing written yet
        collect._collect = lambda *a, **k: pause("collect")
    elif point == "minari":  # Minari's files written into staging, our metadata not yet
        import minari
        original = minari.create_dataset_from_buffers
        def create(*a, **k):
            original(*a, **k)
            pause("minari")
        minari.create_dataset_from_buffers = create
    elif point == "swap":  # the old dataset set aside, the new one not yet in place
        moves = []
        original_move = ds._move
        def move(src, dst):
            moves.append(src)
            if len(moves) == 2:
                pause("swap")
            original_move(src, dst)
        ds._move = move
    elif point == "placed":  # the new one in place, its staging folder not yet removed
        original_swap = ds._swap_in
        def swap(*a):
            original_swap(*a)
            pause("placed")
        ds._swap_in = swap
    print("AT start", flush=True)
    collect.build_dataset("Pendulum-v1", "random", steps, seed=1, name="crash")
    print("DONE", flush=True)
    """
)


def start_child(d, point, steps=NEW):
    env = {**os.environ, "RLCORE_DATASETS_DIR": str(d), "PYTHONPATH": str(ROOT)}
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, point, str(steps)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_output(proc, marker, timeout=120.0):
    """Read the child's output until ``marker`` appears (AssertionError if it never does)."""
    seen, deadline = b"", time.monotonic() + timeout
    while marker.encode() not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, left))
        chunk = os.read(proc.stdout.fileno(), 4096) if ready else b""
        if not chunk:
            proc.kill()
            raise AssertionError(f"no {marker!r} from the build:\n{seen.decode()[-3000:]}")
        seen += chunk


def kill(proc):
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stdout.close()


EXPECTED = {"collect": OLD, "minari": OLD, "swap": None, "placed": NEW}


@pytest.mark.parametrize("point", list(EXPECTED))
def test_a_build_sigkilled_at_each_step_leaves_old_new_or_nothing(store, tmp_path, point):
    proc = start_child(store, point)
    try:
        wait_output(proc, f"AT {point}")
    finally:
        kill(proc)
    if point != "collect":  # killed while writing: its staging folder is still there
        assert staging(store), point
    assert state(tmp_path) == EXPECTED[point]
    assert staging(store) == []  # the listing removed the dead build's folder
    assert collect.build_dataset("Pendulum-v1", "random", NEW, seed=1, name=NAME) == DS_ID
    assert state(tmp_path) == NEW and staging(store) == []


@pytest.mark.parametrize("delay", [0.0, 0.15])
def test_a_build_sigkilled_while_it_writes_leaves_old_new_or_nothing(store, tmp_path, delay):
    proc = start_child(store, "none", steps=4000)  # 20 episodes: a write that takes a while
    try:
        wait_output(proc, "AT start")
        deadline = time.monotonic() + 120
        while not staging(store) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(delay)
    finally:
        kill(proc) if proc.poll() is None else proc.stdout.close()
    assert state(tmp_path) in (OLD, 4000, None)
    assert staging(store) == []
    assert collect.build_dataset("Pendulum-v1", "random", NEW, seed=1, name=NAME) == DS_ID
    assert state(tmp_path) == NEW


# -- a full disk ---------------------------------------------------------------------------
def enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_in_minaris_writer_is_a_message_and_leaves_the_old_dataset(
    store, tmp_path, monkeypatch, capsys
):
    import pyarrow.dataset

    original, calls = pyarrow.dataset.write_dataset, []

    def write_dataset(*a, **k):  # the first episode is written, the disk fills at the second
        calls.append(1)
        if len(calls) > 1:
            enospc()
        return original(*a, **k)

    monkeypatch.setattr(pyarrow.dataset, "write_dataset", write_dataset)
    argv = ["dataset", "build", "--env", "Pendulum-v1", "--kind", "random"]
    for name in (NAME, "fresh"):  # over an existing dataset, and a new one
        calls.clear()
        rc, _out, err = cli([*argv, "--steps", str(NEW), "--name", name])
        assert rc == 1 and len(calls) == 2, err
        assert err.startswith(f"error: cannot write dataset rlplay/pendulum/{name}-v0 in ")
        assert "the disk is full: delete old datasets or free space" in err
        assert "RLCORE_DATASETS_DIR" in err and "Traceback" not in err
        assert staging(store) == []
    assert state(tmp_path) == OLD
    assert state(tmp_path, "rlplay/pendulum/fresh-v0") is None
    assert not (store / "rlplay" / "pendulum" / "fresh-v0").exists()


def test_a_full_disk_in_an_import_is_a_message_and_leaves_nothing(store, tmp_path, monkeypatch):
    n = 10
    arrays = {
        "observations": np.zeros((n, 3), np.float32),
        "next_observations": np.zeros((n, 3), np.float32),
        "actions": np.zeros((n, 1), np.float32),
        "rewards": np.ones(n, np.float32),
        "terminals": np.r_[np.zeros(n - 1), 1].astype(np.float32),
    }
    path = tmp_path / "d4rl.npz"
    np.savez(path, **arrays)
    monkeypatch.setattr(ds, "atomic_write_json", enospc)  # our metadata file: the last write
    with pytest.raises(StorageError, match="the disk is full") as e:
        ds.import_file(path, "Pendulum-v1", "imported")
    assert "cannot write dataset rlplay/pendulum/imported-v0" in str(e.value)
    assert state(tmp_path, "rlplay/pendulum/imported-v0") is None
    assert staging(store) == [] and state(tmp_path) == OLD
    monkeypatch.undo()
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(store))
    assert ds.import_file(path, "Pendulum-v1", "imported") == "rlplay/pendulum/imported-v0"
    assert ds.load_transitions("rlplay/pendulum/imported-v0")[0].rewards.sum() == n


@pytest.mark.parametrize("failing", [1, 2])
def test_a_failed_rename_puts_the_old_dataset_back(store, tmp_path, monkeypatch, failing):
    """The first rename sets the old dataset aside, the second moves the new one in."""
    original, calls = ds._move, []

    def move(src, dst):
        calls.append(src)
        if len(calls) == failing:
            enospc()
        original(src, dst)

    monkeypatch.setattr(ds, "_move", move)
    with pytest.raises(StorageError, match="the disk is full"):
        collect.build_dataset("Pendulum-v1", "random", NEW, seed=1, name=NAME)
    monkeypatch.undo()
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(store))
    assert state(tmp_path) == OLD and staging(store) == []
