"""Backup and restore of the whole store, through the process that owns the file.

DuckDB lets one process open a file read-write, so the running app makes backups itself (the
Admin page's button); the command line does the same when the app is stopped. A backup is a
complete DuckDB file (tables, sequences and their positions), copied by one ``COPY FROM DATABASE``:
one statement, so one snapshot of the store, consistent however the writes go on meanwhile (they
are not held: a 10M store's backup takes ~3 minutes). It is published under a name of its own only
once it is whole.

A restore never lets the file it was given near the store in use before it is checked. The file
is copied beside the store (same filesystem, mode 600) and the copy opened read-only with
external access off, so nothing in it can reach a file while it is looked at; it must be a DuckDB
file whose schema version this app knows, hold exactly the tables, columns and sequences our
migrations make at that version and nothing else (no view, macro, function, type, schema or index
of its own: a "table" that is a view over ``read_csv('/etc/passwd')`` would show that file to
every reader), and every table must read to the end. The copy is then migrated, the store in use
kept beside it as ``<store>.before-restore-<time>``, and the names swapped atomically: a restore
killed at any point leaves the old store or the new one, never neither.

One backup or restore runs at a time (a lock file beside the store, for threads and processes
alike): a backup waits for the one before it, a restore does not wait.

In team mode (a PostgreSQL URL) a backup is ``pg_dump``'s custom format and a restore
``pg_restore``'s, done while the app runs (crm_core.team.backup says how every process stays
correct): an uploaded file is copied to a private file first, anything that is not a pg_dump
archive is refused by name, and a dump pg_restore cannot read changes nothing. The accounts,
sessions and lock-outs in use are kept there too.

Every backup and restore is audited here (action ``backup`` / ``restore``, entity ``store``, the
file as detail), whoever calls: the Admin page or ``python -m crm_core backup/restore``.
"""
from __future__ import annotations

import fcntl
import glob
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import duckdb

from crm_core.audit import record_event
from crm_core.config import TEAM_DIR, duckdb_config, is_database_url
from crm_core.i18n import t
from crm_core.sql import quote_identifier
from crm_core.store import SCHEMA_VERSION_TABLE, Store, available_migrations, make_private
from crm_core.users import Actor, PermissionDenied

BACKUP_FOLDER = "backups"  # beside the store
TEAM_BACKUP_SUFFIX = ".dump"  # team mode: pg_dump's custom format
BACKUP_WAIT_SECONDS = 120  # a backup waits this long for the backup or restore before it
# How a file under check is opened: it may read nothing but itself, load nothing, change nothing.
CHECK_CONFIG = {"enable_external_access": False, "autoload_known_extensions": False,
                "autoinstall_known_extensions": False, "lock_configuration": True}
SHOWN_OBJECTS = 6  # a message names at most this many objects


def _check_config() -> dict[str, str]:
    """CHECK_CONFIG with the store's own memory bound (config.duckdb_config): reading a whole 10M
    backup under DuckDB's default (80 % of the machine) kept what it read and took 7.4 GB."""
    return {**duckdb_config(), **CHECK_CONFIG}


class BackupProblem(ValueError):
    """A backup or restore refused or not done, the store in use unchanged. ``key`` is a catalog
    key (locales/restore.py), ``params`` fill it in; ``objects`` are (kind, name) pairs."""

    def __init__(self, key: str, objects: tuple[tuple[str, str], ...] = (), **params: str):
        self.key, self.objects, self.params = key, tuple(sorted(objects)), params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        if not self.objects:
            return t(self.key, lang, **self.params)
        named = [f"{t(f'restore.kind.{kind}', lang)} {name}" for kind, name in self.objects[:SHOWN_OBJECTS]]
        if len(self.objects) > SHOWN_OBJECTS:
            named.append(t("restore.and_more", lang, count=len(self.objects) - SHOWN_OBJECTS))
        return t(self.key, lang, objects=("、" if lang == "zh" else ", ").join(named), **self.params)


@dataclass(frozen=True)
class Restored:
    version: int  # the backup's schema version when it was made
    previous: Path | None  # where the store in use before the restore is kept (team mode: nowhere)


