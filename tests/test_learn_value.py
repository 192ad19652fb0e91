"""Value-based explorers (#3 DQN, #4 clipped double Q, #5 LogSumExp) vs closed forms."""

import math

import numpy as np
import pytest
import torch

from rlcore.learn import value as cv
from rlcore.train import probes


def test_max_bias_closed_forms():
    # E[max of 2 iid N(0, s^2)] = s / sqrt(pi); E[min of 2] = -s / sqrt(pi)
    assert cv.max_bias_exact(2, 1.5, 1) == pytest.approx(1.5 / math.sqrt(math.pi), abs=1e-6)
    assert cv.max_bias_exact(1, 1.5, 2) == pytest.approx(-1.5 / math.sqrt(math.pi), abs=1e-6)
    assert cv.max_bias_exact(1, 1.0, 1) == pytest.approx(0.0, abs=1e-9)
    assert cv.max_bias_exact(5, 0.0, 1) == 0.0
    curve = cv.max_bias_exact_curve(6, 0.8, 2, gap=0.3)
    assert curve[3] == pytest.approx(cv.max_bias_exact(4, 0.8, 2, gap=0.3))


@pytest.mark.parametrize(
    ("n", "std", "k", "gap"), [(5, 1.0, 1, 0.0), (5, 1.0, 2, 0.0), (8, 0.7, 2, 0.3)]
)
def test_monte_carlo_matches_exact(n, std, k, gap):
    s = cv.max_bias_samples(n, std, k, gap, trials=20_000, seed=3)
    se = s.std() / math.sqrt(len(s))
    assert abs(s.mean() - cv.max_bias_exact(n, std, k, gap)) < 4 * se


def test_max_overestimates_and_clipping_shrinks_it():
    single = [cv.max_bias_exact(n, 1.0, 1) for n in (2, 5, 10, 20)]
    clipped = [cv.max_bias_exact(n, 1.0, 2) for n in (2, 5, 10, 20)]
    assert all(b > 0 for b in single)
    assert np.all(np.diff(single) > 0)  # more actions, more bias
    assert all(c < s for c, s in zip(clipped, single))
    assert all(abs(c) < s for c, s in zip(clipped, single))
    # a gap between the true values makes the max's bias smaller
    assert cv.max_bias_exact(5, 1.0, 1, gap=1.0) < cv.max_bias_exact(5, 1.0, 1, gap=0.0)


def test_samples_use_rlcore_clipped_min(monkeypatch):
    calls = []
    real = cv.clipped_min
    monkeypatch.setattr(cv, "clipped_min", lambda q: calls.append(q.shape) or real(q))
    cv.max_bias_samples(3, 1.0, 2, trials=10)
    assert calls == [torch.Size([10, 2, 3])]  # [trials, N estimators, A]: the min over N


def test_lse_bounds_limits_and_softmax():
    x = np.array([1.0, 2.0, 0.5, 2.8])
    temps = np.logspace(-2, 1, 30)
    curve = cv.lse_curve(x, temps)
    lo = x.max()
    hi = x.max() + temps * np.log(len(x))
    assert np.all(curve >= lo - 1e-12) and np.all(curve <= hi + 1e-12)
    assert cv.lse_curve(x, [1.0])[0] == pytest.approx(np.log(np.exp(x).sum()))
    assert cv.lse_curve(x, [1e-3])[0] == pytest.approx(x.max(), abs=1e-3)
    assert np.all(np.diff(curve) > -1e-12)  # non-decreasing in T
    assert cv.lse_bounds(x, 2.0) == pytest.approx((2.8, 2.8 + 2 * np.log(4)))
    # equal entries: LSE hits the upper bound exactly
    assert cv.lse_curve(np.zeros(3), [0.5])[0] == pytest.approx(0.5 * np.log(3))
    p = cv.softmax(x, 1.0)
    assert p.sum() == pytest.approx(1.0) and p.argmax() == 3
    np.testing.assert_allclose(cv.softmax(x, 1e-3), [0, 0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(cv.softmax(np.array([1.0, 1.0, 0.0]), 0.0), [0.5, 0.5, 0])
    # softmax is the gradient of LSE_T (autograd through rlcore.core.ops.lse)
    xt = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(cv.lse(xt, 0.7), xt)
    np.testing.assert_allclose(g.numpy(), cv.softmax(x, 0.7), atol=1e-12)


def test_dqn_records_q_vs_return_and_target_lag():
    torch.set_num_threads(1)
    res = probes.dqn_q_vs_return(
        steps=1600, gamma=0.9, target_update_interval=10**6, eval_every=800, eval_episodes=2
    )
    assert res["eval_step"] == [800, 1600]
    assert len(res["q_start"]) == len(res["discounted_return"]) == 2
    assert all(0 < r <= 1 / (1 - 0.9) + 1e-9 for r in res["discounted_return"])
    assert len(res["step"]) >= 15
    # the target network is never refreshed: it stays at its initial value
    assert len(set(res["q_target"])) == 1
    # the online network moves once training starts (step > learning_starts = 1000)
    assert res["q_online"][-1] != res["q_online"][0]
