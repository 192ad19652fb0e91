"""The Train and Offline pages' setup as plain data: read from the URL, validated, written back.

No Streamlit here. ``ui/forms.py`` draws the widgets of a :class:`Draft` and the errors of
the :class:`Setup` that :func:`validate` makes of it; ``tests/test_setup_model.py`` covers
this module with plain unit tests.

- :func:`from_query` reads a link's query parameters into a ``Draft`` (plus notices about
  what it had to ignore), :func:`validate` checks a ``Draft`` with ``rlcore`` itself
  (``coerce``/``from_dict`` one field at a time, then ``make_configs`` and the experiment's
  plan) and returns the per-field errors, and :func:`to_query` renders a ``Draft`` back into
  query parameters: only values that differ from the preset (or defaults), so links stay short.
- An experiment mode (single run, N seeds, sweep, search) is a :class:`Mode` in
  :data:`MODES`: the URL fields it owns, how it reads them, writes them and turns a validated
  run into a plan (search: into an Optuna study's spec, ``rlcore.search``). A new mode is
  one more subclass registered there (and its widgets in ``ui/forms.py``; the search's in
  ``ui/search.py``).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rlcore.core.config import AlgoConfig, HParam, RunConfig, coerce, from_dict, hparams
from rlcore.core.device import resolve_device
from rlcore.core.envs import ENVIRONMENTS, env_ids, env_spec
from rlcore.search.study import PRUNERS, SAMPLERS, StudySpec, make_spec
from rlcore.service.jobs import Plan, parse_values, seed_plan, sweep_plan
from rlcore.train.checks import check_run
from rlcore.train.presets import compatible_algos, make_configs

__all__ = [
    "APP_RUN_DEFAULTS",
    "MAX_SEEDS",
    "MODES",
    "Draft",
    "Experiment",
    "Mode",
    "Notice",
    "Setup",
    "algo_params",
    "available_envs",
    "base_configs",
    "env_error",
    "fmt_value",
    "from_query",
    "has_preset",
    "run_params",
    "suggest_values",
    "to_query",
    "validate",
]

# App defaults that differ from RunConfig's: one torch thread per worker, since the
# queue already runs up to one worker per core.
APP_RUN_DEFAULTS: dict[str, Any] = {"threads": 1}
RUN_MAIN = ("seed", "steps")  # run settings shown beside the algorithm, not in "advanced"
RUN_HIDDEN = ("algo", "env", "dataset")  # own select boxes; datasets are for offline
PRESET_RUN = ("steps", "eval_every", "eval_episodes", "log_every")  # reset with the preset
MAX_SEEDS = 20
DEFAULT_SEEDS = 3
DEFAULT_TRIALS = 20

Notice = tuple[str, dict[str, str]]  # a ui/text key and its format values


# -- the data ------------------------------------------------------------------------
@dataclass
class Experiment:
    """How many runs a setup becomes: the mode and its own fields, as typed."""

    mode: str = "single"
    seeds: int = DEFAULT_SEEDS  # seeds ("seeds"), seeds per value ("sweep") or per trial
    param: str | None = None  # the swept hyperparameter
    values: str | None = None  # its values, as text ("1e-3, 3e-3")
    # search: the hyperparameters searched, their ranges as typed (default: the window
    # around the base value), trials, sampler, pruning, and the study being watched
    params: list[str] = field(default_factory=list)
    ranges: dict[str, str] = field(default_factory=dict)
    trials: int = DEFAULT_TRIALS
    sampler: str = "tpe"
    prune: bool = True
    study: str | None = None
    # population-based training: ``params`` are the evolved hyperparameters; members,
    # interval and quantile as typed (``ui/pbt_model.py``)
    pbt: dict[str, str] = field(default_factory=dict)


@dataclass
class Draft:
    """A page's setup as typed, before validation.

    ``run`` and ``hp`` map field names to raw values (widget values, URL text or typed
    values); a field left out takes the preset's (or the default's) value.
    """

    env: str
    algo: str
    preset: bool = True
    dataset: str | None = None  # the Offline page's dataset (its env is ``env``)
    run: dict[str, Any] = field(default_factory=dict)
    hp: dict[str, Any] = field(default_factory=dict)
    exp: Experiment = field(default_factory=Experiment)

    @property
    def offline(self) -> bool:
        return self.dataset is not None

    @property
    def setting(self) -> str:
        return "offline" if self.offline else "online"


@dataclass
class Setup:
    """A validated draft: its configs and plan, or the errors per field."""

    env: str
    algo: str
    preset: bool
    run: RunConfig | None = None
    algo_cfg: AlgoConfig | None = None
    plan: Plan | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message
    query: dict[str, str] = field(default_factory=dict)  # the URL of this setup
    mode: str = "single"
    study: StudySpec | None = None  # search mode: the study to create (named at its start)
    extra: dict[str, Any] | None = None  # tags every run carries (PBT: its settings)

    @property
    def ok(self) -> bool:
        return not self.errors and (self.plan is not None or self.study is not None)


# -- the fields ----------------------------------------------------------------------
def fmt_value(value: Any) -> str:
    """A value as text for the URL, tables and sweep fields."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def has_preset(env: str, algo: str) -> bool:
    """Whether the environment's catalogue entry has a tuned preset for the algorithm."""
    return algo in env_spec(env).presets


