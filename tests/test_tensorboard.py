"""TensorBoard: a run setting writes event files beside metrics.jsonl, read back here with
TensorBoard's own event reader, under our names and Stable-Baselines3's."""

import importlib.util

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from rlcore.__main__ import main
from rlcore.core.config import RunConfig
from rlcore.service.runs import RunStore
from rlcore.train.checks import check_run


def train(runs, *extra):
    argv = ["--runs-dir", str(runs), "train", "--algo", "dqn", "--env", "CartPole-v1"]
    argv += ["--steps", "1200", "--eval-every", "400", "--eval-episodes", "2", "--quiet"]
    argv += ["--log-every", "200", "--set", "learning_starts=100", "--set", "hidden=16"]
    assert main([*argv, *extra]) == 0
    (run_id,) = RunStore(runs).ids()
    return RunStore(runs), run_id


def scalars(folder):
    acc = EventAccumulator(str(folder))
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def column(rows, key):
    return [(r["step"], r[key]) for r in rows if r.get(key) is not None]


def test_off_by_default(tmp_path):
    assert RunConfig().tensorboard is False
    store, run_id = train(tmp_path / "runs")
    assert not list(store.path(run_id).glob("events.out.tfevents.*"))


def test_event_files_hold_our_names_and_sb3_aliases(tmp_path):
    store, run_id = train(tmp_path / "runs", "--tensorboard")
    folder = store.path(run_id)
    assert len(list(folder.glob("events.out.tfevents.*"))) == 1
    assert store.load(run_id).run.tensorboard is True
    tb = scalars(folder)
    rows = store.metric_rows(run_id)

    def same(tag, key):
        got = tb[tag]
        want = column(rows, key)
        assert [s for s, _ in got] == [s for s, _ in want], tag
        np.testing.assert_allclose([v for _, v in got], [v for _, v in want], rtol=1e-6)

    for key in ("eval/return_mean", "rollout/return", "train/critic_loss", "time/sps"):
        same(key, key)  # our own names, every row
    same("eval/mean_reward", "eval/return_mean")
    same("eval/mean_ep_length", "eval/length_mean")
    same("time/fps", "time/sps")
    # SB3's rollout/ep_rew_mean: the mean return of the last 100 episodes at each episode
    returns = column(rows, "rollout/return")
    assert len(returns) > 5
    want = [np.mean([v for _, v in returns[max(0, i - 99) : i + 1]]) for i in range(len(returns))]
    assert [s for s, _ in tb["rollout/ep_rew_mean"]] == [s for s, _ in returns]
    np.testing.assert_allclose([v for _, v in tb["rollout/ep_rew_mean"]], want, rtol=1e-6)
    lengths = [v for _, v in column(rows, "rollout/length")]
    assert tb["rollout/ep_len_mean"][-1][1] == pytest.approx(np.mean(lengths[-100:]))


def test_missing_tensorboard_package_is_a_clear_refusal(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name)
    )
    with pytest.raises(ValueError, match=r"RunConfig.tensorboard = True: needs the tensorboard"):
        check_run(RunConfig(tensorboard=True, steps=100))
    check_run(RunConfig(steps=100))  # off: nothing to install


def test_sb3_training_tags(tmp_path):
    """SB3's rollout/exploration_rate, train/loss, train/learning_rate, train/n_updates,
    time/total_timesteps and time/episodes, from the run's own rows."""
    from rlcore.train.trainer import Trainer

    store, run_id = train(tmp_path / "runs", "--tensorboard")
    tb = scalars(store.path(run_id))
    rows = store.metric_rows(run_id)
    train_rows = [r for r in rows if "time/updates_per_s" in r]
    assert [v for _, v in tb["rollout/exploration_rate"]] == pytest.approx(
        [r["train/epsilon"] for r in train_rows]
    )
    assert [v for _, v in tb["train/loss"]] == pytest.approx(
        [r["train/critic_loss"] for r in train_rows if "train/critic_loss" in r]
    )
    rec = store.load(run_id)
    assert [v for _, v in tb["train/learning_rate"]] == pytest.approx(
        [rec.algo.lr] * len(train_rows)
    )
    assert [(s, v) for s, v in tb["time/total_timesteps"]] == [
        (r["step"], r["step"]) for r in train_rows
    ]
    episodes = column(rows, "rollout/return")
    assert [v for _, v in tb["time/episodes"]] == list(range(1, len(episodes) + 1))
    updates = [v for _, v in tb["train/n_updates"]]
    assert updates == sorted(updates) and all(float(v).is_integer() for v in updates)
    assert updates[-1] == Trainer(rec.run, rec.algo).planned_updates()  # the trainer's count


def test_on_policy_sb3_names(tmp_path):
    from rlcore.service.tensorboard import TensorBoardLog

    log = TensorBoardLog(tmp_path, algo="ppo", lr=3e-4)
    row = {"step": 2048, "time/updates_per_s": 40.0, "time/elapsed": 0.5, "time/sps": 4096.0}
    log.write({**row, "train/policy_loss": -0.01, "train/entropy": 0.69, "train/lr": 2e-4})
    log.write({**row, "step": 4096, "time/elapsed": 1.0, "train/entropy": 0.6})
    log.close()
    tb = scalars(tmp_path)
    assert tb["train/policy_gradient_loss"] == [(2048, pytest.approx(-0.01))]
    assert [v for _, v in tb["train/entropy_loss"]] == pytest.approx([-0.69, -0.6])
    assert [v for _, v in tb["train/learning_rate"]] == pytest.approx([2e-4, 3e-4])
    assert [v for _, v in tb["train/n_updates"]] == [20, 40]
    assert "train/loss" not in tb  # PPO's total loss is not logged: not made up either
