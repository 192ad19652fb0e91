r"""Policy explorers: reparameterisation, SAC's temperature, policy-gradient variance.

* **Reparameterisation** (explorer 6): two unbiased estimators of
  $\nabla_\mu \mathbb{E}_{x\sim\mathcal N(\mu,\sigma^2)}[f(x)]$, the pathwise one through
  $x = \mu + \sigma\epsilon$ (what ``rlcore.core.nn.TanhGaussianActor`` samples with) and the
  score-function one $f(x)\nabla_\mu\log p(x)$, with very different variances;
* **SAC's temperature** (explorer 7): dual ascent on $\log\alpha$ with
  ``rlcore.core.ops.dual_loss`` (SAC's ``alpha_loss``) drives a Gaussian policy's entropy to
  the target entropy;
* **policy gradient** (explorer 8): REINFORCE, REINFORCE with a baseline and an
  actor-critic advantage on a Gaussian-reward bandit: same expected gradient, different
  variance, different learning speed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import Tensor

from rlcore.core.ops import dual_loss

__all__ = [
    "FUNCTIONS",
    "PG_METHODS",
    "AlphaState",
    "AlphaToy",
    "alpha_init",
    "alpha_optimum",
    "alpha_run",
    "alpha_step",
    "gaussian_entropy",
    "gradient_estimates",
    "gradient_std_vs_samples",
    "pg_gradient_samples",
    "pg_learning_curves",
    "pg_true_gradient",
    "true_gradient",
]

# -- 6: reparameterisation vs score function --------------------------------------------

_F = Callable[[Tensor], Tensor]
# name -> (f, d/dmu E[f(x)] in closed form for x ~ N(mu, sigma^2))
FUNCTIONS: dict[str, tuple[_F, Callable[[float, float], float]]] = {
    # E[x^2] = mu^2 + sigma^2
    "square": (lambda x: x**2, lambda mu, s: 2 * mu),
    # E[sin x] = sin(mu) exp(-sigma^2 / 2)
    "sin": (torch.sin, lambda mu, s: math.cos(mu) * math.exp(-(s**2) / 2)),
    # E[exp(-x^2/2)] = exp(-mu^2 / (2(1+sigma^2))) / sqrt(1+sigma^2)
    "bump": (
        lambda x: torch.exp(-(x**2) / 2),
        lambda mu, s: -mu / (1 + s**2) ** 1.5 * math.exp(-(mu**2) / (2 * (1 + s**2))),
    ),
}


def true_gradient(name: str, mu: float, sigma: float) -> float:
    r"""Closed-form $\frac{d}{d\mu}\mathbb{E}_{x\sim\mathcal N(\mu,\sigma^2)}[f(x)]$."""
    return FUNCTIONS[name][1](mu, sigma)


def gradient_estimates(
    name: str, mu: float, sigma: float, n_samples: int, n_batches: int = 500, seed: int = 0
) -> dict[str, np.ndarray]:
    r"""Independent estimates of $\nabla_\mu\mathbb{E}[f(x)]$ by both estimators.

    ``n_batches`` estimates, each from ``n_samples`` draws, gradients by autograd.

    Reparameterised (pathwise): $x = \mu + \sigma\epsilon$, $\epsilon\sim\mathcal N(0,1)$,
    so $\hat g = \frac1M\sum_j \nabla_\mu f(\mu + \sigma\epsilon_j)
    = \frac1M\sum_j f'(x_j)$.

    Score function (REINFORCE / likelihood ratio): $x$ is sampled without a path to
    $\mu$, $\hat g = \frac1M\sum_j f(x_j)\nabla_\mu\log p_\mu(x_j)
    = \frac1M\sum_j f(x_j)\frac{x_j-\mu}{\sigma^2}$.

    Returns:
        ``{"reparam": [n_batches], "score": [n_batches]}``.
    """
    f = FUNCTIONS[name][0]
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(n_batches, n_samples, generator=g, dtype=torch.float64)
    # One mu per batch so a single backward gives every batch's own gradient.
    mu_r = torch.full((n_batches, 1), mu, dtype=torch.float64, requires_grad=True)
    x = mu_r + sigma * eps  # reparameterisation: the sample is a function of mu
    (g_rep,) = torch.autograd.grad(f(x).mean(1).sum(), mu_r)
    mu_s = torch.full((n_batches, 1), mu, dtype=torch.float64, requires_grad=True)
    x_s = (mu + sigma * eps).detach()  # the same draws, but no path back to mu
    log_p = torch.distributions.Normal(mu_s, sigma).log_prob(x_s)
    (g_score,) = torch.autograd.grad((f(x_s) * log_p).mean(1).sum(), mu_s)
    return {"reparam": g_rep.squeeze(1).numpy(), "score": g_score.squeeze(1).numpy()}


def gradient_std_vs_samples(
    name: str,
    mu: float,
    sigma: float,
    sample_counts: tuple[int, ...] = (1, 4, 16, 64, 256, 1024),
    n_batches: int = 300,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Standard deviation of each estimator for each sample count (falls as 1/sqrt(M))."""
    out = {"reparam": [], "score": []}
    for i, m in enumerate(sample_counts):
        est = gradient_estimates(name, mu, sigma, m, n_batches, seed + i)
        for k in out:
            out[k].append(float(est[k].std()))
    return {k: np.array(v) for k, v in out.items()}


