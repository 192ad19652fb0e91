"""The size of a run's networks, counted exactly before anything is allocated.

A public server must refuse ``hidden = 4096,4096`` or an ensemble of 500 critics of
1024x1024 before a worker tries to allocate them. :func:`count_parameters` builds the
run's agent on torch's ``meta`` device (tensors with shapes and no storage: a few
milliseconds, no memory, whatever the size) and sums its parameters, so the count is
exactly what training would hold: every network, target networks and critic ensembles
included, with no second copy of each algorithm's architecture to keep in step.
:func:`check_model_size` compares it with ``RLCORE_MAX_PARAMS`` (``rlcore.core.settings``);
``rlcore.train.checks.check_run`` calls it, so every run the CLI, the app or the job queue
creates passes it.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gymnasium as gym

    from rlcore.core.config import AlgoConfig, RunConfig

__all__ = ["check_model_size", "count_parameters", "fmt_count", "training_memory"]


@cache
def _spaces(env_id: str) -> tuple[gym.Space, gym.Space]:
    """Observation and action spaces of a catalogue environment (one env made, per process)."""
    from rlcore.core.envs import make_env

    env = make_env(env_id)
    try:
        return env.observation_space, env.action_space
    finally:
        env.close()


@lru_cache(maxsize=512)
def _count(algo: str, env_id: str, cfg: AlgoConfig) -> int:
    import torch

    from rlcore.algos.registry import get_algo

    obs_space, action_space = _spaces(env_id)
    with torch.device("meta"):  # every tensor made in here has a shape and no storage
        agent = get_algo(algo).agent_cls(obs_space, action_space, cfg, "meta")
    return sum(p.numel() for p in agent.parameters())


def count_parameters(run: RunConfig, algo: AlgoConfig) -> int:
    """Parameters of the agent that ``run`` would train (targets and ensembles included)."""
    return _count(run.algo, run.env, algo)


def training_memory(run: RunConfig, algo: AlgoConfig, members: int = 1) -> int:
    """Bytes ``members`` agents of this setup hold while training, about.

    Each parameter 16 bytes (the weight, its gradient and Adam's two moments), and an
    off-policy agent's replay buffer: ``min(buffer_size, steps)`` transitions of
    ``(s, a, r, s', done)`` in float32. A population holds it once per member. An offline
    run's dataset is not counted: a population reads one copy of it, as a single run does.
    """
    obs_space, action_space = _spaces(run.env)
    per = count_parameters(run, algo) * 16
    if hasattr(algo, "buffer_size") and not run.dataset:
        import numpy as np

        obs = int(np.prod(obs_space.shape or (1,)))
        act = int(np.prod(action_space.shape or (1,)))
        per += min(algo.buffer_size, run.steps) * (2 * obs + act + 2) * 4
    return per * members


def fmt_count(n: int) -> str:
    """``67_200_000`` -> ``"67.2M"``, ``850_000`` -> ``"850k"``, ``1234`` -> ``"1,234"``."""
    if n >= 1_000_000:
        return f"{n / 1e6:,.1f}".removesuffix(".0") + "M"
    if n >= 10_000:
        return f"{n / 1e3:,.0f}k"
    return f"{n:,}"


def check_model_size(run: RunConfig, algo: AlgoConfig) -> None:
    """Refuse networks above this server's ``RLCORE_MAX_PARAMS`` (0 = no limit).

    Raises:
        ValueError: naming the field to change (``hidden``, with ``n_critics`` for an
            ensemble), the count and the allowed maximum.
    """
    from rlcore.core.config import hparams, short_repr
    from rlcore.core.settings import get_settings

    limit = get_settings().max_params
    if limit <= 0:
        return
    n = count_parameters(run, algo)
    if n <= limit:
        return
    name = type(algo).__name__
    fields = {p.name for p in hparams(type(algo))}
    ensemble = f" with n_critics = {algo.n_critics}" if "n_critics" in fields else ""
    smaller = "fewer or narrower layers" + (", or fewer critics" if ensemble else "")
    raise ValueError(
        f"{name}.hidden = {short_repr(algo.hidden)}{ensemble}: the networks would have "
        f"{fmt_count(n)} parameters, above this server's limit of {fmt_count(limit)} "
        f"(allowed: at most {limit:,} parameters, target networks included: {smaller}; "
        "set by RLCORE_MAX_PARAMS)"
    )
