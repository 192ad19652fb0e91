"""The live view of this session's training batch, and "watch the agent".

The view is a ``st.fragment`` that reruns about once a second while a run of the batch
is queued or training (``run_every``), reading only the new metric lines each time; when
the last run ends it triggers one full rerun, which stops the polling. Figures keep
stable keys and ``uirevision`` so zoom and hidden traces survive the refreshes.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rlcore.core.envs import env_spec
from rlcore.service.jobs import Batch
from rlcore.service.runs import RunStore
from ui import charts
from ui.forms import lang_key
from ui.i18n import current_language, t
from ui.jobs import (
    RunState,
    batch_estimate,
    batch_label,
    batch_runs,
    controls,
    fmt_estimate,
    metrics,
    queue,
    queued_estimate,
    run_config,
    run_label,
    run_state,
    session_batches,
    status_text,
    stop,
    view_only_notice,
)
from ui.safe import md_text
from ui.state import FIGURES, SMOOTHING, WATCH, batch_key

__all__ = ["export_row", "live_view", "policy_file", "watch"]

POLL_S = 1.0  # progress and returns
FIRST_POLL_S = 0.25  # until the first metrics of the batch arrive
INSIDES_S = 2.0  # the insides panels


def _progress(s: RunState) -> None:
    if s.status == "queued" and s.position is None:
        st.progress(0.0, text=t("live.starting"))
        return
    if s.status == "queued":
        summary = queue().summary()
        text = t(
            "live.queued",
            n=s.position or 1,
            running=summary["running"],
            cap=summary["max_workers"],
        )
        st.progress(0.0, text=f"{text} · {queued_estimate(s.id)}")
        return
    sps = f"{s.sps:,.0f}" if s.sps else "—"
    st.progress(
        s.fraction,
        text=t(
            "eta.progress",
            step=f"{min(s.step, s.steps):,}",  # vectorised envs overshoot by a chunk
            steps=f"{s.steps:,}",
            sps=sps,
            eta=fmt_estimate(s.eta) if s.status == "running" else "",
            status=status_text(s.status, s.position),
        ).removesuffix(" · "),
    )


def _count(df: pd.DataFrame, key: str) -> int:
    return int(df[key].notna().sum()) if key in df.columns else 0


def _figures(run_id: str, df: pd.DataFrame) -> list[tuple[str, go.Figure]]:
    """The run's figures, each rebuilt only when its own data changed.

    Episodes end many times a second but training and evaluation rows come every
    ``log_every``/``eval_every`` steps: the insides panels are rebuilt only then.
    """
    smoothing = st.session_state.get(SMOOTHING, 0.8)
    lang = current_language()
    rows_train = (_count(df, "time/sps"), _count(df, "eval/return_mean"), lang)
    rows_all = (len(df), smoothing, lang)
    cache = st.session_state.setdefault(FIGURES, {}).setdefault(run_id, {})
    cfg = run_config(run_id)
    run = cfg.get("run", {})
    x_title = charts.step_title(bool(run.get("dataset")))
    if cache.get("return", (None,))[0] != rows_all:
        fig = charts.return_figure(
            df,
            smoothing,
            _refs(run_id, df),
            uirevision=run_id,
            x_title=x_title,
            bounds=charts.return_bounds(run.get("env")),
        )
        cache["return"] = (rows_all, fig)
    if cache.get("panels", (None,))[0] != rows_train:
        warm = 0 if run.get("dataset") else int(cfg.get("algo", {}).get("learning_starts") or 0)
        panels = [
            (
                name,
                charts.panel_figure(
                    df, keys, t(f"chart.{name}"), uirevision=run_id, x_title=x_title, warmup=warm
                ),
            )
            for name, keys in charts.panels(df)
        ]
        cache["panels"] = (rows_train, panels)
    return [("return", cache["return"][1]), *cache["panels"][1]]


def _refs(run_id: str, df: pd.DataFrame) -> list[tuple[str, float]]:
    """Reference lines of the return chart: "solved", or an offline run's yardsticks."""
    first = lambda key: df[key].dropna().iloc[0] if key in df.columns else None  # noqa: E731
    if first("ref/dataset_return") is not None:
        return [
            (t("chart.ref_dataset"), float(first("ref/dataset_return"))),
            (t("chart.ref_expert"), float(first("ref/expert_return"))),
            (t("chart.ref_random"), float(first("ref/random_return"))),
        ]
    env = run_config(run_id).get("run", {}).get("env")
    try:
        solved = env_spec(env).solved  # None for a custom env without reward_threshold
    except ValueError:  # a custom env this process cannot load (hosted, module gone)
        solved = None
    return [] if solved is None else [(t("chart.solved"), solved)]


