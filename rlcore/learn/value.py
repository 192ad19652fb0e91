r"""Value-based explorers: a live DQN, the max-operator's bias, LogSumExp.

* **DQN approximates** $Q^*$ (explorer 3): ``rlcore.train.probes.dqn_q_vs_return``, a real
  (small) DQN run with the catalogue's
  CartPole preset, recording the network's $Q(s_0, \pi(s_0))$ next to the Monte-Carlo
  discounted return the greedy policy actually gets, and the online vs target network's
  value at a fixed state (the target network lags behind);
* **clipped double Q** (explorer 4): $\mathbb{E}[\max_a \hat Q(a)] \ge \max_a Q(a)$ for
  noisy unbiased estimates; taking ``rlcore.core.ops.clipped_min`` of two independent
  estimates first shrinks (and can reverse) that bias;
* **LogSumExp** (explorer 5): ``rlcore.core.ops.lse`` is a smooth maximum bounded by
  $\max_i x_i \le \mathrm{LSE}_T(x) \le \max_i x_i + T\log n$.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from rlcore.core.ops import clipped_min, lse

__all__ = [
    "action_values",
    "lse_bounds",
    "lse_curve",
    "max_bias_exact",
    "max_bias_exact_curve",
    "max_bias_samples",
    "softmax",
]


# -- 4: clipped double Q -----------------------------------------------------------------


def action_values(n_actions: int, gap: float = 0.0) -> np.ndarray:
    r"""True values $Q(a) = -\text{gap}\cdot a$: the best action is worth 0."""
    return -gap * np.arange(n_actions, dtype=np.float64)


def max_bias_samples(
    n_actions: int,
    noise_std: float,
    n_estimators: int = 1,
    gap: float = 0.0,
    trials: int = 20_000,
    seed: int = 0,
) -> np.ndarray:
    r"""Monte-Carlo samples of $\max_a \min_{i\le N} \hat Q_i(a) - \max_a Q(a)$.

    Each estimate is unbiased, $\hat Q_i(a) = Q(a) + \sigma\varepsilon_{ia}$ with
    $\varepsilon \sim \mathcal N(0,1)$ independent; the min over the $N$ estimators is
    ``rlcore.core.ops.clipped_min``, the same call TD3 and SAC make on their two critics.

    Returns:
        ``[trials]`` errors of the bootstrapped value (mean > 0: over-estimation).
    """
    g = torch.Generator().manual_seed(seed)
    q = torch.as_tensor(action_values(n_actions, gap))
    noise = torch.randn(n_estimators, trials, n_actions, generator=g, dtype=torch.float64)
    q_hat = q + noise_std * noise  # [N, trials, A]
    per_trial = clipped_min(q_hat.transpose(0, 1))  # the min over the N estimators: [trials, A]
    return (per_trial.max(dim=-1).values - q.max()).numpy()


def max_bias_exact(
    n_actions: int, noise_std: float, n_estimators: int = 1, gap: float = 0.0
) -> float:
    r"""$\mathbb{E}[\max_a \min_i \hat Q_i(a)] - \max_a Q(a)$ by numerical integration.

    With $\Phi$ the standard normal CDF, $\min_i \hat Q_i(a)$ has CDF
    $F_a(x) = 1 - (1 - \Phi((x - Q(a))/\sigma))^N$ and the max over independent actions
    has CDF $G(x) = \prod_a F_a(x)$, so

    $$\mathbb{E}[Y] = \int_0^\infty (1 - G(x))\,dx - \int_{-\infty}^0 G(x)\,dx .$$

    For $N = 1$ and equal values this is $\sigma\,\mathbb{E}[\max$ of $n$ standard
    normals$]$ (e.g. $\sigma/\sqrt{\pi}$ for $n = 2$).
    """
    return float(max_bias_exact_curve(n_actions, noise_std, n_estimators, gap)[-1])


def max_bias_exact_curve(
    max_actions: int, noise_std: float, n_estimators: int = 1, gap: float = 0.0
) -> np.ndarray:
    r""":func:`max_bias_exact` for 1, 2, ..., ``max_actions`` actions in one pass.

    The CDF of the max over the first $n$ actions is the running product
    $G_n = \prod_{a<n} F_a$, so one cumulative product gives every $n$ at once.
    """
    q = action_values(max_actions, gap)
    if noise_std == 0:
        return np.zeros(max_actions)
    # Integrate on each side of 0 separately so the kink of the integrand sits on a node.
    lo, hi = float(q.min()) - 12 * noise_std, float(q.max()) + 12 * noise_std
    q_t = torch.as_tensor(q)

    def cdf_max(x: torch.Tensor) -> torch.Tensor:
        z = (x[:, None] - q_t[None, :]) / noise_std
        return torch.cumprod(1 - (1 - torch.special.ndtr(z)) ** n_estimators, dim=1)  # [X, n]

    expect = torch.zeros(max_actions, dtype=torch.float64)
    if hi > 0:
        xp = torch.linspace(max(lo, 0.0), hi, _NODES, dtype=torch.float64)
        expect += _simpson(1 - cdf_max(xp), xp) + max(lo, 0.0)
    if lo < 0:
        xn = torch.linspace(lo, min(hi, 0.0), _NODES, dtype=torch.float64)
        expect -= _simpson(cdf_max(xn), xn) - min(hi, 0.0)
    return expect.numpy() - np.maximum.accumulate(q)


_NODES = 2001  # odd: Simpson's rule; error ~1e-10 on these smooth integrands


def _simpson(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Composite Simpson's rule along axis 0 of ``y`` on the uniform grid ``x``."""
    w = torch.ones(len(x), dtype=y.dtype)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return (w[:, None] * y).sum(0) * (x[1] - x[0]) / 3


# -- 5: LogSumExp and softmax ------------------------------------------------------------


def lse_curve(x: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    r"""$\mathrm{LSE}_T(x) = T\log\sum_i \exp(x_i/T)$ for each $T$ (``rlcore.core.ops.lse``)."""
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))
    return np.array([float(lse(xt, float(t))) for t in temperatures])


def softmax(x: np.ndarray, temperature: float) -> np.ndarray:
    r"""$\mathrm{softmax}(x/T)_i = \exp(x_i/T) / \sum_j \exp(x_j/T)$, the gradient of LSE_T.

    As $T \to 0$ it tends to the one-hot vector of the argmax (ties share equally).
    """
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))
    if temperature <= 0:
        best = (xt == xt.max()).double()
        return (best / best.sum()).numpy()
    return torch.softmax(xt / temperature, dim=-1).numpy()


def lse_bounds(x: np.ndarray, temperature: float) -> tuple[float, float]:
    r"""$(\max_i x_i,\; \max_i x_i + T\log n)$: where $\mathrm{LSE}_T(x)$ must lie."""
    m = float(np.max(x))
    return m, m + temperature * math.log(len(x))
