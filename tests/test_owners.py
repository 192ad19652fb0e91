"""A public demo keeps strangers apart (issue 28, findings 2-5 and 7), in rlcore itself.

Each test reproduces one attack of the probe on the hosted profile (visitor A the victim,
B the attacker, with their owner tokens) and checks that the one gate, the owner checks
and the fair queue refuse it; before the change, every one of them went through.
"""

import json
import time
from collections import Counter

import numpy as np
import pytest

from rlcore.core.owners import NotYours, OverBudget, may_control
from rlcore.data import datasets as ds
from rlcore.search.study import make_spec
from rlcore.service import owners, studies
from rlcore.service.jobs import JobQueue, seed_plan
from rlcore.service.runs import RunStore, prune_runs
from rlcore.train.presets import make_configs

A, B = "a" * 32, "b" * 32


def tiny(steps=400, **hp):
    base = {"learning_starts": 100, "hidden": (8,), **hp}
    run = {"steps": steps, "eval_every": 200, "eval_episodes": 2, "threads": 1}
    return make_configs("dqn", "CartPole-v1", base, run, use_preset=False)


class Launcher:
    """Workers that never start (the queue holds every run as waiting or active)."""

    def __init__(self):
        self.started = []

    def __call__(self, run_id, store):
        self.started.append(run_id)
        store.set_status(run_id, "running", step=0)
        return type("P", (), {"pid": 1, "poll": lambda self: None})()


@pytest.fixture(autouse=True)
def _datasets_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "datasets"))


