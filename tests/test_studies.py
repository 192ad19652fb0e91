"""Studies with real workers: a pruned run, the tune CLI, bad input, a killed driver resumed."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rlcore.__main__ import main
from rlcore.service.runs import RunStore
from rlcore.service.studies import driver_alive, study_runs, trial_rows
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--steps", "400", "--eval-every", "200", "--eval-episodes", "2",
        "--set", "learning_starts=100", "--set", "hidden=8", "--no-preset"]  # fmt: skip


def tune(tmp_path, *args):
    return main(["--runs-dir", str(tmp_path), "tune", *args])


def test_a_pruned_run_ends_pruned_with_its_metrics_and_weights(tmp_path):
    store = RunStore(tmp_path)
    run, algo = make_configs(
        "dqn", "CartPole-v1", {"learning_starts": 50, "hidden": (8,)},
        {"steps": 2000, "eval_every": 200, "eval_episodes": 1, "threads": 1}, use_preset=False,
    )  # fmt: skip
    rid = store.create(run, algo, {"study": "s", "trial": 0})

    def prune_at_first_eval(m):
        if "eval/return_mean" in m and store.prune_reason(rid) is None:
            store.request_prune(rid, "pruned by study s at step 200: below the median")

    assert run_job(rid, store, on_metrics=prune_at_first_eval) == "pruned"
    st = store.status(rid)
    assert st["status"] == "pruned" and st["message"].startswith("pruned by study s at step 200")
    assert 200 <= st["step"] < 400  # stopped within the next 64-step check
    assert (store.path(rid) / "model.safetensors").exists()
    assert store.metrics(rid)["eval/return_mean"].notna().any()
    store.load_agent(rid)  # the weights load


def test_tune_cli_runs_a_study_through_the_queue(tmp_path, capsys):
    assert tune(tmp_path, "--algo", "dqn", "--env", "CartPole-v1", "--params", "lr,hidden",
                "--trials", "2", "--name", "cli", "--quiet", *TINY) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert (
        "study cli" in out and "searching lr: 1e-05:0.001 (log)  hidden: 64;64,64;256,256;8" in out
    )
    assert "best mean final evaluation return" in out and "train it: python -m rlcore train" in out
    _, rows = trial_rows(RunStore(tmp_path), "cli")
    assert [r["state"] for r in rows] == ["complete", "complete"]
    for r in rows:
        (rid,) = r["runs"]
        rec = RunStore(tmp_path).load(rid)
        assert rec.status["status"] == "finished" and rec.algo.lr == r["params"]["lr"]
        assert r["value"] == rec.status["eval_return"]  # 1 seed: the run's final return
        cfg = json.loads((rec.path / "config.json").read_text())
        assert cfg["study"] == "cli" and cfg["trial"] == r["number"] and "batch" in cfg
    assert tune(tmp_path, "list") == 0
    assert "cli" in capsys.readouterr().out
    assert tune(tmp_path, "show", "cli") == 0
    shown = capsys.readouterr().out
    assert "2/2 trials done" in shown and rows[0]["runs"][0] in shown and "best:" in shown


@pytest.mark.parametrize(
    "args,words",
    [
        (["--params", "lr,nope"], "params = 'nope': not a hyperparameter of DQNConfig (allowed:"),
        (["--params", "lr", "--range", "lr=1e-9:1e-2"], "DQNConfig.lr range '1e-9:1e-2': "
         "outside the field's bounds (allowed: 1e-06 to 1)"),
        (["--params", "lr", "--trials", "0"], "trials = 0: out of range (allowed: 1 to"),
        (["--params", "lr", "--storage", "sqlite:////no/such/dir/s.db"], "storage = "),
        (["--params", "lr", "--storage", "postgresql://u@127.0.0.1:9/x"], "storage = 'postgres"),
        (["--params", "lr", "--ray", "127.0.0.1:9"], "ray = '127.0.0.1:9': cannot reach"),
        (["--params", "lr", "--ray", "nowhere"], "ray = 'nowhere': not an address (allowed:"),
        (["--params", "lr", "--name", "../x"], "study = '../x': not a valid study name"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(tmp_path, capsys, args, words):
    runs = tmp_path / "runs"
    code = tune(runs, "--algo", "dqn", "--env", "CartPole-v1", "--quiet", *args, *TINY)
    err = capsys.readouterr().err
    assert code == 2 and words in err and "allowed" in err, err
    assert not runs.exists() or not any(runs.rglob("*.json")), list(runs.rglob("*"))


def test_unreachable_ray_address_from_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RLCORE_RAY_ADDRESS", "127.0.0.1:9")
    code = tune(tmp_path / "runs", "--algo", "dqn", "--env", "CartPole-v1", "--params", "lr", *TINY)
    assert code == 2 and "ray = '127.0.0.1:9'" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def wait_for(cond, timeout=240, every=0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(every)
    raise AssertionError("timed out")


def test_a_driver_killed_mid_study_resumes_from_storage(tmp_path):
    """SIGKILL the driver while trial 1 trains; restart it: 3 trials, 3 runs, none twice."""
    runs = tmp_path / "runs"
    env = dict(os.environ, PYTHONPATH=str(ROOT), RLCORE_RUNS_DIR=str(runs))
    cmd = [sys.executable, "-m", "rlcore", "tune", "--algo", "dqn", "--env", "CartPole-v1",
           "--params", "lr,gamma", "--trials", "3", "--parallel", "1", "--name", "k",
           "--quiet", *TINY]  # fmt: skip
    cmd[cmd.index("400")] = "1000"  # long enough to be killed in the middle
    driver = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)  # fmt: skip
    store = RunStore(runs)

    def trial_1_training():
        found = study_runs(store, "k") if (runs / ".studies").exists() else {}
        rid = (found.get(1) or [None])[0]
        return rid if rid and store.status(rid).get("status") == "running" else None

    try:
        rid1 = wait_for(trial_1_training)
        assert store.status(study_runs(store, "k")[0][0])["status"] == "finished"
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    assert not driver_alive(store, "k")
    _, rows = trial_rows(store, "k")
    assert [r["state"] for r in rows] == ["complete", "running"]
    # restart: trial 1 is watched again (its worker trained on alone), trial 2 is asked for
    assert main(["--runs-dir", str(runs), "tune", "resume", "k", "--quiet"]) == 0
    _, rows = trial_rows(store, "k")
    assert [r["state"] for r in rows] == ["complete"] * 3
    assert rows[1]["runs"] == [rid1]  # the same run, not a second one
    ids = [rid for r in rows for rid in r["runs"]]
    assert len(ids) == len(set(ids)) == len(store.ids()) == 3
    for rid in ids:
        steps = [m["step"] for m in store.metric_rows(rid) if "eval/return_mean" in m]
        assert steps == [200, 400, 600, 800, 1000]  # trained once, start to end
    assert rows[1]["value"] == store.status(rid1)["eval_return"]


def test_tune_trains_a_batch_of_trials_as_one_population(tmp_path, capsys):
    """lr and gamma are per-member hyperparameters of DQN: 4 trials asked together,
    trained by one worker, each run written as its own and told to Optuna on its own."""
    from rlcore.core.threads import cpu_cores
    from rlcore.service.jobs import run_extra

    assert tune(tmp_path, "--algo", "dqn", "--env", "CartPole-v1", "--params", "lr,gamma",
                "--trials", "4", "--name", "pop", "--quiet", "--no-prune", *TINY) == 0  # fmt: skip
    _, rows = trial_rows(RunStore(tmp_path), "pop")
    assert [r["state"] for r in rows] == ["complete"] * 4
    store = RunStore(tmp_path)
    runs = [r["runs"][0] for r in rows]
    assert len({run_extra(store, rid).get("population") for rid in runs}) == 1  # one population
    assert len({store.status(rid)["pid"] for rid in runs}) == 1  # one process trained them
    for r, rid in zip(rows, runs):
        rec = store.load(rid)
        assert rec.algo.lr == r["params"]["lr"] and rec.algo.gamma == r["params"]["gamma"]
        assert r["value"] == rec.status["eval_return"]
        assert run_extra(store, rid)["trial"] == r["number"]
        assert rec.run.threads == min(cpu_cores(), 4)  # the 4 runs' threads, one process
