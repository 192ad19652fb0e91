"""The README's Python API runs as written: every ```python block is executed."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)


def test_readme_python_blocks_run(tmp_path):
    blocks = python_blocks()
    assert blocks and "Trainer(run, algo)" in blocks[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    for k in ("RLCORE_RUNS_DIR", "RLCORE_DATASETS_DIR"):
        env.pop(k, None)  # the README's relative folders, inside this test's folder
    for i, code in enumerate(blocks):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, f"README python block {i}:\n{out.stderr[-3000:]}"
    lines = out.stdout.strip().splitlines()
    # three evaluations (steps 500, 1000, 1500), evaluate(), ..., the loaded run, the data
    assert [ln.split()[0] for ln in lines[:3]] == ["500", "1000", "1500"]
    float(lines[3])
    assert lines[-2].startswith("finished ")
    n, shape = lines[-1].split(" ", 1)
    assert int(n) >= 500 and shape.startswith("(") and ", 4)" in shape
    assert (tmp_path / "runs").is_dir() and (tmp_path / "datasets_store").is_dir()
