"""Populations of TD3+BC, AWAC, SAC-N and EDAC (issue 25): offline seeds and sweeps.

``population_offline2_reference.json`` was recorded from commit ffeda0b, before these
agents moved onto the population engine: 300 gradient steps of each (seed 3, 32x32
networks, batch 32) on a small random dataset of Pendulum-v1 (of ``Plane-v0``
for EDAC, whose diversity term has no gradient with one action dimension): every
metrics row, the first weights of each tensor and each tensor's sum
(``python tests/test_population_offline2.py`` records it again).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import SameNoise, box, metric_rows, train_seeds_cli
from rlcore.algos.awac import AWAC, AWACConfig
from rlcore.algos.edac import EDAC, EDACConfig
from rlcore.algos.sac_n import SACN, SACNConfig
from rlcore.algos.td3_bc import TD3BC, TD3BCConfig
from rlcore.core.types import Batch
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

REFERENCE = Path(__file__).with_name("population_offline2_reference.json")
RUN = {
    "steps": 300,
    "seed": 3,
    "eval_every": 150,
    "eval_episodes": 2,
    "log_every": 100,
    "threads": 1,
}
HP = {"hidden": (32, 32), "batch_size": 32}
PLANE = "Plane-v0"  # two action dimensions (tests/offline2_envs.py)
ENV_MODULES = "tests.offline2_envs"
CASES = {  # key: (algorithm, environment, its hyperparameters)
    "td3_bc": ("td3_bc", "Pendulum-v1", {}),
    "awac": ("awac", "Pendulum-v1", {}),
    "sac_n": ("sac_n", "Pendulum-v1", {"n_critics": 5}),
    "sac_n-ln": ("sac_n", "Pendulum-v1", {"n_critics": 3, "critic_layer_norm": True}),
    "edac": ("edac", PLANE, {"n_critics": 3, "eta": 2.0}),
}


def make_datasets(root: Path) -> dict[str, str]:
    """Two small random datasets (Pendulum, Plane), imported as D4RL-style files."""
    from rlcore.data.datasets import import_file

    rng = np.random.default_rng(0)
    ids = {}
    for env, d, a in (("Pendulum-v1", 3, 1), (PLANE, 4, 2)):
        n = 400
        high = 2.0 if a == 1 else 0.5
        ends = np.zeros(n, np.float32)
        ends[99::100] = 1
        arrays = {
            "observations": rng.normal(size=(n, d)).astype(np.float32),
            "actions": rng.uniform(-high, high, (n, a)).astype(np.float32),
            "rewards": rng.normal(size=n).astype(np.float32),
            "next_observations": rng.normal(size=(n, d)).astype(np.float32),
            "terminals": (rng.random(n) < 0.02).astype(np.float32),
            "timeouts": ends,
        }
        np.savez(root / f"{d}.npz", **arrays)
        ids[env] = import_file(root / f"{d}.npz", env, "rand")
    return ids


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    names = ("RLCORE_DATASETS_DIR", "RLCORE_ENV_MODULES")
    old = {name: os.environ.get(name) for name in names}
    os.environ.update(RLCORE_DATASETS_DIR=str(root / "store"), RLCORE_ENV_MODULES=ENV_MODULES)
    yield make_datasets(root)
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _configs(key: str, ids: dict[str, str], hp: dict | None = None, **run):
    algo, env, own = CASES[key]
    return make_configs(
        algo,
        env,
        hp={**HP, **own, **(hp or {})},
        run={**RUN, "dataset": ids[env], **run},
        use_preset=False,
    )


def _weights(state: dict) -> dict[str, list[float]]:
    """Each tensor's first five numbers and its sum (every number counts in the sum)."""
    return {k: [*v.flatten()[:5].tolist(), v.double().sum().item()] for k, v in state.items()}


def _single(key: str, ids: dict[str, str]) -> dict:
    tr = Trainer(*_configs(key, ids))
    rows = metric_rows(tr)
    return {"rows": rows, "weights": _weights(tr.agent.state_dict())}


def _assert_same(got: dict, want: dict, rel: float = 1e-5, abs: float = 1e-6) -> None:
    assert len(got["rows"]) == len(want["rows"])
    for a, b in zip(got["rows"], want["rows"]):
        assert a.keys() == b.keys()
        assert a == pytest.approx(b, rel=rel, abs=abs)
    assert got["weights"].keys() == want["weights"].keys()
    for key, v in got["weights"].items():  # (a sum of many numbers: a looser abs)
        assert v == pytest.approx(want["weights"][key], rel=rel, abs=max(abs, 1e-5)), key


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_run_is_a_population_of_one_that_behaves_as_before(key, datasets):
    """Every row and the weights of 300 gradient steps, as the recorded run's."""
    want = json.loads(REFERENCE.read_text())[key]
    _assert_same(_single(key, datasets), want)


