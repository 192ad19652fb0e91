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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from rlcore.algos.base import (
    Agent,
    OffPolicyConfig,
    make_member_adam,
    optimize,
)
from rlcore.core.config import hp
from rlcore.core.nn import MemberQNetwork, QNetwork
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
    """Deep Q-Network agent: a population of ``k`` members, a single run being one.

    Every tensor carries a leading member axis (``MemberQNetwork``); members differ only
    in :attr:`member_hparams` (broadcast on that axis: the lr through ``MemberAdam``) and
    share nothing but the kernels. A batch without a member axis is a one-member batch
    (diagnostics come back 0-d, as a single run's).
    """

    name = "dqn"
    title = "DQN"
    paper = "Mnih et al. 2015, Human-level control through deep RL (Nature)"
    action_space = "discrete"
    config_cls = DQNConfig
    cfg: DQNConfig
    population = True
    member_hparams = (
        "lr",
        "gamma",
        "tau",
        "exploration_fraction",
        "exploration_initial_eps",
        "exploration_final_eps",
    )

    def __init__(
        self,
        obs_space,
        action_space,
        config: DQNConfig,
        device="cpu",
        *,
        members: Sequence[DQNConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        """A DQN of one member (``config``), or of ``members`` (each member's config).

        ``seeds``: each member's network is drawn after ``torch.manual_seed`` of its seed
        (default: from the global generator as it stands, as a single run).
        """
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.members: tuple[DQNConfig, ...]
        (nets,) = self.build_members(
            members, seeds, lambda: (QNetwork(self.obs_dim, self.n_actions, c.hidden, c.dueling),)
        )
        self.q = MemberQNetwork(nets).to(self.device)
        self.q_target = copy.deepcopy(self.q).requires_grad_(False)
        self.optimizer = make_member_adam(
            self.q.parameters(), [m.lr for m in self.members], self.device
        )
        self._params = list(self.q.parameters())
        self.refresh_member_hparams((), ("gamma", "tau"))
        self.epsilons = np.array([m.exploration_initial_eps for m in self.members])
        self.epsilon = float(self.epsilons[0])

    # -- acting -----------------------------------------------------------------------
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

    def act_members(
        self, obs: np.ndarray, explore: bool, spaces: Sequence[gym.Space] | None = None
    ) -> np.ndarray:
        """Every member's actions in one forward pass: ``[k, n, obs] -> [k, n]`` (int64).

        ε-greedy with each member's ε. Members on one environment each (``n`` = 1, with
        their environments' ``spaces``) explore as a single run does on one: a uniform
        draw against ε, then the space's own sample; on several, as a single run on
        several: random actions from the torch generator where the draws fall below ε.
        """
        k, n = obs.shape[0], obs.shape[1]
        if k == 1 and n == 1 and (spaces is None or spaces[0] is self.env_action_space):
            # a single run on one environment: its one-state path (same draws)
            return np.asarray(self.act(obs[0, 0], explore), dtype=np.int64).reshape(1, 1)
        with torch.inference_mode():
            return self._act_members(obs, explore, spaces)

    def _act_members(
        self, obs: np.ndarray, explore: bool, spaces: Sequence[gym.Space] | None
    ) -> np.ndarray:
        k, n = obs.shape[0], obs.shape[1]
        if self.k == 1:
            self.epsilons[0] = self.epsilon
        x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32)).view(k, n, -1)
        if self.device.type != "cpu":
            x = x.to(self.device)
        if self.normalize_obs:
            x = (x - self.obs_mean) / self.obs_std
        eps = torch.from_numpy(self.epsilons.astype(np.float32)).to(self.device)
        if explore and n == 1 and spaces is not None:
            rand = (torch.rand(k, device=self.device) < eps).cpu().numpy()
            out = np.zeros((k, 1), dtype=np.int64)
            if not rand.all():
                out[:, 0] = self.q.act_forward(x).argmax(dim=-1).view(k).cpu().numpy()
            for i in np.flatnonzero(rand).tolist():
                out[i, 0] = spaces[i].sample()
            return out
        greedy = self.q.act_forward(x).argmax(dim=-1)
        if explore:
            rand_t = torch.rand(greedy.shape, device=self.device) < eps.unsqueeze(1)
            if bool(rand_t.any()):
                random_a = torch.randint(self.n_actions, greedy.shape, device=self.device)
                greedy = torch.where(rand_t, random_a, greedy)
        return greedy.cpu().numpy()

    def q_value(self, obs: Tensor, action) -> Tensor:
        """Q(s, a): ``[B, obs]`` and ``B`` actions, or every member's (``[k, B, ...]``)."""
        a = torch.as_tensor(action, device=self.device).long().reshape(*obs.shape[:-1], 1)
        return self.q(obs).gather(-1, a).squeeze(-1)

    # -- learning ---------------------------------------------------------------------
    # Batches come with a member axis ([k, B, ...]: a population's buffer) or without
    # ([B, ...]: one member's); every operation below works on the last axes, so both
    # take the same code, and diagnostics come back [k] or 0-d accordingly.
    @torch.no_grad()
    def target(self, batch: Batch) -> Tensor:
        r"""The TD target $y$ of each transition (from the target network)."""
        next_q_target = self.q_target(batch.next_obs)
        if self.cfg.double_q:
            next_a = self.q(batch.next_obs).argmax(dim=-1, keepdim=True)
            next_q = next_q_target.gather(-1, next_a).squeeze(-1)
        else:
            next_q = next_q_target.max(dim=-1).values
        return td_target(batch.reward, next_q, batch.terminated, self._gamma)  # type: ignore[arg-type]

    def critic_loss(
        self, batch: Batch, target_q: Tensor | None = None
    ) -> tuple[Tensor, dict[str, Tensor]]:
        r"""TD loss $\ell(Q_\theta(s,a) - y)$ against the target network's $y$.

        ``target_q``: $y$ when already computed (``update_phase``), else from ``batch``.
        Each member's loss is the mean over its batch; the returned scalar is their sum
        (a member's gradient is its own loss's), its diagnostics are per member.
        """
        if target_q is None:
            target_q = self.target(batch)
        q = self.q(batch.obs).gather(-1, batch.action.unsqueeze(-1)).squeeze(-1)
        td_error = q - target_q
        fn = F.smooth_l1_loss if self.cfg.loss == "huber" else F.mse_loss
        if q.dim() == 1:  # one member's batch
            per = loss = fn(q, target_q)
        else:
            per = fn(q, target_q, reduction="none").mean(-1)
            loss = per.sum()
        info = {
            "q_mean": q.detach().mean(-1),
            "target_q_mean": target_q.mean(-1),
            "td_error": td_error.detach().abs().mean(-1),
            "critic_loss": per.detach(),
        }
        return loss, info

    def update(self, batch: Batch, target_q: Tensor | None = None) -> dict[str, Tensor]:
        loss, info = self.critic_loss(batch, target_q)
        norm = optimize(
            self.optimizer,
            loss,
            self._params,
            self.cfg.max_grad_norm,
            set_to_none=True,
            members=self.k,
        )
        assert norm is not None
        info["grad_norm"] = norm
        info["critic_loss"] = info.pop("critic_loss")
        return info

    def update_phase(self, buffer, n: int, batch_size: int) -> Iterator[dict[str, Tensor]]:
        """A training phase with its batches drawn, and their targets computed, in one go.

        The target network only moves between phases (``on_step``, after environment
        steps), so each step's $y$ is the same computed for all the phase's batches at
        once: one gather and one forward pass of the target network instead of ``n``.
        Double DQN's $y$ needs the online network as it moves, so it goes step by step.
        A population's buffer gives ``[k, rows, ...]`` fields: the rows are axis 1.
        """
        for big in self._phase_batches(buffer, n, batch_size):
            members = big.obs.dim() == 3
            target_q = None if self.cfg.double_q else self.target(big)
            for i in range(0, big.reward.shape[-1], batch_size):
                rows = (
                    (slice(None), slice(i, i + batch_size)) if members else slice(i, i + batch_size)
                )
                yield self.update(
                    Batch(*(t[rows] for t in big)), None if target_q is None else target_q[rows]
                )

    def on_step(self, step: int) -> None:
        if self.k == 1:  # (``epsilons`` follows when read)
            c = self.cfg
            self.epsilon = linear_schedule(
                c.exploration_initial_eps,
                c.exploration_final_eps,
                c.exploration_fraction,
                self.progress,
            )
        else:  # every member's ε at once: linear_schedule's arithmetic, elementwise
            start, end, fraction = self._eps_arrays()
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.minimum(np.maximum(self.progress / fraction, 0.0), 1.0)
            self.epsilons = np.where(fraction <= 0, end, start + t * (end - start))
            self.epsilon = float(self.epsilons[0])
        if (step + 1) % self.cfg.target_update_interval == 0:
            self._update_target()

    def _eps_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The members' ε schedules as arrays (start, end, fraction), remade when they change."""
        if getattr(self, "_eps_for", None) is not self.members:
            self._eps_for = self.members
            self._eps_cache = tuple(
                np.array([getattr(m, f"exploration_{x}") for m in self.members], dtype=float)
                for x in ("initial_eps", "final_eps", "fraction")
            )
        return self._eps_cache  # type: ignore[return-value]

    def _update_target(self) -> None:
        tau = self._tau
        if isinstance(tau, float):
            if tau >= 1.0:
                hard_update(self.q_target, self.q)
            else:
                soft_update(self.q_target, self.q, tau)
            return
        with torch.no_grad():  # members' own rates (a rate of 1: lerp gives the copy)
            for t, s in zip(self.q_target.parameters(), self.q.parameters()):
                t.lerp_(s, tau.view(self.k, *([1] * (t.dim() - 1))))

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        Every member-axis tensor is cut to them (networks, Adam's moments, per-member
        hyperparameters), their numbers unchanged; the rest stop costing.
        """
        self.keep_members_and_moments(keep)
        self._params = list(self.q.parameters())
        self.refresh_member_hparams((), ("gamma", "tau"))
        self.epsilons = self.epsilons[list(keep)]
        self.epsilon = float(self.epsilons[0])

    def exploration_metrics(self) -> dict[str, float]:
        return {"train/epsilon": self.epsilon}

    def member_exploration_metrics(self, k: int) -> dict[str, float]:
        return {"train/epsilon": self.epsilon if self.k == 1 else float(self.epsilons[k])}

    def _refresh_members(self) -> None:
        """What follows the members' configs: γ, τ, the optimiser's lrs and ε (now)."""
        self.refresh_member_hparams(("optimizer",), ("gamma", "tau"))
        self.epsilons = np.array(
            [
                linear_schedule(
                    m.exploration_initial_eps,
                    m.exploration_final_eps,
                    m.exploration_fraction,
                    self.progress,
                )
                for m in self.members
            ]
        )
        self.epsilon = float(self.epsilons[0])
