"""Text from a link is text (issue 28, finding 8).

Every string a link or a user brings (URL parameters, dataset and file names, run labels,
rlcore's messages that quote the user's value) reaches the page through markdown: a
warning, a caption, a label. A link must not be able to write markdown there: no outside
link (``[Log in](https://evil.example/login)``), no image the browser fetches
(``![t](http://host/track.png)``), no raw HTML, no bare URL that GitHub-flavoured
markdown turns into a link, no ``$...$`` maths.

The app runs in AppTest with hostile values in every query parameter a page reads; every
markdown string of every element drawn is parsed with a CommonMark parser (markdown-it,
the rules react-markdown follows) plus GFM's bare-link patterns applied, as
``mdast-util-gfm-autolink-literal`` applies them, to the text after escapes are resolved
(so ``https\\://`` still links: Chromium showed it), and must contain no link, image,
HTML or maths that the payload brought. ``tests/test_headers.py`` checks the same
payloads in Chromium, in the real frontend, through the image's server. Counts of the
payloads tried and of the escapes (target: 0) go to ``test-artifacts/markdown_counts*.json``.
"""

import os
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox import write_counts
from streamlit.testing.v1 import AppTest

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
COUNTS: Counter = Counter()

LOGIN = "[Log in to keep your runs](https://evil.example/login)"
TRACK = "![t](http://host/track.png)"
PAYLOADS = [
    LOGIN,
    TRACK,
    '<img src="http://host/track.png">',
    "see https://evil.example/login now",
    "www.evil.example/login",
    "mail evil@evil.example",
    "<https://evil.example/auto>",
    "[ref]\n\n[ref]: https://evil.example/ref",
    "$\\href{https://evil.example}{x}$",
    ":red[alarm] **bold** `code` # head",
    "x\\](https://evil.example/esc)",
    "`` ` ``[a](https://evil.example/code)",
]

# page -> the query parameters it reads and may echo
PAGES = {
    "pages/train.py": ["env", "algo", "preset", "mode", "steps", "hidden", "seeds", "batch", "zz"],
    "pages/offline.py": ["dataset", "algo", "batch", "zz"],
    "pages/compare.py": ["dataset", "runs"],
    "pages/home.py": ["topic", "seen", "runs", "pred"],
    "pages/algorithms.py": ["algo"],
    "pages/datasets.py": ["zz"],
}


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    write_counts(COUNTS, "markdown_counts")


@pytest.fixture(autouse=True)
def _folders(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "datasets"))


# -- what markdown would make of a string ---------------------------------------------
_MD = None
# mdast-util-gfm-autolink-literal's patterns (JavaScript \w: ASCII only)
_AUTOLINK = re.compile(r"(?:https?://|www(?=\.))[-.\w]+[^ \t\r\n]*", re.I | re.A)
_EMAIL = re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.A)


def markdown_parser():
    global _MD
    if _MD is None:
        markdown_it = pytest.importorskip("markdown_it")
        _MD = markdown_it.MarkdownIt("commonmark").enable("strikethrough")
    return _MD


def _walk(tokens):
    for tok in tokens:
        yield tok
        yield from _walk(tok.children or [])


def injected(text: str) -> list[str]:
    """What the markdown ``text`` would render beyond plain text from a payload."""
    found = []
    for tok in _walk(markdown_parser().parse(text)):
        href = tok.attrGet("href") or tok.attrGet("src") or ""
        if tok.type in ("link_open", "image") and ("evil" in href or "host/" in href):
            found.append(f"{tok.type} {href}")
        if tok.type in ("html_inline", "html_block") and re.search(r"evil|track", tok.content):
            found.append(f"html {tok.content!r}")
        if tok.type == "text":
            # GFM links bare URLs and e-mail addresses found in the text *after* escapes
            # are resolved (mdast-util-gfm-autolink-literal): a backslash cannot stop them
            for m in _AUTOLINK.finditer(tok.content):
                if re.search(r"evil|host/", m.group(0)):
                    found.append(f"autolink {m.group(0).strip()}")
            for m in _EMAIL.finditer(tok.content):
                if "evil" in m.group(0):
                    found.append(f"email {m.group(0)}")
    # maths is found in the source (micromark): "\\$" is no delimiter
    if re.search(r"(?<!\\)\$[^$]*evil[^$]*(?<!\\)\$", text):
        found.append("math")
    return found


# What Streamlit shows as typed, never as markdown: a text box's value, its placeholder
PLAIN = {"value", "default", "placeholder", "id", "formId"}


