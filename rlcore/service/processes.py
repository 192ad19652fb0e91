"""Processes: spawn a Python module in its own session, tell whether a process still runs.

The one place that starts child processes (training workers, dataset builds) and the one
answer to "is this pid alive" (same host, same start time, not a zombie).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import rlcore

PROJECT_ROOT = Path(rlcore.__file__).resolve().parent.parent


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
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=stdin,
            env=env,
            cwd=root,
            start_new_session=True,
        )
