r"""TD3+BC (Fujimoto & Gu 2021): TD3 whose actor loss adds a behaviour-cloning term.

$$L(\phi) = \mathbb{E}_{(s,a)\sim\mathcal{D}}\Big[-\lambda\,Q_{\theta_1}(s,\pi_\phi(s))
+ \big(\pi_\phi(s) - a\big)^2\Big], \qquad
\lambda = \frac{\alpha}{\frac{1}{N}\sum_{(s,a)} |Q_{\theta_1}(s,a)|}$$

$\lambda$ normalises the Q term by its average magnitude (detached), so the trade-off
$\alpha$ (``bc_alpha``, 2.5 in the paper) does not depend on the reward scale. States are
normalised by the dataset's mean and standard deviation. Only ``actor_loss`` changes.

A population (TD3's member axis, ``rlcore.train.population``): each member's
$\lambda$ from its own critic on its own minibatch, with its own $\alpha$.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor

from rlcore.algos.base import per_member
from rlcore.algos.td3 import TD3, TD3Config
from rlcore.core.config import hp
from rlcore.core.types import Batch


@dataclass(frozen=True)
class TD3BCConfig(TD3Config):
    """TD3+BC hyperparameters (defaults: the paper)."""

    lr: float = hp(3e-4, "Learning rate of actor and critics.", 1e-6, 1.0, log=True)
    bc_alpha: float = hp(2.5, "α: weight of the Q term relative to behaviour cloning.", 0.0, 100.0)


class TD3BC(TD3):
    """TD3+BC agent."""

    name = "td3_bc"
    title = "TD3+BC"
    paper = "Fujimoto & Gu 2021, A minimalist approach to offline RL"
    setting = "offline"
    loop = "dataset"
    config_cls = TD3BCConfig
    cfg: TD3BCConfig
    member_hparams = (*TD3.member_hparams, "bc_alpha")

    def _refresh_members(self) -> None:
        super()._refresh_members()
        alpha = per_member([m.bc_alpha for m in self.members], self.device)
        self._bc_alpha = alpha if isinstance(alpha, float) else alpha.view(-1)  # [K]

    def actor_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$-\lambda Q_1(s,\pi(s)) + (\pi(s)-a)^2$, in actions scaled to [-1, 1].

        A population's: each member's own (its $\lambda$ from its own $|Q|$), summed; the
        diagnostics per member.
        """
        means = self.member_means
        pi = self.actor(batch.obs)
        q = self.critic.member(0, batch.obs, pi)  # [B] (a population's [K, B])
        lmbda = self._bc_alpha / means(q.abs()).detach()
        scale = self.actor.action_scale
        bc = means(((pi - batch.action) / scale).pow(2))
        per = -lmbda * means(q) + bc
        info = {"q_pi_mean": means(q.detach()), "bc_lambda": lmbda, "bc_loss": bc.detach()}
        return per.sum(), {**info, "actor_loss": per.detach()}
