"""Each loss against a value computed by hand on tiny tensors."""

import math

import gymnasium as gym
import pytest
import torch
import torch.nn.functional as F

from helpers import Fixed, Table, box, obs_box
from rlcore.algos.a2c import A2C, A2CConfig
from rlcore.algos.ddpg import DDPG, DDPGConfig
from rlcore.algos.dqn import DQN, DQNConfig
from rlcore.algos.reinforce import REINFORCE, REINFORCEConfig
from rlcore.algos.sac import SAC, SACConfig
from rlcore.algos.td3 import TD3, TD3Config
from rlcore.core.types import Batch, Rollout

S0, S1 = [1.0, 0.0], [0.0, 1.0]


def dqn_agent(**kw):
    a = DQN(obs_box(2), gym.spaces.Discrete(2), DQNConfig(gamma=0.9, **kw))
    a.q = Table([[1.0, 2.0], [3.0, 4.0]])  # rows: state, cols: action
    a.q_target = Table([[0.5, 1.5], [2.0, 1.0]])
    return a


def dqn_batch(term=0.0):
    return Batch(
        torch.tensor([S0]),
        torch.tensor([1]),
        torch.tensor([1.0]),
        torch.tensor([S1]),
        torch.tensor([term]),
    )


def test_dqn_td_target_and_huber_by_hand():
    loss, info = dqn_agent().critic_loss(dqn_batch())
    # y = 1 + 0.9 * max(2, 1) = 2.8 ; Q(s0, a1) = 2 ; huber(0.8) = 0.5 * 0.64
    assert info["target_q_mean"].item() == pytest.approx(2.8)
    assert loss.item() == pytest.approx(0.32)
    loss, _ = dqn_agent(loss="mse").critic_loss(dqn_batch())
    assert loss.item() == pytest.approx(0.64)


def test_dqn_terminated_does_not_bootstrap():
    _, info = dqn_agent().critic_loss(dqn_batch(term=1.0))
    assert info["target_q_mean"].item() == pytest.approx(1.0)


def test_double_dqn_uses_online_argmax_target_value():
    _, info = dqn_agent(double_q=True).critic_loss(dqn_batch())
    # online argmax at s1 is a1 (4 > 3); target net values it 1.0 -> y = 1 + 0.9
    assert info["target_q_mean"].item() == pytest.approx(1.9)


def test_dueling_head_is_v_plus_centred_advantage():
    from rlcore.core.nn import QNetwork

    net = QNetwork(3, 4, (8, 8), dueling=True)
    x = torch.randn(5, 3)
    h = net.body(x)
    a = net.adv(h)
    assert torch.allclose(net(x), net.value(h) + a - a.mean(-1, keepdim=True))
    assert torch.allclose(net(x).mean(-1, keepdim=True), net.value(h), atol=1e-6)


def cont_batch():
    return Batch(
        torch.tensor([[0.0], [0.0]]),
        torch.tensor([[0.1], [0.2]]),
        torch.tensor([1.0, 2.0]),
        torch.tensor([[0.0], [0.0]]),
        torch.tensor([0.0, 1.0]),
    )


def test_ddpg_critic_loss_by_hand():
    a = DDPG(obs_box(1), box(), DDPGConfig(gamma=0.5))
    a.actor_target = Fixed(torch.tensor([[0.3], [0.3]]))
    a.critic_target = Fixed(torch.tensor([[4.0, 6.0]]))  # [N=1, B=2]
    a.critic = Fixed(torch.tensor([[2.0, 1.0]]))
    loss, info = a.critic_loss(cont_batch())
    # y = [1 + .5*4, 2 + 0] = [3, 2]; ((2-3)^2 + (1-2)^2) / 2 = 1
    assert info["target_q_mean"].item() == pytest.approx(2.5)
    assert loss.item() == pytest.approx(1.0)


def test_td3_clipped_double_q_target_by_hand():
    a = TD3(obs_box(1), box(), TD3Config(gamma=0.5, target_policy_noise=0.0))
    a.actor_target = Fixed(torch.tensor([[0.3], [0.3]]))
    a.critic_target = Fixed(torch.tensor([[4.0, 6.0], [5.0, 2.0]]))  # min -> [4, 2]
    a.critic = Fixed(torch.tensor([[3.0, 2.0], [2.0, 2.0]]))
    loss, info = a.critic_loss(cont_batch())
    # y = [1 + .5*4, 2] = [3, 2] ; critic 1: (0 + 0)/2, critic 2: (1 + 0)/2 -> sum 0.5
    assert info["target_q_mean"].item() == pytest.approx(2.5)
    assert loss.item() == pytest.approx(0.5)


