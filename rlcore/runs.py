"""RunStore: every run is a folder ``runs/<id>/`` of plain files, written atomically.

```
config.json        {"run": RunConfig, "algo": AlgoConfig, "created": ...}   (atomic)
status.json        {"status": queued|running|finished|stopped|failed|diverged, ...} (atomic)
metrics.jsonl      one JSON object per line, appended and flushed as training goes
model.safetensors  the agent's weights (atomic; never a pickle)
STOP               present = please stop (the worker checks it)
```

Metrics are JSON lines rather than CSV because rows carry different keys (episode rows,
training rows, evaluation rows); ``metrics()`` returns one wide DataFrame and the app
offers CSV download. A crash can leave a half line at the end: readers skip it.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rlcore.config import AlgoConfig, RunConfig, from_dict, to_dict

__all__ = ["TERMINAL", "RunRecord", "RunStore", "default_runs_dir"]

TERMINAL = ("finished", "stopped", "failed", "diverged", "interrupted")


def default_runs_dir() -> Path:
    """``$RLCORE_RUNS_DIR`` or ``./runs``."""
    return Path(os.environ.get("RLCORE_RUNS_DIR", "runs"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    """JSON version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, json.dumps(obj, indent=1, sort_keys=True).encode())


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


class RunStore:
    """Create, append to, list and load runs under one folder."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_runs_dir()

    def path(self, run_id: str) -> Path:
        if not run_id or "/" in run_id or "\\" in run_id or run_id.startswith("."):
            raise ValueError(f"run id {run_id!r} is not valid")
        return self.root / run_id

    # -- writing --------------------------------------------------------------------
    def create(self, run: RunConfig, algo: AlgoConfig, extra: dict | None = None) -> str:
        """New run folder with its config and status ``queued``; returns the id."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        run_id = f"{stamp}-{run.algo}-{run.env}-s{run.seed}-{secrets.token_hex(3)}"
        p = self.path(run_id)
        p.mkdir(parents=True, exist_ok=False)
        cfg = {"run": to_dict(run), "algo": to_dict(algo), "created": time.time()}
        cfg.update(extra or {})
        atomic_write_json(p / "config.json", cfg)
        self.set_status(run_id, "queued")
        return run_id

    def set_status(self, run_id: str, status: str, **fields: Any) -> None:
        """Replace ``status.json`` atomically (keeps earlier fields not overridden)."""
        p = self.path(run_id) / "status.json"
        old = self.status(run_id) if p.exists() else {}
        old.update({k: _clean(v) for k, v in fields.items()})
        old.update(status=status, updated=time.time())
        atomic_write_json(p, old)

    def open_metrics(self, run_id: str):
        """Append handle on ``metrics.jsonl`` (line-buffered)."""
        return open(self.path(run_id) / "metrics.jsonl", "a", buffering=1, encoding="utf-8")

    @staticmethod
    def write_metrics(handle, metrics: dict[str, Any]) -> None:
        handle.write(json.dumps({k: _clean(v) for k, v in metrics.items()}) + "\n")

    def request_stop(self, run_id: str) -> None:
        (self.path(run_id) / "STOP").touch()

    def stop_requested(self, run_id: str) -> bool:
        return (self.path(run_id) / "STOP").exists()

    def save_model(self, run_id: str, state_dict: dict) -> None:
        """Weights as safetensors, atomically (a crash never leaves half a file)."""
        from safetensors.torch import save

        tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
        atomic_write_bytes(self.path(run_id) / "model.safetensors", save(tensors))

    def delete(self, run_id: str) -> None:
        import shutil

        shutil.rmtree(self.path(run_id))

    # -- reading --------------------------------------------------------------------
    def ids(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(
            (p.name for p in self.root.iterdir() if (p / "config.json").exists()), reverse=True
        )

    def status(self, run_id: str) -> dict[str, Any]:
        try:
            return json.loads((self.path(run_id) / "status.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {"status": "unknown"}

    def load(self, run_id: str) -> RunRecord:
        """Configs and status of a run (``ValueError`` if it does not exist)."""
        from rlcore.registry import get_algo

        p = self.path(run_id)
        if not (p / "config.json").exists():
            raise ValueError(f"no run {run_id!r} in {self.root}")
        cfg = json.loads((p / "config.json").read_text())
        run = from_dict(RunConfig, cfg["run"])
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
        return pd.DataFrame(self.metric_rows(run_id))

    def load_model(self, run_id: str) -> dict:
        from safetensors.torch import load_file

        return load_file(str(self.path(run_id) / "model.safetensors"))

    def load_agent(self, run_id: str):
        """Rebuild the agent of a run and load its saved weights (for eval and watch)."""
        from rlcore.trainer import build_agent

        rec = self.load(run_id)
        agent = build_agent(rec.run, rec.algo)
        agent.load_state_dict(self.load_model(run_id))
        return rec, agent
