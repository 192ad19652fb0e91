"""Does watching a run live slow it down? Steps/s of one run from the app and from the CLI.

The same configuration is trained twice per round, alternately:

- ``cli``: ``python -m rlcore train ...`` (the trainer in the foreground process);
- ``app``: the real app. A Streamlit server is started, a browser (Playwright driving
  Chromium) opens the Train page with the setup in the URL, presses Start and keeps the
  live view open, so the page polls the run and redraws its Plotly charts about once a
  second for the whole run. Without Chromium, ``--driver apptest`` drives the page with
  Streamlit's AppTest, rerunning the whole page once a second (heavier than the
  fragment the browser reruns).

The browser stands for the user's computer: by default it runs at the lowest CPU
priority (``nice 19``, its scheduler autogroup too), so that on a small benchmark machine
it does not take the cores that, deployed, belong to the server and its workers.
``--client-priority normal`` lets it compete (what a 2-core box running server, worker
and browser at once measures).

Throughput is the training speed the worker itself measures: environment steps divided
by the time at the last training log (evaluations included, as in both paths). The
target: the app path within 10% of the CLI.

    python benchmarks/app_vs_cli.py                      # 3 rounds, 20k steps, browser
    python benchmarks/app_vs_cli.py --rounds 5 --steps 30000 --driver apptest
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from appserver import CHROMIUM, AppServer, launch_chromium  # noqa: E402  (the shared server launcher)

HP = {"hidden": "256,256"}  # the Zoo preset's network; everything else from the preset


def run_sps(runs_dir: Path, run_id: str) -> float:
    """Steps per second of a finished run, from its own metrics."""
    rows = [
        json.loads(line)
        for line in (runs_dir / run_id / "metrics.jsonl").read_text().splitlines()
        if line.strip()
    ]
    last = [r for r in rows if "time/sps" in r][-1]
    return last["step"] / last["time/elapsed"]


def newest_run(runs_dir: Path, before: set[str]) -> str:
    ids = {p.name for p in runs_dir.iterdir() if (p / "config.json").exists()} - before
    assert len(ids) == 1, ids
    return ids.pop()


def existing(runs_dir: Path) -> set[str]:
    return {p.name for p in runs_dir.iterdir() if (p / "config.json").exists()}


def cli_once(runs_dir: Path, steps: int, seed: int) -> float:
    before = existing(runs_dir)
    cmd = [
        sys.executable,
        "-m",
        "rlcore",
        "--runs-dir",
        str(runs_dir),
        "train",
        "--algo",
        "dqn",
        "--env",
        "CartPole-v1",
        "--steps",
        str(steps),
        "--seed",
        str(seed),
        "--threads",
        "1",
        "--device",
        "cpu",
        "--quiet",
        *[a for k, v in HP.items() for a in ("--set", f"{k}={v}")],
    ]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return run_sps(runs_dir, newest_run(runs_dir, before))


def _query(steps: int, seed: int) -> str:
    q = {"env": "CartPole-v1", "algo": "dqn", "steps": steps, "seed": seed, "device": "cpu"}
    q.update(HP)
    return "&".join(f"{k}={v}" for k, v in q.items())


def _process_tree_cpu(root: int, skip: set[int] = frozenset()) -> tuple[float, set[int]]:
    """CPU seconds (user + system) of ``root`` and its descendants (Linux ``/proc``)."""
    kids: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    hz = os.sysconf("SC_CLK_TCK")
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (d / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if b"rlcore.service.worker" in cmd or fields[0] == "Z":
            continue  # the training worker (or a finished one) is measured, not overhead
        kids.setdefault(int(fields[1]), []).append(int(d.name))
        cpu[int(d.name)] = (int(fields[11]) + int(fields[12])) / hz
    seen, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in seen or pid in skip:
            continue
        seen.add(pid)
        todo += kids.get(pid, [])
    return sum(cpu.get(pid, 0.0) for pid in seen), seen


class BrowserApp:
    """A Streamlit server and a Chromium page watching the live view."""

    def __init__(self, runs_dir: Path, client_nice: bool = True) -> None:
        from playwright.sync_api import sync_playwright

        self.app = AppServer(runs_dir, log=None)
        self.server, self.url = self.app.proc, self.app.url
        exe = CHROMIUM
        if client_nice:
            exe = str(runs_dir / "chromium-nice")
            # Playwright starts the browser in its own session, hence its own scheduler
            # autogroup on Linux: ``nice`` alone only ranks it within that group, so the
            # group's priority is lowered too.
            Path(exe).write_text(
                "#!/bin/sh\necho 19 > /proc/self/autogroup 2>/dev/null\n"
                f'exec nice -n 19 {CHROMIUM} "$@"\n'
            )
            os.chmod(exe, 0o755)
        self.pw = sync_playwright().start()
        self.browser = launch_chromium(self.pw, exe)

    def once(self, runs_dir: Path, steps: int, seed: int) -> float:
        before = existing(runs_dir)
        page = self.browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{self.url}/train?{_query(steps, seed)}")
        page.locator(".st-key-train_start button").click()
        t0, (srv0, _), client0 = time.time(), *self._cpu()
        page.get_by_text("finished — step").wait_for(timeout=3_600_000)
        t1, (srv1, _), client1 = time.time(), *self._cpu()
        page.get_by_test_id("stPlotlyChart").nth(1).wait_for(timeout=600_000)  # it drew charts
        page.close()
        self.overhead = (100 * (srv1 - srv0) / (t1 - t0), 100 * (client1 - client0) / (t1 - t0))
        return run_sps(runs_dir, newest_run(runs_dir, before))

    def _cpu(self) -> tuple[tuple[float, set[int]], float]:
        """CPU seconds so far of the server's processes and of the browser's."""
        server = _process_tree_cpu(self.server.pid)
        mine, _ = _process_tree_cpu(os.getpid(), skip=server[1])  # me, Playwright, Chromium
        own = os.times()
        return server, mine - own.user - own.system

    def close(self) -> None:
        self.browser.close()
        self.pw.stop()
        self.app.stop()


class AppTestApp:
    """The Train page driven by AppTest: a full page rerun once a second while training."""

    def __init__(self, runs_dir: Path, client_nice: bool = True) -> None:
        os.environ["RLCORE_RUNS_DIR"] = str(runs_dir)

    def once(self, runs_dir: Path, steps: int, seed: int) -> float:
        from streamlit.testing.v1 import AppTest

        before = existing(runs_dir)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page("pages/train.py")
        for k, v in (("steps", steps), ("seed", seed), ("device", "cpu"), *HP.items()):
            at.query_params[k] = str(v)
        at.run()
        at.button(key="train_start").click().run()
        while True:
            time.sleep(1.0)
            at.run()
            if any("finished" in p.proto.text for p in at.get("progress")):
                break
        return run_sps(runs_dir, newest_run(runs_dir, before))

    def close(self) -> None:
        pass


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--driver", choices=("browser", "apptest"), default=None)
    p.add_argument(
        "--client-priority",
        choices=("low", "normal"),
        default="low",
        help="CPU priority of the browser (low = nice 19, like a separate machine)",
    )
    p.add_argument("--check", action="store_true", help="exit 1 if the app is >10%% slower")
    args = p.parse_args()
    driver = args.driver or ("browser" if os.path.exists(CHROMIUM) else "apptest")
    runs_dir = Path(tempfile.mkdtemp(prefix="app-vs-cli-"))
    app = (BrowserApp if driver == "browser" else AppTestApp)(
        runs_dir, client_nice=args.client_priority == "low"
    )
    cli_sps, app_sps = [], []
    try:
        for r in range(args.rounds):
            cli_sps.append(cli_once(runs_dir, args.steps, seed=r))
            app_sps.append(app.once(runs_dir, args.steps, seed=r))
            extra = ""
            if getattr(app, "overhead", None):
                extra = "   (while watching: server {:.0f}%, browser {:.0f}% of a core)".format(
                    *app.overhead
                )
            print(
                f"round {r + 1}: cli {cli_sps[-1]:8.0f} steps/s   "
                f"app ({driver}) {app_sps[-1]:8.0f} steps/s{extra}",
                flush=True,
            )
    finally:
        app.close()
    cli, app_m = statistics.median(cli_sps), statistics.median(app_sps)
    ratio = app_m / cli
    print(
        f"\nDQN CartPole-v1, {args.steps} steps, 1 thread, {args.rounds} rounds, "
        f"{os.cpu_count()} CPU cores, load {os.getloadavg()[0]:.1f}, "
        f"client priority {args.client_priority}\n"
        f"median steps/s: cli {cli:.0f}, app {app_m:.0f} -> app/cli = {ratio:.3f} "
        f"({'within' if ratio >= 0.9 else 'OUTSIDE'} the 10% target)"
    )
    return 1 if args.check and ratio < 0.9 else 0


if __name__ == "__main__":
    sys.exit(main())
