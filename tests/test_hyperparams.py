"""Hyperparameter files in RL Zoo's format: translation into our names, safe parsing,
refusals with one line, `train --hyperparams`, `preset`, `tune`'s best file, and every
entry of the real Zoo files (rl-zoo3) for the (algorithm, environment) pairs we share."""

import importlib.util
import os
from pathlib import Path

import pytest

from rlcore.__main__ import main
from rlcore.algos.registry import ALGORITHMS, compatible
from rlcore.core.envs import ENVIRONMENTS
from rlcore.service.runs import RunStore
from rlcore.train.hyperparams import entry_text, load_file, read_entry, translate
from rlcore.train.presets import make_configs


def test_zoo_names_and_schedules_become_ours():
    hp, run = translate(
        "ppo",
        "CartPole-v1",
        {
            "n_timesteps": 1e5,
            "policy": "MlpPolicy",
            "learning_rate": "lin_0.001",
            "clip_range": "lin_0.2",
            "n_envs": 8,
            "normalize": True,
            "policy_kwargs": "dict(net_arch=dict(pi=[64, 64], vf=[64, 64]), ortho_init=False)",
        },
    )
    assert run == {"steps": 100_000}
    assert hp == {
        "lr": 0.001,
        "anneal_lr": True,
        "clip_range": 0.2,
        "anneal_clip": True,
        "n_envs": 8,
        "normalize": True,
        "hidden": (64, 64),
        "ortho_init": False,
    }
    # our own names are accepted as they are
    assert translate("dqn", "CartPole-v1", {"lr": 0.01, "hidden": [32]})[0] == {
        "lr": 0.01,
        "hidden": [32],
    }


def test_off_policy_counts_and_noise_in_our_units():
    hp, _ = translate("sac", "Pendulum-v1", {"n_envs": 4, "train_freq": 8, "gradient_steps": -1})
    assert hp["train_freq"] == 32 and hp["gradient_steps"] == 32  # transitions here
    hp, _ = translate("td3", "Pendulum-v1", {"noise_type": "normal", "noise_std": 0.1})
    assert hp["exploration_noise"] == pytest.approx(0.05)  # 0.1 N·m of a ±2 range
    assert translate("sac", "Pendulum-v1", {"ent_coef": 0.1})[0] == {
        "alpha": 0.1,
        "autotune": False,
    }
    assert translate("sac", "Pendulum-v1", {"ent_coef": "auto_0.5"})[0] == {
        "alpha": 0.5,
        "autotune": True,
    }


