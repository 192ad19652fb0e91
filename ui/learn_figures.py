"""Plotly figures of the Learn pages (foundations, value-based, policy explorers).

Pure builders: numpy arrays and already-translated labels in, ``go.Figure`` out (no
Streamlit calls), so they are cheap to test and the pages stay short. Labels use Unicode
(Plotly does not render LaTeX); the equations sit beside the charts in ``st.latex``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.explorer import style

__all__ = [
    "Line",
    "bars_figure",
    "grid_panels",
    "histogram_figure",
    "lines_figure",
    "table_heatmap",
]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


@dataclass
class Line:
    """One trace of :func:`lines_figure`."""

    x: np.ndarray | list
    y: np.ndarray | list
    name: str
    dash: str | None = None  # "dash", "dot", ...
    mode: str = "lines"
    shape: str = "linear"  # "hv" draws a staircase
    color: str | None = None
    band: tuple[np.ndarray, np.ndarray] | None = None  # (low, high) shaded around y
    col: int = 1  # subplot column


def lines_figure(
    lines: list[Line],
    x_title: str | list[str],
    y_title: str | list[str],
    titles: list[str] | None = None,
    log_x: bool = False,
    log_y: bool | list[bool] = False,
    vline: float | None = None,
    height: int = 360,
) -> go.Figure:
    """Line charts, side by side when ``titles`` names more than one subplot."""
    n = len(titles) if titles else 1
    fig = make_subplots(rows=1, cols=n, subplot_titles=titles, horizontal_spacing=0.1)
    for i, ln in enumerate(lines):
        color = ln.color or PALETTE[i % len(PALETTE)]
        if ln.band is not None:
            lo, hi = ln.band
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([ln.x, ln.x[::-1]]),
                    y=np.concatenate([hi, lo[::-1]]),
                    fill="toself",
                    fillcolor=color,
                    opacity=0.15,
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=1,
                col=ln.col,
            )
        fig.add_trace(
            go.Scatter(
                x=ln.x,
                y=ln.y,
                name=ln.name,
                mode=ln.mode,
                line=dict(dash=ln.dash, shape=ln.shape, color=color),
                marker=dict(color=color, size=8),
            ),
            row=1,
            col=ln.col,
        )
    x_titles = x_title if isinstance(x_title, list) else [x_title] * n
    y_titles = y_title if isinstance(y_title, list) else [y_title] * n
    log_ys = log_y if isinstance(log_y, list) else [log_y] * n
    for c in range(1, n + 1):
        fig.update_xaxes(title_text=x_titles[c - 1], type="log" if log_x else None, row=1, col=c)
        fig.update_yaxes(
            title_text=y_titles[c - 1], type="log" if log_ys[c - 1] else None, row=1, col=c
        )
    if vline is not None:
        fig.add_vline(x=vline, line_dash="dot", line_color="gray")  # data units, log axis too
    return style(fig, height)


def histogram_figure(
    samples: dict[str, np.ndarray],
    x_title: str,
    markers: dict[str, float] | None = None,
    height: int = 320,
    nbins: int = 50,
) -> go.Figure:
    """Overlaid histograms (probability density) with labelled vertical markers."""
    fig = go.Figure()
    lo = min(float(np.min(v)) for v in samples.values())
    hi = max(float(np.max(v)) for v in samples.values())
    size = (hi - lo) / nbins if hi > lo else 1.0
    for i, (name, v) in enumerate(samples.items()):
        fig.add_trace(
            go.Histogram(
                x=v,
                name=name,
                opacity=0.6,
                histnorm="probability density",
                xbins=dict(start=lo, end=hi + size, size=size),
                marker_color=PALETTE[i % len(PALETTE)],
            )
        )
    for j, (name, x) in enumerate((markers or {}).items()):
        # Named in the legend, not annotated: labels of nearby lines would overlap.
        fig.add_vline(
            x=x,
            line_dash="dash",
            line_color=PALETTE[(j + len(samples)) % len(PALETTE)],
            name=name,
            showlegend=True,
        )
    fig.update_layout(barmode="overlay", xaxis_title=x_title)
    return style(fig, height)


def grid_panels(
    panels: list[tuple[str, np.ndarray]],
    layout: tuple[str, ...],
    arrows: list[str] | None = None,
    agent: int | None = None,
    fmt: str = "{:.2f}",
    colorscale: str = "RdYlGn",
    zmid: float | None = None,
    zrange: tuple[float, float] | None = None,
    height: int = 320,
) -> go.Figure:
    """Gridworld maps: per-state values as colour, the map letter, an arrow and the value.

    Args:
        panels: ``(title, values [S])`` per subplot (one shared colour scale).
        layout: the map rows; S, G, H, C cells are labelled.
        arrows: a string per state shown under the letter (e.g. the greedy action).
        agent: a state to mark with a circle (where the agent is).
        fmt: format of the value printed in each cell.
        colorscale: Plotly colour scale name.
        zmid: colour-scale midpoint (e.g. 0 for signed values).
        zrange: fixed colour range ``(min, max)``.
        height: figure height in pixels.
    """
    rows, cols = len(layout), len(layout[0])
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=[p[0] for p in panels], horizontal_spacing=0.04
    )
    all_v = np.concatenate([np.asarray(v, float).ravel() for _, v in panels])
    zmin, zmax = zrange or (float(all_v.min()), float(all_v.max()))
    if zmax - zmin < 1e-9:  # a constant map (e.g. an all-zero table): any sane range
        zmin, zmax = zmin - 1.0, zmax + 1.0
    for k, (_, values) in enumerate(panels, start=1):
        z = np.asarray(values, float).reshape(rows, cols)
        text = []
        for r in range(rows):
            row = []
            for c in range(cols):
                s = r * cols + c
                letter = layout[r][c] if layout[r][c] != "." else ""
                arrow = arrows[s] if arrows is not None and letter not in ("G", "H", "C") else ""
                row.append(f"{letter}{arrow}<br>{fmt.format(z[r, c])}")
            text.append(row)
        fig.add_trace(
            go.Heatmap(
                z=z,
                text=text,
                texttemplate="%{text}",
                colorscale=colorscale,
                zmin=zmin,
                zmax=zmax,
                zmid=zmid,
                showscale=k == len(panels),
                hoverinfo="z",
                xgap=2,
                ygap=2,
            ),
            row=1,
            col=k,
        )
        if agent is not None:
            r, c = divmod(agent, cols)
            fig.add_trace(
                go.Scatter(
                    x=[c],
                    y=[r],
                    mode="markers",
                    marker=dict(size=34, color="rgba(0,0,0,0)", line=dict(width=3, color="black")),
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=1,
                col=k,
            )
        fig.update_yaxes(
            autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, row=1, col=k
        )
        fig.update_xaxes(
            showticklabels=False,
            showgrid=False,
            zeroline=False,
            row=1,
            col=k,
            scaleanchor=f"y{'' if k == 1 else k}",
        )
    return style(fig, height)


def table_heatmap(
    matrix: np.ndarray,
    x_labels: list[str],
    y_labels: list[str],
    x_title: str,
    highlight: tuple[int, int] | None = None,
    fmt: str = ".2f",
    colorscale: str = "RdYlGn",
    zmid: float | None = None,
    zrange: tuple[float, float] | None = None,
    height: int = 260,
) -> go.Figure:
    """A table as a heat map, one row per ``y_labels`` entry (e.g. actions), values shown.

    ``highlight`` = (row, column) draws a box around one cell (the last TD update);
    ``zrange`` fixes the colour range (values outside it saturate).
    """
    zmin, zmax = zrange or (None, None)
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=x_labels,
            y=y_labels,
            texttemplate=f"%{{z:{fmt}}}",
            colorscale=colorscale,
            zmid=zmid,
            zmin=zmin,
            zmax=zmax,
            xgap=1,
            ygap=1,
        )
    )
    if highlight is not None:
        r, c = highlight
        fig.add_shape(
            type="rect",
            x0=c - 0.5,
            x1=c + 0.5,
            y0=r - 0.5,
            y1=r + 0.5,
            line=dict(color="black", width=3),
        )
    fig.update_layout(xaxis_title=x_title)
    fig.update_xaxes(type="category")
    fig.update_yaxes(autorange="reversed", type="category")
    return style(fig, height)


def bars_figure(
    x_labels: list[str],
    bars: dict[str, np.ndarray],
    x_title: str,
    title: str | None = None,
    y_title: str | None = None,
    y_range: tuple[float, float] | None = None,
    log_y: bool = False,
    height: int = 360,
) -> go.Figure:
    """Grouped bars, one series per ``bars`` entry."""
    fig = go.Figure()
    for i, (name, y) in enumerate(bars.items()):
        fig.add_trace(go.Bar(x=x_labels, y=y, name=name, marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        yaxis_range=y_range,
        yaxis_type="log" if log_y else None,
        barmode="group",
    )
    return style(fig, height)
