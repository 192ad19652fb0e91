"""Populations of PPO (issue 25): the on-policy member axis.

``population_ppo_reference.json`` was recorded from the PPO of commit bf210c1, before PPO
moved onto the population engine: 2,048 steps of three setups (CartPole on 1 and 4
environments, Pendulum on 2), seed 3: every metrics row and the first weights.
"""

from __future__ import annotations

import copy
import dataclasses

import gymnasium as gym
import numpy as np
import pytest
import torch

from helpers import (
    action_space,
    assert_members_bit_identical,
    assert_same_run,
    box,
    reference,
    run_record,
    single_agents,
    train_dropping,
    train_through,
)
from rlcore.algos.ppo import PPO, PPOConfig
from rlcore.core.types import Rollout
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs

REFERENCE = "population_ppo_reference.json"
RUN = {
    "steps": 2048,
    "seed": 3,
    "eval_every": 1024,
    "eval_episodes": 2,
    "log_every": 512,
    "threads": 1,
}
SMALL = {"batch_size": 64, "n_epochs": 3, "hidden": (32, 32)}
CASES = {
    "cartpole-1": ("CartPole-v1", {"n_envs": 1, "n_steps": 256, **SMALL}),
    "cartpole-4": (
        "CartPole-v1",
        {"n_envs": 4, "n_steps": 64, "ent_coef": 0.01, "anneal_lr": True, **SMALL},
    ),
    "pendulum-2": ("Pendulum-v1", {"n_envs": 2, "n_steps": 128, "clip_range_vf": 0.2, **SMALL}),
}


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_ppo_run_is_a_population_of_one_that_behaves_as_before(key):
    env, hp = CASES[key]
    tr, rows = train_through(*make_configs("ppo", env, hp=hp, run=RUN, use_preset=False))
    assert_same_run(run_record(tr, rows), reference(REFERENCE)[key])


def test_a_population_trainer_of_one_ppo_member_is_the_same_run():
    env, hp = CASES["cartpole-4"]
    run, cfg = make_configs("ppo", env, hp=hp, run=RUN, use_preset=False)
    pop, rows = train_through(run, cfg, population=True)
    assert_same_run(run_record(pop, rows), reference(REFERENCE)["cartpole-4"])


def _rollout(k: int, t: int = 16, n: int = 2, discrete: bool = True, seed: int = 0) -> Rollout:
    rng = np.random.default_rng(seed)
    act = rng.integers(2, size=(t, k, n)) if discrete else rng.normal(size=(t, k, n, 2))
    fields = (
        rng.normal(size=(t, k, n, 3)),
        act,
        rng.normal(size=(t, k, n)),
        rng.normal(size=(t, k, n, 3)),
        (rng.random((t, k, n)) < 0.05),
        (rng.random((t, k, n)) < 0.1),
    )
    out = [torch.as_tensor(np.asarray(f), dtype=torch.float32) for f in fields]
    if discrete:
        out[1] = out[1].long()
    return Rollout(*out)


def _member(ro: Rollout, i: int) -> Rollout:
    return Rollout(*(x[:, i] for x in ro))


def _perturbed(ro: Rollout, member: int = 1) -> Rollout:
    """A copy of ``ro`` in which member ``member`` saw other states (the isolation tests)."""
    bad = Rollout(*(x.clone() for x in ro))
    bad.obs[:, member] += torch.randn_like(bad.obs[:, member])
    return bad


@pytest.mark.parametrize("discrete", [True, False])
def test_ppo_members_with_their_own_hyperparameters_learn_as_single_agents(discrete):
    """Same advantages, same loss terms and the same step as two single PPOs, on the
    same minibatch of each member's own rollout (γ, λ, vf and entropy weights per member)."""
    own = [
        {"gamma": 0.99, "gae_lambda": 0.95, "vf_coef": 0.5, "ent_coef": 0.0},
        {"gamma": 0.8, "gae_lambda": 0.5, "vf_coef": 1.5, "ent_coef": 0.05},
    ]
    cfgs = [PPOConfig(hidden=(16,), n_envs=2, n_steps=16, batch_size=8, **o) for o in own]
    pop = PPO(box(3), action_space(discrete), cfgs[0], members=cfgs, seeds=[0, 1])
    singles = single_agents(pop, lambda c: PPO(box(3), action_space(discrete), c))
    ro = _rollout(2, discrete=discrete)
    data, info = pop.prepare(ro)
    idx = torch.stack([torch.randperm(32)[:8] for _ in range(2)])
    loss, terms = pop._member_losses(data, idx, 0.2)
    pop.optimizer.zero_grad()
    loss.backward()
    for i, single in enumerate(singles):
        d1, info1 = single.prepare(_member(ro, i))
        torch.testing.assert_close(data.advantage[i], d1.advantage)
        torch.testing.assert_close(info["explained_variance"][i], info1["explained_variance"])
        l1, t1 = single.losses(d1, idx[i], 0.2)
        for a, b in zip(terms[:3], t1[:3]):
            torch.testing.assert_close(a[i], b, rtol=1e-5, atol=1e-6)
        single.optimizer.zero_grad()
        l1.backward()
        for (name, p), q in zip(single.named_parameters(), pop.parameters()):
            got = q.grad[i]  # member i's slice, in a plain layer's layout
            got = got.t() if name.endswith("weight") else got[0] if name.endswith("bias") else got
            torch.testing.assert_close(got, p.grad, rtol=1e-4, atol=1e-6, msg=name)


