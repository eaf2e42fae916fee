"""The import contract: arrows point down, pages → capabilities → base.

Layers (checked over every module's ``ast``, function-level imports included):

1. **Pages**: ``Home.py``, ``pages/`` (and ``ui/``, the pages' helpers). They may import anything in
   ``crm_core`` but never ``duckdb``: data goes through crm_core's functions and the store.
2. **Capabilities**: the packages ``crm_core.segmentation``, ``promises``, ``satisfaction``,
   ``churn``, ``care``, ``report`` (the management report, which reads the others) and ``alerts`` (which
   reads promises and sends the report). They may import the base and each other's *public* names.
3. **Base**: every other module of ``crm_core`` — store, sql, access, models, i18n, config, users,
   accounts, audit, exporting, backup, stats, customers, overview, capabilities (the registry),
   demo, app_state, ``__main__``, ``ingest/*``, ``locales/*``. The base never imports a capability
   package: what capabilities add reaches it through the capability registry
   (``crm_core.capabilities.CAPABILITIES``, module names loaded on use, like datasette's
   DEFAULT_PLUGINS) or demo's ``EXTENSIONS`` list, never through an import statement.

Rules for all of ``crm_core``:
- no module imports a private name (``from m import _x``), or reaches one through an imported
  module (``m._x``), from another module; a helper shared across modules is public where it lives;
- nothing imports ``streamlit`` (crm_core runs without a UI: the CLI, the bench, notebooks).

Tests and bench are not checked: tests may look inside modules.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CAPABILITY_PACKAGES = ("segmentation", "promises", "satisfaction", "churn", "care", "report", "alerts")
PAGE_DIRS = ("pages", "ui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "crm_core":
        return "capability" if len(parts) > 1 and parts[1] in CAPABILITY_PACKAGES else "base"
    if parts[0] in PAGE_DIRS or module == "Home":
        return "page"
    return "other"


def _capability_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "crm_core" and len(parts) > 1 and parts[1] in CAPABILITY_PACKAGES else None


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    """The contract's breaches in one module's source (``module``: its dotted name)."""
    where = layer(module)
    found: list[str] = []
    tree = ast.parse(source)
    imported_modules: dict[str, str] = {}  # local name -> module it names (for m._x)

    def check_target(target: str, line: int) -> None:
        top = target.split(".")[0]
        if where in ("base", "capability") and top == "streamlit":
            found.append(f"{module}:{line} crm_core imports streamlit")
        if where == "page" and top == "duckdb":
            found.append(f"{module}:{line} a page imports duckdb")
        if where == "base" and _capability_of(target):
            found.append(f"{module}:{line} base module imports capability {target}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check_target(alias.name, node.lineno)
                if alias.asname:
                    imported_modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source_module = _absolute(module, is_package, node)
            check_target(source_module, node.lineno)
            for alias in node.names:
                full = f"{source_module}.{alias.name}"
                if where == "base" and not _capability_of(source_module) and _capability_of(full):
                    found.append(f"{module}:{node.lineno} base module imports capability {full}")  # from crm_core import churn
                if where in ("base", "capability") and alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{module}:{node.lineno} imports private name {alias.name} from {source_module}")
                if source_module.startswith("crm_core"):
                    imported_modules[alias.asname or alias.name] = full
    if where in ("base", "capability"):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in imported_modules and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                found.append(f"{module}:{node.lineno} uses private name {node.attr} of "
                             f"{imported_modules[node.value.id]}")
    return found


def _sources() -> list[Path]:
    files = [*sorted((ROOT / "crm_core").rglob("*.py")), ROOT / "Home.py"]
    for directory in PAGE_DIRS:
        files += sorted((ROOT / directory).rglob("*.py"))
    return files


def test_the_code_keeps_the_import_contract():
    found = []
    for path in _sources():
        found += violations(module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py")
    assert found == []


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("crm_core.ingest.kinds", "import crm_core.churn.import_kind", "base module imports capability"),
    ("crm_core.overview", "from crm_core.promises.queries import open_promise_count", "base module imports capability"),
    ("crm_core.overview", "from crm_core import satisfaction", "base module imports capability"),
    ("crm_core.store", "def f():\n    from crm_core.care import board", "base module imports capability"),
    ("crm_core.promises.bulk", "from crm_core.promises.demo import _ts", "imports private name _ts"),
    ("crm_core.churn.model", "from crm_core.segmentation import views\nviews._scope(None)", "uses private name _scope"),
    ("crm_core.churn.model", "from .events import _helper", "imports private name _helper"),
    ("crm_core.care.board", "import streamlit as st", "crm_core imports streamlit"),
    ("pages.churn", "import duckdb", "a page imports duckdb"),
    ("ui.tables", "from duckdb import DuckDBPyConnection", "a page imports duckdb"),
])
def test_the_checker_catches_a_wrong_import(module, source, expected):
    found = violations(module, source)
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(("module", "source"), [
    ("crm_core.churn.capability", "from crm_core.capabilities import Capability"),  # capability → base
    ("crm_core.promises.demo", "from crm_core.segmentation import abc_classify"),   # public name of another
    ("crm_core.promises.bulk", "from crm_core.promises.vectors import NAT, to_timestamps"),
    ("pages.overview", "from crm_core import overview\nimport pandas as pd"),
    ("crm_core.overview", "from dataclasses import __version__"),  # dunder names are not private
])
def test_the_checker_allows_a_right_import(module, source):
    assert violations(module, source) == []


def test_every_registered_capability_declares_itself():
    from crm_core.capabilities import CAPABILITIES, Capability, capabilities

    declared = capabilities()
    assert len(declared) == len(CAPABILITIES)
    assert all(isinstance(c, Capability) for c in declared)
    assert [c.name for c in declared] == ["core", "segmentation", "churn", "promises", "satisfaction", "care",
                                                "report", "alerts"]


def test_the_import_kinds_keep_their_order():
    from crm_core import ingest

    assert list(ingest.KINDS) == ["customers", "transactions", "interactions", "churn_events", "promises",
                                  "promise_events", "survey_responses"]
    assert ingest.get_kind("survey_responses") is ingest.KINDS["survey_responses"]
    with pytest.raises(KeyError, match="unknown import kind"):
        ingest.get_kind("nope")
