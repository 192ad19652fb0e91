"""Our DQN, SAC and TD3 against Stable-Baselines3 and SBX (its JAX port) on the same work.

    pip install -r requirements-bench.txt
    python benchmarks/online.py [--threads 1] [--seed 0] [--only dqn|sac|td3] [--scale 1.0]
                                [--impls ours,sb3,sbx] [--sbx-venv PATH]

Each measurement runs in a fresh subprocess of this script (same torch thread count,
nothing else running), so no side inherits another's allocator, thread pool or
denormal state. Ours and SB3 run on this interpreter. SBX (``sbx-rl``, JAX) runs from
its own virtual environment, made by this script on first use (``--sbx-venv``, else
$SBX_VENV, else bench_out/sbx-venv; torch 2.13.0 CPU installed first because SB3, which
SBX builds on, needs it; then the pins in ``SBX_PINS``: 1.7 GB, about 2 minutes);
the repository joins its PYTHONPATH so that the same evaluator scores it.

The tasks are the RL Zoo's: DQN CartPole-v1 50k steps, SAC Pendulum-v1 20k steps and
TD3 Pendulum-v1 20k steps. Hyperparameters are read from our presets and passed to SB3
and SBX field by field. TD3 trains as the Zoo does, once per episode (SB3's
``train_freq=(1, "episode")``, ``gradient_steps=-1``): Pendulum's episodes are always 200
steps, so ours runs it as ``train_freq = gradient_steps = 200`` (our TD3 preset itself
trains every step; the number of updates is the same, 10,000 at full scale).
SBX's DQN has no ``max_grad_norm``; it gets SB3's clipping (global norm 10) through its
``optimizer_class`` (``optax.chain(clip_by_global_norm, adam)``), so all three clip alike.
With ``--threads 1`` XLA runs single-threaded too (``XLA_FLAGS``); with more, or 0, JAX
keeps its own default (all cores).

Wall time covers training only (``learn`` / the trainer's loop; SBX's includes its JIT
compilation); "proc s" is the whole process (interpreter start, imports, training, final
evaluation), as a user waits for it. All policies are then evaluated the same way: 10
deterministic episodes with our evaluator on the same seeds. Prints wall time, whole
process time, CPU time, env steps/s, gradient updates/s, final return, and the ratios
ours / SB3 and ours / SBX. ``--scale`` shrinks the step budget and
``learning_starts`` alike (the same task, shorter); ``--scale 0.02`` checks in about a
minute that every implementation runs and trains.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

TASKS = {
    "dqn": ("CartPole-v1", 50_000),
    "sac": ("Pendulum-v1", 20_000),
    "td3": ("Pendulum-v1", 20_000),
}
PER_EPISODE = {"td3"}  # the Zoo trains TD3 Pendulum once per episode, one update per step
IMPLS = ("ours", "compiled", "sb3", "sbx")  # compiled: ours with RunConfig.compile
OURS = ("ours", "compiled")
ROOT = Path(__file__).resolve().parents[1]
SBX_PINS = ["sbx-rl==0.28.0", "stable-baselines3==2.9.2", "gymnasium==1.4.0", "jax[cpu]==0.10.2"]
NOTES = [
    "TD3: per-episode training (SB3/SBX train_freq=(1, 'episode'), gradient_steps=-1; "
    "ours train_freq = gradient_steps = 200, Pendulum's fixed episode length)",
    "SBX DQN has no max_grad_norm: it gets SB3's clipping via "
    "optax.chain(clip_by_global_norm, adam)",
]


def task_configs(algo: str, scale: float, seed: int = 0, threads: int = 1):
    """Our run and algorithm configs of a task: the preset, the Zoo's schedule, the scale.

    All three implementations read their hyperparameters from these, so they match field
    by field.
    """
    import gymnasium as gym

    from rlcore.train.presets import make_configs

    env_id, full = TASKS[algo]
    _, preset = make_configs(algo, env_id)
    hp = {"learning_starts": int(preset.learning_starts * scale)}
    if algo in PER_EPISODE:
        length = gym.spec(env_id).max_episode_steps  # Pendulum: 200, never terminates
        hp.update(train_freq=length, gradient_steps=length)
    run = {"steps": int(full * scale), "seed": seed, "threads": threads, "eval_every": 10**7}
    run["eval_episodes"] = 1
    return make_configs(algo, env_id, hp=hp, run=run)


def run_ours(algo: str, scale: float, seed: int, threads: int, compiled: bool = False) -> dict:
    import dataclasses

    from rlcore.core.threads import choose_threads
    from rlcore.train.evaluation import evaluate
    from rlcore.train.model_size import count_parameters
    from rlcore.train.trainer import Trainer

    run, cfg = task_configs(algo, scale, seed, threads)
    # threads 0: what the CLI would choose on this machine with nothing else training
    n, _ = choose_threads(threads, 0, count_parameters(run, cfg), cfg.batch_size)
    run = dataclasses.replace(run, threads=n, compile=compiled)
    tr = Trainer(run, cfg)
    compile_row = {}
    for m in tr:
        if "compile/seconds" in m:
            compile_row = m
    res = evaluate(tr.agent, run.env, 10, seed=10_000)
    return {
        "wall_s": tr.train_seconds,
        "cpu_s": tr.train_cpu_seconds,
        "updates": tr.updates,
        "steps": run.steps,
        "return_mean": res.mean,
        "return_std": res.std,
        "threads": n,
        **compile_row,
    }


class _SB3Policy:
    """Adapter so our evaluator runs an SB3 or SBX policy on exactly the same episodes."""

    def __init__(self, model) -> None:
        import numpy as np

        self.model, self.np = model, np
        self.obs_shape = model.observation_space.shape
        self.discrete = hasattr(model.action_space, "n")
        self.cfg = type("C", (), {"gamma": 0.99})()

    def act(self, obs, explore=False):
        return self.model.predict(obs, deterministic=True)[0]

    def q_value(self, obs, action):
        return None

    def obs_tensor(self, obs):
        return obs


def _clipped_adam(max_norm: float):
    """SBX's DQN optimizer with SB3's gradient clipping (SBX's DQN has no max_grad_norm)."""
    import optax

    def make(learning_rate: float):
        return optax.chain(optax.clip_by_global_norm(max_norm), optax.adam(learning_rate))

    return make


def make_baseline(impl: str, algo: str, c, env, seed: int):
    """An SB3 or SBX model with our config ``c``'s values, field by field."""
    import numpy as np

    if impl == "sbx":
        import sbx as lib
    else:
        import stable_baselines3 as lib
    per_episode = algo in PER_EPISODE
    common = dict(
        learning_rate=c.lr,
        buffer_size=c.buffer_size,
        learning_starts=c.learning_starts,
        batch_size=c.batch_size,
        tau=c.tau,
        gamma=c.gamma,
        train_freq=(1, "episode") if per_episode else c.train_freq,
        gradient_steps=-1 if per_episode else c.gradient_steps,
        policy_kwargs={"net_arch": list(c.hidden)},
        seed=seed,
        device="cpu",
    )
    if algo == "dqn":
        kw = dict(
            target_update_interval=c.target_update_interval,
            exploration_fraction=c.exploration_fraction,
            exploration_initial_eps=c.exploration_initial_eps,
            exploration_final_eps=c.exploration_final_eps,
        )
        if impl == "sbx":
            # SBX's Q-network is two equal layers of n_units = net_arch[0]
            assert len(set(c.hidden)) == 1 and len(c.hidden) == 2, c.hidden
            common["policy_kwargs"]["optimizer_class"] = _clipped_adam(c.max_grad_norm)
        else:
            kw["max_grad_norm"] = c.max_grad_norm
        return lib.DQN("MlpPolicy", env, **common, **kw)
    act_dim = env.action_space.shape[0]
    if algo == "sac":
        kw = dict(ent_coef=f"auto_{c.alpha}", target_entropy=-c.target_entropy_scale * act_dim)
        return lib.SAC("MlpPolicy", env, **common, **kw)
    from stable_baselines3.common.noise import NormalActionNoise

    # SB3 adds the noise in its [-1, 1] action space: sigma in half-ranges, as ours
    noise = NormalActionNoise(np.zeros(act_dim), c.exploration_noise * np.ones(act_dim))
    kw = dict(
        policy_delay=c.policy_delay,
        target_policy_noise=c.target_policy_noise,
        target_noise_clip=c.target_noise_clip,
        action_noise=noise,
    )
    return lib.TD3("MlpPolicy", env, **common, **kw)


def run_baseline(impl: str, algo: str, scale: float, seed: int, threads: int) -> dict:
    import gymnasium as gym
    import torch

    from rlcore.train.evaluation import evaluate

    if threads > 0:
        torch.set_num_threads(threads)
    run, c = task_configs(algo, scale, seed, threads)
    model = make_baseline(impl, algo, c, gym.make(run.env), seed)
    t0, c0 = time.perf_counter(), time.process_time()
    model.learn(run.steps)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    res = evaluate(_SB3Policy(model), run.env, 10, seed=10_000)  # type: ignore[arg-type]
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "updates": int(model._n_updates),
        "steps": run.steps,
        "return_mean": res.mean,
        "return_std": res.std,
    }


