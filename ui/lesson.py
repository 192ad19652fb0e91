"""The Home page's course, drawn: the index of the notes' questions and one lesson.

A lesson is: the notes' question, a link to its explorer, a prediction to pick, the real
run in one click, and its result drawn with the verdict read out over the prediction
(``ui.course`` holds the topics, the experiments and the verdicts). The course's state
(topics seen, experiments' batches, predictions) lives in the session and in the URL:
``?topic=cdq&seen=rand,dqn&runs=cdq:B1+B2&pred=cdq:ddpg`` — a refresh, a shared link or a
page that reloads finds it again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, course, jobs
from ui.i18n import lang_query, page_params, set_page_params, t
from ui.learn.figures import Line, lines_figure
from ui.palette import GREY, PALETTE

__all__ = ["explorer_course_box", "index", "lesson", "state", "write_url"]

COURSE = "course_state"  # session_state: {"seen": [...], "runs": {exp: [batch]}, "pred": {}}
POLL_S = 2.0


# -- state, in the session and the URL -----------------------------------------------
def _parse(q: dict[str, str]) -> dict[str, Any]:
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


def state() -> dict[str, Any]:
    """This session's course progress, merged with what the URL brings (a link, a reload)."""
    s = st.session_state.setdefault(COURSE, {"seen": [], "runs": {}, "pred": {}})
    url = _parse(page_params())
    s["seen"] += [x for x in url["seen"] if x not in s["seen"]]
    for exp, batches in url["runs"].items():
        mine = [b for b in batches if jobs.batch_runs(b)]  # a deleted run is forgotten
        if mine and exp not in s["runs"]:
            s["runs"][exp] = mine
            jobs.session_batches().extend(b for b in mine if b not in jobs.session_batches())
    s["pred"] = {**url["pred"], **s["pred"]}
    return s


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


def write_url(s: dict[str, Any], topic_id: str | None) -> None:
    """Mirror the course's state into the URL (only when it changed)."""
    q = query(s, topic_id)
    set_page_params(q)


def _home_link(label: str, q: dict[str, str], key: str, icon: str | None = None) -> None:
    try:
        st.page_link("pages/home.py", label=label, query_params=lang_query(q), icon=icon)
    except st.errors.StreamlitAPIException:  # the page runs alone (AppTest of one file)
        st.markdown(f"{label}")


# -- the index -----------------------------------------------------------------------
def index(s: dict[str, Any]) -> None:
    """Every question of the notes, in their order, each a link to its lesson."""
    st.title(t("course.title"))
    st.write(t("course.intro"))
    n = sum(tp.id in s["seen"] for tp in course.TOPICS)
    st.progress(n / len(course.TOPICS), text=t("course.progress", n=n, total=len(course.TOPICS)))
    number = {tp.id: i for i, tp in enumerate(course.TOPICS, 1)}
    for section in course.SECTIONS:
        st.subheader(t(f"course.section.{section}"), anchor=False)
        for tp in (tp for tp in course.TOPICS if tp.section == section):
            mark = "✅" if tp.id in s["seen"] else "▫️"
            run = f" · ▶ {t('course.has_run')}" if tp.experiment else ""
            label = f"{number[tp.id]}. {mark} {t(tp.key + '.title')}{run}"
            _home_link(label, query(s, tp.id), f"course_{tp.id}")


# -- one lesson ----------------------------------------------------------------------
def lesson(s: dict[str, Any], tp: course.Topic) -> None:
    """The notes' question, its explorer, the prediction, the real run and its result."""
    if tp.id not in s["seen"]:
        s["seen"].append(tp.id)
    if tp.experiment is not None:  # a prediction just picked goes into every link below
        picked = st.session_state.get(_pred_key(tp.experiment))
        if picked is not None:
            s["pred"][tp.experiment] = picked
    i = course.TOPICS.index(tp)
    _home_link(t("course.back"), query(s), "course_back", ":material/arrow_back:")
    st.title(t(tp.key + ".title"), anchor=False)
    st.caption(t("course.number", n=i + 1, total=len(course.TOPICS)))
    st.markdown(f"> {t(tp.key + '.question')}")
    st.subheader(t("course.explore"), anchor=False)
    st.markdown(f"[{t('course.explore.link', title=t(tp.key + '.title'))}]({explorer_url(s, tp)})")
    if tp.experiment is None:
        st.info(t("course.maths_only"), icon=":material/functions:")
    else:
        _experiment(s, tp, course.EXPERIMENTS[tp.experiment])
    prev, nxt = st.columns(2)
    with prev:
        if i > 0:
            before = course.TOPICS[i - 1]
            _home_link(f"← {t(before.key + '.title')}", query(s, before.id), "course_prev")
    with nxt:
        if i + 1 < len(course.TOPICS):
            after = course.TOPICS[i + 1]
            _home_link(f"{t(after.key + '.title')} →", query(s, after.id), "course_next")