def _return_chart(run_id: str, df: pd.DataFrame, key: str) -> None:
    """The return chart of a run.

    Empty axes while the worker starts: the browser loads Plotly meanwhile, so the first
    episode is drawn as soon as it arrives.
    """
    if df.empty:
        st.caption(t("live.waiting"))
        fig = charts.return_figure(df, uirevision=run_id)
    else:
        (_, fig), *_ = _figures(run_id, df)
    st.plotly_chart(fig, key=f"{key}_return", config={"displaylogo": False})


def _panels(run_id: str, df: pd.DataFrame, key: str) -> None:
    """Every insides panel this run has data for, two per row, each with its explanation."""
    if df.empty:
        return
    _, *panels = _figures(run_id, df)
    for i in range(0, len(panels), 2):
        for col, (name, fig) in zip(st.columns(2), panels[i : i + 2]):
            with col:
                st.plotly_chart(fig, key=f"{key}_{name}", config={"displaylogo": False})
                st.caption(t(f"chart.{name}.help"))


def _batch_table(states: list[RunState], dfs: dict[str, pd.DataFrame]) -> None:
    rows = [
        {
            t("col.run"): s.label,
            t("col.status"): status_text(s.status, s.position),
            t("col.progress"): s.fraction,
            t("col.final_return"): charts.final_return(dfs[s.id]),
            t("col.sps"): s.sps,
        }
        for s in states
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        key="live_batch_table",
        placeholder="—",
        column_config={
            t("col.progress"): st.column_config.ProgressColumn(min_value=0.0, max_value=1.0),
            t("col.final_return"): st.column_config.NumberColumn(format="%.1f"),
            t("col.sps"): st.column_config.NumberColumn(format="%.0f"),
        },
    )


def _batch_figures(batch: Batch, states: list[RunState], dfs: dict[str, pd.DataFrame]) -> None:
    smoothing = st.session_state.get(SMOOTHING, 0.8)
    if batch.kind == "sweep":
        groups: dict[str, list[pd.DataFrame]] = {}
        for s in states:
            groups.setdefault(s.label.split(" · ")[0], []).append(dfs[s.id])
    else:
        groups = {t("live.all_seeds"): [dfs[s.id] for s in states]}
    run = run_config(states[0].id).get("run", {}) if states else {}
    bounds = dict.fromkeys(groups, charts.return_bounds(run.get("env")))
    x_title = charts.step_title(bool(run.get("dataset")))
    c1, c2 = st.columns(2)
    for col, key, smooth, name in (
        (c1, "rollout/return", smoothing, "live_batch_episode"),
        (c2, "eval/return_mean", 0.0, "live_batch_eval"),
    ):
        fig = charts.band_figure(
            groups, key, smooth, uirevision=batch.id, bounds=bounds, x_title=x_title
        )
        col.plotly_chart(fig, key=name, config={"displaylogo": False})
    st.caption(t("band.live_help"))
    _reveal(batch, states, dfs)


