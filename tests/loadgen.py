"""Several browser sessions training at once against one real server, measured.

What ``tests/test_load_browser.py`` asserts and ``benchmarks/load.py`` reports: N
Chromium contexts (separate sessions: own cookies, own websocket) open the Train page
with a short run in the URL and press Start within a second or two of each other, then
keep their live views open until every run has ended. Meanwhile a thread polls the
server's health endpoint and its resident memory. The report holds what came out:

- each session's run id and the run's final status in the runs folder;
- which sessions saw a queue position (``Queued: position n``: more runs than workers);
- any other session's run id seen on a session's page (must never happen);
- health latencies (every poll, failures counted), the server's RSS after a warm-up
  page load (baseline), its peak during the load, and after the sessions have closed.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
import urllib.request
from dataclasses import dataclass, field

from appserver import AppServer, idle, main_text, rss_mb, screenshots
from rlcore.service.runs import TERMINAL, RunStore

RUN_ID = r"Run (\S+-dqn-CartPole-v1-\S+)"
QUEUED = re.compile(r"Queued: position \d+")


def train_url(base: str, steps: int, seed: int) -> str:
    """The Train page set up, through its URL, for a small CartPole DQN of ``steps`` steps."""
    return (
        f"{base}/train?env=CartPole-v1&algo=dqn&hidden=64&steps={steps}&seed={seed}"
        "&eval_every=1000&log_every=250"
    )


class HealthProbe(threading.Thread):
    """Polls ``/_stcore/health`` every ``interval`` s; records latencies and the server's RSS."""

    def __init__(self, url: str, pid: int, interval: float = 0.2, timeout: float = 10.0):
        super().__init__(name="health-probe", daemon=True)
        self.url, self.pid, self.interval, self.timeout = url, pid, interval, timeout
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.rss_peak = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(
                    f"{self.url}/_stcore/health", timeout=self.timeout
                ) as r:
                    body = r.read()
                if body != b"ok":
                    self.failures.append(f"answered {body[:40]!r}")
            except OSError as e:
                self.failures.append(f"{type(e).__name__}: {e}")
            self.latencies.append(time.perf_counter() - t0)
            self.rss_peak = max(self.rss_peak, rss_mb(self.pid) or 0.0)
            self._done.wait(max(0.0, self.interval - (time.perf_counter() - t0)))

    def stop(self) -> None:
        self._done.set()
        self.join(self.timeout + 5)


@dataclass
class LoadReport:
    """What one load run measured (see the module docstring)."""

    sessions: int
    steps: int
    max_workers: int
    run_ids: list[str] = field(default_factory=list)  # session i's run
    statuses: dict[str, str] = field(default_factory=dict)  # run id -> final status
    saw_queue: list[int] = field(default_factory=list)  # sessions shown a queue position
    foreign: dict[int, list[str]] = field(default_factory=dict)  # others' ids on a page
    latencies: list[float] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    rss_baseline: float = 0.0
    rss_peak: float = 0.0
    rss_after: float = 0.0
    wall_s: float = 0.0  # from the first Start to the last run's end

    @property
    def finished(self) -> int:
        return sum(s == "finished" for s in self.statuses.values())

    def latency(self, q: float) -> float:
        """The ``q`` quantile of the health latencies, in seconds."""
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")

    def figures(self) -> dict:
        """The numbers, JSON-ready."""
        return {
            "sessions": self.sessions,
            "steps_per_run": self.steps,
            "max_workers": self.max_workers,
            "runs_finished": self.finished,
            "statuses": self.statuses,
            "sessions_shown_a_queue_position": len(self.saw_queue),
            "foreign_run_ids_seen": sum(len(v) for v in self.foreign.values()),
            "health_polls": len(self.latencies),
            "health_failures": len(self.health_failures),
            "health_latency_s": {
                "p50": round(self.latency(0.5), 4),
                "p95": round(self.latency(0.95), 4),
                "max": round(max(self.latencies, default=float("nan")), 4),
                "mean": round(statistics.fmean(self.latencies), 4) if self.latencies else None,
            },
            "server_rss_mb": {
                "baseline": round(self.rss_baseline, 1),
                "peak": round(self.rss_peak, 1),
                "after": round(self.rss_after, 1),
            },
            "wall_s": round(self.wall_s, 1),
        }

    def summary(self) -> str:
        """One paragraph for ``pytest -s`` and the benchmark's output."""
        f = self.figures()
        h, m = f["health_latency_s"], f["server_rss_mb"]
        return (
            f"{self.sessions} browser sessions at once, {self.max_workers} workers: "
            f"{self.finished}/{len(self.run_ids)} runs finished in {self.wall_s:.0f} s, "
            f"{len(self.saw_queue)} sessions shown a queue position, "
            f"{f['foreign_run_ids_seen']} foreign run ids seen\n"
            f"health: {len(self.latencies)} polls, {len(self.health_failures)} failed, latency "
            f"p50 {h['p50'] * 1000:.0f} ms, p95 {h['p95'] * 1000:.0f} ms, "
            f"max {h['max'] * 1000:.0f} ms\n"
            f"server RSS: baseline {m['baseline']:.0f} MB, peak {m['peak']:.0f} MB, "
            f"after {m['after']:.0f} MB ({m['after'] - m['baseline']:+.0f} MB)"
        )


