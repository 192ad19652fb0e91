r"""Proximal Policy Optimization (PPO-Clip; Schulman et al. 2017).

TRPO's trust region with first-order optimisation: several epochs of minibatch SGD on the
same rollout, each sample's probability ratio $\rho_t = \pi_\theta(a_t|s_t) /
\pi_{\theta_{old}}(a_t|s_t)$ clipped so that moving it beyond $[1-\epsilon, 1+\epsilon]$
earns nothing (eq. 7):

$$L^{CLIP}(\theta) = \mathbb{E}_t\Big[\min\big(\rho_t\hat A_t,\;
\mathrm{clip}(\rho_t, 1-\epsilon, 1+\epsilon)\,\hat A_t\big)\Big]$$

$$L(\theta) = -L^{CLIP} + c_v\,\mathbb{E}_t\big[(V_\theta(s_t) - \hat R_t)^2\big]
- c_e\,\mathbb{E}_t\big[\mathcal H(\pi_\theta(\cdot|s_t))\big]$$

$\hat A_t$ is GAE(λ) over $N$ parallel environments (eq. 11), standardised per minibatch.
Optional: the value prediction clipped around the rollout's value (``clip_range_vf``),
an early stop of the epochs once the approximate KL
$\mathbb{E}[(\rho - 1) - \log\rho]$ passes $1.5\times$ ``target_kl`` (as Stable-Baselines3),
and linear annealing of the learning rate and of $\epsilon$ to 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import Tensor

from rlcore.algos.base import MemberAdam, optimize, per_member, set_member_lrs
from rlcore.algos.on_policy import ActorCritic, OnPolicyConfig, PreparedRollout
from rlcore.core.config import hp
from rlcore.core.ops import approx_kl, clipped_surrogate, clipped_value_loss
from rlcore.core.types import Rollout


@dataclass(frozen=True)
class PPOConfig(OnPolicyConfig):
    """PPO hyperparameters (defaults: Stable-Baselines3)."""

    lr: float = hp(3e-4, "Learning rate (Adam).", 1e-6, 1.0, log=True)
    anneal_lr: bool = hp(False, "Anneal the learning rate linearly to 0 over training.")
    batch_size: int = hp(
        64, "Minibatch size (the rollout holds n_envs × n_steps samples).", 1, 65536
    )
    n_epochs: int = hp(10, "Passes over each rollout.", 1, 100)
    clip_range: float = hp(0.2, "Clip ε of the probability ratio.", 0.01, 1.0)
    anneal_clip: bool = hp(False, "Anneal ε linearly to 0 over training.")
    clip_range_vf: float = hp(0.0, "Clip of the value change per rollout (0 = off).", 0.0, 100.0)
    ent_coef: float = hp(0.0, "Entropy bonus weight c_e.", 0.0, 1.0)
    vf_coef: float = hp(0.5, "Value loss weight c_v.", 0.0, 10.0)
    max_grad_norm: float = hp(0.5, "Gradient clipping norm (0 = off).", 0.0, 100.0)
    target_kl: float = hp(0.0, "Stop the epochs once approx. KL > 1.5 × this (0 = off).", 0.0, 1.0)


class Terms(NamedTuple):
    """One minibatch's loss terms (detached) and its log-ratios, for the diagnostics."""

    policy_loss: Tensor
    value_loss: Tensor
    entropy: Tensor
    log_ratio: Tensor


