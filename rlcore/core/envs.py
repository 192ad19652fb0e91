"""The environment catalogue: the only ids that ever reach ``gym.make``.

Presets start from the RL Baselines3 Zoo's tuned values (``hyperparams/*.yml``); ``steps``
is the Zoo's ``n_timesteps``. ``solved`` is the return a learner should aim for.
Only catalogue ids are accepted: a ``"module:Env"`` id would import arbitrary code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.wrappers import DtypeObservation, FlattenObservation

from rlcore.core.config import ActionKind

__all__ = ["ENVIRONMENTS", "EnvSpec", "Preset", "env_spec", "make_env", "obs_dim"]


@dataclass(frozen=True)
class Preset:
    """Tuned settings for one (environment, algorithm) pair."""

    steps: int
    hp: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EnvSpec:
    """One catalogue entry."""

    id: str
    title: str
    action_space: ActionKind
    solved: float
    description: str
    presets: dict[str, Preset] = field(default_factory=dict)
    tabular: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)
    max_episode_steps: int | None = None


_DQN_CARTPOLE = Preset(
    50_000,
    dict(
        lr=2.3e-3,
        batch_size=64,
        buffer_size=100_000,
        learning_starts=1000,
        gamma=0.99,
        target_update_interval=10,
        train_freq=256,
        gradient_steps=128,
        exploration_fraction=0.16,
        exploration_final_eps=0.04,
        hidden=(256, 256),
    ),
    dict(eval_every=5000),
)
_DQN_ACROBOT = dict(
    lr=6.3e-4,
    batch_size=128,
    buffer_size=50_000,
    learning_starts=0,
    gamma=0.99,
    target_update_interval=250,
    train_freq=4,
    gradient_steps=4,
    exploration_fraction=0.12,
    exploration_final_eps=0.1,
    hidden=(256, 256),
)
_TD3_PENDULUM = dict(
    gamma=0.98,
    buffer_size=200_000,
    learning_starts=10_000,
    exploration_noise=0.1,
    lr=1e-3,
    hidden=(400, 300),
)
_SAC_PENDULUM = dict(lr=1e-3)
_OFFLINE_ENSEMBLE = dict(critic_layer_norm=True)
_TAB_DQN = dict(
    lr=1e-3,
    batch_size=64,
    buffer_size=50_000,
    learning_starts=1000,
    target_update_interval=500,
    train_freq=4,
    gradient_steps=1,
    exploration_fraction=0.3,
    exploration_final_eps=0.05,
    hidden=(64,),
)

ENVIRONMENTS: dict[str, EnvSpec] = {
    e.id: e
    for e in [
        EnvSpec(
            "CartPole-v1",
            "CartPole",
            "discrete",
            475.0,
            "Balance a pole on a cart: +1 per step upright, at most 500 steps.",
            {
                "dqn": _DQN_CARTPOLE,
                "a2c": Preset(500_000, dict(n_envs=8, ent_coef=0.0), dict(eval_every=25_000)),
                "reinforce": Preset(200_000, dict(lr=1e-3), dict(eval_every=10_000)),
            },
        ),
        EnvSpec(
            "Acrobot-v1",
            "Acrobot",
            "discrete",
            -100.0,
            "Swing a two-link arm above a line: -1 per step until it gets there.",
            {
                "dqn": Preset(100_000, _DQN_ACROBOT),
                "a2c": Preset(500_000, dict(n_envs=16, ent_coef=0.0), dict(eval_every=25_000)),
                "reinforce": Preset(200_000, dict(lr=1e-3)),
            },
        ),
        EnvSpec(
            "MountainCar-v0",
            "MountainCar",
            "discrete",
            -110.0,
            "Drive an underpowered car up a hill by rocking: a hard exploration problem.",
            {
                "dqn": Preset(
                    120_000,
                    dict(
                        lr=4e-3,
                        batch_size=128,
                        buffer_size=10_000,
                        learning_starts=1000,
                        gamma=0.98,
                        target_update_interval=600,
                        train_freq=16,
                        gradient_steps=8,
                        exploration_fraction=0.2,
                        exploration_final_eps=0.07,
                        hidden=(256, 256),
                    ),
                ),
                "a2c": Preset(1_000_000, dict(n_envs=16, ent_coef=0.0)),
            },
        ),
        EnvSpec(
            "LunarLander-v3",
            "LunarLander",
            "discrete",
            200.0,
            "Land a craft on the pad with four discrete engine commands (Box2D).",
            {
                "dqn": Preset(100_000, _DQN_ACROBOT, dict(eval_every=10_000)),
                "a2c": Preset(200_000, dict(n_envs=8, gamma=0.995, lr=8.3e-4, ent_coef=1e-5)),
                "reinforce": Preset(500_000, dict(lr=1e-3, gamma=0.99)),
            },
        ),
        EnvSpec(
            "Pendulum-v1",
            "Pendulum",
            "continuous",
            -200.0,
            "Swing a pendulum up and hold it upright with a bounded torque.",
            {
                "sac": Preset(20_000, _SAC_PENDULUM, dict(eval_every=2000)),
                "td3": Preset(20_000, _TD3_PENDULUM, dict(eval_every=2000)),
                "ddpg": Preset(20_000, _TD3_PENDULUM, dict(eval_every=2000)),
                # Offline. TD3+BC's alpha = 2.5 (tuned on D4RL locomotion) leaves the policy
                # at behaviour cloning here: Pendulum's Q is large (long horizon, dense -ve
                # rewards) next to its spread over actions. Measured on our medium-replay
                # data, 10k steps: alpha 2.5 -> -1335/-1132/-1085 (data mean -1125),
                # alpha 10 -> -782 (seed 1).
                "td3_bc": Preset(20_000, dict(bc_alpha=10.0), dict(eval_every=2000)),
                # SAC-N / EDAC on our medium-replay data (2,561 transitions): the members
                # agree off the data, Q of the policy's actions climbs above Q of the data's
                # and the return peaks near 3k steps, then falls to about -1570 at 10k
                # (data mean -1125, seeds 0-2, N = 10, 25 and 50 alike). Layer norm in the
                # critics keeps them at -192/-582/-660 (SAC-N, the runs' own 10 episodes) at
                # 10k, SAC-N seed 0 at -190 to -192 from 12k to 30k steps. On 100 common
                # start states (benchmarks/offline_learning.py): -149/-367/-630 on
                # medium-replay, EDAC -152/-152/-153 on mixed (data mean -680). With 1-D
                # actions EDAC trains exactly as SAC-N (its diversity term is flat).
                "sac_n": Preset(10_000, _OFFLINE_ENSEMBLE, dict(eval_every=1000)),
                "edac": Preset(10_000, _OFFLINE_ENSEMBLE, dict(eval_every=1000)),
            },
        ),
        EnvSpec(
            "MountainCarContinuous-v0",
            "MountainCarContinuous",
            "continuous",
            90.0,
            "Continuous-force MountainCar: reward for reaching the flag, cost for force.",
            {
                "sac": Preset(
                    50_000,
                    dict(
                        lr=3e-4,
                        buffer_size=50_000,
                        batch_size=512,
                        alpha=0.1,
                        autotune=False,
                        train_freq=32,
                        gradient_steps=32,
                        gamma=0.9999,
                        tau=0.01,
                        learning_starts=0,
                        hidden=(64, 64),
                    ),
                ),
                "td3": Preset(300_000, dict(exploration_noise=0.5)),
                "ddpg": Preset(300_000, dict(exploration_noise=0.5)),
            },
        ),
        EnvSpec(
            "FrozenLake-v1",
            "FrozenLake 4x4 (slippery)",
            "discrete",
            0.7,
            "Cross a frozen lake to the goal without falling in a hole; the ice is slippery.",
            {"dqn": Preset(50_000, _TAB_DQN, dict(eval_episodes=100))},
            tabular=True,
        ),
        EnvSpec(
            "CliffWalking-v1",
            "CliffWalking",
            "discrete",
            -13.0,
            "Walk along a cliff to the goal: -1 per step, -100 for falling off.",
            {"dqn": Preset(30_000, _TAB_DQN)},
            tabular=True,
            max_episode_steps=200,
        ),
    ]
}


def env_spec(env_id: str) -> EnvSpec:
    """Catalogue entry for ``env_id``; ``ValueError`` listing the valid ids otherwise."""
    if env_id not in ENVIRONMENTS:
        raise ValueError(
            f"env = {env_id!r}: unknown environment (allowed: {', '.join(ENVIRONMENTS)})"
        )
    return ENVIRONMENTS[env_id]


def make_env(env_id: str, seed: int | None = None, render_mode: str | None = None) -> gym.Env:
    """Create a catalogue environment (one-hot float32 observations for tabular ones), seeded."""
    spec = env_spec(env_id)
    kwargs = dict(spec.kwargs)
    if spec.max_episode_steps is not None:
        kwargs["max_episode_steps"] = spec.max_episode_steps
    env = gym.make(spec.id, render_mode=render_mode, **kwargs)
    if spec.tabular:
        # Gymnasium's own wrappers (not one of ours): Minari records them in the dataset's
        # env spec and rebuilds the same one-hot float32 Box when it loads the dataset
        env = DtypeObservation(FlattenObservation(env), np.float32)
    if seed is not None:
        env.reset(seed=seed)
        env.action_space.seed(seed)
    return env


def obs_dim(space: gym.Space) -> int:
    """Flat observation size."""
    return int(np.prod(space.shape))
