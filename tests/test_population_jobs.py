"""Populations as jobs (issue 25): one process trains K runs, each written as its own run."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from test_cli import train as _train  # the CLI test's tiny DQN train command

from helpers import recording_launcher, train_seeds_cli
from rlcore.service.jobs import JobQueue, load_batch, run_extra, seed_plan, sweep_plan
from rlcore.service.runs import RunStore
from rlcore.service.worker import population_of, run_population_job
from rlcore.train.export import load_checkpoint
from rlcore.train.presets import make_configs


def _rows(store: RunStore, rid: str) -> list[dict]:
    text = (store.path(rid) / "metrics.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


def test_train_seeds_runs_one_process_that_writes_each_seed_as_its_own_run(tmp_path, capsys):
    assert _train(tmp_path, "--seeds", "3", "--seed", "5") == 0
    assert "3 runs, in one process (a population)" in capsys.readouterr().out
    store = RunStore(tmp_path)
    recs = sorted(store.list(), key=lambda r: r.run.seed)
    assert [r.run.seed for r in recs] == [5, 6, 7]
    batches = {run_extra(store, r.id)["batch"] for r in recs}
    assert len(batches) == 1
    assert list(load_batch(store, batches.pop()).runs) == [
        r.id for r in sorted(recs, key=lambda r: r.run.seed)
    ]
    for r in recs:
        st = store.status(r.id)
        assert st["status"] == "finished" and st["pid"] == os.getpid()  # this one process
        rows = _rows(store, r.id)
        assert [m["step"] for m in rows if "eval/return_mean" in m] == [300, 600]
        assert (
            st["eval_return"]
            == [m for m in rows if "eval/return_mean" in m][-1]["eval/return_mean"]
        )
        run, _, agent = load_checkpoint(store.path(r.id) / "model.safetensors")
        assert run.seed == r.run.seed and agent.k == 1  # a single run's weights
    # the members are different agents (their own seeds): different episodes
    episodes = [
        tuple(m["rollout/length"] for m in _rows(store, r.id) if "rollout/length" in m)
        for r in recs
    ]
    assert len(set(episodes)) == 3


def test_train_sweep_over_lr_is_one_population_with_each_value_a_run(tmp_path, capsys):
    assert _train(tmp_path, "--sweep", "lr=1e-3,3e-3") == 0
    assert "2 runs, in one process" in capsys.readouterr().out
    store = RunStore(tmp_path)
    recs = store.list()
    assert sorted(r.algo.lr for r in recs) == [1e-3, 3e-3]
    assert {run_extra(store, r.id)["sweep"]["param"] for r in recs} == {"lr"}
    assert all(store.status(r.id)["status"] == "finished" for r in recs)


@pytest.mark.parametrize(
    "extra,words",
    [
        (["--seeds", "0"], "seeds = 0"),
        (["--sweep", "lr"], "--sweep 'lr': expected NAME=V1,V2"),
        (["--sweep", "nope=1,2"], "not a hyperparameter"),
    ],
)
def test_bad_seeds_or_sweep_is_one_line_and_creates_no_run(tmp_path, capsys, extra, words):
    assert _train(tmp_path, *extra) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert RunStore(tmp_path).list() == []


def _plan(n=3, **hp):
    run, algo = make_configs(
        "dqn",
        "CartPole-v1",
        hp={"hidden": (16,), "learning_starts": 50, **hp},
        run={"steps": 300, "eval_every": 150, "eval_episodes": 2, "threads": 1},
    )
    return seed_plan(run, algo, n)


def test_a_population_submission_queues_only_its_leader_and_every_run_passes_the_gate(
    tmp_path, monkeypatch
):
    from rlcore.service import owners

    admitted = []
    real = owners.admit
    monkeypatch.setattr(
        owners,
        "admit",
        lambda store, runs, owner: admitted.append(len(runs)) or real(store, runs, owner),
    )
    launched = []
    store = RunStore(tmp_path)
    q = JobQueue(store, max_workers=4, launcher=recording_launcher(launched), dispatch=False)
    batch = q.submit(_plan(3), population=True)
    assert admitted == [3]
    assert launched == [batch.runs[0]]  # one worker for the three runs
    assert population_of(store, batch.runs[0]) == list(batch.runs)
    assert population_of(store, batch.runs[1]) is None  # only the leader launches it
    assert all(store.status(r)["status"] == "queued" for r in batch.runs)


def test_a_plan_that_is_not_one_setup_is_refused_before_any_run_exists(tmp_path):
    run, algo = make_configs(
        "dqn", "CartPole-v1", hp={"hidden": (16,), "learning_starts": 50}, run={"steps": 300}
    )
    plan = sweep_plan(run, algo, "batch_size", (16, 32))
    with pytest.raises(ValueError, match="batch_size"):
        JobQueue(RunStore(tmp_path), dispatch=False).submit(plan, population=True)
    assert RunStore(tmp_path).list() == []


def test_a_stopped_member_ends_alone_and_the_others_finish(tmp_path):
    store = RunStore(tmp_path)
    batch = JobQueue(store, dispatch=False).create_batch(_plan(3), population=True)
    store.request_stop(batch.runs[1])
    statuses = run_population_job(list(batch.runs), store, say=lambda s: None)
    assert statuses == ["finished", "stopped", "finished"]
    stopped = store.status(batch.runs[1])
    assert stopped["status"] == "stopped" and stopped["step"] < 300
    assert (store.path(batch.runs[1]) / "model.safetensors").exists()
    assert store.status(batch.runs[0])["step"] == 300


def test_cancelling_a_queued_populations_leader_still_trains_the_others(tmp_path):
    store = RunStore(tmp_path)
    launched = []
    q = JobQueue(
        store, max_workers=1, launcher=recording_launcher(launched, running=True), dispatch=False
    )
    first = q.submit(_plan(1)).runs[0]  # holds the only slot
    batch = q.submit(_plan(3), population=True)
    assert launched == [first]
    q.stop(batch.runs[0])  # the leader, cancelled while it waits
    assert store.status(batch.runs[0])["status"] == "stopped"
    store.set_status(first, "finished")
    q.pump()
    assert launched == [first, batch.runs[0]]  # its worker trains the two others
    store.set_status(batch.runs[0], "stopped")  # (the fake launcher marked it running)
    statuses = run_population_job(list(batch.runs), store, say=lambda s: None)
    assert statuses == ["finished", "finished"]
    assert store.status(batch.runs[0])["status"] == "stopped"
    assert not (store.path(batch.runs[0]) / "metrics.jsonl").exists() or not _rows(
        store, batch.runs[0]
    )


def test_a_populations_waiting_runs_share_its_leaders_queue_position(tmp_path):
    store = RunStore(tmp_path)
    q = JobQueue(store, max_workers=1, launcher=recording_launcher([]), dispatch=False)
    first = q.submit(_plan(1)).runs[0]  # holds the only slot
    batch = q.submit(_plan(3), population=True)
    assert first not in q.positions()
    assert {r: q.position(r) for r in batch.runs} == dict.fromkeys(batch.runs, 1)
    q.stop(batch.runs[2])  # a waiting member: cancelled, it never starts
    assert store.status(batch.runs[2])["status"] == "stopped"
    assert q.position(batch.runs[2]) is None and q.position(batch.runs[1]) == 1


def test_trains_together_is_the_one_rule_of_the_cli_the_app_and_the_course():
    from rlcore.service.jobs import Plan, trains_together

    run, algo = make_configs("sac", "Pendulum-v1", run={"steps": 1000})
    assert trains_together(seed_plan(run, algo, 4))
    assert trains_together(sweep_plan(run, algo, "tau", (0.005, 0.02)))
    assert not trains_together(sweep_plan(run, algo, "batch_size", (64, 128)))  # shapes differ
    assert not trains_together(seed_plan(run, algo, 1))
    ppo = make_configs("ppo", "CartPole-v1", run={"steps": 1000})
    assert trains_together(seed_plan(*ppo, 2))
    normalized = (ppo[0], dataclasses.replace(ppo[1], normalize=True))
    assert not trains_together(seed_plan(*normalized, 2))  # refused: runs one by one
    assert not trains_together(Plan("trial", (ppo, (run, algo))))
    reinforce = make_configs("reinforce", "CartPole-v1", run={"steps": 1000})
    assert trains_together(seed_plan(*reinforce, 2))  # on the engine, members pausing
    assert trains_together(sweep_plan(*reinforce, "episodes_per_update", (2, 4)))
    assert not trains_together(sweep_plan(*reinforce, "baseline", (True, False)))  # shapes differ


def test_training_memory_counts_every_member(tmp_path):
    from rlcore.train.model_size import count_parameters, training_memory

    run, algo = make_configs(
        "dqn", "CartPole-v1", hp={"hidden": (16,), "buffer_size": 1000}, run={"steps": 5000}
    )
    one = training_memory(run, algo)
    assert one == count_parameters(run, algo) * 16 + 1000 * (2 * 4 + 1 + 2) * 4
    assert training_memory(run, algo, 8) == 8 * one


def test_train_seeds_of_sac_is_one_population(tmp_path, capsys):
    args = ["--algo", "sac", "--env", "Pendulum-v1", "--steps", "300", "--set", "hidden=16,16"]
    args += ["--set", "learning_starts=100", "--eval-every", "150", "--eval-episodes", "1"]
    store, recs = train_seeds_cli(tmp_path, capsys, *args, seeds=2)
    for r in recs:
        _, _, agent = load_checkpoint(store.path(r.id) / "model.safetensors")
        assert agent.k == 1 and agent.log_alpha.dim() == 0  # a single run's weights


def test_a_populations_runs_hold_their_process_threads_once(tmp_path):
    """Three members trained by one process with 2 threads hold 2 threads, not 6."""
    store = RunStore(tmp_path)
    batch = JobQueue(store, dispatch=False).create_batch(_plan(3), population=True)
    for rid in batch.runs:
        store.set_status(rid, "running", pid=os.getpid(), threads=2)
    assert store.threads_in_use() == 2
    other = JobQueue(store, dispatch=False).create_batch(_plan(1)).runs[0]
    store.set_status(other, "running", pid=os.getppid(), threads=1)  # another live process
    assert store.threads_in_use() == 3
    assert store.threads_in_use(exclude=other) == 2