# -- one at a time ----------------------------------------------------------------------------
@contextmanager
def one_at_a_time(store: Store, wait_seconds: float) -> Iterator[None]:
    """Hold the store's backup/restore lock (``<store>.lock``, flock: it also excludes another
    thread of this process, which opens the file anew); ``BackupProblem('restore.busy')`` when it
    is still held after ``wait_seconds``."""
    if store.path == ":memory:":
        yield
        return
    with os.fdopen(os.open(_lock_path(store), os.O_RDWR | os.O_CREAT, 0o600)) as lock:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BackupProblem("restore.busy") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _lock_path(store: Store) -> str:
    if is_database_url(store.path):  # team mode: this machine's backups of that database, one at a time
        folder = default_backup_folder(store)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return str(folder / ".team.lock")
    return store.path + ".lock"


# -- backup -----------------------------------------------------------------------------------
def backup(store: Store, actor: Actor, target: str | Path) -> Path:
    """Write a consistent copy of the store to ``target`` (a new DuckDB file) and audit it. Admins
    only. An existing ``target`` is never overwritten (FileExistsError)."""
    _require_admin(actor)
    target = Path(target).resolve()
    if target.exists():
        raise FileExistsError(f"{target} exists: choose a new file name for the backup")
    with one_at_a_time(store, BACKUP_WAIT_SECONDS):
        _write_and_publish(store, target.parent, lambda: [target])
    record_event(store, actor, "backup", "store", str(target))
    return target


def backup_now(store: Store, actor: Actor, folder: str | Path | None = None) -> Path:
    """A backup in ``folder`` (default ``backups/`` beside the store) under a name of its own,
    ``<store>-YYYYmmdd-HHMMSS-micro.duckdb`` (``-2``, ``-3``… if taken), audited. Admins only;
    two at once each get their file (the second waits for the first)."""
    _require_admin(actor)
    folder = Path(folder) if folder is not None else default_backup_folder(store)
    team = is_database_url(store.path)
    stem = "team" if team else Path(store.path).stem if store.path != ":memory:" else "crm"
    suffix = TEAM_BACKUP_SUFFIX if team else ".duckdb"

    def names() -> Iterator[Path]:
        first = f"{stem}-{datetime.now():%Y%m%d-%H%M%S-%f}"
        yield folder / f"{first}{suffix}"
        for n in range(2, 1000):
            yield folder / f"{first}-{n}{suffix}"

    with one_at_a_time(store, BACKUP_WAIT_SECONDS):
        target = _write_and_publish(store, folder, names)
    record_event(store, actor, "backup", "store", str(target))
    return target


def default_backup_folder(store: Store) -> Path:
    """``backups/`` beside the store's file; in team mode beside team mode's files (data/team)."""
    if is_database_url(store.path):
        return TEAM_DIR / BACKUP_FOLDER
    return Path(store.path).resolve().parent / BACKUP_FOLDER


