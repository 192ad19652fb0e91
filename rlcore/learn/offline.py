r"""Offline-RL explorers (#9-#13): CQL, IQL's expectile, AWR weights, SAC-N/EDAC, BC.

Each toy calls the same ``rlcore`` function the algorithm trains with, never a copy:

* **CQL** (#9): a one-state task with a 1-D action; the dataset covers only part of the
  action range. A small MLP ``Q(a)`` is trained by TD with and without a CQL penalty
  (naive, improved, CQL(H) through ``ops.cql_logsumexp``, Lagrange through
  ``ops.dual_loss``);
* **IQL expectile** (#10): the $\tau$-expectile of a sample, in closed form and by
  gradient descent on ``ops.expectile_loss``;
* **AWR** (#11): ``ops.awr_weights`` under both conventions, $\exp(\beta A)$ and
  $\exp(A/\lambda)$;
* **SAC-N / EDAC** (#12): an ``nn.EnsembleCritic`` fitted on a toy dataset, with the
  diversity term ``ops.edac_diversity`` and the pessimistic ``ops.clipped_min``;
* **BC** (#13): maximum likelihood on a mixed-quality dataset, in closed form and with
  ``nn.GaussianActor.log_prob`` (what ``rlcore.algos.bc`` trains).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import torch
from torch import Tensor, nn

from rlcore.core.nn import EnsembleCritic, GaussianActor
from rlcore.core.ops import (
    awr_weights,
    clipped_min,
    cql_logsumexp,
    dual_loss,
    edac_diversity,
    expectile_loss,
    expectile_weights,
    soft_update,
)

__all__ = [
    "BC_BAD_ACTION",
    "BC_GOOD_ACTION",
    "CQL_VARIANTS",
    "SAMPLE_KINDS",
    "AWRWeights",
    "BCDataset",
    "CQLToy",
    "CQLToyConfig",
    "EnsembleFit",
    "EnsembleToyConfig",
    "ExpectileFit",
    "advantage_sample",
    "awr_weight_table",
    "bc_actor_fit",
    "bc_dataset",
    "bc_reward",
    "cql_reward",
    "ensemble_reward",
    "ensemble_slice",
    "expected_min_factor",
    "expectile",
    "expectile_curve",
    "fit_ensemble",
    "gaussian_log_likelihood",
    "gaussian_mle",
    "inverse_temperature",
    "min_over_first_k",
    "sample_data",
    "weighted_gaussian_mle",
]

# -- #9 CQL on a 1-D action toy ------------------------------------------------------------

CQL_VARIANTS = ("naive", "improved", "cql_h", "lagrange")


def cql_reward(action: Tensor) -> Tensor:
    """Reward of the one-state CQL toy: a bump peaking at a = 0.1, then falling off.

    The dataset usually stops near the peak, so the data's slope points *up* at its edge:
    a network extrapolating that slope over-estimates the unseen actions.
    """
    return torch.exp(-((action - 0.1) ** 2) / (2 * 0.35**2)) - 0.3 * action


@dataclass(frozen=True)
class CQLToyConfig:
    r"""Settings of the CQL toy (Kumar et al. 2020).

    Attributes:
        variant: which penalty: ``naive`` (eq. 1), ``improved`` (eq. 2), ``cql_h``
            (eq. 4) or ``lagrange`` (CQL(H) with $\alpha$ tuned by dual gradient descent).
        cql_alpha: penalty weight $\alpha$ (for ``lagrange``: times the learned $\alpha'$).
        target_action_gap: the Lagrange threshold $\tau$ on the penalty.
        data_low: lowest action in the dataset.
        data_high: highest action in the dataset.
        gamma: discount of the one-state task (the state loops back to itself).
        lr: Adam learning rate of both Q networks.
        dual_lr: Adam learning rate of $\log\alpha'$ (``lagrange``).
        polyak: target-network Polyak factor.
        n_data: dataset size.
        n_sampled: uniform action samples for the CQL(H) log-sum-exp.
        policy_temperature: $T$ of the policy $\pi(a) \propto \exp(Q(a)/T)$ that the
            naive and improved penalties push down on ($\mu = \pi$).
        grid_size: actions on which the Q curves and the greedy target are evaluated.
        seed: seed of the data, the networks and the action samples.
    """

    variant: str = "cql_h"
    cql_alpha: float = 1.0
    target_action_gap: float = 0.3
    data_low: float = -1.0
    data_high: float = 0.2
    gamma: float = 0.8
    lr: float = 1e-3
    dual_lr: float = 3e-2
    polyak: float = 0.05
    n_data: int = 64
    n_sampled: int = 32
    policy_temperature: float = 0.3
    grid_size: int = 81
    seed: int = 0

    def __post_init__(self) -> None:
        if self.variant not in CQL_VARIANTS:
            raise ValueError(f"variant = {self.variant!r} not in {CQL_VARIANTS}")
        if not -1.0 <= self.data_low < self.data_high <= 1.0:
            raise ValueError("need -1 <= data_low < data_high <= 1")
        if not 0.0 <= self.gamma < 1.0:
            raise ValueError(f"gamma = {self.gamma} must be in [0, 1)")


def _q_net(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    # ReLU: piecewise linear, so the net extrapolates the data's slope off the data.
    return nn.Sequential(
        nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1)
    )


class CQLToy:
    r"""Two Q networks trained side by side on the same data: plain TD and TD + CQL.

    One state that loops to itself, actions $a\in[-1,1]$, target
    $y = r + \gamma\max_{a'}\bar Q(a')$ (greedy policy, Polyak target net). Per step,
    on a batch of the dataset $\mathcal D$:

    $$L(\theta) = \tfrac12\mathbb{E}_{\mathcal D}\big[(Q_\theta(a) - y)^2\big]
    + \alpha\,R(\theta)$$

    with $R$ the chosen penalty (``config.variant``):

    * naive (eq. 1): $R = \mathbb{E}_{a\sim\mu}[Q(a)]$;
    * improved (eq. 2): $R = \mathbb{E}_{a\sim\mu}[Q(a)] - \mathbb{E}_{a\sim\mathcal D}[Q(a)]$;
    * CQL(H) (eq. 4): $R = \log\int\exp Q(a)\,da - \mathbb{E}_{\mathcal D}[Q(a)]$, the
      integral by importance sampling from uniform actions (``ops.cql_logsumexp``);
    * Lagrange: CQL(H) with weight $\alpha\,\alpha'$, $\alpha'$ updated by
      ``ops.dual_loss`` on $R - \tau$ (as ``rlcore.algos.cql`` does).

    Here $\mu = \pi$, the current policy $\pi(a)\propto\exp(Q(a)/T)$ on the action grid.
    """

    def __init__(self, config: CQLToyConfig) -> None:
        self.config = c = config
        g = torch.Generator().manual_seed(c.seed)
        self._gen = g
        self.data_actions = c.data_low + (c.data_high - c.data_low) * torch.rand(
            c.n_data, 1, generator=g
        )
        self.data_rewards = cql_reward(self.data_actions).squeeze(-1) + 0.05 * torch.randn(
            c.n_data, generator=g
        )
        self.grid = torch.linspace(-1.0, 1.0, c.grid_size).unsqueeze(-1)  # [G, 1]
        self.in_data = (self.grid.squeeze(-1) >= c.data_low) & (
            self.grid.squeeze(-1) <= c.data_high
        )
        # Both learners start from the same weights: any difference is the penalty's doing.
        self.nets = {"baseline": _q_net(c.seed), "cql": _q_net(c.seed)}
        self.targets = {k: copy.deepcopy(q) for k, q in self.nets.items()}
        self.opts = {k: torch.optim.Adam(q.parameters(), lr=c.lr) for k, q in self.nets.items()}
        self.log_cql_alpha = torch.zeros((), requires_grad=True)  # alpha' = 1 at the start
        self.alpha_opt = torch.optim.Adam([self.log_cql_alpha], lr=c.dual_lr)
        self.steps = 0
        self.history: dict[str, list[float]] = {
            k: [] for k in ("step", "penalty", "alpha", "gap_baseline", "gap_cql")
        }

    @property
    def alpha(self) -> float:
        r"""Current penalty weight: $\alpha$, times the learned $\alpha'$ for ``lagrange``."""
        if self.config.variant == "lagrange":
            return self.config.cql_alpha * float(self.log_cql_alpha.detach().exp().clamp(0.0, 1e6))
        return self.config.cql_alpha

    def penalty(self, q: nn.Module) -> Tensor:
        r"""The variant's regulariser $R(\theta)$ (without $\alpha$), differentiable."""
        c = self.config
        q_data = q(self.data_actions).squeeze(-1)  # [B]
        if c.variant in ("naive", "improved"):
            q_grid = q(self.grid).squeeze(-1)  # [G]
            mu = torch.softmax(q_grid.detach() / c.policy_temperature, dim=0)
            push_down = (mu * q_grid).sum()
            return push_down if c.variant == "naive" else push_down - q_data.mean()
        # CQL(H): uniform proposal on [-1, 1], density 1/2 (App. F importance sampling).
        a_mu = -1.0 + 2.0 * torch.rand(c.n_sampled, 1, generator=self._gen)
        q_mu = q(a_mu).squeeze(-1)  # [M]
        return cql_logsumexp(q_mu, torch.full_like(q_mu, -math.log(2.0))) - q_data.mean()

    def _td_loss(self, name: str) -> Tensor:
        with torch.no_grad():
            next_v = self.targets[name](self.grid).max()  # greedy: max over every action
            y = self.data_rewards + self.config.gamma * next_v
        return 0.5 * (self.nets[name](self.data_actions).squeeze(-1) - y).pow(2).mean()

    def step(self, n: int = 1) -> None:
        r"""``n`` gradient steps of both learners (and of $\log\alpha$ for Lagrange)."""
        c = self.config
        for _ in range(n):
            alpha = self.alpha
            for name in ("baseline", "cql"):
                loss = self._td_loss(name)
                if name == "cql":
                    pen = self.penalty(self.nets[name])
                    loss = loss + alpha * pen
                self.opts[name].zero_grad()
                loss.backward()
                self.opts[name].step()
                soft_update(self.targets[name], self.nets[name], c.polyak)
            if c.variant == "lagrange":
                # Same rule as SAC's temperature: alpha' rises while the penalty exceeds tau.
                a_loss = dual_loss(
                    c.cql_alpha * self.log_cql_alpha.exp(), pen - c.target_action_gap
                )
                self.alpha_opt.zero_grad()
                a_loss.backward()
                self.alpha_opt.step()
            self.steps += 1
            q = self.q_values()
            h = self.history
            h["step"].append(self.steps)
            h["penalty"].append(float(pen.detach()))
            h["alpha"].append(self.alpha)
            for name in ("baseline", "cql"):
                h[f"gap_{name}"].append(self._gap(q[name]))

    def _gap(self, q: np.ndarray) -> float:
        """Mean Q on the data's actions minus mean Q off them (the gap CQL expands)."""
        m = self.in_data.numpy()
        return float(q[m].mean() - q[~m].mean()) if (~m).any() else 0.0

    @torch.no_grad()
    def q_values(self) -> dict[str, np.ndarray]:
        """Q on the action grid for ``baseline`` (TD only) and ``cql`` (TD + penalty)."""
        return {k: q(self.grid).squeeze(-1).numpy() for k, q in self.nets.items()}

    def reference_q(self) -> np.ndarray:
        r"""True $Q(a) = r(a) + \frac{\gamma}{1-\gamma}\max_{a'\in\mathcal D} r(a')$ on the grid.

        The value of taking $a$ once, then the best action the data supports forever:
        the most an offline learner can honestly claim.
        """
        r = cql_reward(self.grid.squeeze(-1))
        best = r[self.in_data].max() if self.in_data.any() else r.max()
        return (r + self.config.gamma / (1 - self.config.gamma) * best).numpy()


# -- #10 IQL expectile --------------------------------------------------------------------

SAMPLE_KINDS = ("normal", "skewed", "bimodal")


def sample_data(kind: str, n: int, seed: int = 0) -> np.ndarray:
    """A 1-D sample to take expectiles of: ``normal``, right-``skewed`` or ``bimodal``."""
    rng = np.random.default_rng(seed)
    if kind == "normal":
        return rng.normal(0.0, 1.0, n)
    if kind == "skewed":
        return rng.exponential(1.0, n) - 1.0
    if kind == "bimodal":
        return np.where(rng.random(n) < 0.7, rng.normal(-1.0, 0.4, n), rng.normal(2.0, 0.4, n))
    raise ValueError(f"kind = {kind!r} not in {SAMPLE_KINDS}")


def expectile(y: np.ndarray, tau: float, tol: float = 1e-12, max_iter: int = 200) -> float:
    r"""The $\tau$-expectile $m_\tau$ of a sample.

    The minimiser of $\frac1n\sum_i |\tau - \mathbb 1(y_i - m < 0)|\,(y_i - m)^2$.

    Setting the derivative to zero gives a weighted mean with weights that depend on $m$,
    $m = \sum_i w_i y_i / \sum_i w_i$, $w_i = |\tau - \mathbb 1(y_i < m)|$; iterating it
    (iteratively reweighted least squares) reaches the exact fixed point in a few steps,
    because the weights only change when $m$ crosses a sample. $m_{0.5}$ is the mean,
    $m_\tau \to \max_i y_i$ as $\tau \to 1$.
    """
    if not 0.0 < tau < 1.0:
        raise ValueError(f"tau = {tau} must be in (0, 1)")
    y = np.asarray(y, dtype=np.float64)
    m = float(y.mean())
    for _ in range(max_iter):
        w = np.where(y < m, 1.0 - tau, tau)
        new = float((w * y).sum() / w.sum())
        if abs(new - m) <= tol:
            return new
        m = new
    return m


def expectile_curve(y: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """Expectiles of ``y`` for every ``tau`` in ``taus``."""
    return np.array([expectile(y, float(t)) for t in taus])


class ExpectileFit:
    r"""Fit one value $v$ (IQL's $V(s)$ for a single state) to targets $y_i$ (its $Q(s,a_i)$).

    Plain gradient descent on IQL's value loss (Kostrikov et al. 2021, eq. 5), the very
    function the algorithm calls: ``ops.expectile_loss`` on the residual $u_i = y_i - v$.
    """

    def __init__(self, y: np.ndarray, tau: float, lr: float = 0.5, v0: float | None = None):
        self.y = torch.as_tensor(y, dtype=torch.float32)
        self.tau = tau
        self.v = torch.tensor(float(self.y.min()) if v0 is None else v0, requires_grad=True)
        self.opt = torch.optim.SGD([self.v], lr=lr)
        self.steps = 0
        self.history: dict[str, list[float]] = {"step": [0], "v": [self.value], "loss": []}
        self.history["loss"].append(self.loss())

    @property
    def value(self) -> float:
        """The current estimate $v$."""
        return float(self.v.detach())

    def residuals(self) -> Tensor:
        """$u_i = y_i - v$ (target minus prediction)."""
        return self.y - self.v.detach()

    def weights(self) -> np.ndarray:
        r"""$|\tau - \mathbb 1(u_i < 0)|$: $\tau$ above $v$, $1-\tau$ below."""
        return expectile_weights(self.residuals(), self.tau).numpy()

    def loss(self) -> float:
        """Current value of ``ops.expectile_loss``."""
        return float(expectile_loss(self.residuals(), self.tau))

    def step(self, n: int = 1) -> None:
        """``n`` gradient-descent steps on $v$."""
        for _ in range(n):
            loss = expectile_loss(self.y - self.v, self.tau)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.steps += 1
            self.history["step"].append(self.steps)
            self.history["v"].append(self.value)
            self.history["loss"].append(self.loss())


# -- #11 AWR weights ---------------------------------------------------------------------


def advantage_sample(n: int, spread: float, seed: int = 0) -> np.ndarray:
    """Advantages of ``n`` dataset actions: mostly small, a few large (heavy right tail)."""
    rng = np.random.default_rng(seed)
    # A Student-t with 3 degrees of freedom: most |A| small, the odd one large, as in
    # a real batch where a few actions were much better than the policy's average.
    return np.sort(spread * rng.standard_t(3, n))


def inverse_temperature(beta: float | None = None, temperature: float | None = None) -> float:
    r"""The inverse temperature $\beta$ from either convention ($\beta = 1/\lambda$).

    $\exp(\beta A)$: inverse temperature $\beta$ (the IQL/AWAC papers, ``ops.awr_weights``);
    $\exp(A/\lambda)$: temperature $\lambda$ (the AWR paper, code that divides).
    """
    if (beta is None) == (temperature is None):
        raise ValueError("give exactly one of beta, temperature")
    if temperature is not None:
        if temperature <= 0:
            raise ValueError(f"temperature = {temperature} must be > 0")
        return 1.0 / temperature
    assert beta is not None
    if beta < 0:
        raise ValueError(f"beta = {beta} must be >= 0")
    return beta


@dataclass(frozen=True)
class AWRWeights:
    """Per-sample AWR weights, before and after the clip, and how concentrated they are."""

    beta: float
    raw: np.ndarray
    clipped: np.ndarray
    share_raw: np.ndarray
    share_clipped: np.ndarray
    ess_raw: float
    ess_clipped: float
    n_clipped: int


def _ess(w: np.ndarray) -> float:
    # Kish's effective sample size: n when all weights are equal, 1 when one dominates.
    return float(w.sum() ** 2 / (w**2).sum())


def awr_weight_table(advantage: np.ndarray, beta: float, max_weight: float) -> AWRWeights:
    r"""Weights $\min(\exp(\beta A_i), w_{max})$ from ``ops.awr_weights``, and unclipped."""
    a = torch.as_tensor(advantage, dtype=torch.float64)
    raw = awr_weights(a, beta, max_weight=math.inf).numpy()
    clipped = awr_weights(a, beta, max_weight=max_weight).numpy()
    return AWRWeights(
        beta=beta,
        raw=raw,
        clipped=clipped,
        share_raw=raw / raw.sum(),
        share_clipped=clipped / clipped.sum(),
        ess_raw=_ess(raw),
        ess_clipped=_ess(clipped),
        n_clipped=int((raw > max_weight).sum()),
    )


# -- #12 SAC-N / EDAC -----------------------------------------------------------------------


def _behaviour_action(s: Tensor) -> Tensor:
    """The data's policy: a 2-D action that moves with the 1-D state ``[B, 1] -> [B, 2]``."""
    return torch.cat([0.6 * s - 0.3, -0.5 * s], dim=-1)


def ensemble_reward(s: Tensor, a: Tensor) -> Tensor:
    """Reward of the ensemble toy, best at ``a = (s/2, 0)``: not where the data is."""
    best = torch.cat([0.5 * s, torch.zeros_like(s)], dim=-1)
    return 3.0 * (1.0 - (a - best).pow(2).sum(-1))


@dataclass(frozen=True)
class EnsembleToyConfig:
    r"""Settings of the SAC-N / EDAC toy.

    Attributes:
        n_members: ensemble size $N$.
        eta: weight $\eta$ of EDAC's gradient-diversity term (0 = SAC-N).
        noise: standard deviation of the data's actions around the behaviour policy.
        steps: Adam steps of the fit.
        n_data: dataset size.
        hidden: width of the two hidden layers.
        lr: Adam learning rate.
        seed: seed of the data and of the members' initial weights.
    """

    n_members: int = 5
    eta: float = 1.0
    noise: float = 0.1
    steps: int = 100
    n_data: int = 64
    hidden: int = 32
    lr: float = 5e-3
    seed: int = 0


@dataclass
class EnsembleFit:
    """A fitted ensemble and its data and diagnostics."""

    critic: EnsembleCritic
    states: Tensor  # [B, 1]
    actions: Tensor  # [B, 2]
    targets: Tensor  # [B]
    similarity: np.ndarray  # [N, N], mean over the data of edac_diversity's matrices
    history: dict[str, list[float]] = field(default_factory=dict)


def fit_ensemble(config: EnsembleToyConfig) -> EnsembleFit:
    r"""Fit $N$ critics to the data's rewards, with EDAC's diversity term (An et al. 2021).

    $$L = \sum_{i=1}^N \mathbb{E}_{\mathcal D}\big[(Q_i(s,a) - r)^2\big]
    + \eta\,\frac{1}{N-1}\sum_{i\ne j}\langle\hat\nabla_a Q_i, \hat\nabla_a Q_j\rangle$$

    (as ``rlcore.algos.edac``: MSE summed over members, the diversity from
    ``ops.edac_diversity`` on the data's actions). The target is the reward itself, a
    one-step task, so the fit takes a fraction of a second.
    """
    c = config
    g = torch.Generator().manual_seed(c.seed)
    s = torch.rand(c.n_data, 1, generator=g) * 2 - 1
    a = (_behaviour_action(s) + c.noise * torch.randn(c.n_data, 2, generator=g)).clamp(-1, 1)
    y = ensemble_reward(s, a) + 0.05 * torch.randn(c.n_data, generator=g)
    torch.manual_seed(c.seed)
    critic = EnsembleCritic(1, 2, [c.hidden, c.hidden], n=c.n_members)
    opt = torch.optim.Adam(critic.parameters(), lr=c.lr)
    obs = s.unsqueeze(0).expand(c.n_members, -1, -1)  # [N, B, 1]
    history: dict[str, list[float]] = {"mse": [], "diversity": []}
    sim = torch.ones(1, c.n_members, c.n_members)
    for _ in range(c.steps):
        act = a.unsqueeze(0).expand(c.n_members, -1, -1).clone().requires_grad_(True)
        q = critic(obs, act)  # [N, B]
        mse = (q - y).pow(2).mean(dim=1)  # [N]
        grads = torch.autograd.grad(q.sum(), act, create_graph=c.eta > 0, retain_graph=True)[
            0
        ]  # [N, B, 2]
        div, sim = edac_diversity(grads)
        loss = mse.sum() + (c.eta * div if c.eta > 0 else 0.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history["mse"].append(float(mse.detach().mean()))
        history["diversity"].append(float(div.detach()))
    return EnsembleFit(critic, s, a, y, sim.detach().mean(0).numpy(), history)


@torch.no_grad()
def ensemble_slice(fit: EnsembleFit, state: float, a1: np.ndarray) -> dict[str, np.ndarray]:
    """Every member's Q along the first action axis at one state, and the true reward.

    The second action axis is held at the behaviour action of that state.

    Returns:
        ``q`` ``[N, G]``, ``true`` ``[G]`` and ``behaviour`` (the data's action at ``state``).
    """
    s = torch.full((len(a1), 1), float(state))
    beh = _behaviour_action(s[:1])[0]
    act = torch.stack([torch.as_tensor(a1, dtype=torch.float32), beh[1].expand(len(a1))], -1)
    return {
        "q": fit.critic(s, act).numpy(),
        "true": ensemble_reward(s, act).numpy(),
        "behaviour": beh.numpy(),
    }


def expected_min_factor(n: int) -> float:
    r"""How far the min of $N$ Gaussian estimates sits below their mean, in std units.

    $\mathbb{E}[\min_{i\le N} Q_i] \approx \bar Q - c_N\,\sigma$ with
    $c_N = \Phi^{-1}\big(\frac{N - 3/8}{N + 1/4}\big)$
    (Blom's approximation of the expected smallest order statistic). $c_1 = 0$,
    $c_2 \approx 0.6$, $c_{10} \approx 1.5$: the min sinks with $N$, and more so where
    the members disagree (large $\sigma$, off the data).
    """
    if n < 1:
        raise ValueError(f"n = {n} must be >= 1")
    return NormalDist().inv_cdf((n - 0.375) / (n + 0.25))


def min_over_first_k(q: np.ndarray) -> np.ndarray:
    """``ops.clipped_min`` over the first k members, for k = 1..N: ``[N, G] -> [N, G]``.

    Row k-1 is the pessimistic estimate of an ensemble of k: it can only go down with k.
    """
    t = torch.as_tensor(q)
    return torch.stack([clipped_min(t[:k]) for k in range(1, t.shape[0] + 1)]).numpy()


# -- #13 behaviour cloning = maximum likelihood ------------------------------------------

BC_GOOD_ACTION, BC_BAD_ACTION = 0.6, -0.5


def bc_reward(action: np.ndarray) -> np.ndarray:
    """Reward of the BC toy: best at the good action."""
    return 1.0 - (np.asarray(action) - BC_GOOD_ACTION) ** 2


@dataclass(frozen=True)
class BCDataset:
    """Actions from a mix of a good and a bad demonstrator."""

    actions: np.ndarray
    good: np.ndarray  # bool: which demonstrator produced each action


def bc_dataset(good_fraction: float, n: int = 200, seed: int = 0) -> BCDataset:
    """``n`` actions: a ``good_fraction`` near the good action, the rest near the bad one."""
    rng = np.random.default_rng(seed)
    good = rng.random(n) < good_fraction
    a = np.where(good, rng.normal(BC_GOOD_ACTION, 0.1, n), rng.normal(BC_BAD_ACTION, 0.15, n))
    return BCDataset(np.clip(a, -0.99, 0.99), good)


def gaussian_mle(actions: np.ndarray) -> tuple[float, float]:
    r"""Maximum-likelihood Gaussian $\mathcal N(\mu,\sigma^2)$ of the actions.

    $\hat\mu = \bar a$, $\hat\sigma^2 = \frac1n\sum_i (a_i - \bar a)^2$.
    """
    a = np.asarray(actions, dtype=np.float64)
    return float(a.mean()), float(a.std())


def weighted_gaussian_mle(actions: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    r"""Weighted maximum likelihood (AWR's policy step): $\hat\mu = \sum_i w_i a_i/\sum_i w_i$."""
    a, w = np.asarray(actions, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    mu = float((w * a).sum() / w.sum())
    return mu, float(np.sqrt((w * (a - mu) ** 2).sum() / w.sum()))


def gaussian_log_likelihood(actions: np.ndarray, means: np.ndarray, std: float) -> np.ndarray:
    r"""Average $\frac1n\sum_i\log\mathcal N(a_i;\mu,\sigma^2)$ for each candidate $\mu$."""
    a = np.asarray(actions, dtype=np.float64)[None, :]
    m = np.asarray(means, dtype=np.float64)[:, None]
    return (-0.5 * ((a - m) / std) ** 2 - math.log(std) - 0.5 * math.log(2 * math.pi)).mean(1)


def bc_actor_fit(
    actions: np.ndarray, steps: int = 200, lr: float = 0.05, seed: int = 0
) -> tuple[GaussianActor, list[float]]:
    r"""Behaviour cloning: maximise $\frac1n\sum_i\log\pi(a_i)$ with the algorithm's actor.

    The ``GaussianActor`` BC trains, on a single (constant) state, by Adam on
    ``-log_prob`` exactly as ``rlcore.algos.bc`` does. Its maximum-likelihood answer is
    :func:`gaussian_mle`: the data's mean action and standard deviation.

    Returns:
        The actor and the mean log-likelihood after each step.
    """
    torch.manual_seed(seed)
    actor = GaussianActor(1, np.array([-1.0]), np.array([1.0]), hidden=[])
    opt = torch.optim.Adam(actor.parameters(), lr=lr)
    obs = torch.zeros(len(actions), 1)
    act = torch.as_tensor(actions, dtype=torch.float32).unsqueeze(-1)
    curve = []
    for _ in range(steps):
        ll = actor.log_prob(obs, act).mean()
        opt.zero_grad()
        (-ll).backward()
        opt.step()
        curve.append(float(ll.detach()))
    return actor, curve
