"""Populations: K agents of one algorithm trained in one process, in lock step.

Seeds, sweeps and searches train several agents of one setup; on small networks most of
a run's time is Python and per-kernel overhead, paid once per process and per kernel
call. A population pays it once for all its members:

- every network carries a leading member axis (``MemberLinear``: one batched matmul for
  all members; a member's slice is a single run's layer),
- one set of K x ``n_envs`` environments stepped together (:class:`PopulationEnvs`),
  acted on in one forward pass,
- one replay tensor with a member axis (``ReplayBuffer(members=K)``),
- per-member hyperparameters as tensors on the member axis (the lr through
  ``MemberAdam``; gamma, tau, the ε schedule in the agent).

Members share nothing but the kernels: no gradient, no transition, no normalisation
(``tests/test_population.py`` perturbs one member's data and checks the others' weights
stay bit-identical). A single run is a population of one through the same code
(:func:`replay_loop`, :func:`rollout_loop` and :func:`dataset_loop`, which
:class:`~rlcore.train.trainer.Trainer` drives for one member): one implementation per
algorithm. Offline members share the one dataset, loaded once and only read
(:class:`SharedDataset`), each drawing its own minibatches.

:class:`PopulationTrainer` is the trainer of K members: iterating yields
``(member, metrics row)`` pairs, each row as the member's own run would write it
(``rlcore.service.worker.run_population_job`` writes each member as its own run).
Algorithms on the engine declare ``Agent.population``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor

from rlcore.algos.base import Agent, OffPolicyConfig, check_members
from rlcore.algos.registry import get_algo
from rlcore.core.batched import batched_physics
from rlcore.core.buffers import ReplayBuffer
from rlcore.core.config import AlgoConfig, RunConfig
from rlcore.core.device import set_matmul_precision, set_threads, tune_cpu_allocator
from rlcore.core.envs import make_env
from rlcore.core.types import Batch, Metrics, Rollout
from rlcore.train.evaluation import EvalResult, eval_seed, play_members

__all__ = [
    "MAX_MEMBERS",
    "PopulationEnvs",
    "PopulationTrainer",
    "SharedDataset",
    "check_population",
    "dataset_loop",
    "load_dataset",
    "phases_due",
    "replay_loop",
    "rollout_loop",
]

MAX_MEMBERS = 100  # as a batch's runs (rlcore.service.jobs.MAX_BATCH_RUNS)


def phases_due(cfg: OffPolicyConfig, total: int, before: int, after: int) -> int:
    """Training phases due when the step count goes from ``before`` to ``after``.

    The single environment's rule, for several steps at once: a phase at each step
    ``s`` past ``learning_starts`` that is a multiple of ``train_freq``, and at the
    last step of the budget.
    """
    lo = max(before, cfg.learning_starts)
    if after <= lo:
        return 0
    k = after // cfg.train_freq - lo // cfg.train_freq
    return k + int(after == total and total % cfg.train_freq != 0)


class PopulationEnvs:
    """K members x ``n`` copies of one environment, stepped together.

    Seeded as each member's single run seeds its own: on one environment (``n`` = 1)
    ``make_env(env, seed)`` and ``reset(seed=seed)``, random actions from that
    environment's space; on several, copy ``i`` resets with ``seed + i`` and the
    random actions come from the batched space seeded with ``seed`` (as Gymnasium's
    ``SyncVectorEnv`` of a single run). A finished episode resets in the same step
    (Gymnasium's ``SAME_STEP``); :meth:`step` returns the true final observation among
    the next ones (bootstrapped on truncation), the reset one among the new ones.
    """

    def __init__(
        self, env_id: str, seeds: Sequence[int], n: int = 1, first: gym.Env | None = None
    ) -> None:
        self.k, self.n = len(seeds), int(n)
        self.seeds = [int(s) for s in seeds]
        if self.n == 1:
            self.envs = [
                first if i == 0 and first is not None else make_env(env_id, seed=s)
                for i, s in enumerate(self.seeds)
            ]
            self.spaces: list[gym.Space] = [e.action_space for e in self.envs]
        else:
            self.envs = [make_env(env_id) for _ in self.seeds for _ in range(self.n)]
            self.spaces = []
            for i, s in enumerate(self.seeds):
                space = gym.vector.utils.batch_space(self.envs[i * self.n].action_space, self.n)
                space.seed(s)
                self.spaces.append(space)
        self.observation_space = self.envs[0].observation_space
        self.action_space = self.envs[0].action_space
        self._obs_shape = self.observation_space.shape or ()
        self._act_shape = self.action_space.shape or ()
        self.single = self.k * self.n == 1
        # several copies of CartPole or Pendulum: their physics in one numpy call, to the
        # bit what each environment's step gives (rlcore.core.batched); one copy steps
        # its environment as a single run always has
        self.kernel = None if self.single else batched_physics(self.envs)

    def reset(self) -> np.ndarray:
        """Every copy's first observation, ``[k, n, *obs]``."""
        count = len(self.envs)
        self.ep_ret = np.zeros(count)  # the running episodes' returns and lengths
        self.ep_len = np.zeros(count, dtype=np.int64)
        seeds = [self.seeds[j // self.n] + j % self.n for j in range(count)]
        if self.kernel is not None:
            obs = [self.kernel.reset(j, seed=seeds[j]) for j in range(count)]
        else:
            obs = [e.reset(seed=seeds[j])[0] for j, e in enumerate(self.envs)]
        return np.stack(obs).reshape(self.k, self.n, *self._obs_shape)

    def sample(self) -> np.ndarray:
        """Uniform random actions, ``[k, n, *action]``, from each member's own space."""
        if self.single:
            return np.asarray(self.spaces[0].sample()).reshape(1, 1, *self._act_shape)
        if self.n == 1:
            return np.stack([np.asarray(s.sample()) for s in self.spaces]).reshape(
                self.k, 1, *self._act_shape
            )
        return np.stack([s.sample() for s in self.spaces])

    def step(
        self, obs: np.ndarray, actions: np.ndarray, buf: ReplayBuffer, m: int
    ) -> tuple[np.ndarray, list[tuple[int, float, int]]]:
        """Act ``actions`` in every copy; store each member's first ``m`` transitions.

        The transitions ``(obs, action, reward, next obs, terminated)`` go to ``buf`` (each
        member's to its slice; the next obs is the true final one where an episode
        ended). Returns the new observations ``[k, n, ...]`` (the reset ones where an
        episode ended) and ``finished``: ``(copy, return, length)`` of each episode that
        ended (copy ``j`` is member ``j // n``'s ``j % n``-th).
        """
        ret, length = self.ep_ret, self.ep_len
        if self.single:  # a single run's step: its transition stored as a single run does
            e = self.envs[0]
            a = actions.reshape(1, *self._act_shape)[0]
            o, r, te, tr, _ = e.step(a)
            buf.add(obs, a, r, o, te)
            ret[0] += float(r)
            length[0] += 1
            finished = []
            if te or tr:
                finished.append((0, float(ret[0]), int(length[0])))
                ret[0], length[0] = 0.0, 0
                o, _ = e.reset()
            return np.asarray(o).reshape(1, 1, *self._obs_shape), finished
        new, rew, term, _, nxt, finished = self.step_all(actions)
        if m == self.n:
            buf.add_members(obs, actions, rew, nxt, term)
        else:  # the budget's last step: the transitions it has room for
            buf.add_members(obs[:, :m], actions[:, :m], rew[:, :m], nxt[:, :m], term[:, :m])
        return new, finished

    def step_all(
        self, actions: np.ndarray, only: np.ndarray | None = None
    ) -> tuple[np.ndarray, ...]:  # (new, reward, terminated, done, next, finished)
        """Act ``actions`` (``[k, n, *action]``) in every copy; nothing stored.

        Returns ``(new_obs, reward, terminated, done, next_obs, finished)``, each
        ``[k, n, ...]`` (``done``: terminated or truncated; ``next_obs`` the true final
        observation where an episode ended, ``new_obs`` the reset one) and ``finished`` as
        :meth:`step`'s. What an on-policy rollout keeps of a step.

        ``only`` (``[k]`` bools): step just these members' copies; the others' do not
        move, and their entries in what is returned mean nothing (zeros).
        """
        ret, length = self.ep_ret, self.ep_len
        count = len(self.envs)
        flat = actions.reshape(count, *self._act_shape)
        idx = None if only is None else np.flatnonzero(np.repeat(np.asarray(only, bool), self.n))
        if self.kernel is not None and idx is None:  # every copy, in one call
            new, rew, term, trunc = self.kernel.step(flat)
        else:
            new = np.zeros((count, *self._obs_shape), dtype=self.observation_space.dtype)
            rew = np.zeros(count)
            term = np.zeros(count, dtype=bool)
            trunc = np.zeros(count, dtype=bool)
        if self.kernel is not None:
            if idx is not None:
                new[idx], rew[idx], term[idx], trunc[idx] = self.kernel.step(flat[idx], idx)
        else:
            if not self._act_shape:  # discrete: Python ints (the spaces' check is fastest)
                flat = flat.tolist()
            for j in range(count) if idx is None else idx.tolist():
                new[j], rew[j], term[j], trunc[j], _ = self.envs[j].step(flat[j])
        done = term | trunc
        if idx is None:
            ret += rew
            length += 1
        else:
            ret[idx] += rew[idx]
            length[idx] += 1
        nxt = new
        finished = []
        if done.any():
            nxt = new.copy()
            for j in np.flatnonzero(done).tolist():
                finished.append((j, float(ret[j]), int(length[j])))
                ret[j], length[j] = 0.0, 0
                if self.kernel is not None:
                    new[j] = self.kernel.reset(j)
                else:
                    new[j] = self.envs[j].reset()[0]
        shape = (self.k, self.n)
        obs_shape = (*shape, *self._obs_shape)
        return (
            new.reshape(obs_shape),
            rew.reshape(shape),
            term.reshape(shape),
            done.reshape(shape),
            nxt.reshape(obs_shape),
            finished,
        )

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) step from now on; the rest close."""
        n = self.n
        groups = [self.envs[k * n : (k + 1) * n] for k in range(self.k)]
        for k, group in enumerate(groups):
            if k not in keep:
                for e in group:
                    e.close()
        cols = [j for k in keep for j in range(k * n, (k + 1) * n)]
        self.envs = [e for k in keep for e in groups[k]]
        if hasattr(self, "ep_ret"):  # (an offline population never steps its environments)
            self.ep_ret = self.ep_ret[cols]
            self.ep_len = self.ep_len[cols]
        if self.kernel is not None:  # the kept copies' states and step counts carry on
            kernel = self.kernel
            self.kernel = batched_physics(self.envs) if len(self.envs) > 1 else None
            if self.kernel is not None:
                self.kernel.state = kernel.state[cols]
                self.kernel.elapsed = kernel.elapsed[cols]
            else:  # one copy left: its environment steps again, from where it stands
                kernel.write_back(cols[0])
        self.spaces = [self.spaces[k] for k in keep]
        self.seeds = [self.seeds[k] for k in keep]
        self.k = len(keep)
        self.single = self.k * self.n == 1

    def close(self) -> None:
        for e in self.envs:
            e.close()


class ReplayHost(Protocol):
    """What :func:`replay_loop` drives: a trainer of one run or of a population."""

    agent: Agent
    cfg: Any
    run: RunConfig
    envs: PopulationEnvs
    buffer: ReplayBuffer
    step: int
    warmup_seconds: float
    _t0: float

    def _train(self, buf: ReplayBuffer, k: int) -> None: ...
    def _phases(self, before: int, after: int) -> int: ...
    def _member_rows(self) -> list[tuple[int, Metrics]]: ...
    def _compaction(self) -> list[int] | None: ...
    def _should_stop(self) -> bool: ...


class _Every:
    """True once each time ``step`` crosses a new multiple of ``every``."""

    def __init__(self, every: int) -> None:
        self.every, self.last = every, 0

    def __call__(self, step: int) -> bool:
        k = step // self.every
        if k > self.last:
            self.last = k
            return True
        return False


def replay_loop(host: ReplayHost) -> Iterator[tuple[int, Metrics]]:
    """The off-policy loop of every member at once: act, step, store, train.

    One batched action for all K x n environments per step; each member's transitions
    go to its slice of the buffer (the true final observation on a time-limit
    truncation). The budget, ``learning_starts`` and ``train_freq`` count a member's
    transitions, so a member does the updates its single run does; the last step keeps
    only the transitions the budget has room for. Yields ``(member, row)``: finished
    episodes, and what ``host._member_rows`` gives after each step (logs, evaluations).
    """
    agent, c, total, envs = host.agent, host.cfg, host.run.steps, host.envs
    buf = host.buffer
    obs = envs.reset()
    n = envs.n
    stop_due = _Every(64)
    phases, compaction, rows_due = host._phases, host._compaction, host._member_rows
    on_step, act = agent.on_step, agent.act_members  # type: ignore[attr-defined]
    while host.step < total:
        before = host.step
        agent.progress = before / total
        if before < c.learning_starts:
            actions = envs.sample()
        else:
            actions = act(obs, explore=True, spaces=envs.spaces)
        m = min(n, total - before)
        new_obs, finished = envs.step(obs, actions, buf, m)
        host.step = before + m
        if before < c.learning_starts <= host.step:  # the warm-up's speed feeds estimates
            host.warmup_seconds = time.perf_counter() - host._t0
        for j, ret, length in finished:
            k, i = divmod(j, n)
            if i < m:
                yield k, {"step": host.step, "rollout/return": ret, "rollout/length": length}
        obs = new_obs
        if n_steps := phases(before, host.step) * c.gradient_steps:
            host._train(buf, n_steps)
        for s in range(before, host.step):
            on_step(s)
        if (keep := compaction()) is not None:  # members dropped: their compute freed
            obs = obs[keep]
        if rows := rows_due():
            yield from rows
        if stop_due(host.step) and host._should_stop():
            break


class RolloutHost(Protocol):
    """What :func:`rollout_loop` drives: a trainer of one run or of a population."""

    agent: Agent
    cfg: Any
    run: RunConfig
    envs: PopulationEnvs
    step: int
    updates: int
    acc: Any

    def _member_rows(self) -> list[tuple[int, Metrics]]: ...
    def _compaction(self) -> list[int] | None: ...
    def _should_stop(self) -> bool: ...


def rollout_loop(host: RolloutHost) -> Iterator[tuple[int, Metrics]]:
    """The on-policy loop of every member at once: rollouts of ``n_steps`` x ``n_envs``.

    Each step one batched action for all K x n environments (their unclipped samples
    kept to learn from); each rollout, one ``update`` of every member on its own data
    (``[T, n, ...]`` fields for one member, ``[T, K, n, ...]`` for several). Yields
    ``(member, row)``: finished episodes, and what ``host._member_rows`` gives after
    each update (logs, evaluations).
    """
    agent, c, run, envs = host.agent, host.cfg, host.run, host.envs
    n, t_len = c.n_envs, c.n_steps
    obs = envs.reset()
    d = agent.obs_dim
    while host.step < run.steps:
        k = envs.k
        agent.progress = host.step / run.steps
        o_buf = np.zeros((t_len, k, n, d), np.float32)
        no_buf = np.zeros((t_len, k, n, d), np.float32)
        a_shape = () if agent.discrete else (agent.action_dim,)
        a_buf = np.zeros((t_len, k, n, *a_shape), np.int64 if agent.discrete else np.float32)
        r_buf, te_buf, end_buf = (np.zeros((t_len, k, n), np.float32) for _ in range(3))
        for t in range(t_len):
            actions, kept = agent.rollout_members(obs)  # type: ignore[attr-defined]
            new_obs, rew, term, done, nxt, finished = envs.step_all(actions)
            o_buf[t], a_buf[t], r_buf[t] = obs.reshape(k, n, d), kept.reshape(a_buf[t].shape), rew
            te_buf[t], end_buf[t], no_buf[t] = term, done, nxt.reshape(k, n, d)
            obs = new_obs
            host.step += n
            for j, ret, length in finished:
                yield j // n, {"step": host.step, "rollout/return": ret, "rollout/length": length}
        bufs = (o_buf, a_buf, r_buf, no_buf, te_buf, end_buf)
        if k == 1:  # one member's rollout: [T, n, ...] as a single run's
            bufs = tuple(b[:, 0] for b in bufs)
        ro = Rollout(*(torch.as_tensor(x, device=agent.device) for x in bufs))
        host.acc.add(agent.update(ro))
        host.updates += 1
        if (keep := host._compaction()) is not None:  # members dropped: their compute freed
            obs = obs[keep]
        if rows := host._member_rows():
            yield from rows
        if host._should_stop():
            break


class SharedDataset:
    """One offline dataset that K members each draw their own minibatches from.

    The transitions are loaded once (a one-member ``ReplayBuffer``, only ever read):
    sharing the fixed data shares nothing between members, as each member's minibatch
    indices come from its own generator, seeded with its run's seed as its single run's
    buffer is (member ``k`` draws the minibatches its single run draws). :meth:`sample`
    gives ``[K, B, ...]`` fields; one member (a population compacted to one) ``[B, ...]``.
    """

    def __init__(self, data: ReplayBuffer, seeds: Sequence[int]) -> None:
        self.data = data
        self.gens = []
        for s in seeds:
            g = torch.Generator(device=data.device)
            g.manual_seed(int(s))
            self.gens.append(g)

    def __len__(self) -> int:
        return len(self.data)

    def sample(self, batch_size: int) -> Batch:
        """Each member's uniform minibatch (with replacement) from the whole dataset."""
        d = self.data
        draws = [
            torch.randint(d.size, (batch_size,), device=d.device, generator=g) for g in self.gens
        ]
        idx = draws[0] if len(draws) == 1 else torch.stack(draws)
        rows = d.data.index_select(0, idx.view(-1)).view(*idx.shape, -1)
        c = d._cols
        action = rows[..., c[1] : c[2]]
        return Batch(
            obs=rows[..., c[0] : c[1]],
            action=action.squeeze(-1).long() if d.discrete else action,
            reward=rows[..., c[2]],
            next_obs=rows[..., c[3] : c[4]],
            terminated=rows[..., c[4]],
        )

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` draw from now on (their generators carry on)."""
        self.gens = [self.gens[k] for k in keep]


def load_dataset(host: Any) -> None:
    """Load ``host.run``'s dataset for ``host.agent``: once, whatever the members.

    Sets the agent's observation statistics (the dataset's, the same for every member),
    ``host.buffer`` (the normalised transitions, a one-member ``ReplayBuffer`` seeded
    with the run's seed), ``host.refs`` (the dataset's random and expert scores, or
    ``None``) and ``host.dataset_return_mean``.

    Raises:
        ValueError: the dataset was collected on another environment (one line).
    """
    from rlcore.data.datasets import load_transitions

    run = host.run
    data, meta = load_transitions(run.dataset)
    if meta["env"] != run.env:
        raise ValueError(
            f"RunConfig.dataset = {run.dataset!r} was collected on {meta['env']}, "
            f"not {run.env} (allowed: datasets of {run.env})"
        )
    if meta.get("ref_min_score") is not None and meta.get("ref_max_score") is not None:
        host.refs = (float(meta["ref_min_score"]), float(meta["ref_max_score"]))
    host.dataset_return_mean = float(data.episode_returns.mean())
    mean = data.observations.mean(0)
    std = data.observations.std(0) + 1e-3
    a = host.agent
    a.set_obs_stats(mean, std)
    host.buffer = ReplayBuffer(
        len(data), a.obs_dim, a.action_dim, a.discrete, host.device, seed=run.seed
    )
    host.buffer.add_many(
        (data.observations - mean) / std,
        data.actions,
        data.rewards,
        (data.next_observations - mean) / std,
        data.terminals,
    )


class DatasetHost(Protocol):
    """What :func:`dataset_loop` drives: a trainer of one run or of a population."""

    agent: Agent
    cfg: Any
    run: RunConfig
    buffer: Any  # ``sample(batch_size)``: a one-member ReplayBuffer, or a SharedDataset
    step: int
    updates: int
    acc: Any

    def _update(self, batch: Batch) -> dict[str, Tensor]: ...
    def _member_rows(self) -> list[tuple[int, Metrics]]: ...
    def _compaction(self) -> list[int] | None: ...
    def _should_stop(self) -> bool: ...


def dataset_loop(host: DatasetHost) -> Iterator[tuple[int, Metrics]]:
    """The offline loop of every member at once: one gradient step per step of the budget.

    Each step every member draws its own minibatch of the one dataset (``[B, ...]`` for
    one member: a single run's draws; ``[K, B, ...]`` for several) and takes one
    ``update``. Yields ``(member, row)``: what ``host._member_rows`` gives after each
    step (logs, evaluations).
    """
    agent, total, batch_size = host.agent, host.run.steps, host.cfg.batch_size
    data, acc = host.buffer, host.acc
    while host.step < total:
        step = host.step
        agent.progress = step / total
        acc.add(host._update(data.sample(batch_size)))
        host.updates += 1
        host.step = step + 1
        agent.on_step(step)
        host._compaction()  # members dropped: their compute freed
        if rows := host._member_rows():
            yield from rows
        if step % 64 == 0 and host._should_stop():
            break


_RUN_SHARED = ("seed",)  # what members' runs may differ in


def check_population(runs: Sequence[RunConfig], algos: Sequence[AlgoConfig]) -> type[Agent]:
    """The agent class of a population, once its runs and configs are one setup.

    Members may differ in their seed and in the algorithm's ``member_hparams``; the rest
    (environment, steps, network, batch size...) shapes the shared tensors and loop.

    Raises:
        ValueError: in one line, naming the member and the field.
    """
    if not 1 <= len(runs) <= MAX_MEMBERS:
        raise ValueError(f"members = {len(runs)}: out of range (allowed: 1 to {MAX_MEMBERS})")
    if len(algos) != len(runs):
        raise ValueError(f"{len(runs)} runs but {len(algos)} algorithm configs")
    first = runs[0]
    spec = get_algo(first.algo)
    cls = spec.agent_cls
    if not cls.population:
        from rlcore.algos.registry import ALGORITHMS

        able = [n for n, s in ALGORITHMS.items() if s.agent_cls.population]
        raise ValueError(
            f"algo = {first.algo!r}: does not train as a population yet "
            f"(allowed: {', '.join(able)})"
        )
    for i, r in enumerate(runs):
        for f in dataclasses.fields(RunConfig):
            if f.name not in _RUN_SHARED and getattr(r, f.name) != getattr(first, f.name):
                raise ValueError(
                    f"member {i}: RunConfig.{f.name} = {getattr(r, f.name)!r} differs from "
                    f"member 0's {getattr(first, f.name)!r} (members may differ only in seed)"
                )
    check_members(algos[0], algos, cls.member_hparams)
    if len(runs) > 1 and (why := cls.population_refusal(algos[0])):
        raise ValueError(why)
    if len({r.seed for r in runs}) != len(runs) and len({repr(a) for a in algos}) == 1:
        raise ValueError("members with the same seed and config would train the same agent twice")
    return cls


class _MemberAccumulator:
    """The agent's ``[k]`` diagnostics, averaged per member with one host transfer."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.values: dict[str, list[Tensor]] = {}
        self.updates = 0

    def add(self, info: dict[str, Tensor]) -> None:
        self.updates += 1
        for key, v in info.items():
            self.values.setdefault(key, []).append(v)

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep``'s diagnostics from now on (those kept so far sliced)."""
        idx = torch.tensor(list(keep))
        for key, vs in self.values.items():
            self.values[key] = [v.view(-1).index_select(0, idx) for v in vs]
        self.k = len(keep)

    def flush(self, prefix: str = "train/") -> list[Metrics]:
        """Each member's means since the last flush, as floats."""
        if not self.values:
            return [{} for _ in range(self.k)]
        keys = list(self.values)
        means = torch.stack(
            [torch.stack(self.values[key]).float().view(-1, self.k).mean(0) for key in keys]
        ).tolist()  # [keys][members]
        self.values.clear()
        return [{prefix + key: means[j][i] for j, key in enumerate(keys)} for i in range(self.k)]


class PopulationTrainer:
    """Trains K members of one setup (seeds and/or per-member hyperparameters) at once.

    Args:
        runs: each member's run (they may differ only in ``seed``).
        algos: each member's hyperparameters (they may differ only in the algorithm's
            ``member_hparams``; one config for all when a single one is given).
        stop: asked between steps; ``True`` ends every member (see :meth:`drop` to end one).
        max_seconds: wall-time limit of the whole population.
        threads_fn: re-chooses the CPU threads (as ``Trainer``'s).

    Iterating trains and yields ``(member, row)``: each member's rows as its single run
    would yield them (episodes, logs every ``log_every`` steps, evaluations, and at the
    end its last log and final evaluation). A dropped member yields nothing more.
    """

    THREADS_EVERY_S = 2.0

    def __init__(
        self,
        runs: Sequence[RunConfig],
        algos: Sequence[AlgoConfig] | AlgoConfig,
        stop: Callable[[], bool] | None = None,
        max_seconds: float | None = None,
        threads_fn: Callable[[], int] | None = None,
    ) -> None:
        runs = list(runs)
        algos = [algos] * len(runs) if isinstance(algos, AlgoConfig) else list(algos)
        cls = check_population(runs, algos)
        self.runs, self.algos = runs, algos
        self.run, self.cfg = runs[0], algos[0]
        self.k = len(runs)
        run = self.run
        set_threads(run.threads)
        self.threads_fn, self.threads = threads_fn, run.threads
        self._threads_t = time.perf_counter()
        tune_cpu_allocator()
        set_matmul_precision(run.matmul_precision)
        seeds = [r.seed for r in runs]
        from rlcore.train.trainer import seed_everything

        seed_everything(seeds[0])
        from rlcore.train.autodevice import choose_device

        self.device = choose_device(run, self.cfg, self.k)  # auto: the faster one, measured
        self.envs = PopulationEnvs(run.env, seeds, getattr(self.cfg, "n_envs", 1))
        e0 = self.envs.envs[0]
        self.agent = cls(  # type: ignore[call-arg]
            e0.observation_space,
            e0.action_space,
            self.cfg,
            self.device,
            members=algos,
            seeds=seeds,
        )
        self.buffer: Any = None  # on-policy members keep no replay
        self.refs: tuple[float, float] | None = None  # an offline dataset's yardsticks
        self._update = self.agent.update
        if self.agent.loop == "dataset":  # loaded once; each member draws its own batches
            load_dataset(self)
            self.buffer = SharedDataset(self.buffer, seeds)
        elif self.agent.loop == "replay":
            self.buffer = ReplayBuffer(
                min(self.cfg.buffer_size, run.steps),  # type: ignore[attr-defined]
                self.agent.obs_dim,
                self.agent.action_dim,
                self.agent.discrete,
                self.device,
                seed=seeds[0],
                members=self.k,
            )
        self.stop = stop or (lambda: False)
        self.max_seconds = max_seconds
        self.step = self.updates = 0
        self.stopped_early = False
        self.active = [True] * self.k  # by member (its index in ``runs``)
        self.ids = list(range(self.k))  # the member of each slot of the member axis
        self.train_seconds = self.train_cpu_seconds = self.warmup_seconds = 0.0
        self._cpu0 = time.process_time()
        self._t0 = time.perf_counter()
        self._log_t, self._log_step, self._log_updates = self._t0, 0, 0
        self.acc = _MemberAccumulator(self.k)
        self._log_due, self._eval_due = _Every(run.log_every), _Every(run.eval_interval())
        self._eval_envs: list[list[gym.Env]] | None = None
        self._n_eval = 0
        # the weights of members that ended before the others (the episodes loop's)
        self.final_states: dict[int, dict[str, Tensor]] = {}

    # -- the host of replay_loop ----------------------------------------------------
    def _phases(self, before: int, after: int) -> int:
        return phases_due(self.cfg, self.run.steps, before, after)  # type: ignore[arg-type]

    def _train(self, buf: ReplayBuffer, k: int) -> None:
        for info in self.agent.update_phase(buf, k, self.cfg.batch_size):  # type: ignore[attr-defined]
            self.acc.add(info)
        self.updates += k

    def _should_stop(self) -> bool:
        if self.threads_fn is not None:
            now = time.perf_counter()
            if now - self._threads_t >= self.THREADS_EVERY_S:
                self._threads_t = now
                n = self.threads_fn()
                if n != self.threads:
                    set_threads(n)
                    self.threads = n
        if self.stop() or not any(self.active):
            self.stopped_early = True
        elif self.max_seconds is not None and time.perf_counter() - self._t0 > self.max_seconds:
            self.stopped_early = True
        return self.stopped_early

    def _compaction(self) -> list[int] | None:
        """Rebuild the population without its dropped members (``None``: none to drop).

        Every member-axis tensor (weights, optimiser moments, replay) keeps the slots of
        the live members only, their environments and evaluation episodes with them: a
        pruned member stops costing. The live members' numbers are carried over exactly.
        """
        keep = [slot for slot, m in enumerate(self.ids) if self.active[m]]
        if len(keep) == self.k or not keep:
            return None
        self.agent.keep_members(keep)  # type: ignore[attr-defined]
        if self.buffer is not None:
            self.buffer.keep_members(keep)
        self.envs.keep_members(keep)
        self.acc.keep_members(keep)
        if self._eval_envs is not None:
            for slot, envs in enumerate(self._eval_envs):
                if slot not in keep:
                    for env in envs:
                        env.close()
            self._eval_envs = [self._eval_envs[slot] for slot in keep]
        self.runs = [self.runs[slot] for slot in keep]
        self.algos = [self.algos[slot] for slot in keep]
        self.ids = [self.ids[slot] for slot in keep]
        self.k = len(keep)
        return keep

    def _member_rows(self) -> list[tuple[int, Metrics]]:
        rows: list[tuple[int, Metrics]] = []
        if self._log_due(self.step):
            rows += self._train_metrics()
        if self._eval_due(self.step) and self.step < self.run.steps:
            rows += self.evaluate()
        return rows

    # -- rows -----------------------------------------------------------------------
    def _train_metrics(self) -> Iterator[tuple[int, Metrics]]:
        now = time.perf_counter()
        dt = max(now - self._log_t, 1e-9)
        means = self.acc.flush()
        timing = {
            "time/sps": (self.step - self._log_step) / dt,
            "time/updates_per_s": (self.updates - self._log_updates) / dt,
            "time/elapsed": now - self._t0,
        }
        self._log_t, self._log_step, self._log_updates = now, self.step, self.updates
        for k in self._live():
            m: Metrics = {"step": self.step}
            m.update(means[k])
            m.update(self.agent.member_exploration_metrics(k))
            m.update(timing)
            yield k, m

    def _live(self) -> list[int]:
        """The slots of the live members."""
        return [slot for slot in range(self.k) if self.active[self.ids[slot]]]

    @torch.no_grad()
    def evaluate(self) -> Iterator[tuple[int, Metrics]]:
        """Each live member's deterministic evaluation, all members' episodes side by side.

        The episodes of ``evaluation.evaluate`` (its run's evaluation seeds, greedy
        actions, the same metrics), played for every member at once: one forward pass of
        the member-axis network per step for all of them, and the environments made once
        for the whole training (each evaluation resets them with the same seeds).
        """
        live = self._live()
        if not live:
            return
        run, agent = self.run, self.agent
        e = run.eval_episodes
        if self._eval_envs is None:
            self._eval_envs = [[make_env(run.env) for _ in range(e)] for _ in range(self.k)]
        seeds = [eval_seed(r.seed) if k in live else None for k, r in enumerate(self.runs)]
        gammas = [a.gamma for a in self.algos]
        obs, returns, disc, lengths = play_members(agent, self._eval_envs, seeds, gammas)
        actions = agent.act_members(obs, explore=False)  # type: ignore[attr-defined]
        x = torch.from_numpy(obs).view(self.k, e, -1).to(self.device)
        if agent.normalize_obs:  # (an offline dataset's statistics, as the actor sees them)
            x = (x - agent.obs_mean) / agent.obs_std
        if agent.k == 1:  # a single run's networks: no member axis
            q0 = agent.q_value(x[0], actions[0])
            q0 = None if q0 is None else q0.unsqueeze(0)
        else:
            q0 = agent.q_value(x, actions)
        q0 = None if q0 is None else q0.cpu().numpy()
        elapsed = time.perf_counter() - self._t0
        self._n_eval += 1
        for k in live:
            res = EvalResult(returns[k], lengths[k], disc[k], None if q0 is None else q0[k])
            row = {"step": self.step, **res.metrics(), "time/elapsed": elapsed}
            yield k, {**row, **self._ref_metrics(res.mean)}

    def _ref_metrics(self, mean: float) -> Metrics:
        """An offline evaluation's normalised score (and the yardsticks, the first time)."""
        out: Metrics = {}
        if self.refs is not None:
            from rlcore.data.datasets import normalized_score

            out["eval/normalized_score"] = normalized_score(mean, *self.refs)
            if self._n_eval == 1:  # the run's yardsticks, once: charts draw them as lines
                out["ref/dataset_return"] = self.dataset_return_mean
                out["ref/random_return"], out["ref/expert_return"] = self.refs
        return out

    def drop(self, k: int) -> None:
        """End member ``k`` (pruned, stopped): it yields nothing more.

        The population is rebuilt without it after the current step (``_compaction``),
        so it stops costing; when no member is left the population stops.
        """
        if not 0 <= k < len(self.active):
            raise ValueError(f"member = {k}: out of range (allowed: 0 to {len(self.active) - 1})")
        self.active[k] = False

    def member_state_dict(self, k: int) -> dict[str, Tensor]:
        """Member ``k``'s weights as a single run's state dict (``ValueError`` once dropped)."""
        if k not in self.ids:
            if k in self.final_states:  # ended with its budget spent, before the others
                return {key: v.clone() for key, v in self.final_states[k].items()}
            raise ValueError(f"member = {k}: dropped, its weights are gone")
        return self.agent.member_state_dict(self.ids.index(k))

    def _as_members(self, rows: Iterator[tuple[int, Metrics]]) -> Iterator[tuple[int, Metrics]]:
        for slot, m in rows:
            member = self.ids[slot]
            if self.active[member]:
                yield member, m

    def __iter__(self) -> Iterator[tuple[int, Metrics]]:
        try:
            from rlcore.train.episodes import episodes_loop  # (it imports this module)

            loops = {
                "replay": replay_loop,
                "rollout": rollout_loop,
                "dataset": dataset_loop,
                "episodes": episodes_loop,
            }
            loop = loops[self.agent.loop]
            yield from self._as_members(loop(self))  # type: ignore[arg-type]
            self.train_seconds = time.perf_counter() - self._t0
            self.train_cpu_seconds = time.process_time() - self._cpu0
            if self.acc.values:
                yield from self._as_members(self._train_metrics())
            yield from self._as_members(self.evaluate())
        finally:
            with contextlib.suppress(Exception):
                self.envs.close()
                for envs in self._eval_envs or []:
                    for env in envs:
                        env.close()
