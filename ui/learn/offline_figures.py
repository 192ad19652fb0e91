"""Plotly figures of the Offline-ideas explorers (#9-#13), on the builders of ``ui.learn.figures``.

No Streamlit calls here: each function takes the numbers from
``rlcore.learn.offline`` and returns a ``go.Figure`` with translated labels
(Unicode, not LaTeX: Plotly does not render it).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rlcore.learn import offline as off
from ui.i18n import t
from ui.learn.figures import Panels, thin
from ui.palette import BLUE, GREEN, GREY, ORANGE, PURPLE, RED, rgba

__all__ = [
    "awr_figure",
    "bc_figure",
    "cql_figure",
    "ensemble_figure",
    "expectile_figure",
]


def cql_figure(toy: off.CQLToy) -> go.Figure:
    """CQL toy: learned Q(a) beside the true Q, and the training history.

    Left: Q(a) learned with and without the penalty, and the true Q. Right: the gap (mean Q
    on the data's actions minus off them), the penalty and alpha over the steps.
    """
    c = toy.config
    a = toy.grid.squeeze(-1).numpy()
    q, ref = toy.q_values(), toy.reference_q()
    p = Panels(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        specs=[[{}, {"secondary_y": True}]],
        subplot_titles=(t("lo.cql.fig_q"), t("lo.cql.fig_history")),
    )
    p.vrect(c.data_low, c.data_high)
    p.add(go.Scatter(x=a, y=ref, name=t("lo.cql.true"), line=dict(color="black", dash="dash")))
    p.add(go.Scatter(x=a, y=q["baseline"], name=t("lo.cql.baseline"), line=dict(color=GREY)))
    label = t("lo.cql.penalised", variant=t(f"lo.cql.v.{c.variant}"))
    p.add(go.Scatter(x=a, y=q["cql"], name=label, line=dict(color=RED, width=3)))
    # Keep the view on the interesting range even when a penalty drives Q far down.
    span = float(ref.max() - ref.min()) + 4.0
    lo = max(min(q["baseline"].min(), q["cql"].min()), ref.min() - 2 * span)
    hi = min(max(q["baseline"].max(), q["cql"].max(), ref.max()), ref.max() + 2 * span)
    pad = 0.08 * (hi - lo + 1e-9)
    p.add(
        go.Scatter(
            x=toy.data_actions.squeeze(-1).numpy(),
            y=np.full(len(toy.data_actions), lo - 0.5 * pad),
            mode="markers",
            marker=dict(symbol="line-ns-open", size=10, color=GREEN),
            name=t("lo.cql.data"),
        )
    )
    h = toy.history
    if not h["step"]:
        p.note(t("lo.cql.empty"), 1, 2)
    else:
        i = thin(np.asarray(h["step"]))
        steps = np.asarray(h["step"])[i]
        for name, color, key in (
            ("gap_baseline", GREY, "lo.cql.gap_baseline"),
            ("gap_cql", RED, "lo.cql.gap_cql"),
            ("penalty", ORANGE, "lo.cql.penalty"),
        ):
            dash = "dot" if name == "penalty" else None
            y = np.asarray(h[name])[i]
            p.add(go.Scatter(x=steps, y=y, name=t(key), line=dict(color=color, dash=dash)), 1, 2)
        if c.variant == "lagrange":
            alpha = np.asarray(h["alpha"])[i]
            p.add(
                go.Scatter(
                    x=steps, y=alpha, name=t("lo.cql.alpha"), line=dict(color=PURPLE, width=3)
                ),
                1,
                2,
                secondary_y=True,
            )
            p.hline(c.target_action_gap, 1, 2, color=ORANGE, dash="dash", text="τ")
    fig = p.figure(height=420)
    fig.update_yaxes(range=[lo - pad, hi + pad], title_text="Q(a)", row=1, col=1)
    fig.update_xaxes(title_text=t("lo.action"), range=[-1, 1], row=1, col=1)
    fig.update_xaxes(title_text=t("lo.steps"), row=1, col=2)
    if c.variant == "lagrange":
        fig.update_yaxes(title_text="α", secondary_y=True, row=1, col=2)
    return fig


def expectile_figure(
    fit: off.ExpectileFit, taus: np.ndarray, curve: np.ndarray, exact: float
) -> go.Figure:
    """IQL toy: the sample and its weights, the expectile curve, the fit.

    Top: the sample, coloured by its expectile weight, with mean, expectile, estimate and
    max. Bottom left: the expectile as tau goes 0.5 -> 1. Bottom right: the fit.
    """
    y = fit.y.numpy()
    w = fit.weights()
    p = Panels(
        rows=2,
        cols=2,
        specs=[[{"colspan": 2}, None], [{}, {}]],
        row_heights=[0.45, 0.55],
        vertical_spacing=0.16,
        subplot_titles=(t("lo.iql.fig_sample"), t("lo.iql.fig_curve"), t("lo.iql.fig_fit")),
    )
    jitter = np.random.default_rng(0).uniform(-1, 1, len(y))
    above = fit.residuals().numpy() >= 0
    for mask, color, label in (
        (above, RED, t("lo.iql.above", w=f"{fit.tau:.2f}")),
        (~above, BLUE, t("lo.iql.below", w=f"{1 - fit.tau:.2f}")),
    ):
        marker = dict(color=color, size=6 + 14 * w[mask], opacity=0.75)
        p.add(go.Scatter(x=y[mask], y=jitter[mask], mode="markers", marker=marker, name=label))
    for x, color, dash, label in (
        (float(y.mean()), GREY, "dot", t("lo.iql.mean")),
        (exact, GREEN, "dash", t("lo.iql.exact", tau=f"{fit.tau:.2f}")),
        (fit.value, PURPLE, "solid", t("lo.iql.estimate")),
        (float(y.max()), "black", "dot", t("lo.iql.max")),
    ):
        line = dict(color=color, dash=dash, width=2)
        p.add(go.Scatter(x=[x, x], y=[-1.3, 1.3], mode="lines", line=line, name=label))
    p.add(go.Scatter(x=taus, y=curve, name=t("lo.iql.curve"), line=dict(color=GREEN)), 2, 1)
    marker = dict(color=GREEN, size=12)
    p.add(go.Scatter(x=[fit.tau], y=[exact], mode="markers", marker=marker, showlegend=False), 2, 1)
    p.hline(float(y.mean()), 2, 1, color=GREY, dash="dot")
    p.hline(float(y.max()), 2, 1, color="black", dash="dot")
    h = fit.history
    p.add(go.Scatter(x=h["step"], y=h["v"], line=dict(color=PURPLE), showlegend=False), 2, 2)
    p.hline(exact, 2, 2, color=GREEN, dash="dash")
    fig = p.figure(height=560)
    fig.update_yaxes(visible=False, row=1, col=1)
    fig.update_xaxes(title_text="τ", row=2, col=1)
    fig.update_xaxes(title_text=t("lo.steps"), row=2, col=2)
    fig.update_yaxes(title_text="v", row=2, col=2)
    return fig


def awr_figure(
    advantage: np.ndarray, w: off.AWRWeights, max_weight: float, temperature: float
) -> go.Figure:
    """AWR weights per sample, their shares, and the weight curve.

    Left: the weight of each sample (log scale), unclipped and clipped. Middle: each
    sample's share of the total weight. Right: the weight curve in both conventions.
    """
    idx = np.arange(1, len(advantage) + 1)
    p = Panels(
        rows=1,
        cols=3,
        subplot_titles=(t("lo.awr.fig_weights"), t("lo.awr.fig_share"), t("lo.awr.fig_curve")),
        horizontal_spacing=0.08,
    )
    hover = [f"A = {a:.2f}" for a in advantage]
    faint = rgba(RED, 0.35)
    p.add(go.Bar(x=idx, y=w.raw, name=t("lo.awr.raw"), marker_color=faint, hovertext=hover))
    p.add(go.Bar(x=idx, y=w.clipped, name=t("lo.awr.clipped"), marker_color=BLUE, hovertext=hover))
    # w_max as a trace, not a shape: shapes on a log axis take log10 coordinates
    cap = dict(color="black", dash="dash")
    n = len(advantage)
    p.add(go.Scatter(x=[0.5, n + 0.5], y=[max_weight] * 2, mode="lines", line=cap, name="w_max"))
    p.add(go.Bar(x=idx, y=w.share_raw, marker_color=faint, showlegend=False, hovertext=hover), 1, 2)
    p.add(
        go.Bar(x=idx, y=w.share_clipped, marker_color=BLUE, showlegend=False, hovertext=hover),
        1,
        2,
    )
    grid = np.linspace(advantage.min(), advantage.max(), 200)
    p.add(
        go.Scatter(
            x=grid,
            y=np.exp(w.beta * grid),
            name=f"exp(β·A), β = {w.beta:.3g}",
            line=dict(color=PURPLE, width=4),
        ),
        1,
        3,
    )
    p.add(
        go.Scatter(
            x=grid[::10],
            y=np.exp(grid[::10] / temperature),
            mode="markers",
            name=f"exp(A/λ), λ = {temperature:.3g}",
            marker=dict(color=ORANGE, size=8, symbol="x"),
        ),
        1,
        3,
    )
    p.add(
        go.Scatter(
            x=advantage,
            y=w.clipped,
            mode="markers",
            marker=dict(color=BLUE, size=7),
            name=t("lo.awr.samples"),
        ),
        1,
        3,
    )
    span = [advantage.min(), advantage.max()]
    p.add(go.Scatter(x=span, y=[max_weight] * 2, mode="lines", line=cap, showlegend=False), 1, 3)
    fig = p.figure(height=400)
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_yaxes(type="log", row=1, col=3)
    fig.update_xaxes(title_text=t("lo.awr.sample"), row=1, col=1)
    fig.update_xaxes(title_text=t("lo.awr.sample"), row=1, col=2)
    fig.update_xaxes(title_text=t("lo.awr.advantage"), row=1, col=3)
    return fig


def _members(p: Panels, a1: np.ndarray, q: np.ndarray, true: np.ndarray, q_min: np.ndarray) -> None:
    """The ensemble panel: each member's Q, mean ± std, the true Q and the min of all."""
    n = q.shape[0]
    mean, std = q.mean(0), q.std(0)
    p.add(
        go.Scatter(
            x=np.r_[a1, a1[::-1]],
            y=np.r_[mean + std, (mean - std)[::-1]],
            fill="toself",
            fillcolor=rgba(BLUE, 0.15),
            line=dict(width=0),
            name=t("lo.ens.band"),
        )
    )
    for i in range(n):
        p.add(
            go.Scatter(
                x=a1,
                y=q[i],
                line=dict(color=BLUE, width=1),
                opacity=0.6,
                name=t("lo.ens.member"),
                showlegend=i == 0,
                legendgroup="members",
            )
        )
    p.add(go.Scatter(x=a1, y=true, name=t("lo.ens.true"), line=dict(color="black", dash="dash")))
    p.add(go.Scatter(x=a1, y=q_min, name=t("lo.ens.min", n=n), line=dict(color=RED, width=3)))


def ensemble_figure(
    a1: np.ndarray,
    sl: dict[str, np.ndarray],
    min_k: np.ndarray,
    similarity: np.ndarray,
    eigenvalues: np.ndarray,
    near: np.ndarray,
) -> go.Figure:
    """SAC-N / EDAC toy: members, pessimism of the min, gradient similarity.

    Top left: the members' Q along one action axis, their min, mean ± std and the true Q.
    Top right: how far below the truth the min over k members sits, for k = 1..N. Bottom:
    the gradient-similarity matrix and its eigenvalues.
    """
    q, true = sl["q"], sl["true"]
    n = q.shape[0]
    p = Panels(
        rows=2,
        cols=2,
        vertical_spacing=0.2,
        horizontal_spacing=0.1,
        subplot_titles=(
            t("lo.ens.fig_members"),
            t("lo.ens.fig_k"),
            t("lo.ens.fig_sim"),
            t("lo.ens.fig_eig"),
        ),
    )
    p.vrect(a1[near].min(), a1[near].max())
    _members(p, a1, q, true, min_k[-1])
    k = np.arange(1, n + 1)
    err = min_k - true  # [N, G]
    for mask, color, label in ((~near, RED, t("lo.ens.off")), (near, GREEN, t("lo.ens.on"))):
        line = dict(color=color)
        y = err[:, mask].mean(1)
        p.add(go.Scatter(x=k, y=y, mode="lines+markers", line=line, name=label), 1, 2)
    p.hline(0.0, 1, 2, dash="dot")
    labels = [f"Q{i + 1}" for i in range(n)]
    p.add(
        go.Heatmap(
            z=similarity,
            x=labels,
            y=labels,
            zmin=-1,
            zmax=1,
            colorscale="RdBu_r",
            texttemplate="%{z:.2f}",
            showscale=False,
        ),
        2,
        1,
    )
    bars = [f"λ{i + 1}" for i in range(n)]
    p.add(go.Bar(x=bars, y=eigenvalues, marker_color=PURPLE, showlegend=False), 2, 2)
    fig = p.figure(height=680)
    fig.update_xaxes(title_text="a₁", row=1, col=1)
    fig.update_xaxes(title_text="k", dtick=1, row=1, col=2)
    fig.update_yaxes(title_text=t("lo.ens.bias"), row=1, col=2)
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    return fig


def bc_figure(
    data: off.BCDataset,
    grid: np.ndarray,
    densities: dict[str, np.ndarray],
    marks: dict[str, float],
    log_lik: np.ndarray,
) -> go.Figure:
    """BC toy: the dataset with the cloned policies, and the log-likelihood.

    Left: the dataset (good and bad actions), the policies' densities and the key actions.
    Right: the average log-likelihood as a function of the policy's mean (on ``grid``).
    """
    p = Panels(
        rows=1,
        cols=2,
        column_widths=[0.6, 0.4],
        subplot_titles=(t("lo.bc.fig_data"), t("lo.bc.fig_ll")),
    )
    bins = dict(start=-1.0, end=1.0, size=0.05)
    for mask, color, label in (
        (data.good, GREEN, t("lo.bc.good")),
        (~data.good, RED, t("lo.bc.bad")),
    ):
        p.add(
            go.Histogram(
                x=data.actions[mask],
                xbins=bins,
                histnorm="probability density",
                marker_color=color,
                opacity=0.45,
                name=label,
            )
        )
    for (label, dens), color in zip(densities.items(), (BLUE, PURPLE, ORANGE)):
        p.add(go.Scatter(x=grid, y=dens, name=label, line=dict(color=color, width=3)))
    for (label, x), dash in zip(marks.items(), ("solid", "dash", "dot", "dashdot")):
        p.vline(x, dash=dash, text=label)
    p.add(go.Scatter(x=grid, y=log_lik, line=dict(color=BLUE), showlegend=False), 1, 2)
    p.vline(float(grid[np.argmax(log_lik)]), 1, 2)
    fig = p.figure(height=400)
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=t("lo.action"), range=[-1, 1], row=1, col=1)
    fig.update_xaxes(title_text="μ", row=1, col=2)
    return fig
