"""Replay buffer: one preallocated tensor on the device, one gather per minibatch."""

from __future__ import annotations

import numpy as np
import torch

from rlcore.core.types import Batch

__all__ = ["ReplayBuffer"]


class ReplayBuffer:
    """Circular buffer of transitions ``(s, a, r, s', terminated)``.

    All fields live side by side in one ``[capacity, width]`` float tensor, so a minibatch
    is a single ``index_select`` instead of five. ``next_obs`` is stored explicitly: on
    a time-limit truncation it is the true final observation (not the reset one) and the
    done bit stays 0, so the target still bootstraps from it.

    ``members`` > 1: a population's replay (``rlcore.train.population``), one
    ``[members, capacity, width]`` tensor; the members add in lock step
    (:meth:`add_members`) and :meth:`sample` returns ``[members, B, ...]`` fields, each
    member's rows drawn from its own slice only. One member is the plain buffer.
    """

    def __init__(
        self,
        capacity: int,
        obs_dim: int,
        action_dim: int,
        discrete: bool,
        device: torch.device | str = "cpu",
        seed: int = 0,
        members: int = 1,
    ) -> None:
        self.capacity = int(capacity)
        self.members = int(members)
        self.obs_dim, self.action_dim, self.discrete = obs_dim, action_dim, discrete
        self.device = torch.device(device)
        o, a = obs_dim, action_dim
        # column layout: obs | action | reward | next_obs | terminated
        self._cols = (0, o, o + a, o + a + 1, 2 * o + a + 1, 2 * o + a + 2)
        self.all = torch.zeros((self.members, self.capacity, self._cols[-1]), device=self.device)
        self.data = self.all[0] if self.members == 1 else self.all  # one member: [cap, width]
        self._np = self.data.numpy() if self.device.type == "cpu" else None
        self._offsets = torch.arange(self.members, device=self.device).unsqueeze(1) * capacity
        self._row = np.zeros(self._cols[-1], dtype=np.float32)
        self.pos = 0
        self.size = 0
        self.gen = torch.Generator(device=self.device)
        self.gen.manual_seed(seed)

    def __len__(self) -> int:
        return self.size

    def add(self, obs, action, reward: float, next_obs, terminated: bool) -> None:
        """Store one transition (``terminated`` only: never the truncated flag)."""
        self._one_member("add")
        c, row = self._cols, self._row
        row[c[0] : c[1]] = np.ravel(obs)
        row[c[1] : c[2]] = np.ravel(action)
        row[c[2]] = reward
        row[c[3] : c[4]] = np.ravel(next_obs)
        row[c[4]] = float(terminated)
        if self._np is not None:
            self._np[self.pos] = row
        else:
            self.data[self.pos] = torch.from_numpy(row).to(self.device)
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def add_many(self, obs, action, reward, next_obs, terminated) -> None:
        """Store ``n`` transitions at once (offline datasets, vectorised envs)."""
        self._one_member("add_many")
        n = len(reward)
        rows = np.concatenate(
            [
                np.asarray(obs, np.float32).reshape(n, -1),
                np.asarray(action, np.float32).reshape(n, -1),
                np.asarray(reward, np.float32).reshape(n, 1),
                np.asarray(next_obs, np.float32).reshape(n, -1),
                np.asarray(terminated, np.float32).reshape(n, 1),
            ],
            axis=1,
        )
        if rows.shape[1] != self._cols[-1]:
            raise ValueError(f"transition width {rows.shape[1]} != buffer width {self._cols[-1]}")
        rows_t = torch.from_numpy(rows).to(self.device)
        for start in range(0, n, self.capacity):
            chunk = rows_t[start : start + self.capacity]
            idx = (torch.arange(len(chunk), device=self.device) + self.pos) % self.capacity
            self.data[idx] = chunk
            self.pos = int((self.pos + len(chunk)) % self.capacity)
            self.size = min(self.size + len(chunk), self.capacity)

    def keep_members(self, keep: list[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on; their rows unchanged."""
        idx = torch.tensor(keep, device=self.device)
        self.all = self.all.index_select(0, idx)
        self.members = len(keep)
        self.data = self.all[0] if self.members == 1 else self.all
        self._np = self.data.numpy() if self.device.type == "cpu" else None
        self._offsets = torch.arange(self.members, device=self.device).unsqueeze(1) * self.capacity

    def _one_member(self, what: str) -> None:
        if self.members != 1:
            raise ValueError(f"ReplayBuffer.{what}: {self.members} members add with add_members")

    def add_members(self, obs, action, reward, next_obs, terminated) -> None:
        """Store ``m`` transitions of each member at once: fields ``[members, m, ...]``."""
        k = self.members
        n = int(np.shape(reward)[1])
        if k == 1 and n == 1:  # a single run's step: the row path
            self.add(obs[0, 0], action[0, 0], float(reward[0, 0]), next_obs[0, 0], terminated[0, 0])
            return
        if k == 1:
            self.add_many(obs[0], action[0], reward[0], next_obs[0], terminated[0])
            return
        fields = (obs, action, reward, next_obs, terminated)
        c = self._cols
        if self.device.type == "cpu" and self.pos + n <= self.capacity:
            # every member's rows written in place, field by field (no gathered copy)
            dst = self.all.numpy()[:, self.pos : self.pos + n]
            try:
                parts = [np.reshape(f, (k, n, c[i + 1] - c[i])) for i, f in enumerate(fields)]
            except ValueError:
                width = sum(int(np.size(f)) for f in fields) // (k * n)
                raise ValueError(f"transition width {width} != buffer width {c[-1]}") from None
            for i, part in enumerate(parts):
                dst[..., c[i] : c[i + 1]] = part
            self.pos = (self.pos + n) % self.capacity
            self.size = min(self.size + n, self.capacity)
            return
        rows = np.concatenate([np.asarray(f, np.float32).reshape(k, n, -1) for f in fields], axis=2)
        if rows.shape[2] != self._cols[-1]:
            raise ValueError(f"transition width {rows.shape[2]} != buffer width {self._cols[-1]}")
        rows_t = torch.from_numpy(rows).to(self.device)
        for start in range(0, n, self.capacity):
            chunk = rows_t[:, start : start + self.capacity]
            m = chunk.shape[1]
            if self.pos + m <= self.capacity:
                self.all[:, self.pos : self.pos + m] = chunk
            else:
                idx = (torch.arange(m, device=self.device) + self.pos) % self.capacity
                self.all[:, idx] = chunk
            self.pos = int((self.pos + m) % self.capacity)
            self.size = min(self.size + m, self.capacity)

    def sample(self, batch_size: int) -> Batch:
        """Uniform minibatch (with replacement) as views of one gathered block.

        Several members: ``[members, batch_size, ...]``, member ``k``'s rows from its own
        slice (the indices are drawn for all members at once, never from the data).
        """
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        if self.members > 1:
            k = self.members
            idx = torch.randint(self.size, (k, batch_size), device=self.device, generator=self.gen)
            flat = self.all.view(k * self.capacity, -1)
            rows = flat.index_select(0, (idx + self._offsets).view(-1)).view(k, batch_size, -1)
        else:
            idx = torch.randint(self.size, (batch_size,), device=self.device, generator=self.gen)
            rows = self.data.index_select(0, idx)
        c = self._cols
        action = rows[..., c[1] : c[2]]
        action = action.squeeze(-1).long() if self.discrete else action
        return Batch(
            obs=rows[..., c[0] : c[1]],
            action=action,
            reward=rows[..., c[2]],
            next_obs=rows[..., c[3] : c[4]],
            terminated=rows[..., c[4]],
        )
