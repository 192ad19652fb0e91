"""Who owns what on a shared server, and how much of it each visitor may use.

The ``local`` profile is one person's machine: everything belongs to them and nothing
here refuses. On the ``hosted`` profile (a public demo) strangers share one server, so
every run, batch, study, dataset and dataset build records the **owner** that created
it: an opaque token the app derives from the visitor's browser (a hash of a random
secret kept in that browser's cookie; see ``ui/owner.py``). ``rlcore`` only compares
these strings. The rules, the same for every page and every way to start work:

- **Control needs ownership.** Only the owner may stop, resume, delete, overwrite or
  download the weights of an item (:func:`may_control`, :func:`check_control`). A link
  names a batch or a study; opening it shows the item read-only to anyone else.
- **One gate for all new work** (:func:`admit`, called by ``JobQueue.submit`` for every
  run created, whatever the page: Train, Offline, the course's lessons, Search and its
  study drivers): at most ``max_runs_per_session`` runs of one owner queued or training
  at once; the runs' estimated bytes must fit the owner's and the server's disk budgets
  and leave ``min_free_mb`` free on the disk.
- **A fair queue** (:func:`fair_order`): the next run to start is the oldest waiting run
  of the owner with the fewest runs training, so one visitor with many runs queued
  never pushes another to the back.
- **Eviction takes the over-budget owner's runs first** (:func:`eviction_order`): to make
  room, the creating owner's own oldest finished runs go first, then finished runs of
  owners over their budget, then other finished runs older than ``FRESH_S``; a run of
  someone else finished less than ``FRESH_S`` ago is never deleted to make room.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rlcore.core.owners import (
    OWNER,
    NotYours,
    OverBudget,
    check_control,
    dir_bytes,
    hosted,
    may_control,
)
from rlcore.core.settings import get_settings

__all__ = [
    "FRESH_S",
    "NotYours",
    "OverBudget",
    "admit",
    "check_control",
    "dir_bytes",
    "eviction_order",
    "fair_order",
    "hosted",
    "may_control",
    "run_bytes",
    "run_owner",
]

FRESH_S = 3600.0  # another owner's run finished less than this ago is never evicted
METRIC_BYTES_PER_STEP = 16  # metrics.jsonl: ~160 bytes a row, a row every ~10 steps at most
_OWNERS: dict[tuple[str, str], str] = {}  # (runs folder, run id) -> owner: never changes


# -- runs ----------------------------------------------------------------------------
def run_owner(store: Any, run_id: str) -> str:
    """The owner recorded in a run's ``config.json`` (``""``: none, or no such run)."""
    key = (str(store.root), run_id)
    if key in _OWNERS:
        return _OWNERS[key]
    try:
        cfg = json.loads((store.path(run_id) / "config.json").read_text())
    except (OSError, ValueError):
        return ""
    owner = cfg.get(OWNER) or "" if isinstance(cfg, dict) else ""
    owner = owner if isinstance(owner, str) else ""
    _OWNERS[key] = owner
    return owner


def run_bytes(run: Any, algo: Any, checkpoints: int) -> int:
    """The disk a run will take: its weights (final + ``checkpoints``) and its metrics."""
    from rlcore.train.model_size import count_parameters

    weights = 4 * count_parameters(run, algo) + 4096  # float32 + the safetensors header
    return weights * (1 + checkpoints) + METRIC_BYTES_PER_STEP * int(run.steps) + 65536


def checkpoints_for(run: Any, algo: Any, wanted: int) -> int:
    """How many checkpoints along the run fit this server's per-run disk budget."""
    cap = get_settings().max_run_mb * 2**20
    if cap <= 0:
        return wanted
    for n in range(wanted, -1, -1):
        if run_bytes(run, algo, n) <= cap:
            return n
    return -1  # not even the final weights fit


# -- the gate ------------------------------------------------------------------------
def in_flight(store: Any, owner: str) -> int:
    """Runs of ``owner`` queued or training now (job queue and Ray alike)."""
    return sum(
        run_owner(store, r) == owner and store.status(r).get("status") in ("queued", "running")
        for r in store.ids()
    )


def usage(store: Any) -> tuple[Counter, dict[str, tuple[str, float, int]]]:
    """Bytes on disk per owner, and per finished run ``(owner, finished, bytes)``."""
    from rlcore.service.runs import TERMINAL

    per_owner: Counter = Counter()
    finished: dict[str, tuple[str, float, int]] = {}
    for rid in store.ids():
        n = dir_bytes(store.path(rid))
        owner = run_owner(store, rid)
        per_owner[owner] += n
        st = store.status(rid)
        if st.get("status") in TERMINAL:
            when = st.get("finished") or st.get("updated") or store.created(rid)
            finished[rid] = (owner, float(when or 0.0), n)
    return per_owner, finished


def eviction_order(
    finished: dict[str, tuple[str, float, int]],
    per_owner: Counter,
    owner: str,
    owner_cap: int,
    now: float | None = None,
) -> list[str]:
    """Finished runs that may be deleted to make room for ``owner``'s new work, in order.

    ``owner``'s own runs first (oldest first), then runs of owners above ``owner_cap``
    bytes (0: no cap), then any run finished more than :data:`FRESH_S` ago. Another
    owner's run finished less than ``FRESH_S`` ago is never listed.
    """
    now = time.time() if now is None else now

    def rank(rid: str) -> tuple[int, float, str] | None:
        who, when, _ = finished[rid]
        if who == owner:
            return (0, when, rid)
        old = now - when > FRESH_S
        if owner_cap and per_owner[who] > owner_cap and old:
            return (1, when, rid)
        return (2, when, rid) if old else None

    ranked = [(r, rid) for rid in finished if (r := rank(rid)) is not None]
    return [rid for _, rid in sorted(ranked)]


