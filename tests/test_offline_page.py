"""The Offline training page (AppTest): renders in both languages, with and without
datasets; trains BC on a built dataset in a real worker and shows the normalised score
and the dataset's reference lines; refuses bad input; reads a link; keeps the Train
page's setup apart; the Compare page shows the dataset, the score and the per-dataset
comparison; a hosted server shows each session only its own runs."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from helpers import poll
from rlcore.algos.registry import ALGORITHMS
from rlcore.data import datasets as ds
from rlcore.service.jobs import JobQueue, seed_plan
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train import collect
from rlcore.train.presets import make_configs
from ui.i18n import t

TINY = {
    "offline_run_steps": 300,
    "offline_run_eval_every": 100,
    "offline_run_eval_episodes": 1,
    "offline_run_log_every": 50,
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("datasets")
    mp = pytest.MonkeyPatch()
    mp.setenv("RLCORE_DATASETS_DIR", str(d))
    pend = collect.build_dataset("Pendulum-v1", "random", 400, expert_steps=300)
    cart = collect.build_dataset("CartPole-v1", "random", 300, expert_steps=300)
    mp.undo()
    return d, pend, cart


@pytest.fixture
def with_data(data_dir, monkeypatch):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(data_dir[0]))
    return data_dir


def open_page(page="pages/offline.py", lang="en", **query):
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def charts(at):
    return {
        json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_datasets_it_points_to_the_datasets_page(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "none"))
    at = open_page(lang=lang)
    assert not at.exception, at.exception
    assert at.title[0].value == t("offline.title", lang)
    assert at.info[0].value == t("offline.no_datasets", lang)
    assert "offline_start" not in [b.key for b in at.button]  # nothing to start
    assert "(/datasets" in at.markdown[-1].value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lists_datasets_and_only_offline_algorithms_that_fit(with_data, lang):
    _, pend, cart = with_data
    at = open_page(lang=lang, dataset=pend)
    assert not at.exception, at.exception
    assert at.selectbox(key="offline_dataset").value == pend
    sizes = {d.id: d.transitions for d in ds.list_datasets()}
    assert at.selectbox(key="offline_dataset").options == [
        f"{d} (random, {sizes[d]:,})" for d in (cart, pend)
    ]

    def titles(*names):
        return [ALGORITHMS[a].title for a in names]

    algos = at.selectbox(key="offline_algo").options
    assert algos == titles("bc", "cql", "iql", "awac", "td3_bc", "sac_n", "edac")
    assert any(pend in c.value and f"{sizes[pend]:,}" in c.value for c in at.caption)
    # data-collection settings mean nothing offline: not shown
    keys = {w.key for w in at.text_input}
    assert "offline_hp_bc_batch_size" in keys
    assert "offline_hp_bc_gamma" not in keys  # BC discounts nothing
    if lang != "en":
        return  # AppTest formats the radio's value in English: interact in "en" only
    at.selectbox(key="offline_algo").set_value("cql").run()
    keys = {w.key for w in at.text_input}
    assert "offline_hp_cql_cql_alpha" in keys
    assert not {"offline_hp_cql_learning_starts", "offline_hp_cql_buffer_size"} & keys
    # a discrete dataset offers BC and discrete CQL only
    at.selectbox(key="offline_dataset").set_value(cart).run()
    assert at.selectbox(key="offline_algo").options == titles("bc", "cql_discrete")


def test_trains_bc_and_shows_score_and_reference_lines(with_data):
    _, pend, _ = with_data
    at = open_page(dataset=pend, algo="bc")
    for key, value in TINY.items():
        at.text_input(key=key).set_value(str(value))
    at.text_input(key="offline_hp_bc_hidden").set_value("16")
    at.run()
    assert not at.error
    at.button(key="offline_start").click().run()
    assert not at.exception, at.exception
    poll(at, lambda a: "finished" in " ".join(p.proto.text for p in a.get("progress")))
    figs = charts(at)
    ret = figs[t("chart.returns")]
    assert ret["layout"]["xaxis"]["title"]["text"] == t("xaxis.gradient")
    # the yardsticks are named in the legend, with their values (labels on the plot overlapped)
    lines = [tr for tr in ret["data"] if tr.get("line", {}).get("color") == "gray"]
    names = [tr["name"].rsplit(" (", 1)[0] for tr in lines]
    assert names == [t("chart.ref_dataset"), t("chart.ref_expert"), t("chart.ref_random")]
    info = next(d for d in ds.list_datasets() if d.id == pend)
    assert lines[0]["y"][0] == pytest.approx(info.return_mean, rel=1e-4)
    assert t("chart.score") in figs  # the normalised-score panel
    (run_id,) = RunStore().ids()
    status = RunStore().status(run_id)
    assert status["status"] == "finished"
    want = ds.normalized_score(status["eval_return"], info.ref_random, info.ref_expert)
    assert status["eval_score"] == pytest.approx(want)
    assert at.query_params["dataset"] in (pend, [pend])


def test_bad_input_is_refused_under_its_field(with_data):
    _, pend, _ = with_data
    at = open_page(dataset=pend, algo="iql")
    at.text_input(key="offline_hp_iql_hidden").set_value("16,-3")
    at.run()
    assert not at.exception
    assert any("hidden" in e.value for e in at.error)
    assert at.button(key="offline_start").disabled
    assert RunStore().ids() == []


def test_link_with_unknown_dataset_falls_back_with_a_notice(with_data):
    cart = with_data[2]
    at = open_page(dataset="rlplay/nope/x-v0", algo="cql_discrete")
    assert not at.exception
    assert any("rlplay/nope/x-v0" in w.value for w in at.warning)
    # the fallback is a dataset the linked algorithm can train on
    assert at.selectbox(key="offline_dataset").value == cart
    assert at.selectbox(key="offline_algo").value == "cql_discrete"


def test_offline_and_train_pages_keep_separate_setups(with_data):
    _, pend, _ = with_data
    at = open_page(dataset=pend, algo="iql")
    at.text_input(key="offline_run_steps").set_value("1234").run()
    at.query_params.clear()  # the browser's page navigation drops the query string
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.text_input(key="run_steps").value != "1234"
    assert at.selectbox(key="train_algo").value in ("dqn", "reinforce", "a2c")
    at.query_params.clear()
    at.switch_page("pages/offline.py").run()
    assert at.text_input(key="offline_run_steps").value == "1234"
    assert at.selectbox(key="offline_algo").value == "iql"


def _finished_offline_runs(pend: str, algos: list[str], seeds: int = 2) -> list[str]:
    store = RunStore()
    ids = []
    for algo in algos:
        run, cfg = make_configs(
            algo,
            "Pendulum-v1",
            {"hidden": (16,), "batch_size": 32},
            {"dataset": pend, "steps": 60, "eval_every": 60, "eval_episodes": 1},
        )
        batch = JobQueue(store, dispatch=False).submit(seed_plan(run, cfg, seeds))
        for rid in batch.runs:
            assert run_job(rid, store) == "finished"
            ids.append(rid)
    return ids


def test_compare_page_compares_algorithms_on_a_dataset(with_data):
    _, pend, _ = with_data
    _finished_offline_runs(pend, ["bc", "td3_bc"])
    at = open_page("pages/compare.py", dataset=pend)
    assert not at.exception, at.exception
    assert at.multiselect(key="cmp_dataset").value == [pend]
    table = at.dataframe[0].value
    assert set(table[t("col.dataset")]) == {pend}
    assert table[t("col.score")].notna().all()
    fig = charts(at)[t("chart.dataset_scores", dataset=pend)]
    bars, data_line = fig["data"]
    assert bars["x"] == ["bc", "td3_bc"]
    info = next(d for d in ds.list_datasets() if d.id == pend)
    line = data_line["y"][0]
    # the CQL explorer's picture on real data: each policy's actions at the data's states
    acts = charts(at)[t("actions.title")]
    names = [tr.get("name") for tr in acts["data"]]
    assert names[2:] == [t("actions.data"), "BC", "TD3-BC"] and names[0] == t("actions.ood")
    assert line == pytest.approx(
        ds.normalized_score(info.return_mean, info.ref_random, info.ref_expert)
    )


def test_hosted_compare_shows_each_session_only_its_own_runs(with_data, monkeypatch):
    _, pend, _ = with_data
    others = _finished_offline_runs(pend, ["bc"], seeds=1)  # someone else's run
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    at = open_page("pages/compare.py")
    assert not at.exception
    assert not at.dataframe  # nothing of this session's own yet
    assert at.info
    # a browser that started a run sees that run (its owner token), and not the other one
    store = RunStore()
    run, cfg = make_configs("bc", "Pendulum-v1", {"hidden": (16,)}, {"dataset": pend, "steps": 30})
    me = at.session_state["owner_token"]
    batch = JobQueue(store, dispatch=False).submit(seed_plan(run, cfg, 1), owner=me)
    at.run()
    ids = list(at.dataframe[0].value[t("col.id")])
    assert ids == list(batch.runs) and others[0] not in ids
    monkeypatch.setenv("RLCORE_PROFILE", "local")  # locally every run is visible
    at.run()
    assert set(at.dataframe[0].value[t("col.id")]) == {*batch.runs, *others}


def test_datasets_page_links_the_selected_dataset_to_the_offline_page(with_data):
    _, pend, _ = with_data
    at = open_page("pages/datasets.py")
    at.selectbox(key="datasets.selected").set_value(pend).run()
    (link,) = [p.proto for p in at.get("page_link") if p.proto.page == "offline"]
    assert link.query_string == "dataset=" + pend.replace("/", "%2F")
    # following it opens the Offline page on that dataset
    at.query_params["dataset"] = pend
    at.switch_page("pages/offline.py").run()
    assert at.selectbox(key="offline_dataset").value == pend
