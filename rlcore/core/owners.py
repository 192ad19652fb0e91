"""Owners of what a shared server stores: the pieces every layer needs.

The rules themselves are in ``rlcore.service.owners``.
Datasets (``rlcore.data``) and runs both record an owner; these few pieces live here so
that no layer imports upwards.
"""

from __future__ import annotations

import os
from pathlib import Path

from rlcore.core.settings import get_settings

__all__ = ["OWNER", "NotYours", "OverBudget", "check_control", "dir_bytes", "hosted", "may_control"]

OWNER = "owner"  # the key an item's record keeps its owner under


class NotYours(ValueError):
    """An action on an item that belongs to another visitor (hosted profile)."""


class OverBudget(ValueError):
    """New work above a visitor's or the server's caps (runs in flight, disk)."""


def hosted() -> bool:
    """Whether this server is a shared public one (``RLCORE_PROFILE=hosted``)."""
    return get_settings().profile == "hosted"


def may_control(item_owner: str | None, who: str | None) -> bool:
    """Whether ``who`` may stop, resume, delete, overwrite or download an item.

    Always locally. Hosted: only its owner; an item with no owner (made by the
    server's operator, e.g. from the command line) is controlled by nobody through
    the app.
    """
    if not hosted():
        return True
    return bool(who) and item_owner == who


def check_control(item_owner: str | None, who: str | None, what: str) -> None:
    """:func:`may_control`, or :class:`NotYours` saying what the visitor may still do."""
    if not may_control(item_owner, who):
        raise NotYours(
            f"{what} belongs to another visitor: a shared link lets you watch it, "
            "not stop, resume, delete or download it"
        )


def dir_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (symlinks not followed; 0 if it is gone)."""
    total = 0
    stack = [path]
    while stack:
        p = stack.pop()
        try:
            with os.scandir(p) as it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(Path(e.path))
                        elif e.is_file(follow_symlinks=False):
                            total += e.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    return total
