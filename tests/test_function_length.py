"""No function over 80 lines without a sentence in its docstring saying why it is long.

A function (or method, nested ones too) counts from its ``def`` line to its last line. One
longer than ``MAX_LINES`` passes only if its docstring says why, in a sentence containing
"long because" (e.g. "Long because every widget of the form is laid out here in order.").
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOTS = ["rlcore", "ui"]
MAX_LINES = 80
WHY = "long because"


def long_functions(source: str, name: str = "<source>") -> list[str]:
    """``name:line function (N lines)`` for each over-long function without a why."""
    out = []
    for node in ast.walk(ast.parse(source, name)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        n = node.end_lineno - node.lineno + 1
        if n > MAX_LINES and WHY not in (ast.get_docstring(node) or "").lower():
            out.append(f"{name}:{node.lineno} {node.name} ({n} lines)")
    return out


@pytest.mark.parametrize("root", ROOTS)
def test_no_long_function_without_a_reason(root):
    bad = [
        f
        for path in sorted((REPO / root).rglob("*.py"))
        for f in long_functions(path.read_text(), str(path.relative_to(REPO)))
    ]
    assert not bad, f"over {MAX_LINES} lines, no '{WHY} ...' in the docstring: {bad}"


def test_the_check_flags_a_long_function_unless_its_docstring_says_why():
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_LINES - 2))
    short = f'def f():\n    """Doc."""\n{body}'
    long = short + "    z = 0\n"
    excused = f'def f():\n    """Doc. Long because it is a table."""\n{body}    z = 0\n'
    assert long_functions(short) == []  # exactly MAX_LINES lines
    assert long_functions(long) == [f"<source>:1 f ({MAX_LINES + 1} lines)"]
    assert long_functions(excused) == []
    nested = "class A:\n    def g(self):\n" + "".join(f"        y{i} = {i}\n" for i in range(90))
    assert long_functions(nested) == ["<source>:2 g (91 lines)"]
