"""How fast runs train on this server, measured, and how long a run will take.

Every run that ends writes one line to ``<runs>/.speed.jsonl``: its algorithm, environment,
network size, batch size, how many gradient updates it made per step, and the wall time of
its two phases: the warm-up (random actions, no updates: DQN, DDPG, TD3 and SAC before
``learning_starts``) and the training phase. Estimates read the last lines back:

- before Start, and for a queued run: the whole run from the measured runs most like it;
- during a run: the steps left in each phase at that phase's speed (the run's own once it
  has measured it, the table's before).

Why two phases: a warm-up step costs an environment step only, a training step adds up to
hundreds of updates; extrapolating the warm-up speed ("23,005 steps/s · ETA 1 s") or a
mixture of both to the rest of a run gave estimates off by a factor of 60.

Why the network and batch size: an update's cost grows with them. A run with no
measurement of its own configuration is estimated from the nearest one of the same
algorithm, its update cost scaled by ``(parameters x batch) ** 0.75`` (small networks on a
CPU are dominated by fixed costs, so time grows slower than the arithmetic); the estimate
then says it is rough. No run of the algorithm measured here: no estimate, never a guess.
"""

from __future__ import annotations

import json
import math
import os
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rlcore.core.config import AlgoConfig, RunConfig

__all__ = [
    "Estimate",
    "SpeedRecord",
    "estimate",
    "forecast",
    "own_rates",
    "read_records",
    "record_run",
    "run_device",
    "schedule",
    "warmup_steps",
]

SPEED_FILE = ".speed.jsonl"
KEEP = 500  # lines kept when the file is pruned
SIZE_EXPONENT = 0.75


@dataclass(frozen=True)
class SpeedRecord:
    """The measured phases of one finished run."""

    algo: str
    env: str
    device: str
    params: int
    batch: int
    warm_steps: int
    warm_s: float
    train_steps: int
    train_s: float
    updates: int

    @property
    def warm_rate(self) -> float | None:
        """Seconds per warm-up step (``None`` without a warm-up)."""
        return self.warm_s / self.warm_steps if self.warm_steps > 0 and self.warm_s > 0 else None

    @property
    def step_s(self) -> float | None:
        """Seconds per training-phase step (updates and evaluations included)."""
        return self.train_s / self.train_steps if self.train_steps > 0 else None

    @property
    def updates_per_step(self) -> float:
        return self.updates / self.train_steps if self.train_steps > 0 else 0.0


@dataclass(frozen=True)
class Estimate:
    """Seconds a run (or what is left of it) should take, and how sure we are.

    ``basis``: ``"measured"`` (runs of this very configuration were measured here) or
    ``"similar"`` (the same algorithm with another network, batch or environment).
    """

    seconds: float
    basis: str
    runs: int  # measured runs it rests on


def warmup_steps(run: RunConfig, algo: AlgoConfig) -> int:
    """Steps of random actions before the first update (online off-policy only)."""
    from rlcore.algos.registry import get_algo

    spec = get_algo(run.algo)
    if spec.setting != "online":
        return 0
    return min(int(getattr(algo, "learning_starts", 0) or 0), run.steps)


def _updates_per_step(run: RunConfig, algo: AlgoConfig) -> float | None:
    """Gradient updates per step of the training phase, when the config says it."""
    from rlcore.algos.registry import get_algo

    if get_algo(run.algo).setting == "offline":
        return 1.0
    if hasattr(algo, "gradient_steps") and hasattr(algo, "train_freq"):
        return algo.gradient_steps / algo.train_freq
    if hasattr(algo, "n_envs") and hasattr(algo, "n_steps"):
        return 1.0 / (algo.n_envs * algo.n_steps)
    return None  # episodes of varying length (REINFORCE): taken from the records


def _path(root: Path) -> Path:
    return Path(root) / SPEED_FILE


_CACHE: dict[Path, tuple[tuple[int, int], list[SpeedRecord]]] = {}


