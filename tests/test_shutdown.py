"""A server that is stopped (SIGTERM: ``docker stop``) stops its training workers first.

Workers run in their own session, so the server's SIGTERM never reaches them by itself;
``rlcore.service.jobs`` forwards it on the way out (an ``atexit`` hook: see its docstring). Each
worker then saves its weights and ends its run ``interrupted``, metrics kept, and no
worker outlives the server. Tested twice: with a plain process that exits the way
Streamlit's signal handler makes the server exit (no browser needed), and with the real
Streamlit server and a run started from the Train page in Chromium.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from appserver import ROOT, AppServer, idle, launch_chromium, pid_alive, require_browser
from appserver import screenshots as save_screenshots
from rlcore.service.runs import RunStore

LONG = 1_000_000  # steps: no run ends by itself during a test


def wait_for(cond, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def training(store, rid):
    """The worker trains and has written metrics (so there is something to keep)."""
    return store.status(rid).get("status") == "running" and len(store.metric_rows(rid)) >= 2


def worker_pid(store, rid):
    return json.loads((store.path(rid) / "worker.json").read_text())["pid"]


def assert_interrupted_and_kept(store, rid, rows_before):
    st = store.status(rid)
    assert st["status"] == "interrupted", st
    assert "SIGTERM" in st["message"]  # the worker's own handler wrote it: it was asked
    assert 0 < st["step"] < LONG
    assert (store.path(rid) / "model.safetensors").exists()
    rec, _agent = store.load_agent(rid)  # the weights written on the way out load
    assert rec.run.steps == LONG
    assert len(store.metric_rows(rid)) >= rows_before  # the metrics so far are kept


SERVER_LIKE = textwrap.dedent(
    """
    import signal, sys, time
    from rlcore.service.jobs import JobQueue, seed_plan
    from rlcore.train.presets import make_configs

    # Streamlit's handler: SIGTERM stops the server and the interpreter exits normally.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    run, algo = make_configs(
        "dqn", "CartPole-v1", {"learning_starts": 100, "hidden": (8,)},
        {"steps": STEPS, "eval_every": 500, "log_every": 100, "eval_episodes": 2, "threads": 1},
        use_preset=False,
    )
    batch = JobQueue(max_workers=1).submit(seed_plan(run, algo, 2))  # one trains, one waits
    print(*batch.runs, flush=True)
    while True:
        time.sleep(0.1)
    """
).replace("STEPS", str(LONG))


def test_an_exiting_server_process_stops_its_workers_gracefully(tmp_path):
    env = {"RLCORE_RUNS_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_LIKE],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )
    store = RunStore(tmp_path)
    pid = None
    try:
        first, second = server.stdout.readline().split()
        wait_for(lambda: training(store, first), what="the worker to train")
        pid = worker_pid(store, first)
        rows = len(store.metric_rows(first))
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        # The server waited for its worker: it is gone and its run is final already.
        assert not pid_alive(pid)
        assert_interrupted_and_kept(store, first, rows)
        # The queued run was not launched during the shutdown: it waits for the next server.
        assert store.status(second)["status"] == "queued"
        assert not (store.path(second) / "worker.json").exists()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if pid is not None and pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_sigterm_to_the_streamlit_server_interrupts_its_runs_with_weights_saved(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    store = RunStore(tmp_path / "runs")
    app = AppServer(store.root, env={"RLCORE_MAX_WORKERS": "2"})
    pid = None
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            try:
                page.goto(
                    f"{app.url}/train?env=CartPole-v1&algo=dqn&hidden=64&steps={LONG}"
                    "&eval_every=1000&log_every=250"
                )
                page.locator(".st-key-train_start button").wait_for(timeout=60_000)
                idle(page)
                page.locator(".st-key-train_start button").click()
                wait_for(lambda: len(store.ids()) == 1, what="the run to be created")
                (rid,) = store.ids()
                wait_for(lambda: training(store, rid), what="the worker to train")
                pid = worker_pid(store, rid)
                rows = len(store.metric_rows(rid))
            except BaseException:
                save_screenshots({"page": page}, "shutdown")
                raise
            t0 = time.monotonic()
            app.proc.send_signal(signal.SIGTERM)  # what `docker stop` sends to PID 1
            code = app.proc.wait(timeout=30)
            took = time.monotonic() - t0
            browser.close()
        print(f"\nserver exited with {code} {took:.1f} s after SIGTERM")
        assert not pid_alive(pid), "the worker outlived the server"
        assert_interrupted_and_kept(store, rid, rows)
    finally:
        app.stop()  # no-op when it exited; kills it and any worker left otherwise
        if pid is not None and pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_sigkilled_server_restarts_with_every_finished_run_intact(tmp_path):
    """Two rounds: a run finishes, another trains; SIGKILL the server (and, as in a
    container whose PID 1 dies, its worker); a new server on the same folder lists every
    finished run, loadable, and the killed one as interrupted."""
    require_browser()
    from playwright.sync_api import sync_playwright

    store = RunStore(tmp_path / "runs")
    finished, killed = [], []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        for round_ in range(2):
            app = AppServer(store.root, env={"RLCORE_MAX_WORKERS": "2"})
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            pid = None
            try:
                for steps in (1500, LONG):
                    before = set(store.ids())
                    page.goto(
                        f"{app.url}/train?env=CartPole-v1&algo=dqn&hidden=32&steps={steps}"
                        f"&eval_every=500&log_every=250&seed={round_}"
                    )
                    page.locator(".st-key-train_start button").wait_for(timeout=60_000)
                    idle(page)
                    page.locator(".st-key-train_start button").click()
                    wait_for(lambda b=before: len(set(store.ids()) - b) == 1, what="a new run")
                    (rid,) = set(store.ids()) - before
                    if steps == LONG:
                        wait_for(lambda r=rid: training(store, r), what="the worker to train")
                        pid = worker_pid(store, rid)
                        killed.append(rid)
                    else:
                        wait_for(
                            lambda r=rid: store.status(r).get("status") == "finished",
                            what="the short run to finish",
                        )
                        finished.append(rid)
                app.proc.kill()  # SIGKILL: no handler, no atexit, no goodbye
                app.proc.wait(timeout=10)
                os.kill(pid, signal.SIGKILL)  # the container's other processes die with it
                wait_for(lambda p=pid: not pid_alive(p), what="the worker to die")
                # A new server on the same runs folder.
                app = AppServer(store.root, env={"RLCORE_MAX_WORKERS": "2"})
                page.goto(f"{app.url}/compare")
                n = len(finished) + len(killed)
                page.get_by_text(f"{n} of {n} runs shown").wait_for(timeout=60_000)
                assert page.get_by_test_id("stException").count() == 0
            except BaseException:
                save_screenshots({"page": page}, f"sigkill_round{round_}")
                raise
            finally:
                page.close()
                app.stop()
                if pid is not None and pid_alive(pid):
                    os.kill(pid, signal.SIGKILL)
            listed = {r.id: r.status["status"] for r in store.list()}
            assert listed == {
                **dict.fromkeys(finished, "finished"),
                **dict.fromkeys(killed, "interrupted"),
            }
            for rid in finished:  # weights and every metric row of a finished run load
                rec, _agent = store.load_agent(rid)
                assert rec.status["step"] == 1500 and store.metrics(rid)["step"].max() == 1500
        browser.close()
    print(f"\nSIGKILL restarts survived: 2; finished runs kept {len(finished)}/{len(finished)}")
