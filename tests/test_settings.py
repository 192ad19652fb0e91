"""Server limits: one settings module, enforced by rlcore itself (not only by widgets)."""

import dataclasses
import json
import time

import numpy as np
import pytest

from rlcore.core.settings import LIMITS, get_settings
from rlcore.data import datasets as ds
from rlcore.service import worker
from rlcore.service.processes import process_identity
from rlcore.service.runs import RunStore, prune_runs
from rlcore.service.worker import run_job
from rlcore.train import collect
from rlcore.train.presets import make_configs

VARS = [lim.env for lim in LIMITS] + ["RLCORE_PROFILE"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for v in VARS:
        monkeypatch.delenv(v, raising=False)


def tiny(steps=400, **run):
    base = {"steps": steps, "eval_every": 200, "eval_episodes": 2, "threads": 1, **run}
    hp = {"learning_starts": 100, "hidden": (8,)}
    return make_configs("dqn", "CartPole-v1", hp, base, use_preset=False)


def test_local_defaults_and_hosted_profile(monkeypatch):
    s = get_settings()
    assert s.profile == "local" and s.max_steps == 50_000_000 and s.max_run_seconds == 0
    assert s.max_workers >= 1 and s.max_stored_runs == 0 and s.max_upload_mb == 200
    assert s.max_params == 50_000_000
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    h = get_settings()
    assert (h.max_steps, h.max_run_seconds, h.max_workers) == (200_000, 600, 2)
    assert (h.max_runs_per_session, h.max_dataset_transitions) == (4, 200_000)
    assert (h.max_upload_mb, h.max_stored_runs) == (50, 300)
    assert h.max_params == 4_000_000
    assert h.max_upload_bytes == 50 * 1024 * 1024
    assert {row[1] for row in h.describe()} == {lim.env for lim in LIMITS}


def test_one_variable_overrides_its_profile_default(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    monkeypatch.setenv("RLCORE_MAX_STEPS", "500_000")
    monkeypatch.setenv("RLCORE_MAX_WORKERS", "3")
    s = get_settings()
    assert s.max_steps == 500_000 and s.max_workers == 3 and s.max_run_seconds == 600


@pytest.mark.parametrize(
    "var,value,words",
    [
        ("RLCORE_PROFILE", "public", "RLCORE_PROFILE = 'public': unknown profile"),
        ("RLCORE_MAX_STEPS", "lots", "RLCORE_MAX_STEPS = 'lots': not a whole number"),
        ("RLCORE_MAX_STEPS", "0", "RLCORE_MAX_STEPS = 0: too small (allowed: an integer >= 1)"),
        ("RLCORE_MAX_RUN_SECONDS", "-5", "RLCORE_MAX_RUN_SECONDS = -5: too small"),
        ("RLCORE_MAX_UPLOAD_MB", "1.5", "RLCORE_MAX_UPLOAD_MB = '1.5'"),
    ],
)
def test_bad_settings_name_the_variable(monkeypatch, var, value, words):
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError) as e:
        get_settings()
    assert words in str(e.value)


def test_steps_above_the_limit_are_refused_and_a_preset_is_capped(monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_STEPS", "1000")
    with pytest.raises(ValueError) as e:
        tiny(steps=5000)
    assert "RunConfig.steps = 5000" in str(e.value) and "1 to 1000" in str(e.value)
    assert "RLCORE_MAX_STEPS" in str(e.value)
    run, _ = make_configs("dqn", "CartPole-v1")  # the Zoo preset asks for 50,000
    assert run.steps == 1000


def test_run_store_enforces_the_limit_but_still_loads_older_runs(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    run, algo = tiny(steps=5000)
    old = store.create(run, algo)  # created under the default limit
    monkeypatch.setenv("RLCORE_MAX_STEPS", "1000")
    with pytest.raises(ValueError, match="RunConfig.steps = 5000"):
        store.create(run, algo)  # e.g. a sweep built with dataclasses.replace
    assert store.load(old).run.steps == 5000  # never hidden by a lower limit
    assert [r.id for r in store.list()] == [old]


def test_learning_starts_must_leave_steps_to_learn(tmp_path):
    run, algo = tiny(steps=400)
    with pytest.raises(ValueError) as e:
        RunStore(tmp_path).create(run, dataclasses.replace(algo, learning_starts=400))
    assert "DQNConfig.learning_starts = 400" in str(e.value)
    assert "would last the whole run (400 steps)" in str(e.value)
    assert not any(tmp_path.iterdir())


def test_run_is_stopped_at_the_wall_time_limit_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_RUN_SECONDS", "1")
    store = RunStore(tmp_path)
    rid = store.create(*tiny(steps=1_000_000, eval_every=100_000))
    t0 = time.monotonic()
    assert run_job(rid, store) == "stopped"
    assert time.monotonic() - t0 < 6
    st = store.status(rid)
    assert "wall-time limit of 1 s" in st["message"] and "RLCORE_MAX_RUN_SECONDS" in st["message"]
    assert 0 < st["step"] < 1_000_000
    assert (store.path(rid) / "model.safetensors").exists()
    assert len(store.metrics(rid)) > 0


def test_the_worker_alarm_ends_a_run_stuck_in_one_long_step(tmp_path, monkeypatch):
    """A single step longer than the limit (a huge evaluation) is cut by SIGALRM."""
    monkeypatch.setenv("RLCORE_MAX_RUN_SECONDS", "1")
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(tmp_path))
    monkeypatch.setattr(worker, "HARD_LIMIT_GRACE_S", 0)
    store = RunStore(tmp_path)
    rid = store.create(*tiny(steps=400))

    def stuck(self, *args):  # (batch) or (batch, target_q) from a training phase
        time.sleep(30)

    monkeypatch.setattr("rlcore.algos.dqn.DQN.update", stuck)
    t0 = time.monotonic()
    assert worker.main([rid]) == 0
    assert time.monotonic() - t0 < 10
    st = store.status(rid)
    assert st["status"] == "stopped" and "wall-time limit of 1 s" in st["message"]


def test_user_stop_is_not_reported_as_the_time_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_RUN_SECONDS", "600")
    store = RunStore(tmp_path)
    rid = store.create(*tiny(steps=200_000))
    store.request_stop(rid)
    assert run_job(rid, store) == "stopped"
    assert "wall-time" not in store.status(rid).get("message", "")


def d4rl(n, obs_dim=3):
    rng = np.random.default_rng(0)
    return {
        "observations": rng.normal(size=(n, obs_dim)).astype(np.float32),
        "next_observations": rng.normal(size=(n, obs_dim)).astype(np.float32),
        "actions": rng.uniform(-2, 2, size=(n, 1)).astype(np.float32),
        "rewards": rng.normal(size=n).astype(np.float32),
        "terminals": np.zeros(n, np.float32),
    }


def test_dataset_sizes_above_the_limits_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "ds"))
    monkeypatch.setenv("RLCORE_MAX_DATASET_TRANSITIONS", "500")
    t0 = time.monotonic()
    with pytest.raises(ValueError, match=r"n_steps = 1000: out of range \(allowed: 100 to 500"):
        collect.build_dataset("Pendulum-v1", "random", 1000)
    monkeypatch.setenv("RLCORE_MAX_STEPS", "1000")
    with pytest.raises(ValueError, match="expert_steps = 5000: out of range"):
        collect.build_dataset("Pendulum-v1", "expert", 200, expert_steps=5000)
    assert time.monotonic() - t0 < 1  # refused before any training or collection
    with pytest.raises(ValueError, match="600 transitions: too large.*at most 500"):
        ds.validate_arrays(d4rl(600), "Pendulum-v1")
    np.savez(tmp_path / "many.npz", **d4rl(600))
    with pytest.raises(ValueError, match="600 transitions: too large"):
        ds.import_file(tmp_path / "many.npz", "Pendulum-v1", "many")
    assert not (tmp_path / "ds").exists() or not any((tmp_path / "ds").rglob("*.json"))


