"""Populations (issue 25): K agents in one process, members isolated, one implementation.

``population_dqn_reference.json`` was recorded from the DQN of commit 3e74474, before DQN
moved onto the population engine: the first 1,000 steps of a CartPole-v1 run (seed 3),
on one environment and on four (its actions as ``_actions`` below writes them).
"""

from __future__ import annotations

import copy

import gymnasium as gym
import numpy as np
import pytest
import torch

from helpers import (
    assert_members_act_as_singles,
    assert_members_are_singles,
    assert_same_run,
    box,
    buffer_actions,
    reference,
    run_record,
    single_agents,
    train_through,
)
from rlcore.algos.base import FusedAdam, MemberAdam
from rlcore.algos.dqn import DQN, DQNConfig
from rlcore.core.buffers import ReplayBuffer
from rlcore.core.types import Batch
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs

REFERENCE = "population_dqn_reference.json"
HP = {
    "hidden": (64, 64),
    "learning_starts": 100,
    "train_freq": 4,
    "batch_size": 32,
    "target_update_interval": 200,
    "exploration_fraction": 0.5,
    "lr": 1e-3,
}
RUN = {
    "steps": 1000,
    "seed": 3,
    "eval_every": 500,
    "eval_episodes": 2,
    "log_every": 250,
    "threads": 1,
}


def _configs(n_envs: int = 1, **run):
    return make_configs(
        "dqn", "CartPole-v1", hp={**HP, "n_envs": n_envs}, run={**RUN, **run}, use_preset=False
    )


def _actions(buffer) -> str:
    """The reference's format of a run's actions: one digit an action."""
    return "".join(map(str, buffer_actions(buffer).astype(int)))


@pytest.mark.parametrize("n_envs", [1, 4])
def test_a_single_run_is_a_population_of_one_that_behaves_as_before(n_envs):
    """Same actions and metrics over the first 1,000 steps as the recorded DQN."""
    tr, rows = train_through(*_configs(n_envs))
    got = run_record(tr, rows, actions=_actions(tr.buffer))
    assert_same_run(got, reference(REFERENCE)[str(n_envs)])


def test_a_population_trainer_of_one_member_is_the_same_run():
    pop, rows = train_through(*_configs(), population=True)
    got = run_record(pop, rows, actions=_actions(pop.buffer))
    assert_same_run(got, reference(REFERENCE)["1"])


def _population_and_buffer(lrs=(1e-3, 1e-3, 1e-3), **hp):
    cfgs = [DQNConfig(hidden=(16, 16), lr=lr, **hp) for lr in lrs]
    k = len(cfgs)
    agent = DQN(box(3), gym.spaces.Discrete(2), cfgs[0], members=cfgs, seeds=range(k))
    buf = ReplayBuffer(200, 3, 1, True, seed=5, members=k)
    rng = np.random.default_rng(0)
    buf.add_members(
        rng.normal(size=(k, 200, 3)),
        rng.integers(2, size=(k, 200)),
        rng.normal(size=(k, 200)),
        rng.normal(size=(k, 200, 3)),
        rng.random((k, 200)) < 0.1,
    )
    return agent, buf


@pytest.mark.parametrize("double_q", [False, True])
def test_perturbing_one_members_data_leaves_the_others_weights_bit_identical(double_q):
    agent, buf = _population_and_buffer(double_q=double_q, target_update_interval=200)
    other, other_buf = copy.deepcopy(agent), copy.deepcopy(buf)
    c = other_buf._cols
    data = other_buf.all[1]  # member 1's data only: states, rewards, next states
    for lo, hi in ((c[0], c[1]), (c[2], c[4])):
        data[:, lo:hi] += torch.randn_like(data[:, lo:hi])
    for s in range(3):
        list(agent.update_phase(buf, 4, 8))
        list(other.update_phase(other_buf, 4, 8))
        agent.on_step(s * 200 + 199)  # hard target copies
        other.on_step(s * 200 + 199)
    for (name, p), q in zip(agent.state_dict().items(), other.state_dict().values()):
        assert torch.equal(p[0], q[0]) and torch.equal(p[2], q[2]), name
    moved = [not torch.equal(p[1], q[1]) for p, q in zip(agent.parameters(), other.parameters())]
    assert all(moved)  # the perturbation did reach member 1


def test_member_adam_with_two_lrs_is_two_separate_adams():
    torch.manual_seed(0)
    w = torch.randn(2, 5, 4)
    b = torch.randn(2, 5)
    pop = [w.clone().requires_grad_(), b.clone().requires_grad_()]
    sep = [[w[i].clone().requires_grad_(), b[i].clone().requires_grad_()] for i in range(2)]
    opt = MemberAdam(pop, [1e-3, 3e-2])
    opts = [FusedAdam(sep[0], 1e-3), FusedAdam(sep[1], 3e-2)]
    for _ in range(5):
        grads = [torch.randn_like(w), torch.randn_like(b)]
        for p, g in zip(pop, grads):
            p.grad = g.clone()
        opt.step()
        for i in range(2):
            for p, g in zip(sep[i], grads):
                p.grad = g[i].clone()
            opts[i].step()
    for i in range(2):
        for p, q in zip(pop, sep[i]):
            torch.testing.assert_close(p[i], q, rtol=1e-6, atol=1e-7)
    assert not torch.allclose(pop[0][0] - w[0], pop[0][1] - w[1])  # the lrs made a difference


