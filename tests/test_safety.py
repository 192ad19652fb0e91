"""Safe inputs: hostile values either build a valid object or raise ValueError, nothing else.

Property tests (hypothesis) throw NaN, inf, huge and negative numbers, strings, None,
lists, unicode, very long strings and objects that misbehave at every registered
algorithm's config, at ``RunConfig``, at the dataset validator and importer and at the
checkpoint upload. Each test counts the inputs it tried and those that escaped as
anything but ``ValueError`` (target: 0); the counts are written to
``test-artifacts/safety_counts*.json`` (one file per xdist worker). ``FUZZ_SCALE=20``
multiplies the number of examples for a longer hunt.
"""

import json
import math
import os
import pickle
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rlcore.algos.registry import ALGORITHMS
from rlcore.core.config import RunConfig, from_dict, hparams
from rlcore.data import datasets as ds
from rlcore.service.runs import load_checkpoint_upload
from rlcore.train.presets import make_configs
from rlcore.train.trainer import build_agent

ROOT = Path(__file__).resolve().parent.parent
FAST = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


SCALE = float(os.environ.get("FUZZ_SCALE", "1"))  # FUZZ_SCALE=20 for a long hunt


def fast(n):
    """Hypothesis settings: ``n`` examples (x FUZZ_SCALE), no deadline, no database."""
    return settings(FAST, max_examples=max(1, int(n * SCALE)))


COUNTS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _subnormals():
    """Training flushes denormals to zero process-wide; hypothesis needs them back."""
    import torch

    torch.set_flush_denormal(False)
    yield
    torch.set_flush_denormal(True)  # what rlcore.core.device.set_threads leaves behind


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    tried = sum(v for k, v in COUNTS.items() if k.endswith(":tried"))
    escaped = sum(v for k, v in COUNTS.items() if k.endswith(":escaped"))
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"safety_counts-{worker}.json" if worker else "safety_counts.json"
    (out / name).write_text(json.dumps({"tried": tried, "escaped": escaped, **COUNTS}, indent=1))


def attempt(kind, fn, *args, **kwargs):
    """Call ``fn``; a ValueError with a message is fine, anything else is an escape."""
    COUNTS[f"{kind}:tried"] += 1
    try:
        out = fn(*args, **kwargs)
        COUNTS[f"{kind}:accepted"] += 1
        return out
    except ValueError as e:
        assert str(e).strip(), f"{kind}: ValueError without a message"
        return None
    except Exception as e:  # an escape: count it, then fail with the input shown
        COUNTS[f"{kind}:escaped"] += 1
        raise AssertionError(f"{kind}: {type(e).__name__} escaped: {e}") from e


class Hostile:
    """An object that breaks every protocol it is asked for."""

    def _boom(self, *a, **k):
        raise RuntimeError("hostile")

    __repr__ = __str__ = __eq__ = __lt__ = __gt__ = __le__ = __ge__ = _boom
    __hash__ = __float__ = __int__ = __index__ = __bool__ = __len__ = __iter__ = _boom


def long_text():
    return st.builds(lambda c, n: c * n, st.characters(), st.integers(1000, 200_000))


SCALARS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324, -1.0]),
    st.integers(-(2**80), 2**80),
    st.sampled_from([10**400, -(10**400), 2**63, -(2**63) - 1, 0, -1]),
    st.booleans(),
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "1e-400", "0x10", " 3 ", "", "∞", "١٢"]),
    st.sampled_from(["true", "no", "64,64", "64x64", "1_000", "-5", "3.5", "0,0", "8" * 5000]),
    long_text(),
    st.binary(max_size=20),
    st.complex_numbers(),
    st.builds(np.float32, st.floats(width=32)),
    st.builds(np.int64, st.integers(-(2**63), 2**63 - 1)),
    st.builds(Hostile),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=10),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
        st.sets(st.integers(), max_size=3),
    ),
    max_leaves=12,
)