def base_configs(d: Draft) -> tuple[RunConfig, AlgoConfig]:
    """The configs a draft's fields start from: defaults <- preset (if used and known)."""
    run = dict(APP_RUN_DEFAULTS, dataset=d.dataset) if d.dataset else APP_RUN_DEFAULTS
    use = d.preset and has_preset(d.env, d.algo)
    return make_configs(d.algo, d.env, None, run, use_preset=use)


def run_params() -> list[HParam]:
    """The run settings a page shows, the main ones (seed, steps) first."""
    params = [p for p in hparams(RunConfig) if p.name not in RUN_HIDDEN]
    return [p for p in params if p.name in RUN_MAIN] + [p for p in params if p.name not in RUN_MAIN]


def algo_params(cls: type, offline: bool = False) -> list[HParam]:
    """The hyperparameters a page shows for an algorithm config class.

    Offline: no data-collection settings (replay size, warm-up, exploration noise); never
    a field the algorithm does not use (its config's ``unused``, e.g. BC's gamma).
    """
    unused = getattr(cls, "unused", ())
    return [p for p in hparams(cls) if not (offline and p.online_only) and p.name not in unused]


def suggest_values(p: HParam, v: Any) -> str:
    """Sensible sweep values around the current one."""
    if p.type is bool:
        return "true, false"
    if p.choices is not None:
        return ", ".join(str(c) for c in p.choices)
    if typing.get_origin(p.type) is tuple:
        return "; ".join(["64", "64,64", "256,256"])
    if p.type in (int, float) and p.log:
        factors = (0.1, 0.3, 1, 3, 10) if p.type is float else (0.25, 0.5, 1, 2, 4)
        vals = []
        for f in factors:
            x = v * f
            x = round(x) if p.type is int else float(f"{x:.2g}")
            if (p.low is None or x >= p.low) and (p.high is None or x <= p.high) and x not in vals:
                vals.append(x)
        return ", ".join(fmt_value(x) if p.type is int else f"{x:g}" for x in vals)
    if p.type in (int, float) and p.low is not None and p.high is not None:
        lo, hi = p.low, p.high
        vals = sorted({v, *(lo + (hi - lo) * q for q in (0.25, 0.5, 0.75))})
        if p.type is int:
            vals = sorted({round(x) for x in vals})
        return ", ".join(f"{x:g}" for x in vals)
    return fmt_value(v)


