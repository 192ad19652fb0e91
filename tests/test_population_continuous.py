"""Populations of SAC, TD3 and DDPG (issue 25): the member axis of the continuous agents.

``population_continuous_reference.json`` was recorded from commit 55c18a3, before these
agents moved onto the population engine: the first 1,000 steps of a Pendulum-v1 run
(seed 3, 32x32 networks) of each, on one environment and on two.
"""

from __future__ import annotations

import copy
import dataclasses

import gymnasium as gym
import numpy as np
import pytest
import torch

from helpers import (
    SameNoise,
    assert_members_act_as_singles,
    assert_members_are_singles,
    assert_members_bit_identical,
    assert_same_run,
    box,
    buffer_actions,
    reference,
    run_record,
    single_agents,
    train_through,
)
from rlcore.algos.ddpg import DDPG, DDPGConfig
from rlcore.algos.sac import SAC, SACConfig
from rlcore.algos.td3 import TD3, TD3Config
from rlcore.core.buffers import ReplayBuffer
from rlcore.core.types import Batch
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs

REFERENCE = "population_continuous_reference.json"
HP = {"hidden": (32, 32), "learning_starts": 100, "batch_size": 32}
RUN = {
    "steps": 1000,
    "seed": 3,
    "eval_every": 500,
    "eval_episodes": 2,
    "log_every": 250,
    "threads": 1,
}
AGENTS = {"sac": (SAC, SACConfig), "td3": (TD3, TD3Config), "ddpg": (DDPG, DDPGConfig)}


def _actions(buffer) -> list[float]:
    """The reference's format of a run's actions: flat, to six decimals."""
    return buffer_actions(buffer).ravel().round(6).tolist()


@pytest.mark.parametrize("key", ["sac-1", "sac-2", "td3-1", "td3-2", "ddpg-1"])
def test_a_single_run_is_a_population_of_one_that_behaves_as_before(key):
    """Same actions and metrics over the first 1,000 steps as the recorded run."""
    algo, n = key.split("-")
    hp = {**HP, "n_envs": int(n)}
    tr, rows = train_through(*make_configs(algo, "Pendulum-v1", hp=hp, run=RUN, use_preset=False))
    assert_same_run(run_record(tr, rows, actions=_actions(tr.buffer)), reference(REFERENCE)[key])


def test_a_population_trainer_of_one_sac_member_is_the_same_run():
    run, cfg = make_configs("sac", "Pendulum-v1", hp=HP, run=RUN, use_preset=False)
    pop, rows = train_through(run, cfg, population=True)
    assert_same_run(
        run_record(pop, rows, actions=_actions(pop.buffer)), reference(REFERENCE)["sac-1"]
    )


def _agent_and_buffer(algo: str, k: int = 3, **hp):
    cls, cfg_cls = AGENTS[algo]
    cfgs = hp.pop("cfgs", None) or [cfg_cls(hidden=(16, 16), **hp) for _ in range(k)]
    agent = cls(box(3), box(2), cfgs[0], members=cfgs, seeds=range(len(cfgs)))
    buf = ReplayBuffer(200, 3, 2, False, seed=5, members=len(cfgs))
    rng = np.random.default_rng(0)
    n = len(cfgs)
    buf.add_members(
        rng.normal(size=(n, 200, 3)),
        rng.uniform(-1, 1, size=(n, 200, 2)),
        rng.normal(size=(n, 200)),
        rng.normal(size=(n, 200, 3)),
        rng.random((n, 200)) < 0.1,
    )
    return agent, buf


@pytest.mark.parametrize("algo", ["sac", "td3", "ddpg"])
def test_perturbing_one_members_data_leaves_the_others_weights_bit_identical(algo):
    agent, buf = _agent_and_buffer(algo)
    other, other_buf = copy.deepcopy(agent), copy.deepcopy(buf)
    c = other_buf._cols
    data = other_buf.all[1]  # member 1's data only: states, rewards, next states
    for lo, hi in ((c[0], c[1]), (c[2], c[4])):
        data[:, lo:hi] += torch.randn_like(data[:, lo:hi])
    for _ in range(3):
        torch.manual_seed(0)  # the same noise draws for both (actor samples, smoothing)
        list(agent.update_phase(buf, 4, 8))
        torch.manual_seed(0)
        list(other.update_phase(other_buf, 4, 8))
    assert_members_bit_identical(agent, other, (0, 2))
    a, b = agent.member_state_dict(1), other.member_state_dict(1)
    assert all(not torch.equal(a[n], b[n]) for n in a if "weight" in n)  # it did reach member 1


