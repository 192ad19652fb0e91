"""The Population (PBT) mode of the Train page: its fields, its caption and its live view.

- :func:`pbt_fields` draws the mode's widgets (members, the hyperparameters to evolve,
  the interval between ready points, the quantile) into the page's draft; ``ui/setup.py``
  (``PBTMode``) validates them into a PBT batch (``ui/pbt_model.py``:
  :func:`rlcore.service.pbt.pbt_plan`, whose one-line message names the bad field).
- :func:`plan_caption` says before Start what will happen, and the first population.
- Start goes through the app's one gate (``ui.jobs.start_controls``: owners, the
  per-visitor cap); the batch trains as one population (``JobQueue.submit(...,
  population=True)``), its worker a :class:`rlcore.service.pbt.PBTTrainer`.
- :func:`population_view` draws, from the members' metrics and the batch's event log, the
  returns of all members, each member's hyperparameters over time (step lines), the
  lineage (who copied whom, at which step) and the best member's schedule with the
  command that re-trains it. A shared link shows it read-only (no download).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rlcore.algos.registry import ALGORITHMS, get_algo
from rlcore.core.config import hparams
from rlcore.service.jobs import Batch
from rlcore.service.pbt import PBTConfig, pbt_dir, write_schedule
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs
from ui import jobs
from ui import pbt_model as pm
from ui import setup as model
from ui.i18n import t
from ui.palette import GREY, PALETTE

__all__ = ["pbt_fields", "plan_caption", "population_view", "restore"]

POLL_S = 2.0
ACTIVE = ("queued", "running")  # a deleted or unreadable run is neither: no polling
CONFIG = {"displaylogo": False}


def _keys(page: str) -> dict[str, str]:
    return {n: f"{page}_pbt_{n}" for n in ("members", "params", "interval", "quantile")}


def restore(page: str, d: model.Draft) -> None:
    """Put a link's Population fields into the session (called when the form reads the URL)."""
    if d.exp.mode != "pbt":
        return
    k = _keys(page)
    if d.exp.params:
        st.session_state[k["params"]] = list(d.exp.params)
    for name in ("members", "interval", "quantile"):
        if name in d.exp.pbt:
            st.session_state[k[name]] = d.exp.pbt[name]


def pbt_fields(page: str, d: model.Draft) -> Any:
    """The Population mode's widgets, into ``d.exp``; returns the cell for its error."""
    k = _keys(page)
    state = st.session_state
    allowed = list(get_algo(d.algo).agent_cls.member_hparams)
    if k["params"] not in state or not set(state[k["params"]]) <= set(allowed):
        state[k["params"]] = pm.default_params(allowed)
    state.setdefault(k["members"], str(pm.DEFAULT_MEMBERS))
    state.setdefault(k["quantile"], "0.25")
    run = _run_of(d)
    ev = run.eval_interval() if run is not None else 1
    auto = pm.default_interval(run) if run is not None else "—"
    c1, c2, c3 = st.columns(3)
    cap = pm.member_cap()
    members = c1.text_input(t("pbt.members"), key=k["members"], help=t("pbt.members.help", max=cap))
    interval = c2.text_input(
        t("pbt.interval"),
        key=k["interval"],
        placeholder=str(auto),
        help=t("pbt.interval.help", ev=ev, auto=auto),
    )
    quantile = c3.text_input(t("pbt.quantile"), key=k["quantile"], help=t("pbt.quantile.help"))
    d.exp.params = st.multiselect(
        t("pbt.params"),
        allowed,
        key=k["params"],
        help=t("pbt.params.help", allowed=", ".join(allowed) or "—"),
    )
    d.exp.pbt = {"members": members.strip(), "quantile": quantile.strip()}
    if interval.strip():
        d.exp.pbt["interval"] = interval.strip()
    return st.container()


def _run_of(d: model.Draft) -> Any:
    """The run the form's settings make (``None`` while one of them is bad)."""
    try:
        run = model.base_configs(d)[0]
        given = {n: v for n, v in d.run.items() if n in ("steps", "eval_every")}
        return model.from_dict(type(run), given, base=run) if given else run
    except (ValueError, TypeError):
        return None


