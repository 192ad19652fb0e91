"""Search spaces from hp() metadata, study specs, and the driver's report/prune/tell logic.

The driver is exercised here with a scripted executor (runs that "train" by writing
evaluation rows whose returns are a known function of the sampled learning rate), so
pruning decisions and results can be checked exactly and fast; tests/test_studies.py
trains real runs through the job queue.
"""

import json
import math

import optuna
import pytest

from rlcore.algos.dqn import DQNConfig
from rlcore.core.config import hparams
from rlcore.search.space import ParamRange, build_space, default_range, parse_range
from rlcore.search.study import (
    default_storage_url,
    make_pruner,
    make_spec,
    open_storage,
    trial_configs,
    trial_overrides,
    validate_study_name,
)
from rlcore.service.runs import RunStore
from rlcore.service.studies import (
    create_study,
    list_studies,
    open_study,
    request_stop,
    studies_dir,
    study_runs,
    trial_rows,
)
from rlcore.service.study_driver import StudyDriver, run_study
from rlcore.train.presets import make_configs

P = {p.name: p for p in hparams(DQNConfig)}


def preset():
    return make_configs("dqn", "CartPole-v1")[1]  # lr 2.3e-3, target_update_interval 10


def test_default_windows_follow_the_hp_metadata():
    a = preset()
    lr = default_range(P["lr"], a.lr)
    assert (lr.kind, lr.low, lr.high, lr.log) == ("float", 2.3e-4, 2.3e-2, True)  # v/10..10v
    tui = default_range(P["target_update_interval"], 10)  # log int: v/4..4v, ceil/floor
    assert (tui.kind, tui.low, tui.high, tui.log) == ("int", 3, 40, True)
    g = default_range(P["gamma"], 0.99)  # bounded float: v ± (1 - 0) / 10, clipped to 1
    assert (g.low, g.high, g.log) == (0.89, 1.0, False)
    ef = default_range(P["exploration_fraction"], 0.16)
    assert (ef.low, ef.high) == (0.06, 0.26)
    tf = default_range(P["train_freq"], 256)  # unbounded-above int: v/2..2v
    assert (tf.kind, tf.low, tf.high) == ("int", 128, 512)
    assert default_range(P["double_q"], False).choices == (True, False)
    assert default_range(P["loss"], "huber").choices == ("huber", "mse")
    hidden = default_range(P["hidden"], (32, 32))
    assert hidden.choices == ((64,), (64, 64), (256, 256), (32, 32))
    assert hidden.text() == "64;64,64;256,256;32,32"
    assert hidden.distribution().choices == ("64", "64,64", "256,256", "32,32")
    assert hidden.decode("64,64") == (64, 64)
    tau = default_range(P["tau"], 1.0)  # at the top bound: the window stays inside
    assert tau.high == 1.0 and tau.low == pytest.approx(0.9)


def test_hand_ranges_are_checked_against_the_bounds():
    assert parse_range("DQNConfig", P["lr"], "1e-4:1e-2") == ParamRange(
        "lr", "float", 1e-4, 1e-2, log=True
    )
    assert parse_range("DQNConfig", P["batch_size"], "16:128").kind == "int"
    assert parse_range("DQNConfig", P["hidden"], "64; 64,64").choices == ((64,), (64, 64))
    cases = {
        ("lr", "1e-8:1e-2"): "DQNConfig.lr range '1e-8:1e-2': outside the field's bounds "
        "(allowed: 1e-06 to 1)",
        ("gamma", "0.9:1.5"): "(allowed: 0 to 1)",
        ("gamma", "0.99:0.9"): "LOW must be below HIGH",
        ("gamma", "0.9"): "expected LOW:HIGH",
        ("batch_size", "16:abc"): "DQNConfig.batch_size range '16:abc'",
        ("loss", "huber,l1"): "'l1' is not allowed (allowed: one of 'huber', 'mse')",
        ("loss", "huber"): "at least two values",
        ("hidden", "64;0,64"): "DQNConfig.hidden range",
    }
    for (name, text), words in cases.items():
        with pytest.raises(ValueError) as e:
            parse_range("DQNConfig", P[name], text)
        assert words in str(e.value), (name, text, str(e.value))


