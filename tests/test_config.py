import dataclasses
import math
import platform
import subprocess
import sys

import pytest

from rlcore.algos.dqn import DQNConfig
from rlcore.algos.registry import ALGORITHMS
from rlcore.algos.sac import SACConfig
from rlcore.core.config import RunConfig, from_dict, hparams, to_dict
from rlcore.train.presets import make_configs


def test_defaults_are_valid_for_every_algorithm():
    for spec in ALGORITHMS.values():
        cfg = spec.config_cls()
        assert to_dict(cfg)  # JSON-ready
        for p in hparams(spec.config_cls):
            assert p.help, f"{spec.name}.{p.name} has no help text"


@pytest.mark.parametrize(
    "field,value,words",
    [
        ("lr", -1.0, ["DQNConfig.lr", "-1.0", "too small", "1e-06 to 1"]),
        ("lr", math.nan, ["DQNConfig.lr", "finite"]),
        ("lr", math.inf, ["DQNConfig.lr", "finite"]),
        ("batch_size", 0, ["batch_size", "too small"]),
        ("batch_size", 2.5, ["batch_size", "integer"]),
        ("batch_size", True, ["batch_size", "integer"]),
        ("gamma", 1.5, ["gamma", "too large", "0 to 1"]),
        ("loss", "l1", ["loss", "one of 'huber', 'mse'"]),
        ("double_q", "yes", ["double_q", "true or false"]),
        ("hidden", (0, 4), ["hidden", "too small"]),
        ("hidden", (), ["hidden", "1 to 8 layer sizes"]),
    ],
)
def test_bad_values_name_field_value_and_range(field, value, words):
    with pytest.raises(ValueError) as e:
        DQNConfig(**{field: value})
    for w in words:
        assert w in str(e.value)


def test_unknown_field_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown field\(s\) learning_rate.*allowed: gamma, lr"):
        from_dict(DQNConfig, {"learning_rate": 1e-3})


def test_strings_are_coerced_like_the_cli_sends_them():
    cfg = from_dict(
        SACConfig, {"lr": "1e-3", "hidden": "64,64", "autotune": "false", "batch_size": "128"}
    )
    assert cfg.lr == 1e-3 and cfg.hidden == (64, 64) and cfg.autotune is False
    assert cfg.batch_size == 128
    with pytest.raises(ValueError, match="batch_size = '12.5': cannot be read as int"):
        from_dict(SACConfig, {"batch_size": "12.5"})
    with pytest.raises(ValueError, match="lr = 'abc'"):
        from_dict(SACConfig, {"lr": "abc"})


def test_unknown_algo_and_env_list_valid_names():
    with pytest.raises(ValueError, match="unknown algorithm.*dqn.*sac"):
        RunConfig(algo="muzero")
    with pytest.raises(ValueError, match="unknown environment.*CartPole-v1.*Pendulum-v1"):
        RunConfig(env="Humanoid-v5")
    with pytest.raises(ValueError, match="unknown environment"):
        RunConfig(env="os:system")  # "module:Env" ids never reach gym.make


def test_incompatible_pair_is_refused_with_alternatives():
    with pytest.raises(
        ValueError, match="continuous.*algorithms for Pendulum-v1: ppo, trpo, ddpg, td3, sac"
    ):
        make_configs("dqn", "Pendulum-v1")


def test_presets_apply_then_overrides():
    run, algo = make_configs("dqn", "CartPole-v1", {"lr": "0.01"}, {"seed": 3})
    assert run.steps == 50_000 and algo.train_freq == 256  # the Zoo preset
    assert algo.lr == 0.01 and run.seed == 3


def test_every_preset_is_valid():
    from rlcore.core.envs import ENVIRONMENTS

    for env in ENVIRONMENTS.values():
        for algo in env.presets:
            offline = ALGORITHMS[algo].setting == "offline"
            run = {"dataset": "any/data-v0"} if offline else None
            make_configs(algo, env.id, run=run)  # raises if a preset value is out of range


def test_matmul_precision_is_validated_and_applied_per_run():
    import torch

    from rlcore.core.config import RunConfig, from_dict
    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import Trainer

    with pytest.raises(ValueError, match="matmul_precision = 'low'.*'highest', 'high', 'medium'"):
        from_dict(RunConfig, {"matmul_precision": "low"})
    run, cfg = make_configs(
        "dqn", "CartPole-v1", {"hidden": (8,)}, {"steps": 10, "matmul_precision": "medium"}
    )
    Trainer(run, cfg)
    assert torch.get_float32_matmul_precision() == "medium"
    Trainer(dataclasses.replace(run, matmul_precision="highest"), cfg)  # the next run resets it
    assert torch.get_float32_matmul_precision() == "highest"


_MALLINFO_PROBE = r"""
import ctypes, sys
import torch
from rlcore.core.device import tune_cpu_allocator

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost").split()]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2

def mmapped_while_held(n_bytes):
    before = libc.mallinfo2().hblks
    t = torch.empty(n_bytes // 4)
    t.fill_(1.0)
    during = libc.mallinfo2().hblks
    del t
    return during - before

first = mmapped_while_held(20 * 2**20)  # glibc's default: a fresh mmap for 20 MB
ok = tune_cpu_allocator()
after = [mmapped_while_held(n * 2**20) for n in (20, 24, 30)]
arena = libc.mallinfo2().arena  # the freed 30 MB stays in the heap (not trimmed)
print(first, ok, after, arena >= 30 * 2**20)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_tune_cpu_allocator_serves_large_tensors_from_the_heap():
    # a fresh process: the allocator's state is process-wide and other tests touch it
    out = subprocess.run(
        [sys.executable, "-c", _MALLINFO_PROBE], capture_output=True, text=True, check=True
    ).stdout.split("\n")[0]
    assert out == "1 True [0, 0, 0] True", out


def test_evaluation_cadence_follows_the_run_length_by_default():
    from rlcore.core.config import AUTO_EVALUATIONS
    from rlcore.train.presets import make_configs
    from rlcore.train.trainer import Trainer

    # a 3,000-step offline run evaluated every 5,000 steps drew one dot
    ds = "rlplay/pendulum/mixed-v0"
    run, _ = make_configs("iql", "Pendulum-v1", run={"steps": 3000, "dataset": ds})
    assert run.eval_every == 0 and run.eval_interval() == 3000 // AUTO_EVALUATIONS
    run, _ = make_configs("sac", "Pendulum-v1", run={"steps": 4000})  # preset, fewer steps
    assert run.eval_interval() == 200
    assert make_configs("dqn", "CartPole-v1", run={"eval_every": 7})[0].eval_interval() == 7
    run, cfg = make_configs(
        "reinforce", "CartPole-v1", {"hidden": (8,)}, {"steps": 600, "eval_episodes": 1}
    )
    evals = [m["step"] for m in Trainer(run, cfg) if "eval/return_mean" in m]
    assert len(evals) >= 10 and evals == sorted(evals)
