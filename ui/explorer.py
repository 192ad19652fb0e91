r"""Small shared layout helpers for the Learn pages' explorer sections.

An explorer section is: a header with an anchor (linked from the page's table of
contents), the notes' question, widgets, a Plotly figure, the formula in ``st.latex``
and a short answer. The helpers keep every section looking the same::

    from ui import explorer as ex

    ex.toc([("lse", t("lv.lse.title")), ...])           # top of the page
    ex.section("lse", t("lv.lse.title"), t("lv.lse.question"))
    ex.chart(fig, key="lv.lse.fig")
    ex.formula(r"\mathrm{LSE}_T(x) = ...", t("lv.lse.caption"))
    ex.same_code("rlcore.core.ops.lse", "SAC, CQL")          # "this calls the training code"
    ex.train_link("sac", "Pendulum-v1")                 # only if pages/train.py exists

Step-by-step explorers use :func:`player` (Step / Play / Reset widgets) and
:func:`live` (a fragment that reruns itself every ``every`` seconds while playing).
Every widget gets a stable key built from the caller's prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from ui.i18n import t

__all__ = [
    "chart",
    "correction",
    "formula",
    "live",
    "player",
    "same_code",
    "section",
    "style",
    "toc",
    "train_link",
]

ROOT = Path(__file__).resolve().parent.parent


def toc(items: list[tuple[str, str]]) -> None:
    """Table of contents: one link per ``(anchor, title)`` to the sections below."""
    lines = [f"{i}. [{title}](#{anchor})" for i, (anchor, title) in enumerate(items, 1)]
    st.markdown(f"**{t('explorer.contents')}**\n\n" + "\n".join(lines))


def section(anchor: str, title: str, question: str | None = None) -> None:
    """A section header with a fixed anchor and the study notes' question it answers.

    The anchor is what :func:`toc` links to.
    """
    st.divider()
    st.header(title, anchor=anchor)
    if question:
        st.markdown(f"> {t('explorer.question')} {question}")


def formula(latex: str, caption: str | None = None) -> None:
    """An equation (KaTeX) with a one-line caption under it."""
    st.latex(latex)
    if caption:
        st.caption(caption)


def style(fig: go.Figure, height: int = 360, **layout) -> go.Figure:
    """Shared figure layout: fixed height, tight margins, zoom kept across redraws."""
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        uirevision="keep",  # zoom and pan survive the redraw a slider triggers
        # Legend under the plot: above it, it would collide with (subplot) titles.
        legend=dict(orientation="h", yanchor="top", y=-0.3, x=0),
        **layout,
    )
    return fig


def chart(fig: go.Figure, key: str) -> None:
    """Draw a Plotly figure at full width under a stable key."""
    st.plotly_chart(fig, key=key, width="stretch", config={"displaylogo": False})


def same_code(function: str, used_by: str) -> None:
    """Say that the explorer calls the very function an algorithm trains with."""
    st.caption(t("explorer.same_code", function=function, used_by=used_by))


def correction(text: str) -> None:
    """State plainly where the study notes are wrong."""
    st.warning(f"**{t('explorer.correction')}** {text}", icon=":material/rule:")


def train_link(algo: str, env: str) -> None:
    """Link to the Train page preset for ``algo`` on ``env`` (skipped if there is none)."""
    if not (ROOT / "pages" / "train.py").exists():
        return
    try:
        st.page_link(
            "pages/train.py",
            label=t("explorer.train_link", algo=algo, env=env),
            icon=":material/play_arrow:",
            query_params={"algo": algo, "env": env},
        )
    except st.errors.StreamlitAPIException:
        # The page is not registered when a page file runs alone (AppTest, `streamlit
        # run pages/x.py`): there is nothing to link to.
        pass


def player(prefix: str) -> tuple[bool, bool, bool]:
    """Step / Play / Reset controls in one row.

    Returns:
        ``(step, playing, reset)``: whether Step or Reset was clicked in this run and
        whether the Play toggle is on. Keys: ``{prefix}.step``, ``.play``, ``.reset``.
    """
    c1, c2, c3 = st.columns([1, 1, 1], vertical_alignment="center")
    step = c1.button(t("explorer.step"), key=f"{prefix}.step", icon=":material/skip_next:")
    playing = c2.toggle(t("explorer.play"), key=f"{prefix}.play")
    reset = c3.button(t("explorer.reset"), key=f"{prefix}.reset", icon=":material/restart_alt:")
    return step, playing, reset


def live(body: Callable[[], None], playing: bool, every: float = 0.4) -> None:
    """Run ``body`` inside a fragment that reruns itself every ``every`` s while playing.

    Only the fragment reruns on a tick, not the page; ``body`` reads and writes its state
    in ``st.session_state`` and draws the figures.
    """

    @st.fragment(run_every=every if playing else None)
    def _live() -> None:
        body()

    _live()
