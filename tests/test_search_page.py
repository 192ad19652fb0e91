"""AppTest of the Search mode: a tiny study started from the Train page, its trials table
and Optuna figures updating, "Train the best", bad ranges, hosted caps, Compare's list."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from helpers import poll
from rlcore.search.study import make_spec
from rlcore.service.runs import RunStore
from rlcore.service.studies import create_study, study_info

TINY = {
    "env": "CartPole-v1",
    "algo": "dqn",
    "preset": "false",
    "steps": "400",
    "eval_every": "100",
    "eval_episodes": "2",
    "learning_starts": "100",
    "hidden": "8",
    "mode": "search",
    "search": "lr,gamma",
    "trials": "3",
    "seeds": "1",
}


def open_page(page, **query):
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def qp(at, key):
    v = at.query_params[key]
    return v[0] if isinstance(v, list) else v


def charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def trials_table(at):
    return next(d.value for d in at.dataframe if "mean final return" in d.value.columns)


def test_search_mode_runs_a_study_and_shows_its_trials_and_figures():
    at = open_page("pages/train.py", **TINY)
    assert not at.exception and not at.error, at.error
    assert at.multiselect(key="train_search_params").value == ["lr", "gamma"]
    assert at.text_input(key="hp_dqn_range_lr").value == "1e-05:0.001"  # v/10..10v (log)
    assert at.text_input(key="hp_dqn_range_gamma").value == "0.89:1"
    assert at.select_slider(key="hp_dqn_lr").disabled  # set by the search
    assert "3 trials × 1 seed(s) = up to 3 runs" in " ".join(c.value for c in at.caption)

    at.text_input(key="hp_dqn_range_lr").set_value("1e-9:1e-2").run()  # below the bound
    errors = " ".join(e.value for e in at.error)
    assert "DQNConfig.lr range '1e-9:1e-2': outside the field's bounds (allowed: 1e-06 to 1)" in (
        errors
    )
    assert at.button(key="train_search_start").disabled
    assert not (RunStore().root / ".studies").exists()  # nothing created
    at.text_input(key="hp_dqn_range_lr").set_value("1e-4:1e-2").run()
    assert qp(at, "ranges") == "lr=1e-4:1e-2"  # only the edited range is in the URL

    at.button(key="train_search_start").click().run()
    assert not at.exception
    name = qp(at, "study")
    assert name.startswith("dqn-CartPole-v1-")

    def some_done(x):
        return any(s in ("complete", "pruned") for s in trials_table(x)["state"])

    poll(at, some_done, timeout=240)
    # the driver tells Optuna a result a moment after the run ends: the figures follow it
    poll(at, lambda x: len(charts(x)) >= 2, timeout=120)
    first = charts(at)
    assert len(first) >= 2  # optimization history and intermediate values, at least
    n_first = sum(len(t.get("x", [])) for t in first[0]["data"])
    poll(at, lambda x: study_info(RunStore(), name).done == 3 and len(trials_table(x)) == 3,
         timeout=300)  # fmt: skip
    at.run()
    table = trials_table(at)
    assert set(table["state"]) <= {"complete", "pruned"} and len(table) == 3
    store = RunStore()
    for link in table["runs"]:
        (rid,) = link.split("runs=")[1].split(",")
        assert store.status(rid)["status"] in ("finished", "pruned")
    last = charts(at)
    assert len(last) >= 3  # history, intermediate values, parallel coordinates (+ more)
    # the history shows every complete trial (trained together: lr and gamma are
    # per-member hyperparameters, so the three trials were one population)
    n_complete = int((table["state"] == "complete").sum())
    assert max(len(t.get("x", [])) for t in last[0]["data"]) == n_complete
    assert n_first <= sum(len(t.get("x", [])) for t in last[0]["data"])
    from rlcore.service.jobs import run_extra

    pops = {run_extra(store, link.split("runs=")[1]).get("population") for link in table["runs"]}
    assert len(pops) == 1 and None not in pops
    titles = [c["layout"]["title"]["text"] for c in last]
    assert "Optimization history" in titles and "Parallel coordinates" in titles

    # "Train the best": the Train page with the best configuration in its URL
    best = study_info(store, name).best_params
    at.button(key="train_search_best").click().run()
    assert not at.exception and not at.warning  # every value of the link was taken
    query = {k: qp(at, k) for k in at.query_params}
    assert query["env"] == "CartPole-v1" and query["algo"] == "dqn" and "mode" not in query
    assert float(query["lr"]) == best["lr"] and float(query["gamma"]) == best["gamma"]
    assert at.select_slider(key="hp_dqn_lr").value == best["lr"]
    assert float(at.text_input(key="hp_dqn_gamma").value) == best["gamma"]
    assert at.text_input(key="run_steps").value == "400"
    assert not at.select_slider(key="hp_dqn_lr").disabled  # a single run again

    cmp = open_page("pages/compare.py")
    studies = next(d.value for d in cmp.dataframe if "best" in d.value.columns)
    assert list(studies["study"]) == [name] and list(studies["trials"]) == ["3 / 3"]
    runs = cmp.dataframe[0].value
    assert set(runs["study"]) == {f"{name} #{i}" for i in range(3)}


def test_hosted_caps_trials_per_study_and_per_session(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    monkeypatch.setenv("RLCORE_MAX_SESSION_TRIALS", "5")
    at = open_page("pages/train.py", **{**TINY, "trials": "50"})
    assert at.number_input(key="train_search_trials").value == 20  # the hosted cap
    spec = make_spec("earlier", "dqn", "CartPole-v1", ["lr"], trials=3, run={"steps": 2000})
    # a study this browser started before (not run here): its trials count, whatever page
    create_study(RunStore(), spec, owner=at.session_state["owner_token"])
    at.number_input(key="train_search_trials").set_value(3).run()
    warning = " ".join(w.value for w in at.warning)
    assert "one session start 5 trials in all; this session has started 3" in warning
    assert at.button(key="train_search_start").disabled


def test_a_bad_search_link_is_noted_and_zero_params_refused():
    at = open_page("pages/train.py", **{**TINY, "search": "lr,nope", "sampler": "cma"})
    notes = " ".join(w.value for w in at.warning)
    assert "nope" in notes and "cma" in notes
    at.multiselect(key="train_search_params").set_value([]).run()
    assert "params: none given (allowed: gamma, lr" in " ".join(e.value for e in at.error)
    assert at.button(key="train_search_start").disabled


@pytest.fixture
def a_dataset(tmp_path, monkeypatch):
    from rlcore.train import collect

    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "datasets"))
    return collect.build_dataset("Pendulum-v1", "random", 400, expert_steps=300)


def test_offline_search_trains_on_a_dataset_and_the_best_opens_the_offline_page(a_dataset):
    at = open_page("pages/offline.py", dataset=a_dataset, algo="iql", steps="200",
                   eval_every="100", eval_episodes="1", hidden="16", mode="search",
                   search="lr,expectile", trials="1", seeds="1", prune="false")  # fmt: skip
    assert not at.exception and not at.error, at.error
    options = at.multiselect(key="offline_search_params").options
    assert "expectile" in options and "buffer_size" not in options  # no data-collection fields
    at.button(key="offline_search_start").click().run()
    name = qp(at, "study")
    assert name.startswith("iql-" + a_dataset.replace("/", "-"))
    poll(at, lambda x: study_info(RunStore(), name).done == 1, timeout=300)
    at.run()
    table = trials_table(at)
    assert list(table["state"]) == ["complete"]
    for link in table["runs"]:
        (rid,) = link.split("runs=")[1].split(",")
        rec = RunStore().load(rid)
        assert rec.run.dataset == a_dataset and rec.status["eval_score"] is not None
    at.button(key="offline_search_best").click().run()
    assert not at.exception
    assert (
        qp(at, "dataset") == a_dataset
        and qp(at, "algo") == "iql"
        and "mode" not in {k for k in at.query_params}
    )
