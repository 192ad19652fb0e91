"""The app in a real browser (Playwright driving Debian's Chromium).

Opens the app, visits every page, starts a short CartPole run from the Train page, sees
the live chart update, stops the run, and finds it on the Compare page; a second browser
session trains at the same time and sees only its own run. Screenshots of every open
page go to ``test-artifacts/`` when something fails.

Needs ``/usr/bin/chromium`` (``apt-get install chromium``) and ``pip install playwright``:
under ``CI=true`` their absence fails the test; elsewhere it skips.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def _require(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser test cannot run: {why}", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A Streamlit server on a free port with its own runs folder; stopped afterwards."""
    _require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _require(False, "playwright is not installed: pip install playwright")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runs = tmp_path_factory.mktemp("runs")
    env = dict(os.environ, RLCORE_RUNS_DIR=str(runs), RLCORE_MAX_WORKERS="2")
    log = open(runs / "server.log", "wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("streamlit did not start:\n" + (runs / "server.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        _stop_workers(runs)


def _stop_workers(runs: Path) -> None:
    """Kill any worker this test's server started that is still alive (by its pid)."""
    import json
    import signal

    for ticket in (runs / ".queue" / "active").glob("*.json"):
        try:
            os.kill(int(json.loads(ticket.read_text())["pid"]), signal.SIGTERM)
        except (OSError, ValueError, KeyError):
            pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def idle(page, timeout=60_000):
    page.wait_for_selector(IDLE, timeout=timeout)


def main_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def no_exception(page):
    assert page.get_by_test_id("stException").count() == 0, main_text(page)[:2000]


def wait_text(page, pattern, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, main_text(page))
        if m:
            return m
        time.sleep(0.3)
    raise AssertionError(f"{pattern!r} never appeared:\n{main_text(page)[:3000]}")


def start_run(page, url, steps):
    """Open the Train page with a small CartPole DQN, set the steps in the form, Start."""
    page.goto(f"{url}/train?env=CartPole-v1&algo=dqn&hidden=64&eval_every=1000&log_every=250")
    page.locator(".st-key-run_steps input").wait_for(timeout=60_000)
    idle(page)
    steps_box = page.locator(".st-key-run_steps input")
    steps_box.fill(str(steps))
    steps_box.press("Enter")
    page.wait_for_url(re.compile(f"steps={steps}"))  # the setup lives in the URL
    idle(page)
    page.locator(".st-key-train_start button").click()
    m = wait_text(page, r"Run (\S+-dqn-CartPole-v1-\S+)")
    return m.group(1)


def test_visit_every_page_train_live_stop_and_compare(app_url, browser):
    a_ctx, b_ctx = browser.new_context(), browser.new_context()
    a, b = a_ctx.new_page(), b_ctx.new_page()
    for p in (a, b):
        p.set_viewport_size({"width": 1400, "height": 1200})
    try:
        # Every page of the navigation opens without an exception.
        a.goto(app_url)
        # The router's navigation (a fresh server shows Streamlit's pages/ list first).
        a.get_by_test_id("stSidebarNav").get_by_text("Train an agent").wait_for(timeout=60_000)
        idle(a)
        nav = a.get_by_test_id("stSidebarNav")
        pages = nav.get_by_role("link").evaluate_all(
            "els => els.map(e => [e.getAttribute('href'), e.innerText.split('\\n').pop()])"
        )
        titles = {title: href for href, title in pages}
        assert {"Train an agent", "Algorithms", "Compare runs", "About"} <= set(titles)
        for href in titles.values():
            nav.locator(f'a[href="{href}"]').click()
            idle(a)
            no_exception(a)

        # Session A: a CartPole run from the Train page; the live chart updates.
        run_a = start_run(a, app_url, 40_000)
        a.get_by_test_id("stPlotlyChart").first.wait_for(timeout=60_000)
        first = int(wait_text(a, r"step ([\d,]+) / 40,000").group(1).replace(",", ""))
        chart = a.get_by_test_id("stPlotlyChart").first.inner_html()
        deadline = time.time() + 60
        while time.time() < deadline:
            step = int(wait_text(a, r"step ([\d,]+) / 40,000").group(1).replace(",", ""))
            if step > first and a.get_by_test_id("stPlotlyChart").first.inner_html() != chart:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the live view did not update")

        # Switching pages and reloading the browser neither stop nor lose the run.
        nav.locator(f'a[href="{titles["About"]}"]').click()
        idle(a)
        nav.locator(f'a[href="{titles["Train an agent"]}"]').click()
        wait_text(a, re.escape(f"Run {run_a}"))
        a.reload()
        wait_text(a, re.escape(f"Run {run_a}"))
        wait_text(a, r"running — step")

        # Session B trains at the same time and sees only its own run.
        run_b = start_run(b, app_url, 3000)
        assert run_b != run_a
        assert run_a not in main_text(b)
        assert run_b not in main_text(a)

        # Stop A; its status says so.
        a.locator(".st-key-live_stop button").click()
        wait_text(a, r"stopped — step")
        no_exception(a)
        wait_text(b, r"finished — step 3,000 / 3,000")

        # Both runs are on the Compare page.
        nav.locator(f'a[href="{titles["Compare runs"]}"]').click()
        idle(a)
        wait_text(a, r"2 of 2 runs shown")
        a.get_by_test_id("stDataFrame").wait_for()
        no_exception(a)

        # Switching the language keeps the setup (radio values travel as their labels).
        b.goto(f"{app_url}/train?mode=seeds&seeds=2")
        b.locator(".st-key-train_seeds").wait_for(timeout=60_000)
        idle(b)
        b.get_by_test_id("stSidebar").get_by_role("combobox").first.click()
        b.get_by_text("简体中文").click()
        b.get_by_text("训练智能体").first.wait_for()
        idle(b)
        steps_box = b.locator(".st-key-run_steps input")
        steps_box.fill("4000")
        steps_box.press("Enter")
        b.wait_for_url(re.compile("steps=4000"))
        idle(b)
        assert b.locator(".st-key-train_seeds").count() == 1 and "mode=seeds" in b.url
        no_exception(b)
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        for name, p in (("session_a", a), ("session_b", b)):
            try:
                p.screenshot(path=str(ARTIFACTS / f"browser_{name}.png"), full_page=True)
            except Exception:
                pass
        raise
    finally:
        a_ctx.close()
        b_ctx.close()
