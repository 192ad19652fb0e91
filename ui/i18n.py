"""All user-facing text, English and Simplified Chinese, looked up by key.

Text lives in ``ui/text/*.py`` modules, one per page group, each defining ``TEXT = {key:
{"en": ..., "zh": ...}}``. ``t("key")`` returns the string in the language chosen in the
sidebar; ``t("key", n=3)`` formats it. A missing key or language raises ``KeyError`` in
tests (``tests/test_i18n.py`` checks that every key has both languages).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
LANG_KEY = "lang"  # session_state key (see ui/state.py)


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


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The text for ``key`` in ``lang`` (default: the session's language)."""
    entry = catalogue()[key]
    s = entry[lang or current_language()]
    return s.format(**fmt) if fmt else s
