"""Training loops that yield flat metric dicts: the one path used by CLI, app and tests.

``Trainer(run_cfg, algo_cfg)`` builds the environment and the agent; iterating over it
trains and yields ``{"step": ..., "rollout/return": ...}``-style dicts: one per finished
episode, one per ``log_every`` steps (means of the agent's ``update`` diagnostics) and
one per evaluation.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor

from rlcore.algos.base import Agent
from rlcore.algos.registry import get_algo
from rlcore.core.buffers import ReplayBuffer
from rlcore.core.config import AlgoConfig, Loop, RunConfig
from rlcore.core.device import resolve_device, set_matmul_precision, set_threads, tune_cpu_allocator
from rlcore.core.envs import make_env
from rlcore.core.types import Metrics
from rlcore.train.autodevice import choose_device
from rlcore.train.compiled import CompiledUpdate
from rlcore.train.evaluation import eval_seed, evaluate
from rlcore.train.population import (
    PopulationEnvs,
    _Every,
    dataset_loop,
    load_dataset,
    phases_due,
    replay_loop,
    rollout_loop,
)
from rlcore.train.resume import TrainState, resume_trainer

__all__ = ["MetricAccumulator", "Trainer", "build_agent", "seed_everything"]


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_agent(
    run: RunConfig,
    algo_cfg: AlgoConfig,
    env: gym.Env | None = None,
    device: torch.device | None = None,
) -> Agent:
    """The agent for ``run`` (spaces taken from a fresh catalogue env if none is given).

    On ``device`` (default: the run's, ``auto`` resolved without measuring).
    """
    spec = get_algo(run.algo)
    if not isinstance(algo_cfg, spec.config_cls):
        raise ValueError(f"{run.algo} needs a {spec.config_cls.__name__}")
    own = env is None
    env = env or make_env(run.env)
    try:
        return spec.agent_cls(
            env.observation_space, env.action_space, algo_cfg, device or resolve_device(run.device)
        )
    finally:
        if own:
            env.close()


class MetricAccumulator:
    """Collects 0-d tensors from ``update`` and averages them with one host transfer."""

    def __init__(self) -> None:
        self.values: dict[str, list[Tensor]] = defaultdict(list)
        self.updates = 0

    def add(self, info: dict[str, Tensor]) -> None:
        self.updates += 1
        for k, v in info.items():
            self.values[k].append(v)

    def flush(self, prefix: str = "train/") -> Metrics:
        """Means since the last flush, as floats."""
        if not self.values:
            return {}
        keys = list(self.values)
        means = torch.stack([torch.stack(self.values[k]).float().mean() for k in keys]).tolist()
        self.values.clear()
        return {prefix + k: m for k, m in zip(keys, means)}


class Trainer:
    """Builds env + agent for a run; iterate to train."""

    THREADS_EVERY_S = 2.0  # how often ``threads_fn`` is asked

    def __init__(
        self,
        run: RunConfig,
        algo_cfg: AlgoConfig,
        stop: Callable[[], bool] | None = None,
        max_seconds: float | None = None,
        threads_fn: Callable[[], int] | None = None,
        initial_state: dict[str, Tensor] | None = None,
        resume: TrainState | None = None,
    ) -> None:
        self.run, self.cfg = run, algo_cfg
        set_threads(run.threads)
        # re-chosen threads (the worker's: the cores other trainings leave free), asked
        # every THREADS_EVERY_S from the training thread (OpenMP's count is per thread)
        self.threads_fn, self.threads = threads_fn, run.threads
        self._threads_t = time.perf_counter()
        tune_cpu_allocator()
        set_matmul_precision(run.matmul_precision)
        seed_everything(run.seed)
        self.device = choose_device(run, algo_cfg)  # auto: the faster device, measured
        self.env = make_env(run.env, seed=run.seed)
        self.agent = build_agent(run, algo_cfg, self.env, self.device)
        if initial_state is not None:  # continue from these weights (rlcore.api's learn)
            self.agent.load_state_dict(initial_state)
        self.stop = stop or (lambda: False)
        self.max_seconds = max_seconds
        self.step = 0
        self.updates = 0
        self.stopped_early = False
        self.train_seconds = self.train_cpu_seconds = 0.0
        self.warmup_seconds = 0.0  # wall time of the random-action warm-up (off-policy)
        self._cpu0 = time.process_time()
        self._t0 = time.perf_counter()
        self._log_t, self._log_step, self._log_updates = self._t0, 0, 0
        self.acc = MetricAccumulator()
        self._n_eval = 0
        self.refs: tuple[float, float] | None = None
        if self.agent.setting == "offline":
            self._load_dataset()
        if resume is not None:  # continue a run: weights, optimisers, counters
            resume_trainer(self, resume)
        self._compiled: CompiledUpdate | None = None
        self._update = self.agent.update
        if run.compile and self.agent.loop in ("replay", "dataset"):
            self._update = self._compiled = CompiledUpdate(self.agent, self.planned_updates())

    def planned_updates(self) -> int:
        """Gradient updates this run will do (off-policy: after the warm-up)."""
        c, total = self.cfg, self.run.steps
        if self.agent.loop == "dataset":
            return total
        if self.agent.loop != "replay":
            return 0
        # a phase ends at each multiple of train_freq after the warm-up, and at the last step
        ends = total // c.train_freq - min(c.learning_starts, total) // c.train_freq
        ends += int(total % c.train_freq != 0 and total > c.learning_starts)
        return ends * c.gradient_steps

    def _load_dataset(self) -> None:
        """Fill the replay buffer with the run's dataset (observations normalised)."""
        load_dataset(self)

    # -- shared pieces --------------------------------------------------------------
    def _should_stop(self) -> bool:
        if self.threads_fn is not None:
            self._rechoose_threads()
        if self.stop():
            self.stopped_early = True
        elif self.max_seconds is not None and time.perf_counter() - self._t0 > self.max_seconds:
            self.stopped_early = True
        return self.stopped_early

    def _rechoose_threads(self) -> None:
        assert self.threads_fn is not None
        now = time.perf_counter()
        if now - self._threads_t < self.THREADS_EVERY_S:
            return
        self._threads_t = now
        n = self.threads_fn()
        if n != self.threads:
            set_threads(n)
            self.threads = n

    def _train_metrics(self) -> Metrics:
        now = time.perf_counter()
        dt = max(now - self._log_t, 1e-9)
        m: Metrics = {"step": self.step}
        m.update(self.acc.flush())
        m.update(self.agent.exploration_metrics())
        m["time/sps"] = (self.step - self._log_step) / dt
        m["time/updates_per_s"] = (self.updates - self._log_updates) / dt
        m["time/elapsed"] = now - self._t0
        self._log_t, self._log_step, self._log_updates = now, self.step, self.updates
        return m

    def evaluate(self) -> Metrics:
        """Deterministic evaluation on fresh env seeds (the same seeds every time)."""
        self._n_eval += 1
        res = evaluate(
            self.agent,
            self.run.env,
            self.run.eval_episodes,
            seed=eval_seed(self.run.seed),
        )
        out = {"step": self.step, **res.metrics(), "time/elapsed": time.perf_counter() - self._t0}
        if self.refs is not None:
            from rlcore.data.datasets import normalized_score

            out["eval/normalized_score"] = normalized_score(res.mean, *self.refs)
            if self._n_eval == 1:  # the run's yardsticks, once: charts draw them as lines
                out["ref/dataset_return"] = self.dataset_return_mean
                out["ref/random_return"], out["ref/expert_return"] = self.refs
        return out

    def __iter__(self) -> Iterator[Metrics]:
        loops: dict[Loop, Callable[[], Iterator[Metrics]]] = {
            "replay": self._replay,
            "rollout": self._rollout,
            "episodes": self._episodes,
            "dataset": self._dataset,
        }
        self._log_due = _Every(self.run.log_every)  # the rows due as the step count grows
        self._eval_due = _Every(self.run.eval_interval())
        yield from loops[self.agent.loop]()  # the loop the agent's class declares
        self.train_seconds = time.perf_counter() - self._t0  # excludes the final evaluation
        self.train_cpu_seconds = time.process_time() - self._cpu0
        if self.acc.values:
            yield self._train_metrics()
        yield self.evaluate()
        self.env.close()

    def _periodic(self) -> Iterator[Metrics]:
        if self._compiled is not None and (report := self._compiled.take_report()):
            yield {"step": self.step, **report}
        if self._log_due(self.step):
            yield self._train_metrics()
        if self._eval_due(self.step) and self.step < self.run.steps:
            yield self.evaluate()

    # -- "replay" (off-policy): DQN, DDPG, TD3, SAC ------------------------------------
    def _replay_buffer(self) -> ReplayBuffer:
        a, c = self.agent, self.cfg
        self.buffer = ReplayBuffer(
            min(c.buffer_size, self.run.steps),
            a.obs_dim,
            a.action_dim,
            a.discrete,
            self.device,
            seed=self.run.seed,
        )
        return self.buffer

    def _replay(self) -> Iterator[Metrics]:
        """The population engine's loop (``rlcore.train.population``) with one member."""
        self.envs = PopulationEnvs(self.run.env, [self.run.seed], self.cfg.n_envs, self.env)
        self._replay_buffer()
        try:
            for _, m in replay_loop(self):
                yield m
        finally:
            if self.cfg.n_envs > 1:  # the run's own env (n_envs = 1) closes at the end
                self.envs.close()

    def _compaction(self) -> list[int] | None:
        return None  # one member, never dropped

    def _member_rows(self) -> list[tuple[int, Metrics]]:
        """``_periodic``'s rows as member 0's (nothing due: no generator made)."""
        log, ev, step = self._log_due, self._eval_due, self.step
        if self._compiled is None and step // log.every <= log.last and step // ev.every <= ev.last:
            return []
        return [(0, m) for m in self._periodic()]

    def _train(self, buf: ReplayBuffer, k: int) -> None:
        """``k`` gradient steps in a row on minibatches of ``buf``."""
        if self._compiled is None:
            for info in self.agent.update_phase(buf, k, self.cfg.batch_size):
                self.acc.add(info)
        else:  # the compiled update is timed one call at a time
            for _ in range(k):
                self.acc.add(self._update(buf.sample(self.cfg.batch_size)))
        self.updates += k

    def _phases(self, before: int, after: int) -> int:
        """Training phases due when the step count goes from ``before`` to ``after``.

        The single environment's rule, for several steps at once: a phase at each step
        ``s`` past ``learning_starts`` that is a multiple of ``train_freq``, and at the
        last step of the budget.
        """
        return phases_due(self.cfg, self.run.steps, before, after)

    # -- "dataset" (offline): gradient steps on a fixed dataset --------------------------
    def _dataset(self) -> Iterator[Metrics]:
        """The population engine's offline loop (``dataset_loop``) with one member."""
        for _, m in dataset_loop(self):
            yield m

    # -- "rollout" (on-policy), n steps x N envs: A2C, PPO, TRPO ------------------------
    def _rollout(self) -> Iterator[Metrics]:
        """Rollouts of ``n_steps`` x ``n_envs``: the engine's ``rollout_loop``, one member."""
        self.envs = PopulationEnvs(self.run.env, [self.run.seed], self.cfg.n_envs)
        try:
            for _, m in rollout_loop(self):
                yield m
        finally:
            self.envs.close()

    # -- "episodes" (on-policy), complete episodes: REINFORCE ----------------------------
    def _episodes(self) -> Iterator[Metrics]:
        """The population engine's episodes loop (``rlcore.train.episodes``) with one member."""
        from rlcore.train.episodes import SingleRows, episodes_loop

        self.envs = PopulationEnvs(self.run.env, [self.run.seed], 1, self.env)
        for _, m in episodes_loop(self, SingleRows(self)):
            yield m
