"""Populations: the wall time of K members in one process against one run (issue 25).

    python benchmarks/population.py [--members 8] [--steps 50000] [--hidden 64,64]
        [--algo dqn] [--env CartPole-v1] [--threads 1] [--baseline-src DIR] [--repeats 1]
        [--separate]
    python benchmarks/population.py --case dqn|sac|ppo|zoo|all     # issue 25's table
    python benchmarks/population.py --tune [--trials 8]            # rlcore tune before/after

In one run of the script, each in a fresh subprocess (imports excluded, the environments'
and agent's construction included), with the preset of ``--algo`` on ``--env`` and the
networks ``--hidden``:

- ``one run``: ``Trainer`` of seed 0 (today a population of one),
- ``K seeds``: ``PopulationTrainer`` of seeds 0..K-1 in one process,
- ``today's run`` (with ``--baseline-src``, a checkout of the code before populations):
  ``Trainer`` of seed 0 from that code, to check that a population of one is no slower.

Prints each wall time and CPU time (the child's ``process_time``: on a shared machine the
steadier of the two) with their ratios to one run (medians over ``--repeats``), and the
final evaluation returns of the last repeat (a sanity check that the members learnt).
``--separate`` adds ``K separate runs``: K ``Trainer`` processes of seeds 0..K-1, as many at
once as the machine has cores (1 thread each): the best the same cores do without
populations. ``--case`` runs issue 25's settings and targets:

- ``dqn``: DQN CartPole-v1 50k, 64x64, 8 seeds <= 2.0x one run,
- ``sac``: SAC Pendulum-v1 20k, 64x64, 4 seeds <= 2.0x one run,
- ``ppo``: PPO CartPole-v1 100k (its preset, 64x64), 8 seeds <= 2.0x one run,
- ``zoo``: DQN CartPole-v1 50k, 256x256 (the Zoo's size), 8 seeds <= 0.8x 8 separate runs.

``--tune``: an 8-trial ``rlcore tune`` of DQN CartPole-v1 50k over lr and gamma, no pruning,
trial by trial (``--no-population``: each trial's run in its own worker, as many at once as
the job queue allows) and as one population (the default now).
Measure on a quiet machine; a shared one makes the numbers noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from fresh import ROOT, finish, python_code, run_json, start

CHILD = r"""
import json, sys, time, dataclasses
from rlcore.train.presets import make_configs
a = json.loads(sys.argv[1])
run, cfg = make_configs(a["algo"], a["env"], hp={"hidden": tuple(a["hidden"])},
                        run={"steps": a["steps"], "threads": a["threads"], "device": "cpu",
                             "seed": a.get("seed", 0)})
t0, c0 = time.perf_counter(), time.process_time()
if a["members"] == 0:
    from rlcore.train.trainer import Trainer
    finals = [m["eval/return_mean"] for m in Trainer(run, cfg) if "eval/return_mean" in m][-1:]
