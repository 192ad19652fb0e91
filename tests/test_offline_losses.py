"""Offline loss terms against hand-computed values on tiny tensors."""

import math

import gymnasium as gym
import pytest
import torch

from helpers import Fixed, Table, box, obs_box
from rlcore.algos.awac import AWAC, AWACConfig
from rlcore.algos.cql import CQL, CQLConfig
from rlcore.algos.cql_discrete import DiscreteCQL, DiscreteCQLConfig
from rlcore.algos.edac import EDAC, EDACConfig
from rlcore.algos.iql import IQL, IQLConfig
from rlcore.algos.td3_bc import TD3BC, TD3BCConfig
from rlcore.core.nn import EnsembleCritic, EnsembleLayerNorm
from rlcore.core.ops import edac_diversity
from rlcore.core.types import Batch


def batch2():
    return Batch(
        torch.tensor([[0.0], [1.0]]),
        torch.tensor([[0.5], [-0.5]]),
        torch.tensor([1.0, 0.0]),
        torch.tensor([[1.0], [0.0]]),
        torch.tensor([0.0, 1.0]),
    )


def test_td3_bc_lambda_normalises_q_by_its_mean_magnitude():
    a = TD3BC(obs_box(1), box(1, -2.0, 2.0), TD3BCConfig(bc_alpha=2.5))
    a.actor = Fixed(torch.tensor([[1.0], [-1.0]]))
    a.actor.action_scale = torch.tensor([2.0])
    a.critic = Fixed(torch.tensor([[-4.0, 2.0], [9.0, 9.0]]))
    loss, info = a.actor_loss(
        Batch(
            torch.zeros(2, 1),
            torch.tensor([[0.0], [1.0]]),
            torch.zeros(2),
            torch.zeros(2, 1),
            torch.zeros(2),
        )
    )
    lam = 2.5 / 3.0  # mean |Q_1| = (4 + 2) / 2
    bc = ((0.5**2) + (1.0**2)) / 2  # (pi - a) / scale = [0.5, -1]
    assert info["bc_lambda"].item() == pytest.approx(lam)
    assert loss.item() == pytest.approx(-lam * (-1.0) + bc)


def test_discrete_cql_penalty_by_hand():
    a = DiscreteCQL(obs_box(2), gym.spaces.Discrete(2), DiscreteCQLConfig(gamma=0.9, cql_alpha=2.0))
    a.q = Table([[1.0, 2.0], [3.0, 4.0]])
    a.q_target = Table([[0.5, 1.5], [2.0, 1.0]])
    b = Batch(
        torch.tensor([[1.0, 0.0]]),
        torch.tensor([1]),
        torch.tensor([1.0]),
        torch.tensor([[0.0, 1.0]]),
        torch.tensor([0.0]),
    )
    loss, info = a.critic_loss(b)
    penalty = math.log(math.e + math.e**2) - 2.0  # LSE over both actions minus Q(s, a_data)
    assert info["cql_penalty"].item() == pytest.approx(penalty)
    assert loss.item() == pytest.approx(0.32 + 2.0 * penalty)  # huber TD (see DQN test)


def cql_agent(**kw):
    torch.manual_seed(0)
    return CQL(obs_box(1), box(1, -1.0, 1.0), CQLConfig(cql_n_actions=2, **kw))


def test_cql_penalty_matches_importance_sampled_lse_by_hand():
    a = cql_agent()
    # every sampled Q is 1, the data Q is 0; policy log-densities are 0 (density 1)
    a.actor.sample = lambda obs, n: (torch.zeros(len(obs), n, 1), torch.zeros(len(obs), n))
    acts, log_mu = a.sampled_actions(batch2())
    assert acts.shape == (2, 6, 1)
    # uniform on [-1, 1]: density 1/2 -> log mu = -log 2 for the first M=2 columns
    want_mu = torch.tensor([[-math.log(2)] * 2 + [0.0] * 4] * 2)
    assert torch.allclose(log_mu, want_mu)
    pen, info = a.cql_penalty(torch.ones(2, 2, 6), log_mu, torch.zeros(2, 2))
    # 3M = 6 samples: Q - log(1/2) = 1 + log 2 (x2), policy 1 (x4), averaged (- log 3M)
    want = math.log((2 * math.exp(1 + math.log(2)) + 4 * math.e) / 6)
    assert pen.tolist() == pytest.approx([want, want])
    assert info["q_data_mean"].item() == 0.0