def admit(store: Any, runs: Sequence[tuple[Any, Any]], owner: str | None) -> None:
    """The one gate every new run passes (``JobQueue.submit`` and Ray's executor call it).

    Refuses (:class:`OverBudget`, a message in the visitor's words) runs beyond the
    owner's runs-in-flight cap, or whose estimated bytes do not fit the disk budgets
    even after evicting what :func:`eviction_order` allows; evicts that much otherwise.
    ``owner=None`` is the operator (command line, local profile): no per-owner caps.
    """
    s = get_settings()
    if owner is not None and s.max_runs_per_session:
        busy = in_flight(store, owner)
        if busy + len(runs) > s.max_runs_per_session:
            raise OverBudget(
                f"runs: you have {busy} queued or training and asked for {len(runs)} more; "
                f"this server allows {s.max_runs_per_session} per visitor at once "
                "(wait for one to end, or stop one)"
            )
    if not (s.max_run_mb or s.max_owner_mb or s.max_disk_mb or s.min_free_mb):
        return
    from rlcore.service.worker import CHECKPOINT_COUNT

    need = 0
    for r, a in runs:
        n = checkpoints_for(r, a, CHECKPOINT_COUNT)
        if n < 0:
            raise OverBudget(
                f"hidden = {','.join(map(str, getattr(a, 'hidden', ()))) or '?'}: the "
                f"run's weights alone pass this server's {s.max_run_mb} MB a run "
                "(use smaller networks)"
            )
        need += run_bytes(r, a, n)
    make_room(store, owner or "", need, "runs")


def make_room(store: Any, owner: str, need: int, what: str) -> None:
    """Evict finished runs until ``need`` more bytes fit every budget, or refuse.

    Only the hosted profile evicts (locally nothing of yours is ever deleted to make
    room: a disk short of ``min_free_mb`` just refuses the new work).
    """
    s = get_settings()
    owner_cap, disk_cap = s.max_owner_mb * 2**20, s.max_disk_mb * 2**20
    free_min = s.min_free_mb * 2**20
    if not (owner_cap or disk_cap):
        if free_min and _free_bytes(store.root) - need < free_min:
            raise _full(what, need)
        return
    per_owner, finished = usage(store)
    extra = _other_bytes()
    order = eviction_order(finished, per_owner, owner, owner_cap) if hosted() else []

    def short() -> str | None:
        if owner and owner_cap and per_owner[owner] + extra.get(owner, 0) + need > owner_cap:
            return "owner"
        if disk_cap and sum(per_owner.values()) + sum(extra.values()) + need > disk_cap:
            return "disk"
        if free_min and _free_bytes(store.root) - need < free_min:
            return "free"
        return None

    why = short()
    while why is not None and order:
        rid = order.pop(0)
        who, _, n = finished[rid]
        if why == "owner" and who != owner:
            break  # only the owner's own runs make room in the owner's budget
        try:
            store.delete(rid)
        except (OSError, ValueError):
            continue
        per_owner[who] -= n
        why = short()
    if why == "owner":
        raise OverBudget(
            f"{what}: about {need / 2**20:,.0f} MB more would pass your disk budget of "
            f"{s.max_owner_mb:,} MB on this server (delete some of your runs or datasets "
            "on the Compare and Datasets pages, or use smaller networks)"
        )
    if why is not None:
        raise _full(what, need)


def _full(what: str, need: int) -> OverBudget:
    return OverBudget(
        f"{what}: the server's disk is full for now (about {need / 2**20:,.0f} MB "
        "needed); try again later, or use smaller networks"
    )


def _free_bytes(root: Path) -> int:
    p = root
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return 0


def _other_bytes() -> Counter:
    """Bytes of datasets per owner (they share the visitor's and the server's budget)."""
    try:
        from rlcore.data.datasets import dataset_bytes_by_owner
    except ImportError:  # pragma: no cover
        return Counter()
    return dataset_bytes_by_owner()


# -- the queue's order ---------------------------------------------------------------
def fair_order(waiting: Iterable[tuple[str, str]], running: Counter) -> list[str]:
    """The order in which waiting runs start: round robin over their owners.

    ``waiting`` lists ``(run id, owner)`` oldest first; ``running`` counts each owner's
    runs training now. Each next run is the oldest of the owner with the fewest runs
    training (counting those placed ahead of it in this order); ties go to the older
    run. With one owner this is the plain FIFO order.
    """
    queues: dict[str, list[tuple[int, str]]] = {}
    for age, (rid, owner) in enumerate(waiting):
        queues.setdefault(owner, []).append((age, rid))
    count = Counter(running)
    order: list[str] = []
    while queues:
        owner = min(queues, key=lambda o: (count[o], queues[o][0][0]))
        order.append(queues[owner].pop(0)[1])
        count[owner] += 1
        if not queues[owner]:
            del queues[owner]
    return order
