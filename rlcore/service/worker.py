"""``run_job``: train one stored run and write everything back to the RunStore.

The same function serves the CLI (in-process, with a progress bar), the app (in a
separate process: ``python -m rlcore.service.worker RUN_ID``) and sweeps. The process that trains
is the only writer of its run folder.

Limits and faults:

- wall time: a run is stopped at ``RLCORE_MAX_RUN_SECONDS`` (status ``stopped``, the
  message says so). The trainer checks it between steps; in a worker process an alarm
  a little later also ends a run stuck in one long evaluation.
- SIGTERM (a server shutting down, ``docker stop``) and Ctrl-C end the run as
  ``interrupted``, with its metrics and weights saved.
- SIGKILL or a crash of the interpreter leaves no chance to write anything: the run's
  status still names this process, and ``RunStore.status`` reads it as ``interrupted``
  once the process is gone. A heartbeat file is touched every few seconds for runs
  watched from another host.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any

from rlcore.core.config import AlgoConfig, RunConfig
from rlcore.core.files import atomic_write_json
from rlcore.core.settings import get_settings
from rlcore.core.threads import choose_threads
from rlcore.core.types import Metrics
from rlcore.service.owners import checkpoints_for
from rlcore.service.processes import process_identity, spawn_module
from rlcore.service.runs import HEARTBEAT_S, RunClaimed, RunStore
from rlcore.service.tensorboard import tensorboard_log
from rlcore.train.compiled import compile_message
from rlcore.train.model_size import count_parameters
from rlcore.train.resume import TrainState, continued_state, save_train_state
from rlcore.train.trainer import Trainer

__all__ = [
    "Interrupted",
    "WallTimeExceeded",
    "ensure_spare",
    "population_of",
    "run_job",
    "run_population_job",
    "spawn_job",
    "stop_spare",
]

HARD_LIMIT_GRACE_S = 30  # the alarm fires this long after the wall-time limit
CHECKPOINT_COUNT = 10  # checkpoints along a run (besides its final weights)


class Interrupted(KeyboardInterrupt):
    """A signal asked the worker to end (its message says which)."""


class WallTimeExceeded(BaseException):
    """The worker's alarm: the run went past its wall-time limit inside a long step."""


def _diverged(m: Metrics) -> str | None:
    for k, v in m.items():
        if k.startswith("train/") and isinstance(v, float) and not math.isfinite(v):
            return k
    return None


def _wall_message(limit: float) -> str:
    return (
        f"stopped at this server's wall-time limit of {limit:g} s per run "
        "(RLCORE_MAX_RUN_SECONDS); metrics and weights so far are saved"
    )


