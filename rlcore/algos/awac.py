r"""Advantage-Weighted Actor-Critic (Nair et al. 2020), on the SAC machinery.

The critics learn $Q^\pi$ of the current policy by TD (no entropy term):
$y = r + \gamma(1-d)\min_i Q_{\bar\theta_i}(s', a'),\ a'\sim\pi_\phi(\cdot|s')$.
The actor is fitted by *advantage-weighted* maximum likelihood on the dataset's
actions, which keeps it close to the data (AWR, Peng et al. 2019):

$$L(\phi) = -\mathbb{E}_{(s,a)\sim\mathcal{D}}\big[\min(e^{\beta A(s,a)}, w_{max})\,
\log\pi_\phi(a|s)\big], \qquad A(s,a) = Q(s,a) - Q(s, \tilde a),\ \tilde a\sim\pi_\phi(\cdot|s)$$

$\beta$ is an inverse temperature ($\exp(A/\lambda)$ with $\lambda = 1/\beta$ in the
paper's notation). Extends :class:`SAC`: a Gaussian policy, no temperature, and a new
``actor_loss`` / ``target_value``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor, nn

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
    population = False  # offline: populations of offline runs are not built yet
    cfg: AWACConfig
    has_temperature = False  # no α: its constant would chart as "train/alpha"

    def make_actor(self) -> nn.Module:
        return GaussianActor(self.obs_dim, self.action_low, self.action_high, self.cfg.hidden)

    def target_value(self, batch: Batch) -> Tensor:
        next_a, _ = self.actor(batch.next_obs)
        return clipped_min(self.critic_target(batch.next_obs, next_a))

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor], Tensor | None]:
        r"""$-\min(e^{\beta A}, w_{max})\log\pi(a|s)$ with $A = Q(s,a) - Q(s,\tilde a)$.

        No policy log-densities come back: AWAC has no temperature to tune.
        """
        with torch.no_grad():
            pi_a, _ = self.actor(batch.obs)
            v = clipped_min(self.critic(batch.obs, pi_a))
            adv = clipped_min(self.critic(batch.obs, batch.action)) - v
            w = awr_weights(adv, self.cfg.beta, self.cfg.max_weight)
        logp = self.actor.log_prob(batch.obs, batch.action)
        info = {
            "advantage_mean": adv.mean(),
            "advantage_std": adv.std(),
            "weight_mean": w.mean(),
            "weight_max": w.max(),
            "weight_clipped_frac": (w >= self.cfg.max_weight).float().mean(),
        }
        return -(w * logp).mean(), info, None