def test_two_members_with_their_own_lrs_and_gammas_train_as_two_single_dqns():
    """Per-member hyperparameters: each member updates as a single DQN of its own does."""
    cfgs = [
        DQNConfig(hidden=(16, 16), lr=1e-3, gamma=0.99, max_grad_norm=0.5),
        DQNConfig(hidden=(16, 16), lr=2e-2, gamma=0.5, max_grad_norm=0.5),
    ]
    agent = DQN(box(3), gym.spaces.Discrete(2), cfgs[0], members=cfgs, seeds=[0, 1])
    singles = single_agents(agent, lambda c: DQN(box(3), gym.spaces.Discrete(2), c))
    _, buf = _population_and_buffer(lrs=(1e-3, 1e-3))
    for _ in range(6):
        batch = buf.sample(16)
        info = agent.update(batch)
        for i, single in enumerate(singles):
            one = single.update(Batch(*(t[i] for t in batch)))
            torch.testing.assert_close(info["critic_loss"][i], one["critic_loss"])
            torch.testing.assert_close(info["grad_norm"][i], one["grad_norm"])
    assert_members_are_singles(agent, singles)


def test_a_members_weights_load_into_a_single_run_and_act_the_same():
    agent, buf = _population_and_buffer()
    list(agent.update_phase(buf, 3, 8))
    obs = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32)
    assert_members_act_as_singles(
        agent, lambda c: DQN(box(3), gym.spaces.Discrete(2), c), obs, layer="q.net.0.weight"
    )


def test_a_population_writes_rows_for_each_member_with_its_own_seed_and_lr():
    runs = [_configs(steps=400, eval_every=200, log_every=200)[0]]
    run0, cfg = runs[0], _configs()[1]
    import dataclasses

    runs = [dataclasses.replace(run0, seed=s) for s in (3, 4, 5)]
    cfgs = [dataclasses.replace(cfg, lr=lr) for lr in (1e-3, 1e-3, 3e-3)]
    pop = PopulationTrainer(runs, cfgs)
    by_member: dict[int, list[dict]] = {0: [], 1: [], 2: []}
    for k, m in pop:
        by_member[k].append(m)
    for rows in by_member.values():
        assert [m["step"] for m in rows if "eval/return_mean" in m] == [200, 400]
        assert any("train/critic_loss" in m for m in rows)
        assert sum(m["rollout/length"] for m in rows if "rollout/length" in m) <= 400
    assert pop.buffer.all.shape[0] == 3 and pop.buffer.size == 400
    # different seeds: different episodes
    lengths = [
        tuple(m["rollout/length"] for m in r if "rollout/length" in m) for r in by_member.values()
    ]
    assert len(set(lengths)) == 3


def test_a_dropped_member_yields_nothing_more():
    import dataclasses

    run, cfg = _configs(steps=300, eval_every=100, log_every=100)
    pop = PopulationTrainer([dataclasses.replace(run, seed=s) for s in (1, 2)], cfg)
    seen = []
    for k, m in pop:
        seen.append((k, m["step"]))
        if m["step"] >= 100 and pop.active[1]:
            pop.drop(1)
    last1 = max(s for k, s in seen if k == 1)
    assert last1 <= 101 and max(s for k, s in seen if k == 0) == 300
    # member 1 stopped costing: the population was rebuilt with member 0 alone
    assert pop.k == 1 and pop.ids == [0] and pop.buffer.all.shape[0] == 1
    assert len(pop.envs.envs) == 1 and pop.agent.k == 1
    with pytest.raises(ValueError, match="dropped"):
        pop.member_state_dict(1)


def test_dropping_members_cuts_every_tensor_and_the_others_train_on_unchanged():
    agent, buf = _population_and_buffer(lrs=(1e-3, 2e-3, 3e-3))
    list(agent.update_phase(buf, 4, 8))  # Adam's moments exist
    ref, ref_buf = copy.deepcopy(agent), copy.deepcopy(buf)
    agent.keep_members([0, 2])
    buf.keep_members([0, 2])
    assert agent.k == 2 and buf.all.shape[0] == 2
    assert all(p.shape[0] == 2 for p in agent.q.parameters())
    assert all(v["exp_avg"].shape[0] == 2 for v in agent.optimizer.state.values())
    for new, old in ((0, 0), (1, 2)):
        for a, b in zip(agent.member_state_dict(new).values(), ref.member_state_dict(old).values()):
            assert torch.equal(a, b)
    batch = ref_buf.sample(8)
    ref.update(batch)
    agent.update(Batch(*(t[[0, 2]] for t in batch)))
    for new, old in ((0, 0), (1, 2)):
        for a, b in zip(agent.member_state_dict(new).values(), ref.member_state_dict(old).values()):
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    agent.keep_members([1])  # one left: a single run's plain layers
    buf.keep_members([1])
    assert agent.state_dict()["q.net.0.weight"].shape == (16, 3)
    info = agent.update(buf.sample(8))  # a one-member batch
    assert info["critic_loss"].dim() == 0