def _diagnosis(run_id: str, df: pd.DataFrame) -> None:
    """What the run's metrics say, under its charts (``ui.diagnosis``)."""
    from ui.course import BY_ANCHOR
    from ui.diagnosis import diagnose
    from ui.i18n import with_lang

    done = RunStore().status(run_id).get("status") not in ("queued", "running")
    found = diagnose(df, run_config(run_id), done)
    if not found:
        return
    st.markdown(f"**{t('diag.title')}**")
    for f in found:
        text = t(f.key, **f.fmt)
        if f.link is not None:
            page, anchor = f.link
            title = t(BY_ANCHOR[anchor].key + ".title")
            text += f" {t('diag.explain')} [{title}]({with_lang(f'/{page}#{anchor}')})."
        show = st.warning if f.level == "warning" else st.info
        show(text, icon=":material/troubleshoot:")


def _reveal(batch: Batch, states: list[RunState], dfs: dict[str, pd.DataFrame]) -> None:
    """A sweep's final returns against its values, under the learner's prediction."""
    from ui.compare import is_log_param
    from ui.predict import prediction, reveal_figure

    pred = prediction(batch.id)
    if batch.kind != "sweep" and pred is None:
        return
    run = run_config(states[0].id).get("run", {})
    if batch.kind == "sweep":
        rows = [
            (run_config(s.id).get("sweep", {}).get("value"), charts.final_return(dfs[s.id]))
            for s in states
            if s.done
        ]
        rows = [(tuple(v) if isinstance(v, list) else v, f) for v, f in rows if f == f]
        fig = charts.sensitivity_figure(
            pd.DataFrame(rows, columns=["value", "final"]),
            batch.param or "",
            is_log_param(run.get("algo", ""), batch.param or ""),
            bounds=charts.return_bounds(run.get("env")),
        )
    else:
        groups = {t("live.all_seeds"): [dfs[s.id] for s in states]}
        fig = charts.band_figure(groups, "eval/return_mean", uirevision=f"{batch.id}-reveal")
    if pred is not None:
        fig = reveal_figure(fig, pred)
        st.caption(t("predict.result", param=batch.param or t("live.all_seeds")))
    st.plotly_chart(fig, key="live_reveal", config={"displaylogo": False})


def page_of(batch_id: str) -> str:
    """Which page started a batch: ``offline`` if its runs train on a dataset."""
    runs = batch_runs(batch_id)
    return "offline" if runs and run_config(runs[0]).get("run", {}).get("dataset") else "train"


def _header(batch: Batch, page: str) -> None:
    """Title, a picker over this session's submissions from this page, the smoothing slider."""
    head, pick, smooth = st.columns([3, 2, 2], vertical_alignment="bottom")
    head.subheader(t("live.title"), anchor=False)
    mine = [b for b in session_batches() if page_of(b) == page]
    if len(mine) > 1:
        st.session_state["live_pick"] = batch.id
        pick.selectbox(
            t("live.batches"),
            mine[::-1],
            format_func=batch_label,
            key="live_pick",
            on_change=lambda: st.session_state.update(
                {batch_key(page): st.session_state["live_pick"]}
            ),
        )
    smooth.slider(
        t("live.smoothing"),
        0.0,
        0.99,
        0.8,
        0.01,
        key=SMOOTHING,
        help=t("live.smoothing.help"),
        persist_state="session",
    )


def _run_caption(s: RunState, df: pd.DataFrame) -> str:
    """``Run <id> · 1 CPU thread · compiled in 41 s: 9.8 -> 5.1 ms per update, ...``."""
    parts = [t("live.run_id", id=s.id)]
    if s.threads:
        parts.append(t("live.threads", n=s.threads))
    if "compile/seconds" in df.columns:
        m = df.dropna(subset=["compile/seconds"]).iloc[0]
        be = float(m["compile/break_even_updates"])
        parts.append(
            t(
                "live.compiled",
                s=float(m["compile/seconds"]),
                eager=float(m["compile/eager_ms"]),
                compiled=float(m["compile/compiled_ms"]),
            )
        )
        if not math.isfinite(be):
            parts.append(t("live.compiled.never"))
        else:
            key = "live.compiled.pays" if be <= m["compile/updates"] else "live.compiled.late"
            parts.append(t(key, n=f"{be:,.0f}", total=f"{int(m['compile/updates']):,}"))
    return " · ".join(parts)


