"""Populations of BC, IQL and CQL (issue 25): offline seeds and sweeps on one dataset.

``population_offline_reference.json`` was recorded from commit 694171c, before these
agents moved onto the population engine: 300 gradient steps of each (seed 3, 32x32
networks, batch 32) on a small random dataset of Pendulum-v1 (CartPole-v1 for discrete
BC): every metrics row and the first weights (``python tests/test_population_offline.py``
records it again).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

REFERENCE = Path(__file__).with_name("population_offline_reference.json")
RUN = {
    "steps": 300,
    "seed": 3,
    "eval_every": 150,
    "eval_episodes": 2,
    "log_every": 100,
    "threads": 1,
}
HP = {"hidden": (32, 32), "batch_size": 32}
CASES = {  # key: (algorithm, environment, its hyperparameters)
    "bc": ("bc", "Pendulum-v1", {}),
    "bc-discrete": ("bc", "CartPole-v1", {}),
    "iql": ("iql", "Pendulum-v1", {}),
    "cql": ("cql", "Pendulum-v1", {"cql_n_actions": 4}),
    "cql-lagrange": ("cql", "Pendulum-v1", {"cql_n_actions": 4, "lagrange": True}),
    "cql-discrete": ("cql_discrete", "CartPole-v1", {"target_update_interval": 100}),
}


def make_datasets(root: Path) -> dict[str, str]:
    """Two small random datasets (CartPole, Pendulum), imported as D4RL-style files."""
    from rlcore.data.datasets import import_file

    rng = np.random.default_rng(0)
    ids = {}
    for env, d, discrete in (("CartPole-v1", 4, True), ("Pendulum-v1", 3, False)):
        n = 400
        act = rng.integers(0, 2, n) if discrete else rng.uniform(-2, 2, (n, 1))
        ends = np.zeros(n, np.float32)
        ends[99::100] = 1
        arrays = {
            "observations": rng.normal(size=(n, d)).astype(np.float32),
            "actions": act,
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
    old = os.environ.get("RLCORE_DATASETS_DIR")
    os.environ["RLCORE_DATASETS_DIR"] = str(root / "store")
    yield make_datasets(root)
    if old is None:
        os.environ.pop("RLCORE_DATASETS_DIR", None)
    else:
        os.environ["RLCORE_DATASETS_DIR"] = old


def _configs(key: str, ids: dict[str, str], **run):
    algo, env, hp = CASES[key]
    return make_configs(
        algo, env, hp={**HP, **hp}, run={**RUN, "dataset": ids[env], **run}, use_preset=False
    )


def _rows(rows) -> list[dict]:
    return [{k: v for k, v in m.items() if not k.startswith("time/")} for m in rows]


def _weights(state: dict) -> dict[str, list[float]]:
    return {k: v.flatten()[:5].tolist() for k, v in state.items()}


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
        assert v == pytest.approx(want["weights"][key], rel=1e-5, abs=1e-6), key


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_run_is_a_population_of_one_that_behaves_as_before(key, datasets):
    """Every row and the weights of 300 gradient steps, as the recorded run's."""
    want = json.loads(REFERENCE.read_text())[key]
    _assert_same(_single(key, datasets), want)


if __name__ == "__main__":  # record the reference (from the code before populations)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RLCORE_DATASETS_DIR"] = str(Path(tmp) / "store")
        ids = make_datasets(Path(tmp))
        REFERENCE.write_text(json.dumps({key: _single(key, ids) for key in CASES}))