def test_td3_target_smoothing_noise_is_clipped_and_in_bounds():
    torch.manual_seed(0)
    a = TD3(
        obs_box(1), box(1, -2.0, 2.0), TD3Config(target_policy_noise=2.0, target_noise_clip=0.5)
    )
    a.actor_target = Fixed(torch.full((4096, 1), 1.5))
    nxt = a.next_action(torch.zeros(4096, 1))
    # noise clipped to ±0.5 of the half-range (2) = ±1, then the action to [-2, 2]
    assert nxt.min().item() == pytest.approx(0.5) and nxt.max().item() == pytest.approx(2.0)


def test_td3_delays_policy_updates():
    a = TD3(obs_box(3), box(2), TD3Config(policy_delay=2, hidden=(8,)))
    b = Batch(
        torch.randn(4, 3),
        torch.rand(4, 2) * 2 - 1,
        torch.randn(4),
        torch.randn(4, 3),
        torch.zeros(4),
    )
    assert "actor_loss" not in a.update(b)
    assert "actor_loss" in a.update(b)


def sac_agent(**kw):
    return SAC(obs_box(1), box(), SACConfig(gamma=0.5, alpha=0.5, **kw))


def test_sac_soft_target_by_hand():
    a = sac_agent()
    a.actor = Fixed(torch.tensor([[0.3], [0.3]]), torch.tensor([-1.0, 2.0]))
    a.critic_target = Fixed(torch.tensor([[4.0, 6.0], [5.0, 2.0]]))
    a.critic = Fixed(torch.tensor([[3.5, 2.0], [3.5, 2.0]]))
    loss, info = a.critic_loss(cont_batch())
    # soft V(s') = min Q - alpha log pi = [4 + .5, 2 - 1] ; y = [1 + .5*4.5, 2] = [3.25, 2]
    assert info["target_q_mean"].item() == pytest.approx(2.625)
    assert loss.item() == pytest.approx(2 * (0.25**2 + 0) / 2)


def test_sac_actor_loss_by_hand():
    a = sac_agent()
    a.actor = Fixed(torch.tensor([[0.3], [0.3]]), torch.tensor([-1.0, 2.0]))
    a.critic = Fixed(torch.tensor([[4.0, 6.0], [5.0, 2.0]]))
    loss, info, _ = a.actor_loss(cont_batch())
    # mean(alpha * logp - min Q) = ((-.5 - 4) + (1 - 2)) / 2
    assert loss.item() == pytest.approx(-2.75)
    assert info["entropy"].item() == pytest.approx(-0.5)


def test_sac_alpha_loss_value_and_direction():
    a = sac_agent()  # action dim 1 -> target entropy -1
    logp = torch.tensor([-1.0, 0.5])
    loss, _ = a.alpha_loss(logp)
    # -(alpha * (logp + target)) averaged: -(.5 * (-2 + -.5)) / 2
    assert loss.item() == pytest.approx(0.625)
    # entropy -logp = 0.25 on average, above the target -1: alpha must go down
    a.actor_opt.zero_grad()  # log alpha steps in the actor's Adam
    loss.backward()
    a.actor_opt.step()
    assert a.alpha.item() < 0.5
    # entropy far below the target (logp = 5): alpha must go up
    b = sac_agent()
    lb, _ = b.alpha_loss(torch.tensor([5.0]))
    lb.backward()
    b.actor_opt.step()
    assert b.alpha.item() > 0.5


