r"""Policy-optimisation explorers: PPO's clipped surrogate, GAE(λ), TRPO's trust-region step.

Each calls the functions PPO and TRPO train with (``rlcore.core.ops``):

* **the clipped surrogate**: $L^{CLIP}(\rho) = \min(\rho A, \mathrm{clip}(\rho, 1-\epsilon,
  1+\epsilon)A)$ for $A > 0$ and $A < 0$ (``clipped_surrogate``), and on a small discrete
  policy (a bandit) how far one update moves the policy under plain policy gradient with a
  large step, PPO's clipped objective, a KL penalty and TRPO's KL constraint, with the KL
  measured both ways (it is not symmetric);
* **GAE(λ)**: advantage estimates on a gridworld (``gae``) against the exact
  $Q_\pi(s,a) - \hat V(s)$ solved from the Bellman equations: bias² and variance as λ goes
  from 0 (one-step TD) to 1 (Monte-Carlo), for an exact or an erroneous critic, and what
  treating a time-limit truncation as a termination does;
* **the trust-region step** on a two-parameter softmax policy: the surrogate's contours, the
  exact KL ball, its quadratic model $\tfrac12\Delta\theta^\top F\Delta\theta \le \delta$
  (``fisher_vector_product``), the plain gradient against the natural gradient $F^{-1}g$
  (``conjugate_gradient``) and the backtracking line search (``backtracking_line_search``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from rlcore.core.ops import (
    backtracking_line_search,
    categorical_kl,
    clipped_surrogate,
    conjugate_gradient,
    fisher_vector_product,
    gae,
)
from rlcore.learn.foundations import (
    LAKE,
    boltzmann_policy,
    make_grid,
    policy_evaluation,
    value_iteration,
)

__all__ = [
    "BANDIT_REWARDS",
    "BANDIT_START",
    "TR_REWARDS",
    "TR_START",
    "UPDATE_METHODS",
    "GAEStudy",
    "PolicyUpdate",
    "TrustRegionPicture",
    "bandit_updates",
    "gae_study",
    "surrogate_curves",
    "trust_region_picture",
]

D = torch.float64

# -- the clipped surrogate ---------------------------------------------------------------


def surrogate_curves(ratios: np.ndarray, clip: float) -> dict[str, np.ndarray]:
    r"""$L^{CLIP}(\rho)$ and the unclipped $\rho A$ for $A = +1$ (``pos``), $A = -1$ (``neg``)."""
    r = torch.as_tensor(ratios, dtype=D)
    out = {}
    for sign, name in ((1.0, "pos"), (-1.0, "neg")):
        a = torch.tensor(sign, dtype=D)
        out[f"clip_{name}"] = clipped_surrogate(r, a, clip).numpy()
        out[f"plain_{name}"] = (r * a).numpy()
    return out


BANDIT_REWARDS = np.array([1.0, 0.6, 0.3, 0.0])  # expected reward of each of 4 actions
BANDIT_START = np.array([0.0, 0.0, 0.5, 1.5])  # logits: the worst action is the likeliest
UPDATE_METHODS = ("pg", "ppo", "kl_penalty", "trpo")


@dataclass(frozen=True)
class PolicyUpdate:
    """Where one update took the bandit policy."""

    probs: np.ndarray  # pi_new over the actions
    kl_old_new: float  # KL(pi_old || pi_new), what PPO and TRPO measure
    kl_new_old: float  # KL(pi_new || pi_old), the other direction
    gain: float  # J(pi_new) - J(pi_old), J = expected reward
    ratio_max: float  # max over actions of |pi_new / pi_old - 1|


def _bandit_parts(logits0: Tensor, rewards: Tensor) -> tuple[Tensor, Tensor]:
    """pi_old's log-probabilities (fixed) and the exact advantages A(a) = r(a) - J(pi_old)."""
    logp_old = F.log_softmax(logits0, -1)
    return logp_old, rewards - (logp_old.exp() * rewards).sum()


def _expected(logp_old: Tensor, values: Tensor) -> Tensor:
    """E_{a ~ pi_old}[values(a)]: the expectation the sampled estimators approximate."""
    return (logp_old.exp() * values).sum()


def _ascend(theta: Tensor, objective, lr: float, steps: int) -> Tensor:
    """``steps`` plain gradient-ascent steps of size ``lr`` on ``objective(theta)``."""
    theta = theta.clone().requires_grad_(True)
    for _ in range(steps):
        (g,) = torch.autograd.grad(objective(theta), theta)
        theta = (theta + lr * g).detach().requires_grad_(True)
    return theta.detach()


