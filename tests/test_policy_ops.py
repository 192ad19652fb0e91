"""PPO/TRPO maths in rlcore.core.ops against values computed by hand on tiny tensors."""

import math

import pytest
import torch
import torch.nn.functional as F

from rlcore.core import ops


def test_clipped_surrogate_positive_advantage_by_hand():
    ratio = torch.tensor([0.5, 1.0, 1.5], requires_grad=True)
    obj = ops.clipped_surrogate(ratio, torch.tensor(2.0), clip=0.2)
    # min(r A, clip(r) A): 0.5 -> min(1.0, 1.6) ; 1.0 -> 2 ; 1.5 -> min(3.0, 2.4)
    assert obj.tolist() == pytest.approx([1.0, 2.0, 2.4])
    obj.sum().backward()
    # above 1 + eps the gain is capped (zero gradient); below 1 - eps it is not (A > 0:
    # a worse action probability is always pushed back up)
    assert ratio.grad.tolist() == pytest.approx([2.0, 2.0, 0.0])


def test_clipped_surrogate_negative_advantage_by_hand():
    ratio = torch.tensor([0.5, 1.0, 1.5], requires_grad=True)
    obj = ops.clipped_surrogate(ratio, torch.tensor(-2.0), clip=0.2)
    # min(r A, clip(r) A): 0.5 -> min(-1.0, -1.6) ; 1.0 -> -2 ; 1.5 -> min(-3.0, -2.4)
    assert obj.tolist() == pytest.approx([-1.6, -2.0, -3.0])
    obj.sum().backward()
    assert ratio.grad.tolist() == pytest.approx([0.0, -2.0, -2.0])


def test_approx_kl_k3_by_hand():
    log_ratio = torch.tensor([0.0, math.log(2.0)])
    # (rho - 1) - log rho: 0 and 1 - log 2
    assert ops.approx_kl(log_ratio).item() == pytest.approx((1 - math.log(2)) / 2)


