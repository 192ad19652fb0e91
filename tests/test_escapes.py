"""Nothing outside its folders is ever touched: every id is a name, never a path (issue 13).

The reproduction of issue 13 (``dataset delete ../victim`` deleted a sibling folder) is
refused and kept refused. Then property tests (hypothesis) throw hostile ids at every
CLI subcommand's id arguments (``rlcore.__main__.main`` called in this process), at the
library's doors and at the app's URL parameters (AppTest): absolute paths, ``..``,
separators, NUL, control and unicode characters, very long names, and lures: a symlink
out of the runs, datasets and builds folders onto a sibling ``victim`` folder dressed as
a run, a Minari dataset and a build. After every input a snapshot of everything outside
the temporary runs and datasets folders (``victim``, the working directory, the inputs)
must be unchanged, and a refusal must be a message naming the field, never a traceback.

Counts of the hostile inputs tried and of the escapes (target: 0) go to
``test-artifacts/escape_counts*.json`` (one file per xdist worker); ``FUZZ_SCALE=20``
multiplies the examples for a longer hunt.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox import ROOT, cli, diff, fake_expert_refs, snapshot, write_counts
from streamlit.testing.v1 import AppTest

from rlcore.core.ids import check_dataset_id, check_name
from rlcore.data import datasets as ds
from rlcore.service import dataset_builds as builds
from rlcore.service.jobs import JobQueue, load_batch
from rlcore.service.runs import RunStore
from rlcore.train import collect
from rlcore.train.presets import make_configs

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
COUNTS: Counter = Counter()


def fast(n):
    """Hypothesis settings: ``n`` examples (x FUZZ_SCALE), no deadline, no database."""
    return settings(
        deadline=None,
        database=None,
        max_examples=max(1, int(n * SCALE)),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    write_counts(COUNTS, "escape_counts")


# -- the world: runs and datasets folders, a victim beside them, lures pointing at it ----
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    w = SimpleNamespace(
        root=root, runs=root / "runs", ds=root / "ds", victim=root / "victim", cwd=root / "cwd"
    )
    for d in (w.runs, w.ds, w.victim / "sub", w.cwd, root / "inputs"):
        d.mkdir(parents=True)
    (w.victim / "f").write_text("keep")
    (w.victim / "sub" / "g").write_text("keep too")
    fake_expert_refs(w.ds)
    mp = pytest.MonkeyPatch()
    mp.setenv("RLCORE_DATASETS_DIR", str(w.ds))
    w.good_ds = collect.build_dataset("Pendulum-v1", "random", 200, name="good")
    run, algo = make_configs(
        "dqn", "CartPole-v1", {"hidden": (8,), "learning_starts": 10}, {"steps": 100}
    )
    w.good_run = RunStore(w.runs).create(run, algo)
    # Lures: the victim looks like a run, a Minari dataset and a build to whoever follows
    # a symlink out of the folders.
    shutil.copytree(w.ds / w.good_ds / "data", w.victim / "data")
    meta = json.loads((w.victim / "data" / "metadata.json").read_text())
    meta["dataset_id"] = "rlplay/evil-v0"
    (w.victim / "data" / "metadata.json").write_text(json.dumps(meta))
    shutil.copy(w.runs / w.good_run / "config.json", w.victim / "config.json")
    (w.victim / "spec.json").write_text("{}")
    (w.ds / "rlplay" / "evil-v0").symlink_to(w.victim)
    (w.runs / "evil").symlink_to(w.victim)
    (w.ds / "_builds").mkdir()
    (w.ds / "_builds" / "evil").symlink_to(w.victim)
    arrays = {
        "observations": np.zeros((5, 3), np.float32),
        "next_observations": np.zeros((5, 3), np.float32),
        "actions": np.zeros((5, 1), np.float32),
        "rewards": np.zeros(5, np.float32),
        "terminals": np.array([0, 0, 0, 0, 1], np.float32),
    }
    w.npz = root / "inputs" / "d4rl.npz"
    np.savez(w.npz, **arrays)
    w.before = snapshot(root, (w.runs, w.ds))
    yield w
    mp.undo()


@pytest.fixture
def inside(world, monkeypatch):
    """Run a test with the world's folders and its working directory."""
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(world.ds))
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(world.runs))
    monkeypatch.chdir(world.cwd)
    if world.good_ds not in {d.id for d in ds.list_datasets()}:  # a fuzzed delete took it
        collect.build_dataset("Pendulum-v1", "random", 200, name="good")
    return world