def test_sac_one_step_of_actor_and_alpha_is_their_two_steps():
    """The actor and log alpha share one Adam and one backward: bit for bit the two steps."""
    import copy

    from rlcore.algos.sac import SAC, SACConfig
    from rlcore.core.ops import soft_update

    torch.manual_seed(0)
    a = SAC(box(3), box(1, -2.0, 2.0), SACConfig(hidden=(16, 16), batch_size=8))
    ref = copy.deepcopy(a)
    actor_opt = torch.optim.Adam(ref.actor.parameters(), lr=ref.cfg.lr, fused=True)
    alpha_opt = torch.optim.Adam([ref.log_alpha], lr=ref.cfg.lr, fused=True)
    g = torch.Generator().manual_seed(1)
    for i in range(4):
        obs, nxt = torch.randn(8, 3, generator=g), torch.randn(8, 3, generator=g)
        batch = Batch(
            obs,
            torch.rand(8, 1, generator=g) * 4 - 2,
            torch.randn(8, generator=g),
            nxt,
            torch.zeros(8),
        )
        torch.manual_seed(100 + i)
        a.update(batch)
        torch.manual_seed(100 + i)
        ref.critic_step(batch)
        ref.critic.requires_grad_(False)
        a_loss, _, logp = ref.actor_loss(batch)
        actor_opt.zero_grad()
        a_loss.backward()
        actor_opt.step()
        ref.critic.requires_grad_(True)
        al_loss, _ = ref.alpha_loss(logp)
        alpha_opt.zero_grad()
        al_loss.backward()
        alpha_opt.step()
        soft_update(ref.critic_target, ref.critic, ref.cfg.tau)
        for (name, p), q in zip(a.named_parameters(), ref.parameters()):
            assert torch.equal(p, q), name
    assert a.alpha.item() != 1.0  # the temperature moved


def test_tanh_gaussian_log_prob_matches_change_of_variables():
    from rlcore.core.nn import TanhGaussianActor

    torch.manual_seed(0)
    actor = TanhGaussianActor(2, box(1, -2.0, 2.0).low, box(1, -2.0, 2.0).high, (8,))
    obs = torch.randn(5, 2)
    a, logp = actor(obs)
    assert (a.abs() <= 2.0).all()
    mean, log_std = actor.dist_params(obs)
    u = torch.atanh(a / 2.0)
    base = torch.distributions.Normal(mean, log_std.exp()).log_prob(u).sum(-1)
    want = base - torch.log(2.0 * (1 - torch.tanh(u) ** 2)).sum(-1)
    assert torch.allclose(logp, want, atol=1e-4)
    assert torch.allclose(actor.log_prob(obs, a), want, atol=1e-3)


def test_a2c_losses_by_hand():
    a = A2C(
        obs_box(1),
        gym.spaces.Discrete(2),
        A2CConfig(gamma=0.5, gae_lambda=1.0, vf_coef=0.5, ent_coef=0.1),
    )
    a.critic = Fixed(torch.tensor([[1.0], [1.0]]))  # V = 1 everywhere
    a.actor = Fixed(torch.tensor([[0.0, math.log(3.0)]] * 2))  # pi = [.25, .75]
    ro = Rollout(
        obs=torch.zeros(2, 1, 1),
        action=torch.tensor([[1], [0]]),
        reward=torch.tensor([[1.0], [2.0]]),
        next_obs=torch.zeros(2, 1, 1),
        terminated=torch.tensor([[0.0], [1.0]]),
        episode_end=torch.tensor([[0.0], [1.0]]),
    )
    loss, info = a.losses(ro)
    # t=1: delta = 2 - 1 = 1 ; t=0: delta = 1 + .5 - 1 = .5, A0 = .5 + .5 * 1 = 1
    adv = torch.tensor([1.0, 1.0])
    logp = torch.log(torch.tensor([0.75, 0.25]))
    actor = -(adv * logp).mean()
    value = F.mse_loss(torch.tensor([1.0, 1.0]), adv + 1.0)
    ent = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert info["actor_loss"].item() == pytest.approx(actor.item(), rel=1e-5)
    assert info["value_loss"].item() == pytest.approx(value.item())
    assert loss.item() == pytest.approx(actor.item() + 0.5 * value.item() - 0.1 * ent, rel=1e-5)


def test_reinforce_loss_by_hand():
    a = REINFORCE(
        obs_box(1),
        gym.spaces.Discrete(2),
        REINFORCEConfig(gamma=0.5, baseline=False, normalize_returns=False),
    )
    a.actor = Fixed(torch.zeros(2, 2))  # uniform: log pi = log .5
    ro = Rollout(
        obs=torch.zeros(2, 1, 1),
        action=torch.tensor([[1], [0]]),
        reward=torch.tensor([[1.0], [2.0]]),
        next_obs=torch.zeros(2, 1, 1),
        terminated=torch.tensor([[0.0], [1.0]]),
        episode_end=torch.tensor([[0.0], [1.0]]),
    )
    loss, info = a.losses(ro)
    # G = [1 + .5*2, 2] = [2, 2] ; loss = -mean(G * log .5) = 2 log 2
    assert info["return_mean"].item() == pytest.approx(2.0)
    assert loss.item() == pytest.approx(2 * math.log(2))
