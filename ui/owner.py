"""Who this browser is: the owner token that runs, studies and datasets record.

On a hosted server strangers share one app, and what one visitor starts must stay
theirs to stop, delete or download (``rlcore.service.owners`` holds the rules). The
token must survive a refresh and a new tab of the same browser, yet never travel in a
link: a shared link is a read-only view. So it comes from a secret the browser already
keeps in a cookie and sends with every connection: Streamlit's XSRF cookie, whose 16
random bytes stay the same for the browser's whole visit (the cookie's text changes
with every response, the bytes under its mask do not). The token is a hash of those
bytes, so the owner ids stored on disk (in ``config.json`` files one may download)
never reveal the cookie that proves them.

Where the app runs without that cookie (XSRF protection off, AppTest), the token is a
random one kept for this browser session only.
"""

from __future__ import annotations

import binascii
import hashlib
import secrets

import streamlit as st

from rlcore.core.owners import may_control
from ui.state import OWNER

__all__ = ["can_control", "current", "token_from_cookie"]

XSRF_COOKIE = "_streamlit_xsrf"


def token_from_cookie(raw: str | None) -> str | None:
    """The owner token of an XSRF cookie's text (``None`` for a missing or odd one).

    Version 2 cookies read ``2|<mask hex>|<masked token hex>|<timestamp>``: the token is
    the masked bytes XOR the mask repeated, as Tornado and Streamlit write it.
    """
    if not raw:
        return None
    value = raw.strip("\"'")
    try:
        if value.startswith("2|"):
            _, mask_hex, masked_hex, _ = value.split("|")
            mask, masked = binascii.a2b_hex(mask_hex), binascii.a2b_hex(masked_hex)
            if len(mask) != 4 or len(masked) < 16:
                return None
            token = bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
        else:
            token = binascii.a2b_hex(value)  # version 1: the token itself, in hex
            if len(token) < 16:
                return None
    except (ValueError, binascii.Error):
        return None
    return hashlib.sha256(b"rl-playground owner\0" + token).hexdigest()[:32]


def current() -> str:
    """This browser's owner token (the same on every page, refresh and tab)."""
    token = st.session_state.get(OWNER)
    if token is None:
        try:
            raw = st.context.cookies.get(XSRF_COOKIE)
        except Exception:  # no browser context (a bare script run)
            raw = None
        token = token_from_cookie(raw) or f"s{secrets.token_hex(16)}"
        st.session_state[OWNER] = token
    return token


def can_control(item_owner: str | None) -> bool:
    """Whether this browser may stop, resume, delete or download an item of that owner."""
    return may_control(item_owner, current())
