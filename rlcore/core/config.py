"""Typed, validated configuration.

One declaration per hyperparameter, ``lr: float = hp(3e-4, "learning rate", 1e-6, 1e-1,
log=True)``, drives validation (a clear ``ValueError`` naming the field, the value and
the allowed range), the CLI's ``--set`` parsing, the app's widgets and the saved
``config.json``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import typing
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

# the shared words live in a leaf module (envs and ids use them too: no import circle)
from rlcore.core.words import ActionKind, ActionSpace, Loop, Setting, short_repr

__all__ = [
    "ActionKind",
    "ActionSpace",
    "AlgoConfig",
    "HParam",
    "Loop",
    "RunConfig",
    "Setting",
    "coerce",
    "from_dict",
    "hp",
    "hparams",
    "to_dict",
]


def _num(v: float) -> str:
    """A bound as people write it: 2147483647 rather than 2.14748e+09, 1e-06 for tiny ones."""
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:g}"


@dataclass(frozen=True)
class HParam:
    """Metadata of one hyperparameter (what the UI and the validator read)."""

    name: str
    type: Any
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple | None = None
    online_only: bool = False  # data-collection settings an offline algorithm ignores

    def range_text(self) -> str:
        """Human-readable allowed values."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.low is not None and self.high is not None:
            return f"{_num(self.low)} to {_num(self.high)}"
        if self.low is not None:
            return f">= {_num(self.low)}"
        if self.high is not None:
            return f"<= {_num(self.high)}"
        return "any value of the right type"


def hp(
    default: Any,
    help: str,
    low: float | None = None,
    high: float | None = None,
    *,
    log: bool = False,
    choices: tuple | None = None,
    online_only: bool = False,
) -> Any:
    """A dataclass field carrying its help text, bounds, log-scale flag and choices."""
    meta = {
        "help": help,
        "low": low,
        "high": high,
        "log": log,
        "choices": choices,
        "online_only": online_only,
    }
    return field(default=default, metadata=meta)


@cache
def hparams(cls: type) -> tuple[HParam, ...]:
    """The :class:`HParam` of every field of a config class, in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in fields(cls):
        m = f.metadata
        out.append(
            HParam(
                name=f.name,
                type=hints[f.name],
                default=f.default,
                help=m.get("help", ""),
                low=m.get("low"),
                high=m.get("high"),
                log=m.get("log", False),
                choices=m.get("choices"),
                online_only=m.get("online_only", False),
            )
        )
    return tuple(out)


def _fail(cls_name: str, p: HParam, value: Any, why: str) -> ValueError:
    return ValueError(
        f"{cls_name}.{p.name} = {short_repr(value)}: {why} (allowed: {p.range_text()})"
    )


def _check_number(cls_name: str, p: HParam, value: Any, kind: type) -> None:
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(cls_name, p, value, "must be an integer")
    else:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(cls_name, p, value, "must be a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise _fail(cls_name, p, value, "must be finite")
    if p.low is not None and value < p.low:
        raise _fail(cls_name, p, value, "too small")
    if p.high is not None and value > p.high:
        raise _fail(cls_name, p, value, "too large")


def _validate_field(cls_name: str, p: HParam, value: Any) -> None:
    t = p.type
    origin = typing.get_origin(t)
    if p.choices is not None and not any(type(value) is type(c) and value == c for c in p.choices):
        raise _fail(cls_name, p, value, "not a valid choice")
    if t is bool:
        if not isinstance(value, bool):
            raise _fail(cls_name, p, value, "must be true or false")
    elif t in (int, float):
        _check_number(cls_name, p, value, t)
    elif t is str:
        if not isinstance(value, str):
            raise _fail(cls_name, p, value, "must be text")
        if len(value) > MAX_TEXT or not value.isprintable():
            raise _fail(
                cls_name, p, value, f"must be printable text of at most {MAX_TEXT} characters"
            )
    elif origin is tuple:
        if not isinstance(value, tuple) or not 1 <= len(value) <= 8:
            raise _fail(cls_name, p, value, "must be a list of 1 to 8 layer sizes")
        for v in value:
            _check_number(cls_name, p, v, int)


class _Validated:
    """Mixin: every construction (and ``dataclasses.replace``) validates all fields."""

    def __post_init__(self) -> None:
        name = type(self).__name__
        for p in hparams(type(self)):
            _validate_field(name, p, getattr(self, p.name))
        self.check()

    def check(self) -> None:
        """Cross-field constraints; override and raise ``ValueError`` naming the fields."""


@dataclass(frozen=True)
class AlgoConfig(_Validated):
    """Base of every algorithm's hyperparameters."""

    gamma: float = hp(0.99, "Discount factor γ: how much future reward counts.", 0.0, 1.0)
    lr: float = hp(3e-4, "Learning rate of every optimiser (Adam).", 1e-6, 1.0, log=True)
    hidden: tuple[int, ...] = hp(
        (256, 256), "Hidden layer sizes of each network (e.g. 256,256).", 1, 4096
    )


