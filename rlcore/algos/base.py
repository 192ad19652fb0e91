"""What every agent shares: spaces, device, ``act``, optimisers, diagnostics."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, get_args

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor, nn
from torch.optim import optimizer as _optim

from rlcore.core.config import ActionKind, ActionSpace, AlgoConfig, Loop, Setting, hp
from rlcore.core.ops import soft_update
from rlcore.core.types import Batch

__all__ = [
    "Agent",
    "FusedAdam",
    "MemberAdam",
    "OffPolicyConfig",
    "carry_adam",
    "check_members",
    "copy_member_rows",
    "frozen",
    "grad_norm",
    "make_adam",
    "make_member_adam",
    "member_clip_and_norm",
    "optimize",
    "set_member_lrs",
]


@dataclass(frozen=True)
class OffPolicyConfig(AlgoConfig):
    """Replay-buffer settings shared by DQN, DDPG, TD3 and SAC."""

    buffer_size: int = hp(
        1_000_000,
        "Replay buffer capacity (transitions).",
        100,
        10**7,
        log=True,
        online_only=True,
    )
    batch_size: int = hp(256, "Minibatch size of each gradient step.", 1, 8192, log=True)
    learning_starts: int = hp(
        100, "Random-action steps before learning starts.", 0, 10**7, online_only=True
    )
    train_freq: int = hp(1, "Env steps between training phases.", 1, 10_000, online_only=True)
    gradient_steps: int = hp(1, "Gradient steps per training phase.", 1, 10_000, online_only=True)
    n_envs: int = hp(
        1,
        "Parallel environments: each step acts in all of them at once (one batched forward "
        "pass). The budget, learning_starts and train_freq still count transitions, so "
        "the gradient steps per transition stay the same.",
        1,
        64,
        online_only=True,
    )

    def check(self) -> None:
        if self.batch_size > self.buffer_size:
            name = type(self).__name__
            raise ValueError(
                f"{name}.batch_size = {self.batch_size}: larger than {name}.buffer_size = "
                f"{self.buffer_size} (allowed: 1 to {self.buffer_size})"
            )


def _torch_step(opt: torch.optim.Adam, closure: Any) -> Any:
    """Run torch's ``Adam.step`` inside its hook-running wrapper (once, wrapped or not yet).

    torch wraps ``Adam.step`` only when a plain ``Adam`` is first made; a process that
    only ever makes :class:`FusedAdam` would otherwise step without the hooks.
    """
    step = torch.optim.Adam.step
    if not getattr(step, "hooked", False):
        step = torch.optim.Optimizer.profile_hook_step(step)
    return step(opt, closure)


def _adam_kernel(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    steps: list[Tensor],
    lr: float,
    group: dict,
) -> None:
    """One step of torch's fused Adam kernel on these lists (step counts already advanced)."""
    beta1, beta2 = group["betas"]
    torch._fused_adam_(
        params,
        grads,
        exp_avgs,
        exp_avg_sqs,
        [],
        steps,
        amsgrad=False,
        lr=lr,
        beta1=beta1,
        beta2=beta2,
        weight_decay=group["weight_decay"],
        eps=group["eps"],
        maximize=False,
        grad_scale=None,
        found_inf=None,
    )


