"""AppTest of the Train page's Population (PBT) mode (issue 27): its fields and their checks,
Start queueing one PBT population, and the live view drawn from a finished batch."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from helpers import assert_one_population_queued, fake_app_queue
from rlcore.algos.registry import get_algo
from rlcore.service.jobs import load_batch, run_extra
from rlcore.service.pbt import PBTConfig, pbt_trainer_for, read_events, run_pbt
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs
from ui import pbt_model as pm

TINY = {
    "env": "CartPole-v1",
    "algo": "dqn",
    "preset": "false",
    "steps": "1500",
    "eval_every": "250",
    "eval_episodes": "2",
    "learning_starts": "100",
    "hidden": "8",
    "mode": "pbt",
    "evolve": "lr,gamma",
    "members": "3",
    "interval": "500",
}


def open_page(lang="en", **query):
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.session_state["lang"] = lang
    at.switch_page("pages/train.py")
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def errors(at):
    return " ".join(e.value for e in at.error)


def captions(at):
    return " ".join(c.value for c in at.caption)


def frame(at, column):
    """The table with a column named ``column`` (AppTest does not expose a table's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def arr(v):
    """A Plotly array as numbers (a plain list, or numpy sent as base64 ``bdata``)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def rows_of(store, rid):
    return [json.loads(x) for x in (store.path(rid) / "metrics.jsonl").read_text().splitlines()]


def charts(at):
    return {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def chart(at, title_part):
    figs = [f for f in charts(at).values() if title_part in str(f["layout"].get("title", ""))]
    assert len(figs) == 1, [f["layout"].get("title") for f in charts(at).values()]
    return figs[0]


def test_population_mode_offers_its_fields_and_says_what_will_happen():
    at = open_page(**TINY)
    assert not at.exception and not errors(at), errors(at)
    assert at.radio(key="train_mode_en").value == "pbt"
    ms = at.multiselect(key="train_pbt_params")
    assert ms.value == ["lr", "gamma"] and list(ms.options) == list(
        get_algo("dqn").agent_cls.member_hparams
    )
    assert at.text_input(key="train_pbt_members").value == "3"
    text = captions(at)
    assert "3 members train together in one process, 1,500 steps each" in text
    assert "Every 500 steps (a ready point, 2 in all)" in text
    assert "bottom 25% (1 of 3)" in text and "move lr, gamma" in text
    assert "These 3 agents train together in one process" in text  # ui.jobs.network_cost
    first = frame(at, "member")
    assert list(first.columns) == ["member", "lr", "gamma"] and len(first) == 3
    assert first["lr"].nunique() == 3  # drawn, not copies of the form's value
    assert at.button(key="train_start").disabled is False
    assert at.query_params["evolve"] == ["lr,gamma"] or at.query_params["evolve"] == "lr,gamma"


@pytest.mark.parametrize(
    "field,value,words",
    [
        ("members", "300", "**members** = 300: out of range. Allowed: from 2 to 100"),
        ("members", "1", "**members** = 1: out of range. Allowed: from 2 to 100"),
        ("members", "many", "**members** = 'many': not a whole number"),
        ("interval", "333", "**interval** = 333: not a multiple of the evaluation interval 250"),
        ("interval", "1500", "**interval** = 1500: out of range. Allowed: 1 to 1499, below steps"),
        ("quantile", "0.9", "**quantile** = 0.9: out of range. Allowed: above 0 to 0.5"),
    ],
)
def test_a_bad_field_is_named_with_its_allowed_range_and_nothing_can_start(field, value, words):
    at = open_page(**TINY)
    at.text_input(key=f"train_pbt_{field}").set_value(value).run()
    assert words in errors(at), errors(at)
    assert at.button(key="train_start").disabled


def test_no_parameter_to_evolve_is_refused_naming_the_allowed_ones():
    at = open_page(**TINY)
    at.multiselect(key="train_pbt_params").set_value([]).run()
    assert "params: none given (allowed: lr, gamma, tau" in errors(at)
    assert at.button(key="train_start").disabled


def test_hosted_caps_members_at_the_runs_one_visitor_may_have(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    at = open_page(**{**TINY, "members": "5"})
    assert "**members** = 5: out of range. Allowed: from 2 to 4" in errors(at), errors(at)
    at.text_input(key="train_pbt_members").set_value("4").run()
    assert not errors(at) and not at.button(key="train_start").disabled


def test_start_queues_one_pbt_population_with_one_worker(monkeypatch):
    launched = fake_app_queue(monkeypatch)
    at = open_page(**TINY)
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    store = RunStore()
    tags = [run_extra(store, r) for r in assert_one_population_queued(launched, 3)]
    pbt = PBTConfig.from_json(tags[0]["pbt"])
    assert pbt.params == ("lr", "gamma") and pbt.interval == 500 and pbt.quantile == 0.25
    batch = load_batch(store, tags[0]["batch"])
    assert batch.kind == "pbt" and len(batch.runs) == 3
    assert pbt_trainer_for(store, batch.runs) is not None  # the worker trains it as a PBT
    assert sorted(r.run.seed for r in store.list()) == [0, 1, 2]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A small PBT batch trained here (3 members, 1,500 steps, a ready point every 250)."""
    root = tmp_path_factory.mktemp("pbt_runs")
    run, algo = make_configs(
        "dqn",
        "CartPole-v1",
        hp={"hidden": (8,), "learning_starts": 100},
        run={"steps": 1500, "eval_every": 250, "eval_episodes": 2, "threads": 1},
        use_preset=False,
    )
    pbt = PBTConfig(("lr", "gamma"), interval=250, quantile=0.5)
    res = run_pbt(run, algo, pbt, members=3, store=RunStore(root))
    return root, res


def test_the_live_view_draws_the_population_from_its_metrics_and_event_log(finished, monkeypatch):
    root, res = finished
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(root))
    at = open_page(batch=res.batch_id, **TINY)
    assert not at.exception and not errors(at), errors(at)
    store = RunStore(root)
    events = read_events(res.folder / "events.jsonl")
    ret = chart(at, "Evaluation return of each member")
    assert [tr["name"] for tr in ret["data"]] == ["member 0", "member 1", "member 2"]
    for tr, rid in zip(ret["data"], res.run_ids):
        rows = rows_of(store, rid)
        evals = [(r["step"], r["eval/return_mean"]) for r in rows if "eval/return_mean" in r]
        assert list(zip(arr(tr["x"]), arr(tr["y"]))) == evals
    lr = chart(at, "lr of each member over steps")
    assert all(tr["line"]["shape"] == "hv" for tr in lr["data"]) and len(lr["data"]) == 3
    assert lr["layout"]["yaxis"]["type"] == "log"  # lr is a log-scale field
    for m, tr in enumerate(lr["data"]):  # the member's own values: start, and each ready point
        df = pd.DataFrame(rows_of(store, res.run_ids[m]))
        x, y = pm.hp_steps(df, "lr")
        assert np.allclose(arr(tr["x"]), x) and np.allclose(arr(tr["y"]), y)
        assert arr(tr["x"])[-1] == 1500 and len(x) >= 2  # held to the member's last step
    lineage = chart(at, "Lineage: who copied whom")
    copies = [e for e in events if e["kind"] == "exploit"]
    assert copies, "the tiny population copied no one: the lineage test would test nothing"
    arrows = [(a["x"], a["ay"], a["y"]) for a in lineage["layout"]["annotations"]]
    assert arrows == [(e["step"], e["src"], e["dst"]) for e in copies]
    table = frame(at, "from step")
    assert [int(s) for s in table["from step"]] == [s for s, _ in res.schedule]
    assert np.allclose(table["lr"], [v["lr"] for _, v in res.schedule])
    best = max(range(3), key=lambda i: (res.returns[i], -i))
    assert f"**Best member: {best}**" in " ".join(m.value for m in at.markdown)
    code = at.code[0].value
    assert code.startswith("rlcore train --algo dqn --env CartPole-v1 --steps 1500")
    assert f"--seed {res.seed}" in code and "--schedule" in code and "--set lr=" not in code
    assert "--set hidden=8" in code and (res.folder / "schedule_best.json").exists()
    assert at.get("download_button")  # the owner (locally: everyone) may download it


