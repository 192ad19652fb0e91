"""PPO and TRPO agents: their losses and steps against values computed by hand."""

import math

import gymnasium as gym
import pytest
import torch
import torch.nn.functional as F

from helpers import Table, box, obs_box
from rlcore.algos.on_policy import PreparedRollout
from rlcore.algos.ppo import PPO, PPOConfig
from rlcore.algos.trpo import TRPO, TRPOConfig
from rlcore.core.ops import categorical_kl
from rlcore.core.types import Rollout

S0, S1 = [1.0, 0.0], [0.0, 1.0]


def tabular(cls, cfg, logits, values):
    """Agent on one-hot states whose actor and critic are tables we can compute by hand."""
    agent = cls(obs_box(2), gym.spaces.Discrete(2), cfg)
    agent.actor = Table(logits)
    agent.critic = Table([[v] for v in values])
    agent.actor_params = list(agent.actor.parameters())
    return agent


def test_ppo_minibatch_loss_by_hand():
    cfg = PPOConfig(clip_range=0.2, vf_coef=0.5, ent_coef=0.1, normalize_advantage=False)
    agent = tabular(PPO, cfg, [[0.0, 0.0], [0.0, 0.0]], [1.0, 2.0])
    # pi = (1/2, 1/2) in both states; the rollout's policy had pi_old(a) = 0.25 and 0.8
    old = torch.log(torch.tensor([0.25, 0.8]))
    data = PreparedRollout(
        obs=torch.tensor([S0, S1]),
        action=torch.tensor([0, 1]),
        old_log_prob=old,
        old_values=torch.tensor([1.0, 2.0]),
        advantage=torch.tensor([1.0, -1.0]),
        returns=torch.tensor([3.0, 2.0]),
        old_dist=(torch.zeros(2, 2),),
    )
    loss, terms = agent.losses(data, torch.tensor([0, 1]), clip=0.2)
    # ratios 2.0 and 0.625: A=+1 -> min(2, 1.2) = 1.2 ; A=-1 -> min(-0.625, -0.8) = -0.8
    assert terms.policy_loss.item() == pytest.approx(-(1.2 - 0.8) / 2)
    # values 1, 2 vs returns 3, 2 -> (4 + 0) / 2
    assert terms.value_loss.item() == pytest.approx(2.0)
    assert terms.entropy.item() == pytest.approx(math.log(2))
    assert loss.item() == pytest.approx(-0.2 + 0.5 * 2.0 - 0.1 * math.log(2))
    stats = agent.ratio_stats(terms.log_ratio, clip=0.2)
    assert stats["clip_fraction"].item() == 1.0  # both outside [0.8, 1.2]
    kl = ((2.0 - 1) - math.log(2.0) + (0.625 - 1) - math.log(0.625)) / 2
    assert stats["approx_kl"].item() == pytest.approx(kl)
    assert stats["ratio_max"].item() == pytest.approx(1.0)  # |2 - 1|
    assert stats["ratio_std"].item() == pytest.approx(torch.tensor([2.0, 0.625]).std().item())
    half = agent.ratio_stats(torch.log(torch.tensor([1.1, 0.5])), clip=0.2)
    assert half["clip_fraction"].item() == 0.5


