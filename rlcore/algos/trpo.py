r"""Trust Region Policy Optimization (TRPO; Schulman et al. 2015).

Each policy step maximises the importance-sampled surrogate inside a KL ball around the
policy that collected the rollout (eq. 14):

$$\max_\theta\; L(\theta) = \mathbb{E}_t\Big[\frac{\pi_\theta(a_t|s_t)}
{\pi_{\theta_{old}}(a_t|s_t)}\hat A_t\Big]
\quad\text{s.t.}\quad \bar{D}_{KL}(\theta_{old}, \theta) =
\mathbb{E}_t\big[\mathrm{KL}(\pi_{\theta_{old}}(\cdot|s_t)\,\|\,\pi_\theta(\cdot|s_t))\big]
\le \delta$$

With $L$ linear ($g = \nabla_\theta L$) and the KL quadratic ($\tfrac12 s^\top F s$, $F$ the
Fisher matrix) the solution is the natural gradient scaled to the ball's edge (App. C):

$$s = F^{-1} g \;\;(\text{conjugate gradient on } v \mapsto (F + \lambda I)v),
\qquad \theta = \theta_{old} + \beta s,\quad \beta = \sqrt{\frac{2\delta}{s^\top F s}}$$

A backtracking line search shrinks $\beta$ until the *true* KL is within $\delta$ and
$L$ improved; if no step passes, the policy stays. The value function is fitted
separately by regression on $\hat R_t$ (Adam, ``n_critic_updates`` epochs of minibatches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from rlcore.algos.base import MemberAdam, optimize, set_member_lrs
from rlcore.algos.on_policy import ActorCritic, OnPolicyConfig, PreparedRollout
from rlcore.core.config import hp
from rlcore.core.ops import backtracking_line_search, conjugate_gradient, fisher_vector_product
from rlcore.core.types import Rollout


@dataclass(frozen=True)
class TRPOConfig(OnPolicyConfig):
    """TRPO hyperparameters (defaults: sb3-contrib)."""

    lr: float = hp(1e-3, "Learning rate of the value function (Adam).", 1e-6, 1.0, log=True)
    target_kl: float = hp(0.01, "Trust-region radius δ on the mean KL.", 1e-5, 1.0, log=True)
    cg_max_steps: int = hp(15, "Conjugate-gradient iterations.", 1, 100)
    cg_damping: float = hp(0.1, "Damping λ added to the Fisher matrix.", 0.0, 10.0)
    line_search_shrink: float = hp(0.8, "Step shrink factor per backtrack.", 0.1, 0.99)
    line_search_max_iter: int = hp(10, "Most line-search tries.", 1, 100)
    n_critic_updates: int = hp(10, "Value-function epochs per rollout.", 1, 100)
    batch_size: int = hp(128, "Minibatch size of the value regression.", 1, 65536)


class TRPO(ActorCritic):
    """TRPO for discrete and continuous actions; a population of ``k`` members.

    Members (``rlcore.train.population``) each take their own natural-gradient step: the
    conjugate-gradient solve runs for all of them at once (each member's vectors a row,
    each stopping at its own tolerance), and the line search tries each member's own
    fractions until its own step improves inside its own trust region.
    """

    name = "trpo"
    title = "TRPO"
    paper = "Schulman et al. 2015, Trust region policy optimization"
    config_cls = TRPOConfig
    cfg: TRPOConfig
    population = True
    member_hparams = ("lr", "gamma", "gae_lambda", "target_kl")

    def __init__(
        self,
        obs_space,
        action_space,
        config: TRPOConfig,
        device="cpu",
        *,
        members: Sequence[TRPOConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        super().__init__(obs_space, action_space, config, device, members=members, seeds=seeds)
        self._make_critic_optimizer()

    def _make_critic_optimizer(self) -> None:
        lrs = [m.lr for m in self.members]
        params = list(self.critic.parameters())
        if len(set(lrs)) == 1:
            self.critic_optimizer: torch.optim.Adam = torch.optim.Adam(
                params, lr=lrs[0], eps=1e-5, fused=self.device.type == "cpu"
            )
        else:
            self.critic_optimizer = MemberAdam(params, lrs, eps=1e-5)

    def _refresh_members(self) -> None:
        super()._refresh_members()
        if hasattr(self, "critic_optimizer"):  # (not yet made while the networks are built)
            lrs = [m.lr for m in self.members]
            self.critic_optimizer = set_member_lrs(self.critic_optimizer, lrs, self.device)

    def surrogate(self, data: PreparedRollout, adv: Tensor) -> tuple[Tensor, Tensor]:
        r"""$L(\theta) = \mathbb{E}[\rho_t \hat A_t]$ and $\bar D_{KL}(\theta_{old}, \theta)$."""
        dist = self.dist(data.obs)
        log_prob = self.log_prob(dist, data.action)
        ratio = torch.exp(log_prob - data.old_log_prob)
        return (ratio * adv).mean(), self.kl(data.old_dist, dist)

    def policy_step(self, data: PreparedRollout) -> dict[str, Tensor]:
        """Natural-gradient step by conjugate gradient, then the backtracking line search."""
        c = self.cfg
        adv = data.advantage
        if c.normalize_advantage and adv.numel() > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        params = self.actor_params
        surr, kl = self.surrogate(data, adv)
        grad = torch.cat(
            [g.reshape(-1) for g in torch.autograd.grad(surr, params, retain_graph=True)]
        )
        fvp = fisher_vector_product(kl, params, c.cg_damping)
        direction, residual = conjugate_gradient(fvp, grad, c.cg_max_steps)
        curvature = direction @ fvp(direction)  # s^T (F + λI) s: the model's 2 KL at β = 1
        beta = torch.sqrt(2 * c.target_kl / curvature.clamp(min=1e-12))
        full_step = beta * direction
        old = parameters_to_vector(params).detach()
        surr_old = surr.item()

        @torch.no_grad()
        def evaluate(fraction: float) -> tuple[float, float]:
            vector_to_parameters(old + fraction * full_step, params)
            new_surr, new_kl = self.surrogate(data, adv)
            return new_surr.item() - surr_old, new_kl.item()

        res = backtracking_line_search(
            evaluate, c.target_kl, c.line_search_shrink, c.line_search_max_iter
        )
        vector_to_parameters(old + res.fraction * full_step, params)  # fraction 0: unchanged
        return {
            "kl": torch.tensor(res.kl),
            "target_kl": torch.tensor(c.target_kl),  # the bound, drawn beside the KL
            "step_size": beta.detach() * res.fraction,
            "step_norm": full_step.norm() * res.fraction,
            "backtracks": torch.tensor(float(res.backtracks)),
            "accepted": torch.tensor(float(res.fraction > 0)),
            "surrogate_improvement": torch.tensor(res.improvement),
            "cg_residual": residual.detach(),
            "grad_norm": grad.norm(),
        }

    def critic_step(self, data: PreparedRollout) -> dict[str, Tensor]:
        """Regress V on the GAE returns: ``n_critic_updates`` epochs of minibatches."""
        c, n = self.cfg, data.obs.shape[0]
        losses = []
        for _ in range(c.n_critic_updates):
            for idx in torch.randperm(n, device=self.device).split(c.batch_size):
                loss = (self.value(data.obs[idx]) - data.returns[idx]).pow(2).mean()
                optimize(self.critic_optimizer, loss)
                losses.append(loss.detach())
        return {"value_loss": torch.stack(losses).mean()}

    def update(self, rollout: Rollout) -> dict[str, Tensor]:
        """One trust-region policy step and the value regression on one rollout."""
        data, info = self.prepare(rollout)
        if self.k > 1:
            return self._update_members(data, info)
        info.update(self.policy_step(data))
        with torch.no_grad():
            info["entropy"] = self.entropy(self.dist(data.obs)).mean()
        info.update(self.critic_step(data))
        return info

    # -- a population: every member's trust-region step at once ---------------------------
    def _flat(self, tensors: Sequence[Tensor]) -> Tensor:
        """Member-axis tensors as each member's flat vector, ``[K, P]``."""
        return torch.cat([t.reshape(self.k, -1) for t in tensors], dim=1)

    def _set_flat(self, vec: Tensor, params: Sequence[Tensor]) -> None:
        with torch.no_grad():
            at = 0
            for p in params:
                n = p[0].numel()
                p.view(self.k, -1).copy_(vec[:, at : at + n])
                at += n

    def _member_surrogate(self, data: PreparedRollout, adv: Tensor) -> tuple[Tensor, Tensor]:
        """Each member's surrogate and mean KL, ``[K]`` each."""
        dist = self.dist(data.obs)
        ratio = torch.exp(self.log_prob(dist, data.action) - data.old_log_prob)
        return (ratio * adv).mean(1), self.member_kl(data.old_dist, dist)

    def _member_policy_step(self, data: PreparedRollout) -> dict[str, Tensor]:
        """:meth:`policy_step` of every member: its own direction, step size and search."""
        c = self.cfg
        adv = data.advantage
        if c.normalize_advantage and adv.shape[1] > 1:
            adv = (adv - adv.mean(1, keepdim=True)) / (adv.std(1, keepdim=True) + 1e-8)
        params = self.actor_params
        surr, kl = self._member_surrogate(data, adv)
        grad = self._flat(torch.autograd.grad(surr.sum(), params, retain_graph=True))
        kl_grad = self._flat(torch.autograd.grad(kl.sum(), params, create_graph=True))

        def fvp(v: Tensor) -> Tensor:  # each member's (F + λI) v: its KL touches its rows only
            hv = torch.autograd.grad((kl_grad * v).sum(), params, retain_graph=True)
            return self._flat(hv) + c.cg_damping * v

        direction, residual = member_conjugate_gradient(fvp, grad, c.cg_max_steps)
        curvature = (direction * fvp(direction)).sum(1)
        target = torch.tensor([m.target_kl for m in self.members], device=self.device)
        beta = torch.sqrt(2 * target / curvature.clamp(min=1e-12)).detach()
        full = beta.unsqueeze(1) * direction.detach()
        old = self._flat(params).detach()
        search = self._member_line_search(data, adv, old, full, surr.detach(), target)
        self._set_flat(old + search["fraction"].unsqueeze(1) * full, params)
        return {
            "kl": search["kl"],
            "target_kl": target,
            "step_size": beta * search["fraction"],
            "step_norm": full.norm(dim=1) * search["fraction"],
            "backtracks": search["backtracks"],
            "accepted": (search["fraction"] > 0).float(),
            "surrogate_improvement": search["improvement"],
            "cg_residual": residual.detach(),
            "grad_norm": grad.norm(dim=1),
        }

    @torch.no_grad()
    def _member_line_search(
        self,
        data: PreparedRollout,
        adv: Tensor,
        old: Tensor,
        full: Tensor,
        surr_old: Tensor,
        target: Tensor,
    ) -> dict[str, Tensor]:
        """``backtracking_line_search`` for each member.

        Its fraction is the first ``shrink^j`` whose step improves its surrogate and keeps
        its KL within its radius (else 0).
        """
        c, k = self.cfg, self.k
        frac = torch.ones(k, device=self.device)
        out = {key: torch.zeros(k, device=self.device) for key in ("fraction", "kl", "improvement")}
        out["backtracks"] = torch.full((k,), float(c.line_search_max_iter), device=self.device)
        done = torch.zeros(k, dtype=torch.bool, device=self.device)
        for j in range(c.line_search_max_iter):
            self._set_flat(old + torch.where(done, out["fraction"], frac).unsqueeze(1) * full,
                           self.actor_params)  # fmt: skip
            surr, kl = self._member_surrogate(data, adv)
            ok = ~done & (kl <= target) & (surr - surr_old > 0)
            out["fraction"] = torch.where(ok, frac, out["fraction"])
            out["kl"] = torch.where(ok, kl, out["kl"])
            out["improvement"] = torch.where(ok, surr - surr_old, out["improvement"])
            out["backtracks"] = torch.where(ok, float(j), out["backtracks"])
            done |= ok
            if bool(done.all()):
                break
            frac = frac * c.line_search_shrink
        return out

    def _member_critic_step(self, data: PreparedRollout) -> dict[str, Tensor]:
        """:meth:`critic_step` of every member: its own permutations of its own rollout."""
        c, k, n = self.cfg, self.k, data.obs.shape[1]
        rows = torch.arange(k, device=self.device).unsqueeze(1)
        losses = []
        for _ in range(c.n_critic_updates):
            perm = torch.rand(k, n, device=self.device).argsort(dim=1)
            for idx in perm.split(c.batch_size, dim=1):
                per = (self.value(data.obs[rows, idx]) - data.returns[rows, idx]).pow(2).mean(1)
                optimize(self.critic_optimizer, per.sum())
                losses.append(per.detach())
        return {"value_loss": torch.stack(losses).mean(0)}

    def _update_members(self, data: PreparedRollout, info: dict[str, Tensor]) -> dict[str, Tensor]:
        info.update(self._member_policy_step(data))
        with torch.no_grad():
            info["entropy"] = self.entropy(self.dist(data.obs)).mean(1)
        info.update(self._member_critic_step(data))
        return info


def member_conjugate_gradient(
    matvec: Callable[[Tensor], Tensor], b: Tensor, iters: int = 10, tol: float = 1e-10
) -> tuple[Tensor, Tensor]:
    """``conjugate_gradient`` for K systems at once (``b``: ``[K, P]``, one per row).

    Each row iterates as the single solve does and stops on its own once its residual
    falls under ``tol`` (its step sizes 0 from then on). Returns ``(x [K, P], residual [K])``.
    """
    x = torch.zeros_like(b)
    r = b.clone()
    p = b.clone()
    rr = (r * r).sum(1)
    for _ in range(iters):
        active = rr >= tol
        if not bool(active.any()):
            break
        ap = matvec(p)
        alpha = torch.where(active, rr / (p * ap).sum(1), torch.zeros_like(rr))
        x = x + alpha.unsqueeze(1) * p
        r = r - alpha.unsqueeze(1) * ap
        rr_new = (r * r).sum(1)
        p = torch.where(active.unsqueeze(1), r + (rr_new / rr).unsqueeze(1) * p, p)
        rr = torch.where(active, rr_new, rr)
    return x, rr.sqrt()
