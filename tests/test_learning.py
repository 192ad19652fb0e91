"""Learning checks. The fast one runs everywhere; ``-m slow`` runs the issue's budgets.

Full budgets with 3 seeds are in ``benchmarks/learning.py`` (too long for CI).
"""

import pytest

from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer


def eval_curve(algo, env, steps, seed=0, **run):
    r, a = make_configs(algo, env, run={"steps": steps, "seed": seed, **run})
    return [m["eval/return_mean"] for m in Trainer(r, a) if "eval/return_mean" in m]


def test_dqn_learns_cartpole_quickly():
    # Zoo preset; a random policy scores ~20. Deterministic given the seed.
    curve = eval_curve("dqn", "CartPole-v1", 6000, eval_every=2000, eval_episodes=5)
    assert max(curve) >= 150, curve


@pytest.mark.slow
@pytest.mark.parametrize("algo", ["sac", "td3", "ddpg"])
def test_pendulum_solved_in_20k(algo):
    curve = eval_curve(algo, "Pendulum-v1", 20_000)
    assert max(curve) >= -200, curve


@pytest.mark.slow
def test_dqn_cartpole_solved_in_50k():
    assert max(eval_curve("dqn", "CartPole-v1", 50_000)) >= 475


@pytest.mark.slow
def test_reinforce_cartpole_learns():
    assert max(eval_curve("reinforce", "CartPole-v1", 200_000)) >= 200


@pytest.mark.slow
def test_ppo_cartpole_solved_in_100k():
    # Zoo preset; benchmarks/learning.py: 500 at 100k on seeds 0, 1 and 2
    assert eval_curve("ppo", "CartPole-v1", 100_000, threads=1)[-1] >= 475
