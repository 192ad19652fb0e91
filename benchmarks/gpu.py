"""The same work on the GPU and on the CPU: DQN, SAC and CQL (run where a GPU is, never in CI).

    python benchmarks/gpu.py [--updates 300] [--dqn-steps 5000] [--sac-steps 3000]

Two measurements per algorithm, each on ``cpu`` and ``cuda`` in fresh subprocesses:
the median time of one gradient step (``agent.update`` on a batch of the preset's size
drawn from 5,000 random transitions kept on that device; CUDA timed with a
synchronize), and for DQN CartPole-v1 and SAC Pendulum-v1 a short whole training run
(environment steps, action selection, updates; evaluation excluded), as environment
steps/s. CQL uses the Pendulum-v1 preset on random transitions: the cost of a CQL step
does not depend on what the data holds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TASKS = {"dqn": "CartPole-v1", "sac": "Pendulum-v1", "cql": "Pendulum-v1"}


def update_ms(algo: str, device: str, n: int) -> float:
    """Median milliseconds of one ``update`` on ``device``."""
    import torch

    from rlcore.core.buffers import ReplayBuffer
    from rlcore.core.envs import make_env
    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import build_agent

    env_id = TASKS[algo]
    run_over = {"device": device, "dataset": "rlplay/x/y-v0"} if algo == "cql" else {}
    run, cfg = make_configs("sac" if algo == "cql" else algo, env_id, run={"device": device})
    if algo == "cql":
        from rlcore.algos.registry import get_algo

        cfg = get_algo("cql").config_cls()
        run = type(run)(**{**run.__dict__, "algo": "cql", **run_over})
    env = make_env(env_id)
    agent = build_agent(run, cfg, env)
    buf = ReplayBuffer(5_000, agent.obs_dim, agent.action_dim, agent.discrete, device)
    obs, _ = env.reset(seed=0)
    for _ in range(5_000):
        a = env.action_space.sample()
        nxt, r, term, trunc, _ = env.step(a)
        buf.add(obs, a, r, nxt, term)
        obs = env.reset()[0] if term or trunc else nxt
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    times = []
    for i in range(n + 30):
        batch = buf.sample(cfg.batch_size)
        sync()
        t0 = time.perf_counter()
        agent.update(batch)
        sync()
        if i >= 30:
            times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def train_sps(algo: str, device: str, steps: int) -> float:
    """Environment steps/s of a whole short run (no evaluation inside the timing)."""
    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import Trainer

    run, cfg = make_configs(
        algo,
        TASKS[algo],
        run={"steps": steps, "device": device, "eval_every": 10**7, "eval_episodes": 1},
    )
    tr = Trainer(run, cfg)
    for _ in tr:
        pass
    return steps / tr.train_seconds


def child(kind: str, algo: str, device: str, n: int) -> None:
    import torch

    torch.set_num_threads(2)  # like this project's 2-core machines
    value = update_ms(algo, device, n) if kind == "update" else train_sps(algo, device, n)
    print(json.dumps({"value": value}))


def measure(kind: str, algo: str, device: str, n: int) -> float:
    p = subprocess.run(
        [sys.executable, __file__, "--child", kind, algo, device, str(n)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if p.returncode != 0:
        raise SystemExit(p.stdout + p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])["value"]


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--updates", type=int, default=300)
    ap.add_argument("--dqn-steps", type=int, default=5_000)
    ap.add_argument("--sac-steps", type=int, default=3_000)
    a = ap.parse_args()
    import torch

    print(f"torch {torch.__version__}, cuda {torch.cuda.is_available()}", flush=True)
    if torch.cuda.is_available():
        print(torch.cuda.get_device_name(0), flush=True)
    print(f"{'algo':5} {'what':28} {'cpu (2 threads)':>16} {'cuda':>10} {'cuda/cpu':>9}")
    for algo in TASKS:
        cpu, gpu = (measure("update", algo, d, a.updates) for d in ("cpu", "cuda"))
        print(f"{algo:5} {'ms per gradient step':28} {cpu:>16.2f} {gpu:>10.2f} {gpu / cpu:>8.2f}x")
    for algo, steps in (("dqn", a.dqn_steps), ("sac", a.sac_steps)):
        cpu, gpu = (measure("train", algo, d, steps) for d in ("cpu", "cuda"))
        what = f"env steps/s, {steps} steps"
        print(f"{algo:5} {what:28} {cpu:>16.0f} {gpu:>10.0f} {gpu / cpu:>8.2f}x", flush=True)


if __name__ == "__main__":
    main()