@pytest.fixture
def hosted(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    monkeypatch.setenv("RLCORE_MAX_WORKERS", "2")


def queue(workers=2):
    return JobQueue(RunStore(), max_workers=workers, launcher=Launcher(), dispatch=False)


def test_control_is_the_owners_alone_on_a_hosted_server(hosted, monkeypatch):
    assert may_control(A, A) and not may_control(A, B) and not may_control("", B)
    assert not may_control(A, None) and not may_control(A, "")
    monkeypatch.setenv("RLCORE_PROFILE", "local")
    assert may_control(A, B) and may_control("", None)  # one user: everything is theirs


def test_a_shared_link_cannot_stop_or_delete_the_owners_runs(hosted):
    """Finding 2: B, with A's link, stopped A's run and deleted A's runs."""
    q = queue()
    batch = q.submit(seed_plan(*tiny(), 1), owner=A)
    rid = batch.runs[0]
    assert batch.owner == A and owners.run_owner(q.store, rid) == A
    with pytest.raises(NotYours, match="belongs to another visitor"):
        q.stop(rid, who=B)
    with pytest.raises(NotYours):
        q.delete(rid, who=B)
    assert not q.store.stop_requested(rid) and q.store.path(rid).exists()
    q.stop(rid, who=A)  # the owner may
    assert q.store.stop_requested(rid)


def test_batch_ids_cannot_be_guessed():
    """A link names a batch: 64 random bits, not 24 beside a timestamp."""
    ids = {queue().submit(seed_plan(*tiny(), 1)).id for _ in range(3)}
    assert all(len(i.rsplit("-", 1)[1]) == 16 for i in ids) and len(ids) == 3


def test_one_gate_caps_a_visitors_runs_in_flight_whatever_the_page(hosted):
    """Finding 5: lessons, links and studies each queued past the 4-run cap."""
    q = queue(workers=1)
    q.submit(seed_plan(*tiny(), 3), owner=A)
    with pytest.raises(OverBudget, match="you have 3 queued or training and asked for 2 more"):
        q.submit(seed_plan(*tiny(), 2), owner=A)
    assert len(q.store.ids()) == 3  # a refused plan leaves no run behind
    q.submit(seed_plan(*tiny(), 1), owner=A)  # the fourth fits
    q.submit(seed_plan(*tiny(), 4), owner=B)  # another visitor's count is their own
    assert owners.in_flight(q.store, A) == 4 and owners.in_flight(q.store, B) == 4


def test_the_queue_takes_owners_in_turn(hosted):
    """Finding 5: five attacker sessions put A's run at queue position 32."""
    q = queue(workers=1)
    attackers = [f"{i}" * 32 for i in range(1, 6)]
    first = [q.submit(seed_plan(*tiny(), 4), owner=who).runs for who in attackers]
    mine = q.submit(seed_plan(*tiny(), 1), owner=A).runs[0]  # 20 runs ahead of it in time
    # round robin: one run of each attacker with nothing training yet, then A (not 20th)
    assert q.position(mine) == 5
    assert [q.position(r) for r in first[0]] == [None, 6, 11, 16]  # one each a round


def test_fair_order_is_round_robin_and_fifo_for_one_owner():
    waiting = [("r1", "x"), ("r2", "x"), ("r3", "x"), ("r4", "y"), ("r5", "z"), ("r6", "y")]
    assert owners.fair_order(waiting, Counter()) == ["r1", "r4", "r5", "r2", "r6", "r3"]
    assert owners.fair_order(waiting, Counter(x=2, y=1)) == ["r5", "r4", "r1", "r6", "r2", "r3"]
    assert owners.fair_order([(f"r{i}", "") for i in range(5)], Counter(x=9)) == [
        f"r{i}" for i in range(5)
    ]


def finished(store, owner, age_s, steps=400):
    """A finished run of ``owner`` that ended ``age_s`` seconds ago."""
    rid = store.create(*tiny(steps), {"owner": owner})
    store.set_status(rid, "finished", finished=time.time() - age_s)
    return rid


def test_eviction_never_takes_another_visitors_fresh_run(hosted):
    """Finding 7: reaching the stored-runs cap deleted other users' oldest finished runs."""
    store = RunStore()
    a_fresh = finished(store, A, age_s=60)
    b_old = finished(store, B, age_s=7200)
    b_fresh = finished(store, B, age_s=30)
    a_older = finished(store, A, age_s=600)
    assert prune_runs(store, 3, owner=A) == [a_older]  # A's own first, oldest first
    assert prune_runs(store, 2, owner=A) == [a_fresh]
    assert prune_runs(store, 0, owner=A) == [b_old]  # then others' old runs; never b_fresh
    assert store.ids() == [b_fresh]


def test_the_stored_runs_cap_refuses_rather_than_evict_a_fresh_run(hosted, monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_STORED_RUNS", "2")
    store = RunStore()
    finished(store, B, age_s=10)
    finished(store, B, age_s=20)
    with pytest.raises(OverBudget, match="at most 2 runs"):
        store.create(*tiny(), {"owner": A})
    assert len(store.ids()) == 2


def test_a_big_network_keeps_only_the_checkpoints_its_budget_holds(hosted):
    """Finding 7: hidden=1400,1400 wrote 10 checkpoints + final of 15.8 MB each, per run."""
    run, algo = make_configs(
        "dqn", "CartPole-v1", {"hidden": (1400, 1400), "learning_starts": 10}, {"steps": 50}
    )
    per_file = owners.run_bytes(run, algo, 0)
    assert 15e6 < per_file < 17e6  # the probe's 15.8 MB
    n = owners.checkpoints_for(run, algo, 10)
    assert 0 <= n < 10 and owners.run_bytes(run, algo, n) <= 40 * 2**20
    assert owners.run_bytes(run, algo, n + 1) > 40 * 2**20
    small = owners.checkpoints_for(*tiny(), 10)
    assert small == 10  # a preset-size network keeps all ten


def test_a_visitors_disk_budget_refuses_what_does_not_fit(hosted, monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_OWNER_MB", "100")
    monkeypatch.setenv("RLCORE_MIN_FREE_MB", "0")
    q = queue()
    big = make_configs(
        "dqn", "CartPole-v1", {"hidden": (1400, 1400), "learning_starts": 10}, {"steps": 50}
    )
    q.submit(seed_plan(*big, 2), owner=A)  # ~2 x 40 MB planned
    for rid in q.store.ids():  # as if they had written their weights
        (q.store.path(rid) / "model.safetensors").write_bytes(b"\0" * 40 * 2**20)
        q.store.set_status(rid, "running")
    with pytest.raises(OverBudget, match="your disk budget of 100 MB"):
        q.submit(seed_plan(*big, 1), owner=A)
    q.submit(seed_plan(*tiny(), 1), owner=A)  # a small run still fits
    q.submit(seed_plan(*big, 1), owner=B)  # B's budget is B's


def test_a_full_disk_refuses_new_work(hosted, monkeypatch):
    monkeypatch.setenv("RLCORE_MIN_FREE_MB", str(10**9))  # more than any disk has free
    with pytest.raises(OverBudget, match="disk is full"):
        queue().submit(seed_plan(*tiny(), 1), owner=A)
    assert RunStore().ids() == []


def spec(name, trials=2, seeds=1):
    return make_spec(name, "dqn", "CartPole-v1", ["lr"], trials=trials, seeds=seeds,
                     hp={"learning_starts": 100}, run={"steps": 400})  # fmt: skip


def test_only_the_owner_stops_resumes_or_deletes_a_study(hosted):
    """Finding 4: B could stop and resume A's study."""
    store = RunStore()
    studies.create_study(store, spec("s-a"), owner=A)
    assert studies.study_owner(store, "s-a") == A
    for act in (
        lambda: studies.request_stop(store, "s-a", who=B),
        lambda: studies.spawn_driver(store, "s-a", who=B),
        lambda: studies.delete_study(store, "s-a", who=B),
    ):
        with pytest.raises(NotYours):
            act()
    assert not studies.stop_requested(store, "s-a")
    studies.request_stop(store, "s-a", who=A)
    assert studies.stop_requested(store, "s-a")


def test_a_studys_trials_and_seeds_count_against_its_owner(hosted, monkeypatch):
    """Finding 5: a 20-trial x 10-seed study queued 10 runs at once."""
    monkeypatch.setenv("RLCORE_MAX_SESSION_TRIALS", "5")
    store = RunStore()
    with pytest.raises(OverBudget, match="seeds = 10: too many for one trial"):
        studies.create_study(store, spec("s-1", trials=2, seeds=10), owner=A)
    studies.create_study(store, spec("s-2", trials=3, seeds=2), owner=A)
    assert studies.owner_trials(store, A) == 3
    with pytest.raises(OverBudget, match="you have started 3 of the 5 trials"):
        studies.create_study(store, spec("s-3", trials=3), owner=A)
    studies.create_study(store, spec("s-4", trials=5), owner=B)


def test_a_study_driver_waits_while_its_owner_is_at_the_cap(hosted):
    from rlcore.service.study_driver import LocalExecutor, StudyDriver

    store = RunStore()
    studies.create_study(store, spec("s-wait", trials=4, seeds=2), owner=A)
    q = queue(workers=1)
    q.submit(seed_plan(*tiny(), 3), owner=A)  # A already has 3 of 4 in flight
    driver = StudyDriver(store, "s-wait", LocalExecutor(store, q, owner=A))
    assert not driver._room()  # 3 + 2 seeds > 4: no trial is asked for
    q.stop(q.store.ids()[0], who=A)  # one ends: 2 + 2 fits
    assert driver._room()


def write_npz(path, n=50, reward=1.0):
    obs = np.zeros((n, 3), np.float32)
    np.savez(
        path,
        observations=obs,
        actions=np.zeros((n, 1), np.float32),
        rewards=np.full(n, reward, np.float32),
        next_observations=obs,
        terminals=np.r_[np.zeros(n - 1), 1.0].astype(np.float32),
    )
    return path


def test_importing_under_another_visitors_name_never_replaces_their_data(hosted, tmp_path):
    """Finding 3: importing a file under A's dataset name silently replaced it."""
    ds_id = ds.import_file(write_npz(tmp_path / "a.npz", reward=1.0), "Pendulum-v1", "d", owner=A)
    with pytest.raises(ValueError, match="already exists and is not yours"):
        ds.import_file(write_npz(tmp_path / "b.npz", reward=-7.0), "Pendulum-v1", "d", owner=B)
    assert ds.load_transitions(ds_id)[0].rewards.mean() == 1.0
    ds.import_file(write_npz(tmp_path / "c.npz", reward=2.0), "Pendulum-v1", "d", owner=A)
    assert ds.load_transitions(ds_id)[0].rewards.mean() == 2.0  # the owner may replace it


def test_datasets_are_listed_and_deleted_by_their_owner_only(hosted, tmp_path):
    """Finding 3: every visitor saw and could delete every dataset."""
    mine = ds.import_file(write_npz(tmp_path / "a.npz"), "Pendulum-v1", "mine", owner=A)
    shared = ds.import_file(write_npz(tmp_path / "s.npz"), "Pendulum-v1", "shared")  # operator
    assert {i.id for i in ds.list_datasets(A)} == {mine, shared}
    assert {i.id for i in ds.list_datasets(B)} == {shared}
    for who, target in ((B, mine), (B, shared), (A, shared)):
        with pytest.raises(NotYours):
            ds.delete_dataset(target, who=who)
    ds.delete_dataset(mine, who=A)
    assert {i.id for i in ds.list_datasets(A)} == {shared}
    # and a run of B may not train on A's dataset
    other = ds.import_file(write_npz(tmp_path / "o.npz"), "Pendulum-v1", "other", owner=A)
    run, algo = make_configs("bc", "Pendulum-v1", {}, {"steps": 50, "dataset": other})
    with pytest.raises(ValueError, match="no such local dataset"):
        RunStore().create(run, algo, {"owner": B})


def test_a_build_of_another_visitor_cannot_be_stopped(hosted, tmp_path):
    from rlcore.service import dataset_builds as builds

    d = builds.build_path("20260101-000000-0123456789abcdef")
    d.mkdir(parents=True)
    (d / "spec.json").write_text(json.dumps({"owner": A, "dataset_id": "x", "argv": []}))
    (d / "status.json").write_text(json.dumps({"status": "running", "started": 0}))
    assert [b["id"] for b in builds.list_builds(A)] == [d.name]
    assert builds.list_builds(B) == []
    with pytest.raises(NotYours):
        builds.stop_build(d.name, who=B)
    assert json.loads((d / "status.json").read_text())["status"] == "running"
