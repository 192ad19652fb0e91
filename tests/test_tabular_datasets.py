"""Tabular environments (FrozenLake, CliffWalking): Gymnasium's one-hot wrappers, datasets.

The one-hot observation comes from Gymnasium's own ``FlattenObservation`` +
``DtypeObservation``, which Minari can record in a dataset's env spec (our former
wrapper could not: building a tabular dataset failed while writing it).
"""

import numpy as np
import pytest

from rlcore.core.envs import make_env
from rlcore.data import datasets as ds
from rlcore.service.dataset_builds import build_and_report, validate_build
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

TABULAR = {"FrozenLake-v1": 16, "CliffWalking-v1": 48}


@pytest.fixture(scope="module")
def tab_store(tmp_path_factory):
    import os

    d = tmp_path_factory.mktemp("tab_datasets")
    old = os.environ.get("RLCORE_DATASETS_DIR")
    os.environ["RLCORE_DATASETS_DIR"] = str(d)
    yield d
    if old is None:
        os.environ.pop("RLCORE_DATASETS_DIR", None)
    else:
        os.environ["RLCORE_DATASETS_DIR"] = old


@pytest.mark.parametrize("env_id,n", TABULAR.items())
def test_tabular_observation_is_a_float32_one_hot_box(env_id, n):
    env = make_env(env_id, seed=0)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.shape == (n,) and env.observation_space.dtype == np.float32
    assert obs.dtype == np.float32 and obs.sum() == 1.0 and set(np.unique(obs)) == {0.0, 1.0}
    start = int(env.unwrapped.s)
    assert obs[start] == 1.0  # the one-hot index is the state number
    env.close()


@pytest.mark.parametrize("env_id,n", TABULAR.items())
def test_tabular_dataset_builds_and_trains_bc_and_discrete_cql(tab_store, env_id, n, capsys):
    validate_build(env_id, "random", 300)  # the app's builds accept tabular envs now
    ds_id = build_and_report(env_id, "random", 300, expert_steps=300)
    out = capsys.readouterr()
    assert f"built {ds_id}" in out.out
    tr, meta = ds.load_transitions(ds_id)
    assert len(tr) >= 300 and tr.observations.shape == (len(tr), n)
    assert np.array_equal(tr.observations.sum(1), np.ones(len(tr), np.float32))
    assert set(np.unique(tr.actions)) <= {0.0, 1.0, 2.0, 3.0}
    # the warning is printed exactly when the references make scores meaningless
    bad = meta["ref_max_score"] <= meta["ref_min_score"]
    assert ("warning: the expert reference return" in out.err) == bad
    for algo in ("bc", "cql_discrete"):
        run, cfg = make_configs(
            algo,
            env_id,
            {"hidden": (16,), "batch_size": 32},
            {"dataset": ds_id, "steps": 40, "eval_every": 20, "eval_episodes": 2},
        )
        metrics = list(Trainer(run, cfg))
        evals = [m for m in metrics if "eval/return_mean" in m]
        assert len(evals) == 2 and any("train/" in k for m in metrics for k in m)


def test_reference_problem_only_when_expert_is_not_above_random():
    assert ds.reference_problem(-200.0, -13.0) is None
    for random, expert in ((0.0, 0.0), (0.05, 0.0), (-13.0, -200.0)):
        msg = ds.reference_problem(random, expert)
        assert msg and f"({expert:.4g})" in msg and f"({random:.4g})" in msg
        assert "mean nothing" in msg


def test_a_weak_expert_gives_way_to_the_solved_score_and_bad_references_are_flagged(
    tab_store, capsys
):
    """A cached expert no better than random: a random dataset takes the solved score as
    its yardstick and says so (no warning needed); a dataset that records an expert
    reference not above random (built before that rule, or imported) gets the CLI-side
    warning text and a notice on the Datasets page."""
    import json
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from rlcore.__main__ import main
    from rlcore.core.envs import env_spec
    from rlcore.service.dataset_builds import reference_problem
    from rlcore.train import collect
    from ui.i18n import t

    ref = collect._expert_dir("FrozenLake-v1", collect._budget("FrozenLake-v1", None))
    ref = ref / "reference.json"
    old = ref.read_text() if ref.exists() else None
    ref.parent.mkdir(parents=True, exist_ok=True)
    errs = {}
    try:
        for name, refs in (("weak", (0.05, 0.0, False)), ("sound", (0.05, 0.7, True))):
            ref.write_text(
                json.dumps(
                    {"random": refs[0], "expert": refs[1], "clear": refs[2], "expert_steps": 1}
                )
            )
            argv = ["dataset", "build", "--env", "FrozenLake-v1", "--kind", "random"]
            assert main([*argv, "--steps", "100", "--name", name]) == 0
            errs[name] = capsys.readouterr().err
    finally:
        if old is None:
            ref.unlink()
        else:
            ref.write_text(old)
    assert "warning" not in errs["weak"] and "warning" not in errs["sound"]
    meta = {d.id: d for d in ds.list_datasets()}
    weak, sound = meta["rlplay/frozenlake/weak-v0"], meta["rlplay/frozenlake/sound-v0"]
    assert weak.ref_expert == env_spec("FrozenLake-v1").solved
    assert "was no better than random" in weak.source
    assert (sound.ref_random, sound.ref_expert) == (0.05, 0.7)
    # a dataset recording a meaningless reference (stored before the rule, or imported)
    bad = ds.dataset_id("FrozenLake-v1", "stale")
    episodes = collect._episodes("FrozenLake-v1", "random", 100, 0, {}, None, None)[0]
    ds._write(bad, "FrozenLake-v1", episodes, {"random": 0.05, "expert": 0.0}, "random", "old")
    assert "is not above the random one (0.05)" in reference_problem(0.05, 0.0)
    page = str(Path(__file__).resolve().parent.parent / "pages" / "datasets.py")
    notice = t("ds.refs_meaningless", "en", random=0.05, expert=0.0)
    for ds_name, shown in (("stale", True), ("sound", False)):
        at = AppTest.from_file(page, default_timeout=60)
        at.session_state["datasets.selected"] = f"rlplay/frozenlake/{ds_name}-v0"
        at.run()
        assert not at.exception, at.exception
        assert at.selectbox(key="datasets.selected").value == f"rlplay/frozenlake/{ds_name}-v0"
        warnings = [w.value for w in at.warning]
        assert (notice in warnings) == shown
        assert any("mean nothing" in w for w in warnings) == shown
