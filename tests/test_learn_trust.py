"""Policy-optimisation explorers (clipped surrogate, GAE, trust region) against by-hand values."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rlcore.learn import trust_region as tr


def test_surrogate_curves_by_hand():
    c = tr.surrogate_curves(np.array([0.5, 1.0, 1.5]), clip=0.2)
    assert c["clip_pos"].tolist() == pytest.approx([0.5, 1.0, 1.2])  # capped above 1 + eps
    assert c["clip_neg"].tolist() == pytest.approx([-0.8, -1.0, -1.5])  # capped below 1 - eps
    assert c["plain_pos"].tolist() == pytest.approx([0.5, 1.0, 1.5])
    assert c["plain_neg"].tolist() == pytest.approx([-0.5, -1.0, -1.5])


def test_bandit_plain_gradient_overshoots_where_trpo_stays_in_the_ball():
    u = tr.bandit_updates(lr=20.0, delta=0.01)
    trpo, pg = u["trpo"], u["pg"]
    assert 0 < trpo.kl_old_new <= 0.01 and trpo.gain > 0
    assert pg.kl_old_new > 100 * 0.01
    # KL is not symmetric: after a big step the two directions differ a lot
    assert abs(pg.kl_old_new - pg.kl_new_old) > 0.3
    for v in u.values():
        assert v.probs.sum() == pytest.approx(1.0)


def test_ppo_stops_moving_once_every_ratio_is_clipped():
    a = tr.bandit_updates(lr=1.0, epochs=10)["ppo"]
    b = tr.bandit_updates(lr=1.0, epochs=200)["ppo"]
    assert np.allclose(a.probs, b.probs)  # the clipped objective is flat from here on
    assert a.kl_old_new > tr.bandit_updates(lr=1.0, epochs=1)["ppo"].kl_old_new
    # the KL penalty keeps moving towards its own optimum instead
    k10 = tr.bandit_updates(lr=0.5, epochs=10)["kl_penalty"]
    k200 = tr.bandit_updates(lr=0.5, epochs=200)["kl_penalty"]
    assert k200.kl_old_new > k10.kl_old_new and k200.gain > k10.gain


def test_bandit_gain_is_the_expected_reward_change():
    u = tr.bandit_updates(lr=2.0)["pg"]
    p_old = F.softmax(torch.as_tensor(tr.BANDIT_START), -1).numpy()
    assert u.gain == pytest.approx(u.probs @ tr.BANDIT_REWARDS - p_old @ tr.BANDIT_REWARDS)


LAMBDAS = np.linspace(0.0, 1.0, 6)


def test_gae_exact_critic_unbiased_variance_grows_with_lambda():
    s = tr.gae_study(LAMBDAS, critic_error=0.0, n_envs=400)
    assert s.samples == 400 * 32 and s.episodes > 0
    assert np.all(np.diff(s.variance) > 0)
    assert s.bias2.max() < 0.05 * s.variance[-1]  # sampling noise only
    assert np.allclose(s.mse, s.bias2 + s.variance)


def test_gae_wrong_critic_bias_falls_as_lambda_rises():
    s = tr.gae_study(LAMBDAS, critic_error=0.3, n_envs=400)
    assert s.bias2[0] > 2 * s.bias2[-1]
    assert np.all(np.diff(s.bias2) < 0)


def test_treating_truncation_as_termination_biases_long_estimates():
    ok = tr.gae_study(LAMBDAS, critic_error=0.0, n_envs=400)
    wrong = tr.gae_study(LAMBDAS, critic_error=0.0, truncation_as_terminal=True, n_envs=400)
    assert wrong.bias2[-1] > 10 * ok.bias2[-1]


def test_trust_region_fisher_natural_gradient_and_ellipse():
    p = tr.trust_region_picture(delta=0.05)
    probs = F.softmax(torch.tensor([*tr.TR_START, 0.0]), -1).numpy()
    exact = (np.diag(probs) - np.outer(probs, probs))[:2, :2]  # logits (θ1, θ2, 0)
    assert np.allclose(p.fisher, exact, atol=1e-10)
    assert np.allclose(exact @ p.natural, p.gradient, atol=1e-8)
    d = p.ellipse - p.theta0[:, None]
    assert np.allclose(0.5 * np.einsum("in,ij,jn->n", d, p.fisher, d), 0.05)
    # both full steps end on the ellipse; the natural one is the linear model's best there
    assert p.model_gains["natural"] > p.model_gains["gradient"]
    assert p.gains["natural"] > p.gains["gradient"]
    assert p.kls["accepted"] <= 0.05 and p.gains["accepted"] > 0
    assert p.surrogate.shape == p.kl.shape == (len(p.grid_y), len(p.grid_x))
