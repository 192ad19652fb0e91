"""``rlcore pbt`` (population-based training) and ``rlcore train --schedule``.

Kept beside ``rlcore/__main__.py``, which registers the command (:func:`pbt_parser`) and
hands ``train --schedule`` here (:func:`train_schedule`).
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from typing import Any

__all__ = ["cmd_pbt", "pbt_parser", "train_schedule"]


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _values(vals: dict[str, Any]) -> str:
    return " ".join(f"{k}={_fmt(v)}" for k, v in vals.items())


def _no_bar(args: argparse.Namespace) -> bool:
    return bool(args.quiet) or not sys.stderr.isatty()


def _pbt_configs(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """``(run, algo, pbt)`` of the command line, checked before anything is created."""
    from rlcore.__main__ import _parse_sets
    from rlcore.service.pbt import PBTConfig, check_pbt
    from rlcore.train.presets import make_configs

    if not args.params:
        raise ValueError("pbt: --params is required, e.g. --params lr,gamma")
    if args.interval < 1:
        raise ValueError(f"interval = {args.interval}: out of range (allowed: 1 or more steps)")
    if not 2 <= args.members <= 100:
        raise ValueError(f"members = {args.members}: out of range (allowed: 2 to 100)")
    params = tuple(p.strip() for p in args.params.split(",") if p.strip())
    every = args.eval_every or (args.interval // 2 if args.interval % 2 == 0 else args.interval)
    run_over: dict[str, Any] = {"seed": args.seed, "device": args.device, "eval_every": every}
    for name in ("steps", "eval_episodes", "log_every", "threads"):
        if getattr(args, name) is not None:
            run_over[name] = getattr(args, name)
    run, algo = make_configs(
        args.algo, args.env, _parse_sets(args.set), run_over, use_preset=not args.no_preset
    )
    pbt = PBTConfig(
        params,
        args.interval,
        quantile=args.quantile,
        resample_p=args.resample,
        window=args.window,
        buffer=args.buffer,
        seed=args.seed,
    )
    check_pbt(pbt, run, algo, args.members)
    return run, algo, pbt


def _event_line(e: dict[str, Any]) -> str | None:
    if e["kind"] != "exploit":
        return None
    moves = "  ".join(f"{k} {_fmt(e['old'][k])} -> {_fmt(v)}" for k, v in e["new"].items())
    return (
        f"step {e['step']:>8}  member {e['dst']} <- member {e['src']} "
        f"(score {_fmt(e['score_dst'])} < {_fmt(e['score_src'])})  {moves}"
    )


def cmd_pbt(args: argparse.Namespace) -> int:
    """Population-based training: K members that copy the best and perturb their values."""
    from tqdm import tqdm

    from rlcore.service.pbt import run_pbt
    from rlcore.service.runs import RunStore

    run, algo, pbt = _pbt_configs(args)
    store = RunStore(args.runs_dir)
    bar = tqdm(total=run.steps, unit="step", dynamic_ncols=True, disable=_no_bar(args))

    def on_batch(batch: Any, folder: Any) -> None:
        bar.write(
            f"pbt {batch.id}: {args.members} members of {run.algo} on {run.env}, params "
            f"{','.join(pbt.params)}, ready every {pbt.interval} steps  ({folder})"
        )
        for k, rid in enumerate(batch.runs):
            bar.write(f"member {k}  run {rid}")

    def on_event(e: dict[str, Any]) -> None:
        if e["kind"] == "start":
            bar.write(f"member {e['member']}  start  {_values(e['values'])}")
        elif (line := _event_line(e)) is not None:
            bar.write(line)

    def on_metrics(k: int, m: dict[str, Any]) -> None:
        if k == 0:
            bar.update(int(m["step"]) - bar.n)

    res = run_pbt(run, algo, pbt, args.members, store, on_metrics, on_event, bar.write, on_batch)
    bar.close()
    _print_summary(args, run, pbt, res)
    return 0 if all(s in ("finished", "stopped") for s in res.statuses) else 1


def _print_summary(args: argparse.Namespace, run: Any, pbt: Any, res: Any) -> None:
    print(f"{'member':>6}  {'status':10} {'final return':>12}  run")
    for k, (rid, st, r) in enumerate(zip(res.run_ids, res.statuses, res.returns)):
        print(f"{k:>6}  {st:10} {_fmt(r):>12}  {rid}")
    lineage = ", ".join(f"from step {s}: member {m}" for s, m in res.ancestry)
    best = _fmt(res.returns[res.best])
    print(f"best: member {res.best} (final return {best}); its weights: {lineage}")
    print("its schedule:")
    for step, vals in res.schedule:
        print(f"  step {step:>8}: {_values(vals)}")
    fixed = [
        s for s in args.set if s.split("=", 1)[0].strip() not in pbt.params
    ]  # the schedule sets the PBT params
    cmd = ["rlcore", "train", "--algo", run.algo, "--env", run.env, "--steps", str(run.steps)]
    cmd += ["--seed", str(res.seed)]
    for s in fixed:
        cmd += ["--set", s]
    if args.no_preset:
        cmd.append("--no-preset")
    cmd += ["--schedule", str(res.schedule_path)]
    print("re-train it as a fixed schedule:")
    print("  " + " ".join(shlex.quote(c) for c in cmd))


def pbt_parser(sub: Any) -> None:
    """The ``pbt`` command's arguments, and ``train``'s ``--schedule`` (after ``train``)."""
    sub.choices["train"].add_argument(
        "--schedule",
        metavar="FILE.json",
        help="hyperparameters that change at given steps (a PBT member's schedule, as "
        "`rlcore pbt` writes it): one run, population-engine algorithms",
    )
    p = sub.add_parser(
        "pbt",
        help="population-based training: members copy the best and perturb hyperparameters",
        description="Train --members agents in one process; every --interval steps the "
        "bottom quantile copies a top member (weights, optimiser state, replay) and "
        "perturbs --params (x0.8 / x1.2, or a fresh draw). Prints the best member's "
        "schedule and a command that re-trains it.",
    )
    p.add_argument("--algo", required=True, help="algorithm on the population engine (dqn)")
    p.add_argument("--env", required=True, help="environment id (see `envs`)")
    p.add_argument("--members", type=int, default=8, help="population size (default 8)")
    p.add_argument("--params", required=True, help="hyperparameters PBT moves, e.g. lr,gamma")
    p.add_argument("--interval", type=int, default=5000, help="steps between ready points")
    p.add_argument("--steps", type=int, help="environment steps per member (default: preset)")
    p.add_argument("--seed", type=int, default=0, help="member i trains with seed + i")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument(
        "--eval-every", type=int, dest="eval_every", help="default: interval / 2 (a divisor)"
    )
    p.add_argument("--eval-episodes", type=int, dest="eval_episodes")
    p.add_argument("--log-every", type=int, dest="log_every")
    p.add_argument("--threads", type=int)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--quantile", type=float, default=0.25, help="bottom/top fraction (0.25)")
    p.add_argument("--resample", type=float, default=0.25, help="probability of a fresh draw")
    p.add_argument("--window", type=int, default=2, help="evaluations a score averages (2)")
    p.add_argument("--buffer", default="copy", choices=["copy", "keep"], help="replay on exploit")
    p.add_argument("--no-preset", action="store_true", dest="no_preset")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_pbt)


def train_schedule(args: argparse.Namespace, run: Any, algo: Any, store: Any) -> int:
    """``rlcore train --schedule FILE``: one run whose hyperparameters follow the file."""
    from tqdm import tqdm

    from rlcore.algos.registry import ALGORITHMS, get_algo
    from rlcore.service.pbt import ScheduleTrainer, load_schedule
    from rlcore.service.worker import run_population_job

    if args.seeds != 1 or args.sweep:
        raise ValueError("--schedule: trains one run (allowed: without --seeds and --sweep)")
    cls = get_algo(run.algo).agent_cls
    if not cls.population:
        able = [n for n, s in ALGORITHMS.items() if s.agent_cls.population]
        raise ValueError(
            f"--schedule: {run.algo} does not train on the population engine yet "
            f"(allowed: {', '.join(able)})"
        )
    if cls.loop == "episodes":  # (rlcore.train.episodes: each member pauses on its own)
        able = [n for n, s in ALGORITHMS.items() if s.agent_cls.loop != "episodes"]
        raise ValueError(
            f"--schedule: {run.algo} updates at its own steps, with no ready point "
            f"(allowed: {', '.join(able)})"
        )
    sched = load_schedule(args.schedule, algo, cls.member_hparams)
    first = {k: v for s, vals in sched if s == 0 for k, v in vals.items()}
    algo = dataclasses.replace(algo, **first)
    rid = store.create(run, algo, {"schedule": [[s, v] for s, v in sched]})
    print(f"run {rid}  ({store.path(rid)}), {len(sched)} schedule entries")
    bar = tqdm(total=run.steps, unit="step", dynamic_ncols=True, disable=_no_bar(args))

    def on_metrics(k: int, m: dict[str, Any]) -> None:
        bar.update(int(m["step"]) - bar.n)
        if any(key.startswith("hp/") for key in m) and m["step"] > 0:
            vals = {key[3:]: v for key, v in m.items() if key.startswith("hp/")}
            bar.write(f"step {m['step']:>8}  now {_values(vals)}")
        if "eval/return_mean" in m:
            bar.write(f"step {m['step']:>8}  eval {m['eval/return_mean']:9.2f}")

    def make(runs: list, algos: list, **kw: Any) -> ScheduleTrainer:
        return ScheduleTrainer(runs, algos, sched, **kw)

    (status,) = run_population_job([rid], store, on_metrics, say=bar.write, make_trainer=make)
    bar.close()
    st = store.status(rid)
    print(f"{status}: final eval return {_fmt(st.get('eval_return'))}  run {rid}")
    return 0 if status in ("finished", "stopped") else 1
