"""No function longer than a screenful: a function over MAX_LINES lines (decorators excluded, docstring
and body included) in core, indexer, matching, webapp or tests fails here, unless it is a measured hot
loop named in ALLOWED with the measurement that keeps it whole. Migrations and bench are not checked."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "indexer", "matching", "webapp", "tests")
MAX_LINES = 80

# "path:qualified name" -> why it stays long (a measured hot loop, with the measurement).
ALLOWED: dict[str, str] = {}


def long_functions(root: Path = ROOT, packages=PACKAGES, limit: int = MAX_LINES) -> dict[str, int]:
    """``path:Class.function`` -> lines, for every function longer than ``limit``."""
    found: dict[str, int] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            _walk(tree, [], str(path.relative_to(root)), limit, found)
    return found


def _walk(node: ast.AST, scope: list[str], where: str, limit: int, found: dict[str, int]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = [*scope, child.name]
            if not isinstance(child, ast.ClassDef):
                lines = child.end_lineno - child.lineno + 1
                if lines > limit:
                    found[f"{where}:{'.'.join(name)}"] = lines
            _walk(child, name, where, limit, found)
        else:
            _walk(child, scope, where, limit, found)


def test_no_function_is_longer_than_a_screen():
    too_long = {name: n for name, n in long_functions().items() if name not in ALLOWED}
    assert too_long == {}, f"split these (or allow-list a measured hot loop with its measurement): {too_long}"


def test_every_allowed_long_function_is_still_long():
    """An allow-list entry outlives its reason once the function is split or gone."""
    stale = sorted(set(ALLOWED) - set(long_functions()))
    assert stale == []


def test_the_checker_measures_nested_and_method_functions(tmp_path):
    pkg = tmp_path / "core"
    pkg.mkdir()
    body = "\n".join(f"        x{i} = {i}" for i in range(6))  # six lines, inside a method or nested function
    (pkg / "m.py").write_text(
        f"def short():\n    return 1\n\n\nclass C:\n    def long(self):\n{body}\n\n\n"
        f"def outer():\n    def inner():\n{body}\n    return inner\n",
        encoding="utf-8",
    )
    assert long_functions(tmp_path, ("core",), limit=5) == {"core/m.py:C.long": 7, "core/m.py:outer": 9,
                                                             "core/m.py:outer.inner": 7}