# -- experiment modes ----------------------------------------------------------------
class Mode:
    """A single run: one plan entry, no URL fields of its own.

    Subclasses own more URL fields (``fields``): :meth:`read` parses one of them into the
    experiment, :meth:`query` writes them back, :meth:`plan` makes the runs. A
    ``ValueError`` from :meth:`plan` is shown under the field named by ``error_field``.
    """

    name = "single"
    fields: tuple[str, ...] = ()
    error_field = "setup"

    def read(self, exp: Experiment, name: str, raw: str, params: Sequence[str]) -> None:
        """Parse URL field ``name`` into ``exp``; ``ValueError`` naming the field if bad."""
        raise ValueError(f"{name} = {raw!r}: not a field of mode {self.name}")

    def query(self, exp: Experiment) -> dict[str, str]:
        """The URL fields of this experiment (``mode`` included, except for the default)."""
        return {}

    def plan(self, run: RunConfig, algo: AlgoConfig, exp: Experiment) -> Plan:
        """The runs of a validated setup; ``ValueError`` if the mode's fields are bad."""
        return seed_plan(run, algo, 1)

    def apply(self, setup: Setup, d: Draft) -> None:
        """Put what the validated setup becomes into ``setup`` (its plan); ``ValueError``."""
        assert setup.run is not None and setup.algo_cfg is not None
        setup.plan = self.plan(setup.run, setup.algo_cfg, d.exp)


class SeedsMode(Mode):
    """N copies of one setup with consecutive seeds."""

    name = "seeds"
    fields = ("seeds",)
    error_field = "sweep"

    def read(self, exp: Experiment, name: str, raw: str, params: Sequence[str]) -> None:
        if name != "seeds":
            super().read(exp, name, raw, params)
        try:
            n = int(raw)
        except ValueError:
            n = 0
        if not 1 <= n <= MAX_SEEDS:
            raise ValueError(f"seeds = {raw!r} (allowed: 1 to {MAX_SEEDS})")
        exp.seeds = n

    def query(self, exp: Experiment) -> dict[str, str]:
        return {"mode": self.name, "seeds": str(exp.seeds)}

    def plan(self, run: RunConfig, algo: AlgoConfig, exp: Experiment) -> Plan:
        return seed_plan(run, algo, exp.seeds)


class SweepMode(SeedsMode):
    """One hyperparameter over a list of values, each with N seeds."""

    name = "sweep"
    fields = ("seeds", "sweep", "values")

    def read(self, exp: Experiment, name: str, raw: str, params: Sequence[str]) -> None:
        if name == "sweep":
            if raw not in params:
                raise ValueError(f"sweep = {raw!r} (allowed: {', '.join(params)})")
            exp.param = raw
        elif name == "values":
            exp.values = raw
        else:
            super().read(exp, name, raw, params)

    def query(self, exp: Experiment) -> dict[str, str]:
        return {**super().query(exp), "sweep": exp.param or "", "values": exp.values or ""}

    def plan(self, run: RunConfig, algo: AlgoConfig, exp: Experiment) -> Plan:
        values = parse_values(type(algo), exp.param or "", exp.values or "")
        return sweep_plan(run, algo, exp.param or "", values, exp.seeds)


def _bool(name: str, raw: str) -> bool:
    if raw.lower() not in ("1", "0", "true", "false"):
        raise ValueError(f"{name} = {raw!r} (allowed: true, false)")
    return raw.lower() in ("1", "true")


def _ranges_text(ranges: Mapping[str, str]) -> str:
    return "|".join(f"{k}={v}" for k, v in ranges.items())


