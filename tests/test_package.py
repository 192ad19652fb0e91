"""The package: a wheel with its dependencies, extras, the `rlcore` console script and
py.typed; ranges that admit the pinned requirements; `import rlcore` without streamlit."""

import email
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build the wheel from a copy of the sources (a build in place leaves build/ behind)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "rlcore", src / "rlcore", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(src)],
        check=True,
    )  # fmt: skip
    (path,) = out.glob("rl_playground-*.whl")
    return path


def metadata(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        return names, email.message_from_bytes(z.read(meta)), z.read(entry).decode()


def test_wheel_metadata(wheel):
    import rlcore

    names, meta, entry_points = metadata(wheel)
    assert meta["Name"] == "rl-playground" and meta["Version"] == rlcore.__version__
    # what `pip show` prints: author and licence (issue 26)
    assert meta["Author"] == "RL Playground maintainers"
    assert meta["License-Expression"] == "MIT"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    reqs = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    core = {r.name: r for r in reqs if r.marker is None}
    assert {"torch", "gymnasium", "numpy", "safetensors", "minari", "pandas"} <= set(core)
    assert "arrow" in core["minari"].extras  # pyarrow: minari's arrow storage
    assert not core["numpy"].specifier.contains("1.26.4")  # minari 0.5.4 needs numpy 2
    assert "streamlit" not in core  # the library installs without the app
    extras = set(meta.get_all("Provides-Extra"))
    assert {"app", "dev", "export", "tensorboard", "search", "ray"} <= extras

    def extra(name):
        return {r.name for r in reqs if r.marker and r.marker.evaluate({"extra": name})}

    assert {"streamlit", "plotly"} <= extra("app")
    assert {"onnx", "onnxruntime"} <= extra("export")
    assert extra("tensorboard") == {"tensorboard"}
    assert "optuna" in extra("search") and "ray" in extra("ray")
    assert re.search(r"^rlcore = rlcore\.__main__:main$", entry_points, re.M)
    assert "rlcore/py.typed" in names and "rlcore/train/export.py" in names
    assert not any(n.startswith(("tests/", "ui/", "pages/")) for n in names)


def test_pinned_requirements_fit_the_ranges(wheel):
    """requirements*.txt stay the pinned set: every pin must satisfy the package's range."""
    _, meta, _ = metadata(wheel)
    ranges = {}
    for r in (Requirement(x) for x in meta.get_all("Requires-Dist")):
        ranges.setdefault(r.name.lower(), []).append(r.specifier)
    checked = 0
    for f in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / f).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("-r"):
                continue
            req = Requirement(line)
            pins = [s.version for s in req.specifier if s.operator == "=="]
            for spec in ranges.get(req.name.lower(), []):
                for v in pins:
                    assert spec.contains(v), f"{f}: {line} is outside {req.name}{spec}"
                    checked += 1
    assert checked >= 8


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """The wheel `pip install`ed (no deps: they are this environment's) into a folder."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(target), str(wheel)],
        check=True,
    )  # fmt: skip
    return target


def test_installed_wheel_runs_the_rlcore_command(installed, tmp_path):
    """`pip install` the wheel (no deps: they are this environment's) and use `rlcore`."""
    target = installed
    script = target / "bin" / "rlcore"
    env = {**os.environ, "PYTHONPATH": str(target), "RLCORE_RUNS_DIR": str(tmp_path / "runs")}
    run = dict(cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    where = subprocess.run([sys.executable, "-c", "import rlcore; print(rlcore.__file__)"], **run)
    assert where.stdout.startswith(str(target))  # the installed copy, not this checkout
    helptext = subprocess.run([str(script), "--help"], **run).stdout
    assert helptext.startswith("usage: rlcore ") and "dataset" in helptext
    argv = [str(script), "train", "--algo", "dqn", "--env", "CartPole-v1", "--steps", "300"]
    out = subprocess.run([*argv, "--eval-episodes", "1", "--set", "learning_starts=100"], **run)
    assert "finished: final eval return" in out.stdout
    assert (
        subprocess.run([str(script), "--version"], **run).stdout.strip().endswith(rlcore_version())
    )


def rlcore_version():
    import rlcore

    return rlcore.__version__


def test_installed_command_finds_env_modules_in_the_current_folder(installed, tmp_path):
    """`RLCORE_ENV_MODULES=myenv rlcore train` and `--env myenv:Class` with myenv.py here, as
    under `python -m rlcore` (the console script's sys.path lacks the current folder)."""
    target = installed
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / "tests" / "custom_envs.py", work / "myenv.py")
    with open(work / "myenv.py", "a") as f:
        f.write("\ngym.register('Corridor-v0', entry_point=Corridor, max_episode_steps=50)\n")
    env = {**os.environ, "PYTHONPATH": str(target), "RLCORE_RUNS_DIR": str(work / "runs")}
    script = str(target / "bin" / "rlcore")
    small = ["--steps", "300", "--eval-episodes", "1", "--set", "learning_starts=100"]
    for algo, env_id, extra in (
        ("dqn", "Corridor-v0", {"RLCORE_ENV_MODULES": "myenv"}),
        ("sac", "myenv:Reach", {}),
    ):
        out = subprocess.run(
            [script, "train", "--algo", algo, "--env", env_id, *small],
            cwd=work, env={**env, **extra}, capture_output=True, text=True,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "finished: final eval return" in out.stdout
    listed = subprocess.run(
        [script, "list"], cwd=work, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "Corridor-v0" in listed and "myenv-Reach" in listed  # none hidden


def test_import_rlcore_without_streamlit():
    """Every rlcore module imports in an interpreter where streamlit cannot be found."""
    code = """
import importlib, pkgutil, sys

class NoStreamlit:
    def find_spec(self, name, path=None, target=None):
        if name == "streamlit" or name.startswith("streamlit."):
            raise ModuleNotFoundError("No module named 'streamlit' (blocked)")

sys.meta_path.insert(0, NoStreamlit())
import rlcore
names = [m.name for m in pkgutil.walk_packages(rlcore.__path__, "rlcore.")]
for name in names:
    importlib.import_module(name)
assert "streamlit" not in sys.modules
print(len(names))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) > 40
