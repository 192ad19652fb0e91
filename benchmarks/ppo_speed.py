"""Our PPO against Stable-Baselines3's PPO on CartPole-v1, 100k steps, the Zoo's settings.

    python benchmarks/ppo_speed.py [--threads 1] [--seed 0] [--scale 1.0] [--repeats 1]

Stable-Baselines3 runs from its own virtual environment, made by this script on first
use (bench_out/sb3-venv or $SB3_VENV; torch 2.13.0 CPU installed first, then
stable-baselines3 2.9.2), in a subprocess; ours runs in a fresh subprocess of this
interpreter. Both use the same hyperparameters, field by field (the RL Zoo's ppo.yml:
8 environments x 32 steps, minibatch 256, 20 epochs, GAE λ 0.8, γ 0.98, learning rate
and clip range annealed linearly from 1e-3 and 0.2, 64x64 tanh networks) and the same
torch thread count. Wall time covers training only; both policies are then evaluated on
the same 10 deterministic episodes (seeds 10000 to 10009). Prints wall time, env steps/s,
gradient steps/s, the return, and the ratio ours / SB3 (the target is <= 0.6x).
With ``--repeats`` the two sides alternate and the medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ENV, STEPS = "CartPole-v1", 100_000
OUT = Path("bench_out")
VENV = Path(os.environ.get("SB3_VENV", OUT / "sb3-venv"))
EVAL_SEED = 10_000

SB3_CHILD = textwrap.dedent("""
    import json, sys, time
    import gymnasium as gym, numpy as np, torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    cfg, (steps, seed, threads) = json.loads(sys.argv[1]), map(int, sys.argv[2:5])
    if threads > 0:
        torch.set_num_threads(threads)
    lin = lambda v: (lambda remaining: remaining * v)
    env = make_vec_env(cfg["env"], n_envs=cfg["n_envs"], seed=seed)
    model = PPO(
        "MlpPolicy", env, learning_rate=lin(cfg["lr"]), n_steps=cfg["n_steps"],
        batch_size=cfg["batch_size"], n_epochs=cfg["n_epochs"], gamma=cfg["gamma"],
        gae_lambda=cfg["gae_lambda"], clip_range=lin(cfg["clip_range"]),
        ent_coef=cfg["ent_coef"], vf_coef=cfg["vf_coef"], max_grad_norm=cfg["max_grad_norm"],
        policy_kwargs={"net_arch": list(cfg["hidden"])}, seed=seed, device="cpu",
    )
    t0, c0 = time.perf_counter(), time.process_time()
    model.learn(steps)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    returns = []
    for i in range(10):
        e = gym.make(cfg["env"])
        obs, _ = e.reset(seed=cfg["eval_seed"] + i)
        total, done = 0.0, False
        while not done:
            a, _ = model.predict(obs, deterministic=True)
            obs, r, term, trunc, _ = e.step(a)
            total, done = total + r, term or trunc
        returns.append(total)
    per_epoch = -(-cfg["n_envs"] * cfg["n_steps"] // cfg["batch_size"])
    grad_steps = int(model._n_updates) * per_epoch  # _n_updates counts epochs
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "updates": grad_steps,
                      "steps": int(model.num_timesteps), "return_mean": float(np.mean(returns)),
                      "return_std": float(np.std(returns))}))
""")


def configs(steps: int, seed: int, threads: int):
    from rlcore.train.presets import make_configs

    run = {"steps": steps, "seed": seed, "threads": threads, "eval_every": 10**7}
    return make_configs("ppo", ENV, run={**run, "eval_episodes": 1})


def run_ours(steps: int, seed: int, threads: int) -> dict:
    from rlcore.train.evaluation import evaluate
    from rlcore.train.trainer import Trainer

    run, cfg = configs(steps, seed, threads)
    tr = Trainer(run, cfg)
    for _ in tr:
        pass
    res = evaluate(tr.agent, ENV, 10, seed=EVAL_SEED)
    per_update = cfg.n_epochs * -(-cfg.n_envs * cfg.n_steps // cfg.batch_size)
    return {
        "wall_s": tr.train_seconds,
        "cpu_s": tr.train_cpu_seconds,
        "updates": tr.updates * per_update,  # gradient steps, as SB3's _n_updates counts
        "steps": tr.step,
        "return_mean": res.mean,
        "return_std": res.std,
    }


def ensure_venv() -> Path:
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(py), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "torch==2.13.0"], check=True)  # the CPU wheel first
        subprocess.run([*pip, "stable-baselines3==2.9.2", "torch==2.13.0"], check=True)
    return py


def run_sb3(steps: int, seed: int, threads: int) -> dict:
    _, c = configs(steps, seed, threads)
    if c.target_kl or c.clip_range_vf or c.normalize or not c.normalize_advantage:
        raise SystemExit("the preset uses a setting this comparison does not pass to SB3")
    cfg = {
        "env": ENV,
        "eval_seed": EVAL_SEED,
        **{
            k: getattr(c, k)
            for k in (
                "n_envs",
                "n_steps",
                "batch_size",
                "n_epochs",
                "gamma",
                "gae_lambda",
                "lr",
                "clip_range",
                "ent_coef",
                "vf_coef",
                "max_grad_norm",
                "hidden",
            )
        },
    }
    assert c.anneal_lr and c.anneal_clip, "SB3 side anneals both (lin_ schedules)"
    OUT.mkdir(exist_ok=True)
    script = OUT / "sb3_ppo_child.py"
    script.write_text(SB3_CHILD)
    out = subprocess.run(
        [str(ensure_venv()), str(script), json.dumps(cfg), str(steps), str(seed), str(threads)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(steps: int, seed: int, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--child", str(steps), str(seed), str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1, help="torch threads of both sides")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the 100k steps")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_ours(*map(int, args.child))))
        return
    steps = int(STEPS * args.scale)
    runs: dict[str, list[dict]] = {"sb3": [], "ours": []}
    for _ in range(max(1, args.repeats)):
        t = time.perf_counter()
        runs["sb3"].append(run_sb3(steps, args.seed, args.threads))
        runs["ours"].append(child(steps, args.seed, args.threads))
        print(f"(one pair in {time.perf_counter() - t:.0f} s)", file=sys.stderr)
    med = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in runs.items()}
    print(
        f"{'PPO ' + ENV:18} {'impl':5} {'wall s':>8} {'cpu s':>8} {'steps/s':>9} "
        f"{'grad steps/s':>13} {'return':>16}"
    )
    for impl in ("sb3", "ours"):
        x = med[impl]
        print(
            f"{'':18} {impl:5} {x['wall_s']:8.1f} {x['cpu_s']:8.1f} "
            f"{x['steps'] / x['wall_s']:9.0f} {x['updates'] / x['wall_s']:13.0f} "
            f"{x['return_mean']:9.1f} ± {x['return_std']:5.1f}"
        )
    o, s = med["ours"], med["sb3"]
    print(
        f"ratio ours/sb3: wall {o['wall_s'] / s['wall_s']:.2f}x (target <= 0.6x), "
        f"cpu time {o['cpu_s'] / s['cpu_s']:.2f}x, gradient steps {o['updates']:.0f} vs "
        f"{s['updates']:.0f}, env steps {o['steps']:.0f} vs {s['steps']:.0f}"
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "ppo_speed.json").write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
