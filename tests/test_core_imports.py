"""rlcore.core has no import circle (issue 25's house-keeping): config -> envs -> config and
config -> ids -> config were circles, hidden by function-level imports; every import
counts here, wherever it stands."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "rlcore" / "core"


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rlcore"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("rlcore")}
    return out


def test_no_module_of_rlcore_core_imports_one_that_imports_it_back():
    graph = {f"rlcore.core.{f.stem}": _imports(f) for f in CORE.glob("*.py")}

    def reaches(start: str, goal: str, seen: tuple = ()) -> bool:
        return any(
            n == goal or (n in graph and n not in seen and reaches(n, goal, (*seen, n)))
            for n in graph.get(start, ())
        )

    assert "rlcore.core.envs" in graph["rlcore.core.config"]  # the check still calls on it
    for module in graph:
        assert not reaches(module, module), module


def test_the_shared_words_are_one_object_wherever_they_are_imported_from():
    from rlcore.core import config, envs, ids, words

    assert config.short_repr is words.short_repr is envs.short_repr is ids.short_repr
    assert config.ActionKind is words.ActionKind
    assert words.short_repr("x" * 100, 10) == "'xxxxxx..."  # 10 characters in all
