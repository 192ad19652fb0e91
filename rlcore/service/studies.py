"""Studies next to their runs: create, open, list, show, stop and delete Optuna studies.

A study's trials train as ordinary runs (``RunStore``), tagged in their ``config.json``
with ``{"study": NAME, "trial": NUMBER}``; the study itself (its spec, sampled values,
intermediate values and results) lives in an Optuna storage, by default an SQLite file
in the runs folder. Beside it, per study::

    <runs>/.studies/studies.db          the default Optuna storage (all local studies)
    <runs>/.studies/<name>.json         {"name", "storage", "created", ...}: the study is
                                        listed with these runs (storage null = default)
    <runs>/.studies/<name>.lock         flock'ed by the driver running the study
    <runs>/.studies/<name>.driver.json  {"pid", "pid_start", "host"} of that driver
    <runs>/.studies/<name>.log          the driver's output, when the app started it
    <runs>/.studies/<name>.STOP         present = please stop the study

The driver that asks Optuna for trials and trains them is ``rlcore.service.study_driver``.
No Streamlit here.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlcore.core.config import short_repr
from rlcore.core.files import atomic_write_json
from rlcore.search.study import (
    STUDIES_DIR,
    StudySpec,
    default_storage_url,
    make_pruner,
    make_sampler,
    open_storage,
    validate_study_name,
)
from rlcore.service import owners
from rlcore.service.processes import process_alive, process_identity, spawn_module
from rlcore.service.runs import TERMINAL, RunStore

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no driver lock
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "StudyInfo",
    "create_study",
    "delete_study",
    "driver_alive",
    "driver_lock",
    "list_studies",
    "open_study",
    "owner_trials",
    "request_stop",
    "spawn_driver",
    "studies_dir",
    "study_owner",
    "study_runs",
    "trial_rows",
]

TRIAL_STATES = ("running", "complete", "pruned", "failed", "waiting")


def studies_dir(store: RunStore) -> Path:
    """``<runs>/.studies``."""
    return store.root / STUDIES_DIR


def _pointer(store: RunStore, name: str) -> Path:
    return studies_dir(store) / f"{validate_study_name(name)}.json"


def _read_pointer(store: RunStore, name: str) -> dict[str, Any]:
    try:
        d = json.loads(_pointer(store, name).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(
            f"study = {short_repr(name)}: no such study in {store.root} "
            "(see: python -m rlcore tune list)"
        ) from None
    return d if isinstance(d, dict) else {}


def storage_url(store: RunStore, pointer: dict[str, Any]) -> str:
    """The storage URL of a listed study (``None`` in its pointer: the default one)."""
    return pointer.get("storage") or default_storage_url(store.root)


def _study_exists(storage: Any, name: str) -> bool:
    import optuna

    return any(s.study_name == name for s in optuna.get_all_study_summaries(storage, False))


def create_study(
    store: RunStore, spec: StudySpec, storage: str | None = None, owner: str | None = None
) -> str:
    """Create the study of ``spec`` in ``storage`` (default: the runs folder's SQLite).

    Everything is checked before anything is written: the storage is opened, and a name
    already used (in the storage or in this runs folder) is refused. If writing the
    pointer fails, the Optuna study is deleted again: nothing is left half-made.
    ``owner`` (a visitor on a hosted server) is recorded: only they may stop, resume or
    delete it, and its trials count against their budget (:func:`owner_trials`).

    Returns:
        The storage URL the study lives in.
    """
    import optuna

    validate_study_name(spec.name)
    if owner is not None:
        _check_budget(store, spec, owner)
    if _pointer(store, spec.name).exists():
        raise ValueError(f"study = {spec.name!r}: a study of that name exists in {store.root}")
    if storage is None:
        url = default_storage_url(store.root)
        studies_dir(store).mkdir(parents=True, exist_ok=True)
    else:
        url = storage
    opened = open_storage(url)
    if _study_exists(opened, spec.name):
        raise ValueError(f"study = {spec.name!r}: the storage already holds a study of that name")
    study = optuna.create_study(storage=opened, study_name=spec.name, direction="maximize")
    try:
        study.set_user_attr("spec", spec.to_json())
        pointer = {
            "name": spec.name,
            "storage": storage,
            "created": spec.created,
            "algo": spec.algo,
            "env": spec.env,
            "dataset": spec.dataset,
            "trials": spec.trials,
            "seeds": spec.seeds,
            "params": spec.space.names,
            "owner": owner or "",
        }
        atomic_write_json(_pointer(store, spec.name), pointer)
    except BaseException:
        with contextlib.suppress(Exception):
            optuna.delete_study(study_name=spec.name, storage=opened)
        raise
    return url


def open_study(store: RunStore, name: str) -> tuple[StudySpec, Any]:
    """The spec and the Optuna study (with the spec's sampler and pruner) of a listed study."""
    import optuna
    from optuna.trial import TrialState

    pointer = _read_pointer(store, name)
    storage = open_storage(storage_url(store, pointer))
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        raise ValueError(
            f"study = {name!r}: not in its storage {storage_url(store, pointer)}"
        ) from None
    spec = StudySpec.from_json(study.user_attrs["spec"])
    done = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))
    study.sampler = make_sampler(spec, done)
    study.pruner = make_pruner(spec)
    return spec, study


