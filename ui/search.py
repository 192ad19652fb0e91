"""The Search mode of the Train and Offline pages: an Optuna study, started and watched.

- :func:`search_fields` draws the mode's widgets (hyperparameters to tick, their ranges,
  trials, seeds per trial, sampler, pruning) into the page's draft; ``ui/setup.py``
  (``SearchMode``) validates them into a study spec with ``rlcore.search``.
- :func:`start_controls` creates the study (SQLite in the runs folder) and starts its
  driver in its own process (``rlcore.service.study_driver``), which queues the trials'
  runs on the global job queue (or Ray, with ``RLCORE_RAY_ADDRESS``).
- :func:`study_view` polls the study: a trials table (each trial's runs linked to the
  Compare page), Optuna's own Plotly figures, Stop / Resume and "Train the best".
- :func:`studies_section` lists the studies on the Compare page.
"""

from __future__ import annotations

import math
import os
import secrets
import time
import warnings
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rlcore.algos.registry import ALGORITHMS
from rlcore.core.config import coerce
from rlcore.core.settings import get_settings
from rlcore.search.space import default_range
from rlcore.search.study import MAX_SEEDS, SAMPLERS, trial_overrides
from rlcore.service import studies
from rlcore.service.jobs import default_max_workers
from rlcore.service.runs import RunStore
from ui import owner
from ui import setup as model
from ui.i18n import current_language, t
from ui.safe import md_text

__all__ = [
    "restore",
    "search_fields",
    "searched",
    "session_runs",
    "start_controls",
    "studies_section",
    "study_view",
]

SESSION_STUDIES = "search_studies"  # names of the studies this session started
POLL_S = 2.0
_DRIVERS: dict[str, Any] = {}  # drivers this process started (reaped when looked at)
DEFAULT_PARAMS = ("lr", "gamma")


def _keys(page: str) -> dict[str, str]:
    return {
        "params": f"{page}_search_params",
        "trials": f"{page}_search_trials",
        "seeds": f"{page}_search_seeds",
        "sampler": f"{page}_search_sampler",
        "prune": f"{page}_search_prune",
        "study": f"{page}_search_study",
    }


def _range_key(hp_prefix: str, algo: str, name: str) -> str:
    # under the page's hyperparameter prefix, so a new environment or preset resets it
    return f"{hp_prefix}{algo}_range_{name}"


def restore(page: str, hp_prefix: str, d: model.Draft) -> None:
    """Put a link's search fields into the session (called when the form reads the URL)."""
    k = _keys(page)
    e = d.exp
    if e.mode != "search" and not e.study:
        return
    state = st.session_state
    if e.params:
        state[k["params"]] = list(e.params)
    state[k["trials"]] = e.trials
    state[k["seeds"]] = min(max(e.seeds, 1), MAX_SEEDS)
    state[k["sampler"]] = e.sampler
    state[k["prune"]] = e.prune
    for name, text in e.ranges.items():
        state[_range_key(hp_prefix, d.algo, name)] = text
    if e.study:
        state[k["study"]] = e.study


def searched(page: str) -> set[str]:
    """The hyperparameters ticked for the search (their own widgets are then disabled)."""
    return set(st.session_state.get(_keys(page)["params"]) or ())


