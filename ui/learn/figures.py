"""Plotly figure builders of the Learn pages' explorers.

Generic builders (lines, bars, histograms, grids, heatmaps, and :class:`Panels`, a
subplot grid filled in one go) used by every Learn page; the offline-ideas and maths
explorers' own figures are in ``offline_figures`` and ``maths_figures``. Pure builders:
numpy arrays and already-translated labels in, ``go.Figure`` out (no Streamlit calls),
so they are cheap to test and the pages stay short. Labels use Unicode (Plotly does not
render LaTeX); the equations sit beside the charts in ``st.latex``. Colours come from
the app's one palette, ``ui.palette``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType
from plotly.subplots import make_subplots

from ui.learn.explorer import style
from ui.palette import GREEN, GREY, PALETTE, rgba

__all__ = [
    "Line",
    "Panels",
    "bars_figure",
    "grid_panels",
    "histogram_figure",
    "lines_figure",
    "table_heatmap",
    "thin",
]

DATA_FILL = rgba(GREEN, 0.12)  # shade of the region the data covers
MAX_POINTS = 2000


def thin(x: np.ndarray) -> np.ndarray:
    """Indices keeping at most ``MAX_POINTS`` points of a series (the last one included)."""
    n = len(x)
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.r_[np.linspace(0, n - 1, MAX_POINTS).astype(int), n - 1])


class Panels:
    """A ``make_subplots`` grid whose traces, lines and notes are added in one go.

    ``add_trace``/``add_hline`` one at a time re-validate the figure on every call; a
    slider redraw should not pay that, so this collects everything and adds it with one
    ``add_traces`` and one ``update_layout`` in :meth:`figure`.
    """

    def __init__(self, **subplots) -> None:
        self.fig = make_subplots(**subplots)
        self._traces: list[tuple[BaseTraceType, int, int, bool]] = []
        self._shapes: list[dict] = []
        self._notes: list[dict] = []

    def add(
        self, trace: BaseTraceType, row: int = 1, col: int = 1, secondary_y: bool = False
    ) -> None:
        """Queue a trace for the subplot at (row, col)."""
        self._traces.append((trace, row, col, secondary_y))

    def _refs(self, row: int, col: int, secondary_y: bool = False) -> tuple[str, str]:
        sp = self.fig.get_subplot(row, col, secondary_y=secondary_y)
        return sp.xaxis.plotly_name.replace("axis", ""), sp.yaxis.plotly_name.replace("axis", "")

    def hline(
        self,
        y: float,
        row: int = 1,
        col: int = 1,
        color: str = "black",
        dash: str | None = None,
        text: str | None = None,
    ) -> None:
        """A horizontal line across the subplot, with an optional label at its right end."""
        xr, yr = self._refs(row, col)
        self._shapes.append(
            dict(
                type="line",
                xref=f"{xr} domain",
                yref=yr,
                x0=0,
                x1=1,
                y0=y,
                y1=y,
                line=dict(color=color, dash=dash, width=1.5),
            )
        )
        if text:
            self._notes.append(
                dict(
                    xref=f"{xr} domain",
                    yref=yr,
                    x=1,
                    y=y,
                    text=text,
                    showarrow=False,
                    xanchor="right",
                    yanchor="bottom",
                    font=dict(color=color),
                )
            )

    def vline(
        self,
        x: float,
        row: int = 1,
        col: int = 1,
        color: str = "black",
        dash: str | None = None,
        text: str | None = None,
    ) -> None:
        """A vertical line through the subplot, with an optional rotated label at its top."""
        xr, yr = self._refs(row, col)
        self._shapes.append(
            dict(
                type="line",
                xref=xr,
                yref=f"{yr} domain",
                x0=x,
                x1=x,
                y0=0,
                y1=1,
                line=dict(color=color, dash=dash, width=1.5),
            )
        )
        if text:
            self._notes.append(
                dict(
                    xref=xr,
                    yref=f"{yr} domain",
                    x=x,
                    y=1,
                    text=text,
                    showarrow=False,
                    textangle=-90,
                    xanchor="left",
                    yanchor="top",
                    font=dict(size=11),
                )
            )

    def note(self, text: str, row: int = 1, col: int = 1) -> None:
        """A grey message in the middle of the subplot (e.g. while it has no data yet)."""
        xr, yr = self._refs(row, col)
        self._notes.append(
            dict(
                xref=f"{xr} domain",
                yref=f"{yr} domain",
                x=0.5,
                y=0.5,
                text=text,
                showarrow=False,
                font=dict(color=GREY),
            )
        )

    def vrect(self, x0: float, x1: float, row: int = 1, col: int = 1) -> None:
        """Shade the x-range [x0, x1] of the subplot (the data's support)."""
        xr, yr = self._refs(row, col)
        self._shapes.append(
            dict(
                type="rect",
                xref=xr,
                yref=f"{yr} domain",
                x0=x0,
                x1=x1,
                y0=0,
                y1=1,
                fillcolor=DATA_FILL,
                line_width=0,
                layer="below",
            )
        )

    def figure(self, height: int) -> go.Figure:
        """The finished figure, in the shared explorer style."""
        fig = self.fig
        if self._traces:
            tr, rows, cols, sec = zip(*self._traces)
            fig.add_traces(list(tr), rows=list(rows), cols=list(cols), secondary_ys=list(sec))
        fig.update_layout(shapes=self._shapes, annotations=[*fig.layout.annotations, *self._notes])
        style(fig, height=height)
        # legend just under the x-axis title, whatever the figure's height
        fig.update_layout(legend_y=-90 / (height - 50))
        return fig


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
        fig.add_vline(x=vline, line_dash="dot", line_color=GREY)  # data units, log axis too
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


def _cell_text(
    layout: tuple[str, ...], arrows: list[str] | None, z: np.ndarray, fmt: str
) -> list[list[str]]:
    """Each cell's label: its map letter (S, G, H, C), its arrow and its value."""
    cols = len(layout[0])
    text = []
    for r, line in enumerate(layout):
        row = []
        for c, cell in enumerate(line):
            letter = cell if cell != "." else ""
            show = arrows is not None and letter not in ("G", "H", "C")
            arrow = arrows[r * cols + c] if show else ""
            row.append(f"{letter}{arrow}<br>{fmt.format(z[r, c])}")
        text.append(row)
    return text


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
        text = _cell_text(layout, arrows, z, fmt)
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
