"""The offline-RL explorers' numbers (#9-#13) against closed forms and Monte Carlo."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from rlcore.core import ops
from rlcore.learn import offline as off

# -- #9 CQL -------------------------------------------------------------------------------


class Const(nn.Module):
    """Q(a) = c for every action: the penalties have closed forms."""

    def __init__(self, c):
        super().__init__()
        self.c = nn.Parameter(torch.tensor(float(c)))

    def forward(self, a):
        return self.c.expand(a.shape[0], 1)


@pytest.mark.parametrize(
    "variant, want",
    [
        ("naive", 3.0),  # E_mu[Q] = c
        ("improved", 0.0),  # E_mu[Q] - E_D[Q] = c - c
        ("cql_h", math.log(2.0)),  # log(mean(e^c / (1/2))) - c = log 2 (width of [-1, 1])
        ("lagrange", math.log(2.0)),
    ],
)
def test_cql_penalty_of_a_constant_q_by_hand(variant, want):
    toy = off.CQLToy(off.CQLToyConfig(variant=variant))
    assert toy.penalty(Const(3.0)).item() == pytest.approx(want, abs=1e-5)


def test_cql_h_penalty_is_the_ops_logsumexp():
    toy = off.CQLToy(off.CQLToyConfig(variant="cql_h", n_sampled=4))
    q = toy.nets["cql"]
    state = toy._gen.get_state()
    pen = toy.penalty(q)
    toy._gen.set_state(state)  # replay the same uniform samples
    a = -1.0 + 2.0 * torch.rand(4, 1, generator=toy._gen)
    qa = q(a).squeeze(-1)
    lse = torch.logsumexp(qa + math.log(2.0), 0) - math.log(4)  # log (1/M) sum e^Q / (1/2)
    assert pen.item() == pytest.approx((lse - q(toy.data_actions).mean()).item(), abs=1e-5)


def test_cql_reference_q_closed_form():
    c = off.CQLToyConfig(data_low=-0.5, data_high=0.0, gamma=0.5)
    toy = off.CQLToy(c)
    a = toy.grid.squeeze(-1)
    r = off.cql_reward(a)
    best = r[(a >= -0.5) & (a <= 0.0)].max()
    assert np.allclose(toy.reference_q(), (r + 0.5 / 0.5 * best).numpy())


@pytest.fixture(scope="module")
def trained():
    torch.set_num_threads(1)
    out = {}
    for v in ("naive", "improved"):
        toy = off.CQLToy(off.CQLToyConfig(variant=v))
        toy.step(300)
        out[v] = toy
    return out


def test_td_alone_overestimates_and_penalty_pushes_off_data_down(trained):
    toy = trained["improved"]
    q, ref, m = toy.q_values(), toy.reference_q(), toy.in_data.numpy()
    assert (q["baseline"] - ref)[~m].mean() > 1.0  # extrapolated values leak into the max
    assert q["cql"][~m].mean() < q["baseline"][~m].mean() - 1.0
    # gap-expanding: mean Q on the data minus off it grows with the penalty
    assert toy.history["gap_cql"][-1] > toy.history["gap_baseline"][-1] + 1.0


def test_naive_is_more_pessimistic_on_the_data_than_improved(trained):
    m = trained["naive"].in_data.numpy()
    ref = trained["naive"].reference_q()
    naive = (trained["naive"].q_values()["cql"] - ref)[m].mean()
    improved = (trained["improved"].q_values()["cql"] - ref)[m].mean()
    assert naive < 0 and naive < improved - 1.0


@pytest.mark.parametrize("gap, direction", [(0.01, 1), (5.0, -1)])
def test_lagrange_alpha_rises_only_while_the_penalty_exceeds_tau(gap, direction):
    toy = off.CQLToy(off.CQLToyConfig(variant="lagrange", target_action_gap=gap, cql_alpha=2.0))
    toy.step(20)
    a = np.asarray(toy.history["alpha"])
    assert np.sign(a[-1] - 2.0) == direction
    # every step moved alpha' the way the violation's sign says (one Adam step from rest)
    first = off.CQLToy(off.CQLToyConfig(variant="lagrange", target_action_gap=gap))
    first.step(1)
    assert np.sign(first.alpha - 1.0) == np.sign(first.history["penalty"][0] - gap)


def test_cql_config_is_validated():
    with pytest.raises(ValueError, match="variant"):
        off.CQLToyConfig(variant="nope")
    with pytest.raises(ValueError, match="data_low"):
        off.CQLToyConfig(data_low=0.5, data_high=0.0)


# -- #10 expectile -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", off.SAMPLE_KINDS)
def test_expectile_half_is_the_mean_and_tends_to_the_max(kind):
    y = off.sample_data(kind, 40, seed=1)
    assert off.expectile(y, 0.5) == pytest.approx(y.mean(), abs=1e-12)
    assert off.expectile(y, 1 - 1e-7) == pytest.approx(y.max(), abs=1e-4)
    taus = np.linspace(0.5, 0.99, 30)
    assert np.all(np.diff(off.expectile_curve(y, taus)) > 0)  # rises with tau


def test_expectile_solves_the_first_order_condition_and_minimises_the_ops_loss():
    y = off.sample_data("skewed", 25, seed=2)
    for tau in (0.6, 0.8, 0.95):
        m = off.expectile(y, tau)
        w = np.where(y < m, 1 - tau, tau)
        assert (w * (y - m)).sum() == pytest.approx(0.0, abs=1e-9)  # d/dm of the loss = 0
        grid = np.linspace(y.min(), y.max(), 4001)
        losses = [ops.expectile_loss(torch.tensor(y - g), tau).item() for g in grid]
        assert grid[int(np.argmin(losses))] == pytest.approx(m, abs=2 * (grid[1] - grid[0]))


def test_expectile_fit_descends_ops_expectile_loss_to_the_exact_expectile():
    y = off.sample_data("bimodal", 30, seed=0)
    fit = off.ExpectileFit(y, 0.9, lr=0.5)
    assert fit.value == pytest.approx(y.min(), abs=1e-6)
    fit.step(300)
    assert fit.value == pytest.approx(off.expectile(y, 0.9), abs=1e-4)
    assert fit.history["loss"][-1] < fit.history["loss"][0]
    w = fit.weights()
    above = y >= fit.value
    assert np.allclose(w[above], 0.9) and np.allclose(w[~above], 0.1)
    u = y - fit.value
    assert fit.loss() == pytest.approx(np.mean(np.where(u < 0, 0.1, 0.9) * u**2), rel=1e-5)


# -- #11 AWR -------------------------------------------------------------------------------


def test_both_conventions_give_the_same_weights():
    a = off.advantage_sample(30, 1.0, seed=3)
    beta = off.inverse_temperature(beta=2.0)
    lam = off.inverse_temperature(temperature=0.5)
    assert beta == lam == 2.0
    w1 = off.awr_weight_table(a, beta, 1e9).raw
    assert np.allclose(w1, np.exp(2.0 * a)) and np.allclose(w1, np.exp(a / 0.5))
    with pytest.raises(ValueError):
        off.inverse_temperature()
    with pytest.raises(ValueError):
        off.inverse_temperature(beta=1.0, temperature=1.0)
    with pytest.raises(ValueError):
        off.inverse_temperature(temperature=0.0)


def test_clip_caps_the_few_huge_weights():
    a = off.advantage_sample(20, 1.0, seed=0)
    w = off.awr_weight_table(a, 3.0, 100.0)
    assert np.allclose(w.clipped, np.minimum(np.exp(3.0 * a), 100.0))
    assert w.n_clipped == int((np.exp(3.0 * a) > 100.0).sum()) >= 1
    assert w.share_raw.max() > 0.5  # unclipped: one sample carries most of the weight
    assert w.ess_clipped > w.ess_raw
    assert w.share_raw.sum() == pytest.approx(1.0) and w.share_clipped.sum() == pytest.approx(1.0)
    # beta -> 0: every weight 1, plain behaviour cloning, all n samples count
    bc = off.awr_weight_table(a, 0.0, 100.0)
    assert np.allclose(bc.clipped, 1.0) and bc.ess_clipped == pytest.approx(20.0)


# -- #12 SAC-N / EDAC -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ensembles():
    torch.set_num_threads(1)
    cfg = dict(n_members=4, noise=0.1)
    return {eta: off.fit_ensemble(off.EnsembleToyConfig(eta=eta, **cfg)) for eta in (0.0, 1.0)}


def test_ensemble_agrees_on_the_data_and_spreads_off_it(ensembles):
    fit = ensembles[0.0]
    assert fit.history["mse"][-1] < 0.1
    a1 = np.linspace(-1, 1, 81)
    sl = off.ensemble_slice(fit, 0.0, a1)
    near = np.abs(a1 - sl["behaviour"][0]) <= 0.2
    std = sl["q"].std(0)
    assert std[~near].mean() > 2 * std[near].mean()
    assert np.allclose(
        sl["true"],
        off.ensemble_reward(
            torch.zeros(81, 1),
            torch.tensor(np.stack([a1, np.full(81, sl["behaviour"][1])], -1), dtype=torch.float32),
        ).numpy(),
    )


def test_min_over_more_members_is_lower(ensembles):
    q = off.ensemble_slice(ensembles[0.0], 0.3, np.linspace(-1, 1, 41))["q"]
    mk = off.min_over_first_k(q)
    assert np.allclose(mk, np.minimum.accumulate(q, axis=0))
    assert np.all(np.diff(mk, axis=0) <= 0)
    assert np.allclose(mk[-1], ops.clipped_min(torch.as_tensor(q)).numpy())


def test_similarity_matrix_is_psd_with_trace_n_and_diversity_lowers_it(ensembles):
    for fit in ensembles.values():
        s = fit.similarity
        assert np.allclose(s, s.T, atol=1e-5) and np.allclose(np.diag(s), 1.0, atol=1e-4)
        eig = np.linalg.eigvalsh(s)
        assert eig.min() > -1e-5 and eig.sum() == pytest.approx(4.0, abs=1e-3)
    off_diag = {eta: (f.similarity.sum() - 4) / 12 for eta, f in ensembles.items()}
    assert off_diag[1.0] < off_diag[0.0] - 0.2
    assert ensembles[1.0].history["diversity"][-1] < ensembles[0.0].history["diversity"][-1]


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_expected_min_factor_matches_monte_carlo(n):
    mc = -np.random.default_rng(0).standard_normal((100_000, n)).min(1).mean()
    assert off.expected_min_factor(n) == pytest.approx(mc, abs=0.03)


# -- #13 BC ----------------------------------------------------------------------------------


def test_bc_is_maximum_likelihood_at_the_data_mean():
    d = off.bc_dataset(0.5, 300, seed=4)
    mu, sigma = off.gaussian_mle(d.actions)
    assert mu == pytest.approx(d.actions.mean()) and sigma == pytest.approx(d.actions.std())
    mus = np.linspace(-1, 1, 2001)
    ll = off.gaussian_log_likelihood(d.actions, mus, sigma)
    assert mus[np.argmax(ll)] == pytest.approx(mu, abs=1e-3)
    # closed form of the average log-likelihood at the optimum: -1/2 - log(sigma sqrt(2 pi))
    assert ll.max() == pytest.approx(-0.5 - math.log(sigma * math.sqrt(2 * math.pi)), abs=1e-6)
    # the mixed data's mean sits between the bad and the good demonstrator
    assert off.BC_BAD_ACTION < mu < off.BC_GOOD_ACTION
    assert d.good.mean() == pytest.approx(0.5, abs=0.07)


def test_bc_actor_trained_on_log_prob_lands_on_the_closed_form():
    torch.set_num_threads(1)
    d = off.bc_dataset(0.3, 200, seed=0)
    actor, curve = off.bc_actor_fit(d.actions)
    mu, sigma = off.gaussian_mle(d.actions)
    with torch.no_grad():
        assert actor.mean(torch.zeros(1, 1)).item() == pytest.approx(mu, abs=2e-3)
        assert actor.std().item() == pytest.approx(sigma, abs=2e-3)
    assert curve[-1] > curve[0]


def test_weighted_bc_moves_to_the_good_actions():
    d = off.bc_dataset(0.5, 300, seed=1)
    same, _ = off.weighted_gaussian_mle(d.actions, np.ones(300))
    assert same == pytest.approx(d.actions.mean())
    r = off.bc_reward(d.actions)
    w = off.awr_weight_table(r - r.mean(), 20.0, 100.0).clipped
    mu_w, _ = off.weighted_gaussian_mle(d.actions, w)
    assert mu_w == pytest.approx((w * d.actions).sum() / w.sum())
    assert abs(mu_w - off.BC_GOOD_ACTION) < 0.1 < abs(d.actions.mean() - off.BC_GOOD_ACTION)
