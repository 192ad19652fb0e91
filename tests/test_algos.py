"""Every registered algorithm: update, act, save/load, determinism (parametrized)."""

import math

import numpy as np
import pytest
import torch
from gymnasium.spaces import Discrete
from safetensors.torch import load, save

from helpers import box, obs_box
from rlcore.algos.a2c import A2C
from rlcore.algos.base import Agent, optimize
from rlcore.algos.bc import BC
from rlcore.algos.cql import CQL
from rlcore.algos.dqn import DQN
from rlcore.algos.edac import EDAC
from rlcore.algos.registry import AGENT_CLASSES, ALGORITHMS, compatible
from rlcore.algos.reinforce import REINFORCE
from rlcore.algos.sac import SAC
from rlcore.algos.sac_n import SACN
from rlcore.algos.td3 import TD3
from rlcore.core.buffers import ReplayBuffer
from rlcore.core.config import ALGORITHM_SETTINGS, from_dict
from rlcore.core.envs import make_env
from rlcore.core.types import Rollout
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer, build_agent

ENV_FOR = {"discrete": "CartPole-v1", "continuous": "Pendulum-v1"}
ALGOS = [
    (name, env)
    for name, s in ALGORITHMS.items()
    if s.setting == "online"
    for kind, env in ENV_FOR.items()
    if s.action_space in (kind, "both")
]
ALL = ALGOS + [
    (name, ENV_FOR.get(s.action_space, "Pendulum-v1"))
    for name, s in ALGORITHMS.items()
    if s.setting == "offline"
]
ALL += [("bc", "CartPole-v1")]  # BC handles both kinds of action space
SMALL = {"hidden": (16, 16)}


def small_configs(algo, env, **run):
    spec = ALGORITHMS[algo]
    hp = dict(SMALL)
    fields = {p for p in spec.config_cls.__dataclass_fields__}
    for k, v in {
        "learning_starts": 50,
        "batch_size": 16,
        # one env on Pendulum (200-step episodes) so that 300 steps finish an episode
        "n_envs": 1 if env == "Pendulum-v1" else 2,
        "n_steps": 16 if env == "Pendulum-v1" else 8,
        "episodes_per_update": 1,
        "train_freq": 1,
        "gradient_steps": 1,
    }.items():
        if k in fields:
            hp[k] = v
    base = {"steps": 300, "eval_every": 200, "eval_episodes": 2, "log_every": 100}
    if spec.setting == "offline":
        base["dataset"] = "rlplay/tests/unused-v0"
    base.update(run)
    return make_configs(algo, env, hp, base, use_preset=False)


def one_batch(agent, env_id):
    env = make_env(env_id, seed=0)
    if agent.loop in ("replay", "dataset"):
        buf = ReplayBuffer(100, agent.obs_dim, agent.action_dim, agent.discrete)
        obs, _ = env.reset(seed=0)
        for _ in range(40):
            a = env.action_space.sample()
            nxt, r, term, trunc, _ = env.step(a)
            buf.add(obs, a, r, nxt, term)
            obs = nxt if not (term or trunc) else env.reset()[0]
        return buf.sample(8)
    obs, _ = env.reset(seed=0)
    rows = []
    for _ in range(6):
        a = env.action_space.sample()
        nxt, r, term, trunc, _ = env.step(a)
        rows.append((obs, a, r, nxt, term, term or trunc))
        obs = nxt
    cols = [torch.as_tensor(np.asarray(c, dtype=np.float32)).unsqueeze(1) for c in zip(*rows)]
    return Rollout(*cols)


@pytest.mark.parametrize("algo,env_id", ALL)
def test_update_returns_finite_scalars(algo, env_id):
    run, cfg = small_configs(algo, env_id)
    agent = build_agent(run, cfg)
    info = agent.update(one_batch(agent, env_id))
    assert info, "update must report diagnostics"
    for k, v in info.items():
        assert isinstance(v, torch.Tensor) and v.dim() == 0, k
        assert math.isfinite(float(v)), k


@pytest.mark.parametrize("algo,env_id", ALL)
def test_act_respects_shapes_and_bounds(algo, env_id):
    run, cfg = small_configs(algo, env_id)
    agent = build_agent(run, cfg)
    env = make_env(env_id, seed=0)
    obs, _ = env.reset(seed=0)
    batch = np.stack([obs] * 5)
    for explore in (False, True):
        a = agent.act(obs, explore=explore)
        assert env.action_space.contains(np.asarray(a, dtype=env.action_space.dtype)), a
        ab = agent.act(batch, explore=explore)
        assert len(ab) == 5
        for x in ab:
            assert env.action_space.contains(np.asarray(x, dtype=env.action_space.dtype))


