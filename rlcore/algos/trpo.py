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

from dataclasses import dataclass

import torch
from torch import Tensor
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from rlcore.algos.base import optimize
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
    """TRPO for discrete and continuous actions."""

    name = "trpo"
    title = "TRPO"
    paper = "Schulman et al. 2015, Trust region policy optimization"
    config_cls = TRPOConfig
    cfg: TRPOConfig

    def __init__(self, obs_space, action_space, config: TRPOConfig, device="cpu") -> None:
        super().__init__(obs_space, action_space, config, device)
        self.critic_optimizer = torch.optim.Adam(
            self.critic.parameters(), lr=config.lr, eps=1e-5, fused=self.device.type == "cpu"
        )

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
        info.update(self.policy_step(data))
        with torch.no_grad():
            info["entropy"] = self.entropy(self.dist(data.obs)).mean()
        info.update(self.critic_step(data))
        return info