class SearchMode(Mode):
    """An Optuna study: the ticked hyperparameters over their ranges, trials x seeds.

    URL fields: ``search`` (the hyperparameters, comma-separated), ``ranges``
    (``lr=1e-4:1e-2|hidden=64;64,64``: only ranges changed from the default window),
    ``trials``, ``seeds`` (per trial), ``sampler``, ``prune`` and ``study`` (the study
    the page shows). Validation builds the study's spec with ``rlcore.search``, whose
    message names the field (a parameter, a range and its bounds, trials, seeds).
    """

    name = "search"
    fields = ("search", "ranges", "trials", "seeds", "sampler", "prune", "study")
    error_field = "search"

    def read(self, exp: Experiment, name: str, raw: str, params: Sequence[str]) -> None:
        if name == "search":
            names = [p.strip() for p in raw.split(",") if p.strip()]
            bad = [p for p in names if p not in params]
            if bad:
                raise ValueError(f"search = {bad[0]!r} (allowed: {', '.join(params)})")
            exp.params = names
        elif name == "ranges":
            for part in raw.split("|"):
                key, sep, text = part.partition("=")
                if not sep or key.strip() not in params:
                    raise ValueError(f"ranges = {raw!r} (allowed: NAME=RANGE|...)")
                exp.ranges[key.strip()] = text.strip()
        elif name == "trials":
            try:
                exp.trials = int(raw)
            except ValueError:
                raise ValueError(f"trials = {raw!r} (allowed: a whole number)") from None
        elif name == "sampler":
            if raw not in SAMPLERS:
                raise ValueError(f"sampler = {raw!r} (allowed: {', '.join(SAMPLERS)})")
            exp.sampler = raw
        elif name == "prune":
            exp.prune = _bool(name, raw)
        elif name == "study":
            exp.study = raw
        else:
            super().read(exp, name, raw, params)

    def query(self, exp: Experiment) -> dict[str, str]:
        q = {"mode": self.name, "search": ",".join(exp.params)}
        ranges = {k: v for k, v in exp.ranges.items() if k in exp.params}
        if ranges:
            q["ranges"] = _ranges_text(ranges)
        q.update(trials=str(exp.trials), seeds=str(exp.seeds), sampler=exp.sampler)
        q["prune"] = "true" if exp.prune else "false"
        if exp.study:
            q["study"] = exp.study
        return q

    def apply(self, setup: Setup, d: Draft) -> None:
        assert setup.run is not None and setup.algo_cfg is not None
        run = dataclasses.asdict(setup.run)
        for k in ("algo", "env"):
            run.pop(k)
        setup.study = make_spec(
            "draft",  # named when it starts
            d.algo,
            d.env,
            d.exp.params,
            ranges={k: v for k, v in d.exp.ranges.items() if k in d.exp.params},
            trials=d.exp.trials,
            seeds=d.exp.seeds,
            sampler=d.exp.sampler,
            pruner=PRUNERS[0] if d.exp.prune else "none",
            hp=dataclasses.asdict(setup.algo_cfg),
            run=run,
            use_preset=setup.preset,
        )


class PBTMode(Mode):
    """Population-based training: ``members`` runs whose ``evolve`` hyperparameters move.

    URL fields: ``evolve`` (comma-separated), ``members``, ``interval`` (steps between
    ready points), ``quantile``. The plan and its ``pbt`` tag are
    :func:`rlcore.service.pbt.pbt_plan`'s, whose one-line message names the bad field.
    """

    name = "pbt"
    fields = ("evolve", "members", "interval", "quantile")
    error_field = "pbt"

    def read(self, exp: Experiment, name: str, raw: str, params: Sequence[str]) -> None:
        if name == "evolve":
            names = [p.strip() for p in raw.split(",") if p.strip()]
            bad = [p for p in names if p not in params]
            if bad:
                raise ValueError(f"evolve = {bad[0]!r} (allowed: {', '.join(params)})")
            exp.params = names
        elif name in self.fields:
            exp.pbt[name] = raw
        else:
            super().read(exp, name, raw, params)

    def query(self, exp: Experiment) -> dict[str, str]:
        q = {"mode": self.name, "evolve": ",".join(exp.params)}
        q.update(members="4", interval="", quantile="0.25")  # ui/pbt_model.py's defaults
        return {**q, **exp.pbt}

    def apply(self, setup: Setup, d: Draft) -> None:
        from ui.pbt_model import pbt_setup

        assert setup.run is not None and setup.algo_cfg is not None
        setup.plan, setup.extra = pbt_setup(setup.run, setup.algo_cfg, d.exp)


