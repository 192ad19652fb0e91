"""Small fakes for hand-computed loss tests."""

import gymnasium as gym
import numpy as np
import torch
from torch import nn


class Table(nn.Module):
    """Q(s, ·) = table[s] for one-hot s: outputs we can compute by hand."""

    def __init__(self, table):
        super().__init__()
        self.t = nn.Parameter(torch.tensor(table, dtype=torch.float32))

    def forward(self, obs):
        return obs @ self.t


class Fixed(nn.Module):
    """Returns a fixed tensor (or tuple) whatever the input."""

    def __init__(self, *out):
        super().__init__()
        self.out = out
        self.p = nn.Parameter(torch.zeros(()))  # so optimisers/requires_grad_ work

    def forward(self, *args, **kwargs):
        outs = tuple(o + 0 * self.p for o in self.out)
        return outs if len(outs) > 1 else outs[0]


def box(n=1, low=-1.0, high=1.0):
    return gym.spaces.Box(low, high, (n,), np.float32)


def obs_box(n):
    return gym.spaces.Box(-np.inf, np.inf, (n,), np.float32)