def untouched(w) -> list[str]:
    """What changed outside the runs and datasets folders since the world was made."""
    return diff(w.before, snapshot(w.root, (w.runs, w.ds)))


# -- the reproduction ------------------------------------------------------------------
def test_the_issue_13_reproduction_is_refused(tmp_path):
    """``RLCORE_DATASETS_DIR=work/ds python -m rlcore dataset delete ../victim``."""
    (tmp_path / "work" / "ds").mkdir(parents=True)
    (tmp_path / "work" / "victim").mkdir()
    (tmp_path / "work" / "victim" / "f").write_text("keep\n")
    env = {**os.environ, "RLCORE_DATASETS_DIR": "work/ds", "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-m", "rlcore", "dataset", "delete", "../victim"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, r
    assert (tmp_path / "work" / "victim" / "f").read_text() == "keep\n"
    assert r.stderr.startswith("error: dataset = '../victim': not a dataset id (allowed: ")
    assert "Traceback" not in r.stderr + r.stdout and "deleted" not in r.stdout


def test_the_lures_work_and_the_doors_refuse_them(inside):
    w = inside
    # Without the doors each lure would be taken for the real thing:
    with ds._minari_env() as minari:
        assert "rlplay/evil-v0" in minari.list_local_datasets(prefix="rlplay")
    assert (w.runs / "evil" / "config.json").exists()
    # With them, nothing lists, loads or deletes through a symlink out of the folder.
    assert [d.id for d in ds.list_datasets()] == [w.good_ds]
    assert RunStore(w.runs).ids() == [w.good_run]
    assert builds.list_builds() == []
    cases = [
        (ds.delete_dataset, "rlplay/evil-v0", "dataset = 'rlplay/evil-v0': that dataset leads"),
        (ds.load_transitions, "rlplay/evil-v0", "dataset = 'rlplay/evil-v0': that dataset leads"),
        (RunStore(w.runs).delete, "evil", "run = 'evil': that run leads outside"),
        (RunStore(w.runs).load, "evil", "run = 'evil': that run leads outside"),
        (builds.read_status, "evil", "build = 'evil': that build leads outside"),
        (builds.log_tail, "evil", "build = 'evil': that build leads outside"),
        (ds.delete_dataset, "_experts/Pendulum-v1", "not a dataset id"),
    ]
    for fn, arg, words in cases:
        with pytest.raises(ValueError) as e:
            fn(arg)
        assert words in str(e.value), (fn, str(e.value))
    rc, _out, err = cli(["dataset", "delete", "rlplay/evil-v0"])
    assert rc == 2 and "dataset = 'rlplay/evil-v0': that dataset leads outside" in err
    assert untouched(w) == []


def test_only_a_listed_item_is_deleted(inside):
    w = inside
    store = RunStore(w.runs)
    (w.runs / "notarun").mkdir()  # a folder without a config: not a run
    with pytest.raises(ValueError, match="run = 'notarun': no such run"):
        store.delete("notarun")
    half = w.ds / "rlplay" / "pendulum" / "half-v0"
    half.mkdir()  # a folder without Minari's data: not a dataset
    with pytest.raises(ValueError, match="dataset = 'rlplay/pendulum/half-v0': no such local"):
        ds.delete_dataset("rlplay/pendulum/half-v0")
    assert (w.runs / "notarun").is_dir() and half.is_dir()
    half.rmdir()
    (w.runs / "notarun").rmdir()


# -- hostile ids --------------------------------------------------------------------------
NASTY = [
    "../victim", "../victim/f", "../../victim", "..", ".", "", " ", "/", "//", "\\",
    "..\\victim", "{victim}", "{victim}/f", "{root}", "/etc/passwd", "~", "~/victim", "$HOME",
    "%2e%2e%2fvictim", "..%2fvictim", "a/../../victim", "rlplay/../../victim-v0",
    "rlplay/../../../victim", "rlplay/evil-v0", "evil", "_experts/Pendulum-v1", "_builds/evil",
    ".staging-x/a-v0", ".queue", ".queue/batches/x", ".lock", "rlplay/pendulum",
    "rlplay/pendulum/", "/rlplay/pendulum/good-v0", "rlplay//pendulum/good-v0",
    "rlplay/./pendulum/good-v0", "rlplay/pendulum/good-v0/..", "rlplay/pendulum/good-v0/data",
    "x\x00y", "\x00", "a\nb", "a\rb", "a\tb", "\u202e", "é-v0", "ＡＢ-v0", "-v0", "--help", "-h",
    "--runs-dir=/", "x" * 129, "x" * 300 + "-v0", "a/" * 10 + "b-v0", "CON", "nul-v0",
]  # fmt: skip
PARTS = ["..", ".", "", "victim", "f", "rlplay", "pendulum", "good-v0", "evil", "evil-v0", "~"]


def hostile():
    """Ids a careless or malicious caller might hand over."""
    parts = st.sampled_from([*PARTS, "{victim}", "\x00", " "])
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(NASTY),
        st.lists(parts, min_size=1, max_size=6).map("/".join),
        st.lists(parts, min_size=1, max_size=4).map("\\".join),
        st.text(max_size=30),
        st.text(alphabet="./\\-_~avV0\x00 \n%", max_size=25),
        st.builds(lambda c, n: c * n, st.characters(), st.integers(100, 3000)),
    )


