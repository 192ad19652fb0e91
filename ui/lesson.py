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

from rlcore.learn import verdicts
from ui import charts, course, jobs
from ui.i18n import lang_query, page_params, set_page_params, t
from ui.learn.course_box import COURSE, explorer_course_box, home_link, parse, query
from ui.learn.figures import Line, lines_figure
from ui.palette import GREY, PALETTE
from ui.safe import md_text

__all__ = ["explorer_course_box", "index", "lesson", "state", "write_url"]

POLL_S = 2.0


# -- state: the session, the URL and this browser's progress record ---------------------
XSRF_COOKIE = "_streamlit_xsrf"  # Streamlit's per-browser cookie (every tab, every refresh)


def progress_key() -> str | None:
    """This browser's progress key: a hash of its XSRF cookie's token (``None``: no cookie).

    Tornado masks the token differently in each page it serves (``2|mask|masked|time``); the
    unmasked token is the browser's, the same in every tab until the browser forgets it.
    """
    try:
        raw = st.context.cookies.get(XSRF_COOKIE)
    except Exception:  # no browser (AppTest, a bare script run)
        return None
    if not raw:
        return None
    return course.progress_key(str(raw))


def state() -> dict[str, Any]:
    """This browser's course progress: its record, merged with the session and the URL."""
    s = st.session_state.get(COURSE)
    if s is None:
        s = st.session_state[COURSE] = {"seen": [], "runs": {}, "pred": {}}
        key = progress_key()
        if key is not None:
            _merge(s, course.load_progress(key))
    _merge(s, parse(page_params()))
    return s


def _merge(s: dict[str, Any], other: dict[str, Any]) -> None:
    """Fold another record of progress in (what ``s`` already holds wins)."""
    s["seen"] += [x for x in other.get("seen", []) if x not in s["seen"]]
    for exp, batches in other.get("runs", {}).items():
        if exp in s["runs"]:
            continue
        if course.EXPERIMENTS[exp].local:
            s["runs"][exp] = [course.LOCAL_RUN]
            continue
        mine = [b for b in batches if jobs.batch_runs(b)]  # a deleted run is forgotten
        if mine:
            s["runs"][exp] = mine
            jobs.session_batches().extend(b for b in mine if b not in jobs.session_batches())
    s["pred"] = {**other.get("pred", {}), **s["pred"]}


def save(s: dict[str, Any]) -> None:
    """Keep the progress in this browser's record (when it changed)."""
    key = progress_key()
    if key is None:
        return
    record = {"seen": list(s["seen"]), "runs": dict(s["runs"]), "pred": dict(s["pred"])}
    if st.session_state.get(f"{COURSE}_saved") != record:
        course.save_progress(key, record)
        st.session_state[f"{COURSE}_saved"] = record


def write_url(s: dict[str, Any], topic_id: str | None) -> None:
    """Mirror the course's state into the URL (only when it changed) and into its record."""
    q = query(s, topic_id)
    set_page_params(q)
    save(s)


