"""Populations of A2C (issue 25): the member axis of the synchronous actor-critic.

``population_a2c_reference.json`` was recorded from the A2C of commit 014bed5, before A2C
moved onto the population engine: 3,000 CartPole steps (seed 3) with RMSprop on 8
environments and with Adam on 2: every metrics row and the first weights.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import gymnasium as gym
import pytest
import torch
from test_population_ppo import _member, _rollout

from helpers import box
from rlcore.algos.a2c import A2C, A2CConfig, MemberRMSprop
from rlcore.core.types import Rollout
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

REFERENCE = Path(__file__).with_name("population_a2c_reference.json")
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
    tr = Trainer(run, cfg)
    rows = [{k: v for k, v in m.items() if not k.startswith("time/")} for m in tr]
    want = json.loads(REFERENCE.read_text())[key]
    assert len(rows) == len(want["rows"])
    for a, b in zip(rows, want["rows"]):
        assert a.keys() == b.keys() and a == pytest.approx(b, rel=1e-5, abs=1e-6)
    got = {k: v.flatten()[:5].tolist() for k, v in tr.agent.state_dict().items()}
    assert got.keys() == want["weights"].keys()
    for k, v in got.items():
        assert v == pytest.approx(want["weights"][k], rel=1e-5, abs=1e-6), k


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_a2c_members_with_their_own_hyperparameters_step_as_single_agents(optimizer):
    own = [
        {"lr": 7e-4, "gamma": 0.99, "gae_lambda": 1.0, "vf_coef": 0.5, "ent_coef": 0.0},
        {"lr": 3e-3, "gamma": 0.8, "gae_lambda": 0.5, "vf_coef": 1.5, "ent_coef": 0.05},
    ]
    cfgs = [A2CConfig(hidden=(16,), n_envs=2, n_steps=16, optimizer=optimizer, **o) for o in own]
    pop = A2C(box(3), gym.spaces.Discrete(2), cfgs[0], members=cfgs, seeds=[0, 1])
    assert isinstance(pop.optimizer, MemberRMSprop) == (optimizer == "rmsprop")
    singles = []
    for i, c in enumerate(cfgs):
        torch.manual_seed(i)
        singles.append(A2C(box(3), gym.spaces.Discrete(2), c))
    for step in range(3):
        ro = _rollout(2, seed=step)
        info = pop.update(ro)
        for i, single in enumerate(singles):
            one = single.update(_member(ro, i))
            for key in ("actor_loss", "value_loss", "entropy", "grad_norm"):
                torch.testing.assert_close(info[key][i], one[key], rtol=1e-4, atol=1e-6)
    for i, single in enumerate(singles):
        want = single.state_dict()
        for name, p in pop.member_state_dict(i).items():
            torch.testing.assert_close(p, want[name], rtol=1e-4, atol=1e-6, msg=name)


def test_perturbing_one_a2c_members_rollout_leaves_the_others_bit_identical():
    cfg = A2CConfig(hidden=(16,), n_envs=2, n_steps=16)
    pop = A2C(box(3), gym.spaces.Discrete(2), cfg, members=[cfg] * 3, seeds=[0, 1, 2])
    other = copy.deepcopy(pop)
    ro = _rollout(3)
    bad = Rollout(*(x.clone() for x in ro))
    bad.obs[:, 1] += torch.randn_like(bad.obs[:, 1])
    pop.update(ro)
    other.update(bad)
    for k in (0, 2):
        a, b = pop.member_state_dict(k), other.member_state_dict(k)
        assert all(torch.equal(a[n], b[n]) for n in a), k
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
    seen: dict[int, list] = {0: [], 1: [], 2: []}
    for k, m in pop:
        seen[k].append(m)
        if m["step"] >= 400 and pop.active[0]:
            pop.drop(0)
    for k in (1, 2):
        assert [m["step"] for m in seen[k] if "eval/return_mean" in m] == [600, 1200]
    assert pop.agent.k == 2 and isinstance(pop.agent.optimizer, MemberRMSprop)
    assert pop.agent.optimizer.lrs == (1e-3, 2e-3)
    assert all(s["square_avg"].shape[0] == 2 for s in pop.agent.optimizer.state.values())
