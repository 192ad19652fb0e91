"""The object API (rlcore.api): one class per registered algorithm, SB3-style methods, the same
validation and run store underneath."""

import json

import gymnasium as gym
import numpy as np
import pytest

import rlcore
from rlcore import DQN, SAC
from rlcore.algos.registry import ALGORITHMS
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs

SMALL = dict(hidden=(16,), learning_starts=100, eval_episodes=2, log_every=200)


def test_one_class_per_registered_algorithm_importable_by_name():
    for name, spec in ALGORITHMS.items():
        cls = getattr(rlcore, spec.agent_cls.__name__)
        assert cls.algo == name
        assert issubclass(cls, rlcore.Algorithm)
        assert spec.title in cls.__doc__
    with pytest.raises(AttributeError):
        rlcore.NoSuchAlgorithm  # noqa: B018


def test_constructor_uses_the_preset_and_the_same_validation():
    model = DQN("CartPole-v1")
    run, algo = make_configs("dqn", "CartPole-v1")
    assert model.algo_config == algo  # the CartPole preset (lr 0.0023), not the default
    assert model.run_config.env == run.env
    with pytest.raises(ValueError) as e:
        DQN("CartPole-v1", lr=5)
    with pytest.raises(ValueError) as e2:
        make_configs("dqn", "CartPole-v1", {"lr": 5})
    assert str(e.value) == str(e2.value)  # one path of validation, one message
    assert "\n" not in str(e.value) and "lr" in str(e.value) and "1e-06 to 1" in str(e.value)
    with pytest.raises(ValueError, match="unknown field"):
        DQN("CartPole-v1", no_such_knob=1)
    with pytest.raises(ValueError, match="needs a discrete action space"):
        DQN("Pendulum-v1")
    with pytest.raises(ValueError, match="learn"):
        DQN("CartPole-v1", steps=10)
    with pytest.raises(ValueError, match="not an environment"):
        DQN(42)


def test_env_object_and_callable(tmp_path):
    assert DQN(gym.make("CartPole-v1"), **SMALL).env_id == "CartPole-v1"  # the catalogue's own
    variant = SAC(gym.make("Pendulum-v1", g=9.0), **SMALL)
    assert variant.env_id.startswith("py/Pendulum-v")
    assert variant.algo_config.lr == 1e-3  # the Pendulum preset still applies
    assert variant.env.unwrapped.g == 9.0  # its copies keep the arguments

    def make():
        return gym.make("CartPole-v1", max_episode_steps=50)

    model = DQN(make, runs_dir=tmp_path, **SMALL)
    model.learn(300)
    rec = RunStore(tmp_path).load(model.run_id)
    assert rec.run.env == model.env_id and rec.status["status"] == "finished"
    assert (
        max(
            r["rollout/length"]
            for r in RunStore(tmp_path).metric_rows(model.run_id)
            if "rollout/length" in r
        )
        <= 50
    )


def test_learn_writes_a_normal_run_and_continues(tmp_path):
    model = DQN("CartPole-v1", seed=3, runs_dir=tmp_path, **SMALL)
    seen = []
    assert model.learn(600, callback=seen.append) is model
    store = RunStore(tmp_path)
    first = model.run_id
    rec = store.load(first)
    assert rec.status["status"] == "finished" and rec.run.steps == 600 and rec.run.seed == 3
    assert (rec.path / "model.safetensors").is_file()
    assert any("eval/return_mean" in m for m in seen)
    # the model holds the run's final weights
    saved = store.load_model(first)
    for k, v in model.policy.state_dict().items():
        assert np.array_equal(v.numpy(), saved[k].numpy()), k
    # a second learn() is a second run, starting from these weights
    model.learn(300)
    assert model.run_id != first and model.num_timesteps == 900
    assert set(store.ids()) == {first, model.run_id}


def test_callback_false_stops_the_run(tmp_path):
    model = DQN("CartPole-v1", runs_dir=tmp_path, **SMALL)
    model.learn(5000, callback=lambda m: m["step"] < 400)
    st = RunStore(tmp_path).status(model.run_id)
    assert st["status"] == "stopped" and st["step"] < 5000


def test_predict_single_and_batched():
    model = DQN("CartPole-v1", **SMALL)
    obs, _ = model.env.reset(seed=0)
    action, state = model.predict(obs)
    assert state is None and action.shape == () and action.dtype.kind == "i"
    batch = np.stack([obs, -obs, obs * 2])
    actions, _ = model.predict(batch)
    assert actions.shape == (3,)
    assert [int(model.predict(o)[0]) for o in batch] == actions.tolist()
    sac = SAC("Pendulum-v1", **SMALL)
    a, _ = sac.predict(np.zeros((5, 3), np.float32))
    assert a.shape == (5, 1) and np.all(np.abs(a) <= 2.0)
    noisy = {
        float(sac.predict(np.zeros(3, np.float32), deterministic=False)[0][0]) for _ in range(5)
    }
    assert len(noisy) > 1  # deterministic=False samples


