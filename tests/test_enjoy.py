"""`rlcore enjoy` (returns, GIF/MP4 of an episode, --step/--best) and the best-evaluated
checkpoint each run keeps (as SB3's EvalCallback keeps best_model)."""

import importlib.util
import json

import pytest

from rlcore.__main__ import main
from rlcore.service.runs import RunStore


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    argv = ["--runs-dir", str(runs), "train", "--algo", "dqn", "--env", "CartPole-v1"]
    argv += ["--steps", "1000", "--eval-every", "200", "--eval-episodes", "3", "--quiet"]
    assert main([*argv, "--set", "learning_starts=100", "--set", "hidden=16"]) == 0
    store = RunStore(runs)
    return store, store.ids()[0]


def test_each_run_keeps_its_best_evaluated_checkpoint(run):
    store, run_id = run
    evals = [r for r in store.metric_rows(run_id) if "eval/return_mean" in r]
    top = max(r["eval/return_mean"] for r in evals)
    first_top = next(r["step"] for r in evals if r["eval/return_mean"] == top)
    assert store.best(run_id) == (first_top, pytest.approx(top))
    assert set(store.load_model(run_id, best=True)) == set(store.load_model(run_id))


def test_eval_best_replays_the_best_evaluation(run, capsys):
    store, run_id = run
    step, value = store.best(run_id)
    capsys.readouterr()
    assert main(["--runs-dir", str(store.root), "eval", run_id, "--best", "--episodes", "3"]) == 0
    out = capsys.readouterr().out
    assert f"best checkpoint: step {step}, evaluated {value:.2f}" in out
    assert f"return {value:.2f}" in out  # the same weights on the same seeds


def test_show_lists_checkpoints_and_best(run, capsys):
    store, run_id = run
    capsys.readouterr()
    assert main(["--runs-dir", str(store.root), "show", run_id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["checkpoints"] == store.checkpoint_steps(run_id) and shown["checkpoints"]
    assert shown["best"]["step"] == store.best(run_id)[0]


def test_enjoy_prints_returns_and_writes_a_gif(run, tmp_path, capsys):
    store, run_id = run
    gif = tmp_path / "episode.gif"
    step = store.checkpoint_steps(run_id)[0]
    base = ["--runs-dir", str(store.root), "enjoy", run_id]
    capsys.readouterr()
    assert main([*base, "--step", str(step), "--episodes", "2", "--gif", str(gif)]) == 0
    out = capsys.readouterr().out
    assert f"(checkpoint at step {step})" in out and "episode 2 (seed 1000004)" in out
    assert gif.read_bytes()[:4] == b"GIF8" and oct(gif.stat().st_mode & 0o777) == "0o644"
    first = out.split("episode 1 (seed 1000003): return ")[1].split()[0]
    assert f"return {first})" in out  # the GIF's episode is episode 1


def test_enjoy_refusals_are_one_line(run, tmp_path, capsys, monkeypatch):
    store, run_id = run
    base = ["--runs-dir", str(store.root), "enjoy", run_id]
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "imageio_ffmpeg" else real(n, *a)
    )
    for argv, words in (
        ([*base, "--mp4", str(tmp_path / "x.mp4")], "--mp4: needs the imageio-ffmpeg"),
        ([*base, "--step", "200", "--best"], "--step and --best"),
        ([*base, "--episodes", "0"], "--episodes 0"),
        ([*base, "--gif", str(tmp_path / "no" / "x.gif")], "no such folder"),
        ([*base, "--step", "7"], "no checkpoint at step 7"),
    ):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert words in err and "\n" not in err, err
    assert not (tmp_path / "x.mp4").exists()
