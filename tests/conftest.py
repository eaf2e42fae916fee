"""Shared fixtures: stores built by the product's own code (migrations, demo generator)."""
from __future__ import annotations

from datetime import date

import pytest

from crm_core import demo
from crm_core.store import Store

DEMO_AS_OF = date(2026, 6, 30)


@pytest.fixture
def store(tmp_path):
    """An empty store with the whole schema, in a file of its own."""
    db = Store(tmp_path / "crm.duckdb")
    yield db
    db.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    """A file with a small deterministic demo dataset, for page tests (read-mostly)."""
    path = tmp_path_factory.mktemp("demo") / "crm.duckdb"
    db = Store(path)
    demo.load_demo(db, customers=300, as_of=DEMO_AS_OF)
    db.close()
    return path