MODES: dict[str, Mode] = {
    m.name: m for m in (Mode(), SeedsMode(), SweepMode(), SearchMode(), PBTMode())
}


def _mode_of_field(name: str) -> Mode | None:
    return next((m for m in MODES.values() if name in m.fields), None)


# -- from the URL --------------------------------------------------------------------
def _pick_dataset(
    q: dict[str, str], datasets: Mapping[str, str], notices: list[Notice]
) -> str | None:
    """The Offline page's dataset from the URL (or the first one that suits ``?algo=``)."""
    dataset = q.pop("dataset", None)
    if dataset is not None and dataset not in datasets:
        notices.append(("url.bad_dataset", {"value": dataset}))
        dataset = None
    if dataset is None and datasets:
        algo = q.get("algo")
        fits = [d for d, env in datasets.items() if algo in compatible_algos(env, "offline")]
        dataset = (fits or list(datasets))[0]
    return dataset


def available_envs() -> list[str]:
    """The environments to offer: the catalogue, then the custom ones (local profile).

    The catalogue alone while ``RLCORE_ENV_MODULES`` names a module that does not import
    (:func:`env_error` says why).
    """
    try:
        return env_ids()
    except ValueError:
        return list(ENVIRONMENTS)


def env_error() -> str | None:
    """Why the custom environments cannot be offered (a broken module), or ``None``."""
    try:
        env_ids()
    except ValueError as e:
        return str(e)
    return None


def _pick_env(q: dict[str, str], notices: list[Notice]) -> str:
    env = q.pop("env", None)
    if env is not None and env not in available_envs():
        notices.append(("url.bad_env", {"value": env}))
        env = None
    return env or next(iter(ENVIRONMENTS))


def from_query(
    query: Mapping[str, str], offline: bool = False, datasets: Mapping[str, str] | None = None
) -> tuple[Draft | None, list[Notice]]:
    """A link's setup, and a notice for each value it had to ignore (the default is used).

    ``datasets`` maps the local dataset ids to their environments (the Offline page);
    without any, an offline draft is ``None``. Values are checked one at a time against the
    base (preset or defaults), so one bad value does not spoil the others.
    """
    q = dict(query)
    q.pop("batch", None)  # the live view reads it
    notices: list[Notice] = []
    dataset = None
    if offline:
        dataset = _pick_dataset(q, datasets or {}, notices)
        if dataset is None:
            return None, notices
        env = (datasets or {})[dataset]
    else:
        env = _pick_env(q, notices)
    algos = compatible_algos(env, "offline" if offline else "online")
    algo = q.pop("algo", None)
    if algo is not None and algo not in algos:
        where = dataset or env
        notices.append(("url.bad_algo", {"value": algo, "env": where, "allowed": ", ".join(algos)}))
        algo = None
    preset = q.pop("preset", "true")
    if preset.lower() not in ("1", "0", "true", "false"):
        notices.append(("url.bad_value", {"name": "preset", "value": preset}))
        preset = "true"
    d = Draft(env, algo or algos[0], preset.lower() in ("1", "true"), dataset)
    run_base, algo_base = base_configs(d)
    runs = {p.name for p in run_params()}
    hps = [p.name for p in algo_params(type(algo_base), offline)]
    for name, raw in q.items():
        try:
            if name in runs:
                d.run[name] = getattr(from_dict(RunConfig, {name: raw}, base=run_base), name)
            elif name in hps:
                d.hp[name] = getattr(from_dict(type(algo_base), {name: raw}, base=algo_base), name)
            elif name == "mode":
                if raw not in MODES:
                    raise ValueError(f"mode = {raw!r} (allowed: {', '.join(MODES)})")
                d.exp.mode = raw
            elif (mode := _mode_of_field(name)) is not None:
                mode.read(d.exp, name, raw, hps)
            else:
                notices.append(("url.unknown", {"name": name}))
        except ValueError as e:
            notices.append(("url.bad_field", {"error": str(e)}))
    return d, notices