def test_policy_sample_matches_repeated_forward_in_distribution():
    from rlcore.core.nn import TanhGaussianActor

    torch.manual_seed(0)
    actor = TanhGaussianActor(2, box(1, -2.0, 2.0).low, box(1, -2.0, 2.0).high, (8,))
    obs = torch.randn(3, 2)
    a, logp = actor.sample(obs, 4000)
    assert a.shape == (3, 4000, 1) and logp.shape == (3, 4000)
    # the log-densities agree with log_prob of the same actions, state by state
    for i in range(3):
        assert torch.allclose(logp[i], actor.log_prob(obs[i].expand(4000, 2), a[i]), atol=1e-3)
    # and the sample mean matches repeated forward passes
    b, _ = actor(obs.repeat_interleave(4000, 0))
    assert torch.allclose(a.mean(1), b.view(3, 4000, 1).mean(1), atol=0.05)


def test_cql_pushes_down_off_data_and_up_on_data():
    a = cql_agent(cql_alpha=1.0)
    b = batch2()
    acts, log_mu = a.sampled_actions(b)
    obs = b.obs.repeat_interleave(6, 0)
    q_data = a.critic(b.obs, b.action)
    q_s = a.critic(obs, acts.reshape(12, 1)).view(2, 2, 6)
    pen, _ = a.cql_penalty(q_s, log_mu, q_data)
    a.critic_opt.zero_grad()
    pen.sum().backward()
    # gradient descent on the penalty: d/dQ_data = -1 per sample -> Q on data rises
    before = a.critic(b.obs, b.action).detach().clone()
    a.critic_opt.step()
    assert (a.critic(b.obs, b.action).detach() > before).all()


def test_cql_lagrange_weight_rises_while_penalty_exceeds_threshold():
    a = cql_agent(lagrange=True, target_action_gap=-10.0)  # penalty > -10: violated
    w0 = a.cql_weight().item()
    for _ in range(3):
        a.critic_step(batch2())
    assert a.cql_weight().item() > w0
    b = cql_agent(lagrange=True, target_action_gap=50.0)  # penalty < 50: satisfied
    for _ in range(3):
        b.critic_step(batch2())
    assert b.cql_weight().item() < w0


def test_iql_value_loss_is_expectile_of_target_q_minus_v():
    a = IQL(obs_box(1), box(), IQLConfig(expectile=0.9))
    a.critic_target = Fixed(torch.tensor([[3.0, -1.0], [2.0, 1.0]]))  # min -> [2, -1]
    a.value = Fixed(torch.tensor([[1.0], [0.0]]))
    loss, _, adv = a.value_loss(batch2())
    # u = [2 - 1, -1 - 0] = [1, -1] -> weights [.9, .1]
    assert loss.item() == pytest.approx((0.9 * 1 + 0.1 * 1) / 2)
    assert adv.tolist() == [1.0, -1.0]


def test_iql_actor_weights_are_clipped_exponentiated_advantages():
    a = IQL(obs_box(1), box(), IQLConfig(beta=2.0, max_weight=5.0))
    a.actor.log_prob = lambda obs, act: torch.tensor([-1.0, -2.0])
    loss, info = a.actor_loss(batch2(), torch.tensor([0.0, 3.0]))
    # w = [e^0, min(e^6, 5)] = [1, 5]
    assert info["weight_max"].item() == 5.0
    assert loss.item() == pytest.approx(-(1 * -1.0 + 5 * -2.0) / 2)


