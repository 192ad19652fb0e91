"""``torch.compile`` of an agent's whole update (optimisers included), opt-in and measured.

``RunConfig.compile`` asks for it. The first updates run eagerly and are timed; then the
update is compiled (its first call pays the compilation, cached on disk by PyTorch for
later runs of the same shapes) and the next ones are timed. The trainer yields what that
cost and bought once, as a metrics row:

- ``compile/seconds``: the first compiled calls' wall time (where the compiling happens,
  a graph break compiling its part on a later call), less as many compiled updates,
- ``compile/eager_ms`` and ``compile/compiled_ms``: an update before and after,
- ``compile/break_even_updates``: updates after which the saving has paid the
  compilation back (``inf`` when the compiled update is not faster),
- ``compile/updates``: the updates this run will do, to read the break-even against.

Compiled code is the same arithmetic reordered and fused: not bit-identical to eager
mode (as ``matmul_precision`` is not), which is why it is a setting and off by default.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import torch

from rlcore.algos.base import Agent
from rlcore.core.types import Metrics

__all__ = ["CompiledUpdate", "compile_message"]

EAGER_TIMED = 8  # eager updates timed before compiling
COMPILING = 4  # first compiled calls: the compilation (graph breaks compile on later calls)
COMPILED_TIMED = 16  # compiled updates timed after those


class CompiledUpdate:
    """Callable in place of ``agent.update``: eager, then compiled, both timed.

    ``report`` is ``None`` until the measurement is complete, then the metrics row
    described in the module docstring (read it once with :meth:`take_report`).
    """

    def __init__(self, agent: Agent, planned_updates: int) -> None:
        self.agent = agent
        self.planned = planned_updates
        self.eager: Callable[[Any], dict] = agent.update
        self.compiled: Callable[[Any], dict] | None = None
        self.calls = 0
        self._times: dict[str, float] = {"eager": 0.0, "compiling": 0.0, "compiled": 0.0}
        self.report: Metrics | None = None
        self._taken = False

    def _sync(self) -> None:
        if self.agent.device.type == "cuda":
            torch.cuda.synchronize(self.agent.device)

    def __call__(self, batch: Any) -> dict:
        self.calls += 1
        n = self.calls
        if n <= EAGER_TIMED:
            phase, fn = "eager", self.eager
        else:
            if self.compiled is None:
                self.compiled = torch.compile(self.eager)
            fn = self.compiled
            phase = "compiling" if n <= EAGER_TIMED + COMPILING else "compiled"
            if n > EAGER_TIMED + COMPILING + COMPILED_TIMED:
                return fn(batch)  # measured: no more timing
        self._sync()
        t0 = time.perf_counter()
        out = fn(batch)
        self._sync()
        self._times[phase] += time.perf_counter() - t0
        if n == EAGER_TIMED + COMPILING + COMPILED_TIMED:
            self._finish()
        return out

    def _finish(self) -> None:
        eager = self._times["eager"] / EAGER_TIMED
        compiled = self._times["compiled"] / COMPILED_TIMED
        seconds = max(0.0, self._times["compiling"] - COMPILING * compiled)
        saving = eager - compiled
        self.report = {
            "compile/seconds": seconds,
            "compile/eager_ms": eager * 1e3,
            "compile/compiled_ms": compiled * 1e3,
            "compile/break_even_updates": seconds / saving if saving > 0 else math.inf,
            "compile/updates": float(self.planned),
        }

    def take_report(self) -> Metrics | None:
        """The measurement once it is complete, the first time it is asked for."""
        if self.report is None or self._taken:
            return None
        self._taken = True
        return self.report


def compile_message(m: Metrics) -> str:
    """The measurement in words, e.g. for the CLI and the worker's log."""
    be = m["compile/break_even_updates"]
    planned = int(m["compile/updates"])
    head = (
        f"compiled the update in {m['compile/seconds']:.1f} s: "
        f"{m['compile/eager_ms']:.2f} ms per update before, {m['compile/compiled_ms']:.2f} ms "
        "after"
    )
    if not math.isfinite(be):
        return head + "; not faster, so it never pays off (train without compile)"
    verdict = "pays off in this run" if be <= planned else "does not pay off in this run"
    return f"{head}; pays its compilation back after {be:,.0f} updates ({verdict}: {planned:,})"