def ensure_sbx_venv(venv: Path) -> Path:
    """The SBX virtual environment's python, made on first use (torch 2.13.0 CPU first)."""
    py = venv / "bin" / "python"
    if not py.exists():
        t0 = time.perf_counter()
        print(f"making the SBX virtual environment in {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(py), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "torch==2.13.0"], check=True)  # the CPU wheel, before SB3 asks
        subprocess.run([*pip, "torch==2.13.0", *SBX_PINS], check=True)
        print(f"... done in {time.perf_counter() - t0:.0f} s", flush=True)
    return py


def child(impl: str, algo: str, scale: float, seed: int, threads: int, venv: Path) -> dict:
    """One measurement in a fresh process; adds its whole-process wall time as proc_s."""
    py, env = sys.executable, dict(os.environ)
    # the repository importable in every child (this script's folder is benchmarks/)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if impl == "sbx":
        py = str(ensure_sbx_venv(venv))
        env["JAX_PLATFORMS"] = "cpu"
        if threads == 1:  # XLA's CPU thread pools, as torch's one thread
            flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
            env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {flags}".strip()
    cmd = [py, __file__, "--child", impl, algo, str(scale), str(seed), str(threads)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    proc = time.perf_counter() - t0
    if out.returncode:
        sys.exit(f"{impl} {algo} failed:\n{out.stderr[-3000:]}")
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "proc_s": proc}


def parse_impls(text: str) -> list[str]:
    impls = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in impls if s not in IMPLS]
    if bad or not impls:
        raise argparse.ArgumentTypeError(
            f"--impls = {text!r}: a comma-separated list of {', '.join(IMPLS)}"
        )
    return list(dict.fromkeys(impls))