def plan_caption(setup: model.Setup) -> None:
    """What the population will do, said before Start, and its first members' values."""
    if setup.mode != "pbt" or setup.plan is None or not setup.extra:
        return
    pbt = PBTConfig.from_json(setup.extra["pbt"])
    k, steps = len(setup.plan), setup.run.steps
    nb = min(math.ceil(k * pbt.quantile), k // 2)
    st.caption(
        t(
            "pbt.plan",
            k=k,
            steps=f"{steps:,}",
            interval=f"{pbt.interval:,}",
            n=(steps - 1) // pbt.interval,
            window=pbt.window,
            q=f"{pbt.quantile:.0%}",
            nb=nb,
            params=", ".join(pbt.params),
            p=f"{pbt.resample_p:g}",
        )
    )
    st.caption(t("pbt.first", seed=pbt.seed))
    rows = [
        {t("pbt.col.member"): i, **{p: getattr(a, p) for p in pbt.params}}
        for i, (_, a) in enumerate(setup.plan.runs)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="pbt_first")


# -- the live view ----------------------------------------------------------------------
def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def returns_figure(dfs: Sequence[pd.DataFrame], uirevision: str = "") -> go.Figure:
    """Each member's evaluation return over steps, one line (and colour) per member."""
    fig = go.Figure()
    for i, df in enumerate(dfs):
        if df.empty or "eval/return_mean" not in df.columns:
            continue
        rows = df.loc[df["eval/return_mean"].notna(), ["step", "eval/return_mean"]]
        fig.add_scatter(
            x=rows["step"],
            y=rows["eval/return_mean"],
            mode="lines+markers",
            name=t("pbt.member", i=i),
            line={"color": _colour(i), "width": 2},
        )
    fig.update_layout(
        title=t("pbt.returns"),
        xaxis_title=t("chart.steps"),
        yaxis_title=t("chart.return"),
        uirevision=uirevision,
        height=360,
        margin={"t": 50, "b": 40},
    )
    return fig


def hp_figure(
    dfs: Sequence[pd.DataFrame], name: str, log: bool = False, uirevision: str = ""
) -> go.Figure:
    """Member ``name`` values over steps: one step line (``line_shape="hv"``) per member."""
    fig = go.Figure()
    for i, df in enumerate(dfs):
        x, y = pm.hp_steps(df, name)
        if not len(x):
            continue
        fig.add_scatter(
            x=x,
            y=y,
            mode="lines+markers",
            line_shape="hv",
            name=t("pbt.member", i=i),
            line={"color": _colour(i), "width": 2},
            marker={"size": 5},
        )
    fig.update_layout(
        title=t("pbt.hp", name=name),
        xaxis_title=t("chart.steps"),
        yaxis_title=name,
        yaxis_type="log" if log else "linear",
        uirevision=uirevision,
        height=320,
        margin={"t": 50, "b": 40},
    )
    return fig


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)


