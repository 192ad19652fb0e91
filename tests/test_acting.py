"""Acting skips the log-density: the same action as the training forward, for less work."""

import numpy as np
import pytest
import torch

from rlcore.core.nn import GaussianActor, TanhGaussianActor


@pytest.mark.parametrize("cls", [TanhGaussianActor, GaussianActor])
@pytest.mark.parametrize("deterministic", [True, False])
def test_sample_action_is_forwards_action_on_the_same_draw(cls, deterministic):
    torch.manual_seed(0)
    actor = cls(3, np.array([-2.0, -1.0]), np.array([2.0, 3.0]), (16, 16))
    obs = torch.randn(5, 3)
    torch.manual_seed(1)
    a_forward, _ = actor(obs, deterministic=deterministic)
    torch.manual_seed(1)
    a_act = actor.sample_action(obs, deterministic=deterministic)
    assert torch.equal(a_forward, a_act)
    assert ((a_act >= actor.action_bias - actor.action_scale) & (a_act <= 3.0)).all()


@pytest.mark.parametrize("dueling", [False, True])
def test_dqn_one_state_action_is_the_q_networks_argmax(dueling):
    """DQN's one-state path (layers called without module dispatch) = forward's numbers."""
    import gymnasium as gym

    from rlcore.algos.dqn import DQN, DQNConfig

    torch.manual_seed(0)
    space = gym.spaces.Box(-np.inf, np.inf, (4,), np.float32)
    agent = DQN(space, gym.spaces.Discrete(3), DQNConfig(hidden=(16, 16), dueling=dueling))
    states = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    with torch.no_grad():
        x = torch.from_numpy(states)
        assert torch.equal(agent.q.fast_forward(x), agent.q(x))
        want = agent.q(x).argmax(-1).numpy()
    got = np.array([agent.act(s) for s in states])
    assert got.dtype == np.int64 and (got == want).all()
    assert (agent.act(states) == want).all()  # a batch takes the generic path
    agent.epsilon = 1.0  # explore: every action random, all of them valid
    explored = {int(agent.act(s, explore=True)) for s in states}
    assert explored <= {0, 1, 2} and len(explored) > 1
