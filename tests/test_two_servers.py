"""Two servers, one runs folder: no queued run is ever trained twice or lost.

Two app processes sharing a runs folder (two replicas of a hosted demo) share one queue
(``rlcore.service.jobs``): a ticket is taken under the queue's ``flock``, the worker is
launched and its slot written before the ticket goes (a pump killed at any point leaves
the run pending or active, and a pending run that already has a worker is adopted, not
launched again), and the worker claims its run with an ``O_EXCL`` file (a second worker
for the same run leaves it alone). Tested with the pieces by hand, then with two real
processes that submit runs at the same instant and race to pump the queue with the real
worker launcher; one of them is SIGKILLed once half the runs have finished, and the other
finishes everything. Who launched what goes to ``test-artifacts/two_servers.json``.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sandbox import ARTIFACTS, ROOT

from rlcore.service.jobs import JobQueue, load_batch
from rlcore.service.processes import process_identity
from rlcore.service.runs import TERMINAL, RunClaimed, RunStore
from rlcore.service.worker import main as worker_main
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs


def tiny(seed=0):
    return make_configs(
        "dqn",
        "CartPole-v1",
        {"learning_starts": 100, "hidden": (8,)},
        {"steps": 300, "eval_every": 300, "eval_episodes": 1, "log_every": 100, "threads": 1,
         "seed": seed},
        use_preset=False,
    )  # fmt: skip


def never(rid, store):
    raise AssertionError(f"{rid} launched again")


def pending(q, rid):
    (q.dir / "pending").mkdir(parents=True, exist_ok=True)
    (q.dir / "pending" / f"{time.time_ns():020d}-{rid}").write_text(rid)


def test_a_run_launched_by_a_pump_that_died_is_adopted_not_launched_again(tmp_path):
    store = RunStore(tmp_path)
    q = JobQueue(store, max_workers=2, launcher=never, dispatch=False)
    rid = store.create(*tiny())
    # What a pump killed between launching the worker and removing the ticket leaves:
    # the ticket, and the worker's identity (here: this live process).
    pending(q, rid)
    (store.path(rid) / "worker.json").write_text(json.dumps(process_identity()))
    assert q.pump() == [] and q.active() == [rid] and q.positions() == {}
    assert q.summary()["running"] == 1  # it holds a slot
    # Same, but that worker died before it started: the run reads interrupted, no relaunch.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    other = store.create(*tiny(1))
    pending(q, other)
    (store.path(other) / "worker.json").write_text(json.dumps(process_identity(dead.pid)))
    assert q.pump() == [] and other not in q.active() and q.positions() == {}
    assert store.status(other)["status"] == "interrupted"


def test_junk_in_the_queue_folder_is_dropped_not_followed(tmp_path):
    store = RunStore(tmp_path)
    launched = []
    q = JobQueue(store, max_workers=1, launcher=lambda r, s: launched.append(r), dispatch=False)
    for name in ("000-..", "001-..\\victim", "002-.hidden", "003-a b", "nodash"):
        (q.dir / "pending").mkdir(parents=True, exist_ok=True)
        (q.dir / "pending" / name).write_text("x")
    (q.dir / "active").mkdir(parents=True, exist_ok=True)
    (q.dir / "active" / "...json").write_text("{}")
    assert q.positions() == {}
    assert q.pump() == [] and launched == []
    assert list((q.dir / "pending").iterdir()) == [] and q.active() == []


def test_a_run_trains_once_a_second_worker_leaves_it_alone(tmp_path, monkeypatch, capsys):
    store = RunStore(tmp_path)
    rid = store.create(*tiny())
    assert run_job(rid, store) == "finished"
    before = (store.path(rid) / "status.json").read_text()
    rows = len(store.metric_rows(rid))
    with pytest.raises(RunClaimed, match=f"run = '{rid}': already taken by another worker"):
        run_job(rid, store)
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(tmp_path))
    assert worker_main([rid]) == 3  # the worker process's exit code: launched twice
    assert "already taken" in capsys.readouterr().err
    assert (store.path(rid) / "status.json").read_text() == before  # untouched
    assert len(store.metric_rows(rid)) == rows


# -- two real server processes ---------------------------------------------------------------
SERVER = textwrap.dedent(
    """
    import os, sys, time
    from rlcore.service.jobs import JobQueue, seed_plan
    from rlcore.service.runs import TERMINAL, RunStore
    from rlcore.service.worker import spawn_job
    from rlcore.train.presets import make_configs

    name, n_runs, total, go, log = sys.argv[1:6]
    n_runs, total = int(n_runs), int(total)

    def launch(rid, store):  # the real launcher; every launch is written down
        proc = spawn_job(rid, store)
        with open(log, "a") as f:
            f.write(f"{name} {rid}\\n")
        return proc

    run, algo = make_configs(
        "dqn", "CartPole-v1", {"learning_starts": 100, "hidden": (8,)},
        {"steps": 300, "eval_every": 300, "eval_episodes": 1, "log_every": 100, "threads": 1},
        use_preset=False,
    )
    q = JobQueue(max_workers=2, launcher=launch)  # with its dispatcher thread, as the app
    print("READY", flush=True)
    while not os.path.exists(go):  # both servers submit at the same instant
        time.sleep(0.002)
    batch = q.submit(seed_plan(run, algo, n_runs))
    print("SUBMITTED", batch.id, flush=True)
    store = RunStore()
    while True:  # pump as often as a live view polls, racing the other server
        q.pump()
        ids = store.ids()
        if len(ids) >= total and all(store.status(r).get("status") in TERMINAL for r in ids):
            break
        time.sleep(0.01)
    print("ALL DONE", flush=True)
    """
)
PER_SERVER = 3


def read_until(proc, marker, timeout):
    deadline, seen = time.monotonic() + timeout, ""
    while marker not in seen:
        line = proc.stdout.readline()
        if not line or time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r}; output:\n{seen[-3000:]}")
        seen += line
    return seen


def overlap(intervals):
    """The most intervals that overlap at any instant."""
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def test_two_server_processes_on_one_folder_run_every_run_exactly_once(tmp_path):
    runs, go, log = tmp_path / "runs", tmp_path / "go", tmp_path / "launches.log"
    env = {**os.environ, "RLCORE_RUNS_DIR": str(runs), "PYTHONPATH": str(ROOT)}
    env["OMP_NUM_THREADS"] = "1"
    total = 2 * PER_SERVER
    servers = {
        name: subprocess.Popen(
            [sys.executable, "-c", SERVER, name, str(PER_SERVER), str(total), str(go), str(log)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("A", "B")
    }
    store = RunStore(runs)
    try:
        for proc in servers.values():
            read_until(proc, "READY", 120)
        go.touch()
        batches = [read_until(p, "SUBMITTED", 120).split()[-1] for p in servers.values()]
        deadline = time.monotonic() + 300
        while sum(r.status.get("status") == "finished" for r in store.list()) < PER_SERVER:
            assert time.monotonic() < deadline, "the runs do not finish"
            time.sleep(0.05)
        os.kill(servers["A"].pid, signal.SIGKILL)  # one replica dies; the other carries on
        assert servers["A"].wait(10) == -signal.SIGKILL
        read_until(servers["B"], "ALL DONE", 300)
        assert servers["B"].wait(30) == 0
    finally:
        for proc in servers.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for rid in store.ids():  # no worker outlives the test
            pid = store.status(rid).get("pid")
            if store.status(rid).get("status") not in TERMINAL and isinstance(pid, int):
                os.kill(pid, signal.SIGKILL)
    ids = store.ids()
    assert len(ids) == total
    assert sorted(r for b in batches for r in load_batch(store, b).runs) == sorted(ids)
    assert {r: store.status(r)["status"] for r in ids} == dict.fromkeys(ids, "finished")
    launches = [line.split()[1] for line in log.read_text().splitlines()]
    assert all(launches.count(r) <= 1 for r in ids), launches  # never launched twice
    for rid in ids:
        steps = [m["step"] for m in store.metric_rows(rid)]
        assert steps == sorted(steps) and steps[-1] == 300, (rid, steps)  # one pass, not two
        # A replica SIGKILLed between starting a worker and recording it leaves a ticket
        # that the other replica launches again: that second worker finds the run claimed
        # and trains nothing (exit 3). Trained once is what the steps above check.
        log_text = (store.path(rid) / "worker.log").read_text()
        assert log_text.count("threads:") == 1, (rid, log_text)  # one worker trained it
        assert (store.path(rid) / "claim").exists()
    spans = [(store.status(r)["started"], store.status(r)["finished"]) for r in ids]
    assert overlap(spans) <= 2  # the cap of 2 workers held across both servers
    by = [line.split()[0] for line in log.read_text().splitlines()]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "two_servers.json").write_text(
        json.dumps(
            {
                "runs": total,
                "finished": total,
                "launched_by": {s: by.count(s) for s in servers},
                "launched_twice": 0,
                "most_at_once": overlap(spans),
                "server_killed": "A",
            }
        )
    )
