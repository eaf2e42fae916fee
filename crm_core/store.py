"""The one module that owns the DuckDB file.

- Schema changes are numbered SQL files in ``crm_core/migrations/`` (``NNN_name.sql``), applied in
  order, each once, recorded in ``schema_version``. Opening a file made by an older version upgrades it.
- One connection per file per process (DuckDB lets one process own a file read-write); every
  caller gets its own ``cursor()`` because one connection used by two threads raises
  "connection is busy".
- Writes are serialised through one lock and each is one transaction, so two sessions saving at
  once never see a DuckDB conflict error and a crash loses at most the write in flight.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from crm_core.access import apply_scope
from crm_core.config import DEFAULT_TZ
from crm_core.users import Actor

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, Path]]:
    """(version, path) of every migration file, in order; duplicate numbers are a packaging error."""
    found: dict[int, Path] = {}
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file {path.name} is not named NNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:03d}: {found[version].name}, {path.name}")
        found[version] = path
    return sorted(found.items())


class Store:
    """A DuckDB file with its schema brought up to date."""

    def __init__(self, path: str | Path, timezone: str = DEFAULT_TZ):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.timezone = timezone
        self._connection = duckdb.connect(self.path)
        self._write_lock = threading.RLock()
        # Bumped after every committed write: cached reads take it as part of their key.
        self.generation = 0
        self.migrate()

    # -- connections -------------------------------------------------------------------------
    def cursor(self, actor: Actor | None = None) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for the caller (one per script run / thread).

        With an ``actor``, the cursor sees only what that user may read (crm_core.access); without
        one it is the system's unrestricted view, for migrations, demo data and internal writes.
        """
        cur = self._connection.cursor()
        # SET cannot take a ? parameter; the zone was validated against the IANA list in config.
        cur.execute(f"SET TimeZone = '{self.timezone}'")
        if actor is not None:
            apply_scope(cur, actor)
        return cur

    def system_cursor(self) -> duckdb.DuckDBPyConnection:
        """A deliberately unrestricted cursor for whole-population computations (ABC ranks,
        percentiles, model fits, company-wide denominators). Whatever it computes about
        customers must be narrowed to the user through ``crm_core.access`` (``visible``,
        ``narrow``) before it is shown."""
        return self.cursor(None)

    def query_df(self, sql: str, params: Sequence[Any] = (), actor: Actor | None = None) -> pd.DataFrame:
        cur = self.cursor(actor)
        try:
            return cur.execute(sql, list(params)).df()
        finally:
            cur.close()

    def query_one(self, sql: str, params: Sequence[Any] = (), actor: Actor | None = None) -> tuple | None:
        cur = self.cursor(actor)
        try:
            return cur.execute(sql, list(params)).fetchone()
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Serialised write: everything done with the yielded cursor commits together or not at all."""
        with self._write_lock, self._atomic() as cur:
            yield cur
        self.generation += 1

    @contextmanager
    def _atomic(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on a fresh cursor; the caller holds the write lock."""
        cur = self.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.close()

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold every writer off and get a plain cursor (for ATTACH/COPY, which cannot run in a transaction)."""
        with self._write_lock:
            cur = self.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        with self.transaction() as cur:
            return fn(cur)

    def close(self) -> None:
        self._connection.close()

    def replace_file(self, staged: str | Path) -> None:
        """Swap the database file for ``staged`` (a checked copy), holding writes; used by restore."""
        with self._write_lock:
            self._connection.close()
            wal = Path(self.path + ".wal")
            if wal.exists():
                wal.unlink()
            os.replace(staged, self.path)
            self._connection = duckdb.connect(self.path)
            self.migrate()
            self.generation += 1

    # -- schema ------------------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self._connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        return int(row[0])

    def applied_migrations(self) -> set[int]:
        return {int(v) for (v,) in self._connection.execute("SELECT version FROM schema_version").fetchall()}

    def migrate(self) -> list[int]:
        """Apply every migration the file has not recorded yet, in order; returns the versions applied.

        Keyed on the set of applied versions rather than the highest one, so a migration numbered
        below one already applied (branches landing in a different order) is still applied.
        """
        with self._write_lock:
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
            )
            done = self.applied_migrations()
            applied = []
            for version, path in available_migrations():
                if version in done:
                    continue
                with self._atomic() as cur:
                    cur.execute(path.read_text(encoding="utf-8"))
                    cur.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, path.stem])
                applied.append(version)
            return applied

    def table_names(self) -> list[str]:
        rows = self.query_df("SELECT table_name FROM duckdb_tables() ORDER BY table_name")
        return rows["table_name"].tolist()

    def integrity_problems(self) -> list[str]:
        """Rows that point at customers that do not exist (DuckDB FKs are not used; see 001)."""
        problems = []
        for table in ("transactions", "interactions", "key_dates"):
            (orphans,) = self.query_one(
                f"SELECT count(*) FROM {table} t "  # table names from the fixed tuple above
                "WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = t.customer_id)"
            )
            if orphans:
                problems.append(f"{table}: {orphans} rows reference a missing customer")
        return problems


@contextmanager
def reading(db: Store | duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor to read with, for functions that take either the store or a cursor as ``db``:
    the caller's own cursor as it is, or for a Store its system cursor (closed afterwards) — the
    function then narrows what it reads with ``crm_core.access.visible``."""
    if isinstance(db, Store):
        cur = db.system_cursor()
        try:
            yield cur
        finally:
            cur.close()
    else:
        yield db


_open_stores: dict[str, Store] = {}
_open_lock = threading.Lock()


def open_store(path: str | Path, timezone: str = DEFAULT_TZ) -> Store:
    """The process-wide Store for ``path`` (DuckDB allows one read-write owner per file)."""
    key = str(Path(path).resolve()) if str(path) != ":memory:" else ":memory:"
    with _open_lock:
        store = _open_stores.get(key)
        if store is None or key == ":memory:":
            store = Store(path, timezone)
            if key != ":memory:":
                _open_stores[key] = store
        return store


def close_store(path: str | Path) -> None:
    with _open_lock:
        store = _open_stores.pop(str(Path(path).resolve()), None)
    if store is not None:
        store.close()