def test_upload_size_and_zip_bombs_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "ds"))
    monkeypatch.setenv("RLCORE_MAX_UPLOAD_MB", "1")
    big = dict(d4rl(10), junk=np.random.default_rng(0).normal(size=200_000))
    np.savez(tmp_path / "big.npz", **big)  # 1.6 MB
    with pytest.raises(ValueError, match="MB is too large.*RLCORE_MAX_UPLOAD_MB"):
        ds.import_file(tmp_path / "big.npz", "Pendulum-v1", "big")
    bomb = dict(d4rl(10), junk=np.zeros(4_000_000))  # 32 MB of zeros, 30 kB compressed
    np.savez_compressed(tmp_path / "bomb.npz", **bomb)
    assert (tmp_path / "bomb.npz").stat().st_size < 1024 * 1024
    with pytest.raises(ValueError, match="MB unpacked, too large"):
        ds.import_file(tmp_path / "bomb.npz", "Pendulum-v1", "bomb")


def finished(store, rid, created):
    cfg = json.loads((store.path(rid) / "config.json").read_text())
    cfg["created"] = created
    (store.path(rid) / "config.json").write_text(json.dumps(cfg))
    store.set_status(rid, "finished")


def test_prune_runs_deletes_oldest_finished_first_never_active(tmp_path):
    store = RunStore(tmp_path)
    run, algo = tiny()
    a, b, c, d, e = (store.create(run, algo) for _ in range(5))
    finished(store, a, 100.0)
    finished(store, c, 300.0)
    finished(store, e, 500.0)
    store.set_status(b, "running", **process_identity())  # this (live) process trains it
    assert store.status(d)["status"] == "queued"
    assert prune_runs(store, 3) == [a, c]
    assert set(store.ids()) == {b, d, e}
    assert prune_runs(store, 0) == [e]  # the active ones stay, whatever the limit
    assert set(store.ids()) == {b, d}
    assert prune_runs(store, 5) == []
    with pytest.raises(ValueError):
        prune_runs(store, -1)


