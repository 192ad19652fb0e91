r"""Implicit Q-Learning (Kostrikov, Nair & Levine 2021).

IQL never queries Q at actions outside the dataset. A value network fits an upper
*expectile* of $Q$ over the data actions (eq. 5), the critic regresses to $r + \gamma
V(s')$ (eq. 6), and the policy is extracted by advantage-weighted regression (eq. 7):

$$L_V(\psi) = \mathbb{E}_{(s,a)\sim\mathcal{D}}
\big[L_2^\tau\big(Q_{\bar\theta}(s,a) - V_\psi(s)\big)\big],
\qquad L_2^\tau(u) = |\tau - \mathbb{1}(u<0)|\,u^2$$

$$L_Q(\theta) = \mathbb{E}_{(s,a,s')\sim\mathcal{D}}
\big[(r + \gamma(1-d)V_\psi(s') - Q_\theta(s,a))^2\big]$$

$$L_\pi(\phi) = -\mathbb{E}_{(s,a)\sim\mathcal{D}}
\big[\min\big(e^{\beta(Q_{\bar\theta}(s,a) - V_\psi(s))},
w_{max}\big)\log\pi_\phi(a|s)\big]$$

$\tau$ is ``expectile`` (0.5 = mean, -> 1 = max over data actions); $\beta$ is an
*inverse* temperature (the paper's $\exp(\beta A)$; a temperature $\lambda = 1/\beta$ gives
the equivalent $\exp(A/\lambda)$). $Q_{\bar\theta}$ is the min of two target critics.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from rlcore.algos.base import (
    Agent,
    make_member_adam,
    member_lerp_,
    optimize,
)
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import (
    MLP,
    EnsembleCritic,
    GaussianActor,
    member_actor,
    stack_sequential,
)
from rlcore.core.ops import awr_weights, clipped_min, expectile_weights, td_target
from rlcore.core.types import Batch


@dataclass(frozen=True)
class IQLConfig(AlgoConfig):
    """IQL hyperparameters (defaults: the paper's locomotion settings)."""

    batch_size: int = hp(256, "Minibatch size.", 1, 8192, log=True)
    tau: float = hp(0.005, "Polyak rate of the target critics.", 1e-4, 1.0, log=True)
    expectile: float = hp(0.7, "Expectile τ of the value fit (0.5 = mean, → 1 = max).", 0.5, 0.999)
    beta: float = hp(3.0, "Inverse temperature β of the advantage weights.", 0.0, 100.0)
    max_weight: float = hp(
        100.0, "Clip of the exponentiated advantage weights.", 1.0, 1e4, log=True
    )


class IQL(Agent):
    """IQL agent for continuous actions: a population of ``k`` members, a single run one.

    With several members (``rlcore.train.population``) every network carries a leading
    member axis (the value and actor ``MemberLinear``, the critics one ensemble of
    K x 2, the actor's log std ``[K, A]``), each member learns from its own minibatch,
    and its lr, γ, τ, expectile and β broadcast on that axis.
    """

    name = "iql"
    title = "IQL"
    paper = "Kostrikov et al. 2021, Offline RL with implicit Q-learning"
    setting = "offline"
    action_space = "continuous"
    loop = "dataset"
    config_cls = IQLConfig
    cfg: IQLConfig
    population = True
    member_hparams = ("lr", "gamma", "tau", "expectile", "beta")
    MEMBER_SCALARS = ("actor.log_std",)  # [K, A]: a member's row is a single run's [A]

    def __init__(
        self,
        obs_space,
        action_space,
        config: IQLConfig,
        device="cpu",
        *,
        members: Sequence[IQLConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        """An IQL of one member (``config``), or of ``members`` (each member's config).

        ``seeds``: each member's networks are drawn after ``torch.manual_seed`` of its
        seed, in a single run's order (default: from the global generator as it stands).
        """
        super().__init__(obs_space, action_space, config, device)
        c, dev = config, self.device
        self.members: tuple[IQLConfig, ...]
        critics, values, actors = self.build_members(
            members,
            seeds,
            lambda: (
                EnsembleCritic(self.obs_dim, self.action_dim, c.hidden, 2),
                MLP(self.obs_dim, 1, c.hidden),
                GaussianActor(self.obs_dim, self.action_low, self.action_high, c.hidden),
            ),
        )
        k = self.k
        self.critic = EnsembleCritic.stack(critics).to(dev)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self.value = (values[0] if k == 1 else stack_sequential(values)).to(dev)
        self.actor = member_actor(actors).to(dev)
        self._list_params()
        # one Adam for the three networks: their losses touch disjoint parameters
        self.opt = make_member_adam(self._params, [m.lr for m in self.members], self.device)
        self._refresh_members()

    def _list_params(self) -> None:
        self._critic_params = list(self.critic.parameters())
        self._critic_target_params = list(self.critic_target.parameters())
        self._params = [*self.value.parameters(), *self._critic_params, *self.actor.parameters()]

    def _refresh_members(self) -> None:
        """The per-member hyperparameters as numbers or ``[K, 1]`` tensors, and the lrs."""
        self.refresh_member_hparams(("opt",), ("gamma", "tau", "expectile", "beta"))

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        return self.actor.sample_action(obs, deterministic=not explore)

    def q_value(self, obs: Tensor, action) -> Tensor:
        a = torch.as_tensor(action, dtype=torch.float32, device=self.device)
        return clipped_min(self.critic(obs, a.reshape(*obs.shape[:-1], -1)))

    def value_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor], Tensor]:
        r"""Expectile regression of $V(s)$ towards $\min_i Q_{\bar\theta_i}(s,a)$ (eq. 5).

        Returns:
            The loss (a population's: each member's, ``[K]``), its diagnostics, and the
            advantages $Q_{\bar\theta}(s,a) - V(s)$ (detached, ``[B]``; ``[K, B]``) that
            weight the policy's loss.
        """
        with torch.no_grad():
            target_q = clipped_min(self.critic_target(batch.obs, batch.action))
        v = self.value(batch.obs).squeeze(-1)
        adv = target_q - v
        means, a = self.member_means, adv.detach()
        info = {
            "v_mean": means(v.detach()),
            "advantage_mean": means(a),
            "advantage_std": a.std() if self.k == 1 else a.std(-1),
        }
        loss = means(expectile_weights(adv, self._expectile) * adv.pow(2))
        return loss, info, a

    def critic_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$\sum_i (Q_i(s,a) - r - \gamma(1-d)V(s'))^2$ (eq. 6); a population's ``[K]``."""
        with torch.no_grad():
            next_v = self.value(batch.next_obs).squeeze(-1)
            target = td_target(batch.reward, next_v, batch.terminated, self._gamma)
        q = self.critic(batch.obs, batch.action)  # [N, B] (a population's [K, N, B])
        err = q - target.unsqueeze(-2)
        loss = err.pow(2).mean(dim=-1).sum(dim=-1)
        means = self.member_means
        return loss, {"q_mean": means(q.detach()), "td_error": means(err.detach().abs())}

    def actor_loss(self, batch: Batch, adv: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        r"""Advantage-weighted log-likelihood of the data actions (eq. 7).

        A population's loss is each member's, ``[K]``.
        """
        c, means = self.cfg, self.member_means
        w = awr_weights(adv, self._beta, c.max_weight)
        logp = self.actor.log_prob(batch.obs, batch.action)
        return -means(w * logp), {
            "weight_mean": means(w),
            "weight_max": w.max() if self.k == 1 else w.amax(-1),
            "weight_clipped_frac": means((w >= c.max_weight).float()),
        }

    def update(self, batch: Batch) -> dict[str, Tensor]:
        """One gradient step on V, Q and π together (CORL's order, one optimiser call).

        Every loss is taken at this step's parameters: the Q target uses V(s') and the
        policy the advantages from *before* V's update, as in CORL. The three losses
        share no parameters (targets and advantages are detached), so one backward pass
        of their sum gives each network exactly its own loss's gradient, and one fused
        Adam step over all parameters equals three separate steps. A population's
        members each add their own losses to the sum (a member's gradient is its own).
        """
        v_loss, info, adv = self.value_loss(batch)
        q_loss, q_info = self.critic_loss(batch)
        a_loss, a_info = self.actor_loss(batch, adv)
        # every parameter gets a gradient each step, so dropping the old ones (rather than
        # zeroing them) changes nothing but lets backward hand its tensors over: 3% faster
        info["critic_grad_norm"] = optimize(
            self.opt,
            (v_loss + q_loss + a_loss).sum(),
            self._critic_params,
            set_to_none=True,
            members=self.k,
        )
        member_lerp_(self._critic_target_params, self._critic_params, self._tau)
        info.update(
            q_info,
            **a_info,
            value_loss=v_loss.detach(),
            critic_loss=q_loss.detach(),
            actor_loss=a_loss.detach(),
        )
        return info

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        Every member-axis tensor is cut to them (networks, targets, the log std, Adam's
        moments, the per-member hyperparameters), their numbers unchanged.
        """
        self.keep_members_and_moments(keep)
        self._list_params()
        self._refresh_members()
