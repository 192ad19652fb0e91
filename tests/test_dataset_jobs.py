"""Dataset builds in the background: a real tiny build runs to the end, bad input starts
nothing, a killed build reads as failed."""

import time

import pytest

from rlcore.data import datasets as ds
from rlcore.service import dataset_builds as jobs


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "datasets"))
    return tmp_path / "datasets"


def wait(build_id, timeout=90):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = jobs.read_status(build_id)
        if st["status"] != "running":
            return st
        time.sleep(0.2)
    jobs.stop_build(build_id)
    raise AssertionError(f"build {build_id} still running after {timeout} s")


def test_tiny_build_runs_to_the_end(store):
    bid = jobs.start_build("Pendulum-v1", "random", 200, seed=1, name="tiny", expert_steps=200)
    assert (store / "_builds" / bid / "log.txt").exists()
    assert [b["id"] for b in jobs.list_builds()] == [bid]
    st = wait(bid)
    assert st["status"] == "finished", (st, jobs.log_tail(bid))
    assert st["dataset_id"] == "rlplay/pendulum/tiny-v0"
    # the command heads the log (evaluations follow the budget: its tail is progress lines)
    assert "--expert-steps 200" in (store / "_builds" / bid / "log.txt").read_text()
    assert "built rlplay/pendulum/tiny-v0" in jobs.log_tail(bid)
    (info,) = ds.list_datasets()  # the _builds folder is not taken for a dataset
    assert info.id == "rlplay/pendulum/tiny-v0" and info.transitions >= 200


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (dict(n_steps=50), "n_steps"),
        (dict(kind="great"), "kind"),
        (dict(env_id="os:system"), "env"),
        (dict(env_id="Nope-v0"), "env"),
        (dict(expert_steps=-3), "expert_steps"),
        (dict(seed=-1), "seed"),
        (dict(kind="mixed", mix={"random": 0, "expert": 0}), "mix"),
        (dict(kind="mixed", mix={"great": 1}), "mix"),
        (dict(name="x" * 101), "name"),
    ],
)
def test_bad_input_starts_nothing(store, kw, field):
    args = dict(env_id="Pendulum-v1", kind="random", n_steps=1000) | kw
    with pytest.raises(ValueError, match=rf"^{field}"):
        jobs.start_build(**args)
    assert not (store / "_builds").exists()
    assert jobs.list_builds() == []


def test_argv_of_a_mixed_build(store):
    req = jobs.validate_build(
        "CartPole-v1", "mixed", 1000, 3, {"random": 1, "medium": 0, "expert": 3}, " m ", 500
    )
    assert jobs.build_argv(req) == [
        "dataset", "build", "--env", "CartPole-v1", "--kind", "mixed", "--steps", "1000",
        "--seed", "3", "--mix", "random=1,expert=3", "--name", "m", "--expert-steps", "500",
    ]  # fmt: skip
    assert req["dataset_id"] == "rlplay/cartpole/m-v0"


def test_killed_build_reads_as_failed(store):
    bid = jobs.start_build("Pendulum-v1", "random", 100_000, expert_steps=100_000)
    jobs.stop_build(bid)
    st = jobs.read_status(bid)
    assert st["status"] == "failed" and st["message"] == "stopped"
    with pytest.raises(ValueError, match="not a dataset build id"):
        jobs.read_status("../nope")
