"""The course: the study notes' questions in their order, each with its explorer and a real run.

A *topic* is one question of the notes, answered by one explorer section (a Learn page and
an anchor) and, where the idea shows in training, by an *experiment*: a few real runs
started in one click (e.g. TD3 against DDPG on Pendulum for clipped double Q), whose result
the topic draws and reads out in words, over the learner's prediction.

Progress (the topics seen, the experiments started, the predictions) is kept in the
session and in the URL of the Home page (``?topic=cdq&seen=rand,dqn&runs=cdq:BATCH+BATCH``),
so a refresh or a shared link finds it again. The verdicts are pure functions of the runs'
metrics (tested), the rest draws them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rlcore.learn import verdicts
from rlcore.learn.verdicts import NO_DATA, TIE, Verdict

__all__ = [
    "EXPERIMENTS",
    "NO_DATA",
    "TIE",
    "TOPICS",
    "Experiment",
    "Topic",
    "Verdict",
    "experiment_plans",
    "rep_experiment",
    "topic",
    "verdict",
]


@dataclass(frozen=True)
class RunSpec:
    """One configuration of an experiment (``env=None``: the dataset's environment)."""

    algo: str
    env: str | None
    steps: int
    hp: dict[str, Any] = field(default_factory=dict)
    seeds: int = 1
    run: dict[str, Any] = field(default_factory=dict)  # RunConfig overrides (log_every, ...)


@dataclass(frozen=True)
class Experiment:
    """Real runs that show one idea; ``options`` are the answers a learner may predict."""

    id: str
    runs: tuple[RunSpec, ...]
    options: tuple[str, ...]
    offline: bool = False
    local: bool = False  # computed in the page (no training run)
    slow: bool = False  # the effect may not show within the lesson's budget: said before Start
    quiet_s: int | None = None  # measured: seconds to the verdict on two idle cores (benchmark)


@dataclass(frozen=True)
class Topic:
    """One question of the notes: its explorer (``key`` prefixes the explorer's texts)."""

    id: str
    section: str
    key: str  # e.g. "lv.cdq": title, question (and correction) text keys of the explorer
    page: str
    anchor: str
    experiment: str | None = None


# Each experiment runs several seeds of each configuration: its verdict
# (``rlcore.learn.verdicts``) reads the measure per seed and never one seed as a law. The
# budgets are sized so the verdict arrives within about two minutes on two cores
# (``benchmarks/course.py`` measures it and how often the verdict agrees with the claim).
# clipped double Q alone: TD3 without its delayed actor and target smoothing, so the min of
# two critics is the only difference. gamma 0.98 (a 50-step horizon: the bias of each
# bootstrapped max adds up) and fast targets (tau 0.05: the critics follow the policy
# within the budget), five seeds each (the app trains them as one population per
# algorithm), read over the last quarter. Measured (docs/course.md, 5 seed sets): DDPG's
# Q(s0) +13 to +25% above the return, TD3's 15 to 27% under it; at gamma 0.9 and tau 0.005
# (3 seeds, all the run after the warm-up) they were 2 points apart
_SMALL_TD3 = {
    "hidden": (64, 64),
    "learning_starts": 1000,
    "buffer_size": 20_000,
    "gamma": 0.98,
    "tau": 0.05,
}
_CLIP_ONLY = {**_SMALL_TD3, "policy_delay": 1, "target_policy_noise": 0.0}
_OFFLINE = {"hidden": (128, 128), "lr": 1e-3}
_OFFLINE_CQL = {"hidden": (64, 64), "lr": 1e-3, "cql_n_actions": 4}
EXPERIMENTS: dict[str, Experiment] = {
    e.id: e
    for e in [
        # three seeds of one setup: the randomness of pi and p shows as their spread
        Experiment(
            "seeds",
            (RunSpec("dqn", "CartPole-v1", 15_000, seeds=3),),
            ("close", "apart"),
            quiet_s=20,
        ),
        Experiment(
            "dqn",
            # every door alike (rlcore.learn.envs): any Q above the return is the max's bias;
            # on CartPole (15,000 steps) Q(s0) was still climbing, under the return
            (RunSpec("dqn", "NoisyCorridor-v0", 10_000, seeds=3),),
            ("above", "below"),
            quiet_s=5,
        ),
        Experiment(
            "cliff",
            (RunSpec("dqn", "CliffWalking-v1", 50_000, seeds=3),),
            ("short", "safe"),
            quiet_s=19,
        ),
        Experiment(
            "pg",
            (
                # Acrobot (-1 a step until the swing-up): whole-episode returns of a failing
                # policy all look alike, a learned critic tells states apart
                RunSpec("reinforce", "Acrobot-v1", 40_000, seeds=4),
                RunSpec("a2c", "Acrobot-v1", 40_000, seeds=4),
            ),
            ("reinforce", "a2c"),
            quiet_s=38,
        ),
        Experiment(
            "sac",
            # 4,000 steps left the entropy at -0.2 against its target -1 (alpha still falling)
            (RunSpec("sac", "Pendulum-v1", 10_000, {"hidden": (64, 64)}, 3, {"log_every": 250}),),
            ("above", "at", "below"),
            quiet_s=45,
        ),
        Experiment(
            "cdq",
            (
                RunSpec("ddpg", "Pendulum-v1", 6_000, _SMALL_TD3, seeds=5),
                RunSpec("td3", "Pendulum-v1", 6_000, _CLIP_ONLY, seeds=5),
            ),
            ("ddpg", "td3"),
            quiet_s=35,
        ),
        Experiment(
            "offline",
            # 256x256 networks took about 6 min on two idle cores; 128x128 (64x64 for CQL,
            # whose penalty samples actions: the dearest update) and lr 1e-3 reach the
            # same IQL scores within the 3,000 steps (docs/course.md)
            (
                RunSpec("bc", None, 3_000, _OFFLINE, seeds=2),
                RunSpec("cql", None, 3_000, _OFFLINE_CQL, seeds=2),
                RunSpec("iql", None, 3_000, _OFFLINE, seeds=2),
            ),
            ("bc", "cql", "iql"),
            offline=True,
            quiet_s=38,  # the runs; building the dataset first takes about 55 s more
        ),
        # computed here in a second: no training run
        Experiment("rep", (), ("pathwise", "score"), local=True),
    ]
}

# The notes' order: basics and their questions, the online algorithms (DDPG, SAC), the
# offline ones (CQL, IQL, AWR, EDAC), the maths basics, PyTorch.
TOPICS: list[Topic] = [
    Topic("rand", "basics", "lf.rand", "learn_foundations", "randomness", "seeds"),
    Topic("dqn", "basics", "lv.dqn", "learn_value", "dqn", "dqn"),
    Topic("td", "basics", "lf.td", "learn_foundations", "td-learning", "cliff"),
    Topic("pg", "basics", "lp.pg", "learn_policy", "policy-gradient", "pg"),
    Topic("bp", "basics", "lm.bp", "learn_maths", "backprop"),
    Topic("kl", "basics", "lm.kl", "learn_maths", "kl"),
    Topic("rep", "online", "lp.rep", "learn_policy", "reparameterization", "rep"),
    Topic("cdq", "online", "lv.cdq", "learn_value", "clipped-double-q", "cdq"),
    Topic("alpha", "online", "lp.alpha", "learn_policy", "sac-alpha", "sac"),
    Topic("cql", "offline", "lo.cql", "learn_offline", "cql", "offline"),
    Topic("iql", "offline", "lo.iql", "learn_offline", "expectile", "offline"),
    Topic("bc", "offline", "lo.bc", "learn_offline", "bc", "offline"),
    Topic("awr", "offline", "lo.awr", "learn_offline", "awr", "offline"),
    Topic("ens", "offline", "lo.ens", "learn_offline", "ensembles"),
    Topic("lse", "maths", "lv.lse", "learn_value", "lse"),
    Topic("dual", "maths", "lm.dual", "learn_maths", "lagrange", "sac"),
    Topic("occ", "maths", "lf.occ", "learn_foundations", "occupancy"),
    Topic("cov", "maths", "lm.cov", "learn_maths", "covariance"),
    Topic("max", "pytorch", "lm.max", "learn_maths", "tensor-max"),
]
SECTIONS = ("basics", "online", "offline", "maths", "pytorch")
BY_ANCHOR = {tp.anchor: tp for tp in TOPICS}  # the explorers' anchors are unique


def topic(topic_id: str | None) -> Topic | None:
    """The topic of that id (``None`` for an unknown one)."""
    return next((tp for tp in TOPICS if tp.id == topic_id), None)


# -- progress, kept per browser on the server ---------------------------------------------
_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")  # a batch id's characters
LOCAL_RUN = "local"  # the "batch" of an experiment computed in the page
PROGRESS_DIR = ".course"  # in the runs folder (hidden: never read as a run)


def progress_key(cookie: str) -> str:
    """A browser's progress key from its XSRF cookie: the token, unmasked, hashed.

    ``2|mask|masked token|time`` (Tornado's version 2) is unmasked so every page the
    browser gets (each with a fresh mask) maps to one key; any other value is hashed whole.
    """
    parts = cookie.split("|")
    token = cookie.encode()
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            token = bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)) if mask else masked
        except ValueError:
            pass
    return hashlib.sha256(b"rl-course|" + token).hexdigest()[:32]


