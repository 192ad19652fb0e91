"""The run charts never mislead: bands within what is possible and said, readable axes,
legends and ticks, the warm-up spike kept out of the speed scale; Compare tells runs apart."""

import json

import numpy as np
import pandas as pd
import pytest
from test_algos import ALL, one_batch, small_configs

from rlcore.train.trainer import build_agent
from ui import charts, compare
from ui.i18n import catalogue


def cartpole_seeds():
    """Three CartPole seeds evaluated twice: wildly different, as three seeds can be."""
    return {
        "DQN · CartPole-v1": [
            pd.DataFrame({"step": [1000, 2000], "eval/return_mean": [10.0, 500.0]}),
            pd.DataFrame({"step": [1000, 2000], "eval/return_mean": [20.0, 480.0]}),
            pd.DataFrame({"step": [1000, 2000], "eval/return_mean": [500.0, 9.0]}),
        ]
    }


def band_ys(fig):
    fills = [tr for tr in fig.data if tr.fill == "toself"]
    assert fills, "no band drawn"
    return np.concatenate([np.asarray(tr.y, float) for tr in fills])


@pytest.mark.parametrize("band", charts.BANDS)
def test_band_of_three_cartpole_seeds_stays_within_0_and_500_and_says_what_it_is(band):
    groups = cartpole_seeds()
    fig = charts.band_figure(
        groups, "eval/return_mean", band=band, bounds={"DQN · CartPole-v1": (0.0, 500.0)}
    )
    ys = band_ys(fig)
    # a Student t interval with n = 3 drew this band from about -1000 to +1500
    assert ys.min() >= 0.0 and ys.max() <= 500.0
    assert charts.band_text(band) in fig.layout.title.text
    assert "bootstrap" in fig.layout.title.text or "lowest to highest" in fig.layout.title.text


def test_bootstrap_interval_by_hand():
    # two values 0 and 10: resampled means are 0, 5, 10 with chances 1/4, 1/2, 1/4, so the
    # 2.5% and 97.5% percentiles are 0 and 10
    mean, low, high, n = charts.bootstrap_interval(np.array([[0.0], [10.0]]))
    assert mean[0] == 5.0 and low[0] == 0.0 and high[0] == 10.0 and n[0] == 2
    # never outside the values, narrower than their range with more of them
    v = np.array([1.0, 2.0, 3.0, 2.0, 2.5, 1.5])
    mean, low, high, _ = charts.bootstrap_interval(v)
    assert 1.0 < low[0] < mean[0] < high[0] < 3.0
    # one value says nothing about the spread; NaN seeds are ignored
    _, low, high, n = charts.bootstrap_interval(np.array([[1.0, 4.0], [np.nan, 6.0]]))
    assert np.isnan(low[0]) and np.isnan(high[0]) and n.tolist() == [1, 2]
    assert low[1] == 4.0 and high[1] == 6.0


def test_min_max_band_and_clipping():
    v = np.array([[-5.0, 1.0], [7.0, 3.0], [2.0, np.nan]])
    mean, low, high, _ = charts.spread(v, "minmax", bounds=(0.0, None))
    assert mean.tolist() == pytest.approx([4 / 3, 2.0])
    assert low.tolist() == [0.0, 1.0] and high.tolist() == [7.0, 3.0]
    with pytest.raises(ValueError, match="band = 't'"):
        charts.spread(v, "t")


def test_sensitivity_plot_writes_its_log_ticks_plainly():
    points = pd.DataFrame({"value": [1e-3, 1e-3, 3e-4, 3e-3], "final": [100, 120, 80, 500.0]})
    fig = charts.sensitivity_figure(points, "lr", log_x=True, bounds=(0.0, 500.0))
    axis = fig.layout.xaxis
    assert axis.type == "log"
    assert list(axis.tickvals) == [3e-4, 1e-3, 3e-3]
    assert list(axis.ticktext) == ["0.0003", "0.001", "0.003"]
    mean_trace = fig.data[1]
    top = np.asarray(mean_trace.y) + np.asarray(mean_trace.error_y.array)
    assert top.max() <= 500.0


def test_every_metric_an_algorithm_logs_has_a_name_in_both_languages():
    keys = set()
    for algo, env in ALL:
        run, cfg = small_configs(algo, env)
        agent = build_agent(run, cfg)
        keys |= {f"train/{k}" for k in agent.update(one_batch(agent, env))}
        keys |= set(agent.exploration_metrics())
    missing = sorted(k for k in keys if f"metric.{k}" not in catalogue())
    assert not missing  # a legend would show e.g. "train/q_pi_mean"
    assert charts.metric_label("train/q_pi_mean") == "Q of the policy's actions"
    assert charts.metric_label("train/some_new_thing") == "some new thing"


