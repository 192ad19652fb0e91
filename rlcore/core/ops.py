"""Shared maths used by the algorithms *and* by the explorers on the Learn pages.

Every function here is pure (no state, no I/O) and works on torch tensors, so the
explorer that shows, say, the expectile loss calls exactly the code IQL trains with.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "awr_weights",
    "clipped_min",
    "cql_logsumexp",
    "discounted_returns",
    "dual_loss",
    "edac_diversity",
    "expectile_loss",
    "expectile_weights",
    "gae",
    "hard_update",
    "linear_schedule",
    "lse",
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
    r"""Clipped double Q (TD3, SAC): $\min_i Q_i$ over the ensemble axis 0 (``[N, B] -> [B]``)."""
    return q.min(dim=0).values


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
    ensemble be as pessimistic as SAC-N's large one.

    With a one-dimensional action (Pendulum) every unit gradient is ±1: the term only
    counts sign agreements and its gradient is zero, so EDAC trains exactly like SAC-N
    there (a property of eq. 5, not of this code).
    """
    n = action_grads.shape[0]
    g = action_grads / (action_grads.norm(dim=-1, keepdim=True) + eps)
    g = g.transpose(0, 1)  # [B, N, A]
    sim = g @ g.transpose(1, 2)  # [B, N, N]
    off_diag = sim * (1 - torch.eye(n, device=sim.device))
    loss = off_diag.sum(dim=(1, 2)).mean() / max(n - 1, 1)
    return loss, sim
