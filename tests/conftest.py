"""Shared fixtures: stores built by the product's own code (migrations, demo generator)."""
from __future__ import annotations

import functools
import shutil
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from streamlit.components.v2 import manifest_scanner

from crm_core import demo
from crm_core.store import Store, close_store
from crm_core.team.local_postgres import LocalPostgres, create_database, drop_database
from crm_core.team.schema import ENGINES

DEMO_AS_OF = date(2026, 6, 30)

# Each new AppTest looks for custom components in the metadata of every installed package, 0.3–0.5 s
# (measured: eight pages run in 4.1–5.0 s with the search, 1.1–1.2 s without) — more than most pages
# take to run. The installed packages do not change while the suite runs, so each worker looks once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

# The suite runs on two workers, a whole file per worker (pyproject: --dist loadfile, so a module's
# server, browser or store is made once, not once per worker), in this order: the longest files first,
# so the last files handed out are short and both workers finish together. Measured 2026-12-04 with
# --durations=0 (seconds per file under load ~9, longest first); files not listed follow in name order.
LONGEST_FIRST = (
    "test_browser_signals.py", "test_office_files.py", "test_malformed_files.py", "test_ingest.py",
    # team mode's files (issue 19; 1.5-4 min each alone, under load ~6, 2026-12-05)
    "test_team_load.py", "test_team_row_security.py", "test_team_crash.py", "test_team_store.py", "test_team_up.py",
    "test_team_backup.py",
    "test_browser_views.py", "test_scope_downloads.py", "test_ingest_files.py", "test_text_is_text.py",
    "test_browser_find.py", "test_browser_import.py", "test_crash.py", "test_report.py", "test_upload_bounds.py",
    "test_browser.py", "test_grids.py", "test_sessions.py", "test_browser_sessions.py", "test_data_page.py",
    "test_round_trip.py", "test_load.py", "test_restore_safety.py", "test_ingest_office_values.py",
    "test_sign_in.py", "test_promises_page.py", "test_ingest_properties.py", "test_pages.py",
)


def pytest_collection_modifyitems(config, items):
    """The longest files first (a stable sort: the tests of a file keep their order)."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_generate_tests(metafunc):
    """A module with ``BOTH_ENGINES = True`` runs each test taking ``store`` on both engines: the
    embedded DuckDB file and team mode's PostgreSQL (issue 19)."""
    if "store" in metafunc.fixturenames and getattr(metafunc.module, "BOTH_ENGINES", False):
        metafunc.parametrize("engine", ENGINES)


@pytest.fixture
def engine():
    """The store's engine where a module does not ask for both."""
    return "duckdb"


@pytest.fixture
def store(tmp_path, engine, request):
    """An empty store with the whole schema: a DuckDB file of its own, or (engine "postgres") a
    TeamStore over a fresh migrated PostgreSQL database, its copy refreshed by the writes only
    (no refresh thread: a test's reads see exactly what it wrote)."""
    if engine == "postgres":
        from crm_core.team.store import TeamStore

        db = TeamStore(request.getfixturevalue("team_url"), refresh_seconds=0)
    else:
        path = tmp_path / "crm.duckdb"
        shutil.copyfile(request.getfixturevalue("empty_store_template"), path)
        db = Store(path)
    yield db
    try:
        if engine == "postgres":  # whatever the test wrote is in PostgreSQL exactly as the copy shows it
            assert db.differences_from_postgres() == []
    finally:
        db.close()


@pytest.fixture(scope="session")
def empty_store_template(tmp_path_factory):
    """A file with every migration applied and nothing else, made once per worker: ``store`` copies
    it (a copy takes ~0.05 s, running the migrations again ~0.2 s, for hundreds of tests). Opening
    the copy still runs ``Store.migrate``, which finds nothing to apply."""
    path = tmp_path_factory.mktemp("empty") / "crm.duckdb"
    Store(path).close()
    return path


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    """A file with a small deterministic demo dataset (300 customers, as of DEMO_AS_OF), built once
    per session. Read it only; a test that writes takes ``demo_copy`` or ``demo_store``."""
    path = tmp_path_factory.mktemp("demo") / "crm.duckdb"
    db = Store(path)
    demo.load_demo(db, customers=300, as_of=DEMO_AS_OF)
    fit_models_now(db)
    db.close()
    return path


