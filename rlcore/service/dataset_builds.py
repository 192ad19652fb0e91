"""Dataset builds in the background: a process that runs :func:`build_and_report`.

Building a dataset can take minutes (the first build for an environment trains its
expert), so the app never builds in its own thread. :func:`start_build` checks the
inputs (a ``ValueError`` naming the field, and nothing started), then starts a process
that runs :func:`build_and_report` (what the CLI's ``dataset build`` runs too) with its
output in a log file::

    <datasets dir>/_builds/<build id>/spec.json    what was asked (and the equivalent CLI arguments)
    <datasets dir>/_builds/<build id>/log.txt      stdout and stderr of the build
    <datasets dir>/_builds/<build id>/status.json  running | finished | failed, message

:func:`read_status` and :func:`list_builds` read them back (a process that died without
writing its status reads as ``failed``); :func:`log_tail` gives the end of the log.
No Streamlit here.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rlcore.core.config import short_repr
from rlcore.core.envs import env_spec
from rlcore.core.files import atomic_write_json
from rlcore.core.ids import check_name, inside
from rlcore.data.datasets import (
    check_build_args,
    dataset_id,
    datasets_dir,
    load_transitions,
    reference_problem,
)
from rlcore.service.processes import pid_alive, spawn_module
from rlcore.train import collect

__all__ = [
    "BUILDS_DIR",
    "MIX_PARTS",
    "build_argv",
    "build_path",
    "builds_dir",
    "list_builds",
    "log_tail",
    "read_status",
    "start_build",
    "stop_build",
    "validate_build",
]

BUILDS_DIR = "_builds"
MIX_PARTS = ("random", "medium", "expert")
_PROCS: dict[str, subprocess.Popen] = {}  # builds started by this process (reaped on read)


def builds_dir() -> Path:
    """``<datasets dir>/_builds``."""
    return datasets_dir() / BUILDS_DIR


def build_path(build_id: str, field: str = "build") -> Path:
    """The folder of ``build_id``: the one door every build id goes through.

    Raises:
        ValueError: naming ``field``, when ``build_id`` is not a plain name (a path,
            ``..``, NUL, too long) or leads outside the builds folder.
    """
    check_name(build_id, field, "a dataset build id")
    return inside(builds_dir(), build_id, field, "that build")


def validate_build(
    env_id: str,
    kind: str,
    n_steps: int,
    seed: int = 0,
    mix: dict[str, float] | None = None,
    name: str | None = None,
    expert_steps: int | None = None,
) -> dict[str, Any]:
    """Check a build request before anything starts; returns it as a dict.

    Raises:
        ValueError: the message starts with the field (``env``, ``kind``, ``n_steps``,
            ``seed``, ``mix``, ``name``, ``expert_steps``) and gives the allowed range.
    """
    if not isinstance(env_id, str):
        raise ValueError(f"env = {short_repr(env_id, 40)}: not an environment id")
    env_spec(env_id)  # ValueError naming the catalogue
    check_build_args(kind, n_steps, expert_steps)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValueError(f"seed = {short_repr(seed, 40)}: out of range (allowed: 0 to 2^31 - 1)")
    if name is not None:
        if not isinstance(name, str) or len(name) > 100:
            raise ValueError(f"name = {short_repr(name, 40)}: give a name of 1 to 100 characters")
        name = name.strip() or None
    if kind == "mixed":
        mix = dict(mix or {"random": 0.5, "expert": 0.5})
        bad = set(mix) - set(MIX_PARTS)
        if bad:
            allowed = ", ".join(MIX_PARTS)
            raise ValueError(f"mix: unknown part(s) {sorted(bad)} (allowed: {allowed})")
        for k, v in mix.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1e6:
                raise ValueError(f"mix[{k}] = {short_repr(v, 40)}: a proportion >= 0")
        if sum(mix.values()) <= 0:
            raise ValueError("mix: every proportion is 0 (give at least one part > 0)")
        mix = {k: float(v) for k, v in mix.items() if v > 0}
    else:
        mix = None
    return {
        "env": env_id,
        "kind": kind,
        "n_steps": n_steps,
        "seed": seed,
        "mix": mix,
        "name": name,
        "expert_steps": expert_steps,
        "dataset_id": dataset_id(env_id, name or kind),
    }


def build_argv(req: dict[str, Any]) -> list[str]:
    """The ``python -m rlcore`` arguments of a validated request."""
    argv = ["dataset", "build", "--env", req["env"], "--kind", req["kind"]]
    argv += ["--steps", str(req["n_steps"]), "--seed", str(req["seed"])]
    if req.get("mix"):
        argv += ["--mix", ",".join(f"{k}={v:g}" for k, v in req["mix"].items())]
    if req.get("name"):
        argv += ["--name", req["name"]]
    if req.get("expert_steps") is not None:
        argv += ["--expert-steps", str(req["expert_steps"])]
    return argv


def start_build(
    env_id: str,
    kind: str,
    n_steps: int,
    seed: int = 0,
    mix: dict[str, float] | None = None,
    name: str | None = None,
    expert_steps: int | None = None,
    owner: str | None = None,
) -> str:
    """Validate, then start the build process; returns the build id.

    The process (``python -m rlcore.service.dataset_builds BUILD_DIR``) runs
    :func:`build_and_report` and writes the final status, with one torch
    thread and ``RLCORE_DATASETS_DIR`` set to this process's datasets folder.
    ``owner`` (a visitor on a hosted server) owns the build and its dataset: they may
    have :data:`BUILDS_PER_OWNER` building at once, the dataset must fit their disk
    budget, and it may not replace another visitor's dataset.
    """
    req = validate_build(env_id, kind, n_steps, seed, mix, name, expert_steps)
    if owner is not None:
        _admit_build(req, owner)
        req["owner"] = owner
    build_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(8)}"
    d = build_path(build_id)
    d.mkdir(parents=True)
    req["argv"] = build_argv(req)
    atomic_write_json(d / "spec.json", req)
    atomic_write_json(d / "status.json", {"status": "running", "started": time.time()})
    env = {
        **os.environ,
        "RLCORE_DATASETS_DIR": str(datasets_dir()),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    proc = spawn_module("rlcore.service.dataset_builds", [str(d)], d / "log.txt", env, mode="wb")
    _PROCS[build_id] = proc
    (d / "pid").write_text(str(proc.pid))  # apart from status.json, which the child rewrites
    return build_id


BUILDS_PER_OWNER = 1  # dataset builds one visitor may have running at once (hosted)
BYTES_PER_TRANSITION = 256  # a stored transition, generously (Arrow, float64 rewards)


def _admit_build(req: dict[str, Any], owner: str) -> None:
    """The gate for a visitor's build: builds in flight, overwrite, disk (or a ValueError)."""
    from rlcore.data.datasets import check_overwrite
    from rlcore.service import owners
    from rlcore.service.runs import RunStore

    if owners.hosted():
        running = [b for b in list_builds(owner) if b["status"] == "running"]
        if len(running) >= BUILDS_PER_OWNER:
            raise owners.OverBudget(
                f"builds: you have {len(running)} dataset build running; this server "
                f"allows {BUILDS_PER_OWNER} per visitor at once (wait for it, or stop it)"
            )
    check_overwrite(req["dataset_id"], owner)
    owners.make_room(RunStore(), owner, BYTES_PER_TRANSITION * req["n_steps"], "dataset")


