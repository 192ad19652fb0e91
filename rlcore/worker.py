"""``run_job``: train one stored run and write everything back to the RunStore.

The same function serves the CLI (in-process, with a progress bar), the app (in a
separate process: ``python -m rlcore.worker RUN_ID``) and sweeps. The process that trains
is the only writer of its run folder.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from rlcore.runs import RunStore
from rlcore.trainer import Trainer
from rlcore.types import Metrics

__all__ = ["run_job", "spawn_job"]


def _diverged(m: Metrics) -> str | None:
    for k, v in m.items():
        if k.startswith("train/") and isinstance(v, float) and not math.isfinite(v):
            return k
    return None


def run_job(
    run_id: str,
    store: RunStore | None = None,
    on_metrics: Callable[[Metrics], None] | None = None,
    checkpoint_every_s: float = 30.0,
) -> str:
    """Train run ``run_id``; returns its final status.

    Status goes ``running`` -> ``finished`` | ``stopped`` | ``diverged`` (a training
    metric became NaN/inf: the message names it) | ``failed`` (an exception: the
    message holds it) | ``interrupted`` (Ctrl-C / SIGTERM). Metrics written so far are
    kept in every case, and the weights are saved at the end and at each evaluation.
    """
    store = store or RunStore()
    rec = store.load(run_id)
    store.set_status(run_id, "running", pid=os.getpid(), started=time.time(), step=0)
    trainer = None
    last_ckpt = time.time()
    status, message = "finished", ""
    final: Metrics = {}
    try:
        trainer = Trainer(rec.run, rec.algo, stop=lambda: store.stop_requested(run_id))
        with store.open_metrics(run_id) as fh:
            for m in trainer:
                store.write_metrics(fh, m)
                if on_metrics is not None:
                    on_metrics(m)
                bad = _diverged(m)
                if bad is not None:
                    status, message = "diverged", f"{bad} became {m[bad]} at step {m['step']}"
                    break
                if "eval/return_mean" in m:
                    final = m
                    if time.time() - last_ckpt > checkpoint_every_s:
                        store.save_model(run_id, trainer.agent.state_dict())
                        last_ckpt = time.time()
                    store.set_status(
                        run_id, "running", step=m["step"], eval_return=m["eval/return_mean"]
                    )
        if status == "finished" and trainer.stopped_early:
            status = "stopped"
    except KeyboardInterrupt:
        status, message = "interrupted", "interrupted by the user"
    except Exception as e:
        status, message = "failed", f"{type(e).__name__}: {e}"
        traceback.print_exc()
    if trainer is not None:
        try:
            store.save_model(run_id, trainer.agent.state_dict())
        except OSError as e:
            message = (message + "; " if message else "") + f"could not save weights: {e}"
    store.set_status(
        run_id,
        status,
        message=message,
        step=trainer.step if trainer else 0,
        eval_return=final.get("eval/return_mean"),
        eval_return_std=final.get("eval/return_std"),
        wall_time=final.get("time/elapsed"),
        finished=time.time(),
    )
    return status


def spawn_job(run_id: str, store: RunStore | None = None) -> subprocess.Popen:
    """Start ``run_job`` in its own process (the app's path); returns the process."""
    store = store or RunStore()
    env = dict(os.environ, RLCORE_RUNS_DIR=str(store.root.resolve()))
    log = open(store.path(run_id) / "worker.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "rlcore.worker", run_id],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=str(Path(__file__).resolve().parent.parent),
        start_new_session=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m rlcore.worker RUN_ID", file=sys.stderr)
        return 2
    status = run_job(args[0])
    return 0 if status in ("finished", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main())
