"""The README and the documentation pages say what is true: every ```python block runs as
written, the README stays a front page (under 200 lines, the two Quickstart commands, links
that stay inside the repository), and the docs site builds strictly."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["README.md", "docs/python-api.md"]  # the pages whose Python blocks run here


def python_blocks(page: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", (ROOT / page).read_text(), re.M | re.S)


def run_blocks(page, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    for k in ("RLCORE_RUNS_DIR", "RLCORE_DATASETS_DIR"):
        env.pop(k, None)  # the pages' relative folders, inside this test's folder
    outs = []
    for i, code in enumerate(python_blocks(page)):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, f"{page} python block {i}:\n{out.stderr[-3000:]}"
        outs.append(out.stdout.strip().splitlines())
    return outs


def test_readme_python_block_runs(tmp_path):
    (lines,) = run_blocks("README.md", tmp_path)
    word, run_id, same = lines[-1].split()
    assert word == "readme" and same == "True"
    assert (tmp_path / "runs" / run_id / "model.safetensors").is_file()  # a normal run
    assert (tmp_path / "dqn-cartpole" / "config.json").is_file()


def test_python_api_page_blocks_run(tmp_path):
    api, lower = run_blocks("docs/python-api.md", tmp_path)
    assert api[-1].startswith("api ")
    # three evaluations (steps 500, 1000, 1500), evaluate(), ..., the loaded run, the data
    assert [ln.split()[0] for ln in lower[:3]] == ["500", "1000", "1500"]
    float(lower[3])
    assert lower[-2].startswith("finished ")
    n, shape = lower[-1].split(" ", 1)
    assert int(n) >= 500 and shape.startswith("(") and ", 4)" in shape
    assert (tmp_path / "runs").is_dir() and (tmp_path / "datasets_store").is_dir()


def test_readme_is_a_front_page():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) < 200
    ci = (ROOT / ".ci" / "run").read_text()
    commands = re.findall(r"^```bash\n(.*?)\n```", text, re.M | re.S)[:2]
    assert commands[0].endswith("python -m streamlit run app.py")
    assert commands[1].endswith("python -m pytest -n 2 --timeout 600")
    assert "python -m pytest -n 2 --timeout 600" in ci  # CI runs the README's command
    for target in re.findall(r"\]\(([^)#]+)", text):
        if "://" in target:
            continue
        path = (ROOT / target).resolve()
        assert ROOT in path.parents, f"README links outside the repository: {target}"
        assert path.exists(), f"README links nowhere: {target}"
    assert "../" not in text


def test_docs_pages_cover_the_manual():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in ("app", "course", "cli", "python-api", "hyperparams", "search", "export",
                 "algorithms", "benchmarks", "deploy", "reference"):  # fmt: skip
        assert f"{page}.md" in nav, page
    bench = (ROOT / "docs" / "benchmarks.md").read_text()
    assert bench.count("|---") >= 5 and "python benchmarks/" in bench  # tables, commands
    algos = (ROOT / "docs" / "algorithms.md").read_text()
    from rlcore.algos.registry import ALGORITHMS

    for spec in ALGORITHMS.values():  # every algorithm's equations, from its docstring
        assert f"::: {spec.agent_cls.__module__}" in algos


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import mkdocs, material, mkdocstrings"]).returncode,
    reason="mkdocs-material and mkdocstrings (requirements-dev.txt) are not installed",
)
def test_docs_build_strictly(tmp_path):
    """What .ci/run runs before the tests: a broken page, link or docstring fails."""
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert (tmp_path / "reference" / "index.html").read_text().count("rlcore.api.Algorithm") > 3