def strings(at: AppTest):
    """Every markdown string of every element drawn (bodies, labels, help, options)."""
    from google.protobuf.json_format import MessageToDict

    def values(x):
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in PLAIN:
                    yield from values(v)
        elif isinstance(x, list):
            for v in x:
                yield from values(v)

    def nodes(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from nodes(child)

    for root in at._tree.children.values():
        for node in nodes(root):
            proto = getattr(node, "proto", None)
            if proto is not None and hasattr(proto, "DESCRIPTOR"):
                yield from values(MessageToDict(proto))


def open_page(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def check_page(page: str, query: dict[str, str]) -> list[str]:
    key = f"{page.split('/')[-1][:-3]}?{','.join(query)}"
    COUNTS[f"{key}:tried"] += 1
    at = open_page(page, query)
    assert not at.exception, at.exception
    bad = [(s[:120], f) for s in strings(at) for f in injected(s)]
    if bad:
        COUNTS[f"{key}:escaped"] += 1
    return bad


# -- the reproductions of the issue ----------------------------------------------------
def test_the_injection_check_sees_links_images_html_and_autolinks():
    assert injected(LOGIN) and injected(TRACK) and injected("<img src='http://host/track.png'>")
    assert injected("go to https://evil.example/x") and injected("www.evil.example")
    assert not injected("plain text, CartPole-v1, -700.0, lr = 0.001")


def test_a_login_link_in_env_shows_as_text():
    at = open_page("pages/train.py", {"env": LOGIN})
    shown = [w.value for w in at.warning]
    assert any("Log in to keep your runs" in w for w in shown), shown
    assert not [f for w in shown for f in injected(w)], shown


def test_an_image_in_env_is_not_fetched():
    at = open_page("pages/train.py", {"env": TRACK})
    shown = [w.value for w in at.warning]
    assert shown and not [f for w in shown for f in injected(w)], shown


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_echoed_parameter_of_every_page_is_text(page):
    bad = []
    for param in PAGES[page]:
        for payload in (LOGIN, f"{TRACK} see https://evil.example/login now"):
            bad += [(param, *b) for b in check_page(page, {param: payload})]
    assert not bad, bad


def test_field_values_quoted_by_rlcore_errors_are_text():
    """``steps=<payload>`` comes back in rlcore's ValueError: the notice quotes it as text."""
    bad = []
    for name in ("lr", "gamma", "learning_starts"):  # steps, hidden, seeds: above
        for payload in (LOGIN, TRACK):
            bad += [(name, *b) for b in check_page("pages/train.py", {name: payload})]
    assert not bad, bad


def mode_queries(payload: str) -> list[dict[str, str]]:
    """The search and sweep modes' own parameters, each carrying ``payload``."""
    return [
        {"mode": "search", "search": payload},
        {"mode": "search", "search": "lr", "ranges": f"lr={payload}"},
        {"mode": "search", "search": "lr", "trials": payload},
        {"mode": "search", "search": "lr", "sampler": payload},
        {"mode": "search", "search": "lr", "study": payload},
        {"mode": "sweep", "sweep": payload},
        {"mode": "sweep", "sweep": "lr", "values": payload},
        {"mode": "seeds", "seeds": payload},
    ]


@pytest.mark.parametrize("payload", [LOGIN, TRACK])
def test_search_and_sweep_parameters_are_text(payload):
    bad = []
    for query in mode_queries(payload):
        bad += [(query, *b) for b in check_page("pages/train.py", query)]
    assert not bad, bad


@settings(
    deadline=None,
    database=None,
    max_examples=max(1, int(12 * SCALE)),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    where=st.sampled_from([(p, q) for p, qs in PAGES.items() for q in qs]),
    payload=st.sampled_from(PAYLOADS),
    around=st.text(alphabet="ab \n*_[]()!<>`$\\:", max_size=6),
)
def test_hostile_markdown_in_any_parameter_stays_text(where, payload, around):
    page, param = where
    bad = check_page(page, {param: around + payload + around})
    assert not bad, (page, param, bad)


# -- the helper itself -------------------------------------------------------------------
def rendered(markdown: str) -> str:
    """The HTML a CommonMark renderer makes of ``markdown``, less the paragraph around it."""
    out = markdown_parser().render(markdown)
    return re.sub(r"^<p>(.*)</p>\n$", r"\1", out, flags=re.S)


PIECES = ["    ", *"ab1 -_.:/@!#*`~$|<>[]()&;\\\n{}+=", "https://", "www.", "&lt;", "- ", "1. "]


@settings(deadline=None, database=None, max_examples=max(1, int(400 * SCALE)))
@given(s=st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_md_text_shows_any_string_verbatim(s):
    import html

    from ui.safe import JOINER, md_text

    COUNTS["md_text:tried"] += 1
    out = rendered(md_text(s))
    folded = re.sub(r"[\r\n]+", " ", s)
    out = out.replace(JOINER, "")  # the invisible word joiner that breaks bare links
    shown = html.unescape(out).strip()
    ok = "<" not in out and shown == folded.strip() and not injected(md_text(s))
    if not ok:
        COUNTS["md_text:escaped"] += 1
    assert ok, (s, md_text(s), out)


def test_md_text_leaves_ids_and_numbers_alone():
    from ui.safe import md_text

    for s in (
        "CartPole-v1",
        "-700.0",
        "learning_starts",
        "1e-06 to 1",
        "rlplay/cartpole/random-v0",
    ):
        assert md_text(s) == s


def test_format_md_escapes_where_the_value_lands():
    from ui.safe import Md, format_md

    assert format_md("in `{p}` and {p}", p="a`b[c](http://x)") == (
        "in `aʼb[c](http://x)` and a\\`b\\[c\\](http\u2060://x)"
    )
    assert (
        format_md("{n:,} {x:.1f} {m}", n=12345, x=-3.25, m=Md("**bold**")) == "12,345 -3.2 **bold**"
    )
    assert (
        format_md("{v}", v="![t](http://host/track.png)") == "!\\[t\\](http\u2060://host/track.png)"
    )