def test_iql_joint_step_equals_three_separate_steps_in_corls_order():
    # CORL's IQL: V(s') and the advantages are taken before V's update, then V, Q and pi
    # each take one Adam step on their own loss; our one backward + one Adam must match
    torch.manual_seed(0)
    a = IQL(obs_box(1), box(), IQLConfig(hidden=(8, 8), lr=0.01))
    ref = IQL(obs_box(1), box(), IQLConfig(hidden=(8, 8), lr=0.01))
    ref.load_state_dict(a.state_dict())
    nets = (ref.value, ref.critic, ref.actor)
    opts = [torch.optim.Adam(n.parameters(), lr=0.01) for n in nets]
    b = batch2()
    for _ in range(3):
        v_loss, _, adv = ref.value_loss(b)
        q_loss, _ = ref.critic_loss(b)  # V(s') of the pre-update V
        a_loss, _ = ref.actor_loss(b, adv)
        for net, opt, loss in zip(nets, opts, (v_loss, q_loss, a_loss)):
            grads = torch.autograd.grad(loss, list(net.parameters()))
            for p, g in zip(net.parameters(), grads):
                p.grad = g
            opt.step()
        with torch.no_grad():
            for t, s in zip(ref.critic_target.parameters(), ref.critic.parameters()):
                t.lerp_(s, ref.cfg.tau)
        a.update(b)
    for (name, x), y in zip(a.state_dict().items(), ref.state_dict().values()):
        assert torch.allclose(x, y, atol=1e-6), name


def test_awac_uses_advantage_against_policy_value():
    a = AWAC(obs_box(1), box(), AWACConfig(beta=1.0, max_weight=100.0))
    calls = iter([torch.tensor([[1.0, 1.0]]), torch.tensor([[2.0, 0.0]])])
    a.critic = Fixed(torch.zeros(1, 2))
    a.critic.forward = lambda *args: next(calls)  # first Q(s, pi), then Q(s, a_data)
    a.actor.log_prob = lambda obs, act: torch.tensor([-1.0, -1.0])
    loss, info, _ = a.actor_loss(batch2())
    # adv = [2 - 1, 0 - 1] -> w = [e, 1/e]
    assert info["advantage_mean"].item() == pytest.approx(0.0)
    assert loss.item() == pytest.approx((math.e + math.exp(-1)) / 2)


def test_edac_diversity_term_is_added_with_eta():
    torch.manual_seed(0)
    a = EDAC(obs_box(2), box(2), EDACConfig(n_critics=3, eta=0.0, hidden=(8,)))
    b = Batch(
        torch.randn(5, 2),
        torch.rand(5, 2) * 2 - 1,
        torch.randn(5),
        torch.randn(5, 2),
        torch.zeros(5),
    )
    torch.manual_seed(1)
    l0, info = a.critic_loss(b)
    assert l0.item() == pytest.approx(info["td_loss"].item())
    a.set_member_configs([EDACConfig(n_critics=3, eta=2.0, hidden=(8,))])  # (its η)
    torch.manual_seed(1)
    l2, info2 = a.critic_loss(b)
    want = info2["td_loss"].item() + 2.0 * info2["diversity_loss"].item()
    assert l2.item() == pytest.approx(want, rel=1e-5)
    assert -1.0 <= info2["diversity_loss"].item() / 2 <= 2.0  # cosine sims / (N-1)


def test_edac_diversity_has_no_gradient_for_one_action_dimension():
    # unit-normalised 1-D gradients are +-1: the cosine term is flat (EDAC == SAC-N there)
    torch.manual_seed(0)
    for dim, flat in ((1, True), (2, False)):
        g = torch.randn(4, 8, dim, requires_grad=True)
        (d,) = torch.autograd.grad(edac_diversity(g)[0], g)
        assert (d.abs().max().item() < 1e-5) == flat