def _progress_and_returns(batch: Batch, active: bool, waiting: bool) -> None:
    """The polled top of the live view: progress, Stop, errors, the return chart(s)."""
    q = queue()
    positions = q.positions()
    dfs = {rid: metrics(rid) for rid in batch.runs}
    states = [run_state(rid, positions, dfs[rid]) for rid in batch.runs]
    if any(s.status == "queued" for s in states):
        q.pump()  # the queue's own thread does this too, unless the server restarted
    still_active = any(not s.done for s in states)
    top = st.columns([5, 1], vertical_alignment="center")
    with top[0]:
        if len(states) == 1:
            _progress(states[0])
        else:
            done = sum(s.step for s in states)
            total = sum(s.steps for s in states)
            n_done = sum(s.done for s in states)
            text = t(
                "live.batch_progress",
                done=n_done,
                n=len(states),
                kind=t(f"train.mode.{batch.kind}"),
            )
            left = batch_estimate(states)
            st.progress(min(1.0, done / max(total, 1)), text=f"{text} · {left}" if left else text)
    with top[1]:
        if (
            still_active
            and controls(batch)
            and st.button(t("live.stop"), key="live_stop", icon=":material/stop:", width="stretch")
        ):
            stop([s.id for s in states if not s.done])
            st.toast(t("live.stopping"))
    for s in states:
        if s.status in ("failed", "diverged") and s.message:
            st.error(md_text(f"{s.label}: {s.message}"), icon=":material/error:")
    if len(states) == 1:
        st.caption(_run_caption(states[0], dfs[states[0].id]))
        _return_chart(states[0].id, dfs[states[0].id], "live")
    else:
        _batch_table(states, dfs)
        _batch_figures(batch, states, dfs)
    if active and not still_active:
        st.rerun()  # once: stop polling, let the rest of the page catch up
    elif waiting and any(not df.empty for df in dfs.values()):
        st.rerun()  # once: the first point is drawn, poll at the usual pace


def live_view(batch: Batch | None, page: str = "train") -> None:
    """This session's current batch: progress, Stop, return chart, watch, insides (polled)."""
    if batch is None:
        st.subheader(t("live.title"), anchor=False)
        st.info(t("live.none"), icon=":material/play_circle:")
        # the empty axes where the curve will be drawn: the browser loads the charting
        # library now, not after Start (a fresh page took ~8 s to draw its first chart)
        empty = charts.return_figure(pd.DataFrame(), uirevision="none")
        st.plotly_chart(empty, key="live_empty", config={"displaylogo": False})
        return
    _header(batch, page)
    view_only_notice(batch)
    store = RunStore()
    gone = [r for r in batch.runs if not store.path(r).exists()]
    if gone:  # a link to runs deleted since: say so, show the rest
        st.info(t("share.gone", n=len(gone)), icon=":material/link_off:")
        batch = dataclasses.replace(batch, runs=tuple(r for r in batch.runs if r not in gone))
        if not batch.runs:
            return
    active = any(store.status(r).get("status") in ("queued", "running") for r in batch.runs)

    # Until the first metrics arrive the view polls 4x faster (the first point shows
    # within a quarter second of the worker writing it), then reruns once at the usual pace.
    waiting = active and all(metrics(r).empty for r in batch.runs)

    @st.fragment(run_every=(FIRST_POLL_S if waiting else POLL_S) if active else None)
    def _poll() -> None:
        _progress_and_returns(batch, active, waiting)

    # The insides change only at each log interval: a slower refresh keeps the browser's
    # redrawing (7 Plotly charts: ~30% of a core at 1 s, measured) off the machine that trains.
    @st.fragment(run_every=INSIDES_S if active else None)
    def _insides() -> None:
        pick = batch.runs[0]
        if len(batch.runs) > 1:
            pick = st.selectbox(
                t("live.inspect"), batch.runs, format_func=run_label, key=lang_key("live_inspect")
            )
            _return_chart(pick, metrics(pick), "live_one")
        df = metrics(pick)
        _panels(pick, df, "live")
        _diagnosis(pick, df)

    _poll()
    # "Watch the agent" right under the return curve: below the insides panels (up to
    # eight charts) nobody found it.
    watch(batch)
    _insides()


