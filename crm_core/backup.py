"""Backup and restore of the whole store, through the process that owns the file.

DuckDB lets one process open a file read-write, so the running app makes backups itself (the
Admin page's button); the command line does the same when the app is stopped. A backup is a
complete DuckDB file (tables, sequences and their positions), written while writes are held, so
it is consistent. Restore checks the file first, then swaps it in atomically.

Every backup and restore is audited here (action ``backup`` / ``restore``, entity ``store``, the
file as detail), whoever calls: the Admin page or ``python -m crm_core backup/restore``.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from crm_core.audit import record_event
from crm_core.sql import quote_identifier
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

REQUIRED_TABLES = {"customers", "transactions", "interactions", "schema_version"}


def backup(store: Store, actor: Actor, target: str | Path) -> Path:
    """Write a consistent copy of the store to ``target`` (a new DuckDB file) and audit it. Admins only."""
    _require_admin(actor)
    target = Path(target).resolve()
    if target.exists():
        raise FileExistsError(f"{target} exists: choose a new file name for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    with store.exclusive() as cur:
        (source,) = cur.execute("SELECT current_database()").fetchone()
        cur.execute("ATTACH ? AS backup_target", [str(target)])
        try:
            cur.execute("COPY FROM DATABASE " + quote_identifier(source) + " TO backup_target")  # name from the catalog
        finally:
            cur.execute("DETACH backup_target")
    record_event(store, actor, "backup", "store", str(target))
    return target


def check_backup(path: str | Path) -> int:
    """The schema version of a backup file; raises ValueError if it is not a Kehu store."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise ValueError(f"{path} is not a readable DuckDB file: {error}") from error
    try:
        tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if not tables >= REQUIRED_TABLES:
            raise ValueError(f"{path} is not a Kehu store (missing {', '.join(sorted(REQUIRED_TABLES - tables))})")
        (version,) = con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(version)
    finally:
        con.close()


def restore(store: Store, actor: Actor, source: str | Path, name: str | None = None) -> None:
    """Replace the store's contents with a backup and audit it (in the restored store). The backup
    is checked before anything changes. ``name``: the file as the user knows it (an upload's
    name; default ``source``)."""
    _require_admin(actor)
    check_backup(source)
    staged = Path(store.path).with_suffix(".restoring")
    shutil.copyfile(source, staged)
    store.replace_file(staged)
    record_event(store, actor, "restore", "store", name or str(source))


def _require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise PermissionDenied("err.admin_only")


def restore_file_offline(db_path: str | Path, source: str | Path, actor: Actor) -> int:
    """Restore when no process has the store open (the command line, the app stopped), then open
    the restored store once (migrating a backup made by an older version) and audit the restore.
    Admins only. Returns the backup's schema version at backup time."""
    _require_admin(actor)
    version = check_backup(source)
    staged = Path(db_path).with_suffix(".restoring")
    shutil.copyfile(source, staged)
    wal = Path(str(db_path) + ".wal")
    if wal.exists():
        wal.unlink()
    os.replace(staged, db_path)
    store = Store(db_path)
    try:
        record_event(store, actor, "restore", "store", str(source))
    finally:
        store.close()
    return version
