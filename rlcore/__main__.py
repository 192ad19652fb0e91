"""Command line: ``rlcore`` (``python -m rlcore``): train, eval, export, datasets, ...

Examples::

    python -m rlcore train --algo sac --env Pendulum-v1 --steps 20000 --seed 0 --set lr=3e-4
    python -m rlcore list
    python -m rlcore eval RUN_ID --episodes 20
    python -m rlcore show RUN_ID
    python -m rlcore dataset build --env Pendulum-v1 --kind mixed --mix random=0.5,expert=0.5
    python -m rlcore train --algo iql --env Pendulum-v1 --dataset rlplay/pendulum/mixed-v0
    python -m rlcore tune --algo dqn --env CartPole-v1 --params lr,gamma --trials 30 --steps 20000
    python -m rlcore tune list
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

DESCRIPTION = """\
Train, evaluate and export RL agents; build offline datasets; search hyperparameters.
Examples:

  rlcore train --algo sac --env Pendulum-v1 --steps 20000 --seed 0 --set lr=3e-4
  rlcore list
  rlcore eval RUN_ID --episodes 20
  rlcore export RUN_ID --format onnx
  rlcore dataset build --env Pendulum-v1 --kind mixed --mix random=0.5,expert=0.5
  rlcore train --algo iql --env Pendulum-v1 --dataset rlplay/pendulum/mixed-v0
  rlcore tune --algo dqn --env CartPole-v1 --params lr,gamma --trials 30 --steps 20000

`rlcore` and `python -m rlcore` are the same program."""


def _parse_sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--set {item!r}: expected NAME=VALUE, e.g. --set lr=3e-4")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def cmd_train(args: argparse.Namespace) -> int:
    """Train a run in this process with a progress bar (``--from``: continue a run)."""
    from rlcore.service.runs import RunStore
    from rlcore.train.presets import make_configs

    if args.from_run is not None:
        return _train_from(args)
    if not args.env:
        raise ValueError("train: --env is required (or --from RUN to continue a run)")
    env = _env_with_kwargs(args.env, args.env_kwargs)
    algo_name, file_hp, run_over, use_preset = _from_file(args)
    run_over.update(seed=args.seed if args.seed is not None else 0, device=args.device)
    for name in (
        "steps",
        "eval_every",
        "eval_episodes",
        "log_every",
        "threads",
        "dataset",
        "matmul_precision",
        "compile",
        "tensorboard",
    ):
        if getattr(args, name) is not None:
            run_over[name] = getattr(args, name)
    run, algo = make_configs(
        algo_name, env, {**file_hp, **_parse_sets(args.set)}, run_over, use_preset=use_preset
    )
    store = RunStore(args.runs_dir)
    if args.schedule:
        from rlcore.cli_pbt import train_schedule

        return train_schedule(args, run, algo, store)
    if args.seeds != 1 or args.sweep:
        return _train_batch(args, run, algo, store)
    run_id = store.create(run, algo)
    print(f"run {run_id}  ({store.path(run_id)})")
    return _train_run(args, store, run_id, run.steps)


def _train_run(
    args: argparse.Namespace, store: Any, run_id: str, total: int, resume: Any = None
) -> int:
    """Train the created run ``run_id`` here with a progress bar (from ``resume`` if given)."""
    from tqdm import tqdm

    from rlcore.service.worker import run_job

    start = resume.step if resume is not None else 0
    bar = tqdm(total=total, initial=start, unit="step", dynamic_ncols=True, disable=_no_bar(args))
    last_train: dict[str, Any] = {}

    def on_metrics(m: dict[str, Any]) -> None:
        bar.update(int(m["step"]) - bar.n)
        if "time/sps" in m:
            last_train.clear()
            last_train.update(m)
        if "eval/return_mean" in m:
            keys = (
                "train/critic_loss",
                "train/q_mean",
                "train/entropy",
                "train/alpha",
                "train/epsilon",
                "time/sps",
            )
            extra = "  ".join(
                f"{k.split('/')[1]}={_fmt(last_train[k])}" for k in keys if k in last_train
            )
            score = m.get("eval/normalized_score")
            norm = f" (score {score:5.1f})" if score is not None else ""
            bar.write(
                f"step {m['step']:>8}  eval {m['eval/return_mean']:9.2f} "
                f"± {m['eval/return_std']:.2f}{norm}  {extra}"
            )

    status = run_job(run_id, store, on_metrics=on_metrics, say=bar.write, resume=resume)
    bar.close()
    st = store.status(run_id)
    print(
        f"{status}: final eval return {_fmt(st.get('eval_return'))} "
        f"± {_fmt(st.get('eval_return_std'))}  run {run_id}"
    )
    if st.get("message"):
        print(st["message"])
    return 0 if status in ("finished", "stopped") else 1


FROM_REFUSED = {  # train options a continued run cannot take: (attribute, when given)
    "--seeds": ("seeds", lambda v: v != 1),
    "--sweep": ("sweep", bool),
    "--set": ("set", bool),
    "--hyperparams": ("hyperparams", bool),
    "--env-kwargs": ("env_kwargs", bool),
    "--no-preset": ("no_preset", bool),
}
FROM_RUN_SETTINGS = (  # what a continued run may set anew (the rest is the run's own)
    "eval_every",
    "eval_episodes",
    "log_every",
    "threads",
    "matmul_precision",
    "compile",
    "tensorboard",
)


def _from_checks(args: argparse.Namespace, rec: Any) -> None:
    """Refuse (``ValueError``) what would make a continued run another run's setup."""
    for flag, (name, given) in FROM_REFUSED.items():
        if given(getattr(args, name)):
            raise ValueError(
                f"{flag}: a continued run keeps its run's setup (allowed with --from: "
                "--steps, --device, --threads, --eval-every, --eval-episodes, --log-every)"
            )
    for flag, mine, theirs in (
        ("--algo", args.algo, rec.run.algo),
        ("--env", args.env, rec.run.env),
        ("--seed", args.seed, rec.run.seed),
        ("--dataset", args.dataset, rec.run.dataset),
    ):
        if mine is not None and mine != theirs:
            raise ValueError(
                f"{flag} {mine}: run {rec.id} is {theirs!r} (allowed: the run's own, or "
                "leave it out: a continued run keeps its algorithm, environment and seed)"
            )
    if rec.status.get("status") in ("queued", "running"):
        raise ValueError(
            f"--from {rec.id}: still {rec.status['status']} (continue it once it ended)"
        )


