"""Networks: MLP, a vectorised ensemble critic, and the three kinds of actor."""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0

__all__ = [
    "MLP",
    "CategoricalActor",
    "DeterministicActor",
    "EnsembleCritic",
    "EnsembleLayerNorm",
    "EnsembleLinear",
    "GaussianActor",
    "MemberLinear",
    "MemberQNetwork",
    "QNetwork",
    "TanhGaussianActor",
    "member_actor",
    "member_cuts",
    "stack_sequential",
]

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


def _activation(act: type[nn.Module]) -> nn.Module:
    """An activation layer; ReLU works in place on the linear layer's output.

    No backward needs a linear layer's output (only its input), so nothing is lost, and a
    step saves a tensor allocation and a pass over memory per hidden layer (IQL: 4% faster
    on a CPU).
    """
    return act(inplace=True) if act is nn.ReLU else act()


def MLP(
    in_dim: int,
    out_dim: int,
    hidden: Sequence[int],
    activation: str = "relu",
    out_gain: float | None = None,
    orthogonal: bool = False,
) -> nn.Sequential:
    """Fully connected network ``in -> hidden... -> out``.

    ``orthogonal`` uses the orthogonal initialisation of A2C/PPO (gain √2 in hidden
    layers, ``out_gain`` on the last layer).
    """
    act = ACTIVATIONS[activation]
    layers: list[nn.Module] = []
    d = in_dim
    for h in hidden:
        lin = nn.Linear(d, h)
        if orthogonal:
            nn.init.orthogonal_(lin.weight, math.sqrt(2))
            nn.init.zeros_(lin.bias)
        layers += [lin, _activation(act)]
        d = h
    last = nn.Linear(d, out_dim)
    if orthogonal:
        nn.init.orthogonal_(last.weight, 1.0 if out_gain is None else out_gain)
        nn.init.zeros_(last.bias)
    elif out_gain is not None:
        last.weight.data.mul_(out_gain)
        last.bias.data.mul_(out_gain)
    layers.append(last)
    return nn.Sequential(*layers)


class EnsembleLinear(nn.Module):
    """N independent linear layers in one batched matmul: ``[N, B, in] -> [N, B, out]``."""

    def __init__(self, in_dim: int, out_dim: int, n: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, in_dim, out_dim))
        self.bias = nn.Parameter(torch.empty(n, 1, out_dim))
        # Same init as n separate nn.Linear layers (Kaiming-uniform, fan_in).
        bound = 1.0 / math.sqrt(in_dim)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return torch.baddbmm(self.bias, x, self.weight)

    def member(self, i: int, x: Tensor) -> Tensor:
        """Member ``i`` alone: ``[B, in] -> [B, out]``."""
        return torch.addmm(self.bias[i], x, self.weight[i])


class EnsembleLayerNorm(nn.Module):
    """Layer normalisation with a gain and shift of its own for each of N members."""

    def __init__(self, dim: int, n: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n, 1, dim))
        self.bias = nn.Parameter(torch.zeros(n, 1, dim))

    def forward(self, x: Tensor) -> Tensor:
        return self._affine(x, self.bias, self.weight)

    def member(self, i: int, x: Tensor) -> Tensor:
        """Member ``i`` alone, with its own gain and shift."""
        return self._affine(x, self.bias[i], self.weight[i])

    @staticmethod
    def _affine(x: Tensor, bias: Tensor, weight: Tensor) -> Tensor:
        return torch.addcmul(bias, F.layer_norm(x, x.shape[-1:]), weight)


