"""Backup and restore in team mode (issue 19): PostgreSQL's own tools, ``pg_dump`` and
``pg_restore``, from the same Debian installation as the server (crm_core.team.local_postgres).

The dump is the custom format: compressed, every table read in one snapshot, restorable table by
table. A restore runs while the app processes run (the Admin page, or ``python -m crm_core restore``):

1. It waits for the team's write lock (``WRITE_LOCK_KEY``, the one every write takes) and then takes
   the restore lock (``RESTORE_LOCK_KEY``, which every fill and refresh of an analytic copy takes
   shared), both as session locks on a connection of its own, held to the end: no write interleaves
   and no process reads a half-finished restore.
2. ``pg_restore --single-transaction`` replaces the whole database: a broken dump changes nothing.
3. The database is brought up to the code's migrations, change log and row security (a dump from
   an older version comes up to date), the dump's change log is emptied, the ``keep`` tables (accounts, sessions and sign-in lock-outs:
   crm_core.backup.PEOPLE_TABLES) get the rows they had before the restore back, and
   ``team_generation.restore_no`` is set above both the value before and the dump's own, in one
   transaction.
4. Each process's next refresh finds ``restore_no`` moved and fills its copy again
   (crm_core.team.replica); its next write moves its id sequences to the restored ones.
"""
from __future__ import annotations

import subprocess
from contextlib import suppress
from pathlib import Path

import psycopg

from crm_core.sql import quote_identifier
from crm_core.team.local_postgres import server_bin_dir

RESTORE_WAIT_SECONDS = 120  # how long a restore waits for the write in flight (an import) to end
DUMP_MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format archive
KEPT_PREFIX = "kehu_kept_"  # the session's temporary tables holding the ``keep`` rows


class TeamBackupError(RuntimeError):
    """pg_dump or pg_restore failed; the message carries their own words."""


class TeamRestoreBusy(TeamBackupError):
    """The write lock stayed held longer than the restore waits; nothing was changed."""


def dump(url: str, target: Path) -> None:
    """Write the database at ``url`` to ``target`` (a new file) with pg_dump's custom format."""
    _run("pg_dump", "--format=custom", "--no-owner", "--file", str(target), "--dbname", url)


def is_dump(path: Path) -> bool:
    """True when ``path`` starts as a pg_dump custom-format archive does (whether it is whole is
    pg_restore's to find)."""
    with open(path, "rb") as file:
        return file.read(len(DUMP_MAGIC)) == DUMP_MAGIC


def restore(url: str, source: Path, keep: tuple[str, ...] = (),
            wait_seconds: float = RESTORE_WAIT_SECONDS) -> int:
    """Replace the database at ``url`` by the dump ``source``, all or nothing, with the app running
    (the module docstring); the ``keep`` tables keep the rows they hold now. Returns the dump's
    schema version (its latest migration) before it was migrated. Raises TeamRestoreBusy when the
    write lock is not free within ``wait_seconds``, TeamBackupError when pg_restore fails (the
    database unchanged)."""
    from crm_core.team.replica import RESTORE_LOCK_KEY, install_change_log
    from crm_core.team.row_security import install_row_security
    from crm_core.team.schema import migrate_postgres
    from crm_core.team.store import WRITE_LOCK_KEY

    # Closing this connection releases its session locks and drops its temporary tables, whatever
    # happened: a failed or killed restore leaves no lock and no copy behind.
    with psycopg.connect(url, autocommit=True) as lock:
        lock.execute(f"SET lock_timeout = {int(wait_seconds * 1000)}")  # ms; SET takes no parameter
        try:  # the writers' order (write lock, then restore lock through their refresh): no deadlock
            lock.execute("SELECT pg_advisory_lock(%s)", [WRITE_LOCK_KEY])
            lock.execute("SELECT pg_advisory_lock(%s)", [RESTORE_LOCK_KEY])
        except psycopg.errors.LockNotAvailable as error:
            raise TeamRestoreBusy(f"writes went on for {wait_seconds:g} s") from error
        before = _restore_no(lock)
        kept = [table for table in keep if _keep_rows(lock, table)]
        _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
             "--dbname", url, str(source))
        (version,) = lock.execute("SELECT max(version) FROM schema_version").fetchone()
        try:
            migrate_postgres(url)
            install_change_log(url)
            install_row_security(url)
            with lock.transaction():
                # Every process fills its copy again, so the dump's log is of no use; its xids may
                # even be ahead of this server's (a dump from another), which every refresh would copy.
                lock.execute("TRUNCATE row_changes")
                for table in kept:
                    _put_rows_back(lock, table)
                _mark_restored(lock, before)
        except BaseException:  # the dump's rows are in: every process must still refill from them
            with suppress(psycopg.Error):
                _mark_restored(lock, before)
            raise
    return int(version)


def _mark_restored(conn: psycopg.Connection, before: int) -> None:
    """``restore_no`` past the value before the restore and the dump's own (crm_core.team.replica)."""
    conn.execute("UPDATE team_generation SET restore_no = greatest(restore_no, %s) + 1", [before])


def _restore_no(conn: psycopg.Connection) -> int:
    """``team_generation.restore_no`` now; 0 in a database that never had a change log."""
    try:
        row = conn.execute("SELECT restore_no FROM team_generation").fetchone()
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn):
        return 0
    return int(row[0]) if row else 0


def _keep_rows(conn: psycopg.Connection, table: str) -> bool:
    """Copy ``table``'s rows into a temporary table of this session; False when it has none to
    keep (a database without that table)."""
    try:
        conn.execute(f"CREATE TEMPORARY TABLE {quote_identifier(KEPT_PREFIX + table)} AS "
                     f"SELECT * FROM public.{quote_identifier(table)}")
    except psycopg.errors.UndefinedTable:
        return False
    return True


def _put_rows_back(conn: psycopg.Connection, table: str) -> None:
    """Replace the restored rows of ``table`` by the kept ones, by column name (the database was
    at the code's version before, as it is now)."""
    kept = f"pg_temp.{quote_identifier(KEPT_PREFIX + table)}"
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM {kept} LIMIT 0")
        columns = ", ".join(quote_identifier(column.name) for column in cur.description)
    conn.execute(f"DELETE FROM public.{quote_identifier(table)}")
    conn.execute(f"INSERT INTO public.{quote_identifier(table)} ({columns}) SELECT {columns} FROM {kept}")


def _run(tool: str, *args: str) -> None:
    result = subprocess.run([str(server_bin_dir() / tool), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise TeamBackupError(f"{tool} failed: {result.stderr.strip()}")
