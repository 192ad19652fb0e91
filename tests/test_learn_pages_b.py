"""The Offline-ideas and Maths-toolbox Learn pages render in both languages, every
figure follows its sliders, and the learning-dynamics explorers step and play."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import t

PAGES = Path(__file__).resolve().parent.parent / "pages"

# page -> title key, and per figure (in page order) one widget change that must redraw it
CASES = {
    "learn_offline": (
        "lo.title",
        [
            ("slider", "learn_offline.cql.range", (-1.0, 0.5)),
            ("slider", "learn_offline.iql.tau", 0.6),
            ("slider", "learn_offline.awr.beta", 1.0),
            ("slider", "learn_offline.ens.n", 3),
            ("slider", "learn_offline.bc.good", 0.8),
        ],
    ),
    "learn_maths": (
        "lm.title",
        [
            ("slider", "learn_maths.kl.mu_p", -1.0),
            ("slider", "learn_maths.dual.limit", 2.0),
            ("slider", "learn_maths.cov.rho", -0.5),
            ("slider", "learn_maths.bp.x", -1.2),
            ("radio", "learn_maths.max.dim", 1),
        ],
    ),
}


def run(page, lang="en"):
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def specs(at):
    return [c.proto.spec for c in at.get("plotly_chart")]


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", CASES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders(page, lang):
    at = run(page, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == t(CASES[page][0], lang)
    assert len(at.get("plotly_chart")) == 5
    assert len(at.latex) >= 5
    # the table of contents links every section
    toc = at.markdown[0].value if "](#" in at.markdown[0].value else at.markdown[1].value
    assert toc.count("](#") == 5


@pytest.mark.parametrize("page", CASES)
def test_every_figure_follows_its_widget(page):
    at = run(page)
    for i, (kind, key, value) in enumerate(CASES[page][1]):
        before = specs(at)
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, at.exception
        after = specs(at)
        assert after[i] != before[i], key


def test_cql_steps_plays_and_resets():
    at = run("learn_offline")
    steps = t("lo.steps", "en")
    assert metric(at, steps) == "0"
    before = specs(at)[0]
    at.button(key="learn_offline.cql.step").click().run()
    assert metric(at, steps) == "10"
    assert specs(at)[0] != before
    at.toggle(key="learn_offline.cql.play").set_value(True).run()  # a tick per run
    assert metric(at, steps) == "20"
    at.run()
    assert metric(at, steps) == "30"
    at.toggle(key="learn_offline.cql.play").set_value(False).run()
    at.button(key="learn_offline.cql.reset").click().run()
    assert metric(at, steps) == "0"
    assert not at.exception


def test_a_changed_setting_restarts_the_dynamics():
    at = run("learn_maths")
    at.button(key="learn_maths.dual.step").click().run()
    assert metric(at, t("lm.steps", "en")) == "5"
    at.slider(key="learn_maths.dual.primal_lr").set_value(0.1).run()
    assert metric(at, t("lm.steps", "en")) == "0"
    at.button(key="learn_maths.dual.step").click().run()
    assert metric(at, t("lm.steps", "en")) == "5"


def test_expectile_fit_steps_towards_the_expectile():
    at = run("learn_offline")
    label = t("lo.iql.estimate", "en")
    start = float(metric(at, label))
    for _ in range(3):
        at.button(key="learn_offline.iql.step").click().run()
    exact = float(metric(at, t("lo.iql.exact", "en", tau="0.90")))
    assert abs(float(metric(at, label)) - exact) < abs(start - exact)
