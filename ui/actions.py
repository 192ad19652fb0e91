"""Offline: the CQL explorer's picture on real data — actions against states, data vs policies.

For a dataset whose actions are one number (Pendulum's torque), each transition is a point
(pole angle, action); every offline run trained on the dataset adds its policy's action at
the same states. Where the data has no action (above or below what it covers at that
angle) is shaded: the out-of-distribution region, where a critic's Q is pure
extrapolation and where CQL pushes Q down.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from ui.i18n import t
from ui.palette import GREY, PALETTE, RED, rgba

__all__ = ["actions_figure", "coverage", "policy_actions", "state_angle"]

# The out-of-distribution region is red; the policies take the palette's other colours, so
# no policy (CQL, second alphabetically, took the palette's red) looks like that region;
# the palette's pink (#FF6692) is left out too, too close to that red on a small dot.
OOD_COLOR = RED
POLICY_COLORS = tuple(c for c in PALETTE if c not in (OOD_COLOR, "#FF6692"))
MAX_STATES = 1500  # states drawn (a random subset of a large dataset, fixed seed)
BINS = 36  # angle bins of the coverage band


def state_angle(obs: np.ndarray) -> np.ndarray:
    """Pendulum's pole angle θ in (-π, π] from its observation (cos θ, sin θ, θ̇)."""
    return np.arctan2(obs[:, 1], obs[:, 0])


def coverage(x: np.ndarray, a: np.ndarray, bins: int = BINS) -> tuple[np.ndarray, ...]:
    """Per bin of ``x`` (between -π and π), the lowest and highest action of the data.

    Returns ``(centres, low, high)``; a bin without data has NaN bounds (all of it is
    out of distribution).
    """
    edges = np.linspace(-np.pi, np.pi, bins + 1)
    idx = np.clip(np.digitize(x, edges) - 1, 0, bins - 1)
    low, high = np.full(bins, np.nan), np.full(bins, np.nan)
    for b in range(bins):
        sel = a[idx == b]
        if len(sel):
            low[b], high[b] = sel.min(), sel.max()
    return (edges[:-1] + edges[1:]) / 2, low, high


def policy_actions(ds_id: str, run_ids: dict[str, str]) -> dict[str, Any] | None:
    """The dataset's states and actions, and each run's greedy action at those states.

    ``run_ids`` maps a label (the algorithm) to a run trained on ``ds_id``. ``None`` when
    the dataset's actions are not one number.
    """
    from rlcore.data.datasets import load_transitions
    from rlcore.service.runs import RunStore

    data, _ = load_transitions(ds_id)
    if data.actions.ndim != 2 or data.actions.shape[1] != 1 or data.observations.shape[1] != 3:
        return None
    rng = np.random.default_rng(0)
    pick = rng.choice(len(data), size=min(MAX_STATES, len(data)), replace=False)
    obs, act = data.observations[pick], data.actions[pick, 0]
    policies = {}
    store = RunStore()
    for label, rid in run_ids.items():
        try:
            _, agent = store.load_agent(rid)
        except (ValueError, OSError, RuntimeError):
            continue  # deleted, or no weights yet
        policies[label] = np.asarray(agent.act(obs, explore=False), dtype=float).reshape(-1)
    return {"angle": state_angle(obs), "data": act.astype(float), "policies": policies}


def actions_figure(d: dict[str, Any], a_range: tuple[float, float] = (-2.0, 2.0)) -> go.Figure:
    """Data actions (grey dots), each policy's actions (coloured), off-data region shaded."""
    x, a = d["angle"], d["data"]
    centres, low, high = coverage(x, a)
    lo_a, hi_a = a_range
    low = np.where(np.isnan(low), hi_a, low)  # no data in a bin: shade it all
    high = np.where(np.isnan(high), hi_a, high)
    shade = {"fill": "toself", "fillcolor": rgba(OOD_COLOR, 0.12), "line": {"width": 0}}
    data: list[dict] = [
        {
            "type": "scatter",
            "x": np.r_[centres, centres[::-1]],
            "y": np.r_[high, np.full(len(centres), hi_a)],
            "mode": "lines",
            "name": t("actions.ood"),
            "hoverinfo": "skip",
            "legendgroup": "ood",
            **shade,
        },
        {
            "type": "scatter",
            "x": np.r_[centres, centres[::-1]],
            "y": np.r_[np.full(len(centres), lo_a), low[::-1]],
            "mode": "lines",
            "showlegend": False,
            "hoverinfo": "skip",
            "legendgroup": "ood",
            **shade,
        },
        {
            "type": "scatter",
            "x": x,
            "y": a,
            "mode": "markers",
            "name": t("actions.data"),
            "marker": {"color": rgba(GREY, 0.35), "size": 4},
        },
    ]
    for i, (label, pa) in enumerate(d["policies"].items()):
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": pa,
                "mode": "markers",
                "name": label,
                "marker": {
                    "color": POLICY_COLORS[i % len(POLICY_COLORS)],
                    "size": 4,
                    "opacity": 0.8,
                },
            }
        )
    layout = {
        "title": {"text": t("actions.title"), "font": {"size": 15}},
        "height": 420,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "xaxis": {
            "title": {"text": t("actions.angle")},
            "range": [-np.pi, np.pi],
            "tickvals": [-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi],
            "ticktext": ["−π", "−π/2", t("actions.up"), "π/2", "π"],
        },
        "yaxis": {"title": {"text": t("actions.action")}, "range": [lo_a * 1.05, hi_a * 1.05]},
        "legend": {"orientation": "h", "y": -0.2},
    }
    return go.Figure(data=data, layout=layout)
