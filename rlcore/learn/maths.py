r"""Maths-toolbox explorers (#14, #15, #17, #18, #19).

* **KL divergence** (#14) of two Gaussians, closed form and Monte Carlo: not symmetric,
  no triangle inequality, so not a distance;
* **Lagrange multipliers** (#15): dual gradient descent on a constrained toy with
  ``ops.dual_loss``, the rule SAC's temperature and CQL-Lagrange's $\alpha$ use;
* **covariance** (#17): $\mathrm{Var}(a^\top b) = b^\top\mathrm{Cov}(a)\,b$, eigenvalues
  $\ge 0$ (positive semi-definite), trace = sum of eigenvalues = total variance;
* **backpropagation** (#18): a two-layer net on one input, the chain rule by hand next to
  torch autograd;
* **``values, indices = t.max(dim)``** (#19).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from rlcore.core.ops import dual_loss

__all__ = [
    "ACTIVATIONS",
    "PARAMS",
    "DualAscentToy",
    "DualToyConfig",
    "backward_autograd",
    "backward_by_hand",
    "covariance_2d",
    "directional_variance",
    "dual_constraint",
    "dual_objective",
    "dual_solution",
    "eig_psd",
    "example_tensor",
    "forward_pass",
    "gaussian_pdf",
    "init_two_layer",
    "inner_product_variance",
    "kl_gaussian",
    "kl_integrand",
    "kl_monte_carlo",
    "max_along",
    "mc_inner_product_variance",
    "sample_gaussian",
    "total_variance",
]

# -- #14 KL divergence --------------------------------------------------------------------


def gaussian_pdf(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    r"""Density of $\mathcal N(\mu, \sigma^2)$."""
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def kl_gaussian(mu_p: float, sigma_p: float, mu_q: float, sigma_q: float) -> float:
    r"""KL divergence of two Gaussians, $p = \mathcal N(\mu_p,\sigma_p^2)$ and $q$, in closed form.

    $$\mathrm{KL}(p\|q) = \log\frac{\sigma_q}{\sigma_p}
    + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2\sigma_q^2} - \frac12$$
    """
    return math.log(sigma_q / sigma_p) + (sigma_p**2 + (mu_p - mu_q) ** 2) / (2 * sigma_q**2) - 0.5


def kl_monte_carlo(
    mu_p: float, sigma_p: float, mu_q: float, sigma_q: float, n: int, seed: int = 0
) -> tuple[float, float]:
    r"""Monte-Carlo estimate of $\mathrm{KL}(p\|q)$.

    $\mathrm{KL}(p\|q) \approx \frac1n\sum_j \log\frac{p(x_j)}{q(x_j)}$, $x_j\sim p$.

    Returns:
        The estimate and its standard error.
    """
    x = np.random.default_rng(seed).normal(mu_p, sigma_p, n)
    log_ratio = np.log(gaussian_pdf(x, mu_p, sigma_p)) - np.log(gaussian_pdf(x, mu_q, sigma_q))
    return float(log_ratio.mean()), float(log_ratio.std(ddof=1) / math.sqrt(n))


def kl_integrand(
    x: np.ndarray, mu_p: float, sigma_p: float, mu_q: float, sigma_q: float
) -> np.ndarray:
    r"""$p(x)\log\frac{p(x)}{q(x)}$: its integral over $x$ is $\mathrm{KL}(p\|q)$."""
    p = gaussian_pdf(x, mu_p, sigma_p)
    # log-densities in closed form: no log(0) in the tails
    log_p = -0.5 * ((x - mu_p) / sigma_p) ** 2 - math.log(sigma_p)
    log_q = -0.5 * ((x - mu_q) / sigma_q) ** 2 - math.log(sigma_q)
    return p * (log_p - log_q)


# -- #15 Lagrange multipliers, dual gradient descent --------------------------------------

_X0 = np.array([2.0, 1.0])  # unconstrained minimiser of the objective


def dual_objective(x: Tensor) -> Tensor:
    """$f(x) = (x_1 - 2)^2 + (x_2 - 1)^2$, the thing to minimise (``[..., 2] -> [...]``)."""
    return (x - torch.as_tensor(_X0, dtype=x.dtype)).pow(2).sum(-1)


def dual_constraint(x: Tensor, limit: float) -> Tensor:
    r"""$g(x) = x_1 + x_2 - c$: the constraint is $g(x) \le 0$, violated when $g > 0$."""
    return x.sum(-1) - limit


def dual_solution(limit: float) -> tuple[np.ndarray, float]:
    r"""KKT solution of $\min f(x)$ s.t. $x_1 + x_2 \le c$.

    If $c \ge 3$ the unconstrained minimiser $(2, 1)$ is feasible and $\lambda^* = 0$.
    Otherwise the constraint is active: $x^* = (2,1) - \frac{3-c}{2}(1,1)$ and, from
    $\nabla f(x^*) + \lambda^*\nabla g = 0$, $\lambda^* = 3 - c$.
    """
    excess = _X0.sum() - limit
    if excess <= 0:
        return _X0.copy(), 0.0
    return _X0 - excess / 2, float(excess)


@dataclass(frozen=True)
class DualToyConfig:
    r"""Settings of the constrained toy.

    Attributes:
        limit: $c$ in the constraint $x_1 + x_2 \le c$.
        primal_lr: gradient-descent step on $x$.
        dual_lr: Adam step on $\log\lambda$ (as SAC steps $\log\alpha$).
        multiplier0: initial $\lambda$.
        start: initial $x$.
    """

    limit: float = 1.0
    primal_lr: float = 0.05
    dual_lr: float = 0.02
    multiplier0: float = 0.1
    start: tuple[float, float] = (-1.5, -1.0)


class DualAscentToy:
    r"""Dual gradient descent on $\min_x\max_{\lambda\ge0} f(x) + \lambda g(x)$.

    Each step, like SAC's update: first the primal player (SAC's actor) descends the
    Lagrangian with $\lambda$ fixed, $x \leftarrow x - \eta_x\nabla_x(f + \lambda g)$;
    then the multiplier (SAC's $\alpha$, CQL-Lagrange's $\alpha'$) takes an Adam step on
    ``ops.dual_loss`` $= -\lambda\,g(x)$ through $\log\lambda$, so $\lambda$ rises while
    $g > 0$ (violated) and decays while $g < 0$. Adam's step does not shrink near the
    saddle point, so $\lambda$ keeps jittering around $\lambda^*$ (as SAC's $\alpha$
    does); the *average* of the iterates converges.
    """

    def __init__(self, config: DualToyConfig) -> None:
        self.config = c = config
        self.x = torch.tensor(c.start, dtype=torch.float64, requires_grad=True)
        self.log_multiplier = torch.tensor(math.log(c.multiplier0), dtype=torch.float64)
        self.log_multiplier.requires_grad_(True)
        self.primal_opt = torch.optim.SGD([self.x], lr=c.primal_lr)
        self.dual_opt = torch.optim.Adam([self.log_multiplier], lr=c.dual_lr)
        self.steps = 0
        self.history: dict[str, list[float]] = {
            k: [] for k in ("step", "x1", "x2", "multiplier", "objective", "violation")
        }
        self._record()

    @property
    def multiplier(self) -> float:
        r"""Current $\lambda = \exp(\log\lambda)$."""
        return float(self.log_multiplier.detach().exp())

    def _record(self) -> None:
        x = self.x.detach()
        h = self.history
        h["step"].append(self.steps)
        h["x1"].append(float(x[0]))
        h["x2"].append(float(x[1]))
        h["multiplier"].append(self.multiplier)
        h["objective"].append(float(dual_objective(x)))
        h["violation"].append(float(dual_constraint(x, self.config.limit)))

    def step(self, n: int = 1) -> None:
        """``n`` primal-then-dual steps."""
        for _ in range(n):
            lagrangian = dual_objective(self.x) + self.multiplier * dual_constraint(
                self.x, self.config.limit
            )
            self.primal_opt.zero_grad()
            lagrangian.backward()
            self.primal_opt.step()
            g = dual_constraint(self.x.detach(), self.config.limit)
            loss = dual_loss(self.log_multiplier.exp(), g)
            self.dual_opt.zero_grad()
            loss.backward()
            self.dual_opt.step()
            self.steps += 1
            self._record()


# -- #17 covariance, Var(a^T b), eigenvalues, trace -------------------------------------


def covariance_2d(sigma1: float, sigma2: float, rho: float) -> np.ndarray:
    r"""A 2x2 covariance matrix, valid (positive semi-definite) for $|\rho| \le 1$.

    $$\Sigma = \begin{pmatrix}\sigma_1^2 & \rho\sigma_1\sigma_2\\
    \rho\sigma_1\sigma_2 & \sigma_2^2\end{pmatrix}$$
    """
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"rho = {rho} must be in [-1, 1]")
    c = rho * sigma1 * sigma2
    return np.array([[sigma1**2, c], [c, sigma2**2]])


def inner_product_variance(cov: np.ndarray, b: np.ndarray) -> float:
    r"""$\mathrm{Var}(a^\top b) = b^\top\,\mathrm{Cov}(a)\,b$ for a fixed vector $b$.

    Because $a^\top b - \mathbb E[a^\top b] = (a - \mathbb E a)^\top b$, so
    $\mathbb E[(b^\top(a-\mathbb Ea))^2] = b^\top\mathbb E[(a-\mathbb Ea)(a-\mathbb Ea)^\top]b$.
    """
    b = np.asarray(b, dtype=np.float64)
    return float(b @ cov @ b)


def sample_gaussian(
    cov: np.ndarray, n: int, seed: int = 0, mean: np.ndarray | None = None
) -> np.ndarray:
    r"""``n`` draws of $a\sim\mathcal N(\text{mean}, \Sigma)$, ``[n, d]``."""
    d = cov.shape[0]
    m = np.zeros(d) if mean is None else np.asarray(mean, dtype=np.float64)
    # eigh-based factor: works for singular (|rho| = 1) covariances where Cholesky fails
    lam, vec = np.linalg.eigh(cov)
    factor = vec * np.sqrt(np.clip(lam, 0.0, None))
    z = np.random.default_rng(seed).standard_normal((n, d))
    return m + z @ factor.T


def mc_inner_product_variance(samples: np.ndarray, b: np.ndarray) -> float:
    r"""Unbiased sample variance of $a_j^\top b$ over the rows $a_j$ of ``samples``."""
    return float(np.var(samples @ np.asarray(b, dtype=np.float64), ddof=1))


def eig_psd(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.

    For a covariance every eigenvalue is $\ge 0$: with $\Sigma v = \lambda v$, $\|v\|=1$,
    $\lambda = v^\top\Sigma v = \mathrm{Var}(a^\top v) \ge 0$ (positive semi-definite).
    """
    return np.linalg.eigh(cov)


def directional_variance(cov: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    r"""Variance of $a^\top u_\theta$ along unit vectors $u_\theta = (\cos\theta, \sin\theta)$.

    $\mathrm{Var}(a^\top u_\theta) = u_\theta^\top\Sigma u_\theta$ ranges from
    $\lambda_{min}$ to $\lambda_{max}$.
    """
    u = np.stack([np.cos(thetas), np.sin(thetas)], axis=-1)  # [T, 2]
    return np.einsum("ti,ij,tj->t", u, cov, u)


def total_variance(samples: np.ndarray) -> float:
    r"""$\frac1{n-1}\sum_j\|a_j - \bar a\|_2^2$: estimates $\mathrm{tr}\,\Sigma$."""
    centred = samples - samples.mean(0)
    return float((centred**2).sum() / (len(samples) - 1))


# -- #18 forward and backward propagation -------------------------------------------------

# name -> (sigma(z), sigma'(z)) in numpy
ACTIVATIONS: dict[
    str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]
] = {
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (
        lambda z: 1.0 / (1.0 + np.exp(-z)),
        lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2,
    ),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
}
_TORCH_ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}
PARAMS = ("w1", "b1", "w2", "b2")  # order of the weights in the tables


