"""CPU threads of a run: as many as are free, one for a small network, re-chosen as others start.

Torch-free on purpose (the CLI reads it before torch loads).

Why threads are chosen, and re-chosen while a run trains (``Trainer(threads_fn=...)``),
rather than idle threads told to sleep (``OMP_WAIT_POLICY=PASSIVE``): measured on 2 cores
(``benchmarks/wait_policy.py``, SAC Pendulum update + action), two threads that spin while
they wait take 9.7 ms a step alone; made to sleep they take 16.4 ms, slower than one
thread (14.0 ms), because every parallel operation then wakes a sleeping thread. Spinning
only hurts when the cores are shared (a 2-thread run beside a 1-thread run: 27.4 and
20.0 ms), so a run drops to the cores the other trainings leave free as soon as one starts,
and takes them back when it ends.
"""

from __future__ import annotations

import os

__all__ = ["SMALL_WORK", "choose_threads", "cpu_cores"]

# Below this much work per gradient step (parameters x rows of a batch; a population's
# parameters are all its members') a run trains on one thread: the products are too short
# to split, and a second thread only adds the cost of waking it for every operation.
# Measured on 2 cores: DQN on CartPole (2 x 67k parameters, batch 64: 8.6M) runs as fast
# on one thread as on two (benchmarks/threads.py), and so does a population of 8 DQN
# CartPole 64x64 members (4.7M: 32.7 s on one, 35.0 s on two); a population of 8 PPO
# CartPole members (18.7M, its 256-row minibatches) takes 31.9 s on one and 26.0 s on two
# (benchmarks/population.py --case ppo --also-threads 2, medians of 3); SAC on Pendulum
# (~270k, batch 256: 69M) gains from a second.
SMALL_WORK = 12_000_000


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
