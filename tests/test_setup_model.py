"""The Train/Offline setup model (ui/setup.py), without Streamlit: links read into a draft,
drafts written back to links, and validation errors under the field they concern."""

import pytest

from rlcore.algos.registry import ALGORITHMS
from rlcore.core.config import hparams
from ui import setup as m

HP = {p.name: p for p in hparams(ALGORITHMS["dqn"].config_cls)}


def read(query, **kw):
    draft, notices = m.from_query(query, **kw)
    return draft, [key for key, _ in notices]


def test_a_link_becomes_a_typed_draft():
    d, notices = read({"env": "Acrobot-v1", "algo": "a2c", "seed": "7", "lr": "0.002"})
    assert notices == []
    assert (d.env, d.algo, d.preset, d.dataset) == ("Acrobot-v1", "a2c", True, None)
    assert d.run == {"seed": 7} and d.hp == {"lr": 0.002}
    assert d.exp == m.Experiment("single", 3, None, None)
    d, _ = read({"hidden": "64x64", "preset": "0", "batch": "b-1"})  # batch: the live view's
    assert (d.env, d.algo, d.preset, d.hp) == ("CartPole-v1", "dqn", False, {"hidden": (64, 64)})


@pytest.mark.parametrize(
    "query",
    [
        {"env": "CartPole-v1", "algo": "dqn"},
        {"env": "Acrobot-v1", "algo": "a2c", "seed": "7", "lr": "0.002", "n_envs": "4"},
        {
            "env": "CartPole-v1",
            "algo": "dqn",
            "preset": "false",
            "steps": "900",
            "lr": "0.001",
            "hidden": "64,64",
        },
        {"env": "Pendulum-v1", "algo": "sac", "mode": "seeds", "seeds": "5"},
        {
            "env": "CartPole-v1",
            "algo": "dqn",
            "double_q": "true",
            "mode": "sweep",
            "seeds": "2",
            "sweep": "lr",
            "values": "1e-4, 1e-3",
        },
    ],
)
def test_to_query_gives_back_the_link_it_was_read_from(query):
    d, notices = read(query)
    assert notices == []
    assert m.to_query(d) == query
    assert list(m.to_query(d)) == list(query)  # same order: env, algo, run, hp, experiment


def test_only_values_that_differ_from_the_preset_are_written():
    preset_lr = m.base_configs(m.Draft("CartPole-v1", "dqn"))[1].lr
    d = m.Draft("CartPole-v1", "dqn", hp={"lr": preset_lr, "gamma": 0.9}, run={"seed": "0"})
    assert m.to_query(d) == {"env": "CartPole-v1", "algo": "dqn", "gamma": "0.9"}
    # a preset that does not exist for the pair is not written as switched off
    d = m.Draft("FrozenLake-v1", "reinforce", preset=False)
    assert not m.has_preset("FrozenLake-v1", "reinforce")
    assert m.to_query(d) == {"env": "FrozenLake-v1", "algo": "reinforce"}


def test_a_malformed_link_falls_back_field_by_field_with_a_notice_each():
    d, notices = read(
        {
            "env": "Nope-v0",
            "algo": "sac",
            "preset": "maybe",
            "lr": "banana",
            "gamma": "0.5",
            "foo": "1",
            "mode": "grid",
            "seeds": "99",
            "sweep": "zzz",
        }
    )
    assert notices == [
        "url.bad_env",
        "url.bad_algo",
        "url.bad_value",
        "url.bad_field",  # lr
        "url.unknown",  # foo
        "url.bad_field",  # mode
        "url.bad_field",  # seeds
        "url.bad_field",  # sweep
    ]
    assert (d.env, d.algo, d.preset) == ("CartPole-v1", "dqn", True)
    assert d.hp == {"gamma": 0.5}  # the good value survives its bad neighbours
    assert d.exp == m.Experiment()
    _, notes = m.from_query({"algo": "sac"})
    allowed = "dqn, reinforce, a2c, ppo, trpo"
    assert notes == [("url.bad_algo", {"value": "sac", "env": "CartPole-v1", "allowed": allowed})]