def in_range(p):
    """A value inside a field's declared range (so valid objects get built too)."""
    if p.choices is not None:
        return st.sampled_from(p.choices)
    if p.type is bool:
        return st.booleans()
    if p.type is int:
        return st.integers(int(p.low if p.low is not None else -100), int(p.high or 10**6))
    if p.type is float:
        return st.floats(p.low if p.low is not None else -1e3, p.high or 1e3)
    if p.type is str:
        return st.text(max_size=10)
    return st.lists(st.integers(1, 64), min_size=1, max_size=3)


def overrides(cls):
    params = hparams(cls)
    field = st.sampled_from(params).flatmap(
        lambda p: st.tuples(st.just(p.name), st.one_of(VALUES, in_range(p)))
    )
    junk = st.tuples(st.one_of(st.text(max_size=20), st.integers(), st.none()), VALUES)
    return st.lists(st.one_of(field, field, junk), max_size=6).map(dict)


def check_built(cfg):
    for p in hparams(type(cfg)):
        v = getattr(cfg, p.name)
        if p.type in (int, float):
            assert type(v) in (int, float) and not isinstance(v, bool)
            assert (p.low is None or v >= p.low) and (p.high is None or v <= p.high)
            assert math.isfinite(v)


@fast(400)
@given(algo=st.sampled_from(sorted(ALGORITHMS)), data=st.data())
def test_every_algorithm_config_builds_or_raises_valueerror(algo, data):
    cls = ALGORITHMS[algo].config_cls
    values = data.draw(overrides(cls))
    cfg = attempt("algo_config", from_dict, cls, values)
    if cfg is not None:
        check_built(cfg)


@fast(250)
@given(data=st.data())
def test_run_config_builds_or_raises_valueerror(data):
    values = data.draw(overrides(RunConfig))
    cfg = attempt("run_config", from_dict, RunConfig, values)
    if cfg is not None:
        check_built(cfg)
        assert cfg.algo in ALGORITHMS


@fast(150)
@given(
    algo=st.one_of(st.sampled_from(sorted(ALGORITHMS)), VALUES),
    env=st.one_of(st.sampled_from(["CartPole-v1", "Pendulum-v1", "os:system"]), VALUES),
    hp=st.one_of(st.none(), st.dictionaries(st.sampled_from(["lr", "hidden", "gamma"]), VALUES)),
    run=st.one_of(st.none(), st.dictionaries(st.sampled_from(["steps", "seed"]), VALUES)),
)
def test_make_configs_builds_or_raises_valueerror(algo, env, hp, run):
    attempt("make_configs", make_configs, algo, env, hp, run)


@pytest.mark.parametrize(
    "algo,values,words",
    [
        ("dqn", {"exploration_initial_eps": 0.2, "exploration_final_eps": 0.5},
         ["exploration_final_eps = 0.5", "exploration_initial_eps = 0.2", "0 to 0.2"]),
        ("cql_discrete", {"exploration_initial_eps": 0.0, "exploration_final_eps": 0.1},
         ["DiscreteCQLConfig.exploration_final_eps"]),
        ("sac", {"batch_size": 512, "buffer_size": 100},
         ["SACConfig.batch_size = 512", "buffer_size = 100", "1 to 100"]),
        ("awac", {"batch_size": 512, "buffer_size": 100}, ["AWACConfig.batch_size"]),
        ("awac", {"autotune": True}, ["AWACConfig.autotune"]),
        ("td3", {"hidden": [64] * 9}, ["TD3Config.hidden", "1 to 8 layer sizes"]),
        ("a2c", {"optimizer": "x" * 10_000}, ["A2CConfig.optimizer", "...", "one of"]),
    ],
)  # fmt: skip
def test_cross_field_and_hostile_values_give_clear_messages(algo, values, words):
    with pytest.raises(ValueError) as e:
        from_dict(ALGORITHMS[algo].config_cls, values)
    for w in words:
        assert w in str(e.value)
    assert len(str(e.value)) < 400  # a 10,000-character value is not echoed back


# -- datasets --------------------------------------------------------------------------
KEYS = (*ds.REQUIRED_KEYS, "timeouts", "infos", "")
DTYPES = st.sampled_from(
    ["float32", "float64", "float16", "int64", "int8", "uint64", "bool", "complex64",
     "U3", "S2", "datetime64[s]", "timedelta64[s]", "object", "V4"]
)  # fmt: skip


