"""Shared maths used by the algorithms *and* by the explorers on the Learn pages.

Every function here is pure (no state, no I/O) and works on torch tensors, so the
explorer that shows, say, the expectile loss calls exactly the code IQL trains with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

__all__ = [
    "LineSearchResult",
    "approx_kl",
    "awr_weights",
    "backtracking_line_search",
    "categorical_kl",
    "clipped_min",
    "clipped_surrogate",
    "clipped_value_loss",
    "conjugate_gradient",
    "cql_logsumexp",
    "discounted_returns",
    "dual_loss",
    "edac_diversity",
    "expectile_loss",
    "expectile_weights",
    "explained_variance",
    "fisher_vector_product",
    "gae",
    "gaussian_kl",
    "hard_update",
    "linear_schedule",
    "lse",
    "running_moments",
    "soft_update",
    "td_target",
]


def td_target(reward: Tensor, next_value: Tensor, terminated: Tensor, gamma: float) -> Tensor:
    r"""One-step TD target.

    $$y = r + \gamma \, (1 - d) \, V(s')$$

    with $d$ the *terminated* bit only: a time-limit truncation is not a terminal
    state, so its next value is still bootstrapped.
    """
    return reward + gamma * (1.0 - terminated) * next_value


def _params(x: nn.Module | Iterable[Tensor]) -> list[Tensor]:
    return list(x.parameters()) if isinstance(x, nn.Module) else list(x)


@torch.no_grad()
def soft_update(
    target: nn.Module | Sequence[Tensor], source: nn.Module | Sequence[Tensor], tau: float
) -> None:
    r"""Polyak averaging $\theta' \leftarrow (1-\tau)\theta' + \tau\theta$ in one fused call."""
    tp, sp = _params(target), _params(source)
    if tau >= 1.0:
        torch._foreach_copy_(tp, sp)
    else:
        torch._foreach_lerp_(tp, sp, tau)


def hard_update(target: nn.Module, source: nn.Module) -> None:
    """Copy the source network's weights into the target network."""
    soft_update(target, source, 1.0)


def clipped_min(q: Tensor) -> Tensor:
    r"""Clipped double Q (TD3, SAC): $\min_i Q_i$ over the ensemble axis.

    ``[N, B] -> [B]``; a population's ``[K, N, B] -> [K, B]`` (each member's own critics).
    """
    return q.min(dim=-2).values


def lse(x: Tensor, temperature: float = 1.0, dim: int = -1) -> Tensor:
    r"""Temperature LogSumExp: $\mathrm{LSE}_T(x) = T \log \sum_i \exp(x_i / T)$.

    It lies between $\max_i x_i$ and $\max_i x_i + T \log n$ and tends to the max as
    $T \to 0$: a smooth maximum.
    """
    if temperature <= 0:
        raise ValueError(f"temperature = {temperature!r} must be > 0")
    return temperature * torch.logsumexp(x / temperature, dim=dim)


def cql_logsumexp(q_sampled: Tensor, log_density: Tensor | None = None, temperature: float = 1.0):
    r"""CQL(H) soft maximum over sampled actions (Kumar et al. 2020, eq. 4 and App. F).

    $$\log \sum_a \exp Q(s,a) \approx \mathrm{LSE}_j\big(Q(s,a_j) - \log \mu(a_j)\big)
    - \log M$$

    ``q_sampled`` is ``[..., M]`` (M sampled actions); ``log_density`` the log-density of
    each sampled action under its proposal (importance sampling), or ``None`` for the
    discrete case where the sum runs over every action exactly.
    """
    if log_density is None:
        return lse(q_sampled, temperature)
    m = q_sampled.shape[-1]
    return lse(q_sampled - log_density, temperature) - temperature * math.log(m)


def expectile_weights(u: Tensor, expectile: float) -> Tensor:
    r"""Asymmetric weights $|\tau - \mathbb{1}(u < 0)|$ on the residual $u = y - f(x)$."""
    return torch.abs(expectile - (u < 0).to(u.dtype))


def expectile_loss(u: Tensor, expectile: float) -> Tensor:
    r"""Expectile regression loss $L_2^\tau(u) = |\tau - \mathbb{1}(u<0)|\,u^2$, averaged.

    IQL (Kostrikov et al. 2021, eq. 5) fits $V(s)$ with $u = Q(s,a) - V(s)$: with
    $\tau = 0.5$ this is least squares (V -> mean), with $\tau \to 1$ V -> max.
    """
    return (expectile_weights(u, expectile) * u.pow(2)).mean()


def awr_weights(advantage: Tensor, beta: float, max_weight: float = 100.0) -> Tensor:
    r"""Advantage weights $\min(\exp(\beta A), w_{max})$ (AWR, AWAC, IQL eq. 7).

    $\beta$ is an *inverse* temperature: large $\beta$ -> greedy (only the best
    actions count), $\beta \to 0$ -> plain behaviour cloning. Code that writes
    $\exp(A/\lambda)$ uses the temperature $\lambda = 1/\beta$: the same family.
    """
    return torch.exp(beta * advantage).clamp(max=max_weight)


def linear_schedule(start: float, end: float, fraction: float, progress: float) -> float:
    """Linear interpolation from ``start`` to ``end`` over the first ``fraction`` of training."""
    if fraction <= 0:
        return end
    t = min(max(progress / fraction, 0.0), 1.0)
    return start + t * (end - start)


def discounted_returns(rewards: Tensor, dones: Tensor, gamma: float) -> Tensor:
    r"""Reward-to-go $G_t = r_t + \gamma (1 - d_t) G_{t+1}$ over the time axis 0."""
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in range(rewards.shape[0] - 1, -1, -1):
        running = rewards[t] + gamma * (1.0 - dones[t]) * running
        out[t] = running
    return out


def gae(
    rewards: Tensor,
    values: Tensor,
    next_values: Tensor,
    terminated: Tensor,
    episode_end: Tensor,
    gamma: float,
    lam: float,
) -> Tensor:
    r"""Generalised advantage estimation (Schulman et al. 2016), time axis 0.

    $\delta_t = r_t + \gamma (1-d_t) V(s_{t+1}) - V(s_t)$ and
    $A_t = \delta_t + \gamma\lambda (1 - e_t) A_{t+1}$, where $d_t$ is *terminated*
    (no bootstrap) and $e_t$ marks any episode end (terminated or truncated: the
    next row belongs to a new episode). ``next_values`` holds $V(s_{t+1})$ with the
    true final observation on truncation. $\lambda = 1$ gives Monte-Carlo-style
    n-step returns as in A2C.
    """
    deltas = rewards + gamma * (1.0 - terminated) * next_values - values
    adv = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in range(rewards.shape[0] - 1, -1, -1):
        running = deltas[t] + gamma * lam * (1.0 - episode_end[t]) * running
        adv[t] = running
    return adv


def member_rows(x: Tensor) -> Tensor:
    """A population's rollout field ``[T, K, n, ...]`` as each member's rows ``[K, T*n, ...]``.

    Time-major within a member, as a single run flattens its ``[T, n, ...]``.
    """
    t, k, n = x.shape[:3]
    return x.transpose(0, 1).reshape(k, t * n, *x.shape[3:])


def gae_members(
    ro: Any, values: Tensor, next_values: Tensor, gamma: float | Tensor, lam: float | Tensor
) -> Tensor:
    r""":func:`gae` of a population's rollout (fields ``[T, K, n]``), each member's own.

    ``values`` and ``next_values`` are ``[K, T*n]`` (:func:`member_rows`' layout); ``gamma``
    and ``lam`` one number or each member's (``[K, 1]``). The K x n environments are GAE's
    columns, each with its member's γ and λ; the advantages come back ``[K, T*n]``.
    """
    t, k, n = ro.reward.shape

    def cols(v: Tensor) -> Tensor:  # [K, T*n] -> [T, K*n]
        return v.reshape(k, t, n).transpose(0, 1).reshape(t, k * n)

    def per_col(v: float | Tensor) -> Any:  # [K, 1] -> [K*n]
        return v if isinstance(v, float) else v.expand(k, n).reshape(k * n)

    adv = gae(
        ro.reward.reshape(t, k * n),
        cols(values),
        cols(next_values),
        ro.terminated.reshape(t, k * n),
        ro.episode_end.reshape(t, k * n),
        per_col(gamma),
        per_col(lam),
    )
    return adv.reshape(t, k, n).transpose(0, 1).reshape(k, t * n)


def dual_loss(multiplier: Tensor, violation: Tensor) -> Tensor:
    r"""Dual gradient descent on a Lagrange multiplier $\lambda \ge 0$: $L = -\lambda\,g$.

    $g$ is the constraint violation (> 0 when violated). Minimising $L$ over $\lambda$
    raises it while the constraint is violated and lowers it otherwise. SAC's
    temperature ($g = \log\pi + \bar{\mathcal H}$: entropy below target) and CQL-Lagrange's
    penalty weight ($g = $ penalty $- \tau$) are both this rule.
    """
    return -(multiplier * violation.detach()).mean()


def edac_diversity(action_grads: Tensor, eps: float = 1e-10) -> tuple[Tensor, Tensor]:
    r"""EDAC's gradient-diversity term (An et al. 2021, eq. 5).

    ``action_grads`` is $\nabla_a Q_i(s, a)$ for every member, ``[N, B, A]``. Returns the
    loss $\frac{1}{N-1}\sum_{i \ne j}\langle \hat g_i, \hat g_j\rangle$ averaged over the batch
    (unit-normalised gradients: cosine similarities) and the ``[B, N, N]`` similarity
    matrices. Minimising it makes the members disagree off the data, which lets a small
    ensemble be as pessimistic as SAC-N's large one. A population's ``[K, N, B, A]``
    gives each member's loss, ``[K]``, and ``[K, B, N, N]``.

    With a one-dimensional action (Pendulum) every unit gradient is ±1: the term only
    counts sign agreements and its gradient is zero, so EDAC trains exactly like SAC-N
    there (a property of eq. 5, not of this code).
    """
    n = action_grads.shape[-3]
    g = action_grads / (action_grads.norm(dim=-1, keepdim=True) + eps)
    g = g.transpose(-3, -2)  # [B, N, A]
    sim = g @ g.transpose(-2, -1)  # [B, N, N]
    off_diag = sim * (1 - torch.eye(n, device=sim.device))
    loss = off_diag.sum(dim=(-2, -1)).mean(dim=-1) / max(n - 1, 1)
    return loss, sim


# -- policy optimisation: PPO and TRPO ------------------------------------------------------


def clipped_surrogate(ratio: Tensor, advantage: Tensor, clip: float) -> Tensor:
    r"""PPO's clipped surrogate per sample (Schulman et al. 2017, eq. 7), to be *maximised*.

    $$L^{CLIP} = \min\big(\rho\,\hat A,\; \mathrm{clip}(\rho, 1-\epsilon, 1+\epsilon)\,\hat A\big),
    \qquad \rho = \frac{\pi_\theta(a|s)}{\pi_{\theta_{old}}(a|s)}$$

    For $\hat A > 0$ it stops rewarding $\rho$ above $1+\epsilon$; for $\hat A < 0$ below
    $1-\epsilon$. The min keeps the unclipped term whenever it is the more pessimistic one,
    so a step that made things worse is always undone (flat only on the improving side).
    """
    return torch.min(ratio * advantage, ratio.clamp(1.0 - clip, 1.0 + clip) * advantage)


def approx_kl(log_ratio: Tensor) -> Tensor:
    r"""Estimate of $\mathrm{KL}(\pi_{old}\,\|\,\pi_\theta)$ from samples of $\pi_{old}$.

    $\mathbb{E}_{a\sim\pi_{old}}[(\rho - 1) - \log\rho]$ with $\rho = \pi_\theta/\pi_{old}$:
    unbiased ($\mathbb{E}[\rho] = 1$) and never negative per sample, unlike
    $-\log\rho$ (Schulman's "k3" estimator, used by Stable-Baselines3 and CleanRL).
    """
    return ((torch.exp(log_ratio) - 1.0) - log_ratio).mean()


def clipped_value_loss(
    values: Tensor,
    old_values: Tensor,
    returns: Tensor,
    clip: float | None,
    dim: int | None = None,
) -> Tensor:
    r"""Value regression, optionally clipped around the rollout's values (PPO2, SB3).

    $$L^V = \mathbb{E}\big[\max\big((V - \hat R)^2,\;
    (V_{old} + \mathrm{clip}(V - V_{old}, -\epsilon_v, \epsilon_v) - \hat R)^2\big)\big]$$

    ``clip = None`` gives plain $\mathbb{E}[(V - \hat R)^2]$ (SB3's default). With a clip
    the loss (like the policy's) takes the larger, pessimistic error, hence the max. No
    factor 1/2 in either case: the weight ``vf_coef`` carries it (as in SB3). ``dim``:
    the mean over that axis only (a population's ``[K, B]``: each member's).
    """
    if clip is None:
        err = (values - returns).pow(2)
    else:
        clipped = old_values + (values - old_values).clamp(-clip, clip)
        err = torch.max((values - returns).pow(2), (clipped - returns).pow(2))
    return err.mean() if dim is None else err.mean(dim)


def explained_variance(pred: Tensor, target: Tensor) -> Tensor:
    r"""$1 - \mathrm{Var}[y - \hat y]/\mathrm{Var}[y]$: 1 perfect, 0 no better than the mean.

    Negative when the prediction is worse than a constant; 0 when $y$ has no variance.
    """
    var = target.var()
    if target.numel() < 2 or var.item() == 0:
        return torch.zeros((), device=target.device)
    return 1.0 - (target - pred).var() / var


def categorical_kl(logp_p: Tensor, logp_q: Tensor) -> Tensor:
    r"""$\mathrm{KL}(p\,\|\,q) = \sum_a p(a)\,(\log p(a) - \log q(a))$ over the last axis."""
    return (logp_p.exp() * (logp_p - logp_q)).sum(-1)


def gaussian_kl(mean_p: Tensor, log_std_p: Tensor, mean_q: Tensor, log_std_q: Tensor) -> Tensor:
    r"""KL of diagonal Gaussians, summed over the last axis.

    $$\mathrm{KL}(p\|q) = \sum_i \log\frac{\sigma_{q,i}}{\sigma_{p,i}}
    + \frac{\sigma_{p,i}^2 + (\mu_{p,i} - \mu_{q,i})^2}{2\sigma_{q,i}^2} - \frac12$$
    """
    var_p, var_q = torch.exp(2 * log_std_p), torch.exp(2 * log_std_q)
    kl = log_std_q - log_std_p + (var_p + (mean_p - mean_q).pow(2)) / (2 * var_q) - 0.5
    return kl.sum(-1)


def fisher_vector_product(
    kl: Tensor, params: Sequence[Tensor], damping: float = 0.0
) -> Callable[[Tensor], Tensor]:
    r"""$v \mapsto (F + \lambda I)\,v$ without forming $F$ (TRPO, Schulman et al. 2015, App. C).

    ``kl`` is the mean $\mathrm{KL}(\pi_{old}\,\|\,\pi_\theta)$ built with $\pi_{old}$
    detached and evaluated at $\theta = \theta_{old}$: its gradient there is zero and its
    Hessian is the Fisher information matrix $F$. Two backward passes give the product:
    $F v = \nabla_\theta\big((\nabla_\theta \mathrm{KL})^\top v\big)$. The damping
    $\lambda$ keeps the conjugate-gradient solve well conditioned.
    """
    params = list(params)
    grads = torch.autograd.grad(kl, params, create_graph=True)
    flat = torch.cat([g.reshape(-1) for g in grads])

    def product(v: Tensor) -> Tensor:
        hv = torch.autograd.grad(flat @ v, params, retain_graph=True)
        return torch.cat([h.reshape(-1) for h in hv]) + damping * v

    return product


def conjugate_gradient(
    matvec: Callable[[Tensor], Tensor], b: Tensor, iters: int = 10, tol: float = 1e-10
) -> tuple[Tensor, Tensor]:
    r"""Solve $A x = b$ for symmetric positive-definite $A$, given only $v \mapsto A v$.

    TRPO's natural-gradient direction $x = F^{-1} g$ in ``iters`` Fisher-vector products
    instead of inverting $F$ (exact after $n$ iterations for an $n \times n$ system).

    Returns:
        ``(x, residual)`` with ``residual`` $= \|b - A x\|$ as tracked by the iteration.
    """
    x = torch.zeros_like(b)
    r = b.clone()
    p = b.clone()
    rr = r @ r
    for _ in range(iters):
        if rr.item() < tol:
            break
        ap = matvec(p)
        alpha = rr / (p @ ap)
        x = x + alpha * p
        r = r - alpha * ap
        rr_new = r @ r
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x, rr.sqrt()


class LineSearchResult(NamedTuple):
    """What the backtracking line search accepted (``fraction`` 0: nothing, parameters kept)."""

    fraction: float  # of the full step, shrink ** backtracks, or 0 when every try failed
    backtracks: int  # steps shrunk before acceptance (max_backtracks when none was accepted)
    improvement: float  # surrogate gain of the accepted step (0 when none)
    kl: float  # KL of the accepted step (0 when none)


def backtracking_line_search(
    evaluate: Callable[[float], tuple[float, float]],
    max_kl: float,
    shrink: float = 0.8,
    max_backtracks: int = 10,
) -> LineSearchResult:
    r"""TRPO's line search: shrink the step until it improves and stays in the KL ball.

    ``evaluate(f)`` applies ``f`` times the full step and returns
    ``(surrogate improvement, KL)``; the first ``f = shrink^k`` with improvement > 0 and
    $\mathrm{KL} \le \delta$ is accepted. The quadratic model that sized the full step is
    only a model: the true KL can exceed $\delta$, which is what the search checks.
    """
    frac = 1.0
    for k in range(max_backtracks):
        improvement, kl = evaluate(frac)
        if kl <= max_kl and improvement > 0:
            return LineSearchResult(frac, k, improvement, kl)
        frac *= shrink
    return LineSearchResult(0.0, max_backtracks, 0.0, 0.0)


def running_moments(
    mean: Tensor, var: Tensor, count: Tensor, batch: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    r"""Merge a batch (axis 0) into running mean/variance/count (Chan et al. 1979).

    The parallel form of Welford's update, as in Stable-Baselines3's ``VecNormalize``:
    $\delta = \bar x_B - \bar x$, $n' = n + n_B$,
    $\bar x' = \bar x + \delta\,n_B/n'$,
    $\sigma'^2 = (n\sigma^2 + n_B\sigma_B^2 + \delta^2 n n_B/n')/n'$.
    """
    b_mean, b_var, b_count = batch.mean(0), batch.var(0, unbiased=False), batch.shape[0]
    delta = b_mean - mean
    total = count + b_count
    new_mean = mean + delta * b_count / total
    m2 = var * count + b_var * b_count + delta.pow(2) * count * b_count / total
    return new_mean, m2 / total, total
