"""The study driver: ask Optuna for trials, train them as runs, report, prune, tell.

One driver runs a study at a time (it holds the study's lock). Its loop, every
``poll_s`` seconds:

1. for each trial in flight, read the new evaluation rows its runs wrote to the
   RunStore; at every evaluation step all its seeds have reached, report the mean
   return to Optuna (``trial.report``); if the pruner says so (``trial.should_prune``),
   write a ``PRUNE`` file into each of its runs: the workers end them ``pruned``, with
   their metrics and weights;
2. a trial whose runs have all ended is told: ``complete`` with the mean final
   evaluation return over its seeds, ``pruned`` if its runs were pruned, ``failed``
   (the reason in the trial's ``error`` attribute) if any run failed, diverged, was
   interrupted or stopped;
3. while fewer than ``parallel`` trials are in flight and the study has fewer than
   ``spec.trials`` trials, ask for one, create its runs (one per seed) and hand them to
   the executor: the job queue (default) or a Ray cluster.

The driver keeps nothing that is not in the storage or the RunStore, so a driver that
is killed and started again picks the study up: trials still running (their workers
live on, in their own sessions) are watched again, runs created but never queued are
queued, a trial asked for but given no runs gets them now, and results are told once.
No trial is lost and none runs twice. (On Ray, the tasks of a driver that dies are
killed with it: their runs read ``interrupted`` and those trials are told ``failed``.)
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from rlcore.core.settings import get_settings
from rlcore.core.threads import cpu_cores
from rlcore.search.study import StudySpec, mean_or_nan, trial_configs
from rlcore.service import owners
from rlcore.service.jobs import JobQueue, Plan
from rlcore.service.runs import TERMINAL, RunStore
from rlcore.service.studies import (
    clear_stop,
    driver_lock,
    open_study,
    stop_requested,
    study_owner,
    study_runs,
)

__all__ = ["Executor", "LocalExecutor", "run_study"]


class Executor(Protocol):
    """Where a study's runs train: the job queue here, or a Ray cluster."""

    capacity: int  # runs that can train at once

    def submit(self, plan: Plan, extra: dict[str, Any]) -> list[str]:
        """Create the plan's runs (``extra`` in their config) and start them; their ids."""
        ...

    def resume(self, run_ids: Sequence[str]) -> None:
        """Start again runs created but never started (a driver died in between)."""
        ...

    def poll(self) -> None:
        """Advance: launch what may start, notice what ended."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """The job queue (its cap, its workers, its queue positions) trains the runs."""

    def __init__(
        self, store: RunStore, queue: JobQueue | None = None, owner: str | None = None
    ) -> None:
        self.queue = queue or JobQueue(store)
        self.capacity = self.queue.max_workers
        self.owner = owner or None  # the study's owner: its runs count as theirs

    def submit(self, plan: Plan, extra: dict[str, Any]) -> list[str]:
        return list(self.queue.submit(plan, extra, owner=self.owner).runs)

    def submit_population(self, plan: Plan, extras: list[dict[str, Any]]) -> list[str]:
        """The runs of several trials as one population (one worker trains them all)."""
        batch = self.queue.submit(plan, owner=self.owner, population=True, extras=extras)
        return list(batch.runs)

    def resume(self, run_ids: Sequence[str]) -> None:
        self.queue.enqueue(run_ids)

    def poll(self) -> None:
        self.queue.pump_once_idle()

    def close(self) -> None:
        pass


class _EvalTail:
    """The ``eval/return_mean`` rows of a growing ``metrics.jsonl``, read incrementally."""

    def __init__(self, store: RunStore, run_id: str) -> None:
        self.path = store.path(run_id) / "metrics.jsonl"
        self.offset = 0
        self.values: dict[int, float] = {}  # step -> evaluation return

    def read(self) -> dict[int, float]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return self.values
        end = chunk.rfind(b"\n") + 1  # a torn last line waits for the next read
        for line in chunk[:end].splitlines():
            if b"eval/return_mean" not in line:
                continue
            try:
                row = json.loads(line)
                v = row["eval/return_mean"]
                self.values[int(row["step"])] = float(v) if v is not None else math.nan
            except (ValueError, KeyError, TypeError):
                continue
        self.offset += end
        return self.values


@dataclass
class _InFlight:
    """A trial being trained: its Optuna trial object and its runs."""

    trial: Any
    runs: list[str]
    tails: list[_EvalTail]
    reported: set[int] = field(default_factory=set)
    pruned_at: int | None = None


POPULATION_TRIALS = 8  # trials asked at once and trained as one population


def _population_trials(spec: StudySpec, executor: Executor, parallel: int | None) -> int:
    """Trials to train as one population (0: the study trains trial by trial).

    A batch of trials becomes one population (``rlcore.train.population``) when the
    executor can place one (the job queue; Ray places trials run by run), the algorithm
    is on the engine and every searched field is one its members may differ in: asked
    together (Optuna's ask-and-tell), trained in one process, each run written as its
    own. ``parallel`` (or 8) trials at a time, at most the study's.
    """
    from rlcore.algos.registry import get_algo

    if not hasattr(executor, "submit_population") or spec.dataset:
        return 0
    cls = get_algo(spec.algo).agent_cls
    if not cls.population or not set(spec.space.names) <= set(cls.member_hparams):
        return 0
    n = min(parallel or POPULATION_TRIALS, spec.trials)
    return n if n * spec.seeds > 1 else 0


def _parallel(spec: StudySpec, executor: Executor, parallel: int | None) -> int:
    if parallel is not None:
        if parallel < 1:
            raise ValueError(f"parallel = {parallel}: must be at least 1 (allowed: >= 1)")
        return parallel
    threads = max(1, int(spec.run.get("threads") or 1))
    return max(1, math.ceil(executor.capacity / (spec.seeds * threads)))


class StudyDriver:
    """Drives one study to its number of trials (see the module docstring)."""

    def __init__(
        self,
        store: RunStore,
        name: str,
        executor: Executor,
        parallel: int | None = None,
        poll_s: float = 0.5,
        on_trial: Callable[[dict[str, Any]], None] | None = None,
        population: bool = True,
    ) -> None:
        self.store, self.name, self.executor = store, name, executor
        self.spec, self.study = open_study(store, name)
        self.together = _population_trials(self.spec, executor, parallel) if population else 0
        self.parallel = self.together or _parallel(self.spec, executor, parallel)
        self.poll_s = poll_s
        self.on_trial = on_trial
        self.flight: dict[int, _InFlight] = {}

    # -- starting trials ------------------------------------------------------------
    def _track(self, trial: Any, runs: list[str], reported: Sequence[int] = ()) -> None:
        tails = [_EvalTail(self.store, r) for r in runs]
        f = self.flight[trial.number] = _InFlight(trial, runs, tails, set(reported))
        if any(self.store.prune_reason(r) is not None for r in runs):  # a past driver pruned it
            f.pruned_at = max(f.reported, default=0)

    def _launch(self, trial: Any) -> None:
        """Create and start the runs of ``trial`` (or tell it failed if they cannot be)."""
        from optuna.trial import TrialState

        try:
            configs = trial_configs(self.spec, trial.params)
        except ValueError as e:  # the sampled values do not fit together
            trial.set_user_attr("error", str(e))
            self._tell(trial, TrialState.FAIL)
            return
        plan = Plan("trial", tuple(configs))
        extra = {"study": self.name, "trial": trial.number}
        try:
            runs = self.executor.submit(plan, extra)
        except (ValueError, OSError) as e:
            trial.set_user_attr("error", f"could not start its runs: {e}")
            self._tell(trial, TrialState.FAIL)
            return
        trial.set_user_attr("runs", runs)
        self._track(trial, runs)

    def _launch_population(self, trials: list[Any]) -> None:
        """Create and start the runs of ``trials`` as one population.

        A trial whose sampled values do not fit together is told failed; when what is
        left is not one setup (e.g. two trials sampled the same values), each trial
        starts on its own.
        """
        from optuna.trial import TrialState

        from rlcore.service.jobs import trains_together

        ok = []
        for trial in trials:
            try:
                ok.append((trial, trial_configs(self.spec, trial.params)))
            except ValueError as e:
                trial.set_user_attr("error", str(e))
                self._tell(trial, TrialState.FAIL)
        plan = Plan("trial", tuple(c for _, cs in ok for c in cs))
        if len(ok) >= 2:  # one process for all: the threads its runs would have had, to the cores
            threads = min(cpu_cores(), sum(r.threads for r, _ in plan.runs))
            plan = Plan("trial", tuple((replace(r, threads=threads), a) for r, a in plan.runs))
        if len(ok) < 2 or not trains_together(plan):
            for trial, _ in ok:
                self._launch(trial)
            return
        extras = [{"study": self.name, "trial": t.number} for t, cs in ok for _ in cs]
        try:
            runs = self.executor.submit_population(plan, extras)  # type: ignore[attr-defined]
        except (ValueError, OSError) as e:
            for trial, _ in ok:
                trial.set_user_attr("error", f"could not start its runs: {e}")
                self._tell(trial, TrialState.FAIL)
            return
        i = 0
        for trial, cs in ok:
            mine, i = runs[i : i + len(cs)], i + len(cs)
            trial.set_user_attr("runs", mine)
            self._track(trial, mine)

    def _ask_population(self) -> None:
        """Ask for the trials of one population (as many as fit) and start them."""
        n = min(self.together - len(self.flight), self.spec.trials - self._count())
        while n > 0 and not self._room(n):
            n -= 1
        if n > 0:
            dists = self.spec.space.distributions()
            self._launch_population([self.study.ask(dists) for _ in range(n)])

    def _reattach(self) -> None:
        """Pick up the trials a previous driver left running (see the module docstring)."""
        import optuna
        from optuna.trial import TrialState

        found = None
        for ft in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            trial = optuna.Trial(self.study, ft._trial_id)
            runs = list(ft.user_attrs.get("runs", []))
            if not runs:  # died between creating the runs and recording them, or before
                found = study_runs(self.store, self.name) if found is None else found
                runs = found.get(ft.number, [])
                if runs:
                    trial.set_user_attr("runs", runs)
            if not runs:
                if set(ft.params) >= set(self.spec.space.names):
                    self._launch(trial)  # asked for, never started: start it now
                else:
                    trial.set_user_attr("error", "the driver stopped before it was sampled")
                    self._tell(trial, TrialState.FAIL)
                continue
            self.executor.resume(runs)
            self._track(trial, runs, list(ft.intermediate_values))

    def _count(self) -> int:
        return len(self.study.get_trials(deepcopy=False))

    def _room(self, trials: int = 1) -> bool:
        """Whether ``trials``' runs fit their owner's runs-in-flight cap now (else: wait).

        A study's trials pass the same per-visitor gate as every run: a 20-trial x
        10-seed study of a hosted visitor keeps at most their cap of runs queued.
        """
        limit = get_settings().max_runs_per_session
        owner = study_owner(self.store, self.name)
        if not owner or not limit:
            return True
        return owners.in_flight(self.store, owner) + trials * self.spec.seeds <= limit

    # -- watching trials ------------------------------------------------------------
    def _report(self, f: _InFlight) -> None:
        """Report every evaluation step all seeds reached; prune when the pruner says so."""
        per_run = [t.read() for t in f.tails]
        if f.pruned_at is not None or not per_run:
            return
        common = set.intersection(*(set(v) for v in per_run)) - f.reported
        for step in sorted(common):
            value = mean_or_nan([v[step] for v in per_run])
            f.trial.report(value, step)
            f.reported.add(step)
            if step < self.spec.steps and f.trial.should_prune():
                f.pruned_at = step
                why = (
                    f"pruned by study {self.name} at step {step}: mean evaluation return "
                    f"{value:.4g} over {len(per_run)} seed(s), below the {self.spec.pruner} "
                    "pruner's threshold (metrics and weights kept)"
                )
                for rid in f.runs:
                    if self.store.status(rid).get("status") not in TERMINAL:
                        self.store.request_prune(rid, why)
                return

    def _finish(self, f: _InFlight) -> bool:
        """Tell Optuna the trial's result once all its runs have ended; whether it did."""
        from optuna.trial import TrialState

        states = []
        for rid in f.runs:
            st = self.store.status(rid) if self.store.path(rid).exists() else None
            if st is not None and st.get("status") not in TERMINAL:
                return False
            states.append((rid, st or {"status": "deleted", "message": "the run was deleted"}))
        self._report(f)  # the final evaluations
        f.trial.set_user_attr("steps", sum(int(st.get("step") or 0) for _, st in states))
        names = [st["status"] for _, st in states]
        if all(s == "finished" for s in names):
            value = mean_or_nan([st.get("eval_return") for _, st in states])
            if math.isfinite(value):
                self._tell(f.trial, TrialState.COMPLETE, value)
                return True
        elif all(s in ("finished", "pruned") for s in names):  # pruned, maybe by a past driver
            self._tell(f.trial, TrialState.PRUNED)
            return True
        bad = [(r, st) for r, st in states if st["status"] not in ("finished", "pruned")]
        why = "; ".join(f"{r}: {st['status']} {st.get('message') or ''}".strip() for r, st in bad)
        f.trial.set_user_attr("error", why[:2000] or "no final evaluation return")
        self._tell(f.trial, TrialState.FAIL)
        return True

    def _tell(self, trial: Any, state: Any, value: float | None = None) -> None:
        ft = self.study.tell(trial, value, state=state, skip_if_finished=True)
        if self.on_trial is not None:
            self.on_trial(
                {
                    "number": ft.number,
                    "state": state.name.lower(),
                    "value": ft.value,
                    "params": self.spec.space.values(ft.params),
                    "error": ft.user_attrs.get("error", ""),
                    "steps": ft.user_attrs.get("steps", 0),
                }
            )

    # -- the loop -------------------------------------------------------------------
    def run(self) -> str:
        """Drive the study until it has all its trials (or a stop); returns how it ended."""
        clear_stop(self.store, self.name)
        self._reattach()
        stopping = False
        while True:
            if not stopping and stop_requested(self.store, self.name):
                stopping = True
                for f in self.flight.values():
                    for rid in f.runs:
                        if self.store.status(rid).get("status") not in TERMINAL:
                            self.store.request_stop(rid)
            for number, f in list(self.flight.items()):
                self._report(f)
                if self._finish(f):
                    del self.flight[number]
            if self.together and not stopping and not self.flight:
                self._ask_population()  # the next population once the last has ended
            while not self.together and not stopping and len(self.flight) < self.parallel:
                if self._count() >= self.spec.trials:
                    break
                if not self._room():
                    break  # the owner's runs in flight are at their cap: wait, then ask
                self._launch(self.study.ask(self.spec.space.distributions()))
            if not self.flight and (stopping or self._count() >= self.spec.trials):
                break
            self.executor.poll()
            time.sleep(self.poll_s)
        clear_stop(self.store, self.name)
        return "stopped" if stopping else "finished"


def run_study(
    store: RunStore,
    name: str,
    executor: Executor | None = None,
    parallel: int | None = None,
    poll_s: float = 0.5,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
    ray_address: str | None = None,
    population: bool = True,
) -> str:
    """Drive study ``name`` to the end under its lock; returns ``finished`` or ``stopped``.

    ``executor`` defaults to the job queue, or to a Ray cluster when ``ray_address`` is
    given (``RLCORE_RAY_ADDRESS`` is read by the callers, not here). ``population``:
    trials over per-member hyperparameters train as populations (``False``: trial by trial).
    """
    with driver_lock(store, name):
        own = executor is None
        if executor is None:
            if ray_address:
                from rlcore.service.ray_backend import RayExecutor

                executor = RayExecutor(store, ray_address, owner=study_owner(store, name))
            else:
                executor = LocalExecutor(store, owner=study_owner(store, name))
        try:
            driver = StudyDriver(store, name, executor, parallel, poll_s, on_trial, population)
            return driver.run()
        finally:
            if own:
                executor.close()


def _on_sigterm(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt("SIGTERM")


def main(argv: list[str] | None = None) -> int:
    """``python -m rlcore.service.study_driver NAME [--ray ADDRESS]``: the app's driver."""
    p = argparse.ArgumentParser(prog="python -m rlcore.service.study_driver")
    p.add_argument("name")
    p.add_argument("--ray", default=None)
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    store = RunStore()

    def say(t: dict[str, Any]) -> None:
        value = "" if t["value"] is None else f" {t['value']:.4g}"
        print(f"trial {t['number']} {t['state']}{value} {t['params']} {t['error']}", flush=True)

    try:
        how = run_study(store, args.name, on_trial=say, ray_address=args.ray)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1
    print(f"study {args.name}: {how}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
