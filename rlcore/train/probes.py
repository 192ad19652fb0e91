"""Small real training runs that the explorers show (they train, so they sit here, not in learn)."""

from __future__ import annotations

import torch

from rlcore.core.envs import make_env
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

__all__ = ["dqn_q_vs_return"]


# -- 3: DQN, Q estimate vs Monte-Carlo return ----------------------------------------------


def dqn_q_vs_return(
    steps: int = 5000,
    gamma: float = 0.9,
    target_update_interval: int = 10,
    double_q: bool = False,
    seed: int = 0,
    eval_every: int = 500,
    eval_episodes: int = 5,
    log_every: int = 100,
) -> dict[str, list[float]]:
    r"""Train DQN on CartPole (catalogue preset + these overrides) and record its values.

    At every evaluation: the network's estimate $Q_\theta(s_0, \arg\max_a Q_\theta(s_0,a))$
    at the evaluation start states (``eval/q_start``) and the discounted return
    $\sum_t \gamma^t r_t$ the greedy policy then really collects
    (``eval/discounted_return``); $Q > $ return is over-estimation. Every ``log_every``
    steps: $\max_a Q_\theta(s_0,a)$ of the online and of the target network at one fixed
    start state, which shows the target network's lag.

    Returns:
        Lists keyed ``eval_step``, ``q_start``, ``discounted_return``, ``return_mean``
        (per evaluation) and ``step``, ``q_online``, ``q_target`` (per log).
    """
    run, cfg = make_configs(
        "dqn",
        "CartPole-v1",
        hp={"gamma": gamma, "target_update_interval": target_update_interval, "double_q": double_q},
        run={
            "steps": steps,
            "seed": seed,
            "eval_every": eval_every,
            "eval_episodes": eval_episodes,
            "log_every": log_every,
            "device": "cpu",
            "threads": 1,
        },
    )
    env = make_env("CartPole-v1")
    s0 = torch.as_tensor(env.reset(seed=seed)[0], dtype=torch.float32).unsqueeze(0)
    env.close()
    out: dict[str, list[float]] = {
        k: []
        for k in (
            *("eval_step", "q_start", "discounted_return", "return_mean"),
            *("step", "q_online", "q_target"),
        )
    }
    trainer = Trainer(run, cfg)
    for m in trainer:
        if "eval/q_start" in m:
            out["eval_step"].append(m["step"])
            out["q_start"].append(m["eval/q_start"])
            out["discounted_return"].append(m["eval/discounted_return"])
            out["return_mean"].append(m["eval/return_mean"])
        elif "time/sps" in m:  # a periodic log: read both networks at the fixed state
            with torch.no_grad():
                out["step"].append(m["step"])
                out["q_online"].append(float(trainer.agent.q(s0).max()))
                out["q_target"].append(float(trainer.agent.q_target(s0).max()))
    return out
