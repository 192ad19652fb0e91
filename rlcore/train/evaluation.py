"""Deterministic evaluation and episode rendering."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import gymnasium as gym
import numpy as np
import torch

from rlcore.algos.base import Agent
from rlcore.core.batched import batched_physics
from rlcore.core.envs import make_env

__all__ = [
    "EVAL_SEED_OFFSET",
    "EvalResult",
    "episode_video",
    "eval_seed",
    "evaluate",
    "play_episodes",
    "play_members",
    "render_episode",
    "video_bytes",
]

EVAL_SEED_OFFSET = 1_000_003


def eval_seed(run_seed: int) -> int:
    """The first environment seed of a run's evaluations (episode ``i`` resets with ``+ i``).

    The training's evaluations and ``rlcore eval`` (by default) use these seeds, so they
    play the same episodes: far from the training seed, the same at every evaluation.
    """
    return run_seed * 7919 + EVAL_SEED_OFFSET


@dataclass
class EvalResult:
    """Returns and lengths of each evaluation episode, plus Q at the start states."""

    returns: np.ndarray
    lengths: np.ndarray
    discounted_returns: np.ndarray
    q_start: np.ndarray | None

    @property
    def mean(self) -> float:
        return float(self.returns.mean())

    @property
    def std(self) -> float:
        return float(self.returns.std())

    def metrics(self) -> dict[str, float]:
        """Flat ``eval/*`` metrics."""
        out = {
            "eval/return_mean": self.mean,
            "eval/return_std": self.std,
            "eval/length_mean": float(self.lengths.mean()),
            "eval/discounted_return": float(self.discounted_returns.mean()),
        }
        if self.q_start is not None:
            # Q(s0, pi(s0)) vs the Monte-Carlo discounted return actually obtained:
            # their gap is the critic's over- (or under-) estimation.
            out["eval/q_start"] = float(self.q_start.mean())
        return out


@torch.no_grad()
def evaluate(
    agent: Agent, env_id: str, episodes: int = 10, seed: int = 0, gamma: float | None = None
) -> EvalResult:
    """Run ``episodes`` greedy episodes side by side (one batched forward per step)."""
    if not isinstance(episodes, int) or isinstance(episodes, bool) or episodes < 1:
        raise ValueError(f"episodes = {episodes!r}: must be at least 1 (allowed: 1 to 1000)")
    gamma = agent.cfg.gamma if gamma is None else gamma
    envs = [make_env(env_id) for _ in range(episodes)]
    obs = np.stack([e.reset(seed=seed + i)[0] for i, e in enumerate(envs)])
    q0 = agent.q_value(agent.obs_tensor(obs), agent.act(obs, explore=False))
    returns, disc, lengths = play_episodes(
        envs, obs, lambda idx: agent.act(obs[idx], explore=False), np.full(episodes, gamma)
    )
    for e in envs:
        e.close()
    return EvalResult(returns, lengths, disc, None if q0 is None else q0.cpu().numpy())


def play_members(
    agent: Agent,
    envs: Sequence[Sequence[gym.Env]],
    first_seeds: Sequence[int | None],
    gammas: Sequence[float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A population's evaluation episodes, every member's side by side (:func:`play_episodes`).

    ``envs[k]``: member ``k``'s ``e`` environments; ``first_seeds[k]``: the seed of its
    first episode (episode ``i`` resets with ``+ i``, as :func:`evaluate`), or ``None``
    for a member not evaluated now (its environments left alone); ``gammas[k]``: its
    discount. Greedy actions, one forward pass of the member-axis networks a step.

    Returns the first observations (``[k, e, *obs]``) and each episode's return,
    discounted return and length (``[k, e]``).
    """
    k, e = len(envs), len(envs[0])
    obs = np.zeros((k, e, *envs[0][0].observation_space.shape), dtype=np.float32)
    active = np.zeros((k, e), dtype=bool)
    for slot, first in enumerate(first_seeds):
        if first is not None:
            for i, env in enumerate(envs[slot]):
                obs[slot, i] = env.reset(seed=first + i)[0]
            active[slot] = True
    start = obs.copy()
    flat = obs.reshape(k * e, *obs.shape[2:])  # a view: play_episodes steps obs

    def act(idx: np.ndarray) -> np.ndarray:  # every member's batch at once: one pass
        a = agent.act_members(obs, explore=False)  # type: ignore[attr-defined]
        return a.reshape(k * e, *a.shape[2:])[idx]

    played = play_episodes(
        [env for group in envs for env in group],
        flat,
        act,
        np.repeat(np.asarray(gammas, dtype=float), e),
        active.reshape(-1),
    )
    returns, disc, lengths = (x.reshape(k, e) for x in played)
    return start, returns, disc, lengths


def play_episodes(
    envs: Sequence[gym.Env],
    obs: np.ndarray,
    act: Callable[[np.ndarray], np.ndarray],
    gammas: np.ndarray,
    active: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Play one episode in each environment, side by side, until each has ended.

    ``envs`` were just reset (``obs``: their first observations, ``[m, *obs]``, updated
    in place as they step); ``act(idx)`` gives the actions of the episodes ``idx`` still
    running (read ``obs`` there); ``gammas``: each episode's discount; ``active``: the
    episodes to play (default all; the others are left alone). CartPole and Pendulum step
    in one numpy call (``rlcore.core.batched``, to the bit what each environment gives).

    Returns each episode's return, discounted return and length (``[m]`` each).
    """
    m = len(envs)
    active = np.ones(m, dtype=bool) if active is None else active.copy()
    kernel = batched_physics(envs)
    if kernel is not None:
        for j in np.flatnonzero(active).tolist():
            kernel.load(j)
    returns, disc = np.zeros(m), np.zeros(m)
    lengths = np.zeros(m, dtype=np.int64)
    discount = np.ones(m)
    while active.any():
        idx = np.flatnonzero(active)
        actions = act(idx)
        if kernel is not None:
            o, r, term, trunc = kernel.step(actions, idx)
            ended = term | trunc
        else:
            acts = actions.tolist() if actions.ndim == 1 else actions  # discrete: ints
            o = np.zeros((len(idx), *obs.shape[1:]), dtype=obs.dtype)
            r, ended = np.zeros(len(idx)), np.zeros(len(idx), dtype=bool)
            for t, j in enumerate(idx.tolist()):
                o[t], r[t], te, tr, _ = envs[j].step(acts[t])
                ended[t] = te or tr
        returns[idx] += r
        disc[idx] += discount[idx] * r
        discount[idx] *= gammas[idx]
        lengths[idx] += 1
        obs[idx] = o
        active[idx[ended]] = False
    return returns, disc, lengths


@torch.no_grad()
def render_episode(
    agent: Agent, env_id: str, seed: int = 0, max_frames: int = 1000
) -> tuple[list[np.ndarray], float]:
    """Frames (``rgb_array``) of one greedy episode and its return; works headless."""
    env = make_env(env_id, render_mode="rgb_array")
    obs, _ = env.reset(seed=seed)
    frames = [env.render()]
    total = 0.0
    done = False
    while not done and len(frames) < max_frames:
        obs, r, term, trunc, _ = env.step(agent.act(obs, explore=False))
        total += float(r)
        frames.append(env.render())
        done = term or trunc
    env.close()
    return frames, total


def video_bytes(
    frames: list[np.ndarray],
    env_id: str,
    ext: str = ".gif",
    max_frames: int | None = None,
    max_width: int | None = None,
) -> bytes:
    """Frames as GIF or MP4 bytes at the environment's own speed (``rlcore enjoy``'s file).

    ``max_frames`` keeps every k-th frame so at most that many remain (the frame time
    grows with k: the episode keeps its real duration); ``max_width`` halves the picture
    until it fits. MP4 needs the imageio-ffmpeg package.
    """
    import io
    import math

    import imageio.v3 as iio

    env = make_env(env_id)
    fps = float(env.metadata.get("render_fps") or 30)
    env.close()
    stride = max(1, math.ceil(len(frames) / max_frames)) if max_frames else 1
    shrink = 1
    while max_width and frames[0].shape[1] // shrink > max_width:
        shrink *= 2
    kept = [np.ascontiguousarray(f[::shrink, ::shrink]) for f in frames[::stride]]
    buf = io.BytesIO()
    if ext == ".gif":
        iio.imwrite(buf, kept, extension=ext, duration=1000 * stride / fps, loop=0)
    else:
        iio.imwrite(buf, kept, extension=ext, fps=fps / stride)
    return buf.getvalue()


def episode_video(
    agent: Agent,
    env_id: str,
    seed: int = 0,
    ext: str = ".gif",
    max_frames: int = 1000,
    keep_frames: int | None = None,
    max_width: int | None = None,
) -> tuple[bytes, float, int]:
    """One greedy episode (:func:`render_episode`) as a video: ``(bytes, return, length)``.

    The one path of ``rlcore enjoy --gif/--mp4`` and the app's download; ``max_frames``
    ends the episode's rendering there, ``keep_frames`` and ``max_width`` thin and
    shrink the file (:func:`video_bytes`).
    """
    frames, ret = render_episode(agent, env_id, seed=seed, max_frames=max_frames)
    data = video_bytes(frames, env_id, ext, keep_frames, max_width)
    return data, ret, len(frames) - 1
