"""The public demo's server: the Streamlit app (``app.py``) with security headers.

``streamlit run deploy/serve.py`` serves ``app.py`` exactly as ``streamlit run app.py``
does (same config, same runtime: ``st.App`` is Streamlit's own ASGI server), and adds to
every HTTP response (issue 28, finding 9):

- ``Content-Security-Policy``: ``frame-ancestors 'none'`` (no other site may frame the
  app: clickjacking), scripts only from this server (Streamlit's one inline script is
  allowed by its hash, computed from the installed Streamlit's ``index.html``), images
  only from this server, ``data:`` and ``blob:`` (a markdown image that slipped through
  could not call another host), connections only back to this server;
- ``X-Frame-Options: DENY`` (the same for browsers without CSP level 2);
- ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: same-origin``.

``RLCORE_FRAME_ANCESTORS`` names the sites that may frame the app instead of none (a
Hugging Face Space shows it in an iframe on ``https://huggingface.co``); ``X-Frame-Options``
is then left out (it cannot name a site; browsers follow the CSP).

On the way out (``docker stop`` sends SIGTERM) the server stops the training workers it
launched, as ``streamlit run app.py`` does: each saves its weights and ends its run as
``interrupted``. ``rlcore.service.jobs`` does it from ``atexit``, which the plain server
reaches; uvicorn, which ``st.App`` runs on, ends the process by re-raising the SIGTERM
after its graceful shutdown, so ``atexit`` never runs: the app's lifespan calls
``stop_workers`` at the end of that graceful shutdown instead.

Streamlit 1.67 has no setting for response headers (``streamlit config show``): this is
the smallest way to send them without a reverse proxy. Behind a proxy of your own, set
the same headers there (``docs/deploy.md``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

APP = Path(__file__).resolve().parent.parent / "app.py"


def inline_script_hashes() -> list[str]:
    """CSP hashes (``'sha256-...'``) of the inline scripts of Streamlit's ``index.html``."""
    index = Path(st.__file__).parent / "static" / "index.html"
    try:
        html = index.read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return out


FRAME_ANCESTORS = "RLCORE_FRAME_ANCESTORS"
_SOURCE = re.compile(
    r"'none'|'self'|https://(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?"
)


def frame_ancestors() -> str:
    """Who may frame the app: ``RLCORE_FRAME_ANCESTORS`` (space-separated), default none.

    Raises:
        ValueError: a source that is not ``'none'``, ``'self'`` or an ``https://`` origin
            (nothing else may reach the header: no ``;``, no line break).
    """
    raw = os.environ.get(FRAME_ANCESTORS, "").strip() or "'none'"
    for source in raw.split():
        if not _SOURCE.fullmatch(source):
            raise ValueError(
                f"{FRAME_ANCESTORS} = {raw[:80]!r}: {source[:40]!r} is not a source "
                "(allowed: 'none', 'self' or https:// origins, separated by spaces)"
            )
    return " ".join(raw.split())


def content_security_policy() -> str:
    """The policy: this server only, never framed; inline styles allowed (Streamlit's CSS-in-JS)."""
    # 'wasm-unsafe-eval': Streamlit's frontend compiles WebAssembly (Chromium reported
    # "script-src wasm-eval" without it); it allows no JavaScript eval
    scripts = " ".join(["'self'", "'wasm-unsafe-eval'", *inline_script_hashes()])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' data: blob:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors()}",
        ]
    )


def security_headers() -> list[tuple[bytes, bytes]]:
    """The headers added to every HTTP response."""
    out = [
        (b"content-security-policy", content_security_policy().encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if frame_ancestors() == "'none'":
        out.append((b"x-frame-options", b"DENY"))
    return out


class SecurityHeaders:
    """Pure ASGI middleware: the headers on every HTTP response; websockets pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = security_headers()
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in self.names
                ]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@contextlib.asynccontextmanager
async def stop_workers_on_exit(_app: Any) -> AsyncIterator[None]:
    """The server's lifespan: on shutdown, SIGTERM its workers and wait for them (5 s)."""
    try:
        yield None
    finally:
        from rlcore.service.jobs import stop_workers

        await asyncio.to_thread(stop_workers)


try:
    frame_ancestors()  # a bad RLCORE_FRAME_ANCESTORS: one line, and no server
except ValueError as e:
    raise SystemExit(f"error: {e}") from None

app = st.App(APP, middleware=[Middleware(SecurityHeaders)], lifespan=stop_workers_on_exit)
