"""AppTest of every page: renders in both languages, trains from the Train page, refuses bad
input, restores a setup from a link, keeps sessions apart, compares and sweeps."""

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from helpers import assert_one_population_queued, fake_app_queue, poll
from rlcore.algos.registry import ALGORITHMS
from rlcore.service.jobs import JobQueue, seed_plan, sweep_plan
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs

PAGES = ["pages/train.py", "pages/algorithms.py", "pages/compare.py", "pages/about.py"]
TINY = {"run_steps": 1500, "run_eval_every": 500, "run_eval_episodes": 2, "run_log_every": 250}


def open_page(page, **query):
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def set_tiny(at, hidden="16"):
    for key, value in TINY.items():
        at.text_input(key=key).set_value(str(value))
    at.text_input(key="hp_dqn_hidden").set_value(hidden)
    return at.run()


def qp(at, key):
    v = at.query_params[key]
    return v[0] if isinstance(v, list) else v


def progress(at):
    return " ".join(p.proto.text for p in at.get("progress"))


def n_points(array):
    """Length of a Plotly array (plain list, or numpy sent as base64 ``bdata``)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).size
    return len(array)


def traces(at):
    return [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(page, lang):
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title and not at.error


@pytest.mark.parametrize("algo", list(ALGORITHMS))
def test_algorithms_page_shows_doc_hparams_and_paper(algo):
    at = open_page("pages/algorithms.py", algo=algo)
    assert not at.exception
    spec = ALGORITHMS[algo]
    text = " ".join(m.value for m in at.markdown)
    assert spec.paper in text
    assert spec.doc.strip().splitlines()[0][:30] in text
    assert qp(at, "algo") == algo


def test_train_page_trains_a_tiny_run_and_shows_its_charts():
    at = set_tiny(open_page("pages/train.py"))
    assert qp(at, "steps") == "1500" and qp(at, "hidden") == "16"
    at.button(key="train_start").click().run()
    assert not at.exception
    batch = qp(at, "batch")  # a refresh finds the run through the URL
    poll(at, lambda a: "finished" in progress(a))
    data = traces(at)[0]
    names = [t.get("name") for t in data]
    assert "episode return" in names and "evaluation (mean ± std)" in names
    episode = next(t for t in data if t["name"] == "episode return")
    assert n_points(episode["x"]) > 3
    assert len(at.get("plotly_chart")) >= 4  # return + losses, Q vs MC, values, ...
    run_id = JobQueue().store.ids()[0]
    assert JobQueue().store.status(run_id)["status"] == "finished"
    assert any(run_id in c.value for c in at.caption)

    # Watch the agent: an animated GIF of the greedy policy, with its return.
    at.button(key="watch_render").click().run()
    assert not at.exception
    imgs = at.get("image")[0].proto.imgs
    assert imgs[0].caption == "Greedy policy, episode seed 0" and imgs[0].url
    assert at.metric[0].value

    # A refresh (a new session with the same URL) finds the live run again.
    again = open_page("pages/train.py", batch=batch, steps="1500", hidden="16")
    assert any(run_id in c.value for c in again.caption)


def test_typed_numbers_are_kept_and_refused_in_a_learners_words():
    at = open_page("pages/train.py")
    at.text_input(key="run_steps").set_value("abc").run()
    assert at.text_input(key="run_steps").value == "abc"  # kept, never turned into 1
    errors = [e.value for e in at.error]
    assert "**steps** = 'abc': not a whole number. Allowed: from 1 to 50,000,000" in errors[0]
    assert "steps" not in at.query_params  # the URL keeps the last good value
    assert at.button(key="train_start").disabled
    at.text_input(key="run_steps").set_value("-5").run()
    assert at.error[0].value.startswith("**steps** = -5: too small.")
    # the preset's warm-up is longer than the run: said in words, no "allowed: 0 to 0"
    at.text_input(key="run_steps").set_value("500").run()
    (error,) = [e.value for e in at.error if "warm-up" in e.value]
    assert "the warm-up (1,000 steps of random actions) would last the whole run" in error
    assert "raise steps above 1,000" in error and "0 to" not in error
    assert at.button(key="train_start").disabled
    # a big network says its cost before Start
    at.text_input(key="run_steps").set_value("5000").run()
    at.text_input(key="hp_dqn_hidden").set_value("1024,1024").run()
    assert any("2.1M parameters, about 32 MB of memory" in c.value for c in at.caption)
    assert not at.button(key="train_start").disabled


def test_bad_input_shows_an_error_next_to_the_field_and_starts_nothing():
    at = open_page("pages/train.py")
    at.text_input(key="hp_dqn_hidden").set_value("64,abc").run()
    errors = [e.value for e in at.error]
    assert any(e.startswith("**hidden** = '64,abc'") for e in errors)
    assert any("hidden" in e and "fixed" in e for e in errors)
    assert at.button(key="train_start").disabled
    at.text_input(key="hp_dqn_hidden").set_value("0,64").run()
    assert any("too small" in e.value for e in at.error)
    at.text_input(key="hp_dqn_hidden").set_value("64").run()
    at.radio(key="train_mode_en").set_value("sweep").run()
    at.text_input(key="train_sweep_values_lr").set_value("1e-3, 7").run()
    assert any("lr" in e.value and "too large" in e.value for e in at.error)
    assert at.button(key="train_start").disabled
    assert RunStore().ids() == []


def test_a_hosted_server_caps_the_runs_of_one_session(monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_RUNS_PER_SESSION", "2")
    at = open_page("pages/train.py", mode="seeds", seeds="3")
    assert any("at most 2 runs" in w.value for w in at.warning)
    assert at.button(key="train_start").disabled
    at.number_input(key="train_seeds").set_value(2).run()
    assert not at.warning and not at.button(key="train_start").disabled


def test_a_link_opens_the_same_setup_and_a_malformed_one_falls_back_with_a_notice():
    at = open_page("pages/train.py", env="Acrobot-v1", algo="a2c", seed="7", lr="0.002", n_envs="4")
    assert at.selectbox(key="train_env").value == "Acrobot-v1"
    assert at.selectbox(key="train_algo").value == "a2c"
    assert at.text_input(key="run_seed").value == "7"
    assert at.select_slider(key="hp_a2c_lr").value == 0.002
    assert at.text_input(key="hp_a2c_n_envs").value == "4"
    assert not at.warning
    assert qp(at, "lr") == "0.002" and qp(at, "seed") == "7"

    # Later in the same session, a link from another page brings its own setup.
    at.switch_page("pages/algorithms.py").run()
    at.query_params.clear()
    at.query_params["env"], at.query_params["algo"] = "Pendulum-v1", "sac"
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="train_algo").value == "sac"
    assert at.text_input(key="run_seed").value == "0"  # the old seed=7 is gone

    bad = open_page("pages/train.py", env="Nope-v0", lr="banana", foo="1")
    notes = " ".join(w.value for w in bad.warning)
    assert "Nope-v0" in notes and "banana" in notes and "foo" in notes
    assert bad.selectbox(key="train_env").value == "CartPole-v1"
    assert not bad.exception and not bad.error


def test_two_sessions_see_only_their_own_run_and_both_reach_compare():
    a = set_tiny(open_page("pages/train.py"))
    b = set_tiny(open_page("pages/train.py"), hidden="8")
    a.button(key="train_start").click().run()
    b.button(key="train_start").click().run()
    poll(a, lambda x: "finished" in progress(x))
    poll(b, lambda x: "finished" in progress(x))
    id_a = a.session_state["live_batch"]
    id_b = b.session_state["live_batch"]
    run_a, run_b = (JobQueue().store.ids()[i] for i in (0, 1))
    cap_a = " ".join(c.value for c in a.caption)
    cap_b = " ".join(c.value for c in b.caption)
    assert id_a != id_b
    assert (run_a in cap_a) != (run_b in cap_a)
    assert (run_a in cap_b) != (run_b in cap_b)
    assert (run_a in cap_a) == (run_b in cap_b)

    cmp = open_page("pages/compare.py")
    assert not cmp.exception
    table = cmp.dataframe[0].value
    assert len(table) == 2 and set(table["run id"]) == {run_a, run_b}


@pytest.fixture
def saved_runs():
    """Two seeds of one setup and a 2-value x 2-seed sweep, trained in-process."""
    store = RunStore()
    run, algo = make_configs(
        "dqn",
        "CartPole-v1",
        {"learning_starts": 100, "hidden": (8,)},
        {"steps": 300, "eval_every": 150, "eval_episodes": 2, "threads": 1},
        use_preset=False,
    )

    def launch(run_id, s):
        run_job(run_id, s)
        return type("Done", (), {"pid": 0, "poll": lambda self: 0})()

    q = JobQueue(store, max_workers=8, launcher=launch, dispatch=False)
    seeds = q.submit(seed_plan(run, algo, 2))
    sweep = q.submit(sweep_plan(run, algo, "lr", (1e-3, 1e-2), n_seeds=2))
    return seeds, sweep


def test_compare_page_groups_seeds_plots_sweeps_downloads_and_deletes(saved_runs):
    seeds, sweep = saved_runs
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["live_batches"] = [seeds.id]  # this session's runs are preselected
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 6
    # what tells the runs apart has its own column (the swept learning rate)
    assert set(table["what differs"]) == {"lr=0.0001", "lr=0.001", "lr=0.01"}
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert "bootstrap interval of the mean" in title  # the band says what it is
    figs = traces(at)
    curves = [t for t in figs[0] if t.get("name")]
    assert any("(n=2)" in t["name"] for t in curves)  # grouped: mean over 2 seeds
    sensitivity = figs[-1]
    band = "mean over seeds, band: 95% bootstrap interval of the mean"
    assert [t["name"] for t in sensitivity] == ["each run", band]
    assert n_points(sensitivity[0]["y"]) == 4
    assert {b.proto.label for b in at.get("download_button")} >= {"Metrics (CSV)", "Checkpoint"}

    at.toggle(key="cmp_group").set_value(False).run()
    assert len([t for t in traces(at)[0] if t.get("name")]) == 2  # one line per run

    at.button(key="cmp_delete").click().run()
    assert not at.exception
    assert sorted(RunStore().ids()) == sorted(sweep.runs)


def test_n_seeds_of_an_algorithm_on_the_engine_start_as_one_population(monkeypatch):
    """The memory of the K members is said before Start; Start queues one worker for all."""
    launched = fake_app_queue(monkeypatch)
    at = open_page("pages/train.py", mode="seeds", seeds="3")
    cost = " ".join(c.value for c in at.caption)
    assert "These 3 agents train together in one process (a population)" in cost
    at.button(key="train_start").click().run()
    assert_one_population_queued(launched, 3)


def test_the_plan_caption_says_whether_the_runs_train_together_or_queue():
    """N seeds of DQN are one population: no queue between them is promised; a sweep of
    network sizes (other shapes) trains run by run, at most the workers' cap at once."""
    at = open_page("pages/train.py", mode="seeds", seeds="3")
    captions = " ".join(c.value for c in at.caption)
    assert "3 runs, trained together in one process" in captions
    assert "train at once" not in captions
    at.radio(key="train_mode_en").set_value("sweep").run()
    at.selectbox(key="train_sweep_param").set_value("hidden").run()
    at.text_input(key="train_sweep_values_hidden").set_value("16; 32").run()
    captions = " ".join(c.value for c in at.caption)
    assert re.search(r"\d+ runs\. At most \d+ train at once", captions)
    assert "trained together" not in captions
