"""Plotly figures of the Maths-toolbox explorers (#14, #15, #17, #18, #19).

No Streamlit calls here: each function takes the numbers from
``rlcore.learn.maths`` and returns a ``go.Figure`` with translated labels
(Unicode, not LaTeX: Plotly does not render it).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import plotly.graph_objects as go
import torch

from rlcore.learn import maths as mt
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn.figures import Panels, thin
from ui.palette import BLUE, GREEN, GREY, ORANGE, PURPLE, RED, rgba

__all__ = [
    "backprop_figure",
    "covariance_figure",
    "dual_figure",
    "kl_figure",
    "max_figure",
]

Gaussian = tuple[float, float]  # (mean, std)
PLANE = np.linspace(-2.5, 3.5, 61)  # the window of the Lagrange toy's contour plot


def kl_figure(p: Gaussian, q: Gaussian, r: Gaussian | None) -> go.Figure:
    """KL explorer: the densities and the two KL integrands.

    Left: the densities. Right: the integrands p log(p/q) and q log(q/p), whose areas are
    the two KL divergences.
    """
    gs = [p, q] if r is None else [p, q, r]
    x = np.linspace(min(m - 4 * s for m, s in gs), max(m + 4 * s for m, s in gs), 400)
    pan = Panels(
        rows=1, cols=2, subplot_titles=(t("lm.kl.fig_densities"), t("lm.kl.fig_integrands"))
    )
    for name, (m, s), color, dash in zip("pqr", gs, (BLUE, RED, GREY), (None, None, "dot")):
        pan.add(
            go.Scatter(
                x=x,
                y=mt.gaussian_pdf(x, m, s),
                name=f"{name} = N({m:g}, {s:g}²)",
                line=dict(color=color, dash=dash, width=3),
            )
        )
    for label, a, b, color, fill in (
        ("p·log(p/q)", p, q, BLUE, rgba(BLUE, 0.25)),
        ("q·log(q/p)", q, p, RED, rgba(RED, 0.25)),
    ):
        y = mt.kl_integrand(x, a[0], a[1], b[0], b[1])
        line = dict(color=color)
        pan.add(go.Scatter(x=x, y=y, name=label, fill="tozeroy", fillcolor=fill, line=line), 1, 2)
    pan.hline(0.0, 1, 2)
    fig = pan.figure(height=380)
    fig.update_xaxes(title_text="x")
    return fig


@cache  # the same for every frame of the animation
def _objective_surface() -> np.ndarray:
    xx, yy = np.meshgrid(PLANE, PLANE)
    return mt.dual_objective(torch.as_tensor(np.stack([xx, yy], -1))).numpy()


def dual_figure(toy: mt.DualAscentToy) -> go.Figure:
    """Lagrange explorer: the path of x in the plane, the multiplier, the constraint.

    Left: contours of f, the feasible half-plane and the path of x. Right: the multiplier
    and the constraint violation over the steps.
    """
    c = toy.config
    h = toy.history
    x_star, lam_star = mt.dual_solution(c.limit)
    pan = Panels(
        rows=2,
        cols=2,
        column_widths=[0.5, 0.5],
        specs=[[{"rowspan": 2}, {}], [None, {}]],
        vertical_spacing=0.2,
        subplot_titles=(t("lm.dual.fig_path"), t("lm.dual.fig_multiplier"), t("lm.dual.fig_g")),
    )
    pan.add(
        go.Contour(
            x=PLANE,
            y=PLANE,
            z=_objective_surface(),
            colorscale="Blues",
            reversescale=True,
            showscale=False,
            contours=dict(start=0, end=30, size=2),
            opacity=0.6,
            hoverinfo="skip",
        )
    )
    lo, hi = PLANE[0], PLANE[-1]
    # The feasible half-plane x1 + x2 <= c, clipped to the plot window.
    pan.add(
        go.Scatter(
            x=[lo, lo, c.limit - lo, lo],
            y=[lo, c.limit - lo, lo, lo],
            fill="toself",
            fillcolor=rgba(GREEN, 0.15),
            line=dict(color=GREEN, width=2),
            name=t("lm.dual.feasible"),
            hoverinfo="skip",
        )
    )
    i = thin(np.asarray(h["step"]))
    x1, x2 = np.asarray(h["x1"])[i], np.asarray(h["x2"])[i]
    pan.add(go.Scatter(x=x1, y=x2, mode="lines", line=dict(color=PURPLE), name=t("lm.dual.path")))
    marker = dict(color=PURPLE, size=12)
    pan.add(go.Scatter(x=[h["x1"][-1]], y=[h["x2"][-1]], mode="markers", marker=marker, name="x"))
    star = dict(color=RED, size=16, symbol="star")
    pan.add(go.Scatter(x=[x_star[0]], y=[x_star[1]], mode="markers", marker=star, name="x*"))
    steps = np.asarray(h["step"])[i]
    lam = np.asarray(h["multiplier"])[i]
    pan.add(go.Scatter(x=steps, y=lam, line=dict(color=PURPLE, width=3), name="λ"), 1, 2)
    pan.hline(lam_star, 1, 2, color=RED, dash="dash", text="λ*")
    g = np.asarray(h["violation"])[i]
    for mask, color, key in (
        (g > 0, RED, "lm.dual.violated"),
        (g <= 0, GREEN, "lm.dual.satisfied"),
    ):
        y = np.where(mask, g, np.nan)
        pan.add(go.Scatter(x=steps, y=y, line=dict(color=color, width=3), name=t(key)), 2, 2)
    pan.hline(0.0, 2, 2)
    fig = pan.figure(height=460)
    fig.update_xaxes(range=[lo, hi], title_text="x₁", row=1, col=1)
    fig.update_yaxes(range=[lo, hi], title_text="x₂", row=1, col=1)
    fig.update_xaxes(title_text=t("lm.steps"), row=2, col=2)
    return fig


def covariance_figure(
    cov: np.ndarray, b: np.ndarray, samples: np.ndarray, var_formula: float
) -> go.Figure:
    """Covariance explorer: samples and eigenvectors, a^T b, directional variance.

    Left: samples of a, the eigenvectors scaled by sqrt(eigenvalue) and b. Middle: histogram
    of a^T b with the density the formula predicts. Right: the variance along every unit
    direction, between the two eigenvalues.
    """
    lam, vec = mt.eig_psd(cov)
    pan = Panels(
        rows=1,
        cols=3,
        subplot_titles=(t("lm.cov.fig_samples"), t("lm.cov.fig_hist"), t("lm.cov.fig_dir")),
        horizontal_spacing=0.08,
    )
    shown = samples[:1500]  # enough to see the shape; the estimate uses every sample
    pan.add(
        # SVG, not WebGL: a WebGL layer would hide the eigenvector lines drawn on top
        go.Scatter(
            x=shown[:, 0],
            y=shown[:, 1],
            mode="markers",
            marker=dict(color=BLUE, size=3, opacity=0.25),
            name=t("lm.cov.samples"),
        )
    )
    for k, color in ((0, ORANGE), (1, PURPLE)):
        v = vec[:, k] * np.sqrt(max(lam[k], 0.0))
        line = dict(color=color, width=4)
        name = f"√λ{k + 1}·v{k + 1}"
        pan.add(go.Scatter(x=[-v[0], v[0]], y=[-v[1], v[1]], mode="lines", line=line, name=name))
    pan.add(
        go.Scatter(
            x=[0, b[0]],
            y=[0, b[1]],
            mode="lines+markers+text",
            line=dict(color=RED, width=3),
            marker=dict(symbol="arrow", angleref="previous", size=14, color=RED),
            text=["", "b"],
            textposition="top center",
            name="b",
        )
    )
    # Binned here, not by Plotly: a go.Histogram would ship every sample to the browser.
    density, edges = np.histogram(samples @ b, bins=60, density=True)
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    bars = go.Bar(x=centres, y=density, width=width, marker_color=BLUE, opacity=0.5, name="aᵀb")
    pan.add(bars, 1, 2)
    sd = np.sqrt(max(var_formula, 1e-12))
    zz = np.linspace(-4 * sd, 4 * sd, 200)
    density = mt.gaussian_pdf(zz, 0.0, sd)
    line = dict(color=RED, width=3)
    pan.add(go.Scatter(x=zz, y=density, line=line, name=t("lm.cov.formula_density")), 1, 2)
    theta = np.linspace(0, np.pi, 181)
    dv = mt.directional_variance(cov, theta)
    line = dict(color=GREEN)
    pan.add(go.Scatter(x=np.degrees(theta), y=dv, line=line, name=t("lm.cov.directional")), 1, 3)
    for k, color in ((0, ORANGE), (1, PURPLE)):
        pan.hline(lam[k], 1, 3, color=color, dash="dash", text=f"λ{k + 1}")
    norm = float(np.linalg.norm(b))
    if norm > 0:
        angle = float(np.degrees(np.arctan2(b[1], b[0])) % 180)
        marker = dict(color=RED, size=12)
        y = [var_formula / norm**2]
        pan.add(go.Scatter(x=[angle], y=y, mode="markers", marker=marker, name="b/‖b‖₂"), 1, 3)
    fig = pan.figure(height=400)
    fig.update_yaxes(scaleanchor="x", row=1, col=1)
    fig.update_xaxes(title_text="θ (°)", row=1, col=3)
    return fig


Node = tuple[str, float, float, float, float]  # name, x, y, forward value, gradient


def _graph(
    params: dict[str, np.ndarray],
    fwd: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    x: float,
) -> tuple[list[Node], list[tuple[str, str, str]]]:
    """The backprop toy's graph: nodes in columns x, z, h, ŷ, L; edges with their labels."""
    n = len(params["w1"])
    ys = np.linspace(1, -1, n) if n > 1 else np.array([0.0])
    nodes: list[Node] = [("x", 0.0, 0.0, x, float(grads["x"][0]))]
    for i in range(n):
        nodes.append((f"z{i + 1}", 1.0, ys[i], float(fwd["z"][i]), float(grads["z"][i])))
        nodes.append((f"h{i + 1}", 2.0, ys[i], float(fwd["h"][i]), float(grads["h"][i])))
    nodes.append(("ŷ", 3.0, 0.0, float(fwd["y_hat"][0]), float(grads["y_hat"][0])))
    nodes.append(("L", 4.0, 0.0, float(fwd["loss"][0]), 1.0))
    edges = []
    for i in range(n):
        edges.append(("x", f"z{i + 1}", f"w1={params['w1'][i]:.2f}"))
        edges.append((f"z{i + 1}", f"h{i + 1}", "σ"))
        edges.append((f"h{i + 1}", "ŷ", f"w2={params['w2'][i]:.2f}"))
    edges.append(("ŷ", "L", "½(ŷ−y)²"))
    return nodes, edges