@pytest.mark.parametrize("algo", ["sac", "td3", "ddpg"])
def test_members_with_their_own_hyperparameters_train_as_single_agents(algo, monkeypatch):
    """Two members with their own lr, γ, τ (and SAC's α) update as two single agents do."""
    cls, cfg_cls = AGENTS[algo]
    own = [
        {"lr": 1e-3, "gamma": 0.99, "tau": 0.005},
        {"lr": 2e-2, "gamma": 0.5, "tau": 0.2},
    ]
    if algo == "sac":
        own[1]["alpha"], own[1]["target_entropy_scale"] = 0.3, 0.5
    cfgs = [cfg_cls(hidden=(16, 16), **o) for o in own]
    agent, buf = _agent_and_buffer(algo, cfgs=cfgs)
    singles = single_agents(agent, lambda c: cls(box(3), box(2), c))
    noise = SameNoise(monkeypatch, names=("randn_like",))
    for _ in range(4):
        batch = buf.sample(16)
        noise.record()
        info = agent.update(batch)
        for i, single in enumerate(singles):
            noise.replay(i)
            one = single.update(Batch(*(t[i] for t in batch)))
            for key in ("critic_loss", "critic_grad_norm", "q_mean"):
                torch.testing.assert_close(info[key][i], one[key], rtol=1e-5, atol=1e-6)
    assert_members_are_singles(agent, singles)
    updates = [agent.member_state_dict(i)["actor.net.0.weight"] for i in range(2)]
    assert not torch.allclose(updates[0], updates[1])


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_a_members_weights_load_into_a_single_run_and_act_the_same(algo):
    agent, buf = _agent_and_buffer(algo)
    list(agent.update_phase(buf, 3, 8))
    obs = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32)
    together = assert_members_act_as_singles(
        agent, lambda c: AGENTS[algo][0](box(3), box(2), c), obs
    )
    assert together.shape == (3, 6, 2)


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_dropping_members_cuts_every_tensor_and_keeps_the_others_exactly(algo):
    agent, buf = _agent_and_buffer(algo, cfgs=None, lr=1e-3)
    list(agent.update_phase(buf, 4, 8))  # Adam's moments exist
    ref = copy.deepcopy(agent)
    agent.keep_members([0, 2])
    buf.keep_members([0, 2])
    assert agent.k == 2 and agent.critic.members == 2
    assert all(p.shape[0] in (2, 4) for p in agent.critic.parameters())
    opt_state = list(agent.critic_opt.state.values())
    assert opt_state and all(v["exp_avg"].shape[0] == 4 for v in opt_state)
    for new, old in ((0, 0), (1, 2)):
        a, b = agent.member_state_dict(new), ref.member_state_dict(old)
        for name in a:
            assert torch.equal(a[name], b[name]), name
    list(agent.update_phase(buf, 2, 8))  # the two left train on
    agent.keep_members([1])  # one left: a single run's plain layers
    buf.keep_members([1])
    assert agent.state_dict()["actor.net.0.weight"].shape == (16, 3)
    assert agent.state_dict()["critic.net.0.weight"].shape[0] == 2
    info = agent.update(buf.sample(8))
    assert info["critic_loss"].dim() == 0


def test_a_sac_population_writes_rows_for_each_member():
    run, cfg = make_configs(
        "sac",
        "Pendulum-v1",
        hp={**HP, "hidden": (16, 16)},
        run={**RUN, "steps": 400, "eval_every": 200, "log_every": 200},
        use_preset=False,
    )
    runs = [dataclasses.replace(run, seed=s) for s in (3, 4)]
    cfgs = [dataclasses.replace(cfg, lr=lr) for lr in (1e-3, 3e-3)]
    by_member: dict[int, list[dict]] = {0: [], 1: []}
    for k, m in PopulationTrainer(runs, cfgs):
        by_member[k].append(m)
    for rows in by_member.values():
        assert [m["step"] for m in rows if "eval/return_mean" in m] == [200, 400]
        train = [m for m in rows if "train/critic_loss" in m]
        assert train and all(np.isfinite(m["train/alpha"]) for m in train)
        assert any("eval/q_s0" in m or "eval/q0_mean" in m or "eval/return_mean" in m for m in rows)
    alphas = [by_member[k][-1].get("train/alpha") for k in (0, 1)]
    assert [r for r in by_member[0] if "train/alpha" in r][-1]["train/alpha"] != [
        r for r in by_member[1] if "train/alpha" in r
    ][-1]["train/alpha"], alphas


def test_the_continuous_algorithms_are_populations():
    from rlcore.algos.registry import ALGORITHMS

    on = sorted(n for n, s in ALGORITHMS.items() if s.agent_cls.population)
    assert {"dqn", "sac", "td3", "ddpg"} <= set(on)
    # (the offline subclasses too: tests/test_population_offline*.py)
    assert {"awac", "td3_bc", "sac_n", "edac"} <= set(on)


def test_continuous_members_may_differ_only_in_their_hyperparameters():
    with pytest.raises(ValueError, match="policy_delay"):
        TD3(
            box(3),
            box(2),
            TD3Config(),
            members=[TD3Config(), TD3Config(policy_delay=3)],
        )
    with pytest.raises(ValueError, match="seeds: 1 given for 2 members"):
        SAC(box(3), box(2), SACConfig(), members=[SACConfig(), SACConfig(lr=1e-3)], seeds=[0])
    assert gym.spaces.Box  # (the agents take any Box action space)


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_a_training_phase_of_several_steps_is_that_many_updates_of_each_member(algo):
    """``update_phase(buf, 4, 8)`` of 3 members: 4 updates on 8 rows of each member
    (the rows are axis 1 of a population's batch, not the member axis)."""
    agent, buf = _agent_and_buffer(algo)
    seen = []
    real = agent.update

    def update(batch):
        seen.append(tuple(batch.obs.shape))
        return real(batch)

    agent.update = update
    infos = list(agent.update_phase(buf, 4, 8))
    assert seen == [(3, 8, 3)] * 4 and len(infos) == 4
