"""Predict, then reveal: the result a learner expects, drawn under the real one.

Before a seed or sweep run the learner may write down the result they expect: for a
sweep, a final return per swept value (the sensitivity curve they expect); for N seeds,
the mean final return. The guesses are kept in the session under the batch they
were made for, and the live view draws them as a dashed line over the measured points.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ui.i18n import t

__all__ = ["ask", "attach", "prediction", "reveal_figure"]

DRAFT = "predict_draft"  # session_state: page -> the guesses typed before Start
SAVED = "predictions"  # session_state: batch id -> {"kind", "param", "guesses"}


def _label(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, tuple | list):
        return ",".join(map(str, v))
    return str(v)


def ask(setup: Any, page: str = "train") -> None:
    """The optional prediction of a seed or sweep plan, typed before Start."""
    plan = getattr(setup, "plan", None)
    if plan is None or plan.kind not in ("seeds", "sweep"):
        st.session_state.pop(f"{DRAFT}_{page}", None)
        return
    with st.expander(t("predict.title"), icon=":material/psychology:"):
        st.caption(t(f"predict.help.{plan.kind}"))
        if plan.kind == "seeds":
            guess = st.number_input(
                t("predict.seeds"), value=None, key=f"predict_{page}_seeds", format="%g"
            )
            guesses = {} if guess is None else {"mean": float(guess)}
        else:
            cols = st.columns(min(len(plan.values), 5))
            guesses = {}
            for i, v in enumerate(plan.values):
                g = cols[i % len(cols)].number_input(
                    t("predict.value", param=plan.param, value=_label(v)),
                    value=None,
                    key=f"predict_{page}_{plan.param}_{_label(v)}",
                    format="%g",
                )
                if g is not None:
                    guesses[_label(v)] = float(g)
    st.session_state[f"{DRAFT}_{page}"] = (
        {"kind": plan.kind, "param": plan.param, "guesses": guesses} if guesses else None
    )


def attach(batch_id: str, page: str = "train") -> None:
    """Keep the guesses typed before Start under the batch they were made for."""
    draft = st.session_state.pop(f"{DRAFT}_{page}", None)
    if draft:
        st.session_state.setdefault(SAVED, {})[batch_id] = draft


def prediction(batch_id: str) -> dict[str, Any] | None:
    """The guesses made for a batch (``None``: none were made)."""
    return st.session_state.get(SAVED, {}).get(batch_id)


def reveal_figure(fig: go.Figure, pred: dict[str, Any]) -> go.Figure:
    """Draw the prediction over a result figure (dashed): a curve per value, or a line.

    For a sweep, ``fig`` is the sensitivity figure and the guesses are put at the swept
    values; for seeds, a horizontal line at the guessed mean.
    """
    name = t("predict.yours")
    style = {"dash": "dash", "color": "#7F7F7F", "width": 2.5}
    if pred["kind"] == "sweep":
        xs = list(pred["guesses"])
        numeric = all(_is_number(x) for x in xs)
        order = sorted(xs, key=float) if numeric else xs
        fig.add_scatter(
            x=[float(x) if numeric else x for x in order],
            y=[pred["guesses"][x] for x in order],
            mode="lines+markers",
            name=name,
            line=style,
            marker={"symbol": "x", "size": 10, "color": "#7F7F7F"},
        )
    else:
        fig.add_hline(y=pred["guesses"]["mean"], line=style, annotation_text=name)
    return fig


def _is_number(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True
