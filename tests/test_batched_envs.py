"""Batched physics (rlcore.core.batched): many copies of CartPole / Pendulum in one call,
to the bit what each Gymnasium environment's own ``step`` gives."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlcore.core.batched import batched_physics
from rlcore.core.envs import make_env
from rlcore.train.population import PopulationEnvs

ENVS = ["CartPole-v1", "Pendulum-v1"]


def _actions(env_id: str, rng: np.random.Generator, m: int) -> np.ndarray:
    if env_id.startswith("CartPole"):
        return rng.integers(0, 2, m)
    return rng.uniform(-3.0, 3.0, (m, 1)).astype(np.float32)  # beyond the bounds: clipped


def _one(a: np.ndarray):
    return a.item() if a.ndim == 0 else a


@pytest.mark.parametrize("env_id", ENVS)
@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_batched_steps_equal_each_environment_to_the_bit(env_id, seed):
    """Random play through resets and time limits: obs, rewards, ends identical."""
    m = 5
    ours = [make_env(env_id) for _ in range(m)]
    theirs = [make_env(env_id) for _ in range(m)]
    kernel = batched_physics(ours)
    assert kernel is not None
    for j in range(m):
        first, _ = theirs[j].reset(seed=seed + j)
        assert np.array_equal(kernel.reset(j, seed=seed + j), first)
    rng = np.random.default_rng(seed)
    ends = 0
    for _ in range(600):  # past Pendulum's 200-step limit, CartPole's episodes end
        a = _actions(env_id, rng, m)
        obs, rew, term, trunc = kernel.step(a)
        for j in range(m):
            o, r, te, tr, _ = theirs[j].step(_one(a[j]))
            assert np.array_equal(obs[j], o) and obs.dtype == o.dtype
            assert rew[j] == r and bool(term[j]) == te and bool(trunc[j]) == tr
            if te or tr:
                ends += 1
                assert np.array_equal(kernel.reset(j), theirs[j].reset()[0])
    assert ends >= m  # episodes did end (and reset from each environment's own generator)


@pytest.mark.filterwarnings("ignore:.*not within the observation space")
@pytest.mark.parametrize("env_id", ENVS)
@settings(max_examples=40, deadline=None)
@given(
    state=st.lists(st.floats(-20, 20, allow_subnormal=False), min_size=4, max_size=4),
    action=st.floats(-5, 5, width=32, allow_subnormal=False),
)
def test_batched_step_from_any_state_equals_the_environment(env_id, state, action):
    """States random play rarely reaches (fast poles, wrapped angles): still identical."""
    env, copy = make_env(env_id), make_env(env_id)
    kernel = batched_physics([copy, make_env(env_id)])
    env.reset(seed=0)
    kernel.reset(0, seed=0)
    kernel.reset(1, seed=1)
    s = np.array(state[: kernel.state_size])
    env.unwrapped.state = s.copy()
    kernel.state[0] = s
    a = (
        np.array(action > 0, dtype=np.int64)
        if env_id.startswith("CartPole")
        else np.float32([action])
    )
    o, r, te, _tr, _ = env.step(_one(a))
    obs, rew, term, _trunc = kernel.step(a[None], np.array([0]))
    assert np.array_equal(obs[0], o) and rew[0] == r and bool(term[0]) == te
    assert np.array_equal(kernel.state[0], np.asarray(env.unwrapped.state, dtype=np.float64))


def test_only_the_environments_it_reproduces_are_batched():
    assert batched_physics([make_env("CartPole-v1"), make_env("CartPole-v1")]) is not None
    assert batched_physics([make_env("Acrobot-v1"), make_env("Acrobot-v1")]) is None
    assert batched_physics([make_env("CartPole-v1"), make_env("Pendulum-v1")]) is None
    changed = gym.make("CartPole-v1", sutton_barto_reward=True)  # another reward
    assert batched_physics([changed, make_env("CartPole-v1")]) is None
    heavier = gym.make("CartPole-v1")
    heavier.unwrapped.masspole = 0.2
    assert batched_physics([heavier]) is None
    shorter = gym.make("CartPole-v1", max_episode_steps=100)
    assert batched_physics([shorter, make_env("CartPole-v1")]) is None  # two time limits
    rendering = gym.make("CartPole-v1", render_mode="rgb_array")
    assert batched_physics([rendering]) is None
    bare = gym.make("CartPole-v1").unwrapped  # no time limit to honour
    assert batched_physics([bare]) is None
    assert batched_physics([]) is None


def test_population_envs_step_only_the_members_asked():
    """``step_all(only=...)``: the masked members' copies do not move."""
    seeds = [3, 4, 5]
    envs = PopulationEnvs("CartPole-v1", seeds, n=2)
    assert envs.kernel is not None
    mirror = [make_env("CartPole-v1") for _ in range(6)]
    obs = envs.reset()
    for j, e in enumerate(mirror):
        assert np.array_equal(obs.reshape(6, 4)[j], e.reset(seed=seeds[j // 2] + j % 2)[0])
    rng = np.random.default_rng(0)
    for t in range(300):
        only = np.array([True, t % 3 != 0, t % 2 == 0])
        a = rng.integers(0, 2, (3, 2))
        new, rew, _term, done, nxt, finished = envs.step_all(a, only=only)
        stepped = np.repeat(only, 2)
        ended = {j for j, _, _ in finished}
        for j in range(6):
            if not stepped[j]:
                assert j not in ended
                continue
            o, r, te, tr, _ = mirror[j].step(int(a.reshape(-1)[j]))
            assert np.array_equal(nxt.reshape(6, 4)[j], o) and rew.reshape(-1)[j] == r
            assert bool(done.reshape(-1)[j]) == (te or tr) and (j in ended) == (te or tr)
            if te or tr:
                assert np.array_equal(new.reshape(6, 4)[j], mirror[j].reset()[0])
    envs.close()


def test_a_population_compacted_to_one_copy_steps_on_exactly():
    """The last copy's state goes back into its environment, which steps on from there."""
    envs = PopulationEnvs("Pendulum-v1", [7, 8], n=1)
    mirror = make_env("Pendulum-v1")
    envs.reset()
    mirror.reset(seed=8)
    rng = np.random.default_rng(1)
    for _ in range(50):
        a = rng.uniform(-2, 2, (2, 1, 1)).astype(np.float32)
        envs.step_all(a)
        mirror.step(a[1, 0])
    envs.keep_members([1])
    assert envs.kernel is None and envs.single
    for _ in range(200):
        a = rng.uniform(-2, 2, (1, 1, 1)).astype(np.float32)
        _new, rew, _term, done, nxt, _finished = envs.step_all(a)
        o, r, _te, tr, _ = mirror.step(a[0, 0])
        assert np.array_equal(nxt[0, 0], o) and rew[0, 0] == r and bool(done[0, 0]) == tr
        if tr:
            mirror.reset()
    envs.close()


@pytest.mark.parametrize("env_id", ENVS)
def test_evaluation_episodes_batched_or_one_by_one_agree(env_id):
    """``play_episodes`` (every evaluation's loop) gives the same numbers either way."""
    from rlcore.train.evaluation import play_episodes

    def played(wrap: bool):
        envs = [make_env(env_id) for _ in range(6)]
        if wrap:  # a wrapper the batched physics does not know: stepped one by one
            envs = [gym.wrappers.RecordEpisodeStatistics(e) for e in envs]
        assert (batched_physics(envs) is None) == wrap
        obs = np.stack([e.reset(seed=40 + i)[0] for i, e in enumerate(envs)])
        active = np.array([True, True, False, True, True, True])  # one left alone

        def act(idx):  # a fixed policy of the observation (identical obs, identical actions)
            if env_id.startswith("CartPole"):
                return (obs[idx, 2] + 0.3 * obs[idx, 3] > 0).astype(np.int64)
            return np.clip(-2.0 * obs[idx, 2:3], -2, 2).astype(np.float32)

        out = play_episodes(envs, obs, act, np.full(6, 0.97), active)
        return (*out, obs.copy())

    batched, single = played(False), played(True)
    for a, b in zip(batched, single, strict=True):
        assert np.array_equal(a, b)
    assert batched[2][2] == 0 and (batched[2][[0, 1, 3, 4, 5]] > 10).all()