# -- the index -----------------------------------------------------------------------
def index(s: dict[str, Any]) -> None:
    """Every question of the notes, in their order, each a link to its lesson."""
    st.title(t("course.title"))
    n_runs = sum(tp.experiment is not None for tp in course.TOPICS)
    st.write(t("course.intro", n=n_runs, total=len(course.TOPICS)))
    n = sum(tp.id in s["seen"] for tp in course.TOPICS)
    st.progress(n / len(course.TOPICS), text=t("course.progress", n=n, total=len(course.TOPICS)))
    number = {tp.id: i for i, tp in enumerate(course.TOPICS, 1)}
    for section in course.SECTIONS:
        st.subheader(t(f"course.section.{section}"), anchor=False)
        for tp in (tp for tp in course.TOPICS if tp.section == section):
            mark = "✅" if tp.id in s["seen"] else "▫️"
            run = f" · 🔍 {t('course.explorer_only')}"
            if tp.experiment is not None:
                local = course.EXPERIMENTS[tp.experiment].local
                run = f" · ▶ {t('course.computed' if local else 'course.has_run')}"
            label = f"{number[tp.id]}. {mark} {t(tp.key + '.title')}{run}"
            home_link(label, query(s, tp.id), f"course_{tp.id}")


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
    home_link(t("course.back"), query(s), "course_back", ":material/arrow_back:")
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
            home_link(f"← {t(before.key + '.title')}", query(s, before.id), "course_prev")
    with nxt:
        if i + 1 < len(course.TOPICS):
            after = course.TOPICS[i + 1]
            home_link(f"{t(after.key + '.title')} →", query(s, after.id), "course_next")


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
    locked = bool(s["runs"].get(exp.id))  # a prediction locks once its run starts
    picked = s["pred"].get(exp.id)
    choice = st.radio(
        t(f"course.exp.{exp.id}.predict"),
        options,
        index=options.index(picked) if picked in options else None,
        format_func=lambda o: t(f"course.exp.{exp.id}.opt.{o}"),
        key=_pred_key(exp.id) + ("_locked" if locked else ""),
        horizontal=True,
        disabled=locked,
    )
    if locked:
        st.caption(t("course.locked"))
    elif choice is not None:
        s["pred"][exp.id] = choice
    st.subheader(t("course.run"), anchor=False)
    st.write(t(f"course.exp.{exp.id}.what"))
    if exp.slow:  # said before Start: the effect may not show within the budget
        st.info(t("course.slow"), icon=":material/schedule:")
    if exp.local:
        _local(s, tp, exp)
        return
    dataset = _dataset() if exp.offline else None
    if exp.offline and dataset is None:
        _build_dataset()
        return
    batches = s["runs"].get(exp.id)
    if not batches:
        _start(s, tp, exp, dataset)
        return
    _result(s, exp, batches)


COURSE_DATASET = course.COURSE_DATASET
BUILD = "course_build"  # session_state: the id of the dataset build this lesson started


def _build_dataset() -> None:
    """No Pendulum dataset yet: build a small mixed one here, in one click (or on Datasets)."""
    from rlcore.service import dataset_builds as builds

    bid = st.session_state.get(BUILD)
    if bid is None:
        st.info(t("course.need_dataset"), icon=":material/database:")
        if st.button(t("course.build.button"), key="course_build", icon=":material/build:"):
            try:
                from ui.datasets import hosted_name

                spec = {**COURSE_DATASET, "name": hosted_name(COURSE_DATASET["name"])}
                st.session_state[BUILD] = builds.start_build(
                    "Pendulum-v1", seed=0, owner=_owner(), **spec
                )
            except (ValueError, OSError) as e:
                st.error(md_text(e), icon=":material/error:")
                return
            st.rerun()
        try:
            st.page_link(
                "pages/datasets.py",
                label=t("course.datasets_link"),
                icon=":material/storage:",
                query_params=lang_query({}),
            )
        except st.errors.StreamlitAPIException:
            pass
        return

    @st.fragment(run_every=1.0)
    def _wait() -> None:
        status = builds.read_status(bid)
        if status["status"] == "running":
            st.info(t("course.building"), icon=":material/hourglass_top:")
            return
        st.session_state.pop(BUILD, None)
        if status["status"] != "finished":
            st.error(md_text(status.get("message") or "?"), icon=":material/error:")
            return
        from ui.datasets import forget_datasets

        forget_datasets()
        st.rerun(scope="app")

    _wait()


def _owner() -> str | None:
    """The browser's owner token where the app has one (hosted servers)."""
    try:
        from ui import owner

        return owner.current()
    except Exception:  # no owner module, or no browser
        return None


