"""``device = auto``: the GPU only where it is faster, measured on the run's own networks.

A GPU pays for large networks and large populations; for one CartPole agent of 64x64
units the CPU wins, since each environment step's action is a tiny forward pass that
pays a host-device round trip on a GPU. ``auto`` used to pick CUDA whenever it was there;
:func:`choose_device` now measures instead: on each candidate device it builds the run's
agent (all its members), times a few actions on a ``[K, n_envs]`` batch of observations
and a few gradient updates on random data, and turns them into seconds per environment
step (actions per step, plus updates per step: ``gradient_steps / train_freq`` off-policy,
one rollout's update per ``n_steps`` on-policy; an offline run only updates). The faster
device wins; the choice is kept for the process (per algorithm, environment, network and
number of members). Without CUDA there is nothing to measure: the CPU.

The probe draws from its own random generators (the run's are restored), so a run's
numbers do not depend on whether it was probed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

from rlcore.core.config import AlgoConfig, RunConfig
from rlcore.core.device import cuda_available, resolve_device

__all__ = ["choose_device", "fastest", "step_seconds"]

PROBE_ACTS, PROBE_UPDATES, WARMUP = 12, 6, 2
_CHOSEN: dict[tuple, torch.device] = {}


def fastest(devices: Sequence[str], cost: Callable[[str], float]) -> tuple[str, dict[str, float]]:
    """The device of the smallest ``cost`` (seconds per step) and every device's cost."""
    costs = {d: float(cost(d)) for d in devices}
    return min(costs, key=costs.__getitem__), costs


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(fn: Callable[[], object], n: int, device: torch.device) -> float:
    """Seconds per call of ``fn`` after a warm-up (the device waited for)."""
    for _ in range(WARMUP):
        fn()
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    _sync(device)
    return (time.perf_counter() - t0) / n


def _agent(run: RunConfig, algo: AlgoConfig, members: int, device: torch.device):
    from rlcore.algos.registry import get_algo
    from rlcore.train.model_size import _spaces

    obs_space, action_space = _spaces(run.env)
    cls = get_algo(run.algo).agent_cls
    if members > 1:
        return cls(
            obs_space, action_space, algo, device, members=[algo] * members, seeds=range(members)
        )  # type: ignore[call-arg]
    return cls(obs_space, action_space, algo, device)


def step_seconds(run: RunConfig, algo: AlgoConfig, members: int, device: torch.device) -> float:
    """Measured seconds per environment step of all ``members`` on ``device``."""
    from rlcore.core.buffers import ReplayBuffer
    from rlcore.core.types import Rollout

    agent = _agent(run, algo, members, device)
    n = int(getattr(algo, "n_envs", 1))
    k, d = members, agent.obs_dim
    obs = np.random.default_rng(0).normal(size=(k, n, d)).astype(np.float32)
    if agent.loop == "replay" or agent.loop == "dataset":
        buf = ReplayBuffer(256, d, agent.action_dim, agent.discrete, device, members=k)
        acts = (
            np.random.default_rng(1).integers(agent.n_actions, size=(k, 256))
            if agent.discrete
            else np.zeros((k, 256, agent.action_dim), np.float32)
        )
        rows = np.zeros((k, 256, d), np.float32)
        buf.add_members(rows, acts, np.zeros((k, 256)), rows, np.zeros((k, 256), bool))
        batch = int(getattr(algo, "batch_size", 64))
        update = _timed(lambda: list(agent.update_phase(buf, 1, batch)), PROBE_UPDATES, device)
        if agent.loop == "dataset":
            return update
        per_step = getattr(algo, "gradient_steps", 1) / max(1, getattr(algo, "train_freq", 1))
    elif agent.loop == "rollout":
        t = int(getattr(algo, "n_steps", 32))
        shape = (t, k, n) if k > 1 else (t, n)
        a_shape = shape if agent.discrete else (*shape, agent.action_dim)
        ro = Rollout(
            torch.zeros((*shape, d), device=device),
            torch.zeros(a_shape, device=device, dtype=torch.int64 if agent.discrete else None),
            torch.zeros(shape, device=device),
            torch.zeros((*shape, d), device=device),
            torch.zeros(shape, device=device),
            torch.zeros(shape, device=device),
        )
        update = _timed(lambda: agent.update(ro), max(1, PROBE_UPDATES // 3), device)
        per_step = 1.0 / (t * n)
    else:  # whole episodes (REINFORCE): its acting decides
        update, per_step = 0.0, 0.0
    act = _timed(lambda: agent.act_members(obs, explore=True), PROBE_ACTS, device)
    return act / n + update * per_step


def choose_device(run: RunConfig, algo: AlgoConfig, members: int = 1) -> torch.device:
    """The device ``run`` trains on: its own choice, or (``auto``) the faster one measured."""
    if run.device != "auto" or not cuda_available():
        return resolve_device(run.device)
    key = (run.algo, run.env, repr(algo), members, run.threads)
    if key not in _CHOSEN:
        with torch.random.fork_rng(devices=[0] if cuda_available() else []):
            state = np.random.get_state()
            try:
                best, _ = fastest(
                    ("cpu", "cuda"),
                    lambda dev: step_seconds(run, algo, members, torch.device(dev)),
                )
            finally:
                np.random.set_state(state)
        _CHOSEN[key] = torch.device(best)
    return _CHOSEN[key]