def backprop_figure(
    params: dict[str, np.ndarray],
    fwd: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    x: float,
) -> go.Figure:
    """Backprop explorer: the computational graph with forward values and gradients.

    Nodes x -> z_i -> h_i -> y_hat -> L, each with its forward value (top) and its gradient
    dL/d(node) (bottom); each edge with its weight.
    """
    n = len(params["w1"])
    nodes, edges = _graph(params, fwd, grads, x)
    pos = {name: (px, py) for name, px, py, _, _ in nodes}
    # all edges in one trace: segments separated by None
    ex_, ey_ = [], []
    for a, b, _ in edges:
        ex_ += [pos[a][0], pos[b][0], None]
        ey_ += [pos[a][1], pos[b][1], None]
    notes = [
        dict(
            x=(pos[a][0] + pos[b][0]) / 2,
            y=(pos[a][1] + pos[b][1]) / 2,
            text=label,
            showarrow=False,
            font=dict(size=11, color=GREY),
            bgcolor="rgba(255,255,255,0.8)",
        )
        for a, b, label in edges
    ]
    notes.append(
        dict(
            x=0.02,
            y=1.08,
            xref="paper",
            yref="paper",
            showarrow=False,
            align="left",
            text=t("lm.bp.fig_legend"),
        )
    )
    text = [
        f"<b>{name}</b><br>{v:.3f}<br><span style='color:{RED}'>∂L: {g:.3f}</span>"
        for name, _, _, v, g in nodes
    ]
    fig = go.Figure(
        data=[
            go.Scatter(
                x=ex_,
                y=ey_,
                mode="lines",
                line=dict(color=GREY, width=1.5),
                hoverinfo="skip",
                showlegend=False,
            ),
            go.Scatter(
                x=[p[1] for p in nodes],
                y=[p[2] for p in nodes],
                mode="markers+text",
                text=text,
                textposition="middle center",
                marker=dict(size=78, color="#EEF0FF", line=dict(color=BLUE, width=2)),
                hoverinfo="skip",
                showlegend=False,
            ),
        ],
        layout=dict(
            annotations=notes,
            xaxis=dict(visible=False, range=[-0.4, 4.4]),
            yaxis=dict(visible=False, range=[-1.5, 1.5]),
        ),
    )
    return ex.style(fig, height=max(300, 120 * n + 120))


