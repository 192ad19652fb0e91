r"""REINFORCE: Monte-Carlo policy gradient (Williams 1992), with an optional baseline.

The policy-gradient theorem turns the gradient of the expected return into an
expectation we can sample; the observed return $G_t = \sum_{k\ge t}\gamma^{k-t} r_k$ is
an unbiased sample of $Q_\pi(s_t,a_t)$:

$$\nabla_\phi J(\phi) = \mathbb{E}_\pi\Big[\sum_t \nabla_\phi\log\pi_\phi(a_t|s_t)\,
\big(G_t - b(s_t)\big)\Big]$$

Any baseline $b(s)$ that does not depend on the action leaves the gradient unbiased and
can cut its variance a lot; here $b(s) = V_\psi(s)$, fitted by least squares to $G_t$.
One update uses ``episodes_per_update`` complete episodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rlcore.algos.base import Agent, make_member_adam, optimize
from rlcore.core.config import AlgoConfig, hp
from rlcore.core.nn import MLP, CategoricalActor, member_actor, stack_sequential
from rlcore.core.ops import discounted_returns
from rlcore.core.types import Rollout


@dataclass(frozen=True)
class REINFORCEConfig(AlgoConfig):
    """REINFORCE hyperparameters."""

    lr: float = hp(1e-3, "Learning rate (Adam).", 1e-6, 1.0, log=True)
    hidden: tuple[int, ...] = hp((64, 64), "Hidden layers of policy (and baseline).", 1, 4096)
    episodes_per_update: int = hp(4, "Complete episodes per gradient step.", 1, 256)
    baseline: bool = hp(True, "Subtract a learned state-value baseline V(s).")
    normalize_returns: bool = hp(True, "Standardise G_t - b(s) per batch.")
    ent_coef: float = hp(0.0, "Entropy bonus weight.", 0.0, 1.0)
    max_grad_norm: float = hp(0.0, "Gradient clipping norm (0 = off).", 0.0, 100.0)


class REINFORCE(Agent):
    """REINFORCE for discrete actions; a population of ``k`` (``rlcore.train.episodes``).

    Members differ in :attr:`member_hparams`. Each draws its actions from its own random
    generator (in the state its single run's global one has once the networks are
    drawn), so a member paused while the others finish their episodes draws nothing and
    plays the episodes its single run plays.
    """

    name = "reinforce"
    title = "REINFORCE"
    paper = "Williams 1992, Simple statistical gradient-following algorithms"
    action_space = "discrete"
    loop = "episodes"
    config_cls = REINFORCEConfig
    cfg: REINFORCEConfig
    population = True
    member_hparams = ("lr", "gamma", "ent_coef", "episodes_per_update")

    def __init__(
        self,
        obs_space,
        action_space,
        config: REINFORCEConfig,
        device="cpu",
        *,
        members: Sequence[REINFORCEConfig] | None = None,
        seeds: Sequence[int] | None = None,
    ) -> None:
        super().__init__(obs_space, action_space, config, device)
        c = config
        # each member's sampling stream (None: the global one, as a single run's)
        self.generators: list[torch.Generator] | None = None if seeds is None else []

        def make() -> tuple[nn.Module, ...]:
            actor = CategoricalActor(self.obs_dim, self.n_actions, c.hidden, activation="tanh")
            critic = (MLP(self.obs_dim, 1, c.hidden, activation="tanh"),) if c.baseline else ()
            if self.generators is not None:  # its single run samples on from here
                self.generators.append(self._stream())
            return (actor, *critic)

        nets = self.build_members(members, seeds, make)
        self.actor = member_actor(nets[0])
        self.critic = None
        if c.baseline:
            self.critic = nets[1][0] if self.k == 1 else stack_sequential(nets[1])
        self.to(self.device)
        self._params = list(self.parameters())
        self.optimizer = make_member_adam(self._params, [m.lr for m in self.members], self.device)
        self.refresh_member_hparams((), ("gamma", "ent_coef"))

    def _stream(self) -> torch.Generator:
        """The generator a single run samples from, as it stands after its networks' draws."""
        g = torch.Generator(device=self.device)
        if self.device.type == "cpu":
            g.set_state(torch.get_rng_state())
        else:  # the networks are drawn on the CPU: the device's stream is fresh
            g.manual_seed(torch.initial_seed())
        return g

    def _refresh_members(self) -> None:
        """The per-member γ and entropy weight (numbers or ``[K, 1]``), and the lrs."""
        self.refresh_member_hparams(("optimizer",), ("gamma", "ent_coef"))

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        logits = self.actor(obs)
        if explore:
            probs = F.softmax(logits, -1)
            if probs.dim() > 2:  # a population's [K, n, A]: one draw per row
                flat = probs.reshape(-1, probs.shape[-1])
                return torch.multinomial(flat, 1).view(probs.shape[:-1])
            return torch.multinomial(probs, 1).squeeze(-1)
        return logits.argmax(-1)

    @torch.inference_mode()
    def episode_actions(self, obs: np.ndarray, going: np.ndarray) -> np.ndarray:
        """Exploration actions ``[K, 1]`` of the members ``going`` (``[K]`` bools).

        Only those draw from their generators (a paused member's stream stays where it
        is); the others' actions are 0 and mean nothing. Each draw is, on a CPU,
        ``torch.multinomial``'s of one sample to the bit: ``argmax(p / q)`` with
        ``q ~ Exp(1)`` (the Gumbel trick it uses) from the member's generator, with one
        ``argmax`` for all members (a third of the time of K ``multinomial`` calls).
        Without member generators: one member acts as a single run does, several in one
        draw.
        """
        if self.generators is None:
            return self.act_members(obs, explore=True)
        x = self.obs_tensor(obs)  # [K*1, obs]
        if self.k > 1:
            x = x.view(self.k, -1, self.obs_dim)
        probs = F.softmax(self.actor(x), -1).reshape(self.k, self.n_actions)
        q = torch.ones_like(probs)
        for i in np.flatnonzero(going).tolist():
            q[i].exponential_(generator=self.generators[i])
        return (probs / q).argmax(-1).view(self.k, 1).cpu().numpy()

    def losses(self, ro: Rollout, mask: Tensor | None = None) -> tuple[Tensor, dict[str, Tensor]]:
        """Policy-gradient surrogate (and baseline regression) on complete episodes.

        One member: ``[T, 1]`` fields. Several: ``[T, K]`` fields, each member's episodes
        from row 0 and ``mask`` (``[T, K]``, 1 on its rows, 0 on the padding after them).
        """
        if self.k > 1:
            assert mask is not None, "a population's episodes need their mask"
            return self._member_losses(ro, mask)
        m = self.members[0]
        obs = ro.obs.reshape(-1, self.obs_dim)
        returns = discounted_returns(ro.reward, ro.episode_end, m.gamma).reshape(-1)
        log_probs = F.log_softmax(self.actor(obs), -1)
        logp = log_probs.gather(1, ro.action.reshape(-1, 1).long()).squeeze(1)
        entropy = -(log_probs.exp() * log_probs).sum(-1).mean()
        info: dict[str, Tensor] = {"return_mean": returns.mean(), "entropy": entropy.detach()}
        loss = torch.zeros((), device=self.device)
        weight = returns
        if self.critic is not None:
            values = self.critic(obs).squeeze(-1)
            value_loss = F.mse_loss(values, returns)
            loss = loss + value_loss
            weight = returns - values.detach()
            info.update(value_loss=value_loss.detach(), v_mean=values.detach().mean())
        # Spread of the per-sample gradient weights G_t - b(s_t): what a baseline reduces.
        info["weight_std"] = weight.std() if weight.numel() > 1 else torch.zeros(())
        if self.cfg.normalize_returns and weight.numel() > 1:
            weight = (weight - weight.mean()) / (weight.std() + 1e-8)
        actor_loss = -(weight * logp).mean()
        loss = loss + actor_loss - m.ent_coef * entropy
        info["actor_loss"] = actor_loss.detach()
        return loss, info

    def _member_losses(self, ro: Rollout, mask: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """:meth:`losses` of K members, each term a mean over the member's own rows (``[K]``)."""
        gamma = self._gamma if isinstance(self._gamma, float) else self._gamma.view(-1)
        returns = discounted_returns(ro.reward, ro.episode_end, gamma).t()  # [K, T]
        w = mask.t()  # [K, T]
        n = w.sum(1).clamp(min=1)  # each member's rows (none: one dropped mid-batch)
        obs = ro.obs.transpose(0, 1)  # [K, T, obs]

        def mean(x: Tensor) -> Tensor:
            return (x * w).sum(1) / n

        def std(x: Tensor) -> Tensor:  # unbiased, as Tensor.std; 0 for a single row
            var = ((x - mean(x).unsqueeze(1)) ** 2 * w).sum(1) / (n - 1).clamp(min=1)
            return torch.where(n > 1, var.sqrt(), torch.zeros_like(var))

        log_probs = F.log_softmax(self.actor(obs), -1)
        logp = log_probs.gather(-1, ro.action.t().long().unsqueeze(-1)).squeeze(-1)
        entropy = mean(-(log_probs.exp() * log_probs).sum(-1))
        info: dict[str, Tensor] = {"return_mean": mean(returns), "entropy": entropy.detach()}
        loss = torch.zeros(self.k, device=self.device)
        weight = returns
        if self.critic is not None:
            values = self.critic(obs).squeeze(-1)
            value_loss = mean((values - returns) ** 2)
            loss = loss + value_loss
            weight = returns - values.detach()
            info.update(value_loss=value_loss.detach(), v_mean=mean(values.detach()))
        info["weight_std"] = std(weight)
        if self.cfg.normalize_returns:
            scaled = (weight - mean(weight).unsqueeze(1)) / (std(weight).unsqueeze(1) + 1e-8)
            weight = torch.where((n > 1).unsqueeze(1), scaled, weight)
        actor_loss = -mean(weight * logp)
        ent = self._ent_coef if isinstance(self._ent_coef, float) else self._ent_coef.view(-1)
        loss = (loss + actor_loss - ent * entropy).sum()  # a member's gradient is its own
        info["actor_loss"] = actor_loss.detach()
        return loss, info

    def update(self, rollout: Rollout, mask: Tensor | None = None) -> dict[str, Tensor]:
        loss, info = self.losses(rollout, mask)
        info["grad_norm"] = optimize(
            self.optimizer,
            loss,
            self._params,
            self.cfg.max_grad_norm,
            members=self.k,
        )
        return info

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on.

        Networks, Adam's moments and the members' generators are cut to them, their
        numbers unchanged.
        """
        self.keep_members_and_moments(keep)
        self._params = list(self.parameters())
        if self.generators is not None:
            self.generators = [self.generators[i] for i in keep]
        self.refresh_member_hparams((), ("gamma", "ent_coef"))
