"""CPU threads: what a second thread buys per algorithm, and runs that share the machine.

    python benchmarks/threads.py [--part step|share|all] [--steps 10000] [--repeats 3]

``step``: the median time of one gradient step of DQN CartPole-v1, SAC and TD3 Pendulum-v1
(their presets' networks and batches, random transitions) with 1 and 2 torch threads, in
fresh subprocesses; this is where ``rlcore.core.threads.SMALL_WORK`` comes from.
``share``: whole ``python -m rlcore train --algo dqn --env CartPole-v1`` processes, one alone
and then 2 and 4 started together, with today's default (auto threads: one for DQN's
small network, re-chosen as other runs start and end) and, for the record, the old
default (all cores, spinning idle threads). Each run's
speed is its steps over its own wall time; the check is that each of R concurrent runs
keeps at least (cores / R) x 0.8 of the solo speed. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEP_TASKS = {"dqn": "CartPole-v1", "sac": "Pendulum-v1", "td3": "Pendulum-v1"}


def agent_and_buffer(algo: str, threads: int):
    """``(run, cfg, agent, buffer)``: the preset agent of ``algo`` and 2,000 random-policy
    transitions of its task (shared with ``benchmarks/wait_policy.py``)."""
    from rlcore.core.buffers import ReplayBuffer
    from rlcore.core.device import set_threads
    from rlcore.core.envs import make_env
    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import build_agent

    set_threads(threads)
    env_id = STEP_TASKS[algo]
    run, cfg = make_configs(algo, env_id)
    env = make_env(env_id)
    a = build_agent(run, cfg, env)
    buf = ReplayBuffer(10_000, a.obs_dim, a.action_dim, a.discrete, "cpu")
    obs, _ = env.reset(seed=0)
    for _ in range(2_000):
        act = env.action_space.sample()
        nxt, r, term, trunc, _ = env.step(act)
        buf.add(obs, act, r, nxt, term)
        obs = env.reset()[0] if term or trunc else nxt
    return run, cfg, a, buf


def time_steps(algo: str, threads: int, n: int) -> dict:
    """Median seconds of one ``update`` on random transitions (in this process)."""
    from rlcore.train.model_size import count_parameters

    run, cfg, agent, buf = agent_and_buffer(algo, threads)
    times = []
    for i in range(n + 20):
        batch = buf.sample(cfg.batch_size)
        t0 = time.perf_counter()
        agent.update(batch)
        if i >= 20:  # warm-up: allocator, first-touch pages
            times.append(time.perf_counter() - t0)
    return {
        "algo": algo,
        "threads": threads,
        "ms": 1e3 * statistics.median(times),
        "work": count_parameters(run, cfg) * cfg.batch_size,
    }


def part_step(repeats: int) -> None:
    print(f"{'algo':6} {'params x batch':>15} {'1 thread ms':>12} {'2 threads ms':>13} {'gain':>6}")
    for algo in STEP_TASKS:
        res = {}
        for threads in (1, 2):
            out = []
            for _ in range(repeats):
                p = subprocess.run(
                    [sys.executable, __file__, "--child", algo, str(threads)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                out.append(json.loads(p.stdout.strip().splitlines()[-1]))
            res[threads] = statistics.median(o["ms"] for o in out)
            work = out[0]["work"]
        print(f"{algo:6} {work:>15,} {res[1]:>12.2f} {res[2]:>13.2f} {res[1] / res[2]:>5.2f}x")


def _train(steps: int, runs_dir: str, env: dict, extra: list[str]) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "rlcore",
        "--runs-dir",
        runs_dir,
        "train",
        "--algo",
        "dqn",
        "--env",
        "CartPole-v1",
        "--steps",
        str(steps),
        "--quiet",
        *extra,
    ]
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )


def _together(n: int, steps: int, env: dict, extra: list[str]) -> list[float]:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        procs = [_train(steps, d, env, extra) for _ in range(n)]
        walls = []
        for p in procs:
            out, _ = p.communicate()
            walls.append(time.perf_counter() - t0)
            if p.returncode != 0:
                raise SystemExit(out)
        return walls


def part_share(steps: int) -> None:
    cores = len(os.sched_getaffinity(0))
    now = dict(os.environ)
    now.pop("OMP_WAIT_POLICY", None)
    old = dict(now, OMP_WAIT_POLICY="ACTIVE")
    settings = [
        ("today: auto threads", now, []),
        ("old default: all cores, spinning waits", old, ["--threads", str(cores)]),
    ]
    for name, env, extra in settings:
        solo = _together(1, steps, env, extra)[0]
        print(f"{name}: solo {solo:.1f} s ({steps / solo:.0f} steps/s)")
        for n in (2, 4):
            walls = _together(n, steps, env, extra)
            keep = [solo / w for w in walls]
            need = min(1.0, cores / n) * 0.8
            ok = "ok" if min(keep) >= need else "MISSED"
            print(
                f"  {n} together: walls {', '.join(f'{w:.1f}' for w in walls)} s; each keeps "
                f"{min(keep):.2f}-{max(keep):.2f} of solo (need >= {need:.2f}) {ok}"
            )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(time_steps(sys.argv[2], int(sys.argv[3]), 200)))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("step", "share", "all"), default="all")
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    if a.part in ("step", "all"):
        part_step(a.repeats)
    if a.part in ("share", "all"):
        part_share(a.steps)


if __name__ == "__main__":
    main()
