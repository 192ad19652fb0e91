"""Load on the backend: several real worker processes at once (the browser-level load test
is tests/test_load_browser.py)."""

import gc
import time

import numpy as np

from appserver import rss_mb
from rlcore.service.runs import RunStore
from rlcore.service.worker import spawn_job
from rlcore.train.presets import make_configs

N_WORKERS = 4
STEPS = 300


def test_four_workers_at_once_all_finish_with_their_own_metrics(tmp_path, capsys):
    store = RunStore(tmp_path)
    runs = []
    for seed in range(N_WORKERS):
        run, algo = make_configs(
            "dqn",
            "CartPole-v1",
            {"learning_starts": 100, "hidden": (8,)},
            {"steps": STEPS, "eval_every": 150, "eval_episodes": 2, "threads": 1, "seed": seed},
            use_preset=False,
        )
        runs.append(store.create(run, algo))
    for rid in runs:  # warm up the reading path (pandas is imported on first use)
        store.metrics(rid)
        store.load(rid)
    gc.collect()
    before = rss_mb()
    procs = [spawn_job(rid, store) for rid in runs]
    peak_child = 0.0
    try:
        deadline = time.monotonic() + 60
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            peak_child = max([peak_child] + [rss_mb(p.pid) or 0.0 for p in procs])
            time.sleep(0.1)
        codes = [p.poll() for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
    assert codes == [0] * N_WORKERS
    statuses = [store.status(rid) for rid in runs]
    assert [s["status"] for s in statuses] == ["finished"] * N_WORKERS
    assert len({s["pid"] for s in statuses}) == N_WORKERS  # one process per run
    returns = []
    for seed, rid in enumerate(runs):
        df = store.metrics(rid)
        assert df["step"].max() == STEPS and df["eval/return_mean"].notna().sum() >= 2
        assert store.load(rid).run.seed == seed
        returns.append(tuple(df["rollout/return"].dropna()))
    assert len(set(returns)) == N_WORKERS  # each run wrote its own episodes, nothing mixed
    gc.collect()
    after = rss_mb()
    with capsys.disabled():
        print(
            f"\n{N_WORKERS} workers: test process RSS {before:.0f} -> {after:.0f} MB, "
            f"largest worker RSS {peak_child:.0f} MB"
        )
    assert after - before < 25, (before, after)
    assert np.isfinite(peak_child) and peak_child > 0
