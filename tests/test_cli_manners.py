"""CLI manners: a help that lists every command in plain text, a quiet broken pipe, and
``--datasets-dir`` beside ``$RLCORE_DATASETS_DIR``."""

import subprocess
import sys

from rlcore.__main__ import build_parser, main


def commands() -> list[str]:
    (sub,) = [a for a in build_parser()._actions if a.dest == "cmd"]
    return list(sub.choices)


def test_top_level_help_lists_every_command_in_plain_text():
    out = subprocess.run(
        [sys.executable, "-m", "rlcore", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert {"train", "eval", "dataset", "envs", "algos", "export"} <= set(commands())
    listed = out.split("commands:")[1]
    for name in commands():
        assert f"\n    {name} " in listed, name  # one line with its help text each
    assert "``" not in out and "::" not in out  # no raw reStructuredText
    assert out.startswith("usage: python -m rlcore")


def test_broken_pipe_ends_quietly():
    """``rlcore algos -v | head``: the reader is gone before anything is written."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlcore", "algos", "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader leaves at once: every write hits a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert err == ""


def test_datasets_dir_option(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RLCORE_DATASETS_DIR", str(tmp_path / "from_env"))
    here = tmp_path / "from_option"
    argv = ["--datasets-dir", str(here), "dataset", "build", "--env", "CartPole-v1"]
    assert main([*argv, "--kind", "random", "--steps", "100", "--expert-steps", "300"]) == 0
    assert (here / "rlplay" / "cartpole" / "random-v0").is_dir()
    assert not (tmp_path / "from_env").exists()
    capsys.readouterr()
    assert main(["--datasets-dir", str(here), "dataset", "list"]) == 0
    assert "rlplay/cartpole/random-v0" in capsys.readouterr().out
    assert main(["--datasets-dir", str(tmp_path / "other"), "dataset", "list"]) == 0
    assert "no datasets yet" in capsys.readouterr().out
