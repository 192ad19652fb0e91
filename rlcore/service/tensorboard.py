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
SB3_WINDOW = 100  # SB3's ep_info_buffer: the rollout means cover the last 100 episodes


class TensorBoardLog:
    """Writes metric dicts as TensorBoard scalars, ours and SB3's names."""

    def __init__(self, folder: Path, flush_secs: int = 5) -> None:
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
        for key, window, alias in (
            ("rollout/return", self.returns, "rollout/ep_rew_mean"),
            ("rollout/length", self.lengths, "rollout/ep_len_mean"),
        ):
            v = m.get(key)
            if isinstance(v, (int, float)) and math.isfinite(v):
                window.append(float(v))
                self._scalar(alias, sum(window) / len(window), step)

    def close(self) -> None:
        self.writer.close()


@contextlib.contextmanager
def tensorboard_log(run: RunConfig, folder: Path) -> Iterator[TensorBoardLog | None]:
    """A :class:`TensorBoardLog` in ``folder`` if the run asks for one, else ``None``."""
    if not run.tensorboard:
        yield None
        return
    log = TensorBoardLog(folder)
    try:
        yield log
    finally:
        log.close()
