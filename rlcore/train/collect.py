"""Collecting offline datasets from our own agents: train an expert, then record it.

Builders sit in the training layer because they train (the expert, the medium policy)
before they record; the store they write to is ``rlcore.data.datasets``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from rlcore.core.config import to_dict
from rlcore.core.envs import env_spec, make_env
from rlcore.data.datasets import (
    MEDIUM_TARGET,
    _collect,
    _episode_returns,
    _episodes_from_buffer,
    _experts_dir,
    _write,
    check_build_args,
    check_overwrite,
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


REF_EPISODES = 100  # greedy episodes from as many start states: the expected 10-episode score
# an expert is "clearly better than random" when its mean beats the random policy's by 3
# standard errors of the difference and by a tenth of the way from random to "solved"
CLEAR_SE, CLEAR_SHARE = 3.0, 0.1


def _budget(env_id: str, expert_steps: int | None) -> int:
    """The expert's training budget: ``expert_steps``, or its preset's (capped by the server)."""
    if expert_steps is not None:
        return expert_steps
    return make_configs(_expert_algo(env_id), env_id)[0].steps


def _expert_dir(env_id: str, steps: int) -> Path:
    """Where the expert trained for ``steps`` is cached.

    One folder per budget: a 300-step expert cached first must never stand in for the
    preset's, as it did when one expert per environment was cached whatever its budget.
    """
    return _experts_dir() / env_id / f"steps-{steps}"


def _random_returns(env_id: str, episodes: int, seed: int) -> np.ndarray:
    env = make_env(env_id, seed=seed)
    space = env.action_space
    space.seed(seed)
    env.close()
    return _episode_returns(env_id, lambda _o: space.sample(), episodes, seed)


def store_expert(
    env_id: str, steps: int, algo: str, cfg: Any, state: dict, seed: int = 0
) -> dict[str, Any]:
    """Cache a policy as the expert of ``env_id`` for budget ``steps`` and measure it.

    The weights are written first and read back into a fresh agent, and *that* agent is
    evaluated (greedy, :data:`REF_EPISODES` start states, the evaluation the runs use): the
    expert reference is the return of the very policy that records the expert episodes.
    The random reference is measured over as many episodes. ``clear`` says whether the
    expert is clearly better than random (:data:`CLEAR_SE`); builds refuse it if not.
    """
    from safetensors.torch import save

    from rlcore.core.files import atomic_write_bytes, atomic_write_json

    d = _expert_dir(env_id, steps)
    d.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(
        d / "expert.safetensors", save({k: v.contiguous() for k, v in state.items()})
    )
    refs: dict[str, Any] = {
        "expert_algo": algo,
        "expert_steps": steps,
        "expert_config": to_dict(cfg),
        "episodes": REF_EPISODES,
    }
    atomic_write_json(d / "config.json", refs)
    expert = evaluate(_load_expert(env_id, steps), env_id, REF_EPISODES, seed=seed + 500)
    rand = _random_returns(env_id, REF_EPISODES, seed)
    se = math.sqrt((expert.std**2 + float(rand.std()) ** 2) / REF_EPISODES)
    gap = expert.mean - float(rand.mean())
    share = CLEAR_SHARE * abs(env_spec(env_id).solved - float(rand.mean()))
    refs.update(
        random=float(rand.mean()),
        expert=expert.mean,
        expert_std=expert.std,
        clear=bool(gap > CLEAR_SE * se and gap > share),
    )
    atomic_write_json(d / "reference.json", refs)
    return refs


def reference_scores(
    env_id: str, seed: int = 0, expert_steps: int | None = None, progress: Callable | None = None
) -> dict[str, Any]:
    """Random and expert returns of ``env_id`` with the expert of that budget (cached).

    Returns ``{"random", "expert", "expert_std", "clear", "expert_algo", "expert_steps",
    ...}``; ``clear`` is False when the trained expert is not clearly better than random.
    """
    steps = _budget(env_id, expert_steps)
    meta = _expert_dir(env_id, steps) / "reference.json"
    if meta.exists():
        return json.loads(meta.read_text())
    tr, _ = _train_agent(env_id, steps, seed, progress=progress)
    return store_expert(env_id, steps, tr.run.algo, tr.cfg, tr.agent.state_dict(), seed)


def _load_expert(env_id: str, steps: int) -> Any:
    """The cached expert of that budget, rebuilt with the configuration it trained with."""
    from safetensors.torch import load_file

    d = _expert_dir(env_id, steps)
    meta = json.loads((d / "config.json").read_text())
    run, cfg = make_configs(
        meta["expert_algo"], env_id, meta["expert_config"], {"steps": 1}, use_preset=False
    )
    agent = build_agent(run, cfg)
    agent.load_state_dict(load_file(str(d / "expert.safetensors")))
    return agent


def check_expert(env_id: str, refs: dict[str, Any]) -> None:
    """``ValueError`` if the expert is not clearly better than random (before any data)."""
    if refs.get("clear"):
        return
    preset = make_configs(_expert_algo(env_id), env_id)[0].steps
    raise ValueError(
        f"expert_steps = {refs['expert_steps']}: the expert trained for "
        f"{refs['expert_steps']:,} steps returns {refs['expert']:.1f} on average, not clearly "
        f"better than the random policy ({refs['random']:.1f}); its episodes would not be "
        "expert data and scores normalised with it would mean nothing (allowed: a budget "
        f"that trains a real expert, e.g. the preset's {preset:,} steps)"
    )


def dataset_refs(env_id: str, refs: dict[str, Any]) -> tuple[dict[str, float], str]:
    """The references a dataset records, and a note when the expert could not serve.

    A random dataset needs no expert's behaviour, only a yardstick for normalised scores:
    with a weak expert it gets the catalogue's "solved" return instead, and its source
    says so.
    """
    if refs.get("clear"):
        return {"random": refs["random"], "expert": refs["expert"]}, ""
    solved = env_spec(env_id).solved
    return (
        {"random": refs["random"], "expert": solved},
        f"; expert reference = the solved score {solved:g} (the {refs['expert_steps']:,}-step "
        f"expert, {refs['expert']:.1f}, was no better than random)",
    )


def build_dataset(
    env_id: str,
    kind: str,
    n_steps: int = 100_000,
    seed: int = 0,
    mix: dict[str, float] | None = None,
    name: str | None = None,
    expert_steps: int | None = None,
    progress: Callable | None = None,
    owner: str = "",
) -> str:
    """Build and store a dataset; returns its id (``owner``: the visitor it belongs to).

    ``mix`` (for ``kind="mixed"``) maps component kinds (random, medium, expert) to
    proportions of the ``n_steps`` transitions. ``expert_steps`` overrides the online
    training budget of the expert/medium agents (the preset's by default). The dataset
    is written all or nothing (``rlcore.data.datasets``): a build killed or ended by a
    full disk leaves no part of it, and a mixture's parts are never stored.
    """
    check_build_args(kind, n_steps, expert_steps)
    env_spec(env_id)  # ValueError for an unknown id, before any work
    ds_id = dataset_id(env_id, name or kind)  # ValueError for a bad name, before any work
    check_overwrite(ds_id, owner)  # never another visitor's dataset, checked before any work
    if kind == "mixed":
        mix = mix or {"random": 0.5, "expert": 0.5}
        bad = set(mix) - {"random", "medium", "expert"}
        if bad or not mix or any(not 0 <= v for v in mix.values()) or sum(mix.values()) <= 0:
            raise ValueError(f"mix = {mix!r}: proportions of random, medium, expert (>= 0)")
    refs = reference_scores(env_id, seed, expert_steps, progress)
    uses_expert = kind != "random" and (
        kind != "mixed" or any(p > 0 for k, p in (mix or {}).items() if k != "random")
    )
    if uses_expert:
        check_expert(env_id, refs)  # before any data: a weak expert makes no expert data
    ds_refs, note = dataset_refs(env_id, refs)
    if kind != "mixed":
        episodes, source = _episodes(env_id, kind, n_steps, seed, refs, expert_steps, progress)
        return _write(ds_id, env_id, episodes, ds_refs, kind, source + note, owner)
    assert mix is not None
    total = sum(mix.values())
    episodes, parts = [], []
    for k, p in mix.items():
        if p <= 0:
            continue
        n = max(100, int(n_steps * p / total))
        episodes += _episodes(env_id, k, n, seed, refs, expert_steps, progress)[0]
        parts.append(f"{k} {p / total:.0%}")
    source = "mixture: " + " + ".join(parts)
    return _write(ds_id, env_id, episodes, ds_refs, kind, source + note, owner)


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
        agent = _load_expert(env_id, refs["expert_steps"])
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
