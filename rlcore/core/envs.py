"""The environment catalogue, and your own Gymnasium environments (local profile only).

Presets start from the RL Baselines3 Zoo's tuned values (``hyperparams/*.yml``); ``steps``
is the Zoo's ``n_timesteps``. ``solved`` is the return a learner should aim for.

Beyond the catalogue, the ``local`` profile trains **custom environments**:

- an id registered (``gymnasium.register``) by a module listed in ``RLCORE_ENV_MODULES``
  (comma-separated, e.g. ``RLCORE_ENV_MODULES=my_pkg.envs``; ``gymnasium.envs`` opens all
  of Gymnasium's own). Every process imports them when it first meets an unknown id, so
  the training workers (fresh interpreters) find them too;
- an entry point ``module:Class`` naming a ``gymnasium.Env`` subclass (the variable may
  list entry points too, so that they appear in the app's list).

Their action-space kind, observation shape and "solved" score (the registration's
``reward_threshold``) come from the environment itself; they train with the algorithms'
defaults (no preset). Episodes without a time limit of their own are cut at
:data:`CUSTOM_MAX_EPISODE_STEPS` steps, so an evaluation always ends.

The ``hosted`` profile (``RLCORE_PROFILE=hosted``) accepts catalogue ids only, and imports
nothing: a ``"module:Class"`` id would run arbitrary code on the server.
"""

from __future__ import annotations

import importlib
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.wrappers import DtypeObservation, FlattenObservation

from rlcore.core.words import ActionKind, short_repr

__all__ = [
    "CUSTOM_MAX_EPISODE_STEPS",
    "ENVIRONMENTS",
    "ENV_MODULES_VAR",
    "EnvSpec",
    "Preset",
    "custom_env_ids",
    "env_ids",
    "env_spec",
    "make_env",
    "obs_dim",
    "register_env_maker",
    "space_info",
]

ENV_MODULES_VAR = "RLCORE_ENV_MODULES"
CUSTOM_MAX_EPISODE_STEPS = 1000  # for custom envs registered without max_episode_steps
_ENTRY_POINT = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


@dataclass(frozen=True)
class Preset:
    """Tuned settings for one (environment, algorithm) pair."""

    steps: int
    hp: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EnvSpec:
    """One environment: a catalogue entry, or a custom environment as found on first use."""

    id: str
    title: str
    action_space: ActionKind
    solved: float | None  # None: a custom environment registered without reward_threshold
    description: str
    presets: dict[str, Preset] = field(default_factory=dict)
    tabular: bool = False  # flattened to a float32 Box (one-hot for discrete states)
    kwargs: dict[str, Any] = field(default_factory=dict)
    max_episode_steps: int | None = None
    custom: bool = False
    obs_shape: tuple[int, ...] | None = None  # of what the agent sees (custom envs)
    gym_spec: Any = None  # custom envs: the gymnasium EnvSpec that gym.make receives
    # the lowest and highest return an episode can have (None: unbounded); charts clip
    # confidence bands to it, so a band never claims an impossible return
    return_range: tuple[float | None, float | None] = (None, None)


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

