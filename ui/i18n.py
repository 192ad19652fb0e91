"""All user-facing text, English and Simplified Chinese, looked up by key.

Text lives in ``ui/text/*.py`` modules, one per page group, each defining ``TEXT = {key:
{"en": ..., "zh": ...}}``. ``t("key")`` returns the string in the language chosen in the
sidebar; ``t("key", n=3)`` formats it. A missing key or language raises ``KeyError`` in
tests (``tests/test_i18n.py`` checks that every key has both languages).

The texts are markdown the app wrote; the values formatted into them are not trusted:
``t()`` escapes each string value for the place it lands (``ui.safe.format_md``: a link's
``[..](..)``, an image, HTML or a bare URL in a value shows as text). Numbers and other
``t()`` results (``ui.safe.Md``) go in as they are.

The language also lives in the URL (``?lang=zh``; English, the default, writes nothing),
so a refresh, a new tab and a shared link keep it: :func:`language_from_url` runs before
anything is drawn, :func:`language_to_url` after the page. Pages read and write their own
query parameters through :func:`page_params` and :func:`set_page_params`, which leave
``lang`` alone (it never flickers out of the address bar).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from ui.safe import Md, format_md

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
LANG_KEY = "lang"  # session_state key (see ui/state.py)
URL_PARAM = "lang"  # the query parameter
_URL_WRITTEN = "lang_url_written"  # session_state: the language this session last wrote


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every text entry of every ``ui/text`` module, merged (duplicate keys are an error)."""
    import ui.text as pkg

    out: dict[str, dict[str, str]] = {}
    for mod in pkgutil.iter_modules(pkg.__path__):
        text = importlib.import_module(f"ui.text.{mod.name}").TEXT
        dup = set(out) & set(text)
        if dup:
            raise KeyError(f"text keys defined twice: {sorted(dup)}")
        out.update(text)
    return out


def current_language() -> str:
    """The sidebar's language (English outside a Streamlit session)."""
    try:
        import streamlit as st

        return st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    except Exception:
        return DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **fmt: object) -> Md:
    """The text for ``key`` in ``lang`` (default: the session's language), its values escaped."""
    entry = catalogue()[key]
    s = entry[lang or current_language()]
    return format_md(s, **fmt) if fmt else Md(s)


def language_from_url() -> None:
    """Take the language from ``?lang=`` when the URL brought it.

    The URL wins when it differs from what this session last wrote there (a refresh, a
    shared link, a new tab, a link followed); otherwise the sidebar's choice stands. A
    first visit without one takes the browser's language (a Chinese browser opens in
    Chinese, also in a tab opened from the sidebar's links, which carry no parameters).
    """
    import streamlit as st

    lang = st.query_params.get(URL_PARAM)
    if lang in LANGUAGES and lang != st.session_state.get(_URL_WRITTEN):
        st.session_state[LANG_KEY] = lang
    if LANG_KEY not in st.session_state:  # a first visit without ?lang: the browser's own
        locale = str(getattr(st.context, "locale", None) or "")
        st.session_state[LANG_KEY] = "zh" if locale.lower().startswith("zh") else DEFAULT_LANGUAGE
    st.session_state[_URL_WRITTEN] = lang if lang in LANGUAGES else None


def language_to_url() -> None:
    """Put the session's language into the URL (none for the default, English)."""
    import streamlit as st

    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    written = lang if lang != DEFAULT_LANGUAGE else None
    if st.query_params.get(URL_PARAM) != written:
        if written is None:
            del st.query_params[URL_PARAM]
        else:
            st.query_params[URL_PARAM] = written
    st.session_state[_URL_WRITTEN] = written


def page_params() -> dict[str, str]:
    """The URL's query parameters a page owns: all but the language."""
    import streamlit as st

    return {k: v for k, v in st.query_params.to_dict().items() if k != URL_PARAM}


def set_page_params(query: dict[str, str]) -> None:
    """Replace a page's query parameters with ``query``, keeping the language (if changed)."""
    import streamlit as st

    lang = st.query_params.get(URL_PARAM)
    full = {**query, URL_PARAM: lang} if lang is not None else dict(query)
    if st.query_params.to_dict() != full:
        st.query_params.from_dict(full)


def with_lang(url: str) -> str:
    """``/learn_value#lse`` -> ``/learn_value?lang=zh#lse`` in Chinese: links keep the language."""
    lang = current_language()
    if lang == DEFAULT_LANGUAGE:
        return url
    base, _, anchor = url.partition("#")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}{URL_PARAM}={lang}" + (f"#{anchor}" if anchor else "")


def lang_query(query: dict[str, str]) -> dict[str, str]:
    """Query parameters of an in-app link, with the language when it is not the default."""
    lang = current_language()
    return query if lang == DEFAULT_LANGUAGE else {**query, URL_PARAM: lang}
