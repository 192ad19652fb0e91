"""The course's lessons, rendered (AppTest): a link never starts work, a prediction locks
once its run starts, Home marks the explorer-only questions, the reparameterisation lesson
computes its own experiment, a tie is said as "no clear difference" and judges no
prediction; progress is kept per browser on the server."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from rlcore.learn import verdicts as V
from rlcore.service.jobs import JobQueue
from rlcore.service.runs import RunStore
from ui import course, lesson
from ui.i18n import t

ROOT = Path(__file__).resolve().parent.parent


def home(lang="en", **query):
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def texts(at):
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [x.value for x in at.info] + [x.value for x in at.success] + [x.value for x in at.warning]
    )
    return "\n".join(parts)


def n_batches():
    return len(list((RunStore().root / ".queue").glob("*"))) if RunStore().root.exists() else 0


def test_a_run_link_opens_the_lesson_ready_but_starts_nothing():
    at = home(topic="dqn", run="1")
    assert not at.exception, at.exception
    assert at.button(key="course_run_dqn").label == t("course.run.button")
    assert t("course.ready") in texts(at)
    assert not JobQueue().positions() and not RunStore().ids()  # nothing submitted
    assert "runs" not in at.query_params


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_home_marks_explorer_only_questions_and_says_how_many_have_an_experiment(lang):
    at = home(lang)
    assert not at.exception, at.exception
    md = " ".join(m.value for m in at.markdown)
    n = sum(tp.experiment is not None for tp in course.TOPICS)
    assert t("course.intro", lang, n=n, total=len(course.TOPICS)) in md
    labels = [p.proto.label for p in at.get("page_link")]
    for tp in course.TOPICS:
        label = next(x for x in labels if t(tp.key + ".title", lang) in x)
        assert (t("course.explorer_only", lang) in label) == (tp.experiment is None), label


def test_the_reparameterisation_lesson_computes_its_own_experiment():
    at = home(topic="rep")
    assert not at.exception, at.exception
    at.radio(key="course_pred_rep_en").set_value("score").run()
    at.button(key="course_run_rep").click().run()
    assert not at.exception, at.exception
    said = texts(at)
    assert t("course.answer.computed", answer=t("course.exp.rep.opt.pathwise")) in said
    assert t("course.wrong", guess=t("course.exp.rep.opt.score")) in said
    # the prediction is locked now: the radio is disabled and keeps the guess
    locked = at.radio(key="course_pred_rep_en_locked")
    assert locked.disabled and locked.value == "score"
    assert t("course.locked") in said
    assert not RunStore().ids()  # no training run


def test_a_tie_judges_no_prediction_in_both_languages():
    exp = course.EXPERIMENTS["pg"]
    flat = [pd.DataFrame({"step": range(1000, 11000, 1000), "eval/return_mean": [500.0] * 10})]
    v = course.verdict("pg", {"reinforce": flat * 3, "a2c": flat * 3})
    assert v.answer == V.TIE
    at = home(topic="pg")  # a script context for the texts
    assert not at.exception
    for lang in ("en", "zh"):
        kind, text = _in(lang, lambda: lesson.verdict_text(exp, v, "a2c"))
        assert kind == "info"
        assert t("course.tie", lang) in text
        assert t("course.tie.pred", lang, guess=t("course.exp.pg.opt.a2c", lang)) in text
        assert t("course.right", lang) not in text
        assert t("course.wrong", lang, guess=t("course.exp.pg.opt.a2c", lang)) not in text
        assert t("course.reason.small_effect", lang) in text  # why it is no win


def _in(lang, fn):
    import streamlit as st

    from ui.i18n import LANG_KEY

    before = st.session_state.get(LANG_KEY)
    st.session_state[LANG_KEY] = lang
    try:
        return fn()
    finally:  # leave the bare-mode session as it was (no language: the default)
        if before is None:
            del st.session_state[LANG_KEY]
        else:
            st.session_state[LANG_KEY] = before


def test_progress_records_round_trip_and_refuse_junk(tmp_path):
    key = course.progress_key("2|0a0b0c0d|1112131415161718|1700000000")
    # another page of the same browser: the same token under a different mask
    token = bytes(
        b ^ m for b, m in zip(bytes.fromhex("1112131415161718"), bytes.fromhex("0a0b0c0d" * 2))
    )
    other_mask = bytes.fromhex("01020304")
    masked = bytes(b ^ other_mask[i % 4] for i, b in enumerate(token))
    assert course.progress_key(f"2|01020304|{masked.hex()}|1700000001") == key
    assert course.progress_key("2|0a0b0c0d|9912131415161718|1700000000") != key
    record = {
        "seen": ["dqn", "nope", "dqn"],
        "runs": {"cdq": ["20260101-000000-ab", "../x"]},
        "pred": {"cdq": "ddpg", "pg": "maybe"},
    }
    assert course.save_progress(key, record)
    back = course.load_progress(key)
    assert back == {
        "seen": ["dqn"],
        "runs": {"cdq": ["20260101-000000-ab"]},
        "pred": {"cdq": "ddpg"},
    }
    assert course.load_progress("0" * 32) == {"seen": [], "runs": {}, "pred": {}}
    assert course.load_progress("../../etc") == {"seen": [], "runs": {}, "pred": {}}
    with pytest.raises(ValueError):
        course.save_progress("../../etc", record)  # a key is letters and digits only


def test_the_offline_lesson_offers_a_one_click_dataset_and_a_datasets_link_keeping_language():
    at = home("zh", topic="cql")
    assert not at.exception, at.exception
    assert at.button(key="course_build").label == t("course.build.button", "zh")
    links = [p.proto for p in at.get("page_link")]
    datasets = next(p for p in links if p.label == t("course.datasets_link", "zh"))
    assert "lang=zh" in datasets.query_string
    assert not RunStore().ids()


def _ui_imports(path):
    """The ``ui`` modules a file imports, at the top or inside a function."""
    import ast

    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ui"):
            names = [f"{node.module}.{a.name}" for a in node.names]
            out |= {
                n if (ROOT / (n.replace(".", "/") + ".py")).exists() else node.module for n in names
            }
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("ui")}
    return out


def test_no_import_circle_between_the_explorers_and_the_lessons():
    """ui.learn.explorer -> ui.lesson -> ui.learn.figures -> ui.learn.explorer was a circle
    (hidden by a function-level import); every import counts here, wherever it stands."""
    files = [
        ROOT / "ui" / "lesson.py",
        ROOT / "ui" / "course.py",
        *(ROOT / "ui" / "learn").glob("*.py"),
    ]
    graph = {".".join(f.relative_to(ROOT).with_suffix("").parts): _ui_imports(f) for f in files}

    def reaches(start, goal, seen=()):
        return any(
            n == goal or (n in graph and n not in seen and reaches(n, goal, (*seen, n)))
            for n in graph.get(start, ())
        )

    for module in graph:
        assert not reaches(module, module), module


def test_the_time_left_never_goes_up():
    store = {}
    assert lesson.monotone_left("cdq", None, 0.0, store) is None  # no estimate yet
    assert lesson.monotone_left("cdq", 136.0, 10.0, store) == 136.0
    # a later, longer estimate (2:16 -> 4:11) does not push the finish back
    assert lesson.monotone_left("cdq", 251.0, 20.0, store) == 126.0
    assert lesson.monotone_left("cdq", 60.0, 30.0, store) == 60.0  # a shorter one is taken
    assert lesson.monotone_left("cdq", 500.0, 200.0, store) == 0.0  # overdue: almost done


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_renders_before_its_run(lang):
    for tp in course.TOPICS:
        at = home(lang, topic=tp.id)
        assert not at.exception, (tp.id, at.exception)
        assert at.title[0].value == t(tp.key + ".title", lang)
        exp = course.EXPERIMENTS.get(tp.experiment) if tp.experiment else None
        if exp is not None and exp.slow:
            assert t("course.slow", lang) in texts(at), tp.id  # said before Start
    assert not RunStore().ids()


def test_a_cap_that_refuses_an_experiment_says_so_and_starts_nothing(monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_RUNS_PER_SESSION", "2")  # cdq runs 2 x 3 seeds
    at = home(topic="cdq")
    at.button(key="course_run_cdq").click().run()
    assert not at.exception, at.exception
    assert at.error and "2" in at.error[0].value
    assert not RunStore().ids()  # all or none: nothing queued
    assert at.button(key="course_run_cdq")  # still ready to start
