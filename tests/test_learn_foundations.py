"""Foundations explorers (#1 randomness, #2 TD learning, #16 occupancy) vs exact solutions."""

import numpy as np
import pytest

from rlcore.learn import foundations as fd


@pytest.fixture
def lake():
    return fd.make_grid(fd.LAKE, slip=0.2)


@pytest.fixture
def cliff():
    return fd.make_grid(fd.CLIFF, step_reward=-1.0, goal_reward=0.0, hole_reward=-100.0)


def free_states(mdp):
    return np.array([c in "S." for c in mdp.cells])


def test_grid_is_a_valid_mdp(lake):
    np.testing.assert_allclose(lake.P.sum(-1), 1.0)
    assert lake.P.shape == (16, 4, 16)
    # slip = 0: moving right from S lands on state 1 for sure
    det = fd.make_grid(fd.LAKE, slip=0.0)
    assert det.P[0, 1, 1] == 1.0
    # slip 0.2: right from S goes right 0.8, up (wall: stays) 0.1, down 0.1
    assert lake.P[0, 1, 1] == pytest.approx(0.8)
    assert lake.P[0, 1, 0] == pytest.approx(0.1)
    assert lake.P[0, 1, 4] == pytest.approx(0.1)
    # the cliff sends the agent back to the start with -100 - 1
    c = fd.make_grid(fd.CLIFF, step_reward=-1.0, goal_reward=0.0, hole_reward=-100.0)
    assert c.P[c.start, 1, c.start] == 1.0 and c.R[c.start, 1, c.start] == -101.0


def test_boltzmann_policy_limits():
    q = np.array([[1.0, 0.0, 0.5, 1.0]])
    np.testing.assert_allclose(fd.boltzmann_policy(q, 0.0), [[0.5, 0, 0, 0.5]])
    np.testing.assert_allclose(fd.boltzmann_policy(q, 1e6), [[0.25] * 4], atol=1e-6)
    np.testing.assert_allclose(fd.epsilon_greedy_policy(q, 0.2).sum(), 1.0)


def test_greedy_policy_of_q_star_attains_v_star(lake):
    q_star = fd.value_iteration(lake, 0.9)
    v, q = fd.policy_evaluation(lake, fd.boltzmann_policy(q_star, 0.0), 0.9)
    np.testing.assert_allclose(v, q_star.max(1), atol=1e-8)
    np.testing.assert_allclose(q, q_star, atol=1e-8)


@pytest.mark.parametrize("first_action", [None, 1, 2])
def test_sampled_returns_are_unbiased_for_v_and_q(lake, first_action):
    gamma = 0.95
    pi = fd.boltzmann_policy(fd.value_iteration(lake, gamma), 0.1)
    v, q = fd.policy_evaluation(lake, pi, gamma)
    u = fd.sample_returns(lake, pi, gamma, 20_000, seed=1, first_action=first_action)
    exact = v[lake.start] if first_action is None else q[lake.start, first_action]
    se = u.std() / np.sqrt(len(u))
    assert abs(u.mean() - exact) < 4 * se + 1e-9
    assert u.std() > 0.1  # two dice: the return really is random
    assert fd.running_mean(u)[-1] == pytest.approx(u.mean())


def test_no_randomness_without_either_die():
    mdp = fd.make_grid(fd.LAKE, slip=0.0)
    q_star = fd.value_iteration(mdp, 0.9)
    u = fd.sample_returns(mdp, fd.boltzmann_policy(q_star, 0.0), 0.9, 50)
    np.testing.assert_allclose(u, q_star[mdp.start].max())  # gamma^5 * 1, every time
    assert q_star[mdp.start].max() == pytest.approx(0.9**5)


def test_occupancy_is_a_distribution_and_gives_the_return(lake):
    gamma = 0.9
    mdp = fd.restart_terminals(lake)
    pi = fd.boltzmann_policy(fd.value_iteration(lake, gamma), 0.2)
    rho = fd.occupancy_exact(mdp, pi, gamma)
    assert rho.min() >= 0 and rho.sum() == pytest.approx(1.0)
    v, _ = fd.policy_evaluation(mdp, pi, gamma)
    # J(pi) = sum rho(s,a) r(s,a) / (1 - gamma): the return is an expectation under rho
    assert (rho * mdp.reward).sum() / (1 - gamma) == pytest.approx(v[mdp.start])
    # rho(s, .) is d(s) pi(.|s): proportional to the policy, not "how often a is picked"
    d = rho.sum(1)
    np.testing.assert_allclose(rho[d > 0] / d[d > 0, None], pi[d > 0])


