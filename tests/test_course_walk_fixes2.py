"""The rest of what the course walk found (issue 24), second pass: each item with a test
that failed on the code before it (time estimates, Compare, the offline actions picture,
the learn pages' Chinese, the SAC alpha link)."""

import json

import pandas as pd
import pytest

from rlcore.service import speed
from rlcore.service.jobs import JobQueue, seed_plan
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs


# -- "no estimate yet" once an identical run has finished ----------------------------
def _tiny(algo="dqn", env="CartPole-v1", **hp):
    base = {"hidden": (16,)} | ({"learning_starts": 100} if algo == "dqn" else {})
    return make_configs(
        algo, env, base | hp, {"steps": 400, "eval_episodes": 1, "log_every": 100}, use_preset=False
    )


def _running(store, algo, env, rows=()):
    """A run of ``algo`` holding the worker now (its active ticket, the only one), its ``rows``."""
    active = store.root / ".queue" / "active"
    for old in active.glob("*.json"):
        old.unlink()
    run, cfg = make_configs(algo, env, {"hidden": (16,)}, {"steps": 10_000}, use_preset=False)
    rid = store.create(run, cfg)
    store.set_status(rid, "running", step=rows[-1]["step"] if rows else 0)
    with open(store.path(rid) / "metrics.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    active.mkdir(parents=True, exist_ok=True)
    (active / f"{rid}.json").write_text(json.dumps({"pid": 1}))
    return rid


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """A runs folder where one tiny DQN run finished (its speed recorded)."""
    store = RunStore(tmp_path_factory.mktemp("runs"))
    run, algo = _tiny()
    assert run_job(store.create(run, algo), store) == "finished"
    return store


def test_an_identical_finished_run_gives_an_estimate_whatever_else_trains(measured, monkeypatch):
    from ui import jobs

    store = measured
    run, algo = _tiny()  # the same algorithm, environment, steps, network and n_envs
    est = speed.estimate(store.root, run, algo)
    assert est is not None and est.basis == "measured"
    plan = seed_plan(run, algo, 2).runs
    # a run of an algorithm never measured here trains beside it (the walk's case):
    # the plan still finds a free worker, so its time is known (it was "no estimate")
    _running(store, "a2c", "CartPole-v1")
    two = JobQueue(store, max_workers=2, launcher=lambda *_: None, dispatch=False)
    when = speed.forecast(two, plan)
    assert when["plan:0"] == pytest.approx((0.0, est.seconds))
    assert when["plan:1"] == pytest.approx((est.seconds, 2 * est.seconds))
    monkeypatch.setattr(jobs, "queue", lambda: two)
    monkeypatch.setattr(jobs, "RunStore", lambda: store)
    text = jobs.runs_estimate(list(plan))
    assert "No estimate" not in text and "about" in text, text


def test_a_running_run_counts_with_its_own_measured_speed(measured):
    store = measured
    run, algo = _tiny()
    est = speed.estimate(store.root, run, algo)
    # one worker, held by an unmeasured A2C run that has measured itself: 2 ms a step,
    # 4,000 of its 10,000 steps done -> 12 s left, then the plan
    rows = [{"step": s, "time/elapsed": s * 0.002, "time/sps": 500.0} for s in range(0, 4001, 500)]
    rid = _running(store, "a2c", "CartPole-v1", rows)
    one = JobQueue(store, max_workers=1, launcher=lambda *_: None, dispatch=False)
    when = speed.forecast(one, seed_plan(run, algo, 1).runs)
    assert when["plan:0"] == pytest.approx((12.0, 12.0 + est.seconds))
    assert speed.own_rates(store.path(rid) / "metrics.jsonl", 0) == (None, pytest.approx(0.002))
    # a run that has not measured itself yet: the wait behind it is not known, said so
    _running(store, "a2c", "CartPole-v1")
    assert speed.forecast(one, seed_plan(run, algo, 1).runs)["plan:0"] is None


# -- Compare: a seed once, an axis per environment, one name for the interval ----------
def _saved(store, algo, env, seed, scale, created=None):
    """A finished run written by hand: evaluations every 1,000 steps rising to ``scale``."""
    run, cfg = make_configs(algo, env, {"hidden": (8,)}, {"steps": 5000, "seed": seed})
    rid = store.create(run, cfg)
    with open(store.path(rid) / "metrics.jsonl", "w") as f:
        for s in range(1000, 6000, 1000):
            f.write(json.dumps({"step": s, "eval/return_mean": scale * s / 5000 + seed}) + "\n")
    store.set_status(rid, "finished", step=5000, eval_return=scale + seed)
    return rid


def _compare_page(ids, band=None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/compare.py")
    at.query_params["runs"] = ",".join(ids)
    at.run()
    if band is not None:
        at.radio(key="cmp_band_en").set_value(band).run()
    assert not at.exception, at.exception
    return at


def test_compare_counts_a_seed_once_and_draws_each_environment_on_its_own_axis():
    from ui import charts

    store = RunStore()
    seeds = [_saved(store, "dqn", "CartPole-v1", s, 500.0) for s in (0, 1, 2)]
    again = _saved(store, "dqn", "CartPole-v1", 0, 500.0)  # a lesson ran seed 0 again
    pendulum = [_saved(store, "sac", "Pendulum-v1", s, -1200.0) for s in (0, 1)]
    at = _compare_page([*seeds, again, *pendulum])
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    lines = {t["name"]: t for t in spec["data"] if t.get("showlegend") is not False}
    (cartpole,) = [n for n in lines if n.startswith("DQN")]
    (pend,) = [n for n in lines if n.startswith("SAC")]
    assert cartpole.endswith("(n=3)") and pend.endswith("(n=2)"), list(lines)  # was n=4
    # CartPole (0..500) and Pendulum (-1,200..0) on separate panels, each its own y axis
    assert lines[cartpole].get("yaxis", "y") != lines[pend].get("yaxis", "y")
    titles = {a["text"] for a in spec["layout"]["annotations"]}
    assert {"<b>CartPole-v1</b>", "<b>Pendulum-v1</b>"} <= titles
    y1, y2 = spec["layout"]["yaxis"]["domain"], spec["layout"]["yaxis2"]["domain"]
    assert y1[0] >= y2[1] or y2[0] >= y1[1]  # stacked, not overlapping
    # the caption names the interval the chart draws, whichever band is picked
    for band in ("bootstrap", "minmax"):
        at = _compare_page([*seeds, again], band=band)
        title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
        captions = " ".join(c.value for c in at.caption)
        assert charts.band_text(band) in title and charts.band_text(band) in captions
        assert "95% confidence band" not in at.caption[0].value + captions


def test_dataset_scores_count_each_seed_once_and_name_their_interval():
    from ui import charts, compare
    from ui.i18n import t

    row = {"dataset": "d1", "algo": "cql", "config": "k", "step": 1000, "final": 1.0}
    frame = pd.DataFrame(
        [
            row | {"id": "a", "seed": 0, "score": 10.0, "created": pd.Timestamp(1)},
            row | {"id": "b", "seed": 1, "score": 30.0, "created": pd.Timestamp(2)},
            row | {"id": "c", "seed": 0, "score": 12.0, "created": pd.Timestamp(3)},  # again
        ]
    )
    (summary,) = compare.dataset_summary(frame).itertuples()
    assert summary.n == 2 and summary.score == pytest.approx((12.0 + 30.0) / 2)  # newest seed 0
    assert "t-interval" not in t("cmp.dataset.help", band=charts.band_text("bootstrap"))
    assert charts.band_text("minmax") in t("cmp.dataset.help", band=charts.band_text("minmax"))


# -- the offline actions picture: no policy in the red of "no data here" ---------------
def _actions_data():
    import numpy as np

    rng = np.random.default_rng(0)
    angle = rng.uniform(-np.pi, np.pi, 300)
    data = np.clip(-angle / 2 + rng.normal(0, 0.3, 300), -2, 2)
    pols = {name: np.clip(-angle / k, -2, 2) for name, k in (("BC", 2), ("CQL", 1.5), ("IQL", 3))}
    return {"angle": angle, "data": data, "policies": pols}


def _rgb(colour):
    import plotly.colors as pc

    if colour.startswith("#"):
        return pc.hex_to_rgb(colour)
    return tuple(float(v) for v in colour[colour.index("(") + 1 : -1].split(",")[:3])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_policy_is_drawn_in_the_colour_of_the_actions_the_data_never_shows(lang):
    import streamlit as st

    from ui.actions import actions_figure
    from ui.i18n import t

    st.session_state["lang"] = lang
    try:
        fig = actions_figure(_actions_data())
        ood = next(tr for tr in fig.data if tr.name == t("actions.ood"))
        ood_rgb = _rgb(ood.fillcolor)
        for name in ("BC", "CQL", "IQL"):
            (trace,) = [tr for tr in fig.data if tr.name == name]
            r, g, b = _rgb(trace.marker.color)
            # far from the shade's hue: not red (red well above green and blue)
            assert (r, g, b) != ood_rgb and not (r > 200 and g < 130 and b < 150), (name, lang)
        ticks = list(fig.layout.xaxis.ticktext)
        assert ticks[2] == t("actions.up") and ("(up)" in ticks[2]) == (lang == "en")
    finally:
        del st.session_state["lang"]


# -- the learn pages in Chinese: formula labels and "critic" -----------------------------
NAMES = ("SARSA", "Q-learning", "REINFORCE")  # algorithm names stay as they are written


@pytest.mark.parametrize("page", ["learn_policy", "learn_offline", "learn_foundations"])
def test_formula_labels_are_in_chinese_on_the_chinese_page(page):
    import re

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(f"../pages/{page}.py", default_timeout=90)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    labels = [x for m in at.latex for x in re.findall(r"\}_\{\\text\{([^{}]*)\}\}", m.value)]
    assert labels, "no labelled underbrace found"
    english = [x for x in labels if re.search(r"[A-Za-z]{3,}", re.sub("|".join(NAMES), "", x))]
    assert not english, english  # e.g. "reparameterized", "score function", "improved only"
    assert not any(r"\text{or}" in m.value for m in at.latex)


def test_no_chinese_text_leaves_critic_in_english():
    import re

    from ui.i18n import catalogue

    left = [
        k
        for k, v in catalogue().items()
        if re.search(r"\bcritic\b", re.sub(r"`[^`]*`", "", v.get("zh", "")))
    ]
    assert not left, left  # "N 个 critic", "critic 集成": 评论家


# -- links to an explorer section land on its heading ----------------------------------
def _header_anchors(page):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(f"../pages/{page}.py", default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return {h.proto.anchor for h in at.header}


def test_every_link_to_an_explorer_names_an_anchor_its_page_renders():
    from ui import course
    from ui.learn.links import EXPLORERS

    wanted: dict[str, set[str]] = {}
    for tp in course.TOPICS:
        wanted.setdefault(tp.page, set()).add(tp.anchor)
    for page, anchor, _ in (x for links in EXPLORERS.values() for x in links):
        wanted.setdefault(page, set()).add(anchor)
    assert "sac-alpha" in wanted["learn_policy"]
    for page, anchors in wanted.items():
        missing = anchors - _header_anchors(page)
        assert not missing, (page, missing)


ANCHOR_TOP = """(() => {
  const e = document.getElementById('sac-alpha');
  return e ? e.getBoundingClientRect().top : null;
})()"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_alpha_lessons_explorer_link_lands_on_its_heading(tmp_path, lang):
    """Chromium: the lesson's link opens the explorer (a new tab) scrolled to the section."""
    import re
    import time

    from playwright.sync_api import sync_playwright

    from appserver import AppServer, idle, launch_chromium, require_browser

    require_browser()
    with AppServer(tmp_path / "runs") as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(f"{server.url}/?topic=alpha" + ("&lang=zh" if lang == "zh" else ""))
        link = page.locator("a[href*='#sac-alpha']").first
        link.wait_for(timeout=90_000)
        assert re.search(r"/learn_policy\?.*#sac-alpha$", link.get_attribute("href"))
        with ctx.expect_page() as opened:
            link.click()
        tab = opened.value
        tab.wait_for_selector("#sac-alpha", timeout=90_000)
        idle(tab)
        time.sleep(2)  # charts and formulas above it finish drawing
        top = tab.evaluate(ANCHOR_TOP)
        browser.close()
    # the heading sits at the top of the window (under Streamlit's 60 px header), not
    # somewhere down the page or scrolled past
    assert top is not None and 0 <= top < 150, top


def test_the_landing_script_runs_under_the_public_demos_csp(tmp_path):
    """The image's server (deploy/serve.py, CSP: scripts from itself only) serves and runs it."""
    import time
    import urllib.request

    from playwright.sync_api import sync_playwright
    from test_deploy import image_server

    from appserver import idle, launch_chromium, require_browser

    require_browser()
    with image_server(tmp_path) as server, sync_playwright() as pw:
        with urllib.request.urlopen(server.url + "/app/static/anchor.js", timeout=10) as r:
            assert r.status == 200 and b"scrollIntoView" in r.read()
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
        page.goto(f"{server.url}/learn_policy#sac-alpha")
        page.wait_for_selector("#sac-alpha", timeout=90_000)
        idle(page)
        time.sleep(1)
        landed = page.evaluate("window.rlcoreLanded || null")
        browser.close()
    assert landed is not None and landed.endswith("#sac-alpha") and not refused, refused