# name -> setting of every registered algorithm, filled by rlcore.algos.registry when it is
# imported (a registration table: this module must not import the algorithms themselves)
ALGORITHM_SETTINGS: dict[str, Setting] = {}

DEVICES = ("auto", "cpu", "cuda")
MATMUL_PRECISIONS = ("highest", "high", "medium")  # torch.set_float32_matmul_precision
AUTO_EVALUATIONS = 20  # evaluations over a run when eval_every is 0 (auto)
MAX_TEXT = 200  # longest text field (ids and names); anything longer is hostile or a typo


@dataclass(frozen=True)
class RunConfig(_Validated):
    """Everything about a run that is not the algorithm: where, how long, how often."""

    algo: str = hp("dqn", "Algorithm name from the registry.")
    env: str = hp(
        "CartPole-v1",
        "Environment id: from the catalogue or, in the local profile, a custom one "
        "(RLCORE_ENV_MODULES or module:Class).",
    )
    seed: int = hp(0, "Random seed (torch, numpy, environment).", 0, 2**31 - 1)
    steps: int = hp(50_000, "Environment steps to train for.", 1, 50_000_000, log=True)
    device: str = hp("auto", "auto picks CUDA when present.", choices=DEVICES)
    eval_every: int = hp(
        0,
        "Evaluate every this many steps (environment steps online, gradient steps "
        f"offline); 0 = auto: {AUTO_EVALUATIONS} evaluations spread over the run.",
        0,
        10_000_000,
    )
    eval_episodes: int = hp(10, "Deterministic evaluation episodes.", 1, 1000)
    log_every: int = hp(1_000, "Aggregate training metrics every this many steps.", 1, 10**7)
    threads: int = hp(
        0,
        "Torch CPU threads of this run; 0 = auto: one for a small network, else the cores "
        "that other trainings leave free.",
        0,
        256,
    )
    dataset: str = hp("", "Offline dataset id (offline algorithms only).")
    matmul_precision: str = hp(
        "highest",
        "Internal precision of float32 matrix products: highest = full float32; high / "
        "medium let the hardware use TF32 (NVIDIA GPUs) or bfloat16 (CPUs with AMX, "
        "medium only): 2-4x faster products, about 3 significant digits each.",
        choices=MATMUL_PRECISIONS,
    )
    compile: bool = hp(
        False,
        "Compile the whole update (optimisers included) with torch.compile, after a one-off "
        "compilation (cached for later runs of the same shapes). Whether it pays depends on "
        "the machine: on a 2-core CPU it made DQN and SAC slower; the run measures and "
        "reports both speeds and when (if ever) it pays off. Off-policy and offline "
        "algorithms.",
    )
    tensorboard: bool = hp(
        False,
        "Also write TensorBoard event files next to metrics.jsonl (our metric names plus "
        "Stable-Baselines3's: rollout/ep_rew_mean, eval/mean_reward, time/fps); needs the "
        "tensorboard package.",
    )

    def eval_interval(self) -> int:
        """Steps between evaluations: ``eval_every``, or (0) the run's length over 20.

        Why auto by default: a fixed interval gave a 3,000-step run one evaluation (one
        dot on its chart); a cadence that follows the length always draws a curve.
        """
        return self.eval_every or max(1, self.steps // AUTO_EVALUATIONS)

    def check(self) -> None:
        from rlcore.core.envs import ENVIRONMENTS, env_spec

        if ALGORITHM_SETTINGS and self.algo not in ALGORITHM_SETTINGS:
            raise ValueError(
                f"RunConfig.algo = {short_repr(self.algo)}: unknown algorithm "
                f"(allowed: {', '.join(sorted(ALGORITHM_SETTINGS))})"
            )
        if self.env not in ENVIRONMENTS:
            try:  # a custom environment (local profile), or a clear refusal
                env_spec(self.env)
            except ValueError as e:
                msg = str(e)
                raise ValueError("RunConfig." + msg if msg.startswith("env = ") else msg) from None
        # no algorithm registered yet: rlcore.train.checks.check_run checks it
        offline = ALGORITHM_SETTINGS.get(self.algo) == "offline"
        if self.algo in ALGORITHM_SETTINGS and offline and not self.dataset:
            raise ValueError(
                f"RunConfig.dataset = '': {self.algo} is an offline algorithm and needs a "
                "dataset (build one: python -m rlcore dataset build)"
            )
        if self.algo in ALGORITHM_SETTINGS and not offline and self.dataset:
            raise ValueError(
                f"RunConfig.dataset = {short_repr(self.dataset)}: {self.algo} learns online "
                "(allowed: empty)"
            )
        if self.dataset:
            from rlcore.core.ids import check_dataset_id  # ids builds on this module

            check_dataset_id(self.dataset, "RunConfig.dataset")


def _plain(raw: Any) -> Any:
    """A numpy scalar (what widgets and arrays hand over) -> the Python value it holds."""
    if type(raw).__module__ == "numpy" and hasattr(raw, "item") and getattr(raw, "ndim", 1) == 0:
        return raw.item()
    return raw


def coerce(p: HParam, raw: Any) -> Any:
    """Turn a CLI/URL/JSON value into the field's type; ``ValueError`` if impossible."""
    t = p.type
    raw = _plain(raw)
    if isinstance(raw, str):
        s = raw.strip()
        try:
            if t is bool:
                low = s.lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            if t is int:
                with contextlib.suppress(ValueError):
                    return int(s.replace("_", ""))  # exact, even beyond 2**53
                f = float(s)
                if not f.is_integer():
                    raise ValueError
                return int(f)
            if t is float:
                return float(s)
            if typing.get_origin(t) is tuple:
                return tuple(int(x) for x in s.replace("x", ",").split(",") if x.strip())
        except (ValueError, OverflowError):
            raise ValueError(
                f"{p.name} = {short_repr(raw)}: cannot be read as {getattr(t, '__name__', t)} "
                f"(allowed: {p.range_text()})"
            ) from None
        return s
    if typing.get_origin(t) is tuple and isinstance(raw, list):
        return tuple(_plain(v) for v in raw)
    if t is float and isinstance(raw, int) and not isinstance(raw, bool):
        try:
            return float(raw)
        except OverflowError:
            return math.inf if raw > 0 else -math.inf  # refused below as "must be finite"
    if t is int and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def from_dict(cls: type, data: dict[str, Any], base: Any = None) -> Any:
    """Build ``cls`` from ``base`` (or defaults) with ``data`` overrides, validated.

    Unknown keys raise ``ValueError`` listing the valid ones.
    """
    params = {p.name: p for p in hparams(cls)}
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: expected a mapping of field names to values")
    unknown = sorted(
        short_repr(k, 40) if not isinstance(k, str) else k[:40]
        for k in data
        if not isinstance(k, str) or k not in params
    )
    if unknown:
        raise ValueError(
            f"{cls.__name__}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(params)})"
        )
    values = {k: coerce(params[k], v) for k, v in data.items()}
    if base is not None:
        return dataclasses.replace(base, **values)
    return cls(**values)


def to_dict(cfg: Any) -> dict[str, Any]:
    """JSON-ready dict (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(cfg).items()}
