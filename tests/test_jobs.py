"""The job queue: plans, the global worker cap, FIFO positions, cancel, dead workers."""

import subprocess
import sys
import time

import pytest

from rlcore.service.jobs import JobQueue, load_batch, parse_values, run_extra, seed_plan, sweep_plan
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs


def tiny(steps=400, **hp):
    base = {"learning_starts": 100, "hidden": (8,), **hp}
    run = {"steps": steps, "eval_every": 200, "eval_episodes": 2, "threads": 1}
    return make_configs("dqn", "CartPole-v1", base, run, use_preset=False)


class FakeProc:
    """A stand-in for a worker's Popen: alive until ``finish``."""

    def __init__(self, pid):
        self.pid, self.code = pid, None

    def poll(self):
        return self.code

    def finish(self, code=0):
        self.code = code


class Launcher:
    def __init__(self):
        self.started = []
        self.procs = {}

    def __call__(self, run_id, store):
        self.started.append(run_id)
        proc = self.procs[run_id] = FakeProc(pid=__import__("os").getpid())
        store.set_status(run_id, "running", step=0)
        return proc

    def finish(self, store, run_id, status="finished"):
        store.set_status(run_id, status)
        self.procs[run_id].finish()


def test_seed_and_sweep_plans_validate_every_value():
    run, algo = tiny()
    plan = seed_plan(run, algo, 3)
    assert plan.kind == "seeds" and [r.seed for r, _ in plan.runs] == [0, 1, 2]
    assert seed_plan(run, algo).kind == "single"
    values = parse_values(type(algo), "lr", "1e-4, 3e-4,1e-4")
    assert values == (1e-4, 3e-4)  # duplicates dropped, order kept
    sweep = sweep_plan(run, algo, "lr", values, n_seeds=2)
    assert len(sweep) == 4 and sweep.param == "lr"
    assert [(a.lr, r.seed) for r, a in sweep.runs] == [(1e-4, 0), (1e-4, 1), (3e-4, 0), (3e-4, 1)]
    assert parse_values(type(algo), "hidden", "64; 64,64") == ((64,), (64, 64))
    with pytest.raises(ValueError, match="lr"):
        sweep_plan(run, algo, "lr", parse_values(type(algo), "lr", "1e-3, 5"))
    with pytest.raises(ValueError, match="lr"):
        parse_values(type(algo), "lr", "abc")
    with pytest.raises(ValueError, match="not a hyperparameter"):
        parse_values(type(algo), "nope", "1")
    with pytest.raises(ValueError, match="at most"):
        sweep_plan(run, algo, "lr", [1e-4, 2e-4, 3e-4], n_seeds=40)


def test_queue_respects_the_cap_in_fifo_order(tmp_path):
    store = RunStore(tmp_path)
    launch = Launcher()
    q = JobQueue(store, max_workers=2, launcher=launch, dispatch=False)
    run, algo = tiny()
    batch = q.submit(seed_plan(run, algo, 5))
    assert load_batch(store, batch.id).runs == batch.runs
    assert run_extra(store, batch.runs[0]) == {"batch": batch.id}
    assert launch.started == list(batch.runs[:2])
    assert q.positions() == {batch.runs[2]: 1, batch.runs[3]: 2, batch.runs[4]: 3}
    assert q.summary() == {"running": 2, "queued": 3, "max_workers": 2}
    # Another server process sees the same queue through the files.
    other = JobQueue(RunStore(tmp_path), max_workers=2, launcher=launch, dispatch=False)
    assert other.position(batch.runs[4]) == 3
    assert other.pump() == []  # still two alive: nothing more starts
    launch.finish(store, batch.runs[0])
    assert q.pump() == [batch.runs[2]]
    assert q.positions() == {batch.runs[3]: 1, batch.runs[4]: 2}


def test_cancel_a_queued_run_and_stop_a_running_one(tmp_path):
    store = RunStore(tmp_path)
    launch = Launcher()
    q = JobQueue(store, max_workers=1, launcher=launch, dispatch=False)
    run, algo = tiny()
    a, b = q.submit(seed_plan(run, algo, 2)).runs
    q.stop(b)
    assert store.status(b)["status"] == "stopped" and q.position(b) is None
    q.stop(a)
    assert store.stop_requested(a)
    launch.finish(store, a, "stopped")
    assert q.pump() == []  # the cancelled run never starts


def test_a_worker_that_dies_silently_fails_its_run_and_frees_the_slot(tmp_path):
    store = RunStore(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    q = JobQueue(store, max_workers=1, launcher=lambda rid, s: dead, dispatch=False)
    run, algo = tiny()
    a, b = q.submit(seed_plan(run, algo, 2)).runs
    q.launcher = Launcher()
    assert q.pump() == [b]
    assert store.status(a)["status"] == "failed"
    assert "without a final status" in store.status(a)["message"]


def test_deleting_refuses_a_training_run(tmp_path):
    store = RunStore(tmp_path)
    launch = Launcher()
    q = JobQueue(store, max_workers=1, launcher=launch, dispatch=False)
    run, algo = tiny()
    a, b = q.submit(seed_plan(run, algo, 2)).runs
    with pytest.raises(ValueError, match="stop it first"):
        q.delete(a)
    q.delete(b)  # queued: its ticket goes with it
    assert q.positions() == {} and b not in store.ids()


def test_real_worker_process_trains_and_the_dispatcher_drains_the_queue(tmp_path):
    store = RunStore(tmp_path)
    q = JobQueue(store, max_workers=1)
    run, algo = tiny(steps=300)
    batch = q.submit(seed_plan(run, algo, 2))
    deadline = time.time() + 90
    while time.time() < deadline:
        if all(store.status(r)["status"] == "finished" for r in batch.runs):
            break
        time.sleep(0.3)
    assert [store.status(r)["status"] for r in batch.runs] == ["finished", "finished"]
    assert (store.path(batch.runs[1]) / "model.safetensors").exists()
    q.pump()
    assert q.summary() == {"running": 0, "queued": 0, "max_workers": 1}


def test_the_queue_never_imports_streamlit():
    code = "import sys, rlcore.service.jobs\nassert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
