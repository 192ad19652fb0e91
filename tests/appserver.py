"""Start the real app (``python -m streamlit run app.py``) for tests and benchmarks.

One place for what the browser test, the load test, the shutdown test and the benchmarks
all need: a Streamlit server on a free port with its own runs folder, waiting for its
health endpoint; Chromium launched by Playwright with the flags that work in a container;
a few page helpers; the resident memory of a process. ``rlcore`` never imports this.

Tests import it as ``appserver`` (``tests/`` is on ``sys.path`` under pytest); benchmarks
put ``tests/`` on ``sys.path`` first.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int | str = "self") -> float | None:
    """Resident memory of a process in MB (``VmRSS``), or ``None`` once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def health(url: str, timeout: float = 2.0) -> bool:
    """Whether ``/_stcore/health`` answers ``ok`` now."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
            return r.read() == b"ok"
    except OSError:
        return False


class AppServer:
    """A Streamlit server running ``app.py`` on a free port; a context manager.

    Args:
        runs_dir: its ``RLCORE_RUNS_DIR`` (created if missing).
        env: extra environment variables (e.g. ``{"RLCORE_MAX_WORKERS": "2"}``).
        log: file for the server's output (default ``runs_dir/server.log``; ``None``
            discards it).
        start_timeout: seconds to wait for the health endpoint.
    """

    def __init__(
        self,
        runs_dir: str | Path,
        env: dict[str, str] | None = None,
        log: str | Path | None = "",
        start_timeout: float = 90.0,
    ) -> None:
        self.runs_dir = Path(runs_dir)
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = None if log is None else Path(log or self.runs_dir / "server.log")
        out = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        full_env = {**os.environ, "RLCORE_RUNS_DIR": str(self.runs_dir), **(env or {})}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(self.port),
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        if out is not subprocess.DEVNULL:
            out.close()  # the child holds its own copy
        try:
            self._wait_healthy(start_timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        """What the server printed so far (empty if discarded)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.time() + timeout
        while not health(self.url):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("streamlit did not start:\n" + self.log()[-5000:])
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        """Pids of the workers this server's queue holds as active (from the queue files)."""
        pids = []
        for ticket in (self.runs_dir / ".queue" / "active").glob("*.json"):
            try:
                pids.append(int(json.loads(ticket.read_text())["pid"]))
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return pids

    def stop_workers(self) -> None:
        """SIGTERM every worker this server started that is still alive (by its pid)."""
        for pid in self.worker_pids():
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass

    def stop(self, timeout: float = 15.0) -> int | None:
        """Terminate the server (SIGTERM, then SIGKILL), then any worker left; its exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stop_workers()
        return self.proc.returncode

    def __enter__(self) -> AppServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- the browser ------------------------------------------------------------------------
def require_browser() -> None:
    """Skip (fail under ``CI=true``) when Chromium or Playwright is missing."""
    import pytest

    def need(ok: bool, why: str) -> None:
        if ok:
            return
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run: {why}", pytrace=False)
        pytest.skip(why)

    need(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        need(False, "playwright is not installed: pip install playwright")


def launch_chromium(pw, executable: str = CHROMIUM):
    """``pw.chromium.launch`` of Debian's Chromium with the container-friendly flags."""
    return pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def idle(page, timeout: float = 60_000) -> None:
    """Wait until the page's script run is over."""
    page.wait_for_selector(IDLE, timeout=timeout)


def main_text(page) -> str:
    """The text of the page's main area."""
    return page.get_by_test_id("stMain").inner_text()


def wait_text(page, pattern: str, timeout: float = 90):
    """Wait for ``pattern`` in the main area; its match (AssertionError after ``timeout``)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, main_text(page))
        if m:
            return m
        time.sleep(0.3)
    raise AssertionError(f"{pattern!r} never appeared:\n{main_text(page)[:3000]}")


def screenshots(pages: dict[str, object], prefix: str) -> None:
    """Save a full-page screenshot of each page to ``test-artifacts/`` (best effort)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for name, page in pages.items():
        try:
            page.screenshot(path=str(ARTIFACTS / f"{prefix}_{name}.png"), full_page=True)
        except Exception:
            pass
