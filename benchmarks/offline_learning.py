"""Offline learning checks on datasets we build (the offline issue's "what must hold").

    python benchmarks/offline_learning.py [--steps 10000] [--costly-steps 10000]
                                          [--seeds 0 1 2] [--jobs 2]

1. Builds (or reuses) Pendulum-v1 ``medium-replay`` and ``mixed`` (random 50% + expert
   50%) datasets, and the same two for CartPole-v1.
2. Trains the offline algorithms on them for ``--steps`` gradient steps per seed
   (``--costly-steps`` for CQL, SAC-N and EDAC, whose steps cost 5-15x more on a CPU:
   fewer steps can only handicap them) and evaluates the final policy on
   ``--final-episodes`` (100) deterministic episodes from the same start states for every
   algorithm and seed: raw return and D4RL-style normalised score. A Pendulum return
   hangs on the start state (one BC policy scored 0 to -1,900), so the runs' own
   10-episode evaluations differ by ~130 from one set of start states to another; 100
   common start states make the comparisons paired and cut that noise. On ``mixed`` only
   BC and the algorithms that must beat it are trained; on ``medium-replay`` every
   algorithm.
3. Checks: on ``mixed``, CQL, IQL, TD3+BC and EDAC beat BC's normalised score (2 of 3
   seeds); on ``medium-replay`` every algorithm ends above the dataset's mean episode
   return (2 of 3 seeds); on CartPole the same for discrete CQL vs BC.

``--d3rlpy-bc`` also trains d3rlpy's BC (2.8.1, in the virtual environment that
``benchmarks/offline.py`` makes) on each continuous medium-replay dataset with the same
seeds and steps: a reference for what behaviour cloning scores on that data.

Writes bench_out/offline_learning.json.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

FINAL_EVAL_SEED = 424_242  # env seeds of the final evaluation's episodes: 424242, 424243, ...
CONTINUOUS_ENVS = {"Pendulum-v1"}
CONTINUOUS = ["bc", "cql", "iql", "td3_bc", "edac", "awac", "sac_n"]
DISCRETE = ["bc", "cql_discrete"]
MUST_BEAT_BC = {"cql", "iql", "td3_bc", "edac", "cql_discrete"}
COSTLY = {"cql", "sac_n", "edac"}


def build(env: str, n_mixed: int, seed: int = 0) -> dict[str, str]:
    from rlcore.data.datasets import build_dataset, list_datasets

    have = {d.id for d in list_datasets()}
    out = {}
    for kind, kw in (("medium-replay", {}), ("mixed", {"mix": {"random": 0.5, "expert": 0.5}})):
        from rlcore.data.datasets import dataset_id

        ds_id = dataset_id(env, kind)
        if ds_id not in have:
            build_dataset(env, kind, n_mixed, seed, **kw)
        out[kind] = ds_id
    return out


def one(algo: str, env: str, dataset: str, steps: int, seed: int, final_episodes: int) -> dict:
    import torch

    from rlcore.data.datasets import load_transitions, normalized_score
    from rlcore.train.evaluation import evaluate
    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import Trainer

    torch.set_num_threads(1)
    run, cfg = make_configs(
        algo,
        env,
        run={
            "dataset": dataset,
            "steps": steps,
            "seed": seed,
            "eval_every": max(1, steps // 5),
            "threads": 1,
        },
    )
    t0 = time.perf_counter()
    trainer = Trainer(run, cfg)
    evals = [m for m in trainer if "eval/return_mean" in m]
    data, _ = load_transitions(dataset)
    # the final policy on the same start states for every algorithm and seed
    final = evaluate(trainer.agent, env, episodes=final_episodes, seed=FINAL_EVAL_SEED)
    return {
        "algo": algo,
        "env": env,
        "dataset": dataset,
        "seed": seed,
        "steps": steps,
        "final_return": final.mean,
        "final_return_sem": final.std / final_episodes**0.5,
        "final_score": normalized_score(final.mean, *trainer.refs),
        "last_eval_return": evals[-1]["eval/return_mean"],  # the run's own 10 episodes
        "curve": [(m["step"], m["eval/return_mean"]) for m in evals],
        "data_return_mean": float(data.episode_returns.mean()),
        "wall_s": time.perf_counter() - t0,
    }


D3RLPY_BC = """
import json, sys
import gymnasium as gym, numpy as np, torch, d3rlpy
path, env_id, steps, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
episodes, first_seed = int(sys.argv[5]), int(sys.argv[6])
torch.set_num_threads(1)
z = np.load(path)
ds = d3rlpy.dataset.MDPDataset(z["observations"], z["actions"], z["rewards"],
                               z["terminals"], timeouts=z["timeouts"])
d3rlpy.seed(seed)
algo = d3rlpy.algos.BCConfig(batch_size=256, learning_rate=1e-3).create(device="cpu:0")
algo.build_with_dataset(ds)
for _ in range(steps):
    algo.update(ds.sample_transition_batch(256))
env, returns = gym.make(env_id), []
for ep in range(episodes):
    o, _ = env.reset(seed=first_seed + ep)
    done, total = False, 0.0
    while not done:
        o, r, term, trunc, _ = env.step(algo.predict(o[None].astype(np.float32))[0])
        total, done = total + float(r), term or trunc
    returns.append(total)