def test_a_shared_link_shows_the_population_without_a_download(finished, monkeypatch):
    root, res = finished
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(root))
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")  # the batch is the operator's: not ours
    at = open_page("zh", batch=res.batch_id, **TINY)
    assert not at.exception
    assert chart(at, "lr 随步数变化")  # Chinese titles
    assert not at.get("download_button")
    assert any("只有" in i.value or "查看" in i.value for i in at.info), [i.value for i in at.info]


def test_best_of_follows_the_lineage_and_hp_steps_hold_the_last_value():
    events = [
        {"kind": "start", "step": 0, "member": 0, "seed": 5, "values": {"lr": 1e-3}},
        {"kind": "start", "step": 0, "member": 1, "seed": 6, "values": {"lr": 1e-2}},
        {"kind": "exploit", "step": 100, "dst": 1, "src": 0, "copied": {"lr": 1e-3},
         "new": {"lr": 8e-4}, "history": [[0, {"lr": 1e-3}]], "ancestry": [[0, 0]]},
    ]  # fmt: skip
    best = pm.best_of([10.0, 20.0], events)
    assert best.member == 1 and best.seed == 5  # its weights started as member 0's
    assert best.schedule == [(0, {"lr": 1e-3}), (100, {"lr": 8e-4})]
    assert best.ancestry == [(0, 0), (100, 1)]
    assert pm.best_of([None, math.nan], events) is None
    df = pd.DataFrame([{"step": 0, "hp/lr": 1e-3}, {"step": 50}, {"step": 100, "hp/lr": 8e-4},
                       {"step": 180}])  # fmt: skip
    x, y = pm.hp_steps(df, "lr")
    assert list(x) == [0, 100, 180] and list(y) == [1e-3, 8e-4, 8e-4]


