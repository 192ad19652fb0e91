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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "EXPERIMENTS",
    "TOPICS",
    "Experiment",
    "Topic",
    "experiment_plans",
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


@dataclass(frozen=True)
class Experiment:
    """Real runs that show one idea; ``options`` are the answers a learner may predict."""

    id: str
    runs: tuple[RunSpec, ...]
    options: tuple[str, ...]
    offline: bool = False


@dataclass(frozen=True)
class Topic:
    """One question of the notes: its explorer (``key`` prefixes the explorer's texts)."""

    id: str
    section: str
    key: str  # e.g. "lv.cdq": title, question (and correction) text keys of the explorer
    page: str
    anchor: str
    experiment: str | None = None


EXPERIMENTS: dict[str, Experiment] = {
    e.id: e
    for e in [
        # three seeds of one setup: the randomness of pi and p shows as their spread
        Experiment(
            "seeds",
            (RunSpec("dqn", "CartPole-v1", 20_000, seeds=3),),
            ("close", "apart"),
        ),
        Experiment("dqn", (RunSpec("dqn", "CartPole-v1", 20_000),), ("above", "below")),
        Experiment("cliff", (RunSpec("dqn", "CliffWalking-v1", 30_000),), ("short", "safe")),
        Experiment(
            "pg",
            (RunSpec("reinforce", "CartPole-v1", 60_000), RunSpec("a2c", "CartPole-v1", 60_000)),
            ("reinforce", "a2c"),
        ),
        Experiment("sac", (RunSpec("sac", "Pendulum-v1", 8_000),), ("above", "at", "below")),
        Experiment(
            "cdq",
            (RunSpec("ddpg", "Pendulum-v1", 20_000), RunSpec("td3", "Pendulum-v1", 20_000)),
            ("ddpg", "td3"),
        ),
        Experiment(
            "offline",
            (RunSpec("bc", None, 5_000), RunSpec("cql", None, 5_000), RunSpec("iql", None, 5_000)),
            ("bc", "cql", "iql"),
            offline=True,
        ),
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
    Topic("rep", "online", "lp.rep", "learn_policy", "reparameterization", "sac"),
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
        env, run_over = spec.env, {"steps": steps}
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


# -- verdicts: what the runs say, in one option of the prediction --------------------
def _last(df: pd.DataFrame, key: str) -> float:
    if key not in df.columns:
        return float("nan")
    v = pd.to_numeric(df[key], errors="coerce").dropna()
    return float(v.iloc[-1]) if len(v) else float("nan")


def overestimation(df: pd.DataFrame) -> float:
    """How far Q(s0, pi(s0)) lies above the discounted return obtained, as a share of it.

    Mean over the run's evaluations after its first (the first is an untrained critic;
    NaN without a second): ``(Q - G) / |G|``; positive = over-estimation.
    """
    if "eval/q_start" not in df.columns:
        return float("nan")
    rows = df[["eval/q_start", "eval/discounted_return"]].apply(pd.to_numeric, errors="coerce")
    rows = rows.dropna().iloc[1:]
    if rows.empty:  # one evaluation, of an untrained critic, says nothing
        return float("nan")
    q, g = rows["eval/q_start"].to_numpy(), rows["eval/discounted_return"].to_numpy()
    return float(np.mean((q - g) / np.maximum(np.abs(g), 1e-6)))


def verdict(exp_id: str, runs: dict[str, list[pd.DataFrame]]) -> tuple[str | None, dict]:
    """The option the runs' metrics support, and the numbers that say so.

    ``runs`` maps each algorithm of the experiment to its runs' metrics. ``None`` while
    the runs have not evaluated enough to tell.
    """
    if exp_id == "seeds":
        finals = [_last(df, "eval/return_mean") for df in runs.get("dqn", [])]
        if len(finals) < 2 or any(np.isnan(finals)):
            return None, {}
        lo, hi = min(finals), max(finals)
        spread = (hi - lo) / max(abs(hi), 1e-6)
        return ("apart" if spread > 0.2 else "close"), {"low": lo, "high": hi}
    if exp_id in ("dqn", "cdq"):
        gaps = {algo: overestimation(dfs[0]) for algo, dfs in runs.items() if dfs}
        if not gaps or any(np.isnan(v) for v in gaps.values()):
            return None, {}
        if exp_id == "dqn":
            return ("above" if gaps["dqn"] > 0 else "below"), {"gap": gaps["dqn"]}
        return max(gaps, key=gaps.get), {"gaps": gaps}
    if exp_id == "cliff":
        final = _last(runs.get("dqn", [pd.DataFrame()])[0], "eval/return_mean")
        if np.isnan(final):
            return None, {}
        return ("short" if final >= -13 else "safe"), {"final": final}
    if exp_id == "sac":
        df = runs.get("sac", [pd.DataFrame()])[0]
        entropy = _last(df, "train/entropy")
        if np.isnan(entropy):
            return None, {}
        target = -1.0  # -dim(A): Pendulum's action is one-dimensional
        where = "above" if entropy > target + 0.25 else "below" if entropy < target - 0.25 else "at"
        return where, {"entropy": entropy, "target": target, "alpha": _last(df, "train/alpha")}
    key = "eval/normalized_score" if exp_id == "offline" else "eval/return_mean"
    finals = {algo: float(np.mean([_last(df, key) for df in dfs])) for algo, dfs in runs.items()}
    if not finals or any(np.isnan(v) for v in finals.values()):
        return None, {}
    return max(finals, key=finals.get), {"finals": finals}