def test_prepare_bootstraps_truncation_only():
    cfg = PPOConfig(gamma=0.5, gae_lambda=1.0, n_envs=1, n_steps=2, batch_size=2)
    agent = tabular(PPO, cfg, [[0.0, 0.0], [0.0, 0.0]], [1.0, 4.0])
    ro = Rollout(
        obs=torch.tensor([[S0], [S0]]),
        action=torch.tensor([[0], [1]]),
        reward=torch.tensor([[1.0], [1.0]]),
        next_obs=torch.tensor([[S1], [S1]]),
        terminated=torch.tensor([[0.0], [0.0]]),
        episode_end=torch.tensor([[1.0], [0.0]]),  # step 0 truncated
    )
    data, _ = agent.prepare(ro)
    # each step: delta = 1 + .5 * V(s1)=4 - V(s0)=1 = 2; the end cuts the sum at step 0
    assert data.advantage.tolist() == pytest.approx([2.0, 2.0])
    assert data.returns.tolist() == pytest.approx([3.0, 3.0])
    assert data.old_log_prob.tolist() == pytest.approx([math.log(0.5)] * 2)
    term = ro._replace(terminated=torch.tensor([[1.0], [0.0]]))
    data, _ = agent.prepare(term)
    assert data.advantage.tolist() == pytest.approx([0.0, 2.0])  # 1 - V(s0): no bootstrap


def trpo_data(agent):
    obs = torch.tensor([S0, S0, S1, S1])
    dist = tuple(d.detach() for d in agent.dist(obs))
    action = torch.tensor([0, 1, 0, 1])
    logp = agent.log_prob(dist, action)
    adv = torch.tensor([1.0, -1.0, -0.5, 0.5])
    zeros = torch.zeros(4)
    return PreparedRollout(obs, action, logp, zeros, adv, zeros, dist)


def test_trpo_step_is_the_natural_gradient_scaled_to_the_kl_ball():
    cfg = TRPOConfig(target_kl=0.01, cg_damping=0.01, cg_max_steps=10, normalize_advantage=False)
    agent = tabular(TRPO, cfg, [[0.3, -0.2], [0.0, 0.5]], [0.0, 0.0])
    data = trpo_data(agent)
    theta0 = agent.actor.t.detach().clone()
    p = F.softmax(theta0, -1)
    # g = d/dtheta mean(rho A) at rho = 1: for state s, action a: (1/4) A (1[a] - p_s)
    g = torch.zeros(2, 2)
    for s, a, adv in ((0, 0, 1.0), (0, 1, -1.0), (1, 0, -0.5), (1, 1, 0.5)):
        g[s] += adv / 4 * (F.one_hot(torch.tensor(a), 2).float() - p[s])
    fisher = torch.block_diag(*[(torch.diag(q) - torch.outer(q, q)) / 2 for q in p])
    # the damped natural gradient (F + lambda I)^-1 g, solved directly
    nat = torch.linalg.solve(fisher + 0.01 * torch.eye(4), g.reshape(-1))
    info = agent.policy_step(data)
    step = (agent.actor.t.detach() - theta0).reshape(-1)
    cos = F.cosine_similarity(step, nat, dim=0)
    assert cos.item() == pytest.approx(1.0, abs=1e-5)
    assert 0 < info["kl"].item() <= cfg.target_kl
    new_logp = F.log_softmax(agent.actor.t.detach(), -1)
    assert info["kl"].item() == pytest.approx(
        categorical_kl(F.log_softmax(theta0, -1), new_logp).mean().item(), rel=1e-4
    )
    assert info["surrogate_improvement"].item() > 0
    assert info["accepted"].item() == 1.0


def test_trpo_keeps_the_policy_when_no_step_improves():
    cfg = TRPOConfig(target_kl=0.01, line_search_max_iter=3, normalize_advantage=False)
    agent = tabular(TRPO, cfg, [[0.3, -0.2], [0.0, 0.5]], [0.0, 0.0])
    data = trpo_data(agent)._replace(advantage=torch.zeros(4))  # nothing to gain
    theta0 = agent.actor.t.detach().clone()
    info = agent.policy_step(data)
    assert torch.equal(agent.actor.t.detach(), theta0)
    assert info["accepted"].item() == 0.0 and info["backtracks"].item() == 3


