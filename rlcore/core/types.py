"""Small shared types."""

from __future__ import annotations

from typing import NamedTuple

from torch import Tensor

Metrics = dict[str, float]
"""A flat metric dict: ``{"step": 1000, "train/critic_loss": 0.3, ...}``."""


class Batch(NamedTuple):
    """A minibatch of transitions; ``terminated`` (not truncated) is the done bit."""

    obs: Tensor
    action: Tensor
    reward: Tensor
    next_obs: Tensor
    terminated: Tensor


class Rollout(NamedTuple):
    """On-policy data, time-major ``[T, N, ...]`` (N parallel environments).

    ``next_obs`` is the true next observation (the final one at an episode end, not the
    reset one); ``episode_end`` marks terminated *or* truncated rows.
    """

    obs: Tensor
    action: Tensor
    reward: Tensor
    next_obs: Tensor
    terminated: Tensor
    episode_end: Tensor