class PPO(ActorCritic):
    """PPO-Clip for discrete and continuous actions; a population of ``k`` members.

    Members (``rlcore.train.population``) differ in :attr:`member_hparams`; each takes
    its own minibatches (its own permutation of its own rollout), its advantages are
    standardised on its own, its gradient is clipped on its own.
    """

    name = "ppo"
    title = "PPO"
    paper = "Schulman et al. 2017, Proximal policy optimization algorithms"
    config_cls = PPOConfig
    cfg: PPOConfig
    population = True
    member_hparams = ("lr", "gamma", "gae_lambda", "ent_coef", "vf_coef")

    def __init__(
        self,
        obs_space,
        action_space,
        config: PPOConfig,
        device="cpu",
        *,
        members: Sequence[PPOConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        super().__init__(obs_space, action_space, config, device, members=members, seeds=seeds)
        self._params = list(self.parameters())
        self._make_optimizer()

    def _make_optimizer(self) -> None:
        lrs = [m.lr for m in self.members]
        if len(set(lrs)) == 1:
            self.optimizer: torch.optim.Adam = torch.optim.Adam(
                self._params, lr=lrs[0], eps=1e-5, fused=self.device.type in ("cpu", "cuda")
            )
        else:  # each member's slices stepped with its own lr
            self.optimizer = MemberAdam(self._params, lrs, eps=1e-5)

    @classmethod
    def population_refusal(cls, config) -> str | None:
        if config.target_kl > 0:
            return (
                f"{type(config).__name__}.target_kl = {config.target_kl:g}: the early stop "
                "is not built for populations yet (allowed: 0)"
            )
        return super().population_refusal(config)

    def _refresh_members(self) -> None:
        super()._refresh_members()
        ms, dev = self.members, self.device
        if hasattr(self, "optimizer"):  # (not yet made while the networks are built)
            self.optimizer = set_member_lrs(self.optimizer, [m.lr for m in ms], dev)
        self._ent = per_member([m.ent_coef for m in ms], dev)
        self._vf = per_member([m.vf_coef for m in ms], dev)

    def _set_lr(self, scale: float) -> float:
        """Every member's lr times ``scale`` (1, or what is left of an annealed lr)."""
        lrs = [m.lr * scale for m in self.members]
        if isinstance(self.optimizer, MemberAdam):
            self.optimizer.set_lrs(lrs)
        else:
            for group in self.optimizer.param_groups:
                group["lr"] = lrs[0]
        return lrs[0]

    def losses(self, data: PreparedRollout, idx: Tensor, clip: float) -> tuple[Tensor, Terms]:
        """Clipped surrogate, value and entropy terms on the minibatch ``idx``."""
        c = self.cfg
        obs = data.obs[idx]
        dist = self.dist(obs)
        log_prob = self.log_prob(dist, data.action[idx])
        log_ratio = log_prob - data.old_log_prob[idx]
        ratio = torch.exp(log_ratio)
        adv = data.advantage[idx]
        if c.normalize_advantage and adv.numel() > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        policy_loss = -clipped_surrogate(ratio, adv, clip).mean()
        values = self.value(obs)
        vf_clip = c.clip_range_vf if c.clip_range_vf > 0 else None
        value_loss = clipped_value_loss(values, data.old_values[idx], data.returns[idx], vf_clip)
        loss = policy_loss + c.vf_coef * value_loss
        if c.ent_coef > 0:
            entropy = self.entropy(dist).mean()
            loss = loss - c.ent_coef * entropy
        else:  # only a diagnostic: keep it out of the backward pass
            with torch.no_grad():
                entropy = self.entropy(dist).mean()
        terms = Terms(
            policy_loss.detach(), value_loss.detach(), entropy.detach(), log_ratio.detach()
        )
        return loss, terms

    @staticmethod
    def ratio_stats(log_ratio: Tensor, clip: float) -> dict[str, Tensor]:
        r"""How far the update moved the policy on its samples, $\log\rho$ ``[n]``.

        The share of ratios outside $[1-\epsilon, 1+\epsilon]$, the approximate KL, the
        spread of $\rho$ and its largest distance from 1.
        """
        ratio = torch.exp(log_ratio)
        dist = (ratio - 1.0).abs()
        return {
            "clip_fraction": (dist > clip).float().mean(),
            "approx_kl": approx_kl(log_ratio),
            "ratio_std": ratio.std() if ratio.numel() > 1 else torch.zeros(()),
            "ratio_max": dist.max(),
        }

    def update(self, rollout: Rollout) -> dict[str, Tensor]:
        """``n_epochs`` passes of minibatch steps over one rollout (fewer on a KL stop).

        The ratio statistics cover every sample of every minibatch step, computed once at
        the end (as Stable-Baselines3's per-minibatch means, with fewer small kernels).
        """
        c = self.cfg
        data, info = self.prepare(rollout)
        remaining = 1.0 - self.progress
        lr = self._set_lr(remaining if c.anneal_lr else 1.0)
        clip = c.clip_range * remaining if c.anneal_clip else c.clip_range
        clip = max(clip, 1e-8)  # a zero range would count every ratio as clipped
        if self.k > 1:
            return self._update_members(data, info, clip)
        n = data.obs.shape[0]
        per_epoch = -(-n // c.batch_size)  # minibatches per epoch
        steps: list[Terms] = []
        norms: list[Tensor] = []
        for _ in range(c.n_epochs):
            for idx in torch.randperm(n, device=self.device).split(c.batch_size):
                loss, terms = self.losses(data, idx, clip)
                # SB3's rule: stop before a step once the policy has moved too far
                if c.target_kl > 0 and approx_kl(terms.log_ratio).item() > 1.5 * c.target_kl:
                    break
                # every parameter gets a gradient each step: no need to zero them
                norms.append(
                    optimize(self.optimizer, loss, self._params, c.max_grad_norm, set_to_none=True)
                )
                steps.append(terms)
            else:
                continue
            break
        # the first minibatch always steps: its ratio is exactly 1, its approx. KL 0
        means = torch.stack([torch.stack(s[:3]) for s in steps]).mean(0)
        info.update(zip(("policy_loss", "value_loss", "entropy"), means.unbind()))
        info.update(self.ratio_stats(torch.cat([s.log_ratio for s in steps]), clip))
        info.update(
            grad_norm=torch.stack(norms).mean(),
            epochs=torch.tensor(len(steps) / per_epoch),  # fractional after a KL stop
            clip_range=torch.tensor(clip),
            lr=torch.tensor(lr),
        )
        if c.target_kl > 0:
            info["target_kl"] = torch.tensor(c.target_kl)  # drawn beside the approx. KL
        return info

    # -- a population: every member's minibatch steps at once ------------------------------
    def _member_losses(
        self, data: PreparedRollout, idx: Tensor | None, clip: float
    ) -> tuple[Tensor, Terms]:
        """:meth:`losses` of every member on its own minibatch ``idx`` (``[K, b]``).

        Each member's terms are means over its minibatch (``[K]``), its advantages
        standardised on its own; the loss is their sum (a member's gradient is its own).
        ``idx = None``: each member's whole rollout, as it lies (no gathered copy).
        """

        def pick(t: Tensor) -> Tensor:
            return t if idx is None else t[rows, idx]

        rows = None if idx is None else torch.arange(self.k, device=idx.device).unsqueeze(1)
        obs = pick(data.obs)
        dist = self.dist(obs)
        log_prob = self.log_prob(dist, pick(data.action))
        log_ratio = log_prob - pick(data.old_log_prob)
        ratio = torch.exp(log_ratio)
        adv = pick(data.advantage)
        if self.cfg.normalize_advantage and adv.shape[1] > 1:
            adv = (adv - adv.mean(1, keepdim=True)) / (adv.std(1, keepdim=True) + 1e-8)
        policy_loss = -clipped_surrogate(ratio, adv, clip).mean(1)
        values = self.value(obs)
        vf_clip = self.cfg.clip_range_vf if self.cfg.clip_range_vf > 0 else None
        old, ret = pick(data.old_values), pick(data.returns)
        value_loss = clipped_value_loss(values, old, ret, vf_clip, dim=1)
        vf, ent = self._vf, self._ent
        vf = vf if isinstance(vf, float) else vf.squeeze(1)
        loss = policy_loss + vf * value_loss
        if any(m.ent_coef > 0 for m in self.members):
            entropy = self.entropy(dist).mean(1)
            loss = loss - (ent if isinstance(ent, float) else ent.squeeze(1)) * entropy
        else:
            with torch.no_grad():
                entropy = self.entropy(dist).mean(1)
        terms = Terms(
            policy_loss.detach(), value_loss.detach(), entropy.detach(), log_ratio.detach()
        )
        return loss.sum(), terms

    def _update_members(
        self, data: PreparedRollout, info: dict[str, Tensor], clip: float
    ) -> dict[str, Tensor]:
        """:meth:`update`'s epochs for K members: each its own permutation of its rollout."""
        c, k = self.cfg, self.k
        n = data.obs.shape[1]
        per_epoch = -(-n // c.batch_size)
        steps: list[Terms] = []
        norms: list[Tensor] = []
        for _ in range(c.n_epochs):
            if per_epoch == 1:  # each member's whole rollout: its order changes no mean
                batches: Iterable[Tensor | None] = (None,)
            else:
                perm = torch.rand(k, n, device=self.device).argsort(dim=1)
                batches = perm.split(c.batch_size, dim=1)
            for idx in batches:
                loss, terms = self._member_losses(data, idx, clip)
                norms.append(
                    optimize(
                        self.optimizer,
                        loss,
                        self._params,
                        c.max_grad_norm,
                        set_to_none=True,
                        members=k,
                    )
                )
                steps.append(terms)
        means = torch.stack([torch.stack(s[:3]) for s in steps]).mean(0)  # [3, K]
        info.update(zip(("policy_loss", "value_loss", "entropy"), means.unbind()))
        log_ratio = torch.cat([s.log_ratio for s in steps], dim=1)  # [K, all samples]
        ratio = torch.exp(log_ratio)
        dist = (ratio - 1.0).abs()
        info.update(
            clip_fraction=(dist > clip).float().mean(1),
            approx_kl=((ratio - 1.0) - log_ratio).mean(1),
            ratio_std=ratio.std(1),
            ratio_max=dist.max(1).values,
            grad_norm=torch.stack(norms).mean(0),
            epochs=torch.full((k,), len(steps) / per_epoch),
            clip_range=torch.full((k,), clip),
            lr=torch.tensor([g for g in self._member_lrs()]),
        )
        return info

    def _member_lrs(self) -> list[float]:
        if isinstance(self.optimizer, MemberAdam):
            return list(self.optimizer.lrs)
        return [self.optimizer.param_groups[0]["lr"]] * self.k

    def keep_members(self, keep: Sequence[int]) -> None:
        super().keep_members(keep)  # networks, log std, Adam's moments
        self._params = list(self.parameters())
