"""Time estimates from the speed measured on this server: per phase, before Start, queued."""

import dataclasses
import json

import pandas as pd
import pytest

from rlcore.service import speed
from rlcore.service.jobs import JobQueue, seed_plan
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs
from ui.jobs import phase_rates


def dqn(steps=50_000, **hp):
    return make_configs("dqn", "CartPole-v1", hp, {"steps": steps})  # the Zoo preset


def write(root, *records):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / speed.SPEED_FILE, "a") as f:
        for r in records:
            f.write(json.dumps(dataclasses.asdict(r)) + "\n")


def record(run, algo, warm_s, train_s, **kw):
    from rlcore.train.model_size import count_parameters

    fields = dict(
        algo=run.algo,
        env=run.env,
        device="cpu",
        params=count_parameters(run, algo),
        batch=algo.batch_size,
        warm_steps=algo.learning_starts,
        warm_s=warm_s,
        train_steps=run.steps - algo.learning_starts,
        train_s=train_s,
        updates=(run.steps - algo.learning_starts) // algo.train_freq * algo.gradient_steps,
    )
    fields.update(kw)
    return speed.SpeedRecord(**fields)


def test_warm_up_speed_is_not_extrapolated_to_the_training_phase(tmp_path):
    run, algo = dqn()
    assert speed.warmup_steps(run, algo) == 1000
    # the run so far: 1,000 warm-up steps in 0.05 s, i.e. "23,005 steps/s"
    df = pd.DataFrame({"step": [1000], "time/sps": [20_000.0], "time/elapsed": [0.05]})
    warm_rate, train_rate = phase_rates(df, 1000)
    assert warm_rate == pytest.approx(0.05 / 1000) and train_rate is None
    # nothing measured here: no estimate rather than "ETA 1 s"
    assert speed.estimate(tmp_path, run, algo, 1000, warm_rate, train_rate) is None
    # an earlier run of this configuration took 490 s for its 49,000 training steps
    write(tmp_path, record(run, algo, warm_s=0.05, train_s=490.0))
    est = speed.estimate(tmp_path, run, algo, 1000, warm_rate, train_rate)
    assert est.seconds == pytest.approx(490.0) and est.basis == "measured" and est.runs == 1
    # before Start: the warm-up at the measured warm-up speed, then the training phase
    est = speed.estimate(tmp_path, run, algo)
    assert est.seconds == pytest.approx(0.05 + 490.0)
    # once the run measures its own training speed, that wins: 2 ms a step, 40,000 left
    df = pd.DataFrame(
        {"step": [1000, 5000, 10_000], "time/elapsed": [0.05, 8.05, 18.05], "time/sps": 1.0}
    )
    warm_rate, train_rate = phase_rates(df, 1000)
    assert train_rate == pytest.approx(0.002)
    est = speed.estimate(tmp_path, run, algo, 10_000, warm_rate, train_rate)
    assert est.seconds == pytest.approx(40_000 * 0.002)


def test_another_network_is_estimated_from_the_nearest_and_said_to_be_rough(tmp_path):
    run, algo = dqn()
    write(tmp_path, record(run, algo, warm_s=0.1, train_s=490.0))
    big_run, big = dqn(hidden=(512, 512))
    est = speed.estimate(tmp_path, big_run, big)
    assert est.basis == "similar"
    # the update part scales with (parameters x batch) ** 0.75; the env part does not
    from rlcore.train.model_size import count_parameters

    ratio = count_parameters(big_run, big) / count_parameters(run, algo)
    per_update = (490.0 / 49_000 - 0.1 / 1000) / (49_000 // 256 * 128 / 49_000)
    want = 0.1 + 49_000 * (0.1 / 1000 + 0.5 * per_update * ratio**0.75)
    assert est.seconds == pytest.approx(want)
    # another algorithm was never measured: no estimate at all
    sac_run, sac = make_configs("sac", "Pendulum-v1")
    assert speed.estimate(tmp_path, sac_run, sac) is None


def test_schedule_of_a_queue_behind_two_busy_workers():
    assert speed.schedule([100.0, 50.0], [30.0, 30.0, 30.0], workers=2) == [80.0, 110.0, 130.0]
    assert speed.schedule([], [10.0, 10.0, 10.0], workers=2) == [10.0, 10.0, 20.0]


def test_a_finished_run_feeds_the_table_and_the_queue_forecast(tmp_path):
    store = RunStore(tmp_path / "runs")
    run, algo = make_configs(
        "dqn",
        "CartPole-v1",
        {"hidden": (16,), "learning_starts": 100, "train_freq": 4, "gradient_steps": 1},
        {"steps": 400, "eval_episodes": 1, "log_every": 100},
        use_preset=False,
    )
    rid = store.create(run, algo)
    assert run_job(rid, store) == "finished"
    (rec,) = speed.read_records(store.root)
    assert rec.algo == "dqn" and rec.warm_steps == 100 and rec.train_steps == 300
    assert rec.updates == 75 and rec.warm_s > 0 and rec.train_s > rec.warm_s * 0.5
    est = speed.estimate(store.root, run, algo)
    assert est.basis == "measured"
    assert est.seconds == pytest.approx(rec.warm_s + rec.train_s)
    # a plan queued behind nothing: its two runs train side by side on two workers
    q = JobQueue(store, max_workers=2, launcher=lambda *_: None, dispatch=False)
    when = speed.forecast(q, seed_plan(run, algo, 2).runs)
    assert when["plan:0"] == pytest.approx((0.0, est.seconds))
    assert when["plan:1"] == pytest.approx((0.0, est.seconds))
    one = JobQueue(store, max_workers=1, launcher=lambda *_: None, dispatch=False)
    when = speed.forecast(one, seed_plan(run, algo, 2).runs)
    assert when["plan:1"] == pytest.approx((est.seconds, 2 * est.seconds))
