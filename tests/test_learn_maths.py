"""The maths-toolbox explorers' numbers (#14, #15, #17-#19) against closed forms, Monte
Carlo, finite differences and autograd."""

import math

import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

from rlcore.core import ops
from rlcore.learn import maths as mt

# -- #14 KL --------------------------------------------------------------------------------


@pytest.mark.parametrize("p, q", [((0, 1), (1, 2)), ((-1, 0.5), (2, 1.5)), ((0.3, 2), (0.3, 2))])
def test_kl_closed_form_matches_torch_and_monte_carlo(p, q):
    kl = mt.kl_gaussian(*p, *q)
    assert kl == pytest.approx(kl_divergence(Normal(*p), Normal(*q)).item(), abs=1e-6)
    mc, se = mt.kl_monte_carlo(*p, *q, n=200_000, seed=0)
    assert abs(mc - kl) < 4 * se + 1e-9
    x = np.linspace(-15, 15, 30_001)
    assert np.trapezoid(mt.kl_integrand(x, *p, *q), x) == pytest.approx(kl, abs=1e-6)


def test_kl_is_not_a_distance():
    p, q, r = (0.0, 1.0), (1.0, 2.0), (2.0, 1.0)
    assert mt.kl_gaussian(*p, *p) == 0.0
    pq, qp = mt.kl_gaussian(*p, *q), mt.kl_gaussian(*q, *p)
    assert pq == pytest.approx(math.log(2) + 2 / 8 - 0.5)  # by hand
    assert qp == pytest.approx(-math.log(2) + 5 / 2 - 0.5)
    assert pq != pytest.approx(qp)  # not symmetric
    assert mt.kl_gaussian(*p, *r) > pq + mt.kl_gaussian(*q, *r)  # no triangle inequality
    # equal variances: the one case where it is symmetric
    assert mt.kl_gaussian(0, 1, 2, 1) == pytest.approx(mt.kl_gaussian(2, 1, 0, 1))


# -- #15 dual gradient descent ------------------------------------------------------------


@pytest.mark.parametrize("limit", [1.0, 2.0, 4.0])
def test_dual_ascent_reaches_the_kkt_solution(limit):
    torch.set_num_threads(1)
    x_star, lam_star = mt.dual_solution(limit)
    # KKT by hand: stationarity grad f + lam grad g = 0, complementary slackness
    grad_f = 2 * (x_star - np.array([2.0, 1.0]))
    assert np.allclose(grad_f + lam_star * np.ones(2), 0.0)
    assert lam_star * (x_star.sum() - limit) == pytest.approx(0.0)
    toy = mt.DualAscentToy(mt.DualToyConfig(limit=limit))
    toy.step(2000)
    # Adam keeps jittering around the saddle point (as SAC's alpha): average the iterates
    h = {k: np.asarray(v[-800:]) for k, v in toy.history.items()}
    assert np.allclose([h["x1"].mean(), h["x2"].mean()], x_star, atol=0.03)
    assert h["multiplier"].mean() == pytest.approx(lam_star, abs=0.05)
    assert np.abs(h["x1"] - x_star[0]).max() < 0.3  # and it stays close


@pytest.mark.parametrize("start, sign", [((3.0, 3.0), 1), ((-2.0, -2.0), -1)])
def test_multiplier_rises_while_violated_and_falls_while_satisfied(start, sign):
    toy = mt.DualAscentToy(mt.DualToyConfig(limit=1.0, start=start, multiplier0=1.0))
    toy.step(10)
    g = np.asarray(toy.history["violation"][1:])
    assert np.all(np.sign(g) == sign)  # the constraint stayed violated / satisfied
    lam = np.asarray(toy.history["multiplier"])
    assert np.all(np.sign(np.diff(lam)) == sign)


def test_dual_loss_gradient_is_minus_the_violation():
    lam = torch.tensor(0.7, requires_grad=True)
    ops.dual_loss(lam, torch.tensor(0.3)).backward()
    assert lam.grad.item() == pytest.approx(-0.3)  # descent raises lam when g > 0


# -- #17 covariance -------------------------------------------------------------------------


@pytest.mark.parametrize("s1, s2, rho", [(1, 2, 0.7), (0.5, 1.5, -0.9), (2, 1, 0.0)])
def test_inner_product_variance_matches_sampling(s1, s2, rho):
    cov = mt.covariance_2d(s1, s2, rho)
    b = np.array([1.0, -0.5])
    a = mt.sample_gaussian(cov, 200_000, seed=0, mean=np.array([3.0, -1.0]))
    want = b[0] ** 2 * s1**2 + b[1] ** 2 * s2**2 + 2 * b[0] * b[1] * rho * s1 * s2  # by hand
    assert mt.inner_product_variance(cov, b) == pytest.approx(want)
    assert mt.mc_inner_product_variance(a, b) == pytest.approx(want, rel=0.02)
    assert np.allclose(np.cov(a.T), cov, atol=0.03 * max(s1, s2) ** 2)