# -- 7: SAC's temperature by dual ascent -------------------------------------------------


def gaussian_entropy(log_std: float) -> float:
    r"""$\mathcal H(\mathcal N(m, s^2)) = \tfrac12\log(2\pi e) + \log s$ (nats)."""
    return 0.5 * math.log(2 * math.pi * math.e) + log_std


def alpha_optimum(target_entropy: float) -> float:
    r"""The temperature at which the toy's best policy has exactly the target entropy.

    With reward $r(a) = -a^2/2$ the policy objective $\mathbb{E}[r] + \alpha\mathcal H$
    $= -(m^2+s^2)/2 + \alpha\log s + c$ is maximised at $m=0$, $s^2 = \alpha$, so
    $\alpha^* = s^{*2} = \exp\big(2\bar{\mathcal H} - \log(2\pi e)\big)$.
    """
    return math.exp(2 * target_entropy - math.log(2 * math.pi * math.e))


@dataclass(frozen=True)
class AlphaState:
    r"""The toy SAC learner: a 1-D Gaussian policy $\mathcal N(m, s^2)$ and $\log\alpha$.

    ``moments`` holds Adam's running first and second moments of the three parameters
    $(m, \log s, \log\alpha)$: SAC trains all of them with Adam.
    """

    mean: float
    log_std: float
    log_alpha: float
    step: int = 0
    entropy_estimate: float = float("nan")  # -mean log pi of the last batch
    moments: tuple[tuple[float, float], ...] = ((0.0, 0.0),) * 3


def alpha_init(alpha: float = 1.0, mean: float = 1.0, std: float = 1.0) -> AlphaState:
    """Start state (the defaults start far from every target, so the dynamics show)."""
    return AlphaState(mean, math.log(std), math.log(alpha))


def _adam(
    value: float, grad: float, moment: tuple[float, float], lr: float, t: int
) -> tuple[float, tuple[float, float]]:
    """One Adam step (Kingma & Ba 2015, default betas) on a scalar; ``t`` counts from 1."""
    b1, b2, eps = 0.9, 0.999, 1e-8
    m = b1 * moment[0] + (1 - b1) * grad
    v = b2 * moment[1] + (1 - b2) * grad**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return value - lr * m_hat / (math.sqrt(v_hat) + eps), (m, v)