# PPO and TRPO: the Zoo's ppo.yml / trpo.yml (sb3-contrib's TRPO). "normalize: true" is
# our ``normalize`` (running observation and return statistics, as VecNormalize). The
# Zoo's Pendulum and MountainCarContinuous entries use gSDE (state-dependent exploration),
# which we do not have: they run here with the plain state-independent Gaussian instead.
_PPO_CARTPOLE = Preset(
    100_000,
    dict(
        n_envs=8,
        n_steps=32,
        batch_size=256,
        gae_lambda=0.8,
        gamma=0.98,
        n_epochs=20,
        ent_coef=0.0,
        lr=1e-3,
        anneal_lr=True,  # lin_0.001
        clip_range=0.2,
        anneal_clip=True,  # lin_0.2
    ),
)
_TRPO_CARTPOLE = Preset(
    100_000,
    dict(
        n_envs=2,
        n_steps=512,
        batch_size=512,
        cg_damping=1e-3,
        gae_lambda=0.98,
        gamma=0.99,
        lr=1e-3,
        n_critic_updates=20,
    ),
)
_PPO_ACROBOT = Preset(
    1_000_000, dict(normalize=True, n_envs=16, n_steps=256, gae_lambda=0.94, gamma=0.99, n_epochs=4)
)
_TRPO_ACROBOT = Preset(100_000, dict(normalize=True, n_envs=2, n_steps=1024))
_PPO_LUNAR = Preset(
    1_000_000,
    dict(
        n_envs=16,
        n_steps=1024,
        batch_size=64,
        gae_lambda=0.98,
        gamma=0.999,
        n_epochs=4,
        ent_coef=0.01,
    ),
)
_TRPO_LUNAR = Preset(
    200_000,
    dict(
        n_envs=2,
        n_steps=512,
        cg_damping=0.01,
        gae_lambda=0.98,
        gamma=0.99,
        lr=1e-3,
        n_critic_updates=15,
    ),
)
# Zoo: + use_sde, sde_sample_freq 4 (not here: plain Gaussian policy)
_PPO_PENDULUM = Preset(
    100_000,
    dict(n_envs=4, n_steps=1024, gae_lambda=0.95, gamma=0.9, n_epochs=10, lr=1e-3, clip_range=0.2),
)
_TRPO_PENDULUM = Preset(100_000, dict(n_envs=2, n_steps=1024, gamma=0.9, n_critic_updates=15))
# Zoo: + use_sde with log_std_init -3.29. Without gSDE that log-std would mean a policy std
# of 0.04 (no exploration at all), so the Gaussian starts at SB3's default log-std 0.
# batch_size 256 is larger than the 8-sample rollout: SB3 then uses the whole rollout as
# its one minibatch, which is batch_size 8 here.
_PPO_MCC = Preset(
    20_000,
    dict(
        normalize=True,
        n_envs=1,
        n_steps=8,
        batch_size=8,
        gamma=0.9999,
        lr=7.77e-5,
        ent_coef=0.00429,
        clip_range=0.1,
        n_epochs=10,
        gae_lambda=0.9,
        max_grad_norm=5.0,
        vf_coef=0.19,
        ortho_init=False,
    ),
)
_TRPO_MCC = Preset(50_000, dict(normalize=True, n_envs=2))  # Zoo: + gSDE

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
                "a2c": Preset(500_000, dict(n_envs=8, ent_coef=0.0)),
                "reinforce": Preset(200_000, dict(lr=1e-3)),
                "ppo": _PPO_CARTPOLE,
                "trpo": _TRPO_CARTPOLE,
            },
            return_range=(0.0, 500.0),
        ),
        EnvSpec(
            "Acrobot-v1",
            "Acrobot",
            "discrete",
            -100.0,
            "Swing a two-link arm above a line: -1 per step until it gets there.",
            {
                "dqn": Preset(100_000, _DQN_ACROBOT),
                "a2c": Preset(500_000, dict(n_envs=16, ent_coef=0.0)),
                "reinforce": Preset(200_000, dict(lr=1e-3)),
                "ppo": _PPO_ACROBOT,
                "trpo": _TRPO_ACROBOT,
            },
            return_range=(-500.0, 0.0),
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
            return_range=(-200.0, 0.0),
        ),
        EnvSpec(
            "LunarLander-v3",
            "LunarLander",
            "discrete",
            200.0,
            "Land a craft on the pad with four discrete engine commands (Box2D).",
            {
                "dqn": Preset(100_000, _DQN_ACROBOT),
                "a2c": Preset(200_000, dict(n_envs=8, gamma=0.995, lr=8.3e-4, ent_coef=1e-5)),
                "reinforce": Preset(500_000, dict(lr=1e-3, gamma=0.99)),
                "ppo": _PPO_LUNAR,
                "trpo": _TRPO_LUNAR,
            },
        ),
        EnvSpec(
            "Pendulum-v1",
            "Pendulum",
            "continuous",
            -200.0,
            "Swing a pendulum up and hold it upright with a bounded torque.",
            {
                "sac": Preset(20_000, _SAC_PENDULUM),
                "td3": Preset(20_000, _TD3_PENDULUM),
                "ddpg": Preset(20_000, _TD3_PENDULUM),
                "ppo": _PPO_PENDULUM,
                "trpo": _TRPO_PENDULUM,
                # Offline. TD3+BC's alpha = 2.5 (tuned on D4RL locomotion) leaves the policy
                # at behaviour cloning here: Pendulum's Q is large (long horizon, dense -ve
                # rewards) next to its spread over actions. Measured on our medium-replay
                # data, 10k steps: alpha 2.5 -> -1335/-1132/-1085 (data mean -1125),
                # alpha 10 -> -782 (seed 1).
                "td3_bc": Preset(20_000, dict(bc_alpha=10.0)),
                # SAC-N / EDAC on our medium-replay data (2,561 transitions): the members
                # agree off the data, Q of the policy's actions climbs above Q of the data's
                # and the return peaks near 3k steps, then falls to about -1570 at 10k
                # (data mean -1125, seeds 0-2, N = 10, 25 and 50 alike). Layer norm in the
                # critics keeps them at -192/-582/-660 (SAC-N, the runs' own 10 episodes) at
                # 10k, SAC-N seed 0 at -190 to -192 from 12k to 30k steps. On 100 common
                # start states (benchmarks/offline_learning.py): -149/-367/-630 on
                # medium-replay, EDAC -152/-152/-153 on mixed (data mean -680). With 1-D
                # actions EDAC trains exactly as SAC-N (its diversity term is flat).
                "sac_n": Preset(10_000, _OFFLINE_ENSEMBLE),
                "edac": Preset(10_000, _OFFLINE_ENSEMBLE),
            },
            return_range=(-3254.8, 0.0),
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
                "ppo": _PPO_MCC,
                "trpo": _TRPO_MCC,
            },
            return_range=(-99.9, 100.0),
        ),
        EnvSpec(
            "FrozenLake-v1",
            "FrozenLake 4x4 (slippery)",
            "discrete",
            0.7,
            "Cross a frozen lake to the goal without falling in a hole; the ice is slippery.",
            {"dqn": Preset(50_000, _TAB_DQN, dict(eval_episodes=100))},
            tabular=True,
            return_range=(0.0, 1.0),
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
            return_range=(-20_000.0, -13.0),
        ),
        # the course's DQN lesson (rlcore.learn.envs): every door is worth the same, so any
        # Q above the return is the max's bias (Sutton & Barto, Example 6.7)
        EnvSpec(
            "NoisyCorridor-v0",
            "Noisy corridor (8 doors alike)",
            "discrete",
            10.0,
            "Ten rooms, eight doors each, all alike: every door leads on with a noisy reward "
            "(mean +1, std 2). Every policy returns +10 on average.",
            # targets every 100 steps: ten rooms of bootstrapping within the budget; 100
            # evaluation episodes: the return obtained, to within about 3%
            {
                "dqn": Preset(
                    10_000,
                    {**_TAB_DQN, "target_update_interval": 100, "learning_starts": 500},
                    dict(eval_episodes=100),
                )
            },
            tabular=True,
        ),
    ]
}


