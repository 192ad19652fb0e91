"""AppTest of what the run views say: time estimates before Start, submissions by name,
"Watch the agent" above the insides with a slider over checkpoints, the diagnosis under
the charts, readable legends, and a prediction drawn over a sweep's result."""

import dataclasses
import json

from streamlit.testing.v1 import AppTest

from helpers import poll
from rlcore.service import speed
from rlcore.service.runs import RunStore
from rlcore.train.model_size import count_parameters
from rlcore.train.presets import make_configs

TINY = {"run_steps": "1200", "run_eval_episodes": "2", "run_log_every": "200"}


def open_train(**query):
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.switch_page("pages/train.py")
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def set_tiny(at, **extra):
    for key, value in {**TINY, **extra}.items():
        at.text_input(key=key).set_value(value)
    at.text_input(key="hp_dqn_hidden").set_value("16")
    return at.run()


def progress(at):
    return " ".join(p.proto.text for p in at.get("progress"))


def charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_before_start_the_page_says_how_long_the_run_takes_on_this_server():
    at = open_train()
    assert any("No estimate yet: no dqn run like this one" in c.value for c in at.caption)
    # an earlier run of the preset measured: 1,000 warm-up steps in 2 s, 49,000 in 300 s
    run, cfg = make_configs("dqn", "CartPole-v1", run={"threads": 1})
    rec = speed.SpeedRecord(
        "dqn",
        "CartPole-v1",
        "cpu",
        count_parameters(run, cfg),
        64,
        1000,
        2.0,
        49_000,
        300.0,
        49_000 // 256 * 128,  # the preset's 128 updates every 256 steps
    )
    RunStore().root.mkdir(parents=True, exist_ok=True)
    (RunStore().root / speed.SPEED_FILE).write_text(json.dumps(dataclasses.asdict(rec)) + "\n")
    at = open_train()
    assert any("Takes about 5 min 02 s on this server." in c.value for c in at.caption)


def test_a_run_watch_above_the_insides_scrub_diagnosis_and_readable_legends():
    at = set_tiny(open_train(), run_eval_every="100000")  # one evaluation: said below
    at.button(key="train_start").click().run()
    poll(at, lambda a: "finished" in progress(a))
    at.run()
    watch_i = next(i for i, el in enumerate(_flat(at.main)) if _is(el, "Watch the agent"))
    first_panel = next(i for i, el in enumerate(_flat(at.main)) if _panel(el))
    assert watch_i < first_panel  # under the return curve, above the insides
    legends = {t.get("name") for fig in charts(at) for t in fig["data"] if t.get("name")}
    assert not [n for n in legends if "train/" in n or "eval/" in n]  # readable names
    warnings = " ".join(w.value for w in at.warning)
    assert "Only one evaluation in this run" in warnings
    (run_id,) = RunStore().ids()
    steps = RunStore().checkpoint_steps(run_id)
    assert steps == [1200]  # its one evaluation (the final) got a checkpoint
    slider = at.select_slider(key=f"watch_at_{run_id}")
    assert slider.options == ["1,200", "latest"]
    at.button(key="watch_render").click().run()
    at.select_slider(key=f"watch_at_{run_id}").set_value(1200).run()
    assert not at.exception
    assert at.session_state["watch_state"]["step"] == 1200
    assert at.get("image")[0].proto.imgs[0].url


def _flat(block):
    """Every element under a block, depth first, in page order."""
    for child in getattr(block, "children", {}).values():
        yield child
        yield from _flat(child)


def _is(el, text):
    return getattr(el, "type", "") == "subheader" and getattr(el, "value", "") == text


def _panel(el):
    if getattr(el, "type", "") != "plotly_chart":
        return False
    title = json.loads(el.proto.spec)["layout"].get("title", {}).get("text", "")
    return title in ("Losses", "Speed", "Value estimates")


def test_submissions_are_named_and_a_sweep_is_drawn_over_its_prediction():
    at = set_tiny(open_train(), run_eval_every="400")
    at.radio(key="train_mode_en").set_value("sweep").run()
    at.text_input(key="train_sweep_values_lr").set_value("0.001, 0.01").run()
    at.number_input(key="train_seeds").set_value(1).run()
    at.number_input(key="predict_train_lr_0.001").set_value(20.0)
    at.number_input(key="predict_train_lr_0.01").set_value(60.0).run()
    at.button(key="train_start").click().run()
    poll(at, lambda a: "2 of 2 runs done" in progress(a), timeout=180)
    at.run()
    reveal = next(
        f for f in charts(at) if any(t.get("name") == "your prediction" for t in f["data"])
    )
    mine = next(t for t in reveal["data"] if t.get("name") == "your prediction")
    assert mine["x"] == [0.001, 0.01] and mine["y"] == [20.0, 60.0]
    assert reveal["layout"]["xaxis"]["ticktext"] == ["0.001", "0.01"]
    # a second submission: the picker names both by what they are, not by bare ids
    at.radio(key="train_mode_en").set_value("single").run()
    at.button(key="train_start").click().run()
    labels = at.selectbox(key="live_pick").options
    assert any(
        "DQN" in x and "CartPole-v1" in x and "sweep of lr: 2 values × 1 seeds" in x for x in labels
    )
    assert any("one run, seed 0" in x for x in labels)
