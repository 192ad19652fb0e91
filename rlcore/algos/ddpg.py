r"""Deep Deterministic Policy Gradient (Lillicrap et al. 2016).

A deterministic actor $\mu_\phi(s)$ and a critic $Q_\theta(s,a)$, each with a slowly
moving (Polyak) target copy:

$$y = r + \gamma\,(1-d)\,Q_{\bar\theta}\big(s', \mu_{\bar\phi}(s')\big), \qquad
L(\theta) = \mathbb{E}\big[(Q_\theta(s,a) - y)^2\big]$$

The actor climbs the critic (deterministic policy gradient, Silver et al. 2014):

$$\nabla_\phi J = \mathbb{E}_s\big[\nabla_a Q_\theta(s,a)\big|_{a=\mu_\phi(s)}
\nabla_\phi \mu_\phi(s)\big], \qquad L(\phi) = -\mathbb{E}_s\,Q_\theta(s, \mu_\phi(s))$$

Exploration adds Gaussian noise $\mathcal{N}(0, \sigma^2)$ (scaled to the action range)
to $\mu_\phi(s)$. TD3 (``td3.py``) extends this class with the three changes of its paper.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

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
from rlcore.core.nn import DeterministicActor, EnsembleCritic, member_actor
from rlcore.core.ops import clipped_min, td_target
from rlcore.core.types import Batch


@dataclass(frozen=True)
class DDPGConfig(OffPolicyConfig):
    """DDPG hyperparameters (defaults: Stable-Baselines3)."""

    lr: float = hp(1e-3, "Learning rate of actor and critic (Adam).", 1e-6, 1.0, log=True)
    tau: float = hp(0.005, "Polyak rate of the target networks.", 1e-4, 1.0, log=True)
    exploration_noise: float = hp(
        0.1,
        "Std of Gaussian action noise, as a fraction of the action range.",
        0.0,
        2.0,
        online_only=True,
    )


class DDPG(Agent):
    """DDPG agent; a one-member :class:`EnsembleCritic` so TD3 only changes ``n_critics``.

    A population of ``k`` members, a single run being one: with several, every network
    carries a leading member axis (``MemberLinear`` actors, one ensemble of K x
    ``n_critics`` critics) and the members' own lr, γ, τ and exploration noise broadcast
    on it (``rlcore.train.population``); a single run keeps the plain layers.
    """

    name = "ddpg"
    title = "DDPG"
    paper = "Lillicrap et al. 2016, Continuous control with deep RL"
    action_space = "continuous"
    config_cls = DDPGConfig
    cfg: DDPGConfig
    n_critics = 1
    population = True
    member_hparams = ("lr", "gamma", "tau", "exploration_noise")

    def __init__(
        self,
        obs_space,
        action_space,
        config: DDPGConfig,
        device="cpu",
        *,
        members: Sequence[DDPGConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        """A DDPG of one member (``config``), or of ``members`` (each member's config).

        ``seeds``: each member's networks are drawn after ``torch.manual_seed`` of its
        seed (default: from the global generator as it stands, as a single run).
        """
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.members: tuple[DDPGConfig, ...]
        actors, critics = self.build_members(
            members,
            seeds,
            lambda: (
                DeterministicActor(self.obs_dim, self.action_low, self.action_high, c.hidden),
                EnsembleCritic(self.obs_dim, self.action_dim, c.hidden, self.n_critics),
            ),
        )
        self.actor = member_actor(actors).to(self.device)
        self.critic = EnsembleCritic.stack(critics).to(self.device)
        self.actor_target = copy.deepcopy(self.actor).requires_grad_(False)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self._list_params()
        lrs = [m.lr for m in self.members]
        self.actor_opt = make_member_adam(self._actor_params, lrs, self.device)
        self.critic_opt = make_member_adam(self._critic_params, lrs, self.device)
        self._refresh_members()
        self.updates = 0

    def _list_params(self) -> None:
        self._actor_params = list(self.actor.parameters())
        self._critic_params = list(self.critic.parameters())
        self._actor_target_params = list(self.actor_target.parameters())
        self._critic_target_params = list(self.critic_target.parameters())

    def _refresh_members(self) -> None:
        """The per-member hyperparameters as numbers or ``[K, 1]`` tensors, and the lrs."""
        self.refresh_member_hparams(("actor_opt", "critic_opt"), ("gamma", "tau"))
        noise = per_member([m.exploration_noise for m in self.members], self.device)
        self._noise = noise if isinstance(noise, float) else noise.unsqueeze(-1)  # [K, 1, 1]

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        a = self.actor(obs)
        noise = self._noise
        if explore and (not isinstance(noise, float) or noise > 0):
            a = a + torch.randn_like(a) * noise * self.actor.action_scale
        return a

    def next_action(self, next_obs: Tensor) -> Tensor:
        """Target policy action at s' (TD3 adds clipped smoothing noise)."""
        return self.actor_target(next_obs)

    def q_value(self, obs: Tensor, action) -> Tensor:
        a = torch.as_tensor(action, dtype=torch.float32, device=self.device)
        return clipped_min(self.critic(obs, a.reshape(*obs.shape[:-1], -1)))

    def critic_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$\sum_i (Q_i(s,a) - y)^2$ with $y$ from the target actor and critic(s).

        A population's: each member's own, summed; the diagnostics are per member.
        """
        with torch.no_grad():
            next_q = clipped_min(
                self.critic_target(batch.next_obs, self.next_action(batch.next_obs))
            )
            target_q = td_target(batch.reward, next_q, batch.terminated, self._gamma)
        q = self.critic(batch.obs, batch.action)  # [N, B] (a population's [K, N, B])
        err = q - target_q.unsqueeze(-2)
        per = err.pow(2).mean(dim=-1).sum(dim=-1)  # each member's loss
        info = {
            "q_mean": self.member_means(q.detach()),
            "target_q_mean": self.member_means(target_q),
            "td_error": self.member_means(err.detach().abs()),
        }
        return per.sum(), {**info, "critic_loss": per.detach()}

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$-Q_1(s, \mu_\phi(s))$: the first critic, as in DDPG and TD3."""
        q_pi = self.critic.member(0, batch.obs, self.actor(batch.obs))
        per = -self.member_means(q_pi)
        return per.sum(), {"q_pi_mean": -per.detach(), "actor_loss": per.detach()}

    def policy_update_due(self) -> bool:
        """DDPG updates the actor every step; TD3 delays it."""
        return True

    def update(self, batch: Batch) -> dict[str, Tensor]:
        self.updates += 1
        members = self.k if self.k > 1 else None
        loss, info = self.critic_loss(batch)
        info["critic_grad_norm"] = optimize(
            self.critic_opt, loss, self._critic_params, set_to_none=True, members=members
        )
        info["critic_loss"] = info.pop("critic_loss", loss.detach())
        if self.policy_update_due():
            with frozen(self._critic_params):  # the actor loss must not train the critic
                a_loss, a_info = self.actor_loss(batch)
                info["actor_grad_norm"] = optimize(
                    self.actor_opt, a_loss, self._actor_params, set_to_none=True, members=members
                )
            info["actor_loss"] = a_info.pop("actor_loss", a_loss.detach())
            info.update(a_info)
            member_lerp_(self._critic_target_params, self._critic_params, self._tau)
            member_lerp_(self._actor_target_params, self._actor_params, self._tau)
        return info

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        Every member-axis tensor is cut to them (networks, their targets, Adam's
        moments, the per-member hyperparameters), their numbers unchanged.
        """
        self.keep_members_and_moments(keep)
        self._list_params()
        self._refresh_members()

    def exploration_metrics(self) -> dict[str, float]:
        if self.setting == "offline":
            return {}
        return {"train/exploration_noise": self.cfg.exploration_noise}

    def member_exploration_metrics(self, k: int) -> dict[str, float]:
        if self.setting == "offline":
            return {}
        return {"train/exploration_noise": self.members[k].exploration_noise}