# the course's own environments, made by gym.make like any other
if "NoisyCorridor-v0" not in gym.registry:
    gym.register("NoisyCorridor-v0", entry_point="rlcore.learn.envs:NoisyCorridor")


def _hosted() -> bool:
    from rlcore.core.settings import get_settings

    return get_settings().profile == "hosted"


def env_modules() -> list[str]:
    """The entries of ``RLCORE_ENV_MODULES``: module names and ``module:Class`` entry points."""
    return [m.strip() for m in os.environ.get(ENV_MODULES_VAR, "").split(",") if m.strip()]


_MODULE_IDS: dict[str, tuple[str, ...]] = {}  # module -> the ids it registered
_CUSTOM: dict[str, EnvSpec] = {}  # custom id -> its spec, built once per process


def _entry_module(spec: Any) -> str:
    ep = spec.entry_point
    return ep.split(":")[0] if isinstance(ep, str) else getattr(ep, "__module__", "") or ""


def _import_module(name: str, what: str) -> Any:
    try:
        return importlib.import_module(name)
    except Exception as e:  # a user's module: any error, said with its origin
        raise ValueError(f"{what}: cannot import {name!r} ({type(e).__name__}: {e})") from None


def _module_ids(module: str) -> tuple[str, ...]:
    """Ids ``module`` registers with Gymnasium (imported once, here if not before)."""
    if module not in _MODULE_IDS:
        before = set(gym.registry)
        _import_module(module, ENV_MODULES_VAR)
        new = [i for i in gym.registry if i not in before]
        # imported earlier (by the user's own code): its ids are those it points to
        new += [
            i
            for i, spec in gym.registry.items()
            if i not in new
            and (_entry_module(spec) == module or _entry_module(spec).startswith(module + "."))
        ]
        _MODULE_IDS[module] = tuple(i for i in new if i not in ENVIRONMENTS)
    return _MODULE_IDS[module]


def custom_env_ids() -> list[str]:
    """The custom environments of ``RLCORE_ENV_MODULES`` (none in the hosted profile).

    Raises:
        ValueError: a listed module cannot be imported (the message names the variable).
    """
    if _hosted():
        return []
    out: list[str] = []
    for entry in env_modules():
        ids = [entry] if ":" in entry else list(_module_ids(entry))
        out += [i for i in ids if i not in out]
    return out


