"""Populations: the wall time of K members in one process against one run (issue 25).

    python benchmarks/population.py [--members 8] [--steps 50000] [--hidden 64,64]
        [--algo dqn] [--env CartPole-v1] [--threads 1] [--baseline-src DIR] [--repeats 1]

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
Issue 25's target for DQN CartPole-v1 50k, 64x64: 8 seeds in at most 2.0x one run.
Measure on a quiet machine; a shared one makes the numbers noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time, dataclasses
from rlcore.train.presets import make_configs
a = json.loads(sys.argv[1])
run, cfg = make_configs(a["algo"], a["env"], hp={"hidden": tuple(a["hidden"])},
                        run={"steps": a["steps"], "threads": a["threads"], "device": "cpu"})
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


def measure(src: Path, args: argparse.Namespace, members: int) -> dict:
    """One timed training in a fresh process on the code in ``src`` (0 members: ``Trainer``)."""
    spec = {
        "algo": args.algo,
        "env": args.env,
        "hidden": [int(h) for h in args.hidden.split(",")],
        "steps": args.steps,
        "threads": args.threads,
        "members": members,
    }
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(spec)],
        capture_output=True,
        text=True,
        env=env,
        cwd=src,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--algo", default="dqn")
    p.add_argument("--env", default="CartPole-v1")
    p.add_argument("--steps", type=int, default=50_000)
    p.add_argument("--hidden", default="64,64")
    p.add_argument("--members", type=int, default=8)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--baseline-src", type=Path, help="a checkout of the code before populations")
    args = p.parse_args()
    rows: list[tuple[str, Path, int]] = [("one run", ROOT, 0)]
    if args.baseline_src:
        rows.append(("today's run (baseline code)", args.baseline_src.resolve(), 0))
    rows.append((f"{args.members} seeds, one process", ROOT, args.members))
    print(
        f"{args.algo} {args.env} {args.steps} steps, hidden {args.hidden}, threads "
        f"{args.threads}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    finals: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for name, src, k in rows:  # interleaved: a load change hits every row alike
            r = measure(src, args, k)
            walls.setdefault(name, []).append(r["wall"])
            cpus.setdefault(name, []).append(r["cpu"])
            finals[name] = r["finals"]
    base = statistics.median(walls["one run"])
    cbase = statistics.median(cpus["one run"])
    print(f"{'':34} {'wall s':>8} {'x one run':>10} {'cpu s':>8} {'x one run':>10}  final evals")
    for name, _, _ in rows:
        w, c = statistics.median(walls[name]), statistics.median(cpus[name])
        ev = " ".join(f"{x:.0f}" for x in finals[name])
        print(f"{name:34} {w:8.1f} {w / base:10.2f} {c:8.1f} {c / cbase:10.2f}  {ev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
