r"""Behaviour cloning: supervised learning of the dataset's actions (maximum likelihood).

$$\max_\phi\ \mathbb{E}_{(s,a)\sim\mathcal{D}}\big[\log\pi_\phi(a|s)\big]$$

For discrete actions this is the cross-entropy of a softmax policy; for continuous
actions the log-likelihood of a Gaussian $\mathcal{N}(\mu_\phi(s), \sigma^2)$, whose
maximiser $\mu_\phi(s)$ is the *mean* action of the data at $s$. BC copies the data,
good and bad alike: it is the baseline every offline RL method must beat on mixed data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch.nn.functional as F
from torch import Tensor

from rlcore.algos.base import Agent, make_adam, optimize
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import CategoricalActor, GaussianActor
from rlcore.core.types import Batch


@dataclass(frozen=True)
class BCConfig(AlgoConfig):
    """BC hyperparameters."""

    # fitting the data's actions discounts nothing: forms do not offer gamma
    unused: ClassVar[tuple[str, ...]] = ("gamma",)

    lr: float = hp(1e-3, "Learning rate (Adam).", 1e-6, 1.0, log=True)
    batch_size: int = hp(256, "Minibatch size.", 1, 8192, log=True)


class BC(Agent):
    """Behaviour cloning for discrete or continuous actions."""

    name = "bc"
    title = "BC (behaviour cloning)"
    paper = "Pomerleau 1991; maximum-likelihood imitation of the dataset"
    setting = "offline"
    action_space = "both"
    loop = "dataset"
    config_cls = BCConfig
    cfg: BCConfig

    def __init__(self, obs_space, action_space, config: BCConfig, device="cpu") -> None:
        super().__init__(obs_space, action_space, config, device)
        if self.discrete:
            self.actor = CategoricalActor(self.obs_dim, self.n_actions, config.hidden)
        else:
            self.actor = GaussianActor(
                self.obs_dim, self.action_low, self.action_high, config.hidden
            )
        self.actor.to(self.device)
        self._params = list(self.actor.parameters())
        self.optimizer = make_adam(self._params, config.lr, self.device)

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        if self.discrete:
            return self.actor(obs).argmax(-1)
        return self.actor.sample_action(obs, deterministic=not explore)

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""Negative log-likelihood $-\log\pi_\phi(a|s)$ of the dataset actions."""
        if self.discrete:
            logits = self.actor(batch.obs)
            loss = F.cross_entropy(logits, batch.action)
            acc = (logits.argmax(-1) == batch.action).float().mean()
            return loss, {"accuracy": acc}
        loss = -self.actor.log_prob(batch.obs, batch.action).mean()
        mse = (self.actor.mean(batch.obs).detach() - batch.action).pow(2).mean()
        return loss, {"action_mse": mse, "log_std": self.actor.log_std.detach().mean()}

    def update(self, batch: Batch) -> dict[str, Tensor]:
        loss, info = self.actor_loss(batch)
        info["grad_norm"] = optimize(self.optimizer, loss, self._params)
        info["bc_loss"] = loss.detach()
        return info