# -- watch the agent -----------------------------------------------------------------
def episode_gif(
    run_id: str, seed: int, max_frames: int = 600, step: int | None = None
) -> tuple[bytes, float, int]:
    """Render one greedy episode of a run's policy as an animated GIF.

    The policy is the run's latest weights, or its checkpoint at ``step``. Returns ``(gif
    bytes, return, episode length)``. Frames are thinned to at most 150 (and halved in
    size if wider than 600 px) so the GIF stays small; the frame time keeps real speed.
    """
    from rlcore.train.evaluation import episode_video

    rec, agent = RunStore().load_agent(run_id, step)
    return episode_video(
        agent, rec.run.env, seed, max_frames=max_frames, keep_frames=150, max_width=600
    )


# The download's caps on a hosted server (frames rendered, frames kept, width in px): a
# visitor's click costs the server one episode's rendering and encoding, and no more.
HOSTED_VIDEO_CAPS = (500, 250, 400)
LOCAL_VIDEO_CAPS = (1000, None, None)  # as rlcore enjoy --gif: every frame, full size


def video_caps() -> tuple[int, int | None, int | None]:
    """``(max_frames, keep_frames, max_width)`` of the episode download on this server."""
    from rlcore.core.owners import hosted

    return HOSTED_VIDEO_CAPS if hosted() else LOCAL_VIDEO_CAPS


def episode_download(run_id: str, seed: int, step: int | None) -> bytes:
    """The episode the viewer watched as a GIF file, as ``rlcore enjoy --gif`` writes it."""
    from rlcore.train.evaluation import episode_video

    rec, agent = RunStore().load_agent(run_id, step)
    frames, keep, width = video_caps()
    data, _, _ = episode_video(agent, rec.run.env, seed, ".gif", frames, keep, width)
    return data


def _download_help() -> str:
    frames, keep, width = video_caps()
    if keep is None:
        return t("watch.download_help")
    return t("watch.download_help_hosted", steps=frames, frames=keep, width=width)


def _download_row(rid: str, state: dict) -> None:
    """A download of the episode shown (its seed, its checkpoint); made when clicked."""
    step = state.get("step", LATEST)
    at = None if step == LATEST else step
    name = f"{rid}-{'latest' if at is None else f'step{at}'}-seed{state['seed']}.gif"
    st.download_button(
        t("watch.download"),
        lambda: episode_download(rid, state["seed"], at),
        file_name=name,
        mime="image/gif",
        key="watch_download",
        icon=":material/download:",
        help=_download_help(),
    )


# -- take the policy away ------------------------------------------------------------
EXPORT_FORMATS = {"torchscript": ".pt", "onnx": ".onnx"}  # rlcore.train.export.FORMATS


def policy_file(run_id: str, fmt: str) -> bytes:
    """The run's greedy policy (with its normalisation) as a TorchScript or ONNX file."""
    from rlcore.train.export import export_policy

    rec, agent = RunStore().load_agent(run_id)
    return export_policy(agent, rec.run, rec.algo, fmt)


def export_row(run_id: str) -> None:
    """Format choice and a download button; the file is built only when it is downloaded."""
    import importlib.util

    formats = [f for f in EXPORT_FORMATS if f != "onnx" or importlib.util.find_spec("onnx")]
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    fmt = c1.selectbox(
        t("export.format"),
        formats,
        format_func=lambda f: t(f"export.format.{f}"),
        key="export_format",
    )
    c2.download_button(
        t("export.download"),
        lambda: policy_file(run_id, fmt),
        file_name=f"{run_id}{EXPORT_FORMATS[fmt]}",
        mime="application/octet-stream",
        key="export_download",
        icon=":material/download:",
    )
    st.caption(t("export.help" if "onnx" in formats else "export.help_no_onnx"))