def test_ppo_members_whose_minibatch_is_the_whole_rollout_update_as_single_agents():
    """batch_size = the rollout (one minibatch an epoch, as the CartPole preset): members
    take their rollouts as they lie (no shuffle to gather), a single agent shuffles; the
    means are the same up to summation order, so the whole update agrees to float tolerance."""
    own = [{"lr": 3e-4, "gamma": 0.99}, {"lr": 1e-3, "gamma": 0.9}]
    cfgs = [PPOConfig(hidden=(16,), n_envs=2, n_steps=16, batch_size=32, n_epochs=3, **o)
            for o in own]  # fmt: skip
    pop = PPO(box(3), gym.spaces.Discrete(2), cfgs[0], members=cfgs, seeds=[0, 1])
    singles = single_agents(pop, lambda c: PPO(box(3), gym.spaces.Discrete(2), c))
    ro = _rollout(2)
    info = pop.update(ro)
    for i, single in enumerate(singles):
        info1 = single.update(_member(ro, i))
        for key in ("policy_loss", "value_loss", "grad_norm", "approx_kl"):
            torch.testing.assert_close(info[key][i], info1[key], rtol=1e-4, atol=1e-6)
        got = pop.member_state_dict(i)
        for name, p in single.state_dict().items():
            torch.testing.assert_close(got[name], p, rtol=1e-4, atol=1e-6, msg=name)


def test_perturbing_one_ppo_members_rollout_leaves_the_others_bit_identical():
    cfg = PPOConfig(hidden=(16,), n_envs=2, n_steps=16, batch_size=8, n_epochs=2)
    pop = PPO(box(3), gym.spaces.Discrete(2), cfg, members=[cfg] * 3, seeds=[0, 1, 2])
    other = copy.deepcopy(pop)
    ro = _rollout(3)
    bad = _perturbed(ro)
    bad.reward[:, 1] += 1.0
    torch.manual_seed(0)
    pop.update(ro)
    torch.manual_seed(0)
    other.update(bad)
    assert_members_bit_identical(pop, other, (0, 2))
    a, b = pop.member_state_dict(1), other.member_state_dict(1)
    assert not torch.equal(a["actor.0.weight"], b["actor.0.weight"])


def test_a_ppo_population_trains_and_drops_members():
    env, hp = CASES["cartpole-4"]
    run, cfg = make_configs("ppo", env, hp=hp, run={**RUN, "steps": 1024}, use_preset=False)
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2, 3)]
    cfgs = [dataclasses.replace(cfg, lr=lr) for lr in (3e-4, 1e-3, 3e-3)]
    pop = PopulationTrainer(runs, cfgs)
    seen = train_dropping(pop, 1, at=512)
    assert max(m["step"] for m in seen[1]) <= 512 + 256
    for k in (0, 2):
        assert [m["step"] for m in seen[k] if "eval/return_mean" in m] == [1024]
        lrs = [m["train/lr"] for m in seen[k] if "train/lr" in m]
        assert lrs and lrs[-1] < cfgs[k].lr  # annealed, each from its own lr
    assert pop.agent.k == 2 and pop.agent.actor[0].weight.shape[0] == 2
    state = list(pop.agent.optimizer.state.values())
    assert state and all(s["exp_avg"].shape[0] == 2 for s in state)


def test_running_normalisation_and_the_kl_stop_are_refused_for_populations():
    run, cfg = make_configs("ppo", "CartPole-v1", run={"steps": 1000})
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2)]
    with pytest.raises(ValueError, match=r"PPOConfig.normalize = True: .*\(allowed: False\)"):
        PopulationTrainer(runs, dataclasses.replace(cfg, normalize=True))
    with pytest.raises(ValueError, match=r"PPOConfig.target_kl = 0.01: .*\(allowed: 0\)"):
        PopulationTrainer(runs, dataclasses.replace(cfg, target_kl=0.01))
