r"""Foundations explorers: a tiny gridworld, exact policy evaluation, returns, TD learning.

Everything here is tabular numpy, small enough to solve exactly, so each sampled quantity
on the Learn page can be checked against its exact value:

* **two sources of randomness** (explorer 1): the policy $\pi(a|s)$ and the transition
  $p(s'|s,a)$ make the return $U_t = \sum_k \gamma^k R_{t+k}$ a random variable; its
  expectation is $V_\pi(s) = \mathbb{E}[U_t \mid S_t = s]$, computed exactly by solving
  the linear Bellman system $(I - \gamma P_\pi) V = r_\pi$;
* **TD learning** (explorer 2): Q-learning and SARSA fill in the table one transition at
  a time with the same ``rlcore.core.ops.td_target`` the deep agents use; Q-learning converges
  to the value-iteration solution $Q^*$;
* **occupancy measure** (explorer 16): $\rho_\pi(s,a) = (1-\gamma)\sum_t \gamma^t
  P(s_t = s, a_t = a)$, exactly (matrix inverse), step by step and by Monte-Carlo.

Actions are 0 = up, 1 = right, 2 = down, 3 = left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from rlcore.core.ops import td_target

__all__ = [
    "ARROWS",
    "CLIFF",
    "LAKE",
    "GridMDP",
    "OccupancyState",
    "OccupancyToy",
    "TDInfo",
    "TDState",
    "TDToy",
    "boltzmann_policy",
    "epsilon_greedy_policy",
    "make_grid",
    "occupancy_exact",
    "occupancy_init",
    "occupancy_monte_carlo",
    "occupancy_step",
    "policy_evaluation",
    "restart_terminals",
    "running_mean",
    "sample_returns",
    "softmax_value_iteration",
    "td_init",
    "td_run",
    "td_step",
    "value_iteration",
]

ARROWS = "↑→↓←"
_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # (d_row, d_col) of up, right, down, left

# FrozenLake's 4x4 map: S start, . ice, H hole (ends the episode), G goal.
LAKE = ("S...", ".H.H", "...H", "H..G")
# Sutton & Barto's cliff, shrunk to 4x6: C = cliff (big penalty, back to the start).
CLIFF = ("......", "......", "......", "SCCCCG")


@dataclass(frozen=True, eq=False)
class GridMDP:
    """A finite MDP on a grid, as dense arrays.

    Attributes:
        layout: the map, one string per row (``S . G H C #``).
        P: transition probabilities $p(s'|s,a)$, ``[S, A, S]``.
        R: reward of each transition $r(s,a,s')$, ``[S, A, S]``.
        terminal: absorbing states (every action stays, reward 0), ``[S]``.
        start: the start state.
    """

    layout: tuple[str, ...]
    P: np.ndarray
    R: np.ndarray
    terminal: np.ndarray
    start: int

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.layout), len(self.layout[0])

    @property
    def n_states(self) -> int:
        return self.P.shape[0]

    @property
    def n_actions(self) -> int:
        return self.P.shape[1]

    @property
    def cells(self) -> str:
        """The map's character of each state (row-major)."""
        return "".join(self.layout)

    @property
    def reward(self) -> np.ndarray:
        r"""Expected reward $r(s,a) = \sum_{s'} p(s'|s,a)\, r(s,a,s')$, ``[S, A]``."""
        return (self.P * self.R).sum(-1)

    def policy_matrices(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""$P_\pi[s,s'] = \sum_a \pi(a|s) p(s'|s,a)$ and $r_\pi[s] = \sum_a \pi(a|s) r(s,a)$."""
        return np.einsum("sa,sat->st", pi, self.P), (pi * self.reward).sum(-1)


def make_grid(
    layout: tuple[str, ...] = LAKE,
    slip: float = 0.0,
    step_reward: float = 0.0,
    goal_reward: float = 1.0,
    hole_reward: float = -1.0,
) -> GridMDP:
    """Build a gridworld MDP.

    The intended move happens with probability ``1 - slip``; otherwise the agent slides
    to one of the two perpendicular directions (``slip / 2`` each), as on FrozenLake's
    ice. Moving off the grid or into ``#`` leaves the agent in place. Entering a cell
    pays ``step_reward`` plus ``goal_reward`` (G) or ``hole_reward`` (H, C). G and H end
    the episode (absorbing states); C (cliff) sends the agent back to S.

    Args:
        layout: one string per row.
        slip: probability of sliding sideways, in [0, 1].
        step_reward: reward of every move (e.g. -1 on the cliff).
        goal_reward: extra reward for entering G.
        hole_reward: extra reward for entering H or C.

    Returns:
        The MDP as dense arrays.
    """
    if not 0.0 <= slip <= 1.0:
        raise ValueError(f"slip = {slip!r} must be in [0, 1]")
    rows, cols = len(layout), len(layout[0])
    cells = "".join(layout)
    n = rows * cols
    start = cells.index("S")
    terminal = np.array([c in "GH" for c in cells])
    P = np.zeros((n, 4, n))
    R = np.zeros((n, 4, n))
    for s in range(n):
        if terminal[s]:
            P[s, :, s] = 1.0  # absorbing, reward 0
            continue
        r0, c0 = divmod(s, cols)
        for a in range(4):
            for move, prob in ((a, 1.0 - slip), ((a + 1) % 4, slip / 2), ((a + 3) % 4, slip / 2)):
                if prob == 0.0:
                    continue
                r1, c1 = r0 + _MOVES[move][0], c0 + _MOVES[move][1]
                if not (0 <= r1 < rows and 0 <= c1 < cols) or layout[r1][c1] == "#":
                    r1, c1 = r0, c0
                s1 = r1 * cols + c1
                kind = cells[s1]
                reward = step_reward + (
                    goal_reward if kind == "G" else hole_reward if kind in "HC" else 0.0
                )
                landing = start if kind == "C" else s1
                P[s, a, landing] += prob
                R[s, a, landing] = reward  # same reward whichever move lands here
    return GridMDP(tuple(layout), P, R, terminal, start)


def restart_terminals(mdp: GridMDP) -> GridMDP:
    """A continuing version: from G or H every action returns to S (reward 0).

    The occupancy measure of an episodic task would pile up in the absorbing states;
    restarting keeps every visit meaningful and makes the chain never end.
    """
    P = mdp.P.copy()
    for s in np.flatnonzero(mdp.terminal):
        P[s] = 0.0
        P[s, :, mdp.start] = 1.0
    return replace(mdp, P=P, terminal=np.zeros_like(mdp.terminal))


def value_iteration(mdp: GridMDP, gamma: float, tol: float = 1e-10) -> np.ndarray:
    r"""Optimal action values by dynamic programming (the "DP solution").

    $$Q_{k+1}(s,a) = r(s,a) + \gamma \sum_{s'} p(s'|s,a) \max_{a'} Q_k(s',a')$$

    Returns:
        $Q^*$, ``[S, A]``.
    """
    r = mdp.reward
    q = np.zeros_like(r)
    for _ in range(100_000):
        new = r + gamma * mdp.P @ q.max(1)
        if np.abs(new - q).max() < tol:
            return new
        q = new
    return q


def softmax_value_iteration(
    mdp: GridMDP, gamma: float, epsilon: float, tol: float = 1e-10
) -> np.ndarray:
    r"""Fixed point of the $\varepsilon$-greedy Bellman operator (what SARSA converges to).

    $$Q(s,a) = r(s,a) + \gamma \sum_{s'} p(s'|s,a)\Big[(1-\varepsilon)\max_{a'} Q(s',a')
    + \varepsilon \tfrac{1}{|A|}\sum_{a'} Q(s',a')\Big]$$
    """
    r = mdp.reward
    q = np.zeros_like(r)
    for _ in range(100_000):
        v = (1 - epsilon) * q.max(1) + epsilon * q.mean(1)
        new = r + gamma * mdp.P @ v
        if np.abs(new - q).max() < tol:
            return new
        q = new
    return q


def boltzmann_policy(q: np.ndarray, temperature: float) -> np.ndarray:
    r"""$\pi(a|s) \propto \exp(Q(s,a)/T)$; $T = 0$ is greedy (ties share equally).

    Low $T$ removes the policy's randomness, high $T$ tends to the uniform policy.
    """
    if temperature <= 0:
        best = np.isclose(q, q.max(1, keepdims=True), atol=1e-12)
        return best / best.sum(1, keepdims=True)
    z = (q - q.max(1, keepdims=True)) / temperature
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def epsilon_greedy_policy(q: np.ndarray, epsilon: float) -> np.ndarray:
    r"""Epsilon-greedy policy (ties share the greedy mass).

    $$\pi(a|s) = (1-\varepsilon)\,\mathbb{1}[a = \arg\max_b Q(s,b)] + \varepsilon/|A|$$
    """
    return (1 - epsilon) * boltzmann_policy(q, 0.0) + epsilon / q.shape[1]


def policy_evaluation(mdp: GridMDP, pi: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact $V_\pi$ and $Q_\pi$ by solving the Bellman expectation equation.

    $$V_\pi = (I - \gamma P_\pi)^{-1} r_\pi, \qquad
    Q_\pi(s,a) = r(s,a) + \gamma \sum_{s'} p(s'|s,a) V_\pi(s')$$

    The expectation over $\pi$ and $p$ removes both sources of randomness at once.
    """
    P_pi, r_pi = mdp.policy_matrices(pi)
    v = np.linalg.solve(np.eye(mdp.n_states) - gamma * P_pi, r_pi)
    return v, mdp.reward + gamma * mdp.P @ v


def _horizon(gamma: float, tol: float = 1e-6, cap: int = 5000) -> int:
    r"""Steps after which $\gamma^t$ is below ``tol`` (the truncation error of a sample)."""
    return cap if gamma >= 1 else min(cap, max(1, math.ceil(math.log(tol) / math.log(gamma))))


def _sample_index(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` ``[N, K]`` (inverse CDF, vectorised)."""
    u = rng.random((probs.shape[0], 1))
    return np.minimum((probs.cumsum(1) < u).sum(1), probs.shape[1] - 1)


def sample_returns(
    mdp: GridMDP,
    pi: np.ndarray,
    gamma: float,
    n: int,
    seed: int = 0,
    first_action: int | None = None,
) -> np.ndarray:
    r"""Discounted returns $u_0 = \sum_t \gamma^t r_t$ of ``n`` sampled episodes from S.

    Every sample draws $a_t \sim \pi(\cdot|s_t)$ and $s_{t+1} \sim p(\cdot|s_t,a_t)$, so
    each $u_0$ is an unbiased sample of $V_\pi(s_0)$ (or of $Q_\pi(s_0, a_0)$ when the
    first action is fixed). Episodes are cut once $\gamma^t < 10^{-6}$.

    Returns:
        ``[n]`` returns.
    """
    rng = np.random.default_rng(seed)
    s = np.full(n, mdp.start)
    g = np.zeros(n)
    disc = 1.0
    for t in range(_horizon(gamma)):
        a = _sample_index(rng, pi[s]) if t > 0 or first_action is None else np.full(n, first_action)
        s1 = _sample_index(rng, mdp.P[s, a])
        g += disc * mdp.R[s, a, s1]
        disc *= gamma
        s = s1
        if mdp.terminal[s].all():  # absorbing from here on: nothing more to add
            break
    return g


def running_mean(x: np.ndarray) -> np.ndarray:
    r"""$\bar u_n = \frac{1}{n}\sum_{i \le n} u_i$ for every $n$."""
    return np.cumsum(x) / np.arange(1, len(x) + 1)


# -- occupancy measure ---------------------------------------------------------------------


def occupancy_exact(mdp: GridMDP, pi: np.ndarray, gamma: float) -> np.ndarray:
    r"""Discounted state-action occupancy $\rho_\pi(s,a)$, exactly.

    $$d_\pi = (1-\gamma)\,(I - \gamma P_\pi^\top)^{-1} \mu_0, \qquad
    \rho_\pi(s,a) = d_\pi(s)\,\pi(a|s) = (1-\gamma)\sum_{t\ge0}\gamma^t P(s_t=s, a_t=a)$$

    It sums to 1: a probability distribution over (state, action) pairs.
    """
    P_pi, _ = mdp.policy_matrices(pi)
    mu0 = np.zeros(mdp.n_states)
    mu0[mdp.start] = 1.0
    d = (1 - gamma) * np.linalg.solve(np.eye(mdp.n_states) - gamma * P_pi.T, mu0)
    return d[:, None] * pi


@dataclass(frozen=True)
class OccupancyState:
    r"""Partial sum of the occupancy series after ``t`` terms.

    Attributes:
        t: number of terms added.
        p: state distribution $P(s_t = \cdot)$ of the next term, ``[S]``.
        rho: $(1-\gamma)\sum_{k<t} \gamma^k P(s_k=s, a_k=a)$, ``[S, A]``.
    """

    t: int
    p: np.ndarray
    rho: np.ndarray


def occupancy_init(mdp: GridMDP) -> OccupancyState:
    """Before the first step: all mass on the start state, nothing summed yet."""
    p = np.zeros(mdp.n_states)
    p[mdp.start] = 1.0
    return OccupancyState(0, p, np.zeros((mdp.n_states, mdp.n_actions)))


def occupancy_step(
    state: OccupancyState, mdp: GridMDP, pi: np.ndarray, gamma: float
) -> OccupancyState:
    r"""Add one term of the series and push the state distribution one step forward.

    $$\rho \mathrel{+}= (1-\gamma)\gamma^t\, P(s_t=s)\,\pi(a|s), \qquad
    P(s_{t+1}) = P_\pi^\top P(s_t)$$

    After $t$ steps the total mass is $1-\gamma^t$, which tends to 1.
    """
    rho = state.rho + (1 - gamma) * gamma**state.t * state.p[:, None] * pi
    P_pi, _ = mdp.policy_matrices(pi)
    return OccupancyState(state.t + 1, P_pi.T @ state.p, rho)


@dataclass(eq=False)
class OccupancyToy:
    """The occupancy series summed term by term (a :class:`~rlcore.learn.Toy`).

    ``steps`` is the number of terms added; ``state`` the partial sum.
    """

    mdp: GridMDP
    pi: np.ndarray
    gamma: float
    state: OccupancyState = field(init=False)

    def __post_init__(self) -> None:
        self.state = occupancy_init(self.mdp)

    @property
    def steps(self) -> int:
        return self.state.t

    def step(self, n: int = 1) -> None:
        """Add ``n`` more terms (:func:`occupancy_step`)."""
        for _ in range(n):
            self.state = occupancy_step(self.state, self.mdp, self.pi, self.gamma)


def occupancy_monte_carlo(
    mdp: GridMDP, pi: np.ndarray, gamma: float, n: int, seed: int = 0
) -> np.ndarray:
    r"""Monte-Carlo estimate: each visit at time $t$ counts $(1-\gamma)\gamma^t / n$.

    $$\hat\rho(s,a) = \frac{1-\gamma}{n}\sum_{i=1}^{n}\sum_{t} \gamma^t\,
    \mathbb{1}[s^i_t = s, a^i_t = a]$$

    (cut where $\gamma^t < 10^{-4}$ and renormalised by $1-\gamma^H$).
    """
    rng = np.random.default_rng(seed)
    horizon = _horizon(gamma, tol=1e-4)
    rho = np.zeros((mdp.n_states, mdp.n_actions))
    s = np.full(n, mdp.start)
    for t in range(horizon):
        a = _sample_index(rng, pi[s])
        np.add.at(rho, (s, a), (1 - gamma) * gamma**t / n)
        s = _sample_index(rng, mdp.P[s, a])
    return rho / (1 - gamma**horizon)


# -- tabular TD learning ---------------------------------------------------------------------


@dataclass(frozen=True)
class TDInfo:
    """The last transition and its TD update, for display."""

    s: int
    a: int
    r: float
    s_next: int
    a_next: int | None  # SARSA's next action (None for Q-learning)
    terminated: bool
    target: float
    td_error: float


@dataclass(frozen=True, eq=False)
class TDState:
    """Tabular learner state: the Q-table, where the agent is, and the episode tally."""

    q: np.ndarray
    s: int
    a: int  # the action to take in s (chosen before the step, as SARSA needs)
    steps: int = 0
    episode_steps: int = 0
    episode_return: float = 0.0
    returns: tuple[float, ...] = ()
    visits: np.ndarray | None = None
    last: TDInfo | None = None
    rng: np.random.Generator = field(default_factory=np.random.default_rng)


def _epsilon_greedy(q_row: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))
    best = np.flatnonzero(q_row == q_row.max())
    return int(rng.choice(best))  # random tie-break: an all-zero table explores evenly


def td_init(mdp: GridMDP, epsilon: float = 0.1, seed: int = 0, q0: float = 0.0) -> TDState:
    """A fresh table of ``q0`` with the agent at S and its first action chosen."""
    rng = np.random.default_rng(seed)
    q = np.full((mdp.n_states, mdp.n_actions), q0)
    q[mdp.terminal] = 0.0  # terminal states are worth nothing: never updated
    a = _epsilon_greedy(q[mdp.start], epsilon, rng)
    visits = np.zeros_like(q, dtype=np.int64)
    return TDState(q, mdp.start, a, visits=visits, rng=rng)


def td_step(
    state: TDState,
    mdp: GridMDP,
    method: str = "q_learning",
    alpha: float = 0.5,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    max_episode_steps: int = 200,
) -> TDState:
    r"""One environment step and one TD update of the table.

    Q-learning (off-policy) bootstraps from the best next action, SARSA (on-policy) from
    the action it will actually take next:

    $$y = r + \gamma(1-d)\max_{a'}Q(s',a') \quad\text{or}\quad y = r + \gamma(1-d)Q(s',a'),$$
    $$\delta = y - Q(s,a), \qquad Q(s,a) \leftarrow Q(s,a) + \alpha\,\delta$$

    $y$ comes from ``rlcore.core.ops.td_target``, the function DQN, TD3 and SAC train with.

    Args:
        state: the learner before the step (not modified; its ``rng`` advances).
        mdp: the environment.
        method: ``"q_learning"`` or ``"sarsa"``.
        alpha: step size.
        gamma: discount factor.
        epsilon: exploration rate of the epsilon-greedy behaviour policy.
        max_episode_steps: time limit (a truncation: not a terminal state).

    Returns:
        The learner after the step.
    """
    if method not in ("q_learning", "sarsa"):
        raise ValueError(f"method = {method!r} (allowed: q_learning, sarsa)")
    rng, q = state.rng, state.q.copy()
    s, a = state.s, state.a
    s1 = int(rng.choice(mdp.n_states, p=mdp.P[s, a]))
    r = float(mdp.R[s, a, s1])
    done = bool(mdp.terminal[s1])
    a1 = _epsilon_greedy(q[s1], epsilon, rng)
    next_value = q[s1, a1] if method == "sarsa" else q[s1].max()
    y = float(
        td_target(
            torch.tensor(r, dtype=torch.float64),
            torch.tensor(next_value, dtype=torch.float64),
            torch.tensor(float(done), dtype=torch.float64),
            gamma,
        )
    )
    delta = y - q[s, a]
    q[s, a] += alpha * delta
    visits = state.visits.copy() if state.visits is not None else np.zeros_like(q, dtype=np.int64)
    visits[s, a] += 1
    info = TDInfo(s, a, r, s1, a1 if method == "sarsa" else None, done, y, float(delta))
    ep_ret, ep_steps, returns = state.episode_return + r, state.episode_steps + 1, state.returns
    if done or ep_steps >= max_episode_steps:
        returns = (*returns, ep_ret)
        s1, ep_ret, ep_steps = mdp.start, 0.0, 0
        a1 = _epsilon_greedy(q[s1], epsilon, rng)
    elif method == "q_learning":
        a1 = _epsilon_greedy(q[s1], epsilon, rng)  # behaviour action, drawn with the new table
    return replace(
        state,
        q=q,
        s=s1,
        a=a1,
        steps=state.steps + 1,
        episode_steps=ep_steps,
        episode_return=ep_ret,
        returns=returns,
        visits=visits,
        last=info,
    )


def td_run(state: TDState, mdp: GridMDP, n_steps: int, **kwargs) -> TDState:
    """``n_steps`` calls of :func:`td_step` (keyword arguments are passed on)."""
    for _ in range(n_steps):
        state = td_step(state, mdp, **kwargs)
    return state


@dataclass(eq=False)
class TDToy:
    """Tabular TD learning on ``mdp`` (a :class:`~rlcore.learn.Toy`), from :func:`td_init`.

    ``method``, ``alpha``, ``gamma`` and ``epsilon`` are knobs: changed between steps, the
    table keeps what it learned and goes on with the new values. ``epsilon`` and ``seed``
    also pick the first action.
    """

    mdp: GridMDP
    method: str = "q_learning"
    alpha: float = 0.5
    gamma: float = 0.95
    epsilon: float = 0.1
    seed: int = 0
    state: TDState = field(init=False)

    def __post_init__(self) -> None:
        self.state = td_init(self.mdp, self.epsilon, seed=self.seed)

    @property
    def steps(self) -> int:
        return self.state.steps

    def step(self, n: int = 1) -> None:
        """``n`` environment steps, each with its TD update (:func:`td_run`)."""
        self.state = td_run(
            self.state,
            self.mdp,
            n,
            method=self.method,
            alpha=self.alpha,
            gamma=self.gamma,
            epsilon=self.epsilon,
        )
