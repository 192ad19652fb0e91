"""The job queue: training workers behind one global cap, shared through files.

Every process that serves the app (and every browser session inside it) sees the same
queue, because the queue is a folder next to the runs, changed only under an ``flock``:

```
<runs>/.queue/lock                 flock'ed while the queue changes
<runs>/.queue/pending/<ns>-<id>    one ticket per waiting run; FIFO by name
<runs>/.queue/active/<id>.json     {"pid": ..., "started": ...} per launched worker
<runs>/.queue/batches/<batch>.json a submission: one run, N seeds, or a sweep
```

``JobQueue.submit`` creates the runs (status ``queued``), writes their tickets and calls
``pump``, which launches ``rlcore.service.worker.spawn_job`` for the oldest tickets while fewer
than ``max_workers`` workers are alive. A daemon thread keeps pumping while anything is
queued or running, so a queue drains even when no browser is watching. The slot of a
worker that dies is freed: ``RunStore.status`` reads its run as ``interrupted`` (or, for
a worker of this process that exits without any final status, it is marked ``failed``).

Several servers on one runs folder (replicas of a hosted demo) never train a run twice
nor lose one: a ticket is looked at only under the lock; the worker is launched and its
active ticket written before the pending one is removed, so a server killed at any point
leaves each run pending or active; a pending run that already has a worker is adopted,
not launched again; and the worker claims its run (``RunStore.claim``, an ``O_EXCL``
file), so even a second launch trains nothing. Ticket and batch names go through the
stores' doors (``RunStore.path``, :func:`batch_path`): a stray file is dropped, never
followed.

Shutdown. Workers run in their own session (``start_new_session``), so that a Streamlit
rerun or a Ctrl-C in the server's terminal never reaches them, and so neither does the
SIGTERM that ``docker stop`` sends to the server (PID 1). When a process launches its
first worker, :func:`stop_workers` is registered with ``atexit``: on the way out it sends
SIGTERM to every worker this process launched that still runs (each saves its weights
and ends its run as ``interrupted``), waits for them up to ``SHUTDOWN_GRACE_S`` seconds in
all, and launches nothing more. Why ``atexit`` rather than our own signal handler:
``signal.signal`` works only in the main thread, and in a Streamlit server that thread
belongs to Streamlit (page scripts run in other threads); Streamlit's own SIGTERM/SIGINT
handler stops the server and lets the interpreter exit normally, which runs ``atexit``
hooks (its script threads are daemons, so nothing holds the exit up). The same hook also
covers Ctrl-C, a test process that exits with workers left, and any other normal exit.
What ``atexit`` cannot cover is a server killed outright (SIGKILL, out of memory): when
the server is a container's PID 1 (as in our image) the kernel then kills the workers
with it, and their runs read as ``interrupted``, with their metrics, as for any killed
worker; elsewhere they train on to their end, still holding their queue slots.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import secrets
import signal
import subprocess
import threading
import time
import typing
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlcore.core.config import AlgoConfig, RunConfig, coerce, hparams
from rlcore.core.files import atomic_write_json
from rlcore.core.ids import check_name, inside
from rlcore.service import owners
from rlcore.service.runs import TERMINAL, RunStore
from rlcore.train.checks import check_run

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process only
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Batch",
    "JobQueue",
    "Plan",
    "batch_path",
    "default_max_workers",
    "load_batch",
    "parse_values",
    "run_extra",
    "seed_plan",
    "stop_workers",
    "sweep_plan",
    "trains_together",
]

QUEUE_DIR = ".queue"
BATCH_KINDS = ("single", "seeds", "sweep", "trial")  # trial: one study trial's seeds
MAX_BATCH_RUNS = 100  # a sweep of 10 values x 10 seeds; more is a typo, not a plan

SHUTDOWN_GRACE_S = 5.0  # how long an exiting server waits for its workers to save and end

# Worker processes this process launched: polled so that they never linger as zombies,
# and asked to stop when this process exits (``stop_workers``).
_CHILDREN: dict[str, Any] = {}
_DISPATCHERS: dict[Path, threading.Thread] = {}
_DISPATCH_LOCK = threading.Lock()
_LAUNCH_LOCK = threading.Lock()  # launching a worker vs. stop_workers: one at a time
_EXIT: dict[str, bool] = {"hooked": False, "stopping": False}


def stop_workers(grace: float = SHUTDOWN_GRACE_S) -> list[str]:
    """Ask every worker this process launched that still runs to stop; wait for them.

    Sends SIGTERM (the worker saves its weights and metrics, and its run ends
    ``interrupted``), then waits up to ``grace`` seconds in all. From then on this
    process launches no more workers: queued runs stay queued for the next server.
    Registered with ``atexit`` when the first worker is launched (see the module
    docstring for why); returns the run ids of the workers it signalled.
    """
    with _LAUNCH_LOCK:
        _EXIT["stopping"] = True
        alive = {
            rid: p
            for rid, p in list(_CHILDREN.items())
            if isinstance(p, subprocess.Popen) and p.poll() is None
        }
    for proc in alive.values():
        with contextlib.suppress(OSError):
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in alive.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.0, deadline - time.monotonic()))
    from rlcore.service.worker import stop_spare

    stop_spare()  # the idle worker started ahead for the next run
    return list(alive)


def default_max_workers() -> int:
    """This server's cap: ``RLCORE_MAX_WORKERS`` (see ``rlcore.core.settings``), else the cores."""
    from rlcore.core.settings import get_settings

    return get_settings().max_workers