def test_build_space_refuses_unknown_repeated_and_offline_only_fields():
    a = preset()
    with pytest.raises(ValueError) as e:
        build_space(a, ["lr", "nope"])
    msg = str(e.value)
    assert "params = 'nope': not a hyperparameter of DQNConfig" in msg and "gamma" in msg
    with pytest.raises(ValueError, match="given twice"):
        build_space(a, ["lr", "lr"])
    with pytest.raises(ValueError, match="not among the searched"):
        build_space(a, ["lr"], {"gamma": "0.9:0.99"})
    with pytest.raises(ValueError, match="params: none given"):
        build_space(a, [])
    with pytest.raises(ValueError, match="params = 'exploration_fraction'"):
        build_space(a, ["exploration_fraction"], offline=True)  # data collection: online only
    space = build_space(a, ["lr", "hidden"], {"lr": "1e-3:1e-2"})
    assert space.names == ["lr", "hidden"] and space.ranges[0].low == 1e-3
    assert space.values({"lr": 0.005, "hidden": "64,64"}) == {"lr": 0.005, "hidden": (64, 64)}


def test_grid_values():
    r = ParamRange("lr", "float", 1e-4, 1e-2, log=True)
    assert r.grid() == pytest.approx([1e-4, 1e-3, 1e-2])
    assert ParamRange("b", "int", 16, 256, log=True).grid() == [16, 64, 256]
    assert ParamRange("g", "float", 0.9, 1.0).grid() == pytest.approx([0.9, 0.95, 1.0])
    assert ParamRange("k", "int", 1, 2).grid() == [1, 2]  # rounded duplicates dropped


def spec_of(name="s", trials=6, **kw):
    hp = {"learning_starts": 10, "hidden": (8,), **kw.pop("hp", {})}
    run = {"steps": 1000, "eval_every": 100, "eval_episodes": 1, **kw.pop("run", {})}
    return make_spec(name, "dqn", "CartPole-v1", kw.pop("params", ["lr"]), trials=trials,
                     hp=hp, run=run, use_preset=False, **kw)  # fmt: skip


def test_spec_validation_names_the_field(monkeypatch):
    cases = [
        (dict(trials=0), "trials = 0: out of range (allowed: 1 to 1000"),
        (dict(seeds=11), "seeds = 11: out of range (allowed: 1 to 10"),
        (dict(sampler="cmaes"), "sampler = 'cmaes': unknown (allowed: tpe, random, grid)"),
        (dict(pruner="hyperband"), "pruner = 'hyperband': unknown (allowed: median, halving"),
        (dict(name="a/b"), "study = 'a/b': not a valid study name"),
        (dict(name=".."), "not a valid study name"),
        (dict(params=["lr", "gamma"], sampler="grid", trials=10), "has 9 points (allowed: 1 to 9"),
        (dict(run={"threads": 0}), "RunConfig.threads = 0"),
        (dict(hp={"learning_starts": 5000}), "learning_starts = 5000: the warm-up"),
    ]
    for kw, words in cases:
        name = kw.pop("name", "s")
        with pytest.raises(ValueError) as e:
            spec_of(name, **{"trials": 6, **kw})
        assert words in str(e.value), (kw, str(e.value))
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    with pytest.raises(ValueError, match=r"trials = 21: .*1 to 20 .*RLCORE_MAX_STUDY_TRIALS"):
        spec_of(trials=21)
    spec = spec_of(run={"eval_every": 100})
    assert spec.run["threads"] == 1  # one thread per run unless told
    assert (
        make_spec("x", "dqn", "CartPole-v1", ["lr"], run={"steps": 2000}).run["eval_every"] == 200
    )


