"""Live diagnosis of a run, read from its own metrics: what the charts above are saying.

Each rule looks at the run's metrics (and its settings) and, when it applies, returns a
:class:`Finding`: a level, a text key of ``ui/text/runs.py`` with its numbers, and where
relevant the explorer that explains it. Pure functions of a DataFrame (tested); the live
view draws the findings under its charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Finding", "diagnose"]

OVER = 0.25  # Q above the Monte-Carlo return by more than this share: over-estimation
UNDER = -0.25
COLLAPSE = 0.1  # entropy below this share of its start (and under 0.05 nats): collapsed
BLOW_UP = 100.0  # a loss this many times its median: diverging


@dataclass(frozen=True)
class Finding:
    """One thing the metrics say: ``level`` is ``warning`` or ``info``."""

    level: str
    key: str  # ui/text key ("diag.<name>")
    fmt: dict[str, str] = field(default_factory=dict)
    link: tuple[str, str] | None = None  # (page, anchor) of the explorer that explains it


def _col(df: pd.DataFrame, key: str) -> pd.DataFrame:
    if key not in df.columns or "step" not in df.columns:
        return pd.DataFrame(columns=["step", key])
    rows = df[["step", key]].apply(pd.to_numeric, errors="coerce").dropna()
    return rows.reset_index(drop=True)


def _k(step: float) -> str:
    """``3000`` -> ``3k``, ``1500`` -> ``1.5k``, ``800`` -> ``800``."""
    return f"{step / 1000:g}k" if step >= 1000 else f"{step:.0f}"


def _estimation(df: pd.DataFrame, cfg: dict[str, Any]) -> Finding | None:
    q, g = _col(df, "eval/q_start"), _col(df, "eval/discounted_return")
    both = q.merge(g, on="step")
    if len(both) < 2:
        return None
    last = both.iloc[-1]
    gap = (last["eval/q_start"] - last["eval/discounted_return"]) / max(
        abs(last["eval/discounted_return"]), 1e-6
    )
    fmt = {"pct": f"{abs(gap):.0%}", "step": _k(last["step"])}
    if gap > OVER:
        return Finding("warning", "diag.over", fmt, ("learn_value", "clipped-double-q"))
    if gap < UNDER:
        offline = bool(cfg.get("run", {}).get("dataset"))
        return Finding("info", "diag.under_offline" if offline else "diag.under", fmt)
    return None


def _one_eval(df: pd.DataFrame, cfg: dict[str, Any], done: bool) -> Finding | None:
    n = len(_col(df, "eval/return_mean"))
    if done and n == 1:
        return Finding("warning", "diag.one_eval")
    return None


def _entropy(df: pd.DataFrame, cfg: dict[str, Any]) -> Finding | None:
    e = _col(df, "train/entropy")
    if len(e) < 3 or e["train/entropy"].min() < 0:  # continuous entropy can be negative
        return None
    start = float(e["train/entropy"].iloc[0])
    low = e[e["train/entropy"] < max(COLLAPSE * start, 1e-9)]
    last = float(e["train/entropy"].iloc[-1])
    if start <= 0 or low.empty or last > 0.05:
        return None
    fmt = {"step": _k(low["step"].iloc[0]), "value": f"{last:.3f}", "start": f"{start:.2f}"}
    return Finding("warning", "diag.entropy", fmt, ("learn_policy", "policy-gradient"))


def _alpha(df: pd.DataFrame, cfg: dict[str, Any]) -> Finding | None:
    a = _col(df, "train/alpha")
    if len(a) < 3 or not cfg.get("algo", {}).get("autotune", False):
        return None
    last = float(a["train/alpha"].iloc[-1])
    if last < 1e-3:
        return Finding(
            "info", "diag.alpha", {"value": f"{last:.1e}"}, ("learn_policy", "sac-alpha")
        )
    return None


def _losses(df: pd.DataFrame, cfg: dict[str, Any]) -> Finding | None:
    for key in [c for c in df.columns if c.startswith("train/") and c.endswith("_loss")]:
        v = _col(df, key)[key].abs()
        if len(v) < 5:
            continue
        med = float(np.median(v.iloc[: len(v) // 2 + 1]))
        if med > 0 and float(v.iloc[-1]) > BLOW_UP * med:
            name = key.removeprefix("train/")
            return Finding(
                "warning", "diag.loss", {"name": name, "times": f"{v.iloc[-1] / med:.0f}"}
            )
    return None


def _stuck(df: pd.DataFrame, cfg: dict[str, Any], done: bool) -> Finding | None:
    r = _col(df, "eval/return_mean")
    if not done or len(r) < 5:
        return None
    first, best = float(r["eval/return_mean"].iloc[0]), float(r["eval/return_mean"].max())
    spread = abs(first) + 1.0
    if best - first < 0.05 * spread:
        return Finding("info", "diag.stuck", {"n": str(len(r)), "value": f"{best:,.1f}"})
    return None


def _offline(df: pd.DataFrame, cfg: dict[str, Any]) -> Finding | None:
    s, d = _col(df, "eval/normalized_score"), _col(df, "ref/dataset_return")
    if s.empty or d.empty:
        return None
    r = _col(df, "eval/return_mean")
    data = float(d["ref/dataset_return"].iloc[0])
    last = float(r["eval/return_mean"].iloc[-1])
    key = "diag.above_data" if last > data else "diag.below_data"
    return Finding("info", key, {"value": f"{last:,.1f}", "data": f"{data:,.1f}"})


def _warmup(df: pd.DataFrame, cfg: dict[str, Any], done: bool) -> Finding | None:
    starts = int(cfg.get("algo", {}).get("learning_starts") or 0)
    step = int(df["step"].max()) if "step" in df.columns and len(df) else 0
    if done or cfg.get("run", {}).get("dataset") or step >= starts or starts == 0:
        return None
    return Finding("info", "diag.warmup", {"step": f"{step:,}", "starts": f"{starts:,}"})


RULES: list[Callable[..., Finding | None]] = [_warmup, _estimation, _entropy, _alpha, _losses]
END_RULES: list[Callable[..., Finding | None]] = [_one_eval, _stuck]


def diagnose(df: pd.DataFrame, cfg: dict[str, Any], done: bool = False) -> list[Finding]:
    """What a run's metrics say, most urgent first (``cfg`` is its ``config.json``)."""
    if df.empty:
        return []
    out = []
    for rule in RULES:
        args = (df, cfg, done) if rule is _warmup else (df, cfg)
        found = rule(*args)
        if found is not None:
            out.append(found)
    for rule in END_RULES:
        found = rule(df, cfg, done)
        if found is not None:
            out.append(found)
    found = _offline(df, cfg)
    if found is not None:
        out.append(found)
    out.sort(key=lambda f: f.level != "warning")
    return out