def _write_and_publish(store: Store, folder: Path, names) -> Path:
    """Copy the store into a hidden file in ``folder``, then give it the first free name of
    ``names()`` (a hard link: atomic, never over an existing file). A backup killed halfway
    leaves only the hidden ``.*.kehu-partial`` file, never a half backup under a real name."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = folder / f".{uuid.uuid4().hex}.kehu-partial"
    try:
        _copy_store_to(store, partial)
        make_private(partial)
        for target in names():
            try:
                os.link(partial, target)
                return target
            except FileExistsError:
                continue
        raise FileExistsError(f"no free backup name in {folder}")
    finally:
        partial.unlink(missing_ok=True)
        Path(str(partial) + ".wal").unlink(missing_ok=True)


def _copy_store_to(store: Store, target: Path) -> None:
    if is_database_url(store.path):  # team mode: PostgreSQL's own dump (custom format, for pg_restore)
        from crm_core.team.backup import dump
        dump(store.url, target)
        return
    # Writes go on: the copy is one statement, so it reads one snapshot (module docstring). A
    # cursor outside any transaction: ATTACH and COPY FROM DATABASE cannot run inside one.
    cur = store.system_cursor()
    try:
        (source,) = cur.execute("SELECT current_database()").fetchone()
        cur.execute("ATTACH ? AS backup_target", [str(target)])
        try:
            cur.execute("COPY FROM DATABASE " + quote_identifier(source) + " TO backup_target")  # name from the catalog
        finally:
            cur.execute("DETACH backup_target")
    finally:
        cur.close()


# -- checking a backup ------------------------------------------------------------------------
def check_backup(path: str | Path, name: str | None = None) -> int:
    """The schema version of a backup file, once it is known to be a whole Kehu store and nothing
    else; raises BackupProblem (naming the file as ``name``, default ``path``) if it is not."""
    name = name or str(path)
    try:
        con = duckdb.connect(str(path), read_only=True, config=_check_config())
    except duckdb.Error as error:  # not DuckDB, cut short, encrypted, a SQLite file…
        raise BackupProblem("restore.not_duckdb", file=name) from error
    try:
        found = _inventory(con)
        # Before reading anything (schema_version included): no object that could run something.
        _refuse_foreign(_runnable(found) - _runnable(_expected(_known_versions())), name)
        versions = _schema_versions(con, found, name)
        expected = _expected(versions)
        _refuse_foreign(found - expected, name)
        if expected - found:
            raise BackupProblem("restore.incomplete", objects=_shown(expected - found), file=name)
        _read_every_table(con, found, name)
        return max(versions)
    except duckdb.Error as error:  # the catalog itself unreadable
        raise BackupProblem("restore.not_duckdb", file=name) from error
    finally:
        con.close()


# What a store holds, as (kind, name, detail) rows; detail tells apart columns of another type.
_INVENTORY = """
SELECT 'table', schema_name || '.' || table_name, '' FROM duckdb_tables() WHERE database_name = current_database()
UNION ALL SELECT 'column', schema_name || '.' || table_name || '.' || column_name,
       data_type || coalesce(' DEFAULT ' || column_default, '')
  FROM duckdb_columns() WHERE database_name = current_database()
UNION ALL SELECT 'view', schema_name || '.' || view_name, '' FROM duckdb_views() WHERE NOT internal
UNION ALL SELECT CASE function_type WHEN 'macro' THEN 'macro' WHEN 'table_macro' THEN 'table_macro'
                 ELSE 'function' END, schema_name || '.' || function_name, ''
  FROM duckdb_functions() WHERE NOT internal
UNION ALL SELECT 'sequence', schema_name || '.' || sequence_name, ''
  FROM duckdb_sequences() WHERE database_name = current_database()
UNION ALL SELECT 'type', schema_name || '.' || type_name, '' FROM duckdb_types() WHERE NOT internal
UNION ALL SELECT 'schema', schema_name, '' FROM duckdb_schemas()
  WHERE NOT internal AND database_name = current_database()
UNION ALL SELECT 'index', schema_name || '.' || index_name, '' FROM duckdb_indexes()
  WHERE database_name = current_database()
