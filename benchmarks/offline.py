"""Offline training speed: our CQL and IQL against d3rlpy, and the ensemble cost of SAC-N/EDAC.

    python benchmarks/offline.py [--steps 300] [--threads 1] [--repeats 3] [--medium]
                                 [--no-d3rlpy] [--d3rlpy-malloc]
                                 [--parts d3rlpy ensemble] [--layer-norm]

Both libraries train on the same transitions (random Pendulum-v1 episodes written to
an .npz here) with batch 256 and 256x256 networks, for the same number of gradient
steps after a warm-up. d3rlpy 2.8 pins gymnasium 1.0 and pulls the old ``gym``, so it
runs from its own virtual environment, made by this script (bench_out/d3rlpy-venv or
$D3RLPY_VENV; torch 2.13.0 CPU installed first), in a subprocess; its timing loop
is the same as ours:
``sample_transition_batch`` + ``update``. Each measurement runs in a fresh process with
the same torch thread count.

Targets: our gradient steps/s >= 2x d3rlpy's; N=10 critics cost <= 2.5x N=2.
The ensemble cost is timed on Pendulum's shapes and on HalfCheetah's (17-D states, 6-D
actions, random transitions; rows ``_6d``). With one action dimension EDAC's diversity
term has no gradient and EDAC skips its second backward, so only the 6-D rows show what
the term costs.
``--layer-norm`` also times SAC-N/EDAC with ``critic_layer_norm`` (the Pendulum preset's
setting), against the same N=2 without it.

The comparison is float32 against float32. ``--medium`` also times ours with
``matmul_precision=medium`` (a run setting: bfloat16 matrix products on CPUs with AMX,
TF32 on NVIDIA GPUs), reported beside it and never as the like-for-like ratio.
Ours runs as a ``Trainer`` would, with ``rlcore.core.device.tune_cpu_allocator`` (glibc keeps
large freed blocks mapped). ``--d3rlpy-malloc`` also times d3rlpy with the same two
settings (the ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` environment
variables), to show how much of the ratio is that setting.
``--repeats`` interleaves the measurements and reports medians (results also go to
bench_out/offline_speed.json).
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

OUT = Path("bench_out")
VENV = Path(os.environ.get("D3RLPY_VENV", OUT / "d3rlpy-venv"))
DATA = OUT / "pendulum_random.npz"

D3RLPY_CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np, torch, d3rlpy
    algo_name, steps, threads, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(threads)
    z = np.load(path)
    ds = d3rlpy.dataset.MDPDataset(z["observations"], z["actions"], z["rewards"],
                                   z["terminals"], timeouts=z["timeouts"])
    if algo_name == "cql":
        # our default: fixed conservative weight 5 (no Lagrange), 10 sampled actions
        cfg = d3rlpy.algos.CQLConfig(batch_size=256, conservative_weight=5.0,
                                     n_action_samples=10, alpha_learning_rate=0.0)
    else:
        cfg = d3rlpy.algos.IQLConfig(batch_size=256, expectile=0.7, weight_temp=3.0)
    algo = cfg.create(device="cpu:0")
    algo.build_with_dataset(ds)
    for _ in range(20):
        algo.update(ds.sample_transition_batch(256))
    t0 = time.perf_counter()
    for _ in range(steps):
        algo.update(ds.sample_transition_batch(256))
    dt = time.perf_counter() - t0
    print(json.dumps({"steps_per_s": steps / dt}))
""")


def make_data(n: int = 20_000) -> None:
    import numpy as np

    from rlcore.core.envs import make_env

    env = make_env("Pendulum-v1", seed=0)
    obs_l, act_l, rew_l, nxt_l, term_l, tout_l = [], [], [], [], [], []
    obs, _ = env.reset(seed=0)
    for _ in range(n):
        a = env.action_space.sample()
        nxt, r, term, trunc, _ = env.step(a)
        obs_l.append(obs), act_l.append(a), rew_l.append(r), nxt_l.append(nxt)
        term_l.append(term), tout_l.append(trunc)
        obs = env.reset()[0] if term or trunc else nxt
    OUT.mkdir(exist_ok=True)
    np.savez(
        DATA,
        observations=np.array(obs_l, np.float32),
        actions=np.array(act_l, np.float32),
        rewards=np.array(rew_l, np.float32),
        next_observations=np.array(nxt_l, np.float32),
        terminals=np.array(term_l, np.float32),
        timeouts=np.array(tout_l, np.float32),
    )