@pytest.mark.parametrize("key", ["td3_bc", "awac", "sac_n-ln", "edac"])
def test_a_population_of_seeds_trains_each_member_as_its_single_run(key, datasets, monkeypatch):
    """Member k of a PopulationTrainer of three seeds writes its single run's rows and ends
    with its weights, given the same noise (the batched kernels round differently)."""
    run, cfg = _configs(key, datasets, steps=100, eval_every=100, log_every=50)
    runs = [dataclasses.replace(run, seed=s) for s in (3, 4, 5)]
    noise = SameNoise(monkeypatch)
    pop = PopulationTrainer(runs, cfg)
    pairs = list(pop)
    for k, r in enumerate(runs):
        noise.replay(k)
        single = Trainer(r, cfg)
        want = {"rows": metric_rows(single), "weights": _weights(single.agent.state_dict())}
        got = {"rows": metric_rows(m for j, m in pairs if j == k)}
        got["weights"] = _weights(pop.member_state_dict(k))
        assert noise.i == len(noise.drawn)  # every draw of the population's was replayed
        assert [m["step"] for m in got["rows"]] == [50, 100, 100]
        _assert_same(got, want, rel=1e-4, abs=1e-5)
    a, b = (pop.member_state_dict(k)["actor.net.0.weight"] for k in (0, 1))
    assert not torch.allclose(a, b)  # seeds of their own


# -- the member axis, update by update ------------------------------------------------
AGENTS = {  # key: (class, config); observations of 3 numbers, actions of 2
    "td3_bc": (TD3BC, TD3BCConfig(hidden=(16, 16))),
    "awac": (AWAC, AWACConfig(hidden=(16, 16))),
    "sac_n": (SACN, SACNConfig(hidden=(16, 16), n_critics=4, critic_layer_norm=True)),
    "edac": (EDAC, EDACConfig(hidden=(16, 16), n_critics=3)),
}


def _agent(key: str, own: list[dict] | None = None, k: int = 3):
    cls, cfg = AGENTS[key]
    cfgs = [dataclasses.replace(cfg, **o) for o in own] if own else [cfg] * k
    return cls(box(3), box(2), cfgs[0], members=cfgs, seeds=range(len(cfgs)))


def _batch(k: int, b: int = 8, seed: int = 0) -> Batch:
    """A minibatch with a member axis (``k`` = 0: one member's, none)."""
    rng = np.random.default_rng(seed)
    lead = (k, b) if k else (b,)
    return Batch(
        *(
            torch.as_tensor(x, dtype=torch.float32)
            for x in (
                rng.normal(size=(*lead, 3)),
                rng.uniform(-0.9, 0.9, (*lead, 2)),
                rng.normal(size=lead),
                rng.normal(size=(*lead, 3)),
                rng.random(lead) < 0.1,
            )
        )
    )


def _member(batch: Batch, i) -> Batch:
    return Batch(*(t[i] for t in batch))


def _assert_states_equal(a: dict, b: dict, exact: bool = True) -> None:
    assert a.keys() == b.keys()
    for name in a:
        if exact:
            assert torch.equal(a[name], b[name]), name
        else:
            torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6, msg=name)


@pytest.mark.parametrize("key", list(AGENTS))
def test_perturbing_one_members_minibatch_leaves_the_others_bit_identical(key):
    agent = _agent(key)
    other = copy.deepcopy(agent)
    for step in range(4):  # (TD3+BC's actor and targets move every other step)
        batch = _batch(3, seed=step)
        bad = Batch(*(t.clone() for t in batch))
        for t in (bad.obs, bad.action, bad.next_obs, bad.reward):  # member 1's only
            t[1] += 0.1 * torch.randn_like(t[1])
        torch.manual_seed(step)  # the same noise for both (policy samples)
        agent.update(batch)
        torch.manual_seed(step)
        other.update(bad)
    for k in (0, 2):
        _assert_states_equal(agent.member_state_dict(k), other.member_state_dict(k))
    a, b = agent.member_state_dict(1), other.member_state_dict(1)
    trained = [n for n in a if n.endswith("net.0.weight")]
    assert len(trained) == (4 if key == "td3_bc" else 3)  # actor, critic (and targets)
    assert all(not torch.equal(a[n], b[n]) for n in trained)  # it reached member 1


