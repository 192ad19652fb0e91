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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from rlcore.algos.base import (
    Agent,
    OffPolicyConfig,
    frozen,
    make_member_adam,
    member_lerp_,
    optimize,
    per_member,
)
from rlcore.core.config import hp
from rlcore.core.nn import EnsembleCritic, TanhGaussianActor, member_actor
from rlcore.core.ops import clipped_min, dual_loss, td_target
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
    """Continuous SAC agent: a population of ``k`` members, a single run being one.

    With several members every network carries a leading member axis (the actor's
    layers ``MemberLinear``, the critics one ensemble of K x 2), log α is ``[K]``, and
    the members' own lr, γ, τ, initial α and target entropy broadcast on that axis
    (``rlcore.train.population``); a single run keeps the plain layers.
    """

    name = "sac"
    title = "SAC"
    paper = "Haarnoja et al. 2018, Soft actor-critic (+ SAC algorithms and applications)"
    action_space = "continuous"
    config_cls = SACConfig
    cfg: SACConfig
    has_temperature: ClassVar[bool] = True  # α in the targets and the actor (AWAC: no)
    population = True
    member_hparams = ("lr", "gamma", "tau", "alpha", "target_entropy_scale")
    MEMBER_SCALARS = ("log_alpha",)

    def __init__(
        self,
        obs_space,
        action_space,
        config: SACConfig,
        device="cpu",
        *,
        members: Sequence[SACConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        """A SAC of one member (``config``), or of ``members`` (each member's config).

        ``seeds``: each member's networks are drawn after ``torch.manual_seed`` of its
        seed (default: from the global generator as it stands, as a single run).
        """
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.members: tuple[SACConfig, ...]
        actors, critics = self.build_members(
            members,
            seeds,
            lambda: (
                self.make_actor(),
                EnsembleCritic(
                    self.obs_dim,
                    self.action_dim,
                    c.hidden,
                    self.n_critics(),
                    self.critic_layer_norm(),
                ),
            ),
        )
        k = self.k
        self.actor = member_actor(actors).to(self.device)
        self.critic = EnsembleCritic.stack(critics).to(self.device)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        alphas = [math.log(m.alpha) for m in self.members]
        self.log_alpha = torch.nn.Parameter(
            torch.tensor(alphas[0] if k == 1 else alphas, device=self.device),
            requires_grad=c.autotune,
        )
        self._list_params()
        # log α steps in the actor's Adam (same lr, betas and eps): Adam treats each
        # parameter on its own, and the actor loss gives log α no gradient (α is detached
        # there) nor the α loss the actor (log π is detached there), so one backward of
        # their sum and one step are the two separate steps, for one pass of overhead
        tuned = [self.log_alpha] if c.autotune else []
        lrs = [m.lr for m in self.members]
        self.actor_opt = make_member_adam([*self._actor_params, *tuned], lrs, self.device)
        self.critic_opt = make_member_adam(self._critic_params, lrs, self.device)
        self._refresh_members()

    def _list_params(self) -> None:
        self._actor_params = list(self.actor.parameters())
        self._critic_params = list(self.critic.parameters())
        self._critic_target_params = list(self.critic_target.parameters())

    def _refresh_members(self) -> None:
        """The per-member hyperparameters as numbers or ``[K, 1]`` tensors, and the lrs."""
        self.refresh_member_hparams(("actor_opt", "critic_opt"), ("gamma", "tau"))
        self.target_entropy = per_member(
            [-m.target_entropy_scale * self.action_dim for m in self.members], self.device
        )

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
        """α (0-d), or each member's (``[K]``)."""
        return self.log_alpha.detach().exp()

    def _alpha_col(self, alpha: Tensor) -> Tensor:
        """α as it multiplies ``[K, B]`` log-probabilities (``[K, 1]``; one member: 0-d)."""
        return alpha if self.k == 1 else alpha.unsqueeze(-1)

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        return self.actor.sample_action(obs, deterministic=not explore)

    def target_value(self, batch: Batch) -> Tensor:
        """Soft value of s': min over target critics minus α log π."""
        next_a, next_logp = self.actor(batch.next_obs)
        next_q = clipped_min(self.critic_target(batch.next_obs, next_a))
        return next_q - self._alpha_col(self.alpha) * next_logp

    def q_value(self, obs: Tensor, action) -> Tensor:
        a = torch.as_tensor(action, dtype=torch.float32, device=self.device)
        return clipped_min(self.critic(obs, a.reshape(*obs.shape[:-1], -1)))

    def critic_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$\sum_i \mathbb{E}(Q_{\theta_i}(s,a) - y)^2$ with the soft target $y$.

        A population's: each member's own, summed (its gradient is its own loss's); the
        diagnostics are per member.
        """
        with torch.no_grad():
            target_q = td_target(
                batch.reward, self.target_value(batch), batch.terminated, self._gamma
            )
        q = self.critic(batch.obs, batch.action)  # [N, B] (a population's [K, N, B])
        err = q - target_q.unsqueeze(-2)
        per = err.pow(2).mean(dim=-1).sum(dim=-1)  # each member's loss
        info = {
            "q_mean": self.member_means(q.detach()),
            "target_q_mean": self.member_means(target_q),
            "td_error": self.member_means(err.detach().abs()),
            "ensemble_std": self.member_means(q.detach().std(dim=-2)),  # critics' disagreement
        }
        return per.sum(), {**info, "critic_loss": per.detach()}

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor], Tensor | None]:
        r"""$\mathbb{E}[\alpha\log\pi(\tilde a|s) - \min_i Q_i(s,\tilde a)]$ (reparameterised).

        Returns:
            The loss, its diagnostics, and $\log\pi(\tilde a|s)$ of the sampled actions
            (detached, ``[B]``; a population's ``[K, B]``) for the temperature's step.
        """
        a, logp = self.actor(batch.obs)
        q_pi = clipped_min(self.critic(batch.obs, a))
        per = self.member_means(self._alpha_col(self.alpha) * logp - q_pi)
        info = {
            "entropy": self.member_means(-logp.detach()),
            "q_pi_mean": self.member_means(q_pi.detach()),
            "actor_loss": per.detach(),
        }
        return per.sum(), info, logp.detach()

    def alpha_loss(self, logp: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$-\alpha\,(\log\pi + \bar{\mathcal H})$ on $\log\alpha$ (dual ascent on α)."""
        if self.k == 1:
            loss = dual_loss(self.log_alpha.exp(), logp + self.target_entropy)
            return loss, {"alpha_loss": loss.detach()}
        mult = self._alpha_col(self.log_alpha.exp())
        per = (-(mult * (logp + self.target_entropy).detach())).mean(-1)
        return per.sum(), {"alpha_loss": per.detach()}

    def _grad_members(self) -> int | None:
        return self.k if self.k > 1 else None

    def critic_step(self, batch: Batch) -> dict[str, Tensor]:
        """One optimiser step on ``critic_loss``."""
        loss, info = self.critic_loss(batch)
        info["critic_grad_norm"] = optimize(
            self.critic_opt,
            loss,
            self._critic_params,
            set_to_none=True,
            members=self._grad_members(),
        )
        info["critic_loss"] = info.pop("critic_loss", loss.detach())
        return info

    def actor_step(self, batch: Batch) -> dict[str, Tensor]:
        """One step on ``actor_loss`` (critic frozen), then on ``alpha_loss`` if tuned."""
        with frozen(self._critic_params):  # the actor loss must not train the critic
            a_loss, info, logp = self.actor_loss(batch)
            loss = a_loss
            if self.cfg.autotune and logp is not None:
                al_loss, al_info = self.alpha_loss(logp)
                loss = a_loss + al_loss  # one step of both (see __init__)
                info["alpha_loss"] = al_info.get("alpha_loss", al_loss.detach())
            info["actor_grad_norm"] = optimize(
                self.actor_opt,
                loss,
                self._actor_params,
                set_to_none=True,
                members=self._grad_members(),
            )
        info["actor_loss"] = info.pop("actor_loss", a_loss.detach())
        if self.has_temperature:
            info["alpha"] = self.alpha
        return info

    def update(self, batch: Batch) -> dict[str, Tensor]:
        info = self.critic_step(batch)
        info.update(self.actor_step(batch))
        member_lerp_(self._critic_target_params, self._critic_params, self._tau)
        return info

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        Every member-axis tensor is cut to them (networks, Adam's moments, log α, the
        per-member hyperparameters), their numbers unchanged; the rest stop costing.
        """
        self.keep_members_and_moments(keep)
        self._list_params()
        self._refresh_members()