def build_owner(build_id: str) -> str:
    """The visitor who started a build (``""``: the operator, or the local user)."""
    owner = read_status(build_id)["spec"].get("owner") or ""
    return owner if isinstance(owner, str) else ""


def read_status(build_id: str) -> dict[str, Any]:
    """``{"id", "status", "message", "dataset_id", "spec", "started", "ended", ...}``.

    ``status`` is ``running``, ``finished`` or ``failed``; a process that ended without
    writing its status (killed) reads as ``failed``.
    """
    d = build_path(build_id)
    if not (d / "spec.json").exists():
        raise ValueError(f"build = {short_repr(build_id, 40)}: no such dataset build")
    proc = _PROCS.get(build_id)
    if proc is not None and proc.poll() is not None:
        _PROCS.pop(build_id, None)
    spec = json.loads((d / "spec.json").read_text())
    try:
        status = json.loads((d / "status.json").read_text())
    except (OSError, ValueError):
        status = {"status": "running"}
    try:
        status["pid"] = int((d / "pid").read_text())
    except (OSError, ValueError):
        pass
    pid = status.get("pid")
    if status.get("status") == "running" and pid and not pid_alive(pid):
        time.sleep(0.05)  # the runner may be writing its final status right now
        try:
            status = {**json.loads((d / "status.json").read_text()), "pid": pid}
        except (OSError, ValueError):
            pass
        if status.get("status") == "running":
            status = {**status, "status": "failed", "message": "the build process ended early"}
    return {
        "id": build_id,
        "message": "",
        **status,
        "dataset_id": spec.get("dataset_id"),
        "spec": spec,
    }


