"""Populations of BC, IQL and CQL (issue 25): offline seeds and sweeps on one dataset.

``population_offline_reference.json`` was recorded from commit 694171c, before these
agents moved onto the population engine: 300 gradient steps of each (seed 3, 32x32
networks, batch 32) on a small random dataset of Pendulum-v1 (CartPole-v1 for discrete
BC): every metrics row and the first weights (``python tests/test_population_offline.py``
records it again).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import (
    SameNoise,
    action_space,
    assert_members_act_as_singles,
    assert_members_are_singles,
    assert_members_bit_identical,
    assert_one_population_queued,
    assert_same_run,
    box,
    fake_app_queue,
    offline_datasets,
    reference,
    run_record,
    single_agents,
    train_seeds_cli,
    train_through,
)
from rlcore.algos.bc import BC, BCConfig
from rlcore.algos.cql import CQL, CQLConfig
from rlcore.algos.cql_discrete import DiscreteCQL, DiscreteCQLConfig
from rlcore.algos.iql import IQL, IQLConfig
from rlcore.core.types import Batch
from rlcore.train.population import PopulationTrainer, check_population
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

REFERENCE = "population_offline_reference.json"
RUN = {
    "steps": 300,
    "seed": 3,
    "eval_every": 150,
    "eval_episodes": 2,
    "log_every": 100,
    "threads": 1,
}
HP = {"hidden": (32, 32), "batch_size": 32}
CASES = {  # key: (algorithm, environment, its hyperparameters)
    "bc": ("bc", "Pendulum-v1", {}),
    "bc-discrete": ("bc", "CartPole-v1", {}),
    "iql": ("iql", "Pendulum-v1", {}),
    "cql": ("cql", "Pendulum-v1", {"cql_n_actions": 4}),
    "cql-lagrange": ("cql", "Pendulum-v1", {"cql_n_actions": 4, "lagrange": True}),
    "cql-discrete": ("cql_discrete", "CartPole-v1", {"target_update_interval": 100}),
}


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    with offline_datasets(tmp_path_factory.mktemp("data")) as ids:
        yield ids


def _configs(key: str, ids: dict[str, str], **run):
    algo, env, hp = CASES[key]
    return make_configs(
        algo, env, hp={**HP, **hp}, run={**RUN, "dataset": ids[env], **run}, use_preset=False
    )


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_run_is_a_population_of_one_that_behaves_as_before(key, datasets):
    """Every row and the weights of 300 gradient steps, as the recorded run's."""
    got = run_record(*train_through(*_configs(key, datasets)))
    assert_same_run(got, reference(REFERENCE)[key])


@pytest.mark.parametrize("key", ["bc-discrete", "iql", "cql"])
def test_a_population_trainer_of_one_member_is_the_same_run(key, datasets):
    got = run_record(*train_through(*_configs(key, datasets), population=True))
    assert_same_run(got, reference(REFERENCE)[key])


# -- the member axis, update by update ------------------------------------------------
AGENTS = {  # key: (class, config, discrete actions)
    "bc": (BC, BCConfig(hidden=(16, 16)), False),
    "bc-discrete": (BC, BCConfig(hidden=(16, 16)), True),
    "iql": (IQL, IQLConfig(hidden=(16, 16)), False),
    "cql": (CQL, CQLConfig(hidden=(16, 16), cql_n_actions=3), False),
    "cql-discrete": (DiscreteCQL, DiscreteCQLConfig(hidden=(16, 16)), True),
}


def _agent(key: str, own: list[dict] | None = None, k: int = 3):
    cls, cfg, discrete = AGENTS[key]
    cfgs = [dataclasses.replace(cfg, **o) for o in own] if own else [cfg] * k
    return cls(box(3), action_space(discrete), cfgs[0], members=cfgs, seeds=range(len(cfgs)))


def _batch(key: str, k: int, b: int = 8, seed: int = 0) -> Batch:
    """A minibatch with a member axis (``k`` = 0: one member's, none)."""
    rng = np.random.default_rng(seed)
    lead = (k, b) if k else (b,)
    discrete = AGENTS[key][2]
    act = rng.integers(2, size=lead) if discrete else rng.uniform(-0.9, 0.9, (*lead, 2))
    t = [
        torch.as_tensor(x, dtype=torch.float32)
        for x in (
            rng.normal(size=(*lead, 3)),
            act,
            rng.normal(size=lead),
            rng.normal(size=(*lead, 3)),
            rng.random(lead) < 0.1,
        )
    ]
    if discrete:
        t[1] = t[1].long()
    return Batch(*t)


def _member(batch: Batch, i: int) -> Batch:
    return Batch(*(t[i] for t in batch))


