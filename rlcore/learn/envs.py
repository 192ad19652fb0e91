"""Small environments made to show one idea of the course, registered with Gymnasium.

:class:`NoisyCorridor` shows the maximisation bias of Q-learning (Sutton & Barto,
Example 6.7, drawn out over several steps): every action is worth the same, the rewards
are noisy, so the max over the estimated action values picks the luckiest estimate and
the bootstrapped target carries that luck back to the start.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym

__all__ = ["CORRIDOR", "NoisyCorridor"]

CORRIDOR = {"length": 10, "doors": 8, "mean": 1.0, "noise": 2.0}


class NoisyCorridor(gym.Env):
    """A corridor of ``length`` rooms; each room has ``doors`` doors, all alike.

    Any door leads to the next room with a reward drawn from N(``mean``, ``noise``²); the
    episode ends after the last room. Every policy has the same expected return (the
    discounted sum of ``mean``), so any Q(s, a) above it is over-estimation. The
    observation is the room's index (one-hot once the catalogue flattens it).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self, length: int = 10, doors: int = 8, mean: float = 1.0, noise: float = 2.0):
        if length < 1 or doors < 1 or noise < 0:
            raise ValueError(
                f"NoisyCorridor(length={length}, doors={doors}, noise={noise}): length and "
                "doors must be at least 1, noise at least 0"
            )
        self.length, self.mean, self.noise = int(length), float(mean), float(noise)
        self.observation_space = gym.spaces.Discrete(self.length)
        self.action_space = gym.spaces.Discrete(int(doors))
        self.room = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.room = 0
        return self.room, {}

    def step(self, action):
        if not self.action_space.contains(int(action)):
            raise ValueError(f"action = {action!r}: allowed 0 to {self.action_space.n - 1}")
        reward = float(self.mean + self.noise * self.np_random.standard_normal())
        self.room += 1
        done = self.room >= self.length
        return min(self.room, self.length - 1), reward, done, False, {}