def _train_from(args: argparse.Namespace) -> int:
    """``train --from RUN``: a new run that goes on from RUN's weights, optimisers, counters.

    RUN is never written; the new run records ``continued_from`` and its steps go on from
    RUN's last one (``--steps`` more). The replay buffer is not kept: it refills during
    ``learning_starts`` (:mod:`rlcore.train.resume`).
    """
    import dataclasses

    from rlcore.core.owners import OWNER, check_control
    from rlcore.service.jobs import run_extra
    from rlcore.service.runs import RunStore
    from rlcore.train.resume import CONTINUED_AT, CONTINUED_FROM, run_train_state

    store = RunStore(args.runs_dir)
    rec = store.load(args.from_run)  # ValueError: not a run id, or no such run
    owner = run_extra(store, rec.id).get(OWNER)
    if owner:  # a visitor's run (hosted): only its owner continues it, not the command line
        check_control(owner, None, f"run {rec.id}")
    _from_checks(args, rec)
    state = run_train_state(store, rec.id)  # ValueError: no weights saved
    start = run_extra(store, rec.id).get(CONTINUED_AT) or 0
    more = args.steps if args.steps is not None else rec.run.steps - int(start)
    if not isinstance(more, int) or more < 1:
        raise ValueError(f"--steps {more}: the steps to add must be at least 1")
    over = {k: getattr(args, k) for k in FROM_RUN_SETTINGS if getattr(args, k) is not None}
    run = dataclasses.replace(rec.run, steps=state.step + more, device=args.device, **over)
    extra = {CONTINUED_FROM: rec.id, CONTINUED_AT: state.step}
    run_id = store.create(run, rec.algo, extra=extra)
    print(f"run {run_id}  ({store.path(run_id)})")
    kept = "weights, optimiser state and counters" if state.optim else "weights only"
    print(
        f"continues {rec.id} from step {state.step:,} ({kept}; {more:,} steps more"
        + (", the replay buffer refilled first" if hasattr(rec.algo, "learning_starts") else "")
        + ")"
    )
    return _train_run(args, store, run_id, run.steps, state)


def _train_batch(args: argparse.Namespace, run: Any, algo: Any, store: Any) -> int:
    """``--seeds`` / ``--sweep``: one batch of runs trained here, each written as its own run.

    An algorithm on the population engine trains them all in this one process (a sweep
    over a hyperparameter its members may differ in); any other, one after another.
    """
    from tqdm import tqdm

    from rlcore.service.jobs import JobQueue, parse_values, seed_plan, sweep_plan, trains_together
    from rlcore.service.worker import run_job, run_population_job

    if args.sweep:
        param, sep, text = args.sweep.partition("=")
        if not sep or not param.strip():
            raise ValueError(f"--sweep {args.sweep!r}: expected NAME=V1,V2,... e.g. lr=1e-4,3e-4")
        param = param.strip()
        values = parse_values(type(algo), param, text)
        plan = sweep_plan(run, algo, param, values, args.seeds)
    else:
        plan = seed_plan(run, algo, args.seeds)
    together = trains_together(plan)
    batch = JobQueue(store, dispatch=False).create_batch(plan, population=together)
    how = "in one process (a population)" if together else "one after another"
    print(f"batch {batch.id}: {len(batch.runs)} runs, {how}")
    for rid in batch.runs:
        print(f"run {rid}  ({store.path(rid)})")
    if together:
        bar = tqdm(total=run.steps, unit="step", dynamic_ncols=True, disable=_no_bar(args))

        def on_metrics(k: int, m: dict[str, Any]) -> None:
            if k == 0:
                bar.update(int(m["step"]) - bar.n)
            if "eval/return_mean" in m:
                bar.write(f"run {k}  step {m['step']:>8}  eval {m['eval/return_mean']:9.2f}")

        statuses = run_population_job(list(batch.runs), store, on_metrics, say=bar.write)
        bar.close()
    else:
        statuses = [run_job(rid, store, say=print) for rid in batch.runs]
    for rid, status in zip(batch.runs, statuses):
        st = store.status(rid)
        print(f"{status}: final eval return {_fmt(st.get('eval_return'))}  run {rid}")
    return 0 if all(s in ("finished", "stopped") for s in statuses) else 1


