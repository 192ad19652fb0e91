"""Issue 26's fixes 4-6 through the CLI: custom envs' run ids, list/export without the env,
damaged checkpoints, --device cuda, eval's seeds and --episodes 0, --env-kwargs, exported
files' mode, the progress bar off a terminal. Errors: one line, exit 2, nothing created."""

import json
import os
import stat

import numpy as np
import pytest

from rlcore.__main__ import main
from rlcore.service.runs import RunStore

TRAIN = ["--steps", "300", "--eval-episodes", "1", "--quiet", "--set", "learning_starts=100"]
TRAIN += ["--set", "hidden=16"]


def train(runs, algo, env, *extra):
    argv = ["--runs-dir", str(runs), "train", "--algo", algo, "--env", env, *TRAIN, *extra]
    assert main(argv) == 0
    return RunStore(runs).ids()[0]


def refused(capsys, argv, *words):
    """Exit 2, one line on stderr naming the problem."""
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)
    return err


def test_entry_point_env_gives_a_valid_run_id(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs"
    run_id = train(runs, "sac", "tests.custom_envs:Reach")
    assert "tests.custom_envs-Reach" in run_id
    assert RunStore(runs).load(run_id).run.env == "tests.custom_envs:Reach"
    for cmd in ("show", "eval", "export"):
        assert main(["--runs-dir", str(runs), cmd, run_id]) == 0, cmd


def test_runs_of_a_module_env_listed_and_exported_without_the_variable(
    tmp_path, monkeypatch, capsys
):
    runs = tmp_path / "runs"
    monkeypatch.setenv("RLCORE_ENV_MODULES", "tests.custom_envs")
    run_id = train(runs, "dqn", "Corridor-v0")
    monkeypatch.delenv("RLCORE_ENV_MODULES")
    from rlcore.core import envs

    monkeypatch.setattr(envs, "_CUSTOM", {})  # a fresh process would not know it either
    capsys.readouterr()
    assert main(["--runs-dir", str(runs), "list"]) == 0
    out = capsys.readouterr()
    assert run_id in out.out and "environment not available here" in out.out
    assert "RLCORE_ENV_MODULES" in out.err
    assert main(["--runs-dir", str(runs), "show", run_id]) == 0
    assert main(["--runs-dir", str(runs), "export", run_id, "--out", str(tmp_path / "p.pt")]) == 0
    refused(capsys, ["--runs-dir", str(runs), "eval", run_id], "Corridor-v0", "RLCORE_ENV_MODULES")


def test_truncated_checkpoint_is_one_line_and_show_says_so(tmp_path, capsys):
    runs = tmp_path / "runs"
    run_id = train(runs, "dqn", "CartPole-v1")
    weights = RunStore(runs).path(run_id) / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:10])
    for cmd in ("export", "eval"):
        refused(capsys, ["--runs-dir", str(runs), cmd, run_id], "damaged or truncated", run_id)
    capsys.readouterr()
    assert main(["--runs-dir", str(runs), "show", run_id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["weights"].startswith("unreadable: truncated")
    assert not (RunStore(runs).path(run_id) / "policy.pt").exists()


def test_device_cuda_without_cuda_creates_no_run(tmp_path, monkeypatch, capsys):
    from rlcore.core import device

    monkeypatch.setattr(device, "cuda_available", lambda: False)
    runs = tmp_path / "runs"
    argv = ["--runs-dir", str(runs), "train", "--algo", "dqn", "--env", "CartPole-v1"]
    refused(capsys, [*argv, "--device", "cuda"], "RunConfig.device = 'cuda'", "no CUDA")
    assert RunStore(runs).ids() == []


def test_version(capsys):
    import rlcore

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip().endswith(f"rlcore {rlcore.__version__}")


def test_eval_default_seeds_are_the_training_evaluations(tmp_path, capsys):
    runs = tmp_path / "runs"
    argv = ["--eval-every", "300", "--eval-episodes", "3"]
    run_id = train(runs, "dqn", "CartPole-v1", *argv)
    last = [r for r in RunStore(runs).metric_rows(run_id) if "eval/return_mean" in r][-1]
    assert last["step"] == 300  # the final weights' evaluation
    capsys.readouterr()
    assert main(["--runs-dir", str(runs), "eval", run_id, "--episodes", "3"]) == 0
    out = capsys.readouterr().out
    assert f"return {last['eval/return_mean']:.2f} ± {last['eval/return_std']:.2f}" in out
    assert "seeds 1000003 to 1000005" in out  # seed 0 x 7919 + 1000003
    refused(capsys, ["--runs-dir", str(runs), "eval", run_id, "--episodes", "0"], "--episodes 0")
    steps = RunStore(runs).checkpoint_steps(run_id)
    assert main(["--runs-dir", str(runs), "eval", run_id, "--step", str(steps[0])]) == 0
    refused(capsys, ["--runs-dir", str(runs), "eval", run_id, "--step", "7"], "step 7")


def test_env_kwargs(tmp_path, capsys):
    runs = tmp_path / "runs"
    run_id = train(runs, "sac", "Pendulum-v1", "--env-kwargs", '{"g": 9.0}')
    rec = RunStore(runs).load(run_id)
    assert rec.run.env.startswith("py/Pendulum-v") and rec.algo.lr == 1e-3  # preset kept
    from rlcore.core.envs import make_env

    assert make_env(rec.run.env).unwrapped.g == 9.0
    base = ["--runs-dir", str(runs), "train", "--algo", "sac", "--env", "Pendulum-v1"]
    refused(capsys, [*base, "--env-kwargs", "{g: 9}"], "--env-kwargs", "not JSON")
    refused(capsys, [*base, "--env-kwargs", "[1]"], "not a JSON object")
    refused(capsys, [*base, "--env-kwargs", '{"nope": 1}'], "cannot be made", "nope")
    assert RunStore(runs).ids() == [run_id]


def test_exported_file_is_world_readable(tmp_path, capsys):
    runs = tmp_path / "runs"
    run_id = train(runs, "dqn", "CartPole-v1")
    out = tmp_path / "policy.pt"
    old = os.umask(0o022)
    try:
        assert main(["--runs-dir", str(runs), "export", run_id, "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_no_progress_bar_on_a_non_terminal_stderr(tmp_path, capsys):
    argv = ["--runs-dir", str(tmp_path), "train", "--algo", "dqn", "--env", "CartPole-v1"]
    argv += ["--steps", "300", "--eval-episodes", "1", "--set", "learning_starts=100"]
    assert main(argv) == 0  # no --quiet: stderr (captured) is not a terminal
    out = capsys.readouterr()
    assert "step/s" not in out.err and "%|" not in out.err, out.err
    assert "finished: final eval return" in out.out


def test_api_model_of_a_custom_env_exports(tmp_path):
    """A run of an environment object (this process only) exports from another store."""
    import gymnasium as gym

    from rlcore import DQN

    model = DQN(lambda: gym.make("CartPole-v1"), hidden=(16,), learning_starts=100)
    model.runs_dir = tmp_path
    model.learn(200)
    from rlcore.train.export import load_checkpoint

    run, _, agent = load_checkpoint(RunStore(tmp_path).path(model.run_id) / "model.safetensors")
    obs = np.zeros((3, 4), np.float32)
    assert run.env == model.env_id
    assert agent.act(obs).tolist() == model.predict(obs)[0].tolist()
