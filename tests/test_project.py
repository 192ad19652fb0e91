"""Project-level checks: import hygiene, lint, the placeholder app renders."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rlcore_never_imports_streamlit():
    code = (
        "import sys, rlcore, rlcore.algos.registry, rlcore.train.trainer, "
        "rlcore.service.worker, rlcore.service.runs, "
        "rlcore.train.evaluation, rlcore.train.presets, rlcore.__main__, rlcore.data.datasets, "
        "rlcore.learn.foundations, rlcore.learn.value, rlcore.learn.policy, "
        "rlcore.learn.offline, rlcore.learn.maths\n"
        "assert 'streamlit' not in sys.modules, 'rlcore imported streamlit'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_ruff_is_clean():
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_app_renders():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value in ("Your notes, as a course", "你的笔记，变成一门课")  # Home