class EnsembleCritic(nn.Module):
    """N Q-functions ``Q_i(s, a)`` in one vectorised pass (as in CORL's EDAC): output ``[N, B]``.

    Used by every continuous critic: TD3/SAC (N=2, clipped double Q), SAC-N/EDAC (N large).
    ``layer_norm`` normalises each hidden layer before its ReLU (Ball et al. 2023): the last
    layer then sees features of unit scale, so |Q| stays within a bound set by its weights
    however far an action or state lies from the data.
    """

    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        hidden: Sequence[int],
        n: int = 2,
        layer_norm: bool = False,
    ) -> None:
        super().__init__()
        self.n = n
        dims = [obs_dim + act_dim, *hidden]
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers.append(EnsembleLinear(a, b, n))
            if layer_norm:
                layers.append(EnsembleLayerNorm(b, n))
            layers.append(_activation(nn.ReLU))
        layers.append(EnsembleLinear(dims[-1], 1, n))
        self.net = nn.Sequential(*layers)

    members = 1  # a population's K critics of N each (``stack``): K*N in the layers

    @classmethod
    def stack(cls, critics: Sequence[EnsembleCritic]) -> EnsembleCritic:
        """K members' critics (N each) as one population critic: ``[K, B, ...] -> [K, N, B]``.

        The layers hold the K*N critics side by side (member ``k``'s N rows contiguous),
        so one batched matmul runs all of them; each member's batch goes to its own N
        critics only. One member is its critic, unchanged (``[B, ...] -> [N, B]``).
        """
        if len(critics) == 1:
            return critics[0]
        out = copy.deepcopy(critics[0])
        with torch.no_grad():
            for name, p in out.named_parameters():
                parts = [dict(c.named_parameters())[name] for c in critics]
                p.data = torch.cat([q.detach() for q in parts]).contiguous()
        out.members = len(critics)
        return out

    def forward(self, obs: Tensor, action: Tensor) -> Tensor:
        """``[N, B]`` (a population's ``[K, N, B]``).

        Inputs ``[B, ...]`` go to every critic; ``[N, B, ...]`` give critic ``i`` its own
        row ``i`` (EDAC differentiates each critic at its own copy of the actions). A
        population's: ``[K, B, ...]`` (member ``k``'s batch to its N critics) or
        ``[K, N, B, ...]`` (each of its critics its own).
        """
        x = torch.cat([obs, action], dim=-1)
        if self.members > 1:
            k, b = x.shape[0], x.shape[-2]
            if x.dim() == 3:  # [K, B, in]: member k's batch to its N critics
                x = x.unsqueeze(1).expand(k, self.n, b, x.shape[-1])
            return self.net(x.reshape(k * self.n, b, -1)).view(k, self.n, b)
        if x.dim() == 2:  # [B, in] -> same input to every member
            x = x.unsqueeze(0).expand(self.n, -1, -1)
        return self.net(x).squeeze(-1)  # [N, B]

    def member(self, i: int, obs: Tensor, action: Tensor) -> Tensor:
        """``Q_i(s, a)`` alone, ``[B]``: member ``i``'s weights, the others' work not done.

        The TD3/DDPG actor climbs the first critic only; running every member there and
        keeping one costs a second critic's forward and backward for nothing. A
        population's (``[K, B, ...]``): critic ``i`` of each of its K members, ``[K, B]``.
        """
        h = torch.cat([obs, action], dim=-1)
        if self.members > 1:
            k = self.members
            for layer in self.net:
                if isinstance(layer, (EnsembleLinear, EnsembleLayerNorm)):
                    w = layer.weight.view(k, self.n, *layer.weight.shape[1:])[:, i]
                    bias = layer.bias.view(k, self.n, *layer.bias.shape[1:])[:, i]
                    if isinstance(layer, EnsembleLinear):
                        h = torch.baddbmm(bias, h, w)
                    else:
                        h = EnsembleLayerNorm._affine(h, bias, w)
                else:
                    h = layer(h)
            return h.squeeze(-1)
        for layer in self.net:
            is_member = isinstance(layer, (EnsembleLinear, EnsembleLayerNorm))
            h = layer.member(i, h) if is_member else layer(h)
        return h.squeeze(-1)

    @staticmethod
    def _member_rows(t: Tensor, keep: Sequence[int], k: int, n: int) -> Tensor:
        """``t``'s rows of the members ``keep`` of ``k`` (a tensor of a ``[k*n, ...]`` shape)."""
        rows = t.detach().reshape(k, n, *t.shape[1:])
        idx = torch.tensor(list(keep), device=t.device)
        return rows.index_select(0, idx).reshape(len(keep) * n, *t.shape[1:]).clone()

    def keep_members(self, keep: Sequence[int]) -> list[Callable[[Tensor], Tensor]]:
        """Only the population members ``keep`` from now on (one left: a plain critic).

        Returns, in ``parameters()`` order, how each parameter's tensors were cut.
        """
        cut = functools.partial(self._member_rows, keep=list(keep), k=self.members, n=self.n)
        cuts = []
        for layer in self.net:
            if isinstance(layer, (EnsembleLinear, EnsembleLayerNorm)):
                layer.weight = nn.Parameter(cut(layer.weight))
                layer.bias = nn.Parameter(cut(layer.bias))
                cuts += [cut, cut]
        self.members = len(keep)
        return cuts

    def member_state(self, k: int) -> dict[str, Tensor]:
        """Member ``k``'s N critics as a single run's critic state (copies)."""
        k_all, n = self.members, self.n
        return {name: self._member_rows(p, [k], k_all, n) for name, p in self.named_parameters()}


