"""Plotly figures from run metrics (pandas DataFrames with a ``step`` column).

No Streamlit here: every function takes DataFrames and returns a ``go.Figure``, so the
figures are testable and the live view, the Compare page and the tests share them.
Each trace is downsampled to at most ``MAX_POINTS`` points, every figure has a fixed
height, and ``uirevision`` keeps the user's zoom across the live refreshes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.i18n import catalogue, t
from ui.palette import PALETTE, rgba

__all__ = [
    "PANELS",
    "align",
    "band_figure",
    "downsample",
    "final_return",
    "metric_label",
    "overlay_figure",
    "panel_figure",
    "panels",
    "return_figure",
    "sensitivity_figure",
    "series",
    "smooth",
    "t_interval",
]

MAX_POINTS = 2000
HEIGHT = 330

# The algorithm's insides, one figure each: (panel name, which metric keys it shows).
# A metric no panel claims lands in "other", so a new algorithm's diagnostics still show.
PANELS: list[tuple[str, Callable[[str], bool]]] = [
    ("losses", lambda k: k.startswith("train/") and k.endswith("_loss")),
    ("q_vs_mc", lambda k: k in ("eval/q_start", "eval/discounted_return")),
    (
        "values",
        lambda k: (
            k
            in (
                "train/q_mean",
                "train/target_q_mean",
                "train/q_pi_mean",
                "train/v_mean",
                "train/return_mean",
            )
        ),
    ),
    (
        "exploration",
        lambda k: (
            k
            in (
                "train/epsilon",
                "train/exploration_noise",
                "train/entropy",
                "train/alpha",
                "train/std",
            )
        ),
    ),
    # policy optimisation (PPO, TRPO): how far each update moves the policy
    (
        "clipping",
        lambda k: (
            k in ("train/clip_fraction", "train/clip_range", "train/ratio_std", "train/ratio_max")
        ),
    ),
    ("kl", lambda k: k in ("train/approx_kl", "train/kl", "train/target_kl")),
    ("epochs", lambda k: k == "train/epochs"),
    ("trust_step", lambda k: k in ("train/step_size", "train/step_norm")),
    ("line_search", lambda k: k in ("train/backtracks", "train/accepted")),
    ("surrogate", lambda k: k in ("train/surrogate_improvement", "train/cg_residual")),
    ("value_fit", lambda k: k == "train/explained_variance"),
    (
        "td",
        lambda k: (
            k
            in ("train/td_error", "train/advantage_mean", "train/advantage_std", "train/weight_std")
        ),
    ),
    ("grads", lambda k: k.startswith("train/") and k.endswith("grad_norm")),
    # offline insides
    ("score", lambda k: k == "eval/normalized_score"),
    ("conservative", lambda k: k in ("train/cql_penalty", "train/cql_weight", "train/cql_lse")),
    (
        "q_data_vs_ood",
        lambda k: k in ("train/q_data_mean", "train/q_rand_mean", "train/q_policy_mean"),
    ),
    (
        "weights",
        lambda k: k.startswith(("train/weight_", "train/bc_lambda")),
    ),
    ("ensemble", lambda k: k in ("train/ensemble_std", "train/diversity_loss")),
    ("speed", lambda k: k == "time/sps"),
]


PANEL_EVAL_KEYS = ("eval/q_start", "eval/discounted_return", "eval/normalized_score")


# -- numbers -------------------------------------------------------------------------
def series(df: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray]:
    """The ``(step, value)`` rows where ``key`` is present, as float arrays."""
    if df.empty or key not in df.columns or "step" not in df.columns:
        return np.empty(0), np.empty(0)
    rows = df[["step", key]].apply(pd.to_numeric, errors="coerce").dropna()
    return rows["step"].to_numpy(float), rows[key].to_numpy(float)


def downsample(x: np.ndarray, y: np.ndarray, n: int = MAX_POINTS) -> tuple[np.ndarray, ...]:
    """At most ``n`` evenly spaced points (first and last kept)."""
    if len(x) <= n:
        return x, y
    idx = np.unique(np.linspace(0, len(x) - 1, n).round().astype(int))
    return x[idx], y[idx]


def smooth(y: np.ndarray, weight: float) -> np.ndarray:
    """Debiased exponential moving average (TensorBoard's smoothing), weight in [0, 1)."""
    if weight <= 0 or len(y) == 0:
        return y
    return pd.Series(y).ewm(alpha=1.0 - weight, adjust=True).mean().to_numpy()


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, ...]:
    """Mean and Student-t confidence interval over axis 0, ignoring NaN.

    Returns ``(mean, low, high, n)``; where fewer than two values exist the interval is
    NaN (one seed says nothing about the spread).
    """
    from scipy import stats

    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]  # a 1-D sample: one column
    n = np.sum(~np.isnan(v), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(v, axis=0) / np.maximum(n, 1), np.nan)
        dev = np.where(np.isnan(v), 0.0, v - mean)
        sd = np.sqrt(np.sum(dev**2, axis=0) / np.maximum(n - 1, 1))
        half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
    half = np.where(n >= 2, half, np.nan)
    return mean, mean - half, mean + half, n


