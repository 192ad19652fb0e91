"""Ids that name something on disk are names, never paths: the shared rules.

Every store checks the ids it is handed through one function of its own (the door),
built from these rules: ``RunStore.path`` (runs), ``rlcore.service.jobs.batch_path``
(batches), ``rlcore.data.datasets.dataset_path`` (datasets) and
``rlcore.service.dataset_builds.build_path`` (dataset builds). An id is refused with a
``ValueError`` whose message starts with the field and gives the allowed form when it
is not a string, is empty or too long, holds a separator, ``..``, NUL, whitespace or any
character outside plain ASCII letters, digits and ``-_.``, or when the path it names,
symlinks resolved, would lie outside its store's folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rlcore.core.words import short_repr

__all__ = [
    "DATASET_ID_MAX",
    "DATASET_ID_RULE",
    "NAME_MAX",
    "NAME_RULE",
    "check_dataset_id",
    "check_name",
    "inside",
]

NAME_MAX = 128
# A letter or digit first: never ".", "..", a hidden name or something read as an option.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
NAME_RULE = (
    f"a name of 1 to {NAME_MAX} letters, digits, '-', '_' and '.' starting with a letter or "
    "digit, not a path"
)

DATASET_ID_MAX = 200
_PART = r"[A-Za-z0-9][A-Za-z0-9_-]*"
# Minari's ``namespace/name-v<version>``: up to 8 parts joined by '/', no '.' anywhere.
_DATASET_ID = re.compile(rf"(?:{_PART}/){{0,7}}{_PART}-v[0-9]+")
DATASET_ID_RULE = (
    "an id such as rlplay/pendulum/random-v0: up to 8 parts of letters, digits, '-' and '_' "
    f"joined by '/', ending in -v<version>, at most {DATASET_ID_MAX} characters"
)


def check_name(value: Any, field: str, what: str, hint: str = "") -> str:
    """``value`` if it is a plain name (one file or folder name), else ``ValueError``.

    Args:
        value: the id to check.
        field: the field named first in the message (``run``, ``batch``, ``build``).
        what: what the id names, for the message (``a run id``).
        hint: where the valid ids are listed, appended to the message.
    """
    if isinstance(value, str) and len(value) <= NAME_MAX and _NAME.fullmatch(value):
        return value
    more = f"; {hint}" if hint else ""
    raise ValueError(f"{field} = {short_repr(value, 60)}: not {what} (allowed: {NAME_RULE}{more})")


def check_dataset_id(value: Any, field: str = "dataset") -> str:
    """``value`` if it is a well-formed dataset id (``namespace/name-vN``), else ``ValueError``."""
    if isinstance(value, str) and len(value) <= DATASET_ID_MAX and _DATASET_ID.fullmatch(value):
        return value
    raise ValueError(
        f"{field} = {short_repr(value, 60)}: not a dataset id (allowed: {DATASET_ID_RULE}; "
        "list them with python -m rlcore dataset list)"
    )


def inside(root: Path, rel: str, field: str, what: str) -> Path:
    """``root / rel`` once its real path (symlinks resolved) is shown to lie inside ``root``.

    ``rel`` must already be a checked id; this catches a symlink inside the folder that
    points out of it (a ``ValueError`` naming ``field``).
    """
    try:
        real_root = Path(root).resolve()
        real = (real_root / rel).resolve()
    except (OSError, RuntimeError):  # a symlink loop: it leads nowhere inside
        real_root, real = Path(root).absolute(), Path("/")
    if real == real_root or real_root not in real.parents:
        raise ValueError(
            f"{field} = {short_repr(rel, 60)}: {what} leads outside {root} "
            f"(allowed: only what lies inside that folder)"
        )
    return Path(root) / rel