def concrete(w, value: str) -> str:
    return value.replace("{victim}", str(w.victim)).replace("{root}", str(w.root))


def well_formed(kind: str, value: str) -> bool:
    try:
        if kind == "dataset":
            check_dataset_id(value)
        else:
            check_name(value, kind, "an id")
    except ValueError:
        return False
    return True


def attempt_cli(w, name: str, argv: list[str], field: str, value: str) -> int:
    """Run the CLI; count it; fail on a traceback, an escape or a refusal without a message."""
    COUNTS[f"cli {name}:tried"] += 1
    try:
        rc, out, err = cli(argv)
    except BaseException as e:  # anything out of main() is an escape
        COUNTS[f"cli {name}:escaped"] += 1
        raise AssertionError(f"{name} {value!r}: {type(e).__name__} escaped main()") from e
    changed = untouched(w)
    if changed or "Traceback" in out + err:
        COUNTS[f"cli {name}:escaped"] += 1
        raise AssertionError(f"{name} {value!r}: {changed or err[-2000:]}")
    if rc == 0:
        COUNTS[f"cli {name}:accepted"] += 1
        return rc
    COUNTS[f"cli {name}:refused"] += 1
    assert "error:" in err, (name, value, err)
    if not err.startswith("usage:"):  # argparse: an id that reads as an option
        kind = "dataset" if "dataset" in field else field
        if not well_formed(kind, value):
            assert f"{field} = " in err, (name, value, err)
        assert len(err) < 2000, (name, len(err))  # a 3000-character id is not echoed whole
    return rc


def run_cmds(w):
    runs = ["--runs-dir", str(w.runs)]
    return {
        "show": (lambda v: [*runs, "show", v], "run"),
        "eval": (lambda v: [*runs, "eval", v, "--episodes", "1"], "run"),
        "dataset delete": (lambda v: ["dataset", "delete", v], "dataset"),
        "train --dataset": (
            lambda v: [*runs, "train", "--algo", "bc", "--env", "Pendulum-v1", "--dataset", v,
                       "--steps", "20", "--eval-every", "20", "--eval-episodes", "1", "--quiet"],
            "RunConfig.dataset",
        ),
    }  # fmt: skip


@fast(300)
@given(name=st.sampled_from(["show", "eval", "dataset delete", "train --dataset"]), v=hostile())
def test_cli_id_arguments_never_reach_outside(inside, name, v):
    w = inside
    value = concrete(w, v)
    argv, field = run_cmds(w)[name]
    attempt_cli(w, name, argv(value), field, value)
    if name == "train --dataset":  # a refused run leaves no run behind either
        assert set(RunStore(w.runs).ids()) <= {w.good_run} | _trained(w)


def _trained(w):
    return {r.id for r in RunStore(w.runs).list() if r.run.dataset}


@fast(12)
@given(v=hostile(), how=st.sampled_from(["build", "import"]))
def test_cli_dataset_names_stay_inside_the_datasets_folder(inside, v, how):
    """``--name`` of ``dataset build`` and ``dataset import`` becomes an id, never a path."""
    w = inside
    value = concrete(w, v)
    if how == "build":
        argv = ["dataset", "build", "--env", "Pendulum-v1", "--kind", "random", "--steps", "100"]
    else:
        argv = ["dataset", "import", str(w.npz), "--env", "Pendulum-v1"]
    rc = attempt_cli(w, f"dataset {how} --name", [*argv, "--name", value], "name", value)
    if rc == 0:  # the dataset went into the datasets folder under a sanitised id
        ds_id = ds.dataset_id("Pendulum-v1", value or "random")  # build: the kind by default
        assert ds.local_dataset(ds_id).resolve().is_relative_to(w.ds.resolve())
        assert re.fullmatch(r"rlplay/pendulum/[a-z0-9-]+-v0", ds_id)
        if ds_id != w.good_ds:
            ds.delete_dataset(ds_id)