def alpha_step(
    state: AlphaState,
    target_entropy: float,
    alpha_lr: float = 0.02,
    policy_lr: float = 0.02,
    batch_size: int = 64,
    seed: int = 0,
    autotune: bool = True,
) -> AlphaState:
    r"""One SAC-style update of the policy, then of the temperature (both with Adam).

    Policy (reparameterised, as SAC's ``actor_loss`` with $Q(a) = r(a) = -a^2/2$):
    $$L(m, s) = \mathbb{E}_{\epsilon}\big[\alpha\log\pi(a) - Q(a)\big],\quad a = m + s\epsilon$$
    Temperature (SAC's ``alpha_loss``, via ``rlcore.core.ops.dual_loss``):
    $$L(\alpha) = -\alpha\,\mathbb{E}[\log\pi(a) + \bar{\mathcal H}]$$
    one gradient step on $\log\alpha$: $\alpha$ grows while the entropy
    $-\mathbb{E}\log\pi$ is below the target $\bar{\mathcal H}$ and shrinks above it.
    """
    g = torch.Generator().manual_seed(seed * 1_000_003 + state.step)
    mean = torch.tensor(state.mean, dtype=torch.float64, requires_grad=True)
    log_std = torch.tensor(state.log_std, dtype=torch.float64, requires_grad=True)
    alpha = math.exp(state.log_alpha)
    eps = torch.randn(batch_size, generator=g, dtype=torch.float64)
    a = mean + log_std.exp() * eps  # reparameterisation
    log_pi = torch.distributions.Normal(mean, log_std.exp()).log_prob(a)
    q = -(a**2) / 2
    actor_loss = (alpha * log_pi - q).mean()
    g_mean, g_log_std = torch.autograd.grad(actor_loss, (mean, log_std))
    t = state.step + 1
    new_mean, m0 = _adam(state.mean, float(g_mean), state.moments[0], policy_lr, t)
    new_log_std, m1 = _adam(state.log_std, float(g_log_std), state.moments[1], policy_lr, t)
    new_log_alpha, m2 = state.log_alpha, state.moments[2]
    if autotune:
        log_alpha = torch.tensor(state.log_alpha, dtype=torch.float64, requires_grad=True)
        loss = dual_loss(log_alpha.exp(), log_pi.detach() + target_entropy)
        (g_alpha,) = torch.autograd.grad(loss, log_alpha)
        new_log_alpha, m2 = _adam(state.log_alpha, float(g_alpha), m2, alpha_lr, t)
    return replace(
        state,
        mean=new_mean,
        log_std=new_log_std,
        log_alpha=new_log_alpha,
        step=t,
        entropy_estimate=float(-log_pi.detach().mean()),
        moments=(m0, m1, m2),
    )


def alpha_run(state: AlphaState, n_steps: int, **kwargs) -> tuple[AlphaState, dict[str, list]]:
    """``n_steps`` calls of :func:`alpha_step`; history of alpha, entropy, mean, std."""
    hist: dict[str, list] = {"step": [], "alpha": [], "entropy": [], "mean": [], "std": []}
    for _ in range(n_steps):
        state = alpha_step(state, **kwargs)
        hist["step"].append(state.step)
        hist["alpha"].append(math.exp(state.log_alpha))
        hist["entropy"].append(gaussian_entropy(state.log_std))
        hist["mean"].append(state.mean)
        hist["std"].append(math.exp(state.log_std))
    return state, hist


@dataclass(eq=False)
class AlphaToy:
    """SAC's temperature toy (a :class:`~rlcore.learn.Toy`), from :func:`alpha_init`.

    The four knobs may change between steps; ``history`` keeps, per update, alpha, the
    entropy, the policy's mean and std, and the target entropy in force at that update.
    """

    target_entropy: float = 0.0
    alpha_lr: float = 0.02
    policy_lr: float = 0.02
    autotune: bool = True
    state: AlphaState = field(default_factory=alpha_init)
    history: dict[str, list] = field(
        default_factory=lambda: {
            k: [] for k in ("step", "alpha", "entropy", "mean", "std", "target")
        }
    )

    @property
    def steps(self) -> int:
        return self.state.step

    def step(self, n: int = 1) -> None:
        """``n`` updates of policy and temperature (:func:`alpha_run`)."""
        self.state, hist = alpha_run(
            self.state,
            n,
            target_entropy=self.target_entropy,
            alpha_lr=self.alpha_lr,
            policy_lr=self.policy_lr,
            autotune=self.autotune,
        )
        for key, values in hist.items():
            self.history[key].extend(values)
        self.history["target"].extend([self.target_entropy] * n)


# -- 8: policy gradient on a bandit --------------------------------------------------------

PG_METHODS = ("reinforce", "baseline", "critic")


def _softmax(theta: np.ndarray) -> np.ndarray:
    z = np.exp(theta - theta.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)


def pg_true_gradient(theta: np.ndarray, means: np.ndarray) -> np.ndarray:
    r"""Exact $\nabla_\theta J$ for $J = \sum_a \pi_\theta(a)\mu_a$, softmax policy.

    $$\frac{\partial J}{\partial\theta_k} = \pi_k(\mu_k - \textstyle\sum_a\pi_a\mu_a)$$
    """
    pi = _softmax(theta)
    return pi * (means - (pi * means).sum(-1, keepdims=True))


def _advantages(
    method: str, r: np.ndarray, a: np.ndarray, pi: np.ndarray, b: np.ndarray, q_hat: np.ndarray
) -> np.ndarray:
    r"""The weight of $\nabla\log\pi(a)$ for each sample: r, r - b, or Q(a) - V."""
    if method == "reinforce":
        return r
    if method == "baseline":
        return r - b[..., None]
    v_hat = (pi * q_hat).sum(-1, keepdims=True)
    return np.take_along_axis(q_hat, a, -1) - v_hat


