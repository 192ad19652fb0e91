r"""EDAC: Ensemble-Diversified Actor-Critic (An et al. 2021).

SAC-N needs many critics because they tend to agree even off the data. EDAC adds to the
critic loss a term that *diversifies the members' action gradients* at the data points
(eq. 5), so a small ensemble is as pessimistic as a large one:

$$L(\theta) = \sum_i \mathbb{E}\big[(Q_{\theta_i}(s,a) - y)^2\big]
+ \frac{\eta}{N-1}\,\mathbb{E}_{(s,a)\sim\mathcal{D}}\Big[\sum_{i\ne j}
\big\langle \widehat{\nabla_a Q_{\theta_i}}, \widehat{\nabla_a Q_{\theta_j}}\big\rangle\Big]$$

(hats: unit-normalised gradients, so the term sums cosine similarities; with a single
action dimension they are ±1 and the term has no gradient, so EDAC is SAC-N there, and
skips the term's second backward.) Extends
:class:`SACN`; only ``critic_loss`` changes. A population's members each diversify their
own N critics (their gradients at their own minibatch), with their own $\eta$.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from rlcore.algos.base import per_member
from rlcore.algos.sac_n import SACN, SACNConfig
from rlcore.core.config import hp
from rlcore.core.ops import edac_diversity, td_target
from rlcore.core.types import Batch


@dataclass(frozen=True)
class EDACConfig(SACNConfig):
    """EDAC hyperparameters."""

    eta: float = hp(1.0, "Weight η of the gradient-diversity term.", 0.0, 1000.0)


class EDAC(SACN):
    """EDAC agent."""

    name = "edac"
    title = "EDAC"
    config_cls = EDACConfig
    cfg: EDACConfig
    member_hparams = (*SACN.member_hparams, "eta")

    def _refresh_members(self) -> None:
        super()._refresh_members()
        eta = per_member([m.eta for m in self.members], self.device)
        self._eta = eta if isinstance(eta, float) else eta.view(-1)  # [K]

    def diversity_trains(self) -> bool:
        """Whether the diversity term has a gradient.

        Not with one action dimension (unit 1-D gradients are ±1: the term is flat), nor
        with η = 0 (every member's). Then the loss keeps its value but skips the double
        backward, a fifth of an EDAC step at N=10 on Pendulum.
        """
        return self.action_dim > 1 and any(m.eta > 0 for m in self.members)

    def critic_loss(self, batch: Batch) -> tuple[Tensor, dict[str, Tensor]]:
        r"""$\sum_i \mathrm{TD}_i + \eta\,$diversity; a population's: each member's, summed."""
        n, means = self.n_critics(), self.member_means
        with torch.no_grad():
            target_q = td_target(
                batch.reward, self.target_value(batch), batch.terminated, self._gamma
            )
        lead, rows = batch.obs.shape[:-2], batch.obs.shape[-2]  # lead: a population's [K]
        obs = batch.obs.unsqueeze(-3).expand(*lead, n, rows, -1)
        action = batch.action.unsqueeze(-3).expand(*lead, n, rows, -1)
        action = action.clone().requires_grad_(True)
        q = self.critic(obs, action)  # [N, B] ([K, N, B]): critic i sees its own copy of a
        trains = self.diversity_trains()
        grads = torch.autograd.grad(  # [N, B, A] ([K, N, B, A])
            q.sum(), action, create_graph=trains, retain_graph=True
        )[0]
        diversity, _ = edac_diversity(grads)  # 0-d ([K])
        if not trains:  # same loss value; no second backward through every member
            diversity = diversity.detach()
        err = q - target_q.unsqueeze(-2)
        td = err.pow(2).mean(dim=-1).sum(dim=-1)
        per = td + self._eta * diversity
        return per.sum(), {
            "q_mean": means(q.detach()),
            "target_q_mean": means(target_q),
            "td_error": means(err.detach().abs()),
            "ensemble_std": means(q.detach().std(dim=-2)),
            "diversity_loss": diversity.detach(),
            "td_loss": td.detach(),
            "critic_loss": per.detach(),
        }
