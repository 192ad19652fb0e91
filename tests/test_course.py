"""The course: every question of the notes in their order, each tied to a real explorer
section; experiments within the server's limits; verdicts read off the metrics by hand."""

import re
from pathlib import Path

from ui import course, lesson
from ui.i18n import catalogue

ROOT = Path(__file__).resolve().parent.parent


def test_every_topic_is_an_explorer_section_and_has_its_texts_in_both_languages():
    assert [tp.id for tp in course.TOPICS][:4] == ["rand", "dqn", "td", "pg"]  # notes' order
    assert len({tp.anchor for tp in course.TOPICS}) == len(course.TOPICS)
    text = catalogue()
    for tp in course.TOPICS:
        page = (ROOT / "pages" / f"{tp.page}.py").read_text()
        assert re.search(rf'ex\.section\(\s*"{tp.anchor}"', page), tp
        for suffix in (".title", ".question"):
            assert set(text[tp.key + suffix]) == {"en", "zh"}
        assert tp.experiment is None or tp.experiment in course.EXPERIMENTS
    for exp in course.EXPERIMENTS.values():
        for part in ("short", "what", "predict", "result", "look"):
            assert f"course.exp.{exp.id}.{part}" in text
        for opt in exp.options:
            assert f"course.exp.{exp.id}.opt.{opt}" in text


def test_experiments_fit_the_servers_step_limit(monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_STEPS", "1500")
    spec = course.EXPERIMENTS["cdq"].runs[1]
    (_, td3) = course.experiment_plans(course.EXPERIMENTS["cdq"])
    run, cfg = td3.runs[0]
    assert run.algo == "td3" and run.steps == 1500
    starts = spec.hp["learning_starts"]
    assert cfg.learning_starts == starts * 1500 // spec.steps  # the warm-up shrinks with the run
    (seeds,) = course.experiment_plans(course.EXPERIMENTS["seeds"])
    assert [r.seed for r, _ in seeds.runs] == [0, 1, 2]
    monkeypatch.setenv("RLCORE_MAX_STEPS", "50000000")
    (_, td3) = course.experiment_plans(course.EXPERIMENTS["cdq"])
    assert td3.runs[0][0].steps == spec.steps and td3.runs[0][1].learning_starts == starts
    assert len(td3.runs) == spec.seeds >= 2  # one seed is never read as a law


def test_the_course_state_goes_into_the_url_and_back():
    s = {"seen": ["rand", "cdq"], "runs": {"cdq": ["B1", "B2"]}, "pred": {"cdq": "td3"}}
    q = lesson.query(s, "cdq")
    assert q == {"topic": "cdq", "seen": "rand,cdq", "runs": "cdq:B1+B2", "pred": "cdq:td3"}
    back = lesson.parse(q | {"seen": "rand,cdq,nope", "pred": "cdq:maybe"})
    assert back == {"seen": ["rand", "cdq"], "runs": {"cdq": ["B1", "B2"]}, "pred": {}}
