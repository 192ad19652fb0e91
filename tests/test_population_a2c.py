"""Populations of A2C (issue 25): the member axis of the synchronous actor-critic.

``population_a2c_reference.json`` was recorded from the A2C of commit 014bed5, before A2C
moved onto the population engine: 3,000 CartPole steps (seed 3) with RMSprop on 8
environments and with Adam on 2: every metrics row and the first weights.
"""

from __future__ import annotations

import copy
import dataclasses

import gymnasium as gym
import pytest
import torch
from test_population_ppo import _member, _perturbed, _rollout

from helpers import (
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
from rlcore.algos.a2c import A2C, A2CConfig, MemberRMSprop
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs

REFERENCE = "population_a2c_reference.json"
RUN = {"steps": 3000, "seed": 3, "eval_every": 1500, "eval_episodes": 2, "log_every": 500,
       "threads": 1}  # fmt: skip
CASES = {
    "rmsprop-8": {"n_envs": 8, "n_steps": 5, "hidden": (32, 32)},
    "adam-2": {"n_envs": 2, "n_steps": 16, "hidden": (32, 32), "optimizer": "adam",
               "ent_coef": 0.01, "normalize_advantage": True, "gae_lambda": 0.9},
}  # fmt: skip


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_a2c_run_is_a_population_of_one_that_behaves_as_before(key):
    run, cfg = make_configs("a2c", "CartPole-v1", hp=CASES[key], run=RUN, use_preset=False)
    assert_same_run(run_record(*train_through(run, cfg)), reference(REFERENCE)[key])


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_a2c_members_with_their_own_hyperparameters_step_as_single_agents(optimizer):
    own = [
        {"lr": 7e-4, "gamma": 0.99, "gae_lambda": 1.0, "vf_coef": 0.5, "ent_coef": 0.0},
        {"lr": 3e-3, "gamma": 0.8, "gae_lambda": 0.5, "vf_coef": 1.5, "ent_coef": 0.05},
    ]
    cfgs = [A2CConfig(hidden=(16,), n_envs=2, n_steps=16, optimizer=optimizer, **o) for o in own]
    pop = A2C(box(3), gym.spaces.Discrete(2), cfgs[0], members=cfgs, seeds=[0, 1])
    assert isinstance(pop.optimizer, MemberRMSprop) == (optimizer == "rmsprop")
    singles = single_agents(pop, lambda c: A2C(box(3), gym.spaces.Discrete(2), c))
    for step in range(3):
        ro = _rollout(2, seed=step)
        info = pop.update(ro)
        for i, single in enumerate(singles):
            one = single.update(_member(ro, i))
            for key in ("actor_loss", "value_loss", "entropy", "grad_norm"):
                torch.testing.assert_close(info[key][i], one[key], rtol=1e-4, atol=1e-6)
    assert_members_are_singles(pop, singles, rtol=1e-4, atol=1e-6)


def test_perturbing_one_a2c_members_rollout_leaves_the_others_bit_identical():
    cfg = A2CConfig(hidden=(16,), n_envs=2, n_steps=16)
    pop = A2C(box(3), gym.spaces.Discrete(2), cfg, members=[cfg] * 3, seeds=[0, 1, 2])
    other = copy.deepcopy(pop)
    ro = _rollout(3)
    bad = _perturbed(ro)
    pop.update(ro)
    other.update(bad)
    assert_members_bit_identical(pop, other, (0, 2))
    assert not torch.equal(
        pop.member_state_dict(1)["actor.net.0.weight"],
        other.member_state_dict(1)["actor.net.0.weight"],
    )


def test_an_a2c_population_trains_and_a_dropped_member_stops_costing():
    short = {**RUN, "steps": 1200, "eval_every": 600}
    hp = CASES["rmsprop-8"]
    run, cfg = make_configs("a2c", "CartPole-v1", hp=hp, run=short, use_preset=False)
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2, 3)]
    cfgs = [dataclasses.replace(cfg, lr=lr) for lr in (7e-4, 1e-3, 2e-3)]
    pop = PopulationTrainer(runs, cfgs)
    seen = train_dropping(pop, 0, at=400)
    for k in (1, 2):
        assert [m["step"] for m in seen[k] if "eval/return_mean" in m] == [600, 1200]
    assert pop.agent.k == 2 and isinstance(pop.agent.optimizer, MemberRMSprop)
    assert pop.agent.optimizer.lrs == (1e-3, 2e-3)
    assert all(s["square_avg"].shape[0] == 2 for s in pop.agent.optimizer.state.values())