def max_figure(
    tensor: np.ndarray, dim: int, values: np.ndarray, indices: np.ndarray, mask: np.ndarray
) -> go.Figure:
    """t.max(dim) explorer: the tensor with each slice's max, then values and indices.

    Left: the tensor, the winning cell of each slice outlined. Right: ``values`` and
    ``indices``, laid out along the axis that survives.
    """
    rows, cols = tensor.shape
    pan = Panels(
        rows=1,
        cols=3,
        column_widths=[0.6, 0.2, 0.2],
        subplot_titles=(t("lm.max.fig_tensor", dim=dim), "values", "indices"),
        horizontal_spacing=0.06,
    )
    rlab, clab = [f"i={i}" for i in range(rows)], [f"j={j}" for j in range(cols)]
    cells = dict(texttemplate="%{text}", textfont=dict(size=18), zmin=0, zmax=12, showscale=False)
    pan.add(go.Heatmap(z=tensor, x=clab, y=rlab, colorscale="Blues", text=tensor, **cells))
    win_r, win_c = np.nonzero(mask)
    pan.add(
        go.Scatter(
            x=[clab[j] for j in win_c],
            y=[rlab[i] for i in win_r],
            mode="markers",
            marker=dict(symbol="square-open", size=46, color=RED, line=dict(width=4)),
            name=t("lm.max.winner"),
        )
    )
    # dim=0 reduces down each column (one result per column), dim=1 along each row.
    out = clab if dim == 0 else rlab
    shape = (1, -1) if dim == 0 else (-1, 1)
    x_lab, y_lab = (out, [""]) if dim == 0 else ([""], out)
    for col, z, scale in ((2, values, "Reds"), (3, indices, "Greens")):
        zz = np.asarray(z).reshape(shape)
        pan.add(go.Heatmap(z=zz, x=x_lab, y=y_lab, colorscale=scale, text=zz, **cells), 1, col)
    fig = pan.figure(height=110 + 60 * rows)
    fig.update_yaxes(autorange="reversed")
    return fig
