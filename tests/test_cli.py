import json
import subprocess
import sys

import pytest

from rlcore.__main__ import main
from rlcore.service.runs import RunStore


def train(tmp_path, *extra):
    return main(
        [
            "--runs-dir",
            str(tmp_path),
            "train",
            "--algo",
            "dqn",
            "--env",
            "CartPole-v1",
            "--steps",
            "600",
            "--eval-every",
            "300",
            "--eval-episodes",
            "2",
            "--quiet",
            "--set",
            "learning_starts=100",
            "--set",
            "hidden=16",
            *extra,
        ]
    )


def test_help_runs_as_a_module():
    out = subprocess.run(
        [sys.executable, "-m", "rlcore", "--help"], capture_output=True, text=True, check=True
    )
    assert "train" in out.stdout and "eval" in out.stdout


def test_train_list_show_eval(tmp_path, capsys):
    assert train(tmp_path) == 0
    out = capsys.readouterr().out
    assert "finished: final eval return" in out
    assert "eval" in out  # a metrics line was printed
    (run_id,) = RunStore(tmp_path).ids()
    assert main(["--runs-dir", str(tmp_path), "list"]) == 0
    assert run_id in capsys.readouterr().out
    assert main(["--runs-dir", str(tmp_path), "show", run_id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["algo"]["lr"] == 2.3e-3 and shown["algo"]["hidden"] == [16]
    assert shown["status"]["status"] == "finished"
    assert "eval/return_mean" in shown["final_metrics"]
    assert main(["--runs-dir", str(tmp_path), "eval", run_id, "--episodes", "3"]) == 0
    assert "± " in capsys.readouterr().out


def test_same_seed_same_metrics_through_the_cli(tmp_path):
    assert train(tmp_path / "a") == 0 and train(tmp_path / "b") == 0

    def rows(root):
        store = RunStore(root)
        return [
            {k: v for k, v in r.items() if not k.startswith("time/")}
            for r in store.metric_rows(store.ids()[0])
        ]

    assert rows(tmp_path / "a") == rows(tmp_path / "b")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--set", "lr=2"], "DQNConfig.lr = 2.0: too large (allowed: 1e-06 to 1)"),
        (["--set", "nope=1"], "unknown field(s) nope"),
        (["--set", "lr"], "expected NAME=VALUE"),
    ],
)
def test_bad_input_is_a_clear_message_and_no_run(tmp_path, capsys, args, message):
    assert train(tmp_path, *args) == 2
    assert message in capsys.readouterr().err
    assert RunStore(tmp_path).ids() == []


def test_unknown_env_lists_catalogue(tmp_path, capsys):
    code = main(["--runs-dir", str(tmp_path), "train", "--algo", "dqn", "--env", "Pong-v5"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown environment" in err and "CartPole-v1" in err