def test_trial_configs_and_overrides():
    spec = spec_of(params=["lr", "hidden"], seeds=3, run={"seed": 5})
    runs = trial_configs(spec, {"lr": 1e-3, "hidden": "64,64"})
    assert [r.seed for r, _ in runs] == [5, 6, 7]
    assert all(a.lr == 1e-3 and a.hidden == (64, 64) for _, a in runs)
    run_d, hp_d = trial_overrides(spec, {"lr": 1e-3, "hidden": "64,64"})
    assert hp_d == {"lr": 1e-3, "hidden": [64, 64], "learning_starts": 10}
    assert run_d["steps"] == 1000 and run_d["seed"] == 5
    bad = spec_of(params=["exploration_initial_eps"], hp={"exploration_final_eps": 0.5})
    with pytest.raises(ValueError, match="exploration_final_eps"):
        trial_configs(bad, {"exploration_initial_eps": 0.2})  # final above initial


def test_storage_errors_name_the_storage(tmp_path):
    for url, words in [
        ("", "storage = '': empty"),
        ("not a url", "storage = 'not a url': cannot open it"),
        (f"sqlite:///{tmp_path}/no/such/dir/x.db", "does not exist"),
        ("postgresql://u@127.0.0.1:1/db", "storage = 'postgresql://u@127.0.0.1:1/db'"),
    ]:
        with pytest.raises(ValueError) as e:
            open_storage(url)
        assert words in str(e.value) and "allowed: an SQLAlchemy database URL" in str(e.value)
    assert not (tmp_path / "no").exists()
    assert default_storage_url(tmp_path).endswith(f"{tmp_path}/.studies/studies.db")
    assert validate_study_name("dqn-CartPole-v1-20250101") == "dqn-CartPole-v1-20250101"


def test_a_study_is_created_whole_or_not_at_all(tmp_path):
    store = RunStore(tmp_path)
    spec = spec_of("one")
    url = create_study(store, spec)
    with pytest.raises(ValueError, match="a study of that name exists"):
        create_study(store, spec)
    with pytest.raises(ValueError, match="storage"):
        create_study(store, spec_of("two"), "sqlite:////nonexistent-dir/x.db")
    assert [i.name for i in list_studies(store)] == ["one"]
    loaded, study = open_study(store, "one")
    assert loaded == spec and study.user_attrs["spec"]["space"][0]["name"] == "lr"
    assert json.loads((studies_dir(store) / "one.json").read_text())["storage"] is None
    assert url == default_storage_url(tmp_path)
    with pytest.raises(ValueError, match="no such study"):
        open_study(store, "two")


# -- the driver, with scripted runs -----------------------------------------------------
def curve(lr, step, steps):
    """A run's evaluation return: higher learning rates learn faster (known, deterministic)."""
    return 1000 * lr * step / steps


class Scripted:
    """An executor whose runs each advance one evaluation per poll (no training)."""

    capacity = 2

    def __init__(self, store, die_after=None):
        self.store, self.live, self.polls = store, [], 0
        self.die_after = die_after

    def submit(self, plan, extra):
        ids = []
        for run, algo in plan.runs:
            rid = self.store.create(run, algo, dict(extra))
            self.store.set_status(rid, "running", step=0)
            ids.append(rid)
        self.live += ids
        return ids

    def resume(self, run_ids):
        self.live += [r for r in run_ids if r not in self.live]

    def poll(self):
        self.polls += 1
        if self.die_after is not None and self.polls > self.die_after:
            raise KeyboardInterrupt("the driver was killed")  # its runs go on without it
        for rid in list(self.live):
            self.advance(rid)

    def advance(self, rid):
        st = self.store
        rec = st.load(rid)
        if rec.status["status"] != "running":
            self.live.remove(rid)
            return
        step = rec.status["step"] + rec.run.eval_every
        ret = curve(rec.algo.lr, step, rec.run.steps)
        with st.open_metrics(rid) as fh:
            st.write_metrics(fh, {"step": step, "eval/return_mean": ret})
        if st.prune_reason(rid) is not None:
            st.set_status(rid, "pruned", step=step, message=st.prune_reason(rid))
        elif step >= rec.run.steps:
            st.set_status(rid, "finished", step=step, eval_return=ret)
        else:
            st.set_status(rid, "running", step=step)

    def close(self):
        pass


def drive(store, name, **kw):
    return run_study(store, name, Scripted(store), poll_s=0, **kw)