@pytest.mark.parametrize(
    "change,words",
    [
        ({"algo": {"hidden": (32,)}}, "hidden"),
        ({"run": {"env": "Acrobot-v1"}}, "RunConfig.env"),
        ({"run": {"steps": 500}}, "RunConfig.steps"),
    ],
)
def test_members_of_different_setups_are_refused_naming_the_field(change, words):
    import dataclasses

    run, cfg = _configs()
    run2 = dataclasses.replace(run, seed=9, **change.get("run", {}))
    cfg2 = dataclasses.replace(cfg, **change.get("algo", {}))
    with pytest.raises(ValueError, match=words):
        PopulationTrainer([run, run2], [cfg, cfg2])


def test_an_algorithm_not_on_the_engine_is_refused(monkeypatch):
    from rlcore.algos.reinforce import REINFORCE

    monkeypatch.setattr(REINFORCE, "population", False)  # (every algorithm is on it now)
    run, cfg = make_configs("reinforce", "CartPole-v1", run={"steps": 100})
    with pytest.raises(ValueError, match="does not train as a population yet"):
        PopulationTrainer([run], [cfg])


def test_each_member_clips_its_own_gradient_norm():
    """member_clip_and_norm: member k's global norm over its own slices, clipped on its
    own; members under the limit keep their gradients to the bit (hand-computed norms)."""
    from rlcore.algos.base import clip_and_norm, member_clip_and_norm

    w = torch.zeros(3, 2, 2, requires_grad=True)
    b = torch.zeros(3, 1, 2, requires_grad=True)
    w.grad = torch.tensor(
        [[[3.0, 0.0], [0.0, 0.0]], [[30.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]
    )
    b.grad = torch.tensor([[[4.0, 0.0]], [[40.0, 0.0]], [[0.0, 0.0]]])
    before = [w.grad.clone(), b.grad.clone()]
    norms = member_clip_and_norm([w, b], 10.0, members=3)
    torch.testing.assert_close(norms, torch.tensor([5.0, 50.0, 2.0]))
    assert torch.equal(w.grad[[0, 2]], before[0][[0, 2]]) and torch.equal(
        b.grad[[0, 2]], before[1][[0, 2]]
    )
    member1 = torch.cat([w.grad[1].flatten(), b.grad[1].flatten()])
    torch.testing.assert_close(member1.norm(), torch.tensor(10.0), rtol=1e-5, atol=0)
    w.grad, b.grad = before[0].clone(), before[1].clone()  # nobody over 60: nothing moves
    member_clip_and_norm([w, b], 60.0, members=3)
    assert torch.equal(w.grad, before[0]) and torch.equal(b.grad, before[1])
    one = torch.zeros(2, 2, requires_grad=True)  # one member: clip_and_norm itself
    one.grad = before[0][1].clone()
    torch.testing.assert_close(clip_and_norm([one], 10.0), torch.tensor(30.0))
    torch.testing.assert_close(one.grad.norm(), torch.tensor(10.0), rtol=1e-5, atol=0)


def test_dqn_members_follow_their_own_epsilon_schedules():
    """Each member's ε is linear_schedule of its own schedule, as its single run's, also
    after its config changes (PBT) and after a member leaves."""
    from rlcore.core.ops import linear_schedule

    own = [
        {"exploration_fraction": 0.5, "exploration_initial_eps": 1.0, "exploration_final_eps": 0.1},
        {"exploration_fraction": 0.0, "exploration_initial_eps": 0.9, "exploration_final_eps": 0.2},
        {"exploration_fraction": 0.1, "exploration_initial_eps": 0.7, "exploration_final_eps": 0.0},
    ]
    cfgs = [DQNConfig(hidden=(8,), **o) for o in own]
    agent = DQN(gym.spaces.Box(-1, 1, (3,)), gym.spaces.Discrete(2), cfgs[0], members=cfgs,
                seeds=[0, 1, 2])  # fmt: skip

    def expected(c, p):
        f = c.exploration_fraction
        return linear_schedule(c.exploration_initial_eps, c.exploration_final_eps, f, p)

    for p in (0.0, 0.03, 0.1, 0.25, 0.5, 0.9):
        agent.progress = p
        agent.on_step(0)
        assert agent.epsilons.tolist() == [expected(c, p) for c in agent.members]
    cfgs[2] = DQNConfig(hidden=(8,), exploration_fraction=0.8, exploration_final_eps=0.3)
    agent.set_member_configs(cfgs)
    agent.keep_members([2, 0])
    agent.progress = 0.4
    agent.on_step(0)
    assert agent.epsilons.tolist() == [expected(cfgs[2], 0.4), expected(cfgs[0], 0.4)]
    assert agent.member_exploration_metrics(0) == {"train/epsilon": expected(cfgs[2], 0.4)}