@dataclass
class StudyInfo:
    """A study as listed: its spec's main facts and how far it got."""

    name: str
    algo: str
    env: str
    dataset: str
    params: list[str]
    trials: int  # asked for
    counts: dict[str, int]  # trial state -> how many
    best_value: float | None
    best_params: dict[str, Any]
    created: float
    running: bool  # a driver holds it now
    storage: str | None  # None: the runs folder's SQLite
    error: str = ""  # the storage could not be read

    @property
    def done(self) -> int:
        return sum(self.counts.get(s, 0) for s in ("complete", "pruned", "failed"))


_STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed"}


def _state(t: Any) -> str:
    """An Optuna trial's state as the tables say it: running, complete, pruned, failed."""
    return _STATES.get(t.state.name, t.state.name.lower())


def study_info(store: RunStore, name: str) -> StudyInfo:
    """One study's summary (an unreadable storage gives ``error`` and no counts)."""
    pointer = _read_pointer(store, name)
    info = StudyInfo(
        name=name,
        algo=pointer.get("algo", ""),
        env=pointer.get("env", ""),
        dataset=pointer.get("dataset", ""),
        params=list(pointer.get("params", [])),
        trials=int(pointer.get("trials", 0)),
        counts={},
        best_value=None,
        best_params={},
        created=float(pointer.get("created", 0.0)),
        running=driver_alive(store, name),
        storage=pointer.get("storage"),
    )
    try:
        spec, study = open_study(store, name)
    except (ValueError, KeyError, OSError) as e:
        info.error = str(e)
        return info
    for t in study.get_trials(deepcopy=False):
        info.counts[_state(t)] = info.counts.get(_state(t), 0) + 1
    if info.counts.get("complete"):
        best = study.best_trial
        info.best_value = best.value
        info.best_params = spec.space.values(best.params)
    return info


def list_studies(store: RunStore) -> list[StudyInfo]:
    """Every study listed in this runs folder, newest first."""
    d = studies_dir(store)
    if not d.is_dir():
        return []
    names = [p.stem for p in d.glob("*.json") if not p.name.endswith(".driver.json")]
    out = []
    for name in names:
        try:
            out.append(study_info(store, name))
        except ValueError:
            continue  # not a study pointer
    return sorted(out, key=lambda i: i.created, reverse=True)


