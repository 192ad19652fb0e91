"""RunStore: every run is a folder ``runs/<id>/`` of plain files, written atomically.

```
config.json        {"run": RunConfig, "algo": AlgoConfig, "created": ...}   (atomic)
status.json        {"status": queued|running|finished|stopped|pruned|failed|diverged|
                    interrupted,
                    "pid", "pid_start", "host", "message", ...}                (atomic)
metrics.jsonl      one JSON object per line, appended and flushed as training goes
model.safetensors  the agent's weights (atomic; never a pickle)
worker.json        {"pid", "pid_start", "host"} of the process spawned for the run
claim              created (O_EXCL) by the one process that trains the run
heartbeat          touched every few seconds by the training process
STOP               present = please stop (the worker checks it)
PRUNE              present = a study's pruner stopped this trial; holds why (the worker
                   ends the run ``pruned``: metrics and weights kept, not a failure)
```

Metrics are JSON lines rather than CSV because rows carry different keys (episode rows,
training rows, evaluation rows); ``metrics()`` returns one wide DataFrame and the app
offers CSV download. A crash can leave a half line at the end: readers skip it.

A worker killed without a chance to write its final status (SIGKILL, out of memory, a
power cut) would leave its run "running" forever. So reading a status reconciles it:
a ``running`` run, or a ``queued`` one whose worker was spawned, whose process is gone
(pid absent, a zombie, or a pid reused by another process: its start time differs) is
marked ``interrupted``; its metrics and last saved weights stay loadable. A run of
another host (a shared runs folder) is judged by its heartbeat instead.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rlcore.core.config import AlgoConfig, RunConfig, from_dict, to_dict
from rlcore.core.files import StorageError, atomic_write_bytes, atomic_write_json, storage_error
from rlcore.core.ids import check_name, inside
from rlcore.service.processes import process_alive, process_identity
from rlcore.train.checks import check_run
from rlcore.train.export import saved_run_config

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TERMINAL",
    "RunClaimed",
    "RunRecord",
    "RunStore",
    "StorageError",
    "default_runs_dir",
    "load_checkpoint_upload",
    "prune_runs",
]

TERMINAL = ("finished", "stopped", "pruned", "failed", "diverged", "interrupted")
ACTIVE = ("queued", "running")
HEARTBEAT_S = 5.0  # how often a training process touches its heartbeat file
HEARTBEAT_STALE_S = 120.0  # a run of another host with an older heartbeat is dead


def _storage_error(action: str, where: Path, e: OSError) -> StorageError:
    return storage_error(action, where, e, "RLCORE_RUNS_DIR or --runs-dir")


def default_runs_dir() -> Path:
    """``$RLCORE_RUNS_DIR`` or ``./runs``."""
    return Path(os.environ.get("RLCORE_RUNS_DIR", "runs"))


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


@dataclass
class RunRecord:
    """A run as listed: its configs and status."""

    id: str
    path: Path
    run: RunConfig
    algo: AlgoConfig
    status: dict[str, Any]


CHECKPOINTS = "checkpoints"  # a run's folder of weights along the way (step-<step>.safetensors)
BEST = "best.safetensors"  # in CHECKPOINTS: the best-evaluated weights of the run


class RunClaimed(ValueError):
    """The run was already taken by a worker: a second one must leave it alone."""


class RunStore:
    """Create, append to, list and load runs under one folder.

    Writing methods raise :class:`StorageError` (an ``OSError`` with a message saying
    what to do) when the folder cannot be written.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_runs_dir()

    def path(self, run_id: str, field: str = "run") -> Path:
        """The folder of ``run_id``: the one door every run id goes through.

        Raises:
            ValueError: naming ``field``, when ``run_id`` is not a plain name (a path,
                ``..``, a separator, NUL, too long) or leads outside the runs folder.
        """
        check_name(run_id, field, "a run id", "list them with python -m rlcore list")
        return inside(self.root, run_id, field, "that run")

    # -- writing --------------------------------------------------------------------
    def create(self, run: RunConfig, algo: AlgoConfig, extra: dict | None = None) -> str:
        """New run folder with its config and status ``queued``; returns the id.

        Refuses (``ValueError``) a run above this server's limits, whose settings do
        not fit together (:func:`rlcore.train.checks.check_run`) or whose dataset is not
        a listed local one; then, if ``RLCORE_MAX_STORED_RUNS`` is set, prunes the oldest
        finished runs.
        """
        from rlcore.core.settings import get_settings

        check_run(run, algo)
        from rlcore.core.envs import space_info
        from rlcore.service import owners

        owner = (extra or {}).get(owners.OWNER)
        if run.dataset:  # a run trains on a listed dataset (hosted: one it may see)
            from rlcore.data.datasets import local_dataset, visible_to

            local_dataset(run.dataset, "RunConfig.dataset")
            if not visible_to(run.dataset, owner):
                raise ValueError(
                    f"RunConfig.dataset = {run.dataset!r}: no such local dataset "
                    "(allowed: the datasets the Datasets page lists)"
                )
        keep = get_settings().max_stored_runs
        if keep > 0 and owners.hosted():  # room first: a visitor never pushes out a fresh run
            prune_runs(self, keep - 1, owner or "")
            if len(self.ids()) >= keep:
                raise owners.OverBudget(
                    f"runs: this server keeps at most {keep} runs and all of them are "
                    "in flight or just finished; try again later"
                )
        spaces = space_info(run.env)  # before the folder: a failure leaves nothing behind
        stamp = time.strftime("%Y%m%d-%H%M%S")
        # an env id may hold ':' or '/' (module:Class, namespace/Name-v0): not in a name
        env = re.sub(r"[^A-Za-z0-9_.-]+", "-", run.env).strip("-.")[:60]
        run_id = f"{stamp}-{run.algo}-{env}-s{run.seed}-{secrets.token_hex(3)}"
        p = self.path(run_id)
        try:
            p.mkdir(parents=True, exist_ok=False)
            cfg = {"run": to_dict(run), "algo": to_dict(algo), "created": time.time()}
            cfg["spaces"] = spaces  # export and load need no environment
            cfg.update(extra or {})
            atomic_write_json(p / "config.json", cfg)
            self.set_status(run_id, "queued")
        except OSError as e:
            if p.exists():
                import shutil

                shutil.rmtree(p, ignore_errors=True)  # no half-made run is left behind
            if isinstance(e, StorageError):
                raise
            raise _storage_error("create a run", self.root, e) from e
        if keep > 0 and not owners.hosted():
            prune_runs(self, keep)
        return run_id

    def set_status(self, run_id: str, status: str, **fields: Any) -> None:
        """Replace ``status.json`` atomically (keeps earlier fields not overridden)."""
        p = self.path(run_id) / "status.json"
        old = self._read_status(run_id) if p.exists() else {}
        old.update({k: _clean(v) for k, v in fields.items()})
        old.update(status=status, updated=time.time())
        try:
            atomic_write_json(p, old)
        except OSError as e:
            raise _storage_error("write the status of a run", p.parent, e) from e

    def claim(self, run_id: str) -> None:
        """Make this process the only one that ever trains ``run_id``.

        Creates ``claim`` in the run folder with ``O_EXCL``, atomic on any POSIX file system
        (NFS included), so a second worker launched for the same run (two servers racing
        over one runs folder, a queue recovering from a crash) gets :class:`RunClaimed`
        and leaves the run alone.
        """
        p = self.path(run_id) / "claim"
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise RunClaimed(
                f"run = {run_id!r}: already taken by another worker (a run trains once)"
            ) from None
        except OSError as e:
            raise _storage_error("claim a run", p.parent, e) from e
        with os.fdopen(fd, "w") as f:
            json.dump(process_identity(), f)

    def mark_started(self, run_id: str) -> None:
        """Record that this process now trains the run (status ``running``, its identity)."""
        self.set_status(run_id, "running", started=time.time(), step=0, **process_identity())
        self.beat(run_id)

    def beat(self, run_id: str) -> None:
        """Touch the run's heartbeat (how another host tells that its worker lives)."""
        try:
            (self.path(run_id) / "heartbeat").touch()
        except OSError:
            pass  # a missed beat is harmless; a full disk shows up elsewhere

    def open_metrics(self, run_id: str):
        """Append handle on ``metrics.jsonl`` (line-buffered)."""
        return open(self.path(run_id) / "metrics.jsonl", "a", buffering=1, encoding="utf-8")

    @staticmethod
    def write_metrics(handle, metrics: dict[str, Any]) -> None:
        handle.write(json.dumps({k: _clean(v) for k, v in metrics.items()}) + "\n")

    def request_stop(self, run_id: str) -> None:
        """Ask the run's worker to stop (``ValueError`` for a run that does not exist)."""
        self._existing(run_id)
        (self.path(run_id) / "STOP").touch()

    def _existing(self, run_id: str) -> Path:
        p = self.path(run_id)
        if not (p / "config.json").is_file():
            raise ValueError(
                f"run = {run_id!r}: no such run in {self.root} "
                "(allowed: the runs python -m rlcore list shows)"
            )
        return p

    def stop_requested(self, run_id: str) -> bool:
        return (self.path(run_id) / "STOP").exists()

    def request_prune(self, run_id: str, reason: str) -> None:
        """Ask the run to end as ``pruned`` (a study's pruner decided; ``reason`` says why)."""
        atomic_write_bytes(self.path(run_id) / "PRUNE", reason.encode())

    def prune_reason(self, run_id: str) -> str | None:
        """Why the run was asked to end as ``pruned`` (``None``: it was not)."""
        try:
            return (self.path(run_id) / "PRUNE").read_text(errors="replace")
        except OSError:
            return None

    def save_model(self, run_id: str, state_dict: dict) -> None:
        """Weights as safetensors, atomically (a crash never leaves half a file).

        The file's metadata holds the run's configuration and the rlcore version, so the
        checkpoint alone rebuilds its agent (``rlcore.train.export.load_checkpoint``).
        """
        from rlcore.train.export import checkpoint_bytes, checkpoint_metadata

        p = self.path(run_id)
        try:
            cfg = json.loads((p / "config.json").read_text())
            meta = checkpoint_metadata(cfg["run"], cfg["algo"], cfg.get("spaces"))
        except (OSError, ValueError, KeyError, TypeError):
            meta = None  # a damaged config: the weights are still worth keeping
        atomic_write_bytes(p / "model.safetensors", checkpoint_bytes(state_dict, meta))

    def save_checkpoint(self, run_id: str, step: int, state_dict: dict) -> None:
        """Weights at ``step`` (``checkpoints/step-<step>.safetensors``), atomically."""
        from rlcore.train.export import checkpoint_bytes

        d = self.path(run_id) / CHECKPOINTS
        d.mkdir(exist_ok=True)
        atomic_write_bytes(d / f"step-{step:010d}.safetensors", checkpoint_bytes(state_dict, None))

    def save_best(self, run_id: str, step: int, value: float, state_dict: dict) -> None:
        """The best-evaluated weights so far (``checkpoints/best.safetensors``), atomically."""
        from rlcore.train.export import checkpoint_bytes

        d = self.path(run_id) / CHECKPOINTS
        d.mkdir(exist_ok=True)
        meta = {"step": str(int(step)), "eval_return": repr(float(value))}
        atomic_write_bytes(d / BEST, checkpoint_bytes(state_dict, meta))

    def best(self, run_id: str) -> tuple[int, float] | None:
        """``(step, evaluation return)`` of the run's best checkpoint (``None``: none kept)."""
        from safetensors import safe_open

        try:
            with safe_open(str(self.path(run_id) / CHECKPOINTS / BEST), "pt") as f:
                meta = f.metadata() or {}
            return int(meta["step"]), float(meta["eval_return"])
        except Exception:  # missing, damaged or foreign: no best checkpoint to offer
            return None

    def checkpoint_steps(self, run_id: str) -> list[int]:
        """The steps a run saved its weights at along the way, in order."""
        d = self.path(run_id) / CHECKPOINTS
        steps = []
        for p in d.glob("step-*.safetensors") if d.exists() else ():
            try:
                steps.append(int(p.stem.removeprefix("step-")))
            except ValueError:
                continue
        return sorted(steps)

    def delete(self, run_id: str) -> None:
        """Delete a listed run's folder (``ValueError`` for anything else)."""
        import shutil

        shutil.rmtree(self._existing(run_id))

    # -- reading --------------------------------------------------------------------
    def ids(self) -> list[str]:
        """Every run in the folder, newest first (what the door lets through, nothing else)."""
        if not self.root.exists():
            return []
        out = []
        for p in self.root.iterdir():
            try:
                if (self.path(p.name) / "config.json").exists():
                    out.append(p.name)
            except ValueError:
                continue  # hidden (.queue), foreign, or a symlink out of the folder
        return sorted(out, reverse=True)

    def _read_status(self, run_id: str) -> dict[str, Any]:
        try:
            st = json.loads((self.path(run_id) / "status.json").read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            return {"status": "unknown"}
        return st if isinstance(st, dict) else {"status": "unknown"}

    def status(self, run_id: str) -> dict[str, Any]:
        """The run's ``status.json``, reconciled: a dead worker's run reads ``interrupted``."""
        st = self._read_status(run_id)
        if st.get("status") in ACTIVE and self._worker_dead(run_id, st):
            st = self._mark_interrupted(run_id)
        return st

    def _worker(self, run_id: str, st: dict[str, Any]) -> dict[str, Any] | None:
        """Identity of the process responsible for an active run (``None``: not started)."""
        if st.get("status") == "running" and st.get("pid") is not None:
            return st
        try:  # queued, but a worker was spawned for it
            w = json.loads((self.path(run_id) / "worker.json").read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            return None
        return w if isinstance(w, dict) else None

    def _worker_dead(self, run_id: str, st: dict[str, Any]) -> bool:
        ident = self._worker(run_id, st)
        if ident is None:
            return False  # waiting in a queue: nobody should be training it yet
        alive = process_alive(ident)
        if alive is not None:
            return not alive
        try:  # another host: trust its heartbeat
            last = (self.path(run_id) / "heartbeat").stat().st_mtime
        except OSError:
            last = float(st.get("updated") or time.time())
        return time.time() - last > HEARTBEAT_STALE_S

    def _mark_interrupted(self, run_id: str) -> dict[str, Any]:
        """Mark a run whose worker died ``interrupted`` (re-read first: it may just have ended)."""
        st = self._read_status(run_id)
        if st.get("status") not in ACTIVE:
            return st  # the worker wrote its final status before it went
        ident = self._worker(run_id, st) or {}
        fields = {
            "message": f"the worker process (pid {ident.get('pid')}) ended without a final "
            "status: killed or crashed. Metrics and weights saved so far are kept.",
            "finished": time.time(),
        }
        try:
            self.set_status(run_id, "interrupted", **fields)
        except OSError:
            pass  # a read-only folder: report it interrupted all the same
        st.update(fields, status="interrupted")
        return st

    def threads_in_use(self, exclude: str | None = None) -> int:
        """CPU threads held by the runs training now (their workers alive), but ``exclude``.

        A run that has not yet recorded its choice counts as one thread. The runs of one
        process (a population's members) hold its threads once.
        """
        total = 0
        processes: set[int] = set()
        for run_id in self.ids():
            if run_id == exclude:
                continue
            st = self.status(run_id)  # reconciled: a dead worker's run is not running
            if st.get("status") != "running":
                continue
            pid = st.get("pid")
            if isinstance(pid, int) and not isinstance(pid, bool):
                if pid in processes:
                    continue  # another member of the same population: the same threads
                processes.add(pid)
            n = st.get("threads")
            total += n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1
        return total

    def load(self, run_id: str) -> RunRecord:
        """Configs and status of a run (``ValueError`` if it does not exist)."""
        from rlcore.algos.registry import get_algo

        p = self._existing(run_id)
        cfg = json.loads((p / "config.json").read_text())
        run = saved_run_config(cfg["run"])
        algo = from_dict(get_algo(run.algo).config_cls, cfg["algo"])
        return RunRecord(run_id, p, run, algo, self.status(run_id))

    def list(self) -> list[RunRecord]:
        out = []
        for i in self.ids():
            try:
                out.append(self.load(i))
            except (ValueError, KeyError, json.JSONDecodeError):
                continue  # a foreign or damaged folder is not a run
        return out

    def metric_rows(self, run_id: str) -> list[dict[str, Any]]:
        """Every complete metrics line (a torn last line is skipped)."""
        p = self.path(run_id) / "metrics.jsonl"
        if not p.exists():
            return []
        rows = []
        with open(p, encoding="utf-8") as f:
            for line in f:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return rows

    def metrics(self, run_id: str) -> pd.DataFrame:
        """All metrics as one wide DataFrame (NaN where a row lacks a key)."""
        import pandas as pd  # imported here: a worker process starts faster without it

        return pd.DataFrame(self.metric_rows(run_id))

    def created(self, run_id: str) -> float:
        """When the run was created (``config.json``'s time; its mtime if that is missing)."""
        p = self.path(run_id) / "config.json"
        try:
            t = json.loads(p.read_text()).get("created")
            if isinstance(t, (int, float)) and not isinstance(t, bool):
                return float(t)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            pass
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0

    def load_model(self, run_id: str, step: int | None = None, best: bool = False) -> dict:
        """The run's latest weights, those of its checkpoint at ``step``, or its ``best``."""
        from safetensors.torch import load_file

        p = self.path(run_id)
        name = (
            f"{CHECKPOINTS}/{BEST}"
            if best
            else "model.safetensors"
            if step is None
            else f"{CHECKPOINTS}/step-{step:010d}.safetensors"
        )
        if not (p / name).is_file():
            what = "saved weights yet" if step is None else f"checkpoint at step {step}"
            what = "best checkpoint (kept from this version on)" if best else what
            raise ValueError(f"run = {run_id!r}: no {what} ({p / name})")
        try:
            return load_file(str(p / name))
        except Exception as e:  # safetensors' own error types: a damaged or truncated file
            raise ValueError(
                f"run = {run_id!r}: its weights {p / name} cannot be read, the file is "
                f"damaged or truncated ({type(e).__name__}: {e})"
            ) from None

    def load_agent(self, run_id: str, step: int | None = None, best: bool = False):
        """Rebuild the agent of a run and load its weights (latest, at ``step``, or best).

        The agent is built from the spaces recorded in ``config.json`` when there are
        some, so a run of an environment this process cannot make still loads.
        """
        from rlcore.train.export import build_agent_for

        rec = self.load(run_id)
        cfg = json.loads((rec.path / "config.json").read_text())
        agent = build_agent_for(rec.run, rec.algo, cfg.get("spaces"))
        agent.load_state_dict(self.load_model(run_id, step, best))
        return rec, agent


def prune_runs(store: RunStore, max_runs: int, owner: str | None = None) -> list[str]:
    """Delete finished runs until at most ``max_runs`` remain; returns their ids.

    Only runs in a terminal state (finished, stopped, pruned, failed, diverged, interrupted) are
    deleted; a running or queued run is never touched, so more than ``max_runs`` may
    remain while many are active. Oldest first by creation time; with ``owner`` (a
    visitor's new run on a hosted server) in :func:`rlcore.service.owners.eviction_order`:
    that visitor's own runs first, then those of visitors over their disk budget, then
    runs finished over an hour ago; another visitor's fresh run is never deleted.
    """
    if max_runs < 0:
        raise ValueError(f"max_runs = {max_runs}: must be >= 0")
    ids = store.ids()
    excess = len(ids) - max_runs
    if excess <= 0:
        return []
    if owner is not None:
        from rlcore.core.settings import get_settings
        from rlcore.service import owners

        per_owner, finished = owners.usage(store)
        cap = get_settings().max_owner_mb * 2**20
        done = owners.eviction_order(finished, per_owner, owner, cap)
    else:
        done = [i for i in ids if store.status(i).get("status") in TERMINAL]
        done.sort(key=lambda i: (store.created(i), i))
    deleted = []
    for run_id in done[:excess]:
        try:
            store.delete(run_id)
        except OSError:
            continue  # deleted meanwhile by another process, or not ours to delete
        deleted.append(run_id)
    return deleted


SAFETENSORS_HEADER_MAX = 16 * 1024 * 1024  # what the safetensors format itself allows


def load_checkpoint_upload(data: bytes, agent: Any, max_bytes: int | None = None) -> dict:
    """Check an uploaded checkpoint against ``agent`` and load it; ``ValueError`` otherwise.

    Only the safetensors format is read: a pickle (``torch.save``'s ``.pt``/``.pth`` or
    anything else) is refused before any of it is interpreted, so a malicious file can
    never run code. The file must hold exactly the agent's tensors (same names, shapes
    and dtypes, all finite) and be at most ``max_bytes`` (default: the upload limit,
    ``RLCORE_MAX_UPLOAD_MB``).

    Args:
        data: the uploaded bytes.
        agent: the ``torch.nn.Module`` (an ``Agent``) the weights are for; it is loaded
            with them only if every check passes.
        max_bytes: size limit in bytes.

    Returns:
        The loaded state dict (name -> tensor).
    """
    import torch

    from rlcore.core.settings import get_settings

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"checkpoint: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    limit = get_settings().max_upload_bytes if max_bytes is None else max_bytes
    if len(data) > limit:
        raise ValueError(
            f"checkpoint: {len(data) / 1e6:.1f} MB is too large "
            f"(allowed: at most {limit / 1e6:.1f} MB)"
        )
    not_st = (
        "checkpoint: not a safetensors file (allowed: .safetensors as saved by this app; "
        "pickle-based .pt/.pth/.pkl files are refused because loading them can run code)"
    )
    if len(data) < 10:
        raise ValueError(not_st)
    n = int.from_bytes(data[:8], "little")
    if not 2 <= n <= min(SAFETENSORS_HEADER_MAX, len(data) - 8) or data[8:9] != b"{":
        raise ValueError(not_st)
    try:
        header = json.loads(data[8 : 8 + n])
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(not_st) from None
    if not isinstance(header, dict):
        raise ValueError(not_st)
    from safetensors.torch import load

    try:
        tensors = load(data)
    except Exception as e:  # the Rust parser's errors: truncated, overlapping, bad dtype
        raise ValueError(f"checkpoint: damaged safetensors file ({str(e)[:200]})") from None
    expected = agent.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        parts = []
        for word, names in (("missing", missing), ("unexpected", unexpected)):
            if names:
                more = " ..." if len(names) > 8 else ""
                parts.append(f"{word} {', '.join(x[:40] for x in names[:8])}{more}")
        raise ValueError(
            f"checkpoint: not the weights of this agent ({'; '.join(parts)}) "
            f"(allowed: the {len(expected)} tensors of a {type(agent).__name__})"
        )
    for k, want in expected.items():
        got = tensors[k]
        if tuple(got.shape) != tuple(want.shape) or got.dtype != want.dtype:
            raise ValueError(
                f"checkpoint: {k} is {got.dtype} {tuple(got.shape)} "
                f"(allowed: {want.dtype} {tuple(want.shape)} for this agent)"
            )
        if got.is_floating_point() and not bool(torch.isfinite(got).all()):
            raise ValueError(f"checkpoint: {k} contains NaN or inf")
    agent.load_state_dict(tensors)
    return tensors