def test_gaussian_policy_keeps_unclipped_samples_and_clips_for_the_env():
    agent = PPO(obs_box(3), box(1, -0.1, 0.1), PPOConfig(log_std_init=1.0))
    env_a, kept = agent.rollout_actions(torch.zeros(64, 3).numpy())
    assert env_a.shape == kept.shape == (64, 1)
    assert (abs(env_a) <= 0.1).all() and (abs(kept) > 0.1).any()
    assert torch.equal(torch.as_tensor(env_a), torch.as_tensor(kept).clamp(-0.1, 0.1))


def test_gaussian_log_prob_and_kl_match_torch_distributions():
    agent = PPO(obs_box(3), box(2), PPOConfig(log_std_init=-0.5))
    obs = torch.randn(5, 3)
    mean, log_std = agent.dist(obs)
    a = torch.randn(5, 2)
    logp, ent = agent.log_prob((mean, log_std), a), agent.entropy((mean, log_std))
    ref = torch.distributions.Normal(mean, log_std.exp())
    assert torch.allclose(logp, ref.log_prob(a).sum(-1), atol=1e-5)
    assert torch.allclose(ent, ref.entropy().sum(-1), atol=1e-5)
    other = (mean + 0.3, log_std + 0.2)
    kl = torch.distributions.kl_divergence(
        ref, torch.distributions.Normal(*other[:1], other[1].exp())
    )
    assert agent.kl((mean, log_std), other).item() == pytest.approx(
        kl.sum(-1).mean().item(), rel=1e-5
    )


def test_normalize_scales_rewards_by_the_running_return_std():
    cfg = PPOConfig(normalize=True, gamma=0.0, n_envs=2, n_steps=3, batch_size=6)
    agent = PPO(obs_box(1), gym.spaces.Discrete(2), cfg)
    reward = torch.tensor([[1.0, 3.0], [1.0, 3.0], [1.0, 3.0]])
    ends = torch.zeros(3, 2)
    scaled = agent._scale_rewards(reward, ends)
    # gamma 0: the "return" is the reward; after the first step its variance is ~1
    # (rewards 1 and 3 around 2), and stays 1 -> each reward divided by ~1
    assert scaled[-1].tolist() == pytest.approx([1.0, 3.0], rel=1e-3)
    obs = torch.tensor([[[0.0], [2.0]], [[4.0], [6.0]]])
    agent._update_obs_stats(obs.reshape(-1, 1))
    assert agent.obs_mean.item() == pytest.approx(3.0, rel=1e-4)
    assert agent.obs_std.item() == pytest.approx(math.sqrt(5.0), rel=1e-4)
    assert agent.normalize_obs


def test_ppo_and_trpo_declare_their_facts_and_share_an_unregistered_base():
    from rlcore.algos.on_policy import ActorCritic
    from rlcore.algos.registry import AGENT_CLASSES, compatible

    assert ActorCritic not in AGENT_CLASSES and PPO in AGENT_CLASSES and TRPO in AGENT_CLASSES
    for cls in (PPO, TRPO):
        assert (cls.setting, cls.loop, cls.action_space) == ("online", "rollout", "both")
    assert (PPO.name, TRPO.name) == ("ppo", "trpo")
    assert compatible("ppo", "Pendulum-v1") and compatible("trpo", "CartPole-v1")


def test_clip_and_norm_matches_torch_clip_grad_norm_to_the_bit():
    from torch import nn

    from rlcore.algos.base import clip_and_norm

    g = torch.Generator().manual_seed(0)
    for scale in (0.01, 100.0):  # below and above the clip
        ps = [nn.Parameter(torch.randn(*s, generator=g)) for s in [(8, 4), (8,), (2, 8)]]
        for p in ps:
            p.grad = scale * torch.randn(p.shape, generator=g)
        qs = [nn.Parameter(p.detach().clone()) for p in ps]
        for p, q in zip(ps, qs):
            q.grad = p.grad.clone()
        assert clip_and_norm(ps, 0.5).item() == nn.utils.clip_grad_norm_(qs, 0.5).item()
        assert all(torch.equal(p.grad, q.grad) for p, q in zip(ps, qs))