@pytest.mark.parametrize(
    "entry, words",
    [
        ({"use_sde": True}, "use_sde: generalised state-dependent exploration"),
        ({"learning_rate": "lin_0.001"}, "a linear schedule"),  # DQN: no annealing
        ({"noise_type": "ornstein-uhlenbeck"}, "only Gaussian action noise"),
        ({"policy_kwargs": "dict(activation_fn=nn.ReLU)"}, "nn.ReLU is not a literal"),
        ({"policy_kwargs": "__import__('os').system('touch /tmp/pwned')"}, "not a literal"),
        ({"policy_kwargs": "dict(use_expln=True)"}, "use_expln = True: no such policy option"),
        ({"policy": "CnnPolicy"}, "only multi-layer perceptrons"),
        ({"frame_stack": 4}, "frame stacking"),
        ({"no_such": 1}, "no such hyperparameter of dqn"),
        ({"train_freq": [1, "episode"]}, "per episode"),
    ],
)
def test_unmappable_keys_refuse_the_entry_with_one_line(entry, words):
    with pytest.raises(ValueError) as e:
        translate("dqn" if "noise_type" not in entry else "td3", "Pendulum-v1", entry)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_policy_kwargs_is_never_evaluated(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    text = f"dict(net_arch=[8], x=open({str(marker)!r}, 'w'))"
    with pytest.raises(ValueError, match="is not a literal"):
        translate("ppo", "CartPole-v1", {"policy_kwargs": text})
    assert not marker.exists()


def test_preset_prints_an_entry_that_trains_the_same(tmp_path, capsys):
    assert main(["preset", "dqn", "CartPole-v1"]) == 0
    text = capsys.readouterr().out
    assert "CartPole-v1:" in text and "lr: 0.0023" in text and "n_timesteps: 50000" in text
    f = tmp_path / "dqn.yml"
    f.write_text(text)
    want = make_configs("dqn", "CartPole-v1")
    hp, run = read_entry(f, "dqn", "CartPole-v1")
    assert make_configs("dqn", "CartPole-v1", hp, run, use_preset=False) == want
    # train --hyperparams: the algorithm from the file's name, --steps and --set on top
    runs = tmp_path / "runs"
    argv = ["--runs-dir", str(runs), "train", "--env", "CartPole-v1", "--hyperparams", str(f)]
    assert main([*argv, "--steps", "300", "--set", "learning_starts=100", "--quiet"]) == 0
    rec = RunStore(runs).load(RunStore(runs).ids()[0])
    assert rec.run.steps == 300 and rec.algo.learning_starts == 100
    assert rec.algo.lr == 0.0023 and rec.algo.train_freq == 256


def test_preset_of_an_offline_algorithm(capsys):
    assert main(["preset", "td3_bc", "Pendulum-v1", "--dataset", "rlplay/pendulum/x-v0"]) == 0
    assert "bc_alpha: 10.0" in capsys.readouterr().out  # the Pendulum preset
    assert main(["preset", "td3_bc", "Pendulum-v1"]) == 2
    assert "needs a dataset" in capsys.readouterr().err


def test_bad_files_are_one_line_and_create_nothing(tmp_path, capsys):
    runs = tmp_path / "runs"
    bad_yaml = tmp_path / "dqn.yml"
    bad_yaml.write_text("CartPole-v1: [unclosed\n")
    refusal = tmp_path / "sde.yml"
    refusal.write_text("CartPole-v1:\n  use_sde: true\n")
    cases = [
        (bad_yaml, "not valid YAML at line"),
        (tmp_path / "none" / "dqn.yml", "cannot be read"),
        (refusal, "give --algo"),
    ]
    for path, words in cases:
        capsys.readouterr()
        argv = ["--runs-dir", str(runs), "train", "--env", "CartPole-v1"]
        assert main([*argv, "--hyperparams", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert words in err and "\n" not in err, err
    argv = ["--runs-dir", str(runs), "train", "--algo", "ppo", "--hyperparams", str(refusal)]
    assert main([*argv, "--env", "Pendulum-v1"]) == 2
    assert "no entry for Pendulum-v1 (allowed: CartPole-v1)" in capsys.readouterr().err
    assert main([*argv, "--env", "CartPole-v1"]) == 2
    assert "CartPole-v1: use_sde: generalised" in capsys.readouterr().err
    assert RunStore(runs).ids() == []


def test_entry_text_round_trips_every_online_algorithm(tmp_path):
    for algo, spec in ALGORITHMS.items():
        if spec.setting != "online":
            continue
        env = next(e for e in ENVIRONMENTS if compatible(algo, e))
        run, cfg = make_configs(algo, env)
        f = tmp_path / f"{algo}.yml"
        f.write_text(entry_text(run, cfg, "a comment"))
        hp, run_over = read_entry(f, algo, env)
        assert make_configs(algo, env, hp, run_over, use_preset=False) == (run, cfg), algo


def test_tune_writes_its_best_trial_as_a_file(tmp_path, capsys):
    tiny = ["--steps", "400", "--eval-every", "200", "--eval-episodes", "2"]
    tiny += ["--set", "learning_starts=100", "--set", "hidden=8", "--no-preset"]
    argv = ["--runs-dir", str(tmp_path), "tune", "--algo", "dqn", "--env", "CartPole-v1"]
    assert main([*argv, "--params", "lr", "--trials", "1", "--name", "t", "--quiet", *tiny]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "t-best.yml"
    assert f"best trial as a hyperparameter file: {path}" in out
    hp, run = read_entry(path, "dqn", "CartPole-v1")
    assert hp["hidden"] == [8] and hp["learning_starts"] == 100 and run["steps"] == 400
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def zoo_folder() -> Path:
    """rl_zoo3's hyperparams/ folder, found without importing it (it imports SB3)."""
    spec = importlib.util.find_spec("rl_zoo3")
    if spec is None or spec.origin is None:
        why = "rl-zoo3 is not installed: pip install --no-deps rl-zoo3==2.9.2 (.ci/run does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why, pytrace=False)  # CI must check the real Zoo files
        pytest.skip(why)
    return Path(os.path.dirname(spec.origin)) / "hyperparams"


def test_every_zoo_entry_we_share_loads_or_is_refused_in_one_line():
    """The real Zoo files: every (algorithm, environment) pair we share."""
    loaded, refused = [], []
    for algo in ALGORITHMS:
        path = zoo_folder() / f"{algo}.yml"
        if not path.exists():
            continue
        for env, entry in load_file(path).items():
            if env not in ENVIRONMENTS or not compatible(algo, env):
                continue
            try:
                hp, run = translate(algo, env, entry)
                make_configs(algo, env, hp, run, use_preset=False)
                loaded.append((algo, env))
            except ValueError as e:
                assert "\n" not in str(e) and len(str(e)) < 300
                refused.append((algo, env, str(e)))
    print(f"\nRL Zoo entries we share: {len(loaded)} load, {len(refused)} refused")
    for r in refused:
        print("  refused:", *r)
    assert len(loaded) + len(refused) >= 20
    assert ("dqn", "CartPole-v1") in loaded and ("ppo", "CartPole-v1") in loaded
    # the presets that came from the Zoo unchanged are the Zoo's entries, read
    for algo, env in (("dqn", "CartPole-v1"), ("ppo", "CartPole-v1"), ("trpo", "CartPole-v1")):
        hp, run = translate(algo, env, load_file(zoo_folder() / f"{algo}.yml")[env])
        assert make_configs(algo, env, hp, run, use_preset=False) == make_configs(algo, env)
