"""Start, poll and stop training jobs from a page; this browser session's runs.

Training never happens in the Streamlit script thread: ``start`` hands a plan to the
file-based :class:`rlcore.service.jobs.JobQueue`, which launches worker processes. A session
owns the batches it started (kept in ``st.session_state`` and, for the latest, in the
URL as ``?batch=ID``, so a browser refresh finds it again); the live view shows only
those. Metrics files are read incrementally (only the new lines on each poll).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from rlcore.service.jobs import Batch, JobQueue, Plan, load_batch, trains_together
from rlcore.service.runs import TERMINAL, RunStore
from ui import owner
from ui.i18n import t
from ui.safe import md_text
from ui.state import BATCHES, RUN_CACHE, TAILS, VIEW_ONLY, batch_key

__all__ = [
    "RunState",
    "current_batch",
    "metrics",
    "queue",
    "run_state",
    "session_batches",
    "start",
    "stop",
]


def queue() -> JobQueue:
    """The global job queue over this server's runs folder (cheap to build)."""
    return JobQueue(RunStore())


class MetricsTail:
    """Reads a growing ``metrics.jsonl`` incrementally; a torn last line waits."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.rows = path, 0, []
        self._df: pd.DataFrame | None = None

    def frame(self) -> pd.DataFrame:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            chunk = b""
        end = chunk.rfind(b"\n") + 1
        if end:
            for line in chunk[:end].splitlines():
                try:
                    self.rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
            self.offset += end
            self._df = None
        if self._df is None:
            self._df = pd.DataFrame(self.rows)
        return self._df


def metrics(run_id: str) -> pd.DataFrame:
    """A run's metrics so far, read incrementally (per browser session)."""
    tails = st.session_state.setdefault(TAILS, {})
    tail = tails.get(run_id)
    if tail is None:
        tail = tails[run_id] = MetricsTail(RunStore().path(run_id) / "metrics.jsonl")
    return tail.frame()


@dataclass
class RunState:
    """What the live view shows about one run.

    ``eta`` is the time left from :func:`rlcore.service.speed.estimate`: the steps left in
    each phase (warm-up, training) at that phase's measured speed, the run's own once it
    has one; ``None`` when nothing measured can say it (the view says so, never guesses).
    """

    id: str
    status: str
    step: int
    steps: int
    sps: float | None
    position: int | None
    message: str
    label: str
    eta: Any = None  # rlcore.service.speed.Estimate | None
    threads: int | None = None  # CPU threads the worker chose (None: not started)

    @property
    def done(self) -> bool:
        return self.status in TERMINAL or self.status in GONE

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / max(self.steps, 1))

    @property
    def eta_s(self) -> float | None:
        if self.done or self.eta is None or self.status != "running":
            return None
        return max(0.0, self.eta.seconds)


GONE = ("deleted", "unknown")  # a run a link names that was deleted, or never readable