class FusedAdam(torch.optim.Adam):
    """torch's fused Adam, stepped straight into its kernel once its state exists.

    ``Optimizer.step`` gathers the parameters, their gradients and their state into lists
    and groups them by device and dtype on every call: ~100 µs of Python a step, a tenth
    of a whole DQN CartPole update. Here the first step goes through torch's own path
    (which creates the state) and keeps those lists; each later step calls the two kernels
    torch's fused path itself calls, ``_foreach_add_`` of the step counts and
    ``_fused_adam_``: the same arithmetic to the bit (``tests/test_fused_adam.py``).
    Anything out of the ordinary (a closure, a parameter without a gradient, step hooks,
    more than one parameter group, loaded state, ``torch.compile`` tracing it) goes
    through torch's step.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, eps: float = 1e-8) -> None:
        self._plan: tuple[list[Tensor], list[Tensor], list[Tensor], list[Tensor]] | None = None
        super().__init__(params, lr=lr, eps=eps, fused=True)

    def __setstate__(self, state: dict[str, Any]) -> None:  # copies and pickles
        super().__setstate__(state)
        self._plan = None

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        self._plan = None
        super().add_param_group(param_group)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._plan = None
        super().load_state_dict(state_dict)

    def _make_plan(self) -> None:
        g = self.param_groups[0]
        params = list(g["params"])
        state = [self.state.get(p, {}) for p in params]
        plain = (
            len(self.param_groups) == 1
            and not (g["amsgrad"] or g["maximize"] or g["capturable"] or g["differentiable"])
            and not g.get("decoupled_weight_decay", False)
            and not isinstance(g["lr"], Tensor)
            and len({(p.device, p.dtype) for p in params}) == 1
            and all("exp_avg" in s for s in state)
        )
        if plain:
            self._plan = (
                params,
                [s["exp_avg"] for s in state],
                [s["exp_avg_sq"] for s in state],
                [s["step"] for s in state],
            )

    def step(self, closure=None):  # type: ignore[override]
        plan = self._plan
        hooks = (
            self._optimizer_step_pre_hooks
            or self._optimizer_step_post_hooks
            or _optim._global_optimizer_pre_hooks
            or _optim._global_optimizer_post_hooks
        )
        if plan is None or closure is not None or hooks or torch.compiler.is_compiling():
            out = _torch_step(self, closure)
            if plan is None and not hooks:
                self._make_plan()
            return out
        params, exp_avgs, exp_avg_sqs, steps = plan
        grads = [p.grad for p in params]
        if any(gr is None for gr in grads):
            return _torch_step(self, None)  # torch skips a parameter without a gradient
        g = self.param_groups[0]
        with torch.no_grad():
            torch._foreach_add_(steps, 1)
            _adam_kernel(params, grads, exp_avgs, exp_avg_sqs, steps, g["lr"], g)
        return None

    # torch wraps a subclass's ``step`` in its hook-and-profiler wrapper (a record_function
    # per call); ours hands the steps with hooks to torch's wrapped step (``_torch_step``)
    step.hooked = True  # type: ignore[attr-defined]

    def zero_grad(self, set_to_none: bool = True) -> None:
        if self._plan is None or torch.compiler.is_compiling():
            return super().zero_grad(set_to_none)
        params = self._plan[0]
        if set_to_none:
            for p in params:
                p.grad = None
        else:
            grads = [p.grad for p in params if p.grad is not None]
            if grads:
                torch._foreach_zero_(grads)


def member_slice(t: Tensor, members: int, k: int) -> Tensor:
    """Member ``k``'s part of a member-axis tensor (a view).

    The leading axis holds the members, or a multiple of them with each member's rows
    contiguous (a population critic's K*N critics): ``[K, ...]`` gives ``t[k]``, ``[K*N, ...]``
    the rows ``k*N`` to ``(k+1)*N``.
    """
    if t.shape[0] == members:
        return t[k]
    n = t.shape[0] // members
    return t[k * n : (k + 1) * n]


def per_member(values: Sequence[float], device: torch.device) -> float | Tensor:
    """A hyperparameter on the member axis.

    One number when all members share it, else a ``[K, 1]`` tensor that broadcasts on
    ``[K, B]`` batches.
    """
    if len(set(values)) == 1:
        return float(values[0])
    return torch.tensor(list(values), dtype=torch.float32, device=device).unsqueeze(1)


def member_lerp_(targets: Sequence[Tensor], sources: Sequence[Tensor], tau: float | Tensor) -> None:
    r"""Polyak averaging with each member's own rate (``tau``: :func:`per_member`'s).

    A float is :func:`~rlcore.core.ops.soft_update`'s single fused call; a ``[K, 1]``
    tensor lerps each member's rows (``[K, ...]`` or ``[K*N, ...]``) at its own rate (a
    rate of 1 gives the copy).
    """
    if isinstance(tau, float):
        soft_update(list(targets), list(sources), tau)
        return
    k = tau.shape[0]
    with torch.no_grad():
        for t, s in zip(targets, sources):
            t.view(k, -1).lerp_(s.view(k, -1), tau)


class MemberAdam(FusedAdam):
    """Adam over parameters with a leading member axis, each member with its own lr.

    A population's members (``rlcore.train.population``) share tensors but nothing else:
    Adam's moments are elementwise, so one optimiser over the stacked parameters keeps
    each member's own; only the learning rate is a per-member number. With one lr for
    all (seeds, and every single run) this is :class:`FusedAdam`, one kernel. With
    several, each member's slices go through the same fused kernel with its lr: the
    numbers of K separate ``FusedAdam`` to the bit (``tests/test_population.py``).
    """

    def __init__(self, params: Iterable[Tensor], lrs: Sequence[float], eps: float = 1e-8) -> None:
        self.lrs = tuple(float(x) for x in lrs)
        if not self.lrs:
            raise ValueError("MemberAdam needs at least one member's lr")
        super().__init__(params, self.lrs[0], eps)
        self.uniform = len(set(self.lrs)) == 1
        if not self.uniform:
            for p in self.param_groups[0]["params"]:
                if p.dim() == 0 or p.shape[0] % len(self.lrs):
                    raise ValueError(
                        f"MemberAdam: a parameter of shape {tuple(p.shape)} has no member "
                        f"axis of {len(self.lrs)}"
                    )

    def __getstate__(self) -> dict[str, Any]:  # copies and pickles keep the members' lrs
        return {**super().__getstate__(), "lrs": self.lrs, "uniform": self.uniform}

    def _init_state(self) -> None:
        """Adam's state as torch's fused step creates it (step counts: float32 0-d)."""
        for p in self.param_groups[0]["params"]:
            if p not in self.state or "exp_avg" not in self.state[p]:
                self.state[p] = {
                    "step": torch.zeros((), dtype=torch.float32, device=p.device),
                    "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                    "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format),
                }

    def step(self, closure=None):  # type: ignore[override]
        if self.uniform or closure is not None or torch.compiler.is_compiling():
            return super().step(closure)
        if self._plan is None:
            self._init_state()
            self._make_plan()
            if self._plan is None:
                raise RuntimeError("MemberAdam: parameters outside the plain case")
        params, exp_avgs, exp_avg_sqs, steps = self._plan
        grads = [p.grad for p in params]
        if any(gr is None for gr in grads):
            raise RuntimeError("MemberAdam: every member parameter needs a gradient")
        g = self.param_groups[0]
        with torch.no_grad():
            torch._foreach_add_(steps, 1)
            n = len(self.lrs)
            for k, lr in enumerate(self.lrs):
                _adam_kernel(
                    [member_slice(p, n, k) for p in params],
                    [member_slice(gr, n, k) for gr in grads],
                    [member_slice(m, n, k) for m in exp_avgs],
                    [member_slice(v, n, k) for v in exp_avg_sqs],
                    steps,
                    lr,
                    g,
                )
        return None

    step.hooked = True  # type: ignore[attr-defined]

    def set_lrs(self, lrs: Sequence[float]) -> None:
        """New per-member lrs (PBT's explore, a fixed schedule); moments and step counts kept.

        One lr for all and several share the state and the plan of :meth:`step`, so the
        one-kernel path and the per-member path may follow each other at any step.
        """
        lrs = tuple(float(x) for x in lrs)
        if len(lrs) != len(self.lrs):
            raise ValueError(f"lrs: {len(lrs)} given for {len(self.lrs)} members")
        uniform = len(set(lrs)) == 1
        if not uniform:
            for p in self.param_groups[0]["params"]:
                if p.dim() == 0 or p.shape[0] % len(lrs):
                    raise ValueError(
                        f"MemberAdam: a parameter of shape {tuple(p.shape)} has no member "
                        f"axis of {len(lrs)}"
                    )
        self.lrs, self.uniform = lrs, uniform
        self.param_groups[0]["lr"] = lrs[0]


def set_member_lrs(
    optimizer: torch.optim.Optimizer, lrs: Sequence[float], device: torch.device
) -> torch.optim.Optimizer:
    """``optimizer`` stepping with the members' lrs ``lrs``, its state kept.

    The same object where it can take them (a :class:`MemberAdam`; one lr for all on any
    Adam), else a :class:`MemberAdam` over the same parameters carrying the moments and
    step counts (a population built with one lr for all, given several).
    """
    lrs = [float(x) for x in lrs]
    if isinstance(optimizer, MemberAdam):
        optimizer.set_lrs(lrs)
        return optimizer
    if len(set(lrs)) == 1:
        for g in optimizer.param_groups:
            g["lr"] = lrs[0]
        return optimizer
    params = list(optimizer.param_groups[0]["params"])
    return carry_adam(optimizer, params, params, [lambda t: t] * len(params), lrs, device)


def copy_member_rows(t: Tensor, k: int, src: int, dst: int, what: str) -> None:
    """Member ``dst``'s rows of ``t`` become member ``src``'s (in place, no gradient).

    A member-axis tensor's leading dimension is a multiple of ``k`` with each member's
    rows contiguous (``[k, ...]`` layers, ``[k * n, ...]`` ensembles alike).
    """
    if t.dim() == 0 or t.shape[0] % k:
        raise ValueError(f"{what}: shape {tuple(t.shape)} has no member axis of {k}")
    rows = t.detach().view(k, -1)
    rows[dst].copy_(rows[src])


def make_adam(
    params: Iterable[Tensor], lr: float, device: torch.device, eps: float = 1e-8
) -> torch.optim.Adam:
    """Adam with torch's fused kernel (one kernel for all parameters; CPU and CUDA)."""
    if device.type in ("cpu", "cuda"):
        return FusedAdam(params, lr, eps)
    return torch.optim.Adam(params, lr=lr, eps=eps)


def make_member_adam(
    params: Iterable[Tensor], lrs: Sequence[float], device: torch.device, eps: float = 1e-8
) -> torch.optim.Adam:
    """Adam of a population: one lr per member on the leading axis.

    One lr for all (a single run, seeds) is :func:`make_adam`'s optimiser itself;
    several are :class:`MemberAdam` (CPU and CUDA).
    """
    if len(set(lrs)) == 1:
        return make_adam(params, float(lrs[0]), device, eps)
    if device.type in ("cpu", "cuda"):
        return MemberAdam(params, lrs, eps)
    raise ValueError(f"members with different lrs need a cpu or cuda device (got {device})")


def carry_adam(
    old: torch.optim.Optimizer,
    old_params: Sequence[Tensor],
    new_params: Sequence[Tensor],
    cuts: Sequence[Any],
    lrs: Sequence[float],
    device: torch.device,
) -> torch.optim.Adam:
    """A population's Adam after members left: each parameter's moments cut as it was.

    ``cuts[i]`` maps old parameter ``i``'s tensors to the new one's (the kept members'
    slices); the step counts carry over, so the kept members step on as before.
    """
    new = make_member_adam(new_params, lrs, device, old.param_groups[0]["eps"])
    for p_old, p_new, cut in zip(old_params, new_params, cuts):
        st = old.state.get(p_old)
        if st and "exp_avg" in st:
            new.state[p_new] = {
                "step": st["step"].clone(),
                "exp_avg": cut(st["exp_avg"]),
                "exp_avg_sq": cut(st["exp_avg_sq"]),
            }
    return new


def _member_rows(t: Tensor, keep: list[int]) -> Tensor:
    """A ``[K, ...]`` tensor's rows ``keep`` (one left: that row, a single run's shape)."""
    if len(keep) == 1:
        return t.detach()[keep[0]].clone()
    return t.detach()[torch.tensor(keep, device=t.device)]


def check_members(
    config: AlgoConfig, members: Sequence[AlgoConfig] | None, varying: Sequence[str]
) -> tuple[AlgoConfig, ...]:
    """A population's member configs (``(config,)`` for a single run), checked.

    Members may differ only in the hyperparameters ``varying`` (those the algorithm
    broadcasts on the member axis); everything else shapes the shared tensors and loops.
    """
    if members is None:
        return (config,)
    members = tuple(members)
    if not members:
        raise ValueError("a population needs at least one member (allowed: 1 to 100)")
    fields = [f.name for f in dataclasses.fields(config)]
    for i, m in enumerate(members):
        if type(m) is not type(config):
            raise ValueError(f"member {i}: a {type(m).__name__}, not a {type(config).__name__}")
        for name in fields:
            if name not in varying and getattr(m, name) != getattr(config, name):
                raise ValueError(
                    f"member {i}: {name} = {getattr(m, name)!r} differs from member 0's "
                    f"{getattr(config, name)!r} (members may differ only in "
                    f"{', '.join(varying)})"
                )
    return members


def grad_norm(params: Iterable[Tensor]) -> Tensor:
    """Global L2 norm of the gradients, without a host sync."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def clip_and_norm(params: list[Tensor], max_norm: float) -> Tensor:
    """Clip to ``max_norm`` when it is > 0, return the pre-clip norm.

    The arithmetic of ``torch.nn.utils.clip_grad_norm_`` (same result to the bit), without
    its per-call grouping by device and dtype: an agent's parameters share both, and on
    small networks that bookkeeping cost as much as the clipping (PPO: ~50 µs a step).
    """
    total = grad_norm(params)
    if max_norm > 0:
        coef = (max_norm / (total + 1e-6)).clamp_(max=1.0)
        # on a CPU reading the coefficient costs nothing (no device to wait for), and a
        # multiply by exactly 1 changes no bit: skip the per-tensor multiplies then
        if total.device.type != "cpu" or coef.item() < 1.0:
            grads = [p.grad for p in params if p.grad is not None]
            torch._foreach_mul_(grads, coef)
    return total


def member_clip_and_norm(params: list[Tensor], max_norm: float, members: int) -> Tensor:
    """:func:`clip_and_norm` for each member of parameters with a leading member axis.

    Returns the ``[K]`` pre-clip norms: member ``k``'s global L2 norm over its own slices,
    clipped on its own (a member's norm never scales another's gradient). One member is
    :func:`clip_and_norm` itself.
    """
    if members == 1:
        return clip_and_norm(params, max_norm).view(1)
    grads = [p.grad for p in params if p.grad is not None]
    per = torch.stack([torch.linalg.vector_norm(g.reshape(members, -1), dim=1) for g in grads])
    total = torch.linalg.vector_norm(per, dim=0)
    if max_norm > 0:
        coef = (max_norm / (total + 1e-6)).clamp_(max=1.0)
        # as clip_and_norm: on a CPU reading the coefficients costs nothing, and a
        # multiply by exactly 1 changes no bit: skip the multiplies when no member clips
        if total.device.type != "cpu" or bool((coef < 1.0).any()):
            for g in grads:
                g.mul_(coef.view(members, *([1] * (g.dim() - 1))))
    return total


@contextmanager
def frozen(params: list[Tensor]) -> Iterator[None]:
    """Parameters that take no gradient inside the block (a critic under the actor's loss).

    ``Module.requires_grad_`` walks the module tree on every call, ~50 µs a toggle on a
    CPU; the agents keep their parameter lists and set the flags on them directly.
    """
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


def optimize(
    optimizer: torch.optim.Optimizer,
    loss: Tensor,
    params: list[Tensor] | None = None,
    max_grad_norm: float = 0.0,
    *,
    set_to_none: bool = False,
    members: int | None = None,
) -> Tensor | None:
    """One optimiser step on ``loss``: zero the gradients, backward, clip, step.

    Args:
        optimizer: The optimiser to step.
        loss: The scalar to minimise.
        params: Parameters whose gradient norm to report (and clip); ``None`` skips both.
        max_grad_norm: Clip ``params``' global gradient norm to this when > 0.
        set_to_none: Drop the old gradients instead of zeroing them (faster when every
            parameter gets a gradient each step).
        members: ``params`` carry a leading member axis of this size: each member's norm
            is its own (``[members]``), clipped on its own. ``None`` or 1: a single run's
            parameters (no member axis), one 0-d norm.

    Returns:
        The global L2 norm of ``params``' gradients before clipping (0-d, no host sync),
        or ``None`` without ``params``.
    """
    optimizer.zero_grad(set_to_none=set_to_none)
    loss.backward()
    if params is None:
        norm = None
    elif members is None or members == 1:
        norm = clip_and_norm(params, max_grad_norm)
    else:
        norm = member_clip_and_norm(params, max_grad_norm, members)
    optimizer.step()
    return norm


class Agent(nn.Module):
    """An RL agent: networks + optimisers + the loss functions of its paper.

    ``act(obs, explore)`` takes one observation (or a batch) as numpy and returns
    environment actions; ``update(batch)`` does one gradient step of each network it
    trains and returns its diagnostics as 0-d tensors (converted to floats by the
    trainer once per log interval, so no per-step host sync).

    Each algorithm states its facts as class attributes (subclasses override only what
    differs); the registry, the trainer and the app read them from here.
    """

    name: ClassVar[str]  # registry key, e.g. "dqn"
    title: ClassVar[str]  # shown in the app, e.g. "DQN"
    paper: ClassVar[str]  # the reference, e.g. "Mnih et al. 2015, ..."
    setting: ClassVar[Setting] = "online"
    action_space: ClassVar[ActionSpace]  # what the algorithm handles
    loop: ClassVar[Loop] = "replay"  # the trainer's loop that drives it
    config_cls: ClassVar[type[AlgoConfig]] = AlgoConfig
    shared_base: ClassVar[bool] = False  # set on a base class that is never registered
    # Trains as a population (rlcore.train.population): every network carries a leading
    # member axis, a single run being a population of one; the hyperparameters its
    # members may differ in (broadcast on that axis)
    population: ClassVar[bool] = False
    member_hparams: ClassVar[tuple[str, ...]] = ()
    k: int = 1  # members (a population's agent; 1: a single run)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Reject, when the class is defined, a missing or out-of-vocabulary fact."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("shared_base", False):
            return  # a base that algorithms extend (ActorCritic), never registered itself
        for fact in ("name", "title", "paper"):
            if not isinstance(getattr(cls, fact, None), str):
                raise TypeError(f"{cls.__name__}.{fact}: not set (a str)")
        for fact, vocabulary in (
            ("setting", Setting),
            ("action_space", ActionSpace),
            ("loop", Loop),
        ):
            if getattr(cls, fact, None) not in get_args(vocabulary):
                raise TypeError(
                    f"{cls.__name__}.{fact} = {getattr(cls, fact, None)!r} "
                    f"(allowed: {', '.join(get_args(vocabulary))})"
                )
        if not cls.population:
            raise TypeError(  # the engine's loops are the only ones (a single run: one member)
                f"{cls.__name__}: loop = {cls.loop!r} trains on the population engine "
                "(population = True)"
            )
        if (cls.setting == "offline") != (cls.loop == "dataset"):
            raise TypeError(
                f"{cls.__name__}: setting = {cls.setting!r} with loop = {cls.loop!r} "
                "(offline algorithms, and only they, use the 'dataset' loop)"
            )

    @classmethod
    def handles(cls, actions: ActionKind) -> bool:
        """Whether this algorithm works on an environment with ``actions``."""
        return cls.action_space in ("both", actions)

    def __init__(
        self,
        obs_space: gym.Space,
        action_space: gym.Space,
        config: AlgoConfig,
        device: torch.device | str = "cpu",
    ) -> None:
        super().__init__()
        if not isinstance(config, self.config_cls):
            raise TypeError(f"{type(self).__name__} needs a {self.config_cls.__name__}")
        self.cfg = config
        self.device = torch.device(device)
        self.obs_shape = obs_space.shape
        self.obs_dim = int(np.prod(obs_space.shape))
        self.discrete = isinstance(action_space, gym.spaces.Discrete)
        if not self.handles("discrete" if self.discrete else "continuous"):
            raise ValueError(
                f"{type(self).__name__} needs a {self.action_space} action space "
                f"(got {action_space})"
            )
        if self.discrete:
            self.n_actions = int(action_space.n)
            self.action_dim = 1
        else:
            self.action_low = np.asarray(action_space.low, dtype=np.float32)
            self.action_high = np.asarray(action_space.high, dtype=np.float32)
            self.action_dim = int(np.prod(action_space.shape))
        self.env_action_space = action_space  # the gym space (action_space: the class fact)
        self.progress = 0.0  # fraction of the training budget done, set by the trainer
        # Observation normalisation (identity unless set from an offline dataset); saved
        # with the weights so a loaded policy sees the same inputs.
        self.register_buffer("obs_mean", torch.zeros(self.obs_dim, device=self.device))
        self.register_buffer("obs_std", torch.ones(self.obs_dim, device=self.device))

    # -- acting ---------------------------------------------------------------------
    def obs_tensor(self, obs: Any) -> Tensor:
        """Numpy observation(s) -> float tensor ``[B, obs_dim]`` on the agent's device."""
        t = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32))
        t = t.view(-1, self.obs_dim)
        if self.device.type != "cpu":
            t = t.to(self.device)
        if self.normalize_obs:
            t = (t - self.obs_mean) / self.obs_std
        return t

    normalize_obs = False

    def set_obs_stats(self, mean: np.ndarray, std: np.ndarray) -> None:
        """Normalise observations by dataset statistics (offline algorithms that ask for it)."""
        self.obs_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.obs_std.copy_(torch.as_tensor(np.maximum(std, 1e-3), dtype=torch.float32))
        self.normalize_obs = True

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        out = super().load_state_dict(state_dict, strict=strict, assign=assign)
        identity = bool((self.obs_mean == 0).all() and (self.obs_std == 1).all())
        self.normalize_obs = not identity
        return out

    @torch.inference_mode()
    def act(self, obs: Any, explore: bool = False) -> np.ndarray:
        """Environment action(s) for one observation or a batch (same leading shape)."""
        obs = np.asarray(obs, dtype=np.float32)
        single = obs.ndim == len(self.obs_shape)
        a = self._act(self.obs_tensor(obs), explore)
        if single and self.discrete:
            return np.int64(a.item())  # one host transfer, no numpy round trip
        a = a.cpu().numpy()
        if not self.discrete:
            a = np.clip(a, self.action_low, self.action_high)
        return a[0] if single else a

    def _act(self, obs: Tensor, explore: bool) -> Tensor:
        raise NotImplementedError

    def rollout_actions(self, obs: Any) -> tuple[np.ndarray, np.ndarray]:
        """Exploration actions for a batch: as the environments get them, as the learner keeps them.

        The same array here; PPO and TRPO keep the unclipped Gaussian sample, whose
        probability is the one the policy gave.
        """
        a = self.act(obs, explore=True)
        return a, a

    @torch.inference_mode()
    def rollout_members(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`rollout_actions` of every member: ``[K, n, obs]`` in, ``[K, n, ...]`` out.

        One member acts through :meth:`rollout_actions` (a single run's draws, to the bit);
        several through ``_act`` on the member-axis networks (the environments get the
        clipped actions, the learner keeps the samples).
        """
        k, n = obs.shape[0], obs.shape[1]
        if self.k == 1:
            a, kept = self.rollout_actions(obs[0])
            return a.reshape(1, n, *a.shape[1:]), kept.reshape(1, n, *kept.shape[1:])
        x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32)).view(k, n, -1)
        a = self._act(x.to(self.device), True).cpu().numpy()
        if self.discrete:
            return a, a
        return np.clip(a, self.action_low, self.action_high), a

    # -- learning -------------------------------------------------------------------
    def update(self, batch: Any) -> dict[str, Tensor]:
        """One gradient step of every network this agent trains."""
        raise NotImplementedError

    def update_phase(self, buffer: Any, n: int, batch_size: int) -> Iterator[dict[str, Tensor]]:
        """``n`` gradient steps in a row on minibatches of ``buffer`` (a training phase).

        The phase's minibatches are drawn in one gather (in chunks of at most
        :attr:`PHASE_ROWS` transitions): the same uniform draws with replacement as one
        ``sample`` per step, for one call's overhead. Yields each step's diagnostics. DQN,
        whose targets stay fixed during a phase, also computes them in one go. A
        population's buffer gives ``[K, rows, ...]`` fields: the rows are axis 1.
        """
        for big in self._phase_batches(buffer, n, batch_size):
            if big.reward.dim() == 2:  # [K, rows]: each step takes batch_size rows per member
                for at in range(0, big.reward.shape[1], batch_size):
                    yield self.update(Batch(*(t[:, at : at + batch_size] for t in big)))
                continue
            for rows in range(0, len(big.reward), batch_size):
                yield self.update(Batch(*(t[rows : rows + batch_size] for t in big)))

    PHASE_ROWS: ClassVar[int] = 1 << 16  # transitions drawn at once in a training phase

    def _phase_batches(self, buffer: Any, n: int, batch_size: int) -> Iterator[Batch]:
        """The phase's ``n`` minibatches, drawn a chunk at a time (each chunk one Batch)."""
        if n == 1:
            yield buffer.sample(batch_size)
            return
        per = max(1, self.PHASE_ROWS // batch_size)
        for start in range(0, n, per):
            yield buffer.sample(min(per, n - start) * batch_size)

    def q_value(self, obs: Tensor, action: np.ndarray) -> Tensor | None:
        """Q(s, a) estimate (min over critics), or ``None`` for agents without a critic of Q."""
        return None

    def on_step(self, step: int) -> None:
        """Called after every environment step (schedules, target-network copies)."""

    def exploration_metrics(self) -> dict[str, float]:
        """Current exploration settings (epsilon, noise), logged with training metrics."""
        return {}

    def member_exploration_metrics(self, k: int) -> dict[str, float]:
        """:meth:`exploration_metrics` of member ``k`` of a population."""
        return self.exploration_metrics()

    def member_state_dict(self, k: int) -> dict[str, Tensor]:
        """Member ``k``'s weights as a single run's state dict (a copy).

        Every member-axis layer's (``MemberLinear.member_state``: a plain layer's layout);
        the rest (the observation statistics) is shared. One member: the agent's own state dict.
        """
        from rlcore.core.nn import EnsembleCritic, MemberLinear

        if not 0 <= k < self.k:
            raise ValueError(f"member = {k}: out of range (allowed: 0 to {self.k - 1})")
        sd = self.state_dict()
        if self.k == 1:
            return {key: v.clone() for key, v in sd.items()}
        out = {key: v.clone() for key, v in sd.items()}
        for name, mod in self.named_modules():
            prefix = f"{name}." if name else ""
            if isinstance(mod, MemberLinear):
                out[prefix + "weight"], out[prefix + "bias"] = mod.member_state(k)
            elif isinstance(mod, EnsembleCritic) and mod.members > 1:
                out.update({prefix + key: v for key, v in mod.member_state(k).items()})
        for key in self.MEMBER_SCALARS:  # [K] -> a single run's 0-d
            if key in out:
                out[key] = out[key][k].clone()
        return out

    MEMBER_SCALARS: ClassVar[tuple[str, ...]] = ()  # per-member numbers, [K] (SAC: log α)

    @classmethod
    def population_refusal(cls, config: AlgoConfig) -> str | None:
        """Why several members of ``config`` cannot train as a population.

        ``None``: they can; else one line naming the field (PPO's running normalisation).
        """
        return None

    def sum_means(self, t: Tensor) -> Tensor:
        """Each member's mean of ``t`` (``[K, ...]``), summed: a population's loss.

        A member's gradient is then its own loss's. One member (``[...]``, no member
        axis): ``t.mean()``, a single run's loss as it always was.
        """
        return t.mean() if self.k == 1 else t.reshape(self.k, -1).mean(1).sum()

    def member_means(self, t: Tensor) -> Tensor:
        """Each member's mean of ``t`` (``[K]``), or the 0-d mean of one member's.

        The diagnostics a population reports per member.
        """
        return t.mean() if self.k == 1 else t.reshape(self.k, -1).mean(1)

    def act_members(
        self, obs: np.ndarray, explore: bool, spaces: Sequence[gym.Space] | None = None
    ) -> np.ndarray:
        """Every member's actions in one forward pass: ``[K, n, obs] -> [K, n, *action]``.

        One member acts through :meth:`act` (a single run's draws, to the bit); several
        through ``_act`` on the member-axis networks, clipped to the action box.
        """
        k, n = obs.shape[0], obs.shape[1]
        if self.k == 1:
            a = np.asarray(self.act(obs[0] if n > 1 else obs[0, 0], explore))
            return a.reshape(1, n, *a.shape[(1 if n > 1 else 0) :])
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32)).view(k, n, -1)
            if self.device.type != "cpu":
                x = x.to(self.device)
            if self.normalize_obs:
                x = (x - self.obs_mean) / self.obs_std
            a = self._act(x, explore).cpu().numpy()
        return a if self.discrete else np.clip(a, self.action_low, self.action_high)

    # -- members (population-based training: rlcore.service.pbt) ---------------------
    # what every member shares, by its last name (the observation statistics, the
    # environment's action bounds); everything else in the state dict has a member axis
    SHARED_STATE: ClassVar[tuple[str, ...]] = ("obs_mean", "obs_std", "action_scale", "action_bias")

    def optimizers(self) -> list[torch.optim.Optimizer]:
        """The agent's optimisers (its attributes that are one)."""
        return [v for v in vars(self).values() if isinstance(v, torch.optim.Optimizer)]

    @torch.no_grad()
    def copy_member(self, src: int, dst: int) -> None:
        """Member ``dst`` becomes an exact copy of member ``src`` (PBT's exploit).

        Every member-axis tensor of the state dict (networks, target networks, learned
        temperatures...; not :attr:`SHARED_STATE`) and every optimiser's moments; the
        shared step counts stay. Hyperparameters are not touched: see
        :meth:`set_member_configs`. Copying a member onto itself changes nothing.
        """
        k = self.k
        for name, v in (("src", src), ("dst", dst)):
            if not 0 <= v < k:
                raise ValueError(f"{name} = {v}: out of range (allowed: 0 to {k - 1})")
        if src == dst:
            return
        for key, t in self.state_dict(keep_vars=True).items():
            if key.rsplit(".", 1)[-1] not in self.SHARED_STATE:
                copy_member_rows(t, k, src, dst, key)
        for opt in self.optimizers():
            for st in opt.state.values():
                for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq", "square_avg"):
                    if key in st:
                        copy_member_rows(st[key], k, src, dst, f"{type(opt).__name__}.{key}")

    def set_member_configs(self, configs: Sequence[AlgoConfig]) -> None:
        """Replace the members' hyperparameters (PBT's explore, a fixed schedule).

        ``configs``: one per member, differing from the agent's config only in
        :attr:`member_hparams` (``ValueError`` naming the member and field otherwise).
        What depends on them is rebuilt by the algorithm's :meth:`_refresh_members`;
        the networks and optimiser moments stay as they are.
        """
        configs = tuple(configs)
        if len(configs) != self.k:
            raise ValueError(f"configs: {len(configs)} given for {self.k} members")
        if not self.population:
            raise ValueError(f"{type(self).__name__}: not on the population engine")
        check_members(self.cfg, configs, self.member_hparams)
        self.members = configs
        self.cfg = configs[0]
        self._refresh_members()

    def _refresh_members(self) -> None:
        """Rebuild what follows ``self.members``' hyperparameters (per algorithm)."""
        raise NotImplementedError(f"{type(self).__name__}: no _refresh_members")

    # -- building and cutting the member axis (every algorithm on the engine) ----------
    def build_members(
        self,
        members: Sequence[AlgoConfig] | None,
        seeds: Sequence[int] | None,
        make: Callable[[], tuple[nn.Module, ...]],
    ) -> list[list[nn.Module]]:
        """Set ``members`` (checked) and ``k``, and draw each member's networks.

        ``make()`` draws one member's networks, after ``torch.manual_seed`` of its seed
        (``seeds``; default: from the global generator as it stands, as a single run), so
        member ``k`` starts where a run of its seed starts. Returns, per network ``make``
        gives, the K members' (to stack on the member axis).
        """
        self.members = check_members(self.cfg, members, self.member_hparams)
        self.k = k = len(self.members)
        if seeds is not None and len(seeds) != k:
            raise ValueError(f"seeds: {len(seeds)} given for {k} members")
        drawn = []
        for i in range(k):
            if seeds is not None:
                torch.manual_seed(seeds[i])
            drawn.append(make())
        return [list(nets) for nets in zip(*drawn)]

    def refresh_member_hparams(self, optimizers: Sequence[str], numbers: Sequence[str]) -> None:
        """The members' hyperparameters where the update reads them.

        The optimisers named (attributes) step with the members' lrs
        (:func:`set_member_lrs`); each hyperparameter ``x`` in ``numbers`` becomes
        ``self._x``, one number or each member's (:func:`per_member`).
        """
        ms, dev = self.members, self.device  # type: ignore[attr-defined]
        lrs = [m.lr for m in ms]
        for name in optimizers:
            setattr(self, name, set_member_lrs(getattr(self, name), lrs, dev))
        for name in numbers:
            setattr(self, f"_{name}", per_member([getattr(m, name) for m in ms], dev))

    def cut_members(self, keep: Sequence[int]) -> dict[str, Callable[[Tensor], Tensor]]:
        """Cut every member-axis tensor to the members ``keep`` (indices, in order).

        Every network's member-axis layers, targets included
        (:func:`~rlcore.core.nn.member_cuts_by_name`), and the :attr:`MEMBER_SCALARS`
        outside them (SAC's log α, an on-policy log std); ``members`` and ``k`` follow.
        Returns how each parameter's tensors were cut, by its name in the agent.
        """
        from rlcore.core.nn import member_cuts_by_name

        cuts = member_cuts_by_name(self, keep)
        params = dict(self.named_parameters())
        for name in self.MEMBER_SCALARS:
            if name in params and name not in cuts:  # (discrete BC has no log std)
                owner, _, attr = name.rpartition(".")
                mod = self.get_submodule(owner) if owner else self
                old = getattr(mod, attr)
                cut = functools.partial(_member_rows, keep=list(keep))
                setattr(mod, attr, nn.Parameter(cut(old), requires_grad=old.requires_grad))
                cuts[name] = cut
        self.members = tuple(self.members[i] for i in keep)  # type: ignore[attr-defined]
        self.k = len(keep)
        return cuts

    def keep_members_and_moments(
        self,
        keep: Sequence[int],
        cut: Callable[[Sequence[int]], dict[str, Callable[[Tensor], Tensor]]] | None = None,
        carry: Callable[..., torch.optim.Optimizer] | None = None,
    ) -> None:
        """Only the members ``keep`` (in order) from now on, every optimiser with them.

        ``cut`` (default :meth:`cut_members`) cuts the member-axis tensors and returns the
        cuts by parameter name; each optimiser (an attribute) is rebuilt over the cut
        parameters with the kept members' lrs, its moments cut as its parameters were
        (``carry``, default :func:`carry_adam`; its arguments: the old optimiser, old and
        new parameters, the cuts, the lrs, the device). The kept members step on as before.
        The algorithm then refreshes its own lists of parameters and hyperparameters.
        """
        names = {id(p): name for name, p in self.named_parameters()}
        before = {
            attr: (opt, [p for g in opt.param_groups for p in g["params"]])
            for attr, opt in vars(self).items()
            if isinstance(opt, torch.optim.Optimizer)
        }
        cuts = (cut or self.cut_members)(keep)
        params = dict(self.named_parameters())
        lrs = [m.lr for m in self.members]  # type: ignore[attr-defined]
        for attr, (opt, old) in before.items():
            keys = [names[id(p)] for p in old]
            new = [params[key] for key in keys]
            step = carry or carry_adam
            setattr(self, attr, step(opt, old, new, [cuts[key] for key in keys], lrs, self.device))