def test_an_offline_link_picks_a_dataset_the_algorithm_fits():
    have = {"d/cart-v0": "CartPole-v1", "d/pend-v0": "Pendulum-v1"}
    d, notices = read({"algo": "iql", "batch_size": "64"}, offline=True, datasets=have)
    assert notices == []
    assert (d.dataset, d.env, d.algo, d.hp) == (
        "d/pend-v0",
        "Pendulum-v1",
        "iql",
        {"batch_size": 64},
    )
    assert d.offline and d.setting == "offline"
    assert m.to_query(d) == {"dataset": "d/pend-v0", "algo": "iql", "batch_size": "64"}
    d, notices = read({"dataset": "d/none-v0", "algo": "cql_discrete"}, offline=True, datasets=have)
    assert notices == ["url.bad_dataset"] and d.dataset == "d/cart-v0"
    # data-collection settings are not fields of an offline setup
    d, notices = read(
        {"dataset": "d/pend-v0", "learning_starts": "10"}, offline=True, datasets=have
    )
    assert notices == ["url.unknown"] and d.hp == {}
    assert read({"algo": "bc"}, offline=True, datasets={}) == (None, [])


def test_validation_puts_each_error_under_its_own_field():
    d = m.Draft("CartPole-v1", "dqn", hp={"hidden": "64,abc", "lr": 0.01}, run={"steps": -5})
    s = m.validate(d)
    assert list(s.errors) == ["steps", "hidden"]
    assert s.errors["hidden"].startswith("hidden = '64,abc': cannot be read as tuple")
    assert "RunConfig.steps = -5" in s.errors["steps"]
    assert not s.ok and s.run is None and s.plan is None
    # the link keeps the good value and leaves the bad ones at the preset's
    assert s.query == {"env": "CartPole-v1", "algo": "dqn", "lr": "0.01"}


def test_a_check_across_fields_lands_under_the_field_it_names(monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_PARAMS", "150000")  # the preset's 135k fit, 532k do not
    s = m.validate(m.Draft("CartPole-v1", "dqn", hp={"hidden": "512,512"}))
    assert list(s.errors) == ["hidden"] and "532k parameters" in s.errors["hidden"]
    assert "hidden" not in s.query


def test_a_valid_draft_gives_configs_and_the_plan_of_its_mode():
    d = m.Draft("CartPole-v1", "dqn", run={"seed": 4}, hp={"lr": "3e-3"})
    s = m.validate(d)
    assert s.ok and s.errors == {}
    assert (s.run.env, s.run.seed, s.run.threads, s.algo_cfg.lr) == ("CartPole-v1", 4, 1, 3e-3)
    assert len(s.plan) == 1
    d.exp = m.Experiment("seeds", seeds=3)
    assert [r.seed for r, _ in m.validate(d).plan.runs] == [4, 5, 6]
    d.exp = m.Experiment("sweep", seeds=2, param="gamma", values="0.9, 0.99")
    plan = m.validate(d).plan
    assert [(c.gamma, r.seed) for r, c in plan.runs] == [(0.9, 4), (0.9, 5), (0.99, 4), (0.99, 5)]


def test_a_bad_sweep_is_an_error_of_the_sweep_field():
    d = m.Draft("CartPole-v1", "dqn", exp=m.Experiment("sweep", 1, "lr", "1e-3, 7"))
    s = m.validate(d)
    assert list(s.errors) == ["sweep"] and "too large" in s.errors["sweep"]
    assert s.run is not None and s.plan is None
    assert s.query["values"] == "1e-3, 7"  # kept as typed


@pytest.mark.parametrize("mode", list(m.MODES))
def test_every_mode_reads_back_the_fields_it_writes(mode):
    search = {"params": ["lr", "gamma"], "ranges": {"lr": "1e-4:1e-2"}, "study": "s-1"}
    exp = m.Experiment(mode, seeds=2, param="lr", values="1e-4, 1e-3", **search)
    q = m.to_query(m.Draft("CartPole-v1", "dqn", exp=exp))
    assert set(q) - {"env", "algo"} == (
        {"mode", *m.MODES[mode].fields} if m.MODES[mode].fields else set()
    )
    d, notices = read(q)
    assert notices == [] and m.to_query(d) == q


def test_suggested_sweep_values_surround_the_current_one():
    assert m.suggest_values(HP["lr"], 3e-4) == "3e-05, 9e-05, 0.0003, 0.0009, 0.003"
    assert m.suggest_values(HP["batch_size"], 64) == "16, 32, 64, 128, 256"
    assert m.suggest_values(HP["gamma"], 0.99) == "0.25, 0.5, 0.75, 0.99"  # linear, in range
    assert m.suggest_values(HP["double_q"], True) == "true, false"
    assert m.suggest_values(HP["hidden"], (64,)) == "64; 64,64; 256,256"