def fit_models_now(db: Store) -> None:
    """The models the pages read, fitted as the background job would at the wall clock (for the
    demo: on DEMO_AS_OF, its default analysis date), since an AppTest run has no scheduler thread."""
    from crm_core.model_fits import fit_now

    fit_now(db, datetime.now(ZoneInfo(db.timezone)))


@pytest.fixture
def demo_copy(demo_db_path, tmp_path):
    """A private copy of the session's demo file (a file copy, not a second run of the generator):
    the path of a store a test, a subprocess or a streamlit server may write to."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_path, path)
    return path


@pytest.fixture
def demo_app(demo_copy, monkeypatch):
    """A private copy of the demo as the app's store (``CRM_DB``), for pages run in AppTest;
    the process-wide Store on it closed afterwards."""
    monkeypatch.setenv("CRM_DB", str(demo_copy))
    yield demo_copy
    close_store(demo_copy)


@pytest.fixture
def demo_store(demo_copy):
    """A ``Store`` open on a private copy of the demo data; closed after the test."""
    db = Store(demo_copy)
    yield db
    db.close()


@pytest.fixture
def fresh_store(store):
    """An empty store with the whole schema (every migration run) in a tmp file — the same store
    as ``store``, under the name sqlite-utils' ``fresh_db`` made familiar."""
    return store


# -- PostgreSQL (team mode, issue 19) -------------------------------------------------------------
# Never skipped when PostgreSQL is missing: tests/run.sh installs it, so a machine without it fails
# these tests (LocalPostgres raises PostgresNotFound) instead of passing them silently.

@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """One throwaway cluster per pytest worker (a session fixture is made once per xdist worker),
    started only when a test asks for it."""
    with LocalPostgres(tmp_path_factory.mktemp("postgres")) as server:
        yield server


@pytest.fixture
def pg_url(postgres_server):
    """A fresh, empty database on the worker's cluster, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server.url, name)
    yield url
    drop_database(postgres_server.url, name)


@pytest.fixture(scope="session")
def team_template(postgres_server):
    """A database migrated with the change log and the row security installed, made once per
    worker: each ``team_url`` is a copy of it (CREATE DATABASE … TEMPLATE copies files: the
    migrations, the triggers and the ~1,800 row-security statements run once, not once per test;
    a TeamStore opening a copy finds them current by their digest)."""
    from crm_core.team.replica import install_change_log
    from crm_core.team.row_security import install_row_security
    from crm_core.team.schema import migrate_postgres

    url = create_database(postgres_server.url, "team_template")
    migrate_postgres(url)
    install_change_log(url)
    install_row_security(url)
    return "team_template"


@pytest.fixture
def team_url(postgres_server, team_template):
    """A fresh migrated database with the change log installed, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server.url, name, template=team_template)
    yield url
    drop_database(postgres_server.url, name)


@pytest.fixture(scope="module")
def team_demo_url(postgres_server, team_template, demo_db_path, tmp_path_factory):
    """The session's demo (``demo_db_path``, its fits included) in a PostgreSQL database of its own,
    for pages run in team mode; the app's process-wide store on it closed, and the database dropped,
    after the module."""
    import duckdb

    from crm_core.team.bulk_load import copy_to_postgres

    name = f"test_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server.url, name, template=team_template)
    copied = tmp_path_factory.mktemp("team_demo") / "demo.duckdb"  # the file may be open in this process
    shutil.copyfile(demo_db_path, copied)
    with duckdb.connect(str(copied), read_only=True) as source:
        copy_to_postgres(source, url)
    yield url
    close_store(url)
    drop_database(postgres_server.url, name)