def hostile_array():
    shape = st.one_of(
        st.just(()), hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=12)
    )
    arr = st.tuples(DTYPES, shape).flatmap(
        lambda ds_: (
            hnp.arrays(np.dtype(ds_[0]), ds_[1])
            if np.dtype(ds_[0]).kind not in "OV"
            else st.just(np.zeros(ds_[1], dtype=ds_[0]))  # objects, raw bytes: no strategy
        )
    )
    return st.one_of(arr, arr, VALUES)


def plausible_arrays(n_max=12):
    """D4RL-shaped Pendulum arrays with random values, some of them hostile."""
    floats = st.floats(allow_nan=True, allow_infinity=True, width=32)

    def build(n):
        return st.fixed_dictionaries(
            {
                "observations": hnp.arrays(np.float32, (n, 3), elements=floats),
                "next_observations": hnp.arrays(np.float32, (n, 3), elements=floats),
                "actions": hnp.arrays(np.float32, (n, 1), elements=st.floats(-2.5, 2.5, width=32)),
                "rewards": hnp.arrays(np.float64, (n,), elements=floats),
                "terminals": hnp.arrays(np.int8, (n,), elements=st.integers(0, 1)),
            },
            optional={"timeouts": hnp.arrays(np.float32, (n,), elements=st.sampled_from([0, 1]))},
        )

    return st.integers(0, n_max).flatmap(build)


def arrays_dicts():
    hostile = st.dictionaries(st.sampled_from(KEYS), hostile_array(), max_size=7)
    mixed = st.tuples(plausible_arrays(), hostile).map(lambda ab: {**ab[0], **ab[1]})
    return st.one_of(plausible_arrays(), hostile, mixed)


ENV_IDS = st.one_of(st.sampled_from(["Pendulum-v1", "CartPole-v1", "os:system", ""]), VALUES)


@fast(250)
@given(arrays=arrays_dicts(), env_id=ENV_IDS)
def test_dataset_validator_accepts_or_raises_valueerror(arrays, env_id):
    out = attempt("validate_arrays", ds.validate_arrays, arrays, env_id)
    if out is not None:
        n = len(out["rewards"])
        assert all(len(v) == n and np.isfinite(v).all() for v in out.values())


@pytest.fixture(scope="module")
def import_dirs(tmp_path_factory):
    d = tmp_path_factory.mktemp("imports")
    old = os.environ.get("RLCORE_DATASETS_DIR")
    os.environ["RLCORE_DATASETS_DIR"] = str(d / "store")
    yield d
    if old is None:
        os.environ.pop("RLCORE_DATASETS_DIR", None)
    else:
        os.environ["RLCORE_DATASETS_DIR"] = old


def write_file(folder, how, arrays, raw, suffix):
    fd, name = tempfile.mkstemp(dir=folder, suffix=suffix)
    os.close(fd)
    path = Path(name)
    if how == "raw":
        path.write_bytes(raw)
    elif how == "pickle":
        path.write_bytes(pickle.dumps(arrays))
    elif suffix == ".npz":
        safe = {k or "empty": v for k, v in arrays.items() if isinstance(v, np.ndarray)}
        try:
            np.savez(path, **{k: v for k, v in safe.items() if v.dtype.kind != "O"})
        except (ValueError, TypeError):
            path.write_bytes(raw)
    else:
        import h5py

        with h5py.File(path, "w") as f:
            for k, v in arrays.items():
                if isinstance(v, np.ndarray) and v.dtype.kind in "biuf" and k:
                    f[k] = v
    return path


@fast(40)
@given(
    how=st.sampled_from(["arrays", "arrays", "arrays", "raw", "pickle"]),
    arrays=arrays_dicts(),
    raw=st.binary(max_size=300),
    suffix=st.sampled_from([".npz", ".npz", ".hdf5", ".h5", ".csv", ""]),
    env_id=st.one_of(st.just("Pendulum-v1"), ENV_IDS),
)
def test_dataset_import_accepts_or_raises_valueerror(import_dirs, how, arrays, raw, suffix, env_id):
    path = write_file(import_dirs, how, arrays, raw, suffix)
    try:
        ds_id = attempt("import_file", ds.import_file, path, env_id, "fuzz")
        if ds_id is not None:
            ds.delete_dataset(ds_id)
    finally:
        path.unlink()