# -- plans: what a submission trains -------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """The validated runs of one submission, before anything is written."""

    kind: str  # "single" | "seeds" | "sweep" | "trial"
    runs: tuple[tuple[RunConfig, AlgoConfig], ...]
    param: str | None = None  # the swept hyperparameter
    values: tuple = ()  # its values, in the order given

    def __len__(self) -> int:
        return len(self.runs)


def seed_plan(run: RunConfig, algo: AlgoConfig, n_seeds: int = 1) -> Plan:
    """``n_seeds`` copies of one setup with seeds ``run.seed, run.seed + 1, ...``."""
    if not 1 <= n_seeds <= MAX_BATCH_RUNS:
        raise ValueError(f"seeds = {n_seeds}: out of range (allowed: 1 to {MAX_BATCH_RUNS})")
    runs = tuple((dataclasses.replace(run, seed=run.seed + i), algo) for i in range(n_seeds))
    return Plan("single" if n_seeds == 1 else "seeds", runs)


def parse_values(cls: type, param: str, text: str) -> tuple:
    """``"1e-4, 3e-4"`` -> the typed, de-duplicated values of hyperparameter ``param``."""
    spec = {p.name: p for p in hparams(cls)}.get(param)
    if spec is None:
        raise ValueError(f"sweep parameter {param!r} is not a hyperparameter of {cls.__name__}")
    sep = ";" if typing.get_origin(spec.type) is tuple else ","
    items = [s for s in (x.strip() for x in text.split(sep)) if s]
    if not items:
        raise ValueError(f"{param}: give at least one value, separated by '{sep}'")
    values = []
    for s in items:
        v = coerce(spec, s)
        if v not in values:
            values.append(v)
    return tuple(values)


def sweep_plan(
    run: RunConfig, algo: AlgoConfig, param: str, values: Sequence, n_seeds: int = 1
) -> Plan:
    """One run per (value of ``param``) x (seed); every value validated first."""
    if not values:
        raise ValueError(f"{param}: give at least one value to sweep")
    configs = [dataclasses.replace(algo, **{param: v}) for v in values]  # validates each
    runs = tuple(
        (dataclasses.replace(run, seed=run.seed + i), c) for c in configs for i in range(n_seeds)
    )
    if len(runs) > MAX_BATCH_RUNS:
        raise ValueError(
            f"sweep of {len(values)} values x {n_seeds} seeds = {len(runs)} runs "
            f"(allowed: at most {MAX_BATCH_RUNS})"
        )
    return Plan("sweep", runs, param, tuple(values))


# -- batches: a submission, remembered -----------------------------------------------
@dataclass(frozen=True)
class Batch:
    """A submitted plan: its runs (ids, in plan order) and, for sweeps, the parameter."""

    id: str
    kind: str
    runs: tuple[str, ...]
    param: str | None = None
    values: tuple = ()
    created: float = 0.0
    owner: str = ""  # the visitor who submitted it (hosted); "" = the operator / local


def batch_path(store: RunStore, batch_id: str, field: str = "batch") -> Path:
    """The file of ``batch_id``: the one door every batch id goes through.

    Raises:
        ValueError: naming ``field``, when ``batch_id`` is not a plain name or its file
            would lie outside the batches folder.
    """
    check_name(batch_id, field, "a batch id")
    return inside(store.root / QUEUE_DIR / "batches", f"{batch_id}.json", field, "that batch")