def _start(
    s: dict[str, Any], tp: course.Topic, exp: course.Experiment, dataset: str | None
) -> None:
    """The time it would take and the Start button (a link never starts work by itself)."""
    from rlcore.service.worker import ensure_spare

    ensure_spare()  # its process starts while the learner reads
    try:
        plans = course.experiment_plans(exp, dataset)
    except ValueError as e:
        st.error(md_text(e), icon=":material/error:")
        return
    said = jobs.runs_estimate([r for p in plans for r in p.runs])
    if exp.quiet_s is not None:
        said += " · " + t("course.measured", time=jobs.fmt_duration(exp.quiet_s))
    st.caption(said, help=t("eta.help"))
    if st.query_params.get("run") == "1":  # from an explorer's box: ready, not started
        st.caption(t("course.ready"))
    go = st.button(
        t("course.run.button"),
        key=f"course_run_{exp.id}",
        type="primary",
        icon=":material/play_arrow:",
    )
    if not go:
        return
    try:
        ids = _submit(plans)
    except ValueError as e:  # a cap refused: nothing started
        st.error(md_text(e), icon=":material/block:")
        return
    s["runs"][exp.id] = ids
    jobs.session_batches().extend(b for b in ids if b not in jobs.session_batches())
    st.session_state.pop(_eta_key(exp.id), None)
    write_url(s, tp.id)
    st.rerun()


def _submit(plans: list[Any]) -> list[str]:
    """Start the experiment's plans through the app's one gate (caps, owners): all or none.

    ``ValueError`` (a cap refused, in the learner's words) when nothing was started.
    """
    return [b.id for b in jobs.start_plans(plans, page="course")]


@st.cache_data(max_entries=2, show_spinner=False)
def _rep_verdict() -> course.Verdict:
    return course.rep_experiment()


def _local(s: dict[str, Any], tp: course.Topic, exp: course.Experiment) -> None:
    """An experiment computed here (no run): a button, then the numbers and the verdict."""
    if not s["runs"].get(exp.id):
        if st.button(
            t("course.compute.button"),
            key=f"course_run_{exp.id}",
            type="primary",
            icon=":material/calculate:",
        ):
            s["runs"][exp.id] = [course.LOCAL_RUN]
            write_url(s, tp.id)
            st.rerun()
        return
    with st.spinner():
        v = _rep_verdict()
    st.caption(t(f"course.exp.{exp.id}.look"))
    say_verdict(s, exp, v, computed=True)