def _progress_path(key: str) -> Path:
    from rlcore.service.runs import default_runs_dir

    if not key.isalnum():
        raise ValueError(f"progress key = {key!r}: letters and digits only")
    return default_runs_dir() / PROGRESS_DIR / f"{key}.json"


def clean_progress(raw: Any) -> dict[str, Any]:
    """A progress record with only known topics, experiments and options kept."""
    out: dict[str, Any] = {"seen": [], "runs": {}, "pred": {}}
    if not isinstance(raw, dict):
        return out
    seen = raw.get("seen")
    if isinstance(seen, list):
        out["seen"] = list(dict.fromkeys(x for x in seen if isinstance(x, str) and topic(x)))
    runs = raw.get("runs")
    for exp, ids in runs.items() if isinstance(runs, dict) else ():
        if exp in EXPERIMENTS and isinstance(ids, list):
            keep = [b for b in ids if isinstance(b, str) and _ID.fullmatch(b)][:8]
            if keep:
                out["runs"][exp] = keep
    pred = raw.get("pred")
    for exp, opt in pred.items() if isinstance(pred, dict) else ():
        if exp in EXPERIMENTS and opt in EXPERIMENTS[exp].options:
            out["pred"][exp] = opt
    return out


def load_progress(key: str) -> dict[str, Any]:
    """This browser's saved progress (empty when none, or unreadable)."""
    try:
        return clean_progress(json.loads(_progress_path(key).read_text()))
    except (OSError, ValueError):
        return clean_progress(None)


