"""rlcore in layers: every import (top level or inside a function) points down or sideways.

core -> algos -> data -> train -> search -> service -> cli; learn (the explorers' maths)
sits on core only. A new module in a new folder must be given a layer here.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "rlcore"
LAYERS = ["core", "algos", "data", "train", "search", "service", "cli"]
TOP = {"__init__": "core", "__main__": "cli", "cli": "cli", "cli_pbt": "cli", "api": "cli"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    assert parts[0] == "rlcore", module
    if len(parts) == 1:
        return "core"
    head = parts[1]
    if head in LAYERS or head == "learn":
        return head
    if head in TOP:
        return TOP[head]
    raise AssertionError(f"{module}: not in any layer (add it to tests/test_layers.py)")


def allowed(src: str, dst: str) -> bool:
    if src == "learn":
        return dst in ("core", "learn")
    if dst == "learn":
        return False  # the explorers' maths is a leaf: nothing in the library needs it
    return LAYERS.index(dst) <= LAYERS.index(src)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every rlcore module this file imports, anywhere in it (functions included)."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("rlcore")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "rlcore":
                found += [(node.lineno, f"rlcore.{a.name}") for a in node.names]
            elif node.module.startswith("rlcore."):
                found.append((node.lineno, node.module))
    return found


FILES = sorted(ROOT.rglob("*.py"))


def test_every_module_has_a_layer():
    for f in FILES:
        layer_of(module_name(f))


# The package's front door: ``rlcore.DQN`` etc. import the object API on first access
# (a module __getattr__), so ``import rlcore`` itself loads nothing above core.
FRONT_DOOR = {("rlcore/__init__.py", "rlcore.api")}


def test_no_import_points_up_a_layer():
    bad = []
    for f in FILES:
        src = layer_of(module_name(f))
        for line, mod in imports_of(f):
            if mod == "rlcore" or (str(f.relative_to(ROOT.parent)), mod) in FRONT_DOOR:
                continue
            dst = layer_of(mod)
            if not allowed(src, dst):
                bad.append(f"{f.relative_to(ROOT.parent)}:{line} ({src}) imports {mod} ({dst})")
    assert not bad, "imports pointing up a layer:\n" + "\n".join(bad)


def test_the_checker_catches_an_upward_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from rlcore.service.runs import RunStore\n")
    ((line, mod),) = imports_of(f)
    assert line == 2 and not allowed("core", layer_of(mod))
    assert not allowed("learn", "train") and allowed("learn", "core")
    assert allowed("service", "train") and allowed("train", "data") is not False


@pytest.mark.parametrize("module", ["rlcore.core.config", "rlcore.core.envs"])
def test_core_config_imports_no_algorithm_and_no_service(module):
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('rlcore.algos', 'rlcore.service',"
        " 'rlcore.train', 'rlcore.data', 'rlcore.search', 'rlcore.cli', 'streamlit')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT.parent,
    ).stdout.strip()
    assert out == "", f"{module} pulls in {out}"
