"""Population-based training (Jaderberg et al. 2017) on the population engine.

K members of one algorithm train in one process (:class:`~rlcore.train.population.
PopulationTrainer`). Every ``interval`` environment steps (a *ready* point) each member
is scored by its recent evaluation returns (the mean of its last ``window`` evaluations;
the evaluations are lined up with the interval, so one falls on every ready point), and:

- **exploit** (truncation selection): each member of the bottom ``quantile`` becomes an
  exact copy of a member drawn uniformly from the top ``quantile``: its weights, target
  networks and optimiser moments (``Agent.copy_member``), its evaluation history, and by
  default its replay buffer slice (``buffer="copy"``: the copy then continues the source's
  learning state as a whole, the data its weights were trained on included, as a
  checkpoint restore of the paper does; ``"keep"`` keeps the member's own experience);
- **explore**: each hyperparameter of ``params`` of the copied configuration is
  multiplied by a factor drawn from ``factors`` (0.8 or 1.2), or with probability
  ``resample_p`` drawn afresh from the search range (the one the first population was
  drawn from, as Ray Tune's PBT resamples from its mutation space); always clipped inside
  the field's ``hp()`` bounds, integers rounded.

Every event is appended to an event log (JSON lines, each flushed and fsynced before
training goes on): the batch's ``<runs>/.pbt/<batch>/events.jsonl`` and each member's
``<run>/pbt_events.jsonl``. :func:`replay` rebuilds from a log every member's
hyperparameter schedule (the values its weights were trained under, through its lineage)
and ancestry; :func:`schedule` is one member's, which ``rlcore train --schedule`` re-trains
as a fixed schedule (:class:`ScheduleTrainer`: a single run is a population of one).

Events (``kind``):

- ``start``: ``{"step": 0, "member", "seed", "values"}``, one per member;
- ``ready``: ``{"step", "scores": {member: score}, "values": {member: values}}``;
- ``exploit``: ``{"step", "dst", "src", "score_dst", "score_src", "old", "copied",
  "new", "ops", "history"}``: ``old`` the member's values before, ``copied`` the
  source's, ``new`` after exploring (``ops``: ``"x0.8"``, ``"x1.2"`` or
  ``"resample"`` per parameter), ``history`` the source's schedule up to now (so a
  member's own log replays its whole schedule);
- ``end``: ``{"step", "complete"}`` (``complete``: trained to its last step; absent when
  the process was killed).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rlcore.algos.registry import get_algo
from rlcore.core.config import AlgoConfig, HParam, RunConfig, hparams, short_repr, to_dict
from rlcore.core.types import Metrics
from rlcore.search.space import ParamRange, SearchSpace, build_space
from rlcore.train.population import MAX_MEMBERS, PopulationTrainer

__all__ = [
    "BUFFER_CHOICES",
    "EventLog",
    "History",
    "PBTConfig",
    "PBTResult",
    "PBTTrainer",
    "ScheduleTrainer",
    "check_pbt",
    "exploit_pairs",
    "explore",
    "initial_configs",
    "load_schedule",
    "member_values",
    "pbt_dir",
    "pbt_plan",
    "pbt_trainer_for",
    "read_events",
    "replay",
    "run_pbt",
    "schedule",
    "write_schedule",
]

BUFFER_CHOICES = ("copy", "keep")
EVENTS = "events.jsonl"  # the batch's log, in its PBT folder
MEMBER_EVENTS = "pbt_events.jsonl"  # a member's log, in its run folder
Values = dict[str, Any]
Schedule = list[tuple[int, Values]]


@dataclass(frozen=True)
class PBTConfig:
    """How a population-based training exploits and explores.

    Args:
        params: the hyperparameters PBT moves (the algorithm's ``member_hparams``).
        interval: environment steps between ready points.
        quantile: the bottom (and top) fraction of the population at each ready point.
        factors: explore multiplies a value by one of these, drawn uniformly.
        resample_p: probability that a value is drawn afresh instead.
        window: a member's score is the mean of its last ``window`` evaluation returns.
        buffer: ``"copy"`` (the source's replay slice goes with its weights) or ``"keep"``.
        seed: seeds the exploit and explore draws (and the first population's values).
        space: where values are drawn afresh (``None``: the fields' ``hp()`` bounds).
    """

    params: tuple[str, ...]
    interval: int = 5000
    quantile: float = 0.25
    factors: tuple[float, ...] = (0.8, 1.2)
    resample_p: float = 0.25
    window: int = 2
    buffer: str = "copy"
    seed: int = 0
    space: SearchSpace | None = None

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["space"] = None if self.space is None else self.space.to_json()
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PBTConfig:
        space = d.get("space")
        return cls(
            tuple(d["params"]),
            int(d["interval"]),
            float(d["quantile"]),
            tuple(float(f) for f in d["factors"]),
            float(d["resample_p"]),
            int(d["window"]),
            str(d["buffer"]),
            int(d["seed"]),
            None if space is None else SearchSpace.from_json(space),
        )


def _range_error(name: str, value: Any, allowed: str) -> ValueError:
    return ValueError(f"{name} = {short_repr(value)}: out of range (allowed: {allowed})")


def check_pbt(pbt: PBTConfig, run: RunConfig, algo: AlgoConfig, members: int) -> None:
    """Refuse, in one line naming the setting and its allowed values, a PBT that cannot run."""
    cls = get_algo(run.algo).agent_cls
    if not cls.population:
        raise ValueError(f"algo = {run.algo!r}: does not train as a population yet")
    if cls.loop == "episodes":  # (rlcore.train.episodes: each member pauses on its own)
        raise ValueError(
            f"algo = {run.algo!r}: its members update at their own steps, with no common "
            "ready point (allowed: algorithms whose members step in lock step)"
        )
    if not 2 <= members <= MAX_MEMBERS:
        raise _range_error("members", members, f"2 to {MAX_MEMBERS}")
    fields = [p.name for p in hparams(type(algo))]
    if not pbt.params:
        raise ValueError(f"params: none given (allowed: {', '.join(cls.member_hparams)})")
    for name in pbt.params:
        if name not in fields:
            raise ValueError(
                f"params = {short_repr(name)}: not a hyperparameter of {type(algo).__name__} "
                f"(allowed: {', '.join(cls.member_hparams)})"
            )
        if name not in cls.member_hparams:
            raise ValueError(
                f"params = {name!r}: {cls.title}'s members cannot differ in it during "
                f"training (allowed: {', '.join(cls.member_hparams)})"
            )
    if len(set(pbt.params)) != len(pbt.params):
        raise ValueError(f"params = {','.join(pbt.params)}: a parameter given twice")
    _check_schedule_numbers(pbt, run)


def _check_schedule_numbers(pbt: PBTConfig, run: RunConfig) -> None:
    ev = run.eval_interval()
    if not 1 <= pbt.interval < run.steps:
        raise _range_error("interval", pbt.interval, f"1 to {run.steps - 1}, below steps")
    if pbt.interval < ev or pbt.interval % ev:
        raise ValueError(
            f"interval = {pbt.interval}: not a multiple of the evaluation interval {ev} "
            f"(allowed: {ev}, {2 * ev}, ...; or set eval_every to a divisor of interval)"
        )
    if not 0 < pbt.quantile <= 0.5:
        raise _range_error("quantile", pbt.quantile, "above 0 to 0.5")
    if not 0 <= pbt.resample_p <= 1:
        raise _range_error("resample_p", pbt.resample_p, "0 to 1")
    if not 1 <= pbt.window <= 100:
        raise _range_error("window", pbt.window, "1 to 100")
    if not pbt.factors or any(not (math.isfinite(f) and f > 0) for f in pbt.factors):
        raise _range_error("factors", pbt.factors, "positive numbers, e.g. 0.8,1.2")
    if pbt.buffer not in BUFFER_CHOICES:
        raise _range_error("buffer", pbt.buffer, " or ".join(BUFFER_CHOICES))


# -- exploit and explore ----------------------------------------------------------------
def exploit_pairs(
    scores: dict[int, float], quantile: float, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """Truncation selection: ``(dst, src)`` for each member of the bottom ``quantile``.

    Members sorted by score (ties by member index; a NaN score ranks lowest); the bottom
    ``ceil(n * quantile)`` (at most ``n // 2``) each copy a member drawn uniformly from as
    many at the top.
    """
    order = sorted(scores, key=lambda m: (_rank(scores[m]), m))
    n = min(math.ceil(len(order) * quantile), len(order) // 2)
    if n == 0:
        return []
    top = order[-n:]
    return [(dst, int(top[rng.integers(len(top))])) for dst in order[:n]]


def _rank(score: float) -> float:
    return -math.inf if score is None or math.isnan(score) else score


def _bounded(p: HParam, v: float) -> Any:
    """``v`` inside ``p``'s bounds, an integer field's rounded."""
    if p.low is not None:
        v = max(v, p.low)
    if p.high is not None:
        v = min(v, p.high)
    if p.type is int:
        v = round(v)
        lo = math.ceil(p.low) if p.low is not None else v
        hi = math.floor(p.high) if p.high is not None else v
        return int(min(max(v, lo), hi))
    return float(v)


def _draw(p: HParam, r: ParamRange | None, rng: np.random.Generator) -> float:
    """A value drawn afresh: from the search range ``r``, else from ``p``'s bounds."""
    lo = r.low if r is not None else p.low
    hi = r.high if r is not None else p.high
    if lo is None or hi is None:
        raise ValueError(f"{p.name}: no bounds to draw a value from")
    log = (r.log if r is not None else p.log) and lo > 0
    if log:
        return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    return float(rng.uniform(lo, hi))


def explore(
    values: Values,
    specs: dict[str, HParam],
    rng: np.random.Generator,
    factors: Sequence[float] = (0.8, 1.2),
    resample_p: float = 0.25,
    space: SearchSpace | None = None,
) -> tuple[Values, dict[str, str]]:
    """Perturbed ``values``: each multiplied by a factor, or drawn afresh (``resample_p``).

    Every new value lies inside its field's ``hp()`` bounds (integers rounded). Returns
    the values and, per parameter, what was done (``"x0.8"``, ``"resample"``).
    """
    ranges = {r.name: r for r in space.ranges} if space is not None else {}
    new, ops = {}, {}
    for name, v in values.items():
        p = specs[name]
        if rng.random() < resample_p:
            raw, ops[name] = _draw(p, ranges.get(name), rng), "resample"
        else:
            f = float(factors[rng.integers(len(factors))])
            raw, ops[name] = float(v) * f, f"x{f:g}"
        new[name] = _bounded(p, float(f"{raw:.6g}"))
    return new, ops


def member_values(cfg: AlgoConfig, params: Sequence[str]) -> Values:
    """The PBT parameters' values of one member's config."""
    return {name: getattr(cfg, name) for name in params}


def initial_configs(
    base: AlgoConfig, params: Sequence[str], k: int, seed: int, space: SearchSpace
) -> list[AlgoConfig]:
    """``k`` configs with ``params`` drawn from ``space`` (a random search's trials).

    The same ``seed`` gives the same values: PBT's first population and a random search
    over the same space start from the same configurations. A draw that breaks a
    cross-field rule (e.g. DQN's final ε above its initial) is drawn again.
    """
    rng = np.random.default_rng(seed)
    specs = {p.name: p for p in hparams(type(base))}
    ranges = {r.name: r for r in space.ranges}
    out = []
    for _ in range(k):
        for attempt in range(100):
            vals = {
                n: _bounded(specs[n], float(f"{_draw(specs[n], ranges[n], rng):.4g}"))
                for n in params
            }
            try:
                out.append(dataclasses.replace(base, **vals))
                break
            except ValueError:
                if attempt == 99:
                    raise
    return out


# -- the event log ------------------------------------------------------------------------
class EventLog:
    """An append-only JSON-lines file: each event flushed and fsynced before going on.

    A process killed right after :meth:`write` returned has lost nothing it wrote.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a", encoding="utf-8")

    def write(self, event: dict[str, Any]) -> None:
        self._fh.write(json.dumps(event, separators=(",", ":")) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


def read_events(path: str | Path) -> list[dict[str, Any]]:
    """A log's events, in order (a last line cut short by a crash is left out)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines) - 1:  # no newline after it: the write was cut short
                break
            raise ValueError(f"{path}: line {i + 1} is not a JSON event") from None
    return out


@dataclass
class History:
    """What a log says of each member: its schedule and ancestry.

    ``schedules[m]``: ``[(step, values), ...]``, the values member ``m``'s current weights
    were trained under from each step on (through the members it copied). ``ancestry[m]``:
    ``[(step, member), ...]``, which member trained those weights from each step on.
    """

    schedules: dict[int, Schedule]
    ancestry: dict[int, list[tuple[int, int]]]
    seeds: dict[int, int]


def _pairs(raw: Any) -> Schedule:
    return [(int(s), dict(v)) for s, v in raw]


def replay(events: Sequence[dict[str, Any]]) -> History:
    """Every member's schedule and ancestry, from a batch's or a member's event log.

    A source whose own events are not in the log (a member's log holds only its own) is
    followed through the ``history`` the exploit event carries.
    """
    h = History({}, {}, {})
    for ev in events:
        kind = ev.get("kind")
        if kind == "start":
            m = int(ev["member"])
            h.schedules[m] = [(0, dict(ev["values"]))]
            h.ancestry[m] = [(0, m)]
            h.seeds[m] = int(ev.get("seed", 0))
        elif kind == "exploit":
            dst, src, step = int(ev["dst"]), int(ev["src"]), int(ev["step"])
            if src in h.schedules:
                base, anc = list(h.schedules[src]), list(h.ancestry[src])
            else:
                base = _pairs(ev["history"])
                anc = [(int(s), int(m)) for s, m in ev.get("ancestry", [[0, src]])]
            h.schedules[dst] = [*base, (step, dict(ev["new"]))]
            h.ancestry[dst] = [*anc, (step, dst)]
    return h


def schedule(events: Sequence[dict[str, Any]], member: int) -> Schedule:
    """Member ``member``'s hyperparameter schedule: ``[(step, values), ...]`` from step 0."""
    h = replay(events)
    if member not in h.schedules:
        raise ValueError(
            f"member = {member}: not in this event log (allowed: {sorted(h.schedules)})"
        )
    return h.schedules[member]


# -- the trainers -------------------------------------------------------------------------
def _values_row(step: int, values: Values) -> Metrics:
    return {"step": step, **{f"hp/{k}": float(v) for k, v in values.items()}}


class PBTTrainer(PopulationTrainer):
    """A :class:`PopulationTrainer` that exploits and explores at every ready point.

    Args:
        runs: the members' runs (as :class:`PopulationTrainer`'s: they differ in seed).
        algos: the members' configs (they may differ in ``pbt.params``).
        pbt: the PBT settings (checked with :func:`check_pbt`).
        log: the batch's event log (``None``: events kept in :attr:`events` only).
        member_logs: each member's event log (``None`` entries: none).
        on_event: called with each event once it is written.
        run_ids: each member's run id (recorded in its ``start`` event).
        **kwargs: :class:`PopulationTrainer`'s (``stop``, ``max_seconds``, ``threads_fn``).

    Iterating yields the rows of :class:`PopulationTrainer` and, at step 0 and at every
    ready point, a row per live member with its values (``hp/<name>``), score
    (``pbt/score``) and the member it copied (``pbt/src``, -1 when none).
    """

    def __init__(
        self,
        runs: Sequence[RunConfig],
        algos: Sequence[AlgoConfig],
        pbt: PBTConfig,
        log: EventLog | None = None,
        member_logs: Sequence[EventLog | None] | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        run_ids: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(runs, algos, **kwargs)
        check_pbt(pbt, self.run, self.cfg, self.k)
        self.pbt, self.log, self.on_event = pbt, log, on_event
        self.member_logs = list(member_logs) if member_logs is not None else [None] * self.k
        self.rng = np.random.default_rng((pbt.seed, 27))  # not initial_configs' stream
        self.specs = {p.name: p for p in hparams(type(self.cfg))}
        self.events: list[dict[str, Any]] = []
        self.returns: dict[int, list[float]] = {m: [] for m in range(self.k)}
        self.schedules: dict[int, Schedule] = {}
        self.ancestry: dict[int, list[tuple[int, int]]] = {}
        self._ready_k = 0
        self._first = True
        for m, (r, a) in enumerate(zip(self.runs, self.algos)):
            vals = member_values(a, pbt.params)
            self.schedules[m], self.ancestry[m] = [(0, vals)], [(0, m)]
            start = {"kind": "start", "step": 0, "member": m, "seed": r.seed, "values": vals}
            if run_ids is not None:
                start["run"] = run_ids[m]
            self._record(start, m)

    def __iter__(self) -> Iterator[tuple[int, Metrics]]:
        """:class:`PopulationTrainer`'s rows and this one's; an ``end`` event, logs closed."""
        complete = False
        try:
            yield from super().__iter__()
            complete = True
        finally:
            with contextlib.suppress(Exception):
                self._record({"kind": "end", "step": self.step, "complete": complete})
            for lg in (self.log, *self.member_logs):
                if lg is not None:
                    lg.close()

    def _record(self, event: dict[str, Any], member: int | None = None) -> None:
        """Write ``event`` to the batch's log and member ``member``'s, then pass it on."""
        self.events.append(event)
        if self.log is not None:
            self.log.write(event)
        if member is not None and self.member_logs[member] is not None:
            self.member_logs[member].write(event)  # type: ignore[union-attr]
        if self.on_event is not None:
            self.on_event(event)

    def score(self, member: int) -> float:
        """The mean of the member's last ``window`` evaluation returns (NaN before any)."""
        r = self.returns[member][-self.pbt.window :]
        return float(np.mean(r)) if r else math.nan

    def _member_rows(self) -> list[tuple[int, Metrics]]:
        rows = super()._member_rows()
        for slot, m in rows:
            if "eval/return_mean" in m:
                self.returns[self.ids[slot]].append(float(m["eval/return_mean"]))
        out: list[tuple[int, Metrics]] = []
        if self._first:
            self._first = False
            out += [
                (s, _values_row(0, member_values(self.algos[s], self.pbt.params)))
                for s in self._live()
            ]
        out += rows
        k = self.step // self.pbt.interval
        if k > self._ready_k:
            self._ready_k = k
            if self.step < self.run.steps:
                out += self.ready()
        return out

    def ready(self) -> list[tuple[int, Metrics]]:
        """A ready point: score the live members, exploit and explore; their rows."""
        live = self._live()
        members = [self.ids[s] for s in live]
        scores = {m: self.score(m) for m in members}
        values = {m: member_values(self.algos[self.ids.index(m)], self.pbt.params) for m in members}
        self._record(
            {
                "kind": "ready",
                "step": self.step,
                "scores": {str(m): _finite(scores[m]) for m in members},
                "values": {str(m): values[m] for m in members},
            }
        )
        pairs = exploit_pairs(scores, self.pbt.quantile, self.rng) if len(members) >= 2 else []
        configs = list(self.algos)
        src_of = {}
        for dst, src in pairs:
            configs[self.ids.index(dst)] = self._exploit(dst, src, scores, configs)
            src_of[dst] = src
        self.agent.set_member_configs(configs)
        self.algos = configs
        rows = []
        for s in live:
            m = self.ids[s]
            row = _values_row(self.step, member_values(configs[s], self.pbt.params))
            row.update({"pbt/score": scores[m], "pbt/src": src_of.get(m, -1)})
            if math.isnan(row["pbt/score"]):
                del row["pbt/score"]
            rows.append((s, row))
        return rows

    def _exploit(
        self, dst: int, src: int, scores: dict[int, float], configs: list[AlgoConfig]
    ) -> AlgoConfig:
        """Member ``dst`` becomes ``src`` (weights, moments, replay, history), explored."""
        sd, ss = self.ids.index(dst), self.ids.index(src)
        self.agent.copy_member(ss, sd)
        if self.pbt.buffer == "copy" and self.buffer is not None and self.buffer.members > 1:
            self.buffer.all[sd].copy_(self.buffer.all[ss])
        old = member_values(configs[sd], self.pbt.params)
        copied = member_values(configs[ss], self.pbt.params)
        new_cfg, new, ops = self._explored(configs[ss], copied)
        history = [list(x) for x in self.schedules[src]]
        self.schedules[dst] = [*self.schedules[src], (self.step, new)]
        self.ancestry[dst] = [*self.ancestry[src], (self.step, dst)]
        self.returns[dst] = list(self.returns[src])
        self._record(
            {
                "kind": "exploit",
                "step": self.step,
                "dst": dst,
                "src": src,
                "score_dst": _finite(scores[dst]),
                "score_src": _finite(scores[src]),
                "old": old,
                "copied": copied,
                "new": new,
                "ops": ops,
                "history": history,
                "ancestry": [list(x) for x in self.ancestry[src]],
            },
            dst,
        )
        return new_cfg

    def _explored(self, cfg: AlgoConfig, copied: Values) -> tuple[AlgoConfig, Values, dict]:
        """``cfg`` with explored values (drawn again, up to 100 times, past a cross-field rule)."""
        p = self.pbt
        for _ in range(100):
            new, ops = explore(copied, self.specs, self.rng, p.factors, p.resample_p, p.space)
            try:
                return dataclasses.replace(cfg, **new), new, ops
            except ValueError:
                continue
        return cfg, dict(copied), {n: "kept" for n in copied}


def _finite(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


class ScheduleTrainer(PopulationTrainer):
    """A run (a population of one, or several) whose hyperparameters follow a fixed schedule.

    ``sched``: ``[(step, values), ...]``; after the environment step that reaches ``step``
    every member's config takes ``values`` (``Agent.set_member_configs``), as a PBT member's
    did after its ready point. Entries at step 0 apply before training. At each change a
    row ``hp/<name>`` per scheduled hyperparameter records the values from then on.
    """

    def __init__(
        self,
        runs: Sequence[RunConfig],
        algos: Sequence[AlgoConfig],
        sched: Schedule,
        **kwargs: Any,
    ) -> None:
        super().__init__(runs, algos, **kwargs)
        self.sched = sorted(((int(s), dict(v)) for s, v in sched), key=lambda x: x[0])
        self._next = 0
        self._pending: list[tuple[int, Metrics]] = []
        self._apply()

    def _apply(self) -> None:
        changed: Values = {}
        while self._next < len(self.sched) and self.sched[self._next][0] <= self.step:
            changed.update(self.sched[self._next][1])  # entries passed at once: all of them
            self._next += 1
        if not changed:
            return
        configs = [dataclasses.replace(a, **changed) for a in self.algos]
        self.agent.set_member_configs(configs)
        self.algos, self.cfg = configs, configs[0]
        names = list(dict.fromkeys(n for _, v in self.sched for n in v))  # every scheduled one
        self._pending += [
            (s, _values_row(self.step, member_values(configs[s], names))) for s in self._live()
        ]

    def _member_rows(self) -> list[tuple[int, Metrics]]:
        rows = super()._member_rows()
        self._apply()
        out, self._pending = self._pending + rows, []
        return out


# -- schedule files -------------------------------------------------------------------------
def write_schedule(path: str | Path, sched: Schedule, meta: dict[str, Any]) -> Path:
    """A schedule file (JSON) for ``rlcore train --schedule``."""
    path = Path(path)
    data = {**meta, "schedule": [[s, v] for s, v in sched]}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def load_schedule(path: str | Path, algo: AlgoConfig, member_hparams: Sequence[str]) -> Schedule:
    """The schedule of a file, checked against ``algo`` (``ValueError`` in one line).

    Every entry's values must be hyperparameters the algorithm's members may differ in,
    and valid for its config (each applied as ``dataclasses.replace`` would be).
    """
    where = f"--schedule {str(path)!r}"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        raw = data["schedule"] if isinstance(data, dict) else data
        sched = [(int(s), dict(v)) for s, v in raw]
    except FileNotFoundError:
        raise ValueError(f"{where}: no such file") from None
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise ValueError(
            f"{where}: not a schedule ({type(e).__name__}; allowed: JSON "
            '{"schedule": [[step, {"lr": 0.001}], ...]})'
        ) from None
    if not sched:
        raise ValueError(f"{where}: empty (allowed: at least one [step, values] entry)")
    cfg = algo
    for step, vals in sched:
        if step < 0:
            raise ValueError(f"{where}: step = {step}: out of range (allowed: >= 0)")
        for name in vals:
            if name not in member_hparams:
                raise ValueError(
                    f"{where}: {name!r} cannot change during training "
                    f"(allowed: {', '.join(member_hparams)})"
                )
        cfg = dataclasses.replace(cfg, **vals)  # ValueError naming the field
    return sched


# -- a PBT job: K runs written as a batch ------------------------------------------------------
def pbt_dir(store: Any, batch_id: str) -> Path:
    """The PBT folder of a batch: ``<runs>/.pbt/<batch>`` (settings, events, best schedule)."""
    from rlcore.core.ids import check_name, inside

    check_name(batch_id, "batch", "a batch id")
    return inside(Path(store.root) / ".pbt", batch_id, "batch", "that batch")


@dataclass
class PBTResult:
    """What :func:`run_pbt` did: the batch, each member's run and final return, the best."""

    batch_id: str
    run_ids: list[str]
    statuses: list[str]
    returns: list[float | None]
    best: int
    schedule: Schedule
    ancestry: list[tuple[int, int]]
    folder: Path
    schedule_path: Path
    seed: int


def pbt_plan(
    run: RunConfig, algo: AlgoConfig, pbt: PBTConfig, members: int
) -> tuple[Any, dict[str, Any]]:
    """``(plan, extra)`` of a PBT batch: its runs and the tag each run's config carries.

    The first population's values of ``pbt.params`` are drawn (seeded by ``pbt.seed``)
    from ``pbt.space`` (default: the search windows around ``algo``'s values, as
    ``rlcore tune`` draws them); member ``i`` has seed ``run.seed + i``. Everything is
    checked here (``ValueError`` in one line). Create the batch with
    ``JobQueue.create_batch(plan, extra, population=True)`` (trained here, as
    :func:`run_pbt`) or ``JobQueue.submit(plan, extra, population=True)`` (a worker): the
    ``pbt`` tag makes ``run_population_job`` train it with :class:`PBTTrainer`.
    """
    from rlcore.service.jobs import Plan

    check_pbt(pbt, run, algo, members)
    space = pbt.space or build_space(algo, list(pbt.params))
    pbt = dataclasses.replace(pbt, space=space)
    configs = initial_configs(algo, pbt.params, members, pbt.seed, space)
    runs = [dataclasses.replace(run, seed=run.seed + i) for i in range(members)]
    return Plan("pbt", tuple(zip(runs, configs))), {"pbt": pbt.to_json()}


def pbt_trainer_for(
    store: Any,
    run_ids: Sequence[str],
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> Callable[..., PBTTrainer] | None:
    """The trainer factory of a PBT batch's runs (``None``: not a PBT batch).

    Read from the first run's ``pbt`` tag (:func:`pbt_plan`); the factory opens the
    batch's event log (``<runs>/.pbt/<batch>/events.jsonl``) and each run's, which the
    trainer closes when it ends. ``rlcore.service.worker.run_population_job`` calls it.
    """
    from rlcore.service.jobs import run_extra

    run_ids = list(run_ids)
    extra = run_extra(store, run_ids[0]) if run_ids else {}
    raw = extra.get("pbt")
    if not isinstance(raw, dict):
        return None
    pbt = PBTConfig.from_json(raw)
    folder = pbt_dir(store, str(extra.get("batch")))

    def make(runs: list[RunConfig], algos: list[AlgoConfig], **kw: Any) -> PBTTrainer:
        folder.mkdir(parents=True, exist_ok=True)
        log = EventLog(folder / EVENTS)
        mlogs = [EventLog(store.path(rid) / MEMBER_EVENTS) for rid in run_ids]
        try:
            return PBTTrainer(runs, algos, pbt, log, mlogs, on_event, run_ids=run_ids, **kw)
        except BaseException:
            for lg in (log, *mlogs):
                lg.close()
            raise

    return make


def run_pbt(
    run: RunConfig,
    algo: AlgoConfig,
    pbt: PBTConfig,
    members: int,
    store: Any = None,
    on_metrics: Callable[[int, Metrics], None] | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    say: Callable[[str], None] | None = None,
    on_batch: Callable[[Any, Path], None] | None = None,
) -> PBTResult:
    """Train ``members`` members of ``run``/``algo`` with PBT here, each as its own run.

    The batch is :func:`pbt_plan`'s (checked before any run is created);
    ``on_batch(batch, folder)`` is called once its runs exist, before training;
    ``on_event(event)`` once each event is written. Returns the summary: each member's
    final return, the best member's schedule and ancestry (written as
    ``<folder>/schedule_best.json`` for ``rlcore train --schedule``).
    """
    from rlcore.service.jobs import JobQueue
    from rlcore.service.runs import RunStore
    from rlcore.service.worker import run_population_job

    store = store or RunStore()
    plan, extra = pbt_plan(run, algo, pbt, members)
    batch = JobQueue(store, dispatch=False).create_batch(plan, extra=extra, population=True)
    folder = pbt_dir(store, batch.id)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"batch": batch.id, "runs": list(batch.runs), **extra}
    meta.update(run=to_dict(run), algo=to_dict(algo))
    (folder / "pbt.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    if on_batch is not None:
        on_batch(batch, folder)
    make = pbt_trainer_for(store, batch.runs, on_event)
    statuses = run_population_job(list(batch.runs), store, on_metrics, say=say, make_trainer=make)
    return _summary(store, batch, folder, run, PBTConfig.from_json(extra["pbt"]), statuses)


def _summary(
    store: Any, batch: Any, folder: Path, run: RunConfig, pbt: PBTConfig, statuses: list[str]
) -> PBTResult:
    """The best member (final evaluation return), its schedule written as a file."""
    ids = list(batch.runs)
    returns = [store.status(rid).get("eval_return") for rid in ids]
    ranked = [(-math.inf if r is None else r, -i) for i, r in enumerate(returns)]
    best = -max(ranked)[1]
    hist = replay(read_events(folder / EVENTS))
    sched, anc = hist.schedules[best], hist.ancestry[best]
    seed = hist.seeds.get(anc[0][1], run.seed + best)
    meta = {
        "algo": run.algo,
        "env": run.env,
        "steps": run.steps,
        "seed": seed,
        "member": best,
        "run": ids[best],
        "params": list(pbt.params),
        "ancestry": [list(a) for a in anc],
    }
    path = write_schedule(folder / "schedule_best.json", sched, meta)
    return PBTResult(batch.id, ids, statuses, returns, best, sched, anc, folder, path, seed)
