"""Hyperparameter studies: what pruning saves, what the search finds, what Ray costs.

    python benchmarks/tune.py                        # DQN CartPole-v1, 20 TPE trials, 20k steps:
                                                     # no pruning vs median pruning + the preset
    python benchmarks/tune.py --pruners none median halving --confirm-seeds 3
    python benchmarks/tune.py --ray-ratio            # one small study via the queue, then via Ray

Studies: the same spec (lr, gamma, target_update_interval, exploration_fraction around the
Zoo preset; 1 seed a trial; sampler seed 0) once per pruner, one after the other, each
through the job queue exactly as ``python -m rlcore tune`` runs it. Reported per study:
wall time, environment steps trained in all (pruned runs count the steps they did), the
trial states and the best mean final evaluation return. Then the preset and each study's
best configuration are trained again on ``--confirm-seeds`` seeds (0, 1, ...) and their
final returns put side by side. Writes bench_out/tune.json.

``--ray-ratio`` starts a one-machine Ray cluster (``ray start --head`` in a temp dir,
stopped afterwards), runs the same small study through the local queue and through Ray
back to back, and reports the wall-time ratio (Ray's overhead; the cluster's start is
timed apart). Timings on a shared machine move with its load: compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench_out"
PARAMS = ["lr", "gamma", "target_update_interval", "exploration_fraction"]


def study(store, name, pruner, args, steps, trials, executor=None, params=PARAMS):
    from rlcore.search.study import make_spec
    from rlcore.service.studies import create_study, trial_rows
    from rlcore.service.study_driver import run_study

    spec = make_spec(
        name, "dqn", "CartPole-v1", params, trials=trials, seeds=1, pruner=pruner,
        run={"steps": steps, "eval_every": steps // 10}, sampler="tpe", sampler_seed=0,
    )  # fmt: skip
    create_study(store, spec)
    t0 = time.perf_counter()

    def say(t):
        v = "" if t["value"] is None else f"{t['value']:8.1f}"
        print(
            f"  [{name}] trial {t['number']:>2} {t['state']:8} {v} steps {t['steps']}", flush=True
        )

    run_study(store, name, executor, on_trial=say, poll_s=0.5)
    wall = time.perf_counter() - t0
    _, rows = trial_rows(store, name)
    states = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    done = [r for r in rows if r["state"] == "complete"]
    best = max(done, key=lambda r: r["value"]) if done else None
    return {
        "name": name,
        "pruner": pruner,
        "wall_s": wall,
        "env_steps": sum(r["steps"] for r in rows),
        "states": states,
        "best_value": best["value"] if best else None,
        "best_params": best["params"] if best else None,
        "best_trial": best["number"] if best else None,
        "trials": [
            {k: r[k] for k in ("number", "state", "value", "params", "steps")} for r in rows
        ],
    }


def confirm(store, hp, steps, seeds):
    """Train one configuration on seeds 0..n-1 through the queue; their final returns."""
    from rlcore.service.jobs import JobQueue, seed_plan
    from rlcore.service.runs import TERMINAL
    from rlcore.train.presets import make_configs

    run, algo = make_configs(
        "dqn", "CartPole-v1", hp, {"steps": steps, "eval_every": steps // 10, "threads": 1}
    )
    q = JobQueue(store)
    batch = q.submit(seed_plan(run, algo, seeds))
    while any(store.status(r)["status"] not in TERMINAL for r in batch.runs):
        q.pump()
        time.sleep(1)
    return [store.status(r).get("eval_return") for r in batch.runs]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray_ratio(args):
    """The same small study through the local queue and through a Ray cluster."""
    from rlcore.service.ray_backend import RayExecutor
    from rlcore.service.runs import RunStore

    tmp = Path(tempfile.mkdtemp(prefix="rtr", dir="/tmp"))  # short: Ray's socket paths
    store = RunStore(tmp / "runs")
    port = free_port()
    t0 = time.perf_counter()
    ports = (
        "--ray-client-server-port",
        "--dashboard-agent-listen-port",
        "--dashboard-agent-grpc-port",
        "--metrics-export-port",
        "--runtime-env-agent-port",
    )
    head = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", f"--port={port}",
         "--num-cpus=2", "--include-dashboard=false", f"--temp-dir={tmp / 'ray'}", "--block",
         "--disable-usage-stats", *(f"{p}={free_port()}" for p in ports)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        address = f"127.0.0.1:{port}"
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        ex = RayExecutor(store, address)
        start_s = time.perf_counter() - t0
        trials, steps = args.ray_trials, args.ray_steps
        local = study(store, "local", "none", args, steps, trials, params=["lr", "gamma"])
        ray = study(store, "ray", "none", args, steps, trials, executor=ex, params=["lr", "gamma"])
        ex.close()
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=60)
    out = {
        "trials": trials,
        "steps": steps,
        "cluster_start_s": start_s,
        "local_wall_s": local["wall_s"],
        "ray_wall_s": ray["wall_s"],
        "ratio": ray["wall_s"] / local["wall_s"],
    }
    print(json.dumps(out, indent=1))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pruners", nargs="*", default=["none", "median"])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--confirm-seeds", type=int, default=3, dest="confirm_seeds")
    ap.add_argument("--ray-ratio", action="store_true", dest="ray_ratio")
    ap.add_argument("--ray-trials", type=int, default=4, dest="ray_trials")
    ap.add_argument("--ray-steps", type=int, default=2000, dest="ray_steps")
    ap.add_argument("--out", default=str(OUT / "tune.json"))
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.ray_ratio:
        res = ray_ratio(args)
        Path(args.out).with_name("tune_ray.json").write_text(json.dumps(res, indent=1))
        return
    from rlcore.service.runs import RunStore

    store = RunStore(Path(tempfile.mkdtemp(prefix="rl-tune-")) / "runs")
    print(f"runs in {store.root}", flush=True)
    results = {"studies": [], "steps": args.steps, "trials": args.trials}
    for pruner in args.pruners:
        res = study(store, f"dqn-cartpole-{pruner}", pruner, args, args.steps, args.trials)
        results["studies"].append(res)
        Path(args.out).write_text(json.dumps(results, indent=1))
    base = results["studies"][0]["env_steps"]
    for s in results["studies"]:
        s["steps_vs_first"] = s["env_steps"] / base
    if args.confirm_seeds:
        results["preset_returns"] = confirm(store, None, args.steps, args.confirm_seeds)
        for s in results["studies"]:
            if s["best_params"]:
                hp = s["best_params"]
                s["confirm_returns"] = confirm(store, hp, args.steps, args.confirm_seeds)
        Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"\n{'study':24} {'wall':>8} {'env steps':>10} {'vs first':>8} {'best':>7}  states")
    for s in results["studies"]:
        print(
            f"{s['name']:24} {s['wall_s']:8.0f} {s['env_steps']:10d} {s['steps_vs_first']:8.2f} "
            f"{s['best_value'] or float('nan'):7.1f}  {s['states']}"
        )
        if s.get("confirm_returns"):
            print(f"  best config on seeds 0..{args.confirm_seeds - 1}: {s['confirm_returns']}")
    if results.get("preset_returns"):
        print(f"preset on seeds 0..{args.confirm_seeds - 1}: {results['preset_returns']}")
    Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