def _trpo_step(theta0: Tensor, logp_old: Tensor, adv: Tensor, delta: float) -> Tensor:
    """TRPO's step as the agent takes it: CG on Fisher products, β, the line search."""
    theta = theta0.clone().requires_grad_(True)
    logp = F.log_softmax(theta, -1)
    surr = _expected(logp_old, torch.exp(logp - logp_old) * adv)
    (g,) = torch.autograd.grad(surr, theta, retain_graph=True)
    fvp = fisher_vector_product(categorical_kl(logp_old, logp), [theta], damping=1e-3)
    s, _ = conjugate_gradient(fvp, g, iters=theta.numel())
    beta = torch.sqrt(2 * delta / (s @ fvp(s)))
    full = (beta * s).detach()

    def evaluate(frac: float) -> tuple[float, float]:
        lp = F.log_softmax(theta0 + frac * full, -1)
        new = _expected(logp_old, torch.exp(lp - logp_old) * adv)
        return (new - surr).item(), categorical_kl(logp_old, lp).item()

    res = backtracking_line_search(evaluate, delta)
    return theta0 + res.fraction * full


def bandit_updates(
    lr: float,
    clip: float = 0.2,
    epochs: int = 10,
    kl_coef: float = 1.0,
    delta: float = 0.01,
    rewards: np.ndarray = BANDIT_REWARDS,
    logits: np.ndarray = BANDIT_START,
) -> dict[str, PolicyUpdate]:
    r"""One update of a softmax bandit policy by each method, from the same $\pi_{old}$.

    Exact expectations over $a \sim \pi_{old}$ (no sampling noise) with exact advantages
    $A(a) = r(a) - \sum_b \pi_{old}(b) r(b)$:

    * ``pg``: one gradient step of size ``lr`` on $L(\theta) = \mathbb{E}[\rho A]$;
    * ``ppo``: ``epochs`` steps of size ``lr`` on $L^{CLIP}$ (the clip stops each action
      once its ratio leaves $[1-\epsilon, 1+\epsilon]$ in the improving direction);
    * ``kl_penalty``: ``epochs`` steps on $L - \beta\,\mathrm{KL}(\pi_{old}\|\pi_\theta)$;
    * ``trpo``: the natural-gradient step to $\mathrm{KL} = \delta$ with the line search.
    """
    t0 = torch.as_tensor(logits, dtype=D)
    r = torch.as_tensor(rewards, dtype=D)
    logp_old, adv = _bandit_parts(t0, r)

    def ratio(theta: Tensor) -> Tensor:
        return torch.exp(F.log_softmax(theta, -1) - logp_old)

    thetas = {
        "pg": _ascend(t0, lambda th: _expected(logp_old, ratio(th) * adv), lr, 1),
        "ppo": _ascend(
            t0, lambda th: _expected(logp_old, clipped_surrogate(ratio(th), adv, clip)), lr, epochs
        ),
        "kl_penalty": _ascend(
            t0,
            lambda th: (
                _expected(logp_old, ratio(th) * adv)
                - kl_coef * categorical_kl(logp_old, F.log_softmax(th, -1))
            ),
            lr,
            epochs,
        ),
        "trpo": _trpo_step(t0, logp_old, adv, delta),
    }
    j_old = _expected(logp_old, r).item()
    out = {}
    for name, theta in thetas.items():
        lp = F.log_softmax(theta, -1)
        out[name] = PolicyUpdate(
            probs=lp.exp().numpy(),
            kl_old_new=categorical_kl(logp_old, lp).item(),
            kl_new_old=categorical_kl(lp, logp_old).item(),
            gain=(lp.exp() * r).sum().item() - j_old,
            ratio_max=(torch.exp(lp - logp_old) - 1).abs().max().item(),
        )
    return out


# -- GAE(λ): bias and variance against exact advantages ------------------------------------


@dataclass(frozen=True)
class GAEStudy:
    """Error of GAE(λ) advantages against the exact ones, per λ (weights: visit counts)."""

    lambdas: np.ndarray
    bias2: np.ndarray  # sum over (s, a) of visit share x (mean error)^2
    variance: np.ndarray  # sum over (s, a) of visit share x variance of the error
    samples: int  # advantage estimates per λ
    episodes: int  # episodes that ended (terminated or truncated) in the rollout

    @property
    def mse(self) -> np.ndarray:
        """Mean squared error = bias² + variance."""
        return self.bias2 + self.variance


