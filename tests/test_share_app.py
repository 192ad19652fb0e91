"""AppTest of links to someone else's runs on the hosted profile, and of vanished runs.

A link names a batch; on a hosted server it gives whoever opens it a view, never the
controls (issue 28, finding 2). A batch whose runs were deleted since is said to be gone,
without an error box (before: ``ValueError: max() arg is an empty sequence``).
"""

import pytest
from streamlit.testing.v1 import AppTest
from test_owners import Launcher  # workers that never start
from test_run_views_app import open_train

from rlcore.service.jobs import JobQueue, seed_plan
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs


def submit(n=1, owner=None):
    run, algo = make_configs(
        "dqn", "CartPole-v1", {"learning_starts": 100, "hidden": (8,)}, {"steps": 400}
    )
    q = JobQueue(RunStore(), max_workers=1, launcher=Launcher(), dispatch=False)
    return q.submit(seed_plan(run, algo, n), owner=owner)


def texts(at):
    return " ".join(e.value for kind in ("info", "warning", "error") for e in getattr(at, kind))


def test_a_link_to_a_stranger_s_batch_shows_it_without_the_controls(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    batch = submit(owner="a" * 32)
    at = open_train(batch=batch.id)
    assert not at.exception
    assert "You are watching runs another visitor started" in texts(at)
    assert not [b for b in at.button if b.key == "live_stop"]
    assert batch.id not in at.session_state["live_batches"]  # never adopted as this session's


def test_one_s_own_batch_keeps_its_controls(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.switch_page("pages/train.py").run()
    batch = submit(owner=at.session_state["owner_token"])
    at.query_params["batch"] = batch.id
    at.session_state["live_batch"] = None
    at.run()
    assert not at.exception and "another visitor" not in texts(at)
    assert [b for b in at.button if b.key == "live_stop"]


@pytest.mark.parametrize("profile", ["local", "hosted"])
def test_a_link_to_deleted_runs_says_so_without_an_error_box(monkeypatch, profile):
    monkeypatch.setenv("RLCORE_PROFILE", profile)
    batch = submit(2)
    store = RunStore()
    store.set_status(batch.runs[0], "finished")
    store.delete(batch.runs[0])
    at = open_train(batch=batch.id)
    assert not at.exception
    assert "1 of the runs this link names no longer exist" in texts(at)
    store.set_status(batch.runs[1], "finished")
    store.delete(batch.runs[1])
    at = open_train(batch=batch.id)
    assert not at.exception
    assert "2 of the runs this link names no longer exist" in texts(at)
