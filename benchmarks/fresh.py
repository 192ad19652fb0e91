"""Timed children of the benchmarks: a command in a fresh interpreter, its last line JSON.

Each benchmark measures in a fresh process (no warm caches, no imports left over from the
row before) and reads back what the child printed last: one JSON object. ``python -c CODE
SPEC`` is the usual child (``CODE`` a benchmark's script, ``SPEC`` its JSON arguments).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ROOT", "finish", "python_code", "run_json", "start"]


def python_code(code: str, spec: Mapping) -> list[str]:
    """The command that runs ``code`` with ``spec`` as its one argument (JSON)."""
    return [sys.executable, "-c", code, json.dumps(dict(spec))]


def _env(src: Path, extra: Mapping[str, str] | None) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(src), **(extra or {}))


def start(
    cmd: Sequence[str], src: Path = ROOT, env: Mapping[str, str] | None = None
) -> subprocess.Popen:
    """Start ``cmd`` in ``src`` (its ``rlcore`` first on the path), ``env`` added."""
    return subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(src, env),
        cwd=src,
    )


def finish(proc: subprocess.Popen) -> dict:
    """Wait for a child of :func:`start`: its last line as JSON (its stderr if it failed)."""
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(err[-3000:])
    return json.loads(out.strip().splitlines()[-1])


def run_json(cmd: Sequence[str], src: Path = ROOT, env: Mapping[str, str] | None = None) -> dict:
    """:func:`start` then :func:`finish`: one child, run to its end."""
    return finish(start(cmd, src, env))