def ours(
    algo: str,
    steps: int,
    threads: int,
    precision: str = "highest",
    n_critics: int | None = None,
    layer_norm: bool = False,
    six_d: bool = False,
) -> dict:
    import gymnasium as gym
    import numpy as np
    import torch

    from rlcore.algos.registry import get_algo
    from rlcore.core.buffers import ReplayBuffer
    from rlcore.core.device import set_matmul_precision, set_threads, tune_cpu_allocator
    from rlcore.core.envs import make_env

    set_threads(threads)
    tune_cpu_allocator()  # as every Trainer does
    set_matmul_precision(precision)
    torch.manual_seed(0)
    z = np.load(DATA)
    env = make_env("Pendulum-v1")
    obs_space, act_space = env.observation_space, env.action_space
    if six_d:  # HalfCheetah's shapes (17-D states, 6-D actions), random transitions
        rng = np.random.default_rng(0)
        n = len(z["rewards"])
        obs_space = gym.spaces.Box(-np.inf, np.inf, (17,), np.float32)
        act_space = gym.spaces.Box(-1.0, 1.0, (6,), np.float32)
        z = {
            "observations": rng.standard_normal((n, 17), np.float32),
            "actions": rng.uniform(-1, 1, (n, 6)).astype(np.float32),
            "rewards": rng.standard_normal(n, np.float32),
            "next_observations": rng.standard_normal((n, 17), np.float32),
            "terminals": np.zeros(n, np.float32),
        }
    spec = get_algo(algo)
    hp = {"batch_size": 256, "hidden": (256, 256)}
    if n_critics is not None:
        hp["n_critics"] = n_critics
    if layer_norm:
        hp["critic_layer_norm"] = True
    agent = spec.agent_cls(obs_space, act_space, spec.config_cls(**hp))
    buf = ReplayBuffer(len(z["rewards"]), obs_space.shape[0], act_space.shape[0], False)
    buf.add_many(
        z["observations"], z["actions"], z["rewards"], z["next_observations"], z["terminals"]
    )
    for _ in range(20):
        agent.update(buf.sample(256))
    t0 = time.perf_counter()
    for _ in range(steps):
        agent.update(buf.sample(256))
    return {"steps_per_s": steps / (time.perf_counter() - t0)}


def ensure_venv() -> Path:
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(py), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "torch==2.13.0"], check=True)  # the CPU wheel first
        subprocess.run([*pip, "d3rlpy==2.8.1"], check=True)
    return py


