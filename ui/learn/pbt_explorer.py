"""An explorer section: predict how population-based training moves DQN's learning rate.

The learner predicts (rise, fall, stay) before a small population starts: 4 DQN members
on CartPole-v1, 15,000 steps each, a ready point every 1,000 (``rlcore.service.pbt`` through
the app's one gate, ``ui.jobs.start``: owners and caps). While it trains, each member's lr
as a step line and the lineage (``ui.pbt``'s figures); when it ends, the best member's
schedule and a verdict that is a statistical claim (:func:`lr_verdict`): the lr "fell"
(or "rose") only if the explore steps that the best half of the population kept went
mostly one way, more than fair coin flips would (a two-sided sign test, p < 0.05), and
their lr ended below (above) where it started; otherwise it did not move clearly.

Why a sign test: the explorer draws ×0.8 or ×1.2 with equal probability (``resample_p``
is 0 here), so without selection every kept step is a coin flip; a direction the copies
that survive favour is the population's evidence of a schedule.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from rlcore.service.pbt import PBTConfig, pbt_plan, replay
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs
from ui import jobs
from ui import pbt_model as pm
from ui.i18n import t
from ui.learn import explorer as ex
from ui.pbt import ACTIVE

__all__ = ["ANCHOR", "Verdict", "lr_verdict", "plan", "section", "sign_test"]

ANCHOR = "pbt-schedule"
P = "learn_value.pbt"  # prefix of the section's widgets and session keys
MEMBERS, STEPS, INTERVAL = 4, 15_000, 1_000
RUN = {"steps": STEPS, "eval_every": 500, "eval_episodes": 3, "threads": 1}
HP = {"hidden": (64, 64)}
PREDICTIONS = ("rise", "fall", "stay")
ALPHA = 0.05
MEASURED_S = (20, 40)  # 2 busy cores: 14 s queued, 21 s in process, 40 s to the verdict


def plan(seed: int = 0) -> tuple[Any, dict[str, Any]]:
    """The population: DQN on CartPole-v1 (its preset), lr evolving, no resampling.

    ``seed`` draws the first population's lrs (member ``i`` trains with seed ``seed + i``).
    """
    run, algo = make_configs("dqn", "CartPole-v1", hp=HP, run={**RUN, "seed": seed})
    pbt = PBTConfig(("lr",), interval=INTERVAL, resample_p=0.0, seed=seed)
    return pbt_plan(run, algo, pbt, MEMBERS)


def sign_test(k: int, n: int) -> float:
    """Two-sided sign test: P(at least ``max(k, n-k)`` of ``n`` fair coin flips one way)."""
    if n == 0:
        return 1.0
    hi = max(k, n - k)
    tail = sum(math.comb(n, i) for i in range(hi, n + 1)) / 2**n
    return min(1.0, 2 * tail)


@dataclass
class Verdict:
    """What the best half's lr did: ``fell``, ``rose`` or ``unclear``, with the evidence."""

    direction: str
    down: int  # kept explore steps that lowered it
    up: int
    p: float
    top: list[int]  # the best half, by final return
    start: dict[int, float]  # each one's lr at step 0 (its lineage's first)
    end: dict[int, float]


def _kept_steps(hist: Any, members: Sequence[int], param: str) -> dict[tuple, float]:
    """The explore steps on the members' lineages, each once: (step, member) -> log ratio."""
    out: dict[tuple, float] = {}
    for m in members:
        sched, anc = hist.schedules[m], hist.ancestry[m]
        for i in range(1, len(sched)):
            before, after = float(sched[i - 1][1][param]), float(sched[i][1][param])
            out[(anc[i][0], anc[i][1])] = math.log(after / before)
    return out