@pytest.mark.parametrize("algo,env_id", ALL)
def test_save_load_round_trip_through_safetensors(algo, env_id):
    run, cfg = small_configs(algo, env_id)
    a1 = build_agent(run, cfg)
    a1.update(one_batch(a1, env_id))  # weights differ from a fresh init
    blob = save({k: v.contiguous() for k, v in a1.state_dict().items()})
    torch.manual_seed(123)
    a2 = build_agent(run, cfg)
    a2.load_state_dict(load(blob))
    obs = np.random.default_rng(0).normal(size=(7, a1.obs_dim)).astype(np.float32)
    np.testing.assert_array_equal(a1.act(obs), a2.act(obs))
    for k, v in a1.state_dict().items():
        assert torch.equal(v, a2.state_dict()[k]), k


@pytest.mark.parametrize("algo,env_id", ALGOS)
def test_same_seed_same_metrics(algo, env_id):
    def go(seed):
        run, cfg = small_configs(algo, env_id, seed=seed)
        rows = [m for m in Trainer(run, cfg)]
        return [{k: v for k, v in m.items() if not k.startswith("time/")} for m in rows]

    first, second = go(0), go(0)
    assert first == second
    assert any("eval/return_mean" in m for m in first)
    assert any("rollout/return" in m for m in first)
    assert any(k.startswith("train/") for m in first for k in m)
    assert go(1) != first


def test_hidden_sizes_are_used():
    run, cfg = make_configs("sac", "Pendulum-v1", {"hidden": (32, 8)}, {"steps": 10})
    agent = build_agent(run, cfg)
    shapes = [tuple(p.shape) for p in agent.actor.parameters()]
    assert (3, 32) in [(s[1], s[0]) for s in shapes if len(s) == 2]
    assert from_dict(type(cfg), {"hidden": "32,8"}).hidden == cfg.hidden


def test_facts_live_on_the_classes_and_the_registry_reads_them():
    assert list(ALGORITHMS) == [cls.name for cls in AGENT_CLASSES]
    for name, spec in ALGORITHMS.items():
        cls = spec.agent_cls
        assert (spec.name, spec.title, spec.paper) == (name, cls.title, cls.paper)
        assert (spec.setting, spec.action_space, spec.loop) == (
            cls.setting,
            cls.action_space,
            cls.loop,
        )
        assert spec.config_cls is cls.config_cls
        assert ALGORITHM_SETTINGS[name] == cls.setting
    # subclasses inherit what they do not restate
    assert (TD3.action_space, TD3.loop, TD3.setting) == ("continuous", "replay", "online")
    assert (CQL.setting, CQL.loop, CQL.action_space) == ("offline", "dataset", "continuous")
    assert EDAC.paper == SACN.paper and EDAC.title == "EDAC"
    assert [a.loop for a in (DQN, A2C, REINFORCE, BC)] == [
        "replay",
        "rollout",
        "episodes",
        "dataset",
    ]


def test_a_class_with_a_missing_or_inconsistent_fact_is_refused_when_defined():
    with pytest.raises(TypeError, match=r"Nameless.name: not set"):
        type("Nameless", (Agent,), {"title": "t", "paper": "p", "action_space": "both"})
    with pytest.raises(TypeError, match=r"NoSpace.action_space = None \(allowed: discrete, "):
        type("NoSpace", (Agent,), {"name": "n", "title": "t", "paper": "p"})
    with pytest.raises(TypeError, match=r"Mixed: setting = 'offline' with loop = 'replay'"):
        type("Mixed", (SAC,), {"name": "m", "setting": "offline"})
    with pytest.raises(TypeError, match=r"Looped.loop = 'offline' \(allowed: replay, "):
        type("Looped", (SAC,), {"name": "m", "setting": "offline", "loop": "offline"})


@pytest.mark.parametrize(
    "cls,space,kind",
    [(DQN, box(), "discrete"), (A2C, box(), "discrete"), (SAC, Discrete(2), "continuous")],
)
def test_the_base_class_checks_the_action_space(cls, space, kind):
    with pytest.raises(ValueError, match=f"{cls.__name__} needs a {kind} action space"):
        cls(obs_box(3), space, cls.config_cls())
    assert BC.handles("discrete") and BC.handles("continuous")
    assert DQN.handles("discrete") and not DQN.handles("continuous")
    assert compatible("bc", "CartPole-v1") and not compatible("sac", "CartPole-v1")


def test_optimize_zeroes_steps_clips_and_returns_the_pre_clip_norm():
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([w], lr=1.0)
    w.grad = torch.tensor([100.0, 100.0])  # stale: must not leak into the step
    norm = optimize(opt, (w * torch.tensor([3.0, 4.0])).sum(), [w], max_grad_norm=1.0)
    assert norm.item() == pytest.approx(5.0)  # |(3, 4)| before clipping
    assert w.detach().tolist() == pytest.approx([1.0 - 0.6, 2.0 - 0.8])  # clipped to norm 1
    assert optimize(opt, w.sum()) is None  # no params: no norm
    assert w.detach().tolist() == pytest.approx([-0.6, 0.2])
    # under the limit the gradient is left as it is (the multiply by 1 is skipped)
    norm = optimize(opt, (w * torch.tensor([3.0, 4.0])).sum(), [w], max_grad_norm=10.0)
    assert norm.item() == pytest.approx(5.0)
    assert w.detach().tolist() == pytest.approx([-3.6, -3.8])
