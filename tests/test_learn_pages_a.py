"""The Foundations, Value-based and Policy Learn pages render in both languages, and their
widgets really drive the figures (AppTest; run_every is not simulated, so we call run())."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

PAGES = {
    "learn_foundations": ["randomness", "td-learning", "occupancy"],
    "learn_value": ["dqn", "clipped-double-q", "lse"],
    "learn_policy": ["reparameterization", "sac-alpha", "policy-gradient"],
}


def run_page(name, lang="en"):
    at = AppTest.from_file(f"../pages/{name}.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def specs(at):
    """Figure data by chart key (the key ends the element id)."""
    return {
        c.proto.id.split("-", 2)[-1]: json.loads(c.proto.spec)["data"]
        for c in at.get("plotly_chart")
    }


def array(v):
    """A trace's x or y: Plotly may send arrays base64-encoded."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_with_contents_and_formulas(name, lang):
    at = run_page(name, lang)
    text = "\n".join(m.value for m in at.markdown)
    for anchor in PAGES[name]:
        assert f"(#{anchor})" in text  # table of contents links every section
    assert len(at.get("plotly_chart")) >= 5
    assert len(at.latex) == 3
    assert ("本页内容" in text) == (lang == "zh")


@pytest.mark.parametrize(
    ("name", "slider", "value", "chart"),
    [
        ("learn_foundations", "rand.temperature", 0.5, "rand.running"),
        ("learn_foundations", "occ.gamma", 0.7, "occ.table"),
        ("learn_value", "cdq.std", 0.5, "cdq.curve"),
        ("learn_value", "lse.temperature", 0.1, "lse.softmax"),
        ("learn_policy", "rep.sigma", 1.0, "rep.hist"),
        ("learn_policy", "pg.offset", 0.0, "pg.variance"),
    ],
)
def test_slider_changes_figure(name, slider, value, chart):
    at = run_page(name)
    before = specs(at)[f"{name}.{chart}"]
    key = f"{name}.{slider}"
    widget = at.slider(key=key) if key in [w.key for w in at.slider] else at.select_slider(key=key)
    widget.set_value(value).run()
    assert not at.exception
    assert specs(at)[f"{name}.{chart}"] != before


@pytest.mark.parametrize(
    ("name", "prefix", "chart"),
    [
        ("learn_foundations", "td", "td.table"),
        ("learn_foundations", "occ", "occ.map"),
        ("learn_policy", "alpha", "alpha.fig"),
    ],
)
def test_step_and_play_advance_the_dynamics(name, prefix, chart):
    at = run_page(name)
    first = specs(at)[f"{name}.{chart}"]
    at.button(key=f"{name}.{prefix}.step").click().run()
    stepped = specs(at)[f"{name}.{chart}"]
    assert stepped != first
    at.toggle(key=f"{name}.{prefix}.play").set_value(True).run()  # one tick of play
    assert specs(at)[f"{name}.{chart}"] != stepped
    at.toggle(key=f"{name}.{prefix}.play").set_value(False).run()
    at.button(key=f"{name}.{prefix}.reset").click().run()
    assert specs(at)[f"{name}.{chart}"] == first


def test_td_step_reports_target_and_error():
    at = run_page("learn_foundations", "zh")
    at.button(key="learn_foundations.td.step").click().run()
    text = "\n".join(m.value for m in at.markdown)
    assert "TD 目标" in text and "TD 误差" in text


def test_dqn_runs_only_after_the_button():
    at = run_page("learn_value")
    assert len(array(specs(at)["learn_value.dqn.fig"][0]["x"])) == 0  # empty until trained
    at.select_slider(key="learn_value.dqn.steps").set_value(2000).run()
    at.button(key="learn_value.dqn.run").click().run()
    assert not at.exception
    data = specs(at)["learn_value.dqn.fig"]
    np.testing.assert_array_equal(array(data[0]["x"]), [500, 1000, 1500, 2000])  # evaluations
    assert len(array(data[3]["x"])) >= 15  # online network, logged every 100 steps


LINKS = {
    "learn_foundations": ["algo=reinforce&env=CartPole-v1", "algo=dqn&env=CliffWalking-v1"],
    "learn_value": ["algo=dqn&env=CartPole-v1", "algo=td3&env=Pendulum-v1"],
    "learn_policy": [
        "algo=sac&env=Pendulum-v1",
        "algo=sac&env=Pendulum-v1",
        "algo=reinforce&env=CartPole-v1",
        "algo=a2c&env=CartPole-v1",
    ],
}


def test_train_preset_links_through_the_router():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    has_train = (Path(__file__).resolve().parent.parent / "pages" / "train.py").exists()
    for name, queries in LINKS.items():
        at.switch_page(f"pages/{name}.py").run()
        assert not at.exception
        links = [(link.proto.page, link.proto.query_string) for link in at.get("page_link")]
        train = [x for x in links if x[0] != "home"]  # the course's links are their own test
        assert train == ([("train", q) for q in queries] if has_train else [])
