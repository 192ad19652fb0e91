"""The Population (PBT) mode in a real browser (Playwright driving Debian's Chromium).

Opens the Train page in Population mode with a tiny CartPole DQN (3 members, 1,500 steps,
a ready point every 250), starts it, and sees the population's charts drawn while and
after it trains: each member's lr as a step line, the lineage's arrows, the best member's
schedule. The hyperparameter chart is saved as ``test-artifacts/pbt_browser_hp.png`` (the
picture is the check a person looks at); every open page on failure.

Needs ``/usr/bin/chromium`` and ``pip install playwright`` (see ``tests/test_browser.py``).
"""

import re

import pytest

from appserver import ARTIFACTS, AppServer, idle, launch_chromium, require_browser, wait_text
from appserver import screenshots as save_screenshots

URL = (
    "/train?env=CartPole-v1&algo=dqn&preset=false&steps=1500&eval_every=250&eval_episodes=2"
    "&learning_starts=100&hidden=8&mode=pbt&evolve=lr,gamma&members=3&interval=250"
    "&quantile=0.5"
)
STEP_PATH = re.compile(r"^M[-\d.e]+,[-\d.e]+([HV][-\d.e]+)+$")  # a line_shape="hv" trace


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    require_browser()
    with AppServer(tmp_path_factory.mktemp("runs"), env={"RLCORE_MAX_WORKERS": "1"}) as server:
        yield server.url


def test_population_mode_trains_and_draws_the_hyperparameters_over_time(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context().new_page()
        page.set_viewport_size({"width": 1400, "height": 1600})
        try:
            _run(page, app_url)
        except BaseException:
            save_screenshots({"pbt": page}, "pbt_browser")
            raise
        finally:
            browser.close()


def _run(page, url):
    page.goto(url + URL)
    start = page.locator(".st-key-train_start button")
    start.wait_for(timeout=60_000)
    idle(page)
    wait_text(page, r"3 members train together in one process")
    assert start.is_enabled()
    start.click()
    wait_text(page, r"Population-based training", timeout=60)
    wait_text(page, r"Best member: \d+\*?\*? \(final evaluation return", timeout=240)
    idle(page)
    hp = page.get_by_test_id("stPlotlyChart").filter(has_text="lr of each member over steps")
    hp.wait_for(timeout=30_000)
    paths = hp.locator("g.scatterlayer path.js-line")
    assert paths.count() == 3  # one step line per member
    ds = [paths.nth(i).get_attribute("d") for i in range(3)]
    assert all(STEP_PATH.match(d) for d in ds), ds
    assert any(d.count("V") >= 1 for d in ds)  # some member's lr moved at a ready point
    lineage = page.get_by_test_id("stPlotlyChart").filter(has_text="Lineage: who copied whom")
    assert lineage.locator("g.annotation").count() >= 1  # an arrow per copy
    ARTIFACTS.mkdir(exist_ok=True)
    hp.scroll_into_view_if_needed()
    hp.screenshot(path=str(ARTIFACTS / "pbt_browser_hp.png"))
    lineage.screenshot(path=str(ARTIFACTS / "pbt_browser_lineage.png"))
    assert page.get_by_test_id("stException").count() == 0
