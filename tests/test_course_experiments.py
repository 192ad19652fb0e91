"""The course's redesigned experiments: what each runs, and the environment made for one.

The DQN lesson runs in a noisy corridor (``rlcore.learn.envs``) where every door is worth
the same, so any Q above the return is the max's bias; the clipped-double-Q lesson runs a
TD3 that differs from DDPG by the min of two critics only. The agreement and time of each
are measured by ``benchmarks/course.py`` (docs/course.md), not here.
"""

import numpy as np
import pytest

from rlcore.core.envs import env_spec, make_env
from rlcore.learn.envs import CORRIDOR, NoisyCorridor
from ui import course


def play(env, policy, seed):
    obs, _ = env.reset(seed=seed)
    total, steps, done = 0.0, 0, False
    while not done:
        obs, r, term, trunc, _ = env.step(policy(steps))
        total, steps, done = total + r, steps + 1, term or trunc
    return total, steps, obs


def test_every_door_of_the_corridor_is_worth_the_same():
    env = make_env("NoisyCorridor-v0")
    assert env.observation_space.shape == (CORRIDOR["length"],)  # one-hot rooms
    assert env.action_space.n == CORRIDOR["doors"]
    means = []
    for door in (0, CORRIDOR["doors"] - 1):
        results = [play(env, lambda _t, d=door: d, seed) for seed in range(400)]
        assert {steps for _, steps, _ in results} == {CORRIDOR["length"]}
        means.append(np.mean([total for total, _, _ in results]))
    # 400 episodes of 10 rewards with std 2: the mean return is 10 +- 0.32 (one std)
    assert means == pytest.approx([10.0, 10.0], abs=1.3)
    # the noise is real: two episodes through the same doors differ
    assert play(env, lambda _t: 0, 1)[0] != play(env, lambda _t: 0, 2)[0]


def test_the_corridor_says_which_arguments_and_actions_it_refuses():
    with pytest.raises(ValueError, match="doors"):
        NoisyCorridor(doors=0)
    env = NoisyCorridor()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action = 8"):
        env.step(8)
    assert env_spec("NoisyCorridor-v0").presets["dqn"].run["eval_episodes"] == 100


def test_the_dqn_lesson_runs_in_the_corridor_and_the_cdq_lesson_differs_only_by_the_min():
    (dqn,) = course.experiment_plans(course.EXPERIMENTS["dqn"])
    assert {r.env for r, _ in dqn.runs} == {"NoisyCorridor-v0"} and len(dqn.runs) == 3
    ddpg, td3 = course.experiment_plans(course.EXPERIMENTS["cdq"])
    (r1, c1), (r2, c2) = ddpg.runs[0], td3.runs[0]
    assert (r1.algo, r2.algo) == ("ddpg", "td3")
    assert c2.policy_delay == 1 and c2.target_policy_noise == 0.0  # no other TD3 change
    shared = ("gamma", "tau", "lr", "hidden", "batch_size", "learning_starts", "buffer_size")
    assert all(getattr(c1, k) == getattr(c2, k) for k in shared)
    assert not course.EXPERIMENTS["dqn"].slow and not course.EXPERIMENTS["cdq"].slow


def test_the_offline_verdict_reads_the_last_quarter_where_iql_has_learned():
    """IQL under BC for three quarters of the run (its values still learning), far above
    it in the last quarter: read as IQL, with the last quarter's scores."""
    import pandas as pd

    def run(scores):
        return pd.DataFrame({"step": range(150, 3001, 150), "eval/normalized_score": scores})

    late = [-30.0] * 15 + [90.0] * 5
    flat = [-5.0] * 20
    v = course.verdict(
        "offline",
        {"bc": [run(flat)] * 2, "cql": [run(flat)] * 2, "iql": [run(late)] * 2},
        data_score=50.0,
    )
    assert v.answer == "iql" and v.agrees
    assert v.values["iql"] == pytest.approx(90.0) and v.numbers["data"] == 50.0


def test_the_cdq_verdict_reads_the_last_quarter_where_the_critics_follow_their_policies():
    """Mid-run both critics lag under their returns, DDPG's more; over the last quarter
    DDPG's Q lies above its return and TD3's under it: read as DDPG, with those values."""
    import pandas as pd

    def run(mid, end, g=-130.0):
        q = [0.0] * 4 + [g * (1 - mid)] * 11 + [g * (1 - end)] * 5
        steps = range(300, 6001, 300)
        return pd.DataFrame({"step": steps, "eval/q_start": q, "eval/discounted_return": g})

    ddpg = [run(-0.30 + d, 0.15 + d) for d in (0.0, 0.02, 0.04)]
    td3 = [run(-0.10 + d, -0.20 + d) for d in (0.0, 0.02, 0.04)]
    v = course.verdict("cdq", {"ddpg": ddpg, "td3": td3}, {"ddpg": 1000, "td3": 1000})
    assert v.answer == "ddpg" and v.agrees
    assert v.values["ddpg"] == pytest.approx(0.17) and v.values["td3"] == pytest.approx(-0.18)
