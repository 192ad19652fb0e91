"""A user's own environments, for tests/test_custom_envs.py (``RLCORE_ENV_MODULES``).

``Corridor-v0`` is registered here (Discrete states and actions, a reward threshold);
``Reach`` is only a class, trained through its entry point ``tests.custom_envs:Reach``.
"""

import gymnasium as gym
import numpy as np


class Corridor(gym.Env):
    """Walk right along ``n`` cells to the exit (+1); each step costs 0.01."""

    def __init__(self, n: int = 5) -> None:
        self.n = n
        self.observation_space = gym.spaces.Discrete(n)
        self.action_space = gym.spaces.Discrete(2)  # 0 = left, 1 = right
        self.pos = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos = 0
        return self.pos, {}

    def step(self, action):
        self.pos = min(self.n - 1, max(0, self.pos + (1 if int(action) == 1 else -1)))
        done = self.pos == self.n - 1
        return self.pos, (1.0 if done else -0.01), done, False, {}


class Reach(gym.Env):
    """Move a point on a line towards 0.5 with bounded pushes; reward = -distance."""

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(-2.0, 2.0, (2,), np.float32)
        self.action_space = gym.spaces.Box(-0.5, 0.5, (1,), np.float32)
        self.x, self.t = 0.0, 0

    def _obs(self):
        return np.array([self.x, 0.5 - self.x], dtype=np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.x, self.t = float(self.np_random.uniform(-1, 1)), 0
        return self._obs(), {}

    def step(self, action):
        self.x = float(np.clip(self.x + float(np.asarray(action).reshape(-1)[0]), -2, 2))
        self.t += 1
        return self._obs(), -abs(self.x - 0.5), False, self.t >= 30, {}


gym.register("Corridor-v0", entry_point=Corridor, max_episode_steps=20, reward_threshold=0.9)