def test_edac_skips_the_flat_diversity_backward_with_one_action_dimension():
    # with 1-D actions the term's gradient is zero (up to the normalisation's epsilon):
    # skipping its double backward must give the same loss and the same critic gradients
    def grads(action_dim, trains=None):
        torch.manual_seed(0)
        a = EDAC(obs_box(3), box(action_dim), EDACConfig(n_critics=4, eta=1.0, hidden=(16, 16)))
        if trains is not None:
            a.diversity_trains = lambda: trains
        b = Batch(
            torch.randn(32, 3),
            torch.rand(32, action_dim) * 2 - 1,
            torch.randn(32),
            torch.randn(32, 3),
            torch.zeros(32),
        )
        loss, info = a.critic_loss(b)
        loss.backward()
        g = torch.cat([p.grad.flatten() for p in a.critic.parameters()])
        return loss.item(), info["diversity_loss"].item(), g

    assert not EDAC(obs_box(3), box(1), EDACConfig(n_critics=2)).diversity_trains()
    assert not EDAC(obs_box(3), box(2), EDACConfig(n_critics=2, eta=0.0)).diversity_trains()
    assert EDAC(obs_box(3), box(2), EDACConfig(n_critics=2)).diversity_trains()
    loss, div, g = grads(1)
    loss_full, div_full, g_full = grads(1, trains=True)
    assert (loss, div) == pytest.approx((loss_full, div_full))
    assert div != 0.0  # the term is still computed and logged
    assert torch.allclose(g, g_full, rtol=1e-4, atol=1e-5)  # the epsilon's trace: ~4e-6
    # with 2-D actions the term does train the critics: leaving it out changes the gradient
    assert not torch.allclose(grads(2)[2], grads(2, trains=False)[2], atol=1e-3)


def test_ensemble_layer_norm_uses_each_members_own_gain_and_shift():
    torch.manual_seed(0)
    ln = EnsembleLayerNorm(4, 3)
    with torch.no_grad():
        ln.weight.normal_()
        ln.bias.normal_()
    x = torch.randn(3, 5, 4)
    for i in range(3):
        mu = x[i].mean(-1, keepdim=True)
        var = x[i].var(-1, unbiased=False, keepdim=True)
        want = (x[i] - mu) / torch.sqrt(var + 1e-5) * ln.weight[i] + ln.bias[i]
        torch.testing.assert_close(ln(x)[i], want)


def test_layer_norm_critic_keeps_q_within_its_last_layers_bound_far_from_the_data():
    # normalised features are at most sqrt(d-1) in size, so |Q| <= sum_j |w_j| (|g_j|
    # sqrt(d-1) + |b_j|) + |b| wherever the input lies; a plain critic grows with the input
    torch.manual_seed(0)
    far = torch.randn(64, 3) * 1e4, torch.randn(64, 1) * 1e4
    for layer_norm in (True, False):
        torch.manual_seed(1)
        critic = EnsembleCritic(3, 1, [16, 16], n=2, layer_norm=layer_norm)
        q = critic(*far).detach()
        last = critic.net[-1]
        if layer_norm:
            norm = critic.net[-3]
            feat = (norm.weight.abs() * math.sqrt(16 - 1) + norm.bias.abs()).squeeze(1)
            w_last = last.weight.squeeze(-1).abs()  # [N, 16]
            bound = (feat * w_last).sum(-1) + last.bias.abs().flatten()  # [N]
            assert (q.abs() <= bound.unsqueeze(1) + 1e-4).all()
            assert bound.max().item() < 20
        else:
            assert q.abs().max().item() > 100


@pytest.mark.parametrize("layer_norm", [False, True])
def test_one_critic_member_is_that_row_of_the_ensemble(layer_norm):
    """``member(i)`` (the TD3/DDPG actor's critic) = ``critic(...)[i]``, value and gradient."""
    torch.manual_seed(0)
    critic = EnsembleCritic(3, 2, [16, 8], n=3, layer_norm=layer_norm)
    obs = torch.randn(5, 3)
    for i in range(3):
        a1 = torch.randn(5, 2, generator=torch.Generator().manual_seed(i), requires_grad=True)
        a2 = a1.detach().clone().requires_grad_(True)
        q1, q2 = critic.member(i, obs, a1), critic(obs, a2)[i]
        torch.testing.assert_close(q1, q2, rtol=1e-5, atol=1e-6)
        q1.sum().backward()
        q2.sum().backward()
        torch.testing.assert_close(a1.grad, a2.grad, rtol=1e-5, atol=1e-6)
