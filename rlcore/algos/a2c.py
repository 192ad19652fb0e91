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

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rlcore.algos.base import (
    Agent,
    MemberAdam,
    optimize,
    per_member,
)
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import MLP, CategoricalActor, member_actor, stack_sequential
from rlcore.core.ops import gae, gae_members, member_rows
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
    """Synchronous advantage actor-critic for discrete actions; a population of ``k``.

    Members (``rlcore.train.population``) differ in :attr:`member_hparams`: each learns
    from its own rollout with its own γ, λ and loss weights, its gradient clipped on its
    own, and RMSprop's (or Adam's) step taken with its own lr.
    """

    name = "a2c"
    title = "A2C (actor-critic)"
    paper = "Mnih et al. 2016, Asynchronous methods for deep RL"
    action_space = "discrete"
    loop = "rollout"
    config_cls = A2CConfig
    cfg: A2CConfig
    population = True
    member_hparams = ("lr", "gamma", "gae_lambda", "ent_coef", "vf_coef")

    def __init__(
        self,
        obs_space,
        action_space,
        config: A2CConfig,
        device="cpu",
        *,
        members: Sequence[A2CConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        super().__init__(obs_space, action_space, config, device)
        c = config
        self.members: tuple[A2CConfig, ...]
        mk = dict(activation="tanh", orthogonal=True)
        actors, critics = self.build_members(
            members,
            seeds,
            lambda: (
                CategoricalActor(self.obs_dim, self.n_actions, c.hidden, out_gain=0.01, **mk),
                MLP(self.obs_dim, 1, c.hidden, out_gain=1.0, **mk),
            ),
        )
        k = self.k
        self.actor = member_actor(actors)
        self.critic = critics[0] if k == 1 else stack_sequential(critics)
        self.to(self.device)
        self._params = list(self.parameters())
        self._make_optimizer()
        self._refresh_members()

    def _make_optimizer(self) -> None:
        lrs = [m.lr for m in self.members]
        if self.cfg.optimizer == "rmsprop":
            if len(set(lrs)) == 1:
                self.optimizer = torch.optim.RMSprop(self._params, lr=lrs[0], alpha=0.99, eps=1e-5)
            else:
                self.optimizer = MemberRMSprop(self._params, lrs, alpha=0.99, eps=1e-5)
        elif len(set(lrs)) == 1:
            self.optimizer = torch.optim.Adam(self._params, lr=lrs[0], eps=1e-5)
        else:
            self.optimizer = MemberAdam(self._params, lrs, eps=1e-5)

    def _refresh_members(self) -> None:
        """The per-member γ, λ and loss weights as numbers or ``[K, 1]`` tensors."""
        ms, dev = self.members, self.device
        self._gamma = per_member([m.gamma for m in ms], dev)
        self._lam = per_member([m.gae_lambda for m in ms], dev)
        self._vf = per_member([m.vf_coef for m in ms], dev)
        self._ent = per_member([m.ent_coef for m in ms], dev)
        lrs = [m.lr for m in ms]
        if isinstance(self.optimizer, (MemberRMSprop, MemberAdam)) or len(set(lrs)) > 1:
            state = self.optimizer.state_dict()
            self._make_optimizer()
            self.optimizer.load_state_dict(state)
        else:
            for g in self.optimizer.param_groups:
                g["lr"] = lrs[0]

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        logits = self.actor(obs)
        if explore:
            probs = F.softmax(logits, -1)
            if probs.dim() > 2:  # a population's [K, n, A]: one draw per row
                flat = probs.reshape(-1, probs.shape[-1])
                return torch.multinomial(flat, 1).view(probs.shape[:-1])
            return torch.multinomial(probs, 1).squeeze(-1)
        return logits.argmax(-1)

    def value(self, obs: Tensor) -> Tensor:
        return self.critic(obs).squeeze(-1)

    def losses(self, ro: Rollout) -> tuple[Tensor, dict[str, Tensor]]:
        """Actor, critic and entropy terms of the A2C loss (a population's: each member's)."""
        if self.k > 1:
            return self._member_losses(ro)
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
        info["grad_norm"] = optimize(
            self.optimizer,
            loss,
            self._params,
            self.cfg.max_grad_norm,
            members=self.k,
        )
        return info

    def _member_losses(self, ro: Rollout) -> tuple[Tensor, dict[str, Tensor]]:
        """:meth:`losses` of K members on their rollouts (``[T, K, n]``).

        Each member's terms are its own means (``[K]``), the loss their sum (its gradient
        is its own).
        """
        obs = member_rows(ro.obs)
        values = self.value(obs)  # [K, T*n]
        with torch.no_grad():
            next_values = self.value(member_rows(ro.next_obs))
            adv = gae_members(ro, values.detach(), next_values, self._gamma, self._lam)
            returns = adv + values.detach()
            if self.cfg.normalize_advantage and adv.shape[1] > 1:
                adv = (adv - adv.mean(1, keepdim=True)) / (adv.std(1, keepdim=True) + 1e-8)
        log_probs = F.log_softmax(self.actor(obs), -1)
        logp = log_probs.gather(-1, member_rows(ro.action).long().unsqueeze(-1)).squeeze(-1)
        entropy = -(log_probs.exp() * log_probs).sum(-1).mean(1)
        actor_loss = -(adv * logp).mean(1)
        value_loss = (values - returns).pow(2).mean(1)
        vf, ent = (v if isinstance(v, float) else v.squeeze(1) for v in (self._vf, self._ent))
        loss = (actor_loss + vf * value_loss - ent * entropy).sum()
        info = {
            "actor_loss": actor_loss.detach(),
            "value_loss": value_loss.detach(),
            "entropy": entropy.detach(),
            "v_mean": values.detach().mean(1),
            "advantage_mean": adv.mean(1),
            "advantage_std": adv.std(1),
        }
        return loss, info

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        Networks and the optimiser's state are cut to them, their numbers unchanged.
        """
        adam = isinstance(self.optimizer, torch.optim.Adam)  # (MemberAdam is one)
        self.keep_members_and_moments(keep, carry=None if adam else self._carry_rmsprop)
        self._params = list(self.parameters())
        self._refresh_members()

    def _carry_rmsprop(self, old, old_params, new_params, cuts, lrs, device):
        """RMSprop over the kept members: its square averages cut as the parameters were."""
        self._params = list(new_params)
        self._make_optimizer()
        for p_old, p, cut in zip(old_params, self._params, cuts):
            if st := old.state.get(p_old):
                self.optimizer.state[p] = {
                    key: (v.clone() if key == "step" else cut(v)) for key, v in st.items()
                }
        return self.optimizer


class MemberRMSprop(torch.optim.Optimizer):
    """RMSprop (torch's arithmetic, no momentum, not centred) with each member's own lr.

    Over parameters with a leading member axis (``K`` or ``K*N`` rows): the square
    average is elementwise, so one optimiser keeps each member's own; only the step
    differs, ``lr_k * g / (sqrt(v) + eps)`` on member ``k``'s rows. One lr for all is
    torch's ``RMSprop`` itself (A2C builds that then).
    """

    def __init__(self, params, lrs: Sequence[float], alpha: float = 0.99, eps: float = 1e-8):
        self.lrs = tuple(float(x) for x in lrs)
        super().__init__(params, {"lr": self.lrs[0], "alpha": alpha, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):  # type: ignore[override]
        g = self.param_groups[0]
        k = len(self.lrs)
        for p in g["params"]:
            if p.grad is None:
                continue
            st = self.state[p]
            if not st:
                st["step"] = torch.zeros(())
                st["square_avg"] = torch.zeros_like(p)
            st["step"] += 1
            v = st["square_avg"]
            v.mul_(g["alpha"]).addcmul_(p.grad, p.grad, value=1 - g["alpha"])
            avg = v.sqrt().add_(g["eps"])
            rows = p.view(k, -1)
            step = (p.grad / avg).view(k, -1)
            for i, lr in enumerate(self.lrs):
                rows[i].add_(step[i], alpha=-lr)
        return None
