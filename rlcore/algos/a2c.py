r"""Advantage Actor-Critic, synchronous (A2C; Mnih et al. 2016).

An actor $\pi_\phi(a|s)$ and a critic $V_\psi(s)$ learn together from $N$ parallel
environments, $T$ steps at a time. The critic's $n$-step / GAE advantage replaces the
Monte-Carlo return of REINFORCE, cutting the variance of the policy gradient:

$$\hat A_t = \sum_{l\ge0} (\gamma\lambda)^l \delta_{t+l}, \qquad
\delta_t = r_t + \gamma(1-d_t)V_\psi(s_{t+1}) - V_\psi(s_t)$$

$$L = \underbrace{-\mathbb{E}\big[\hat A_t \log\pi_\phi(a_t|s_t)\big]}_{\text{actor}}
+ c_v\,\underbrace{\mathbb{E}\big[(V_\psi(s_t) - \hat R_t)^2\big]}_{\text{critic}}
- c_e\,\underbrace{\mathbb{E}\big[\mathcal{H}(\pi_\phi(\cdot|s_t))\big]}_{\text{entropy bonus}}$$

with $\hat R_t = \hat A_t + V_\psi(s_t)$. On a time-limit truncation the true final
observation is bootstrapped ($d_t = 0$), as in Stable-Baselines3.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rlcore.algos.base import Agent, optimize
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import MLP, CategoricalActor
from rlcore.core.ops import gae
from rlcore.core.types import Rollout


@dataclass(frozen=True)
class A2CConfig(AlgoConfig):
    """A2C hyperparameters (defaults: Stable-Baselines3)."""

    lr: float = hp(7e-4, "Learning rate.", 1e-6, 1.0, log=True)
    hidden: tuple[int, ...] = hp((64, 64), "Hidden layers of actor and critic.", 1, 4096)
    n_envs: int = hp(8, "Parallel environments.", 1, 64)
    n_steps: int = hp(5, "Steps per environment per update.", 1, 4096, log=True)
    gae_lambda: float = hp(1.0, "GAE λ (1 = n-step returns).", 0.0, 1.0)
    ent_coef: float = hp(0.0, "Entropy bonus weight c_e.", 0.0, 1.0)
    vf_coef: float = hp(0.5, "Value loss weight c_v.", 0.0, 10.0)
    max_grad_norm: float = hp(0.5, "Gradient clipping norm (0 = off).", 0.0, 100.0)
    optimizer: str = hp("rmsprop", "Optimiser.", choices=("rmsprop", "adam"))
    normalize_advantage: bool = hp(False, "Standardise advantages per batch.")


class A2C(Agent):
    """Synchronous advantage actor-critic for discrete actions."""

    name = "a2c"
    title = "A2C (actor-critic)"
    paper = "Mnih et al. 2016, Asynchronous methods for deep RL"
    action_space = "discrete"
    loop = "rollout"
    config_cls = A2CConfig
    cfg: A2CConfig

    def __init__(self, obs_space, action_space, config: A2CConfig, device="cpu") -> None:
        super().__init__(obs_space, action_space, config, device)
        c = config
        mk = dict(activation="tanh", orthogonal=True)
        self.actor = CategoricalActor(self.obs_dim, self.n_actions, c.hidden, out_gain=0.01, **mk)
        self.critic = MLP(self.obs_dim, 1, c.hidden, out_gain=1.0, **mk)
        self.to(self.device)
        self._params = list(self.parameters())
        if c.optimizer == "rmsprop":
            self.optimizer = torch.optim.RMSprop(self._params, lr=c.lr, alpha=0.99, eps=1e-5)
        else:
            self.optimizer = torch.optim.Adam(self._params, lr=c.lr, eps=1e-5)

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        logits = self.actor(obs)
        if explore:
            return torch.multinomial(F.softmax(logits, -1), 1).squeeze(-1)
        return logits.argmax(-1)

    def value(self, obs: Tensor) -> Tensor:
        return self.critic(obs).squeeze(-1)

    def losses(self, ro: Rollout) -> tuple[Tensor, dict[str, Tensor]]:
        """Actor, critic and entropy terms of the A2C loss."""
        t, n = ro.reward.shape
        obs = ro.obs.reshape(t * n, -1)
        values = self.value(obs).reshape(t, n)
        with torch.no_grad():
            next_values = self.value(ro.next_obs.reshape(t * n, -1)).reshape(t, n)
            adv = gae(
                ro.reward,
                values.detach(),
                next_values,
                ro.terminated,
                ro.episode_end,
                self.cfg.gamma,
                self.cfg.gae_lambda,
            )
            returns = adv + values.detach()
            if self.cfg.normalize_advantage and adv.numel() > 1:
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        logits = self.actor(obs)
        log_probs = F.log_softmax(logits, -1)
        logp = log_probs.gather(1, ro.action.reshape(-1, 1).long()).squeeze(1)
        entropy = -(log_probs.exp() * log_probs).sum(-1).mean()
        actor_loss = -(adv.reshape(-1) * logp).mean()
        value_loss = F.mse_loss(values, returns)
        loss = actor_loss + self.cfg.vf_coef * value_loss - self.cfg.ent_coef * entropy
        info = {
            "actor_loss": actor_loss.detach(),
            "value_loss": value_loss.detach(),
            "entropy": entropy.detach(),
            "v_mean": values.detach().mean(),
            "advantage_mean": adv.mean(),
            "advantage_std": adv.std() if adv.numel() > 1 else torch.zeros(()),
        }
        return loss, info

    def update(self, rollout: Rollout) -> dict[str, Tensor]:
        loss, info = self.losses(rollout)
        info["grad_norm"] = optimize(self.optimizer, loss, self._params, self.cfg.max_grad_norm)
        return info
