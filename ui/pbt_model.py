"""Population-based training in the app, as plain data (no Streamlit).

``ui/setup.py``'s ``PBTMode`` turns the Population mode's fields into a batch with
:func:`pbt_setup`; ``ui/pbt.py`` draws the fields and the live view from what the
functions below read off a batch: each member's metrics (``hp/<name>`` rows at step 0
and at every ready point, ``eval/return_mean``) and the batch's event log
(``<runs>/.pbt/<batch>/events.jsonl``: who copied whom, and the values before and after).
"""

from __future__ import annotations

import dataclasses
import math
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rlcore.core.config import AlgoConfig, RunConfig, short_repr
from rlcore.service.pbt import PBTConfig, pbt_dir, pbt_plan, read_events, replay
from rlcore.train.population import MAX_MEMBERS

__all__ = [
    "DEFAULT_MEMBERS",
    "Best",
    "best_of",
    "default_interval",
    "default_params",
    "exploits",
    "hp_steps",
    "member_cap",
    "pbt_events",
    "pbt_setup",
    "retrain_command",
]

DEFAULT_MEMBERS = 4  # fits a hosted visitor's cap of runs in flight
DEFAULT_PARAMS = ("lr", "gamma")


def member_cap() -> int:
    """The most members a population may have here: a hosted visitor's runs in flight."""
    from rlcore.core.settings import get_settings

    limit = get_settings().max_runs_per_session
    return min(MAX_MEMBERS, limit) if limit else MAX_MEMBERS


def default_interval(run: RunConfig) -> int:
    """Two evaluations between ready points (a score averages two), if the run is long enough."""
    ev = run.eval_interval()
    return 2 * ev if 2 * ev < run.steps else ev


def default_params(member_hparams: Sequence[str]) -> list[str]:
    """The lr and gamma where the algorithm's members may differ in them, else its first."""
    return [p for p in DEFAULT_PARAMS if p in member_hparams] or list(member_hparams[:1])


def _number(name: str, raw: Any, kind: type, allowed: str) -> Any:
    try:
        return kind(str(raw).strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} = {short_repr(raw)}: not {what} (allowed: {allowed})") from None


def pbt_setup(run: RunConfig, algo: AlgoConfig, exp: Any) -> tuple[Any, dict[str, Any]]:
    """The plan and ``pbt`` tag of the Population mode's fields (``exp``: an ``Experiment``).

    ``ValueError`` in one line naming the field and its allowed values: the members above
    this server's cap (:func:`member_cap`), or :func:`rlcore.service.pbt.check_pbt`'s.
    """
    cap = member_cap()
    f = exp.pbt
    members = _number("members", f.get("members", DEFAULT_MEMBERS), int, f"2 to {cap}")
    if not 2 <= members <= cap:
        raise ValueError(f"members = {members}: out of range (allowed: 2 to {cap})")
    ev = run.eval_interval()
    interval = _number(
        "interval", f.get("interval") or default_interval(run), int, f"{ev}, {2 * ev}, ..."
    )
    quantile = _number("quantile", f.get("quantile", 0.25), float, "above 0 to 0.5")
    pbt = PBTConfig(tuple(exp.params), interval, quantile, seed=run.seed)
    return pbt_plan(run, algo, pbt, members)


# -- reading a batch ------------------------------------------------------------------
def pbt_events(store: Any, batch_id: str) -> list[dict[str, Any]]:
    """The batch's events so far (none before its worker wrote the first)."""
    path = pbt_dir(store, batch_id) / "events.jsonl"
    return read_events(path) if path.exists() else []


def hp_steps(df: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A member's value of ``name`` over steps: its ``hp/<name>`` rows, held to its last step.

    Each value holds from its step to the next one's (a step line); the last is carried to
    the member's latest logged step, so the line reaches where training is.
    """
    key = f"hp/{name}"
    if df.empty or key not in df.columns:
        return np.zeros(0), np.zeros(0)
    rows = df.loc[df[key].notna(), ["step", key]]
    x, y = rows["step"].to_numpy(float), rows[key].to_numpy(float)
    last = float(df["step"].max())
    if len(x) and last > x[-1]:
        x, y = np.append(x, last), np.append(y, y[-1])
    return x, y


def exploits(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The log's exploit events: ``step``, ``dst`` (the copy), ``src``, values, scores."""
    return [dict(e) for e in events if e.get("kind") == "exploit"]


@dataclass
class Best:
    """The best member (by final evaluation return) and the schedule its weights lived."""

    member: int
    final: float
    schedule: list[tuple[int, dict[str, Any]]]
    ancestry: list[tuple[int, int]]
    seed: int


def best_of(finals: Sequence[float | None], events: Sequence[Mapping[str, Any]]) -> Best | None:
    """The member with the highest final return (ties: the lowest index), replayed from the log.

    ``None`` while no member has a return or the log has not started it.
    """
    scored = [(r, -i) for i, r in enumerate(finals) if r is not None and math.isfinite(r)]
    if not scored:
        return None
    final, neg = max(scored)
    member = -neg
    hist = replay(events)
    if member not in hist.schedules:
        return None
    anc = hist.ancestry[member]
    seed = hist.seeds.get(anc[0][1], 0)
    return Best(member, float(final), hist.schedules[member], anc, seed)


def retrain_command(
    run: RunConfig, algo: AlgoConfig, base: AlgoConfig, params: Sequence[str], seed: int, path: Path
) -> str:
    """``rlcore train ... --schedule PATH``: the best member's schedule as one run.

    ``--set`` for every setting that differs from ``base`` (the defaults, or the preset
    the form started from: ``--no-preset`` when ``base`` is not it), but the evolved
    ones: the schedule sets them.
    """
    from rlcore.train.presets import make_configs

    cmd = ["rlcore", "train", "--algo", run.algo, "--env", run.env, "--steps", str(run.steps)]
    cmd += ["--seed", str(seed)]
    if run.eval_every:
        cmd += ["--eval-every", str(run.eval_every)]
    preset = make_configs(run.algo, run.env)[1]
    for f in dataclasses.fields(algo):
        v = getattr(algo, f.name)
        if f.name not in params and getattr(base, f.name) != v:
            cmd += ["--set", f"{f.name}={_text(v)}"]
    if base != preset:
        cmd.append("--no-preset")
    cmd += ["--schedule", str(path)]
    return " ".join(shlex.quote(c) for c in cmd)


def _text(v: Any) -> str:
    if isinstance(v, tuple):
        return ",".join(map(str, v))
    return f"{v:g}" if isinstance(v, float) else str(v)
