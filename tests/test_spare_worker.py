"""The spare worker: started ahead with PyTorch imported, it takes the next run at once."""

import time

from rlcore.service import worker
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs


def test_the_next_run_goes_to_the_spare_and_a_changed_environment_drops_it(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_SPARE_WORKERS", "1")
    try:
        check_spare(RunStore(tmp_path / "runs"), monkeypatch)
    finally:
        worker.stop_spare()
    assert "spare" not in worker._SPARE


def check_spare(store, monkeypatch):
    run, cfg = make_configs("dqn", "CartPole-v1", {"hidden": (8,)}, {"steps": 1100})
    first = worker.spawn_job(store.create(run, cfg), store)
    spare = worker._SPARE["spare"][0]
    assert spare.pid != first.pid and spare.poll() is None
    second_id = store.create(run, cfg)
    t0 = time.time()
    second = worker.spawn_job(second_id, store)
    assert second.pid == spare.pid  # the run went to the process started ahead
    assert first.wait(120) == 0 and second.wait(120) == 0
    assert store.status(second_id)["status"] == "finished"
    assert store.status(second_id)["started"] - t0 < 60
    assert "error" not in (store.path(second_id) / "worker.log").read_text().lower()
    # a spare started under other settings never takes a run: it is ended instead
    nxt = worker._SPARE["spare"][0]
    monkeypatch.setenv("RLCORE_MAX_RUN_SECONDS", "77")
    assert worker._take_spare(worker._worker_env(store)) is None
    assert nxt.poll() is not None and "spare" not in worker._SPARE
    worker.ensure_spare(store)
    assert worker._SPARE["spare"][0].poll() is None