def test_driver_reports_prunes_and_tells(tmp_path):
    store = RunStore(tmp_path)
    create_study(store, spec_of("med", trials=10, seeds=2, sampler="random"))
    told = []
    assert drive(store, "med", on_trial=told.append) == "finished"
    _, rows = trial_rows(store, "med")
    assert len(rows) == 10 and {r["state"] for r in rows} == {"complete", "pruned"}
    for r in rows:
        lr = r["params"]["lr"]
        assert len(r["runs"]) == 2 and study_runs(store, "med")[r["number"]] == r["runs"]
        if r["state"] == "complete":  # the mean of the seeds' final evaluation returns
            assert r["value"] == pytest.approx(curve(lr, 1000, 1000))
            assert r["run_status"] == ["finished", "finished"] and r["steps"] == 2000
        else:  # ended early, each run 'pruned' (not failed), its metrics kept
            assert r["run_status"] == ["pruned", "pruned"] and r["steps"] < 2000
            assert "pruned by study med at step" in store.status(r["runs"][0])["message"]
            assert store.metric_rows(r["runs"][0])[-1]["step"] == r["steps"] // 2
    # the pruner's rule, replayed: a pruned trial's best report was below the median of the
    # trials complete when it was pruned, at its last reported step
    study = open_study(store, "med")[1]
    for t in study.trials:
        if t.state.name == "PRUNED":
            step = max(t.intermediate_values)
            assert step >= 200  # the warm-up: two evaluations
            done = [
                u.intermediate_values[step]
                for u in study.trials
                if u.state.name == "COMPLETE" and u.datetime_complete < t.datetime_complete
            ]
            ordered = sorted(done)
            median = (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2
            assert len(done) >= 2 and max(t.intermediate_values.values()) < median
    assert [t["number"] for t in told] == sorted(t["number"] for t in told) or len(told) == 10
    assert sum(t["state"] == "pruned" for t in told) >= 1


def test_pruning_saves_steps_and_keeps_the_best(tmp_path):
    store = RunStore(tmp_path)
    for name, pruner in (("none", "none"), ("halving", "halving"), ("median", "median")):
        create_study(store, spec_of(name, trials=10, sampler="random", pruner=pruner))
        drive(store, name)
    steps = {n: sum(r["steps"] for r in trial_rows(store, n)[1]) for n in ("none", "median")}
    steps["halving"] = sum(r["steps"] for r in trial_rows(store, "halving")[1])
    assert steps["none"] == 10 * 1000
    assert steps["median"] < 0.8 * steps["none"] and steps["halving"] < 0.8 * steps["none"]
    best = {n: open_study(store, n)[1].best_value for n in steps}
    assert best["median"] == best["none"]  # same sampler seed, same draws: the best survives


def test_invalid_sampled_values_fail_the_trial_not_the_study(tmp_path):
    store = RunStore(tmp_path)
    spec = spec_of("bad", trials=3, params=["exploration_initial_eps"], sampler="random",
                   hp={"exploration_final_eps": 0.5})  # fmt: skip
    create_study(store, spec)
    drive(store, "bad")
    rows = trial_rows(store, "bad")[1]
    for r in rows:
        ok = r["params"]["exploration_initial_eps"] >= 0.5
        assert r["state"] == ("complete" if ok else "failed")
        assert ok or ("exploration_final_eps" in r["error"] and r["runs"] == [])


def test_a_killed_driver_resumes_without_losing_or_repeating_trials(tmp_path):
    store = RunStore(tmp_path)
    create_study(store, spec_of("res", trials=5, sampler="random", pruner="none"))
    ex = Scripted(store, die_after=15)
    with pytest.raises(KeyboardInterrupt):
        run_study(store, "res", ex, poll_s=0)
    rows = trial_rows(store, "res")[1]
    running = [r for r in rows if r["state"] == "running"]
    assert running and any(r["state"] == "complete" for r in rows)
    # the dead driver's trial 2 asked for, never given runs (died right after ask)
    study = open_study(store, "res")[1]
    orphan = study.ask(open_study(store, "res")[0].space.distributions())
    before = {r["number"]: r["runs"] for r in rows}
    ex2 = Scripted(store)
    ex2.live = [r for rs in before.values() for r in rs if store.status(r)["status"] == "running"]
    assert run_study(store, "res", ex2, poll_s=0) == "finished"
    after = trial_rows(store, "res")[1]
    assert len(after) == 5 and all(r["state"] == "complete" for r in after)
    for r in after:
        if r["number"] in before and before[r["number"]]:
            assert r["runs"] == before[r["number"]]  # watched again, not run again
        assert len(r["runs"]) == 1
    assert orphan.number in {r["number"] for r in after if r["runs"]}
    all_runs = [rid for r in after for rid in r["runs"]]
    assert len(all_runs) == len(set(all_runs)) == len(store.ids()) == 5


def test_stop_ends_the_study_and_fails_running_trials(tmp_path):
    store = RunStore(tmp_path)
    create_study(store, spec_of("stop", trials=6, sampler="random", pruner="none"))
    ex = Scripted(store)
    driver = StudyDriver(store, "stop", ex, poll_s=0)
    polls = {"n": 0}
    real = ex.poll

    def poll():
        polls["n"] += 1
        if polls["n"] == 3:
            request_stop(store, "stop")
        real()
        for rid in list(ex.live):  # a stopped run ends 'stopped', as run_job does
            if store.stop_requested(rid):
                store.set_status(rid, "stopped", message="stopped by the user")

    ex.poll = poll
    assert driver.run() == "stopped"
    rows = trial_rows(store, "stop")[1]
    assert len(rows) == 2 and {r["state"] for r in rows} == {"failed"}
    assert all("stopped" in r["error"] for r in rows)
    assert not (studies_dir(store) / "stop.STOP").exists()


def test_optuna_figures_draw_from_a_study(tmp_path):
    import optuna.visualization as vis

    store = RunStore(tmp_path)
    create_study(store, spec_of("fig", trials=4, params=["lr", "gamma"], sampler="random"))
    drive(store, "fig")
    study = open_study(store, "fig")[1]
    for plot in (vis.plot_optimization_history, vis.plot_parallel_coordinate, vis.plot_slice):
        fig = plot(study)
        assert fig.data, plot.__name__
    assert math.isfinite(study.best_value)
    assert make_pruner(open_study(store, "fig")[0]).__class__ is optuna.pruners.MedianPruner


# -- the Search mode of the setup model (ui/setup.py, no Streamlit) -------------------
def test_search_mode_validates_into_a_study_spec_and_round_trips_its_url():
    from ui import setup as m

    exp = m.Experiment("search", seeds=2, params=["lr", "hidden"], trials=7, sampler="random",
                       prune=False, ranges={"hidden": "64;64,64"})  # fmt: skip
    d = m.Draft("CartPole-v1", "dqn", run={"steps": "5000"}, exp=exp)
    s = m.validate(d)
    assert s.ok and s.plan is None and s.mode == "search"
    spec = s.study
    assert (spec.trials, spec.seeds, spec.sampler, spec.pruner) == (7, 2, "random", "none")
    assert spec.space.names == ["lr", "hidden"] and spec.steps == 5000
    assert spec.space.ranges[1].choices == ((64,), (64, 64))
    assert spec.space.ranges[0].low == pytest.approx(2.3e-4)  # around the preset's 2.3e-3
    assert s.query["ranges"] == "hidden=64;64,64" and s.query["search"] == "lr,hidden"
    back, notices = m.from_query(s.query)
    assert notices == [] and back.exp == exp and m.to_query(back) == s.query


def test_search_mode_errors_land_under_the_search_field():
    from ui import setup as m

    bad = {
        "ranges": ({"lr": "1e-9:1e-2"}, "DQNConfig.lr range '1e-9:1e-2': outside"),
        "trials": ({}, "trials = 0: out of range"),
        "params": ({}, "params: none given"),
    }
    for what, (ranges, words) in bad.items():
        exp = m.Experiment("search", seeds=1, params=[] if what == "params" else ["lr"],
                           trials=0 if what == "trials" else 5, ranges=ranges)  # fmt: skip
        s = m.validate(m.Draft("CartPole-v1", "dqn", exp=exp))
        assert list(s.errors) == ["search"] and words in s.errors["search"], s.errors
        assert not s.ok and s.study is None