def child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-d3rlpy", action="store_true")
    ap.add_argument("--repeats", type=int, default=1, help="median of this many measurements")
    ap.add_argument(
        "--medium",
        action="store_true",
        help="also time ours with matmul_precision=medium (bf16 products on AMX CPUs)",
    )
    ap.add_argument(
        "--d3rlpy-malloc",
        action="store_true",
        dest="d3rlpy_malloc",
        help="also time d3rlpy with our allocator settings (glibc environment variables)",
    )
    ap.add_argument(
        "--parts",
        nargs="+",
        choices=["d3rlpy", "ensemble"],
        default=["d3rlpy", "ensemble"],
        help="which measurements: CQL/IQL against d3rlpy, the SAC-N/EDAC ensemble cost",
    )
    ap.add_argument(
        "--layer-norm",
        action="store_true",
        dest="layer_norm",
        help="also time the ensembles with layer-norm critics (critic_layer_norm)",
    )
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        algo, steps, threads, precision, *n = args.child
        n_critics = int(n[0]) if n else None
        res = ours(algo, int(steps), int(threads), precision, n_critics, "ln" in n, "6d" in n)
        print(json.dumps(res))
        return
    if not DATA.exists():
        make_data()
    common = [str(args.steps), str(args.threads)]
    reps = max(1, args.repeats)
    results: dict[str, float] = {}

    def d3rlpy(algo: str, tuned_malloc: bool = False) -> float:
        from rlcore.core.device import MMAP_THRESHOLD, TRIM_THRESHOLD

        py = ensure_venv()
        script = OUT / "d3rlpy_child.py"
        script.write_text(D3RLPY_CHILD)
        env = dict(os.environ)
        if tuned_malloc:
            env.update(
                MALLOC_MMAP_THRESHOLD_=str(MMAP_THRESHOLD),
                MALLOC_TRIM_THRESHOLD_=str(TRIM_THRESHOLD),
            )
        out = subprocess.run(
            [str(py), str(script), algo, *common, str(DATA)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])["steps_per_s"]

    print(f"gradient steps/s, batch 256, 256x256 networks, {args.threads} thread(s), "
          f"median of {reps}")  # fmt: skip
    for algo in ("cql", "iql") if "d3rlpy" in args.parts else ():
        # interleaved, so that a busy spell of the machine hits both sides alike
        mine, theirs, theirs_tuned, fast = [], [], [], []
        for _ in range(reps):
            mine.append(child([algo, *common, "highest"])["steps_per_s"])
            if not args.no_d3rlpy:
                theirs.append(d3rlpy(algo))
                if args.d3rlpy_malloc:
                    theirs_tuned.append(d3rlpy(algo, tuned_malloc=True))
            if args.medium:
                fast.append(child([algo, *common, "medium"])["steps_per_s"])
        m = statistics.median(mine)
        results[f"{algo}_ours"] = m
        line = f"{algo:4} ours {m:8.1f}"
        if theirs:
            th = results[f"{algo}_d3rlpy"] = statistics.median(theirs)
            line += f"   d3rlpy {th:8.1f}   ours/d3rlpy {m / th:5.2f}x"
        if theirs_tuned:
            tt = results[f"{algo}_d3rlpy_tuned_malloc"] = statistics.median(theirs_tuned)
            line += f"   d3rlpy, our malloc settings {tt:8.1f} ({m / tt:4.2f}x)"
        if fast:
            f = results[f"{algo}_ours_medium"] = statistics.median(fast)
            line += f"   ours, matmul medium {f:8.1f}"
            if theirs:
                line += f" ({f / th:4.2f}x d3rlpy's float32)"
        print(line, flush=True)
    if "ensemble" in args.parts:
        print("ensemble cost (time per gradient step relative to N=2)")
        variants = [("", [])]  # Pendulum's shapes: 3-D states, 1-D actions
        if args.layer_norm:
            variants.append(("_ln", ["ln"]))
        variants.append(("_6d", ["6d"]))  # 6-D actions: EDAC's diversity term trains
        for algo in ("sac_n", "edac"):
            for suffix, flag in variants:
                name = algo + suffix
                for n in (2, 10, 50):
                    runs = [child([algo, *common, "highest", str(n), *flag]) for _ in range(reps)]
                    sps = statistics.median(r["steps_per_s"] for r in runs)
                    results[f"{name}_{n}"] = sps
                    if n == 2 and suffix != "_ln":  # layer norm: against N=2 without it
                        base = sps
                    cost = f"cost {base / sps:5.2f}x N=2"
                    print(f"{name:9} N={n:<3} {sps:8.1f} steps/s   {cost}", flush=True)
    OUT.mkdir(exist_ok=True)
    results["threads"] = args.threads
    name = "offline_speed.json" if args.threads == 1 else f"offline_speed_{args.threads}t.json"
    old = json.loads((OUT / name).read_text()) if (OUT / name).exists() else {}
    (OUT / name).write_text(json.dumps({**old, **results}, indent=1))  # --parts keeps the rest


if __name__ == "__main__":
    main()
