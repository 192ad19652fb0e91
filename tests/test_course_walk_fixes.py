"""Smaller things the course walk found (issue 24): a progress bar never past its budget,
every panel line named, "1 trial" in the singular, importances on few trials flagged."""

import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import charts, search
from ui.i18n import t


def _progress_script():
    from ui.jobs import RunState
    from ui.live import _progress

    _progress(RunState("r1", "finished", 20_224, 20_000, None, None, "", "A2C"))


def test_progress_never_shows_more_steps_than_the_budget():
    at = AppTest.from_function(_progress_script).run()
    assert not at.exception, at.exception
    (bar,) = at.get("progress")
    assert "20,000 / 20,000" in bar.proto.text and "20,224" not in bar.proto.text


def test_a_panel_with_one_line_still_names_it():
    df = pd.DataFrame({"step": [1, 2, 3], "train/entropy": [1.0, 0.5, 0.2]})
    fig = charts.panel_figure(df, ["train/entropy"], "Exploration")
    assert fig.layout.showlegend is True
    assert fig.data[0].name == charts.metric_label("train/entropy")


def test_one_trial_is_said_in_the_singular():
    assert search.wait_text(1) == t("search.fig.wait_one")
    assert "1 trial is" in search.wait_text(1) and "trials" not in search.wait_text(1)
    assert search.wait_text(3) == t("search.fig.wait", n=3)


def _importances_script():
    import plotly.graph_objects as go

    from ui.search import _draw

    _draw("importances", go.Figure(), "k", n_complete=2)
    _draw("parallel", go.Figure(), "k2", n_complete=2)


def test_importances_on_fewer_than_five_complete_trials_are_flagged():
    at = AppTest.from_function(_importances_script).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [t("search.fig.few", n=2, need=search.FEW_TRIALS)]