def _from_file(args: argparse.Namespace) -> tuple[str, dict[str, Any], dict[str, Any], bool]:
    """``(algo, hyperparameters, run settings, use the preset)`` from ``--hyperparams``.

    A file's entry is the whole configuration over the algorithm's defaults, as in the
    Zoo (no preset underneath); ``--steps`` and ``--set`` still override it.
    """
    from pathlib import Path

    algo = args.algo
    if not args.hyperparams:
        if not algo:
            raise ValueError("train: --algo is required (or --hyperparams ALGO.yml)")
        return algo, {}, {}, not args.no_preset
    from rlcore.algos.registry import ALGORITHMS
    from rlcore.train.hyperparams import read_entry

    if not algo:
        algo = Path(args.hyperparams).stem
        if algo not in ALGORITHMS:
            raise ValueError(
                f"--hyperparams {args.hyperparams!r}: give --algo (the file's name is not an "
                f"algorithm; allowed: {', '.join(ALGORITHMS)})"
            )
    hp, run = read_entry(args.hyperparams, algo, args.env)
    return algo, hp, run, False


def _no_bar(args: argparse.Namespace) -> bool:
    """No progress bar when asked, or when stderr is not a terminal (a log file, a pipe)."""
    return bool(args.quiet) or not sys.stderr.isatty()


def _env_with_kwargs(env: str, text: str | None) -> str:
    """``env``, or (``--env-kwargs``) an id registered here for ``gymnasium.make(env, **kw)``.

    The new id (``py/<Name>-v<n>``) keeps ``env``'s tuned presets; it lives in this process
    (the run trains here): its runs are listed, shown and exported anywhere.
    """
    if not text:
        return env
    import gymnasium as gym

    from rlcore.core.envs import env_spec, register_env_maker

    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(
            f"--env-kwargs {text!r}: not JSON ({e.msg}; allowed: an object such as "
            "'{\"g\": 9.0}')"
        ) from None
    if not isinstance(kwargs, dict):
        raise ValueError(f"--env-kwargs {text!r}: not a JSON object (allowed: e.g. '{{}}')")
    base = env_spec(env)  # a known environment first
    source: Any = base.gym_spec or base.id
    try:
        gym.make(source, **kwargs).close()
    except Exception as e:  # the environment's constructor: said with its own words
        raise ValueError(
            f"--env-kwargs {text!r}: {env} cannot be made with them ({type(e).__name__}: {e})"
        ) from None
    name = env.split("/")[-1].split(":")[-1].split("-v")[0]
    return register_env_maker(lambda: gym.make(source, **kwargs), name, base=env)


def _from_argument(t: Any) -> None:
    """``train --from RUN``: what it keeps, and that the replay buffer starts empty."""
    t.add_argument(
        "--from",
        dest="from_run",
        metavar="RUN",
        help="continue RUN as a new run: its weights, optimiser state (Adam's moments) and "
        "counters (steps, updates, the ε and learning-rate schedules), its steps going on "
        "from RUN's last; --steps N adds N (default: RUN's own budget). RUN is not changed. "
        "The replay buffer is not saved: it starts empty and refills during "
        "learning_starts steps (random actions, no updates)",
    )


def _train_parser(sub: Any) -> None:
    """The ``train`` command's arguments."""
    t = sub.add_parser("train", help="train an agent and save the run")
    t.add_argument("--algo", help="algorithm (see `algos`; default: the --hyperparams file's name)")
    t.add_argument(
        "--env",
        help="environment id (see `envs`), or module:Class (the folder of the module must "
        "be the current folder or on PYTHONPATH); required unless --from",
    )
    _from_argument(t)
    t.add_argument(
        "--env-kwargs",
        dest="env_kwargs",
        metavar="JSON",
        help="keyword arguments of gymnasium.make, e.g. '{\"g\": 9.0}' (the run keeps the "
        "environment's preset)",
    )
    t.add_argument(
        "--steps", type=int, help="environment steps (default: the preset's; --from: steps to add)"
    )
    t.add_argument("--seed", type=int, help="seed (default 0; --from: the run's)")
    t.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="train this many seeds (--seed, --seed + 1, ...) as one batch of runs; DQN "
        "trains them all in one process (a population)",
    )
    t.add_argument(
        "--sweep",
        metavar="NAME=V1,V2,...",
        help="one run per value of a hyperparameter (x --seeds), e.g. --sweep lr=1e-4,3e-4",
    )
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    t.add_argument("--eval-every", type=int, dest="eval_every")
    t.add_argument("--eval-episodes", type=int, dest="eval_episodes")
    t.add_argument("--log-every", type=int, dest="log_every")
    t.add_argument(
        "--threads",
        type=int,
        help="torch CPU threads (default 0 = auto: the free cores, 1 for a small network)",
    )
    t.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a hyperparameter, e.g. --set lr=3e-4 (repeatable)",
    )
    t.add_argument("--dataset", help="offline dataset id (offline algorithms)")
    t.add_argument(
        "--matmul-precision",
        dest="matmul_precision",
        choices=["highest", "high", "medium"],
        help="float32 matmul precision: medium uses bf16 (AMX CPUs) / TF32 (GPUs), faster",
    )
    t.add_argument(
        "--compile",
        action="store_true",
        default=None,
        help="torch.compile the update (off-policy, offline): tens of seconds once; faster on "
        "some machines, slower on a 2-core CPU as measured here; the run measures both and "
        "says whether it paid off",
    )
    t.add_argument(
        "--tensorboard",
        action="store_true",
        default=None,
        help="also write TensorBoard event files in the run folder (tensorboard --logdir runs)",
    )
    t.add_argument(
        "--hyperparams",
        metavar="FILE.yml",
        help="RL Zoo-format hyperparameter file: the entry for --env is the configuration "
        "(instead of the preset; --steps and --set still override it)",
    )
    t.add_argument("--no-preset", action="store_true", help="ignore the tuned preset")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)