else:
    from rlcore.train.population import PopulationTrainer
    runs = [dataclasses.replace(run, seed=s) for s in range(a["members"])]
    last = {}
    for k, m in PopulationTrainer(runs, cfg):
        if "eval/return_mean" in m:
            last[k] = m["eval/return_mean"]
    finals = [last[k] for k in sorted(last)]
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "finals": finals}))
"""


def _spec(args: argparse.Namespace, members: int, threads: int) -> dict:
    return {
        "algo": args.algo,
        "env": args.env,
        "hidden": [int(h) for h in args.hidden.split(",")],
        "steps": args.steps,
        "threads": threads,
        "members": members,
    }


def measure(src: Path, args: argparse.Namespace, members: int, threads: int) -> dict:
    """One timed training in a fresh process on the code in ``src`` (0 members: ``Trainer``)."""
    return run_json(python_code(CHILD, _spec(args, members, threads)), src)


def separate(args: argparse.Namespace, members: int) -> dict:
    """``members`` single runs (seeds 0..K-1), as many at once as there are cores."""
    spec = _spec(args, 0, 1)
    t0 = time.perf_counter()
    waiting = list(range(members))
    running: list[subprocess.Popen] = []
    outs = []
    while waiting or running:
        while waiting and len(running) < (os.cpu_count() or 1):
            running.append(start(python_code(CHILD, {**spec, "seed": waiting.pop(0)})))
        outs.append(finish(running.pop(0)))
    cores = os.cpu_count() or 1
    return {
        # the children's training walls spread over the cores: imports and process starts
        # left out (a stricter peer than the elapsed time, which includes them)
        "wall": sum(o["wall"] for o in outs) / min(cores, members),
        "elapsed": time.perf_counter() - t0,
        "cpu": sum(o["cpu"] for o in outs),
        "finals": [o["finals"][-1] for o in outs],
    }


CASES = {  # issue 25: (algo, env, steps, hidden, members, target, against)
    "dqn": ("dqn", "CartPole-v1", 50_000, "64,64", 8, 2.0, "one run"),
    "sac": ("sac", "Pendulum-v1", 20_000, "64,64", 4, 2.0, "one run"),
    "ppo": ("ppo", "CartPole-v1", 100_000, "64,64", 8, 2.0, "one run"),
    "zoo": ("dqn", "CartPole-v1", 50_000, "256,256", 8, 0.8, "separate"),
}


def tune(args: argparse.Namespace) -> int:
    """``rlcore tune`` of DQN CartPole 50k (lr, gamma, no pruning): trial by trial, then as
    one population; each in a fresh run folder, wall time of the whole command."""
    import tempfile

    print(f"rlcore tune dqn CartPole-v1 {args.trials} trials x 50k (lr, gamma), no pruning, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}")  # fmt: skip
    for name, extra in (("trial by trial (--no-population)", ["--no-population"]),
                        ("one population (default)", [])):  # fmt: skip
        with tempfile.TemporaryDirectory() as runs:
            cmd = [sys.executable, "-m", "rlcore", "--runs-dir", runs, "tune", "--algo", "dqn",
                   "--env", "CartPole-v1", "--params", "lr,gamma", "--trials",
                   str(args.trials), "--steps", "50000", "--no-prune", "--quiet",
                   "--name", "bench", *extra]  # fmt: skip
            t0 = time.perf_counter()
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
            wall = time.perf_counter() - t0
            best = [ln for ln in out.stdout.splitlines() if ln.startswith("best mean")]
            print(f"{name:36} {wall:8.1f} s  {best[0] if best else out.stderr[-300:]}")
    return 0


def case_args(args: argparse.Namespace, case: str) -> argparse.Namespace:
    algo, env, steps, hidden, members, _, against = CASES[case]
    return argparse.Namespace(**{**vars(args), "algo": algo, "env": env, "steps": steps,
                                 "hidden": hidden, "members": members,
                                 "separate": against == "separate"})  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--algo", default="dqn")
    p.add_argument("--env", default="CartPole-v1")
    p.add_argument("--steps", type=int, default=50_000)
    p.add_argument("--hidden", default="64,64")
    p.add_argument("--members", type=int, default=8)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--also-threads",
        type=int,
        default=0,
        help="also one run and K seeds on this many threads (the ratio then against the "
        "faster one run)",
    )
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--baseline-src", type=Path, help="a checkout of the code before populations")
    p.add_argument("--separate", action="store_true", help="also K separate runs on all cores")
    p.add_argument("--case", choices=[*CASES, "all"], help="issue 25's settings and targets")
    p.add_argument("--tune", action="store_true", help="rlcore tune before/after populations")
    p.add_argument("--trials", type=int, default=8)
    args = p.parse_args()
    if args.tune:
        return tune(args)
    if args.case:
        for case in CASES if args.case == "all" else [args.case]:
            *_, target, against = CASES[case]
            run_rows(case_args(args, case))
            print(f"target ({case}): {CASES[case][4]} members <= {target}x {against}\n")
        return 0
    return run_rows(args)


def run_rows(args: argparse.Namespace) -> int:
    """One table: one run, (baseline), K seeds in one process, (K separate runs)."""
    t, k = args.threads, args.members
    rows: list[tuple[str, Path, int, int]] = [("one run", ROOT, 0, t)]
    if args.baseline_src:
        rows.append(("today's run (baseline code)", args.baseline_src.resolve(), 0, t))
    rows.append((f"{k} seeds, one process", ROOT, k, t))
    if args.also_threads:
        a = args.also_threads
        rows.append((f"one run, {a} threads", ROOT, 0, a))
        rows.append((f"{k} seeds, one process, {a} threads", ROOT, k, a))
    print(
        f"{args.algo} {args.env} {args.steps} steps, hidden {args.hidden}, threads "
        f"{t}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    finals: dict[str, list[float]] = {}
    elapsed: list[float] = []
    if args.separate:
        rows.append((f"{k} separate runs", ROOT, -k, 1))
    for _ in range(args.repeats):
        for name, src, m, threads in rows:  # interleaved: a load change hits every row alike
            r = separate(args, -m) if m < 0 else measure(src, args, m, threads)
            if m < 0:
                elapsed.append(r["elapsed"])
            walls.setdefault(name, []).append(r["wall"])
            cpus.setdefault(name, []).append(r["cpu"])
            finals[name] = r["finals"]
    base = statistics.median(walls["one run"])
    cbase = statistics.median(cpus["one run"])
    print(f"{'':34} {'wall s':>8} {'x one run':>10} {'cpu s':>8} {'x one run':>10}  final evals")
    for name, *_ in rows:
        w, c = statistics.median(walls[name]), statistics.median(cpus[name])
        ev = " ".join(f"{x:.0f}" for x in finals[name])
        print(f"{name:34} {w:8.1f} {w / base:10.2f} {c:8.1f} {c / cbase:10.2f}  {ev}")
    if args.repeats > 1:  # every repeat's wall, in order (interleaved), beside the medians
        for name, *_ in rows:
            print(f"  {name}: " + ", ".join(f"{x:.1f}" for x in walls[name]) + " s")
        pairs = [p / o for p, o in zip(walls[rows[-1][0]], walls["one run"], strict=False)]
        if rows[-1][2] > 0:
            print(f"  {rows[-1][0]} / one run, repeat by repeat: "
                  + ", ".join(f"{x:.2f}x" for x in pairs))  # fmt: skip
    if args.also_threads:
        a = args.also_threads
        fastest = min(base, statistics.median(walls[f"one run, {a} threads"]))
        for name in (f"{k} seeds, one process", f"{k} seeds, one process, {a} threads"):
            w = statistics.median(walls[name])
            print(f"{name} / the faster one run: {w / fastest:.2f}x wall")
    if args.separate:
        print(f"  ({args.members} separate runs: {elapsed[-1]:.1f} s elapsed with their "
              "process starts and imports; the row above counts their training only)")  # fmt: skip
        sep = statistics.median(walls[f"{args.members} separate runs"])
        pop = statistics.median(walls[f"{args.members} seeds, one process"])
        print(f"{args.members} seeds in one process / {args.members} separate runs: "
              f"{pop / sep:.2f}x wall")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
