"""Faults: divergence, killed and crashed workers, full or unwritable disks."""

import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from rlcore.__main__ import main
from rlcore.service.processes import process_identity
from rlcore.service.runs import HEARTBEAT_STALE_S, RunStore, StorageError
from rlcore.service.worker import run_job, spawn_job
from rlcore.train.presets import make_configs


def tiny(steps=300, seed=0, **run):
    base = {"steps": steps, "eval_every": 150, "eval_episodes": 2, "threads": 1, "seed": seed}
    base.update(run)
    return make_configs(
        "dqn", "CartPole-v1", {"learning_starts": 100, "hidden": (8,)}, base, use_preset=False
    )


def wait_for(cond, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    raise AssertionError("timed out")


def dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# -- divergence ------------------------------------------------------------------------
def test_inf_loss_stops_the_run_as_diverged_naming_the_loss(tmp_path, monkeypatch):
    import torch

    from rlcore.algos.sac import SAC

    store = RunStore(tmp_path)
    run, algo = make_configs(
        "sac",
        "Pendulum-v1",
        {"learning_starts": 50, "hidden": (8,), "batch_size": 16},
        {"steps": 400, "eval_every": 400, "eval_episodes": 1, "log_every": 100, "threads": 1},
        use_preset=False,
    )
    rid = store.create(run, algo)
    original = SAC.update

    def blow_up(self, batch):
        info = original(self, batch)
        info["actor_loss"] = torch.tensor(float("inf"))
        return info

    monkeypatch.setattr(SAC, "update", blow_up)
    assert run_job(rid, store) == "diverged"
    st = store.status(rid)
    assert st["status"] == "diverged" and "train/actor_loss became inf" in st["message"]
    assert st["step"] <= 200  # stopped at the first log after learning started
    assert len(store.metrics(rid)) > 0 and store.load_agent(rid)  # kept and loadable


# -- reconciliation of dead workers ---------------------------------------------------
def running(store, **ident):
    rid = store.create(*tiny())
    store.set_status(rid, "running", **{**process_identity(), **ident})
    return rid


def test_a_run_whose_worker_is_gone_reads_interrupted(tmp_path):
    store = RunStore(tmp_path)
    rid = running(store, pid=dead_pid())
    st = store.status(rid)
    assert st["status"] == "interrupted" and "killed or crashed" in st["message"]
    assert json.loads((store.path(rid) / "status.json").read_text())["status"] == "interrupted"
    assert store.list()[0].status["status"] == "interrupted"


def test_a_reused_pid_is_told_apart_by_its_start_time(tmp_path):
    store = RunStore(tmp_path)
    me = process_identity()
    rid = running(store, pid_start=me["pid_start"] - 1)  # our pid, an older process's start
    assert store.status(rid)["status"] == "interrupted"
    alive = running(store)  # this very process: still training
    assert store.status(alive)["status"] == "running"


def test_an_exited_worker_not_yet_reaped_counts_as_gone(tmp_path):
    store = RunStore(tmp_path)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    wait_for(lambda: open(f"/proc/{zombie.pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z")
    rid = running(store, **process_identity(zombie.pid))
    assert store.status(rid)["status"] == "interrupted"
    zombie.wait()


def test_queued_runs_are_left_alone_unless_their_spawned_worker_died(tmp_path):
    store = RunStore(tmp_path)
    waiting = store.create(*tiny())
    assert store.status(waiting)["status"] == "queued"  # in a queue: nobody trains it yet
    spawned = store.create(*tiny())
    ident = process_identity(dead_pid())
    (store.path(spawned) / "worker.json").write_text(json.dumps(ident))
    st = store.status(spawned)
    assert st["status"] == "interrupted" and f"pid {ident['pid']}" in st["message"]


def test_a_run_of_another_host_is_judged_by_its_heartbeat(tmp_path):
    store = RunStore(tmp_path)
    rid = running(store, host="another-machine", pid=1)
    (store.path(rid) / "heartbeat").touch()
    assert store.status(rid)["status"] == "running"
    old = time.time() - HEARTBEAT_STALE_S - 5
    os.utime(store.path(rid) / "heartbeat", (old, old))
    assert store.status(rid)["status"] == "interrupted"


def test_a_finished_run_is_never_rewritten(tmp_path):
    store = RunStore(tmp_path)
    rid = store.create(*tiny())
    store.set_status(rid, "finished", pid=dead_pid())
    assert store.status(rid)["status"] == "finished"


# -- real worker processes, killed ------------------------------------------------------
def long_run(store, seed):
    run, algo = tiny(steps=1_000_000, seed=seed, eval_every=500, log_every=100)
    return store.create(run, algo)


def started(store, rid):
    return store.status(rid)["status"] == "running" and len(store.metric_rows(rid)) >= 1


def test_sigterm_ends_a_worker_as_interrupted_with_weights_saved(tmp_path):
    store = RunStore(tmp_path)
    rid = long_run(store, seed=1)
    proc = spawn_job(rid, store)
    try:
        wait_for(lambda: started(store, rid))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    st = store.status(rid)
    assert st["status"] == "interrupted" and "SIGTERM" in st["message"]
    assert 0 < st["step"] < 1_000_000
    rec, _agent = store.load_agent(rid)  # weights written on the way out
    assert rec.run.seed == 1 and len(store.metrics(rid)) >= 1


def test_sigkilled_workers_leave_interrupted_runs_and_lose_no_finished_run(tmp_path):
    """Kill ``python -m rlcore.service.worker RUN_ID`` with SIGKILL mid-run, twice."""
    store = RunStore(tmp_path)
    finished, killed = [], []
    for round_ in range(2):
        victim = long_run(store, seed=100 + round_)
        proc = spawn_job(victim, store)
        try:
            rid = store.create(*tiny(seed=round_))  # trains while the worker starts
            assert run_job(rid, store) == "finished"
            finished.append(rid)
            wait_for(lambda v=victim: started(store, v))
            rows_before = len(store.metric_rows(victim))
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        killed.append(victim)
        st = store.status(victim)
        assert st["status"] == "interrupted" and "killed or crashed" in st["message"]
        assert len(store.metric_rows(victim)) >= rows_before  # metrics so far load
        assert "rollout/return" in store.metrics(victim).columns
        listed = {r.id: r.status["status"] for r in store.list()}
        expected = {**dict.fromkeys(finished, "finished"), **dict.fromkeys(killed, "interrupted")}
        assert listed == expected
        for rid in finished:  # every finished run still loads, weights and metrics
            rec, _agent = store.load_agent(rid)
            assert rec.status["step"] == 300 and store.metrics(rid)["step"].max() == 300


# -- storage errors -------------------------------------------------------------------
def test_runs_folder_under_a_regular_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    store = RunStore(tmp_path / "file" / "runs")
    with pytest.raises(StorageError) as e:
        store.create(*tiny())
    assert "cannot create a run in" in str(e.value) and "RLCORE_RUNS_DIR" in str(e.value)
    code = main(["--runs-dir", str(tmp_path / "file" / "runs"), "train", "--algo", "dqn",
                 "--env", "CartPole-v1", "--steps", "300", "--no-preset", "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: cannot create a run in")
    assert "Traceback" not in err


def test_a_full_disk_is_a_message_and_leaves_no_half_made_run(tmp_path, monkeypatch, capsys):
    import tempfile

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    store = RunStore(tmp_path)
    with pytest.raises(StorageError, match="the disk is full"):
        store.create(*tiny())
    assert store.ids() == [] and list(tmp_path.iterdir()) == []
    code = main(["--runs-dir", str(tmp_path), "train", "--algo", "dqn", "--env", "CartPole-v1",
                 "--steps", "300", "--no-preset", "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "the disk is full" in err and "Traceback" not in err


def test_a_disk_that_fills_up_mid_run_fails_the_run_with_a_message(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    rid = store.create(*tiny(steps=600))
    real = RunStore.write_metrics
    calls = {"n": 0}

    def filling(handle, metrics):
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(handle, metrics)

    monkeypatch.setattr(RunStore, "write_metrics", staticmethod(filling))
    assert run_job(rid, store) == "failed"
    st = store.status(rid)
    assert "No space left on device" in st["message"]
    assert len(store.metric_rows(rid)) == 5
