"""Our DQN and SAC against Stable-Baselines3 on the same work, in one script.

    pip install -r requirements-bench.txt
    python benchmarks/online.py [--threads 0] [--seed 0] [--only dqn|sac] [--scale 1.0]

Each measurement runs in a fresh subprocess of this script (same interpreter, same
torch thread count, nothing else running), so neither side inherits the other's
allocator, thread pool or denormal state. Hyperparameters are matched field by field
(the RL Zoo's: DQN CartPole-v1 50k steps, SAC Pendulum-v1 20k steps). Wall time covers
training only; both policies are then evaluated the same way (10 deterministic episodes
with our evaluator on the same seeds). Prints wall time, env steps/s, gradient updates/s,
final return, and the ratios ours / SB3.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

TASKS = {
    "dqn": ("CartPole-v1", 50_000),
    "sac": ("Pendulum-v1", 20_000),
}


def run_ours(algo: str, steps: int, seed: int, threads: int) -> dict:
    from rlcore.train.evaluation import evaluate
    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import Trainer

    env, _ = TASKS[algo]
    run, cfg = make_configs(
        algo,
        env,
        run={
            "steps": steps,
            "seed": seed,
            "threads": threads,
            "eval_every": 10**7,
            "eval_episodes": 1,
        },
    )
    tr = Trainer(run, cfg)
    for _ in tr:
        pass
    res = evaluate(tr.agent, env, 10, seed=10_000)
    return {
        "wall_s": tr.train_seconds,
        "cpu_s": tr.train_cpu_seconds,
        "updates": tr.updates,
        "steps": steps,
        "return_mean": res.mean,
        "return_std": res.std,
    }


class _SB3Policy:
    """Adapter so our evaluator runs the SB3 policy on exactly the same episodes."""

    def __init__(self, model) -> None:
        import numpy as np

        self.model, self.np = model, np
        self.obs_shape = model.observation_space.shape
        self.discrete = hasattr(model.action_space, "n")
        self.cfg = type("C", (), {"gamma": 0.99})()

    def act(self, obs, explore=False):
        return self.model.predict(obs, deterministic=True)[0]

    def q_value(self, obs, action):
        return None

    def obs_tensor(self, obs):
        return obs


def run_sb3(algo: str, steps: int, seed: int, threads: int) -> dict:
    import gymnasium as gym
    import torch
    from stable_baselines3 import DQN, SAC

    from rlcore.train.evaluation import evaluate
    from rlcore.train.presets import make_configs

    if threads > 0:
        torch.set_num_threads(threads)
    env_id, _ = TASKS[algo]
    _, c = make_configs(algo, env_id)  # the same preset values we train with
    env = gym.make(env_id)
    if algo == "dqn":
        model = DQN(
            "MlpPolicy",
            env,
            learning_rate=c.lr,
            batch_size=c.batch_size,
            buffer_size=c.buffer_size,
            learning_starts=c.learning_starts,
            gamma=c.gamma,
            target_update_interval=c.target_update_interval,
            train_freq=c.train_freq,
            gradient_steps=c.gradient_steps,
            exploration_fraction=c.exploration_fraction,
            exploration_initial_eps=c.exploration_initial_eps,
            exploration_final_eps=c.exploration_final_eps,
            max_grad_norm=c.max_grad_norm,
            tau=c.tau,
            policy_kwargs={"net_arch": list(c.hidden)},
            seed=seed,
            device="cpu",
        )
    else:
        model = SAC(
            "MlpPolicy",
            env,
            learning_rate=c.lr,
            buffer_size=c.buffer_size,
            learning_starts=c.learning_starts,
            batch_size=c.batch_size,
            tau=c.tau,
            gamma=c.gamma,
            train_freq=c.train_freq,
            gradient_steps=c.gradient_steps,
            ent_coef=f"auto_{c.alpha}",
            target_entropy=-c.target_entropy_scale * 1.0,
            policy_kwargs={"net_arch": list(c.hidden)},
            seed=seed,
            device="cpu",
        )
    t0, c0 = time.perf_counter(), time.process_time()
    model.learn(steps)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    res = evaluate(_SB3Policy(model), env_id, 10, seed=10_000)  # type: ignore[arg-type]
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "updates": int(model._n_updates),
        "steps": steps,
        "return_mean": res.mean,
        "return_std": res.std,
    }


def child(impl: str, algo: str, steps: int, seed: int, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--child", impl, algo, str(steps), str(seed), str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--threads", type=int, default=1, help="torch threads of both sides (0 = torch default)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=list(TASKS))
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the step budget")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        impl, algo, steps, seed, threads = args.child
        fn = run_ours if impl == "ours" else run_sb3
        print(json.dumps(fn(algo, int(steps), int(seed), int(threads))))
        return
    rows = []
    for algo, (env, steps) in TASKS.items():
        if args.only and algo != args.only:
            continue
        steps = int(steps * args.scale)
        r = {impl: child(impl, algo, steps, args.seed, args.threads) for impl in ("sb3", "ours")}
        rows.append((algo, env, r))
    print(
        f"{'task':22} {'impl':5} {'wall s':>8} {'cpu s':>8} {'steps/s':>9} {'updates/s':>10} "
        f"{'return':>16}"
    )
    for algo, env, r in rows:
        for impl in ("sb3", "ours"):
            x = r[impl]
            print(
                f"{algo + ' ' + env:22} {impl:5} {x['wall_s']:8.1f} {x['cpu_s']:8.1f} "
                f"{x['steps'] / x['wall_s']:9.0f} {x['updates'] / x['wall_s']:10.0f} "
                f"{x['return_mean']:9.1f} ± {x['return_std']:5.1f}"
            )
        o, s = r["ours"], r["sb3"]
        print(
            f"{'':22} ratio ours/sb3: wall {o['wall_s'] / s['wall_s']:.2f}x, "
            f"cpu time {o['cpu_s'] / s['cpu_s']:.2f}x, "
            f"updates/s {o['updates'] / o['wall_s'] / (s['updates'] / s['wall_s']):.2f}x, "
            f"same updates: {o['updates'] == s['updates']}"
        )


if __name__ == "__main__":
    main()
