"""Datasets: building, Minari round trip, import validation, offline training on them."""

import math

import numpy as np
import pytest

from rlcore.algos.registry import ALGORITHMS
from rlcore.data import datasets as ds
from rlcore.train import collect
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer, build_agent

TINY = {"expert_steps": 300}  # a (bad) expert in seconds: enough to exercise the pipeline
BALANCE = [0.5, 1.0, 10.0, 2.0]  # push right when x/2 + v + 10 θ + 2 ω > 0: 500 every time


def plant_cartpole_expert(steps=300):
    """Cache a hand-made CartPole controller as the expert of budget ``steps``.

    A real expert in no time: DQN's Q-network with two hidden units computes it exactly,
    Q(s, right) = relu(w·s) and Q(s, left) = relu(-w·s).
    """
    import torch

    run, cfg = make_configs("dqn", "CartPole-v1", {"hidden": (2,)}, {"steps": 1}, use_preset=False)
    agent = build_agent(run, cfg)
    w = torch.tensor(BALANCE)
    state = agent.state_dict()
    for net in ("q", "q_target"):
        state[f"{net}.net.0.weight"] = torch.stack([w, -w])
        state[f"{net}.net.0.bias"] = torch.zeros(2)
        state[f"{net}.net.2.weight"] = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
        state[f"{net}.net.2.bias"] = torch.zeros(2)
    return collect.store_expert("CartPole-v1", steps, "dqn", cfg, state)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    import os

    d = tmp_path_factory.mktemp("datasets")
    old = os.environ.get("RLCORE_DATASETS_DIR")
    os.environ["RLCORE_DATASETS_DIR"] = str(d)
    plant_cartpole_expert()
    ids = {
        "random": collect.build_dataset("Pendulum-v1", "random", 400, **TINY),
        "mixed": collect.build_dataset(
            "CartPole-v1", "mixed", 800, mix={"random": 3, "expert": 1}, **TINY
        ),
        "cartpole": collect.build_dataset("CartPole-v1", "random", 300, expert_steps=300),
    }
    yield ids
    if old is None:
        os.environ.pop("RLCORE_DATASETS_DIR", None)
    else:
        os.environ["RLCORE_DATASETS_DIR"] = old


def test_random_dataset_round_trip(store):
    tr, meta = ds.load_transitions(store["random"])
    assert len(tr) == 400 and tr.observations.shape == (400, 3) and tr.actions.shape == (400, 1)
    assert meta["env"] == "Pendulum-v1" and meta["kind"] == "random"
    assert (np.abs(tr.actions) <= 2.0).all()
    assert tr.terminals.sum() == 0  # Pendulum only truncates
    assert np.flatnonzero(tr.timeouts).tolist() == [199, 399]
    # within an episode s'_t is s_{t+1}; Pendulum episodes are 200 steps
    assert np.array_equal(tr.next_observations[:199], tr.observations[1:200])
    assert tr.episode_returns.tolist() == pytest.approx(
        [tr.rewards[:200].sum(), tr.rewards[200:].sum()], rel=1e-5
    )
    assert meta["ref_min_score"] is not None and meta["ref_max_score"] is not None


def test_mixture_proportions_and_listing(store):
    tr, meta = ds.load_transitions(store["mixed"])
    # 600 random transitions and 200 expert ones, in whole episodes: the expert balances
    # for all 500 steps, so its part is one episode of 500
    n_expert = int((tr.episode_returns == 500).sum())
    assert n_expert == 1 and 600 <= len(tr) - 500 < 700
    assert "random 75%" in meta["source"] and "expert 25%" in meta["source"]
    listed = {d.id: d for d in ds.list_datasets()}
    assert set(store.values()) <= set(listed)  # the temporary part datasets are gone
    info = listed[store["mixed"]]
    assert info.episodes == len(tr.episode_returns) and info.transitions == len(tr)
    assert info.size_mb > 0


def test_expert_reference_is_the_return_of_the_policy_that_recorded_the_expert_data(store):
    refs = collect.reference_scores("CartPole-v1", expert_steps=300)
    assert refs["clear"] and refs["expert"] == 500.0 and refs["episodes"] == 100
    ds_id = collect.build_dataset("CartPole-v1", "expert", 1000, **TINY)
    info = {d.id: d for d in ds.list_datasets()}[ds_id]
    assert info.ref_expert == 500.0 and info.return_mean == 500.0
    # the expert's own data scores 100, as the word "normalised" promises
    assert ds.normalized_score(info.return_mean, info.ref_random, info.ref_expert) == 100.0
    ds.delete_dataset(ds_id)


