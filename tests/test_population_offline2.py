"""Populations of TD3+BC, AWAC, SAC-N and EDAC (issue 25): offline seeds and sweeps.

``population_offline2_reference.json`` was recorded from commit ffeda0b, before these
agents moved onto the population engine: 300 gradient steps of each (seed 3, 32x32
networks, batch 32) on a small random dataset of Pendulum-v1 (of ``Plane-v0``
for EDAC, whose diversity term has no gradient with one action dimension): every
metrics row, the first weights of each tensor and each tensor's sum
(``python tests/test_population_offline2.py`` records it again).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch

from helpers import box
from rlcore.algos.awac import AWAC, AWACConfig
from rlcore.algos.edac import EDAC, EDACConfig
from rlcore.algos.sac_n import SACN, SACNConfig
from rlcore.algos.td3_bc import TD3BC, TD3BCConfig
from rlcore.core.types import Batch
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

REFERENCE = Path(__file__).with_name("population_offline2_reference.json")
RUN = {
    "steps": 300,
    "seed": 3,
    "eval_every": 150,
    "eval_episodes": 2,
    "log_every": 100,
    "threads": 1,
}
HP = {"hidden": (32, 32), "batch_size": 32}
PLANE = "Plane-v0"  # two action dimensions (tests/offline2_envs.py)
ENV_MODULES = "tests.offline2_envs"
CASES = {  # key: (algorithm, environment, its hyperparameters)
    "td3_bc": ("td3_bc", "Pendulum-v1", {}),
    "awac": ("awac", "Pendulum-v1", {}),
    "sac_n": ("sac_n", "Pendulum-v1", {"n_critics": 5}),
    "sac_n-ln": ("sac_n", "Pendulum-v1", {"n_critics": 3, "critic_layer_norm": True}),
    "edac": ("edac", PLANE, {"n_critics": 3, "eta": 2.0}),
}


def make_datasets(root: Path) -> dict[str, str]:
    """Two small random datasets (Pendulum, Plane), imported as D4RL-style files."""
    from rlcore.data.datasets import import_file

    rng = np.random.default_rng(0)
    ids = {}
    for env, d, a in (("Pendulum-v1", 3, 1), (PLANE, 4, 2)):
        n = 400
        high = 2.0 if a == 1 else 0.5
        ends = np.zeros(n, np.float32)
        ends[99::100] = 1
        arrays = {
            "observations": rng.normal(size=(n, d)).astype(np.float32),
            "actions": rng.uniform(-high, high, (n, a)).astype(np.float32),
            "rewards": rng.normal(size=n).astype(np.float32),
            "next_observations": rng.normal(size=(n, d)).astype(np.float32),
            "terminals": (rng.random(n) < 0.02).astype(np.float32),
            "timeouts": ends,
        }
        np.savez(root / f"{d}.npz", **arrays)
        ids[env] = import_file(root / f"{d}.npz", env, "rand")
    return ids


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    names = ("RLCORE_DATASETS_DIR", "RLCORE_ENV_MODULES")
    old = {name: os.environ.get(name) for name in names}
    os.environ.update(RLCORE_DATASETS_DIR=str(root / "store"), RLCORE_ENV_MODULES=ENV_MODULES)
    yield make_datasets(root)
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _configs(key: str, ids: dict[str, str], hp: dict | None = None, **run):
    algo, env, own = CASES[key]
    return make_configs(
        algo,
        env,
        hp={**HP, **own, **(hp or {})},
        run={**RUN, "dataset": ids[env], **run},
        use_preset=False,
    )


def _rows(rows) -> list[dict]:
    return [{k: v for k, v in m.items() if not k.startswith("time/")} for m in rows]


def _weights(state: dict) -> dict[str, list[float]]:
    """Each tensor's first five numbers and its sum (every number counts in the sum)."""
    return {k: [*v.flatten()[:5].tolist(), v.double().sum().item()] for k, v in state.items()}


def _single(key: str, ids: dict[str, str]) -> dict:
    tr = Trainer(*_configs(key, ids))
    rows = _rows(tr)
    return {"rows": rows, "weights": _weights(tr.agent.state_dict())}


def _assert_same(got: dict, want: dict) -> None:
    assert len(got["rows"]) == len(want["rows"])
    for a, b in zip(got["rows"], want["rows"]):
        assert a.keys() == b.keys()
        assert a == pytest.approx(b, rel=1e-5, abs=1e-6)
    assert got["weights"].keys() == want["weights"].keys()
    for key, v in got["weights"].items():
        assert v == pytest.approx(want["weights"][key], rel=1e-5, abs=1e-5), key


if __name__ == "__main__":  # record the reference (from the code before populations)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RLCORE_DATASETS_DIR"] = str(Path(tmp) / "store")
        os.environ["RLCORE_ENV_MODULES"] = ENV_MODULES
        ids = make_datasets(Path(tmp))
        REFERENCE.write_text(json.dumps({key: _single(key, ids) for key in CASES}))
