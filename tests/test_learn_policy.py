"""Policy explorers (#6 reparameterization, #7 SAC alpha, #8 policy gradient) vs closed forms."""

import math

import numpy as np
import pytest
import torch

from rlcore.learn import policy as cp


@pytest.mark.parametrize("name", list(cp.FUNCTIONS))
def test_closed_form_gradients_match_quadrature(name):
    # E[f(x)] by Gauss-Hermite quadrature, then a central finite difference in mu
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    f = cp.FUNCTIONS[name][0]

    def expect(mu, sigma):
        x = torch.tensor(mu + sigma * nodes)
        return float((f(x).numpy() * weights).sum() / math.sqrt(2 * math.pi))

    mu, sigma, h = 0.7, 0.8, 1e-5
    fd = (expect(mu + h, sigma) - expect(mu - h, sigma)) / (2 * h)
    assert cp.true_gradient(name, mu, sigma) == pytest.approx(fd, abs=1e-6)


@pytest.mark.parametrize("name", list(cp.FUNCTIONS))
def test_both_estimators_are_unbiased(name):
    mu, sigma = 0.7, 0.8
    est = cp.gradient_estimates(name, mu, sigma, n_samples=16, n_batches=4000, seed=0)
    g = cp.true_gradient(name, mu, sigma)
    for v in est.values():
        assert v.shape == (4000,)
        assert abs(v.mean() - g) < 4 * v.std() / math.sqrt(len(v))


def test_reparameterized_has_lower_variance_and_spread_falls_as_one_over_sqrt_m():
    est = cp.gradient_estimates("square", 1.0, 0.5, n_samples=16, n_batches=2000)
    assert est["reparam"].std() < 0.5 * est["score"].std()
    # pathwise for x^2: g = 2 mean(x), std exactly 2 sigma / sqrt(M)
    assert est["reparam"].std() == pytest.approx(2 * 0.5 / 4, rel=0.05)
    spread = cp.gradient_std_vs_samples("sin", 0.3, 1.0, (4, 64), n_batches=2000)
    for v in spread.values():
        assert v[0] / v[1] == pytest.approx(4.0, rel=0.15)


def test_alpha_optimum_is_where_the_best_policy_hits_the_target():
    for h in (-1.0, 0.0, 1.5):
        a = cp.alpha_optimum(h)
        assert cp.gaussian_entropy(0.5 * math.log(a)) == pytest.approx(h)  # s^2 = alpha


def test_dual_ascent_drives_entropy_to_target():
    target = 1.0
    _, hist = cp.alpha_run(cp.alpha_init(), 500, target_entropy=target, alpha_lr=0.02)
    assert np.mean(hist["entropy"][-100:]) == pytest.approx(target, abs=0.05)
    assert np.mean(hist["alpha"][-100:]) == pytest.approx(cp.alpha_optimum(target), rel=0.1)
    assert abs(np.mean(hist["mean"][-100:])) < 0.05


def test_fixed_alpha_leaves_entropy_where_alpha_puts_it():
    _, hist = cp.alpha_run(cp.alpha_init(alpha=0.2), 400, target_entropy=5.0, autotune=False)
    assert hist["alpha"][-1] == pytest.approx(0.2)
    assert np.mean(hist["std"][-100:]) ** 2 == pytest.approx(0.2, rel=0.1)


def test_alpha_step_uses_dual_loss_and_rises_below_target(monkeypatch):
    calls = []
    real = cp.dual_loss
    monkeypatch.setattr(cp, "dual_loss", lambda m, v: calls.append(1) or real(m, v))
    s0 = cp.alpha_init(alpha=1.0, std=0.1)  # entropy about -0.88
    up = cp.alpha_step(s0, target_entropy=1.0)
    down = cp.alpha_step(s0, target_entropy=-3.0)
    assert calls == [1, 1]
    assert up.log_alpha > s0.log_alpha > down.log_alpha
    assert up.step == 1 and math.isfinite(up.entropy_estimate)


def test_policy_gradient_estimators_unbiased_with_ordered_variance():
    means = np.array([1.0, 0.8, 0.5, 0.2, 0.0])
    theta = np.array([0.3, -0.2, 0.0, 0.1, -0.4])
    g = cp.pg_true_gradient(theta, means)

    # closed form vs finite differences of J(theta) = sum softmax(theta) * means
    def J(th):
        p = np.exp(th - th.max())
        return (p / p.sum()) @ means

    eye = np.eye(5) * 1e-6
    np.testing.assert_allclose(g, [(J(theta + e) - J(theta - e)) / 2e-6 for e in eye], atol=1e-8)
    s = cp.pg_gradient_samples(theta, means, noise=1.0, offset=5.0, batch=8, n_batches=4000)
    var = {}
    for k, v in s.items():
        se = v.std(0) / math.sqrt(len(v))
        assert np.all(np.abs(v.mean(0) - g) < 4 * se + 1e-12), k
        var[k] = ((v - g) ** 2).sum(1).mean()
    assert var["reinforce"] > 10 * var["baseline"] > 10 * var["critic"]


def test_learning_curves_baseline_beats_reinforce_with_offset():
    means = np.array([1.0, 0.8, 0.5, 0.2, 0.0])
    c = cp.pg_learning_curves(means, noise=1.0, offset=5.0, iters=150, seeds=16)
    assert set(c) == set(cp.PG_METHODS)
    for v in c.values():
        assert v.shape == (16, 150)
        assert np.all((v >= 0) & (v <= 1))
        assert v[:, 0] == pytest.approx(means.mean())  # uniform start
    final = {k: v[:, -20:].mean() for k, v in c.items()}
    assert final["baseline"] > final["reinforce"] + 0.05
    assert final["critic"] > final["reinforce"] + 0.05


def test_alpha_toy_records_the_target_in_force_at_each_update():
    toy = cp.AlphaToy(target_entropy=0.5, alpha_lr=0.05, policy_lr=0.05)
    toy.step(3)
    toy.target_entropy = -1.0  # a knob: the learner goes on, towards the new target
    toy.step(2)
    assert toy.steps == 5 and toy.history["step"] == [1, 2, 3, 4, 5]
    assert toy.history["target"] == [0.5, 0.5, 0.5, -1.0, -1.0]
    state, _ = cp.alpha_run(cp.alpha_init(), 3, target_entropy=0.5, alpha_lr=0.05, policy_lr=0.05)
    state, _ = cp.alpha_run(state, 2, target_entropy=-1.0, alpha_lr=0.05, policy_lr=0.05)
    assert toy.state == state
