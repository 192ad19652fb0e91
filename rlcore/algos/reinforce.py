r"""REINFORCE: Monte-Carlo policy gradient (Williams 1992), with an optional baseline.

The policy-gradient theorem turns the gradient of the expected return into an
expectation we can sample; the observed return $G_t = \sum_{k\ge t}\gamma^{k-t} r_k$ is
an unbiased sample of $Q_\pi(s_t,a_t)$:

$$\nabla_\phi J(\phi) = \mathbb{E}_\pi\Big[\sum_t \nabla_\phi\log\pi_\phi(a_t|s_t)\,
\big(G_t - b(s_t)\big)\Big]$$

Any baseline $b(s)$ that does not depend on the action leaves the gradient unbiased and
can cut its variance a lot; here $b(s) = V_\psi(s)$, fitted by least squares to $G_t$.
One update uses ``episodes_per_update`` complete episodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rlcore.algos.base import Agent, make_adam, optimize
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import MLP, CategoricalActor
from rlcore.core.ops import discounted_returns
from rlcore.core.types import Rollout


@dataclass(frozen=True)
class REINFORCEConfig(AlgoConfig):
    """REINFORCE hyperparameters."""

    lr: float = hp(1e-3, "Learning rate (Adam).", 1e-6, 1.0, log=True)
    hidden: tuple[int, ...] = hp((64, 64), "Hidden layers of policy (and baseline).", 1, 4096)
    episodes_per_update: int = hp(4, "Complete episodes per gradient step.", 1, 256)
    baseline: bool = hp(True, "Subtract a learned state-value baseline V(s).")
    normalize_returns: bool = hp(True, "Standardise G_t - b(s) per batch.")
    ent_coef: float = hp(0.0, "Entropy bonus weight.", 0.0, 1.0)
    max_grad_norm: float = hp(0.0, "Gradient clipping norm (0 = off).", 0.0, 100.0)


class REINFORCE(Agent):
    """REINFORCE for discrete actions."""

    name = "reinforce"
    title = "REINFORCE"
    paper = "Williams 1992, Simple statistical gradient-following algorithms"
    action_space = "discrete"
    loop = "episodes"
    config_cls = REINFORCEConfig
    cfg: REINFORCEConfig

    def __init__(self, obs_space, action_space, config: REINFORCEConfig, device="cpu") -> None:
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.actor = CategoricalActor(self.obs_dim, self.n_actions, c.hidden, activation="tanh")
        self.critic = MLP(self.obs_dim, 1, c.hidden, activation="tanh") if c.baseline else None
        self.to(self.device)
        self._params = list(self.parameters())
        self.optimizer = make_adam(self._params, c.lr, self.device)

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        logits = self.actor(obs)
        if explore:
            return torch.multinomial(F.softmax(logits, -1), 1).squeeze(-1)
        return logits.argmax(-1)

    def losses(self, ro: Rollout) -> tuple[Tensor, dict[str, Tensor]]:
        """Policy-gradient surrogate (and baseline regression) on complete episodes."""
        obs = ro.obs.reshape(-1, self.obs_dim)
        returns = discounted_returns(ro.reward, ro.episode_end, self.cfg.gamma).reshape(-1)
        log_probs = F.log_softmax(self.actor(obs), -1)
        logp = log_probs.gather(1, ro.action.reshape(-1, 1).long()).squeeze(1)
        entropy = -(log_probs.exp() * log_probs).sum(-1).mean()
        info: dict[str, Tensor] = {"return_mean": returns.mean(), "entropy": entropy.detach()}
        loss = torch.zeros((), device=self.device)
        weight = returns
        if self.critic is not None:
            values = self.critic(obs).squeeze(-1)
            value_loss = F.mse_loss(values, returns)
            loss = loss + value_loss
            weight = returns - values.detach()
            info.update(value_loss=value_loss.detach(), v_mean=values.detach().mean())
        # Spread of the per-sample gradient weights G_t - b(s_t): what a baseline reduces.
        info["weight_std"] = weight.std() if weight.numel() > 1 else torch.zeros(())
        if self.cfg.normalize_returns and weight.numel() > 1:
            weight = (weight - weight.mean()) / (weight.std() + 1e-8)
        actor_loss = -(weight * logp).mean()
        loss = loss + actor_loss - self.cfg.ent_coef * entropy
        info["actor_loss"] = actor_loss.detach()
        return loss, info

    def update(self, rollout: Rollout) -> dict[str, Tensor]:
        loss, info = self.losses(rollout)
        info["grad_norm"] = optimize(self.optimizer, loss, self._params, self.cfg.max_grad_norm)
        return info
