"""Search spaces from the configs' ``hp(...)`` metadata.

Every hyperparameter declared with ``hp(default, help, low, high, log=..., choices=...)``
can be searched: numbers over a range (log-scaled where the field says ``log``),
booleans, choices and layer sizes as categories. Without an explicit range a number
gets a window around its preset (or default) value, clipped to the field's bounds:

| field | default window around the base value ``v`` |
|---|---|
| log-scaled float | ``v / 10`` to ``10 v`` |
| log-scaled int | ``v / 4`` to ``4 v`` |
| float with bounds ``[lo, hi]`` | ``v ± (hi - lo) / 10`` |
| int, float without both bounds | ``v / 2`` to ``2 v`` |
| bool, choices | every value |
| layer sizes | ``64``, ``64,64``, ``256,256`` and ``v`` |

A range given by hand is checked against the field's bounds before anything is
created: ``ValueError`` naming the field and its allowed values.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from typing import Any, Literal

from rlcore.core.config import AlgoConfig, HParam, coerce, hparams, short_repr

__all__ = [
    "LAYER_CHOICES",
    "ParamRange",
    "SearchSpace",
    "build_space",
    "default_range",
    "parse_range",
    "searchable",
]

Kind = Literal["float", "int", "categorical"]
LAYER_CHOICES = ((64,), (64, 64), (256, 256))
GRID_POINTS = 3  # values per numeric range on a grid (low, middle, high)


def _is_tuple(p: HParam) -> bool:
    return typing.get_origin(p.type) is tuple


def _num(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _encode(v: Any) -> Any:
    """A value as Optuna stores a category (layer sizes ``(64, 64)`` -> ``"64,64"``)."""
    return ",".join(str(x) for x in v) if isinstance(v, tuple) else v


def _text(v: Any) -> str:
    """A choice as it is typed (``true``, ``huber``, ``64,64``)."""
    return str(v).lower() if isinstance(v, bool) else str(_encode(v))


@dataclass(frozen=True)
class ParamRange:
    """Where one hyperparameter is searched: a numeric range or a set of choices."""

    name: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()  # typed values (layer sizes as tuples)

    def distribution(self) -> Any:
        """The Optuna distribution of this range."""
        from optuna.distributions import (
            CategoricalDistribution,
            FloatDistribution,
            IntDistribution,
        )

        if self.kind == "float":
            return FloatDistribution(float(self.low), float(self.high), log=self.log)
        if self.kind == "int":
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return CategoricalDistribution([_encode(c) for c in self.choices])

    def decode(self, raw: Any) -> Any:
        """Optuna's value for this parameter -> the config's value."""
        if self.kind == "float":
            return float(raw)
        if self.kind == "int":
            return int(raw)
        for c in self.choices:
            if _encode(c) == raw:
                return c
        raise ValueError(f"{self.name} = {short_repr(raw)}: not one of this study's choices")

    def text(self) -> str:
        """The range as it is typed: ``1e-4:0.01`` or ``huber,mse`` (``64;64,64`` for layers)."""
        if self.kind == "categorical":
            sep = ";" if any(isinstance(c, tuple) for c in self.choices) else ","
            return sep.join(_text(c) for c in self.choices)
        return f"{_num(self.low)}:{_num(self.high)}"

    def grid(self, points: int = GRID_POINTS) -> list[Any]:
        """The values a grid search tries: the choices, or ``points`` spread over the range."""
        if self.kind == "categorical":
            return [_encode(c) for c in self.choices]
        lo, hi = float(self.low), float(self.high)
        if self.log:
            vals = [lo * (hi / lo) ** (i / (points - 1)) for i in range(points)]
        else:
            vals = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
        if self.kind == "int":
            vals = [round(v) for v in vals]
        else:
            vals = [float(f"{v:.4g}") for v in vals]
            vals[0], vals[-1] = lo, hi  # exact ends, not rounded past the bounds
        return list(dict.fromkeys(vals))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "choices": [list(c) if isinstance(c, tuple) else c for c in self.choices],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ParamRange:
        choices = tuple(tuple(c) if isinstance(c, list) else c for c in d.get("choices", ()))
        return cls(d["name"], d["kind"], d.get("low"), d.get("high"), d.get("log", False), choices)


@dataclass(frozen=True)
class SearchSpace:
    """The searched hyperparameters of one algorithm config class, in the order given."""

    ranges: tuple[ParamRange, ...]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.ranges]

    def distributions(self) -> dict[str, Any]:
        """``name -> optuna distribution``: what ``study.ask`` samples."""
        return {r.name: r.distribution() for r in self.ranges}

    def values(self, params: dict[str, Any]) -> dict[str, Any]:
        """A trial's Optuna params -> typed hyperparameter values for the config."""
        return {r.name: r.decode(params[r.name]) for r in self.ranges if r.name in params}

    def grid(self, points: int = GRID_POINTS) -> dict[str, list[Any]]:
        """The grid of a grid search: every parameter's values."""
        return {r.name: r.grid(points) for r in self.ranges}

    def grid_size(self, points: int = GRID_POINTS) -> int:
        return math.prod(len(v) for v in self.grid(points).values())

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.ranges]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> SearchSpace:
        return cls(tuple(ParamRange.from_json(d) for d in data))