def offline_run():
    return pd.DataFrame(
        {
            "step": [1000, 2000],
            "eval/return_mean": [-700.0, -400.0],
            "eval/return_std": [300.0, 500.0],
            "ref/dataset_return": [-680.0, np.nan],
        }
    )


def test_offline_return_chart_reference_lines_are_in_the_legend_and_axis_counts_gradient_steps():
    refs = [("dataset mean", -680.0), ("expert", -150.0), ("random", -690.0)]
    fig = charts.return_figure(
        offline_run(),
        refs=refs,
        x_title=charts.step_title(True),
        bounds=(-3254.8, 0.0),
    )
    assert not fig.layout.annotations  # labels on the lines overlapped (-680 and -690)
    names = [tr.name for tr in fig.data]
    assert "dataset mean (-680.0)" in names and "random (-690.0)" in names
    assert fig.layout.xaxis.title.text == "gradient steps"
    # the axis starts at 0: with one evaluation Plotly zoomed to ticks like 1,999.5
    assert fig.layout.xaxis.rangemode == "tozero"
    band = band_ys(fig)
    assert band.max() <= 0.0  # -700 ± 300 is clipped at Pendulum's best return, 0


def test_speed_panel_keeps_the_warm_up_spike_off_its_scale():
    df = pd.DataFrame({"step": [500, 1000, 2000, 3000], "time/sps": [23005.0, 21000.0, 80, 90]})
    fig = charts.panel_figure(df, ["time/sps"], "Speed", warmup=1000)
    assert fig.layout.yaxis.range[1] == pytest.approx(90 * 1.25)
    assert fig.layout.shapes[0].x1 == 1000
    assert "warm-up" in fig.layout.annotations[0].text


def config_key(lr, seed=0, algo="dqn"):
    return json.dumps(
        {"run": {"algo": algo, "env": "CartPole-v1", "steps": 1000}, "algo": {"lr": lr}},
        sort_keys=True,
    )


def test_compare_says_what_differs_between_runs():
    keys = [config_key(1e-3), config_key(3e-4), config_key(1e-3)]
    assert compare.differences(keys) == ["lr=0.001", "lr=0.0003", "lr=0.001"]
    labels = compare.group_labels(keys)
    assert labels[keys[0]] == "DQN · CartPole-v1 · lr=0.001"
    assert compare.group_bounds(keys, "eval/return_mean")[labels[keys[1]]] == (0.0, 500.0)
    assert compare.group_bounds(keys, "train/critic_loss") == {}
    frame = pd.DataFrame(
        {c: [None] * 3 for c in compare.TABLE_COLUMNS}
        | {"config": keys, "status": ["finished"] * 3, "position": [None] * 3, "wall": [1.0] * 3}
    )
    table = compare.display_table(frame)
    assert table["what differs"].tolist() == ["lr=0.001", "lr=0.0003", "lr=0.001"]


def test_offline_actions_against_states_shade_what_the_data_never_shows():
    from ui.actions import actions_figure, coverage, state_angle

    theta = np.array([0.0, 0.05, 0.1, 3.0])
    obs = np.stack([np.cos(theta), np.sin(theta), np.zeros(4)], axis=1)
    np.testing.assert_allclose(state_angle(obs), theta, atol=1e-12)
    x = np.array([0.01, 0.02, 0.03, 3.0])
    a = np.array([-0.5, 0.5, 0.2, 1.5])
    _, low, high = coverage(x, a, bins=4)  # bins of width π/2 from -π
    assert low.tolist()[2:] == [-0.5, 1.5] and high.tolist()[2:] == [0.5, 1.5]
    assert np.isnan(low[:2]).all()  # no data between -π and 0: all of it off the data
    d = {"angle": x, "data": a, "policies": {"BC": np.zeros(4), "CQL": np.ones(4)}}
    fig = actions_figure(d)
    names = [tr.name for tr in fig.data]
    assert names[2:] == ["dataset actions", "BC", "CQL"]
    _, _, high = coverage(x, a)  # the figure's 36 bins
    ood_top = np.asarray(fig.data[0].y, float)[: len(high)]
    # shaded from the data's highest action up, all the way where a bin has no data
    np.testing.assert_array_equal(ood_top, np.where(np.isnan(high), 2.0, high))
    assert sorted(set(ood_top)) == [0.5, 1.5, 2.0]


def test_a_prediction_is_drawn_over_the_sweep_it_was_made_for():
    from ui.predict import reveal_figure

    points = pd.DataFrame({"value": [1e-3, 1e-2], "final": [100.0, 400.0]})
    fig = charts.sensitivity_figure(points, "lr", log_x=True)
    pred = {"kind": "sweep", "param": "lr", "guesses": {"0.01": 300.0, "0.001": 200.0}}
    fig = reveal_figure(fig, pred)
    mine = fig.data[-1]
    assert mine.name == "your prediction" and list(mine.x) == [0.001, 0.01]
    assert list(mine.y) == [200.0, 300.0] and mine.line.dash == "dash"
