r"""Advantage-Weighted Actor-Critic (Nair et al. 2020), on the SAC machinery.

The critics learn $Q^\pi$ of the current policy by TD (no entropy term):
$y = r + \gamma(1-d)\min_i Q_{\bar\theta_i}(s', a'),\ a'\sim\pi_\phi(\cdot|s')$.
The actor is fitted by *advantage-weighted* maximum likelihood on the dataset's
actions, which keeps it close to the data (AWR, Peng et al. 2019):

$$L(\phi) = -\mathbb{E}_{(s,a)\sim\mathcal{D}}\big[\min(e^{\beta A(s,a)}, w_{max})\,
\log\pi_\phi(a|s)\big], \qquad A(s,a) = Q(s,a) - Q(s, \tilde a),\ \tilde a\sim\pi_\phi(\cdot|s)$$

$\beta$ is an inverse temperature ($\exp(A/\lambda)$ with $\lambda = 1/\beta$ in the
paper's notation). Extends :class:`SAC`: a Gaussian policy, no temperature, and a new
``actor_loss`` / ``target_value``. A population (SAC's member axis,
``rlcore.train.population``): each member's weights from its own critics on its own
minibatch, with its own $\beta$ and $w_{max}$.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor, nn

from rlcore.algos.base import per_member
from rlcore.algos.sac import SAC, SACConfig
from rlcore.core.config import hp
from rlcore.core.nn import GaussianActor
from rlcore.core.ops import awr_weights, clipped_min
from rlcore.core.types import Batch


@dataclass(frozen=True)
class AWACConfig(SACConfig):
    """AWAC hyperparameters (defaults: CORL's)."""

    # SAC's temperature fields: AWAC's targets and actor have no entropy term
    unused: ClassVar[tuple[str, ...]] = ("alpha", "autotune", "target_entropy_scale")

    autotune: bool = hp(False, "AWAC has no entropy temperature (kept off).")
    beta: float = hp(1.0, "Inverse temperature β of the advantage weights (λ = 1/β).", 0.0, 100.0)
    max_weight: float = hp(
        100.0, "Clip of the exponentiated advantage weights.", 1.0, 1e4, log=True
    )

    def check(self) -> None:
        super().check()
        if self.autotune:
            raise ValueError("AWACConfig.autotune = True: AWAC has no temperature (allowed: False)")


class AWAC(SAC):
    """AWAC agent."""

    name = "awac"
    title = "AWAC"
    paper = "Nair et al. 2020, AWAC (+ Peng et al. 2019, AWR)"
    setting = "offline"
    loop = "dataset"
    config_cls = AWACConfig
    cfg: AWACConfig
    has_temperature = False  # no α: its constant would chart as "train/alpha"
    member_hparams = ("lr", "gamma", "tau", "beta", "max_weight")
    MEMBER_SCALARS = ("log_alpha", "actor.log_std")  # [K] and [K, A]: a member's row

    def _refresh_members(self) -> None:
        super()._refresh_members()
        self._beta = per_member([m.beta for m in self.members], self.device)
        self._max_weight = per_member([m.max_weight for m in self.members], self.device)

    def make_actor(self) -> nn.Module:
        return GaussianActor(self.obs_dim, self.action_low, self.action_high, self.cfg.hidden)

    def target_value(self, batch: Batch) -> Tensor:
        next_a, _ = self.actor(batch.next_obs)
        return clipped_min(self.critic_target(batch.next_obs, next_a))

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor], Tensor | None]:
        r"""$-\min(e^{\beta A}, w_{max})\log\pi(a|s)$ with $A = Q(s,a) - Q(s,\tilde a)$.

        No policy log-densities come back: AWAC has no temperature to tune. A
        population's loss is each member's, summed; the diagnostics per member.
        """
        means, max_w = self.member_means, self._max_weight
        with torch.no_grad():
            pi_a, _ = self.actor(batch.obs)
            v = clipped_min(self.critic(batch.obs, pi_a))
            adv = clipped_min(self.critic(batch.obs, batch.action)) - v  # [B] ([K, B])
            w = awr_weights(adv, self._beta, max_w)  # type: ignore[arg-type]
        logp = self.actor.log_prob(batch.obs, batch.action)
        per = -means(w * logp)
        one = self.k == 1
        info = {
            "advantage_mean": means(adv),
            "advantage_std": adv.std() if one else adv.std(-1),
            "weight_mean": means(w),
            "weight_max": w.max() if one else w.amax(-1),
            "weight_clipped_frac": means((w >= max_w).float()),
            "actor_loss": per.detach(),
        }
        return per.sum(), info, None