def explorer_url(s: dict[str, Any], tp: course.Topic) -> str:
    """The explorer's section, carrying the course (and the language) along."""
    from urllib.parse import urlencode

    from ui.i18n import current_language

    q = query(s, tp.id)
    if current_language() != "en":
        q["lang"] = current_language()
    return f"/{tp.page}?{urlencode(q)}#{tp.anchor}"


def _dataset() -> str | None:
    """The local Pendulum dataset the offline experiment trains on (the newest one)."""
    from ui.datasets import local_datasets

    have = [d for d in local_datasets() if d.env == "Pendulum-v1"]
    return have[-1].id if have else None


def _pred_key(exp_id: str) -> str:
    """The prediction radio's key: one per language (its option labels are translated)."""
    from ui.i18n import current_language

    return f"course_pred_{exp_id}_{current_language()}"


def _experiment(s: dict[str, Any], tp: course.Topic, exp: course.Experiment) -> None:
    """Predict, run in one click, see the result over the prediction."""
    st.subheader(t("course.predict"), anchor=False)
    options = list(exp.options)
    picked = s["pred"].get(exp.id)
    choice = st.radio(
        t(f"course.exp.{exp.id}.predict"),
        options,
        index=options.index(picked) if picked in options else None,
        format_func=lambda o: t(f"course.exp.{exp.id}.opt.{o}"),
        key=_pred_key(exp.id),
        horizontal=True,
    )
    if choice is not None:
        s["pred"][exp.id] = choice
    st.subheader(t("course.run"), anchor=False)
    st.write(t(f"course.exp.{exp.id}.what"))
    dataset = _dataset() if exp.offline else None
    if exp.offline and dataset is None:
        st.warning(t("course.need_dataset"), icon=":material/database:")
        try:
            st.page_link("pages/datasets.py", label=t("page.datasets"), icon=":material/storage:")
        except st.errors.StreamlitAPIException:
            pass
        return
    batches = s["runs"].get(exp.id)
    if not batches:
        from rlcore.service.worker import ensure_spare

        ensure_spare()  # its process starts while the learner reads
        try:
            plans = course.experiment_plans(exp, dataset)
        except ValueError as e:
            st.error(str(e), icon=":material/error:")
            return
        st.caption(jobs.runs_estimate([r for p in plans for r in p.runs]), help=t("eta.help"))
        go = st.button(
            t("course.run.button"),
            key=f"course_run_{exp.id}",
            type="primary",
            icon=":material/play_arrow:",
        )
        if go or st.query_params.get("run") == "1":
            s["runs"][exp.id] = [jobs.queue().submit(p).id for p in plans]
            jobs.session_batches().extend(s["runs"][exp.id])
            write_url(s, tp.id)
            st.rerun()
        return
    _result(s, exp, batches)