class _Heartbeat:
    """Touches the run's heartbeat file every ``HEARTBEAT_S`` seconds from a thread."""

    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store, self.run_id = store, run_id
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rlcore-heartbeat", daemon=True)

    def _loop(self) -> None:
        while not self._done.wait(HEARTBEAT_S):
            self.store.beat(self.run_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()


def _print(line: str) -> None:
    print(line, flush=True)


class _Threads:
    """A run's CPU threads: chosen at the start, re-chosen while it trains (auto only).

    With ``threads = 0`` (auto) the run takes the cores the other trainings leave free;
    when one starts it drops to what is left, when it ends it takes them back (recorded
    in the status, said in words). Why not idle threads that sleep: see
    :mod:`rlcore.core.threads`.
    """

    def __init__(
        self,
        store: RunStore,
        run_id: str,
        run: RunConfig,
        algo: AlgoConfig,
        say: Callable,
        members: int = 1,
    ) -> None:
        self.store, self.run_id, self.say = store, run_id, say
        self.requested = run.threads
        self.n_params = count_parameters(run, algo) * members  # a population: K networks
        self.batch = getattr(algo, "batch_size", 256)  # on-policy: a rollout's rows
        self.n = 0
        self.n = self()

    def __call__(self) -> int:
        others = self.store.threads_in_use(exclude=self.run_id)
        n, why = choose_threads(self.requested, others, self.n_params, self.batch)
        if n != self.n:
            self.store.set_status(self.run_id, "running", threads=n, threads_reason=why)
            self.say(f"threads: {why}" if not self.n else f"threads now {why}")
            self.n = n
        return n


def _pass_on(
    m: Metrics, tb: Any, on_metrics: Callable[[Metrics], None] | None, say: Callable[[str], None]
) -> None:
    """A metrics row to TensorBoard, to the caller, and (compilation measured) in words."""
    if tb is not None:
        tb.write(m)
    if on_metrics is not None:
        on_metrics(m)
    if "compile/seconds" in m:
        say(compile_message(m))


def _early_end(store: RunStore, run_id: str, limit: float | None) -> tuple[str, str]:
    """Why a run ended before its last step: pruned by a study, stopped, or out of time."""
    pruned = store.prune_reason(run_id)
    if pruned is not None:
        return "pruned", pruned
    if limit is not None and not store.stop_requested(run_id):
        return "stopped", _wall_message(limit)
    return "stopped", ""


def run_job(
    run_id: str,
    store: RunStore | None = None,
    on_metrics: Callable[[Metrics], None] | None = None,
    checkpoint_every_s: float = 30.0,
    say: Callable[[str], None] | None = None,
    initial_state: dict | None = None,
    resume: TrainState | None = None,
) -> str:
    """Train run ``run_id``; returns its final status.

    A run trains once: a run another worker already claimed raises
    :class:`~rlcore.service.runs.RunClaimed` (a ``ValueError``) before anything is written.

    Status goes ``running`` -> ``finished`` | ``stopped`` (stop flag, or the wall-time
    limit: the message says so) | ``pruned`` (a study's pruner asked it to end early: the
    message says why) | ``diverged`` (a training metric became NaN/inf: the
    message names it) | ``failed`` (an exception: the message holds it) |
    ``interrupted`` (Ctrl-C / SIGTERM). Metrics written so far are kept in every case,
    and the weights are saved at the end and at evaluations (every
    ``checkpoint_every_s`` seconds at most). The CPU threads are chosen once the run
    counts as running (``choose_threads``: its setting, else the cores that the other
    running trainings leave free, one for a small network), recorded in its status and
    said through ``say`` (default: printed, i.e. into the worker's log).
    ``initial_state``: weights the agent starts from (default: a fresh, seeded agent).
    ``resume``: the training state it continues from (default: for a run made by
    ``rlcore train --from``, its source run's; :mod:`rlcore.train.resume`).
    Long because every way a run can end is decided here, where it happens.
    """
    store = store or RunStore()
    say = say or _print
    rec = store.load(run_id)
    limit = get_settings().max_run_seconds or None
    t0 = time.monotonic()
    store.claim(run_id)  # RunClaimed: another worker has it; nothing here is touched
    store.mark_started(run_id)
    trainer = None
    last_ckpt = time.time()
    # as many checkpoints as fit this server's disk budget of a run (RLCORE_MAX_RUN_MB)
    n_ckpt = checkpoints_for(rec.run, rec.algo, CHECKPOINT_COUNT)
    along = _Checkpoints(store, run_id, rec.run.steps, n_ckpt)
    status, message = "finished", ""
    final: Metrics = {}
    with _Heartbeat(store, run_id):
        try:
            resume = resume if resume is not None else continued_state(store, run_id)
            threads = _Threads(store, run_id, rec.run, rec.algo, say)
            trainer = Trainer(
                dataclasses.replace(rec.run, threads=threads.n),
                rec.algo,
                stop=lambda: store.stop_requested(run_id) or store.prune_reason(run_id) is not None,
                max_seconds=limit,
                threads_fn=threads if rec.run.threads == 0 else None,
                initial_state=initial_state,
                resume=resume,
            )
            with (
                store.open_metrics(run_id) as fh,
                tensorboard_log(rec.run, store.path(run_id)) as tb,
            ):
                for m in trainer:
                    store.write_metrics(fh, m)
                    _pass_on(m, tb, on_metrics, say)
                    bad = _diverged(m)
                    if bad is not None:
                        status, message = "diverged", f"{bad} became {m[bad]} at step {m['step']}"
                        break
                    if "eval/return_mean" in m:
                        final = m
                        if time.time() - last_ckpt > checkpoint_every_s:
                            store.save_model(run_id, trainer.agent.state_dict())
                            save_train_state(store, run_id, trainer)
                            last_ckpt = time.time()
                        along.at_eval(trainer, m["step"], m["eval/return_mean"])
                        _report_eval(store, run_id, m)
                    if limit is not None and time.monotonic() - t0 > limit:
                        status, message = "stopped", _wall_message(limit)
                        break
            if status == "finished" and trainer.stopped_early:
                status, message = _early_end(store, run_id, limit)
        except WallTimeExceeded:
            status, message = "stopped", _wall_message(limit or 0)
        except KeyboardInterrupt as e:
            status = "interrupted"
            message = str(e) if isinstance(e, Interrupted) else "interrupted by the user"
        except Exception as e:
            status, message = "failed", f"{type(e).__name__}: {e}"
            traceback.print_exc()
        _disarm_alarm()
        _finish(store, run_id, trainer, status, message, final)
    return status


class _Checkpoints:
    """Weights kept along a run: at each tenth of its steps, and the best-evaluated.

    At the first evaluation past each tenth of its steps, and at every evaluation that
    beats the run's best so far (``checkpoints/best.safetensors``, as SB3's EvalCallback
    keeps ``best_model``). By steps, not wall time: the app scrubs through training with
    them (the agent and its Q estimate at that point), so they must spread over the run.
    """

    def __init__(self, store: RunStore, run_id: str, steps: int, n: int = CHECKPOINT_COUNT):
        self.store, self.run_id = store, run_id
        self.every = max(1, steps // max(n, 1))
        self.next = self.every if n > 0 else math.inf  # n = 0: the final weights only
        self.best = -math.inf if n > 0 else math.inf

    def at_eval(self, trainer: Trainer, step: int, value: float = -math.inf) -> None:
        if value > self.best:
            self.best = value
            try:
                self.store.save_best(self.run_id, step, value, trainer.agent.state_dict())
            except OSError:
                pass  # a full disk costs the best checkpoint, not the run
        if step < self.next:
            return
        try:
            self.store.save_checkpoint(self.run_id, step, trainer.agent.state_dict())
        except OSError:
            pass  # a full disk costs a checkpoint, not the run
        self.next = (step // self.every + 1) * self.every


def _report_eval(store: RunStore, run_id: str, m: Metrics) -> None:
    """Show an evaluation's return (and score) in the run's status while it trains."""
    store.set_status(
        run_id,
        "running",
        step=m["step"],
        eval_return=m["eval/return_mean"],
        eval_score=m.get("eval/normalized_score"),
    )


def _finish(
    store: RunStore,
    run_id: str,
    trainer: Trainer | None,
    status: str,
    message: str,
    final: Metrics,
) -> None:
    """Save the weights and write the final status (with the last evaluation's numbers).

    A run that finished or was stopped also adds its measured speed to the server's table
    (``rlcore.service.speed``), which the app's time estimates read.
    """
    if trainer is not None:
        try:
            store.save_model(run_id, trainer.agent.state_dict())
            save_train_state(store, run_id, trainer)
        except OSError as e:
            message = (message + "; " if message else "") + f"could not save weights: {e}"
        if status in ("finished", "stopped"):
            _record_speed(store, run_id, trainer)
    try:
        store.set_status(
            run_id,
            status,
            message=message,
            step=trainer.step if trainer else 0,
            eval_return=final.get("eval/return_mean"),
            eval_return_std=final.get("eval/return_std"),
            eval_score=final.get("eval/normalized_score"),  # offline: D4RL-style score
            wall_time=final.get("time/elapsed"),
            finished=time.time(),
        )
    except OSError as e:  # the status stays "running"; readers mark it interrupted
        print(f"error: {e}", file=sys.stderr)


def _record_speed(store: RunStore, run_id: str, trainer: Trainer) -> None:
    """Add this run's measured phases to the server's speed table (never fails the run)."""
    from rlcore.service.speed import record_run

    try:
        record_run(
            store.root,
            trainer.run,
            trainer.cfg,
            str(trainer.device),
            trainer.warmup_seconds,
            trainer.train_seconds - trainer.warmup_seconds,
            trainer.step,
            trainer.updates,
        )
    except (OSError, ValueError):
        pass  # a read-only or full disk loses an estimate, not the run


# -- populations: K runs of one setup trained by one process ---------------------------
POPULATION = "--population"  # the worker's argument before a population's run ids


def population_of(store: RunStore, run_id: str) -> list[str] | None:
    """The run ids of the population ``run_id`` leads (its batch's runs), else ``None``.

    ``JobQueue.submit(..., population=True)`` tags each run with its batch and queues only
    the first (the leader): the one worker launched for it trains them all.
    """
    from rlcore.service.jobs import load_batch, run_extra

    extra = run_extra(store, run_id)
    batch_id = extra.get("population")
    if not isinstance(batch_id, str):
        return None
    try:
        runs = list(load_batch(store, batch_id).runs)
    except ValueError:
        return None
    return runs if runs and runs[0] == run_id else None


class _Heartbeats(_Heartbeat):
    """One thread touching the heartbeat of every run of a population."""

    def __init__(self, store: RunStore, run_ids: list[str]) -> None:
        super().__init__(store, run_ids[0])
        self.run_ids = run_ids

    def _loop(self) -> None:
        while not self._done.wait(HEARTBEAT_S):
            for rid in self.run_ids:
                self.store.beat(rid)


def run_population_job(
    run_ids: list[str],
    store: RunStore | None = None,
    on_metrics: Callable[[int, Metrics], None] | None = None,
    checkpoint_every_s: float = 30.0,
    say: Callable[[str], None] | None = None,
    make_trainer: Callable[..., Any] | None = None,
) -> list[str]:
    """Train the runs ``run_ids`` as one population in this process; returns their statuses.

    The runs must be one setup (``rlcore.train.population.check_population``: they
    differ in their seed and the algorithm's per-member hyperparameters); that is checked,
    and every run claimed, before anything is written. Then each member is written as its
    own run, exactly as :func:`run_job` writes one (metrics, checkpoints along the run,
    final weights, status with the last evaluation): Compare, export and every view read
    them as any run. A member whose run is asked to stop or is pruned ends alone (its
    status says so; the others train on); one whose metric becomes NaN ends ``diverged``.
    Ctrl-C / SIGTERM ends every member ``interrupted``, an exception ``failed``.
    ``on_metrics(member, row)`` sees every row. Runs no longer ``queued`` (cancelled
    before the population started) are left out: the statuses are of those trained.
    ``make_trainer``: builds the trainer from the runs and configs with
    :class:`~rlcore.train.population.PopulationTrainer`'s arguments (default: a PBT
    batch's :class:`~rlcore.service.pbt.PBTTrainer`, else that class).

    Long because it is :func:`run_job`'s loop for K members: each member's end (stop,
    prune, divergence), the shared wall-time limit and the exceptions that end all of
    them write the same per-member lists, which read best in one place.
    """
    from rlcore.train.population import PopulationTrainer

    store = store or RunStore()
    say = say or _print
    run_ids, recs = _claim_population(store, run_ids)
    if not run_ids:
        return []
    if make_trainer is None:  # a PBT batch (its runs' ``pbt`` tag) trains with PBTTrainer
        from rlcore.service.pbt import pbt_trainer_for

        make_trainer = pbt_trainer_for(store, run_ids)
    limit = get_settings().max_run_seconds or None
    t0 = time.monotonic()
    k_all = len(run_ids)
    status = ["finished"] * k_all
    message = [""] * k_all
    final: list[Metrics] = [{} for _ in run_ids]
    last_step = [0] * k_all  # the step of each member's last row
    ended = [False] * k_all
    pop: PopulationTrainer | None = None
    last_ckpt = time.time()
    along = [
        _Checkpoints(store, rid, r.run.steps, checkpoints_for(r.run, r.algo, CHECKPOINT_COUNT))
        for rid, r in zip(run_ids, recs)
    ]

    def end(k: int, st: str, msg: str) -> None:
        """Member ``k`` ends now (the others train on): its weights and status written."""
        assert pop is not None
        pop.drop(k)
        status[k], message[k], ended[k] = st, msg, True
        _finish_member(store, run_ids[k], pop, k, st, msg, final[k], last_step[k])

    def stop() -> bool:
        assert pop is not None
        for k, rid in enumerate(run_ids):
            if pop.active[k] and (store.stop_requested(rid) or store.prune_reason(rid) is not None):
                end(k, *_early_end(store, rid, None))
        return False  # the population stops by itself once no member is left

    with _Heartbeats(store, run_ids), contextlib.ExitStack() as files:
        try:
            threads = _Threads(store, run_ids[0], recs[0].run, recs[0].algo, say, len(recs))
            pop = (make_trainer or PopulationTrainer)(
                [dataclasses.replace(r.run, threads=threads.n) for r in recs],
                [r.algo for r in recs],
                stop=stop,
                max_seconds=limit,
                threads_fn=threads if recs[0].run.threads == 0 else None,
            )
            say(f"population: {k_all} runs in one process ({', '.join(run_ids)})")
            fhs = [files.enter_context(store.open_metrics(rid)) for rid in run_ids]
            tbs = [
                files.enter_context(tensorboard_log(r.run, store.path(rid)))
                for rid, r in zip(run_ids, recs)
            ]
            for k, m in pop:
                store.write_metrics(fhs[k], m)
                last_step[k] = int(m.get("step", last_step[k]))
                _pass_on(m, tbs[k], None, say)
                if on_metrics is not None:
                    on_metrics(k, m)
                bad = _diverged(m)
                if bad is not None:
                    end(k, "diverged", f"{bad} became {m[bad]} at step {m['step']}")
                    continue
                if "eval/return_mean" in m:
                    final[k] = m
                    if time.time() - last_ckpt > checkpoint_every_s:
                        for j in range(k_all):
                            if not ended[j]:
                                store.save_model(run_ids[j], pop.member_state_dict(j))
                        last_ckpt = time.time()
                    along[k].at_eval(_Member(pop, k), m["step"], m["eval/return_mean"])  # type: ignore[arg-type]
                    _report_eval(store, run_ids[k], m)
                if limit is not None and time.monotonic() - t0 > limit:
                    for j in range(k_all):
                        if not ended[j]:
                            status[j], message[j] = "stopped", _wall_message(limit)
                    break
            if pop.stopped_early:
                for j in range(k_all):
                    if not ended[j] and status[j] == "finished":
                        status[j], message[j] = _early_end(store, run_ids[j], limit)
        except WallTimeExceeded:
            status[:], message[:] = ["stopped"] * k_all, [_wall_message(limit or 0)] * k_all
        except KeyboardInterrupt as e:
            msg = str(e) if isinstance(e, Interrupted) else "interrupted by the user"
            status[:], message[:] = ["interrupted"] * k_all, [msg] * k_all
        except Exception as e:
            status[:], message[:] = ["failed"] * k_all, [f"{type(e).__name__}: {e}"] * k_all
            traceback.print_exc()
        _disarm_alarm()
        for j in range(k_all):
            if not ended[j]:
                _finish_member(
                    store, run_ids[j], pop, j, status[j], message[j], final[j], last_step[j]
                )
    return status


def _claim_population(store: RunStore, run_ids: list[str]) -> tuple[list[str], list[Any]]:
    """The population's runs still ``queued``, loaded, checked as one setup, claimed, started.

    A run cancelled before the population started is left as it is (and left out); the
    check (``check_population``) and every claim come before anything is written.
    """
    from rlcore.train.population import check_population

    run_ids = [rid for rid in run_ids if store.status(rid).get("status") == "queued"]
    if not run_ids:
        return [], []
    recs = [store.load(rid) for rid in run_ids]
    check_population([r.run for r in recs], [r.algo for r in recs])
    for rid in run_ids:
        store.claim(rid)  # RunClaimed: another worker has one of them
    for rid in run_ids:
        store.mark_started(rid)
    return run_ids, recs


class _Member:
    """What ``_Checkpoints`` reads of a trainer (``.agent.state_dict()``), for a member."""

    def __init__(self, pop: Any, k: int) -> None:
        self.agent, self._pop, self._k = self, pop, k

    def state_dict(self) -> dict:
        return self._pop.member_state_dict(self._k)


def _finish_member(
    store: RunStore,
    run_id: str,
    pop: Any,
    k: int,
    status: str,
    message: str,
    final: Metrics,
    last_step: int,
) -> None:
    """:func:`_finish` of member ``k`` of a population (no speed record: not a single run).

    ``last_step``: the step of the member's last row. Members in lock step are all at the
    population's step; REINFORCE's members each play to their own count (the episodes
    loop), which their last row carries (every finished episode writes one).
    """
    own = pop is not None and pop.agent.loop == "episodes"
    step = last_step if own else pop.step if pop is not None else 0
    if pop is not None:
        try:
            store.save_model(run_id, pop.member_state_dict(k))
        except OSError as e:
            message = (message + "; " if message else "") + f"could not save weights: {e}"
    try:
        store.set_status(
            run_id,
            status,
            message=message,
            step=step,
            eval_return=final.get("eval/return_mean"),
            eval_return_std=final.get("eval/return_std"),
            eval_score=final.get("eval/normalized_score"),
            wall_time=final.get("time/elapsed"),
            finished=time.time(),
        )
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)


SPARE = "--spare"  # the argument of a worker started ahead, waiting for its run id
# The one spare worker of this process: (process, the environment it was started with).
_SPARE: dict[str, tuple[subprocess.Popen, dict[str, str]]] = {}
_SPARE_LOCK = threading.Lock()


def _worker_env(store: RunStore) -> dict[str, str]:
    return dict(os.environ, RLCORE_RUNS_DIR=str(store.root.resolve()))


def _take_spare(env: dict[str, str]) -> subprocess.Popen | None:
    """The spare worker if it is alive and was started with ``env`` (else it is ended)."""
    with _SPARE_LOCK:
        proc, spare_env = _SPARE.pop("spare", (None, None))
    if proc is None:
        return None
    if proc.poll() is None and spare_env == env:
        return proc
    stop_spare(proc)
    return None


def stop_spare(proc: subprocess.Popen | None = None) -> None:
    """End a spare worker (by default this process's one); it holds no run."""
    if proc is None:
        with _SPARE_LOCK:
            proc, _ = _SPARE.pop("spare", (None, None))
    if proc is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        proc.stdin.close()
    proc.kill()  # idle: nothing to save
    proc.wait()


def _start_spare(store: RunStore, env: dict[str, str]) -> None:
    """Start the next run's worker now: its ~4 s of imports happen while nothing waits."""
    log = store.root / ".queue" / "spare.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = spawn_module("rlcore.service.worker", [SPARE], log, env, "wb", stdin=subprocess.PIPE)
    with _SPARE_LOCK:
        old = _SPARE.pop("spare", (None, None))[0]
        _SPARE["spare"] = (proc, env)
    if old is not None:
        stop_spare(old)


def ensure_spare(store: RunStore | None = None) -> None:
    """Start a spare worker for ``store`` if there is none (a page about to offer Start).

    On a fresh server the first run would otherwise wait for the imports (~4 s, more
    under load); a learner reading the form gives the spare that time.
    """
    store = store or RunStore()
    if get_settings().spare_workers <= 0:
        return
    env = _worker_env(store)
    with _SPARE_LOCK:
        proc, spare_env = _SPARE.get("spare", (None, None))
    if proc is not None and proc.poll() is None and spare_env == env:
        return
    try:
        _start_spare(store, env)
    except OSError:
        pass  # no spare: the run starts the slow way


def spawn_job(run_id: str, store: RunStore | None = None) -> subprocess.Popen:
    """Start ``run_job`` in its own process (the app's path); returns the process.

    The process is the spare worker when there is one (started ahead with this same
    environment, PyTorch already imported: the run starts within a second rather than
    after ~4 s of imports), else a new one; then the next spare is started
    (``RLCORE_SPARE_WORKERS``, at most one per server process; it exits by itself when
    the server does, its pipe then closing). The child's identity is written to
    ``worker.json`` so that a worker that dies before it starts training still shows
    its run as interrupted.
    """
    store = store or RunStore()
    env = _worker_env(store)
    members = population_of(store, run_id)
    if members is not None:  # a population: one worker for all its runs (no spare)
        proc = spawn_module(
            "rlcore.service.worker",
            [POPULATION, *members],
            store.path(run_id) / "worker.log",
            env,
        )
        for rid in members:
            with contextlib.suppress(OSError):
                atomic_write_json(store.path(rid) / "worker.json", process_identity(proc.pid))
        return proc
    spares = get_settings().spare_workers > 0
    proc = _take_spare(env) if spares else None
    if proc is not None:
        try:
            proc.stdin.write(f"{run_id}\n".encode())
            proc.stdin.close()
        except OSError:  # it died meanwhile: start one the usual way
            proc = None
    if proc is None:
        proc = spawn_module(
            "rlcore.service.worker", [run_id], store.path(run_id) / "worker.log", env
        )
    try:
        atomic_write_json(store.path(run_id) / "worker.json", process_identity(proc.pid))
    except OSError:
        pass  # the worker itself records its identity once it runs
    if spares:
        try:
            _start_spare(store, env)
        except OSError:
            pass  # no spare: the next run starts the slow way
    return proc


def _warm_up() -> None:
    """Pay PyTorch's first-use costs while nothing waits.

    The first optimiser a process builds imports torch's compiler stack (``torch._dynamo``,
    measured 3.6 s of a 2-core machine): a spare pays it before its run arrives.
    """
    import torch

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def _serve_spare() -> int:
    """A spare worker: wait for a run id on stdin (imports done), then train it.

    End of file (the server ended, or dropped this spare) exits without doing anything.
    The output goes to the run's ``worker.log`` from then on, as for any worker.
    """
    _warm_up()
    run_id = sys.stdin.readline().strip()
    if not run_id:
        return 0
    try:
        log = RunStore().path(run_id) / "worker.log"
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    except (OSError, ValueError):
        return main([run_id])
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    return main([run_id])


_ALARM_ARMED = False


def _disarm_alarm() -> None:
    global _ALARM_ARMED
    if _ALARM_ARMED:
        signal.alarm(0)
        _ALARM_ARMED = False


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let it save and exit
    raise Interrupted("interrupted by SIGTERM (the server stopped or the run was killed)")


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise WallTimeExceeded()


def main(argv: list[str] | None = None) -> int:
    """``python -m rlcore.service.worker RUN_ID``: exit 0 if the run finished, stopped or pruned."""
    global _ALARM_ARMED
    args = sys.argv[1:] if argv is None else argv
    if args == [SPARE]:
        return _serve_spare()
    if args and args[0] == POPULATION:
        return _main_population(args[1:])
    if len(args) != 1:
        print("usage: python -m rlcore.service.worker RUN_ID", file=sys.stderr)
        return 2
    old_term = signal.signal(signal.SIGTERM, _on_sigterm)
    old_alarm = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    try:
        limit = get_settings().max_run_seconds
        if limit > 0 and old_alarm is not None:
            signal.signal(signal.SIGALRM, _on_alarm)
            signal.alarm(limit + HARD_LIMIT_GRACE_S)
            _ALARM_ARMED = True
        status = run_job(args[0])
    except RunClaimed as e:  # launched twice: the first worker owns the run and its status
        print(f"error: {e}", file=sys.stderr)
        return 3
    except (ValueError, OSError) as e:  # before training started: say why in the run
        print(f"error: {e}", file=sys.stderr)
        try:
            RunStore().set_status(args[0], "failed", message=str(e), finished=time.time())
        except (ValueError, OSError):
            pass
        return 2
    finally:
        _disarm_alarm()
        signal.signal(signal.SIGTERM, old_term)  # main() may run inside another program
        if old_alarm is not None:
            signal.signal(signal.SIGALRM, old_alarm)
    return 0 if status in ("finished", "stopped", "pruned") else 1


def _main_population(run_ids: list[str]) -> int:
    """``python -m rlcore.service.worker --population ID...``: one worker, K runs."""
    if not run_ids:
        print("usage: python -m rlcore.service.worker --population RUN_ID...", file=sys.stderr)
        return 2
    old_term = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        statuses = run_population_job(run_ids)
    except RunClaimed as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except (ValueError, OSError) as e:  # before training started: said in every run
        print(f"error: {e}", file=sys.stderr)
        for rid in run_ids:
            with contextlib.suppress(ValueError, OSError):
                RunStore().set_status(rid, "failed", message=str(e), finished=time.time())
        return 2
    finally:
        signal.signal(signal.SIGTERM, old_term)
    return 0 if all(st in ("finished", "stopped", "pruned") for st in statuses) else 1


if __name__ == "__main__":
    sys.exit(main())
