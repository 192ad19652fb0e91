r"""The layout of an explorer section, shared by every Learn page.

An explorer section is: a header with an anchor (linked from the page's table of
contents), the notes' question, widgets, a Plotly figure, the formula in ``st.latex``
and a short answer. The helpers keep every section looking the same::

    from ui.learn import explorer as ex
    from ui.learn.links import train_link

    ex.toc([("lse", t("lv.lse.title")), ...])           # top of the page
    ex.section("lse", t("lv.lse.title"), t("lv.lse.question"))
    ex.chart(fig, key="lv.lse.fig")
    ex.formula(r"\mathrm{LSE}_T(x) = ...", t("lv.lse.caption"))
    ex.same_code("rlcore.core.ops.lse", "SAC, CQL")     # "this calls the training code"
    train_link("sac", "Pendulum-v1")                    # only if pages/train.py exists

Step-by-step explorers hand their dynamics, a :class:`rlcore.learn.Toy`, to
:func:`stepper` (Step / Play / Reset, the toy kept in ``st.session_state``); it is built
on :func:`player` (the widgets) and :func:`live` (a fragment that reruns itself every
``every`` seconds while playing). Every widget gets a stable key built from the caller's
prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

import plotly.graph_objects as go
import streamlit as st

from rlcore.learn import Toy
from ui.i18n import t
from ui.learn.course_box import explorer_course_box

__all__ = [
    "chart",
    "correction",
    "formula",
    "live",
    "player",
    "same_code",
    "section",
    "stepper",
    "style",
    "toc",
]

T = TypeVar("T", bound=Toy)


def toc(items: list[tuple[str, str]]) -> None:
    """Table of contents: one link per ``(anchor, title)`` to the sections below.

    Also loads ``static/anchor.js`` (:func:`land`): a link to one of the sections opens the
    page on its heading.
    """
    land()
    lines = [f"{i}. [{title}](#{anchor})" for i, (anchor, title) in enumerate(items, 1)]
    st.markdown(f"**{t('explorer.contents')}**\n\n" + "\n".join(lines))


def land() -> None:
    """Keep a linked section's heading at the top while the page above it draws.

    Streamlit scrolls to ``#anchor`` once, when the heading appears; the figures,
    formulas and widgets above it then finish drawing and pushed it 60-740 px down
    (Chromium, the SAC alpha link). ``static/anchor.js`` (served by this server, as the
    CSP allows) scrolls it back until the learner scrolls, clicks or types.
    """
    st.html('<script src="/app/static/anchor.js"></script>', unsafe_allow_javascript=True)


def section(anchor: str, title: str, question: str | None = None) -> None:
    """A section header with a fixed anchor and the study notes' question it answers.

    The anchor is what :func:`toc` links to. A section that answers a question of the
    course (the Home page) shows the way to that question's real run under it.
    """
    st.divider()
    st.header(title, anchor=anchor)
    if question:
        st.markdown(f"> {t('explorer.question')} {question}")
    explorer_course_box(anchor)


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


def stepper(
    prefix: str,
    settings: Hashable,
    make: Callable[[], T],
    view: Callable[[T], None],
    *,
    per_click: int = 1,
    per_tick: int | None = None,
    max_steps: int | None = None,
    knobs: Mapping[str, Any] | None = None,
    every: float = 0.3,
) -> None:
    """Step / Play / Reset around a toy kept in ``st.session_state``, then ``view(toy)``.

    The toy (``{prefix}.toy``) is rebuilt by ``make()`` when ``settings`` change or on
    Reset: a changed setting restarts the dynamics from step 0 (replaying hundreds of
    updates would make the slider lag). ``knobs`` are set on the toy as attributes before
    it steps: the dynamics go on with the new values. Step advances ``per_click`` updates;
    Play advances ``per_tick`` (default ``per_click``) on every tick of a fragment (only
    that fragment reruns) and switches itself off at ``max_steps``.

    Works inside a section fragment: while paused the view is drawn without the ticking
    fragment, so Streamlit drops that fragment and cancels its timer.
    """
    key, stop_key, play_key = f"{prefix}.toy", f"{prefix}.stop", f"{prefix}.play"
    if st.session_state.pop(stop_key, False):
        st.session_state[play_key] = False  # allowed: the toggle is not drawn yet
    step, playing, reset = player(prefix)
    stored: tuple[Any, T] | None = st.session_state.get(key)
    if reset or stored is None or stored[0] != settings:
        st.session_state[key] = (settings, make())
    toy: T = st.session_state[key][1]
    for name, value in (knobs or {}).items():
        setattr(toy, name, value)
    if step:
        _advance(toy, per_click, max_steps)

    def body() -> None:
        toy: T = st.session_state[key][1]  # a tick reruns only this: the stored toy
        if playing:
            if max_steps is not None and toy.steps >= max_steps:
                st.session_state[stop_key] = True
                st.rerun()  # a full run redraws the toggle, off
            _advance(toy, per_tick or per_click, max_steps)
        view(toy)

    if playing:
        live(body, playing=True, every=every)
    else:
        body()


def _advance(toy: Toy, n: int, max_steps: int | None) -> None:
    toy.step(n if max_steps is None else max(0, min(n, max_steps - toy.steps)))
