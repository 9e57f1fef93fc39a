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


# --- settings: every upper-case name the code reads is declared ---------------------------------

_CONFIG_RECEIVERS = {"config", "cfg", "environ", "env"}


def _receiver(node: ast.expr) -> str | None:
    """``config`` for ``app.config`` / ``current_app.config`` / ``config``, ``environ`` for ``os.environ``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _upper_constant(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isupper():
        return node.value
    return None


def _settings_read(root: Path = ROOT) -> dict[str, set[str]]:
    """Upper-case names read as ``<config>[NAME]``, ``<config>.get(NAME)`` or ``os.getenv(NAME)``
    in the project's packages -> the modules that read them (writes such as ``setdefault`` are not reads)."""
    found: dict[str, set[str]] = {}
    for package in sorted(PROJECT_PACKAGES):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                name = None
                if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                    if _receiver(node.value) in _CONFIG_RECEIVERS:
                        name = _upper_constant(node.slice)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                    if (node.func.attr == "get" and _receiver(node.func.value) in _CONFIG_RECEIVERS) or (
                        node.func.attr == "getenv" and _receiver(node.func.value) == "os"
                    ):
                        name = _upper_constant(node.args[0])
                if name:
                    found.setdefault(name, set()).add(str(path.relative_to(root)))
    return found


def _known_settings() -> set[str]:
    """SETTINGS, the keys load_config derives from them, and Flask's own configuration keys."""
    import tempfile

    from flask import Flask

    from webapp.config import SETTINGS, load_config

    keys = {"SECRET_KEY": "k", "JOBLINK_PII_KEY": "k", "JOBLINK_PII_HASH_KEY": "k"}
    with tempfile.TemporaryDirectory() as tmp:
        derived = set(load_config(Path(tmp), env=keys))
    return set(SETTINGS) | derived | set(Flask.default_config)


def test_code_reads_only_declared_settings():
    """A setting read in code but missing from webapp.config.SETTINGS is silently dropped by load_config
    (ELASTICSEARCH_PREFIX, SEARCH_VECTOR_DIMS and MATCHER_WEIGHTS once were): declare it, with a default
    and a description, and the README's table follows."""
    undeclared = {name: sorted(where) for name, where in _settings_read().items() if name not in _known_settings()}
    assert undeclared == {}


def test_the_settings_checker_sees_an_undeclared_read(tmp_path):
    pkg = tmp_path / "indexer"
    pkg.mkdir()
    (pkg / "reads.py").write_text(
        "import os\nfrom flask import current_app\n"
        "a = current_app.config['NEW_KNOB']\nb = config.get('OTHER_KNOB', 1)\nc = os.getenv('THIRD_KNOB')\n"
        "d = os.environ.get('FOURTH_KNOB')\nos.environ.setdefault('WRITTEN_ONLY', '1')\ne = config.get('lower')\n",
        encoding="utf-8",
    )
    assert set(_settings_read(tmp_path)) == {"NEW_KNOB", "OTHER_KNOB", "THIRD_KNOB", "FOURTH_KNOB"}
