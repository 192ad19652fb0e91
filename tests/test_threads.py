"""CPU threads: chosen from what is free, one for a small network, said in words."""

import os

from rlcore.core.threads import SMALL_WORK, choose_threads, cpu_cores
from rlcore.service.processes import process_identity
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.presets import make_configs

CORES = cpu_cores()


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


def test_the_trainer_takes_the_threads_it_is_told_while_it_trains(monkeypatch):
    """threads_fn is asked from the training thread (OpenMP's count is per thread)."""
    import torch

    from rlcore.train.trainer import Trainer

    before = torch.get_num_threads()
    monkeypatch.setattr(Trainer, "THREADS_EVERY_S", 0.0)
    run, cfg = make_configs(
        "dqn",
        "CartPole-v1",
        {"hidden": (8,), "learning_starts": 10, "batch_size": 8},
        {"steps": 200, "eval_every": 200, "eval_episodes": 1, "threads": 1},
    )
    asked = []

    def two() -> int:
        asked.append(torch.get_num_threads())
        return 2

    try:
        tr = Trainer(run, cfg, threads_fn=two)
        for _ in tr:
            pass
        assert asked[0] == 1 and tr.threads == 2 and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_running_training_gives_threads_back_and_takes_them_again(tmp_path):
    """Auto threads: a run drops to what the others leave free, and takes it back."""
    from rlcore.service.worker import _Threads

    store = RunStore(tmp_path)
    run, cfg = make_configs("sac", "Pendulum-v1", run={"steps": 1000})  # a big network
    first, second = store.create(run, cfg), store.create(run, cfg)
    store.set_status(first, "running", **process_identity())
    said: list[str] = []
    threads = _Threads(store, first, run, cfg, said.append)
    assert threads.n == CORES == store.status(first)["threads"]
    store.set_status(second, "running", threads=1, **process_identity())  # another starts
    assert threads() == max(1, CORES - 1) == store.status(first)["threads"]
    if CORES > 1:
        assert said[-1].startswith("threads now") and "1 in use by other trainings" in said[-1]
    store.set_status(second, "finished")  # it ends: the cores come back
    assert threads() == CORES == store.status(first)["threads"]


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