def gae_study(
    lambdas: np.ndarray,
    slip: float = 0.2,
    temperature: float = 0.3,
    critic_error: float = 0.0,
    gamma: float = 0.95,
    time_limit: int = 12,
    truncation_as_terminal: bool = False,
    n_envs: int = 1000,
    n_steps: int = 32,
    seed: int = 0,
) -> GAEStudy:
    r"""GAE(λ) on FrozenLake's 4x4 map against $Q_\pi(s,a) - \hat V(s)$, solved exactly.

    The policy is the Boltzmann policy of $Q^*$ at ``temperature``; the critic is
    $\hat V = V_\pi + $ ``critic_error`` $\cdot z(s)$ with a fixed $z(s) \sim \mathcal N(0,1)$.
    ``n_envs`` environments run ``n_steps`` steps as a PPO rollout does: a hole or the goal
    terminates (no bootstrap), ``time_limit`` truncates (bootstrap $\hat V$ of the final
    state, unless ``truncation_as_terminal``), a finished episode restarts at S, and the
    rollout's last step bootstraps. The target is what $\hat A$ estimates at λ = 1:
    $Q_\pi(s,a) - \hat V(s)$, which equals $A_\pi(s,a)$ when the critic is exact (the
    per-state shift of an imperfect critic is a baseline: it biases no policy gradient).
    """
    mdp = make_grid(LAKE, slip=slip, step_reward=-0.02)
    pi = boltzmann_policy(value_iteration(mdp, gamma), temperature)
    v, q = policy_evaluation(mdp, pi, gamma)
    rng = np.random.default_rng(seed)
    v_hat = v + critic_error * rng.standard_normal(len(v))
    cum_pi, cum_p = pi.cumsum(1), mdp.P.cumsum(2)
    s = np.full(n_envs, mdp.start)
    age = np.zeros(n_envs, dtype=int)
    cols = {k: np.zeros((n_steps, n_envs)) for k in ("r", "v", "nv", "term", "end", "target")}
    keys = np.zeros((n_steps, n_envs), dtype=int)
    episodes = 0
    for t in range(n_steps):
        a = np.minimum((cum_pi[s] < rng.random((n_envs, 1))).sum(1), mdp.n_actions - 1)
        s1 = np.minimum((cum_p[s, a] < rng.random((n_envs, 1))).sum(1), mdp.n_states - 1)
        age += 1
        term = mdp.terminal[s1]
        trunc = ~term & (age >= time_limit)
        cols["r"][t], cols["v"][t], cols["nv"][t] = mdp.R[s, a, s1], v_hat[s], v_hat[s1]
        cols["term"][t] = term | (trunc & truncation_as_terminal)
        cols["end"][t] = term | trunc
        cols["target"][t] = q[s, a] - v_hat[s]
        keys[t] = s * mdp.n_actions + a
        done = term | trunc
        episodes += int(done.sum())
        s = np.where(done, mdp.start, s1)
        age[done] = 0
    tt = {k: torch.as_tensor(x) for k, x in cols.items()}
    n_keys = mdp.n_states * mdp.n_actions
    flat = keys.reshape(-1)
    counts = np.bincount(flat, minlength=n_keys)
    bias2, var = [], []
    for lam in lambdas:
        adv = gae(tt["r"], tt["v"], tt["nv"], tt["term"], tt["end"], gamma, float(lam))
        err = (adv - tt["target"]).numpy().reshape(-1)
        total = np.bincount(flat, err, n_keys)
        total_sq = np.bincount(flat, err**2, n_keys)
        seen = counts > 0
        mean = np.where(seen, total / np.maximum(counts, 1), 0.0)
        bias2.append(float((counts * mean**2).sum() / flat.size))
        var.append(max(0.0, float((total_sq - counts * mean**2)[seen].sum() / flat.size)))
    return GAEStudy(np.asarray(lambdas, float), np.array(bias2), np.array(var), flat.size, episodes)


# -- the trust-region step in two dimensions ---------------------------------------------------

TR_REWARDS = np.array([1.0, 0.5, 0.0])  # three actions; the policy's logits are (θ1, θ2, 0)
# π_old ≈ (0.04, 0.84, 0.11): the best action is rare, where the plain gradient is weak
TR_START = np.array([-1.0, 2.0])


@dataclass(frozen=True)
class TrustRegionPicture:
    """Everything the trust-region figure draws, in the (θ1, θ2) plane."""

    theta0: np.ndarray
    grid_x: np.ndarray
    grid_y: np.ndarray
    surrogate: np.ndarray  # L(θ) - L(θ_old) on the grid [y, x]
    kl: np.ndarray  # exact KL(π_old || π_θ) on the grid [y, x]
    ellipse: np.ndarray  # [2, n] points of ½ Δθᵀ F Δθ = δ
    fisher: np.ndarray  # F at θ_old, [2, 2]
    gradient: np.ndarray  # g = ∇L at θ_old
    natural: np.ndarray  # F⁻¹ g by conjugate gradient
    steps: dict[str, np.ndarray]  # "gradient" / "natural" / "accepted" -> θ
    gains: dict[str, float]  # L(θ) - L(θ_old) of each step
    model_gains: dict[str, float]  # gᵀΔθ: what the linear model predicted
    kls: dict[str, float]  # exact KL of each step
    backtracks: int


