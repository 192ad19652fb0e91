"""Collecting offline datasets from our own agents: train an expert, then record it.

Builders sit in the training layer because they train (the expert, the medium policy)
before they record; the store they write to is ``rlcore.data.datasets``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from rlcore.core.envs import env_spec, make_env
from rlcore.data.datasets import (
    MEDIUM_TARGET,
    _collect,
    _episode_returns,
    _episodes_from_buffer,
    _experts_dir,
    _write,
    check_build_args,
    dataset_id,
    normalized_score,
)
from rlcore.train.evaluation import evaluate
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer, build_agent


def _expert_algo(env_id: str) -> str:
    return "sac" if env_spec(env_id).action_space == "continuous" else "dqn"


def _train_agent(
    env_id: str,
    steps: int | None,
    seed: int,
    stop_score: float | None = None,
    refs: tuple[float, float] | None = None,
    progress: Callable | None = None,
):
    """Train the expert algorithm, optionally stopping early (for ``medium``).

    Stops once the normalised score passes ``stop_score``; returns ``(trainer, score)``.
    Without ``stop_score`` (the expert) the agent ends with the weights of its best
    evaluation, not its last: DQN on CartPole can reach 500 and then collapse late in
    training, and an expert reference of 100 would make every score meaningless.
    """
    algo = _expert_algo(env_id)
    run_over: dict[str, Any] = {"seed": seed, "eval_episodes": 5}
    if steps is not None:
        run_over["steps"] = steps
    run, cfg = make_configs(algo, env_id, run=run_over)
    if stop_score is not None:
        # evaluate often: SAC on Pendulum goes from random to expert in a few thousand steps
        run = type(run)(**{**asdict(run), "eval_every": max(250, run.steps // 100)})
    reached = [False]
    tr = Trainer(run, cfg, stop=lambda: reached[0])
    score, best, best_state = None, -math.inf, None
    for m in tr:
        if progress is not None:
            progress(m)
        if "eval/return_mean" not in m:
            continue
        if stop_score is None and m["eval/return_mean"] >= best:
            best = m["eval/return_mean"]
            best_state = {k: v.detach().clone() for k, v in tr.agent.state_dict().items()}
        if refs is not None and not reached[0]:
            # the score that stopped the run names the dataset, not the trainer's last eval
            score = normalized_score(m["eval/return_mean"], *refs)
            if stop_score is not None and score >= stop_score:
                reached[0] = True
    if best_state is not None:
        tr.agent.load_state_dict(best_state)
    return tr, score


def reference_scores(
    env_id: str, seed: int = 0, expert_steps: int | None = None, progress: Callable | None = None
) -> dict[str, float]:
    """Random and expert returns of ``env_id`` (the expert is trained once and cached)."""
    d = _experts_dir() / env_id
    meta = d / "reference.json"
    if meta.exists():
        return json.loads(meta.read_text())
    env = make_env(env_id, seed=seed)
    space = env.action_space
    space.seed(seed)
    rand = _episode_returns(env_id, lambda _o: space.sample(), 20, seed)
    tr, _ = _train_agent(env_id, expert_steps, seed, progress=progress)
    expert = evaluate(tr.agent, env_id, 10, seed=seed + 500)
    refs = {
        "random": float(rand.mean()),
        "expert": float(expert.mean),
        "expert_algo": _expert_algo(env_id),
        "expert_steps": tr.step,
    }
    d.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save

    from rlcore.core.files import atomic_write_bytes, atomic_write_json

    atomic_write_bytes(
        d / "expert.safetensors",
        save({k: v.contiguous() for k, v in tr.agent.state_dict().items()}),
    )
    atomic_write_json(meta, refs)
    return refs


def _load_expert(env_id: str):
    from safetensors.torch import load_file

    run, cfg = make_configs(_expert_algo(env_id), env_id)
    agent = build_agent(run, cfg)
    agent.load_state_dict(load_file(str(_experts_dir() / env_id / "expert.safetensors")))
    return agent


def build_dataset(
    env_id: str,
    kind: str,
    n_steps: int = 100_000,
    seed: int = 0,
    mix: dict[str, float] | None = None,
    name: str | None = None,
    expert_steps: int | None = None,
    progress: Callable | None = None,
) -> str:
    """Build and store a dataset; returns its id.

    ``mix`` (for ``kind="mixed"``) maps component kinds (random, medium, expert) to
    proportions of the ``n_steps`` transitions. ``expert_steps`` overrides the online
    training budget of the expert/medium agents (the preset's by default). The dataset
    is written all or nothing (``rlcore.data.datasets``): a build killed or ended by a
    full disk leaves no part of it, and a mixture's parts are never stored.
    """
    check_build_args(kind, n_steps, expert_steps)
    env_spec(env_id)  # ValueError for an unknown id, before any work
    ds_id = dataset_id(env_id, name or kind)  # ValueError for a bad name, before any work
    refs = reference_scores(env_id, seed, expert_steps, progress)
    if kind != "mixed":
        episodes, source = _episodes(env_id, kind, n_steps, seed, refs, expert_steps, progress)
        return _write(ds_id, env_id, episodes, refs, kind, source)
    mix = mix or {"random": 0.5, "expert": 0.5}
    bad = set(mix) - {"random", "medium", "expert"}
    if bad or not mix or any(not 0 <= v for v in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError(f"mix = {mix!r}: proportions of random, medium, expert (>= 0)")
    total = sum(mix.values())
    episodes, parts = [], []
    for k, p in mix.items():
        if p <= 0:
            continue
        n = max(100, int(n_steps * p / total))
        episodes += _episodes(env_id, k, n, seed, refs, expert_steps, progress)[0]
        parts.append(f"{k} {p / total:.0%}")
    return _write(ds_id, env_id, episodes, refs, kind, "mixture: " + " + ".join(parts))


def _episodes(
    env_id: str,
    kind: str,
    n_steps: int,
    seed: int,
    refs: dict[str, Any],
    expert_steps: int | None,
    progress: Callable | None,
) -> tuple[list[dict], str]:
    """Whole episodes of one kind (not ``mixed``) and the sentence saying where they came from."""
    if kind == "random":
        env = make_env(env_id, seed=seed)
        space = env.action_space
        space.seed(seed)
        episodes = _collect(env_id, lambda _o: space.sample(), n_steps, seed)
        return episodes, "uniform random policy"
    if kind == "expert":
        agent = _load_expert(env_id)
        episodes = _collect(env_id, lambda o: agent.act(o, explore=False), n_steps, seed)
        return episodes, f"{refs['expert_algo']} expert, greedy"
    target = sum(MEDIUM_TARGET) / 2
    tr, score = _train_agent(
        env_id,
        expert_steps,
        seed + 1,
        stop_score=target,
        refs=(refs["random"], refs["expert"]),
        progress=progress,
    )
    if kind == "medium":
        agent = tr.agent
        episodes = _collect(env_id, lambda o: agent.act(o, explore=True), n_steps, seed)
        return episodes, f"{refs['expert_algo']} stopped at score {score:.0f}, stochastic"
    buf = tr.buffer
    episodes = _episodes_from_buffer(buf.data[: buf.size].cpu().numpy(), buf._cols)
    return episodes, f"replay buffer of {refs['expert_algo']} up to score {score:.0f}"