# -- checkpoints -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def agent_and_file():
    from safetensors.torch import save

    run, cfg = make_configs("dqn", "CartPole-v1", {"hidden": (8,)}, {"steps": 1000})
    agent = build_agent(run, cfg)
    return agent, save({k: v.contiguous() for k, v in agent.state_dict().items()})


def test_checkpoint_round_trip_and_refusals(agent_and_file):
    import torch
    from safetensors.torch import save

    agent, good = agent_and_file
    loaded = load_checkpoint_upload(good, agent)
    assert set(loaded) == set(agent.state_dict())
    sd = {k: v.clone() for k, v in agent.state_dict().items()}
    first = next(k for k, v in sd.items() if v.ndim == 2)
    cases = {
        "missing": ({k: v for k, v in sd.items() if k != first}, f"missing {first}"),
        "extra": ({**sd, "evil": torch.zeros(1)}, "unexpected evil"),
        "shape": ({**sd, first: torch.zeros(3, 3)}, f"{first} is torch.float32 (3, 3)"),
        "dtype": ({**sd, first: sd[first].double()}, "torch.float64"),
        "nan": ({**sd, first: torch.full_like(sd[first], float("nan"))}, "NaN or inf"),
    }
    for name, (tensors, words) in cases.items():
        with pytest.raises(ValueError) as e:
            load_checkpoint_upload(save(tensors), agent)
        assert words in str(e.value), name
    buf = __import__("io").BytesIO()
    torch.save(sd, buf)
    for bad in (buf.getvalue(), pickle.dumps(sd), b"", b"garbage", good[:-10]):
        with pytest.raises(ValueError, match="checkpoint"):
            load_checkpoint_upload(bad, agent)
    with pytest.raises(ValueError, match="too large"):
        load_checkpoint_upload(good, agent, max_bytes=100)
    with pytest.raises(ValueError, match="pickle"):
        load_checkpoint_upload(pickle.dumps(sd), agent)


class _Payload:
    """Unpickling this creates ``self.path``: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_malicious_pickle_is_refused_and_never_runs(agent_and_file, tmp_path):
    import torch

    agent, _ = agent_and_file
    control, target = tmp_path / "control", tmp_path / "pwned"
    pickle.loads(pickle.dumps(_Payload(str(control))))  # the payload is live...
    assert control.exists()
    evil = pickle.dumps(_Payload(str(target)))
    buf = __import__("io").BytesIO()
    torch.save({"weights": _Payload(str(target))}, buf)  # ... also inside a .pt zip
    for data in (evil, buf.getvalue(), pickle.dumps({"x": _Payload(str(target))}, protocol=0)):
        with pytest.raises(ValueError, match="not a safetensors file"):
            load_checkpoint_upload(data, agent)
        assert not target.exists()  # ...but never runs here


@fast(150)
@given(data=st.data())
def test_checkpoint_upload_accepts_or_raises_valueerror(agent_and_file, data):
    agent, good = agent_and_file
    kind = data.draw(st.sampled_from(["bytes", "flip", "cut", "header", "value"]))
    if kind == "bytes":
        blob = data.draw(st.binary(max_size=500))
    elif kind == "flip":
        i = data.draw(st.integers(0, len(good) - 1))
        blob = good[:i] + bytes([good[i] ^ data.draw(st.integers(1, 255))]) + good[i + 1 :]
    elif kind == "cut":
        blob = good[: data.draw(st.integers(0, len(good)))]
    elif kind == "header":
        n = data.draw(st.integers(0, 2**64 - 1))
        blob = n.to_bytes(8, "little") + good[8:]
    else:
        blob = data.draw(VALUES)
    before = {k: v.clone() for k, v in agent.state_dict().items()}
    out = attempt("checkpoint", load_checkpoint_upload, blob, agent)
    if out is None:  # refused: the agent is untouched
        after = agent.state_dict()
        assert all((before[k] == after[k]).all() for k in before)
