"""The course's experiments read as small experiments: a claim, a measure, a margin, seeds.

Each experiment of the course tests one textbook effect (clipped double Q over-estimates
less than one critic; a learned critic makes the policy gradient learn faster; ...). Its
:class:`Claim` names the option the textbook predicts, the *measure* read off each seed's
metrics, the *warm-up* it leaves out (evaluations before ``learning_starts`` and the first
share of the run: an untrained critic's ``Q(s0) = 0`` says nothing about over-estimation)
and the *margin* under which two results are no clear difference.

A :class:`Verdict` is one of: the claimed option, another option, :data:`TIE` ("no clear
difference": within the margin, or within the seeds' noise by a Welch t-test at 10%) or
:data:`NO_DATA` ("not enough data": one seed is never read as a law, or no evaluation after
the warm-up). Where the answer is not the claim it carries the likely reasons
(:data:`REASONS`): the measure still moving at the end of the run, too few evaluations,
one seed, an effect smaller than the seeds' noise or the margin, or, for a clear answer
against the claim, a task on which the effect goes the other way at this budget.

Pure functions of the runs' metrics (one ``pandas.DataFrame`` per seed, the rows the
trainer logs: ``step`` and ``eval/*`` / ``train/*`` columns); no Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

__all__ = [
    "CLAIMS",
    "NO_DATA",
    "REASONS",
    "TIE",
    "Claim",
    "Verdict",
    "compare",
    "overestimation",
    "read",
    "still_moving",
    "t_critical",
    "window",
]

TIE = "tie"  # no clear difference
NO_DATA = "no_data"  # not enough data
# why a run may disagree with its claim (each has a text and a "what to try" in the UI)
REASONS = ("not_converged", "few_evals", "one_seed", "noise", "small_effect", "reversed")
ALPHA = 0.10  # two-sided level of the seeds' t-tests (few seeds: a lenient level)
MIN_EVALS = 3  # evaluations after the warm-up a measure needs


@dataclass(frozen=True)
class Claim:
    """What an experiment tests.

    Attributes:
        claimed: the option the textbook predicts.
        measure: the metric read per seed (for the texts: what is compared).
        margin: differences under this (in the measure's units) are no clear difference.
        warmup: share of the run's steps whose evaluations are left out, on top of those
            before ``learning_starts``.
        min_seeds: seeds per configuration below which the answer is "not enough data".
    """

    claimed: str
    measure: str
    margin: float
    warmup: float = 0.25
    min_seeds: int = 2


CLAIMS: dict[str, Claim] = {
    # three seeds of one setup end far apart: randomness of pi and p, not the settings
    "seeds": Claim("apart", "final return spread", margin=0.2, warmup=0.5),
    # a bootstrapped max over noisy estimates: Q(s0) above the return the policy gets
    "dqn": Claim("above", "Q(s0) minus the return obtained", margin=0.05),
    # Q-learning's max target learns the short path along the cliff
    "cliff": Claim("short", "greedy return", margin=0.5, warmup=0.75),
    # a learned baseline lowers the gradient's variance: more return for the same steps
    "pg": Claim("a2c", "mean evaluation return over the run", margin=25.0, warmup=0.1),
    # alpha is a Lagrange multiplier: the entropy settles at its target
    "sac": Claim("at", "entropy minus its target", margin=0.25, warmup=0.75),
    # the min of two critics shrinks the max's upward bias (read over the last quarter: before
    # it both critics lag behind policies still improving, and lie under their returns)
    "cdq": Claim("ddpg", "Q(s0) minus the return obtained", margin=0.05, warmup=0.75),
    # offline RL beats imitating mixed data: IQL above BC (read over the last quarter: the
    # value functions must learn before the advantage weights pick the better actions)
    "offline": Claim("iql", "normalised score", margin=5.0, warmup=0.75),
    # the pathwise gradient has the smaller variance (for smooth f)
    "rep": Claim("pathwise", "log std of the gradient estimate", margin=0.1, warmup=0.0),
}


@dataclass(frozen=True)
class Verdict:
    """What the runs say about a claim.

    ``answer`` is an option, :data:`TIE` or :data:`NO_DATA`; ``values`` the measure per
    option (mean over seeds), ``spread`` its standard deviation over seeds, ``n`` the seeds
    read, ``p_small`` whether a t-test found the difference beyond the seeds' noise;
    ``reasons`` (from :data:`REASONS`) why it may differ from the claim; ``numbers`` extra
    figures the lesson's text writes.
    """

    answer: str
    claimed: str
    values: dict[str, float] = field(default_factory=dict)
    spread: dict[str, float] = field(default_factory=dict)
    n: dict[str, int] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    numbers: dict[str, float] = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        """Whether the runs show the textbook effect."""
        return self.answer == self.claimed

    @property
    def decided(self) -> bool:
        """Whether the answer is an option (not a tie, not "not enough data")."""
        return self.answer not in (TIE, NO_DATA)


# -- reading one seed ----------------------------------------------------------------------
def window(
    df: pd.DataFrame, keys: tuple[str, ...], starts: int = 0, warmup: float = 0.25
) -> pd.DataFrame:
    """The rows with every ``key`` logged, after the warm-up, as float columns.

    Left out: rows at or before ``starts`` (``learning_starts``: the critic has not been
    trained) and rows in the first ``warmup`` share of the run's logged steps.
    """
    if df is None or df.empty or "step" not in df.columns or any(k not in df for k in keys):
        return pd.DataFrame(columns=["step", *keys])
    rows = df[["step", *keys]].apply(pd.to_numeric, errors="coerce").dropna()
    if rows.empty:
        return rows
    last = float(pd.to_numeric(df["step"], errors="coerce").max())
    cut = max(float(starts), warmup * last)
    return rows[rows["step"] > cut]


def overestimation(df: pd.DataFrame, starts: int = 0, warmup: float = 0.25) -> float:
    """How far Q(s0, pi(s0)) lies above the discounted return obtained, after the warm-up.

    ``mean(Q - G) / mean(|G|)`` over the evaluations kept (a ratio of means: one
    evaluation with a small return cannot weigh +1000%); NaN with fewer than
    :data:`MIN_EVALS` of them.
    """
    rows = window(df, ("eval/q_start", "eval/discounted_return"), starts, warmup)
    if len(rows) < MIN_EVALS:
        return float("nan")
    q, g = rows["eval/q_start"].to_numpy(), rows["eval/discounted_return"].to_numpy()
    return float(np.mean(q - g) / max(float(np.mean(np.abs(g))), 1e-6))


def mean_of(key: str) -> Callable[[pd.DataFrame, int, float], float]:
    """The measure "mean of ``key`` after the warm-up" (NaN with too few rows)."""

    def measure(df: pd.DataFrame, starts: int = 0, warmup: float = 0.25) -> float:
        rows = window(df, (key,), starts, warmup)
        return float(rows[key].mean()) if len(rows) >= MIN_EVALS else float("nan")

    return measure


def still_moving(
    df: pd.DataFrame, key: str, scale: float, starts: int = 0, warmup: float = 0.25
) -> bool:
    """Whether ``key`` is still trending at the end of the run: not converged yet.

    A line fitted to the last half of the kept rows changes by more than 10% of ``scale``
    (the measure's size, e.g. the mean |return|) over that half.
    """
    rows = window(df, (key,), starts, warmup)
    rows = rows.iloc[len(rows) // 2 :]
    if len(rows) < MIN_EVALS:
        return False
    x, y = rows["step"].to_numpy(float), rows[key].to_numpy(float)
    if np.ptp(x) == 0:
        return False
    slope = np.polyfit(x, y, 1)[0]
    return bool(abs(slope * np.ptp(x)) > 0.1 * max(abs(scale), 1e-6))


# -- statistics over seeds ---------------------------------------------------------------
_T95 = {1: 6.314, 2: 2.920, 3: 2.353, 4: 2.132, 5: 2.015, 6: 1.943, 7: 1.895, 8: 1.860}
_T95 |= {9: 1.833, 10: 1.812, 12: 1.782, 15: 1.753, 20: 1.725, 30: 1.697}


def t_critical(df: float) -> float:
    """Two-sided 10% critical value of Student's t (df rounded down: conservative)."""
    if not math.isfinite(df) or df > 30:
        return 1.645
    d = max(1, math.floor(df))
    return _T95[max(k for k in _T95 if k <= d)]


def _beyond_noise(a: np.ndarray, b: np.ndarray | None) -> bool:
    """Welch's t-test of mean(a) - mean(b) (one-sample of a against 0 when b is None)."""
    if b is None:
        va, n = a.var(ddof=1) / len(a), len(a) - 1
        diff, se, dof = a.mean(), math.sqrt(va), n
    else:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        diff, se = a.mean() - b.mean(), math.sqrt(va + vb)
        den = (va**2 / (len(a) - 1) if va else 0.0) + (vb**2 / (len(b) - 1) if vb else 0.0)
        dof = (va + vb) ** 2 / den if den else math.inf
    if se == 0:
        return bool(diff != 0)
    return bool(abs(diff) / se > t_critical(dof))


def compare(
    per_seed: dict[str, list[float]], margin: float, min_seeds: int = 2
) -> tuple[str, tuple[str, ...]]:
    """The option whose measure is highest, read with the seeds' noise.

    Returns ``(answer, reasons)``: the best option when it beats the runner-up by more
    than ``margin`` and beyond the seeds' noise (Welch's t-test at 10%); :data:`TIE`
    ("small_effect": within the margin; "noise": within the noise); :data:`NO_DATA`
    ("one_seed": fewer than ``min_seeds`` seeds; "few_evals": a seed without a measure).
    """
    clean = {k: np.array([v for v in vs if math.isfinite(v)]) for k, vs in per_seed.items()}
    if len(clean) < 2 or any(len(v) == 0 for v in clean.values()):
        return NO_DATA, ("few_evals",)
    short = ("few_evals",) if any(len(v) < len(per_seed[k]) for k, v in clean.items()) else ()
    if any(len(v) < min_seeds for v in clean.values()):
        return NO_DATA, ("one_seed", *short)
    order = sorted(clean, key=lambda k: clean[k].mean(), reverse=True)
    best, second = clean[order[0]], clean[order[1]]
    if best.mean() - second.mean() <= margin:
        return TIE, ("small_effect", *short)
    if not _beyond_noise(best, second):
        return TIE, ("noise", *short)
    return order[0], short


def _sign(
    values: list[float], margin: float, min_seeds: int, up: str, at: str, down: str
) -> tuple[str, tuple[str, ...]]:
    """Above / at / below zero, read with the seeds' noise (one-sample t-test)."""
    a = np.array([v for v in values if math.isfinite(v)])
    if len(a) == 0:
        return NO_DATA, ("few_evals",)
    short = ("few_evals",) if len(a) < len(values) else ()
    if len(a) < min_seeds:
        return NO_DATA, ("one_seed", *short)
    if abs(a.mean()) <= margin:
        return at, ("small_effect", *short)
    if not _beyond_noise(a, None):
        return TIE, ("noise", *short)
    return (up if a.mean() > 0 else down), short


# -- the experiments ---------------------------------------------------------------------
def _stats(per_seed: dict[str, list[float]]) -> tuple[dict, dict, dict]:
    values, spread, n = {}, {}, {}
    for k, vs in per_seed.items():
        a = np.array([v for v in vs if math.isfinite(v)])
        values[k] = float(a.mean()) if len(a) else float("nan")
        spread[k] = float(a.std(ddof=1)) if len(a) > 1 else float("nan")
        n[k] = len(a)
    return values, spread, n


def _q_gap(exp_id: str, runs, starts, claim: Claim) -> Verdict:
    per_seed = {
        a: [overestimation(df, starts.get(a, 0), claim.warmup) for df in dfs]
        for a, dfs in runs.items()
    }
    moving = any(
        still_moving(df, "eval/q_start", _scale(df), starts.get(a, 0), claim.warmup)
        for a, dfs in runs.items()
        for df in dfs
    )
    if exp_id == "dqn":
        answer, why = _sign(
            per_seed.get("dqn", []), claim.margin, claim.min_seeds, "above", TIE, "below"
        )
    else:
        answer, why = compare(per_seed, claim.margin, claim.min_seeds)
    values, spread, n = _stats(per_seed)
    if answer != claim.claimed and moving:
        why = ("not_converged", *why)
    return Verdict(answer, claim.claimed, values, spread, n, _uniq(why))


def _scale(df: pd.DataFrame) -> float:
    g = pd.to_numeric(df.get("eval/discounted_return", pd.Series(dtype=float)), errors="coerce")
    g = g.dropna()
    return float(g.abs().mean()) if len(g) else 1.0


def _uniq(reasons: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))


def _returns(exp_id: str, runs, starts, claim: Claim, key: str) -> Verdict:
    measure = mean_of(key)
    per_seed = {
        a: [measure(df, starts.get(a, 0), claim.warmup) for df in dfs] for a, dfs in runs.items()
    }
    answer, why = compare(per_seed, claim.margin, claim.min_seeds)
    values, spread, n = _stats(per_seed)
    if answer != claim.claimed:
        scale = max((abs(v) for v in values.values() if math.isfinite(v)), default=1.0)
        if any(
            still_moving(df, key, scale, starts.get(a, 0), claim.warmup)
            for a, dfs in runs.items()
            for df in dfs
        ):
            why = ("not_converged", *why)
    return Verdict(answer, claim.claimed, values, spread, n, _uniq(why))


def _seeds(runs, starts, claim: Claim) -> Verdict:
    finals = [
        mean_of("eval/return_mean")(df, starts.get("dqn", 0), claim.warmup)
        for df in runs.get("dqn", [])
    ]
    a = np.array([v for v in finals if math.isfinite(v)])
    if len(a) < 3:
        why = ("one_seed",) if len(a) == len(finals) else ("few_evals",)
        return Verdict(NO_DATA, claim.claimed, reasons=why)
    lo, hi = float(a.min()), float(a.max())
    spread = (hi - lo) / max(abs(hi), 1e-6)
    answer = "apart" if spread > claim.margin else "close"
    why = () if answer == claim.claimed else ("small_effect",)
    return Verdict(
        answer, claim.claimed, reasons=why, numbers={"low": lo, "high": hi, "spread": spread}
    )


def _cliff(runs, starts, claim: Claim) -> Verdict:
    finals = [
        mean_of("eval/return_mean")(df, starts.get("dqn", 0), claim.warmup)
        for df in runs.get("dqn", [])
    ]
    a = np.array([v for v in finals if math.isfinite(v)])
    if len(a) < claim.min_seeds:
        return Verdict(NO_DATA, claim.claimed, reasons=("one_seed",) if len(a) else ("few_evals",))
    shortest = -13.0
    short = int(np.sum(a >= shortest - claim.margin))
    # the greedy path of most seeds; half and half is no clear answer
    answer = "short" if short * 2 > len(a) else "safe" if short * 2 < len(a) else TIE
    why: tuple[str, ...] = ()
    if answer != claim.claimed:
        moving = any(
            still_moving(df, "eval/return_mean", 13.0, starts.get("dqn", 0), claim.warmup)
            for df in runs.get("dqn", [])
        )
        why = ("not_converged",) if moving else ("small_effect",)
    return Verdict(
        answer,
        claim.claimed,
        {"dqn": float(a.mean())},
        n={"dqn": len(a)},
        reasons=why,
        numbers={"final": float(np.median(a)), "short": short, "seeds": len(a)},
    )


def _sac(runs, starts, claim: Claim, target: float) -> Verdict:
    dfs = runs.get("sac", [])
    gaps = [mean_of("train/entropy")(df, 0, claim.warmup) - target for df in dfs]
    answer, why = _sign(gaps, claim.margin, claim.min_seeds, "above", "at", "below")
    if answer == "at":
        why = ()
    elif any(still_moving(df, "train/entropy", 1.0, 0, claim.warmup) for df in dfs):
        why = ("not_converged", *why)
    values, spread, n = _stats({"sac": [g + target for g in gaps]})
    alphas = [mean_of("train/alpha")(df, 0, claim.warmup) for df in dfs]
    return Verdict(
        answer,
        claim.claimed,
        values,
        spread,
        n,
        _uniq(why),
        {
            "entropy": values["sac"],
            "target": target,
            "alpha": float(np.nanmean(alphas)) if alphas else float("nan"),
        },
    )


def _explained(v: Verdict) -> Verdict:
    """A clear answer against the claim with no other reason: the task reverses it."""
    if v.decided and not v.agrees and not v.reasons:
        return replace(v, reasons=("reversed",))
    return v


def read(
    exp_id: str,
    runs: dict[str, list[pd.DataFrame]],
    starts: dict[str, int] | None = None,
    target_entropy: float = -1.0,
) -> Verdict:
    """What the runs of experiment ``exp_id`` say about its claim.

    ``runs`` maps each configuration (an algorithm) to one metrics frame per seed;
    ``starts`` its ``learning_starts`` (evaluations before it are warm-up).
    """
    claim, starts = CLAIMS[exp_id], starts or {}
    if exp_id in ("dqn", "cdq"):
        return _explained(_q_gap(exp_id, runs, starts, claim))
    if exp_id == "seeds":
        return _explained(_seeds(runs, starts, claim))
    if exp_id == "cliff":
        return _explained(_cliff(runs, starts, claim))
    if exp_id == "sac":
        return _explained(_sac(runs, starts, claim, target_entropy))
    if exp_id == "pg":
        return _explained(_returns(exp_id, runs, starts, claim, "eval/return_mean"))
    if exp_id == "offline":
        return _explained(_returns(exp_id, runs, starts, claim, "eval/normalized_score"))
    raise ValueError(f"experiment = {exp_id!r}: not one of {', '.join(CLAIMS)}")


def read_gradient_std(per_seed: dict[str, list[float]]) -> Verdict:
    """The reparameterisation experiment: which estimator's standard deviation is smaller.

    ``per_seed`` maps ``"pathwise"`` and ``"score"`` to each seed's measured standard
    deviation of the gradient estimate; compared on a log scale (a ratio), lower wins.
    """
    claim = CLAIMS["rep"]
    neg_log = {k: [-math.log(max(v, 1e-300)) for v in vs] for k, vs in per_seed.items()}
    answer, why = compare(neg_log, claim.margin, claim.min_seeds)
    values, spread, n = _stats({k: list(vs) for k, vs in per_seed.items()})
    return _explained(Verdict(answer, claim.claimed, values, spread, n, why))
