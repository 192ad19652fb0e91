"""The course's box under an explorer section, and the course's links (no figures here).

A section of a Learn page that answers a question of the course shows, under its header,
the way back to that question's lesson (``ui.lesson`` draws the lessons; it and the
explorers both import this module, which imports neither: no import circle).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import course
from ui.i18n import lang_query, page_params, t

__all__ = ["COURSE", "explorer_course_box", "home_link", "parse", "query"]

COURSE = "course_state"  # session_state: {"seen": [...], "runs": {exp: [batch]}, "pred": {}}


def parse(q: dict[str, str]) -> dict[str, Any]:
    """The course's progress a URL carries (unknown topics, experiments and options dropped)."""
    seen = [x for x in q.get("seen", "").split(",") if course.topic(x)]
    runs: dict[str, list[str]] = {}
    for part in q.get("runs", "").split(","):
        exp, _, ids = part.partition(":")
        if exp in course.EXPERIMENTS and ids:
            runs[exp] = [b for b in ids.split("+") if b]
    pred = {}
    for part in q.get("pred", "").split(","):
        exp, _, opt = part.partition(":")
        if exp in course.EXPERIMENTS and opt in course.EXPERIMENTS[exp].options:
            pred[exp] = opt
    return {"seen": seen, "runs": runs, "pred": pred}


def query(s: dict[str, Any], topic_id: str | None = None, **extra: str) -> dict[str, str]:
    """The course's query parameters (what a link must carry to keep the progress)."""
    q: dict[str, str] = {"topic": topic_id} if topic_id else {}
    if s["seen"]:
        q["seen"] = ",".join(s["seen"])
    if s["runs"]:
        q["runs"] = ",".join(f"{e}:{'+'.join(b)}" for e, b in s["runs"].items())
    if s["pred"]:
        q["pred"] = ",".join(f"{e}:{o}" for e, o in s["pred"].items())
    return q | extra


def home_link(label: str, q: dict[str, str], key: str, icon: str | None = None) -> None:
    """A link to the Home page's course (a lesson with ``topic``), in the learner's language."""
    try:
        st.page_link("pages/home.py", label=label, query_params=lang_query(q), icon=icon)
    except st.errors.StreamlitAPIException:  # the page runs alone (AppTest of one file)
        st.markdown(f"{label}")


# -- on the explorer pages -------------------------------------------------------------
def explorer_course_box(anchor: str) -> None:
    """Under an explorer section that answers a course question: the way to its real run."""
    tp = course.BY_ANCHOR.get(anchor)
    if tp is None:
        return
    s = parse(page_params())
    here = st.session_state.get(COURSE) or s
    n = course.TOPICS.index(tp) + 1
    with st.container(border=True):
        st.caption(t("course.box", n=n, total=len(course.TOPICS)))
        if tp.experiment is not None:
            home_link(
                t("course.box.run", what=t(f"course.exp.{tp.experiment}.short")),
                query(here, tp.id, run="1"),
                f"course_box_run_{tp.id}",
                ":material/play_arrow:",
            )
        home_link(
            t("course.box.back"), query(here, tp.id), f"course_box_{tp.id}", ":material/school:"
        )