# -- the runs of a study -------------------------------------------------------------
def study_runs(store: RunStore, name: str) -> dict[int, list[str]]:
    """Trial number -> the ids of its runs, found in the RunStore (seed order)."""
    out: dict[int, list[tuple[int, str]]] = {}
    for rid in store.ids():
        try:
            cfg = json.loads((store.path(rid) / "config.json").read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            continue
        if cfg.get("study") == name and isinstance(cfg.get("trial"), int):
            seed = cfg.get("run", {}).get("seed", 0)
            out.setdefault(cfg["trial"], []).append((seed, rid))
    return {n: [rid for _, rid in sorted(v)] for n, v in out.items()}


def trial_rows(store: RunStore, name: str) -> tuple[StudySpec, list[dict[str, Any]]]:
    """The spec and one row per trial: number, state, value, params, runs and their states.

    ``state`` is Optuna's (running, complete, pruned, failed, waiting); ``runs`` and
    ``run_status`` come from the RunStore; ``steps`` is the environment (offline:
    gradient) steps its runs trained in all; ``step`` the last evaluation reported.
    """
    spec, study = open_study(store, name)
    rows = []
    for t in study.get_trials(deepcopy=False):
        runs = list(t.user_attrs.get("runs", []))
        statuses = []
        steps = 0
        for rid in runs:
            try:
                st = store.status(rid) if store.path(rid).exists() else {"status": "deleted"}
            except ValueError:
                st = {"status": "deleted"}
            statuses.append(st.get("status", "unknown"))
            steps += int(st.get("step") or 0)
        value = t.value if t.value is not None and math.isfinite(t.value) else None
        last = max(t.intermediate_values) if t.intermediate_values else None
        rows.append(
            {
                "number": t.number,
                "state": _state(t),
                "value": value,
                "params": spec.space.values(t.params),
                "runs": runs,
                "run_status": statuses,
                "steps": steps,
                "step": last,
                "last_value": t.intermediate_values.get(last) if last is not None else None,
                "error": t.user_attrs.get("error", ""),
                "started": t.datetime_start.timestamp() if t.datetime_start else None,
                "ended": t.datetime_complete.timestamp() if t.datetime_complete else None,
            }
        )
    return spec, rows


# -- the driver: one per study ---------------------------------------------------------
@contextlib.contextmanager
def driver_lock(store: RunStore, name: str) -> Iterator[None]:
    """Hold the study's lock while driving it; ``ValueError`` if another driver holds it."""
    d = studies_dir(store)
    d.mkdir(parents=True, exist_ok=True)
    with open(d / f"{validate_study_name(name)}.lock", "a") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ValueError(
                    f"study = {name!r}: another process is running it now "
                    f"(pid {_driver_pid(store, name)}); stop it first"
                ) from None
        atomic_write_json(d / f"{name}.driver.json", process_identity())
        try:
            yield
        finally:
            (d / f"{name}.driver.json").unlink(missing_ok=True)
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _driver_pid(store: RunStore, name: str) -> int | None:
    return (_driver_identity(store, name) or {}).get("pid")


def _driver_identity(store: RunStore, name: str) -> dict[str, Any] | None:
    try:
        ident = json.loads((studies_dir(store) / f"{name}.driver.json").read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return ident if isinstance(ident, dict) else None


def driver_alive(store: RunStore, name: str) -> bool:
    """Whether a driver runs the study now: its lock is held, or it is starting.

    A driver spawned by :func:`spawn_driver` takes the lock only once Python and Optuna
    are imported (seconds); until then its recorded identity says it is on its way.
    """
    lock = studies_dir(store) / f"{name}.lock"
    if lock.exists() and fcntl is not None:
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    ident = _driver_identity(store, name)
    return ident is not None and bool(process_alive(ident))


def _check_budget(store: RunStore, spec: StudySpec, owner: str) -> None:
    """A visitor's study within the caps, or ``OverBudget``.

    Its seeds per trial fit their runs in flight, its trials what their budget has left.
    """
    from rlcore.core.settings import get_settings

    s = get_settings()
    if s.max_runs_per_session and spec.seeds > s.max_runs_per_session:
        raise owners.OverBudget(
            f"seeds = {spec.seeds}: too many for one trial here (allowed: 1 to "
            f"{s.max_runs_per_session}, the runs one visitor may have in flight)"
        )
    used = owner_trials(store, owner)
    if s.max_session_trials and used + spec.trials > s.max_session_trials:
        raise owners.OverBudget(
            f"trials = {spec.trials}: you have started {used} of the "
            f"{s.max_session_trials} trials one visitor may run on this server "
            f"(allowed now: at most {max(s.max_session_trials - used, 0)})"
        )


def study_owner(store: RunStore, name: str) -> str:
    """The visitor who created a listed study (``""``: the operator, or the local user)."""
    owner = _read_pointer(store, name).get("owner") or ""
    return owner if isinstance(owner, str) else ""


def owner_trials(store: RunStore, owner: str) -> int:
    """Trials of every study ``owner`` created (what their trial budget has spent)."""
    used = 0
    for p in studies_dir(store).glob("*.json") if studies_dir(store).exists() else ():
        if p.name.endswith(".driver.json"):
            continue
        try:
            d = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(d, dict) and d.get("owner") == owner:
            used += int(d.get("trials") or 0)
    return used


def _control(store: RunStore, name: str, who: str | None) -> None:
    if who is not None:
        owners.check_control(study_owner(store, name), who, f"study {name}")


def request_stop(store: RunStore, name: str, who: str | None = None) -> None:
    """Ask the study's driver to stop: no new trials; running ones are stopped (failed).

    ``who``: the visitor asking (hosted: only the owner may); ``None``: the operator.
    """
    _read_pointer(store, name)
    _control(store, name, who)
    (studies_dir(store) / f"{name}.STOP").touch()


def stop_requested(store: RunStore, name: str) -> bool:
    return (studies_dir(store) / f"{name}.STOP").exists()


def clear_stop(store: RunStore, name: str) -> None:
    (studies_dir(store) / f"{name}.STOP").unlink(missing_ok=True)


def spawn_driver(
    store: RunStore, name: str, ray_address: str | None = None, who: str | None = None
) -> Any:
    """Drive the study in its own process (the app's path); returns the ``Popen``.

    ``python -m rlcore.service.study_driver NAME [--ray ADDRESS]``, output appended to
    ``<runs>/.studies/<name>.log``. The driver queues the trials' runs on the global job
    queue (or Ray) in the study owner's name, so the worker cap and the owner's runs in
    flight hold for studies as for any run. ``who`` as for :func:`request_stop`.
    """
    _read_pointer(store, name)
    _control(store, name, who)
    if driver_alive(store, name):
        raise ValueError(f"study = {name!r}: it is running already")
    clear_stop(store, name)
    env = dict(os.environ, RLCORE_RUNS_DIR=str(store.root.resolve()), PYTHONUNBUFFERED="1")
    args = [name] + (["--ray", ray_address] if ray_address else [])
    log = studies_dir(store) / f"{name}.log"
    proc = spawn_module("rlcore.service.study_driver", args, log, env)
    # the driver's identity at once, so the study reads as running while it starts
    atomic_write_json(studies_dir(store) / f"{name}.driver.json", process_identity(proc.pid))
    return proc


def log_tail(store: RunStore, name: str, lines: int = 20) -> str:
    """The end of the driver's log of a study the app started."""
    p = studies_dir(store) / f"{validate_study_name(name)}.log"
    try:
        text = p.read_bytes()[-8192:].decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.replace("\r", "\n").splitlines()[-lines:])


def delete_study(store: RunStore, name: str, who: str | None = None) -> None:
    """Delete a study that no driver runs (its runs stay, as ordinary runs).

    ``who`` as for :func:`request_stop`.
    """
    import optuna

    pointer = _read_pointer(store, name)
    _control(store, name, who)
    if driver_alive(store, name):
        raise ValueError(f"study = {name!r}: it is running; stop it first")
    with contextlib.suppress(KeyError):
        optuna.delete_study(study_name=name, storage=open_storage(storage_url(store, pointer)))
    for suffix in (".json", ".lock", ".driver.json", ".log", ".STOP"):
        (studies_dir(store) / f"{name}{suffix}").unlink(missing_ok=True)


def run_is_done(store: RunStore, run_id: str) -> bool:
    """Whether a run has ended (a deleted run counts as ended)."""
    if not store.path(run_id).exists():
        return True
    return store.status(run_id).get("status") in TERMINAL
