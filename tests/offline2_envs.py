"""A continuous environment with a two-dimensional action, for tests/test_population_offline2.py.

EDAC's diversity term has no gradient with one action dimension (Pendulum's), so its
recorded run needs two: ``Plane-v0``, registered here (``RLCORE_ENV_MODULES``) with a
reward threshold, which a dataset import needs as its expert reference.
"""

import gymnasium as gym
import numpy as np


class Plane(gym.Env):
    """Move a point on a plane towards (0.5, -0.5) with bounded pushes; reward = -distance."""

    goal = np.array([0.5, -0.5], dtype=np.float32)

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(-2.0, 2.0, (4,), np.float32)
        self.action_space = gym.spaces.Box(-0.5, 0.5, (2,), np.float32)
        self.x = np.zeros(2, np.float32)

    def _obs(self):
        return np.concatenate([self.x, self.goal - self.x]).astype(np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.x = self.np_random.uniform(-1, 1, 2).astype(np.float32)
        return self._obs(), {}

    def step(self, action):
        push = np.asarray(action, np.float32).reshape(2)
        self.x = np.clip(self.x + push, -2, 2).astype(np.float32)
        reward = -float(np.linalg.norm(self.x - self.goal))
        return self._obs(), reward, False, False, {}


gym.register(
    "Plane-v0", entry_point="tests.offline2_envs:Plane", max_episode_steps=30, reward_threshold=-0.1
)
