"""Plotly figures from run metrics (pandas DataFrames with a ``step`` column).

No Streamlit here: every function takes DataFrames and returns a ``go.Figure``, so the
figures are testable and the live view, the Compare page and the tests share them.
Each trace is downsampled to at most ``MAX_POINTS`` points, every figure has a fixed
height, and ``uirevision`` keeps the user's zoom across the live refreshes.
"""

from __future__ import annotations

import warnings
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
    "bootstrap_interval",
    "downsample",
    "final_return",
    "log_ticks",
    "metric_label",
    "overlay_figure",
    "panel_figure",
    "panels",
    "ref_traces",
    "return_figure",
    "sensitivity_figure",
    "series",
    "smooth",
    "spread",
    "step_title",
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


BANDS = ("bootstrap", "minmax")  # what a band over seeds shows (the user picks)
N_BOOT = 1000


def bootstrap_interval(
    values: np.ndarray, level: float = 0.95, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[np.ndarray, ...]:
    """Mean and percentile-bootstrap interval of the mean over axis 0, ignoring NaN.

    Returns ``(mean, low, high, n)``; NaN where fewer than two values exist. Why not a
    Student t interval: with 3 seeds its half-width is 2.5 standard errors and, on two
    evaluation points, a CartPole band ran from -1000 to +1500 where returns lie in 0-500.
    A bootstrap interval of the mean always stays between the lowest and highest value.
    Resampling uses a fixed seed, so the same data draws the same band on every refresh.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    ok = ~np.isnan(v)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(ok, v, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)
    low, high = np.full(v.shape[1], np.nan), np.full(v.shape[1], np.nan)
    rng = np.random.default_rng(seed)
    tail = 50.0 * (1.0 - level)
    for k in np.unique(n[n >= 2]):
        cols = np.flatnonzero(n == k)
        # each column's k values (resampling ignores their order, so sorting NaN away is fine)
        sub = np.sort(np.where(ok[:, cols], v[:, cols], np.inf), axis=0)[:k].T  # [C, k]
        picks = rng.integers(0, k, size=(n_boot, k))
        counts = np.zeros((n_boot, k))
        np.add.at(counts, (np.arange(n_boot)[:, None], picks), 1.0)
        means = sub @ counts.T / k  # [C, B]: the mean of each resample
        low[cols], high[cols] = np.percentile(means, [tail, 100.0 - tail], axis=1)
    return mean, low, high, n


def spread(
    values: np.ndarray,
    band: str = "bootstrap",
    level: float = 0.95,
    bounds: tuple[float | None, float | None] | None = None,
) -> tuple[np.ndarray, ...]:
    """``(mean, low, high, n)`` over axis 0: a bootstrap CI of the mean, or the seeds' min-max.

    ``bounds`` (the lowest and highest possible value, e.g. a return's range) clip the
    band: it never claims a value the task cannot produce.
    """
    if band not in BANDS:
        raise ValueError(f"band = {band!r} (allowed: {', '.join(BANDS)})")
    if band == "bootstrap":
        mean, low, high, n = bootstrap_interval(values, level)
    else:
        v = np.asarray(values, dtype=float)
        v = v[:, None] if v.ndim == 1 else v
        n = np.sum(~np.isnan(v), axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: NaN is right
            mean = np.nanmean(v, axis=0)
            low = np.where(n >= 2, np.nanmin(v, axis=0), np.nan)
            high = np.where(n >= 2, np.nanmax(v, axis=0), np.nan)
    lo, hi = bounds or (None, None)
    if lo is not None:
        low = np.maximum(low, lo)
    if hi is not None:
        high = np.minimum(high, hi)
    return mean, low, high, n


def band_text(band: str, level: float = 0.95) -> str:
    """What a band shows, in words (chart titles and captions say it)."""
    return t(f"band.{band}", pct=round(level * 100))


def return_bounds(env: str | None) -> tuple[float | None, float | None] | None:
    """The lowest and highest episode return of a catalogue environment (None: unknown)."""
    from rlcore.core.envs import ENVIRONMENTS

    spec = ENVIRONMENTS.get(env or "")
    return None if spec is None else spec.return_range


RETURN_KEYS = ("rollout/return", "eval/return_mean")


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
    """Readable name of a metric key: its translation, else its last part in words.

    A legend never shows a raw key such as ``train/q_pi_mean``; every key a registered
    algorithm logs has a translation (tested), the fallback covers new ones.
    """
    k = f"metric.{key}"
    return t(k) if k in catalogue() else key.rsplit("/", 1)[-1].replace("_", " ")


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
def step_title(offline: bool | None) -> str:
    """What a step axis counts: environment steps online, gradient steps offline, or both."""
    if offline is None:
        return t("xaxis.mixed")
    return t("xaxis.gradient") if offline else t("xaxis.env")


def _layout(
    title: str, y_title: str, uirevision: str, height: int = HEIGHT, x_title: str | None = None
) -> dict:
    return {
        "title": {"text": title, "font": {"size": 15}, "y": 0.98, "yanchor": "top"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 72, "b": 10},
        "hovermode": "x unified",
        "uirevision": uirevision,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
        # Steps start at 0 and are whole numbers: anchoring the axis at 0 keeps Plotly from
        # zooming onto a single point with ticks like "1,999.5".
        "xaxis": {
            "title": {"text": x_title or t("xaxis.env")},
            "rangemode": "tozero",
        },
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


Bounds = tuple[float | None, float | None] | None


def _clip(low: np.ndarray, high: np.ndarray, bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = bounds or (None, None)
    return (
        low if lo is None else np.maximum(low, lo),
        high if hi is None else np.minimum(high, hi),
    )


def return_figure(
    df: pd.DataFrame,
    smoothing: float = 0.8,
    refs: Sequence[tuple[str, float]] = (),
    uirevision: str = "returns",
    x_title: str | None = None,
    bounds: Bounds = None,
) -> go.Figure:
    """Episode return (raw and smoothed), evaluation return with its ±1 std band.

    ``refs`` are labelled horizontal reference lines: the environment's "solved" score,
    or an offline run's dataset mean, expert and random returns. ``bounds`` (the task's
    return range) clip the std band.
    """
    layout = _layout(t("chart.returns"), t("chart.return"), uirevision, x_title=x_title)
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
        data += _band(ex, *_clip(ey - es, ey + es, bounds), PALETTE[1], "std", "eval")
        line = _line(ex, ey, t("chart.eval_return"), PALETTE[1], 2.5, "eval")
        data.append({**line, "mode": "lines+markers"})
    steps = np.concatenate([x, ex])
    if refs and len(steps):
        data += ref_traces(refs, 0.0, float(steps.max()))
    return go.Figure(data=data, layout=layout)


REF_DASHES = ("dot", "dash", "dashdot", "longdash")


def ref_traces(refs: Sequence[tuple[str, float]], x0: float, x1: float) -> list[dict]:
    """Dotted gray horizontal reference lines, named in the legend with their value.

    In the legend rather than as labels on the plot: the dataset mean, the expert and the
    random returns of an offline run are often close, and labels written on the lines
    overlapped.
    """
    return [
        {
            "type": "scatter",
            "x": [x0, x1],
            "y": [v, v],
            "mode": "lines",
            "name": f"{label} ({v:,.1f})",
            "line": {"dash": REF_DASHES[i % len(REF_DASHES)], "color": "gray", "width": 1.5},
            "hoverinfo": "skip",
        }
        for i, (label, v) in enumerate(refs)
    ]


def panel_figure(
    df: pd.DataFrame,
    keys: Sequence[str],
    title: str,
    uirevision: str = "panel",
    x_title: str | None = None,
    warmup: int = 0,
) -> go.Figure:
    """One line per metric key against the step.

    ``warmup`` (steps of random actions before the first update) shades that stretch on
    the speed panel and scales its y axis to the training phase: steps without updates
    run 10-100x faster, and that spike flattened the curve that matters.
    """
    data = [
        _line(*downsample(*series(df, key)), metric_label(key), PALETTE[i % len(PALETTE)])
        for i, key in enumerate(keys)
    ]
    layout = _layout(title, "", uirevision, x_title=x_title)
    layout["showlegend"] = True  # Plotly hides a lone trace's legend: every line is named
    if warmup > 0 and list(keys) == ["time/sps"]:
        x, y = series(df, "time/sps")
        after = y[x > warmup]
        layout["shapes"] = [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": 0,
                "x1": warmup,
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(128,128,128,0.15)",
                "line": {"width": 0},
                "layer": "below",
            }
        ]
        layout["annotations"] = [
            {
                "xref": "x",
                "yref": "paper",
                "x": warmup / 2,
                "y": 1,
                "text": t("chart.warmup"),
                "showarrow": False,
                "yanchor": "top",
            }
        ]
        if len(after):
            layout["yaxis"]["range"] = [0, float(after.max()) * 1.25]
    return go.Figure(data=data, layout=layout)


def overlay_figure(
    curves: dict[str, pd.DataFrame],
    key: str,
    smoothing: float = 0.0,
    uirevision: str = "overlay",
    x_title: str | None = None,
    facets: dict[str, str] | None = None,
) -> go.Figure:
    """One line per run (label -> its metrics) for one metric key.

    ``facets`` (label -> its environment): runs of different environments go to separate
    panels, one y axis each (a CartPole return of 500 beside a Pendulum one of -1,200 on
    one axis flattens both).
    """
    data, where = [], []
    for i, (label, df) in enumerate(curves.items()):
        x, y = series(df, key)
        data.append(_line(*downsample(x, smooth(y, smoothing)), label, PALETTE[i % len(PALETTE)]))
        where.append((facets or {}).get(label, ""))
    layout = _layout(metric_label(key), metric_label(key), uirevision, x_title=x_title)
    return go.Figure(data=data, layout=_facet(layout, data, where))


def _facet(layout: dict, data: list[dict], where: list[str]) -> dict:
    """Put each trace on its facet's panel (stacked, own axes) when there are several facets.

    ``where[i]`` names trace ``i``'s facet (an environment); one facet: ``layout`` as it is.
    Each panel is titled with its facet and is :data:`HEIGHT` tall.
    """
    names = list(dict.fromkeys(where))
    if len(names) < 2:
        return layout
    rows, gap = len(names), 0.1 / len(names)
    h = (1.0 - gap * (rows - 1)) / rows
    y_title, x_title = layout.pop("yaxis")["title"], layout.pop("xaxis")["title"]
    notes = []
    for j, name in enumerate(names):
        top = 1.0 - j * (h + gap)
        sfx = "" if j == 0 else str(j + 1)
        layout[f"yaxis{sfx}"] = {"domain": [top - h, top], "anchor": f"x{sfx}", "title": y_title}
        layout[f"xaxis{sfx}"] = {
            "anchor": f"y{sfx}",
            "rangemode": "tozero",
            "title": x_title if j == rows - 1 else {"text": ""},
        }
        notes.append(  # inside the panel's top left: above it, it met the legend
            {"text": f"<b>{name}</b>", "x": 0.005, "y": top, "xref": "paper", "yref": "paper"}
            | {"xanchor": "left", "yanchor": "top", "showarrow": False}
            | {"bgcolor": "rgba(255,255,255,0.8)"}
        )
    for trace, name in zip(data, where):
        sfx = "" if names.index(name) == 0 else str(names.index(name) + 1)
        trace["xaxis"], trace["yaxis"] = f"x{sfx}", f"y{sfx}"
    layout["annotations"] = [*layout.get("annotations", []), *notes]
    layout["height"] = HEIGHT * rows
    return layout


def band_figure(
    groups: dict[str, list[pd.DataFrame]],
    key: str,
    smoothing: float = 0.0,
    level: float = 0.95,
    uirevision: str = "groups",
    band: str = "bootstrap",
    bounds: dict[str, Bounds] | None = None,
    x_title: str | None = None,
    facets: dict[str, str] | None = None,
) -> go.Figure:
    """Per group of runs (seeds of one configuration): the mean over seeds and a band.

    ``band`` picks what the band shows (:data:`BANDS`: a bootstrap interval of the mean,
    or the lowest to highest seed), and the title says which; ``bounds`` maps a group to
    the range its values can take (a return's range), and its band is clipped to it.
    ``facets`` (group -> its environment): groups of different environments are drawn in
    separate panels, each with its own y axis (:func:`overlay_figure`).
    """
    title = f"{metric_label(key)} — {band_text(band, level)}"
    data: list[dict] = []
    where: list[str] = []
    for i, (label, dfs) in enumerate(groups.items()):
        color = PALETTE[i % len(PALETTE)]
        curves = []
        for df in dfs:
            x, y = series(df, key)
            curves.append((x, smooth(y, smoothing)))
        grid, values = align(curves)
        if not len(grid):
            continue
        mean, low, high, n = spread(values, band, level, (bounds or {}).get(label))
        mine = _band(grid, low, high, color, label, label)
        mine.append(_line(grid, mean, f"{label} (n={int(n.max())})", color, 2.5, label))
        data += mine
        where += [(facets or {}).get(label, "")] * len(mine)
    layout = _layout(title, metric_label(key), uirevision, x_title=x_title)
    return go.Figure(data=data, layout=_facet(layout, data, where))


def log_ticks(values: Sequence[float]) -> dict:
    """Tick marks of a log axis at the values themselves, written plainly (0.001, 0.003).

    Plotly's own log ticks label minor ticks "2 3 4 … 0.001", unreadable on a sweep of
    three learning rates.
    """
    vals = sorted({float(v) for v in values})
    return {"tickvals": vals, "ticktext": [f"{v:g}" for v in vals]}


def sensitivity_figure(
    points: pd.DataFrame,
    param: str,
    log_x: bool = False,
    level: float = 0.95,
    band: str = "bootstrap",
    bounds: Bounds = None,
) -> go.Figure:
    """Final return against a swept hyperparameter: every seed, the mean and its interval.

    ``points`` has one row per run: ``value`` (the hyperparameter) and ``final``. The
    error bars are what ``band`` names (:func:`spread`), clipped to ``bounds``.
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
        mean, low, high, n = spread(grp["final"].to_numpy(float), band, level, bounds)
        rows.append((value, mean[0], low[0], high[0], int(n[0])))
    summary = pd.DataFrame(rows, columns=["value", "mean", "low", "high", "n"])
    if numeric:
        summary = summary.sort_values("value")
    up = (summary["high"] - summary["mean"]).fillna(0).clip(lower=0)
    down = (summary["mean"] - summary["low"]).fillna(0).clip(lower=0)
    data.append(
        {
            "type": "scatter",
            "x": summary["value"].to_list(),
            "y": summary["mean"].to_numpy(float),
            "mode": "lines+markers",
            "name": band_text(band, level),
            "line": {"color": PALETTE[1], "width": 2.5},
            "marker": {"size": 11},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": up.to_numpy(float),
                "arrayminus": down.to_numpy(float),
                "visible": True,
            },
            "customdata": np.stack(
                [summary["n"], summary["low"], summary["high"]], axis=-1
            ).tolist(),
            "hovertemplate": "%{x}: %{y:.4g} [%{customdata[1]:.4g}, %{customdata[2]:.4g}]"
            " (n=%{customdata[0]})",
        }
    )
    if numeric and log_x and (summary["value"] > 0).all():
        layout["xaxis"].update(type="log", **log_ticks(summary["value"]))
    elif not numeric:
        layout["xaxis"]["type"] = "category"
    return go.Figure(data=data, layout=layout)


def score_figure(
    summary: pd.DataFrame, dataset: str, data_score: float | None, band: str = "bootstrap"
) -> go.Figure:
    """Algorithms on one dataset: mean normalised score over seeds with its interval.

    ``summary`` is :func:`ui.compare.dataset_summary` for that dataset (made with the same
    ``band``); ``data_score`` is the dataset's own mean episode return as a normalised
    score (drawn as a line: an algorithm above it does better than the behaviour that
    collected the data).
    """
    layout = _layout(t("chart.dataset_scores", dataset=dataset), t("chart.score"), dataset, 360)
    layout["hovermode"] = "closest"
    layout["xaxis"] = {"title": {"text": t("col.algo")}, "type": "category"}
    up = (summary["score_high"] - summary["score"]).fillna(0).clip(lower=0)
    down = (summary["score"] - summary["score_low"]).fillna(0).clip(lower=0)
    data = [
        {
            "type": "bar",
            "x": summary["algo"].to_list(),
            "y": summary["score"].to_numpy(float),
            "marker": {"color": [PALETTE[i % len(PALETTE)] for i in range(len(summary))]},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": up.to_numpy(float),
                "arrayminus": down.to_numpy(float),
                "visible": True,
            },
            "customdata": summary["n"].to_numpy(),
            "hovertemplate": "%{x}: %{y:.1f} (n=%{customdata})",
            "name": band_text(band),
        }
    ]
    if data_score is not None:
        data.append(
            {
                "type": "scatter",
                "x": summary["algo"].to_list(),
                "y": [data_score] * len(summary),
                "mode": "lines",
                "name": f"{t('chart.ref_dataset')} ({data_score:.1f})",
                "line": {"dash": "dot", "color": "gray"},
                "hoverinfo": "skip",
            }
        )
    return go.Figure(data=data, layout=layout)
