"""Your own Gymnasium environment: registered by a module in RLCORE_ENV_MODULES or named
as an entry point; spaces and "solved" read from it; trains from the CLI, in a worker
process and from the app; the hosted profile refuses it without importing anything."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import poll
from rlcore.__main__ import main
from rlcore.algos.dqn import DQNConfig
from rlcore.core.config import RunConfig, to_dict
from rlcore.core.envs import CUSTOM_MAX_EPISODE_STEPS, ENVIRONMENTS, env_ids, env_spec, make_env
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs

ROOT = Path(__file__).resolve().parent.parent
MODULES = "tests.custom_envs,tests.custom_envs:Reach"


@pytest.fixture
def custom(monkeypatch):
    monkeypatch.setenv("RLCORE_ENV_MODULES", MODULES)


def test_spaces_and_solved_come_from_the_environment(custom):
    corridor = env_spec("Corridor-v0")
    assert corridor.custom and corridor.action_space == "discrete"
    assert corridor.solved == 0.9  # its registration's reward_threshold
    assert corridor.obs_shape == (5,) and corridor.tabular  # Discrete(5) states, one-hot
    assert corridor.presets == {} and corridor.max_episode_steps is None  # its own limit: 20
    obs, _ = make_env("Corridor-v0", seed=0).reset(seed=0)
    assert obs.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    reach = env_spec("tests.custom_envs:Reach")
    assert reach.action_space == "continuous" and reach.obs_shape == (2,)
    assert reach.solved is None  # an entry point has no registration to say it
    assert reach.max_episode_steps == CUSTOM_MAX_EPISODE_STEPS
    assert env_ids() == [*ENVIRONMENTS, "Corridor-v0", "tests.custom_envs:Reach"]
    assert make_configs("sac", "tests.custom_envs:Reach")[0].env == "tests.custom_envs:Reach"
    with pytest.raises(ValueError, match="needs a discrete action space"):
        make_configs("dqn", "tests.custom_envs:Reach")


def test_unknown_ids_are_refused_with_what_is_allowed(custom):
    with pytest.raises(ValueError, match=r"RunConfig.env = 'Nope-v0': unknown environment.*"
                       r"CartPole-v1.*RLCORE_ENV_MODULES \(tests.custom_envs"):  # fmt: skip
        RunConfig(env="Nope-v0")
    with pytest.raises(ValueError, match="os.system is not a gymnasium.Env"):
        RunConfig(env="os:system")  # imported, but never handed to gym.make
    with pytest.raises(ValueError, match="cannot import 'no_such_module_xyz'"):
        RunConfig(env="no_such_module_xyz:Env")


def test_cli_trains_a_custom_env_with_the_defaults(custom, tmp_path, capsys):
    runs = tmp_path / "runs"
    argv = ["--runs-dir", str(runs), "train", "--algo", "dqn", "--env", "Corridor-v0"]
    assert main([*argv, "--steps", "600", "--eval-every", "300", "--eval-episodes", "2"]) == 0
    assert "finished: final eval return" in capsys.readouterr().out
    (run_id,) = RunStore(runs).ids()
    rec = RunStore(runs).load(run_id)
    assert to_dict(rec.algo) == to_dict(DQNConfig())  # no preset: every default
    assert main(["envs"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert any(ln.startswith("Corridor-v0") and ln.endswith("[custom]") for ln in listed)
    assert any("tests.custom_envs:Reach" in ln and "solved: ?" in ln for ln in listed)


def test_a_worker_process_imports_the_users_module_from_the_working_dir(tmp_path, monkeypatch):
    """Workers are fresh interpreters started from the project root: the user's module
    (here in the working directory, not the project) must still import there."""
    from rlcore.service.worker import spawn_job

    (tmp_path / "my_walls.py").write_text(
        (ROOT / "tests" / "custom_envs.py")
        .read_text()
        .replace('"Corridor-v0"', '"WorkerCorridor-v0"')
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("RLCORE_ENV_MODULES", "my_walls")
    run, algo = make_configs(
        "dqn", "WorkerCorridor-v0", {"hidden": (16,)}, {"steps": 300, "eval_episodes": 1}
    )
    store = RunStore(tmp_path / "runs")
    run_id = store.create(run, algo)
    proc = spawn_job(run_id, store)
    assert proc.wait(timeout=300) == 0, (store.path(run_id) / "worker.log").read_text()
    assert store.status(run_id)["status"] == "finished"


def test_hosted_profile_refuses_custom_envs_and_imports_nothing(custom, monkeypatch, capsys):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    for env in ("Corridor-v0", "tests.custom_envs:Reach", "os:system"):
        with pytest.raises(ValueError, match="not in this server's catalogue.*local profile only"):
            make_configs("dqn", env)
    assert env_ids() == list(ENVIRONMENTS)
    assert main(["train", "--algo", "dqn", "--env", "Corridor-v0", "--steps", "300"]) == 2
    err = capsys.readouterr().err
    assert "env = 'Corridor-v0': not in this server's catalogue" in err
    assert "RLCORE_PROFILE=hosted" in err
    # a fresh interpreter: nothing of RLCORE_ENV_MODULES was imported on a hosted server
    code = (
        "import sys, json\n"
        "from rlcore.core.envs import env_ids\n"
        "from rlcore.core.config import RunConfig\n"
        "ids = env_ids()\n"
        "try:\n    RunConfig(env='tests.custom_envs:Reach')\nexcept ValueError:\n    pass\n"
        "print(json.dumps([len(ids), 'tests.custom_envs' in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [len(ENVIRONMENTS), False]


def test_the_app_lists_a_custom_env_marked_and_trains_it(custom):
    from streamlit.testing.v1 import AppTest

    from rlcore.service.jobs import JobQueue

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    box = at.selectbox(key="train_env")
    assert "Corridor-v0 — custom / 自定义" in box.options
    assert "tests.custom_envs:Reach — custom / 自定义" in box.options
    box.set_value("Corridor-v0").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="train_algo").options[0] == "DQN"
    assert at.toggle(key="train_preset").disabled  # no tuned preset: the defaults
    assert any("Your own environment" in c.value and "(5,)" in c.value for c in at.caption)
    tiny = {"run_steps": 600, "run_eval_every": 300, "run_eval_episodes": 2, "run_log_every": 200}
    for key, value in tiny.items():
        at.text_input(key=key).set_value(str(value))
    at.text_input(key="hp_dqn_hidden").set_value("16").run()
    at.button(key="train_start").click().run()
    assert not at.exception, at.exception
    store = JobQueue().store
    deadline = time.time() + 240
    while time.time() < deadline and not store.ids():
        time.sleep(0.5)
    (run_id,) = store.ids()
    poll(at, lambda a: store.status(run_id)["status"] not in ("queued", "running"), timeout=240)
    assert store.status(run_id)["status"] == "finished", store.status(run_id)
    assert store.load(run_id).run.env == "Corridor-v0"
