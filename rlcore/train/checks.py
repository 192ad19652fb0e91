"""Checks of a run about to be created: this server's limits, network size, run x algorithm."""

from __future__ import annotations

import math
from pathlib import Path

from rlcore.algos.registry import get_algo
from rlcore.core.config import AlgoConfig, RunConfig
from rlcore.core.settings import get_settings
from rlcore.core.threads import cpu_cores
from rlcore.train.model_size import check_model_size

COMPILED_LOOPS = ("replay", "dataset")  # loops whose update RunConfig.compile compiles


def check_run(run: RunConfig, algo: AlgoConfig | None = None) -> None:
    """Checks of a run about to be created: this server's limits and run x algorithm.

    ``RunConfig`` itself validates only what is always true, so that a run saved under
    other limits still loads; this is called by ``make_configs`` (limits only: the steps
    here, the networks' size with ``check_model_size`` once the algorithm's config is
    built), by ``RunStore.create`` and ``JobQueue.submit`` (everything: steps, the
    networks' size against ``RLCORE_MAX_PARAMS``, run x algorithm), and raises
    ``ValueError`` naming the field.
    """
    check_hosted(run)
    limit = get_settings().max_steps
    if run.steps > limit:
        raise ValueError(
            f"RunConfig.steps = {run.steps}: above this server's limit "
            f"(allowed: 1 to {limit}; set by RLCORE_MAX_STEPS)"
        )
    if run.tensorboard:
        import importlib.util

        if importlib.util.find_spec("tensorboard") is None:
            raise ValueError(
                "RunConfig.tensorboard = True: needs the tensorboard package "
                "(allowed: false here; pip install 'rl-playground[tensorboard]')"
            )
    if run.device == "cuda":  # refused before a run exists, not as a failed run
        from rlcore.core.device import resolve_device

        resolve_device(run.device)
    if algo is None:
        return
    check_model_size(run, algo)
    loop = get_algo(run.algo).loop
    if run.compile and loop not in COMPILED_LOOPS:
        raise ValueError(
            f"RunConfig.compile = True: {get_algo(run.algo).title} updates over whole "
            "rollouts in Python loops, which torch.compile would unroll for minutes "
            "(allowed: False here; compile applies to off-policy and offline algorithms)"
        )
    starts = getattr(algo, "learning_starts", None)
    if get_algo(run.algo).setting == "online" and starts is not None and starts >= run.steps:
        raise ValueError(
            f"{type(algo).__name__}.learning_starts = {starts}: the warm-up ({starts:,} steps "
            f"of random actions) would last the whole run ({run.steps:,} steps), so nothing "
            f"would be learned (allowed: fewer steps than the run's {run.steps:,}; lower "
            f"learning_starts, or raise steps above {starts:,})"
        )


def check_hosted(run: RunConfig) -> None:
    """On the hosted profile (a public demo): threads up to the cores, no compile, no TensorBoard.

    A visitor's ``threads = 256`` would start 256 torch threads on a 2-core server (each
    run's threads compete with every other visitor's run); ``compile`` spends minutes of
    CPU compiling before the first step; TensorBoard writes a second copy of the metrics
    outside the run's disk budget. The local profile keeps all three (your machine).
    """
    if get_settings().profile != "hosted":
        return
    cores = cpu_limit()
    if run.threads > cores:
        raise ValueError(
            f"RunConfig.threads = {run.threads}: above this server's limit "
            f"(allowed: 0 to {cores}, its CPU cores; 0 = auto)"
        )
    for name in ("compile", "tensorboard"):
        if getattr(run, name):
            raise ValueError(
                f"RunConfig.{name} = True: off on the public demo (allowed: False on this server)"
            )


CGROUP = Path("/sys/fs/cgroup")  # where a container's CPU quota is read (Linux)


def cpu_limit() -> int:
    """The CPU cores this process may use: its affinity mask or its container's quota.

    A container given 2 CPUs by a quota (``docker run --cpus 2``, a 2-vCPU Space) still
    sees every core of the host in its affinity mask; the quota is the real limit. Read
    from cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us`` (none set: the affinity).
    """
    cores = cpu_cores()
    quota = _cgroup_cpus()
    return max(1, min(cores, math.ceil(quota))) if quota else cores


def _cgroup_cpus() -> float | None:
    try:
        quota, period = (CGROUP / "cpu.max").read_text().split()[:2]  # v2: "200000 100000"
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:  # v1: -1 = no quota
        quota = int((CGROUP / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((CGROUP / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None
