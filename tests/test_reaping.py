"""No ``<defunct>`` children under the server (issue 28, finding 9).

The real children, started the way the app starts them (a run's worker through the job
queue, a dataset build, a study driver), end; their ``Popen`` objects are kept the way
the app keeps them (in the registries, in a variable nobody polls again: the visitor
left). No child of this process may then stay a zombie: ``/proc/<pid>/stat`` state ``Z``
with this process as its parent. Before the fix the build and the study driver stayed
``<defunct>`` for as long as the server ran.
"""

import os
import time
from pathlib import Path

import pytest

from rlcore.search.study import make_spec
from rlcore.service import dataset_builds as builds
from rlcore.service import processes, studies
from rlcore.service.jobs import JobQueue, Plan
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs


def children() -> dict[int, str]:
    """``{pid: state}`` of this process's children (Linux ``/proc``)."""
    me, out = os.getpid(), {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            out[int(stat.parent.name)] = fields[0]
    return out


def wait_for(done, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise AssertionError(f"{what}: still {children()} after {timeout} s")
        time.sleep(0.2)


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.setenv("RLCORE_SPARE_WORKERS", "0")
    return tmp_path


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_every_child_the_app_starts_is_reaped_when_it_ends(folders):
    before = set(children())
    store = RunStore()
    plan = make_configs(
        "dqn", "CartPole-v1", {"hidden": (8,), "learning_starts": 10}, {"steps": 100}
    )
    queue = JobQueue(store, max_workers=2)
    batch = queue.submit(Plan("single", (plan,)))
    build = builds.start_build("Pendulum-v1", "random", 200, seed=1, name="tiny", expert_steps=200)
    small = {"hidden": (8,), "learning_starts": 10}
    spec = make_spec(
        "reap",
        "dqn",
        "CartPole-v1",
        ["lr"],
        trials=1,
        hp=small,
        run={"steps": 100, "eval_every": 50},
    )
    studies.create_study(store, spec)
    driver = studies.spawn_driver(store, "reap")  # held, never polled: the visitor left
    started = set(children()) - before
    assert len(started) >= 3, children()

    # every child ends (its run, build, study finished) ...
    wait_for(lambda: all(children().get(p, "Z") == "Z" for p in started), 240, "children running")
    # ... and none stays a zombie, though nobody polled the driver or read the build
    wait_for(lambda: not started & set(children()), 10 * processes.REAP_INTERVAL_S, "zombies")
    assert "Z" not in children().values(), children()
    assert driver.returncode == 0  # the owner's Popen still has the exit status
    assert store.status(batch.runs[0]).get("status") == "finished"
    assert builds.read_status(build)["status"] == "finished"
