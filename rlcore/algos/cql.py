r"""Conservative Q-Learning (Kumar et al. 2020): CQL(H) on SAC, optional Lagrange.

Offline, the max in the Bellman target queries Q at actions the data never shows, where
errors are only ever corrected upwards. CQL adds to each critic's TD loss a penalty that
pushes Q *down* on actions from a broad distribution (a soft maximum over actions) and
*up* on the dataset's actions (eq. 4, CQL(H)):

$$\mathcal{R}(\theta_i) = \mathbb{E}_{s\sim\mathcal{D}}\Big[\log\sum_a \exp Q_{\theta_i}(s,a)
- \mathbb{E}_{a\sim\mathcal{D}(a|s)}Q_{\theta_i}(s,a)\Big]$$

$$L(\theta_i) = \alpha_{cql}\,\mathcal{R}(\theta_i)
+ \tfrac12\,\mathbb{E}\big[(Q_{\theta_i}(s,a) - y)^2\big]$$

The log-sum-exp over a continuous action space is estimated by importance sampling with
$M$ actions each from a uniform distribution and from the policy at $s$ and at $s'$
(App. F): $\log\frac{1}{3M}\sum_j e^{Q(s,a_j)}/\mu(a_j)$. The "naive" penalty
$\mathbb{E}_{a\sim\mu}Q$ without the data term would push every value down; subtracting
the data term keeps in-data values and widens the gap to unseen actions.

**Lagrange version**: with ``lagrange`` on, the weight becomes $\alpha_{cql}\,\alpha'$ with
$\alpha' \ge 0$ tuned by dual gradient descent so that the penalty stays near the threshold
$\tau$ (``target_action_gap``): $\min_{\alpha'} -\alpha'(\mathcal R - \tau)$, the same rule as
SAC's temperature. The discrete version (``cql_discrete.py``) computes the log-sum-exp
exactly over all actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from rlcore.algos.base import make_adam, optimize, per_member
from rlcore.algos.sac import SAC, SACConfig
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.ops import cql_logsumexp, dual_loss, td_target
from rlcore.core.types import Batch


@dataclass(frozen=True)
class CQLConfig(SACConfig):
    """CQL hyperparameters (defaults: CORL's / the paper's locomotion settings)."""

    cql_alpha: float = hp(5.0, "Weight α of the conservative penalty.", 0.0, 1000.0)
    cql_n_actions: int = hp(10, "Sampled actions per source (uniform, π(s), π(s')).", 1, 100)
    cql_temperature: float = hp(1.0, "Temperature of the log-sum-exp.", 0.01, 100.0, log=True)
    lagrange: bool = hp(False, "Tune the penalty weight against the threshold τ.")
    target_action_gap: float = hp(
        5.0, "Threshold τ of the Lagrange version (penalty target).", -100.0, 100.0
    )


class CQL(SAC):
    """Continuous CQL(H) on SAC; only ``critic_loss`` changes (plus α' if Lagrange).

    A population (SAC's member axis, ``rlcore.train.population``): each member's penalty
    is taken on its own minibatch, its own proposal actions and its own critics, with its
    own α_cql; the Lagrange version is for single runs.
    """

    name = "cql"
    title = "CQL (continuous, on SAC)"
    paper = "Kumar et al. 2020, Conservative Q-learning for offline RL"
    setting = "offline"
    loop = "dataset"
    config_cls = CQLConfig
    cfg: CQLConfig
    member_hparams = (*SAC.member_hparams, "cql_alpha")
    # log α' (Lagrange, refused for populations): one number, never a member's own
    SHARED_STATE = (*SAC.SHARED_STATE, "log_cql_alpha")

    def __init__(
        self,
        obs_space,
        action_space,
        config: CQLConfig,
        device="cpu",
        *,
        members: Sequence[CQLConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        if members is not None and len(members) > 1 and (why := self.population_refusal(config)):
            raise ValueError(why)
        super().__init__(obs_space, action_space, config, device, members=members, seeds=seeds)
        self.log_cql_alpha = torch.nn.Parameter(
            torch.zeros((), device=self.device), requires_grad=config.lagrange
        )
        self.cql_alpha_opt = (
            make_adam([self.log_cql_alpha], config.lr, self.device) if config.lagrange else None
        )

    @classmethod
    def population_refusal(cls, config: AlgoConfig) -> str | None:
        """Why members of ``config`` cannot train as a population (``None``: they can)."""
        if getattr(config, "lagrange", False):
            return (
                f"{type(config).__name__}.lagrange = True: the tuned penalty weight is not "
                "built for populations yet (allowed: False)"
            )
        return None

    def _refresh_members(self) -> None:
        super()._refresh_members()
        self._cql_alpha = per_member([m.cql_alpha for m in self.members], self.device)

    def cql_weight(self) -> Tensor:
        """α_cql, times α' = exp(log α') ∈ [0, 1e6] in the Lagrange version.

        A population's: each member's α_cql, ``[K, 1]`` (it multiplies ``[K, N]``).
        """
        if self.k > 1:
            a = self._cql_alpha
            if isinstance(a, float):
                a = torch.full((self.k, 1), a, device=self.device)
            return a
        if not self.cfg.lagrange:
            return torch.tensor(self.cfg.cql_alpha, device=self.device)
        return self.cfg.cql_alpha * self.log_cql_alpha.exp().clamp(0.0, 1e6)

    def sampled_actions(self, batch: Batch) -> tuple[Tensor, Tensor]:
        """The 3M proposal actions per state and their log-densities: ``[B, 3M, A]``, ``[B, 3M]``.

        M uniform actions, M from π(·|s) and M from π(·|s'); the policy samples come from
        one actor pass over the B states (not over B·M repeated rows). A population's
        (``[K, B, ...]`` batch): ``[K, B, 3M, A]``, ``[K, B, 3M]``, each member's from its
        own policy.
        """
        b, m, dev = batch.obs.shape[-2], self.cfg.cql_n_actions, self.device
        lead = batch.obs.shape[:-1]  # [B], or a population's [K, B]
        scale, bias = self.actor.action_scale, self.actor.action_bias
        rand = (torch.rand(*lead, m, self.action_dim, device=dev) * 2 - 1) * scale + bias
        log_uniform = -torch.log(2 * scale).sum().expand(*lead, m)
        with torch.no_grad():  # the penalty trains the critics, not the policy
            pi_a, pi_logp = self.actor.sample(torch.cat([batch.obs, batch.next_obs], dim=-2), m)
        actions = torch.cat([rand, pi_a[..., :b, :, :], pi_a[..., b:, :, :]], dim=-2)
        log_mu = torch.cat([log_uniform, pi_logp[..., :b, :], pi_logp[..., b:, :]], dim=-1)
        return actions, log_mu

    def cql_penalty(
        self, q_sampled: Tensor, log_mu: Tensor, q_data: Tensor
    ) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$\mathcal{R}$ per critic, ``[N]``: importance-sampled LSE minus Q on data.

        ``q_sampled`` is ``[N, B, 3M]`` (uniform, π(s), π(s') blocks), ``log_mu``
        ``[B, 3M]``, ``q_data`` ``[N, B]``; a population's carry a leading member axis
        (the penalty ``[K, N]``, the diagnostics ``[K]``).
        """
        m, means = self.cfg.cql_n_actions, self.member_means
        lse = cql_logsumexp(q_sampled, log_mu.unsqueeze(-3), self.cfg.cql_temperature)
        penalty = (lse - q_data).mean(dim=-1)  # [N] (a population's [K, N])
        q_s = q_sampled.detach()
        return penalty, {
            "cql_lse": means(lse.detach()),
            "q_rand_mean": means(q_s[..., :m]),
            "q_policy_mean": means(q_s[..., m : 2 * m]),
            "q_data_mean": means(q_data.detach()),
        }

    def sampled_q(self, batch: Batch, sampled: Tensor) -> Tensor:
        """Every critic at the proposal actions: ``[N, B, 3M]`` (a population's ``[K, N, B, 3M]``).

        Each critic pass evaluates all N critics at once (``EnsembleCritic``); the proposal
        actions go through in one pass per source, B·M rows each.
        """
        o, m = batch.obs, self.cfg.cql_n_actions
        obs = o.unsqueeze(-2).expand(*o.shape[:-1], m, o.shape[-1])
        obs = obs.reshape(*o.shape[:-2], -1, o.shape[-1])  # [B·M, obs] (each state M times)
        # one critic pass per source: smaller activations than one [N, B·3M] pass, faster on CPU
        return torch.cat(
            [
                self.critic(obs, chunk.reshape(*obs.shape[:-1], -1)).view(
                    *chunk.shape[:-3], -1, *chunk.shape[-3:-1]
                )
                for chunk in sampled.chunk(3, dim=-2)
            ],
            dim=-1,
        )

    def critic_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$\sum_i \alpha\,\mathcal{R}(\theta_i) + \tfrac12\mathrm{TD}_i$.

        A population's: each member's own (its batch, its critics, its α), summed; the
        diagnostics per member.
        """
        with torch.no_grad():
            target_q = td_target(
                batch.reward, self.target_value(batch), batch.terminated, self._gamma
            )
        sampled, log_mu = self.sampled_actions(batch)
        q = self.critic(batch.obs, batch.action)  # [N, B] on the dataset's actions
        err = q - target_q.unsqueeze(-2)
        td = 0.5 * err.pow(2).mean(dim=-1)  # [N] (a population's [K, N])
        penalty, info = self.cql_penalty(self.sampled_q(batch, sampled), log_mu, q)
        weight = self.cql_weight()
        gap = self.cfg.target_action_gap if self.cfg.lagrange else 0.0
        per = (td + weight.detach() * (penalty - gap)).sum(dim=-1)  # each member's loss
        means = self.member_means
        info.update(
            cql_penalty=means(penalty.detach()),
            cql_weight=weight.detach().view(-1) if self.k > 1 else weight.detach(),
            td_loss=td.detach().sum(dim=-1),
            q_mean=means(q.detach()),
            target_q_mean=means(target_q),
            td_error=means(err.detach().abs()),
            critic_loss=per.detach(),
        )
        return per.sum(), info

    def lagrange_step(self, penalty: Tensor) -> None:
        r"""Dual step on $\log\alpha'$: raise the weight while the penalty exceeds $\tau$.

        Does nothing unless ``lagrange`` is on.

        Args:
            penalty: The batch's mean penalty $\mathcal{R}$ over critics (0-d); only its
                value counts (the dual loss holds it constant).
        """
        if self.cql_alpha_opt is None:
            return
        multiplier = self.cfg.cql_alpha * self.log_cql_alpha.exp()
        violation = penalty - self.cfg.target_action_gap
        optimize(self.cql_alpha_opt, dual_loss(multiplier, violation))

    def critic_step(self, batch: Batch) -> dict[str, Tensor]:
        """SAC's critic step on the conservative loss, then the Lagrange step."""
        info = super().critic_step(batch)
        self.lagrange_step(info["cql_penalty"])
        return info
