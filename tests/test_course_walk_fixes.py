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


def _key(algo="dqn", **hp):
    import json

    base = {"batch_size": 64, "buffer_size": 100_000, "double_q": False, "dueling": False}
    base |= {"gamma": 0.99, "lr": 1e-3}
    return json.dumps(
        {"run": {"algo": algo, "env": "CartPole-v1", "steps": 1000}, "algo": base | hp},
        sort_keys=True,
    )


def test_what_differs_shows_the_fields_that_vary_most_first():
    from ui import compare

    # search trials differ in lr and gamma (every trial its own); a preset run beside them
    # also differs in batch size, buffer, double_q and dueling (one value apart each)
    trials = [_key(lr=lr, gamma=g) for lr, g in ((1e-3, 0.9), (3e-4, 0.95), (1e-4, 0.99))]
    other = _key(batch_size=128, buffer_size=50_000, double_q=True, dueling=True, lr=2e-3)
    shown = compare.differences([*trials, other])
    assert shown[0].startswith("lr=0.001 · gamma=0.9"), shown
    assert all("lr=" in s and "gamma=" in s for s in shown[:3])
    # another algorithm's settings are not compared with DQN's
    assert compare.differences([trials[0], _key(algo="sac")]) == ["", ""]


def test_parallel_coordinates_draw_no_near_white_lines():
    import plotly.colors as pc
    import plotly.graph_objects as go

    fig = go.Figure(go.Parcoords(line={"color": [0.0, 1.0], "colorscale": "Blues"}))
    fig = search._style(fig, "Parallel coordinates", "k")
    scale = fig.data[0].line.colorscale
    assert len(scale) > 2
    for _, colour in scale:
        r, g, b = pc.hex_to_rgb(colour) if colour.startswith("#") else pc.unlabel_rgb(colour)
        assert (r + g + b) / 3 < 235, colour  # nothing close to the white page


def test_train_the_best_says_start_is_next():
    assert "Start" in t("search.train_best", "en") and "开始" in t("search.train_best", "zh")
    assert "Nothing starts" in t("search.train_best.help", "en")


def test_train_links_name_the_algorithm_as_the_learner_reads_it():
    import streamlit as st

    from ui.learn import links

    for lang in ("en", "zh"):
        st.session_state["lang"] = lang
        try:
            page, label = links.train_label("sac", "Pendulum-v1")
            assert page == "train" and "SAC" in label and "sac" not in label.replace("SAC", "")
            page, label = links.train_label("td3_bc")
            assert page == "offline" and "TD3+BC" in label and "td3_bc" not in label
        finally:
            del st.session_state["lang"]