@pytest.mark.parametrize("key", list(AGENTS))
def test_perturbing_one_members_minibatch_leaves_the_others_bit_identical(key):
    agent = _agent(key)
    other = copy.deepcopy(agent)
    for step in range(3):
        batch = _batch(key, 3, seed=step)
        bad = Batch(*(t.clone() for t in batch))
        for t in (bad.obs, bad.next_obs, bad.reward):  # member 1's states and rewards only
            t[1] += torch.randn_like(t[1])
        torch.manual_seed(step)  # the same noise for both (proposals, policy samples)
        agent.update(batch)
        torch.manual_seed(step)
        other.update(bad)
    assert_members_bit_identical(agent, other, (0, 2))
    a, b = agent.member_state_dict(1), other.member_state_dict(1)
    trained = [n for n in a if n.endswith("0.weight") and "target" not in n]
    assert trained and all(not torch.equal(a[n], b[n]) for n in trained)  # it reached member 1


OWN = {  # two members' own hyperparameters
    "bc": [{"lr": 1e-3}, {"lr": 3e-2}],
    "bc-discrete": [{"lr": 1e-3}, {"lr": 3e-2}],
    "iql": [
        {"lr": 1e-3, "gamma": 0.99, "tau": 0.005, "expectile": 0.7, "beta": 3.0},
        {"lr": 2e-2, "gamma": 0.5, "tau": 0.2, "expectile": 0.9, "beta": 0.5},
    ],
    "cql": [
        {"lr": 1e-3, "gamma": 0.99, "tau": 0.005, "cql_alpha": 5.0},
        {"lr": 2e-2, "gamma": 0.5, "tau": 0.2, "cql_alpha": 0.5, "alpha": 0.3},
    ],
    "cql-discrete": [
        {"lr": 1e-3, "gamma": 0.99, "cql_alpha": 1.0},
        {"lr": 2e-2, "gamma": 0.5, "cql_alpha": 0.1},
    ],
}
LOSS = {"bc": "bc_loss", "bc-discrete": "bc_loss", "iql": "value_loss", "cql": "cql_penalty"}


@pytest.mark.parametrize("key", list(OWN))
def test_members_with_their_own_hyperparameters_update_as_single_agents(key, monkeypatch):
    """Two members with their own lr (and γ, τ, expectile, β, α_cql...) take the steps two
    single agents take on the same minibatches and the same noise."""
    cls, _, discrete = AGENTS[key]
    pop = _agent(key, OWN[key])
    singles = single_agents(pop, lambda c: cls(box(3), action_space(discrete), c))
    noise = SameNoise(monkeypatch)
    loss = LOSS.get(key, "critic_loss")
    for step in range(4):
        batch = _batch(key, 2, seed=step)
        noise.record()
        info = pop.update(batch)
        for i, single in enumerate(singles):
            noise.replay(i)
            one = single.update(_member(batch, i))
            torch.testing.assert_close(info[loss][i], one[loss], rtol=1e-5, atol=1e-6)
    assert_members_are_singles(pop, singles)
    name = next(n for n in singles[0].state_dict() if n.endswith("net.0.weight"))
    assert not torch.allclose(*(pop.member_state_dict(i)[name] for i in range(2)))


@pytest.mark.parametrize("key", ["bc", "iql", "cql"])
def test_a_members_weights_load_into_a_single_run_and_act_the_same(key):
    agent = _agent(key)
    for step in range(3):
        agent.update(_batch(key, 3, seed=step))
    obs = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    together = assert_members_act_as_singles(
        agent, lambda c: AGENTS[key][0](box(3), box(2), c), obs
    )
    assert together.shape == (3, 5, 2)


@pytest.mark.parametrize("key", list(AGENTS))
def test_dropping_members_cuts_every_tensor_and_the_kept_ones_train_on_as_before(key):
    agent = _agent(key, [{"lr": 1e-3}, {"lr": 2e-3}, {"lr": 3e-3}])
    for step in range(3):
        agent.update(_batch(key, 3, seed=step))  # Adam's moments exist
    ref = copy.deepcopy(agent)
    agent.keep_members([0, 2])
    assert agent.k == 2
    for opt in agent.optimizers():
        assert all(v["exp_avg"].shape[0] in (2, 4) for v in opt.state.values())
    for new, old in ((0, 0), (1, 2)):
        a, b = agent.member_state_dict(new), ref.member_state_dict(old)
        for name in a:
            assert torch.equal(a[name], b[name]), name
    batch = _batch(key, 3, seed=9)
    torch.manual_seed(0)
    ref.update(batch)
    torch.manual_seed(0)
    agent.update(Batch(*(t[[0, 2]] for t in batch)))
    if not key.startswith("cql"):  # (CQL's noise is drawn for two members, not three)
        for new, old in ((0, 0), (1, 2)):  # the moments carried: the same step as before
            a, b = agent.member_state_dict(new), ref.member_state_dict(old)
            for name in a:
                torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6, msg=name)
    agent.keep_members([1])  # one left: a single run's plain layers
    cls, cfg, discrete = AGENTS[key]
    single = cls(box(3), action_space(discrete), cfg).state_dict()
    assert {n: t.shape for n, t in agent.state_dict().items()} == {
        n: t.shape for n, t in single.items()
    }
    info = agent.update(_batch(key, 0))
    assert all(v.dim() == 0 for v in info.values())