def align(
    curves: Sequence[tuple[np.ndarray, np.ndarray]], max_grid: int = 400
) -> tuple[np.ndarray, np.ndarray]:
    """Put curves on one step grid: ``(grid, values[curve, grid])``, NaN outside a curve.

    The grid is the union of the curves' steps (evaluations happen at the same steps
    for every seed) or, when that is large (episode ends differ per seed), an even grid.
    """
    curves = [(x, y) for x, y in curves if len(x)]
    if not curves:
        return np.empty(0), np.empty((0, 0))
    grid = np.unique(np.concatenate([x for x, _ in curves]))
    if len(grid) > max_grid:
        grid = np.linspace(grid[0], grid[-1], max_grid)
    out = np.full((len(curves), len(grid)), np.nan)
    for i, (x, y) in enumerate(curves):
        inside = (grid >= x[0]) & (grid <= x[-1])
        out[i, inside] = np.interp(grid[inside], x, y)
    return grid, out


def final_return(df: pd.DataFrame) -> float:
    """The last evaluation return of a run (NaN if it has none yet)."""
    _, y = series(df, "eval/return_mean")
    return float(y[-1]) if len(y) else float("nan")


def metric_label(key: str) -> str:
    """Readable name of a metric key (the key itself if there is no translation)."""
    k = f"metric.{key}"
    return t(k) if k in catalogue() else key


