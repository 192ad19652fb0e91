import math

import pytest
import torch
from torch import nn

from rlcore.core import ops


def test_td_target_bootstraps_only_when_not_terminated():
    r = torch.tensor([1.0, 1.0])
    v = torch.tensor([10.0, 10.0])
    d = torch.tensor([0.0, 1.0])
    assert ops.td_target(r, v, d, 0.9).tolist() == pytest.approx([10.0, 1.0])


def test_soft_and_hard_update():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    wa, wb = a.weight.detach().clone(), b.weight.detach().clone()
    ops.soft_update(a, b, 0.25)
    assert torch.allclose(a.weight, 0.75 * wa + 0.25 * wb)
    ops.hard_update(a, b)
    assert torch.equal(a.weight, b.weight)


def test_clipped_min_over_ensemble_axis():
    q = torch.tensor([[1.0, 5.0], [2.0, 3.0]])
    assert ops.clipped_min(q).tolist() == [1.0, 3.0]


def test_lse_bounds_and_limit():
    x = torch.tensor([1.0, 2.0, 3.0])
    for t in (0.01, 0.5, 1.0, 5.0):
        v = ops.lse(x, t).item()
        assert 3.0 <= v <= 3.0 + t * math.log(3) + 1e-6
    assert ops.lse(x, 1.0).item() == pytest.approx(math.log(math.e + math.e**2 + math.e**3))
    assert ops.lse(x, 1e-3).item() == pytest.approx(3.0, abs=1e-3)
    with pytest.raises(ValueError):
        ops.lse(x, 0.0)


def test_cql_logsumexp_importance_sampling_by_hand():
    q = torch.tensor([[1.0, 2.0]])
    logmu = torch.tensor([[math.log(0.5), math.log(0.5)]])
    # log((1/2) * (e^1/0.5 + e^2/0.5)) = log(e + e^2)
    want = math.log(math.e + math.e**2)
    assert ops.cql_logsumexp(q, logmu).item() == pytest.approx(want)
    assert ops.cql_logsumexp(q).item() == pytest.approx(want)


def test_expectile_weights_and_loss_by_hand():
    u = torch.tensor([-2.0, 1.0, 3.0])
    w = ops.expectile_weights(u, 0.7)
    assert w.tolist() == pytest.approx([0.3, 0.7, 0.7])
    want = (0.3 * 4 + 0.7 * 1 + 0.7 * 9) / 3
    assert ops.expectile_loss(u, 0.7).item() == pytest.approx(want)
    # tau = 0.5: half the squared error (least squares)
    assert ops.expectile_loss(u, 0.5).item() == pytest.approx(0.5 * (4 + 1 + 9) / 3)


def test_awr_weights_clip():
    adv = torch.tensor([-1.0, 0.0, 1.0, 10.0])
    w = ops.awr_weights(adv, beta=2.0, max_weight=20.0)
    assert w.tolist() == pytest.approx([math.exp(-2), 1.0, math.exp(2), 20.0])


def test_linear_schedule():
    assert ops.linear_schedule(1.0, 0.1, 0.5, 0.0) == 1.0
    assert ops.linear_schedule(1.0, 0.1, 0.5, 0.25) == pytest.approx(0.55)
    assert ops.linear_schedule(1.0, 0.1, 0.5, 0.9) == pytest.approx(0.1)


def test_discounted_returns_reset_at_episode_end():
    r = torch.tensor([1.0, 1.0, 1.0, 1.0])
    done = torch.tensor([0.0, 1.0, 0.0, 1.0])
    assert ops.discounted_returns(r, done, 0.5).tolist() == [1.5, 1.0, 1.5, 1.0]


def test_gae_lambda_one_is_n_step_return_and_truncation_bootstraps():
    # one env, 3 steps; step 1 is a truncation (episode ends, not terminated)
    r = torch.tensor([[1.0], [1.0], [1.0]])
    v = torch.tensor([[0.5], [0.5], [0.5]])
    nv = torch.tensor([[0.5], [2.0], [4.0]])  # 2.0 = V(true final obs)
    term = torch.zeros(3, 1)
    end = torch.tensor([[0.0], [1.0], [0.0]])
    adv = ops.gae(r, v, nv, term, end, gamma=0.5, lam=1.0)
    # t=2: 1 + .5*4 - .5 = 2.5 ; t=1: 1 + .5*2 - .5 = 1.5 (no carry across the end)
    # t=0: delta0 = 1 + .25 - .5 = .75 ; + .5 * 1.5 = 1.5
    assert adv.squeeze(1).tolist() == pytest.approx([1.5, 1.5, 2.5])
    term2 = torch.tensor([[0.0], [1.0], [0.0]])
    adv2 = ops.gae(r, v, nv, term2, end, gamma=0.5, lam=1.0)
    assert adv2[1].item() == pytest.approx(0.5)  # terminated: no bootstrap


def test_dual_loss_raises_multiplier_only_while_violated():
    lam = torch.tensor(1.0, requires_grad=True)
    ops.dual_loss(lam, torch.tensor([0.5, 1.5])).backward()
    assert lam.grad.item() == pytest.approx(-1.0)  # descent step increases lambda
    lam.grad = None
    ops.dual_loss(lam, torch.tensor([-2.0])).backward()
    assert lam.grad.item() == pytest.approx(2.0)  # satisfied: lambda decreases


def test_edac_diversity_by_hand():
    # 2 members, 1 state, 2-d actions: orthogonal grads -> 0, parallel -> 1, opposite -> -1
    g = torch.tensor([[[1.0, 0.0]], [[0.0, 3.0]]])
    loss, sim = ops.edac_diversity(g)
    assert loss.item() == pytest.approx(0.0) and sim.shape == (1, 2, 2)
    assert ops.edac_diversity(torch.tensor([[[1.0, 1.0]], [[2.0, 2.0]]]))[0].item() == (
        pytest.approx(2.0)  # sum over i != j of 1, divided by N - 1 = 1
    )
    assert ops.edac_diversity(torch.tensor([[[1.0, 0.0]], [[-1.0, 0.0]]]))[0].item() == (
        pytest.approx(-2.0)
    )
