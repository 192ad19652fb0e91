"""PBT against random search at the same environment steps (issue 27).

    python benchmarks/pbt.py [--cases dqn,sac] [--members 8] [--threads 1] [--seed 0]
        [--scale 1.0] [--sequential]

Each case trains, each in a fresh subprocess (imports excluded), on the same machine:

- ``random search``: ``--members`` trials whose ``params`` are drawn from the search
  windows around the preset (``rlcore.search.space.build_space``, as ``rlcore tune``
  draws them), member ``i`` with seed ``seed + i``, trained as one population
  (``PopulationTrainer``; ``--sequential`` also times them one after another, the way
  a search without the population engine trains them);
- ``PBT``: the same first configurations and seeds (``initial_configs`` with the same
  seed), the same steps per member (so the same total environment steps) and the same
  evaluation cadence, with exploit and explore every ``interval`` steps
  (``PBTTrainer``: quantile 0.25, factors 0.8 / 1.2, resample probability 0.25).

Prints, per case, the best and the mean final evaluation return and the wall time of
each, and PBT's discovered schedule (the best member's values from each step on, and
the members its weights came from). Cases:

| case | environment | steps per member | params | interval |
|---|---|---|---|---|
| dqn | CartPole-v1 | 50,000 | lr, gamma | 5,000 |
| sac | Pendulum-v1 | 20,000 | lr, target_entropy_scale | 2,000 |

SAC runs only once it trains as a population with ``_refresh_members`` (else a note
says it was skipped). ``--scale 0.1`` shortens every budget (a quick check; the numbers
then say little). Measure on a quiet machine.
"""

from __future__ import annotations

import argparse
import sys
import time

from fresh import ROOT, python_code, run_json

CASES = {
    "dqn": {"env": "CartPole-v1", "steps": 50_000, "params": ["lr", "gamma"], "interval": 5000},
    "sac": {
        "env": "Pendulum-v1",
        "steps": 20_000,
        "params": ["lr", "target_entropy_scale"],
        "interval": 2000,
    },
}

CHILD = r"""
import dataclasses, json, sys, time
from rlcore.search.space import build_space
from rlcore.service.pbt import PBTConfig, PBTTrainer, initial_configs
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer
a = json.loads(sys.argv[1])
run, base = make_configs(a["algo"], a["env"], hp={"hidden": (64, 64)},
                         run={"steps": a["steps"], "threads": a["threads"], "device": "cpu",
                              "eval_every": a["interval"] // 2, "eval_episodes": 10})
space = build_space(base, a["params"])
configs = initial_configs(base, a["params"], a["members"], a["seed"], space)
runs = [dataclasses.replace(run, seed=a["seed"] + i) for i in range(a["members"])]
t0 = time.perf_counter()
out = {}
if a["mode"] == "sequential":
    finals = []
    for r, c in zip(runs, configs):
        finals += [m["eval/return_mean"] for m in Trainer(r, c) if "eval/return_mean" in m][-1:]
else:
    if a["mode"] == "pbt":
        pbt = PBTConfig(tuple(a["params"]), a["interval"], seed=a["seed"], space=space)
        tr = PBTTrainer(runs, configs, pbt)
    else:
        tr = PopulationTrainer(runs, configs)
    last = {}
    for k, m in tr:
        if "eval/return_mean" in m:
            last[k] = m["eval/return_mean"]
    finals = [last[k] for k in sorted(last)]
    if a["mode"] == "pbt":
        best = max(range(len(finals)), key=lambda k: finals[k])
        out = {"schedule": tr.schedules[best], "ancestry": tr.ancestry[best], "best": best,
               "exploits": sum(e["kind"] == "exploit" for e in tr.events)}
out.update(wall=time.perf_counter() - t0, finals=finals,
           first=[{p: getattr(c, p) for p in a["params"]} for c in configs])
print(json.dumps(out))
"""


def able(algo: str) -> str | None:
    """Why ``algo`` cannot run PBT yet, or ``None``."""
    from rlcore.algos.base import Agent
    from rlcore.algos.registry import get_algo

    cls = get_algo(algo).agent_cls
    if not cls.population:
        return f"{cls.title} does not train as a population yet"
    if cls._refresh_members is Agent._refresh_members:
        return f"{cls.title} has no _refresh_members (its hyperparameters cannot change)"
    return None


def measure(spec: dict) -> dict:
    """One timed training in a fresh process."""
    return run_json(python_code(CHILD, spec), env={"RLCORE_THREADS": str(spec["threads"])})


def _line(name: str, r: dict) -> str:
    f = r["finals"]
    return f"  {name:28} best {max(f):9.2f}  mean {sum(f) / len(f):9.2f}  wall {r['wall']:7.1f} s"


def run_case(algo: str, args: argparse.Namespace) -> None:
    c = CASES[algo]
    steps = max(2, int(c["steps"] * args.scale))
    interval = max(2, int(c["interval"] * args.scale) // 2 * 2)
    print(f"{algo} {c['env']}: {args.members} members x {steps} steps, params {c['params']}")
    why = able(algo)
    if why is not None:
        print(f"  skipped: {why}")
        return
    spec = {
        "algo": algo,
        "env": c["env"],
        "steps": steps,
        "params": c["params"],
        "interval": interval,
        "members": args.members,
        "seed": args.seed,
        "threads": args.threads,
    }
    modes = ["random", "pbt"] + (["sequential"] if args.sequential else [])
    res = {m: measure({**spec, "mode": m}) for m in modes}
    print("  first configurations (both): " + "; ".join(map(str, res["pbt"]["first"])))
    print(_line("random search (population)", res["random"]))
    if "sequential" in res:
        print(_line("random search (sequential)", res["sequential"]))
    print(_line("PBT", res["pbt"]))
    p = res["pbt"]
    anc = ", ".join(f"from step {s}: member {m}" for s, m in p["ancestry"])
    print(f"  PBT: {p['exploits']} exploits; best member {p['best']}, its weights: {anc}")
    for step, vals in p["schedule"]:
        print(f"    step {step:>7}: " + " ".join(f"{k}={v:.4g}" for k, v in vals.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="dqn,sac")
    ap.add_argument("--members", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every budget")
    ap.add_argument("--sequential", action="store_true", help="also time trials one by one")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    for algo in args.cases.split(","):
        run_case(algo.strip(), args)
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