print(json.dumps({"final_return": float(np.mean(returns))}))
"""


def d3rlpy_bc(env: str, dataset: str, steps: int, seeds: list[int], episodes: int) -> list[float]:
    """d3rlpy's BC (deterministic policy, MSE) on our dataset, evaluated as ours is."""
    import subprocess

    import numpy as np
    from offline import OUT, ensure_venv

    from rlcore.data.datasets import load_transitions

    data, _ = load_transitions(dataset)
    path = OUT / f"{dataset.replace('/', '_')}.npz"
    np.savez(
        path,
        observations=data.observations,
        actions=data.actions,
        rewards=data.rewards,
        terminals=data.terminals,
        timeouts=data.timeouts,
    )
    script = OUT / "d3rlpy_bc_child.py"
    script.write_text(D3RLPY_BC)
    py, out = ensure_venv(), []
    for seed in seeds:
        args = [str(py), str(script), str(path), env, str(steps), str(seed)]
        args += [str(episodes), str(FINAL_EVAL_SEED)]
        run = subprocess.run(args, capture_output=True, text=True, check=True)
        out.append(json.loads(run.stdout.strip().splitlines()[-1])["final_return"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--costly-steps", type=int, default=10_000, dest="costly_steps")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--mixed-size", type=int, default=20_000)
    ap.add_argument("--envs", nargs="*", default=["Pendulum-v1", "CartPole-v1"])
    ap.add_argument("--algos", nargs="*", help="only these algorithms (default: all)")
    ap.add_argument(
        "--final-episodes",
        type=int,
        default=100,
        dest="final_episodes",
        help="episodes of the final evaluation, on the same start states for every run",
    )
    ap.add_argument("--out", default="bench_out/offline_learning.json")
    ap.add_argument(
        "--d3rlpy-bc",
        action="store_true",
        dest="d3rlpy_bc",
        help="also train d3rlpy's BC on each continuous medium-replay dataset (reference)",
    )
    args = ap.parse_args()
    jobs = []
    for env in args.envs:
        sets = build(env, args.mixed_size)
        algos = CONTINUOUS if env in CONTINUOUS_ENVS else DISCRETE
        for kind, ds_id in sets.items():
            for algo in algos:
                if kind == "mixed" and algo != "bc" and algo not in MUST_BEAT_BC:
                    continue
                if args.algos and algo not in args.algos:
                    continue
                for seed in args.seeds:
                    jobs.append((algo, env, ds_id, kind, seed))
    order = list(jobs)
    jobs.sort(key=lambda j: j[0] not in COSTLY)  # the long runs first: a shorter makespan
    with ProcessPoolExecutor(args.jobs) as pool:
        futs = {
            pool.submit(
                one,
                j[0],
                j[1],
                j[2],
                args.costly_steps if j[0] in COSTLY else args.steps,
                j[4],
                args.final_episodes,
            ): j
            for j in jobs
        }
        results = []
        for f in as_completed(futs):  # print each run as it ends (the whole set takes long)
            j, r = futs[f], f.result()
            results.append((j, r))
            print(
                f"[{len(results)}/{len(jobs)}] {j[0]} {j[2]} seed {j[4]}: "
                f"return {r['final_return']:.1f} score {r['final_score']:.1f} "
                f"(data mean {r['data_return_mean']:.1f}) {r['wall_s']:.0f} s",
                flush=True,
            )
        results.sort(key=lambda jr: order.index(jr[0]))
    rows = [dict(r, kind=j[3]) for j, r in results]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=1))
    need = (len(args.seeds) * 2 + 2) // 3  # 2 of 3
    for env in args.envs:
        for kind in ("mixed", "medium-replay"):
            sub = [r for r in rows if r["env"] == env and r["kind"] == kind]
            if not sub:
                continue
            data_mean = sub[0]["data_return_mean"]
            print(f"\n{env} {kind}: dataset mean return {data_mean:.1f}; final policies on "
                  f"{args.final_episodes} common start states: return (score)")  # fmt: skip
            bc = {r["seed"]: r for r in sub if r["algo"] == "bc"}
            for algo in dict.fromkeys(r["algo"] for r in sub):
                rs = sorted((r for r in sub if r["algo"] == algo), key=lambda r: r["seed"])
                cells = "  ".join(f"{r['final_return']:8.1f} ({r['final_score']:5.1f})" for r in rs)
                if kind == "mixed" and algo in MUST_BEAT_BC:
                    ok = sum(r["final_score"] > bc[r["seed"]]["final_score"] for r in rs)
                    verdict = f"beats BC on {ok}/{len(rs)} {'PASS' if ok >= need else 'FAIL'}"
                elif kind == "medium-replay":
                    ok = sum(r["final_return"] > data_mean for r in rs)
                    verdict = f"> data mean on {ok}/{len(rs)} {'PASS' if ok >= need else 'FAIL'}"
                else:
                    verdict = ""
                print(f"  {algo:13} {rs[0]['steps']:>6} steps {cells}   {verdict}")
            if args.d3rlpy_bc and kind == "medium-replay" and env in CONTINUOUS_ENVS:
                ds, n_ep = sub[0]["dataset"], args.final_episodes
                theirs = d3rlpy_bc(env, ds, args.steps, args.seeds, n_ep)
                ok = sum(r > data_mean for r in theirs)
                cells = "  ".join(f"{r:8.1f}" for r in theirs)
                print(f"  {'d3rlpy BC':13} {args.steps:>6} steps {cells}   > data mean on "
                      f"{ok}/{len(theirs)} (reference, not a check)")  # fmt: skip


if __name__ == "__main__":
    main()
