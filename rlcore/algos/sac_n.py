r"""SAC-N (An et al. 2021): SAC with N critics and the min over all of them.

$$y = r + \gamma(1-d)\Big(\min_{i=1..N} Q_{\bar\theta_i}(s',\tilde a')
- \alpha\log\pi(\tilde a'|s')\Big)$$

The minimum of N estimates is a lower confidence bound: where the data is dense the
members agree, off the data they spread out and the min is pessimistic. That alone, with
N large enough (10-500), makes SAC work offline. The ensemble is one
:class:`~rlcore.core.nn.EnsembleCritic` (one batched matmul per layer), so N=10 costs far less
than 5x N=2.

``critic_layer_norm`` puts a layer norm before each hidden ReLU of every member (as RLPD,
Ball et al. 2023, and ReBRAC do). The last layer then reads features of bounded size, so
a member's Q cannot grow without bound away from the data, whatever the min does. On a
small, narrow dataset the members can agree off the data, the min stops being pessimistic,
and Q of the policy's actions climbs above Q of the data's; layer norm caps that climb
(see the Pendulum preset in :mod:`rlcore.core.envs` for the measurement).

A population (SAC's member axis, ``rlcore.train.population``) of K members holds one
ensemble of K x N critics, the member axis outermost (member ``k``'s N critics
contiguous), as SAC's K x 2: N shapes that ensemble, so all members share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlcore.algos.sac import SAC, SACConfig
from rlcore.core.config import hp


@dataclass(frozen=True)
class SACNConfig(SACConfig):
    """SAC-N hyperparameters."""

    n_critics: int = hp(10, "Ensemble size N.", 2, 500, log=True)
    critic_layer_norm: bool = hp(False, "Layer norm in each critic's hidden layers.")


class SACN(SAC):
    """SAC-N agent: only the ensemble size changes."""

    name = "sac_n"
    title = "SAC-N"
    paper = "An et al. 2021, Uncertainty-based offline RL with diversified Q-ensemble"
    setting = "offline"
    loop = "dataset"
    config_cls = SACNConfig
    cfg: SACNConfig

    def n_critics(self) -> int:
        return self.cfg.n_critics

    def critic_layer_norm(self) -> bool:
        return self.cfg.critic_layer_norm