def test_covariance_eigenvalues_are_nonnegative_and_sum_to_the_trace():
    rng = np.random.default_rng(0)
    for d in (2, 3, 5):
        m = rng.normal(size=(d, d))
        cov = m @ m.T  # every covariance has this form
        lam, vec = mt.eig_psd(cov)
        assert lam.min() >= -1e-10
        assert lam.sum() == pytest.approx(np.trace(cov))
        for k in range(d):  # each eigenvalue is the variance along its eigenvector
            assert vec[:, k] @ cov @ vec[:, k] == pytest.approx(lam[k])
        x = rng.normal(size=(50, d)) @ m.T
        assert np.linalg.eigvalsh(np.cov(x.T)).min() >= -1e-10  # sample covariances too
    for rho in (-1.0, 1.0):  # singular: semi-definite, one eigenvalue exactly 0
        lam, _ = mt.eig_psd(mt.covariance_2d(1.0, 2.0, rho))
        assert lam[0] == pytest.approx(0.0, abs=1e-12) and lam[1] == pytest.approx(5.0)


def test_trace_is_the_total_variance_and_directions_lie_between_eigenvalues():
    cov = mt.covariance_2d(1.0, 2.0, 0.7)
    a = mt.sample_gaussian(cov, 200_000, seed=1)
    assert mt.total_variance(a) == pytest.approx(np.trace(cov), rel=0.02)
    lam, _ = mt.eig_psd(cov)
    dv = mt.directional_variance(cov, np.linspace(0, np.pi, 3601))
    assert dv.min() == pytest.approx(lam[0], abs=1e-5)
    assert dv.max() == pytest.approx(lam[1], abs=1e-5)
    b = np.array([0.3, -1.7])
    v = mt.inner_product_variance(cov, b)
    assert lam[0] * (b @ b) <= v <= lam[1] * (b @ b)
    assert np.linalg.norm(b) == pytest.approx(math.sqrt(0.09 + 2.89))
    with pytest.raises(ValueError):
        mt.covariance_2d(1, 1, 1.5)


# -- #18 backpropagation --------------------------------------------------------------------


@pytest.mark.parametrize("activation", list(mt.ACTIVATIONS))
@pytest.mark.parametrize("hidden", [1, 3])
def test_hand_backward_matches_autograd_and_finite_differences(activation, hidden):
    params = mt.init_two_layer(hidden, seed=hidden)
    x, y = 0.8, -0.4
    fwd = mt.forward_pass(params, x, y, activation)
    hand = mt.backward_by_hand(params, fwd, x, y, activation)
    auto = mt.backward_autograd(params, x, y, activation)
    assert set(hand) == set(auto)
    for k in hand:
        assert np.allclose(hand[k], auto[k], atol=1e-12), k
    eps = 1e-6
    for name in mt.PARAMS:  # central differences: a check that needs no autograd at all
        for i in range(len(params[name])):
            hi = {k: v.copy() for k, v in params.items()}
            lo = {k: v.copy() for k, v in params.items()}
            hi[name][i] += eps
            lo[name][i] -= eps
            num = (
                mt.forward_pass(hi, x, y, activation)["loss"][0]
                - mt.forward_pass(lo, x, y, activation)["loss"][0]
            ) / (2 * eps)
            assert hand[name][i] == pytest.approx(num, abs=1e-6), (name, i)
    num_x = (
        mt.forward_pass(params, x + eps, y, activation)["loss"][0]
        - mt.forward_pass(params, x - eps, y, activation)["loss"][0]
    ) / (2 * eps)
    assert hand["x"][0] == pytest.approx(num_x, abs=1e-6)


def test_forward_pass_by_hand():
    params = {
        "w1": np.array([2.0]),
        "b1": np.array([0.0]),
        "w2": np.array([3.0]),
        "b2": np.array([1.0]),
    }
    fwd = mt.forward_pass(params, 0.5, 0.0, "relu")
    assert fwd["z"][0] == 1.0 and fwd["h"][0] == 1.0 and fwd["y_hat"][0] == 4.0
    assert fwd["loss"][0] == 8.0


# -- #19 t.max(dim) ---------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1])
def test_max_along_dim(dim):
    t = mt.example_tensor(4, 5, seed=3)
    values, indices, mask = mt.max_along(t, dim)
    a = t.numpy()
    assert np.array_equal(values.numpy(), a.max(dim))
    assert np.array_equal(indices.numpy(), a.argmax(dim))  # first maximum on ties, as numpy
    assert torch.equal(t.gather(dim, indices.unsqueeze(dim)).squeeze(dim), values)
    assert np.array_equal(mask.sum(dim).numpy(), np.ones(a.shape[1 - dim]))
    assert values.shape == (a.shape[1 - dim],)
    assert t.max(dim, keepdim=True).values.shape[dim] == 1


def test_max_ties_return_the_first_index():
    t = torch.tensor([[3, 7, 7], [7, 1, 7]])
    _, idx, _ = mt.max_along(t, 1)
    assert idx.tolist() == [1, 0]
