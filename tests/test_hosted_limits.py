"""The public demo keeps its CPU (issue 28, finding 9): on ``RLCORE_PROFILE=hosted`` a run's
``threads`` is at most the server's cores, and ``compile`` and ``tensorboard`` are off.

The reproduction: ``threads=256`` (514 threads on 2 cores), ``compile=true`` and
``tensorboard=true`` were all accepted on the hosted profile. Each is now refused by rlcore
itself (``rlcore.train.checks.check_hosted``, called by ``check_run``), so the library,
``RunStore.create``, the job queue, a study, the CLI, the form and a link all refuse it,
with one line naming the field and what is allowed. The local profile keeps all three.
"""

import re

import pytest
from sandbox import cli
from streamlit.testing.v1 import AppTest

from rlcore.core.config import RunConfig, from_dict
from rlcore.search.study import make_spec
from rlcore.service.jobs import JobQueue, Plan
from rlcore.service.runs import RunStore
from rlcore.train import checks
from rlcore.train.checks import cpu_limit
from rlcore.train.presets import make_configs

CARTPOLE = {"hidden": (8,), "learning_starts": 10}
OVER = cpu_limit() + 1


@pytest.fixture
def hosted(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.setenv("RLCORE_SPARE_WORKERS", "0")
    return tmp_path


REFUSED = [
    (
        {"threads": 256},
        rf"^RunConfig\.threads = 256: .*\(allowed: 0 to {cpu_limit()}, its CPU cores",
    ),
    ({"threads": OVER}, rf"^RunConfig\.threads = {OVER}: above this server's limit"),
    ({"compile": True}, r"^RunConfig\.compile = True: off on the public demo \(allowed: False"),
    ({"tensorboard": True}, r"^RunConfig\.tensorboard = True: off on the public demo"),
]


@pytest.mark.parametrize("run, message", REFUSED)
def test_make_configs_refuses_it_on_the_hosted_profile(hosted, run, message):
    with pytest.raises(ValueError, match=message) as e:
        make_configs("dqn", "CartPole-v1", CARTPOLE, {"steps": 200, **run})
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("run, message", REFUSED)
def test_the_store_and_the_queue_refuse_a_config_built_by_hand(hosted, run, message):
    """A config that never went through make_configs (the CLI's --config, a script)."""
    _, algo = make_configs("dqn", "CartPole-v1", CARTPOLE, {"steps": 200})
    cfg = from_dict(RunConfig, {"algo": "dqn", "env": "CartPole-v1", "steps": 200, **run})
    store = RunStore()
    with pytest.raises(ValueError, match=message):
        store.create(cfg, algo)
    with pytest.raises(ValueError, match=message):
        JobQueue(store).submit(Plan("single", ((cfg, algo),)))
    assert store.ids() == []  # nothing half-written


def test_a_study_cannot_ask_for_more_threads_than_cores(hosted):
    with pytest.raises(ValueError, match=r"threads = 256"):
        make_spec("s", "dqn", "CartPole-v1", ["lr"], trials=2, run={"steps": 200, "threads": 256})


def test_up_to_the_cores_and_auto_are_accepted_on_hosted(hosted):
    for threads in (0, 1, cpu_limit()):
        run, _ = make_configs("dqn", "CartPole-v1", CARTPOLE, {"steps": 200, "threads": threads})
        assert run.threads == threads


def test_the_local_profile_keeps_threads_compile_and_tensorboard(tmp_path, monkeypatch):
    monkeypatch.delenv("RLCORE_PROFILE", raising=False)
    run, _ = make_configs("dqn", "CartPole-v1", CARTPOLE, {"steps": 200, "threads": 256})
    assert run.threads == 256
    run, _ = make_configs("dqn", "CartPole-v1", CARTPOLE, {"steps": 200, "compile": True})
    assert run.compile


@pytest.mark.parametrize(
    "flags, field",
    [
        (["--threads", "256"], "threads"),
        (["--compile"], "compile"),
        (["--tensorboard"], "tensorboard"),
    ],
)
def test_the_cli_says_it_in_one_line(hosted, flags, field):
    argv = ["train", "--algo", "dqn", "--env", "CartPole-v1", "--steps", "200", *flags]
    rc, _out, err = cli(argv)
    assert rc != 0
    lines = [x for x in err.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and f"{field} = " in lines[0], err
    assert "Traceback" not in err
    assert not list((hosted / "runs").glob("*/config.json"))


@pytest.mark.parametrize(
    "param, value, words",
    [
        ("threads", "256", "threads"),
        ("compile", "true", "compile"),
        ("tensorboard", "true", "tensorboard"),
    ],
)
def test_a_link_cannot_start_it_from_the_form(hosted, param, value, words):
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/train.py")
    at.query_params[param] = value
    at.run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert re.search(rf"\*\*{words}\*\*", errors), errors
    if param == "threads":
        assert f"0 to {cpu_limit()}" in errors, errors
    else:
        assert "off on the public demo" in errors, errors
    start = next(b for b in at.button if b.key == "train_start")
    assert start.disabled


@pytest.mark.parametrize(
    "files, cores",
    [
        ({"cpu.max": "200000 100000"}, 2),  # cgroup v2: docker run --cpus 2
        ({"cpu.max": "max 100000"}, 16),  # no quota: the affinity mask
        ({"cpu/cpu.cfs_quota_us": "150000", "cpu/cpu.cfs_period_us": "100000"}, 2),  # v1
        ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, 16),
        ({}, 16),
    ],
)
def test_a_containers_cpu_quota_is_its_core_count(hosted, monkeypatch, files, cores):
    """A 2-CPU container on a 16-core host sees 16 cores in its affinity mask."""
    root = hosted / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n")
    monkeypatch.setattr(checks, "CGROUP", root)
    monkeypatch.setattr(checks, "cpu_cores", lambda: 16)
    assert cpu_limit() == cores
    make_configs("dqn", "CartPole-v1", CARTPOLE, {"steps": 200, "threads": cores})
    with pytest.raises(ValueError, match=rf"allowed: 0 to {cores}, its CPU cores"):
        make_configs("dqn", "CartPole-v1", CARTPOLE, {"steps": 200, "threads": cores + 1})