def search_fields(page: str, hp_prefix: str, d: model.Draft, offline: bool) -> Any:
    """The Search mode's widgets, into ``d.exp``; returns the cell for the search's error."""
    k = _keys(page)
    state = st.session_state
    algo_base = model.base_configs(d)[1]
    params = {p.name: p for p in model.algo_params(type(algo_base), offline)}
    if k["params"] not in state or not set(state[k["params"]]) <= set(params):
        state[k["params"]] = [p for p in DEFAULT_PARAMS if p in params] or [next(iter(params))]
    limit = get_settings().max_study_trials
    state.setdefault(k["trials"], min(model.DEFAULT_TRIALS, limit))
    state[k["trials"]] = min(state[k["trials"]], limit)
    state.setdefault(k["seeds"], 1)
    state.setdefault(k["prune"], True)
    c1, c2, c3, c4 = st.columns([1, 1, 1.3, 1], vertical_alignment="bottom")
    d.exp.trials = int(
        c1.number_input(
            t("search.trials"),
            min_value=1,
            max_value=limit,
            step=1,
            key=k["trials"],
            help=t("search.trials.help", max=limit),
        )
    )
    d.exp.seeds = int(
        c2.number_input(
            t("search.seeds"),
            min_value=1,
            max_value=MAX_SEEDS,
            step=1,
            key=k["seeds"],
            help=t("search.seeds.help"),
        )
    )
    widget = f"{k['sampler']}_{current_language()}"  # translated labels: one per language
    if widget not in state:
        state[widget] = state.get(k["sampler"], "tpe")
    d.exp.sampler = c3.selectbox(
        t("search.sampler"),
        list(SAMPLERS),
        key=widget,
        format_func=lambda s: t(f"search.sampler.{s}"),
        help=t("search.sampler.help"),
    )
    state[k["sampler"]] = d.exp.sampler
    d.exp.prune = c4.toggle(t("search.prune"), key=k["prune"], help=t("search.prune.help"))
    d.exp.params = st.multiselect(
        t("search.params"), list(params), key=k["params"], help=t("search.params.help")
    )
    d.exp.ranges = {}
    cols = st.columns(3)
    for i, name in enumerate(d.exp.params):
        p = params[name]
        default = default_range(p, _value_above(p, d, algo_base)).text()
        key = _range_key(hp_prefix, d.algo, name)
        state.setdefault(key, default)
        log = t("search.log") if p.log else ""
        with cols[i % 3]:
            text = st.text_input(
                t("search.range", name=name),
                key=key,
                help=t("search.range.help", allowed=p.range_text(), log=log),
            )
        if text.strip() != default:
            d.exp.ranges[name] = text.strip()
    d.exp.study = state.get(k["study"])
    return st.container()


def _value_above(p: Any, d: model.Draft, base: Any) -> Any:
    """The value the form holds for ``p`` (the window's centre), else the preset's."""
    try:
        return coerce(p, d.hp[p.name]) if p.name in d.hp else getattr(base, p.name)
    except ValueError:
        return getattr(base, p.name)


def _ray_address() -> str | None:
    return os.environ.get("RLCORE_RAY_ADDRESS") or None


def _session_studies() -> list[str]:
    return st.session_state.setdefault(SESSION_STUDIES, [])


def _mine(name: str) -> bool:
    """Whether this browser may stop, resume and delete study ``name``."""
    try:
        return owner.can_control(studies.study_owner(RunStore(), name))
    except ValueError:
        return False


def session_runs() -> set[str]:
    """The runs of the studies this session started (the Compare page's own runs)."""
    store = RunStore()
    out: set[str] = set()
    for name in _session_studies():
        try:
            out.update(r for runs in studies.study_runs(store, name).values() for r in runs)
        except ValueError:
            continue
    return out


def _session_limit(n_new: int) -> str | None:
    """Why this session may not start ``n_new`` more trials (``None`` if it may)."""
    limit = get_settings().max_session_trials
    if not limit:
        return None
    used = studies.owner_trials(RunStore(), owner.current())  # this browser's, all pages
    if used + n_new <= limit:
        return None
    return t("search.session_limit", limit=limit, used=used, n=n_new)


def plan_caption(setup: model.Setup) -> None:
    """What the study will train: trials x seeds, and how many at a time where."""
    spec = setup.study
    if spec is None:
        return
    address = _ray_address()
    cap = default_max_workers()
    parallel = max(1, math.ceil(cap / spec.seeds)) if not address else "…"
    ray = t("search.on_ray", address=address) if address else ""
    st.caption(
        t(
            "search.plan",
            trials=spec.trials,
            seeds=spec.seeds,
            runs=spec.trials * spec.seeds,
            parallel=parallel,
            cap=cap,
            ray=ray,
        )
    )