def _tr_parts(theta: Tensor, logp_old: Tensor, adv: Tensor) -> tuple[Tensor, Tensor]:
    """Surrogate E_old[ρ A] and KL(π_old || π_θ) for logits (θ1, θ2, 0), batched over θ."""
    logits = torch.cat([theta, torch.zeros(*theta.shape[:-1], 1, dtype=D)], -1)
    logp = F.log_softmax(logits, -1)
    return (logp.exp() * adv).sum(-1), categorical_kl(logp_old, logp)


def trust_region_picture(
    delta: float = 0.05,
    theta0: np.ndarray = TR_START,
    rewards: np.ndarray = TR_REWARDS,
    span: float = 2.5,
    n: int = 61,
) -> TrustRegionPicture:
    r"""TRPO's step for a softmax policy with two free logits, drawn in parameter space.

    $L(\theta) = \mathbb{E}_{a\sim\pi_{old}}[\rho_\theta(a) A(a)]$ with exact advantages;
    $F$ is read off ``fisher_vector_product`` on the basis vectors. The *natural* step goes
    along $F^{-1}g$ to the edge of the quadratic model, $\beta = \sqrt{2\delta/s^\top F s}$;
    the *gradient* step goes along $g$ to the same edge. Both lie on the ellipse, the
    natural one gains more (it maximises the linear model over it). The line search then
    shrinks the natural step until the exact KL is at most δ and L improved.
    """
    t0 = torch.as_tensor(theta0, dtype=D)
    r = torch.as_tensor(rewards, dtype=D)
    logp_old = F.log_softmax(torch.cat([t0, torch.zeros(1, dtype=D)]), -1)
    adv = r - (logp_old.exp() * r).sum()
    theta = t0.clone().requires_grad_(True)
    surr, kl = _tr_parts(theta, logp_old, adv)
    (g,) = torch.autograd.grad(surr, theta, retain_graph=True)
    fvp = fisher_vector_product(kl, [theta], damping=0.0)
    fisher = torch.stack([fvp(e) for e in torch.eye(2, dtype=D)], 1).detach()
    s, _ = conjugate_gradient(fvp, g, iters=2)
    s, g = s.detach(), g.detach()

    def to_edge(d: Tensor) -> Tensor:  # scale d to ½ dᵀ F d = δ
        return d * torch.sqrt(2 * delta / (d @ fisher @ d))

    def evaluate(frac: float) -> tuple[float, float]:
        new_surr, new_kl = _tr_parts(t0 + frac * to_edge(s), logp_old, adv)
        return (new_surr - surr).item(), new_kl.item()

    res = backtracking_line_search(evaluate, delta)
    steps = {
        "gradient": t0 + to_edge(g),
        "natural": t0 + to_edge(s),
        "accepted": t0 + res.fraction * to_edge(s),
    }
    gains, kls, model = {}, {}, {}
    for k, th in steps.items():
        sv, kv = _tr_parts(th, logp_old, adv)
        gains[k], kls[k] = (sv - surr).item(), kv.item()
        model[k] = (g @ (th - t0)).item()
    xs = np.linspace(theta0[0] - span, theta0[0] + span, n)
    ys = np.linspace(theta0[1] - span, theta0[1] + span, n)
    grid = torch.as_tensor(np.stack(np.meshgrid(xs, ys), -1), dtype=D)  # [y, x, 2]
    g_surr, g_kl = _tr_parts(grid, logp_old, adv)
    # the ellipse: Δθ = L^{-T} (unit circle) × sqrt(2δ), F = L Lᵀ
    angles = torch.linspace(0, 2 * math.pi, 181, dtype=D)
    circle = torch.stack([torch.cos(angles), torch.sin(angles)])
    chol = torch.linalg.cholesky(fisher)
    ellipse = t0[:, None] + math.sqrt(2 * delta) * torch.linalg.solve_triangular(
        chol.T, circle, upper=True
    )
    return TrustRegionPicture(
        theta0=np.asarray(theta0, float),
        grid_x=xs,
        grid_y=ys,
        surrogate=(g_surr - surr.detach()).numpy(),
        kl=g_kl.numpy(),
        ellipse=ellipse.numpy(),
        fisher=fisher.numpy(),
        gradient=g.numpy(),
        natural=s.numpy(),
        steps={k: v.detach().numpy() for k, v in steps.items()},
        gains=gains,
        model_gains=model,
        kls=kls,
        backtracks=res.backtracks,
    )
