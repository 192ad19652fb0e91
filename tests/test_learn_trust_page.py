"""The PPO & TRPO Learn page renders in both languages and every figure follows its widgets."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import t

PAGE = Path(__file__).resolve().parent.parent / "pages" / "learn_trust.py"
P = "learn_trust"
# per figure (in page order) one widget change that must redraw it
CHANGES = [
    ("slider", f"{P}.clip.eps", 0.3),
    ("select_slider", f"{P}.upd.lr", 20.0),
    ("select_slider", f"{P}.upd.delta", 0.1),
    ("toggle", f"{P}.gae.as_terminal", True),
    ("slider", f"{P}.tr.t1", 1.0),
]


def run(lang="en"):
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state["lang"] = lang
    return at.run()


def specs(at):
    return [c.proto.spec for c in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders(lang):
    at = run(lang)
    assert not at.exception, at.exception
    assert at.title[0].value == t("lt.title", lang)
    assert len(at.get("plotly_chart")) == 5
    assert len(at.latex) >= 4
    toc = next(m.value for m in at.markdown if "](#" in m.value)
    assert toc.count("](#") == 3
    assert len(at.dataframe) == 1  # the four update rules, KL both ways


def test_every_figure_follows_its_widget():
    at = run()
    for i, (kind, key, value) in enumerate(CHANGES):
        before = specs(at)
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, at.exception
        assert specs(at)[i] != before[i], key


def test_trpo_metrics_show_the_steps_and_the_line_search():
    at = run()
    labels = {m.label: m.value for m in at.metric}
    natural = float(labels[t("lt.tr.natural", "en")])
    gradient = float(labels[t("lt.tr.gradient", "en")])
    assert natural > gradient > 0  # default θ_old: the best action is rare
    assert int(labels[t("lt.tr.backtracks", "en")]) == 0  # the model KL was right here
    # θ_old = (-1, -1), δ = 0.2: the full natural step's exact KL is 0.221 > δ: one backtrack
    at.select_slider(key=f"{P}.tr.delta").set_value(0.2)
    at.slider(key=f"{P}.tr.t1").set_value(-1.0)
    at.slider(key=f"{P}.tr.t2").set_value(-1.0).run()
    assert int({m.label: m.value for m in at.metric}[t("lt.tr.backtracks", "en")]) == 1
