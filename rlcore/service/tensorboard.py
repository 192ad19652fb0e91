"""TensorBoard event files beside ``metrics.jsonl``, so runs sit next to SB3 runs.

With ``RunConfig.tensorboard`` on, the process that trains a run writes every metric
to ``runs/<id>/events.out.tfevents.*`` under its own name (``eval/return_mean``,
``train/critic_loss``, ...) and, for the curves people compare across libraries, under
the name Stable-Baselines3 gives it as well:

| SB3 name | ours |
|---|---|
| ``rollout/ep_rew_mean`` | mean ``rollout/return`` of the last 100 episodes |
| ``rollout/ep_len_mean`` | mean ``rollout/length`` of the last 100 episodes |
| ``eval/mean_reward`` | ``eval/return_mean`` |
| ``eval/mean_ep_length`` | ``eval/length_mean`` |
| ``time/fps`` | ``time/sps`` |
| ``time/total_timesteps`` | ``step`` of each training row |
| ``time/episodes`` | the episodes finished so far (one ``rollout/return`` row each) |
| ``train/n_updates`` | gradient updates so far: the sum of ``time/updates_per_s`` x the time |
|  | between training rows (the trainer's own count, recovered exactly) |
| ``train/learning_rate`` | ``train/lr`` where the algorithm logs it (PPO's annealed rate), |
|  | else the configuration's ``lr`` |
| ``rollout/exploration_rate`` | ``train/epsilon`` (DQN's ε-greedy) |
| ``train/loss`` | DQN: ``train/critic_loss`` (its one loss, SB3's DQN ``train/loss``) |
| ``train/policy_gradient_loss`` | ``train/policy_loss`` (PPO, A2C, TRPO, REINFORCE) |
| ``train/entropy_loss`` | ``-train/entropy`` (on-policy algorithms; SB3 logs the negation) |

``tensorboard --logdir runs`` then shows every run of the folder. ``metrics.jsonl``
stays the record the app reads; the event files are a copy for other tools.
"""

from __future__ import annotations

import contextlib
import math
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rlcore.core.config import RunConfig
from rlcore.core.types import Metrics

__all__ = ["SB3_ALIASES", "TensorBoardLog", "tensorboard_log"]

SB3_ALIASES = {
    "eval/return_mean": "eval/mean_reward",
    "eval/length_mean": "eval/mean_ep_length",
    "time/sps": "time/fps",
}
SB3_TRAIN_ALIASES = {
    "train/epsilon": "rollout/exploration_rate",
    "train/policy_loss": "train/policy_gradient_loss",
}
SB3_LOSS = {"dqn": "train/critic_loss"}  # algorithm -> its one loss, SB3's train/loss
SB3_WINDOW = 100  # SB3's ep_info_buffer: the rollout means cover the last 100 episodes


class TensorBoardLog:
    """Writes metric dicts as TensorBoard scalars, ours and SB3's names."""

    def __init__(
        self, folder: Path, flush_secs: int = 5, algo: str = "", lr: float | None = None
    ) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ValueError(
                "RunConfig.tensorboard = True: needs the tensorboard package "
                "(pip install 'rl-playground[tensorboard]')"
            ) from None
        # flushed every few seconds, so a TensorBoard open beside training follows it
        self.writer = SummaryWriter(log_dir=str(folder), flush_secs=flush_secs)
        self.returns: deque[float] = deque(maxlen=SB3_WINDOW)
        self.lengths: deque[float] = deque(maxlen=SB3_WINDOW)
        self.loss_key = SB3_LOSS.get(algo)
        self.lr = lr
        self.episodes = 0
        self.updates = 0.0
        self.elapsed = 0.0  # time/elapsed of the last training row

    def _scalar(self, name: str, value: Any, step: int) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        self.writer.add_scalar(name, float(value), step)

    def write(self, m: Metrics) -> None:
        """One metrics row (the dict the trainer yields)."""
        step = int(m["step"])
        for k, v in m.items():
            if k == "step":
                continue
            self._scalar(k, v, step)
            if k in SB3_ALIASES:
                self._scalar(SB3_ALIASES[k], v, step)
            if k in SB3_TRAIN_ALIASES:
                self._scalar(SB3_TRAIN_ALIASES[k], v, step)
        if "rollout/return" in m:
            self.episodes += 1
            self._scalar("time/episodes", self.episodes, step)
        if "time/updates_per_s" in m:  # a training row
            self._training_row(m, step)
        for key, window, alias in (
            ("rollout/return", self.returns, "rollout/ep_rew_mean"),
            ("rollout/length", self.lengths, "rollout/ep_len_mean"),
        ):
            v = m.get(key)
            if isinstance(v, (int, float)) and math.isfinite(v):
                window.append(float(v))
                self._scalar(alias, sum(window) / len(window), step)

    def _training_row(self, m: Metrics, step: int) -> None:
        """SB3's per-update tags from one training row (the trainer's ``log_every`` row)."""
        elapsed = m.get("time/elapsed")
        if isinstance(elapsed, (int, float)):
            # updates_per_s = new updates / (this row's time - the last row's): exact
            self.updates += m["time/updates_per_s"] * (elapsed - self.elapsed)
            self.elapsed = elapsed
            self._scalar("train/n_updates", round(self.updates), step)
        self._scalar("time/total_timesteps", step, step)
        lr = m.get("train/lr", self.lr)
        if lr is not None:
            self._scalar("train/learning_rate", lr, step)
        if self.loss_key and self.loss_key in m:
            self._scalar("train/loss", m[self.loss_key], step)
        if "train/entropy" in m:
            self._scalar("train/entropy_loss", -m["train/entropy"], step)

    def close(self) -> None:
        self.writer.close()


@contextlib.contextmanager
def tensorboard_log(run: RunConfig, folder: Path) -> Iterator[TensorBoardLog | None]:
    """A :class:`TensorBoardLog` in ``folder`` if the run asks for one, else ``None``."""
    if not run.tensorboard:
        yield None
        return
    import json

    try:  # the configuration's learning rate (SB3's train/learning_rate)
        lr = json.loads((folder / "config.json").read_text())["algo"].get("lr")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        lr = None
    log = TensorBoardLog(folder, algo=run.algo, lr=lr if isinstance(lr, (int, float)) else None)
    try:
        yield log
    finally:
        log.close()