def searchable(cls: type, offline: bool = False) -> list[HParam]:
    """The hyperparameters of ``cls`` a study may search.

    Offline: no data-collection ones; never a field the algorithm does not use (its
    config's ``unused``, e.g. BC's gamma): a study would spend trials on a no-op.
    """
    unused = getattr(cls, "unused", ())
    return [p for p in hparams(cls) if not (offline and p.online_only) and p.name not in unused]


def _clip(p: HParam, v: float) -> float:
    if p.low is not None:
        v = max(v, p.low)
    if p.high is not None:
        v = min(v, p.high)
    return v


def default_range(p: HParam, base: Any) -> ParamRange:
    """The window around ``base`` (the preset's or default value) inside ``p``'s bounds."""
    if p.type is bool:
        return ParamRange(p.name, "categorical", choices=(True, False))
    if p.choices is not None:
        return ParamRange(p.name, "categorical", choices=tuple(p.choices))
    if _is_tuple(p):
        base = tuple(base)
        return ParamRange(
            p.name, "categorical", choices=tuple(dict.fromkeys((*LAYER_CHOICES, base)))
        )
    if p.type not in (int, float):
        raise ValueError(f"{p.name}: a {getattr(p.type, '__name__', p.type)} cannot be searched")
    v = float(base)
    if p.log and v > 0:
        f = 10.0 if p.type is float else 4.0
        lo, hi = v / f, v * f
    elif p.type is float and p.low is not None and p.high is not None and p.high - p.low <= 10:
        w = (p.high - p.low) / 10
        lo, hi = v - w, v + w
    elif v > 0:
        lo, hi = v / 2, v * 2
    else:
        lo, hi = v - 1, v + 1
    if p.type is int:
        lo, hi = math.ceil(_clip(p, lo)), math.floor(_clip(p, hi))
        if lo >= hi:  # a window of one integer: widen it to two inside the bounds
            if p.high is None or lo + 1 <= p.high:
                hi = lo + 1
            else:
                lo = hi - 1
        return ParamRange(p.name, "int", lo, hi, log=p.log and lo > 0)
    lo, hi = _clip(p, float(f"{lo:.4g}")), _clip(p, float(f"{hi:.4g}"))  # short, in bounds
    return ParamRange(p.name, "float", lo, hi, log=p.log and lo > 0)


def _fail(cls_name: str, p: HParam, text: str, why: str) -> ValueError:
    return ValueError(
        f"{cls_name}.{p.name} range {short_repr(text)}: {why} (allowed: {p.range_text()})"
    )


