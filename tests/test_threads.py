"""CPU threads: chosen from what is free, one for a small network, said in words."""

import os
import subprocess
import sys

from rlcore.core.threads import SMALL_WORK, choose_threads, quiet_waiting_threads
from rlcore.service.processes import process_identity
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs


def test_an_explicit_setting_wins():
    assert choose_threads(3, others=5, n_params=10**7, cores=2) == (3, "3 (set by threads = 3)")


def test_a_small_network_trains_on_one_thread_whatever_is_free():
    n, why = choose_threads(0, others=0, n_params=SMALL_WORK // 64 - 1, batch=64, cores=16)
    assert n == 1 and "small network" in why


def test_a_large_network_takes_the_cores_other_trainings_leave():
    big = SMALL_WORK // 256 * 3
    assert choose_threads(0, others=0, n_params=big, cores=4)[0] == 4
    n, why = choose_threads(0, others=3, n_params=big, cores=4)
    assert n == 1 and "3 in use by other trainings" in why and "4 cores" in why
    assert choose_threads(0, others=9, n_params=big, cores=4)[0] == 1  # never 0


def test_waiting_threads_sleep_unless_the_user_said_otherwise(monkeypatch):
    env = {}
    quiet_waiting_threads(env)
    assert env == {"OMP_WAIT_POLICY": "PASSIVE"}
    env = {"OMP_WAIT_POLICY": "ACTIVE"}
    quiet_waiting_threads(env)
    assert env["OMP_WAIT_POLICY"] == "ACTIVE"


def test_the_cli_sets_passive_waiting_before_torch_loads():
    code = (
        "import os, sys; from rlcore.__main__ import main; "
        "main(['envs']); print(os.environ.get('OMP_WAIT_POLICY'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        .stdout.strip()
        .splitlines()
    )
    assert out[-1] == "PASSIVE"


def test_run_job_counts_the_other_running_trainings_and_records_its_choice(tmp_path):
    store = RunStore(tmp_path)
    big_run, big = make_configs(
        "sac", "Pendulum-v1", hp={"learning_starts": 50}, run={"steps": 60, "eval_every": 60}
    )
    other = store.create(big_run, big)
    store.set_status(other, "running", threads=1, **process_identity())  # alive: this process
    mine = store.create(big_run, big)
    said = []
    assert run_job(mine, store, say=said.append) == "finished"
    st = store.status(mine)
    cores = len(os.sched_getaffinity(0))
    assert st["threads"] == max(1, cores - 1)
    assert said == [f"threads: {st['threads_reason']}"] and "1 in use" in said[0]
    small_run, small = make_configs("dqn", "CartPole-v1", run={"steps": 60, "eval_every": 60})
    small = type(small)(**{**small.__dict__, "learning_starts": 10})
    tiny = store.create(small_run, small)
    run_job(tiny, store, say=said.append)
    assert store.status(tiny)["threads"] == 1 and "small network" in said[-1]