def test_gae_by_hand_recursion_with_truncation_and_termination():
    # two envs, 3 steps, gamma 0.9, lambda 0.5
    # env 0: step 1 is truncated (bootstrap V(true final obs) = 2.0, no carry to step 2)
    # env 1: step 1 is terminated (no bootstrap, no carry)
    g, lam = 0.9, 0.5
    r = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    v = torch.tensor([[1.0, 0.5], [1.5, 0.5], [1.0, 1.0]])
    nv = torch.tensor([[1.5, 0.5], [2.0, 9.0], [3.0, 1.0]])  # 9.0 must be ignored
    term = torch.tensor([[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    end = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    adv = ops.gae(r, v, nv, term, end, g, lam)
    # env 0 by hand
    d2 = 0.0 + g * 3.0 - 1.0  # 1.7
    d1 = 1.0 + g * 2.0 - 1.5  # 1.3 (truncated: bootstrapped)
    d0 = 1.0 + g * 1.5 - 1.0  # 1.35
    a2, a1 = d2, d1  # the end cuts the recursion
    a0 = d0 + g * lam * a1
    # env 1 by hand
    e2 = 2.0 + g * 1.0 - 1.0  # 1.9
    e1 = 1.0 - 0.5  # 0.5 (terminated: no bootstrap)
    e0 = 0.0 + g * 0.5 - 0.5  # -0.05
    b0 = e0 + g * lam * e1
    expected = torch.tensor([[a0, b0], [a1, e1], [a2, e2]])
    assert torch.allclose(adv, expected)


def test_clipped_value_loss_by_hand():
    values = torch.tensor([1.0, 3.0])
    old = torch.tensor([2.0, 2.0])
    ret = torch.tensor([0.0, 0.0])
    # unclipped errors 1, 9; clipped values 1.5, 2.5 -> 2.25, 6.25; max -> 2.25, 9
    assert ops.clipped_value_loss(values, old, ret, 0.5).item() == pytest.approx((2.25 + 9.0) / 2)
    assert ops.clipped_value_loss(values, old, ret, None).item() == pytest.approx(5.0)


def test_explained_variance_by_hand():
    y = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert ops.explained_variance(y, y).item() == pytest.approx(1.0)
    assert ops.explained_variance(torch.full((4,), 2.5), y).item() == pytest.approx(0.0)
    pred = torch.tensor([1.0, 2.0, 3.0, 2.0])  # residual (0, 0, 0, 2): var 1 vs var(y) 5/3
    assert ops.explained_variance(pred, y).item() == pytest.approx(1 - 1 / (5 / 3))


def test_kl_of_categoricals_and_gaussians():
    lp = torch.log(torch.tensor([0.5, 0.5]))
    lq = torch.log(torch.tensor([0.9, 0.1]))
    assert ops.categorical_kl(lp, lq).item() == pytest.approx(
        0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    )
    mp, sp = torch.tensor([0.0, 1.0]), torch.tensor([0.0, -1.0])
    mq, sq = torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.0])
    ref = torch.distributions.kl_divergence(
        torch.distributions.Normal(mp, sp.exp()), torch.distributions.Normal(mq, sq.exp())
    ).sum()
    assert ops.gaussian_kl(mp, sp, mq, sq).item() == pytest.approx(ref.item())


def test_fisher_vector_product_matches_exact_fisher_of_tabular_softmax():
    # pi(a|s) = softmax(theta[s]); 2 states x 3 actions; KL averaged over the two states
    theta = torch.tensor([[0.2, -0.4, 1.0], [0.0, 0.3, -0.1]], requires_grad=True)
    logp = F.log_softmax(theta, -1)
    kl = ops.categorical_kl(logp.detach(), logp).mean()
    fvp = ops.fisher_vector_product(kl, [theta], damping=0.1)
    # exact Fisher of a softmax in its logits: diag(p) - p p^T, per state, / 2 (mean)
    p = logp.exp().detach()
    fisher = torch.block_diag(*[(torch.diag(q) - torch.outer(q, q)) / 2 for q in p])
    for v in torch.eye(6):
        assert torch.allclose(fvp(v), fisher @ v + 0.1 * v, atol=1e-6)


def test_conjugate_gradient_matches_direct_solve():
    g = torch.Generator().manual_seed(0)
    m = torch.randn(5, 5, generator=g, dtype=torch.float64)
    a = m @ m.T + 0.5 * torch.eye(5, dtype=torch.float64)
    b = torch.randn(5, generator=g, dtype=torch.float64)
    x, res = ops.conjugate_gradient(lambda v: a @ v, b, iters=5)  # exact in n steps
    assert torch.allclose(x, torch.linalg.solve(a, b), atol=1e-8)
    assert res.item() < 1e-6
    x2, res2 = ops.conjugate_gradient(lambda v: a @ v, b, iters=2)
    assert res2.item() == pytest.approx(torch.linalg.norm(b - a @ x2).item(), rel=1e-6)
    assert res2.item() > 1e-3  # two iterations are not enough: the residual says so


def test_line_search_accepts_only_steps_within_the_kl_ball():
    tried = []

    def evaluate(frac):  # improvement grows with the step, KL is quadratic in it
        tried.append(frac)
        return frac, 2.0 * frac**2

    res = ops.backtracking_line_search(evaluate, max_kl=0.5, shrink=0.8, max_backtracks=10)
    # 1, .8, .64, .512 give KL 2, 1.28, .82, .524 > .5: rejected; .4096 -> .3355 accepted
    assert tried == pytest.approx([1.0, 0.8, 0.64, 0.512, 0.4096])
    assert res.backtracks == 4 and res.fraction == pytest.approx(0.4096)
    assert res.kl == pytest.approx(2 * 0.4096**2) and res.kl <= 0.5
    assert res.improvement == pytest.approx(0.4096)


def test_line_search_rejects_steps_that_do_not_improve():
    res = ops.backtracking_line_search(lambda f: (-f, 0.0), max_kl=0.5, max_backtracks=3)
    assert res == ops.LineSearchResult(0.0, 3, 0.0, 0.0)


def test_running_moments_match_the_whole_data():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(7, 3, generator=g), torch.randn(5, 3, generator=g) + 2
    mean, var, n = ops.running_moments(torch.zeros(3), torch.ones(3), torch.tensor(0.0), a)
    mean, var, n = ops.running_moments(mean, var, n, b)
    both = torch.cat([a, b])
    assert n.item() == 12
    assert torch.allclose(mean, both.mean(0), atol=1e-6)
    assert torch.allclose(var, both.var(0, unbiased=False), atol=1e-5)