def start_controls(setup: model.Setup, page: str) -> None:
    """The fix-these-fields notice, the per-session trial limit and the Start button."""
    if setup.errors:
        st.error(t("train.fix", fields=", ".join(setup.errors)), icon=":material/block:")
    spec = setup.study
    limited = _session_limit(spec.trials) if spec is not None else None
    if limited:
        st.warning(limited, icon=":material/hourglass_top:")
    pressed = st.button(
        t("search.start"),
        key=f"{page}_search_start",
        type="primary",
        icon=":material/travel_explore:",
        disabled=not setup.ok or bool(limited),
    )
    if not (pressed and setup.ok and spec is not None and not limited):
        return
    import dataclasses

    from rlcore.service.ray_backend import check_address

    store = RunStore()
    where = spec.dataset.replace("/", "-") if spec.dataset else spec.env
    # a random part: a study's name is in its link, and must not be guessable
    name = f"{spec.algo}-{where}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(6)}"
    me = owner.current()
    try:
        if _ray_address():
            check_address(_ray_address())  # before anything is created
        studies.create_study(
            store, dataclasses.replace(spec, name=name, created=time.time()), owner=me
        )
        _DRIVERS[name] = studies.spawn_driver(store, name, _ray_address(), who=me)
    except (ValueError, OSError) as e:
        st.error(md_text(e), icon=":material/error:")
        return
    _session_studies().append(name)
    st.session_state[_keys(page)["study"]] = name
    st.rerun()


def _reap() -> None:
    for name, proc in list(_DRIVERS.items()):
        if proc.poll() is not None:
            del _DRIVERS[name]


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, tuple | list):
        return ",".join(str(x) for x in v)
    return str(v)


def trials_frame(rows: list[dict[str, Any]], names: list[str]) -> pd.DataFrame:
    """The trials table: state, score, values, steps, last report and links to the runs."""
    columns = [
        t("search.col.trial"),
        t("search.col.state"),
        t("search.col.value"),
        *names,
        t("search.col.steps"),
        t("search.col.last"),
        t("search.col.runs"),
        t("search.col.error"),
    ]
    out = []
    for r in rows:
        state = r["state"]
        if state == "running" and r["run_status"] and all(s == "queued" for s in r["run_status"]):
            state = "queued"
        link = "/compare?runs=" + ",".join(r["runs"]) if r["runs"] else None
        last = ""
        if r["step"] is not None and r["last_value"] is not None:
            last = f"{r['last_value']:.1f} @ {r['step']:,}"
        out.append(
            {
                t("search.col.trial"): r["number"],
                t("search.col.state"): t(f"search.trial.{state}"),
                t("search.col.value"): r["value"],
                **{n: _fmt(r["params"][n]) if n in r["params"] else "" for n in names},
                t("search.col.steps"): r["steps"],
                t("search.col.last"): last,
                t("search.col.runs"): link,
                t("search.col.error"): r["error"][:300],
            }
        )
    return pd.DataFrame(out, columns=columns)


# Optuna's parallel coordinates colour lines on "Blues", whose low end is near white: the
# worst trials vanished on a white page. Viridis is dark at both ends' neighbours and readable.
PARALLEL_COLORSCALE = "Viridis"


def _style(fig: go.Figure, title: str, key: str) -> go.Figure:
    fig.update_layout(
        title=title, height=380, margin={"l": 50, "r": 20, "t": 50, "b": 40}, uirevision=key
    )
    for trace in fig.data:
        if trace.type == "parcoords" and trace.line is not None:
            trace.line.colorscale = PARALLEL_COLORSCALE
    return fig


def study_figures(study: Any, n_complete: int, n_params: int) -> list[tuple[str, Any]]:
    """``(kind, figure or the number of complete trials it needs)`` of Optuna's plots.

    The evaluation returns are drawn as soon as a trial reported one; the others wait
    for complete trials (parallel coordinates and importances compare two or more).
    """
    import optuna.visualization as vis

    reported = any(tr.intermediate_values for tr in study.get_trials(deepcopy=False))
    needs = {"history": 1, "parallel": 2, "importances": 2, "slice": 1, "contour": 2}
    makers = {
        "history": vis.plot_optimization_history,
        "intermediate": vis.plot_intermediate_values,
        "parallel": vis.plot_parallel_coordinate,
        "importances": vis.plot_param_importances,
        "slice": vis.plot_slice,
        "contour": vis.plot_contour,
    }
    out: list[tuple[str, Any]] = []
    for kind, make in makers.items():
        if kind == "contour" and n_params < 2:
            continue
        ready = reported if kind == "intermediate" else n_complete >= needs[kind]
        if not ready:
            out.append((kind, needs.get(kind, 1)))
            continue
        try:
            with warnings.catch_warnings():  # Optuna's notes about few trials: not for visitors
                warnings.simplefilter("ignore")
                out.append((kind, make(study)))
        except (ValueError, RuntimeError):  # e.g. importances of values that never vary
            out.append((kind, needs.get(kind, 1) + 1))
    return out


