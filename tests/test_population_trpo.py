"""Populations of TRPO (issue 25): each member's own natural-gradient step, all at once.

``population_trpo_reference.json`` was recorded from the TRPO of commit 2c766bb, before
TRPO moved onto the population engine (2,048 steps, seed 3, three setups).
"""

from __future__ import annotations

import copy
import dataclasses

import gymnasium as gym
import pytest
import torch
from test_population_ppo import _member, _perturbed, _rollout

from helpers import (
    action_space,
    assert_members_are_singles,
    assert_members_bit_identical,
    assert_same_run,
    box,
    reference,
    run_record,
    single_agents,
    train_dropping,
    train_through,
)
from rlcore.algos.trpo import TRPO, TRPOConfig, member_conjugate_gradient
from rlcore.core.ops import conjugate_gradient
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs

REFERENCE = "population_trpo_reference.json"
RUN = {"steps": 2048, "seed": 3, "eval_every": 1024, "eval_episodes": 2, "log_every": 512,
       "threads": 1}  # fmt: skip
SMALL = {"batch_size": 64, "hidden": (32, 32)}
CASES = {
    "cartpole-1": ("CartPole-v1", {"n_envs": 1, "n_steps": 256, **SMALL}),
    "cartpole-4": ("CartPole-v1", {"n_envs": 4, "n_steps": 64, **SMALL}),
    "pendulum-2": ("Pendulum-v1", {"n_envs": 2, "n_steps": 128, **SMALL}),
}


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_trpo_run_is_a_population_of_one_that_behaves_as_before(key):
    env, hp = CASES[key]
    run, cfg = make_configs("trpo", env, hp=hp, run=RUN, use_preset=False)
    assert_same_run(run_record(*train_through(run, cfg)), reference(REFERENCE)[key])


def test_the_member_conjugate_gradient_solves_each_row_as_the_single_solve():
    torch.manual_seed(0)
    mats = [torch.randn(6, 6, dtype=torch.float64) for _ in range(3)]
    mats = [m @ m.T + torch.eye(6, dtype=torch.float64) * s for m, s in zip(mats, (0.1, 1, 10))]
    b = torch.randn(3, 6, dtype=torch.float64)
    x, res = member_conjugate_gradient(
        lambda v: torch.stack([m @ r for m, r in zip(mats, v)]), b, iters=4
    )
    for i, m in enumerate(mats):
        xi, ri = conjugate_gradient(lambda v, m=m: m @ v, b[i], iters=4)
        torch.testing.assert_close(x[i], xi)
        torch.testing.assert_close(res[i], ri)


@pytest.mark.parametrize("discrete", [True, False])
def test_trpo_members_take_the_policy_step_single_agents_take(discrete):
    own = [{"gamma": 0.99, "gae_lambda": 0.95, "target_kl": 0.01},
           {"gamma": 0.8, "gae_lambda": 0.5, "target_kl": 0.05}]  # fmt: skip
    cfgs = [TRPOConfig(hidden=(16,), n_envs=2, n_steps=16, batch_size=8, **o) for o in own]
    pop = TRPO(box(3), action_space(discrete), cfgs[0], members=cfgs, seeds=[0, 1])
    singles = single_agents(pop, lambda c: TRPO(box(3), action_space(discrete), c))
    ro = _rollout(2, discrete=discrete)
    data, _ = pop.prepare(ro)
    info = pop._member_policy_step(data)
    for i, single in enumerate(singles):
        d1, _ = single.prepare(_member(ro, i))
        one = single.policy_step(d1)
        for key in ("kl", "step_size", "backtracks", "accepted", "grad_norm"):
            torch.testing.assert_close(info[key][i], one[key].float(), rtol=1e-3, atol=1e-6)
    assert_members_are_singles(pop, singles, rtol=1e-3, atol=1e-5, only=("actor", "log_std"))


def test_perturbing_one_trpo_members_rollout_leaves_the_others_bit_identical():
    cfg = TRPOConfig(hidden=(16,), n_envs=2, n_steps=16, batch_size=8, n_critic_updates=2)
    pop = TRPO(box(3), gym.spaces.Discrete(2), cfg, members=[cfg] * 3, seeds=[0, 1, 2])
    other = copy.deepcopy(pop)
    ro = _rollout(3)
    bad = _perturbed(ro)
    torch.manual_seed(0)
    pop.update(ro)
    torch.manual_seed(0)
    other.update(bad)
    assert_members_bit_identical(pop, other, (0, 2))


def test_a_trpo_population_trains_and_drops_a_member():
    env, hp = CASES["cartpole-4"]
    run, cfg = make_configs("trpo", env, hp=hp, run={**RUN, "steps": 1024}, use_preset=False)
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2, 3)]
    cfgs = [dataclasses.replace(cfg, lr=lr) for lr in (1e-3, 2e-3, 3e-3)]
    pop = PopulationTrainer(runs, cfgs)
    seen = train_dropping(pop, 2, at=512)
    for k in (0, 1):
        assert [m["step"] for m in seen[k] if "eval/return_mean" in m] == [1024]
        assert any("train/kl" in m for m in seen[k])
    assert pop.agent.k == 2 and pop.agent.critic_optimizer.lrs == (1e-3, 2e-3)