def run_config(run_id: str) -> dict[str, Any]:
    """A run's ``config.json`` (read once per session)."""
    cache = st.session_state.setdefault(RUN_CACHE, {})
    if run_id not in cache:
        try:
            cache[run_id] = json.loads((RunStore().path(run_id) / "config.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
    return cache[run_id]


def run_label(run_id: str) -> str:
    """Short name of a run in a batch: the sweep value and the seed."""
    cfg = run_config(run_id)
    sweep = cfg.get("sweep")
    seed = t("live.seed", n=cfg.get("run", {}).get("seed", "?"))
    if sweep:
        v = sweep["value"]
        v = (
            ",".join(map(str, v))
            if isinstance(v, list)
            else f"{v:g}"
            if isinstance(v, float)
            else v
        )
        return f"{sweep['param']}={v} · {seed}"
    return seed


def _recent_rate(df: pd.DataFrame, window: int = 5) -> float | None:
    """Steps per second over the last ``window`` training logs (smoother than one log's)."""
    if df.empty or "time/elapsed" not in df.columns or "time/sps" not in df.columns:
        return None
    rows = df.loc[df["time/sps"].notna(), ["step", "time/elapsed"]].tail(window + 1)
    if len(rows) < 2:
        s = df["time/sps"].dropna()
        return float(s.iloc[-1]) if len(s) else None
    steps = rows["step"].iloc[-1] - rows["step"].iloc[0]
    secs = rows["time/elapsed"].iloc[-1] - rows["time/elapsed"].iloc[0]
    return float(steps / secs) if secs > 0 else None


def phase_rates(df: pd.DataFrame, warm: int, window: int = 5) -> tuple[float | None, ...]:
    """The run's own seconds per step in its warm-up and its training phase (None: not yet).

    Read from the rows that carry ``time/elapsed`` (training logs and evaluations): the
    warm-up rate from the last row inside the warm-up, the training rate from the last
    ``window`` intervals that lie wholly after it.
    """
    if df.empty or "time/elapsed" not in df.columns or "step" not in df.columns:
        return None, None
    rows = df.loc[df["time/elapsed"].notna(), ["step", "time/elapsed"]].drop_duplicates("step")
    steps, secs = rows["step"].to_numpy(float), rows["time/elapsed"].to_numpy(float)
    inside = steps <= warm
    warm_rate = None
    if warm > 0 and inside.any() and steps[inside][-1] > 0:
        warm_rate = float(secs[inside][-1] / steps[inside][-1])
    after = steps >= warm
    s, e = steps[after][-(window + 1) :], secs[after][-(window + 1) :]
    train_rate = float((e[-1] - e[0]) / (s[-1] - s[0])) if len(s) >= 2 and s[-1] > s[0] else None
    return warm_rate, train_rate


def _record(run_id: str) -> Any:
    """A run's parsed configs (once per session): ``RunStore.load`` validates them."""
    cache = st.session_state.setdefault(RUN_CACHE, {})
    key = f"{run_id}#record"
    if key not in cache:
        try:
            cache[key] = RunStore().load(run_id)
        except (ValueError, OSError, KeyError):
            return None
    return cache[key]


def run_eta(run_id: str, step: int, df: pd.DataFrame) -> Any:
    """The time left of a run (:class:`rlcore.service.speed.Estimate`, or ``None``)."""
    from rlcore.service.speed import estimate, warmup_steps

    rec = _record(run_id)
    if rec is None:
        return None
    warm_rate, train_rate = phase_rates(df, warmup_steps(rec.run, rec.algo))
    return estimate(RunStore().root, rec.run, rec.algo, step, warm_rate, train_rate)


def run_state(run_id: str, positions: dict[str, int], df: pd.DataFrame) -> RunState:
    """Status, progress, speed and time left of one run (from its status file and metrics)."""
    store = RunStore()
    status = store.status(run_id) if store.path(run_id).exists() else {"status": "deleted"}
    steps = int(run_config(run_id).get("run", {}).get("steps", 1))
    step = int(status.get("step") or 0)
    if not df.empty and "step" in df.columns:
        step = max(step, int(df["step"].max()))
    state = status.get("status", "unknown")
    return RunState(
        run_id,
        state,
        step,
        steps,
        _recent_rate(df),
        positions.get(run_id),
        status.get("message") or "",
        run_label(run_id),
        run_eta(run_id, step, df) if state == "running" else None,
        status.get("threads"),
    )


def fmt_estimate(est: Any, what: str = "eta.left") -> str:
    """``about 6 min 10 s left`` (``≈`` and "rough" when from similar runs), or why none."""
    if est is None:
        return t("eta.none")
    text = t(what, time=fmt_duration(est.seconds))
    return text if est.basis == "measured" else f"{text} {t('eta.rough')}"


STATUSES = (
    "queued",
    "running",
    "finished",
    "stopped",
    "pruned",
    "failed",
    "diverged",
    "interrupted",
)


def status_text(status: str, position: int | None = None) -> str:
    """A run status in the session's language, with its queue position when waiting."""
    text = t(f"status.{status}") if status in STATUSES else status
    if position is not None and position == position:  # NaN from a DataFrame is no position
        text += " · " + t("live.position", n=int(position))
    return text


def fmt_duration(seconds: float | None) -> str:
    """``75`` -> ``1 min 15 s``."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"


# -- this session's batches ----------------------------------------------------------
def session_batches() -> list[str]:
    """Ids of the batches this browser session started (oldest first)."""
    return st.session_state.setdefault(BATCHES, [])


def current_batch(page: str = "train") -> Batch | None:
    """The batch a page's live view shows: the session's latest, or the URL's after a refresh.

    A batch from a link that this browser does not own (hosted) is shown read-only: it
    never joins the session's batches, and :func:`controls` is false for it.
    """
    key = batch_key(page)
    bid = st.session_state.get(key)
    from_url = bid is None
    if from_url:
        bid = st.query_params.get("batch")
    if not bid:
        return None
    try:
        batch = load_batch(RunStore(), bid)  # the door: a batch id is a name, never a path
    except ValueError as e:
        if from_url:
            st.warning(t("url.bad_batch", error=str(e)), icon=":material/link_off:")
        st.session_state.pop(key, None)
        if bid in session_batches():
            session_batches().remove(bid)
        return None
    if from_url and bid not in session_batches():
        if owner.can_control(batch.owner):
            session_batches().append(bid)
        else:
            st.session_state.setdefault(VIEW_ONLY, set()).add(bid)
    st.session_state[key] = bid
    return batch


def controls(batch: Batch | None) -> bool:
    """Whether this browser may stop, delete and download the runs of ``batch``."""
    return batch is not None and owner.can_control(batch.owner)


def view_only_notice(batch: Batch | None) -> None:
    """Say, above a batch opened from another visitor's link, what this view allows."""
    if batch is not None and not controls(batch):
        st.info(t("share.view_only"), icon=":material/visibility:")


def session_limit_message(n_new: int) -> str | None:
    """Why this session may not queue ``n_new`` more runs now (``None`` if it may).

    A hosted server caps the runs one browser session has queued or training at once
    (``RLCORE_MAX_RUNS_PER_SESSION``), so one visitor cannot fill the queue.
    """
    from rlcore.core.settings import get_settings
    from rlcore.service.owners import in_flight

    limit = get_settings().max_runs_per_session
    if not limit:
        return None
    active = in_flight(RunStore(), owner.current())  # every page's runs: one count
    if active + n_new <= limit:
        return None
    return t("train.session_limit", limit=limit, active=active, n=n_new)


def batch_label(batch_id: str) -> str:
    """A submission as the learner knows it: ``14:02 · DQN · CartPole-v1 · sweep of lr``."""
    from rlcore.algos.registry import ALGORITHMS

    try:
        b = load_batch(RunStore(), batch_id)
    except ValueError:
        return batch_id
    run = run_config(b.runs[0]).get("run", {}) if b.runs else {}
    algo = run.get("algo", "?")
    title = ALGORITHMS[algo].title if algo in ALGORITHMS else algo
    if b.kind == "sweep":
        n = max(len(b.values), 1)
        what = t("batch.sweep", param=b.param, values=n, seeds=len(b.runs) // n)
    elif b.kind == "seeds":
        what = t("batch.seeds", n=len(b.runs))
    elif b.kind == "pbt":
        what = t("batch.pbt", n=len(b.runs))
    else:
        what = t("batch.single", seed=run.get("seed", 0))
    when = time.strftime("%H:%M:%S", time.localtime(b.created))
    return " · ".join([when, title, run.get("dataset") or run.get("env", "?"), what])


def batch_runs(batch_id: str) -> tuple[str, ...]:
    """Run ids of a batch (empty if it is gone)."""
    try:
        return load_batch(RunStore(), batch_id).runs
    except ValueError:
        return ()


def start(plan: Plan, page: str = "train", extra: dict[str, Any] | None = None) -> Batch:
    """Queue a plan's runs (they start as soon as the worker cap allows).

    The runs are this browser's (:func:`ui.owner.current`) and pass rlcore's one gate
    for new work (``ValueError`` with the reason: runs in flight, disk budget).
    ``extra``: tags every run carries; a ``pbt`` tag (the Population mode) trains the
    runs as one population, a PBT.
    """
    from ui.predict import attach

    together = trains_together(plan) or bool(extra and "pbt" in extra)
    batch = queue().submit(plan, extra, owner=owner.current(), population=together)
    session_batches().append(batch.id)
    st.session_state[batch_key(page)] = batch.id
    attach(batch.id, page)  # the prediction typed before Start, kept for the reveal
    return batch


def start_plans(plans: list[Plan], page: str = "course") -> list[Batch]:
    """Queue several plans as one start (a lesson's experiment): all of them, or none.

    The per-visitor cap is checked for their runs together before any is created, so a
    refusal (``ValueError`` with the reason) leaves nothing queued.
    """
    n = sum(len(p) for p in plans)
    limited = session_limit_message(n)
    if limited:
        raise ValueError(limited)
    batches: list[Batch] = []
    try:
        for p in plans:
            b = queue().submit(p, owner=owner.current(), population=trains_together(p))
            batches.append(b)
            session_batches().append(b.id)
    except (ValueError, OSError):
        for b in batches:  # all or none: cancel what the first plans queued
            for rid in b.runs:
                with contextlib.suppress(ValueError, OSError):
                    queue().stop(rid)
                    queue().delete(rid)
        raise
    return batches


def plan_estimate(plan: Any) -> str:
    """How long a plan would take on this server, said before Start.

    ``about 6 min on this server`` (until its last run ends, behind the runs already
    queued), or why there is no estimate (no run of this algorithm measured here yet).
    """
    if plan is None or not len(plan):
        return ""
    return runs_estimate(list(plan.runs))


def runs_estimate(runs: list[tuple[Any, Any]]) -> str:
    """How long these ``(RunConfig, AlgoConfig)`` runs would take here, queued now."""
    from rlcore.service.speed import estimate, forecast

    ahead = forecast(queue(), runs)
    finishes = [ahead.get(f"plan:{i}") for i in range(len(runs))]
    ests = [estimate(RunStore().root, run, algo) for run, algo in runs]
    missing = [run.algo for (run, _), e in zip(runs, ests) if e is None]
    if missing:
        return t("eta.before_none", algo=missing[0])
    if any(f is None for f in finishes):  # measured, but it waits behind a run that is not
        return t("eta.queued_none")
    rough = any(e is not None and e.basis != "measured" for e in ests)
    text = t("eta.before", time=fmt_duration(max(f[1] for f in finishes)))
    return f"{text} {t('eta.rough')}" if rough else text


def queued_estimate(run_id: str) -> str:
    """When a waiting run should start and end (or why that is not known yet)."""
    from rlcore.service.speed import forecast

    when = forecast(queue()).get(run_id)
    if when is None:
        return t("eta.queued_none")
    return t("eta.queued", start=fmt_duration(when[0]), end=fmt_duration(when[1]))


def batch_estimate(states: list[RunState]) -> str:
    """Time until a batch's last run ends: running runs' time left, queued runs behind them."""
    from rlcore.service.speed import forecast

    active = [s for s in states if not s.done]
    if not active:
        return ""
    ends = []
    ahead = forecast(queue()) if any(s.status == "queued" for s in active) else {}
    for s in active:
        if s.status == "running":
            ends.append(s.eta_s)
        elif s.status == "queued":
            when = ahead.get(s.id)
            ends.append(None if when is None else when[1])
    if not ends:
        return ""
    if any(e is None for e in ends):
        return t("eta.none")
    return t("eta.left", time=fmt_duration(max(ends)))


def network_cost(setup: Any) -> str:
    """The size of the run's networks and the memory training them takes, said before Start.

    About 16 bytes a parameter: the weights, their gradients and Adam's two moments.
    """
    from rlcore.train.model_size import count_parameters, fmt_count, training_memory

    def size(b: float) -> str:
        mb = b / 2**20
        return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:.1f} MB"

    n = count_parameters(setup.run, setup.algo_cfg)
    text = t("err.cost", params=fmt_count(n), mb=size(n * 16))
    plan = getattr(setup, "plan", None)
    if plan is not None and trains_together(plan):
        k = len(plan)
        mem = training_memory(setup.run, setup.algo_cfg, k)
        text += " " + t("err.cost_population", k=k, mb=size(mem))
    return text


def start_controls(setup: Any, page: str = "train") -> None:
    """The fix-these-fields notice, the per-session limit and the Start button of a page.

    ``setup`` is the page's validated ``ui.forms.Setup``; a press queues its plan and
    reruns the page (the sidebar's worker count included). A server limit or a full disk
    is said in an error box, and nothing starts.
    """
    from rlcore.service.worker import ensure_spare

    ensure_spare(RunStore())  # the run's process starts now, while the learner reads
    if setup.errors:
        st.error(t("train.fix", fields=", ".join(setup.errors)), icon=":material/block:")
    limited = session_limit_message(len(setup.plan)) if setup.ok else None
    if limited:
        st.warning(limited, icon=":material/hourglass_top:")
    n = len(setup.plan) if setup.plan else 1
    if setup.ok:
        st.caption(f"{network_cost(setup)} {plan_estimate(setup.plan)}", help=t("eta.help"))
    pressed = st.button(
        t("train.start", n=n) if n > 1 else t("train.start1"),
        key=f"{page}_start",
        type="primary",
        icon=":material/play_arrow:",
        disabled=not setup.ok or bool(limited),
    )
    if not (pressed and setup.ok and not limited):
        return
    try:
        start(setup.plan, page, getattr(setup, "extra", None))
    except (ValueError, OSError) as e:
        st.error(md_text(e), icon=":material/error:")
    else:
        st.rerun()


def stop(run_ids: list[str]) -> None:
    """Cancel the queued runs and ask the running ones to stop (only this browser's)."""
    q = queue()
    for rid in run_ids:
        q.stop(rid, who=owner.current())


def system_table() -> pd.DataFrame:
    """Versions, device and the worker cap (About page)."""
    import platform

    import torch

    from rlcore.service.jobs import default_max_workers

    q = queue().summary()
    cuda = torch.cuda.is_available()
    rows = [
        ("Python", platform.python_version()),
        ("PyTorch", torch.__version__),
        ("Streamlit", st.__version__),
        ("CUDA", torch.cuda.get_device_name(0) if cuda else t("sidebar.cuda_no")),
        (t("about.cpus"), str(os.cpu_count())),
        (t("about.cap"), str(default_max_workers())),
        (t("about.busy"), f"{q['running']} / {q['queued']}"),
        (t("about.runs_dir"), str(RunStore().root.resolve())),
    ]
    return pd.DataFrame(rows, columns=[t("about.item"), t("about.value")])