def cmd_list(args: argparse.Namespace) -> int:
    """List saved runs."""
    from rlcore.service.runs import RunStore

    recs = RunStore(args.runs_dir).list()
    if not recs:
        print("no runs yet: python -m rlcore train --algo dqn --env CartPole-v1")
        return 0
    from rlcore.core.envs import env_spec

    missing: dict[str, str] = {}
    for env in sorted({r.run.env for r in recs}):
        try:
            env_spec(env)
        except ValueError:
            missing[env] = "environment not available here"
    print(f"{'run':58} {'status':10} {'step':>9} {'eval':>9}")
    for r in recs:
        s = r.status
        note = f"  ({missing[r.run.env]})" if r.run.env in missing else ""
        print(
            f"{r.id:58} {s.get('status', '?'):10} {s.get('step', 0):>9} "
            f"{_fmt(s.get('eval_return')):>9}{note}"
        )
    if missing:
        print(
            f"note: {', '.join(missing)}: set RLCORE_ENV_MODULES (and PYTHONPATH) as when "
            "these runs trained to evaluate them; show and export work without it",
            file=sys.stderr,
        )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate a saved policy: mean ± std over N episodes."""
    from rlcore.service.runs import RunStore
    from rlcore.train.evaluation import eval_seed, evaluate

    if not 1 <= args.episodes <= 1000:
        raise ValueError(f"--episodes {args.episodes}: must be 1 to 1000")
    store = RunStore(args.runs_dir)
    rec, agent = _load_for(store, args)
    seed = eval_seed(rec.run.seed) if args.seed is None else args.seed
    res = evaluate(agent, rec.run.env, args.episodes, seed=seed)
    at = _which(store, args)
    print(
        f"{rec.run.algo} on {rec.run.env}{at}: return {res.mean:.2f} ± {res.std:.2f} "
        f"over {args.episodes} episodes (seeds {seed} to {seed + args.episodes - 1})"
    )
    return 0


def _load_for(store: Any, args: argparse.Namespace) -> Any:
    """The run's agent with the weights ``--step N`` or ``--best`` asks for (else the last)."""
    if args.step is not None and args.best:
        raise ValueError("--step and --best: choose one")
    return store.load_agent(args.run, args.step, args.best)


def _which(store: Any, args: argparse.Namespace) -> str:
    if args.best:
        step, value = store.best(args.run)
        return f" (best checkpoint: step {step}, evaluated {value:.2f})"
    return "" if args.step is None else f" (checkpoint at step {args.step})"


def cmd_enjoy(args: argparse.Namespace) -> int:
    """Watch a run's policy: each episode's return, and the first as a GIF or MP4."""
    from pathlib import Path

    from rlcore.core.files import atomic_write_bytes
    from rlcore.service.runs import RunStore
    from rlcore.train.evaluation import episode_video, eval_seed, evaluate

    if not 1 <= args.episodes <= 100:
        raise ValueError(f"--episodes {args.episodes}: must be 1 to 100")
    out = args.gif or args.mp4
    if args.mp4:
        import importlib.util

        if importlib.util.find_spec("imageio_ffmpeg") is None:
            raise ValueError(
                "--mp4: needs the imageio-ffmpeg package (pip install imageio-ffmpeg); "
                "--gif FILE works without it"
            )
    if out and not Path(out).resolve().parent.is_dir():
        raise ValueError(f"--{'gif' if args.gif else 'mp4'} {out!r}: no such folder")
    store = RunStore(args.runs_dir)
    rec, agent = _load_for(store, args)
    seed = eval_seed(rec.run.seed) if args.seed is None else args.seed
    res = evaluate(agent, rec.run.env, args.episodes, seed=seed)
    print(f"{rec.run.algo} on {rec.run.env}{_which(store, args)}:")
    for i, (ret, n) in enumerate(zip(res.returns, res.lengths)):
        print(f"  episode {i + 1} (seed {seed + i}): return {ret:.2f} in {n} steps")
    if out:
        ext = ".gif" if args.gif else ".mp4"
        data, ret, n = episode_video(agent, rec.run.env, seed, ext, max_frames=args.max_frames)
        atomic_write_bytes(Path(out), data)
        _readable(out)
        print(f"episode 1 as {out} ({n + 1} frames, return {ret:.2f})")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print a run's config and final metrics as JSON."""
    from rlcore.core.config import to_dict
    from rlcore.service.runs import RunStore

    store = RunStore(args.runs_dir)
    rec = store.load(args.run)
    df = store.metrics(args.run)
    final: dict[str, Any] = {}
    for col in df.columns:
        s = df[col].dropna()
        if len(s) and col != "step":
            final[col] = s.iloc[-1]
    from rlcore.train.export import weights_problem

    weights = rec.path / "model.safetensors"
    if not weights.exists():
        said = "none saved yet"
    else:
        problem = weights_problem(weights)
        said = "ok" if problem is None else f"unreadable: {problem}"
    best = store.best(args.run)
    out = {
        "id": rec.id,
        "status": rec.status,
        "weights": said,
        "checkpoints": store.checkpoint_steps(args.run),
        "best": None if best is None else {"step": best[0], "eval_return": best[1]},
        "run": to_dict(rec.run),
        "algo": to_dict(rec.algo),
        "final_metrics": final,
    }
    print(json.dumps(out, indent=2, default=str))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a run's greedy policy as one TorchScript or ONNX file (runs without rlcore)."""
    from pathlib import Path

    from rlcore.core.files import atomic_write_bytes
    from rlcore.service.runs import RunStore
    from rlcore.train.export import FORMATS, export_policy

    store = RunStore(args.runs_dir)
    rec = store.load(args.run)
    if not (rec.path / "model.safetensors").exists():
        raise ValueError(f"run {args.run!r} has no saved weights yet (train it first)")
    rec, agent = store.load_agent(args.run)
    data = export_policy(agent, rec.run, rec.algo, args.format)
    out = Path(args.out) if args.out else rec.path / f"policy{FORMATS[args.format]}"
    atomic_write_bytes(out, data)
    _readable(out)
    print(f"{args.format} policy of {rec.run.algo} on {rec.run.env}: {out} ({len(data):,} bytes)")
    return 0