def env_ids() -> list[str]:
    """Every environment this process may train: the catalogue, then the custom ones."""
    return list(ENVIRONMENTS) + [i for i in custom_env_ids() if i not in ENVIRONMENTS]


def _unknown(env_id: str, why: str = "unknown environment") -> ValueError:
    listed = ", ".join(env_modules()) or "none set"
    return ValueError(
        f"env = {short_repr(env_id)}: {why} (allowed: the catalogue "
        f"{', '.join(ENVIRONMENTS)}; an id registered by a module in {ENV_MODULES_VAR} "
        f"({listed}); or an entry point module:Class)"
    )


_MAKERS: dict[str, Any] = {}  # id -> callable: environments handed over as Python objects
_BASES: dict[str, str] = {}  # such an id -> the catalogue id whose presets it keeps


def register_env_maker(maker: Any, name: str, base: str | None = None) -> str:
    """Register a callable returning a ``gymnasium.Env`` under a fresh id (this process only).

    What ``rlcore.api`` does with an environment given as an object or a function: the
    trainer makes its copies (training, evaluation, vector envs) from the id. The id is
    ``py/<name>-v<n>``; a run trained on it is listed everywhere but can only be trained
    or evaluated again in a process that registers it again. ``base``: a catalogue id
    the environment is a variant of (other ``gymnasium.make`` arguments): its presets apply.
    """
    stem = re.sub(r"[^A-Za-z0-9_]", "_", name)[:60] or "Env"
    n = 0
    while f"py/{stem}-v{n}" in gym.registry:
        n += 1
    env_id = f"py/{stem}-v{n}"
    gym.register(id=env_id, entry_point=maker, disable_env_checker=True)
    _MAKERS[env_id] = maker
    if base in ENVIRONMENTS:
        _BASES[env_id] = base
    return env_id


def _gym_spec(env_id: str) -> Any:
    """The gymnasium ``EnvSpec`` of a custom id (``ValueError`` if it is none)."""
    if env_id in _MAKERS:
        return gym.spec(env_id)
    if ":" in env_id:
        if not _ENTRY_POINT.fullmatch(env_id):
            raise _unknown(env_id, "not an entry point of the form module:Class")
        module, _, name = env_id.partition(":")
        cls = getattr(_import_module(module, f"env = {env_id!r}"), name, None)
        if not (isinstance(cls, type) and issubclass(cls, gym.Env)):
            raise _unknown(env_id, f"unknown environment: {module}.{name} is not a gymnasium.Env")
        return gym.envs.registration.EnvSpec(id=env_id, entry_point=env_id)
    for module in env_modules():
        if ":" not in module and env_id in _module_ids(module):
            return gym.spec(env_id)
    raise _unknown(env_id)


def _action_kind(env_id: str, space: gym.Space) -> ActionKind:
    if isinstance(space, gym.spaces.Discrete):
        if int(space.start) != 0:
            raise ValueError(
                f"env = {env_id!r}: its Discrete action space starts at {int(space.start)} "
                "(allowed: actions 0 to n-1)"
            )
        return "discrete"
    if isinstance(space, gym.spaces.Box):
        if not (np.isfinite(space.low).all() and np.isfinite(space.high).all()):
            raise ValueError(
                f"env = {env_id!r}: its Box action space is unbounded (allowed: finite low "
                "and high: the policies squash their actions into the bounds)"
            )
        return "continuous"
    raise ValueError(
        f"env = {env_id!r}: action space {type(space).__name__} is not supported "
        "(allowed: Discrete or a bounded Box)"
    )


