"""Text from a link or a user is shown as text, never as markdown.

Streamlit renders the body of ``st.markdown``, ``st.warning``, ``st.caption``, labels and
help as markdown (react-markdown with GitHub's extensions and maths): a value quoted
there could draw an outside link (``[Log in](https://evil.example)``), make the browser
fetch an image (``![t](http://host/x.png)``), turn a bare URL into a link, or typeset
``$...$``. Issue 28 (finding 8).

- :func:`md_text` escapes one string for a markdown paragraph: a backslash before every
  character that could open a construct (CommonMark lets any ASCII punctuation be
  escaped, and shows it as itself), line breaks folded to spaces; and a word joiner
  (U+2060, invisible) inside ``https://``, ``www.`` and after an e-mail's ``@``: GFM's
  bare links are found by ``mdast-util-gfm-autolink-literal`` in the text *after* the
  escapes are resolved, so a backslash cannot stop them (seen in Chromium), a character
  in the middle of the pattern does.
  Numbers, ids such as ``CartPole-v1`` and ``learning_starts`` come out unchanged.
- :func:`format_md` fills a template whose text is trusted markdown with untrusted
  values: each string value is escaped for where it lands (:func:`md_code` inside a
  code span, ``$`` taken out inside maths, :func:`md_text` elsewhere); numbers and
  :class:`Md` values (already markdown: another ``t()``) go in as they are.
  ``ui.i18n.t`` formats through it, so every translated text is safe by default.
"""

from __future__ import annotations

import functools
import numbers
import re
import string
from typing import Any

__all__ = ["JOINER", "Md", "format_md", "md_code", "md_text"]


class Md(str):
    """A string that already is markdown the app wrote (kept as is by :func:`format_md`)."""

    __slots__ = ()


# Characters that open inline constructs: escapes, code, emphasis, strikethrough, links
# and images, raw HTML and <autolinks>, maths, tables, headings, Streamlit's :color[...]
_SPECIAL = re.compile(r"[\\`*\[\]<>~$|#]")
# "_" only where it could open or close emphasis (not inside a word: learning_starts)
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What GFM links without brackets (on the unescaped text): https?://, www., x@y.z
_BARE_LINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?<=@)")
JOINER = "\u2060"  # word joiner: zero width, no line break, breaks the patterns above
# A value that starts a line could open a list item ("- x", "1. x"; "-700.0" cannot)
_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+.)])(?=\s|$|-)")
_ENTITY = re.compile(r"&(?=#?\w+;)")  # "&lt;" would show as "<"
# Anything any rule below would change (a quick test first: most values need nothing)
_ANY = re.compile(
    r"[\\`*\[\]<>~$|#&_@\r\n\t\f\v\u2028\u2029\x00-\x08\x0e-\x1f\x7f]|https?:|www\.|^ {2}"
    r"|^\s*(?:\d+)?[-+.)](?=\s|$|-)",
    re.I,
)
_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029\x00-\x08\x0e-\x1f\x7f]+")


def md_text(value: Any) -> str:
    """``value`` as a string that markdown shows verbatim (one line); an ``Md`` as it is."""
    if isinstance(value, Md):
        return value
    s = str(value)
    if not _ANY.search(s):
        return s  # CartPole-v1, dqn, -700.0: nothing markdown could read
    s = re.sub(r"^ {2,}", " ", _BREAKS.sub(" ", s))  # 4 spaces start a code block
    s = _SPECIAL.sub(lambda m: "\\" + m.group(0), s)
    s = _UNDERSCORE.sub(r"\\_", s)
    s = _BARE_LINK.sub(JOINER, s)
    s = _ENTITY.sub(r"\\&", s)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)


def md_code(value: Any) -> str:
    """``value`` for the inside of a code span: no backtick to close it, one line."""
    return _BREAKS.sub(" ", str(value)).replace("`", "ʼ")


def _plain_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


@functools.lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[str, str | None, str, str | None, str], ...]:
    """:func:`_contexts` of a template, once per template (the texts are a fixed set)."""
    return tuple(_contexts(template))


def _contexts(template: str):
    """``(literal, field, spec, conversion, where)`` of each part of a template.

    ``where`` is the markdown context the field lands in: ``"text"``, ``"code"`` (inside a
    code span) or ``"math"`` (between ``$``).
    """
    ticks = 0  # length of the backtick run that opened the current code span
    math = False
    for literal, field, spec, conv in string.Formatter().parse(template):
        i = 0
        while i < len(literal):
            c = literal[i]
            if c == "\\" and not ticks:
                i += 2
                continue
            if c == "`":
                j = i
                while j < len(literal) and literal[j] == "`":
                    j += 1
                run = j - i
                if not ticks and not math:
                    ticks = run
                elif ticks == run:
                    ticks = 0
                i = j
                continue
            if c == "$" and not ticks:
                math = not math
                i += 2 if literal[i : i + 2] == "$$" else 1
                continue
            i += 1
        yield literal, field, spec, conv, "code" if ticks else "math" if math else "text"


def format_md(template: str, /, **values: Any) -> Md:
    """``template.format(**values)`` with every untrusted value escaped where it lands."""
    parts = _parsed(template)
    if all(_plain_number(v) or type(v) is Md for v in values.values()) and not any(
        conv for _, _, _, conv, _ in parts
    ):
        return Md(template.format(**values))  # nothing to escape: numbers and app text
    fmt = string.Formatter()
    out: list[str] = []
    for literal, field, spec, conv, where in parts:
        out.append(literal)
        if field is None:
            continue
        obj, _ = fmt.get_field(field, (), values)
        shown = fmt.format_field(fmt.convert_field(obj, conv), spec or "")
        trusted = isinstance(obj, Md) and conv is None
        if trusted or _plain_number(obj):
            out.append(shown)
        elif where == "code":
            out.append(md_code(shown))
        elif where == "math":
            out.append(shown.replace("$", ""))
        else:
            out.append(md_text(shown))
    return Md("".join(out))
