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

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import Tensor

from rlcore.algos.base import optimize
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
    """PPO-Clip for discrete and continuous actions."""

    name = "ppo"
    title = "PPO"
    paper = "Schulman et al. 2017, Proximal policy optimization algorithms"
    config_cls = PPOConfig
    cfg: PPOConfig

    def __init__(self, obs_space, action_space, config: PPOConfig, device="cpu") -> None:
        super().__init__(obs_space, action_space, config, device)
        self._params = list(self.parameters())
        self.optimizer = torch.optim.Adam(
            self._params, lr=config.lr, eps=1e-5, fused=self.device.type in ("cpu", "cuda")
        )

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
        lr = c.lr * remaining if c.anneal_lr else c.lr
        clip = c.clip_range * remaining if c.anneal_clip else c.clip_range
        clip = max(clip, 1e-8)  # a zero range would count every ratio as clipped
        for group in self.optimizer.param_groups:
            group["lr"] = lr
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