def _custom_spec(env_id: str) -> EnvSpec:
    """Look a custom environment up, make it once and read its spaces."""
    gspec = _gym_spec(env_id)
    cap = None if gspec.max_episode_steps else CUSTOM_MAX_EPISODE_STEPS
    try:
        env = gym.make(gspec, max_episode_steps=cap)
    except Exception as e:  # the user's constructor: say which environment failed
        raise ValueError(f"env = {env_id!r}: cannot be created ({type(e).__name__}: {e})") from None
    obs_space, act_space = env.observation_space, env.action_space
    env.close()
    kind = _action_kind(env_id, act_space)
    flat = not isinstance(obs_space, gym.spaces.Box)
    if flat:
        try:
            obs_shape = gym.spaces.flatten_space(obs_space).shape
        except (NotImplementedError, TypeError, ValueError):
            raise ValueError(
                f"env = {env_id!r}: observation space {type(obs_space).__name__} cannot be "
                "flattened into a vector (allowed: Box, Discrete, MultiDiscrete, MultiBinary, "
                "Dict or Tuple of those)"
            ) from None
    else:
        obs_shape = obs_space.shape
    thr = gspec.reward_threshold
    solved = float(thr) if thr is not None and math.isfinite(float(thr)) else None
    if kind == "discrete":
        acts = f"{int(act_space.n)} discrete actions"
    else:
        acts = f"{int(np.prod(act_space.shape))}-dimensional actions in a box"
    ep = gspec.entry_point
    source = ep if isinstance(ep, str) else f"{ep.__module__}:{ep.__qualname__}"
    base = ENVIRONMENTS.get(_BASES.get(env_id, ""))
    return EnvSpec(
        env_id,
        env_id,
        kind,
        solved,
        f"Your own environment ({source}): observations of shape {tuple(obs_shape)}, {acts}.",
        presets=base.presets if base and base.action_space == kind else {},
        tabular=flat,
        max_episode_steps=cap,
        custom=True,
        obs_shape=tuple(int(n) for n in obs_shape),
        gym_spec=gspec,
    )


def env_spec(env_id: str) -> EnvSpec:
    """The entry of ``env_id``: the catalogue's, or a custom environment's (local profile).

    Raises:
        ValueError: an id outside the catalogue in the hosted profile, an unknown id
            (the message lists what is allowed), or a custom environment this library
            cannot train (its spaces).
    """
    if env_id in ENVIRONMENTS:
        return ENVIRONMENTS[env_id]
    if not isinstance(env_id, str) or not env_id or len(env_id) > 200:
        raise _unknown(env_id, "not an environment id")
    if _hosted():
        raise ValueError(
            f"env = {short_repr(env_id)}: not in this server's catalogue (allowed: "
            f"{', '.join(ENVIRONMENTS)}); custom environments ({ENV_MODULES_VAR}, "
            "module:Class) are for the local profile only, and this server runs "
            "RLCORE_PROFILE=hosted"
        )
    known = _CUSTOM.get(env_id)
    if known is not None and ":" not in env_id:
        _gym_spec(env_id)  # still registered by a module listed now (the variable may change)
    if known is None:
        known = _CUSTOM[env_id] = _custom_spec(env_id)
    return known


def make_env(env_id: str, seed: int | None = None, render_mode: str | None = None) -> gym.Env:
    """Create an environment (observations flattened to float32 where needed), seeded.

    Discrete states (FrozenLake, CliffWalking) become one-hot vectors.
    """
    spec = env_spec(env_id)
    kwargs = dict(spec.kwargs)
    if spec.max_episode_steps is not None:
        kwargs["max_episode_steps"] = spec.max_episode_steps
    if render_mode is not None:  # not render_mode=None: a custom env may not take it
        kwargs["render_mode"] = render_mode
    env = gym.make(spec.gym_spec or spec.id, **kwargs)
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


def space_info(env_id: str) -> dict[str, Any]:
    """What an agent needs of ``env_id``'s spaces, as JSON (kept in a run's ``config.json``).

    ``{"obs_shape": [...], "actions": n}`` for discrete actions, ``{"obs_shape": [...],
    "low": [...], "high": [...]}`` for a box: enough to rebuild the agent of a run whose
    environment this process cannot make (a custom one: export needs no environment).
    """
    env = make_env(env_id)
    try:
        obs, act = env.observation_space, env.action_space
        out: dict[str, Any] = {"obs_shape": [int(n) for n in obs.shape]}
        if isinstance(act, gym.spaces.Discrete):
            out["actions"] = int(act.n)
        else:
            out["low"] = np.asarray(act.low, dtype=np.float64).tolist()
            out["high"] = np.asarray(act.high, dtype=np.float64).tolist()
        return out
    finally:
        env.close()


def spaces_from_info(info: dict[str, Any]) -> tuple[gym.Space, gym.Space]:
    """The (observation, action) spaces :func:`space_info` describes (``ValueError`` if bad)."""
    try:
        obs = gym.spaces.Box(-np.inf, np.inf, tuple(int(n) for n in info["obs_shape"]), np.float32)
        if "actions" in info:
            return obs, gym.spaces.Discrete(int(info["actions"]))
        low = np.asarray(info["low"], dtype=np.float32)
        high = np.asarray(info["high"], dtype=np.float32)
        return obs, gym.spaces.Box(low, high, dtype=np.float32)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(
            f"spaces = {short_repr(info)}: not a description of spaces ({e})"
        ) from None
