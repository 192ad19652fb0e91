"""CPU threads of a run: as many as are free, one for a small network, no spinning.

Torch-free on purpose: :func:`quiet_waiting_threads` must run before ``import torch``.
"""

from __future__ import annotations

import os

__all__ = ["SMALL_WORK", "choose_threads", "cpu_cores", "quiet_waiting_threads"]

# Below this much work per gradient step (parameters x rows of a batch) a run trains on one
# thread: the products are too short to split, and a second thread only adds the cost of
# waking it for every operation. DQN on CartPole (2 x 67k parameters, batch 64: 8.6M) runs
# as fast on one thread as on two; SAC on Pendulum (~270k, batch 256: 69M) gains from a
# second. benchmarks/threads.py measures both sides of the line.
SMALL_WORK = 20_000_000


def cpu_cores() -> int:
    """CPU cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def choose_threads(
    requested: int, others: int, n_params: int, batch: int = 256, cores: int | None = None
) -> tuple[int, str]:
    """Torch CPU threads for a run, and why, in words the CLI and the app show.

    Args:
        requested: the run's ``threads`` setting; above 0 it is used as given.
        others: CPU threads held by the other trainings running now (the run store's).
        n_params: parameters of the run's networks, target networks included.
        batch: rows of one gradient step (the batch size).
        cores: CPU cores to share (default: this process's).

    Returns:
        ``(threads, reason)``, e.g. ``(1, "1 (auto: a small network ...)")``.
    """
    if requested > 0:
        return requested, f"{requested} (set by threads = {requested})"
    cores = cores or cpu_cores()
    if n_params * batch < SMALL_WORK:
        why = (
            f"a small network ({n_params:,} parameters, batch {batch}) gains nothing from a "
            "second thread"
        )
        return 1, f"1 (auto: {why})"
    free = max(1, cores - others)
    parts = [f"{cores} core{'s' if cores != 1 else ''}"]
    if others:
        parts.append(f"{others} in use by other trainings")
    return free, f"{free} (auto: {', '.join(parts)})"


def quiet_waiting_threads(env: dict[str, str] | None = None) -> None:
    """Make OpenMP's idle threads sleep instead of spinning (call before ``import torch``).

    Torch's CPU threads busy-wait for the next parallel operation. When two processes'
    threads share the cores, each spins on a core the other needs (two default DQN runs on
    2 cores took 8x longer each than one alone). ``OMP_WAIT_POLICY=PASSIVE`` makes them
    block instead. OpenMP reads it once, when it loads, so this must run before torch is
    imported in this process, or go into a child's environment (``env``). A value the user
    set is kept.
    """
    target = os.environ if env is None else env
    target.setdefault("OMP_WAIT_POLICY", "PASSIVE")