def _runs_by_algo(batches: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for b in batches:
        for rid in jobs.batch_runs(b):
            algo = jobs.run_config(rid).get("run", {}).get("algo", "?")
            out.setdefault(algo, []).append(rid)
    return out


def _eta_key(exp_id: str) -> str:
    return f"course_eta_{exp_id}"


def _seconds_left(states: list[Any]) -> float | None:
    """Seconds until the batch's last run ends (``None``: not known yet)."""
    from rlcore.service.speed import forecast

    active = [x for x in states if not x.done]
    if not active:
        return 0.0
    ahead = forecast(jobs.queue()) if any(x.status == "queued" for x in active) else {}
    ends = []
    for x in active:
        if x.status == "running":
            ends.append(x.eta_s)
        else:
            when = ahead.get(x.id)
            ends.append(None if when is None else when[1])
    return None if any(e is None for e in ends) else float(max(ends))


def monotone_left(
    exp_id: str, seconds: float | None, now: float, store: Any = None
) -> float | None:
    """The time left, never above what was shown before (no 2:16 -> 4:11).

    The shown finish time only moves earlier: a new estimate later than it is not shown;
    past it, the time left reads 0 (almost done) until the runs end. ``store`` keeps the
    shown finish time (the session's state by default).
    """
    store = st.session_state if store is None else store
    due = store.get(_eta_key(exp_id))
    if seconds is not None:
        due = now + seconds if due is None else min(due, now + seconds)
        store[_eta_key(exp_id)] = due
    return None if due is None else max(0.0, due - now)


def _data_score(ids: dict[str, list[str]]) -> float | None:
    """The normalised score of the offline runs' dataset's own mean return."""
    from ui.datasets import local_datasets, score

    first = next((rs[0] for rs in ids.values() if rs), None)
    ds_id = jobs.run_config(first).get("run", {}).get("dataset") if first else None
    info = next((d for d in local_datasets() if d.id == ds_id), None)
    return None if info is None else float(score(info))


def _starts(ids: dict[str, list[str]]) -> dict[str, int]:
    """Each algorithm's ``learning_starts`` (0 for those without a warm-up)."""
    out = {}
    for algo, rs in ids.items():
        cfg = jobs.run_config(rs[0]).get("algo", {}) if rs else {}
        out[algo] = int(cfg.get("learning_starts", 0) or 0)
    return out


def _result(s: dict[str, Any], exp: course.Experiment, batches: list[str]) -> None:
    """Progress of the experiment's runs, its chart and the verdict (polled while they train)."""
    import time

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
        left = monotone_left(exp.id, _seconds_left(states), time.time())
        text = t("course.runs_done", done=done, n=len(states))
        if done < len(states):
            text += " · " + (
                t("eta.none") if left is None else t("eta.left", time=jobs.fmt_duration(left))
            )
        st.progress(sum(x.fraction for x in states) / len(states), text=text)
        for x in states:
            if x.status in ("failed", "diverged") and x.message:
                st.error(md_text(f"{x.label}: {x.message}"), icon=":material/error:")
        runs = {algo: [dfs[r] for r in rs] for algo, rs in by_algo.items()}
        fig = result_figure(exp.id, runs)
        if fig is not None:
            st.plotly_chart(fig, key=f"course_fig_{exp.id}", config={"displaylogo": False})
        st.caption(t(f"course.exp.{exp.id}.look"))
        if exp.offline and done == len(states):
            _actions(by_algo)
        if done < len(states):
            st.info(t("course.waiting"), icon=":material/hourglass_top:")
        else:
            data = _data_score(by_algo) if exp.offline else None
            say_verdict(s, exp, course.verdict(exp.id, runs, _starts(by_algo), data))
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


def verdict_text(
    exp: course.Experiment, v: course.Verdict, mine: str | None, computed: bool = False
) -> tuple[str, str]:
    """The verdict in words: ``(kind, markdown)``, kind one of success / warning / info.

    A tie or "not enough data" never judges the prediction; a result against the textbook
    says the likely reasons and what to try.
    """
    said = t(f"course.exp.{exp.id}.result", **_fmt(exp.id, v))
    opt = lambda o: t(f"course.exp.{exp.id}.opt.{o}")  # noqa: E731
    guess = opt(mine) if mine is not None else None
    if v.answer == course.TIE:
        head, kind = t("course.tie"), "info"
        judge = t("course.tie.pred", guess=guess) if guess else ""
    elif v.answer == course.NO_DATA:
        head, kind = t("course.no_data"), "info"
        judge = t("course.no_data.pred", guess=guess) if guess else ""
    else:
        head = t("course.answer.computed" if computed else "course.answer", answer=opt(v.answer))
        if mine is None:
            kind, judge = "success", ""
        elif mine == v.answer:
            kind, judge = "success", t("course.right")
        else:
            kind, judge = "warning", t("course.wrong", guess=guess)
    parts = [f"**{judge}**" if judge else "", f"**{head}**", said]
    lines = [" ".join(p for p in parts if p)]
    if not v.agrees:
        reasons = [r for r in v.reasons if r in verdicts.REASONS] or ["small_effect"]
        lines.append(
            t(
                "course.disagree",
                reasons="; ".join(t(f"course.reason.{r}") for r in reasons),
                tries="; ".join(t(f"course.try.{r}") for r in reasons),
            )
        )
    lines.append(_claim_line(exp, v))
    return kind, "\n\n".join(lines)


def _claim_line(exp: course.Experiment, v: course.Verdict) -> str:
    claim = verdicts.CLAIMS[exp.id]
    margin = claim.margin
    shown = f"{100 * margin:.0f}%" if exp.id in ("dqn", "cdq", "seeds") else f"{margin:g}"
    seeds = max(v.n.values(), default=0) or v.numbers.get("seeds", 0) or len(v.n)
    key = "course.claim" if claim.warmup > 0 else "course.claim.nowarm"
    return (
        "*"
        + t(
            key,
            claim=t(f"course.exp.{exp.id}.claim"),
            measure=t(f"course.exp.{exp.id}.measure"),
            seeds=int(seeds) if seeds else "—",
            margin=shown,
        )
        + "*"
    )


def say_verdict(
    s: dict[str, Any], exp: course.Experiment, v: course.Verdict, computed: bool = False
) -> None:
    """Draw the verdict over the learner's prediction."""
    kind, text = verdict_text(exp, v, s["pred"].get(exp.id), computed)
    icon = {
        "success": ":material/check_circle:",
        "warning": ":material/psychology:",
        "info": ":material/balance:",
    }[kind]
    getattr(st, kind)(text, icon=icon)


def _fmt(exp_id: str, v: course.Verdict) -> dict[str, str]:
    """The verdict's numbers as the text writes them (a value per option, ± its seeds' sd)."""
    pct = exp_id in ("dqn", "cdq")
    out: dict[str, str] = {}
    for k, x in v.values.items():
        sd = v.spread.get(k, float("nan"))
        if pct:
            val = f"{100 * x:+.0f}%" + (f" ± {100 * sd:.0f}%" if sd == sd else "")
        elif exp_id == "rep":
            val = f"{x:.3g}"
        else:
            val = f"{x:,.1f}" + (f" ± {sd:,.1f}" if sd == sd else "")
        out[k] = val if x == x else "—"
    for k, x in v.numbers.items():
        if x != x:  # NaN: not known
            out[k] = "—"
        else:
            out[k] = f"{x:.3g}" if exp_id == "rep" else f"{x:,.2f}" if abs(x) < 10 else f"{x:,.0f}"
    for opt in course.EXPERIMENTS[exp_id].options:
        out.setdefault(opt, "—")
    return out


# -- the result figures --------------------------------------------------------------
def _series(df: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray]:
    return charts.series(df, key)


def _name(algo: str, j: int, n: int) -> str:
    return algo.upper() if n == 1 else f"{algo.upper()} · {t('live.seed', n=j)}"


def result_figure(exp_id: str, runs: dict[str, list[pd.DataFrame]]) -> Any:
    """The chart that shows the experiment's idea, every seed drawn (``None`` before data)."""
    if not any(len(df) for dfs in runs.values() for df in dfs):
        return None
    lines: list[Line] = []
    x_title = charts.step_title(exp_id == "offline")
    if exp_id in ("dqn", "cdq"):
        for i, (algo, dfs) in enumerate(runs.items()):
            color = PALETTE[i % len(PALETTE)]
            for j, df in enumerate(dfs):
                x, q = _series(df, "eval/q_start")
                _, g = _series(df, "eval/discounted_return")
                seed = "" if len(dfs) == 1 else f" · {t('live.seed', n=j)}"
                lines.append(Line(x, q, t("course.fig.q", algo=algo.upper()) + seed, color=color))
                lines.append(
                    Line(
                        x,
                        g,
                        t("course.fig.mc", algo=algo.upper()) + seed,
                        dash="dash",
                        color=color,
                    )
                )
        return lines_figure(lines, x_title, t("course.fig.value"))
    if exp_id == "sac":
        dfs = runs.get("sac", [])
        for j, df in enumerate(dfs):
            x, h = _series(df, "train/entropy")
            _, a = _series(df, "train/alpha")
            color = PALETTE[j % len(PALETTE)]
            lines.append(Line(x, h, _name("sac", j, len(dfs)), color=color))
            lines.append(Line(x, a, f"α · {t('live.seed', n=j)}", color=color, col=2))
        x = max((_series(df, "train/entropy")[0] for df in dfs), key=len, default=np.zeros(0))
        lines.append(Line(x, np.full(len(x), -1.0), t("course.fig.target"), dash="dot", color=GREY))
        return lines_figure(
            lines, x_title, ["", ""], titles=[charts.metric_label("train/entropy"), "α"]
        )
    key = "eval/normalized_score" if exp_id == "offline" else "eval/return_mean"
    for i, (algo, dfs) in enumerate(runs.items()):
        for j, df in enumerate(dfs):
            x, y = _series(df, key)
            # one algorithm: a colour per seed; several: a colour per algorithm
            color = PALETTE[(j if len(runs) == 1 else i) % len(PALETTE)]
            lines.append(Line(x, y, _name(algo, j, len(dfs)), mode="lines+markers", color=color))
    return lines_figure(lines, x_title, charts.metric_label(key))
