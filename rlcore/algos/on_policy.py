r"""What PPO and TRPO share: the actor-critic, the rollout's advantages, running normalisation.

The actor is a categorical policy (discrete actions) or a diagonal Gaussian whose mean is
a network and whose log standard deviation is a free parameter, independent of the state
(as in the PPO and TRPO papers and Stable-Baselines3). The learner stores the *unclipped*
Gaussian sample, so the probability ratio $\pi_\theta(a|s)/\pi_{old}(a|s)$ is that of the
action the policy really drew; only the environment gets the clipped copy.

Each rollout is $T$ steps of $N$ environments. Advantages come from GAE(λ),
$\hat A_t = \sum_l (\gamma\lambda)^l\delta_{t+l}$, bootstrapping $V$ of the true final
observation on a time-limit truncation and nothing on termination; the value target is
$\hat R_t = \hat A_t + V(s_t)$.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rlcore.algos.base import Agent, check_members, per_member
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import MLP, stack_sequential
from rlcore.core.ops import (
    categorical_kl,
    explained_variance,
    gae,
    gae_members,
    gaussian_kl,
    member_rows,
    running_moments,
)
from rlcore.core.types import Rollout

__all__ = ["ActorCritic", "OnPolicyConfig", "PreparedRollout"]


@dataclass(frozen=True)
class OnPolicyConfig(AlgoConfig):
    """Rollout, network and normalisation settings shared by PPO and TRPO (SB3 defaults)."""

    hidden: tuple[int, ...] = hp((64, 64), "Hidden layers of the actor and of the critic.", 1, 4096)
    n_envs: int = hp(1, "Parallel environments.", 1, 64)
    n_steps: int = hp(2048, "Steps per environment per rollout.", 1, 8192, log=True)
    gae_lambda: float = hp(0.95, "GAE λ: 0 = one-step TD advantage, 1 = Monte-Carlo.", 0.0, 1.0)
    normalize_advantage: bool = hp(True, "Standardise advantages (per minibatch in PPO).")
    normalize: bool = hp(
        False, "Normalise observations and scale rewards by running statistics (VecNormalize)."
    )
    log_std_init: float = hp(0.0, "Initial log standard deviation of a Gaussian policy.", -5.0, 2.0)
    ortho_init: bool = hp(True, "Orthogonal initialisation of the networks (PPO's).")
    batch_size: int = hp(
        64, "Minibatch size (the rollout holds n_envs × n_steps samples).", 1, 65536
    )

    def check(self) -> None:
        n = self.n_envs * self.n_steps
        if self.batch_size > n:
            raise ValueError(
                f"{type(self).__name__}.batch_size = {self.batch_size}: larger than the rollout, "
                f"n_envs × n_steps = {n} (allowed: 1 to {n})"
            )


class PreparedRollout(NamedTuple):
    """A rollout flattened to ``[T*N, ...]`` with what every update needs."""

    obs: Tensor
    action: Tensor
    old_log_prob: Tensor
    old_values: Tensor
    advantage: Tensor
    returns: Tensor
    old_dist: tuple[Tensor, ...]  # logits, or (mean, log_std): pi_old for the KL


class ActorCritic(Agent):
    """Categorical or diagonal-Gaussian actor with a state-value critic, for PPO and TRPO.

    A population of ``k`` members (PPO), a single run being one: with several, the
    actor and critic layers are ``MemberLinear`` (``[K, B, ...]``), the log std ``[K, A]``,
    and each member's rollout, advantages and minibatches are its own.
    """

    shared_base = True  # PPO and TRPO declare their own name, title and paper
    cfg: OnPolicyConfig
    action_space = "both"
    loop = "rollout"

    def __init__(
        self,
        obs_space,
        action_space,
        config: OnPolicyConfig,
        device="cpu",
        *,
        members: Sequence[OnPolicyConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.members: tuple[OnPolicyConfig, ...] = check_members(c, members, self.member_hparams)  # type: ignore[assignment]
        self.k = k = len(self.members)
        if k > 1 and (why := self.population_refusal(c)):
            raise ValueError(why)
        if seeds is not None and len(seeds) != k:
            raise ValueError(f"seeds: {len(seeds)} given for {k} members")
        mk = dict(activation="tanh", orthogonal=c.ortho_init)
        out = self.n_actions if self.discrete else self.action_dim
        actors, critics = [], []
        for i in range(k):  # each member drawn as a single run of its seed draws its own
            if seeds is not None:
                torch.manual_seed(seeds[i])
            actors.append(MLP(self.obs_dim, out, c.hidden, out_gain=0.01, **mk))
            critics.append(MLP(self.obs_dim, 1, c.hidden, out_gain=1.0, **mk))
        self.actor = actors[0] if k == 1 else stack_sequential(actors)
        shape = (out,) if k == 1 else (k, out)
        self.log_std = None if self.discrete else nn.Parameter(torch.full(shape, c.log_std_init))
        self.critic = critics[0] if k == 1 else stack_sequential(critics)
        # VecNormalize's running statistics: observations, and the discounted return whose
        # standard deviation scales the rewards (count starts at SB3's epsilon)
        self.register_buffer("obs_var", torch.ones(self.obs_dim))
        self.register_buffer("obs_count", torch.tensor(1e-4))
        self.register_buffer("ret_stats", torch.tensor([0.0, 1.0, 1e-4]))  # mean, var, count
        self._ret: Tensor | None = None  # running discounted return per environment
        self.to(self.device)
        self.actor_params = list(self.actor.parameters()) + (
            [] if self.log_std is None else [self.log_std]
        )
        self._refresh_members()

    MEMBER_SCALARS = ("log_std",)  # [K, A]: a member's row is a single run's [A]
    # the running normalisation's statistics: one for all (populations refuse it)
    SHARED_STATE = (*Agent.SHARED_STATE, "obs_var", "obs_count", "ret_stats")

    @classmethod
    def population_refusal(cls, config: AlgoConfig) -> str | None:
        """Why members of ``config`` cannot train as a population (``None``: they can)."""
        if getattr(config, "normalize", False):
            return (
                f"{type(config).__name__}.normalize = True: running normalisation is not "
                "built for populations yet (allowed: False)"
            )
        return None

    def member_kl(self, old: tuple[Tensor, ...], new: tuple[Tensor, ...]) -> Tensor:
        r"""Each member's mean $\mathrm{KL}(\pi_{old}\,\|\,\pi_{new})$ over its states, ``[K]``."""
        if self.discrete:
            kl = categorical_kl(F.log_softmax(old[0], -1), F.log_softmax(new[0], -1))
        else:
            kl = gaussian_kl(old[0], old[1].expand_as(old[0]), new[0], new[1])
        return kl.mean(-1)

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        Every member-axis tensor is cut (actor, critic, log std: ``Agent.cut_members``)
        and every optimiser's moments with them, their numbers unchanged.
        """
        self.keep_members_and_moments(keep)
        self.actor_params = list(self.actor.parameters()) + (
            [] if self.log_std is None else [self.log_std]
        )
        self._refresh_members()

    def _refresh_members(self) -> None:
        """The per-member γ and λ as numbers or ``[K, 1]`` tensors."""
        self._gamma = per_member([m.gamma for m in self.members], self.device)
        self._lam = per_member([m.gae_lambda for m in self.members], self.device)

    def _log_std(self) -> Tensor:
        """The log std as it broadcasts on ``[..., A]`` means (a population's ``[K, 1, A]``)."""
        assert self.log_std is not None
        return self.log_std if self.k == 1 else self.log_std.unsqueeze(1)

    # -- the policy -----------------------------------------------------------------------
    def dist(self, obs: Tensor) -> tuple[Tensor, ...]:
        """Logits ``[B, A]``, or the Gaussian's mean ``[B, A]`` and log std ``[A]``."""
        out = self.actor(obs)
        return (out,) if self.discrete else (out, self._log_std())

    def log_prob(self, dist: tuple[Tensor, ...], action: Tensor) -> Tensor:
        r"""$\log\pi(a|s)$ of the actions, ``[B]``."""
        if self.discrete:
            log_p = F.log_softmax(dist[0], -1)
            return log_p.gather(-1, action.long().reshape(*log_p.shape[:-1], 1)).squeeze(-1)
        mean, log_std = dist
        z = (action - mean) * torch.exp(-log_std)
        return (-0.5 * z.pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)

    def entropy(self, dist: tuple[Tensor, ...]) -> Tensor:
        r"""$\mathcal H(\pi(\cdot|s))$, ``[B]``."""
        if self.discrete:
            log_p = F.log_softmax(dist[0], -1)
            return -(log_p.exp() * log_p).sum(-1)
        mean, log_std = dist
        if self.k > 1:  # [K, 1, A]: each member's, for each of its states
            return (log_std + 0.5 * math.log(2 * math.pi * math.e)).sum(-1).expand(mean.shape[:-1])
        return (log_std + 0.5 * math.log(2 * math.pi * math.e)).sum().expand(mean.shape[0])

    def kl(self, old: tuple[Tensor, ...], new: tuple[Tensor, ...]) -> Tensor:
        r"""Mean $\mathrm{KL}(\pi_{old}\,\|\,\pi_{new})$ over the states, analytic."""
        if self.discrete:
            return categorical_kl(F.log_softmax(old[0], -1), F.log_softmax(new[0], -1)).mean()
        return gaussian_kl(old[0], old[1].expand_as(old[0]), new[0], new[1]).mean()

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        if self.discrete:
            logits = self.actor(obs)
            if explore:  # Gumbel-max: argmax(logits + Gumbel noise) ~ softmax(logits)
                return (logits - torch.empty_like(logits).exponential_().log()).argmax(-1)
            return logits.argmax(-1)
        mean = self.actor(obs)
        return mean + self._log_std().exp() * torch.randn_like(mean) if explore else mean

    @torch.inference_mode()
    def rollout_actions(self, obs: Any) -> tuple[np.ndarray, np.ndarray]:
        """Environment actions (clipped to the box) and the unclipped samples to learn from."""
        a = self._act(self.obs_tensor(obs), True).cpu().numpy()
        if self.discrete:
            return a, a
        return np.clip(a, self.action_low, self.action_high), a

    def value(self, obs: Tensor) -> Tensor:
        return self.critic(obs).squeeze(-1)

    # -- the rollout ----------------------------------------------------------------------
    def _normalize(self, obs: Tensor) -> Tensor:
        return (obs - self.obs_mean) / self.obs_std if self.normalize_obs else obs

    @torch.no_grad()
    def _scale_rewards(self, reward: Tensor, episode_end: Tensor) -> Tensor:
        """Divide by the running std of the discounted return, clip to ±10 (VecNormalize)."""
        stats = self.ret_stats
        if self._ret is None or self._ret.shape != reward.shape[1:]:
            self._ret = torch.zeros_like(reward[0])
        for t in range(reward.shape[0]):
            self._ret = self._ret * self.cfg.gamma + reward[t]
            stats.copy_(torch.stack(running_moments(stats[0], stats[1], stats[2], self._ret)))
            self._ret = self._ret * (1.0 - episode_end[t])
        return (reward / torch.sqrt(stats[1] + 1e-8)).clamp(-10.0, 10.0)

    @torch.no_grad()
    def _update_obs_stats(self, obs: Tensor) -> None:
        mean, var, count = running_moments(self.obs_mean, self.obs_var, self.obs_count, obs)
        self.obs_mean.copy_(mean)
        self.obs_var.copy_(var)
        self.obs_count.copy_(count)
        self.obs_std.copy_(torch.sqrt(var + 1e-8))
        self.normalize_obs = True

    @torch.no_grad()
    def prepare(self, ro: Rollout) -> tuple[PreparedRollout, dict[str, Tensor]]:
        """GAE advantages and value targets of a rollout, under the policy that collected it.

        Observations are normalised with the statistics the actions were chosen with, so
        ``old_log_prob`` is exactly the behaviour policy's; the statistics then absorb the
        rollout for the next one. A population's rollout (``[T, K, n, ...]``): each member's
        with its own γ and λ, ``[K, T*n, ...]`` out.
        """
        if self.k > 1:
            return self._prepare_members(ro)
        t, n = ro.reward.shape
        obs = self._normalize(ro.obs.reshape(t * n, -1))
        next_obs = self._normalize(ro.next_obs.reshape(t * n, -1))
        reward = ro.reward
        if self.cfg.normalize:
            reward = self._scale_rewards(reward, ro.episode_end)
            self._update_obs_stats(ro.obs.reshape(t * n, -1))
        values = self.value(obs)
        next_values = self.value(next_obs).reshape(t, n)
        adv = gae(
            reward,
            values.reshape(t, n),
            next_values,
            ro.terminated,
            ro.episode_end,
            self.cfg.gamma,
            self.cfg.gae_lambda,
        ).reshape(-1)
        returns = adv + values
        action = ro.action.reshape(t * n, *ro.action.shape[2:])
        dist = tuple(d.detach() for d in self.dist(obs))
        log_prob = self.log_prob(dist, action)
        info = {
            "explained_variance": explained_variance(values, returns),
            "v_mean": values.mean(),
            "advantage_std": adv.std() if adv.numel() > 1 else torch.zeros(()),
        }
        if not self.discrete:
            info["std"] = self.log_std.exp().mean()
        return PreparedRollout(obs, action, log_prob, values, adv, returns, dist), info

    def _prepare_members(self, ro: Rollout) -> tuple[PreparedRollout, dict[str, Tensor]]:
        """:meth:`prepare` of a population's rollout: GAE on the K x n environment columns."""
        k = ro.reward.shape[1]
        obs, next_obs = member_rows(ro.obs), member_rows(ro.next_obs)
        values, next_values = self.value(obs), self.value(next_obs)
        adv = gae_members(ro, values, next_values, self._gamma, self._lam)
        returns = adv + values
        action = member_rows(ro.action)
        dist = tuple(d.detach().clone() for d in self.dist(obs))  # (not views of log std)
        log_prob = self.log_prob(dist, action)
        info = {
            "explained_variance": torch.stack(
                [explained_variance(values[i], returns[i]) for i in range(k)]
            ),
            "v_mean": values.mean(-1),
            "advantage_std": adv.std(-1),
        }
        if not self.discrete:
            info["std"] = self.log_std.exp().mean(-1)  # type: ignore[union-attr]
        return PreparedRollout(obs, action, log_prob, values, adv, returns, dist), info