def panels(df: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The insides panels this run has data for: ``[(panel, [metric keys])]``."""
    keys = [
        k
        for k in df.columns
        if k.startswith(("train/", "time/sps", *PANEL_EVAL_KEYS)) and df[k].notna().any()
    ]
    out, claimed = [], set()
    for name, match in PANELS:
        mine = [k for k in keys if match(k)]
        if name == "q_vs_mc" and "eval/q_start" not in mine:
            mine = []  # no critic of Q: the discounted return alone compares nothing
        if mine:
            out.append((name, mine))
        claimed.update(k for k in keys if match(k))
    rest = [k for k in keys if k not in claimed]
    if rest:
        out.append(("other", rest))
    return out


# -- figures -------------------------------------------------------------------------
# Figures are built in one go (traces and layout given to the constructor): plotly's
# incremental ``update_layout``/``add_trace`` validate on every call and cost ~5x more,
# which matters when the live view redraws every second.
def _layout(title: str, y_title: str, uirevision: str, height: int = HEIGHT) -> dict:
    return {
        "title": {"text": title, "font": {"size": 15}, "y": 0.98, "yanchor": "top"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 72, "b": 10},
        "hovermode": "x unified",
        "uirevision": uirevision,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
        "xaxis": {"title": {"text": t("chart.steps")}},
        "yaxis": {"title": {"text": y_title}},
    }


def _line(x, y, name: str, color: str, width: float = 2, group: str | None = None) -> dict:
    trace = {
        "type": "scatter",
        "x": x,
        "y": y,
        "name": name,
        "mode": "lines+markers" if len(x) < 60 else "lines",
        "line": {"color": color, "width": width},
    }
    if group is not None:
        trace["legendgroup"] = group
    return trace


def _band(x, low, high, color: str, name: str, group: str) -> list[dict]:
    """Filled bands between ``low`` and ``high``, one per stretch where both exist.

    Bands have no legend entry and no hover: the mean line carries those.
    """
    ok = ~(np.isnan(low) | np.isnan(high))
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
    out = []
    for start, end in zip(edges[::2], edges[1::2]):
        if end - start < 2:
            continue
        xs, lo, hi = x[start:end], low[start:end], high[start:end]
        out.append(
            {
                "type": "scatter",
                "x": np.concatenate([xs, xs[::-1]]),
                "y": np.concatenate([hi, lo[::-1]]),
                "mode": "lines",
                "fill": "toself",
                "fillcolor": rgba(color, 0.18),
                "line": {"width": 0},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": name,
                "legendgroup": group,
            }
        )
    return out


def return_figure(
    df: pd.DataFrame,
    smoothing: float = 0.8,
    refs: Sequence[tuple[str, float]] = (),
    uirevision: str = "returns",
) -> go.Figure:
    """Episode return (raw and smoothed), evaluation return with its ±1 std band.

    ``refs`` are labelled horizontal reference lines: the environment's "solved" score,
    or an offline run's dataset mean, expert and random returns.
    """
    layout = _layout(t("chart.returns"), t("chart.return"), uirevision)
    data: list[dict] = []
    x, y = series(df, "rollout/return")
    if len(x):
        xs, ys = downsample(x, y)
        raw = _line(xs, ys, t("chart.episode_raw"), rgba(PALETTE[0], 0.3), 1)
        data.append({**raw, "mode": "lines"})
        xs, ys = downsample(x, smooth(y, smoothing))
        data.append(
            {**_line(xs, ys, t("chart.episode_smoothed"), PALETTE[0], 2.5), "mode": "lines"}
        )
    ex, ey = series(df, "eval/return_mean")
    if len(ex):
        _, es = series(df, "eval/return_std")
        es = es if len(es) == len(ey) else np.zeros_like(ey)
        ex, ey, es = ex[-MAX_POINTS:], ey[-MAX_POINTS:], es[-MAX_POINTS:]
        data += _band(ex, ey - es, ey + es, PALETTE[1], "std", "eval")
        line = _line(ex, ey, t("chart.eval_return"), PALETTE[1], 2.5, "eval")
        data.append({**line, "mode": "lines+markers"})
    if refs:
        layout.update(_ref_lines(refs, "left"))
    return go.Figure(data=data, layout=layout)


def _ref_lines(refs: Sequence[tuple[str, float]], label_side: str) -> dict[str, list[dict]]:
    """Dotted gray horizontal lines across the plot, each labelled at one end."""
    return {
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": v,
                "y1": v,
                "line": {"dash": "dot", "color": "gray"},
            }
            for _, v in refs
        ],
        "annotations": [
            {
                "xref": "paper",
                "x": 0 if label_side == "left" else 1,
                "y": v,
                "text": label,
                "showarrow": False,
                "xanchor": label_side,
                "yanchor": "bottom",
            }
            for label, v in refs
        ],
    }


def panel_figure(
    df: pd.DataFrame, keys: Sequence[str], title: str, uirevision: str = "panel"
) -> go.Figure:
    """One line per metric key against the step."""
    data = [
        _line(*downsample(*series(df, key)), metric_label(key), PALETTE[i % len(PALETTE)])
        for i, key in enumerate(keys)
    ]
    return go.Figure(data=data, layout=_layout(title, "", uirevision))


def overlay_figure(
    curves: dict[str, pd.DataFrame],
    key: str,
    smoothing: float = 0.0,
    uirevision: str = "overlay",
) -> go.Figure:
    """One line per run (label -> its metrics) for one metric key."""
    data = []
    for i, (label, df) in enumerate(curves.items()):
        x, y = series(df, key)
        data.append(_line(*downsample(x, smooth(y, smoothing)), label, PALETTE[i % len(PALETTE)]))
    return go.Figure(data=data, layout=_layout(metric_label(key), metric_label(key), uirevision))


def band_figure(
    groups: dict[str, list[pd.DataFrame]],
    key: str,
    smoothing: float = 0.0,
    level: float = 0.95,
    uirevision: str = "groups",
) -> go.Figure:
    """Per group of runs (seeds of one configuration): the mean and its t confidence band."""
    title = f"{metric_label(key)} — {t('chart.mean_ci', pct=round(level * 100))}"
    data: list[dict] = []
    for i, (label, dfs) in enumerate(groups.items()):
        color = PALETTE[i % len(PALETTE)]
        curves = []
        for df in dfs:
            x, y = series(df, key)
            curves.append((x, smooth(y, smoothing)))
        grid, values = align(curves)
        if not len(grid):
            continue
        mean, low, high, n = t_interval(values, level)
        data += _band(grid, low, high, color, label, label)
        data.append(_line(grid, mean, f"{label} (n={int(n.max())})", color, 2.5, label))
    return go.Figure(data=data, layout=_layout(title, metric_label(key), uirevision))


def sensitivity_figure(
    points: pd.DataFrame, param: str, log_x: bool = False, level: float = 0.95
) -> go.Figure:
    """Final return against a swept hyperparameter: every seed, the mean and its CI.

    ``points`` has one row per run: ``value`` (the hyperparameter) and ``final``.
    """
    layout = _layout(
        t("chart.sensitivity", param=param), t("chart.final_return"), f"sens-{param}", 380
    )
    layout["hovermode"] = "closest"
    layout["xaxis"] = {"title": {"text": param}}
    if points.empty:
        return go.Figure(layout=layout)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in points["value"])
    labels = points["value"].map(lambda v: ",".join(map(str, v)) if type(v) is tuple else v)
    data: list[dict] = [
        {
            "type": "scatter",
            "x": labels.to_list(),
            "y": points["final"].to_numpy(float),
            "mode": "markers",
            "name": t("chart.seed_runs"),
            "marker": {"color": rgba(PALETTE[0], 0.7), "size": 9, "symbol": "circle-open"},
        }
    ]
    rows = []
    for value, grp in points.assign(label=labels).groupby("label", sort=False):
        mean, low, high, n = t_interval(grp["final"].to_numpy(float), level)
        rows.append((value, mean[0], low[0], high[0], int(n[0])))
    summary = pd.DataFrame(rows, columns=["value", "mean", "low", "high", "n"])
    if numeric:
        summary = summary.sort_values("value")
    err = (summary["high"] - summary["mean"]).fillna(0)
    data.append(
        {
            "type": "scatter",
            "x": summary["value"].to_list(),
            "y": summary["mean"].to_numpy(float),
            "mode": "lines+markers",
            "name": t("chart.mean_ci", pct=round(level * 100)),
            "line": {"color": PALETTE[1], "width": 2.5},
            "marker": {"size": 11},
            "error_y": {"type": "data", "array": err.to_numpy(float), "visible": True},
            "customdata": summary["n"].to_numpy(),
            "hovertemplate": "%{x}: %{y:.4g} ± %{error_y.array:.3g} (n=%{customdata})",
        }
    )
    if numeric and log_x and (summary["value"] > 0).all():
        layout["xaxis"]["type"] = "log"
    elif not numeric:
        layout["xaxis"]["type"] = "category"
    return go.Figure(data=data, layout=layout)


def score_figure(summary: pd.DataFrame, dataset: str, data_score: float | None) -> go.Figure:
    """Algorithms on one dataset: mean normalised score over seeds with its 95% CI.

    ``summary`` is :func:`ui.compare.dataset_summary` for that dataset; ``data_score`` is
    the dataset's own mean episode return as a normalised score (drawn as a line: an
    algorithm above it does better than the behaviour that collected the data).
    """
    layout = _layout(t("chart.dataset_scores", dataset=dataset), t("chart.score"), dataset, 360)
    layout["hovermode"] = "closest"
    layout["xaxis"] = {"title": {"text": t("col.algo")}, "type": "category"}
    err = (summary["score_high"] - summary["score"]).fillna(0)
    data = [
        {
            "type": "bar",
            "x": summary["algo"].to_list(),
            "y": summary["score"].to_numpy(float),
            "marker": {"color": [PALETTE[i % len(PALETTE)] for i in range(len(summary))]},
            "error_y": {"type": "data", "array": err.to_numpy(float), "visible": True},
            "customdata": summary["n"].to_numpy(),
            "hovertemplate": "%{x}: %{y:.1f} ± %{error_y.array:.1f} (n=%{customdata})",
            "name": t("chart.mean_ci", pct=95),
        }
    ]
    if data_score is not None:
        layout.update(_ref_lines([(t("chart.ref_dataset"), data_score)], "right"))
    return go.Figure(data=data, layout=layout)