# -- validation ----------------------------------------------------------------------
def _field_of(message: str, names: Sequence[str]) -> str | None:
    """Which field a ``ValueError`` message names (``Cls.field = ...`` or ``field = ...``)."""
    m = re.match(r"^(?:\w+\.)?(\w+) =", message)
    if m and m.group(1) in names:
        return m.group(1)
    return None


def _check_fields(
    raw: Mapping[str, Any], params: list[HParam], cls: type, base: Any, errors: dict[str, str]
) -> dict[str, Any]:
    """Each raw value coerced and checked alone, so each message names its own field."""
    values: dict[str, Any] = {}
    for p in params:
        if p.name not in raw:
            continue
        try:
            v = coerce(p, raw[p.name])
            from_dict(cls, {p.name: v}, base=base)
            values[p.name] = v
        except ValueError as e:
            errors[p.name] = str(e)
    return values


def validate(d: Draft) -> Setup:
    """Check a draft with ``rlcore``: its configs, its plan and its URL, or the errors.

    ``errors`` maps a field name (a run setting, a hyperparameter, ``sweep`` for the
    experiment's fields, or ``setup`` for a message that names no field) to the message.
    """
    preset = d.preset and has_preset(d.env, d.algo)
    setup = Setup(d.env, d.algo, preset)
    run_base, algo_base = base_configs(d)
    rps, aps = run_params(), algo_params(type(algo_base), d.offline)
    run_values = _check_fields(d.run, rps, RunConfig, run_base, setup.errors)
    algo_values = _check_fields(d.hp, aps, type(algo_base), algo_base, setup.errors)
    if not setup.errors:
        fixed = {"algo": d.algo, "env": d.env, **({"dataset": d.dataset} if d.dataset else {})}
        try:
            # every shown field, as the widgets would give it (offline: no online-only ones)
            hp = {p.name: getattr(algo_base, p.name) for p in aps} | algo_values
            given = {p.name: getattr(run_base, p.name) for p in rps} | run_values | fixed
            run, cfg = make_configs(d.algo, d.env, hp, given, use_preset=False)
            check_run(run, cfg)  # settings that must fit together (a warm-up within the run)
            resolve_device(run.device)
            setup.run, setup.algo_cfg = run, cfg
        except ValueError as e:
            name = _field_of(str(e), [p.name for p in rps + aps]) or "setup"
            setup.errors[name] = str(e)
    mode = MODES[d.exp.mode]
    setup.mode = mode.name
    if setup.run is not None and setup.algo_cfg is not None:
        try:
            mode.apply(setup, d)
        except ValueError as e:
            setup.errors[mode.error_field] = str(e)
    setup.query = _query(
        d, preset, (run_base, run_values), (algo_base, algo_values), mode, setup.errors
    )
    return setup


def _query(
    d: Draft,
    preset: bool,
    run: tuple[RunConfig, dict[str, Any]],
    algo: tuple[AlgoConfig, dict[str, Any]],
    mode: Mode,
    errors: Mapping[str, str],
) -> dict[str, str]:
    """The URL of a draft: what differs from the preset (or the defaults), so links stay short.

    Fields with an error are left out (the link keeps the base value); the experiment's
    fields are kept as typed, so a link shares a sweep that is still being written.
    """
    q = {"dataset": d.dataset, "algo": d.algo} if d.dataset else {"env": d.env, "algo": d.algo}
    if not preset and has_preset(d.env, d.algo):
        q["preset"] = "false"
    for base, values in (run, algo):
        b = dataclasses.asdict(base)
        q.update({n: fmt_value(v) for n, v in values.items() if v != b[n] and n not in errors})
    q.update(mode.query(d.exp))
    return q


def to_query(d: Draft) -> dict[str, str]:
    """A draft as query parameters (what :func:`from_query` reads back)."""
    return validate(d).query
