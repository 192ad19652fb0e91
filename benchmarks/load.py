"""Load on the real app: N browser sessions train at once; health latency and server memory.

Starts the Streamlit server (its own runs folder, ``RLCORE_MAX_WORKERS`` workers), opens
N Chromium contexts (separate sessions) on the Train page with a short CartPole DQN in
the URL, presses Start in each within a second or two and keeps every live view open
until all runs have ended, while a thread polls ``/_stcore/health`` every 0.2 s and the
server's RSS. ``tests/loadgen.py`` does the driving (the same code as the load test);
this script chooses the numbers and writes them to ``bench_out/load.json``:

- runs finished, sessions shown a queue position, other sessions' run ids seen (0);
- health polls, failures, latency p50/p95/max;
- server RSS after a warm-up page (baseline), its peak, and after the sessions closed.

    python benchmarks/load.py                        # 6 sessions, 2 workers, 3000 steps
    python benchmarks/load.py --sessions 10 --workers 2 --steps 5000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from appserver import AppServer, launch_chromium  # noqa: E402  (the shared launcher)
from loadgen import run_load  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sessions", type=int, default=6, help="browser sessions at once")
    p.add_argument("--workers", type=int, default=2, help="RLCORE_MAX_WORKERS of the server")
    p.add_argument("--steps", type=int, default=3000, help="steps of each session's run")
    p.add_argument("--timeout", type=float, default=900, help="seconds for all runs to end")
    p.add_argument("--out", type=Path, default=ROOT / "bench_out" / "load.json")
    p.add_argument("--keep-runs", action="store_true", help="keep the runs folder")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    runs = Path(tempfile.mkdtemp(prefix="load-bench-"))
    with AppServer(runs, env={"RLCORE_MAX_WORKERS": str(args.workers)}) as server:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                report = run_load(
                    server, browser, args.sessions, args.steps, args.workers, args.timeout
                )
            finally:
                browser.close()
    figures = {
        **report.figures(),
        "cpu_cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "runs_dir": str(runs) if args.keep_runs else None,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1) + "\n")
    print(report.summary())
    print(f"written to {args.out}")
    if not args.keep_runs:
        shutil.rmtree(runs, ignore_errors=True)
    ok = report.finished == args.sessions and not report.foreign and not report.health_failures
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