def _runs_by_algo(batches: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for b in batches:
        for rid in jobs.batch_runs(b):
            algo = jobs.run_config(rid).get("run", {}).get("algo", "?")
            out.setdefault(algo, []).append(rid)
    return out


def _result(s: dict[str, Any], exp: course.Experiment, batches: list[str]) -> None:
    """Progress of the experiment's runs, its chart and the verdict (polled while they train)."""
    by_algo = _runs_by_algo(batches)
    ids = [r for rs in by_algo.values() for r in rs]
    if not ids:
        return
    store_status = {r: jobs.RunStore().status(r).get("status") for r in ids}
    active = any(v in ("queued", "running") for v in store_status.values())

    @st.fragment(run_every=POLL_S if active else None)
    def _poll() -> None:
        positions = jobs.queue().positions()
        dfs = {r: jobs.metrics(r) for r in ids}
        states = [jobs.run_state(r, positions, dfs[r]) for r in ids]
        done = sum(x.done for x in states)
        left = jobs.batch_estimate(states)
        text = t("course.runs_done", done=done, n=len(states)) + (f" · {left}" if left else "")
        st.progress(sum(x.fraction for x in states) / len(states), text=text)
        for x in states:
            if x.status in ("failed", "diverged") and x.message:
                st.error(f"{x.label}: {x.message}", icon=":material/error:")
        runs = {algo: [dfs[r] for r in rs] for algo, rs in by_algo.items()}
        fig = result_figure(exp.id, runs)
        if fig is not None:
            st.plotly_chart(fig, key=f"course_fig_{exp.id}", config={"displaylogo": False})
        st.caption(t(f"course.exp.{exp.id}.look"))
        if exp.offline and done == len(states):
            _actions(by_algo)
        answer, numbers = course.verdict(exp.id, runs) if done == len(states) else (None, {})
        if answer is None:
            st.info(t("course.waiting"), icon=":material/hourglass_top:")
        else:
            _say_verdict(s, exp, answer, numbers)
        if active and done == len(states):
            st.rerun()

    _poll()


@st.cache_data(max_entries=8, show_spinner=False)
def _policy_actions(ds_id: str, runs: tuple[tuple[str, str], ...]) -> Any:
    from ui.actions import policy_actions

    return policy_actions(ds_id, dict(runs))  # finished runs: their weights do not change


def _actions(by_algo: dict[str, list[str]]) -> None:
    """The offline experiment's policies against the data, actions over states."""
    from ui.actions import actions_figure

    first = next(iter(by_algo.values()))[0]
    ds_id = jobs.run_config(first).get("run", {}).get("dataset")
    runs = tuple((a.upper(), rs[0]) for a, rs in by_algo.items())
    acts = _policy_actions(ds_id, runs) if ds_id else None
    if acts is not None:
        st.plotly_chart(actions_figure(acts), key="course_actions", config={"displaylogo": False})
        st.caption(t("actions.help"))


def _say_verdict(s: dict[str, Any], exp: course.Experiment, answer: str, numbers: dict) -> None:
    said = t(f"course.exp.{exp.id}.result", **_fmt(exp.id, numbers))
    mine = s["pred"].get(exp.id)
    head = t("course.answer", answer=t(f"course.exp.{exp.id}.opt.{answer}"))
    if mine is None:
        st.success(f"**{head}** {said}", icon=":material/lightbulb:")
    elif mine == answer:
        st.success(f"**{t('course.right')}** {head} {said}", icon=":material/check_circle:")
    else:
        guess = t(f"course.exp.{exp.id}.opt.{mine}")
        st.warning(
            f"**{t('course.wrong', guess=guess)}** {head} {said}", icon=":material/psychology:"
        )


def _fmt(exp_id: str, numbers: dict) -> dict[str, str]:
    """The verdict's numbers as the text writes them."""
    out: dict[str, str] = {}
    for k, v in numbers.items():
        if isinstance(v, dict):
            for name, x in v.items():
                out[name] = f"{100 * x:+.0f}%" if k == "gaps" else f"{x:,.1f}"
        elif k == "gap":
            out[k] = f"{100 * v:+.0f}%"
        else:
            out[k] = f"{v:,.2f}" if abs(v) < 10 else f"{v:,.0f}"
    return out


# -- the result figures --------------------------------------------------------------
def _series(df: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray]:
    return charts.series(df, key)


def result_figure(exp_id: str, runs: dict[str, list[pd.DataFrame]]) -> Any:
    """The chart that shows the experiment's idea (``None`` before any data)."""
    if not any(len(df) for dfs in runs.values() for df in dfs):
        return None
    lines: list[Line] = []
    x_title = charts.step_title(exp_id == "offline")
    if exp_id in ("dqn", "cdq"):
        for i, (algo, dfs) in enumerate(runs.items()):
            color = PALETTE[i % len(PALETTE)]
            x, q = _series(dfs[0], "eval/q_start")
            _, g = _series(dfs[0], "eval/discounted_return")
            lines.append(Line(x, q, t("course.fig.q", algo=algo.upper()), color=color))
            lines.append(
                Line(x, g, t("course.fig.mc", algo=algo.upper()), dash="dash", color=color)
            )
        return lines_figure(lines, x_title, t("course.fig.value"))
    if exp_id == "sac":
        df = runs["sac"][0]
        x, h = _series(df, "train/entropy")
        _, a = _series(df, "train/alpha")
        lines = [
            Line(x, h, charts.metric_label("train/entropy"), color=PALETTE[0]),
            Line(x, np.full(len(x), -1.0), t("course.fig.target"), dash="dot", color=GREY),
            Line(x, a, charts.metric_label("train/alpha"), color=PALETTE[1], col=2),
        ]
        return lines_figure(
            lines, x_title, ["", ""], titles=[charts.metric_label("train/entropy"), "α"]
        )
    key = "eval/normalized_score" if exp_id == "offline" else "eval/return_mean"
    for i, (algo, dfs) in enumerate(runs.items()):
        for j, df in enumerate(dfs):
            x, y = _series(df, key)
            name = algo.upper() if len(dfs) == 1 else f"{algo.upper()} · {t('live.seed', n=j)}"
            lines.append(
                Line(x, y, name, mode="lines+markers", color=PALETTE[(i + j) % len(PALETTE)])
            )
    return lines_figure(lines, x_title, charts.metric_label(key))


# -- on the explorer pages -------------------------------------------------------------
def explorer_course_box(anchor: str) -> None:
    """Under an explorer section that answers a course question: the way to its real run."""
    tp = course.BY_ANCHOR.get(anchor)
    if tp is None:
        return
    s = _parse(page_params())
    here = st.session_state.get(COURSE) or s
    n = course.TOPICS.index(tp) + 1
    with st.container(border=True):
        st.caption(t("course.box", n=n, total=len(course.TOPICS)))
        if tp.experiment is not None:
            _home_link(
                t("course.box.run", what=t(f"course.exp.{tp.experiment}.short")),
                query(here, tp.id, run="1"),
                f"course_box_run_{tp.id}",
                ":material/play_arrow:",
            )
        _home_link(
            t("course.box.back"), query(here, tp.id), f"course_box_{tp.id}", ":material/school:"
        )
