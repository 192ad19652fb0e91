"""The rest of what the course walk found (issue 24), second pass: each item with a test
that failed on the code before it (time estimates, Compare, the offline actions picture,
the learn pages' Chinese, the SAC alpha link)."""

import json

import pytest

from rlcore.service import speed
from rlcore.service.jobs import JobQueue, seed_plan
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs


# -- "no estimate yet" once an identical run has finished ----------------------------
def _tiny(algo="dqn", env="CartPole-v1", **hp):
    base = {"hidden": (16,)} | ({"learning_starts": 100} if algo == "dqn" else {})
    return make_configs(
        algo, env, base | hp, {"steps": 400, "eval_episodes": 1, "log_every": 100}, use_preset=False
    )


def _running(store, algo, env, rows=()):
    """A run of ``algo`` holding the worker now (its active ticket, the only one), its ``rows``."""
    active = store.root / ".queue" / "active"
    for old in active.glob("*.json"):
        old.unlink()
    run, cfg = make_configs(algo, env, {"hidden": (16,)}, {"steps": 10_000}, use_preset=False)
    rid = store.create(run, cfg)
    store.set_status(rid, "running", step=rows[-1]["step"] if rows else 0)
    with open(store.path(rid) / "metrics.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    active.mkdir(parents=True, exist_ok=True)
    (active / f"{rid}.json").write_text(json.dumps({"pid": 1}))
    return rid


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """A runs folder where one tiny DQN run finished (its speed recorded)."""
    store = RunStore(tmp_path_factory.mktemp("runs"))
    run, algo = _tiny()
    assert run_job(store.create(run, algo), store) == "finished"
    return store


def test_an_identical_finished_run_gives_an_estimate_whatever_else_trains(measured, monkeypatch):
    from ui import jobs

    store = measured
    run, algo = _tiny()  # the same algorithm, environment, steps, network and n_envs
    est = speed.estimate(store.root, run, algo)
    assert est is not None and est.basis == "measured"
    plan = seed_plan(run, algo, 2).runs
    # a run of an algorithm never measured here trains beside it (the walk's case):
    # the plan still finds a free worker, so its time is known (it was "no estimate")
    _running(store, "a2c", "CartPole-v1")
    two = JobQueue(store, max_workers=2, launcher=lambda *_: None, dispatch=False)
    when = speed.forecast(two, plan)
    assert when["plan:0"] == pytest.approx((0.0, est.seconds))
    assert when["plan:1"] == pytest.approx((est.seconds, 2 * est.seconds))
    monkeypatch.setattr(jobs, "queue", lambda: two)
    monkeypatch.setattr(jobs, "RunStore", lambda: store)
    text = jobs.runs_estimate(list(plan))
    assert "No estimate" not in text and "about" in text, text


def test_a_running_run_counts_with_its_own_measured_speed(measured):
    store = measured
    run, algo = _tiny()
    est = speed.estimate(store.root, run, algo)
    # one worker, held by an unmeasured A2C run that has measured itself: 2 ms a step,
    # 4,000 of its 10,000 steps done -> 12 s left, then the plan
    rows = [{"step": s, "time/elapsed": s * 0.002, "time/sps": 500.0} for s in range(0, 4001, 500)]
    rid = _running(store, "a2c", "CartPole-v1", rows)
    one = JobQueue(store, max_workers=1, launcher=lambda *_: None, dispatch=False)
    when = speed.forecast(one, seed_plan(run, algo, 1).runs)
    assert when["plan:0"] == pytest.approx((12.0, 12.0 + est.seconds))
    assert speed.own_rates(store.path(rid) / "metrics.jsonl", 0) == (None, pytest.approx(0.002))
    # a run that has not measured itself yet: the wait behind it is not known, said so
    _running(store, "a2c", "CartPole-v1")
    assert speed.forecast(one, seed_plan(run, algo, 1).runs)["plan:0"] is None