OWN = {  # members' own hyperparameters (the first: seeds alone, one config)
    "td3_bc": [
        {},
        {"lr": 1e-3, "gamma": 0.99, "tau": 0.005, "bc_alpha": 2.5},
        {"lr": 2e-2, "gamma": 0.5, "tau": 0.2, "bc_alpha": 40.0},
    ],
    "awac": [
        {},
        {"lr": 1e-3, "gamma": 0.99, "tau": 0.005, "beta": 1.0, "max_weight": 100.0},
        {"lr": 2e-2, "gamma": 0.5, "tau": 0.2, "beta": 30.0, "max_weight": 2.0},
    ],
    "sac_n": [
        {},
        {"lr": 1e-3, "gamma": 0.99, "tau": 0.005, "alpha": 1.0},
        {"lr": 2e-2, "gamma": 0.5, "tau": 0.2, "alpha": 0.1, "target_entropy_scale": 0.5},
    ],
    "edac": [
        {},
        {"lr": 1e-3, "gamma": 0.99, "eta": 1.0},
        {"lr": 2e-2, "gamma": 0.5, "tau": 0.2, "eta": 50.0},
    ],
}
CASES_OWN = [(key, i) for key in OWN for i in range(len(OWN[key]) - 1)]
SHOWS = {  # the metric each member's own hyperparameter moves
    "td3_bc": "bc_lambda",
    "awac": "weight_clipped_frac",
    "sac_n": "alpha_loss",
    "edac": "diversity_loss",
}


@pytest.mark.parametrize(("key", "own"), CASES_OWN, ids=[f"{k}-{i}" for k, i in CASES_OWN])
def test_members_update_as_single_agents_of_their_own_seed_and_hyperparameters(
    key, own, monkeypatch
):
    """Members (one config, or each its own lr, γ, τ and the algorithm's α, β, w_max, η)
    take the steps single agents of their seed and config take on the same minibatches
    and noise; their weights start as the single runs'."""
    cls = AGENTS[key][0]
    configs = [OWN[key][0]] * 2 if own == 0 else OWN[key][1:]
    pop = _agent(key, configs)
    singles = []
    for i, c in enumerate(pop.members):
        torch.manual_seed(i)
        singles.append(cls(box(3), box(2), c))
        _assert_states_equal(singles[i].state_dict(), pop.member_state_dict(i))
    noise = SameNoise(monkeypatch)
    for step in range(4):
        batch = _batch(2, seed=step)
        noise.record()
        info = pop.update(batch)
        for i, single in enumerate(singles):
            noise.replay(i)
            one = single.update(_member(batch, i))
            assert noise.i == len(noise.drawn)
            assert info.keys() == one.keys()
            for name, v in one.items():
                torch.testing.assert_close(info[name][i], v, rtol=1e-5, atol=1e-6, msg=name)
    for i, single in enumerate(singles):
        _assert_states_equal(pop.member_state_dict(i), single.state_dict(), exact=False)
    if own:  # the hyperparameter moved what it governs
        assert info[SHOWS[key]][0] != info[SHOWS[key]][1]


@pytest.mark.parametrize("key", list(AGENTS))
def test_a_members_weights_load_into_a_single_run_and_act_the_same(key):
    agent = _agent(key)
    for step in range(3):
        agent.update(_batch(3, seed=step))
    obs = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    together = agent.act_members(np.stack([obs] * 3), explore=False)
    for k in range(3):
        single = AGENTS[key][0](box(3), box(2), agent.members[k])
        single.load_state_dict(agent.member_state_dict(k))
        np.testing.assert_allclose(single.act(obs), together[k], rtol=1e-5, atol=1e-6)
        assert single.state_dict()["actor.net.0.weight"].shape == (16, 3)  # a single run's


@pytest.mark.parametrize("key", list(AGENTS))
def test_copy_member_copies_every_member_tensor_and_moment(key):
    """PBT's exploit: member 0 becomes member 2 (log std, log α and K x N critics too)."""
    agent = _agent(key, [{"lr": 1e-3}, {"lr": 2e-3}, {"lr": 3e-3}])
    for step in range(2):
        agent.update(_batch(3, seed=step))
    agent.copy_member(2, 0)
    _assert_states_equal(agent.member_state_dict(0), agent.member_state_dict(2))
    for opt in agent.optimizers():
        for st in opt.state.values():
            rows = st["exp_avg"].view(3, -1)
            assert torch.equal(rows[0], rows[2])


