"""The "episodes" loop (REINFORCE) of a population: batches of complete episodes.

A member updates once it has played ``episodes_per_update`` complete episodes, so members
stepped in lock step would finish their batches at different steps. Here a member whose
batch is complete *pauses* (its environment does not step, its generator draws nothing)
until every member's batch is complete; then one batched update of all members on their
episodes (padded to the longest batch, with a mask), and all play on. A paused member
waits without changing anything it will see, so each member plays, logs and learns as
its single run with its seed does, step for step: its rows carry its own step count.

A member stops when its own step count reaches the budget (its single run checks before
each batch): it writes its closing rows (last log, final evaluation) and leaves the
population (compaction), while the others play on. A single run is a population of one
through the same loop (``Trainer._episodes``), its closing rows the trainer's own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
import torch

from rlcore.algos.base import Agent
from rlcore.core.config import RunConfig
from rlcore.core.envs import make_env
from rlcore.core.types import Metrics, Rollout
from rlcore.train.evaluation import EvalResult, eval_seed, play_members
from rlcore.train.population import PopulationEnvs, _Every

__all__ = ["EpisodeRows", "EpisodesHost", "MemberRows", "SingleRows", "episodes_loop"]


class EpisodesHost(Protocol):
    """What :func:`episodes_loop` drives: a trainer of one run or of a population."""

    agent: Agent
    run: RunConfig
    envs: PopulationEnvs
    step: int  # the furthest member's step count (a single run's own)
    updates: int

    def _compaction(self) -> list[int] | None: ...
    def _should_stop(self) -> bool: ...


class EpisodeRows(Protocol):
    """The rows of members after an update and at their end (a host's own bookkeeping)."""

    def add(self, info: dict[str, torch.Tensor]) -> None: ...
    def playing(self, k: int) -> np.ndarray: ...
    def due(self, steps: list[int]) -> Iterator[tuple[int, Metrics]]: ...
    def finish(self, slots: list[int], steps: list[int]) -> Iterator[tuple[int, Metrics]]: ...
    def close(self) -> None: ...


class SingleRows:
    """A single run's rows: the ``Trainer``'s logs and evaluations (its tail closes it)."""

    def __init__(self, trainer: Any) -> None:
        self.tr = trainer

    def add(self, info: dict[str, torch.Tensor]) -> None:
        self.tr.acc.add(info)

    def playing(self, k: int) -> np.ndarray:
        return np.ones(k, dtype=bool)

    def due(self, steps: list[int]) -> Iterator[tuple[int, Metrics]]:
        yield from self.tr._member_rows()

    def finish(self, slots: list[int], steps: list[int]) -> Iterator[tuple[int, Metrics]]:
        return iter(())  # the trainer's last log and final evaluation follow the loop

    def close(self) -> None:
        pass


class MemberRows:
    """Each member's rows at its own step count, as its single run writes them.

    Its logs every ``log_every`` of its steps (the means of its own updates since its last
    log), its evaluations every ``eval_interval`` (the episodes of the single run's
    ``evaluate``, on its evaluation seeds; the members due after one update play theirs
    side by side, one forward pass a step), and at its end its last log and final
    evaluation; then the member is dropped from the population (its final weights kept
    in ``host.final_states``).
    """

    def __init__(self, host: Any) -> None:
        from rlcore.train.trainer import MetricAccumulator

        run = host.run
        self.host = host
        self.acc = {m: MetricAccumulator() for m in host.ids}
        self.log_due = {m: _Every(run.log_every) for m in host.ids}
        self.eval_due = {m: _Every(run.eval_interval()) for m in host.ids}
        self.last = {m: (host._t0, 0, 0) for m in host.ids}  # time, step, updates of a log
        self.eval_envs: dict[int, list[gym.Env]] = {}  # made once per member

    def add(self, info: dict[str, torch.Tensor]) -> None:
        for slot, m in enumerate(self.host.ids):
            self.acc[m].add({key: v if v.dim() == 0 else v[slot] for key, v in info.items()})

    def playing(self, k: int) -> np.ndarray:
        """The slots of members not dropped (one dropped mid-batch stops playing at once)."""
        return np.array([self.host.active[m] for m in self.host.ids])

    def due(self, steps: list[int]) -> Iterator[tuple[int, Metrics]]:
        host, evals = self.host, []
        for slot, step in enumerate(steps):
            m = host.ids[slot]
            if not host.active[m]:
                continue
            if self.log_due[m](step):
                yield slot, self._log(slot, step)
            if self.eval_due[m](step) and step < host.run.steps:
                evals.append(slot)
        yield from self._evaluate(evals, steps)

    def finish(self, slots: list[int], steps: list[int]) -> Iterator[tuple[int, Metrics]]:
        """The members' closing rows, then they leave (those already ended: nothing)."""
        host = self.host
        slots = [s for s in slots if host.active[host.ids[s]]]
        for slot in slots:
            if self.acc[host.ids[slot]].values:
                yield slot, self._log(slot, steps[slot])
        yield from self._evaluate(slots, steps)
        for slot in slots:
            m = host.ids[slot]
            host.final_states[m] = host.agent.member_state_dict(slot)
            host.drop(m)  # after its rows: a dropped member's rows are not passed on
            for env in self.eval_envs.pop(m, []):
                env.close()

    def close(self) -> None:
        for envs in self.eval_envs.values():
            for env in envs:
                env.close()

    def _log(self, slot: int, step: int) -> Metrics:
        m, now = self.host.ids[slot], time.perf_counter()
        t, s, u = self.last[m]
        acc = self.acc[m]
        dt = max(now - t, 1e-9)
        row: Metrics = {"step": step}
        row.update(acc.flush())
        row.update(self.host.agent.member_exploration_metrics(slot))
        row["time/sps"] = (step - s) / dt
        row["time/updates_per_s"] = (acc.updates - u) / dt
        row["time/elapsed"] = now - self.host._t0
        self.last[m] = (now, step, acc.updates)
        return row

    @torch.no_grad()
    def _evaluate(self, slots: list[int], steps: list[int]) -> Iterator[tuple[int, Metrics]]:
        """The evaluations of the members ``slots``: ``evaluate``'s episodes, side by side."""
        if not slots:
            return
        host, agent = self.host, self.host.agent
        e = host.run.eval_episodes
        envs = [self.eval_envs.setdefault(m, []) for m in host.ids]
        for group in envs:
            group += [make_env(host.run.env) for _ in range(e - len(group))]
        seeds = [eval_seed(r.seed) if s in slots else None for s, r in enumerate(host.runs)]
        gammas = [a.gamma for a in agent.members]
        _, returns, disc, lengths = play_members(agent, envs, seeds, gammas)
        elapsed = time.perf_counter() - host._t0
        for slot in slots:
            res = EvalResult(returns[slot], lengths[slot], disc[slot], None)  # (no Q to show)
            yield slot, {"step": steps[slot], **res.metrics(), "time/elapsed": elapsed}


def _batch(
    cols: Sequence[list[np.ndarray]], going: list[np.ndarray], device: torch.device
) -> tuple[Rollout, torch.Tensor | None]:
    """The members' episodes as one rollout: ``[T, 1, ...]`` for one, else ``[T, K, ...]``.

    ``cols``: per step, each member's ``obs, action, reward, next_obs, terminated, done``;
    ``going``: which members stepped. Several members' rows are packed from row 0 (a
    paused member's steps left out), padded with zeros to the longest, with the mask.
    """
    arrays = [np.stack(c).astype(np.float32) for c in cols]  # [T, K, ...]
    if arrays[0].shape[1] == 1:  # one member: a single run's batch (it never pauses)
        return Rollout(*(torch.as_tensor(a, device=device) for a in arrays)), None
    g = np.stack(going)  # [T, K]
    t_idx, k_idx = np.nonzero(g)
    pos = (np.cumsum(g, 0) - 1)[t_idx, k_idx]  # each row's place in its member's batch
    length = int(g.sum(0).max())
    out = []
    for a in arrays:
        p = np.zeros((length, *a.shape[1:]), np.float32)
        p[pos, k_idx] = a[t_idx, k_idx]
        out.append(torch.as_tensor(p, device=device))
    mask = np.zeros((length, g.shape[1]), np.float32)
    mask[pos, k_idx] = 1.0
    return Rollout(*out), torch.as_tensor(mask, device=device)


def _refuse_hooks(host: Any) -> None:
    """PBT and schedules act at the lock step's ready points, which these members lack."""
    from rlcore.train.population import PopulationTrainer

    if type(host)._member_rows is not PopulationTrainer._member_rows:
        raise ValueError(
            f"{type(host).__name__}: {host.agent.title} members update at their own steps, "
            "with no common ready point (allowed: seeds and sweeps, PopulationTrainer)"
        )


def episodes_loop(host: Any, rows: EpisodeRows | None = None) -> Iterator[tuple[int, Metrics]]:
    """The episodes loop of every member at once (a population's rows: :class:`MemberRows`).

    Each step one batched forward for the members still playing their batch; the others
    pause. When every member's batch is complete, one ``update`` of all of them (a
    member's ``[T, ...]`` episodes, several members' padded ``[T, K, ...]`` with a mask).
    Yields ``(slot, row)``: finished episodes (at the member's own step count), and what
    ``rows`` gives after each update and at a member's end.
    """
    if rows is None:
        _refuse_hooks(host)
        rows = MemberRows(host)
    try:
        yield from _play(host, rows)
    finally:
        rows.close()


def _play(host: Any, rows: EpisodeRows) -> Iterator[tuple[int, Metrics]]:
    agent, total, envs = host.agent, host.run.steps, host.envs
    obs = envs.reset()  # [K, 1, obs]
    steps = [host.step] * envs.k  # each member's own count, by slot
    while True:
        if (keep := host._compaction()) is not None:  # members ended: their compute freed
            obs, steps = obs[keep], [steps[s] for s in keep]
        k = envs.k
        if min(steps) >= total:
            return
        agent.progress = host.step / total
        need = np.array([a.episodes_per_update for a in agent.members])  # type: ignore[attr-defined]
        going = (need > 0) & rows.playing(k)
        if not going.any():  # (every member dropped)
            break
        cols: list[list[np.ndarray]] = [[] for _ in range(6)]
        played: list[np.ndarray] = []
        while going.any():
            actions = agent.episode_actions(obs, going)  # type: ignore[attr-defined]
            every = bool(going.all())
            new, rew, term, done, nxt, finished = envs.step_all(actions, None if every else going)
            for col, x in zip(cols, (obs, actions, rew, nxt, term, done)):
                col.append(x[:, 0])
            played.append(going)
            obs = new if every else np.where(going.reshape(k, *[1] * (obs.ndim - 1)), new, obs)
            for slot, ret, length in finished:  # one copy per member: copy j is member j
                steps[slot] += length
                host.step = max(host.step, steps[slot])
                need[slot] -= 1
                yield slot, {"step": steps[slot], "rollout/return": ret, "rollout/length": length}
            going = (need > 0) & rows.playing(k)
        ro, mask = _batch(cols, played, agent.device)
        rows.add(agent.update(ro) if mask is None else agent.update(ro, mask))  # type: ignore[call-arg]
        host.updates += 1
        yield from rows.due(steps)
        # a member whose budget is spent ends (its single run checks before each batch)
        yield from rows.finish([s for s in range(k) if steps[s] >= total], steps)
        if min(steps) >= total:
            return  # every member done: the population ends by itself
        if host._should_stop():
            break
    yield from rows.finish(list(range(envs.k)), steps)  # stopped early: each closes
