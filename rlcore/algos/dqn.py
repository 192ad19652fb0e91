r"""Deep Q-Network (Mnih et al. 2015), with double-DQN and dueling options.

A neural network approximates the optimal action value $Q^*(s,a)$ and is trained by
temporal-difference learning towards a *target network* $Q_{\bar\theta}$ that is copied
from the online network every ``target_update_interval`` environment steps:

$$y = r + \gamma\,(1-d)\,\max_{a'} Q_{\bar\theta}(s', a')$$

$$L(\theta) = \mathbb{E}_{(s,a,r,s',d)\sim\mathcal{D}}\big[\ell\big(Q_\theta(s,a) - y\big)\big]$$

with $\ell$ the Huber loss (or squared error). **Double DQN** (van Hasselt et al. 2016)
picks the next action with the online network and evaluates it with the target network,
$y = r + \gamma(1-d)\,Q_{\bar\theta}(s', \arg\max_{a'} Q_\theta(s',a'))$, which removes
most of the max-operator's over-estimation. **Dueling** (Wang et al. 2016) writes
$Q(s,a) = V(s) + A(s,a) - \frac{1}{|A|}\sum_{a'} A(s,a')$. Exploration is
$\varepsilon$-greedy with $\varepsilon$ decayed linearly.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from rlcore.algos.base import Agent, OffPolicyConfig, make_adam, optimize
from rlcore.core.config import hp
from rlcore.core.nn import QNetwork
from rlcore.core.ops import hard_update, linear_schedule, soft_update, td_target
from rlcore.core.types import Batch


@dataclass(frozen=True)
class DQNConfig(OffPolicyConfig):
    """DQN hyperparameters (defaults: Stable-Baselines3)."""

    lr: float = hp(1e-4, "Learning rate (Adam).", 1e-6, 1.0, log=True)
    batch_size: int = hp(32, "Minibatch size.", 1, 8192, log=True)
    train_freq: int = hp(4, "Env steps between training phases.", 1, 10_000, online_only=True)
    target_update_interval: int = hp(
        10_000, "Env steps between target-network updates.", 1, 10**7, log=True
    )
    tau: float = hp(1.0, "Target update rate (1 = hard copy, <1 = Polyak).", 1e-4, 1.0)
    exploration_fraction: float = hp(
        0.1, "Fraction of training over which ε decays.", 0.0, 1.0, online_only=True
    )
    exploration_initial_eps: float = hp(1.0, "Initial ε of ε-greedy.", 0.0, 1.0, online_only=True)
    exploration_final_eps: float = hp(0.05, "Final ε of ε-greedy.", 0.0, 1.0, online_only=True)
    max_grad_norm: float = hp(10.0, "Gradient clipping norm (0 = off).", 0.0, 1000.0)
    double_q: bool = hp(False, "Double DQN: online net picks a', target net evaluates it.")
    dueling: bool = hp(False, "Dueling architecture: Q = V + A - mean(A).")
    loss: str = hp("huber", "TD loss: huber (smooth L1) or mse.", choices=("huber", "mse"))

    def check(self) -> None:
        super().check()
        if self.exploration_final_eps > self.exploration_initial_eps:
            name = type(self).__name__
            raise ValueError(
                f"{name}.exploration_final_eps = {self.exploration_final_eps:g}: above "
                f"{name}.exploration_initial_eps = {self.exploration_initial_eps:g}; ε decays "
                f"(allowed: 0 to {self.exploration_initial_eps:g})"
            )


class DQN(Agent):
    """Deep Q-Network agent."""

    name = "dqn"
    title = "DQN"
    paper = "Mnih et al. 2015, Human-level control through deep RL (Nature)"
    action_space = "discrete"
    config_cls = DQNConfig
    cfg: DQNConfig

    def __init__(self, obs_space, action_space, config: DQNConfig, device="cpu") -> None:
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.q = QNetwork(self.obs_dim, self.n_actions, c.hidden, c.dueling).to(self.device)
        self.q_target = copy.deepcopy(self.q).requires_grad_(False)
        self.optimizer = make_adam(self.q.parameters(), c.lr, self.device)
        self._params = list(self.q.parameters())
        self.epsilon = c.exploration_initial_eps

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        greedy = self.q(obs).argmax(dim=-1)
        if explore:
            rand = torch.rand(greedy.shape, device=self.device) < self.epsilon
            if bool(rand.any()):
                random_a = torch.randint(self.n_actions, greedy.shape, device=self.device)
                greedy = torch.where(rand, random_a, greedy)
        return greedy

    def act(self, obs, explore: bool = False):
        obs = np.asarray(obs, dtype=np.float32)
        if obs.ndim != len(self.obs_shape):  # a batch: the agent's generic path
            return super().act(obs, explore)
        # one state: skip the network entirely for the random part of ε-greedy, and
        # call the layers' arithmetic without the modules' dispatch (the same operations;
        # measured 40 -> 35 µs an action, and it runs every environment step)
        if explore and torch.rand(()) < self.epsilon:
            return self.env_action_space.sample()
        if self.device.type != "cpu" or self.normalize_obs:
            return super().act(obs, explore=False)
        with torch.inference_mode():
            q = self.q.fast_forward(torch.from_numpy(obs).view(1, -1))
            return np.int64(q.argmax().item())

    def q_value(self, obs: Tensor, action) -> Tensor:
        a = torch.as_tensor(action, device=self.device).long().reshape(-1, 1)
        return self.q(obs).gather(1, a).squeeze(1)

    @torch.no_grad()
    def target(self, batch: Batch) -> Tensor:
        r"""The TD target $y$ of each transition (from the target network)."""
        next_q_target = self.q_target(batch.next_obs)
        if self.cfg.double_q:
            next_a = self.q(batch.next_obs).argmax(dim=-1, keepdim=True)
            next_q = next_q_target.gather(1, next_a).squeeze(1)
        else:
            next_q = next_q_target.max(dim=1).values
        return td_target(batch.reward, next_q, batch.terminated, self.cfg.gamma)

    def critic_loss(
        self, batch: Batch, target_q: Tensor | None = None
    ) -> tuple[Tensor, dict[str, Tensor]]:
        r"""TD loss $\ell(Q_\theta(s,a) - y)$ against the target network's $y$.

        ``target_q``: $y$ when already computed (``update_phase``), else from ``batch``.
        """
        if target_q is None:
            target_q = self.target(batch)
        q = self.q(batch.obs).gather(1, batch.action.unsqueeze(1)).squeeze(1)
        td_error = q - target_q
        if self.cfg.loss == "huber":
            loss = F.smooth_l1_loss(q, target_q)
        else:
            loss = F.mse_loss(q, target_q)
        info = {
            "q_mean": q.detach().mean(),
            "target_q_mean": target_q.mean(),
            "td_error": td_error.detach().abs().mean(),
        }
        return loss, info

    def update(self, batch: Batch, target_q: Tensor | None = None) -> dict[str, Tensor]:
        loss, info = self.critic_loss(batch, target_q)
        info["grad_norm"] = optimize(
            self.optimizer, loss, self._params, self.cfg.max_grad_norm, set_to_none=True
        )
        info["critic_loss"] = loss.detach()
        return info

    def update_phase(self, buffer, n: int, batch_size: int) -> Iterator[dict[str, Tensor]]:
        """A training phase with its batches drawn, and their targets computed, in one go.

        The target network only moves between phases (``on_step``, after environment
        steps), so each step's $y$ is the same computed for all the phase's batches at
        once: one gather and one forward pass of the target network instead of ``n``.
        Double DQN's $y$ needs the online network as it moves, so it goes step by step.
        """
        if self.cfg.double_q:
            yield from super().update_phase(buffer, n, batch_size)
            return
        for big in self._phase_batches(buffer, n, batch_size):
            target_q = self.target(big)
            for i in range(0, len(target_q), batch_size):
                rows = slice(i, i + batch_size)
                yield self.update(Batch(*(t[rows] for t in big)), target_q[rows])

    def on_step(self, step: int) -> None:
        c = self.cfg
        self.epsilon = linear_schedule(
            c.exploration_initial_eps,
            c.exploration_final_eps,
            c.exploration_fraction,
            self.progress,
        )
        if (step + 1) % c.target_update_interval == 0:
            if c.tau >= 1.0:
                hard_update(self.q_target, self.q)
            else:
                soft_update(self.q_target, self.q, c.tau)

    def exploration_metrics(self) -> dict[str, float]:
        return {"train/epsilon": self.epsilon}
