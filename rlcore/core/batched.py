"""Classic-control environments stepped for many copies in one numpy call.

A population steps K x n copies of one environment every step (``rlcore.train.population``).
Gymnasium's CartPole and Pendulum are a few lines of float64 arithmetic each, so stepping
them one by one costs mostly Python: three wrappers, the action check, the returned tuple
(measured: about 8 µs of 10 per CartPole step). :class:`BatchedPhysics` steps every copy
at once with the environment's own arithmetic, operation for operation and in the same
order, so each copy's observations, rewards and terminations are Gymnasium's to the bit
(``tests/test_batched_envs.py`` steps both side by side over random actions and states).

What stays the environment's own: its construction, its seeded generator and so its
resets (a copy's episodes start where its environment alone would start them), its time
limit (the ``TimeLimit`` wrapper's ``max_episode_steps``). Only an environment made exactly
as the catalogue makes it qualifies (:func:`batched_physics` says which): the unwrapped
class with its default constants, Gymnasium's standard wrappers and no render mode.
Anything else (other environments, custom ones, a changed constant) steps one by one,
as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import numpy as np
from gymnasium.envs.classic_control.cartpole import CartPoleEnv
from gymnasium.envs.classic_control.pendulum import PendulumEnv
from gymnasium.wrappers import OrderEnforcing, PassiveEnvChecker, TimeLimit

__all__ = ["BatchedPhysics", "batched_physics"]

# the wrappers gym.make puts around a registered environment, outermost first
_STANDARD_WRAPPERS = (TimeLimit, OrderEnforcing, PassiveEnvChecker)


def _time_limit(env: gym.Env) -> int | None:
    """``max_episode_steps`` of an environment made with only the standard wrappers."""
    layers: list[type] = []
    inner = env
    while isinstance(inner, gym.Wrapper):
        layers.append(type(inner))
        inner = inner.env
    if tuple(layers) != _STANDARD_WRAPPERS:
        return None
    return int(env._max_episode_steps)  # type: ignore[attr-defined]


class BatchedPhysics:
    """Steps ``len(envs)`` copies of one environment's physics together.

    ``envs`` stay the environments: :meth:`reset` resets copy ``j`` through ``envs[j]``
    (its seed, its generator) and reads its state; :meth:`step` advances the states held
    here (``[copies, state]`` float64). ``elapsed`` counts each copy's steps in its
    episode, as the ``TimeLimit`` wrapper would, and :meth:`step` says which copies hit
    the limit (truncated).
    """

    def __init__(self, envs: Sequence[gym.Env], max_steps: int) -> None:
        self.envs = list(envs)
        self.core = [e.unwrapped for e in self.envs]
        self.max_steps = int(max_steps)
        self.state = np.zeros((len(self.envs), self.state_size))
        self.elapsed = np.zeros(len(self.envs), dtype=np.int64)

    state_size = 0

    def reset(self, j: int, seed: int | None = None) -> np.ndarray:
        """Reset copy ``j`` (with ``seed`` if given) through its environment: its first obs."""
        obs, _ = self.envs[j].reset(seed=seed)
        self.load(j)
        return obs

    def load(self, j: int) -> None:
        """Take copy ``j``'s state and step count from its environment (reset or stepped there)."""
        self.state[j] = self.core[j].state
        self.elapsed[j] = self.envs[j]._elapsed_steps  # type: ignore[attr-defined]  (TimeLimit)

    def write_back(self, j: int) -> gym.Env:
        """Copy ``j``'s state and step count into its environment, which steps on from there."""
        env = self.envs[j]
        self.core[j].state = self.state[j].copy()
        env._elapsed_steps = int(self.elapsed[j])  # type: ignore[attr-defined]  (TimeLimit)
        return env

    def step(
        self, actions: np.ndarray, idx: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Step the copies ``idx`` (all if ``None``) with ``actions`` (one per copy stepped).

        Returns ``(obs, reward, terminated, truncated)`` of those copies, as their
        environments' ``step`` would (observations float32, rewards float64).
        """
        s = self.state if idx is None else self.state[idx]
        new, obs, reward, terminated = self._physics(s, np.asarray(actions))
        if idx is None:
            self.state = new
            self.elapsed += 1
            elapsed = self.elapsed
        else:
            self.state[idx] = new
            self.elapsed[idx] += 1
            elapsed = self.elapsed[idx]
        return obs, reward, terminated, elapsed >= self.max_steps

    def _physics(
        self, s: np.ndarray, a: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


class _CartPole(BatchedPhysics):
    """``CartPoleEnv.step`` (Gymnasium 1.x), for many copies."""

    state_size = 4

    def __init__(self, envs: Sequence[gym.Env], max_steps: int) -> None:
        super().__init__(envs, max_steps)
        e = self.core[0]
        self.c = (
            e.force_mag, e.polemass_length, e.total_mass, e.gravity, e.length, e.masspole, e.tau,
        )  # fmt: skip
        self.euler = e.kinematics_integrator == "euler"
        self.limits = np.array([e.x_threshold, e.theta_threshold_radians])

    def _physics(self, s, a):
        force_mag, polemass_length, total_mass, gravity, length, masspole, tau = self.c
        theta, theta_dot = s[:, 2], s[:, 3]
        force = np.where(a == 1, force_mag, -force_mag)
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + polemass_length * np.square(theta_dot) * sintheta) / total_mass
        # (x, θ) and (ẋ, θ̇) as column pairs: each update below is the environment's
        # scalar one, done for both coordinates in one call
        acc = np.empty((len(s), 2))
        np.divide(
            gravity * sintheta - costheta * temp,
            length * (4.0 / 3.0 - masspole * np.square(costheta) / total_mass),
            out=acc[:, 1],
        )
        np.subtract(temp, polemass_length * acc[:, 1] * costheta / total_mass, out=acc[:, 0])
        new = np.empty_like(s)
        pos, vel = new[:, 0::2], new[:, 1::2]
        if self.euler:
            np.add(s[:, 0::2], tau * s[:, 1::2], out=pos)
            np.add(s[:, 1::2], tau * acc, out=vel)
        else:  # semi-implicit euler
            np.add(s[:, 1::2], tau * acc, out=vel)
            np.add(s[:, 0::2], tau * vel, out=pos)
        # |x| > x_threshold or |θ| > θ_threshold: the environment's four comparisons
        terminated = (np.abs(pos) > self.limits).any(axis=1)
        # 1.0 every step, the step that ends the episode included (it resets at once)
        return new, new.astype(np.float32), np.ones(len(new)), terminated


def _angle_normalize(x: np.floating) -> np.floating:
    return ((x + np.pi) % (2 * np.pi)) - np.pi


class _Pendulum(BatchedPhysics):
    """``PendulumEnv.step`` (Gymnasium 1.x), for many copies."""

    state_size = 2

    def __init__(self, envs: Sequence[gym.Env], max_steps: int) -> None:
        super().__init__(envs, max_steps)
        e = self.core[0]
        self.c = (e.g, e.m, e.l, e.dt, e.max_torque, e.max_speed)

    def _physics(self, s, a):
        g, m, l, dt, max_torque, max_speed = self.c  # noqa: E741 (the environment's names)
        th, thdot = s[:, 0], s[:, 1]
        u = np.clip(a, -max_torque, max_torque)[:, 0]
        # the cost element by element, on numpy scalars as the environment computes it:
        # a scalar's ``x**2`` is C's pow(), an array's is x*x, and they differ in the last
        # bit for about one value in a thousand
        costs = np.array(
            [
                _angle_normalize(t) ** 2 + 0.1 * d**2 + 0.001 * (v**2)
                for t, d, v in zip(th, thdot, u, strict=True)
            ]
        )
        newthdot = thdot + (3 * g / (2 * l) * np.sin(th) + 3.0 / (m * l**2) * u) * dt
        newthdot = np.clip(newthdot, -max_speed, max_speed)
        newth = th + newthdot * dt
        new = np.stack((newth, newthdot), axis=1)
        obs = np.stack((np.cos(newth), np.sin(newth), newthdot), axis=1).astype(np.float32)
        return new, obs, -costs, np.zeros(len(new), dtype=bool)


_CARTPOLE = {
    "gravity": 9.8,
    "masscart": 1.0,
    "masspole": 0.1,
    "length": 0.5,
    "force_mag": 10.0,
    "tau": 0.02,
    "kinematics_integrator": "euler",
    "_sutton_barto_reward": False,
}
_KERNELS: dict[type, tuple[type[BatchedPhysics], dict[str, object]]] = {
    # each environment class with the constants its step reads, at Gymnasium's defaults
    CartPoleEnv: (_CartPole, _CARTPOLE),
    PendulumEnv: (
        _Pendulum,
        {"g": 10.0, "m": 1.0, "l": 1.0, "dt": 0.05, "max_torque": 2.0, "max_speed": 8},
    ),
}


def batched_physics(envs: Sequence[gym.Env]) -> BatchedPhysics | None:
    """A :class:`BatchedPhysics` for ``envs``, or ``None`` when they must step one by one.

    All of them must be the same known environment class, made with Gymnasium's standard
    wrappers and the same time limit, its constants at their defaults, no render mode.
    """
    if not envs:
        return None
    cls = type(envs[0].unwrapped)
    entry = _KERNELS.get(cls)
    limit = _time_limit(envs[0])
    if entry is None or limit is None:
        return None
    kernel, constants = entry
    for e in envs:
        core = e.unwrapped
        if type(core) is not cls or _time_limit(e) != limit or core.render_mode is not None:
            return None
        if any(getattr(core, name, None) != value for name, value in constants.items()):
            return None
    return kernel(envs, limit)