"""


def _inventory(con: duckdb.DuckDBPyConnection) -> frozenset[tuple[str, str, str]]:
    return frozenset(con.execute(_INVENTORY).fetchall())


def _known_versions() -> frozenset[int]:
    return frozenset(version for version, _ in available_migrations())


@lru_cache(maxsize=8)
def _expected(versions: frozenset[int]) -> frozenset[tuple[str, str, str]]:
    """What our migrations make when exactly ``versions`` have run: built in memory, never
    written down by hand, so a new migration needs no change here."""
    with duckdb.connect(":memory:") as con:
        con.execute(SCHEMA_VERSION_TABLE)
        for version, path in available_migrations():
            if version in versions:
                con.execute(path.read_text(encoding="utf-8"))
        return _inventory(con)


def _runnable(objects: frozenset[tuple[str, str, str]]) -> frozenset[tuple[str, str, str]]:
    """The objects whose text runs when they are used (views, macros, functions) or that change
    what a name means (types, schemas, indexes)."""
    return frozenset(o for o in objects if o[0] not in ("table", "column", "sequence"))


def _refuse_foreign(extra: frozenset, name: str) -> None:
    """Anything our migrations do not make is refused, named as what it is (a view named
    survey_waves is a view, not our table)."""
    if extra:
        raise BackupProblem("restore.foreign", objects=_shown(extra), file=name)


def _shown(objects: frozenset[tuple[str, str, str]]) -> tuple[tuple[str, str], ...]:
    """(kind, name) for a message: each object once, ``main.`` left out, and the columns of a
    table that is named itself left to it."""
    tables = {name for kind, name, _ in objects if kind == "table"}
    return tuple(sorted({(kind, name.removeprefix("main.")) for kind, name, _ in objects
                         if not (kind == "column" and name.rpartition(".")[0] in tables)}))


def _schema_versions(con: duckdb.DuckDBPyConnection, found: frozenset, name: str) -> frozenset[int]:
    """The migrations the file records: a table of whole numbers, none unknown to this app."""
    column = {(kind, obj): detail for kind, obj, detail in found}.get(("column", "main.schema_version.version"))
    if column is None or column.split()[0] not in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT"):
        raise BackupProblem("restore.no_version", file=name)
    versions = [version for (version,) in con.execute("SELECT version FROM main.schema_version").fetchall()]
    if not versions or None in versions:
        raise BackupProblem("restore.no_version", file=name)
    unknown = set(versions) - _known_versions()
    if unknown:
        raise BackupProblem("restore.too_new", file=name, version=str(max(unknown)),
                            known=str(max(_known_versions())))
    return frozenset(versions)


def _read_every_table(con: duckdb.DuckDBPyConnection, found: frozenset, name: str) -> None:
    """Read every row of every table (a row hash reads each column): DuckDB checks each block's
    checksum as it reads, so a damaged file fails here rather than on some page later."""
    for kind, table, _ in sorted(found):
        if kind != "table":
            continue
        schema, _, bare = table.partition(".")
        try:
            con.execute(f"SELECT count(*), sum(hash(t)) FROM {quote_identifier(schema)}.{quote_identifier(bare)} t"
                        ).fetchone()  # names from the catalog, quoted
        except duckdb.Error as error:
            raise BackupProblem("restore.damaged", file=name, table=bare) from error


# -- restore ----------------------------------------------------------------------------------
def restore(store: Store, actor: Actor, source: str | Path | BinaryIO, name: str | None = None) -> Restored:
    """Replace the store's contents with a backup (a path, or an open binary file such as an
    upload) and audit it in the restored store. Admins only. ``name``: the file as the user knows
    it (default: the path). The backup is copied and checked first; any BackupProblem leaves the
    store in use as it was."""
    _require_admin(actor)
    if store.path == ":memory:":
        raise ValueError("an in-memory store has no file to restore into")
    name = name or str(getattr(source, "name", source))
    if is_database_url(store.path):
        with one_at_a_time(store, 0):
            version = _restore_team(store.url, source, name, default_backup_folder(store))
        # The audit write refreshes this process's copy first: it finds the restore and refills it.
        record_event(store, actor, "restore", "store", name)
        return Restored(version, None)
    live = Path(store.path)
    with one_at_a_time(store, 0):
        _remove_leftovers(live)
        try:
            staged = _private_copy(source, live, name)
            try:
                version = check_backup(staged, name)
                _bring_up_to_date(staged, name)
                _keep_who_may_sign_in(store, staged)
                previous = live.with_name(f"{live.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S-%f}")
                _swap(store, staged, previous, name)
            finally:
                staged.unlink(missing_ok=True)  # after the swap it is the store's name, not this one
        except OSError as error:
            raise BackupProblem("restore.io_error", folder=str(live.parent)) from error
    record_event(store, actor, "restore", "store", name)
    return Restored(version, previous)


def _restore_team(url: str, source: str | Path | BinaryIO, name: str, folder: Path) -> int:
    """pg_restore ``source`` (a path, used where it is, or an upload, copied to a private file in
    ``folder`` first) into the database at ``url``; the dump's schema version. BackupProblem when
    it is unreadable, not a pg_dump archive, refused by pg_restore, or writes did not pause."""
    from crm_core.team import backup as team

    staged = None
    try:
        if isinstance(source, (str, Path)):
            if not os.access(source, os.R_OK):
                raise BackupProblem("restore.unreadable", file=name)
            path = Path(source)
        else:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _remove_leftovers(folder / "team")
            path = staged = _private_copy(source, folder / "team", name)
        if not team.is_dump(path):
            raise BackupProblem("restore.not_pg_dump", file=name)
        return team.restore(url, path, keep=PEOPLE_TABLES)
    except team.TeamRestoreBusy as error:
        raise BackupProblem("restore.team_busy", seconds=f"{team.RESTORE_WAIT_SECONDS:g}") from error
    except team.TeamBackupError as error:
        raise BackupProblem("restore.not_restored", file=name, error=str(error)) from error
    except OSError as error:
        raise BackupProblem("restore.io_error", folder=str(folder)) from error
    finally:
        if staged is not None:
            staged.unlink(missing_ok=True)


def _remove_leftovers(live: Path) -> None:
    """Copies left by a restore that was killed (none can be in use: we hold the lock)."""
    for left in glob.glob(glob.escape(str(live.parent / f".{live.name}.restore-")) + "*"):
        Path(left).unlink(missing_ok=True)


def _private_copy(source: str | Path | BinaryIO, live: Path, name: str) -> Path:
    """The backup copied beside the store (so the swap is a rename on one filesystem), mode 600."""
    if isinstance(source, (str, Path)) and not os.access(source, os.R_OK):
        raise BackupProblem("restore.unreadable", file=name)
    handle, staged = tempfile.mkstemp(dir=live.parent, prefix=f".{live.name}.restore-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as copy:
            if isinstance(source, (str, Path)):
                with open(source, "rb") as original:
                    shutil.copyfileobj(original, copy)
            else:
                source.seek(0)
                shutil.copyfileobj(source, copy)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return Path(staged)


def _bring_up_to_date(staged: Path, name: str) -> None:
    """Run the migrations the backup lacks on the copy, before the swap: a backup that cannot be
    migrated is refused while the store in use is still untouched."""
    try:
        Store(staged).close()
    except duckdb.Error as error:
        raise BackupProblem("restore.cannot_upgrade", file=name) from error
    finally:
        Path(str(staged) + ".wal").unlink(missing_ok=True)  # closed cleanly it has none; never carry one over


# Who may use the app: kept as it is now through a restore (see _keep_who_may_sign_in).
PEOPLE_TABLES = ("accounts", "sessions", "sign_in_failures")


def _keep_who_may_sign_in(store: Store, staged: Path) -> None:
    """Carry the accounts, sessions and sign-in lock-outs in use now into the restored copy: a
    restore brings back the data, never a deleted account, an old password or an ended session."""
    live = store.system_cursor()
    copy = duckdb.connect(str(staged), config=duckdb_config())
    try:
        copy.execute("BEGIN TRANSACTION")
        for table in PEOPLE_TABLES:
            rows = live.execute(f"SELECT * FROM {quote_identifier(table)}").fetchall()
            columns = ", ".join(quote_identifier(d[0]) for d in live.description)
            copy.execute(f"DELETE FROM {quote_identifier(table)}")
            if rows:
                copy.executemany(f"INSERT INTO {quote_identifier(table)} ({columns}) VALUES "
                                 f"({', '.join('?' * len(live.description))})", rows)
        copy.execute("COMMIT")
    finally:
        copy.close()
        live.close()
        Path(str(staged) + ".wal").unlink(missing_ok=True)


def _swap(store: Store, staged: Path, previous: Path, name: str) -> None:
    try:
        store.replace_file(staged, keep_previous=previous)
    except duckdb.Error as error:  # reads in flight did not end; the old file is open again
        raise BackupProblem("restore.still_reading", file=name) from error


def _require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise PermissionDenied("err.admin_only")


def restore_file_offline(db_path: str | Path, source: str | Path, actor: Actor) -> int:
    """Restore from the command line: the same checked, atomic restore on the store opened here,
    the app stopped (duckdb.IOException if another process has the file open); in team mode
    (``db_path`` a PostgreSQL URL) while the app runs, the store opened only for the audit entry,
    after the restore. Admins only. Returns the backup's schema version at backup time."""
    _require_admin(actor)
    if is_database_url(str(db_path)):
        from crm_core.team.store import TeamStore

        version = _restore_team(str(db_path), source, str(source), TEAM_DIR / BACKUP_FOLDER)
        store = TeamStore(str(db_path), refresh_seconds=0)
        try:
            record_event(store, actor, "restore", "store", str(source))
        finally:
            store.close()
        return version
    store = Store(db_path)
    try:
        return restore(store, actor, source, name=str(source)).version
    finally:
        store.close()