def test_create_prunes_to_the_stored_runs_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_MAX_STORED_RUNS", "2")
    store = RunStore(tmp_path)
    run, algo = tiny()
    first = store.create(run, algo)
    finished(store, first, 1.0)
    second = store.create(run, algo)
    finished(store, second, 2.0)
    third = store.create(run, algo)  # queued: the oldest finished one makes room
    assert set(store.ids()) == {second, third}


# -- the size of the networks ------------------------------------------------------------
def test_the_parameter_count_is_exact_and_allocates_nothing():
    from rlcore.train.model_size import count_parameters
    from rlcore.train.trainer import build_agent

    for algo, env, hp, run in [
        ("dqn", "CartPole-v1", {"hidden": (32, 16), "dueling": True}, {}),
        ("a2c", "Acrobot-v1", {"hidden": (24,)}, {}),
        ("td3", "Pendulum-v1", {"hidden": (16, 8)}, {}),  # twin critics and targets
        ("sac_n", "Pendulum-v1", {"hidden": (16,), "n_critics": 7}, {"dataset": "x/y-v0"}),
        ("edac", "Pendulum-v1", {"n_critics": 3, "critic_layer_norm": True}, {"dataset": "x/y-v0"}),
    ]:
        run_cfg, cfg = make_configs(algo, env, hp, {**run, "device": "cpu"}, use_preset=False)
        real = sum(p.numel() for p in build_agent(run_cfg, cfg).parameters())
        assert count_parameters(run_cfg, cfg) == real, algo
    # 500 critics of 1024x1024 (a billion parameters, 4 GB as float32) are counted on the
    # meta device, where tensors have shapes and no storage
    run_cfg, cfg = make_configs("edac", "Pendulum-v1", None, {"dataset": "x/y-v0"})
    big = dataclasses.replace(cfg, hidden=(1024, 1024), n_critics=500)  # past make_configs
    before = rss_mb()
    # the Pendulum preset's layer norms add a gain and a shift per unit: 2 layers x 2 x
    # 1024 x 500 members x 2 (targets) = 4,096,000 over the plain 1,056,800,747
    assert cfg.critic_layer_norm
    assert count_parameters(run_cfg, big) == 1_056_800_747 + 4_096_000
    plain = dataclasses.replace(big, critic_layer_norm=False)
    assert count_parameters(run_cfg, plain) == 1_056_800_747
    assert rss_mb() - before < 200  # allocated, it would be 4,000 MB