def test_predict_takes_frozenlake_states_as_gymnasium_gives_them():
    model = DQN("FrozenLake-v1", hidden=(16,))
    one_hot = np.eye(16, dtype=np.float32)
    assert int(model.predict(5)[0]) == int(model.predict(one_hot[5])[0])
    assert model.predict(np.array([1, 2]))[0].tolist() == model.predict(one_hot[[1, 2]])[0].tolist()


def test_save_load_gives_the_saved_models_actions(tmp_path):
    model = DQN("CartPole-v1", runs_dir=tmp_path / "runs", **SMALL)
    model.learn(600)
    folder = model.save(tmp_path / "dqn-cartpole")
    names = {p.name for p in folder.iterdir()}
    assert names == {"model.safetensors", "config.json", "train_state.safetensors"}
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["run"]["algo"] == "dqn" and cfg["num_timesteps"] == 600
    obs = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    loaded = DQN.load(folder)
    assert np.array_equal(loaded.predict(obs)[0], model.predict(obs)[0])
    assert loaded.algo_config == model.algo_config and loaded.num_timesteps == 600
    # a run folder loads the same way, and the base class picks the algorithm
    from_run = rlcore.Algorithm.load(tmp_path / "runs" / model.run_id)
    assert type(from_run) is DQN
    assert np.array_equal(from_run.predict(obs)[0], model.predict(obs)[0])
    # no pickle: safetensors and JSON only
    assert (folder / "model.safetensors").read_bytes()[8:9] == b"{"
    with pytest.raises(ValueError, match="a dqn model"):
        SAC.load(folder)
    with pytest.raises(ValueError, match="no saved model"):
        DQN.load(tmp_path / "nothing")
    (folder / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes()[:10])
    with pytest.raises(ValueError, match="truncated"):
        DQN.load(folder)


def test_loaded_model_learns_on(tmp_path):
    model = DQN("CartPole-v1", runs_dir=tmp_path, **SMALL)
    model.save(tmp_path / "m")
    loaded = DQN.load(tmp_path / "m", runs_dir=tmp_path)
    loaded.learn(300)
    assert RunStore(tmp_path).status(loaded.run_id)["status"] == "finished"


def test_offline_algorithm_takes_a_dataset_id(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "data"))
    from rlcore.__main__ import main

    argv = ["dataset", "build", "--env", "CartPole-v1", "--kind", "random", "--steps", "300"]
    assert main([*argv, "--expert-steps", "300"]) == 0
    model = rlcore.BC("rlplay/cartpole/random-v0", hidden=(16,), eval_episodes=1)
    assert model.env_id == "CartPole-v1" and model.run_config.dataset
    model.runs_dir = tmp_path / "runs"
    model.learn(50)
    assert RunStore(tmp_path / "runs").load(model.run_id).run.dataset == "rlplay/cartpole/random-v0"
    with pytest.raises(ValueError, match="no such local dataset"):
        rlcore.BC("rlplay/none/random-v0")
    with pytest.raises(ValueError, match="learns online"):
        DQN("CartPole-v1", dataset="rlplay/cartpole/random-v0")


@pytest.mark.slow
def test_object_api_solves_cartpole_at_the_preset(tmp_path):
    """The learning check of benchmarks/learning.py (object-api row), as a slow test."""
    model = DQN("CartPole-v1", seed=0, runs_dir=tmp_path).learn(50_000)
    returns = []
    env = model.env
    for i in range(10):
        obs, _ = env.reset(seed=1000 + i)
        done, total = False, 0.0
        while not done:
            obs, r, term, trunc, _ = env.step(int(model.predict(obs)[0]))
            total += r
            done = term or trunc
        returns.append(total)
    assert np.mean(returns) >= 475


def test_import_rlcore_stays_light():
    """The classes load on first access: `import rlcore` (workers, the app) imports no torch."""
    import subprocess
    import sys

    code = "import sys, rlcore; print('rlcore.api' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_learn_trains_exactly_what_rlcore_train_trains(tmp_path):
    """One path underneath: same seed and settings -> the same metrics and weights as the CLI."""
    from rlcore.__main__ import main

    model = DQN("CartPole-v1", seed=5, runs_dir=tmp_path / "api", **SMALL)
    model.learn(600)
    argv = ["--runs-dir", str(tmp_path / "cli"), "train", "--algo", "dqn", "--env", "CartPole-v1"]
    argv += ["--seed", "5", "--steps", "600", "--eval-episodes", "2", "--log-every", "200"]
    argv += ["--set", "hidden=16", "--set", "learning_starts=100", "--quiet"]
    assert main(argv) == 0
    cli = RunStore(tmp_path / "cli")
    (cli_id,) = cli.ids()

    def evals(store, run_id):
        return [(r["step"], r["eval/return_mean"]) for r in store.metric_rows(run_id)
                if "eval/return_mean" in r]  # fmt: skip

    assert evals(RunStore(tmp_path / "api"), model.run_id) == evals(cli, cli_id)
    for k, v in cli.load_model(cli_id).items():
        assert np.array_equal(model.policy.state_dict()[k].numpy(), v.numpy()), k