def report(rows: list, impls: list[str]) -> None:
    sys.path.insert(0, str(ROOT))  # this process runs without the repository on its path
    from rlcore.train.compiled import compile_message

    print(
        f"{'task':22} {'impl':8} {'wall s':>8} {'proc s':>8} {'cpu s':>8} {'steps/s':>9} "
        f"{'updates/s':>10} {'return':>16}"
    )
    for algo, env, r in rows:
        for impl in impls:
            x = r[impl]
            print(
                f"{algo + ' ' + env:22} {impl:8} {x['wall_s']:8.1f} {x['proc_s']:8.1f} "
                f"{x['cpu_s']:8.1f} {x['steps'] / x['wall_s']:9.0f} "
                f"{x['updates'] / x['wall_s']:10.0f} "
                f"{x['return_mean']:9.1f} ± {x['return_std']:5.1f}"
            )
        for ours, impl in ((a, b) for a in impls if a in OURS for b in impls if b not in OURS):
            o, s = r[ours], r[impl]
            ups = (
                f"{o['updates'] / o['wall_s'] / (s['updates'] / s['wall_s']):.2f}x"
                if o["updates"] and s["updates"]
                else "n/a"
            )
            print(
                f"{'':22} ratio {ours}/{impl}: wall {o['wall_s'] / s['wall_s']:.2f}x, "
                f"process {o['proc_s'] / s['proc_s']:.2f}x, "
                f"cpu time {o['cpu_s'] / s['cpu_s']:.2f}x, updates/s {ups}, "
                f"same updates: {o['updates'] == s['updates']}, "
                f"return {ours} - {impl} {o['return_mean'] - s['return_mean']:+.1f}"
            )
        for ours in (a for a in impls if a in OURS and "compile/seconds" in r[a]):
            print(f"{'':22} {ours}: {compile_message(r[ours])}")
    for note in NOTES:
        if ("TD3" in note and any(a in PER_EPISODE for a, _, _ in rows)) or (
            "SBX DQN" in note and "sbx" in impls and any(a == "dqn" for a, _, _ in rows)
        ):
            print("note:", note)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads of every side (0 = each one's default: ours chooses as the CLI "
        "does, SB3 and SBX take every core)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=list(TASKS))
    ap.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the step budget and learning_starts"
    )
    ap.add_argument(
        "--impls",
        type=parse_impls,
        default=["ours", "sb3", "sbx"],
        help="comma-separated implementations to run, of ours, compiled (ours with "
        "RunConfig.compile), sb3, sbx (default ours,sb3,sbx)",
    )
    ap.add_argument(
        "--sbx-venv",
        type=Path,
        default=Path(os.environ.get("SBX_VENV", "bench_out/sbx-venv")),
        help="SBX's virtual environment, made on first use ($SBX_VENV, else bench_out/sbx-venv)",
    )
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        impl, algo, scale, seed, threads = args.child
        if impl in OURS:
            res = run_ours(algo, float(scale), int(seed), int(threads), impl == "compiled")
        else:
            res = run_baseline(impl, algo, float(scale), int(seed), int(threads))
        print(json.dumps(res))
        return
    if not 0 < args.scale <= 1:
        ap.error(f"--scale = {args.scale:g}: allowed 0 (exclusive) to 1")
    rows = []
    for algo, (env, _) in TASKS.items():
        if args.only and algo != args.only:
            continue
        r = {
            impl: child(impl, algo, args.scale, args.seed, args.threads, args.sbx_venv)
            for impl in args.impls
        }
        rows.append((algo, env, r))
        out = ROOT / "bench_out" / "online.json"  # kept whatever the report does
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(rows, indent=1, default=str))
    report(rows, args.impls)


if __name__ == "__main__":
    main()