def lineage_figure(
    events: Sequence[dict[str, Any]], k: int, last_step: int, uirevision: str = ""
) -> go.Figure:
    """Who copied whom: a row per member, an arrow from source to copy at each exploit."""
    fig = go.Figure()
    for m in range(k):
        fig.add_scatter(
            x=[0, max(last_step, 1)],
            y=[m, m],
            mode="lines",
            line={"color": GREY, "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    for e in pm.exploits(events):
        s, src, dst = int(e["step"]), int(e["src"]), int(e["dst"])
        change = ", ".join(
            f"{p}: {_fmt(e['copied'].get(p))} → {_fmt(v)}" for p, v in e.get("new", {}).items()
        )
        fig.add_annotation(
            x=s, y=dst, ax=s, ay=src, xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=2, arrowsize=1.3, arrowwidth=2, arrowcolor=_colour(src),
        )  # fmt: skip
        text = t(
            "pbt.hover",
            step=s,
            dst=dst,
            src=src,
            sd=_fmt(e.get("score_dst")),
            ss=_fmt(e.get("score_src")),
            change=change,
        )
        fig.add_scatter(
            x=[s],
            y=[dst],
            mode="markers",
            marker={"color": _colour(src), "size": 9, "symbol": "diamond"},
            hovertext=[str(text)],
            hoverinfo="text",
            showlegend=False,
        )
    fig.update_layout(
        title=t("pbt.lineage"),
        xaxis={"title": t("chart.steps"), "range": [0, max(last_step, 1) * 1.02]},
        yaxis={
            "title": t("pbt.col.member"),
            "tickvals": list(range(k)),
            "ticktext": [t("pbt.member", i=m) for m in range(k)],
            "range": [-0.5, k - 0.5],
        },
        uirevision=uirevision,
        height=120 + 40 * k,
        margin={"t": 50, "b": 40},
    )
    return fig


def _finals(batch: Batch) -> list[float | None]:
    store = RunStore()
    return [store.status(rid).get("eval_return") for rid in batch.runs]


def _schedule_table(best: pm.Best) -> pd.DataFrame:
    rows = [{t("pbt.col.step"): s, **v} for s, v in best.schedule]
    return pd.DataFrame(rows)


def _best_section(batch: Batch, events: list[dict[str, Any]], done: bool) -> None:
    """The best member, its lineage and schedule; once done, the re-train command."""
    best = pm.best_of(_finals(batch), events)
    if best is None:
        return
    lineage = ", ".join(str(t("pbt.lineage_part", m=m, s=s)) for s, m in best.ancestry)
    key = "pbt.best" if done else "pbt.best_so_far"
    st.markdown(t(key, i=best.member, r=f"{best.final:.1f}", lineage=lineage))
    st.caption(t("pbt.schedule"))
    st.dataframe(_schedule_table(best), hide_index=True, key="pbt_schedule")
    if not done:
        return
    try:
        rec = RunStore().load(batch.runs[best.member])
    except (ValueError, OSError, KeyError):
        return
    pbt = PBTConfig.from_json(jobs.run_config(batch.runs[0])["pbt"])
    path = pbt_dir(RunStore(), batch.id) / "schedule_best.json"
    meta = {
        "algo": rec.run.algo,
        "env": rec.run.env,
        "steps": rec.run.steps,
        "seed": best.seed,
        "member": best.member,
        "run": batch.runs[best.member],
        "params": list(pbt.params),
        "ancestry": [list(a) for a in best.ancestry],
    }
    if jobs.controls(batch) and not path.exists():
        write_schedule(path, best.schedule, meta)  # the file the command names
    base = make_configs(rec.run.algo, rec.run.env)[1]  # the preset (or the defaults)
    st.caption(t("pbt.retrain"))
    st.code(pm.retrain_command(rec.run, rec.algo, base, pbt.params, best.seed, path), "bash")
    if jobs.controls(batch):
        data = json.dumps({**meta, "schedule": [[s, v] for s, v in best.schedule]}, indent=1)
        st.download_button(
            t("pbt.download"),
            data,
            file_name=f"schedule-{batch.id}.json",
            mime="application/json",
            key="pbt_download",
            icon=":material/download:",
        )


def _charts(batch: Batch) -> bool:
    """The population's charts and best member; whether it is still training."""
    dfs = [jobs.metrics(rid) for rid in batch.runs]
    store = RunStore()
    statuses = [store.status(rid).get("status") for rid in batch.runs]
    active = any(s in ACTIVE for s in statuses)
    events = pm.pbt_events(store, batch.id)
    if not events:
        st.info(t("pbt.waiting"), icon=":material/hourglass_top:")
        return active
    cfg = jobs.run_config(batch.runs[0])
    pbt = PBTConfig.from_json(cfg["pbt"])
    algo = cfg.get("run", {}).get("algo", "")
    logs = {p.name: p.log for p in hparams(ALGORITHMS[algo].config_cls)} if algo else {}
    st.plotly_chart(returns_figure(dfs, batch.id), key="pbt_returns", config=CONFIG)
    st.caption(t("pbt.returns.help"))
    cols = st.columns(2)
    for i, name in enumerate(pbt.params):
        fig = hp_figure(dfs, name, logs.get(name, False), batch.id)
        cols[i % 2].plotly_chart(fig, key=f"pbt_hp_{name}", config=CONFIG)
    st.caption(t("pbt.hp.help"))
    last = max((int(df["step"].max()) for df in dfs if not df.empty), default=0)
    n_copies = len(pm.exploits(events))
    if n_copies:
        st.plotly_chart(
            lineage_figure(events, len(batch.runs), last, batch.id),
            key="pbt_lineage",
            config=CONFIG,
        )
        st.caption(t("pbt.lineage.help", q=f"{pbt.quantile:.0%}", n=n_copies))
    else:
        st.caption(t("pbt.lineage.none", step=f"{pbt.interval:,}"))
    _best_section(batch, events, not active)
    return active


def population_view(batch: Batch | None) -> None:
    """A PBT batch's population (polled while it trains); nothing for any other batch."""
    if batch is None or batch.kind != "pbt":
        return
    st.subheader(t("pbt.title"), anchor=False)  # the live view below says if view-only
    store = RunStore()
    active = any(store.status(r).get("status") in ACTIVE for r in batch.runs)

    @st.fragment(run_every=POLL_S if active else None)
    def _poll() -> None:
        if not _charts(batch) and active:
            st.rerun()  # once: the population ended, stop polling

    _poll()
