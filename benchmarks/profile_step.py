"""Where one environment step of DQN, SAC and TD3 goes: a per-phase breakdown.

    python benchmarks/profile_step.py [--only dqn|sac|td3] [--threads 1] [--scale 0.2]

Runs the real trainer loop on the RL Zoo tasks of ``benchmarks/online.py`` (same
presets, same schedule) with timers wrapped around each piece it calls:

- env: ``env.step`` (and resets),
- act: ``agent.act`` (numpy in, tensor, network forward, numpy out),
- add: ``ReplayBuffer.add``, sample: ``ReplayBuffer.sample``,
- forward: ``agent.update`` minus what the next three take (losses, targets),
- backward: ``Tensor.backward``,
- optimiser: ``Optimizer.zero_grad`` + ``Optimizer.step``,
- target: ``agent.on_step`` (target copies, schedules) and Polyak updates,
- loop+log: the rest of the loop (metric accumulation, yields, bookkeeping).

Prints microseconds per environment step and per gradient update for each phase. The
wrappers cost ~0.3 µs a call; the total is the loop's wall time.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.online import TASKS, task_configs

PHASES = ("env", "act", "add", "sample", "forward", "backward", "optimiser", "target", "loop+log")


class Timers:
    """Seconds per phase; nested calls are subtracted from the outer one."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.stack: list[list] = []

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            frame = [name, 0.0]  # [phase, seconds spent in nested timed calls]
            self.stack.append(frame)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                self.stack.pop()
                self.total[name] += dt - frame[1]
                if self.stack:
                    self.stack[-1][1] += dt

        return timed


def profile(algo: str, scale: float, threads: int) -> tuple[dict, int, int, float, int]:
    import torch

    from rlcore.algos import base
    from rlcore.core import buffers, ops
    from rlcore.train import trainer as trainer_mod

    t = Timers()
    buffers.ReplayBuffer.add = t.wrap("add", buffers.ReplayBuffer.add)
    buffers.ReplayBuffer.sample = t.wrap("sample", buffers.ReplayBuffer.sample)
    torch.Tensor.backward = t.wrap("backward", torch.Tensor.backward)
    for cls in (torch.optim.Optimizer, base.FusedAdam):
        cls.zero_grad = t.wrap("optimiser", cls.zero_grad)
    for cls in (torch.optim.Adam, base.FusedAdam):
        cls.step = t.wrap("optimiser", cls.step)
    soft = t.wrap("target", ops.soft_update)
    ops.soft_update = soft
    for mod in list(sys.modules.values()):
        if getattr(mod, "soft_update", None) is not None and mod.__name__.startswith("rlcore"):
            mod.soft_update = soft
    del base
    import dataclasses

    from rlcore.core.threads import choose_threads
    from rlcore.train.model_size import count_parameters

    run, cfg = task_configs(algo, scale, 0, threads)
    n, _ = choose_threads(threads, 0, count_parameters(run, cfg), cfg.batch_size)
    run = dataclasses.replace(run, threads=n)  # 0: as the CLI would choose, alone
    tr = trainer_mod.Trainer(run, cfg)
    tr.env.step = t.wrap("env", tr.env.step)
    tr.env.reset = t.wrap("env", tr.env.reset)
    a = tr.agent
    a.act = t.wrap("act", a.act)
    tr._update = t.wrap("forward", tr._update)  # what the loops call (agent.update)
    a.update = t.wrap("forward", a.update)  # what a training phase calls (update_phase)
    if hasattr(a, "target"):
        a.target = t.wrap("forward", a.target)  # DQN: a phase's targets at once
    a.on_step = t.wrap("target", a.on_step)
    it = iter(tr)
    t0 = time.perf_counter()
    for m in it:
        if "eval/return_mean" in m and tr.step >= run.steps:
            break  # the final evaluation is not part of the loop
    wall = time.perf_counter() - t0
    t.total["loop+log"] = wall - sum(t.total.values())
    return dict(t.total), run.steps, tr.updates, wall, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=list(TASKS))
    ap.add_argument("--threads", type=int, default=1, help="0 = as the CLI chooses")
    ap.add_argument("--scale", type=float, default=0.2, help="fraction of the Zoo's budget")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(repr(profile(args.child, args.scale, args.threads)))
        return
    import subprocess

    for algo in [args.only] if args.only else list(TASKS):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                algo,
                "--scale",
                str(args.scale),
                "--threads",
                str(args.threads),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        tot, steps, updates, wall, n = ast.literal_eval(out.stdout.strip().splitlines()[-1])
        env_id = TASKS[algo][0]
        print(
            f"\n{algo} {env_id}: {steps} env steps, {updates} updates, {wall:.1f} s, {n} thread(s)"
        )
        print(f"{'phase':10} {'s':>7} {'share':>6} {'µs/env step':>12} {'µs/update':>10}")
        for p in PHASES:
            s = tot.get(p, 0.0)
            per_u = f"{s / updates * 1e6:10.0f}" if updates else f"{'—':>10}"
            print(f"{p:10} {s:7.2f} {s / wall:6.1%} {s / steps * 1e6:12.0f} {per_u}")


if __name__ == "__main__":
    main()
