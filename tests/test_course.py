"""The course: every question of the notes in their order, each tied to a real explorer
section; experiments within the server's limits; verdicts read off the metrics by hand."""

import re
from pathlib import Path

import pandas as pd
import pytest

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
    (_, td3) = course.experiment_plans(course.EXPERIMENTS["cdq"])
    run, cfg = td3.runs[0]
    assert run.algo == "td3" and run.steps == 1500
    assert cfg.learning_starts == 10_000 * 1500 // 20_000  # the warm-up shrinks with the run
    (seeds,) = course.experiment_plans(course.EXPERIMENTS["seeds"])
    assert [r.seed for r, _ in seeds.runs] == [0, 1, 2]
    monkeypatch.setenv("RLCORE_MAX_STEPS", "50000000")
    (_, td3) = course.experiment_plans(course.EXPERIMENTS["cdq"])
    assert td3.runs[0][0].steps == 20_000 and td3.runs[0][1].learning_starts == 10_000


def evals(q, g, ret=None):
    n = len(q)
    return pd.DataFrame(
        {
            "step": range(1, n + 1),
            "eval/q_start": q,
            "eval/discounted_return": g,
            "eval/return_mean": ret or [0.0] * n,
        }
    )


def test_verdicts_by_hand():
    # clipped double Q: DDPG's Q is 50% above its return after the first evaluation, TD3's 5%
    ddpg = evals([0.0, -60.0, -30.0], [-100.0, -120.0, -60.0])
    td3 = evals([0.0, -114.0, -57.0], [-100.0, -120.0, -60.0])
    answer, numbers = course.verdict("cdq", {"ddpg": [ddpg], "td3": [td3]})
    assert answer == "ddpg" and numbers["gaps"] == pytest.approx({"ddpg": 0.5, "td3": 0.05})
    assert course.overestimation(ddpg) == pytest.approx(0.5)
    answer, numbers = course.verdict("dqn", {"dqn": [evals([5.0, 30.0], [10.0, 20.0])]})
    assert answer == "above" and numbers["gap"] == pytest.approx(0.5)
    seeds = [evals([0.0], [0.0], [r]) for r in (500.0, 480.0, 120.0)]
    assert course.verdict("seeds", {"dqn": seeds}) == ("apart", {"low": 120.0, "high": 500.0})
    sac = pd.DataFrame({"step": [1, 2], "train/entropy": [0.5, -1.1], "train/alpha": [1.0, 0.2]})
    assert course.verdict("sac", {"sac": [sac]})[0] == "at"
    scores = {
        a: [pd.DataFrame({"step": [1], "eval/normalized_score": [s]})]
        for a, s in (("bc", 40.0), ("cql", 75.0), ("iql", 60.0))
    }
    assert course.verdict("offline", scores)[0] == "cql"
    assert course.verdict("cdq", {"ddpg": [evals([1.0], [1.0])]}) == (None, {})  # too early


def test_the_course_state_goes_into_the_url_and_back():
    s = {"seen": ["rand", "cdq"], "runs": {"cdq": ["B1", "B2"]}, "pred": {"cdq": "td3"}}
    q = lesson.query(s, "cdq")
    assert q == {"topic": "cdq", "seen": "rand,cdq", "runs": "cdq:B1+B2", "pred": "cdq:td3"}
    back = lesson._parse(q | {"seen": "rand,cdq,nope", "pred": "cdq:maybe"})
    assert back == {"seen": ["rand", "cdq"], "runs": {"cdq": ["B1", "B2"]}, "pred": {}}