# -- the DQN explorer's PBT section (pages/learn_value.py, ui/learn/pbt_explorer.py) -------
def _start(m, seed, lr):
    return {"kind": "start", "step": 0, "member": m, "seed": seed, "values": {"lr": lr}}


def _copy(step, dst, src, copied, new):
    return {"kind": "exploit", "step": step, "dst": dst, "src": src,
            "copied": {"lr": copied}, "new": {"lr": new}}  # fmt: skip


def test_sign_test_is_the_binomial_tail_of_fair_coin_flips():
    from ui.learn.pbt_explorer import sign_test

    assert sign_test(0, 6) == pytest.approx(2 / 64) and sign_test(6, 6) == sign_test(0, 6)
    assert sign_test(1, 6) == pytest.approx(2 * 7 / 64)
    assert sign_test(3, 6) == 1.0 and sign_test(0, 0) == 1.0


def _population(factor, n_steps):
    """Two members; member 0 always copies member 1 and multiplies its lr by ``factor``."""
    events, lr = [_start(0, 0, 1e-3), _start(1, 1, 1e-3)], 1e-3
    for k in range(1, n_steps + 1):
        dst, src = (0, 1) if k % 2 else (1, 0)
        events.append(_copy(100 * k, dst, src, lr, lr * factor))
        lr *= factor
    return events, [1.0, 2.0] if n_steps % 2 == 0 else [2.0, 1.0]


@pytest.mark.parametrize(
    "factor,n,direction", [(0.8, 6, "fell"), (1.2, 6, "rose"), (0.8, 4, "unclear")]
)
def test_the_verdict_claims_a_direction_only_on_the_population_evidence(factor, n, direction):
    from ui.learn.pbt_explorer import lr_verdict

    events, finals = _population(factor, n)
    v = lr_verdict(events, finals)
    assert v.direction == direction, v
    assert v.top == [int(np.argmax(finals))] and v.down + v.up == n  # each kept step once
    assert (v.down == n) == (factor < 1)
    assert v.p == pytest.approx(2 / 2**n)


def test_the_verdict_is_unclear_when_the_kept_steps_split_evenly():
    from ui.learn.pbt_explorer import lr_verdict

    events = [_start(0, 0, 1e-3), _start(1, 1, 1e-3)]
    lr = 1e-3
    for k, f in enumerate([0.8, 1.2, 0.8, 1.2, 0.8, 1.2], 1):
        events.append(_copy(100 * k, k % 2, 1 - k % 2, lr, lr * f))
        lr *= f
    v = lr_verdict(events, [2.0, 1.0])  # member 0: the last copy, six kept steps
    assert (v.down, v.up, v.direction) == (3, 3, "unclear") and v.p == 1.0
    assert lr_verdict(events, [None, None]) is None


def open_learn(lang="en"):
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.session_state["lang"] = lang
    at.switch_page("pages/learn_value.py")
    return at.run()


def test_the_explorer_asks_for_a_prediction_says_the_time_and_starts_a_pbt(monkeypatch):
    from ui.learn import pbt_explorer as pe

    launched = fake_app_queue(monkeypatch)
    at = open_learn()
    assert not at.exception, at.exception
    start = at.button(key="learn_value.pbt.start")
    assert start.disabled  # no prediction yet
    assert "60,000 environment steps in all: 20 to 40 s from Start to the verdict" in captions(at)
    at.radio(key="learn_value.pbt.guess_en").set_value("fall").run()
    at.button(key="learn_value.pbt.start").click().run()
    assert not at.exception, at.exception
    ids = assert_one_population_queued(launched, pe.MEMBERS)
    tag = run_extra(RunStore(), ids[0])
    assert PBTConfig.from_json(tag["pbt"]).params == ("lr",)
    assert at.radio(key="learn_value.pbt.guess_en").disabled  # the prediction is kept


def test_the_explorer_shows_the_schedule_and_the_verdict_of_a_finished_population(
    finished, monkeypatch
):
    from ui.learn.pbt_explorer import lr_verdict

    root, res = finished
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(root))
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.session_state["lang"] = "en"
    at.session_state["learn_value.pbt.batch"] = res.batch_id
    at.session_state["learn_value.pbt.guessed"] = "fall"
    at.switch_page("pages/learn_value.py").run()
    assert not at.exception, at.exception
    v = lr_verdict(read_events(res.folder / "events.jsonl"), res.returns)
    text = " ".join(m.value for m in at.markdown)
    words = {"fell": "The lr fell.", "rose": "The lr rose.", "unclear": "did not move clearly"}
    assert words[v.direction] in text
    assert f"{v.down} lowered" in text and f"p = {v.p:.2f}" in text
    best = max(range(3), key=lambda i: (res.returns[i], -i))
    assert f"The best agent (member {best})" in text
    said = {"fell": "agrees", "rose": "says otherwise", "unclear": "no evidence for it"}
    assert "You predicted: fall. " in captions(at) and said[v.direction] in captions(at)
    assert chart(at, "lr of each member over steps")
