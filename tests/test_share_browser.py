"""The two-session attack of issue 28 in a real browser, on the hosted profile.

On the image's own server (``deploy/serve.py``, hosted profile), visitor A starts a
run; visitor B (another browser context: other cookies) opens A's
link, as if A had shared it. Before the fix B could watch, stop, download and delete
A's run. Now B sees everything A sees of the run, says it is A's, and has no Stop, no
download and no Compare row of it; A keeps control across a refresh (the owner token
rides on the browser's cookie, not on the link) and stops the run.
"""

import re

import pytest
from test_deploy import image_server

from appserver import idle, launch_chromium, main_text, require_browser, wait_text
from appserver import screenshots as save_screenshots


@pytest.fixture(scope="module")
def hosted_url(tmp_path_factory):
    """The public demo as the image serves it (its command and environment: hosted)."""
    require_browser()
    with image_server(tmp_path_factory.mktemp("share"), RLCORE_MIN_FREE_MB="0") as server:
        yield server.url


def test_a_shared_link_is_a_read_only_view(hosted_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        a_ctx, b_ctx = browser.new_context(), browser.new_context()
        a, b = a_ctx.new_page(), b_ctx.new_page()
        for p in (a, b):
            p.set_viewport_size({"width": 1400, "height": 1200})
        try:
            a.goto(f"{hosted_url}/train?env=CartPole-v1&algo=dqn&hidden=32&steps=150000")
            a.locator(".st-key-train_start button").wait_for(timeout=90_000)
            idle(a)
            a.locator(".st-key-train_start button").click()
            run_id = wait_text(a, r"Run (\S+-dqn-CartPole-v1-\S+)").group(1)
            a.wait_for_url(re.compile(r"batch="))
            link = a.url
            a.locator(".st-key-live_stop button").wait_for(timeout=60_000)

            # A refreshes: still theirs (the cookie, not the link, says who A is)
            a.reload()
            idle(a)
            a.locator(".st-key-live_stop button").wait_for(timeout=60_000)
            assert "another visitor" not in main_text(a)

            # B opens A's link: the same run, read-only
            b.goto(link)
            wait_text(b, re.escape(run_id))
            wait_text(b, "You are watching runs another visitor started")
            idle(b)
            assert b.locator(".st-key-live_stop").count() == 0
            assert b.get_by_test_id("stException").count() == 0

            # B's Compare page does not list A's run (nothing there to tick and delete)
            b.goto(f"{hosted_url}/compare")
            idle(b)
            assert run_id not in main_text(b)

            # A stops it, and may take the weights away; B, on the link, still may not
            a.locator(".st-key-live_stop button").click()
            wait_text(a, r"Stopped|stopped", timeout=120)
            a.reload()
            idle(a)
            a.locator(".st-key-export_download").wait_for(timeout=60_000)
            b.goto(link)
            wait_text(b, "You are watching runs another visitor started")
            idle(b)
            assert b.locator(".st-key-export_download").count() == 0
            assert b.locator(".st-key-live_stop").count() == 0
            for p in (a, b):  # the live view, where Stop and the download would be
                p.get_by_test_id("stMain").get_by_text(run_id).first.scroll_into_view_if_needed()
            save_screenshots({"owner": a, "visitor": b}, "share")
        except BaseException:
            save_screenshots({"owner": a, "visitor": b}, "share_failed")
            raise
        finally:
            browser.close()