def save_progress(key: str, record: dict[str, Any]) -> bool:
    """Write the progress record atomically; ``False`` when the folder cannot be written."""
    from rlcore.core.files import atomic_write_json

    path = _progress_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(path, clean_progress(record))
    except OSError:
        return False
    return True


def experiment_plans(exp: Experiment, dataset: str | None = None) -> list[Any]:
    """The plans (one per configuration) of an experiment, within this server's limits.

    A budget above the server's step limit is cut to it, the warm-up shrunk in proportion
    (TD3's 10,000 random steps would otherwise fill a 5,000-step run).
    """
    from rlcore.core.settings import get_settings
    from rlcore.service.jobs import seed_plan
    from rlcore.train.presets import make_configs

    plans = []
    for spec in exp.runs:
        steps = min(spec.steps, get_settings().max_steps)
        env, run_over = spec.env, {**spec.run, "steps": steps}
        if dataset is not None:
            from ui.datasets import local_datasets

            env = next(d.env for d in local_datasets() if d.id == dataset)
            run_over["dataset"] = dataset
        run, cfg = make_configs(spec.algo, env, dict(spec.hp), run_over)
        starts = getattr(cfg, "learning_starts", 0)
        if steps < spec.steps and starts:
            cfg = dataclasses.replace(cfg, learning_starts=starts * steps // spec.steps)
        plans.append(seed_plan(run, cfg, spec.seeds))
    return plans


# -- verdicts: what the runs say, read as an experiment ------------------------------
def verdict(
    exp_id: str,
    runs: dict[str, list[pd.DataFrame]],
    starts: dict[str, int] | None = None,
    data_score: float | None = None,
) -> Verdict:
    """What the runs' metrics say about the experiment's claim (``rlcore.learn.verdicts``).

    ``runs`` maps each algorithm of the experiment to its seeds' metrics, ``starts`` to
    its ``learning_starts`` (evaluations before it are warm-up and not read);
    ``data_score`` (offline) the normalised score of the dataset's own mean return, which
    the result sets the algorithms against.
    """
    v = verdicts.read(exp_id, runs, starts)
    if exp_id == "offline":
        numbers = {**v.numbers, "data": float("nan") if data_score is None else data_score}
        v = dataclasses.replace(v, numbers=numbers)
    return v


# the offline lesson's dataset, built in one click: half random, half from a SAC expert
# (6,000 steps: it reaches about -190 on Pendulum); 10,000 transitions (50 episodes)
COURSE_DATASET = {"kind": "mixed", "n_steps": 10_000, "expert_steps": 6_000, "name": "course"}

REP = {"name": "bump", "mu": 1.0, "sigma": 0.5, "n_samples": 16, "batches": 400, "seeds": 5}


def rep_experiment(seeds: int = REP["seeds"], first_seed: int = 0) -> Verdict:
    """Pathwise against score-function gradients of E[f(x)], x ~ N(mu, sigma^2), measured.

    For each seed, ``batches`` independent estimates from ``n_samples`` draws each (f a
    Q-like bump, the policy a Gaussian as SAC's actor); the measure is each estimator's
    standard deviation. Runs in well under a second: no training.
    """
    from rlcore.learn.policy import gradient_estimates, true_gradient

    per_seed: dict[str, list[float]] = {"pathwise": [], "score": []}
    for seed in range(first_seed, first_seed + seeds):
        est = gradient_estimates(
            REP["name"], REP["mu"], REP["sigma"], REP["n_samples"], REP["batches"], seed
        )
        per_seed["pathwise"].append(float(est["reparam"].std()))
        per_seed["score"].append(float(est["score"].std()))
    v = verdicts.read_gradient_std(per_seed)
    true = true_gradient(REP["name"], REP["mu"], REP["sigma"])
    numbers = {"pathwise": v.values["pathwise"], "score": v.values["score"], "true": true}
    return dataclasses.replace(v, numbers=numbers)
