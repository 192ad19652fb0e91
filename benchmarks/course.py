"""The course's experiments, each repeated on several seed sets: does its verdict agree with
its claim, and how long does a learner wait for it?

    nice -n 10 python benchmarks/course.py --seeds 5            # every experiment, 5 times
    python benchmarks/course.py --seeds 2 --only cdq pg --jobs 2
    nice -n 10 python benchmarks/course.py --seeds 5 --only offline --build /tmp/course_ds

A repetition ``r`` runs the experiment exactly as the lesson does (``ui.course``'s plans:
same algorithms, budgets, networks, seeds per configuration; a plan whose seeds the app
trains as one population, ``rlcore.service.jobs.trains_together``, trains here as one
population too), with seeds shifted by ``100 * r``, on ``--jobs`` worker processes at once
(the app's two workers on a 2-core server), and reads it with the lesson's verdict.
Printed per experiment: how many repetitions agree with the claim, their answers, and the
wall time from start to verdict (median and worst), and "quiet": the wall time the same
runs would take on two idle cores (each run's or population's CPU seconds, queued on two
workers in the lesson's order) — on a shared,
loaded machine the measured wall time says more about the neighbours than about us.
The offline experiment needs a local Pendulum dataset (the newest one, as the lesson);
without one it is skipped. ``--build DIR`` first builds the lesson's own dataset
(``ui.course.COURSE_DATASET``, what its one click builds) into the empty folder DIR, timed:
its CPU seconds are added to each offline repetition's "quiet" time (a learner's first
visit waits for the build, then the runs). Writes bench_out/course.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _train(run, cfg) -> tuple[list[dict], float]:
    """One run: its logged rows (what the app's metrics file holds) and its CPU seconds."""
    import torch

    from rlcore.train.trainer import Trainer

    torch.set_num_threads(1)
    c0 = time.process_time()
    rows = [dict(m) for m in Trainer(run, cfg)]
    return rows, time.process_time() - c0


def _train_population(runs, cfgs) -> tuple[list[list[dict]], float]:
    """One population (the app's seeds of one setup, in one process): rows per member, CPU."""
    import torch

    from rlcore.train.population import PopulationTrainer

    torch.set_num_threads(1)
    c0 = time.process_time()
    rows: list[list[dict]] = [[] for _ in runs]
    for k, m in PopulationTrainer(list(runs), list(cfgs)):
        rows[k].append(dict(m))
    return rows, time.process_time() - c0


def quiet_wall(cpu: list[float], workers: int = 2) -> float:
    """The wall time these runs would take on ``workers`` idle cores, queued in order.

    Each run is single-threaded, so on a quiet machine its wall time is its CPU time;
    the app's queue hands runs to the first free worker in submission order.
    """
    free = [0.0] * workers
    for c in cpu:
        i = free.index(min(free))
        free[i] += c
    return max(free, default=0.0)


def _build() -> tuple[str, float, float]:
    """Build the offline lesson's dataset as its one click does: its id, wall and CPU seconds."""
    import torch

    from rlcore.train.collect import build_dataset
    from ui.course import COURSE_DATASET

    torch.set_num_threads(1)
    t0, c0 = time.perf_counter(), time.process_time()
    ds = build_dataset("Pendulum-v1", seed=0, **COURSE_DATASET)
    return ds, time.perf_counter() - t0, time.process_time() - c0


def _dataset() -> tuple[str | None, float | None]:
    """The newest local Pendulum dataset and its own mean return's normalised score."""
    from rlcore.data.datasets import list_datasets, normalized_score

    have = [d for d in list_datasets() if d.env == "Pendulum-v1"]
    if not have:
        return None, None
    d = have[-1]
    return d.id, normalized_score(d.return_mean, d.ref_random, d.ref_expert)


def repetition(pool: ProcessPoolExecutor, exp_id: str, r: int, build_cpu: float = 0.0) -> dict:
    """Run experiment ``exp_id`` once with seeds shifted by ``100 * r``; read its verdict.

    ``build_cpu``: CPU seconds of the offline lesson's dataset build, added to its quiet time.
    """
    import pandas as pd

    from ui import course

    exp = course.EXPERIMENTS[exp_id]
    t0 = time.perf_counter()
    if exp.local:
        v = course.rep_experiment(first_seed=100 * r)
        wall = time.perf_counter() - t0
        return {"answer": v.answer, "agrees": v.agrees, "wall_s": wall, "quiet_wall_s": wall}
    dataset, data_score = _dataset() if exp.offline else (None, None)
    if exp.offline and dataset is None:
        skipped = "skipped: no local Pendulum dataset"
        return {"answer": skipped, "agrees": None, "wall_s": 0.0, "quiet_wall_s": 0.0}
    from rlcore.service.jobs import trains_together

    plans = course.experiment_plans(exp, dataset)
    jobs, starts = [], {}
    for plan in plans:
        shifted = [
            (dataclasses.replace(run, seed=run.seed + 100 * r, threads=1), cfg)
            for run, cfg in plan.runs
        ]
        for run, cfg in shifted:
            starts[run.algo] = int(getattr(cfg, "learning_starts", 0) or 0)
        if trains_together(plan):
            runs_k, cfgs_k = zip(*shifted)
            jobs.append((runs_k[0].algo, True, pool.submit(_train_population, runs_k, cfgs_k)))
        else:
            jobs += [(run.algo, False, pool.submit(_train, run, cfg)) for run, cfg in shifted]
    runs: dict[str, list] = {}
    cpu = []
    for algo, together, fut in jobs:
        rows, c = fut.result()
        for member in rows if together else [rows]:
            runs.setdefault(algo, []).append(pd.DataFrame(member))
        cpu.append(c)
    wall = time.perf_counter() - t0
    v = course.verdict(exp_id, runs, starts, data_score)
    if exp.offline:  # seeds above the data's own mean, per algorithm
        read, warm = course.verdicts.mean_of("eval/normalized_score"), course.verdicts.CLAIMS
        warm = warm["offline"].warmup
        above = {a: sum(read(df, 0, warm) > data_score for df in dfs) for a, dfs in runs.items()}
        v = dataclasses.replace(
            v, numbers={**v.numbers, **{f"above_{a}": n for a, n in above.items()}}
        )
    return {
        "answer": v.answer,
        "agrees": v.agrees,
        "wall_s": wall,
        "cpu_s": sum(cpu),
        "quiet_wall_s": quiet_wall(cpu) + (build_cpu if exp.offline else 0.0),
        "values": v.values,
        "numbers": v.numbers,
        "reasons": list(v.reasons),
    }


def main() -> None:
    from ui import course

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="repetitions (seed sets) per experiment")
    ap.add_argument("--only", nargs="*", help=f"experiments ({', '.join(course.EXPERIMENTS)})")
    ap.add_argument("--jobs", type=int, default=2, help="runs at once (the app's workers)")
    ap.add_argument("--out", default="bench_out/course.json")
    ap.add_argument("--build", metavar="DIR", help="build the offline lesson's dataset here first")
    args = ap.parse_args()
    if args.build:  # before the pool: its workers inherit the folder
        os.environ["RLCORE_DATASETS_DIR"] = str(Path(args.build).resolve())
    wanted = [e for e in course.EXPERIMENTS if not args.only or e in args.only]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict]] = {}
    print(f"load average at start: {os.getloadavg()}", flush=True)
    build_cpu = 0.0
    with ProcessPoolExecutor(args.jobs) as pool:
        if args.build and "offline" in wanted:
            ds, wall, build_cpu = pool.submit(_build).result()
            print(f"built {ds}: {wall:.0f} s wall, {build_cpu:.0f} s CPU", flush=True)
            results["build"] = [{"dataset": ds, "wall_s": wall, "cpu_s": build_cpu}]
        for exp_id in wanted:
            for r in range(args.seeds):
                res = repetition(pool, exp_id, r, build_cpu)
                results.setdefault(exp_id, []).append(res)
                print(
                    f"{exp_id} #{r}: {res['answer']} ({res['wall_s']:.0f} s, "
                    f"CPU {res.get('cpu_s', 0):.0f} s, quiet {res['quiet_wall_s']:.0f} s) "
                    f"{res.get('values', '')} {res.get('reasons', '')}",
                    flush=True,
                )
                out.write_text(json.dumps(results, indent=1, default=float))
    print(f"load average at end: {os.getloadavg()}")
    print("\n| experiment | claim | agrees | answers | wall median | wall max | quiet max |")
    print("|---|---|---|---|---|---|---|")
    for exp_id, rs in results.items():
        if exp_id == "build":
            continue
        walls = [x["wall_s"] for x in rs]
        quiet = max(x["quiet_wall_s"] for x in rs)
        agree = sum(bool(x["agrees"]) for x in rs)
        answers = ", ".join(str(x["answer"]) for x in rs)
        claim = course.verdicts.CLAIMS[exp_id].claimed
        print(
            f"| {exp_id} | {claim} | {agree}/{len(rs)} | {answers} | "
            f"{statistics.median(walls):.0f} s | {max(walls):.0f} s | {quiet:.0f} s |"
        )


if __name__ == "__main__":
    main()