LIBRARY = {
    "RunStore.path": ("run", lambda w, v: RunStore(w.runs).path(v)),
    "RunStore.load": ("run", lambda w, v: RunStore(w.runs).load(v)),
    "RunStore.delete": ("run", lambda w, v: RunStore(w.runs).delete(v)),
    "RunStore.status": ("run", lambda w, v: RunStore(w.runs).status(v)),
    "RunStore.request_stop": ("run", lambda w, v: RunStore(w.runs).request_stop(v)),
    "JobQueue.stop": ("run", lambda w, v: JobQueue(RunStore(w.runs), dispatch=False).stop(v)),
    "JobQueue.delete": ("run", lambda w, v: JobQueue(RunStore(w.runs), dispatch=False).delete(v)),
    "load_batch": ("batch", lambda w, v: load_batch(RunStore(w.runs), v)),
    "read_status": ("build", lambda w, v: builds.read_status(v)),
    "log_tail": ("build", lambda w, v: builds.log_tail(v)),
    "stop_build": ("build", lambda w, v: builds.stop_build(v)),
    "load_transitions": ("dataset", lambda w, v: ds.load_transitions(v)),
    "delete_dataset": ("dataset", lambda w, v: ds.delete_dataset(v)),
}


@fast(400)
@given(name=st.sampled_from(sorted(LIBRARY)), v=hostile())
def test_library_doors_refuse_every_path(inside, name, v):
    w = inside
    field, fn = LIBRARY[name]
    value = concrete(w, v)
    COUNTS[f"lib {name}:tried"] += 1
    try:
        fn(w, value)
        COUNTS[f"lib {name}:accepted"] += 1
    except ValueError as e:
        COUNTS[f"lib {name}:refused"] += 1
        if not well_formed(field, value):
            assert str(e).startswith(f"{field} = "), (name, value, str(e))
    except Exception as e:
        COUNTS[f"lib {name}:escaped"] += 1
        raise AssertionError(f"{name}({value!r}): {type(e).__name__} escaped: {e}") from e
    changed = untouched(w)
    if changed:
        COUNTS[f"lib {name}:escaped"] += 1
        raise AssertionError(f"{name}({value!r}) changed {changed}")


# -- the app's URL parameters --------------------------------------------------------------
URL_PARAMS = [
    ("pages/train.py", "batch"),
    ("pages/offline.py", "dataset"),
    ("pages/offline.py", "batch"),
    ("pages/compare.py", "dataset"),
]
WARNS = {
    ("pages/train.py", "batch"),
    ("pages/offline.py", "dataset"),
    ("pages/offline.py", "batch"),
}


def open_page(page: str, param: str, value: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page(page)
    at.query_params[param] = value
    return at.run()


def attempt_url(w, page: str, param: str, value: str) -> None:
    key = f"url {Path(page).stem}?{param}"
    COUNTS[f"{key}:tried"] += 1
    at = open_page(page, param, value)
    changed = untouched(w)
    if at.exception or changed:
        COUNTS[f"{key}:escaped"] += 1
        raise AssertionError(f"{key}={value!r}: {at.exception or changed}")
    if (page, param) in WARNS:  # the link is refused out loud, naming what was wrong
        shown = " ".join(x.value for x in at.warning)
        assert "link" in shown.lower(), (key, value, shown)
    COUNTS[f"{key}:refused"] += 1


@pytest.mark.parametrize("value", ["../victim", "{victim}", "rlplay/evil-v0", "a\x00b"])
def test_url_parameters_with_paths_are_refused(inside, value):
    for page, param in URL_PARAMS:
        attempt_url(inside, page, param, concrete(inside, value))


@fast(6)
@given(where=st.sampled_from(URL_PARAMS), v=hostile())
def test_url_parameters_never_reach_outside(inside, where, v):
    page, param = where
    value = concrete(inside, v)
    if value in ("", inside.good_ds):
        return  # an empty or a real id is no refusal
    attempt_url(inside, page, param, value)
