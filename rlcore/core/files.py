"""Atomic file writes, and the message of a store that cannot be written.

A reader of an atomically written file sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    """JSON version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, json.dumps(obj, indent=1, sort_keys=True).encode())


class StorageError(OSError):
    """A store's folder cannot be written (disk full, read-only, not a folder): a message."""

    def __str__(self) -> str:
        return str(self.strerror)


def storage_error(
    action: str, where: Path, e: OSError, setting: str, items: str = "runs"
) -> StorageError:
    """A :class:`StorageError` saying what failed, why in plain words, and what to do.

    Args:
        action: what could not be done (``"create a run"``).
        where: the folder concerned.
        e: the ``OSError`` raised.
        setting: how to choose another folder (``"RLCORE_RUNS_DIR or --runs-dir"``).
        items: what the store holds, to delete when the disk is full (``"runs"``).
    """
    if isinstance(e, StorageError):
        return e
    hint = {
        errno.ENOSPC: f"the disk is full: delete old {items} or free space",
        errno.EDQUOT: f"the disk quota is used up: delete old {items}",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a file is in the way of that folder",
    }.get(e.errno or 0, e.strerror or str(e))
    return StorageError(
        e.errno or errno.EIO,
        f"cannot {action} in {where}: {hint} (set {setting} to a writable folder)",
    )