def test_cqls_lagrange_version_is_refused_for_populations_in_one_line(datasets):
    from rlcore.service.jobs import seed_plan, trains_together

    run, cfg = _configs("cql-lagrange", datasets)
    runs = [dataclasses.replace(run, seed=s) for s in (3, 4)]
    with pytest.raises(ValueError, match=r"CQLConfig.lagrange = True: .*\(allowed: False\)"):
        check_population(runs, [cfg, cfg])
    with pytest.raises(ValueError, match="lagrange"):
        CQL(box(3), box(2), cfg, members=[cfg, cfg])
    assert check_population([run], [cfg]) is CQL  # one run: the Lagrange version as ever
    assert not trains_together(seed_plan(run, cfg, 2))  # its seeds train one by one
    assert trains_together(seed_plan(*_configs("iql", datasets), 2))


def test_an_iql_population_on_one_dataset_writes_rows_for_each_member(datasets):
    run, cfg = _configs("iql", datasets, steps=200, eval_every=100, log_every=100)
    runs = [dataclasses.replace(run, seed=s) for s in (3, 4, 5)]
    cfgs = [dataclasses.replace(cfg, expectile=e) for e in (0.5, 0.7, 0.9)]
    pop = PopulationTrainer(runs, cfgs)
    by_member: dict[int, list[dict]] = {0: [], 1: [], 2: []}
    for k, m in pop:
        by_member[k].append(m)
    assert len(pop.buffer.data) == 400  # the dataset, once for all
    for rows in by_member.values():
        evals = [m for m in rows if "eval/return_mean" in m]
        assert [m["step"] for m in evals] == [100, 200]
        assert all(np.isfinite(m["eval/normalized_score"]) for m in evals)
        assert "ref/dataset_return" in evals[0] and "ref/dataset_return" not in evals[1]
        train = [m for m in rows if "train/value_loss" in m]
        assert [m["step"] for m in train] == [100, 200]
    values = {by_member[k][-2]["train/value_loss"] for k in range(3)}
    assert len(values) == 3  # three different agents


def test_a_population_member_trains_as_its_single_run(datasets):
    """Member k of a population draws its single run's networks and minibatches: the same
    training to float tolerance (the batched kernels round differently)."""
    run, cfg = _configs("iql", datasets, steps=100, eval_every=100, log_every=100)
    runs = [dataclasses.replace(run, seed=s) for s in (3, 4)]
    pairs = list(PopulationTrainer(runs, cfg))
    for k, r in enumerate(runs):
        single = next(m for m in Trainer(r, cfg) if "train/value_loss" in m)
        row = next(m for j, m in pairs if j == k and "train/value_loss" in m)
        for name in ("train/value_loss", "train/critic_loss", "train/actor_loss"):
            assert row[name] == pytest.approx(single[name], rel=1e-4), name


def test_rlcore_train_seeds_on_a_dataset_is_one_process(datasets, tmp_path, capsys):
    args = ["--algo", "iql", "--env", "Pendulum-v1", "--dataset", datasets["Pendulum-v1"]]
    args += ["--steps", "100", "--set", "hidden=16,16", "--eval-every", "50"]
    store, recs = train_seeds_cli(tmp_path, capsys, *args, "--eval-episodes", "1", seeds=3)
    assert [r.run.seed for r in recs] == [0, 1, 2]
    for r in recs:
        st = store.status(r.id)
        assert st["eval_score"] is not None and r.run.dataset == datasets["Pendulum-v1"]


def test_n_seeds_on_the_offline_page_start_as_one_population(datasets, monkeypatch):
    """The Offline page's N seeds of IQL: one worker trains them (ui.jobs.start's rule)."""
    from streamlit.testing.v1 import AppTest

    from rlcore.service.runs import RunStore

    launched = fake_app_queue(monkeypatch)
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/offline.py")
    query = {"algo": "iql", "dataset": datasets["Pendulum-v1"], "mode": "seeds", "seeds": "3"}
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    cost = " ".join(c.value for c in at.caption)
    assert "These 3 agents train together in one process (a population)" in cost
    at.button(key="offline_start").click().run()
    ids = assert_one_population_queued(launched, 3)
    assert {RunStore().load(r).run.dataset for r in ids} == {datasets["Pendulum-v1"]}


if __name__ == "__main__":  # record the reference (from the code before populations)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, offline_datasets(Path(tmp)) as ids:
        runs = {key: run_record(*train_through(*_configs(key, ids))) for key in CASES}
        (Path(__file__).parent / REFERENCE).write_text(json.dumps(runs))
