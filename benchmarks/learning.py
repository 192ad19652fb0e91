"""Learning at the issue's budgets, several seeds, deterministic evaluation (10 episodes).

    python benchmarks/learning.py                       # every check, 3 seeds
    python benchmarks/learning.py --only sac td3 --seeds 0 1 2 --jobs 2
    python benchmarks/learning.py --only dqn --env CartPole-v1 --api   # the object API

Prints, per (algorithm, environment): each seed's best and final evaluation return and
the first step at which the threshold was reached, and whether the check passes
(threshold reached on at least ``need`` of the seeds). Writes bench_out/learning.json.
``--api`` trains through the object API instead (``rlcore.DQN(env, seed=...).learn(steps)``,
a run in a temporary run store; the curve is the run's own evaluations).
``--population`` trains each check's seeds as one population in one process
(``rlcore.train.population``; issue 25's bars: DQN CartPole 8/8 >= 475, PPO CartPole 8/8,
SAC Pendulum 4/4 >= -200):

    python benchmarks/learning.py --population --only dqn ppo --env CartPole-v1 \
        --seeds 0 1 2 3 4 5 6 7
    python benchmarks/learning.py --population --only sac --seeds 0 1 2 3
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # rlcore of this checkout

# (algo, env, steps, threshold, seeds needed out of 3)
CHECKS = [
    ("dqn", "CartPole-v1", 50_000, 475.0, 2),
    ("sac", "Pendulum-v1", 20_000, -200.0, 2),
    ("td3", "Pendulum-v1", 20_000, -200.0, 2),
    ("ddpg", "Pendulum-v1", 20_000, -200.0, 2),
    ("a2c", "CartPole-v1", 500_000, 475.0, 2),
    ("reinforce", "CartPole-v1", 200_000, 200.0, 2),
    ("ppo", "CartPole-v1", 100_000, 475.0, 3),
    ("trpo", "CartPole-v1", 100_000, 475.0, 2),
    # the Zoo's budgets; its single-run table: PPO -172 / 242, TRPO -175 / 133
    ("ppo", "Pendulum-v1", 100_000, -200.0, 2),
    ("trpo", "Pendulum-v1", 100_000, -200.0, 2),
    ("ppo", "LunarLander-v3", 1_000_000, 200.0, 2),
    ("trpo", "LunarLander-v3", 200_000, 200.0, 2),
]


def one(algo: str, env: str, steps: int, seed: int, threshold: float) -> dict:
    import torch

    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import Trainer

    torch.set_num_threads(1)
    run, cfg = make_configs(algo, env, run={"steps": steps, "seed": seed, "threads": 1})
    t0 = time.perf_counter()
    curve = []
    for m in Trainer(run, cfg):
        if "eval/return_mean" in m:
            curve.append((m["step"], m["eval/return_mean"]))
    first = next((s for s, r in curve if r >= threshold), None)
    return {
        "algo": algo,
        "env": env,
        "seed": seed,
        "steps": steps,
        "curve": curve,
        "best": max(r for _, r in curve),
        "final": curve[-1][1],
        "first_step": first,
        "wall_s": time.perf_counter() - t0,
    }


def one_api(algo: str, env: str, steps: int, seed: int, threshold: float) -> dict:
    import tempfile

    import torch

    from rlcore.api import ALGORITHM_CLASSES

    torch.set_num_threads(1)
    curve = []

    def on_metrics(m: dict) -> None:
        if "eval/return_mean" in m:
            curve.append((m["step"], m["eval/return_mean"]))

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as runs:
        model = ALGORITHM_CLASSES[algo](env, seed=seed, threads=1, runs_dir=runs)
        model.learn(steps, callback=on_metrics)
    first = next((s for s, r in curve if r >= threshold), None)
    return {
        "algo": algo,
        "env": env,
        "seed": seed,
        "steps": steps,
        "api": True,
        "curve": curve,
        "best": max(r for _, r in curve),
        "final": curve[-1][1],
        "first_step": first,
        "wall_s": time.perf_counter() - t0,
    }


def one_population(algo: str, env: str, steps: int, seeds: list[int], threshold: float) -> list:
    """The seeds of one check as one population: each member's curve, as :func:`one`'s."""
    import dataclasses

    import torch

    from rlcore.train.population import PopulationTrainer
    from rlcore.train.presets import make_configs

    torch.set_num_threads(1)
    run, cfg = make_configs(algo, env, run={"steps": steps, "seed": seeds[0], "threads": 1})
    runs = [dataclasses.replace(run, seed=s) for s in seeds]
    t0 = time.perf_counter()
    curves: dict[int, list] = {k: [] for k in range(len(seeds))}
    for k, m in PopulationTrainer(runs, cfg):
        if "eval/return_mean" in m:
            curves[k].append((m["step"], m["eval/return_mean"]))
    wall = time.perf_counter() - t0
    out = []
    for k, seed in enumerate(seeds):
        curve = curves[k]
        first = next((s for s, r in curve if r >= threshold), None)
        out.append(
            {
                "algo": algo,
                "env": env,
                "seed": seed,
                "steps": steps,
                "population": len(seeds),
                "curve": curve,
                "best": max(r for _, r in curve),
                "final": curve[-1][1],
                "first_step": first,
                "wall_s": wall,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="algorithms to run")
    ap.add_argument("--env", nargs="*", help="environments to run (default: all)")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", default="bench_out/learning.json")
    ap.add_argument("--api", action="store_true", help="train through rlcore's object API")
    ap.add_argument(
        "--population", action="store_true", help="each check's seeds as one population"
    )
    args = ap.parse_args()
    checks = [
        c
        for c in CHECKS
        if (not args.only or c[0] in args.only) and (not args.env or c[1] in args.env)
    ]
    futures = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for algo, env, steps, thr, _ in checks:
            if args.population:
                futures[(algo, env)] = pool.submit(
                    one_population, algo, env, steps, args.seeds, thr
                )
                continue
            for seed in args.seeds:
                fn = one_api if args.api else one
                futures[(algo, env, seed)] = pool.submit(fn, algo, env, steps, seed, thr)
        results = {}
        for f in futures.values():  # each run as it ends: long runs report early
            got = f.result()
            for r in got if isinstance(got, list) else [got]:
                results[(r["algo"], r["env"], r["seed"])] = r
                print(
                    f"  done: {r['algo']} {r['env']} seed {r['seed']}: best {r['best']:.1f}, "
                    f"final {r['final']:.1f}, wall {r['wall_s']:.0f} s, curve "
                    f"{[round(v) for _, v in r['curve']]}",
                    flush=True,
                )
    out = []
    print(f"{'algo':10} {'env':14} {'steps':>8} {'thr':>7}  per seed: best/final@first  pass")
    for algo, env, steps, thr, need in checks:
        rs = [results[(algo, env, s)] for s in args.seeds]
        ok = sum(r["first_step"] is not None for r in rs)
        cells = "  ".join(f"{r['best']:.0f}/{r['final']:.0f}@{r['first_step']}" for r in rs)
        verdict = "PASS" if ok >= need else "FAIL"
        print(f"{algo:10} {env:14} {steps:>8} {thr:>7g}  {cells}  {ok}/{len(rs)} {verdict}")
        out.extend(rs)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