def _readable(path: Any) -> None:
    """Mode 0644 under the usual umask (a temporary file starts 0600): a file to share."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def cmd_preset(args: argparse.Namespace) -> int:
    """Print the configuration ``train`` would run, as a hyperparameter file's entry."""
    from rlcore.train.hyperparams import entry_text
    from rlcore.train.presets import make_configs

    run_over = {"dataset": args.dataset} if args.dataset else None
    run, algo = make_configs(args.algo, args.env, run=run_over, use_preset=not args.no_preset)
    how = "the algorithm's defaults" if args.no_preset else "its defaults <- the tuned preset"
    print(
        entry_text(
            run,
            algo,
            f"{args.algo} on {args.env}: what `rlcore train` runs ({how}).\n"
            f"Save it and train with: rlcore train --algo {args.algo} --env {args.env} "
            "--hyperparams FILE.yml",
        ),
        end="",
    )
    return 0


def cmd_algos(args: argparse.Namespace) -> int:
    """List the registered algorithms."""
    from rlcore.algos.registry import ALGORITHMS
    from rlcore.core.config import hparams

    for name, spec in ALGORITHMS.items():
        print(f"{name:10} {spec.title:22} {spec.setting:8} {spec.action_space:10} {spec.paper}")
        if args.verbose:
            for p in hparams(spec.config_cls):
                print(f"    {p.name:26} {_fmt(p.default):>10}  {p.help} [{p.range_text()}]")
    return 0


def cmd_envs(args: argparse.Namespace) -> int:
    """List the environment catalogue, then the custom environments (local profile)."""
    from rlcore.core.envs import env_ids, env_spec
    from rlcore.train.presets import compatible_algos

    for env_id in env_ids():
        e = env_spec(env_id)
        solved = "solved: ?" if e.solved is None else f"solved>={e.solved:<7g}"
        mark = "  [custom]" if e.custom else ""
        print(
            f"{e.id:26} {e.action_space:10} {solved:15} "
            f"algos: {', '.join(compatible_algos(e.id))}{mark}"
        )
    return 0


def cmd_dataset(args: argparse.Namespace) -> int:
    """Build, list, import or delete offline datasets."""
    from rlcore.data import datasets as ds
    from rlcore.service.dataset_builds import build_and_report

    if args.action == "list":
        infos = ds.list_datasets()
        if not infos:
            print("no datasets yet: python -m rlcore dataset build --env Pendulum-v1 --kind random")
        for d in infos:
            print(
                f"{d.id:44} {d.kind:14} {d.transitions:>8} transitions  return "
                f"{d.return_mean:9.1f} ± {d.return_std:7.1f}  [{d.source}]"
            )
        return 0
    if args.action == "delete":
        ds.delete_dataset(args.id)  # only a listed dataset: never a path (ValueError)
        print(f"deleted {args.id}")
        return 0
    if args.action == "import":
        ds_id = ds.import_file(args.file, args.env, args.name)
        print(f"imported {ds_id}")
        return 0
    mix = None
    if args.mix:
        mix = {}
        for part in args.mix.split(","):
            k, _, v = part.partition("=")
            try:
                mix[k.strip()] = float(v)
            except ValueError:
                raise ValueError(
                    f"--mix {args.mix!r}: expected e.g. random=0.5,expert=0.5"
                ) from None
    build_and_report(args.env, args.kind, args.steps, args.seed, mix, args.name, args.expert_steps)
    return 0