def test_an_expert_no_better_than_random_is_refused_before_any_data(store):
    refs = collect.reference_scores("Pendulum-v1", expert_steps=300)  # cached by the fixture
    assert not refs["clear"]
    for kind, mix in (("expert", None), ("medium", None), ("mixed", {"random": 1, "expert": 1})):
        with pytest.raises(ValueError, match="not clearly better than the random policy"):
            collect.build_dataset("Pendulum-v1", kind, 400, mix=mix, name=f"weak-{kind}", **TINY)
    assert not [d for d in ds.list_datasets() if "weak" in d.id]
    # a random dataset needs no expert: its yardstick is then the solved score, said so
    _, meta = ds.load_transitions(store["random"])
    assert meta["ref_max_score"] == -200.0 and "solved score" in meta["source"]
    # the weak expert cached under 300 steps never stands in for another budget
    assert collect._expert_dir("Pendulum-v1", 300) != collect._expert_dir("Pendulum-v1", 20_000)


def test_minari_round_trip_is_exact(store):
    rng = np.random.default_rng(0)
    eps = [
        {
            "obs": list(rng.normal(size=(4, 3)).astype(np.float32)),
            "act": list(rng.uniform(-2, 2, size=(3, 1)).astype(np.float32)),
            "rew": [1.0, 2.0, 3.0],
            "term": [False, False, True],
            "trunc": [False] * 3,
        }
    ]
    ds_id = ds._write(
        ds.dataset_id("Pendulum-v1", "exact"),
        "Pendulum-v1",
        eps,
        {"random": -1.0, "expert": 1.0},
        "test",
        "hand-made",
    )
    tr, meta = ds.load_transitions(ds_id)
    np.testing.assert_array_equal(tr.observations, np.asarray(eps[0]["obs"][:3]))
    np.testing.assert_array_equal(tr.next_observations, np.asarray(eps[0]["obs"][1:]))
    np.testing.assert_array_equal(tr.actions, np.asarray(eps[0]["act"]))
    assert tr.terminals.tolist() == [0.0, 0.0, 1.0] and tr.episode_returns.tolist() == [6.0]
    assert tr.timeouts.tolist() == [0.0, 0.0, 0.0]  # ended by a terminal, not cut short
    assert ds.normalized_score(0.0, meta["ref_min_score"], meta["ref_max_score"]) == 50.0
    ds.delete_dataset(ds_id)


def d4rl_arrays(n=10, seed=0):
    rng = np.random.default_rng(seed)
    obs = rng.normal(size=(n + 1, 3)).astype(np.float32)
    return {
        "observations": obs[:-1],
        "next_observations": obs[1:],
        "actions": rng.uniform(-2, 2, size=(n, 1)).astype(np.float32),
        "rewards": rng.normal(size=n).astype(np.float32),
        "terminals": np.zeros(n, np.float32),
        "timeouts": np.r_[np.zeros(n - 1), 1.0].astype(np.float32),
    }


def test_import_npz_and_hdf5(store, tmp_path):
    import h5py

    arrays = d4rl_arrays()
    np.savez(tmp_path / "good.npz", **arrays)
    ds_id = ds.import_file(tmp_path / "good.npz", "Pendulum-v1", "imported-npz")
    tr, meta = ds.load_transitions(ds_id)
    np.testing.assert_allclose(tr.observations, arrays["observations"])
    np.testing.assert_allclose(tr.rewards, arrays["rewards"])
    np.testing.assert_array_equal(tr.timeouts, arrays["timeouts"])
    assert meta["kind"] == "imported"
    with h5py.File(tmp_path / "good.hdf5", "w") as f:
        for k, v in arrays.items():
            f[k] = v
    ds_id2 = ds.import_file(tmp_path / "good.hdf5", "Pendulum-v1", "imported-h5")
    assert len(ds.load_transitions(ds_id2)[0]) == 10


def _broken(kind):
    a = d4rl_arrays()
    if kind == "missing":
        del a["rewards"]
    elif kind == "shape":
        a["observations"] = a["observations"][:, :2]
    elif kind == "length":
        a["actions"] = a["actions"][:5]
    elif kind == "nan":
        a["rewards"][3] = np.nan
    elif kind == "inf":
        a["observations"][0, 0] = np.inf
    elif kind == "bounds":
        a["actions"][0] = 5.0
    elif kind == "dtype":
        a["rewards"] = np.array(["x"] * 10)
    elif kind == "terminals":
        a["terminals"][0] = 0.5
    return a


@pytest.mark.parametrize(
    "kind,words",
    [
        ("missing", "missing key(s) rewards"),
        ("shape", "observations: shape"),
        ("length", "actions: length 5 != rewards length 10"),
        ("nan", "rewards: contains NaN"),
        ("inf", "observations: contains NaN or inf"),
        ("bounds", "outside the action bounds"),
        ("dtype", "rewards: dtype"),
        ("terminals", "terminals: values must be 0 or 1"),
    ],
)
def test_import_rejects_malformed_files_and_leaves_nothing(store, tmp_path, kind, words):
    before = sorted(p.relative_to(ds.datasets_dir()) for p in ds.datasets_dir().rglob("*"))
    np.savez(tmp_path / "bad.npz", **_broken(kind))
    with pytest.raises(ValueError) as e:
        ds.import_file(tmp_path / "bad.npz", "Pendulum-v1", "bad")
    assert words in str(e.value)
    after = sorted(p.relative_to(ds.datasets_dir()) for p in ds.datasets_dir().rglob("*"))
    assert after == before