def init_two_layer(hidden: int, seed: int = 0) -> dict[str, np.ndarray]:
    r"""Weights of $\hat y = w_2^\top\sigma(w_1 x + b_1) + b_2$ with ``hidden`` units."""
    rng = np.random.default_rng(seed)
    return {
        "w1": rng.normal(0, 1, hidden),
        "b1": rng.normal(0, 0.5, hidden),
        "w2": rng.normal(0, 1, hidden),
        "b2": rng.normal(0, 0.5, 1),
    }


def forward_pass(
    params: dict[str, np.ndarray], x: float, y: float, activation: str
) -> dict[str, np.ndarray]:
    r"""Forward pass, returning every intermediate value.

    $z = w_1x + b_1$, $h = \sigma(z)$, $\hat y = w_2^\top h + b_2$,
    $L = \frac12(\hat y - y)^2$.
    """
    act = ACTIVATIONS[activation][0]
    z = params["w1"] * x + params["b1"]
    h = act(z)
    y_hat = np.array([params["w2"] @ h + params["b2"][0]])
    loss = 0.5 * (y_hat - y) ** 2
    return {"z": z, "h": h, "y_hat": y_hat, "loss": loss}


def backward_by_hand(
    params: dict[str, np.ndarray], fwd: dict[str, np.ndarray], x: float, y: float, activation: str
) -> dict[str, np.ndarray]:
    r"""Backward by the chain rule, from the loss back to the input:

    $$\frac{\partial L}{\partial\hat y} = \hat y - y,\quad
    \frac{\partial L}{\partial w_2} = \frac{\partial L}{\partial\hat y}\,h,\quad
    \frac{\partial L}{\partial h} = \frac{\partial L}{\partial\hat y}\,w_2,\quad
    \frac{\partial L}{\partial z} = \frac{\partial L}{\partial h}\odot\sigma'(z),\quad
    \frac{\partial L}{\partial w_1} = \frac{\partial L}{\partial z}\,x,\quad
    \frac{\partial L}{\partial x} = w_1^\top\frac{\partial L}{\partial z}$$

    Each factor is local (one layer's derivative), and the product is passed backwards:
    that is all backpropagation is.
    """
    d_y_hat = fwd["y_hat"] - y  # [1]
    d_h = d_y_hat[0] * params["w2"]
    d_z = d_h * ACTIVATIONS[activation][1](fwd["z"])
    return {
        "y_hat": d_y_hat,
        "w2": d_y_hat[0] * fwd["h"],
        "b2": d_y_hat.copy(),
        "h": d_h,
        "z": d_z,
        "w1": d_z * x,
        "b1": d_z.copy(),
        "x": np.array([params["w1"] @ d_z]),
    }


