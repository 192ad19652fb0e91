import gymnasium as gym
import numpy as np
import pytest
import torch

import rlcore.train.trainer as trainer_mod
from rlcore.core.buffers import ReplayBuffer
from rlcore.train.presets import make_configs


def test_add_sample_shapes_and_wraparound():
    buf = ReplayBuffer(5, obs_dim=3, action_dim=2, discrete=False, seed=0)
    for i in range(7):
        buf.add(np.full(3, i), np.full(2, -i), float(i), np.full(3, i + 1), i == 6)
    assert len(buf) == 5 and buf.pos == 2
    stored = sorted(buf.data[:, 0].tolist())
    assert stored == [2.0, 3.0, 4.0, 5.0, 6.0]  # the two oldest were overwritten
    b = buf.sample(16)
    assert b.obs.shape == (16, 3) and b.action.shape == (16, 2) and b.reward.shape == (16,)
    assert torch.all(b.next_obs[:, 0] == b.obs[:, 0] + 1)
    assert torch.all(b.action[:, 0] == -b.obs[:, 0])
    assert torch.all(b.terminated == (b.obs[:, 0] == 6).float())


def test_discrete_actions_come_back_as_long():
    buf = ReplayBuffer(10, 2, 1, discrete=True)
    buf.add([0, 0], 3, 1.0, [1, 1], False)
    b = buf.sample(4)
    assert b.action.dtype == torch.long and b.action.shape == (4,)
    assert b.action.tolist() == [3, 3, 3, 3]


def test_add_many_matches_add():
    a = ReplayBuffer(8, 2, 1, discrete=False)
    b = ReplayBuffer(8, 2, 1, discrete=False)
    obs = np.arange(20, dtype=np.float32).reshape(10, 2)
    for i in range(10):
        a.add(obs[i], [i], float(i), obs[i] + 1, i % 3 == 0)
    b.add_many(obs, np.arange(10)[:, None], np.arange(10.0), obs + 1, np.arange(10) % 3 == 0)
    assert torch.equal(a.data, b.data) and a.pos == b.pos and a.size == b.size


def test_empty_buffer_refuses_to_sample():
    with pytest.raises(ValueError, match="empty"):
        ReplayBuffer(4, 1, 1, True).sample(2)


class CountingEnv(gym.Env):
    """obs = [t]; never terminates; the TimeLimit wrapper truncates at t = 3."""

    observation_space = gym.spaces.Box(-1e6, 1e6, (1,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.array([0.0], np.float32), {}

    def step(self, action):
        self.t += 1
        return np.array([float(self.t)], np.float32), 1.0, False, False, {}


def test_truncation_keeps_final_obs_and_is_not_terminal(monkeypatch):
    def fake_make_env(env_id, seed=None, render_mode=None):
        env = gym.wrappers.TimeLimit(CountingEnv(), max_episode_steps=3)
        if seed is not None:
            env.reset(seed=seed)
            env.action_space.seed(seed)
        return env

    monkeypatch.setattr(trainer_mod, "make_env", fake_make_env)
    monkeypatch.setattr("rlcore.train.evaluation.make_env", fake_make_env)
    run, cfg = make_configs(
        "dqn",
        "CartPole-v1",
        {"learning_starts": 100, "hidden": (4,)},
        {"steps": 7, "eval_episodes": 1},
        use_preset=False,
    )
    tr = trainer_mod.Trainer(run, cfg)
    rows = list(tr)
    assert [m["rollout/return"] for m in rows if "rollout/return" in m] == [3.0, 3.0]
    data = tr.buffer.data[: tr.buffer.size]
    obs, nxt, term = data[:, 0].tolist(), data[:, 3].tolist(), data[:, 4].tolist()
    assert obs == [0, 1, 2, 0, 1, 2, 0]
    assert nxt == [1, 2, 3, 1, 2, 3, 1]  # 3 = the true final obs, not the reset obs 0
    assert term == [0.0] * 7  # truncation is not termination


def test_add_members_in_place_and_across_the_end_agree():
    """Members' rows written in place (room left) or wrapped round the end: the same rows."""
    rng = np.random.default_rng(0)
    k, cap = 3, 7
    a, b = ReplayBuffer(cap, 2, 1, False, members=k), ReplayBuffer(cap, 2, 1, False, members=k)
    for n in (3, 2, 4, 1, 5):  # the third and fifth additions wrap past the end
        obs, nxt = rng.standard_normal((k, n, 2)), rng.standard_normal((k, n, 2))
        act, rew = rng.uniform(-1, 1, (k, n, 1)), rng.standard_normal((k, n))
        term = rng.random((k, n)) < 0.3
        a.add_members(obs, act, rew, nxt, term)
        for i in range(n):  # one row at a time: the gathered path never wraps in place
            b.add_members(obs[:, i : i + 1], act[:, i : i + 1], rew[:, i : i + 1],
                          nxt[:, i : i + 1], term[:, i : i + 1])  # fmt: skip
        assert a.pos == b.pos and a.size == b.size
        assert torch.equal(a.all, b.all)
    row = a.all[1, (a.pos - 1) % cap]  # the last row of member 1: its own fields, in order
    assert torch.equal(row, torch.tensor([*obs[1, -1], act[1, -1, 0], rew[1, -1], *nxt[1, -1],
                                          float(term[1, -1])], dtype=torch.float32))  # fmt: skip
    with pytest.raises(ValueError, match="transition width 6 != buffer width 7"):
        a.add_members(obs[:, :1], act[:, :1, :0], rew[:, :1], nxt[:, :1], term[:, :1])
