"""``TeamStore``: the store of team mode (issue 19) — PostgreSQL is the system of record, and each
app process reads an in-process DuckDB copy of it, so every capability runs unchanged.

- **Reads** (``cursor``, ``query_df``, scoped cursors) are the copy's, as in the embedded mode.
- **Writes** (``transaction``, ``write``) hold one PostgreSQL advisory lock for the whole team
  (``WRITE_LOCK_KEY``, released when the PostgreSQL transaction ends), bring the copy up to date
  under it, run the app's write code on the copy (crm_core.team.writes) and write what it changed
  to PostgreSQL in that transaction; PostgreSQL commits first, then the copy. So the optimistic
  checks of the write code (``version``) judge what PostgreSQL holds, two processes never interleave
  writes, and the writing process sees its write at once.
- **Ids**: the copy's sequences are moved up to PostgreSQL's before the write and PostgreSQL's up
  to the copy's after, under the lock: ids drawn in two processes never collide.
- **Other processes' writes**: a thread refreshes the copy every ``REFRESH_SECONDS``
  (crm_core.team.replica), and ``generation`` moves when something arrived, so cached reads end.
- **A restore** (crm_core.team.backup, from any process or the command line): the next refresh
  finds ``restore_no`` moved and fills the copy again; ``generation`` moves.

If PostgreSQL committed and the copy's commit then failed, the copy rolls back and refreshes: the
change log names the keys of that transaction too, so the copy gets them from PostgreSQL.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress

import duckdb
import psycopg

from crm_core.config import DEFAULT_TZ, duckdb_config, without_password
from crm_core.sql import quote_identifier
from crm_core.store import Store, keep_files_private
from crm_core.team.replica import AnalyticCopy, install_change_log
from crm_core.team.row_security import install_row_security
from crm_core.team.schema import migrate_postgres
from crm_core.team.writes import RecordingCursor, ship

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key of "writing" (see crm_core.team.schema for the migration lock's).
WRITE_LOCK_KEY = int.from_bytes(b"kehu-wri", "big") & 0x7FFF_FFFF_FFFF_FFFF
# The bound is 5 s from a write in one process to its view in every other.
REFRESH_SECONDS = 2.0
SEQUENCES_SQL = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
COPY_SEQUENCES_SQL = ("SELECT sequence_name, last_value FROM duckdb_sequences()"
                      " WHERE database_name = current_database() AND NOT temporary")


def _fingerprints(store: Store, tables: list[str]) -> list[tuple]:
    """The rows of each of ``tables`` as a multiset fingerprint (count, sum of the rows' hashes):
    order-free and in constant memory (a list of every row ran out of DuckDB's 2 GiB on a
    20,000-row import). One query for all the tables: a query per table and side (124) took
    ~0.8 s even on an empty store, in every team-mode test's teardown."""
    each = " UNION ALL ".join(f"SELECT {position} AS position, count(*) AS n, sum(hash(t)) AS h"
                              f" FROM {quote_identifier(table)} t" for position, table in enumerate(tables))
    with closing(store.cursor()) as cur:
        return [(n, h) for _, n, h in sorted(cur.execute(each).fetchall())]


class TeamStore(Store):
    """The store over the PostgreSQL database at ``url`` (see the module docstring)."""

    def __init__(self, url: str, timezone: str = DEFAULT_TZ, refresh_seconds: float = REFRESH_SECONDS):
        keep_files_private()
        self.url = url
        self.path = without_password(url)
        self.timezone = timezone
        self._directory = tempfile.mkdtemp(prefix="kehu-team-")
        # A file, not :memory:: DuckDB keeps in memory what its memory limit allows and the rest on disk.
        self._connection = duckdb.connect(os.path.join(self._directory, "copy.duckdb"), config=duckdb_config())
        self._write_lock = threading.RLock()
        self.generation = 0
        self._pg: psycopg.Connection | None = None
        self._copy = AnalyticCopy(url, self._connection.cursor())
        self.migrate()
        self._stop = threading.Event()
        self._refresher = None
        if refresh_seconds > 0:
            self._refresher = threading.Thread(target=self._refresh_loop, args=(refresh_seconds,),
                                               name="kehu-team-refresh", daemon=True)
            self._refresher.start()

    # -- schema and the copy -----------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Migrate PostgreSQL (under its migration lock) and the copy from the one list, fill the
        copy, and bring the summaries up to date as the embedded store does on opening."""
        with self._write_lock:
            applied = migrate_postgres(self.url)
            install_change_log(self.url)
            install_row_security(self.url)
            self.apply_migrations()
            self._copy.fill()
            from crm_core import summaries
            summaries.ensure_current(self)
            return applied

    def refresh(self) -> bool:
        """Bring the copy up to date with PostgreSQL now; True when data changed (another process
        wrote with ``changes_data``: team_generation moved; or the database was restored: the copy
        was filled again), which ends this process's cached reads."""
        with self._write_lock:
            before = (self._copy.data_generation, self._copy.restore_no)
            self._copy.refresh()
            if self._copy.last_wait is not None:  # the lag a load test reads (CRM_LOG_LEVEL=INFO)
                log.info("analytic copy refreshed: the oldest change copied waited %.3f s", self._copy.last_wait)
            if (self._copy.data_generation, self._copy.restore_no) == before:
                return False
            self.generation += 1
            return True

    def _refresh_loop(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            try:
                self.refresh()
            except Exception:  # PostgreSQL restarting, a network blip: the next round retries
                log.exception("refreshing the analytic copy from PostgreSQL failed")

    def differences_from_postgres(self) -> list[str]:
        """The replicated tables whose rows in this copy differ from PostgreSQL's now, as a second
        copy filled from scratch holds them (``python -m crm_core check``, the tests): empty when
        PostgreSQL and the copy agree row for row, value for value."""
        with tempfile.TemporaryDirectory(prefix="kehu-check-") as directory:
            fresh = Store(os.path.join(directory, "check.duckdb"), self.timezone)  # a file: it may spill
            try:
                with AnalyticCopy(self.url, fresh.system_cursor()) as second, self._write_lock:
                    second.fill()
                    self._copy.refresh()
                    names = sorted(second.tables_by_name())
                    return [name for name, theirs, ours in zip(names, _fingerprints(fresh, names),
                                                               _fingerprints(self, names)) if theirs != ours]
            finally:
                fresh.close()

    # -- writes ----------------------------------------------------------------------------------
    @contextmanager
    def transaction(self, changes_data: bool = True) -> Iterator[RecordingCursor]:
        with self._write_lock:
            pg = self._postgres()
            cur = None
            try:
                with pg.transaction():
                    pg.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])
                    self.refresh()
                    self._sequences_from_postgres(pg)
                    cur = self.cursor()
                    cur.execute("BEGIN TRANSACTION")
                    recorder = RecordingCursor(cur, self._copy.tables_by_name())
                    yield recorder
                    committed = self.cursor()
                    try:
                        ship(recorder.touched, self._copy.tables_by_name(), self._copy.column_types(), cur, committed, pg)
                    finally:
                        committed.close()
                    self._sequences_to_postgres(pg)
                    (xid,) = pg.execute("SELECT pg_current_xact_id()::text").fetchone()
                    data_generation = self._next_generation(pg) if changes_data else None
            except BaseException:
                if cur is not None:
                    with suppress(duckdb.Error):
                        cur.execute("ROLLBACK")
                    cur.close()
                raise
            self._commit_copy(cur, int(xid))
            if data_generation is not None:  # our own change: counted here, not again at the next refresh
                self._copy.data_generation = data_generation
                self.generation += 1

    @staticmethod
    def _next_generation(pg: psycopg.Connection) -> int:
        (generation,) = pg.execute("UPDATE team_generation SET generation = generation + 1 RETURNING generation").fetchone()
        return int(generation)

    def _commit_copy(self, cur: duckdb.DuckDBPyConnection, xid: int) -> None:
        try:
            cur.execute("COMMIT")
            self._copy.written.add(xid)
        except duckdb.Error:  # PostgreSQL has the write: the refresh brings it (module docstring)
            log.exception("the analytic copy's commit failed after PostgreSQL's; refreshing it")
            with suppress(duckdb.Error):
                cur.execute("ROLLBACK")
            self.refresh()
        finally:
            cur.close()

    def _postgres(self) -> psycopg.Connection:
        """The process's write connection, reopened after it broke."""
        if self._pg is None or self._pg.closed or self._pg.broken:
            self._pg = psycopg.connect(self.url)
        return self._pg

    def _sequences_from_postgres(self, pg: psycopg.Connection) -> None:
        """Each copy sequence where PostgreSQL's is, so the ids it draws are new there. Under the
        write lock PostgreSQL's is past every id in use (``_sequences_to_postgres``), so it may also
        move the copy's back: after a restore of an older dump the ids go on from the restored ones."""
        cur = self.cursor()
        try:
            ours = dict(cur.execute(COPY_SEQUENCES_SQL).fetchall())
            for name, value in pg.execute(SEQUENCES_SQL).fetchall():
                if name in ours and value is not None and value != ours[name]:
                    cur.execute("SELECT setval(?, ?)", [name, value])
        finally:
            cur.close()

    def _sequences_to_postgres(self, pg: psycopg.Connection) -> None:
        """PostgreSQL's sequences past the ids this write drew in the copy."""
        cur = self.cursor()
        try:
            ours = dict(cur.execute(COPY_SEQUENCES_SQL).fetchall())
        finally:
            cur.close()
        for name, value in pg.execute(SEQUENCES_SQL).fetchall():
            if ours.get(name) is not None and (value is None or ours[name] > value):
                pg.execute("SELECT setval(%s, %s)", [name, ours[name]])

    # -- what the embedded mode does with its file ---------------------------------------------
    def replace_file(self, staged, keep_previous=None) -> None:
        raise NotImplementedError("team mode keeps no DuckDB file to replace: use pg_restore")

    def close(self) -> None:
        self._stop.set()
        if self._refresher is not None:
            self._refresher.join(timeout=30)
        with self._write_lock:
            self._copy.close()
            if self._pg is not None:
                self._pg.close()
            self._connection.close()
        shutil.rmtree(self._directory, ignore_errors=True)
