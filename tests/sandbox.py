"""What the escape and crash tests share: a snapshot of a folder tree, the CLI called in
this process, cheap reference scores so that a dataset build trains no expert, and the
counts of hostile inputs written to ``test-artifacts/``.

Tests import it as ``sandbox`` (``tests/`` is on ``sys.path`` under pytest).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# A fixed expert reference: ``reference_scores`` reads it instead of training an expert.
REFS = {
    "random": -1200.0,
    "expert": -150.0,
    "expert_std": 20.0,
    "clear": True,
    "expert_algo": "sac",
}


def fake_expert_refs(datasets_dir: Path, env_id: str = "Pendulum-v1") -> None:
    """Cache reference scores for ``env_id``'s preset expert so that a build trains nothing.

    Written where ``collect.reference_scores`` looks for the expert of the preset's
    budget once ``RLCORE_DATASETS_DIR`` points at ``datasets_dir``.
    """
    from rlcore.data.datasets import _experts_dir
    from rlcore.train import collect

    steps = collect._budget(env_id, None)
    d = (
        Path(datasets_dir)
        / _experts_dir().name
        / collect._expert_dir(env_id, steps).relative_to(_experts_dir())
    )
    d.mkdir(parents=True, exist_ok=True)
    (d / "reference.json").write_text(json.dumps({**REFS, "expert_steps": steps}))


def snapshot(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """Every entry under ``root`` (symlinks not followed) except the ``skip`` trees.

    Each maps to (mode, size, mtime, content hash or link target): any change to a file,
    a folder's entries or a link shows.
    """
    root = Path(root)
    skip = tuple(Path(s) for s in skip)
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        dirnames[:] = sorted(n for n in dirnames if d / n not in skip)
        for name in dirnames + sorted(filenames):
            p = d / name
            if p in skip:
                continue
            st = p.lstat()
            if p.is_symlink():
                content = os.readlink(p)
            elif p.is_file():
                content = hashlib.sha1(p.read_bytes()).hexdigest()
            else:
                content = None
            out[str(p.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns, content)
    return out


def diff(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots, one line per path."""
    lines = [f"gone: {p}" for p in sorted(set(before) - set(after))]
    lines += [f"new: {p}" for p in sorted(set(after) - set(before))]
    lines += [f"changed: {p}" for p in sorted(set(before) & set(after)) if before[p] != after[p]]
    return lines


def cli(argv: list[str]) -> tuple[int, str, str]:
    """``python -m rlcore ARGV`` in this process: (exit code, stdout, stderr)."""
    from rlcore.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse: a usage message, exit code 2
            rc = e.code if isinstance(e.code, int) else 2
    return rc, out.getvalue(), err.getvalue()


def write_counts(counts: Counter, name: str) -> dict:
    """Write ``{"tried", "escaped", ...}`` to ``test-artifacts/<name>[-worker].json``."""
    tried = sum(v for k, v in counts.items() if k.endswith(":tried"))
    escaped = sum(v for k, v in counts.items() if k.endswith(":escaped"))
    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    path = ARTIFACTS / (f"{name}-{worker}.json" if worker else f"{name}.json")
    out = {"tried": tried, "escaped": escaped, **dict(sorted(counts.items()))}
    path.write_text(json.dumps(out, indent=1))
    return out
