"""device = auto chooses the faster device, measured on the run's own networks (issue 25).

This machine has no GPU: the measurement runs on the CPU here (a real probe of each
algorithm's acting and updates), and the choice between two devices is checked with
the costs given."""

import pytest
import torch

from rlcore.train import autodevice
from rlcore.train.presets import make_configs


@pytest.mark.parametrize(
    "algo,env,members",
    [("dqn", "CartPole-v1", 1), ("dqn", "CartPole-v1", 4), ("sac", "Pendulum-v1", 2),
     ("ppo", "CartPole-v1", 3), ("ppo", "Pendulum-v1", 1)],
)  # fmt: skip
def test_the_probe_measures_seconds_per_environment_step(algo, env, members):
    run, cfg = make_configs(algo, env, hp={"hidden": (16, 16)}, run={"steps": 1000})
    s = autodevice.step_seconds(run, cfg, members, torch.device("cpu"))
    assert 0 < s < 1.0


def test_auto_without_cuda_is_the_cpu_and_measures_nothing(monkeypatch):
    monkeypatch.setattr(autodevice, "cuda_available", lambda: False)
    monkeypatch.setattr(autodevice, "step_seconds", lambda *a: pytest.fail("measured"))
    run, cfg = make_configs("dqn", "CartPole-v1", run={"steps": 1000})
    assert autodevice.choose_device(run, cfg, 8) == torch.device("cpu")


@pytest.mark.parametrize("costs,want", [({"cpu": 2e-4, "cuda": 9e-4}, "cpu"),
                                        ({"cpu": 3e-3, "cuda": 4e-4}, "cuda")])  # fmt: skip
def test_auto_takes_the_faster_device_once_per_setup(monkeypatch, costs, want):
    monkeypatch.setattr(autodevice, "cuda_available", lambda: True)
    monkeypatch.setattr(autodevice, "_CHOSEN", {})
    monkeypatch.setattr(torch.random, "fork_rng", lambda devices: _Null())
    calls = []

    def cost(run, algo, members, device):
        calls.append(device.type)
        return costs[device.type]

    monkeypatch.setattr(autodevice, "step_seconds", cost)
    run, cfg = make_configs("dqn", "CartPole-v1", run={"steps": 1000})
    if want == "cuda":  # torch.device("cuda") can be named without a GPU
        assert autodevice.choose_device(run, cfg, 64).type == "cuda"
    else:
        assert autodevice.choose_device(run, cfg, 64).type == "cpu"
    autodevice.choose_device(run, cfg, 64)  # the choice is kept: measured once
    assert sorted(calls) == ["cpu", "cuda"]
    cpu_run = run.__class__(**{**run.__dict__, "device": "cpu"})
    assert autodevice.choose_device(cpu_run, cfg, 64).type == "cpu"  # asked for: no probe


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_probing_leaves_the_runs_random_numbers_alone(monkeypatch):
    monkeypatch.setattr(autodevice, "cuda_available", lambda: True)
    monkeypatch.setattr(autodevice, "_CHOSEN", {})
    monkeypatch.setattr(torch.random, "fork_rng", _cpu_fork_rng(torch.random.fork_rng))
    real = autodevice.step_seconds
    monkeypatch.setattr(
        autodevice, "step_seconds", lambda r, a, k, d: real(r, a, k, torch.device("cpu"))
    )
    run, cfg = make_configs("dqn", "CartPole-v1", hp={"hidden": (16,)}, run={"steps": 1000})
    torch.manual_seed(5)
    autodevice.choose_device(run, cfg, 2)
    after = torch.rand(3)
    torch.manual_seed(5)
    assert torch.equal(after, torch.rand(3))


def _cpu_fork_rng(real):
    return lambda devices: real(devices=[])
