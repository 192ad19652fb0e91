"""Optuna studies over ``hp()`` search spaces: the spec, the storage, samplers and pruners.

A study is described once, by a :class:`StudySpec` (algorithm, environment or dataset,
the fixed settings, the search space, trials, seeds per trial, sampler, pruner), which is
validated before anything is written and kept in the study itself (Optuna's user
attributes), so any process that can open the storage can resume or show it.

Objective: the mean over the trial's seeds of each run's final evaluation return
(``eval/return_mean`` at the last step), maximised. Intermediate values: at every
evaluation step, the mean over seeds of the evaluation return there; the pruner reads
them. Who trains the runs, and how they are reported, is the service layer's part
(``rlcore.service.studies``).

Storage: any SQLAlchemy URL Optuna's ``RDBStorage`` accepts; by default an SQLite file
inside the runs folder (``<runs>/.studies/studies.db``), so a study survives restarts
and lives with its runs.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlcore.algos.registry import get_algo
from rlcore.core.config import AlgoConfig, RunConfig, from_dict, short_repr, to_dict
from rlcore.core.ids import check_name
from rlcore.core.settings import get_settings
from rlcore.search.space import SearchSpace, build_space
from rlcore.train.checks import check_run
from rlcore.train.presets import make_configs

__all__ = [
    "MAX_SEEDS",
    "PRUNERS",
    "SAMPLERS",
    "StudySpec",
    "default_storage_url",
    "make_pruner",
    "make_sampler",
    "make_spec",
    "open_storage",
    "trial_configs",
    "trial_overrides",
    "validate_study_name",
]

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "halving", "none")
MAX_SEEDS = 10  # seeds per trial
STUDIES_DIR = ".studies"


def validate_study_name(name: Any) -> str:
    """A study name: the shared id rule of ``rlcore.core.ids`` (the one door for ids)."""
    return check_name(
        name, "study", "a valid study name", "list them with python -m rlcore tune list"
    )


def default_storage_url(runs_root: Path) -> str:
    """The SQLite storage inside a runs folder (absolute: it names the same file anywhere)."""
    return f"sqlite:///{(Path(runs_root) / STUDIES_DIR / 'studies.db').resolve()}"


STORAGE_HELP = (
    "an SQLAlchemy database URL Optuna can open, e.g. sqlite:////shared/studies.db or "
    "postgresql://user:password@host/db"
)


def open_storage(url: str) -> Any:
    """Optuna's ``RDBStorage`` on ``url``, connected and checked.

    Raises:
        ValueError: the URL is malformed, its driver is missing, or the database cannot
            be reached (the message names ``storage`` and what a URL looks like). An
            SQLite file is created only when its folder exists and is writable.
    """
    import optuna

    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"storage = {short_repr(url)}: empty (allowed: {STORAGE_HELP})")
    url = url.strip()
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1] if ":///" in url else ""
        if path and path != ":memory:" and not Path(path).parent.is_dir():
            raise ValueError(
                f"storage = {short_repr(url)}: the folder {Path(path).parent} does not exist "
                f"(allowed: {STORAGE_HELP})"
            )
        # several processes (a driver, the app, the CLI) read and write one file: wait on
        # a lock for up to a minute rather than fail at once
        kwargs = {"connect_args": {"timeout": 60}}
    else:
        kwargs = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 10}}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
    except Exception as e:  # sqlalchemy's ArgumentError, OperationalError, a missing driver
        why = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise ValueError(
            f"storage = {short_repr(url)}: cannot open it: {why} (allowed: {STORAGE_HELP})"
        ) from None


@dataclass(frozen=True)
class StudySpec:
    """Everything that defines a study (validated by :func:`make_spec`)."""

    name: str
    algo: str
    env: str
    run: dict[str, Any]  # the base RunConfig (seed = the first trial seed)
    hp: dict[str, Any]  # the base algorithm config (preset + fixed overrides)
    space: SearchSpace
    trials: int
    seeds: int = 1
    sampler: str = "tpe"
    pruner: str = "median"
    sampler_seed: int = 0
    preset: bool = True
    created: float = field(default_factory=time.time)

    @property
    def base(self) -> tuple[RunConfig, AlgoConfig]:
        """The base configs every trial starts from."""
        run = from_dict(RunConfig, self.run)
        return run, from_dict(get_algo(self.algo).config_cls, self.hp)

    @property
    def dataset(self) -> str:
        return str(self.run.get("dataset") or "")

    @property
    def steps(self) -> int:
        return int(self.run["steps"])

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["space"] = self.space.to_json()
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StudySpec:
        d = dict(d)
        d["space"] = SearchSpace.from_json(d["space"])
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def _check_int(name: str, value: Any, low: int, high: int, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise ValueError(
                f"{name} = {short_repr(value)}: not a whole number (allowed: {low} to {high})"
            ) from None
    if not low <= value <= high:
        raise ValueError(f"{name} = {value}: out of range (allowed: {low} to {high}{why})")
    return value


def make_spec(
    name: str,
    algo: str,
    env: str,
    params: list[str],
    *,
    ranges: dict[str, str] | None = None,
    trials: int = 20,
    seeds: int = 1,
    sampler: str = "tpe",
    pruner: str = "median",
    hp: dict[str, Any] | None = None,
    run: dict[str, Any] | None = None,
    use_preset: bool = True,
    sampler_seed: int = 0,
) -> StudySpec:
    """A validated study spec; ``ValueError`` naming the field and its allowed values.

    ``hp`` and ``run`` are fixed overrides of the preset (or defaults), as for a single
    run. Without ``run["eval_every"]`` the study evaluates ten times a run (the points
    the pruner compares trials at); without ``run["threads"]`` each run gets one thread
    (trials train in parallel, one per worker slot).
    """
    validate_study_name(name)
    if sampler not in SAMPLERS:
        raise ValueError(
            f"sampler = {short_repr(sampler)}: unknown (allowed: {', '.join(SAMPLERS)})"
        )
    if pruner not in PRUNERS:
        raise ValueError(f"pruner = {short_repr(pruner)}: unknown (allowed: {', '.join(PRUNERS)})")
    limit = get_settings().max_study_trials
    trials = _check_int("trials", trials, 1, limit, " trials per study; RLCORE_MAX_STUDY_TRIALS")
    seeds = _check_int("seeds", seeds, 1, MAX_SEEDS, " seeds per trial")
    run_over = dict(run or {})
    run_over.setdefault("threads", 1)
    run_cfg, algo_cfg = make_configs(algo, env, hp, run_over, use_preset=use_preset)
    if "eval_every" not in run_over:
        run_cfg = dataclasses.replace(run_cfg, eval_every=max(1, run_cfg.steps // 10))
    if run_cfg.threads == 0:
        raise ValueError(
            "RunConfig.threads = 0: a study needs a fixed thread count per run, its CPU "
            "demand on a cluster (allowed: 1 to 256)"
        )
    check_run(run_cfg, algo_cfg)
    offline = get_algo(algo).setting == "offline"
    space = build_space(algo_cfg, list(params), ranges, offline=offline)
    if sampler == "grid" and trials > space.grid_size():
        raise ValueError(
            f"trials = {trials}: the grid of {', '.join(space.names)} has "
            f"{space.grid_size()} points (allowed: 1 to {space.grid_size()} with the grid sampler)"
        )
    sampler_seed = _check_int("sampler_seed", sampler_seed, 0, 2**31 - 1)
    return StudySpec(
        name=name,
        algo=algo,
        env=env,
        run=to_dict(run_cfg),
        hp=to_dict(algo_cfg),
        space=space,
        trials=trials,
        seeds=seeds,
        sampler=sampler,
        pruner=pruner,
        sampler_seed=sampler_seed,
        preset=use_preset,
    )


def trial_configs(spec: StudySpec, params: dict[str, Any]) -> list[tuple[RunConfig, AlgoConfig]]:
    """The runs of one trial: its sampled values on the base config, once per seed.

    Raises ``ValueError`` when the sampled values do not fit together (e.g. a final ε
    above the initial one); the study then records that trial as failed.
    """
    run, algo = spec.base
    cfg = dataclasses.replace(algo, **spec.space.values(params))
    out = [(dataclasses.replace(run, seed=run.seed + i), cfg) for i in range(spec.seeds)]
    for r, a in out:
        check_run(r, a)
    return out


def make_sampler(spec: StudySpec, n_done: int = 0) -> Any:
    """The spec's sampler, seeded so that a resumed study does not replay its first draws.

    TPE starts with ``max(2, min(10, trials // 4))`` random trials before it models the
    results (Optuna's default is 10, a whole small study).
    """
    import optuna

    seed = spec.sampler_seed + n_done
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if spec.sampler == "grid":
        return optuna.samplers.GridSampler(spec.space.grid(), seed=seed)
    startup = max(2, min(10, spec.trials // 4))
    return optuna.samplers.TPESampler(n_startup_trials=startup, seed=seed, multivariate=True)


def make_pruner(spec: StudySpec) -> Any:
    """The spec's pruner, in units of environment (offline: gradient) steps.

    median: after ``max(2, trials // 5)`` complete trials, stop a trial whose best
    evaluation so far is below the median of the complete trials at the same step,
    from its second evaluation on. halving: asynchronous successive halving, rungs from
    the second evaluation on, keeping the best third at each rung.
    """
    import optuna

    every = int(spec.run["eval_every"])
    if spec.pruner == "none":
        return optuna.pruners.NopPruner()
    if spec.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=2 * every, reduction_factor=3)
    return optuna.pruners.MedianPruner(
        n_startup_trials=max(2, spec.trials // 5), n_warmup_steps=2 * every
    )


def mean_or_nan(values: list[float]) -> float:
    """The mean of finite values (NaN if there are none)."""
    vals = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    return sum(vals) / len(vals) if vals else math.nan


def trial_overrides(spec: StudySpec, params: dict[str, Any]) -> tuple[dict, dict]:
    """``(run, hp)``: what a trial sets that differs from the preset (or the defaults).

    What a link to the Train page or ``train --set`` needs to reproduce the trial's
    configuration (one seed: the first).
    """
    run, algo = trial_configs(spec, params)[0]
    over = {"dataset": spec.dataset} if spec.dataset else None
    ref_run, ref_algo = make_configs(spec.algo, spec.env, None, over, use_preset=spec.preset)
    run_d, ref_r = to_dict(run), to_dict(ref_run)
    algo_d, ref_a = to_dict(algo), to_dict(ref_algo)
    skip = ("algo", "env", "dataset")
    run_diff = {k: v for k, v in run_d.items() if k not in skip and v != ref_r[k]}
    return run_diff, {k: v for k, v in algo_d.items() if v != ref_a[k]}