def test_occupancy_series_and_monte_carlo_converge_to_exact(lake):
    gamma = 0.8
    mdp = fd.restart_terminals(lake)
    pi = fd.boltzmann_policy(fd.value_iteration(lake, gamma), 0.2)
    rho = fd.occupancy_exact(mdp, pi, gamma)
    s = fd.occupancy_init(mdp)
    for _ in range(10):
        s = fd.occupancy_step(s, mdp, pi, gamma)
    assert s.t == 10 and s.rho.sum() == pytest.approx(1 - gamma**10)
    for _ in range(190):
        s = fd.occupancy_step(s, mdp, pi, gamma)
    np.testing.assert_allclose(s.rho, rho, atol=1e-12)
    mc = fd.occupancy_monte_carlo(mdp, pi, gamma, 4000, seed=0)
    assert mc.sum() == pytest.approx(1.0)
    assert np.abs(mc - rho).sum() < 0.05


def test_td_step_uses_rlcore_td_target(cliff, monkeypatch):
    calls = []
    real = fd.td_target

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(fd, "td_target", spy)
    s = fd.td_init(cliff, 0.1, seed=0)
    s = fd.td_step(s, cliff, "q_learning", alpha=0.5, gamma=0.9, epsilon=0.1)
    assert len(calls) == 1
    info = s.last
    # hand-computed: Q was all zeros, so y = r and Q(s,a) = 0.5 r
    assert info.target == pytest.approx(info.r)
    assert info.td_error == pytest.approx(info.r)
    assert s.q[info.s, info.a] == pytest.approx(0.5 * info.r)


def test_q_learning_converges_to_value_iteration(cliff):
    gamma = 0.9
    q_star = fd.value_iteration(cliff, gamma)
    free = free_states(cliff)
    # deterministic grid and alpha = 1: asynchronous value iteration, exact in the limit
    s = fd.td_run(fd.td_init(cliff, 0.5, seed=0), cliff, 5000, alpha=1.0, gamma=gamma, epsilon=0.5)
    np.testing.assert_allclose(s.q[free], q_star[free], atol=1e-9)
    # alpha = 0.5: close, and the greedy policy is optimal everywhere
    s = fd.td_run(fd.td_init(cliff, 0.5, seed=1), cliff, 8000, alpha=0.5, gamma=gamma, epsilon=0.5)
    assert np.abs(s.q - q_star)[free].max() < 0.2
    greedy = s.q.argmax(1)
    assert np.allclose(q_star[np.arange(len(greedy)), greedy][free], q_star.max(1)[free])
    assert len(s.returns) > 0


def test_sarsa_learns_the_safe_path(cliff):
    gamma, eps = 0.9, 0.1
    s = fd.td_init(cliff, eps, seed=0)
    for alpha in (0.5, 0.2, 0.1, 0.05):
        s = fd.td_run(s, cliff, 4000, method="sarsa", alpha=alpha, gamma=gamma, epsilon=eps)
    target = fd.softmax_value_iteration(cliff, gamma, eps)  # its epsilon-greedy fixed point
    free = free_states(cliff)
    assert np.abs(s.q.max(1) - target.max(1))[free].mean() < 1.0
    # the greedy path from S never walks along the cliff edge (row 2, columns 1-3)
    cols, state, path = 6, cliff.start, []
    for _ in range(20):
        state = int(cliff.P[state, s.q[state].argmax()].argmax())
        path.append(divmod(state, cols))
        if cliff.terminal[state]:
            break
    assert path[-1] == (3, 5)
    assert not any(r == 2 and 1 <= c <= 3 for r, c in path)
    with pytest.raises(ValueError, match="method"):
        fd.td_step(s, cliff, "dqn")


def test_td_toy_steps_like_td_run_and_takes_new_knobs_without_forgetting(cliff):
    """The toy is td_init + td_run; a knob changed mid-run applies from the next step."""
    toy = fd.TDToy(cliff, method="sarsa", alpha=0.3, gamma=0.9, epsilon=0.2, seed=3)
    ref = fd.td_run(
        fd.td_init(cliff, 0.2, seed=3), cliff, 7, method="sarsa", alpha=0.3, gamma=0.9, epsilon=0.2
    )
    toy.step(4)
    toy.step(3)
    assert toy.steps == 7
    np.testing.assert_array_equal(toy.state.q, ref.q)
    toy.alpha = 1.0  # the next update moves Q(s,a) all the way to its target
    toy.step()
    last = toy.state.last
    assert toy.steps == 8 and toy.state.q[last.s, last.a] == pytest.approx(last.target)


def test_occupancy_toy_adds_one_term_per_step(lake):
    pi = fd.boltzmann_policy(fd.value_iteration(lake, 0.9), 0.5)
    mdp = fd.restart_terminals(lake)
    toy = fd.OccupancyToy(mdp, pi, 0.9)
    toy.step(5)
    assert toy.steps == 5
    assert toy.state.rho.sum() == pytest.approx(1 - 0.9**5)  # mass after t terms