def list_builds(who: str | None = None) -> list[dict[str, Any]]:
    """Every build's status, newest first (hosted, with ``who``: only that visitor's)."""
    from rlcore.core.owners import hosted

    root = builds_dir()
    if not root.exists():
        return []
    out = []
    for d in sorted(root.iterdir(), reverse=True):
        try:
            st = read_status(d.name)
        except (OSError, ValueError):
            continue  # not a build (foreign, half-made, a symlink out of the folder)
        if who is None or not hosted() or st["spec"].get("owner") == who:
            out.append(st)
    return out


def log_tail(build_id: str, lines: int = 15) -> str:
    """The last ``lines`` lines of a build's log."""
    return _tail(build_path(build_id) / "log.txt", lines)


def _tail(p: Path, lines: int) -> str:
    try:
        with open(p, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.replace("\r", "\n").splitlines()[-lines:])


def stop_build(build_id: str, who: str | None = None) -> None:
    """Stop a running build (its status becomes ``failed``: stopped).

    ``who``: the visitor asking (hosted: only the build's owner); ``None``: the operator.
    """
    import signal

    from rlcore.core.owners import check_control

    st = read_status(build_id)
    if who is not None:
        check_control(st["spec"].get("owner") or "", who, f"build {build_id}")
    if st["status"] == "running" and st.get("pid") and pid_alive(st["pid"]):
        try:
            os.killpg(st["pid"], signal.SIGTERM)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        atomic_write_json(
            build_path(build_id) / "status.json",
            {**{k: st[k] for k in ("started", "pid") if k in st}, "status": "failed",
             "message": "stopped", "ended": time.time()},
        )  # fmt: skip
    proc = _PROCS.pop(build_id, None)
    if proc is not None:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def build_and_report(
    env_id: str,
    kind: str,
    n_steps: int,
    seed: int = 0,
    mix: dict[str, float] | None = None,
    name: str | None = None,
    expert_steps: int | None = None,
    owner: str = "",
) -> str:
    """Build a dataset in this process, printing progress lines and a summary; its id.

    The CLI's ``dataset build`` and the background build process both run this.
    """
    last = [0.0]

    def progress(m: dict[str, Any]) -> None:  # a line every 2 s while an agent trains
        now = time.monotonic()
        if "eval/return_mean" in m or now - last[0] > 2.0:
            last[0] = now
            extra = f"  eval return {m['eval/return_mean']:.1f}" if "eval/return_mean" in m else ""
            print(f"training step {int(m.get('step', 0))}{extra}", flush=True)

    ds_id = collect.build_dataset(
        env_id,
        kind,
        n_steps,
        seed,
        mix=mix,
        name=name,
        expert_steps=expert_steps,
        progress=progress,
        owner=owner,
    )
    tr, meta = load_transitions(ds_id)
    r = tr.episode_returns
    print(
        f"built {ds_id}: {len(tr)} transitions, {len(r)} episodes, return "
        f"{r.mean():.1f} ± {r.std():.1f} (random {meta['ref_min_score']:.1f}, "
        f"expert {meta['ref_max_score']:.1f})"
    )
    problem = reference_problem(meta["ref_min_score"], meta["ref_max_score"])
    if problem:
        print(f"warning: {problem}", file=sys.stderr, flush=True)
    return ds_id


# -- the runner (the build process itself) -----------------------------------------------


def _run(build_dir: Path) -> int:
    """Build the dataset of ``spec.json`` and write the final status (in the child)."""
    import torch

    torch.set_num_threads(1)
    spec = json.loads((build_dir / "spec.json").read_text())
    status = json.loads((build_dir / "status.json").read_text())
    print("python -m rlcore " + " ".join(spec["argv"]), flush=True)
    try:
        keys = ("env", "kind", "n_steps", "seed", "mix", "name", "expert_steps")
        build_and_report(*(spec.get(k) for k in keys), owner=spec.get("owner") or "")
        rc = 0
        message = ""
    except ValueError as e:  # bad input: the message names the field, as the CLI says it
        rc, message = 2, str(e)
        print(f"error: {e}", flush=True)
    except BaseException as e:  # whatever happens, record it
        rc, message = 1, f"{type(e).__name__}: {e}"
        print(message, flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    if rc != 0 and not message:
        log = _tail(build_dir / "log.txt", 50).splitlines()
        errors = [ln for ln in log if ln.startswith("error:")]
        message = errors[-1][len("error:") :].strip() if errors else f"exit code {rc}"
    atomic_write_json(
        build_dir / "status.json",
        {
            **status,
            "status": "finished" if rc == 0 else "failed",
            "message": message,
            "ended": time.time(),
            "rc": rc,
        },
    )
    return rc


if __name__ == "__main__":
    sys.exit(_run(Path(sys.argv[1])))
