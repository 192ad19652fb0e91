"""Live diagnosis: each rule fires on the metrics that show it, and only then."""

import numpy as np
import pandas as pd

from ui.diagnosis import diagnose
from ui.i18n import t

DQN = {"run": {"env": "CartPole-v1", "dataset": ""}, "algo": {"learning_starts": 1000}}


def evals(steps, q, g):
    return pd.DataFrame({"step": steps, "eval/q_start": q, "eval/discounted_return": g})


def keys(findings):
    return [f.key for f in findings]


def test_over_estimation_is_said_with_its_size_and_the_explorer():
    df = evals([2000, 4000], [30.0, 56.0], [30.0, 40.0])  # (56 - 40) / 40 = 40 %
    (f,) = diagnose(df, DQN)
    assert f.key == "diag.over" and f.fmt == {"pct": "40%", "step": "4k"}
    assert f.link == ("learn_value", "clipped-double-q")
    assert "exceeds the Monte-Carlo return by 40%" in t(f.key, "en", **f.fmt)
    assert diagnose(evals([2000, 4000], [30.0, 44.0], [30.0, 40.0]), DQN) == []  # 10 %: fine
    offline = {"run": {"dataset": "d"}, "algo": {}}
    assert keys(diagnose(evals([1, 2], [0.0, -80.0], [1.0, -40.0]), offline)) == [
        "diag.under_offline"
    ]


def test_only_one_evaluation_is_flagged_once_the_run_is_over():
    df = pd.DataFrame({"step": [3000], "eval/return_mean": [-900.0]})
    assert keys(diagnose(df, {"run": {"dataset": "d"}, "algo": {}}, done=True)) == ["diag.one_eval"]
    assert diagnose(df, {"run": {"dataset": "d"}, "algo": {}}, done=False) == []


def test_entropy_collapse_names_the_step_where_it_happened():
    df = pd.DataFrame({"step": [1000, 2000, 3000, 4000], "train/entropy": [0.69, 0.5, 0.04, 0.01]})
    (f,) = diagnose(df, {"run": {}, "algo": {}})
    assert f.key == "diag.entropy" and f.fmt["step"] == "3k" and f.fmt["value"] == "0.010"
    healthy = df.assign(**{"train/entropy": [0.69, 0.6, 0.5, 0.45]})
    assert diagnose(healthy, {"run": {}, "algo": {}}) == []


def test_warm_up_then_a_diverging_loss_then_a_stuck_return():
    df = pd.DataFrame({"step": [500], "rollout/return": [20.0]})
    assert keys(diagnose(df, DQN)) == ["diag.warmup"]
    loss = pd.DataFrame(
        {"step": np.arange(1, 8) * 1000, "train/critic_loss": [1.0, 1.2, 0.9, 1.1, 1.0, 5, 400]}
    )
    assert keys(diagnose(loss, DQN)) == ["diag.loss"]
    flat = pd.DataFrame({"step": np.arange(1, 7) * 1000, "eval/return_mean": [9.4] * 6})
    assert keys(diagnose(flat, DQN, done=True)) == ["diag.stuck"]
    assert diagnose(flat.assign(**{"eval/return_mean": [9, 20, 50, 90, 200, 500]}), DQN, True) == []
