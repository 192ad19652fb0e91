r"""Behaviour cloning: supervised learning of the dataset's actions (maximum likelihood).

$$\max_\phi\ \mathbb{E}_{(s,a)\sim\mathcal{D}}\big[\log\pi_\phi(a|s)\big]$$

For discrete actions this is the cross-entropy of a softmax policy; for continuous
actions the log-likelihood of a Gaussian $\mathcal{N}(\mu_\phi(s), \sigma^2)$, whose
maximiser $\mu_\phi(s)$ is the *mean* action of the data at $s$. BC copies the data,
good and bad alike: it is the baseline every offline RL method must beat on mixed data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor

from rlcore.algos.base import (
    Agent,
    make_member_adam,
    optimize,
    set_member_lrs,
)
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import CategoricalActor, GaussianActor, member_actor
from rlcore.core.types import Batch


@dataclass(frozen=True)
class BCConfig(AlgoConfig):
    """BC hyperparameters."""

    # fitting the data's actions discounts nothing: forms do not offer gamma
    unused: ClassVar[tuple[str, ...]] = ("gamma",)

    lr: float = hp(1e-3, "Learning rate (Adam).", 1e-6, 1.0, log=True)
    batch_size: int = hp(256, "Minibatch size.", 1, 8192, log=True)


class BC(Agent):
    """Behaviour cloning for discrete or continuous actions.

    A population of ``k`` members, a single run being one (``rlcore.train.population``):
    with several members the actor carries a leading member axis (``member_actor``; the
    Gaussian's log std ``[K, A]``), each member fits its own minibatch with its own lr.
    """

    name = "bc"
    title = "BC (behaviour cloning)"
    paper = "Pomerleau 1991; maximum-likelihood imitation of the dataset"
    setting = "offline"
    action_space = "both"
    loop = "dataset"
    config_cls = BCConfig
    cfg: BCConfig
    population = True
    member_hparams = ("lr",)
    MEMBER_SCALARS = ("actor.log_std",)  # [K, A]: a member's row is a single run's [A]

    def __init__(
        self,
        obs_space,
        action_space,
        config: BCConfig,
        device="cpu",
        *,
        members: Sequence[BCConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        """A BC of one member (``config``), or of ``members`` (each member's config).

        ``seeds``: each member's actor is drawn after ``torch.manual_seed`` of its seed
        (default: from the global generator as it stands, as a single run).
        """
        super().__init__(obs_space, action_space, config, device)
        self.members: tuple[BCConfig, ...]
        (actors,) = self.build_members(members, seeds, lambda: (self._make_actor(),))
        self.actor = member_actor(actors).to(self.device)
        self._make_optimizer()

    def _make_actor(self) -> torch.nn.Module:
        c = self.cfg
        if self.discrete:
            return CategoricalActor(self.obs_dim, self.n_actions, c.hidden)
        return GaussianActor(self.obs_dim, self.action_low, self.action_high, c.hidden)

    def _make_optimizer(self) -> None:
        self._params = list(self.actor.parameters())
        self.optimizer = make_member_adam(self._params, [m.lr for m in self.members], self.device)

    def _refresh_members(self) -> None:
        """The members' lrs (the only hyperparameter they may differ in)."""
        self.optimizer = set_member_lrs(self.optimizer, [m.lr for m in self.members], self.device)

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        if self.discrete:
            return self.actor(obs).argmax(-1)
        return self.actor.sample_action(obs, deterministic=not explore)

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""Negative log-likelihood $-\log\pi_\phi(a|s)$ of the dataset actions.

        A population's (``[K, B, ...]`` batch): each member's mean, summed into the loss,
        the diagnostics ``[K]``.
        """
        means = self.member_means
        if self.discrete:
            logits = self.actor(batch.obs)
            if self.k == 1:
                loss = F.cross_entropy(logits, batch.action)
            else:  # each member's mean cross-entropy
                nll = F.cross_entropy(
                    logits.flatten(0, 1), batch.action.flatten(), reduction="none"
                )
                loss = means(nll)
            acc = means((logits.argmax(-1) == batch.action).float())
            return loss, {"accuracy": acc}
        loss = -means(self.actor.log_prob(batch.obs, batch.action))
        mse = means((self.actor.mean(batch.obs).detach() - batch.action).pow(2))
        return loss, {"action_mse": mse, "log_std": means(self.actor.log_std.detach())}

    def update(self, batch: Batch) -> dict[str, Tensor]:
        loss, info = self.actor_loss(batch)
        info["grad_norm"] = optimize(
            self.optimizer,
            loss.sum(),
            self._params,
            members=self.k,
        )
        info["bc_loss"] = loss.detach()
        return info

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        The actor (and its Adam moments) cut to them, their numbers unchanged.
        """
        self.keep_members_and_moments(keep)
        self._params = list(self.actor.parameters())