def test_import_rejects_wrong_type_garbage_and_size(store, tmp_path):
    (tmp_path / "x.csv").write_text("a,b")
    with pytest.raises(ValueError, match="unsupported file type"):
        ds.import_file(tmp_path / "x.csv", "Pendulum-v1", "x")
    (tmp_path / "x.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        ds.import_file(tmp_path / "x.npz", "Pendulum-v1", "x")
    np.savez(tmp_path / "big.npz", **d4rl_arrays())
    with pytest.raises(ValueError, match="too large"):
        ds.import_file(tmp_path / "big.npz", "Pendulum-v1", "big", max_bytes=100)
    a = d4rl_arrays()
    a["actions"] = np.array([[0.0]] * 10)
    np.savez(tmp_path / "disc.npz", **a)
    a["actions"] = np.full((10, 1), 7.0)
    np.savez(tmp_path / "disc_bad.npz", **a)
    with pytest.raises(ValueError, match="observations: shape"):
        ds.import_file(tmp_path / "disc.npz", "CartPole-v1", "c")


OFFLINE = [
    (n, "CartPole-v1" if s.action_space == "discrete" else "Pendulum-v1")
    for n, s in ALGORITHMS.items()
    if s.setting == "offline"
]


@pytest.mark.parametrize("algo,env_id", OFFLINE)
def test_offline_algorithms_train_deterministically(store, algo, env_id):
    dataset = store["cartpole"] if env_id == "CartPole-v1" else store["random"]

    def go():
        run, cfg = make_configs(
            algo,
            env_id,
            {"hidden": (16, 16), "batch_size": 32},
            {
                "dataset": dataset,
                "steps": 60,
                "eval_every": 30,
                "eval_episodes": 1,
                "log_every": 30,
                "seed": 0,
            },
        )
        return [
            {k: v for k, v in m.items() if not k.startswith("time/")} for m in Trainer(run, cfg)
        ]

    a, b = go(), go()
    assert a == b
    train = [m for m in a if any(k.startswith("train/") for k in m)]
    assert train and all(math.isfinite(v) for m in train for v in m.values())
    evals = [m for m in a if "eval/return_mean" in m]
    assert evals and "eval/normalized_score" in evals[-1]


def test_dataset_of_another_env_is_refused(store):
    run, cfg = make_configs("iql", "Pendulum-v1", run={"dataset": store["cartpole"], "steps": 10})
    with pytest.raises(ValueError, match="collected on CartPole-v1"):
        Trainer(run, cfg)


def test_offline_algorithm_needs_a_dataset():
    with pytest.raises(ValueError, match="needs a dataset"):
        make_configs("iql", "Pendulum-v1")
    with pytest.raises(ValueError, match="learns online"):
        make_configs("sac", "Pendulum-v1", run={"dataset": "x"})


def test_unknown_dataset_is_a_clear_error(store):
    run, cfg = make_configs("iql", "Pendulum-v1", run={"dataset": "rlplay/nope/x-v0"})
    with pytest.raises(ValueError, match="no such local dataset"):
        Trainer(run, cfg)


def test_expert_keeps_the_weights_of_its_best_evaluation(monkeypatch):
    """DQN can reach 500 on CartPole and collapse afterwards: the expert is the best."""
    import torch

    import rlcore.train.collect
    from rlcore.train.collect import _train_agent

    class Agent(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(()))

    class FakeTrainer:
        def __init__(self, run, cfg, stop=None):
            self.agent = Agent()

        def __iter__(self):
            for value, ret in ((1.0, 100.0), (2.0, 500.0), (3.0, 120.0)):
                self.agent.w.data.fill_(value)
                yield {"step": int(value), "eval/return_mean": ret}

    monkeypatch.setattr(rlcore.train.collect, "Trainer", FakeTrainer)
    tr, _ = _train_agent("CartPole-v1", 300, 0)
    assert tr.agent.w.item() == 2.0  # the weights at return 500, not the last ones
    tr, _ = _train_agent("CartPole-v1", 300, 0, stop_score=1e9, refs=(0.0, 500.0))
    assert tr.agent.w.item() == 3.0  # medium: the policy where it stopped
    # medium stops at the first eval in the band; the trainer's closing eval (here 120,
    # score 24) must not rename the dataset's source
    _, score = _train_agent("CartPole-v1", 300, 0, stop_score=50.0, refs=(0.0, 500.0))
    assert score == 100.0