def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def test_networks_above_the_parameter_limit_are_refused_naming_the_field(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    assert get_settings().max_params == 4_000_000
    for algo, cls in (("sac_n", "SACNConfig"), ("edac", "EDACConfig")):
        with pytest.raises(ValueError) as e:
            make_configs(
                algo, "Pendulum-v1", {"n_critics": 500, "hidden": (1024, 1024)},
                {"dataset": "x/y-v0"},
            )  # fmt: skip
        msg = str(e.value)
        assert msg.startswith(f"{cls}.hidden = (1024, 1024)")  # shown under `hidden`
        assert "n_critics = 500" in msg and "1,060.9M parameters" in msg  # preset: layer norm
        assert "limit of 4M" in msg and "at most 4,000,000" in msg and "RLCORE_MAX_PARAMS" in msg
    with pytest.raises(ValueError) as e:
        make_configs("dqn", "CartPole-v1", {"hidden": (4096, 4096)})
    assert str(e.value).startswith("DQNConfig.hidden = (4096, 4096): the networks would have 33.6M")
    assert "n_critics" not in str(e.value)
    # What a teaching demo runs fits: every preset, the defaults, SAC-N's 10 critics.
    make_configs("sac_n", "Pendulum-v1", None, {"dataset": "x/y-v0"})
    make_configs("dqn", "CartPole-v1", {"hidden": (1024, 1024)})
    monkeypatch.setenv("RLCORE_MAX_PARAMS", "0")  # 0 = no limit
    make_configs("dqn", "CartPole-v1", {"hidden": (4096, 4096)})


def test_every_preset_and_default_fits_the_hosted_parameter_budget(monkeypatch):
    from rlcore.train.presets import all_pairs

    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    for setting in ("online", "offline"):
        run = {"dataset": "x/y-v0"} if setting == "offline" else None
        for algo, env in all_pairs(setting):
            for preset in (True, False):
                make_configs(algo, env, None, run, use_preset=preset)  # raises if too big


def test_every_way_to_create_a_run_enforces_the_parameter_limit(tmp_path, monkeypatch, capsys):
    from rlcore.__main__ import main
    from rlcore.service.jobs import JobQueue, sweep_plan

    run, algo = tiny()  # hidden (8,): 130 parameters with the target network
    big = dataclasses.replace(algo, hidden=(64, 64))  # 9,220
    monkeypatch.setenv("RLCORE_MAX_PARAMS", "5000")
    store = RunStore(tmp_path)
    store.create(run, algo)  # a small one passes
    with pytest.raises(ValueError, match=r"DQNConfig.hidden = \(64, 64\).*limit of 5,000"):
        store.create(run, big)  # past make_configs: RunStore itself refuses
    assert len(store.ids()) == 1
    # A sweep whose last value is too big is refused whole: no run of it is left behind.
    q = JobQueue(store, max_workers=1, launcher=lambda rid, s: None, dispatch=False)
    with pytest.raises(ValueError, match="DQNConfig.hidden"):
        q.submit(sweep_plan(run, algo, "hidden", [(8,), (16,), (64, 64)]))
    assert len(store.ids()) == 1 and q.positions() == {}
    code = main(["--runs-dir", str(tmp_path), "train", "--algo", "dqn", "--env", "CartPole-v1",
                 "--no-preset", "--set", "hidden=64,64", "--steps", "300", "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "DQNConfig.hidden = (64, 64)" in err and "RLCORE_MAX_PARAMS" in err
    assert "Traceback" not in err and len(store.ids()) == 1


def test_the_train_page_shows_the_parameter_limit_under_hidden(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/train.py")
    for k, v in {"env": "CartPole-v1", "algo": "dqn", "hidden": "4096,4096"}.items():
        at.query_params[k] = v
    at.run()
    errors = [e.value for e in at.error]
    assert any(e.startswith("**hidden** = (4096, 4096)") for e in errors), errors
    assert any(e.rstrip(".").endswith(" hidden") for e in errors), errors  # the field to fix
    assert at.button(key="train_start").disabled
