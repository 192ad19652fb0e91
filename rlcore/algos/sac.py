r"""Soft Actor-Critic (Haarnoja et al. 2018a) with automatic temperature (2018b).

Maximum-entropy RL: maximise $\sum_t \mathbb{E}[r_t + \alpha\,\mathcal{H}(\pi(\cdot|s_t))]$.
A squashed-Gaussian actor, two critics (clipped double Q), Polyak targets.

Soft TD target, with $\tilde a' \sim \pi_\phi(\cdot|s')$:

$$y = r + \gamma(1-d)\Big(\min_{i} Q_{\bar\theta_i}(s',\tilde a')
- \alpha\log\pi_\phi(\tilde a'|s')\Big),
\qquad L(\theta_i) = \mathbb{E}\big[(Q_{\theta_i}(s,a) - y)^2\big]$$

Actor, through the **reparameterisation** $\tilde a = \tanh(\mu_\phi(s) +
\sigma_\phi(s)\odot\epsilon)$, $\epsilon\sim\mathcal{N}(0,I)$:

$$L(\phi) = \mathbb{E}_{s,\epsilon}\big[\alpha\log\pi_\phi(\tilde a|s)
- \min_i Q_{\theta_i}(s,\tilde a)\big]$$

Temperature by dual gradient descent on the entropy constraint
$\mathbb{E}[-\log\pi] \ge \bar{\mathcal{H}}$ (target $\bar{\mathcal H} = -|\mathcal{A}|$):

$$L(\alpha) = \mathbb{E}_{\tilde a\sim\pi}\big[-\alpha\,
(\log\pi_\phi(\tilde a|s) + \bar{\mathcal{H}})\big]$$

so $\alpha$ rises while the entropy is below target and falls while above. We optimise
$\log\alpha$ (as SB3 and CleanRL do) to keep $\alpha > 0$.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from rlcore.algos.base import Agent, OffPolicyConfig, frozen, make_adam, optimize
from rlcore.core.config import hp
from rlcore.core.nn import EnsembleCritic, TanhGaussianActor
from rlcore.core.ops import clipped_min, dual_loss, soft_update, td_target
from rlcore.core.types import Batch


@dataclass(frozen=True)
class SACConfig(OffPolicyConfig):
    """SAC hyperparameters (defaults: Stable-Baselines3 / the paper)."""

    lr: float = hp(3e-4, "Learning rate of actor, critics and α (Adam).", 1e-6, 1.0, log=True)
    tau: float = hp(0.005, "Polyak rate of the target critics.", 1e-4, 1.0, log=True)
    alpha: float = hp(1.0, "Initial (or fixed) temperature α.", 1e-6, 100.0, log=True)
    autotune: bool = hp(True, "Tune α by dual gradient descent towards the target entropy.")
    target_entropy_scale: float = hp(
        1.0, "Target entropy = -scale × action dimension.", -10.0, 10.0
    )


class SAC(Agent):
    """Continuous SAC agent."""

    name = "sac"
    title = "SAC"
    paper = "Haarnoja et al. 2018, Soft actor-critic (+ SAC algorithms and applications)"
    action_space = "continuous"
    config_cls = SACConfig
    cfg: SACConfig
    has_temperature: ClassVar[bool] = True  # α in the targets and the actor (AWAC: no)

    def __init__(self, obs_space, action_space, config: SACConfig, device="cpu") -> None:
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.actor = self.make_actor().to(self.device)
        self.critic = EnsembleCritic(
            self.obs_dim, self.action_dim, c.hidden, self.n_critics(), self.critic_layer_norm()
        ).to(self.device)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self.log_alpha = torch.nn.Parameter(
            torch.tensor(math.log(c.alpha), device=self.device), requires_grad=c.autotune
        )
        self.target_entropy = -c.target_entropy_scale * self.action_dim
        # log α steps in the actor's Adam (same lr, betas and eps): Adam treats each
        # parameter on its own, and the actor loss gives log α no gradient (α is detached
        # there) nor the α loss the actor (log π is detached there), so one backward of
        # their sum and one step are the two separate steps, for one pass of overhead
        tuned = [self.log_alpha] if c.autotune else []
        self.actor_opt = make_adam([*self.actor.parameters(), *tuned], c.lr, self.device)
        self.critic_opt = make_adam(self.critic.parameters(), c.lr, self.device)
        self._actor_params = list(self.actor.parameters())
        self._critic_params = list(self.critic.parameters())
        self._critic_target_params = list(self.critic_target.parameters())

    def make_actor(self) -> torch.nn.Module:
        """The policy network (AWAC swaps in a Gaussian fitted by likelihood)."""
        return TanhGaussianActor(self.obs_dim, self.action_low, self.action_high, self.cfg.hidden)

    def n_critics(self) -> int:
        """Ensemble size (SAC-N overrides)."""
        return 2

    def critic_layer_norm(self) -> bool:
        """Layer norm in the critics (SAC-N offers it)."""
        return False

    @property
    def alpha(self) -> Tensor:
        return self.log_alpha.detach().exp()

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        return self.actor.sample_action(obs, deterministic=not explore)

    def target_value(self, batch: Batch) -> Tensor:
        """Soft value of s': min over target critics minus α log π."""
        next_a, next_logp = self.actor(batch.next_obs)
        next_q = clipped_min(self.critic_target(batch.next_obs, next_a))
        return next_q - self.alpha * next_logp

    def q_value(self, obs: Tensor, action) -> Tensor:
        a = torch.as_tensor(action, dtype=torch.float32, device=self.device)
        return clipped_min(self.critic(obs, a.reshape(len(obs), -1)))

    def critic_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$\sum_i \mathbb{E}(Q_{\theta_i}(s,a) - y)^2$ with the soft target $y$."""
        with torch.no_grad():
            target_q = td_target(
                batch.reward, self.target_value(batch), batch.terminated, self.cfg.gamma
            )
        q = self.critic(batch.obs, batch.action)  # [N, B]
        loss = (q - target_q).pow(2).mean(dim=1).sum()
        info = {
            "q_mean": q.detach().mean(),
            "target_q_mean": target_q.mean(),
            "td_error": (q.detach() - target_q).abs().mean(),
            "ensemble_std": q.detach().std(dim=0).mean(),  # critics' disagreement
        }
        return loss, info

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor], Tensor | None]:
        r"""$\mathbb{E}[\alpha\log\pi(\tilde a|s) - \min_i Q_i(s,\tilde a)]$ (reparameterised).

        Returns:
            The loss, its diagnostics, and $\log\pi(\tilde a|s)$ of the sampled actions
            (detached, ``[B]``) for the temperature's step.
        """
        a, logp = self.actor(batch.obs)
        q_pi = clipped_min(self.critic(batch.obs, a))
        loss = (self.alpha * logp - q_pi).mean()
        info = {"entropy": -logp.detach().mean(), "q_pi_mean": q_pi.detach().mean()}
        return loss, info, logp.detach()

    def alpha_loss(self, logp: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$-\alpha\,(\log\pi + \bar{\mathcal H})$ on $\log\alpha$ (dual ascent on α)."""
        return dual_loss(self.log_alpha.exp(), logp + self.target_entropy), {}

    def critic_step(self, batch: Batch) -> dict[str, Tensor]:
        """One optimiser step on ``critic_loss``."""
        loss, info = self.critic_loss(batch)
        info["critic_grad_norm"] = optimize(
            self.critic_opt, loss, self._critic_params, set_to_none=True
        )
        info["critic_loss"] = loss.detach()
        return info

    def actor_step(self, batch: Batch) -> dict[str, Tensor]:
        """One step on ``actor_loss`` (critic frozen), then on ``alpha_loss`` if tuned."""
        with frozen(self._critic_params):  # the actor loss must not train the critic
            a_loss, info, logp = self.actor_loss(batch)
            loss = a_loss
            if self.cfg.autotune and logp is not None:
                al_loss, _ = self.alpha_loss(logp)
                loss = a_loss + al_loss  # one step of both (see __init__)
                info["alpha_loss"] = al_loss.detach()
            info["actor_grad_norm"] = optimize(
                self.actor_opt, loss, self._actor_params, set_to_none=True
            )
        info["actor_loss"] = a_loss.detach()
        if self.has_temperature:
            info["alpha"] = self.alpha
        return info

    def update(self, batch: Batch) -> dict[str, Tensor]:
        info = self.critic_step(batch)
        info.update(self.actor_step(batch))
        soft_update(self._critic_target_params, self._critic_params, self.cfg.tau)
        return info