def load_batch(store: RunStore, batch_id: str) -> Batch:
    """A stored batch; ``ValueError`` if there is none of that id."""
    p = batch_path(store, batch_id)
    try:
        d = json.loads(p.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        raise ValueError(f"batch = {batch_id!r}: no such batch in {store.root}") from None
    values = tuple(tuple(v) if isinstance(v, list) else v for v in d.get("values", ()))
    owner = d.get("owner") or ""
    return Batch(
        d["id"],
        d["kind"],
        tuple(d["runs"]),
        d.get("param"),
        values,
        d.get("created", 0.0),
        owner if isinstance(owner, str) else "",
    )


def run_extra(store: RunStore, run_id: str) -> dict[str, Any]:
    """What a run's ``config.json`` holds besides the configs: batch, sweep value."""
    try:
        cfg = json.loads((store.path(run_id) / "config.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError, ValueError):
        return {}
    return {k: v for k, v in cfg.items() if k not in ("run", "algo", "created", "spaces")}


# -- the queue -----------------------------------------------------------------------
def trains_together(plan: Plan) -> bool:
    """Whether a plan's runs train as one population, in one process.

    Seeds and sweeps of an algorithm on the population engine
    (``rlcore.train.population``) over a hyperparameter its members may differ in, on an
    environment or on one offline dataset: the CLI, the app and the course start such
    plans as populations; any other plan trains run by run.
    """
    if len(plan.runs) < 2:
        return False
    from rlcore.train.population import check_population

    try:
        check_population([r for r, _ in plan.runs], [a for _, a in plan.runs])
    except ValueError:
        return False
    return True


class JobQueue:
    """FIFO queue of runs with at most ``max_workers`` training at once (all processes).

    Args:
        store: the runs folder (default: ``$RLCORE_RUNS_DIR`` or ``runs/``).
        max_workers: the global cap (default :func:`default_max_workers`).
        launcher: starts a worker for a run id and returns its ``Popen`` (tests pass a
            fake); default ``rlcore.service.worker.spawn_job``.
        dispatch: keep a background thread pumping while work is pending.
    """

    def __init__(
        self,
        store: RunStore | None = None,
        max_workers: int | None = None,
        launcher: Callable[[str, RunStore], Any] | None = None,
        dispatch: bool = True,
    ) -> None:
        self.store = store or RunStore()
        self.max_workers = max_workers or default_max_workers()
        self.launcher = launcher
        self.dispatch = dispatch
        self.dir = self.store.root / QUEUE_DIR

    # -- files --------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        for sub in ("pending", "active", "batches"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "a") as fh:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    def _pending(self) -> list[Path]:
        d = self.dir / "pending"
        return sorted(d.iterdir()) if d.exists() else []

    def _active(self) -> list[Path]:
        d = self.dir / "active"
        return sorted(d.glob("*.json")) if d.exists() else []

    def _ticket_run(self, p: Path) -> str | None:
        """The run id a pending ticket names (``None`` for a file that is not a ticket)."""
        ns, sep, rid = p.name.partition("-")
        if not sep or not ns.isdigit():
            return None
        try:
            self.store.path(rid, "ticket")
        except ValueError:
            return None
        return rid

    # -- submitting ---------------------------------------------------------------
    def submit(
        self,
        plan: Plan,
        extra: dict[str, Any] | None = None,
        owner: str | None = None,
        population: bool = False,
        extras: Sequence[dict[str, Any]] | None = None,
    ) -> Batch:
        """Create the plan's runs, queue them in order, start what the cap allows.

        Every run is checked first (``check_run``: a sweep over ``hidden`` may cross the
        size limit at its last value), then the plan passes the one gate for new work
        (:func:`rlcore.service.owners.admit`: the ``owner``'s runs in flight, the disk
        budgets), so a refused plan leaves no run behind. ``extra`` goes into every
        run's ``config.json`` (a study trial's name and number), and so does ``owner``
        (the visitor's token on a hosted server; ``None``: the operator). The batch id
        carries 64 random bits: a link to it cannot be guessed.

        ``population``: the plan's runs train in one process (``rlcore.train.population``:
        seeds and sweeps of an algorithm on the engine; ``ValueError`` for a plan that is
        not one setup). Every run still passes the gate and is its own run; only the
        first is queued, and its worker trains them all (one slot of the cap).
        ``extras``: each run's own tags besides ``extra`` (a population of study trials:
        each run's trial number).
        """
        batch = self.create_batch(plan, extra, owner, population, extras)
        population = len(batch.runs) > 1 and bool(
            run_extra(self.store, batch.runs[0]).get("population")
        )
        with self._locked():
            for rid in batch.runs[:1] if population else batch.runs:  # a population: its leader
                (self.dir / "pending" / f"{time.time_ns():020d}-{rid}").write_text(rid)
        self.pump()
        return batch

    def create_batch(
        self,
        plan: Plan,
        extra: dict[str, Any] | None = None,
        owner: str | None = None,
        population: bool = False,
        extras: Sequence[dict[str, Any]] | None = None,
    ) -> Batch:
        """:meth:`submit` without queueing: the checked runs and their batch, written.

        For a caller that trains the batch itself (``rlcore train --seeds``: one process).
        """
        for run, algo in plan.runs:
            check_run(run, algo)
        if population and len(plan.runs) > 1:
            from rlcore.train.population import check_population

            check_population([r for r, _ in plan.runs], [a for _, a in plan.runs])
        else:
            population = False
        owners.admit(self.store, plan.runs, owner)
        batch_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(8)}"
        if extras is not None and len(extras) != len(plan.runs):
            raise ValueError(f"extras: {len(extras)} given for {len(plan.runs)} runs")
        ids = []
        for i, (run, algo) in enumerate(plan.runs):
            own = extras[i] if extras is not None else {}
            tags: dict[str, Any] = {**(extra or {}), **own, "batch": batch_id}
            if population:
                tags["population"] = batch_id
            if owner is not None:
                tags[owners.OWNER] = owner
            if plan.param is not None:
                v = getattr(algo, plan.param)
                tags["sweep"] = {"param": plan.param, "value": list(v) if type(v) is tuple else v}
            ids.append(self.store.create(run, algo, tags))
        batch = Batch(
            batch_id, plan.kind, tuple(ids), plan.param, plan.values, time.time(), owner or ""
        )
        with self._locked():
            atomic_write_json(
                batch_path(self.store, batch_id),
                {
                    "id": batch_id,
                    "kind": plan.kind,
                    "runs": ids,
                    "param": plan.param,
                    "values": [list(v) if type(v) is tuple else v for v in plan.values],
                    "created": batch.created,
                    "owner": batch.owner,
                },
            )
        return batch

    def enqueue(self, run_ids: Sequence[str]) -> list[str]:
        """Queue again runs that are ``queued`` but hold no ticket and no slot; returns them.

        What a restarted study driver calls for runs it created but could not queue
        before it died: a run already waiting or training is left alone, so none runs twice.
        """
        added = []
        with self._locked():
            waiting = {self._ticket_run(p) for p in self._pending()}
            active = {p.stem for p in self._active()}
            for rid in run_ids:
                if rid in waiting or rid in active:
                    continue
                if self.store.status(rid).get("status") != "queued":
                    continue
                if run_extra(self.store, rid).get("population") and not self._leads(rid):
                    continue  # a population's run: its leader's worker trains it
                (self.dir / "pending" / f"{time.time_ns():020d}-{rid}").write_text(rid)
                added.append(rid)
        if added:
            self.pump()
        return added

    # -- dispatching --------------------------------------------------------------
    def _launch(self, run_id: str) -> Any:
        if self.launcher is not None:
            return self.launcher(run_id, self.store)
        from rlcore.service.worker import spawn_job

        return spawn_job(run_id, self.store)

    def _still_running(self, ticket: Path) -> bool:
        """Whether the worker of an active ticket still holds its slot.

        ``RunStore.status`` already reads the run of a dead worker (one of any process) as
        ``interrupted``; a worker of this process that exited without any final status
        (it crashed before it could write one) is marked ``failed`` here.
        """
        rid = ticket.stem
        try:
            if not self.store.path(rid, "ticket").exists():
                return False
        except ValueError:  # not a ticket of ours
            return False
        active = self.store.status(rid).get("status") not in TERMINAL
        if not active and run_extra(self.store, rid).get("population"):
            from rlcore.service.worker import population_of

            # a population's worker holds its slot while any of its runs trains
            members = population_of(self.store, rid) or [rid]
            active = any(self.store.status(m).get("status") not in TERMINAL for m in members)
        child = _CHILDREN.get(rid)
        if active and child is not None and child.poll() is not None:
            self.store.set_status(
                rid,
                "failed",
                message="the worker process ended without a final status "
                "(see worker.log in the run folder)",
                finished=time.time(),
            )
            return False
        return active

    def pump(self) -> list[str]:
        """Free the slots of ended workers, launch queued runs up to the cap.

        Everything happens under the queue's lock, so among all the processes sharing the
        runs folder one pump at a time looks at the tickets and each is taken once. The
        order survives a server killed at any point: the worker is launched and its active
        ticket written before its pending ticket goes, so a run is always pending or
        active, never neither (lost); a pending run that already has a worker (its pump
        died before removing the ticket) is adopted, never launched twice. The worker's
        own claim (``RunStore.claim``) is the last guard.
        """
        launched = []
        with self._locked():
            self._reap()
            running = 0
            for ticket in self._active():
                if self._still_running(ticket):
                    running += 1
                else:
                    ticket.unlink(missing_ok=True)
                    child = _CHILDREN.pop(ticket.stem, None)
                    if child is not None:
                        child.poll()  # reap it (no zombie)
            for ticket in self._fair(self._pending()):
                if running >= self.max_workers or _EXIT["stopping"]:
                    break
                rid = self._ticket_run(ticket)
                state = self._waiting(rid)
                if state == "gone":  # deleted, cancelled or ended while it waited; or junk
                    ticket.unlink(missing_ok=True)
                    continue
                if state == "launched":  # a pump that died launched it: adopt, not relaunch
                    self._mark_active(rid, None)
                    ticket.unlink(missing_ok=True)
                    running += 1
                    continue
                with _LAUNCH_LOCK:
                    if _EXIT["stopping"]:  # began exiting meanwhile: leave the run queued
                        break
                    try:
                        proc = self._launch(rid)
                    except Exception as e:  # a launch failure fails one run, not the queue
                        ticket.unlink(missing_ok=True)
                        self.store.set_status(rid, "failed", message=f"could not start: {e}")
                        continue
                    _CHILDREN[rid] = proc
                    if not _EXIT["hooked"]:
                        atexit.register(stop_workers)
                        _EXIT["hooked"] = True
                self._mark_active(rid, proc.pid)
                ticket.unlink(missing_ok=True)
                launched.append(rid)
                running += 1
            busy = running > 0 or bool(self._pending())
        if busy and self.dispatch:
            self._ensure_dispatcher()
        return launched

    def _waiting(self, rid: str | None) -> str:
        """What a pending ticket's run needs: ``launch``, ``launched`` (adopt) or ``gone``."""
        if rid is None or not self.store.path(rid).exists():
            return "gone"
        status = self.store.status(rid).get("status")  # a dead spawned worker: interrupted
        if status == "running" or (
            status == "queued" and (self.store.path(rid) / "worker.json").exists()
        ):
            return "launched"
        if status == "queued" or self._queued_members(rid):
            return "launch"  # (a cancelled leader: its population's other runs still wait)
        return "gone"

    def _leads(self, rid: str) -> bool:
        from rlcore.service.worker import population_of

        return population_of(self.store, rid) is not None

    def _queued_members(self, rid: str) -> list[str]:
        """The other runs of the population ``rid`` leads that still wait to start."""
        if not run_extra(self.store, rid).get("population"):
            return []
        from rlcore.service.worker import population_of

        members = population_of(self.store, rid) or [rid]
        return [m for m in members[1:] if self.store.status(m).get("status") == "queued"]

    def _mark_active(self, rid: str, pid: int | None) -> None:
        p = self.dir / "active" / f"{rid}.json"
        if pid is None and p.exists():
            return
        atomic_write_json(p, {"pid": pid, "started": time.time()})

    def _reap(self) -> None:
        """Forget this process's exited workers whose ticket another process already freed."""
        for rid, proc in list(_CHILDREN.items()):
            if (
                not (self.dir / "active" / f"{rid}.json").exists()
                and (self.store.root / rid).exists()
                and proc.poll() is not None
            ):
                _CHILDREN.pop(rid, None)

    def _ensure_dispatcher(self, interval: float = 1.0) -> None:
        key = self.dir.resolve()
        with _DISPATCH_LOCK:
            th = _DISPATCHERS.get(key)
            if th is not None and th.is_alive():
                return

            def loop() -> None:
                while True:
                    time.sleep(interval)
                    try:
                        self.pump_once_idle()
                    except Exception:  # pragma: no cover - keep dispatching
                        continue
                    if not (self._pending() or self._active()):
                        return

            th = threading.Thread(target=loop, name=f"rlcore-jobs-{key.name}", daemon=True)
            _DISPATCHERS[key] = th
            th.start()

    def pump_once_idle(self) -> None:
        """One pump without re-arming the dispatcher (used by the dispatcher itself)."""
        dispatch, self.dispatch = self.dispatch, False
        try:
            self.pump()
        finally:
            self.dispatch = dispatch

    # -- reading ------------------------------------------------------------------
    def _fair(self, tickets: list[Path]) -> list[Path]:
        """Pending tickets in the order they start (:func:`rlcore.service.owners.fair_order`).

        A junk ticket (no run id) keeps its place at the front, to be dropped.
        """
        junk, by_run = [], {}
        for p in tickets:
            rid = self._ticket_run(p)
            if rid is None:
                junk.append(p)
            else:
                by_run[rid] = p
        waiting = [(r, owners.run_owner(self.store, r)) for r in by_run]
        running = Counter(owners.run_owner(self.store, p.stem) for p in self._active())
        return junk + [by_run[r] for r in owners.fair_order(waiting, running)]

    def waiting_and_active(self) -> list[str]:
        """Run ids waiting for a worker or holding one now."""
        waiting = [r for r in map(self._ticket_run, self._pending()) if r is not None]
        return waiting + [p.stem for p in self._active()]

    def positions(self) -> dict[str, int]:
        """Queue position (1 = next to start) of every waiting run, in the fair order."""
        runs = [r for r in map(self._ticket_run, self._fair(self._pending())) if r is not None]
        out = {r: i + 1 for i, r in enumerate(runs)}
        for r, pos in list(out.items()):  # a population's waiting runs start with its leader
            out.update((m, pos) for m in self._queued_members(r) if m not in out)
        return out

    def position(self, run_id: str) -> int | None:
        """Queue position of ``run_id`` (``None`` once it has started or ended)."""
        return self.positions().get(run_id)

    def active(self) -> list[str]:
        """Runs whose worker holds a slot now."""
        return [p.stem for p in self._active()]

    def summary(self) -> dict[str, int]:
        """``{"running": ..., "queued": ..., "max_workers": ...}`` for the sidebar."""
        return {
            "running": len(self._active()),
            "queued": len(self._pending()),
            "max_workers": self.max_workers,
        }

    # -- stopping -----------------------------------------------------------------
    def stop(self, run_id: str, who: str | None = None) -> None:
        """Cancel a queued run, or ask a running one to stop (it saves its weights).

        ``who``: the visitor asking (hosted: only the run's owner may; ``NotYours``
        otherwise); ``None`` is the operator.
        """
        self.store.path(run_id)  # ValueError naming the field for anything but a run id
        if who is not None:
            owners.check_control(owners.run_owner(self.store, run_id), who, f"run {run_id}")
        with self._locked():
            for ticket in self._pending():
                if self._ticket_run(ticket) == run_id:
                    if not self._queued_members(run_id):  # a population's other runs keep it
                        ticket.unlink(missing_ok=True)
                    self.store.set_status(
                        run_id, "stopped", message="cancelled before it started", step=0
                    )
                    return
        status = self.store.status(run_id).get("status")
        if status == "queued" and not (self.store.path(run_id) / "worker.json").exists():
            # a population's run waiting for its leader's worker: it never starts
            self.store.set_status(run_id, "stopped", message="cancelled before it started", step=0)
        elif status not in TERMINAL:
            self.store.request_stop(run_id)

    def delete(self, run_id: str, who: str | None = None) -> None:
        """Delete a run that is not training (``ValueError`` if its worker is alive).

        ``who`` as for :meth:`stop`: on a hosted server only the owner deletes.
        """
        self.store.path(run_id)  # ValueError naming the field for anything but a run id
        if who is not None:
            owners.check_control(owners.run_owner(self.store, run_id), who, f"run {run_id}")
        if run_id in self.active() and self.store.status(run_id).get("status") not in TERMINAL:
            raise ValueError(f"run {run_id} is still training: stop it first")
        with self._locked():
            for ticket in self._pending():
                if self._ticket_run(ticket) == run_id:
                    ticket.unlink(missing_ok=True)
        self.store.delete(run_id)