FEW_TRIALS = 5  # importances resting on fewer complete trials than this are said to be shaky


def wait_text(n: int) -> str:
    """The wait for a plot: "once 1 trial is complete" (singular), "once 3 trials are"."""
    return t("search.fig.wait_one") if n == 1 else t("search.fig.wait", n=n)


def _draw(kind: str, fig: Any, key: str, n_complete: int | None = None) -> None:
    if isinstance(fig, int):
        st.info(wait_text(fig), icon=":material/hourglass_empty:")
        return
    if kind == "importances" and n_complete is not None and n_complete < FEW_TRIALS:
        st.warning(t("search.fig.few", n=n_complete, need=FEW_TRIALS), icon=":material/warning:")
    st.plotly_chart(
        _style(fig, t(f"search.fig.{kind}"), key), key=key, config={"displaylogo": False}
    )


def best_query(spec: Any, params: dict[str, Any]) -> dict[str, str]:
    """The Train (or Offline) page's URL of a trial's configuration (first seed)."""
    run_d, hp_d = trial_overrides(spec, params)
    d = model.Draft(spec.env, spec.algo, spec.preset, spec.dataset or None, run=run_d, hp=hp_d)
    return model.to_query(d)


def _header(name: str, info: Any, page: str) -> None:
    state = "running" if info.running else ("finished" if info.done >= info.trials else "stopped")
    st.subheader(t("search.title", name=name), anchor=False)
    c = info.counts
    text = t(
        "search.progress",
        done=info.done,
        total=info.trials,
        complete=c.get("complete", 0),
        pruned=c.get("pruned", 0),
        failed=c.get("failed", 0),
    )
    top = st.columns([5, 1], vertical_alignment="center")
    top[0].progress(
        min(1.0, info.done / max(info.trials, 1)), text=f"{text} · {t(f'search.state.{state}')}"
    )
    store = RunStore()
    if not _mine(name):  # another visitor's study, through their link: watch only
        st.info(t("share.view_only_study"), icon=":material/visibility:")
    elif info.running:
        if top[1].button(t("search.stop"), key=f"{page}_search_stop", icon=":material/stop:"):
            studies.request_stop(store, name, who=owner.current())
            st.toast(t("live.stopping"))
    elif info.done < info.trials and not info.error:
        if top[1].button(t("search.resume"), key=f"{page}_search_resume", icon=":material/replay:"):
            try:
                _DRIVERS[name] = studies.spawn_driver(
                    store, name, _ray_address(), who=owner.current()
                )
            except ValueError as e:
                st.error(md_text(e), icon=":material/error:")


def study_view(name: str | None, page: str) -> None:
    """A study's live view: progress, Stop/Resume, trials, Optuna's figures, the best."""
    goto = st.session_state.pop(f"{page}_search_goto", None)
    if goto is not None:  # "Train the best" was pressed
        st.switch_page(goto[0], query_params=goto[1])
    if not name:
        st.info(t("search.none"), icon=":material/travel_explore:")
        return
    store = RunStore()
    try:
        info = studies.study_info(store, name)
    except ValueError:
        st.warning(t("search.missing", name=name), icon=":material/link_off:")
        return
    active = info.running or info.counts.get("running", 0) > 0

    @st.fragment(run_every=POLL_S if active else None)
    def _poll() -> None:
        _reap()
        info = studies.study_info(store, name)
        _header(name, info, page)
        if info.error:
            st.error(md_text(info.error), icon=":material/error:")
            return
        spec, rows = studies.trial_rows(store, name)
        if info.best_value is not None:
            best = max((r for r in rows if r["state"] == "complete"), key=lambda r: r["value"])
            st.success(
                t("search.best", n=best["number"], value=f"{best['value']:.2f}"),
                icon=":material/emoji_events:",
            )
            target = "pages/offline.py" if spec.dataset else "pages/train.py"
            if st.button(
                t("search.train_best"),
                key=f"{page}_search_best",
                icon=":material/rocket_launch:",
                help=t("search.train_best.help"),
            ):
                # st.switch_page from inside a fragment is ignored by the browser: the whole
                # page reruns and switches (below, in study_view)
                st.session_state[f"{page}_search_goto"] = (target, best_query(spec, best["params"]))
                st.rerun(scope="app")
        st.markdown(f"**{t('search.trials_table')}**")
        st.dataframe(
            trials_frame(rows, spec.space.names),
            hide_index=True,
            key=f"{page}_search_trials",
            column_config={
                t("search.col.runs"): st.column_config.LinkColumn(display_text=r"runs=(.*)"),
                t("search.col.value"): st.column_config.NumberColumn(format="%.2f"),
                t("search.col.steps"): st.column_config.NumberColumn(format="localized"),
            },
        )
        _figures(store, name, info, spec, page)
        if not info.running and not info.error:
            log = studies.log_tail(store, name)
            if "error" in log and info.done < info.trials:
                st.code(log, language=None)
        still = info.running or info.counts.get("running", 0) > 0
        if active and not still:
            st.rerun()  # once: stop polling

    _poll()