@pytest.mark.parametrize("key", list(AGENTS))
def test_dropping_members_cuts_every_tensor_and_the_kept_ones_train_on_exactly(key, monkeypatch):
    own = [{"lr": 1e-3}, {"lr": 2e-3}, {"lr": 3e-3}]
    agent = _agent(key, own)
    for step in range(3):
        agent.update(_batch(3, seed=step))  # Adam's moments exist
    ref = copy.deepcopy(agent)
    agent.keep_members([0, 2])
    assert agent.k == 2
    n = AGENTS[key][1].n_critics if key in ("sac_n", "edac") else 2
    for opt in agent.optimizers():
        assert all(v["exp_avg"].shape[0] in (2, 2 * n) for v in opt.state.values())
    for new, old in ((0, 0), (1, 2)):
        _assert_states_equal(agent.member_state_dict(new), ref.member_state_dict(old))
    noise = SameNoise(monkeypatch)
    for step in range(3, 5):  # the moments carried: the steps they took before
        batch = _batch(3, seed=step)
        noise.record()
        ref.update(batch)
        noise.replay([0, 2])
        agent.update(_member(batch, [0, 2]))
    for new, old in ((0, 0), (1, 2)):
        _assert_states_equal(agent.member_state_dict(new), ref.member_state_dict(old), False)
    agent.keep_members([1])  # one left: a single run's plain layers
    cls, cfg = AGENTS[key]
    single = cls(box(3), box(2), cfg).state_dict()
    assert {n: t.shape for n, t in agent.state_dict().items()} == {
        n: t.shape for n, t in single.items()
    }
    noise.record()
    info = agent.update(_batch(0))
    assert all(v.dim() == 0 for v in info.values())


@pytest.mark.parametrize("key", ["td3_bc", "edac"])
def test_a_member_dropped_mid_run_leaves_the_others_training_as_before(key, datasets, monkeypatch):
    """PopulationTrainer.drop after step 40: the next steps of the two left are those of
    the population that kept all three, to float tolerance."""
    run, cfg = _configs(key, datasets, steps=80, eval_every=80, log_every=20)
    runs = [dataclasses.replace(run, seed=s) for s in (3, 4, 5)]
    noise = SameNoise(monkeypatch)
    full = PopulationTrainer(runs, cfg)
    rows_full = list(full)
    drawn = list(noise.drawn)
    noise.drawn = drawn
    noise.replay([0, 1, 2])
    pruned = PopulationTrainer(runs, cfg)
    rows = []
    for k, m in pruned:
        rows.append((k, m))
        if m["step"] == 40 and k == 1 and pruned.active[1]:
            pruned.drop(1)
            noise.members = [0, 2]  # once it is cut, the two left draw their slices
    assert pruned.k == 2 and pruned.agent.k == 2
    assert max(m["step"] for k, m in rows if k == 1) == 40
    for k in (0, 2):
        got = {"rows": metric_rows(m for j, m in rows if j == k)}
        got["weights"] = _weights(pruned.member_state_dict(k))
        want = {"rows": metric_rows(m for j, m in rows_full if j == k)}
        want["weights"] = _weights(full.member_state_dict(k))
        _assert_same(got, want, rel=1e-5, abs=1e-6)


def test_the_four_are_on_the_engine_and_ensemble_size_is_shared():
    from rlcore.algos.registry import ALGORITHMS

    assert all(ALGORITHMS[a].agent_cls.population for a in ("td3_bc", "awac", "sac_n", "edac"))
    cfg = SACNConfig(hidden=(16, 16), n_critics=4)
    with pytest.raises(ValueError, match=r"member 1: n_critics = 5 differs"):
        SACN(box(3), box(2), cfg, members=[cfg, dataclasses.replace(cfg, n_critics=5)])
    agent = SACN(box(3), box(2), cfg, members=[cfg] * 3)
    assert agent.critic(_batch(3).obs, _batch(3).action).shape == (3, 4, 8)  # K x N critics
    assert agent.critic.net[0].weight.shape[0] == 12  # one ensemble, member axis outermost


def test_rlcore_train_seeds_of_td3_bc_is_one_process(datasets, tmp_path, capsys):
    args = ["--algo", "td3_bc", "--env", "Pendulum-v1", "--dataset", datasets["Pendulum-v1"]]
    args += ["--steps", "60", "--set", "hidden=16,16", "--eval-every", "60"]
    _, recs = train_seeds_cli(tmp_path, capsys, *args, "--eval-episodes", "1", seeds=3)
    assert [r.run.seed for r in recs] == [0, 1, 2]


@pytest.mark.parametrize("algo", ["awac", "sac_n", "edac"])
def test_their_seeds_train_together(algo, datasets):
    from rlcore.service.jobs import seed_plan, trains_together

    run, cfg = make_configs(
        algo, "Pendulum-v1", run={"dataset": datasets["Pendulum-v1"]}, use_preset=False
    )
    assert trains_together(seed_plan(run, cfg, 3))


if __name__ == "__main__":  # record the reference (from the code before populations)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RLCORE_DATASETS_DIR"] = str(Path(tmp) / "store")
        os.environ["RLCORE_ENV_MODULES"] = ENV_MODULES
        ids = make_datasets(Path(tmp))
        REFERENCE.write_text(json.dumps({key: _single(key, ids) for key in CASES}))