def read_records(root: str | Path) -> list[SpeedRecord]:
    """The measured runs of this server, oldest first (bad lines skipped; cached by mtime)."""
    path = _path(Path(root))
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        if path in _CACHE and _CACHE[path][0] == stamp:
            return _CACHE[path][1]
        lines = path.read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines[-KEEP:]:
        try:
            out.append(SpeedRecord(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    _CACHE[path] = (stamp, out)
    return out


def record_run(
    root: str | Path,
    run: RunConfig,
    algo: AlgoConfig,
    device: str,
    warm_s: float,
    train_s: float,
    steps_done: int,
    updates: int,
) -> SpeedRecord | None:
    """Append one finished run's measurement (``None``: nothing worth keeping).

    One short line appended with ``O_APPEND`` is atomic between the workers writing at
    once; the file is cut back to its last :data:`KEEP` lines now and then.
    """
    from rlcore.train.model_size import count_parameters

    warm = min(warmup_steps(run, algo), steps_done)
    train_steps = steps_done - warm
    if train_steps <= 0 or train_s <= 0:
        return None
    rec = SpeedRecord(
        algo=run.algo,
        env=run.env,
        device=device,
        params=count_parameters(run, algo),
        batch=int(getattr(algo, "batch_size", 1) or 1),
        warm_steps=warm,
        warm_s=round(warm_s, 4),
        train_steps=train_steps,
        train_s=round(train_s, 4),
        updates=updates,
    )
    path = _path(Path(root))
    line = (json.dumps(asdict(rec)) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if size > KEEP * 2 * len(line):
        from rlcore.core.files import atomic_write_bytes

        kept = path.read_text().splitlines()[-KEEP:]
        atomic_write_bytes(path, ("\n".join(kept) + "\n").encode())
    return rec


def _warm_rate(records: Sequence[SpeedRecord], env: str) -> float | None:
    """Seconds per warm-up step on ``env`` (an environment step and a random action)."""
    rates = [r.warm_rate for r in records if r.env == env and r.warm_rate]
    return statistics.median(rates) if rates else None


def _train_rate(
    records: Sequence[SpeedRecord], run: RunConfig, algo: AlgoConfig, device: str
) -> tuple[float, str, int] | None:
    """Seconds per training-phase step of ``run``: (rate, basis, runs it rests on)."""
    from rlcore.train.model_size import count_parameters

    mine = [r for r in records if r.algo == run.algo and r.device == device and r.step_s]
    if not mine:
        return None
    same_env = [r for r in mine if r.env == run.env]
    pool = same_env or mine
    size = count_parameters(run, algo) * int(getattr(algo, "batch_size", 1) or 1)
    ups = _updates_per_step(run, algo)

    def distance(r: SpeedRecord) -> float:
        return abs(math.log(max(r.params * r.batch, 1) / max(size, 1)))

    nearest = min(distance(r) for r in pool)
    near = [r for r in pool if distance(r) == nearest]
    exact = (
        bool(same_env)
        and nearest == 0
        and all(ups is None or math.isclose(r.updates_per_step, ups, rel_tol=0.05) for r in near)
    )
    env_rate = _warm_rate(records, run.env) or 0.0
    rates = []
    for r in near:
        if exact:
            rates.append(r.step_s)
            continue
        # split the record's step into its environment part and its updates, then scale
        # the updates to this run's size and count
        r_env = (_warm_rate(records, r.env) or 0.0) if r.updates else 0.0
        per_update = max(r.step_s - r_env, 0.0) / r.updates_per_step if r.updates else 0.0
        scale = (size / max(r.params * r.batch, 1)) ** SIZE_EXPONENT
        rates.append(
            env_rate + (ups if ups is not None else r.updates_per_step) * per_update * scale
        )
    return statistics.median(rates), "measured" if exact else "similar", len(near)


def run_device(run: RunConfig) -> str:
    """The device a run trains on here (``cpu`` or ``cuda``), as the records name it."""
    from rlcore.core.device import resolve_device

    try:
        return str(resolve_device(run.device))
    except ValueError:
        return "cpu"


def estimate(
    root: str | Path,
    run: RunConfig,
    algo: AlgoConfig,
    done: int = 0,
    warm_rate: float | None = None,
    train_rate: float | None = None,
) -> Estimate | None:
    """Seconds left for ``run`` after ``done`` steps (``None``: nothing measured to go on).

    ``warm_rate`` and ``train_rate`` (seconds per step) are the run's own measurements of
    its phases, when it has them; the table fills in the rest.
    """
    records = read_records(root)
    device = run_device(run)
    warm = warmup_steps(run, algo)
    warm_left = max(warm - done, 0)
    train_left = run.steps - max(done, warm)
    basis, n = "measured", 0
    if warm_left and warm_rate is None:
        warm_rate = _warm_rate(records, run.env)
        if warm_rate is None:
            return None
        n = max(n, 1)
    if train_left > 0 and train_rate is None:
        found = _train_rate(records, run, algo, device)
        if found is None:
            return None
        train_rate, basis, n = found
    seconds = warm_left * (warm_rate or 0.0) + max(train_left, 0) * (train_rate or 0.0)
    return Estimate(seconds, basis, n)


def schedule(running: Sequence[float], queued: Sequence[float], workers: int) -> list[float]:
    """When each queued run would finish (seconds from now), FIFO behind ``running``.

    ``running`` are the seconds left of the runs holding a worker, ``queued`` the durations
    of the waiting runs in queue order; ``workers`` runs train at once. Returns one finish
    time per queued run (a run's start is its finish minus its duration).
    """
    free = sorted(running)[: max(workers, 1)]
    free += [0.0] * (max(workers, 1) - len(free))
    out = []
    for d in queued:
        free.sort()
        start = free[0]
        free[0] = start + d
        out.append(start + d)
    return out


def own_rates(path: str | Path, warm: int, window: int = 5) -> tuple[float | None, ...]:
    """A running run's own seconds per step, warm-up and training phase, from its metrics.

    Read from the end of ``metrics.jsonl`` (its last 64 kB: a long run's file is never read
    whole) from the rows that carry ``time/elapsed``: the warm-up rate from the last row
    inside the warm-up, the training rate from the last ``window`` intervals after it
    (``ui.jobs.phase_rates`` reads the same rows for the live view).
    """
    try:
        with open(path, "rb") as f:
            f.seek(max(f.seek(0, os.SEEK_END) - 65_536, 0))
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None, None
    rows: dict[float, float] = {}
    for line in lines:
        try:
            row = json.loads(line)
            rows[float(row["step"])] = float(row["time/elapsed"])
        except (ValueError, TypeError, KeyError):
            continue  # a torn first line, a row without its time
    steps = sorted(rows)
    inside = [s for s in steps if 0 < s <= warm]
    warm_rate = rows[inside[-1]] / inside[-1] if warm > 0 and inside else None
    after = [s for s in steps if s >= warm][-(window + 1) :]
    train_rate = None
    if len(after) >= 2 and after[-1] > after[0]:
        train_rate = (rows[after[-1]] - rows[after[0]]) / (after[-1] - after[0])
    return warm_rate, train_rate


def _running_left(store: Any, run_id: str) -> float | None:
    """Seconds left of a run holding a worker (its own speed first; ``None``: unknown)."""
    try:
        rec = store.load(run_id)
    except (ValueError, OSError, KeyError):
        return None
    done = int(rec.status.get("step") or 0)
    rates = own_rates(rec.path / "metrics.jsonl", warmup_steps(rec.run, rec.algo))
    est = estimate(store.root, rec.run, rec.algo, done, *rates)
    return None if est is None else est.seconds


def forecast(
    queue: Any, plan: Sequence[tuple[RunConfig, AlgoConfig]] = ()
) -> dict[str, tuple[float, float] | None]:
    """When the waiting runs of ``queue`` (and a ``plan`` about to be queued) start and end.

    Returns run id (``"plan:0"``, ``"plan:1"``... for the plan) -> ``(start, finish)`` in
    seconds from now, or ``None`` where it is not known: its own duration, or the end of
    a run it waits behind. Runs holding a worker count with their time left (at their own
    measured speed once they have one), waiting runs with their whole duration, in queue
    order, ``queue.max_workers`` at once. A run with no estimate delays only the runs
    that must wait for its worker: a plan that finds a free worker, or whose runs were
    measured here, is estimated whatever else trains.
    """
    store = queue.store
    running = []
    for rid in queue.active():
        try:
            store.load(rid)
        except (ValueError, OSError, KeyError):
            continue  # not a run (a dataset build, a study's driver)
        left = _running_left(store, rid)
        running.append(math.inf if left is None else left)
    waiting: list[tuple[str, float]] = []
    for rid in sorted(queue.positions(), key=queue.positions().get):
        try:
            rec = store.load(rid)
        except (ValueError, OSError, KeyError):
            continue
        est = estimate(store.root, rec.run, rec.algo)
        waiting.append((rid, math.inf if est is None else est.seconds))
    for i, (run, algo) in enumerate(plan):
        est = estimate(store.root, run, algo)
        waiting.append((f"plan:{i}", math.inf if est is None else est.seconds))
    finishes = schedule(running, [d for _, d in waiting], queue.max_workers)
    return {
        rid: None if math.isinf(end) else (end - d, end) for (rid, d), end in zip(waiting, finishes)
    }