def backward_autograd(
    params: dict[str, np.ndarray], x: float, y: float, activation: str
) -> dict[str, np.ndarray]:
    """The same gradients from torch autograd (``loss.backward()``), for comparison."""
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    xt = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    z = p["w1"] * xt + p["b1"]
    z.retain_grad()
    h = _TORCH_ACT[activation](z)
    h.retain_grad()
    y_hat = (p["w2"] * h).sum(0, keepdim=True) + p["b2"]
    y_hat.retain_grad()
    loss = 0.5 * (y_hat - y).pow(2).sum()
    loss.backward()
    grads = {k: v.grad.numpy() for k, v in p.items()}  # type: ignore[union-attr]
    for name, t in (("z", z), ("h", h), ("y_hat", y_hat), ("x", xt)):
        grads[name] = t.grad.numpy()  # type: ignore[union-attr]
    return grads


# -- #19 values, indices = t.max(dim) -------------------------------------------------------


def example_tensor(rows: int, cols: int, seed: int = 0) -> Tensor:
    """A small integer tensor (values 0-9, ties likely) to take maxima of."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 10, (rows, cols), generator=g)


def max_along(t: Tensor, dim: int) -> tuple[Tensor, Tensor, Tensor]:
    """``values, indices = t.max(dim)`` and a mask of the cells they come from.

    ``values[j]`` is the largest entry of the j-th slice along ``dim``; ``indices[j]`` is
    *where* in that slice it is (the first one if tied). ``dim`` is the axis that
    disappears: ``dim=0`` gives one result per column, ``dim=1`` one per row.
    """
    values, indices = t.max(dim)
    mask = torch.zeros_like(t, dtype=torch.bool)
    mask.scatter_(dim, indices.unsqueeze(dim), True)
    return values, indices, mask