LATEST = -1  # the scrub slider's last stop: the run's latest weights


def _scrub(store: RunStore, rid: str) -> int:
    """The slider over the run's checkpoints (by steps); returns the chosen one."""
    steps = store.checkpoint_steps(rid)
    if not steps:
        return LATEST
    return st.select_slider(
        t("scrub.at"),
        [*steps, LATEST],
        value=LATEST,
        format_func=lambda s: t("scrub.latest") if s == LATEST else f"{s:,}",
        key=f"watch_at_{rid}",
        help=t("scrub.help"),
    )


def _at_step(rid: str, step: int) -> None:
    """The run at that point: its curve marked there, and Q(s₀) against the return then."""
    df = metrics(rid)
    ev = df[df["eval/return_mean"].notna()] if "eval/return_mean" in df.columns else df.iloc[:0]
    if ev.empty:
        return
    row = ev.iloc[-1] if step == LATEST else ev[ev["step"] <= step].iloc[-1:].squeeze()
    if isinstance(row, pd.DataFrame):  # before the first evaluation
        return
    at = int(row["step"])
    fig = charts.return_figure(df, uirevision=f"{rid}-scrub", x_title=_x_title(rid))
    fig.add_vline(x=at, line={"dash": "dot", "color": "#7F7F7F"})
    fig.update_layout(
        height=260, showlegend=False, title={"text": t("scrub.curve", step=f"{at:,}")}
    )
    st.plotly_chart(fig, key="watch_scrub_curve", config={"displaylogo": False})
    m1, m2, m3 = st.columns(3)
    m1.metric(t("scrub.eval"), f"{row['eval/return_mean']:.1f}")
    if "eval/q_start" in row.index and row["eval/q_start"] == row["eval/q_start"]:
        m2.metric(t("scrub.q"), f"{row['eval/q_start']:.1f}")
        m3.metric(t("scrub.mc"), f"{row['eval/discounted_return']:.1f}")


def _x_title(rid: str) -> str:
    return charts.step_title(bool(run_config(rid).get("run", {}).get("dataset")))


def watch(batch: Batch | None) -> None:
    """Watch the agent, at the end or at any checkpoint along the run (scrub through it)."""
    if batch is None:
        return
    store = RunStore()
    runs = [r for r in batch.runs if store.path(r).exists()]
    if not runs:
        return
    st.subheader(t("watch.title"), anchor=False)
    if len(runs) > 1:
        rid = st.selectbox(t("watch.run"), runs, format_func=run_label, key=lang_key("watch_run"))
    else:
        rid = runs[0]
    model = store.path(rid) / "model.safetensors"
    if not model.exists() and not store.checkpoint_steps(rid):
        st.caption(t("watch.no_model"))
        return
    if model.exists() and controls(batch):  # weights leave the server only for their owner
        export_row(rid)
    step = _scrub(store, rid)
    state = st.session_state.get(WATCH)
    pressed = st.button(t("watch.render"), key="watch_render", icon=":material/movie:")
    moved = state is not None and state["run"] == rid and state.get("step", LATEST) != step
    if pressed or moved:
        seed = (state or {}).get("seed", -1) + int(pressed)
        with st.spinner(t("watch.rendering")):
            gif, ret, length = episode_gif(rid, max(seed, 0), step=None if step == LATEST else step)
        state = {
            "run": rid,
            "seed": max(seed, 0),
            "gif": gif,
            "ret": ret,
            "len": length,
            "step": step,
        }
        st.session_state[WATCH] = state
    c1, c2 = st.columns([2, 3])
    with c1:
        if state and state["run"] == rid:
            st.image(state["gif"], caption=t("watch.caption", seed=state["seed"]))
            st.metric(t("watch.return"), f"{state['ret']:.1f}")
            st.metric(t("watch.length"), state["len"])
            st.caption(t("watch.help"))
            if controls(batch):  # a file of the policy leaves the server only for its owner
                _download_row(rid, state)
        else:
            st.caption(t("watch.hint"))
    with c2:
        _at_step(rid, step)