class QNetwork(nn.Module):
    """Discrete-action Q-network ``Q(s, ·)``; ``dueling`` splits V(s) + A(s, a) - mean A."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: Sequence[int], dueling: bool = False):
        super().__init__()
        self.dueling = dueling
        if dueling:
            trunk = MLP(obs_dim, hidden[-1], hidden[:-1])
            self.body = nn.Sequential(*trunk, _activation(nn.ReLU))
            self.value = nn.Linear(hidden[-1], 1)
            self.adv = nn.Linear(hidden[-1], n_actions)
        else:
            self.net = MLP(obs_dim, n_actions, hidden)

    def forward(self, obs: Tensor) -> Tensor:
        if not self.dueling:
            return self.net(obs)
        return self._dueling(obs)

    def fast_forward(self, obs: Tensor) -> Tensor:
        """``forward``'s operations without the modules' call overhead (no hooks run).

        For acting on one state, where each module call adds ~1 µs to a ~40 µs action:
        the same ``linear`` and ``relu`` calls, so the same numbers.
        """
        if self.dueling:
            return self._dueling(obs)
        x = obs
        for layer in self.net:
            if isinstance(layer, nn.Linear):
                x = F.linear(x, layer.weight, layer.bias)
            elif isinstance(layer, nn.ReLU):
                x = torch.relu_(x)  # the layer is in place (``_activation``)
            else:
                x = layer(x)
        return x

    def _dueling(self, obs: Tensor) -> Tensor:
        h = self.body(obs)
        a = self.adv(h)
        # eq. 9 (Wang et al. 2016): subtract the mean advantage for identifiability.
        return self.value(h) + a - a.mean(dim=-1, keepdim=True)


class MemberLinear(EnsembleLinear):
    """K members' linear layers: the population engine's :class:`EnsembleLinear`.

    ``[K, B, in] -> [K, B, out]`` in one batched matmul (``rlcore.train.population``),
    built from K plain layers (each member initialised as a single run draws it). One
    member (a single run) keeps the plain layer's tensors, ``[out, in]`` and ``[out]``
    (the member axis implicit): ``nn.Linear``'s kernel on ``[..., in]`` and the state
    dict of every run saved before populations. :meth:`member_state` gives member
    ``k``'s tensors in that plain layout, whatever the number of members.
    """

    def __init__(self, weight: Tensor, bias: Tensor) -> None:
        nn.Module.__init__(self)
        # several members: EnsembleLinear's [K, in, out] and [K, 1, out]
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(bias)
        self.plain = weight.dim() == 2  # one member, the plain layer's tensors

    @property
    def n(self) -> int:
        return 1 if self.weight.dim() == 2 else self.weight.shape[0]

    @classmethod
    def stack(cls, layers: Sequence[nn.Linear]) -> MemberLinear:
        """The members ``layers`` (one plain layer each), stacked on the member axis."""
        with torch.no_grad():
            if len(layers) == 1:
                return cls(layers[0].weight.clone(), layers[0].bias.clone())
            w = torch.stack([lin.weight.t() for lin in layers]).contiguous()
            b = torch.stack([lin.bias for lin in layers]).unsqueeze(1).contiguous()
        return cls(w, b)

    def forward(self, x: Tensor) -> Tensor:
        if self.plain:  # one member: any leading shape
            return F.linear(x, self.weight, self.bias)
        return torch.baddbmm(self.bias, x, self.weight)

    def member(self, i: int, x: Tensor) -> Tensor:
        """Member ``i`` alone on ``[B, in]``."""
        if self.weight.dim() == 2:
            return F.linear(x, self.weight, self.bias)
        return torch.addmm(self.bias[i], x, self.weight[i])

    def kept(self, t: Tensor, name: str, keep: Sequence[int]) -> Tensor:
        """``t`` for the members ``keep`` only, in the layout the layer then has.

        ``t``: this layer's ``name`` tensor, or one of its shape (an optimiser's moment);
        one member left: the plain layer's layout.
        """
        if t.dim() == (2 if name == "weight" else 1):  # one member already
            return t.detach().clone()
        if len(keep) == 1:
            one = t[keep[0]].detach()
            return one.t().contiguous() if name == "weight" else one[0].clone()
        return t.detach().index_select(0, torch.tensor(list(keep), device=t.device))

    def keep_members(self, keep: Sequence[int]) -> None:
        """Only the members ``keep`` (indices, in order) from now on."""
        self.weight = nn.Parameter(self.kept(self.weight, "weight", keep))
        self.bias = nn.Parameter(self.kept(self.bias, "bias", keep))
        self.plain = self.weight.dim() == 2

    def member_state(self, k: int) -> tuple[Tensor, Tensor]:
        """Member ``k``'s ``(weight [out, in], bias [out])``: a plain layer's, copied."""
        if self.weight.dim() == 2:
            return self.weight.detach().clone(), self.bias.detach().clone()
        return self.weight[k].detach().t().contiguous(), self.bias[k, 0].detach().clone()


def stack_sequential(seqs: Sequence[nn.Sequential]) -> nn.Sequential:
    """K members' networks of one shape as one network.

    Each ``nn.Linear`` becomes a :class:`MemberLinear` of the K layers (member ``k``'s
    slice is its layer); every other layer (activations) is shared, as it holds no weights.
    """
    out: list[nn.Module] = []
    for layers in zip(*seqs):
        if isinstance(layers[0], nn.Linear):
            out.append(MemberLinear.stack(layers))  # type: ignore[arg-type]
        else:
            out.append(copy.deepcopy(layers[0]))
    return nn.Sequential(*out)


def member_cuts(module: nn.Module, keep: Sequence[int]) -> list[Callable[[Tensor], Tensor]]:
    """Cut every member-axis layer of ``module`` to the members ``keep`` (in order).

    Returns, in ``parameters()`` order, how each parameter's tensors were cut (for its
    optimiser's moments): :func:`member_cuts_by_name`'s cuts, the module holding no other
    parameter.
    """
    return list(member_cuts_by_name(module, keep).values())


def member_cuts_by_name(
    module: nn.Module, keep: Sequence[int]
) -> dict[str, Callable[[Tensor], Tensor]]:
    """Cut every member-axis layer of ``module`` to the members ``keep`` (in order).

    ``MemberLinear`` layers, population critics (:class:`EnsembleCritic` of several
    members) and a :class:`GaussianActor`'s ``[K, A]`` log std are cut, wherever they sit
    in ``module`` (target networks too); a :class:`MemberQNetwork` counts its members
    again. Returns how each of their parameters' tensors were cut, by the parameter's
    name in ``module``, in ``parameters()`` order (for the optimisers' moments).
    """
    cuts: dict[str, Callable[[Tensor], Tensor]] = {}
    for prefix, mod in module.named_modules():  # a module's own parameters, then its children's
        at = f"{prefix}." if prefix else ""
        if isinstance(mod, GaussianActor):
            cut = functools.partial(_member_rows_of, keep=list(keep))
            cuts[at + "log_std"] = cut
            mod.log_std = nn.Parameter(cut(mod.log_std))
        elif isinstance(mod, MemberLinear):
            for name in ("weight", "bias"):
                cuts[at + name] = functools.partial(mod.kept, name=name, keep=list(keep))
            mod.keep_members(keep)
        elif isinstance(mod, EnsembleCritic):
            names = [at + name for name, _ in mod.named_parameters()]
            cuts.update(zip(names, mod.keep_members(keep)))
        elif isinstance(mod, MemberQNetwork):
            mod.k = len(keep)
    return cuts


def _member_rows_of(t: Tensor, keep: list[int]) -> Tensor:
    """A ``[K, ...]`` tensor's rows ``keep`` (one left: that row, a single run's shape).

    A tensor of a single run's shape already (one member) is copied as it is.
    """
    if t.dim() < 2:
        return t.detach().clone()
    if len(keep) == 1:
        return t.detach()[keep[0]].clone()
    return t.detach()[torch.tensor(keep, device=t.device)]


def member_actor(actors: Sequence[nn.Module]) -> nn.Module:
    """K members' actors (one class, an ``net`` MLP each) as one population actor.

    The actors' own arithmetic after ``net`` (tanh, scaling to the action box, the
    Gaussian's squashing) works on any leading shape, so the population's actor is
    member 0's with its ``net`` replaced by the K nets stacked (:func:`stack_sequential`).
    One actor is itself, unchanged. A :class:`GaussianActor`'s state-independent log std
    becomes ``[K, A]`` (member ``k``'s row its own).
    """
    if len(actors) == 1:
        return actors[0]
    out = copy.deepcopy(actors[0])
    out.net = stack_sequential([a.net for a in actors])  # type: ignore[union-attr]
    if isinstance(out, GaussianActor):
        out.log_std = nn.Parameter(torch.stack([a.log_std.detach() for a in actors]))
    return out


class MemberQNetwork(nn.Module):
    """K members' :class:`QNetwork` side by side: ``[K, B, obs] -> [K, B, actions]``.

    Built from K plain ``QNetwork`` (each initialised as a single run's, in turn), so the
    member ``k`` of a population starts where a run of its seed starts. Same module names
    as ``QNetwork`` (``net.0``, ``body.0``, ``value``, ``adv``): a member's slice of the
    state dict is a single run's. A ``[B, obs]`` input is a one-member network's
    (``[B, actions]`` out), as a plain ``QNetwork`` takes it.
    """

    def __init__(self, members: Sequence[QNetwork]) -> None:
        super().__init__()
        first = members[0]
        self.dueling = first.dueling
        self.k = len(members)

        if self.dueling:
            self.body = stack_sequential([m.body for m in members])
            self.value = MemberLinear.stack([m.value for m in members])
            self.adv = MemberLinear.stack([m.adv for m in members])
        else:
            self.net = stack_sequential([m.net for m in members])

    def forward(self, obs: Tensor) -> Tensor:
        if self.k != 1 and obs.dim() == 2:
            raise ValueError(f"a [B, obs] input needs one member (this network has {self.k})")
        if not self.dueling:
            return self.net(obs)
        h = self.body(obs)
        a = self.adv(h)
        # eq. 9 (Wang et al. 2016): subtract the mean advantage for identifiability.
        return self.value(h) + a - a.mean(dim=-1, keepdim=True)

    def act_forward(self, obs: Tensor) -> Tensor:
        """:meth:`forward` of every member without module dispatch (no hooks run).

        For acting, every environment step: the same ``baddbmm`` and in-place ``relu``
        calls as the modules make, so the same numbers (~10 µs less a step, of ~50).
        """
        if self.dueling or (self.k != 1 and obs.dim() == 2):
            return self.forward(obs)
        x = obs
        for layer in self.net:
            if isinstance(layer, MemberLinear):
                x = layer.forward(x)
            elif isinstance(layer, nn.ReLU):
                x = torch.relu_(x)  # the layer is in place (``_activation``)
            else:
                x = layer(x)
        return x

    def fast_forward(self, obs: Tensor, k: int = 0) -> Tensor:
        """Member ``k`` on ``[B, obs]`` with the layers' arithmetic and no module dispatch.

        For acting on one state, where each module call adds ~1 µs to a ~40 µs action:
        ``F.linear`` on the member's slices, the numbers of a plain ``QNetwork``.
        """
        if self.dueling:
            h = self._member_seq(self.body, k, obs)
            a = self.adv.member(k, h)
            return self.value.member(k, h) + a - a.mean(dim=-1, keepdim=True)
        return self._member_seq(self.net, k, obs)

    def keep_members(self, keep: Sequence[int]) -> list[Callable[[Tensor], Tensor]]:
        """Only the members ``keep`` from now on.

        Returns, in ``parameters()`` order, how each parameter's tensors were cut (for
        its optimiser's state).
        """
        return member_cuts(self, keep)  # (it counts the members again)

    @staticmethod
    def _member_seq(seq: nn.Sequential, k: int, x: Tensor) -> Tensor:
        for layer in seq:
            if isinstance(layer, MemberLinear):
                x = F.linear(x, layer.weight, layer.bias) if layer.plain else layer.member(k, x)
            elif isinstance(layer, nn.ReLU):
                x = torch.relu_(x)  # the layer is in place (``_activation``)
            else:
                x = layer(x)
        return x


class _Scaled(nn.Module):
    """Maps tanh outputs in [-1, 1] to the environment's action box."""

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        super().__init__()
        low_t = torch.as_tensor(low, dtype=torch.float32)
        high_t = torch.as_tensor(high, dtype=torch.float32)
        self.register_buffer("action_scale", (high_t - low_t) / 2)
        self.register_buffer("action_bias", (high_t + low_t) / 2)


class DeterministicActor(_Scaled):
    """mu(s) = scale · tanh(f(s)) + bias (DDPG, TD3)."""

    def __init__(self, obs_dim: int, low: np.ndarray, high: np.ndarray, hidden: Sequence[int]):
        super().__init__(low, high)
        self.net = MLP(obs_dim, len(low), hidden)

    def forward(self, obs: Tensor) -> Tensor:
        return torch.tanh(self.net(obs)) * self.action_scale + self.action_bias


class TanhGaussianActor(_Scaled):
    """Squashed Gaussian policy a = scale · tanh(u) + bias, u ~ N(mu(s), sigma(s)) (SAC)."""

    def __init__(self, obs_dim: int, low: np.ndarray, high: np.ndarray, hidden: Sequence[int]):
        super().__init__(low, high)
        self.act_dim = len(low)
        self.net = MLP(obs_dim, 2 * self.act_dim, hidden)

    def dist_params(self, obs: Tensor) -> tuple[Tensor, Tensor]:
        mean, log_std = self.net(obs).chunk(2, dim=-1)
        return mean, log_std.clamp(LOG_STD_MIN, LOG_STD_MAX)

    def _draw(self, obs: Tensor, deterministic: bool) -> tuple[Tensor, Tensor, Tensor]:
        """``(mean, log_std, u)``: the pre-squash sample (the mean when deterministic)."""
        mean, log_std = self.dist_params(obs)
        u = mean if deterministic else mean + log_std.exp() * torch.randn_like(mean)
        return mean, log_std, u

    def forward(self, obs: Tensor, deterministic: bool = False) -> tuple[Tensor, Tensor]:
        """Reparameterised sample and its log-probability (with the tanh correction)."""
        mean, log_std, u = self._draw(obs, deterministic)
        return self._squash(u, mean, log_std)

    def sample_action(self, obs: Tensor, deterministic: bool = False) -> Tensor:
        """``forward``'s action without its log-probability (acting needs none).

        The same draw as ``forward``, so the same action; it skips the ~15 operations of
        the log-density, which dominate a one-state forward.
        """
        return torch.tanh(self._draw(obs, deterministic)[2]) * self.action_scale + self.action_bias

    def sample(self, obs: Tensor, n: int) -> tuple[Tensor, Tensor]:
        """``n`` samples per state from one pass of the network: ``[B, n, A]``, ``[B, n]``.

        The same distribution as calling ``forward`` on the states repeated ``n`` times, at
        1/n of the network cost (CQL's importance-sampled log-sum-exp needs this).
        """
        # [..., B, A] -> [..., B, 1, A] (a population's [K, B, ...]: each member's own)
        mean, log_std = (t.unsqueeze(-2) for t in self.dist_params(obs))
        u = mean + log_std.exp() * torch.randn(
            *mean.shape[:-2], n, mean.shape[-1], device=mean.device, dtype=mean.dtype
        )
        return self._squash(u, mean, log_std)

    def _squash(self, u: Tensor, mean: Tensor, log_std: Tensor) -> tuple[Tensor, Tensor]:
        # log N(u; mean, std) - sum log(1 - tanh(u)^2) - log scale, in a stable form.
        z = (u - mean) * torch.exp(-log_std)
        log_prob = (-0.5 * z.pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        log_prob = log_prob - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)
        log_prob = log_prob - torch.log(self.action_scale).sum()
        return torch.tanh(u) * self.action_scale + self.action_bias, log_prob

    def log_prob(self, obs: Tensor, action: Tensor) -> Tensor:
        """Log pi(a|s) of given environment actions (for BC, AWAC, IQL)."""
        mean, log_std = self.dist_params(obs)
        y = ((action - self.action_bias) / self.action_scale).clamp(-0.999999, 0.999999)
        u = torch.atanh(y)
        std = log_std.exp()
        lp = (-0.5 * ((u - mean) / std).pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        lp = lp - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)
        return lp - torch.log(self.action_scale).sum()


class GaussianActor(_Scaled):
    """pi(a|s) = N(scale · tanh(f(s)) + bias, sigma²) with a state-independent log sigma.

    Used where the policy is fitted by (weighted) maximum likelihood on dataset actions
    (BC, AWAC, IQL): unlike the tanh-squashed Gaussian, actions at the bounds (common in
    expert data) have a finite log-likelihood.
    """

    def __init__(self, obs_dim: int, low: np.ndarray, high: np.ndarray, hidden: Sequence[int]):
        super().__init__(low, high)
        self.net = MLP(obs_dim, len(low), hidden)
        self.log_std = nn.Parameter(torch.zeros(len(low)))

    def mean(self, obs: Tensor) -> Tensor:
        return torch.tanh(self.net(obs)) * self.action_scale + self.action_bias

    def std(self) -> Tensor:
        """Sigma ``[A]``; a population's (``log_std`` ``[K, A]``) ``[K, 1, A]``."""
        log_std = self.log_std if self.log_std.dim() == 1 else self.log_std.unsqueeze(-2)
        return log_std.clamp(LOG_STD_MIN, LOG_STD_MAX).exp() * self.action_scale

    def _draw(self, obs: Tensor, deterministic: bool) -> tuple[Tensor, Tensor, Tensor]:
        """``(mean, std, a)``: the sample clipped to the action box (the mean if deterministic)."""
        mean, std = self.mean(obs), self.std()
        a = mean if deterministic else mean + std * torch.randn_like(mean)
        a = torch.max(
            torch.min(a, self.action_bias + self.action_scale), self.action_bias - self.action_scale
        )
        return mean, std, a

    def forward(self, obs: Tensor, deterministic: bool = False) -> tuple[Tensor, Tensor]:
        """Sample (clipped to the action box) and its log-probability."""
        mean, std, a = self._draw(obs, deterministic)
        return a, self._log_prob(mean, std, a)

    def sample_action(self, obs: Tensor, deterministic: bool = False) -> Tensor:
        """``forward``'s action without its log-probability (same draw, same action)."""
        return self._draw(obs, deterministic)[2]

    @staticmethod
    def _log_prob(mean: Tensor, std: Tensor, a: Tensor) -> Tensor:
        return (
            -0.5 * ((a - mean) / std).pow(2) - torch.log(std) - 0.5 * math.log(2 * math.pi)
        ).sum(-1)

    def log_prob(self, obs: Tensor, action: Tensor) -> Tensor:
        """Log pi(a|s) of dataset actions."""
        return self._log_prob(self.mean(obs), self.std(), action)


class CategoricalActor(nn.Module):
    """pi(a|s) = softmax(f(s)) over discrete actions (REINFORCE, A2C, discrete SAC)."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: Sequence[int], **mlp_kwargs) -> None:
        super().__init__()
        self.net = MLP(obs_dim, n_actions, hidden, **mlp_kwargs)

    def forward(self, obs: Tensor) -> Tensor:
        """Logits ``[B, A]``."""
        return self.net(obs)
