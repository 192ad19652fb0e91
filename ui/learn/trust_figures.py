"""Plotly figures of the policy-optimisation explorers (PPO's clip, GAE, TRPO's step).

No Streamlit calls: numbers from ``rlcore.learn.trust_region`` in, ``go.Figure`` out, with
translated labels (Unicode: Plotly does not render LaTeX).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rlcore.learn import trust_region as tr
from ui.i18n import t
from ui.learn.explorer import style
from ui.learn.figures import Line, lines_figure
from ui.palette import BLUE, GREEN, GREY, ORANGE, RED

__all__ = ["surrogate_figure", "trust_region_figure"]


def surrogate_figure(ratios: np.ndarray, clip: float) -> go.Figure:
    """L^CLIP against the ratio, A > 0 on the left, A < 0 on the right, with the clip edges."""
    c = tr.surrogate_curves(ratios, clip)
    lines = []
    for col, sign in ((1, "pos"), (2, "neg")):
        lines += [
            Line(ratios, c[f"plain_{sign}"], t("lt.clip.plain"), dash="dot", color=GREY, col=col),
            Line(
                ratios, c[f"clip_{sign}"], t("lt.clip.clipped"), color=(BLUE, RED)[col - 1], col=col
            ),
        ]
        lo, hi = float(c[f"plain_{sign}"].min()), float(c[f"plain_{sign}"].max())
        for edge in (1 - clip, 1 + clip):
            lines.append(
                Line([edge, edge], [lo, hi], t("lt.clip.edge"), dash="dash", color=GREY, col=col)
            )
    fig = lines_figure(
        lines,
        "ρ = π_θ(a|s) / π_old(a|s)",
        "L^CLIP",
        titles=[t("lt.clip.pos"), t("lt.clip.neg")],
    )
    seen: set[str] = set()
    for trace in fig.data:  # one legend entry per name
        trace.showlegend = trace.name not in seen
        seen.add(trace.name)
    return fig


def trust_region_figure(p: tr.TrustRegionPicture, delta: float) -> go.Figure:
    """TRPO's step in the (θ1, θ2) plane.

    Surrogate contours, the exact KL = δ curve, the quadratic model's ellipse, the gradient
    and natural-gradient steps and the step the line search accepted.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=p.grid_x,
            y=p.grid_y,
            z=p.surrogate,
            colorscale="RdBu",
            zmid=0.0,
            ncontours=24,
            opacity=0.75,
            name=t("lt.tr.surrogate"),
            colorbar=dict(title=dict(text="L(θ) − L(θ_old)", side="right"), len=0.8),
            hovertemplate="θ1 %{x:.2f}, θ2 %{y:.2f}: %{z:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Contour(
            x=p.grid_x,
            y=p.grid_y,
            z=p.kl,
            contours=dict(start=delta, end=delta, size=1.0, coloring="none"),
            line=dict(color="black", width=3),
            showscale=False,
            name=t("lt.tr.kl_ball"),
            showlegend=True,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=p.ellipse[0],
            y=p.ellipse[1],
            mode="lines",
            line=dict(color="black", dash="dash", width=2),
            name=t("lt.tr.model_ball"),
        )
    )
    x0, y0 = p.theta0
    for key, color in (("gradient", ORANGE), ("natural", GREEN), ("accepted", "black")):
        x1, y1 = p.steps[key]
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines+markers",
                marker=dict(size=[6, 12], symbol=["circle", "star"], color=color),
                line=dict(color=color, width=3, dash="dot" if key == "accepted" else None),
                name=t(f"lt.tr.{key}"),
            )
        )
    fig.update_layout(
        xaxis=dict(title="θ1", range=[p.grid_x[0], p.grid_x[-1]]),
        yaxis=dict(title="θ2", range=[p.grid_y[0], p.grid_y[-1]], scaleanchor="x"),
    )
    return style(fig, 520)