def lr_verdict(
    events: Sequence[Mapping[str, Any]], finals: Sequence[float | None], param: str = "lr"
) -> Verdict | None:
    """The claim the population's evidence allows about ``param``'s schedule (``None``: no data).

    The best half (by final return, at least one) and the explore steps their lineages
    kept: ``fell`` if most went down with a two-sided sign test p < ``ALPHA`` and every one
    of them ended below its start; ``rose`` the other way round; else ``unclear``.
    """
    hist = replay(events)
    scored = [(r, -i) for i, r in enumerate(finals) if r is not None and math.isfinite(r)]
    scored = [x for x in scored if -x[1] in hist.schedules]
    if not scored:
        return None
    top = [-i for _, i in sorted(scored, reverse=True)[: max(1, len(scored) // 2)]]
    steps = _kept_steps(hist, top, param).values()
    down, up = sum(s < 0 for s in steps), sum(s > 0 for s in steps)
    p = sign_test(down, down + up)
    start = {m: float(hist.schedules[m][0][1][param]) for m in top}
    end = {m: float(hist.schedules[m][-1][1][param]) for m in top}
    direction = "unclear"
    if p < ALPHA and down > up and all(end[m] < start[m] for m in top):
        direction = "fell"
    elif p < ALPHA and up > down and all(end[m] > start[m] for m in top):
        direction = "rose"
    return Verdict(direction, down, up, p, top, start, end)


# -- the section --------------------------------------------------------------------------
def section() -> None:
    """The explorer section: predict, start, watch, the verdict."""
    ex.section(ANCHOR, t("pbt.ex.title"))  # its question is this section's, not the notes'
    st.markdown(f"> {t('pbt.ex.question')}")
    st.markdown(t("pbt.ex.intro", k=MEMBERS, steps=f"{STEPS:,}", interval=f"{INTERVAL:,}"))
    bid = st.session_state.get(f"{P}.batch")
    guess = st.radio(
        t("pbt.ex.predict"),
        PREDICTIONS,
        format_func=lambda g: t(f"pbt.ex.guess.{g}"),
        index=None,
        horizontal=True,
        key=f"{P}.guess_{st.session_state.get('lang', 'en')}",
        disabled=bid is not None,
    )
    if bid is None:
        _start(guess)
        return
    _watch(bid, st.session_state.get(f"{P}.guessed"))


def _start(guess: str | None) -> None:
    """The time it takes, said before Start; Start once a prediction is chosen."""
    p, extra = plan()
    total = MEMBERS * STEPS
    lo, hi = MEASURED_S
    st.caption(t("pbt.ex.time", total=f"{total:,}", lo=lo, hi=hi) + " " + jobs.plan_estimate(p))
    limited = jobs.session_limit_message(len(p))
    if limited:
        st.warning(limited, icon=":material/hourglass_top:")
    if guess is None:
        st.caption(t("pbt.ex.predict_first"))
    pressed = st.button(
        t("pbt.ex.start"),
        key=f"{P}.start",
        type="primary",
        icon=":material/play_arrow:",
        disabled=guess is None or bool(limited),
    )
    if not pressed or guess is None:
        return
    seed = secrets.randbelow(10_000)  # each start another population: a new sample
    p, extra = plan(seed)
    try:
        batch = jobs.start(p, "learn_value", extra)
    except (ValueError, OSError) as e:
        st.error(str(e), icon=":material/error:")
        return
    st.session_state[f"{P}.batch"], st.session_state[f"{P}.guessed"] = batch.id, guess
    st.rerun()


def _watch(bid: str, guess: str | None) -> None:
    """The population's lr and lineage while it trains; the verdict once it ended."""
    from ui.pbt import hp_figure, lineage_figure

    store = RunStore()
    runs = jobs.batch_runs(bid)
    if not runs:
        st.session_state.pop(f"{P}.batch", None)
        return
    active = any(store.status(r).get("status") in ACTIVE for r in runs)

    @st.fragment(run_every=2.0 if active else None)
    def _poll() -> None:
        dfs = [jobs.metrics(r) for r in runs]
        done = sum(store.status(r).get("status") not in ACTIVE for r in runs)
        step = max((int(df["step"].max()) for df in dfs if not df.empty), default=0)
        st.progress(min(1.0, step / STEPS), text=t("pbt.ex.progress", step=f"{step:,}"))
        events = pm.pbt_events(store, bid)
        ex.chart(hp_figure(dfs, "lr", log=True, uirevision=bid), key=f"{P}.lr")
        if pm.exploits(events):
            ex.chart(lineage_figure(events, len(runs), step, bid), key=f"{P}.lineage")
        if done == len(runs):
            if active:
                st.rerun()
            _verdict(events, [store.status(r).get("eval_return") for r in runs], guess)

    _poll()
    if not active and st.button(t("pbt.ex.again"), key=f"{P}.again"):
        st.session_state.pop(f"{P}.batch", None)
        st.rerun()


def _verdict(events: list[dict[str, Any]], finals: list[float | None], guess: str | None) -> None:
    v = lr_verdict(events, finals)
    if v is None:
        st.info(t("pbt.ex.no_result"))
        return
    best = pm.best_of(finals, events)
    if best is not None:
        steps = " → ".join(f"{vals['lr']:.3g} ({s:,})" for s, vals in best.schedule)
        st.markdown(t("pbt.ex.schedule", i=best.member, steps=steps))
    said = t(f"pbt.ex.verdict.{v.direction}", p=f"{v.p:.2f}", down=v.down, up=v.up, n=len(v.top))
    ends = ", ".join(
        str(t("pbt.ex.end", i=m, a=f"{v.start[m]:.3g}", b=f"{v.end[m]:.3g}")) for m in v.top
    )
    st.markdown(f"{said} {ends}.")
    if guess is not None:
        st.caption(t("pbt.ex.you", guess=t(f"pbt.ex.guess.{guess}")) + " " + t(_match(guess, v)))


def _match(guess: str, v: Verdict) -> str:
    """What the evidence says of the learner's prediction (a text key)."""
    said = {"fell": "fall", "rose": "rise", "unclear": "stay"}[v.direction]
    if guess == said:
        return "pbt.ex.right"
    return "pbt.ex.no_evidence" if v.direction == "unclear" else "pbt.ex.wrong"
