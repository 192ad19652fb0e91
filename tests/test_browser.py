"""The app in a real browser (Playwright driving Debian's Chromium).

Opens the app, visits every page, starts a short CartPole run from the Train page, sees
the live chart update, stops the run, and finds it on the Compare page; a second browser
session trains at the same time and sees only its own run. Screenshots of every open
page go to ``test-artifacts/`` when something fails.

Needs ``/usr/bin/chromium`` (``apt-get install chromium``) and ``pip install playwright``:
under ``CI=true`` their absence fails the test; elsewhere it skips.
"""

import re
import time

import pytest

from appserver import AppServer, idle, launch_chromium, main_text, require_browser, wait_text
from appserver import screenshots as save_screenshots

LONG = 1_000_000  # steps of session A's run: on a loaded machine 40k could end before Stop


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A Streamlit server on a free port with its own runs folder; stopped afterwards."""
    require_browser()
    with AppServer(tmp_path_factory.mktemp("runs"), env={"RLCORE_MAX_WORKERS": "2"}) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


def no_exception(page):
    assert page.get_by_test_id("stException").count() == 0, main_text(page)[:2000]


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
        run_a = start_run(a, app_url, LONG)  # stopped by the test, never done by itself
        a.get_by_test_id("stPlotlyChart").first.wait_for(timeout=60_000)
        first = int(wait_text(a, r"step ([\d,]+) / 1,000,000").group(1).replace(",", ""))
        chart = a.get_by_test_id("stPlotlyChart").first.inner_html()
        deadline = time.time() + 60
        while time.time() < deadline:
            step = int(wait_text(a, r"step ([\d,]+) / 1,000,000").group(1).replace(",", ""))
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
        save_screenshots({"session_a": a, "session_b": b}, "browser")
        raise
    finally:
        a_ctx.close()
        b_ctx.close()


@pytest.fixture(scope="module")
def offline_url(tmp_path_factory):
    """A server whose datasets folder holds one small Pendulum dataset."""
    require_browser()
    from rlcore.train import collect

    data = tmp_path_factory.mktemp("datasets")
    mp = pytest.MonkeyPatch()
    mp.setenv("RLCORE_DATASETS_DIR", str(data))
    ds_id = collect.build_dataset("Pendulum-v1", "random", 400, expert_steps=300)
    mp.undo()
    env = {"RLCORE_MAX_WORKERS": "2", "RLCORE_DATASETS_DIR": str(data)}
    with AppServer(tmp_path_factory.mktemp("runs"), env=env) as server:
        yield server.url, ds_id


def test_offline_page_trains_on_a_dataset_and_compares(offline_url, browser):
    url, ds_id = offline_url
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_viewport_size({"width": 1400, "height": 1200})
    try:
        page.goto(
            f"{url}/offline?dataset={ds_id}&algo=iql&steps=400&eval_every=200"
            "&eval_episodes=1&log_every=50&hidden=32"
        )
        page.locator(".st-key-offline_start button").wait_for(timeout=60_000)
        idle(page)
        assert ds_id in main_text(page)  # the dataset's caption: size and returns
        page.locator(".st-key-offline_start button").click()
        wait_text(page, r"Run (\S+-iql-Pendulum-v1-\S+)")
        wait_text(page, r"finished — step 400 / 400")
        for title in ("Normalised score", "Policy weights", "dataset mean"):
            page.get_by_text(title).first.wait_for(timeout=30_000)
        no_exception(page)
        page.goto(f"{url}/compare?dataset={ds_id}")
        wait_text(page, r"1 of 1 runs shown")
        page.get_by_text(f"Algorithms on {ds_id}").first.wait_for(timeout=30_000)
        no_exception(page)
    except BaseException:
        save_screenshots({"offline": page}, "browser_offline")
        raise
    finally:
        ctx.close()


def test_search_mode_runs_a_tiny_study_and_opens_the_best(app_url, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_viewport_size({"width": 1400, "height": 1400})
    try:
        page.goto(
            f"{app_url}/train?env=CartPole-v1&algo=dqn&preset=false&steps=400&eval_every=100"
            "&eval_episodes=2&learning_starts=100&hidden=8&mode=search&search=lr,gamma"
            "&trials=3&seeds=1"
        )
        start = page.locator(".st-key-train_search_start button")
        start.wait_for(timeout=60_000)
        idle(page)
        # tick one more hyperparameter, edit a range: both go into the URL
        box = page.locator(".st-key-train_search_params input")
        box.fill("batch_size")
        box.press("Enter")
        page.locator(".st-key-hp_dqn_range_batch_size input").wait_for(timeout=30_000)
        page.wait_for_url(re.compile("search=lr%2Cgamma%2Cbatch_size"))
        idle(page)
        lr_range = page.locator(".st-key-hp_dqn_range_lr input")
        lr_range.fill("1e-4:1e-2")
        lr_range.press("Enter")
        page.wait_for_url(re.compile("ranges=lr"))
        idle(page)
        assert page.locator(".st-key-hp_dqn_lr").get_by_role("slider").is_disabled()
        start.click()
        name = wait_text(page, r"Study (dqn-CartPole-v1-[\d-]+)").group(1)
        page.wait_for_url(re.compile(f"study={name}"))
        # the trials table and Optuna's figures update while the study runs
        page.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)
        wait_text(page, r"[12] of 3 trials done", timeout=240)  # two trials at a time
        charts = page.get_by_test_id("stPlotlyChart")
        charts.nth(1).wait_for(timeout=60_000)
        first = charts.first.inner_html()
        wait_text(page, r"3 of 3 trials done", timeout=240)
        wait_text(page, r"finished")
        deadline = time.time() + 30
        while charts.first.inner_html() == first and time.time() < deadline:
            time.sleep(0.5)
        assert charts.first.inner_html() != first  # the history gained the last trial
        assert charts.count() >= 3
        no_exception(page)
        # "Train the best": the Train page with the best configuration in its URL
        idle(page)  # the study's end reruns the page once: click after it
        page.get_by_role("button", name="Train the best").click()
        page.locator(".st-key-train_start button").wait_for(timeout=60_000)
        idle(page)
        assert "mode=search" not in page.url and "lr=" in page.url
        no_exception(page)
    except BaseException:
        save_screenshots({"search": page}, "browser_search")
        raise
    finally:
        ctx.close()


def test_train_ppo_shows_its_clipping_and_kl_panels(app_url, browser):
    """PPO from the Train page: the live insides include the ratio-clipping and KL panels."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_viewport_size({"width": 1400, "height": 1600})
    try:
        page.goto(
            f"{app_url}/train?env=CartPole-v1&algo=ppo&hidden=32&n_envs=4&n_steps=64"
            "&batch_size=64&n_epochs=4&steps=2048&eval_every=1024&log_every=256"
        )
        # a cold server imports torch first: on a loaded machine that can take a while
        page.locator(".st-key-train_start button").wait_for(timeout=180_000)
        idle(page)
        page.locator(".st-key-train_start button").click()
        wait_text(page, r"Run (\S+-ppo-CartPole-v1-\S+)")
        wait_text(page, r"finished — step [\d,]+ / 2,048", timeout=240)
        for title in ("Probability ratio and clipping (PPO)", "Policy change: KL"):
            page.get_by_text(title).first.wait_for(timeout=30_000)
        no_exception(page)
    except BaseException:
        save_screenshots({"ppo": page}, "browser_ppo")
        raise
    finally:
        ctx.close()