def _parse_ranges(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(
                f"--range {item!r}: expected NAME=LOW:HIGH or NAME=A,B (allowed: e.g. "
                "--range lr=1e-4:1e-2, --range loss=huber,mse, --range hidden=64;64,64)"
            )
        out[name.strip()] = text.strip()
    return out


def _ray_address(args: argparse.Namespace) -> str | None:
    import os

    return args.ray or os.environ.get("RLCORE_RAY_ADDRESS") or None


def _trial_line(t: dict[str, Any]) -> str:
    params = "  ".join(f"{k}={_fmt(v)}" for k, v in t["params"].items())
    value = f"{t['value']:9.2f}" if t["value"] is not None else " " * 9
    tail = f"  ({t['error'][:160]})" if t.get("error") else ""
    return f"trial {t['number']:>4}  {t['state']:9} {value}  {params}{tail}"


def _drive(args: argparse.Namespace, store: Any, name: str, executor: Any) -> int:
    """Run a study to its end in this process, with a progress bar and the best at the end."""
    from tqdm import tqdm

    from rlcore.service.studies import study_info
    from rlcore.service.study_driver import run_study

    info = study_info(store, name)
    counts = dict(info.counts)
    bar = tqdm(total=info.trials, initial=info.done, unit="trial", disable=_no_bar(args))
    best: list[float] = [info.best_value] if info.best_value is not None else []

    def on_trial(t: dict[str, Any]) -> None:
        counts[t["state"]] = counts.get(t["state"], 0) + 1
        if t["state"] == "complete" and t["value"] is not None:
            best.append(t["value"])
        bar.update(1)
        bar.set_postfix(
            best=_fmt(max(best)) if best else "-",
            pruned=counts.get("pruned", 0),
            failed=counts.get("failed", 0),
        )
        bar.write(_trial_line(t))

    try:
        how = run_study(
            store,
            name,
            executor,
            parallel=args.parallel,
            on_trial=on_trial,
            population=not getattr(args, "no_population", False),
        )
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: resume with python -m rlcore tune resume {name}", file=sys.stderr)
        return 1
    bar.close()
    info = study_info(store, name)
    print(f"study {name}: {how}; " + ", ".join(f"{n} {s}" for s, n in sorted(info.counts.items())))
    if info.best_value is None:
        print("no trial completed")
        return 1
    print(f"best mean final evaluation return {info.best_value:.2f} with:")
    for k, v in info.best_params.items():
        print(f"  {k} = {_fmt(v)}")
    from rlcore.search.study import trial_overrides
    from rlcore.service.studies import open_study

    spec, study = open_study(store, name)
    run_d, hp_d = trial_overrides(spec, study.best_trial.params)
    flags = " ".join(
        f"--{k.replace('_', '-')} {_value_text(v)}"
        for k, v in run_d.items()
        if k in ("steps", "eval_every", "eval_episodes", "threads", "seed")
    )
    sets = " ".join(f"--set {k}={_value_text(v)}" for k, v in hp_d.items())
    data = f" --dataset {spec.dataset}" if spec.dataset else ""
    preset = "" if spec.preset else " --no-preset"
    print(
        f"train it: python -m rlcore train --algo {spec.algo} --env {spec.env}{data}{preset} "
        f"{flags} {sets}".rstrip()
    )
    path = _write_best(store, name, spec, run_d, hp_d, info.best_value)
    print(f"best trial as a hyperparameter file: {path} (train --hyperparams {path})")
    return 0


def _write_best(
    store: Any, name: str, spec: Any, run_d: dict[str, Any], hp_d: dict[str, Any], value: float
) -> Any:
    """The best trial's whole configuration as a Zoo-format file beside the runs."""
    from rlcore.core.files import atomic_write_bytes
    from rlcore.train.hyperparams import entry_text
    from rlcore.train.presets import make_configs

    run_over = {k: v for k, v in run_d.items() if k != "seed"}
    if spec.dataset:
        run_over["dataset"] = spec.dataset
    run, algo = make_configs(spec.algo, spec.env, hp_d, run_over, use_preset=spec.preset)
    text = entry_text(
        run, algo, f"study {name}: best trial, mean final evaluation return {value:.2f}"
    )
    path = store.root / f"{name}-best.yml"
    atomic_write_bytes(path, text.encode())
    _readable(path)
    return path


def _value_text(v: Any) -> str:
    if isinstance(v, tuple):
        return ",".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def _executor(args: argparse.Namespace, store: Any) -> Any:
    """The Ray executor when an address is given (connected now: a bad one writes nothing)."""
    address = _ray_address(args)
    if not address:
        return None
    from rlcore.service.ray_backend import RayExecutor

    return RayExecutor(store, address)


def cmd_tune(args: argparse.Namespace) -> int:
    """Hyperparameter search: run a new study, or list / show / resume / stop / delete one."""
    import time

    from rlcore.service import studies
    from rlcore.service.runs import RunStore

    store = RunStore(args.runs_dir)
    if args.action == "list":
        return _tune_list(store)
    if args.action is not None:
        if not args.study:
            raise ValueError(f"tune {args.action}: give the study's name (see: tune list)")
        if args.action == "show":
            return _tune_show(store, args.study)
        if args.action == "stop":
            studies.request_stop(store, args.study)
            print(f"asked study {args.study} to stop")
            return 0
        if args.action == "delete":
            studies.delete_study(store, args.study)
            print(f"deleted study {args.study} (its runs stay)")
            return 0
        studies.open_study(store, args.study)  # resume: it must exist
        return _drive(args, store, args.study, _executor(args, store))
    if args.study:
        raise ValueError(
            f"tune {args.study!r}: unknown action (allowed: list, show, resume, stop, delete)"
        )
    from rlcore.search.study import make_spec

    for flag in ("algo", "env", "params"):
        if not getattr(args, flag):
            raise ValueError(f"tune: --{flag} is required to start a study")
    run_over: dict[str, Any] = {}
    for name in ("steps", "eval_every", "eval_episodes", "threads", "dataset", "seed"):
        if getattr(args, name) is not None:
            run_over[name] = getattr(args, name)
    name = args.name or f"{args.algo}-{args.env}-{time.strftime('%Y%m%d-%H%M%S')}"
    spec = make_spec(
        name,
        args.algo,
        args.env,
        [p.strip() for p in args.params.split(",") if p.strip()],
        ranges=_parse_ranges(args.range),
        trials=args.trials,
        seeds=args.seeds,
        sampler=args.sampler,
        pruner="none" if args.no_prune else args.pruner,
        hp=_parse_sets(args.set),
        run=run_over,
        use_preset=not args.no_preset,
        sampler_seed=args.sampler_seed,
    )
    executor = _executor(args, store)  # before the study exists: a bad address leaves nothing
    try:
        url = studies.create_study(store, spec, args.storage)
    except BaseException:
        if executor is not None:
            executor.close()
        raise
    print(f"study {name}  ({url})")
    space = "  ".join(f"{r.name}: {r.text()}{' (log)' if r.log else ''}" for r in spec.space.ranges)
    print(f"searching {space}")
    return _drive(args, store, name, executor)


def _tune_list(store: Any) -> int:
    from rlcore.service.studies import list_studies

    infos = list_studies(store)
    if not infos:
        print(
            "no studies yet: python -m rlcore tune --algo dqn --env CartPole-v1 --params lr,gamma"
        )
        return 0
    print(
        f"{'study':44} {'algo':8} {'env':16} {'trials':>9} {'pruned':>6} {'failed':>6} {'best':>9}"
    )
    for i in infos:
        done = f"{i.done}/{i.trials}"
        state = " running" if i.running else ""
        print(
            f"{i.name:44} {i.algo:8} {i.env:16} {done:>9} {i.counts.get('pruned', 0):>6} "
            f"{i.counts.get('failed', 0):>6} {_fmt(i.best_value):>9}{state}"
            + (f"  ({i.error[:80]})" if i.error else "")
        )
    return 0


def _tune_show(store: Any, name: str) -> int:
    from rlcore.service.studies import study_info, trial_rows

    spec, rows = trial_rows(store, name)
    info = study_info(store, name)
    print(
        f"study {name}: {spec.algo} on {spec.dataset or spec.env}, {spec.steps} steps a run, "
        f"{spec.seeds} seed(s) a trial, sampler {spec.sampler}, pruner {spec.pruner}"
    )
    for r in spec.space.ranges:
        print(f"  {r.name}: {r.text()}{' (log)' if r.log else ''}")
    print(f"{info.done}/{spec.trials} trials done" + (" (running)" if info.running else ""))
    for row in rows:
        print(_trial_line(row) + f"  steps {row['steps']}  runs {', '.join(row['runs'])}")
    if info.best_value is not None:
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in info.best_params.items())
        print(f"best: {info.best_value:.2f} with {params}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the CLI."""
    p = argparse.ArgumentParser(
        prog=_prog(),
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.add_argument(
        "--runs-dir", default=None, help="runs folder (default $RLCORE_RUNS_DIR or runs/)"
    )
    p.add_argument(
        "--datasets-dir",
        default=None,
        help="offline datasets folder (default $RLCORE_DATASETS_DIR or datasets_store/)",
    )
    sub = p.add_subparsers(dest="cmd", required=True, title="commands", metavar="COMMAND")

    _train_parser(sub)

    ls = sub.add_parser("list", help="list saved runs")
    ls.set_defaults(func=cmd_list)

    _eval_parser(sub)
    _enjoy_parser(sub)

    s = sub.add_parser("show", help="config and final metrics of a run")
    s.add_argument("run")
    s.set_defaults(func=cmd_show)

    x = sub.add_parser("export", help="export a run's greedy policy (TorchScript or ONNX)")
    x.add_argument("run")
    x.add_argument("--format", choices=["torchscript", "onnx"], default="torchscript")
    x.add_argument("--out", help="file to write (default: policy.pt / policy.onnx in the run)")
    x.set_defaults(func=cmd_export)

    _preset_parser(sub)
    a = sub.add_parser("algos", help="list algorithms (-v: with hyperparameters)")
    a.add_argument("-v", "--verbose", action="store_true")
    a.set_defaults(func=cmd_algos)

    _dataset_parser(sub)
    en = sub.add_parser("envs", help="list environments")
    en.set_defaults(func=cmd_envs)
    _tune_parser(sub)
    from rlcore.cli_pbt import pbt_parser

    pbt_parser(sub)
    return p


def _eval_parser(sub: Any) -> None:
    """``eval RUN [--episodes N] [--seed S] [--step N | --best]``."""
    e = sub.add_parser("eval", help="evaluate a saved run's policy (mean ± std)")
    e.add_argument("run")
    e.add_argument("--episodes", type=int, default=10, help="episodes (1 to 1000, default 10)")
    e.add_argument(
        "--seed",
        type=int,
        default=None,
        help="first episode's seed (default: the training evaluation's, seed x 7919 + 1000003, "
        "so the numbers match the run's own evaluations)",
    )
    e.add_argument("--step", type=int, help="evaluate the checkpoint at this step (see show)")
    e.add_argument("--best", action="store_true", help="evaluate the best-evaluated checkpoint")
    e.set_defaults(func=cmd_eval)


def _dataset_parser(sub: Any) -> None:
    """``dataset build | list | import | delete``."""
    d = sub.add_parser("dataset", help="offline datasets: build | list | import | delete")
    dsub = d.add_subparsers(dest="action", required=True)
    b = dsub.add_parser("build", help="build a dataset from our own agents")
    b.add_argument("--env", required=True)
    b.add_argument("--kind", required=True, help="random|medium|expert|medium-replay|mixed")
    b.add_argument("--steps", type=int, default=100_000, help="transitions to collect")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--mix", help="for --kind mixed, e.g. random=0.5,expert=0.5")
    b.add_argument("--name", help="dataset name (default: the kind)")
    b.add_argument(
        "--expert-steps",
        type=int,
        dest="expert_steps",
        help="online budget of the expert/medium agent (default: the preset's)",
    )
    dsub.add_parser("list", help="list local datasets")
    i = dsub.add_parser("import", help="import a D4RL-style .hdf5/.npz file")
    i.add_argument("file")
    i.add_argument("--env", required=True)
    i.add_argument("--name", required=True)
    de = dsub.add_parser("delete", help="delete a local dataset")
    de.add_argument("id")
    d.set_defaults(func=cmd_dataset)


def _version() -> str:
    import rlcore

    return f"rlcore {rlcore.__version__}"


def _enjoy_parser(sub: Any) -> None:
    j = sub.add_parser("enjoy", help="watch a run's policy: returns, and a GIF or MP4")
    j.add_argument("run")
    j.add_argument("--step", type=int, help="the checkpoint at this step (see show)")
    j.add_argument("--best", action="store_true", help="the best-evaluated checkpoint")
    j.add_argument("--episodes", type=int, default=1, help="episodes (1 to 100, default 1)")
    j.add_argument("--seed", type=int, help="first seed (default: the run's evaluation seeds)")
    video = j.add_mutually_exclusive_group()
    video.add_argument("--gif", metavar="FILE", help="write the first episode as a GIF")
    video.add_argument("--mp4", metavar="FILE", help="... as an MP4 (needs imageio-ffmpeg)")
    j.add_argument("--max-frames", type=int, default=1000, dest="max_frames")
    j.set_defaults(func=cmd_enjoy)


def _preset_parser(sub: Any) -> None:
    pr = sub.add_parser(
        "preset", help="print the configuration train runs for ALGO ENV (a --hyperparams entry)"
    )
    pr.add_argument("algo")
    pr.add_argument("env")
    pr.add_argument("--no-preset", action="store_true", help="the algorithm's defaults only")
    pr.add_argument("--dataset", help="offline algorithms: the dataset id")
    pr.set_defaults(func=cmd_preset)


def _prog() -> str:
    """``rlcore`` when run as the console script, ``python -m rlcore`` otherwise."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "rlcore" if name.startswith("rlcore") and name != "__main__.py" else "python -m rlcore"


def _quiet_broken_pipe() -> int:
    """``rlcore algos -v | head``: the reader left; end quietly, as a pipe expects."""
    # Python flushes stdout once more at exit: point it at /dev/null so that flush cannot
    # raise again and print "Exception ignored ... BrokenPipeError"
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def _tune_parser(sub: Any) -> None:
    from rlcore.search.study import PRUNERS, SAMPLERS

    tu = sub.add_parser(
        "tune",
        help="hyperparameter search with Optuna (tune --algo ... | list | show | resume | stop)",
        description="Start a study: tune --algo A --env E --params p1,p2 [options]; or "
        "tune list | show STUDY | resume STUDY | stop STUDY | delete STUDY.",
    )
    tu.add_argument("action", nargs="?", help="list | show | resume | stop | delete")
    tu.add_argument("study", nargs="?", help="study name (show, resume, stop, delete)")
    tu.add_argument("--algo", help="algorithm (see `algos`)")
    tu.add_argument("--env", help="environment id (see `envs`)")
    tu.add_argument("--dataset", help="offline dataset id (offline algorithms)")
    tu.add_argument("--params", help="hyperparameters to search, e.g. lr,gamma,batch_size")
    tu.add_argument(
        "--range",
        action="append",
        default=[],
        metavar="NAME=RANGE",
        help="a range instead of the default window around the preset: lr=1e-4:1e-2, "
        "loss=huber,mse, hidden=64;64,64 (repeatable)",
    )
    tu.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="fix a hyperparameter"
    )
    tu.add_argument("--trials", type=int, default=20, help="trials in the study (default 20)")
    tu.add_argument("--seeds", type=int, default=1, help="seeds (runs) per trial (default 1)")
    tu.add_argument("--steps", type=int, help="steps per run (default: the preset's)")
    tu.add_argument("--eval-every", type=int, dest="eval_every", help="default: steps / 10")
    tu.add_argument("--eval-episodes", type=int, dest="eval_episodes")
    tu.add_argument("--threads", type=int, help="torch threads per run (default 1)")
    tu.add_argument("--seed", type=int, help="first seed of every trial (default 0)")
    tu.add_argument("--sampler", default="tpe", choices=SAMPLERS)
    tu.add_argument("--sampler-seed", type=int, default=0, dest="sampler_seed")
    tu.add_argument("--pruner", default="median", choices=[p for p in PRUNERS if p != "none"])
    tu.add_argument("--no-prune", action="store_true", dest="no_prune", help="no pruning")
    tu.add_argument(
        "--ray",
        help="Ray address: host:port, ray://host:port, auto, local "
        "(default $RLCORE_RAY_ADDRESS; none = the local job queue)",
    )
    tu.add_argument("--storage", help="Optuna storage URL (default: SQLite in the runs folder)")
    tu.add_argument("--name", help="study name (default: ALGO-ENV-DATE-TIME)")
    tu.add_argument(
        "--parallel",
        type=int,
        help="trials in flight (default: workers / seeds); when every searched field is one "
        "a population's members may differ in (DQN, SAC, TD3, DDPG: lr, gamma, tau...), "
        "that many trials train together as one population in one process (default 8)",
    )
    tu.add_argument(
        "--no-population",
        action="store_true",
        dest="no_population",
        help="train trial by trial, each run in its own process (as before populations)",
    )
    tu.add_argument("--no-preset", action="store_true", dest="no_preset")
    tu.add_argument("--quiet", action="store_true", help="no progress bar")
    tu.set_defaults(func=cmd_tune)


def _current_folder_importable() -> None:
    """Modules of the current folder import, as under ``python -m rlcore``.

    The installed ``rlcore`` script starts with its own folder on ``sys.path``, not the
    current one, so ``RLCORE_ENV_MODULES=myenv`` or ``--env myenv:Env`` found ``myenv.py``
    only under ``python -m``. Appended, not prepended: it never shadows an installed package.
    """
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        sys.path.append(here)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the exit code (2 on bad input, 1 on a storage error)."""
    args = build_parser().parse_args(argv)
    _current_folder_importable()
    if args.datasets_dir is not None:  # the datasets store (and build processes) read it
        os.environ["RLCORE_DATASETS_DIR"] = args.datasets_dir
    try:
        rc = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return rc
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # a full disk, a read-only or missing folder: a message, no traceback
        from rlcore.service.runs import StorageError

        text = str(e) if isinstance(e, StorageError) else f"{e.strerror or e}: {e.filename or ''}"
        print(f"error: {text}".rstrip(": "), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