def parse_range(cls_name: str, p: HParam, text: str) -> ParamRange:
    """A range typed by hand: ``LOW:HIGH`` for numbers, ``a,b,...`` for choices.

    Layer sizes are separated by ``;`` (``64;64,64``). Raises ``ValueError`` naming the
    field, the range and the field's allowed values when the range leaves the bounds,
    is empty, or holds a value the field refuses.
    """
    if not isinstance(text, str) or not text.strip():
        raise _fail(cls_name, p, str(text), "empty")
    s = text.strip()
    numeric = p.type in (int, float) and p.choices is None
    if numeric:
        lo_s, sep, hi_s = s.partition(":")
        if not sep:
            raise _fail(cls_name, p, s, "expected LOW:HIGH, e.g. 1e-4:1e-2")
        try:
            lo, hi = coerce(p, lo_s), coerce(p, hi_s)
        except ValueError as e:
            raise _fail(cls_name, p, s, str(e).split(": ", 1)[-1].split(" (")[0]) from None
        if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float))):
            raise _fail(cls_name, p, s, "expected two numbers")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise _fail(cls_name, p, s, "must be finite")
        if lo >= hi:
            raise _fail(cls_name, p, s, "LOW must be below HIGH")
        if (p.low is not None and lo < p.low) or (p.high is not None and hi > p.high):
            raise _fail(cls_name, p, s, "outside the field's bounds")
        if p.log and lo <= 0:
            raise _fail(cls_name, p, s, "a log-scaled range must start above 0")
        kind: Kind = "int" if p.type is int else "float"
        return ParamRange(p.name, kind, lo, hi, log=p.log)
    sep = ";" if _is_tuple(p) else ","
    items = [x.strip() for x in s.split(sep) if x.strip()]
    values: list[Any] = []
    for item in items:
        try:
            v = coerce(p, item)
        except ValueError as e:
            raise _fail(cls_name, p, s, str(e).split(": ", 1)[-1].split(" (")[0]) from None
        ok = True
        if p.choices is not None:
            ok = any(type(v) is type(c) and v == c for c in p.choices)
        elif _is_tuple(p):
            ok = bool(v) and all(
                (p.low is None or x >= p.low) and (p.high is None or x <= p.high) for x in v
            )
        if not ok:
            raise _fail(cls_name, p, s, f"{short_repr(item)} is not allowed")
        if v not in values:
            values.append(v)
    if len(values) < 2:
        raise _fail(cls_name, p, s, f"give at least two values, separated by '{sep}'")
    return ParamRange(p.name, "categorical", choices=tuple(values))


def build_space(
    base: AlgoConfig,
    params: list[str],
    ranges: dict[str, str] | None = None,
    offline: bool = False,
) -> SearchSpace:
    """The search space over ``params`` of ``base``'s class.

    Args:
        base: the config the windows are centred on (the preset, or the defaults).
        params: the hyperparameters to search, at least one, each once.
        ranges: ``name -> "LOW:HIGH"`` (or ``"a,b"`` for choices) for any of ``params``
            whose default window is not wanted.
        offline: refuse data-collection settings, which an offline algorithm ignores.

    Raises:
        ValueError: an unknown or repeated parameter (the message lists the allowed
            ones), a range for a parameter not searched, or a bad range (see
            :func:`parse_range`).
    """
    cls = type(base)
    allowed = {p.name: p for p in searchable(cls, offline)}
    if not params:
        raise ValueError(f"params: none given (allowed: {', '.join(allowed)})")
    seen: set[str] = set()
    for name in params:
        if name not in allowed:
            raise ValueError(
                f"params = {short_repr(name)}: not a hyperparameter of {cls.__name__} "
                f"(allowed: {', '.join(allowed)})"
            )
        if name in seen:
            raise ValueError(f"params = {short_repr(name)}: given twice")
        seen.add(name)
    ranges = dict(ranges or {})
    extra = sorted(set(ranges) - seen)
    if extra:
        raise ValueError(
            f"ranges: {', '.join(short_repr(x) for x in extra)} not among the searched "
            f"params (allowed: {', '.join(params)})"
        )
    out = []
    for name in params:
        p = allowed[name]
        text = ranges.get(name)
        r = (
            default_range(p, getattr(base, name))
            if text is None
            else parse_range(cls.__name__, p, text)
        )
        out.append(r)
    return SearchSpace(tuple(out))
