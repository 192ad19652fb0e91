r"""Twin Delayed DDPG (Fujimoto et al. 2018): DDPG plus three fixes of over-estimation.

1. **Clipped double Q**: two critics, the target uses the smaller one,
   $y = r + \gamma(1-d)\min_{i=1,2} Q_{\bar\theta_i}(s', \tilde a')$.
2. **Target policy smoothing**: $\tilde a' = \mathrm{clip}\big(\mu_{\bar\phi}(s') +
   \mathrm{clip}(\epsilon, -c, c), a_{low}, a_{high}\big)$, $\epsilon\sim\mathcal{N}(0,\sigma^2)$.
3. **Delayed policy updates**: the actor and the targets move once every
   ``policy_delay`` critic updates.

Both critics regress to the same $y$; the actor maximises $Q_{\theta_1}(s, \mu_\phi(s))$.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from rlcore.algos.ddpg import DDPG, DDPGConfig
from rlcore.core.config import hp


@dataclass(frozen=True)
class TD3Config(DDPGConfig):
    """TD3 hyperparameters (defaults: the paper and Stable-Baselines3)."""

    policy_delay: int = hp(2, "Critic updates per actor update.", 1, 100)
    target_policy_noise: float = hp(
        0.2, "Std of target smoothing noise (fraction of the action range).", 0.0, 2.0
    )
    target_noise_clip: float = hp(0.5, "Clip of target smoothing noise.", 0.0, 2.0)


class TD3(DDPG):
    """TD3 agent: overrides the number of critics, the target action and the delay."""

    name = "td3"
    title = "TD3"
    paper = "Fujimoto et al. 2018, Addressing function approximation error in AC methods"
    config_cls = TD3Config
    cfg: TD3Config
    n_critics = 2

    def next_action(self, next_obs: Tensor) -> Tensor:
        a = self.actor_target(next_obs)
        scale = self.actor.action_scale
        noise = torch.randn_like(a) * self.cfg.target_policy_noise
        noise = noise.clamp(-self.cfg.target_noise_clip, self.cfg.target_noise_clip) * scale
        low = self.actor.action_bias - scale
        return torch.max(torch.min(a + noise, low + 2 * scale), low)

    def policy_update_due(self) -> bool:
        return self.updates % self.cfg.policy_delay == 0
