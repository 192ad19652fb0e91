"""Studies on a real Ray cluster: `ray start --head` on free ports, trials as Ray tasks.

The cluster is a real one-machine Ray head (started as a subprocess in its own session,
in a temp dir, and stopped by signalling that session's process group), and the study
connects to it by address, as it would to a cluster of many machines.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rlcore.search.study import make_spec
from rlcore.service.ray_backend import RayExecutor
from rlcore.service.runs import RunStore
from rlcore.service.studies import create_study, trial_rows
from rlcore.service.study_driver import run_study

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_address():
    # a short temp dir: Ray's unix sockets live under it and their paths have a length limit
    tmp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    # token authentication, as on a real cluster: the head and this driver share a token
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    saved = {k: os.environ.get(k) for k in auth}
    os.environ.update(auth)
    port = free_port()
    ports = {
        "--ray-client-server-port": free_port(),
        "--dashboard-agent-listen-port": free_port(),
        "--dashboard-agent-grpc-port": free_port(),
        "--metrics-export-port": free_port(),
        "--runtime-env-agent-port": free_port(),
    }
    cmd = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", f"--port={port}",
           "--num-cpus=2", "--include-dashboard=false", f"--temp-dir={tmp}", "--block",
           "--disable-usage-stats", *(f"{k}={v}" for k, v in ports.items())]  # fmt: skip
    log = open(Path(tmp) / "head.log", "wb")
    head = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 120
        while True:
            assert head.poll() is None, (Path(tmp) / "head.log").read_text()[-2000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline, "the Ray head did not start"
                time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        os.killpg(head.pid, signal.SIGTERM)  # the head and its raylet, GCS and workers
        try:
            head.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        log.close()


def spec(name, trials, steps, params=("lr", "gamma")):
    return make_spec(
        name, "dqn", "CartPole-v1", list(params), trials=trials, sampler="random",
        pruner="none", hp={"learning_starts": 100, "hidden": (8,)},
        run={"steps": steps, "eval_every": steps // 4, "eval_episodes": 2}, use_preset=False,
    )  # fmt: skip


def test_a_study_runs_on_a_ray_cluster_and_its_runs_are_listed(ray_address, tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs")
    ex = RayExecutor(store, ray_address)
    assert ex.capacity == 2
    create_study(store, spec("on-ray", 4, 400))
    try:
        assert run_study(store, "on-ray", ex, poll_s=0.2) == "finished"
    finally:
        ex.close()
    _, rows = trial_rows(store, "on-ray")
    assert [r["state"] for r in rows] == ["complete"] * 4
    ids = [rid for r in rows for rid in r["runs"]]
    assert len(set(ids)) == 4 and sorted(ids) == sorted(store.ids())
    for rid in ids:
        st = store.status(rid)
        assert st["status"] == "finished" and st["pid"] != os.getpid()  # trained in a Ray worker
        assert [m["step"] for m in store.metric_rows(rid) if "eval/return_mean" in m][-1] == 400
    # ... and the Compare page lists the study and every trial's run
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(store.root))
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(ids) <= set(table["run id"])
    assert set(table.loc[table["run id"].isin(ids), "study"]) == {
        f"on-ray #{r['number']}" for r in rows
    }
    studies = next(d.value for d in at.dataframe if "study" in d.value.columns and "best" in
                   " ".join(d.value.columns))  # fmt: skip
    assert list(studies["study"]) == ["on-ray"]


def test_a_ray_worker_killed_mid_trial_fails_that_trial_only(ray_address, tmp_path):
    store = RunStore(tmp_path / "runs")
    ex = RayExecutor(store, ray_address)
    create_study(store, spec("kill", 3, 2000))
    killed = {}

    def kill_one_mid_trial():
        deadline = time.time() + 300
        while time.time() < deadline and not killed:
            for rid in store.ids():
                st = json.loads((store.path(rid) / "status.json").read_text())
                evals = [m for m in store.metric_rows(rid) if "eval/return_mean" in m]
                if st.get("status") == "running" and evals:
                    cmdline = Path(f"/proc/{st['pid']}/cmdline").read_bytes()
                    assert b"ray" in cmdline  # a Ray worker process, not ours
                    os.kill(st["pid"], signal.SIGKILL)
                    killed[rid] = len(evals)
                    return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_one_mid_trial, daemon=True)
    killer.start()
    try:
        assert run_study(store, "kill", ex, poll_s=0.2) == "finished"
    finally:
        ex.close()
    killer.join(5)
    assert len(killed) == 1
    (rid,) = killed
    _, rows = trial_rows(store, "kill")
    states = {r["runs"][0]: r for r in rows}
    assert states[rid]["state"] == "failed" and states[rid]["run_status"] == ["interrupted"]
    assert "interrupted" in states[rid]["error"]
    assert store.status(rid)["step"] < 2000 and store.metric_rows(rid)  # metrics kept
    others = [r for r in rows if r["runs"][0] != rid]
    assert len(others) == 2 and all(r["state"] == "complete" for r in others)