def run_load(
    server: AppServer,
    browser,
    sessions: int,
    steps: int = 3000,
    max_workers: int = 2,
    timeout: float = 600.0,
    settle_s: float = 3.0,
) -> LoadReport:
    """Drive ``sessions`` browser sessions, each training one run, until all runs end.

    ``max_workers`` is the server's ``RLCORE_MAX_WORKERS`` (for the report). Screenshots
    of every page go to ``test-artifacts/load_*.png`` if anything fails.
    """
    store = RunStore(server.runs_dir)
    report = LoadReport(sessions, steps, max_workers)

    # Warm-up: the first Train page imports torch, gymnasium, pandas and plotly.
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(train_url(server.url, steps, 0))
    page.locator(".st-key-train_start button").wait_for(timeout=120_000)
    idle(page, timeout=120_000)
    ctx.close()
    time.sleep(settle_s)
    report.rss_baseline = rss_mb(server.pid) or 0.0

    probe = HealthProbe(server.url, server.pid)
    probe.start()
    viewport = {"width": 1200, "height": 1000}
    contexts = [browser.new_context(viewport=viewport) for _ in range(sessions)]
    pages = [c.new_page() for c in contexts]
    try:
        for i, p in enumerate(pages):
            p.goto(train_url(server.url, steps, seed=i))
        for p in pages:
            p.locator(".st-key-train_start button").wait_for(timeout=120_000)
            idle(p, timeout=120_000)
        t0 = time.monotonic()
        for p in pages:  # all Starts within a second or two: more runs than workers
            p.locator(".st-key-train_start button").click()
        deadline = time.monotonic() + timeout
        ids: list[str | None] = [None] * sessions
        while time.monotonic() < deadline:
            for i, p in enumerate(pages):
                text = main_text(p)
                if QUEUED.search(text) and i not in report.saw_queue:
                    report.saw_queue.append(i)
                if ids[i] is None:
                    m = re.search(RUN_ID, text)
                    ids[i] = m.group(1) if m else None
                for j, other in enumerate(ids):
                    if j != i and other and other in text:
                        report.foreign.setdefault(i, []).append(other)
            if all(ids) and all(store.status(r).get("status") in TERMINAL for r in ids):
                break
            time.sleep(0.2)
        report.wall_s = time.monotonic() - t0
        report.run_ids = [r for r in ids if r]
        report.statuses = {r: store.status(r).get("status", "?") for r in report.run_ids}
        # Each page ends on its own run, finished, and nobody else's anywhere on it.
        for i, p in enumerate(pages):
            if ids[i] is None:
                continue
            p.get_by_text("finished — step").first.wait_for(timeout=60_000)
            body = p.locator("body").inner_text()
            for j, other in enumerate(ids):
                if j != i and other and other in body:
                    report.foreign.setdefault(i, []).append(other)
    except BaseException:
        screenshots({f"session{i}": p for i, p in enumerate(pages)}, "load")
        raise
    finally:
        for c in contexts:
            c.close()
        time.sleep(settle_s)  # let the server drop the sessions' websockets
        probe.stop()
    report.latencies, report.health_failures = probe.latencies, probe.failures
    report.rss_peak = max(probe.rss_peak, report.rss_baseline)
    report.rss_after = rss_mb(server.pid) or 0.0
    return report
