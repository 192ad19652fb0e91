"""Helpers for the Offline-ideas and Maths-toolbox Learn pages, on top of ``ui.explorer``.

``ui.explorer`` draws the common parts (table of contents, section header, formula,
Step/Play/Reset row, the self-refreshing fragment). This module adds what those two
pages need besides:

* :func:`offline_link`: a link to an algorithm on the Train-offline page;
* :func:`stepper`: Step / Play / Reset around a learning-dynamics toy (anything with
  ``step(n)`` and ``steps``) kept in ``st.session_state``, rebuilt when its settings
  change, its play stopping at a cap.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import streamlit as st

from ui import explorer as ex
from ui.i18n import t

__all__ = ["Steppable", "offline_link", "stepper"]

ROOT = Path(__file__).resolve().parent.parent


class Steppable(Protocol):
    """A learning-dynamics toy: ``step(n)`` advances it, ``steps`` counts the updates."""

    steps: int

    def step(self, n: int = 1) -> None: ...


T = TypeVar("T", bound=Steppable)


def offline_link(algo: str | None = None, dataset: str | None = None) -> None:
    """Link to the Train-offline page with ``algo`` and/or ``dataset`` chosen.

    Skipped while that page does not exist, and when this page file runs alone
    (AppTest, ``streamlit run pages/x.py``): the page is then not registered.
    """
    if not (ROOT / "pages" / "offline.py").exists():
        return
    query = {k: v for k, v in (("algo", algo), ("dataset", dataset)) if v}
    label = (
        t("explorer_b.offline_link", algo=algo.upper().replace("_", "-"))
        if algo
        else t("explorer_b.offline_dataset", dataset=dataset)
    )
    try:
        st.page_link(
            "pages/offline.py", label=label, icon=":material/model_training:", query_params=query
        )
    except st.errors.StreamlitAPIException:
        pass


def stepper(
    prefix: str,
    settings: Hashable,
    make: Callable[[], T],
    per_click: int,
    max_steps: int,
    view: Callable[[T], None],
) -> None:
    """Step / Play / Reset around a toy kept in ``st.session_state``, then ``view(toy)``.

    The toy (``{prefix}.toy``) is rebuilt by ``make()`` when ``settings`` change or on
    Reset: a changed slider restarts the dynamics from step 0 (replaying hundreds of
    network updates would make the slider lag). Step advances ``per_click`` updates; Play
    does the same on every tick of a fragment (only that fragment reruns) and switches
    itself off at ``max_steps``.

    Works inside a section fragment: while paused the view is drawn without the ticking
    fragment, so Streamlit drops that fragment and cancels its timer.
    """
    key, stop_key, play_key = f"{prefix}.toy", f"{prefix}.stop", f"{prefix}.play"
    if st.session_state.pop(stop_key, False):
        st.session_state[play_key] = False  # allowed: the toggle is not drawn yet
    step, playing, reset = ex.player(prefix)
    stored: tuple[Any, T] | None = st.session_state.get(key)
    if reset or stored is None or stored[0] != settings:
        st.session_state[key] = (settings, make())
    if step:
        _advance(st.session_state[key][1], per_click, max_steps)

    def body() -> None:
        model: T = st.session_state[key][1]
        if playing:
            if model.steps >= max_steps:
                st.session_state[stop_key] = True
                st.rerun()  # a full run redraws the toggle, off
            _advance(model, per_click, max_steps)
        view(model)

    if playing:
        ex.live(body, playing=True, every=0.3)
    else:
        body()


def _advance(model: Steppable, n: int, max_steps: int) -> None:
    model.step(max(0, min(n, max_steps - model.steps)))
