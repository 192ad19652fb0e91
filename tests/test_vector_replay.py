"""Off-policy training on several environments at once (``n_envs``).

The budget, ``learning_starts`` and ``train_freq`` count transitions: a run on N
environments does the same gradient steps as on one, acting on all N in one batch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer


def _single_env_phases(total: int, starts: int, freq: int) -> int:
    """The one-environment loop's rule, step by step."""
    return sum(1 for s in range(1, total + 1) if s > starts and (s % freq == 0 or s == total))


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(1, 400),
    starts=st.integers(0, 100),
    freq=st.integers(1, 50),
    n=st.integers(1, 9),
)
def test_vector_steps_have_the_single_environments_phases(total, starts, freq, n):
    run, cfg = make_configs(
        "dqn",
        "CartPole-v1",
        hp={"learning_starts": starts, "train_freq": freq, "batch_size": 1, "n_envs": n},
        run={"steps": total},
    )
    tr = Trainer.__new__(Trainer)  # only the arithmetic: no environment, no agent
    tr.run, tr.cfg = run, cfg
    step, phases = 0, 0
    while step < total:
        m = min(n, total - step)
        phases += tr._phases(step, step + m)
        step += m
    assert phases == _single_env_phases(total, starts, freq)


def _run(algo: str, env: str, n: int, steps: int, **hp):
    run, cfg = make_configs(
        algo, env, hp={"n_envs": n, **hp}, run={"steps": steps, "eval_every": steps, "seed": 3}
    )
    tr = Trainer(run, cfg)
    rows = list(tr)
    return tr, rows


def test_dqn_on_four_cartpoles_keeps_the_budget_and_the_true_final_states():
    tr, rows = _run(
        "dqn", "CartPole-v1", 4, 403, learning_starts=50, train_freq=8, gradient_steps=2
    )
    assert tr.step == 403 and tr.buffer.size == 403  # the last step kept 3 of 4
    assert tr.updates == tr.planned_updates() > 0
    episodes = [r for r in rows if "rollout/return" in r]
    assert len(episodes) >= 4 and all(r["rollout/length"] >= 8 for r in episodes)
    assert any("train/critic_loss" in r for r in rows)
    data = tr.buffer.data[: tr.buffer.size].numpy()
    c = tr.buffer._cols
    term = data[:, c[4]] == 1.0
    final = data[term, c[3] : c[4]]
    # a terminal CartPole state has the cart or the pole out of bounds; a reset one never
    assert len(final) > 0
    theta = 12 * 2 * math.pi / 360  # gymnasium's CartPole bounds
    assert ((np.abs(final[:, 0]) > 2.4) | (np.abs(final[:, 2]) > theta)).all()
    # transitions follow each other within an episode: next_obs of one is obs of the next
    # in the same environment (rows interleave the 4 environments)
    obs, nxt = data[:, c[0] : c[1]], data[:, c[3] : c[4]]
    for i in range(40):
        if not term[i]:
            assert np.allclose(nxt[i], obs[i + 4])


def test_sac_on_two_pendulums_acts_in_batches():
    tr, rows = _run("sac", "Pendulum-v1", 2, 300, learning_starts=100, batch_size=32)
    assert tr.step == 300 and tr.updates == tr.planned_updates() == 200
    actions = tr.buffer.data[100:300, tr.buffer._cols[1]].numpy()
    assert np.abs(actions).max() <= 2.0 and actions.std() > 0.1
    assert rows[-1]["eval/return_mean"] < 0


def test_bad_n_envs_is_refused_with_the_field_and_range():
    with pytest.raises(ValueError, match=r"n_envs.*1 to 64"):
        make_configs("dqn", "CartPole-v1", hp={"n_envs": 0})


@pytest.mark.slow
def test_sac_learns_pendulum_on_four_environments():
    tr, rows = _run("sac", "Pendulum-v1", 4, 6000, learning_starts=1000)
    assert tr.updates == 5000  # one gradient step per transition, as on one environment
    assert rows[-1]["eval/return_mean"] > -400
