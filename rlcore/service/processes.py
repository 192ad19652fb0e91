"""Processes: spawn a Python module in its own session, tell whether a process still runs.

The one place that starts child processes (training workers, the spare worker, dataset
builds, study drivers) and the one answer to "is this pid alive" (same host, same start
time, not a zombie).

Every child is reaped. Their ``Popen`` objects live in the dicts of whoever started them
(the job queue, the build and study registries), which poll them only when someone looks:
a build nobody reads again, a study whose visitor left, a worker whose run was deleted
stayed ``<defunct>`` under the server for good (issue 28). So :func:`spawn_module` also
files each child here, and a daemon thread polls them every :data:`REAP_INTERVAL_S`
(``Popen.poll``: the exit status is kept on the object, so its owner's own ``poll`` or
``wait`` still answers); the thread ends when no child is left and starts again with the
next. No ``SIGCHLD`` handler: it would take the exit status from under ``subprocess``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import rlcore

PROJECT_ROOT = Path(rlcore.__file__).resolve().parent.parent
REAP_INTERVAL_S = 1.0  # how long an ended child may stay a zombie at most (about)

_CHILDREN: set[subprocess.Popen] = set()  # started by spawn_module, not yet reaped
_REAPER: dict[str, threading.Thread | None] = {"thread": None}
_LOCK = threading.Lock()


def this_host() -> str:
    """This machine's host name (a process id means something only on its host)."""
    return socket.gethostname()


def _proc_stat(pid: int) -> list[str] | None:
    """Fields 3.. of ``/proc/<pid>/stat`` (state, ppid, ..., starttime at [19])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def process_identity(pid: int | None = None) -> dict[str, Any]:
    """``{"pid", "pid_start", "host"}``: what tells this process from a later one with its pid."""
    pid = os.getpid() if pid is None else pid
    stat = _proc_stat(pid)
    start = int(stat[19]) if stat is not None and len(stat) > 19 else None
    return {"pid": pid, "pid_start": start, "host": this_host()}


def process_alive(ident: dict[str, Any]) -> bool | None:
    """Whether the process of ``ident`` still runs; ``None`` when it cannot be told."""
    pid = ident.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return None
    if ident.get("host") not in (None, this_host()):
        return None  # another machine's process: only its heartbeat can tell
    if Path("/proc/self/stat").exists():  # Linux: state and start time, not just the pid
        stat = _proc_stat(pid)
        if stat is None or stat[0] in ("Z", "X"):
            return False  # gone, or exited and waiting to be reaped
        start = ident.get("pid_start")
        return start is None or len(stat) <= 19 or int(stat[19]) == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def pid_alive(pid: int | None) -> bool:
    """Whether a local process with this pid runs (not a zombie); no start-time check."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    return process_alive({"pid": pid}) is not False


def spawn_module(
    module: str,
    args: list[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    mode: str = "ab",
    stdin: int = subprocess.DEVNULL,
) -> subprocess.Popen:
    """``python -m module *args`` in a new session, output appended to ``log``.

    The child runs from the project root with it on ``PYTHONPATH``, so it imports this
    very ``rlcore`` whatever the parent's working directory; the parent's working
    directory follows it there, so the user's own environment modules
    (``RLCORE_ENV_MODULES``) import in the child as they did in the parent.
    ``stdin=subprocess.PIPE`` gives the parent a pipe to talk to it (a spare worker
    reads its run id from it).
    """
    env = dict(os.environ if env is None else env)
    root = str(PROJECT_ROOT)
    parts = (root, os.getcwd(), env.get("PYTHONPATH"))
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in parts if p))
    with open(log, mode) as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=stdin,
            env=env,
            cwd=root,
            start_new_session=True,
        )
    _watch(proc)
    return proc


def reap_children() -> int:
    """Collect the exit status of every ended child :func:`spawn_module` started.

    Returns how many children are still running. Called by the reaper thread; safe to
    call from anywhere at any time.
    """
    with _LOCK:
        procs = list(_CHILDREN)
    ended = {p for p in procs if p.poll() is not None}
    with _LOCK:
        _CHILDREN.difference_update(ended)
        return len(_CHILDREN)


def _watch(proc: subprocess.Popen) -> None:
    with _LOCK:
        _CHILDREN.add(proc)
        if _REAPER["thread"] is None:
            thread = threading.Thread(target=_reap_loop, name="rlcore-reaper", daemon=True)
            _REAPER["thread"] = thread
            thread.start()


def _reap_loop() -> None:
    while True:
        time.sleep(REAP_INTERVAL_S)
        try:
            reap_children()
        except Exception:  # never let one odd child stop the reaping of the others
            pass
        with _LOCK:
            if not _CHILDREN:  # a new child starts a new thread (under this same lock)
                _REAPER["thread"] = None
                return
