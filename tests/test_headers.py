"""Security headers of the public demo, and link text in a real browser (issue 28, 8 and 9).

Streamlit 1.67 has no setting for response headers, so the image serves the app through
``deploy/serve.py`` (Streamlit's own ``st.App`` with a small ASGI middleware). Here the
Dockerfile's exact command and environment (hosted profile) run on a free loopback port,
and real requests check:

- every response (the page, the health check, a script, a page's route) carries the CSP
  with ``frame-ancestors 'none'``, ``X-Frame-Options: DENY`` and ``nosniff``;
- Chromium loads the app through it (the websocket works: the script run ends) on pages
  with charts, with no CSP violation reported;
- another site cannot frame it;
- link parameters with markdown (an outside link, an image, a bare URL, maths) show as
  plain text: no ``<a href="https://evil.example...">``, no request for the image.
"""

import base64
import hashlib
import re
import urllib.parse
import urllib.request

import pytest
from test_deploy import image_server

from appserver import idle, launch_chromium, require_browser, wait_text

LOGIN = "[Log in to keep your runs](https://evil.example/login)"
TRACK = "![t](http://host/track.png)"
BARE = "see https://evil.example/bare and www.evil.example"
MATH = "$\\href{https://evil.example/tex}{x}$"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with image_server(tmp_path_factory.mktemp("deploy")) as server:
        yield server.url


def headers_of(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        r.read()
        return {k.lower(): v for k, v in r.headers.items()}


def csp_directives(policy: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in policy.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_every_response_carries_the_security_headers(deployed):
    with urllib.request.urlopen(deployed + "/", timeout=10) as r:
        index = r.read().decode()
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', index).group(1)
    for path in ("/", "/_stcore/health", f"/{script}", "/train?env=CartPole-v1"):
        h = headers_of(deployed + path)
        assert h.get("x-frame-options") == "DENY", (path, h)
        assert h.get("x-content-type-options") == "nosniff", (path, h)
        csp = csp_directives(h.get("content-security-policy", ""))
        assert csp.get("frame-ancestors") == ["'none'"], (path, h)
        assert csp.get("default-src") == ["'self'"] and csp.get("object-src") == ["'none'"]
        assert "'unsafe-eval'" not in h["content-security-policy"]
        assert set(csp["img-src"]) <= {"'self'", "data:", "blob:"}  # no outside image


def test_streamlits_inline_script_is_allowed_by_its_hash(deployed):
    with urllib.request.urlopen(deployed + "/", timeout=10) as r:
        index = r.read().decode()
        csp = csp_directives(r.headers["content-security-policy"])
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", index, re.S)
    assert inline  # if Streamlit drops it, the hash goes with it
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"]


def test_a_space_may_name_the_site_that_frames_it(tmp_path):
    """A Hugging Face Space shows the app in an iframe on huggingface.co."""
    with image_server(tmp_path, RLCORE_FRAME_ANCESTORS="https://huggingface.co") as server:
        h = headers_of(server.url + "/")
    assert csp_directives(h["content-security-policy"])["frame-ancestors"] == [
        "https://huggingface.co"
    ]
    assert "x-frame-options" not in h  # it cannot name a site; browsers follow the CSP


def test_a_bad_frame_ancestors_value_stops_the_server_in_one_line(tmp_path):
    bad = "https://a.example; script-src *"
    with pytest.raises(RuntimeError) as e:
        with image_server(tmp_path, RLCORE_FRAME_ANCESTORS=bad):
            pass
    said = [x for x in str(e.value).splitlines() if "RLCORE_FRAME_ANCESTORS" in x]
    assert said and said[0].startswith("error: RLCORE_FRAME_ANCESTORS = "), str(e.value)
    assert "Traceback" not in str(e.value)


# -- Chromium ------------------------------------------------------------------------------
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context()
    ctx.add_init_script(WATCH_CSP)
    p = ctx.new_page()
    p.console_messages = []
    p.outside = []  # requests that left the server
    p.on("console", lambda m: p.console_messages.append(m.text))
    p.on("request", lambda r: "127.0.0.1" not in r.url and p.outside.append(r.url))
    yield p
    ctx.close()


def violations(page) -> list[str]:
    seen = page.evaluate("window.__csp || []")
    said = [m for m in page.console_messages if "Content Security Policy" in m]
    return seen + said


@pytest.mark.parametrize("path", ["/", "/learn_value", "/train?env=CartPole-v1&algo=dqn"])
def test_the_app_loads_through_it_with_no_csp_violation(deployed, page, path):
    page.goto(deployed + path)
    idle(page, 90_000)  # the websocket works: the script ran and finished
    # a fresh server's first page can be idle a moment before its content is drawn
    wait_text(page, r"\S", timeout=60)
    page.wait_for_timeout(1500)  # charts draw after the run
    assert violations(page) == [], violations(page)
    assert page.outside == [], page.outside


def test_another_site_cannot_frame_it(deployed, page):
    page.set_content(f'<iframe id="f" src="{deployed}/" width="800" height="600"></iframe>')
    page.wait_for_timeout(3000)
    framed = [f for f in page.frames if f != page.main_frame]
    assert framed
    for f in framed:
        assert f.url.startswith("chrome-error://") or f.url == "about:blank", f.url
        assert f.query_selector("[data-testid=stApp]") is None


@pytest.mark.parametrize("payload", [LOGIN, TRACK, BARE, MATH])
def test_link_markdown_shows_as_plain_text(deployed, page, payload):
    page.goto(f"{deployed}/train?env={urllib.parse.quote(payload)}")
    idle(page, 90_000)
    alert = page.get_by_test_id("stAlert").filter(has_text="unknown environment")
    alert.first.wait_for(timeout=30_000)
    shown = alert.first.inner_text().replace("\u2060", "")
    assert payload.replace("\\href", "href").split("{")[0].strip("$") in shown.replace("\\", "")
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="track.png"]').count() == 0
    assert page.locator(".katex").count() == 0
    assert page.outside == [], page.outside
    assert violations(page) == [], violations(page)
