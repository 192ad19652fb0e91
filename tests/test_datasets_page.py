"""The Datasets page renders in both languages, lists a dataset, refuses a bad build
without starting a process, and the import helper reports a malformed file."""

import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rlcore.data import datasets as ds
from rlcore.service import dataset_builds as jobs
from rlcore.train import collect
from ui import datasets as ud
from ui.i18n import t

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "datasets.py")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("datasets")
    mp = pytest.MonkeyPatch()
    mp.setenv("RLCORE_DATASETS_DIR", str(d))
    ds_id = collect.build_dataset("Pendulum-v1", "random", 400, expert_steps=300)
    yield d, ds_id
    mp.undo()


@pytest.fixture
def empty(tmp_path, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "empty"))
    return tmp_path / "empty"


@pytest.fixture
def with_data(store, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(store[0]))
    return store


def run(lang="en"):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_renders_with_no_datasets(empty, lang):
    at = run(lang)
    assert not at.exception, at.exception
    assert at.title[0].value == t("ds.title", lang)
    assert any(i.value == t("ds.none", lang) for i in at.info)
    assert not at.dataframe and not at.get("plotly_chart")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lists_a_dataset(with_data, lang):
    _, ds_id = with_data
    at = run(lang)
    assert not at.exception, at.exception
    df = at.dataframe[0].value
    assert list(df[t("ds.col.id", lang)]) == [ds_id]
    assert df[t("ds.col.transitions", lang)].iloc[0] >= 400
    assert at.selectbox(key="datasets.selected").value == ds_id
    (chart,) = at.get("plotly_chart")
    assert '"type":"histogram"' in chart.proto.spec.replace(" ", "")
    info = ds.list_datasets()[0]
    score = ds.normalized_score(info.return_mean, info.ref_random, info.ref_expert)
    assert at.metric[0].value == f"{score:.1f}"


def test_bad_build_input_shows_an_error_and_starts_nothing(empty):
    at = run()
    at.number_input(key="datasets.build.transitions").set_value(50).run()
    at.button(key="datasets.build.go").click().run()
    assert not at.exception, at.exception
    assert any("n_steps = 50" in e.value for e in at.error)
    assert jobs.list_builds() == [] and not (empty / "_builds").exists()


def test_mixed_shows_proportions(empty):
    at = run()
    at.selectbox(key="datasets.build.kind").set_value("mixed").run()
    assert {s.key for s in at.slider} >= {f"datasets.build.mix.{k}" for k in jobs.MIX_PARTS}
    for k in jobs.MIX_PARTS:
        at.slider(key=f"datasets.build.mix.{k}").set_value(0.0)
    at.run()
    at.button(key="datasets.build.go").click().run()
    assert any(e.value.startswith("mix") for e in at.error)
    assert jobs.list_builds() == []


def test_import_of_a_malformed_file_is_refused(empty):
    buf = io.BytesIO()
    np.savez(buf, observations=np.zeros((10, 3)), actions=np.zeros((10, 1)))
    ok, msg = ud.import_upload(buf.getvalue(), "bad.npz", "Pendulum-v1", "bad")
    assert not ok and "missing key(s) rewards" in msg
    ok, msg = ud.import_upload(b"not a zip", "x.npz", "Pendulum-v1", "bad")
    assert not ok and "not a readable .npz" in msg
    assert ds.list_datasets() == []


def test_import_of_a_good_file(empty):
    n = 50
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(n + 1, 3)).astype(np.float32)
    buf = io.BytesIO()
    np.savez(
        buf,
        observations=obs[:-1],
        actions=rng.uniform(-2, 2, (n, 1)),
        rewards=rng.normal(size=n),
        next_observations=obs[1:],
        terminals=np.zeros(n),
    )
    ok, ds_id = ud.import_upload(buf.getvalue(), "good data.npz", "Pendulum-v1", "good")
    assert ok and ds_id == "rlplay/pendulum/good-v0"
    at = run()
    assert list(at.dataframe[0].value[t("ds.col.kind", "en")]) == ["imported"]
    # delete needs the confirmation box
    at.button(key="datasets.delete.go").click().run()
    assert at.warning and ds.list_datasets()
    at.checkbox(key="datasets.delete.confirm").check().run()
    at.button(key="datasets.delete.go").click().run()
    assert not at.exception, at.exception
    assert ds.list_datasets() == []
    assert any(i.value == t("ds.none", "en") for i in at.info)
