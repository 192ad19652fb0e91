import json
import os

import pytest

from rlcore.core.files import atomic_write_json
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs


def new_run(store, **run):
    base = {"steps": 400, "eval_every": 200, "eval_episodes": 2}
    base.update(run)
    r, a = make_configs(
        "dqn", "CartPole-v1", {"learning_starts": 100, "hidden": (8,)}, base, use_preset=False
    )
    return store.create(r, a)


def test_create_run_finish_and_reload(tmp_path):
    store = RunStore(tmp_path)
    rid = new_run(store)
    assert store.status(rid)["status"] == "queued"
    assert run_job(rid, store) == "finished"
    st = store.status(rid)
    assert st["status"] == "finished" and st["step"] == 400
    assert st["eval_return"] is not None
    df = store.metrics(rid)
    assert {"step", "rollout/return", "eval/return_mean", "train/critic_loss"} <= set(df.columns)
    rec, agent = store.load_agent(rid)
    assert rec.run.steps == 400 and agent.act([0.0, 0.0, 0.0, 0.0]) in (0, 1)
    assert [r.id for r in store.list()] == [rid]


def test_stop_flag_stops_the_run(tmp_path):
    store = RunStore(tmp_path)
    rid = new_run(store, steps=200_000)
    store.request_stop(rid)
    assert run_job(rid, store) == "stopped"
    assert store.status(rid)["step"] < 200_000
    assert (store.path(rid) / "model.safetensors").exists()


def test_torn_last_line_is_skipped(tmp_path):
    store = RunStore(tmp_path)
    rid = new_run(store)
    with open(store.path(rid) / "metrics.jsonl", "w") as f:
        f.write(json.dumps({"step": 1, "rollout/return": 5.0}) + "\n")
        f.write('{"step": 2, "rollout/ret')  # the process died mid-write
    assert store.metric_rows(rid) == [{"step": 1, "rollout/return": 5.0}]


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    p = tmp_path / "x.json"
    atomic_write_json(p, {"a": 1})

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_json(p, {"a": 2})
    assert json.loads(p.read_text()) == {"a": 1}
    assert [f.name for f in tmp_path.iterdir()] == ["x.json"]  # no temp file left


def test_failure_is_recorded_not_lost(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    rid = new_run(store)

    def broken_update(self, *args):  # (batch) or (batch, target_q) from a training phase
        raise RuntimeError("boom")

    monkeypatch.setattr("rlcore.algos.dqn.DQN.update", broken_update)
    assert run_job(rid, store) == "failed"
    st = store.status(rid)
    assert "RuntimeError: boom" in st["message"]
    assert store.metric_rows(rid)  # episodes before the failure are kept


def test_nan_loss_marks_run_diverged_and_names_the_loss(tmp_path, monkeypatch):
    import torch

    store = RunStore(tmp_path)
    rid = new_run(store, log_every=100)
    original = __import__("rlcore.algos.dqn", fromlist=["DQN"]).DQN.update

    def nan_update(self, *args):  # (batch) or (batch, target_q) from a training phase
        info = original(self, *args)
        info["critic_loss"] = torch.tensor(float("nan"))
        return info

    monkeypatch.setattr("rlcore.algos.dqn.DQN.update", nan_update)
    assert run_job(rid, store) == "diverged"
    assert "train/critic_loss" in store.status(rid)["message"]


def test_bad_run_ids_are_refused(tmp_path):
    store = RunStore(tmp_path)
    for bad in ("", "../x", "a/b", ".hidden"):
        with pytest.raises(ValueError):
            store.path(bad)