def _estimate(adv: np.ndarray, a: np.ndarray, pi: np.ndarray) -> np.ndarray:
    r"""Batch gradient $\frac1B\sum_b (e_{a_b} - \pi)\,A_b$.

    For a softmax policy $\nabla_\theta\log\mathrm{softmax}(\theta)_a = e_a - \pi$.
    """
    k = pi.shape[-1]
    onehot = np.eye(k)[a]  # [..., B, K]
    return ((onehot - pi[..., None, :]) * adv[..., None]).mean(-2)


def pg_gradient_samples(
    theta: np.ndarray,
    means: np.ndarray,
    noise: float,
    offset: float,
    batch: int,
    n_batches: int = 2000,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    r"""``n_batches`` gradient estimates of each method at a fixed policy $\theta$.

    Rewards are $r = \mu_a + c + \sigma\xi$ ($c$: the offset, which changes nothing in
    the true gradient). The estimators differ only in the weight $A$ of
    $\nabla\log\pi(a)$: REINFORCE $A = r$, baseline $A = r - V_\pi$, critic
    $A = Q(a) - V_\pi$ with an exact critic $Q(a) = \mu_a + c$. All three are unbiased.

    Returns:
        ``{method: [n_batches, K]}``.
    """
    rng = np.random.default_rng(seed)
    pi = _softmax(theta)
    a = (rng.random((n_batches, batch, 1)) > pi.cumsum()).sum(-1)  # [N, B]
    a = np.minimum(a, len(means) - 1)
    r = means[a] + offset + noise * rng.standard_normal((n_batches, batch))
    q_true = means + offset
    v = np.full(n_batches, float(pi @ q_true))
    pis = np.broadcast_to(pi, (n_batches, len(means)))
    q_hat = np.broadcast_to(q_true, (n_batches, len(means)))
    return {m: _estimate(_advantages(m, r, a, pis, v, q_hat), a, pis) for m in PG_METHODS}


def pg_learning_curves(
    means: np.ndarray,
    noise: float,
    offset: float,
    batch: int = 8,
    lr: float = 0.5,
    iters: int = 200,
    seeds: int = 16,
    critic_lr: float = 0.2,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    r"""Learn the bandit with each method; expected reward $J(\theta_t)$ per iteration.

    Gradient ascent $\theta \leftarrow \theta + \eta\hat g$ from a uniform policy. The
    baseline $b$ is a running mean of the rewards; the critic is a table
    $\hat Q(a) \leftarrow \hat Q(a) + \beta(r - \hat Q(a))$ learned alongside, with
    advantage $\hat Q(a) - \sum_{a'}\pi(a')\hat Q(a')$ (as A2C uses $V$ to form
    advantages); both start at the first batch's mean reward. ``seeds`` independent runs
    are stepped together.

    Returns:
        ``{method: [seeds, iters]}`` of $J(\theta_t) = \sum_a\pi_t(a)\mu_a$ (no offset).
    """
    k = len(means)
    out = {}
    for m in PG_METHODS:
        rng = np.random.default_rng(seed)  # same draws for every method: a fair race
        theta = np.zeros((seeds, k))
        b = np.zeros(seeds)
        q_hat = np.zeros((seeds, k))
        curve = np.zeros((seeds, iters))
        for it in range(iters):
            pi = _softmax(theta)
            curve[:, it] = pi @ means
            u = rng.random((seeds, batch, 1))
            a = np.minimum((u > pi.cumsum(-1)[:, None, :]).sum(-1), k - 1)  # [S, B]
            r = means[a] + offset + noise * rng.standard_normal((seeds, batch))
            adv = _advantages(m, r, a, pi, b, q_hat)
            theta = theta + lr * _estimate(adv, a, pi)
            if it == 0:  # warm start at the first batch's mean, not at an arbitrary 0
                b = r.mean(1)
                q_hat = np.repeat(b[:, None], k, axis=1)
            b = b + critic_lr * (r.mean(1) - b)
            for j in range(batch):  # the critic sees each sample once
                rows = np.arange(seeds)
                q_hat[rows, a[:, j]] += critic_lr * (r[:, j] - q_hat[rows, a[:, j]])
        out[m] = curve
    return out
