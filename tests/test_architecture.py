"""The architecture's import rules (ARCHITECTURE.md), checked on the source, not on intentions."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = {"core", "webapp", "indexer", "matching"}


def _imports(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Top-level names each module of ``package`` imports (absolute imports only; relative imports stay inside)."""
    found: dict[str, set[str]] = {}
    for path in (root / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(root))] = names
    return found


def _violations(package: str, forbidden: set[str], root: Path = ROOT) -> list[str]:
    bad = []
    for module, names in _imports(package, root).items():
        for name in names:
            top = name.split(".")[0]
            if top in forbidden:
                bad.append(f"{module} imports {name}")
    return sorted(bad)


def test_core_imports_neither_webapp_nor_indexer_nor_flask_nor_elasticsearch():
    assert _violations("core", {"webapp", "indexer", "flask", "flask_sqlalchemy", "elasticsearch"}) == []


def test_matching_imports_nothing_of_the_project():
    assert _violations("matching", PROJECT_PACKAGES - {"matching"}) == []


def test_indexer_does_not_import_webapp():
    assert _violations("indexer", {"webapp", "flask"}) == []


def test_core_imports_only_plain_types_from_matching():
    """core may use matching's plain data types, never its encoders or training code."""
    heavy = {"torch", "sentence_transformers"}
    assert _violations("core", heavy) == []


def test_the_checker_sees_a_violation(tmp_path):
    """The rules above must be able to fail: a module importing webapp is reported."""
    pkg = tmp_path / "core"
    pkg.mkdir()
    (pkg / "bad.py").write_text("from webapp.extensions import db\nfrom .ok import x\n", encoding="utf-8")
    assert _violations("core", {"webapp"}, root=tmp_path) == ["core/bad.py imports webapp.extensions"]
