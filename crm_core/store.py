"""The one module that owns the DuckDB file.

- Schema changes are numbered SQL files in ``crm_core/migrations/`` (``NNN_name.sql``), applied in
  order, each once, recorded in ``schema_version``. Opening a file made by an older version upgrades it.
- One connection per file per process (DuckDB lets one process own a file read-write); every
  caller gets its own ``cursor()`` because one connection used by two threads raises
  "connection is busy".
- Writes are serialised through one lock and each is one transaction, so two sessions saving at
  once never see a DuckDB conflict error and a crash loses at most the write in flight.
- The file holds every customer's contact details, so it and everything written beside it (its WAL,
  which DuckDB deletes and re-creates at every checkpoint, backups, restore copies) are readable by
  the owner only: a process that opens a store file masks group and other bits for good, as
  PostgreSQL does at start-up, and a file left 644 by an older version is made 600 when opened.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from crm_core.access import apply_scope
from crm_core.config import DEFAULT_TZ, duckdb_config, is_database_url
from crm_core.i18n import plural
from crm_core.users import Actor

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# Not a migration: the table that records them (created before the first one runs).
SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
)
PRIVATE_FILE_MODE = 0o600
CLOSE_WAIT_SECONDS = 30  # for the reads in flight when a restore swaps the file


def keep_files_private() -> None:
    """Every file this process creates from now on is the owner's only (umask 077 added to the
    current one): the WAL appears and disappears at DuckDB's pace, so no chmod after the fact could
    cover it."""
    os.umask(os.umask(0o077) | 0o077)


def make_private(path: str | Path) -> None:
    """chmod 600 a file that exists (one made before this version, or by another tool)."""
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, PRIVATE_FILE_MODE)
    except (FileNotFoundError, PermissionError):  # gone, or not ours to change: opening decides
        pass


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """``target`` becomes a second name of ``source`` (same filesystem, no extra space), or a
    private copy where hard links are not possible; an existing ``target`` is never overwritten."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links
        with open(source, "rb") as src, os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                                          PRIVATE_FILE_MODE), "wb") as dst:
            shutil.copyfileobj(src, dst)


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
            keep_files_private()
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            make_private(self.path)
            make_private(self.path + ".wal")
        self.timezone = timezone
        self._connection = duckdb.connect(self.path, config=duckdb_config())
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
    def transaction(self, changes_data: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """Serialised write: everything done with the yielded cursor commits together or not at all.
        ``changes_data=False`` for bookkeeping no cached result depends on (sessions, sign-in
        failures): the data version (``generation``) is left alone, so caches stay warm."""
        with self._write_lock, self._atomic() as cur:
            yield cur
        if changes_data:
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

    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        with self.transaction() as cur:
            return fn(cur)

    def close(self) -> None:
        self._connection.close()

    def replace_file(self, staged: str | Path, keep_previous: str | Path | None = None) -> None:
        """Swap the database file for ``staged`` (a checked store that opens, on the same filesystem),
        holding writes; used by restore. At every instant the path holds a whole store, the old or
        the new one: the old file is closed with everything checkpointed into it, linked (or copied)
        to ``keep_previous`` when given, and only then ``os.replace`` swaps the names. Closing the
        connection closes every cursor taken from it: a read in flight in another session fails
        once and its next run reads the new file."""
        with self._write_lock:
            try:
                self._close_checkpointed()
                if keep_previous is not None:
                    link_or_copy(self.path, keep_previous)
                os.replace(staged, self.path)
            finally:
                self._reconnect_if_closed()
            self.generation += 1

    def _close_checkpointed(self) -> None:
        """Close with everything in the main file: a WAL left beside it would be replayed onto
        whichever file takes its place. DuckDB refuses to close a connection while one of its
        cursors is in a call (another session reading): wait for the reads in flight, not the
        writes (the caller holds the write lock), up to ``CLOSE_WAIT_SECONDS``."""
        deadline = time.monotonic() + CLOSE_WAIT_SECONDS
        while True:
            try:
                self._connection.close()
                break
            except duckdb.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._connection = None
        wal = Path(self.path + ".wal")
        if wal.exists():  # closing checkpoints; a WAL left over is merged once more, explicitly
            with duckdb.connect(self.path, config=duckdb_config()) as con:
                con.execute("FORCE CHECKPOINT")
        if wal.exists():
            raise OSError(f"{wal} is still there after a checkpoint: the store was not replaced")

    def _reconnect_if_closed(self) -> None:
        if self._connection is None:
            self._connection = duckdb.connect(self.path, config=duckdb_config())
            self.migrate()

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
            applied = self.apply_migrations()
            from crm_core import summaries  # imports this module's users; the summaries need the schema above
            summaries.ensure_current(self)  # a store from before 019, or rows changed by SQL behind the app
            return applied

    def apply_migrations(self) -> list[int]:
        """The schema part of ``migrate``: the migration files not recorded yet, each in one transaction."""
        with self._write_lock:
            self._connection.execute(SCHEMA_VERSION_TABLE)
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
                problems.append(f"{table}: {orphans} {plural(orphans, 'row references', 'rows reference')} "
                                "a missing customer")
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


def _key(location: str | Path) -> str:
    if str(location) == ":memory:" or is_database_url(location):
        return str(location)
    return str(Path(location).resolve())


def new_store(location: str | Path, timezone: str = DEFAULT_TZ) -> Store:
    """A store on ``location``: a DuckDB file, or (a PostgreSQL URL) team mode's TeamStore."""
    if is_database_url(location):
        from crm_core.team.store import TeamStore  # PostgreSQL's libraries load only in team mode
        return TeamStore(str(location), timezone)
    return Store(location, timezone)


def open_store(location: str | Path, timezone: str = DEFAULT_TZ) -> Store:
    """The process-wide Store for ``location`` (DuckDB allows one read-write owner per file; a
    team process keeps one analytic copy)."""
    key = _key(location)
    with _open_lock:
        store = _open_stores.get(key)
        if store is None or key == ":memory:":
            store = new_store(location, timezone)
            if key != ":memory:":
                _open_stores[key] = store
        return store


def already_open(location: str | Path) -> Store | None:
    """The process-wide Store for ``location`` if this process has opened it, else None (nothing opened
    or created): for the scheduler's runner, which works on the app's store once the app has one."""
    with _open_lock:
        return _open_stores.get(_key(location))


def close_store(location: str | Path) -> None:
    with _open_lock:
        store = _open_stores.pop(_key(location), None)
    if store is not None:
        store.close()
