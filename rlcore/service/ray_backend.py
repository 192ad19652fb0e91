"""Train a study's runs as Ray tasks on a cluster (optional: requirements-ray.txt).

Each run is one Ray task calling the same :func:`rlcore.service.worker.run_job` a local
worker calls, scheduled with ``num_cpus`` = the run's thread count, and never retried
(a retry would train the run twice). The task writes to the RunStore exactly as a local
worker does, so every node must see the runs folder (and the datasets folder, for
offline algorithms) at the same path: shared storage mounted alike on every node. The
code travels with the job (``runtime_env`` ``py_modules``), so nodes need only the
Python packages (``requirements.txt``), not this repository.

Addresses: ``host:port`` of a running head (what ``ray start --head`` prints; its GCS
port, 6379 by default), ``ray://host:10001`` (Ray Client), ``auto`` (a cluster started
on this machine), or ``local`` (start a throwaway one-machine cluster in this process).
A task whose worker dies (SIGKILL, out of memory, a lost node) ends its run
``interrupted``, with the metrics written so far; the study goes on with the others.

Token authentication (Ray >= 2.52): a head started with ``ray start`` on a machine that
holds a token (``~/.ray/auth_token``) requires it, so when ``RAY_AUTH_MODE`` is unset and
a token is there (or in ``RAY_AUTH_TOKEN`` / ``RAY_AUTH_TOKEN_PATH``), the connection
uses it too. On a cluster, set ``RAY_AUTH_MODE=token`` and the same token everywhere.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rlcore
from rlcore.core.config import short_repr
from rlcore.service.jobs import Plan
from rlcore.service.runs import TERMINAL, RunStore
from rlcore.train.checks import check_run

__all__ = ["RayExecutor", "check_address"]

ADDRESS_HELP = (
    "host:port of a running Ray head (as `ray start --head` prints it, e.g. 10.0.0.5:6379), "
    "ray://host:10001, auto (a cluster on this machine) or local (start one here)"
)
CONNECT_TIMEOUT_S = 5.0
WORKER_DIED = (
    "the Ray worker died (killed, out of memory or its node was lost); "
    "metrics saved so far are kept"
)


def check_address(address: str) -> str:
    """``address`` if it names a reachable Ray head; ``ValueError`` naming ``ray`` otherwise.

    ``host:port`` and ``ray://host:port`` are tried with a TCP connection first, so an
    unreachable head is refused in seconds rather than after Ray's own long retries.
    """
    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"ray = {short_repr(address)}: empty (allowed: {ADDRESS_HELP})")
    address = address.strip()
    if address in ("auto", "local"):
        return address
    hostport = address.removeprefix("ray://")
    host, sep, port_s = hostport.rpartition(":")
    if not sep or not host or not port_s.isdigit() or not 0 < int(port_s) < 65536:
        raise ValueError(f"ray = {short_repr(address)}: not an address (allowed: {ADDRESS_HELP})")
    try:
        with socket.create_connection((host, int(port_s)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as e:
        raise ValueError(
            f"ray = {short_repr(address)}: cannot reach a Ray head there ({e.strerror or e}) "
            f"(allowed: {ADDRESS_HELP})"
        ) from None
    return address


def _token_available() -> bool:
    if os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH"):
        return True
    return (Path.home() / ".ray" / "auth_token").is_file()


def _train(run_id: str, runs_dir: str, datasets_dir: str | None) -> str:
    """The Ray task: ``run_job`` on the shared runs folder (runs in a Ray worker process)."""
    os.environ["RLCORE_RUNS_DIR"] = runs_dir
    if datasets_dir:
        os.environ["RLCORE_DATASETS_DIR"] = datasets_dir
    from rlcore.service.worker import run_job

    return run_job(run_id, RunStore(runs_dir))


class RayExecutor:
    """Runs a study's runs as Ray tasks (see the module docstring)."""

    def __init__(
        self,
        store: RunStore,
        address: str,
        num_cpus: int | None = None,
        owner: str | None = None,
    ) -> None:
        self.owner = owner or None  # a study's owner: its runs pass their gate, as theirs
        address = check_address(address)
        if address != "local" and "RAY_AUTH_MODE" not in os.environ and _token_available():
            # what `ray start` did with that token; read by Ray when it is imported
            os.environ["RAY_AUTH_MODE"] = "token"
        try:
            import ray
        except ImportError:
            raise ValueError(
                f"ray = {address!r}: Ray is not installed "
                "(allowed: install it with pip install -r requirements-ray.txt)"
            ) from None
        from rlcore.data.datasets import datasets_dir

        self.ray, self.store = ray, store
        self.runs_dir = str(store.root.resolve())
        self.datasets_dir = str(datasets_dir().resolve())
        env_vars = {k: v for k, v in os.environ.items() if k.startswith("RLCORE_")}
        env_vars["RLCORE_RUNS_DIR"] = self.runs_dir
        runtime_env = {"py_modules": [str(Path(rlcore.__file__).parent)], "env_vars": env_vars}
        kwargs: dict[str, Any] = {
            "runtime_env": runtime_env,
            "log_to_driver": False,  # the runs' own logs are in the RunStore
            "logging_level": "WARNING",
            "ignore_reinit_error": True,
        }
        if address == "local":
            kwargs.update(num_cpus=num_cpus or os.cpu_count() or 1, include_dashboard=False)
        else:
            kwargs["address"] = address
        try:
            ray.init(**kwargs)
        except Exception as e:  # ConnectionError, a version mismatch, a refused token
            raise ValueError(
                f"ray = {address!r}: cannot connect: {str(e).splitlines()[0][:200]} "
                f"(allowed: {ADDRESS_HELP})"
            ) from None
        self.capacity = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote = ray.remote(max_retries=0)(_train)
        self.tasks: dict[Any, str] = {}  # ObjectRef -> run id

    def _start(self, run_id: str, threads: int) -> None:
        ref = self._remote.options(num_cpus=max(1, threads), name=f"rlcore:{run_id}").remote(
            run_id, self.runs_dir, self.datasets_dir
        )
        self.tasks[ref] = run_id

    def submit(self, plan: Plan, extra: dict[str, Any]) -> list[str]:
        from rlcore.service import owners

        for run, algo in plan.runs:
            check_run(run, algo)
        owners.admit(self.store, plan.runs, self.owner)  # the same gate as the job queue's
        tags = dict(extra, **({owners.OWNER: self.owner} if self.owner else {}))
        ids = [self.store.create(run, algo, dict(tags)) for run, algo in plan.runs]
        for rid, (run, _) in zip(ids, plan.runs):
            self._start(rid, run.threads)
        return ids

    def resume(self, run_ids: Sequence[str]) -> None:
        mine = set(self.tasks.values())
        for rid in run_ids:
            if rid not in mine and self.store.status(rid).get("status") == "queued":
                self._start(rid, self.store.load(rid).run.threads)

    def poll(self) -> None:
        if not self.tasks:
            return
        done, _ = self.ray.wait(list(self.tasks), num_returns=len(self.tasks), timeout=0)
        for ref in done:
            rid = self.tasks.pop(ref)
            try:
                self.ray.get(ref)
            except self.ray.exceptions.WorkerCrashedError:
                self._ended(rid, "interrupted", WORKER_DIED)
            except Exception as e:  # the task raised before run_job could record it
                self._ended(rid, "failed", f"Ray task failed: {str(e).splitlines()[0][:300]}")

    def _ended(self, run_id: str, status: str, message: str) -> None:
        if self.store.status(run_id).get("status") not in TERMINAL:
            self.store.set_status(run_id, status, message=message)

    def close(self) -> None:
        self.ray.shutdown()
