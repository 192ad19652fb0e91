"""Small fakes for hand-computed loss tests, and an AppTest polling helper."""

import time

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

    def member(self, i, *args):
        """As an ``EnsembleCritic``'s: row ``i`` of the fixed output."""
        return self.forward(*args)[i]


def box(n=1, low=-1.0, high=1.0):
    return gym.spaces.Box(low, high, (n,), np.float32)


def obs_box(n):
    return gym.spaces.Box(-np.inf, np.inf, (n,), np.float32)


def poll(at, done, timeout=90):
    """Rerun an AppTest (what ``run_every`` does in a browser) until ``done(at)``."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return at
        time.sleep(0.4)
    raise AssertionError("timed out; progress: " + str([p.proto.text for p in at.get("progress")]))
