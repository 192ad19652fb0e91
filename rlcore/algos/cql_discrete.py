r"""Conservative Q-Learning for discrete actions (Kumar et al. 2020), on a Q-network.

With finitely many actions the log-sum-exp is exact:

$$L(\theta) = \alpha\,\mathbb{E}_{s\sim\mathcal{D}}\Big[\log\sum_{a} \exp Q_\theta(s,a)
- \mathbb{E}_{a\sim\mathcal{D}}Q_\theta(s,a)\Big] + \mathbb{E}\big[\ell(Q_\theta(s,a) - y)\big]$$

with the DQN target $y = r + \gamma(1-d)\max_{a'}Q_{\bar\theta}(s',a')$ (double-DQN
optional) and the target network copied every ``target_update_interval`` gradient steps.
Extends :class:`DQN`; only ``critic_loss`` changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor

from rlcore.algos.base import per_member
from rlcore.algos.dqn import DQN, DQNConfig
from rlcore.core.config import hp
from rlcore.core.ops import cql_logsumexp
from rlcore.core.types import Batch


@dataclass(frozen=True)
class DiscreteCQLConfig(DQNConfig):
    """Discrete CQL hyperparameters."""

    lr: float = hp(3e-4, "Learning rate (Adam).", 1e-6, 1.0, log=True)
    batch_size: int = hp(256, "Minibatch size.", 1, 8192, log=True)
    target_update_interval: int = hp(
        1000, "Gradient steps between target-network copies.", 1, 10**7, log=True
    )
    cql_alpha: float = hp(1.0, "Weight α of the conservative penalty.", 0.0, 1000.0)


class DiscreteCQL(DQN):
    """CQL on a Q-network; a population's members (DQN's member axis) each with its own α."""

    name = "cql_discrete"
    title = "CQL (discrete, on DQN)"
    paper = "Kumar et al. 2020, Conservative Q-learning for offline RL"
    setting = "offline"
    loop = "dataset"
    config_cls = DiscreteCQLConfig
    cfg: DiscreteCQLConfig
    member_hparams = (*DQN.member_hparams, "cql_alpha")

    def critic_loss(
        self, batch: Batch, target_q: Tensor | None = None
    ) -> tuple[Tensor, dict[str, Tensor]]:
        """DQN's TD loss plus α times the penalty (a population's: each member's, summed)."""
        td_loss, info = super().critic_loss(batch, target_q)
        q_all = self.q(batch.obs)  # [B, A] (a population's [K, B, A])
        q_data = q_all.gather(-1, batch.action.unsqueeze(-1)).squeeze(-1)
        lse = cql_logsumexp(q_all)
        penalty = self.member_means(lse - q_data)  # 0-d, or [K]
        alpha = per_member([m.cql_alpha for m in self.members], self.device)
        if not isinstance(alpha, float):
            alpha = alpha.view(-1)
        info.update(
            cql_penalty=penalty.detach(),
            td_loss=info["critic_loss"],
            q_data_mean=self.member_means(q_data.detach()),
            cql_lse=self.member_means(lse.detach()),
        )
        return td_loss + (alpha * penalty).sum(), info