def _figures(store: RunStore, name: str, info: Any, spec: Any, page: str) -> None:
    st.markdown(f"**{t('search.figures')}**")
    _, study = studies.open_study(store, name)
    figs = dict(study_figures(study, info.counts.get("complete", 0), len(spec.space.names)))
    c1, c2 = st.columns(2)
    with c1:
        _draw("history", figs["history"], f"{page}_search_fig_history")
    with c2:
        _draw("intermediate", figs["intermediate"], f"{page}_search_fig_intermediate")
    _draw("parallel", figs["parallel"], f"{page}_search_fig_parallel")
    more = [k for k in ("importances", "slice", "contour") if k in figs]
    pick = st.segmented_control(
        t("search.fig.more"),
        more,
        default=more[0],
        key=f"{page}_search_fig_pick",
        format_func=lambda k: t(f"search.fig.{k}"),
    )
    if pick:
        _draw(pick, figs[pick], f"{page}_search_fig_more", info.counts.get("complete", 0))
    st.caption(t("search.fig.help"))


# -- the Compare page ---------------------------------------------------------------
def studies_frame(store: RunStore | None = None, only: set[str] | None = None) -> pd.DataFrame:
    """Every study of the runs folder (or only ``only``), newest first, with a link to it."""
    store = store or RunStore()
    rows = []
    for i in studies.list_studies(store):
        if only is not None and i.name not in only:
            continue
        page = "offline" if i.dataset else "train"
        rows.append(
            {
                t("search.col.study"): i.name,
                t("col.algo"): ALGORITHMS[i.algo].title if i.algo in ALGORITHMS else i.algo,
                t("search.col.where"): i.dataset or i.env,
                t("search.col.params"): ", ".join(i.params),
                t("search.col.trials"): f"{i.done} / {i.trials}",
                t("search.col.complete"): i.counts.get("complete", 0),
                t("search.col.pruned"): i.counts.get("pruned", 0),
                t("search.col.failed"): i.counts.get("failed", 0),
                t("search.col.best"): i.best_value,
                t("col.status"): t(
                    "search.state."
                    + ("running" if i.running else "finished" if i.done >= i.trials else "stopped")
                ),
                t("search.col.open"): f"/{page}?mode=search&study={i.name}&" + _link_setup(i),
            }
        )
    return pd.DataFrame(rows)


def _link_setup(i: Any) -> str:
    from urllib.parse import urlencode

    where = {"dataset": i.dataset} if i.dataset else {"env": i.env}
    return urlencode({**where, "algo": i.algo, "search": ",".join(i.params)})


def studies_section(mine_only: bool) -> None:
    """The Compare page's list of studies (hosted: only this browser's)."""
    only = (
        {i.name for i in studies.list_studies(RunStore()) if _mine(i.name)} if mine_only else None
    )
    frame = studies_frame(only=only)
    if frame.empty:
        return
    st.subheader(t("search.studies"), anchor=False)
    st.dataframe(
        frame,
        hide_index=True,
        key="cmp_studies",
        column_config={
            t("search.col.best"): st.column_config.NumberColumn(format="%.2f"),
            t("search.col.open"): st.column_config.LinkColumn(display_text=t("search.open")),
        },
    )
    st.caption(t("search.studies.help"))
