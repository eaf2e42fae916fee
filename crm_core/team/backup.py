"""Backup and restore in team mode (issue 19): PostgreSQL's own tools, ``pg_dump`` and
``pg_restore``, from the same Debian installation as the server (crm_core.team.local_postgres).

The dump is the custom format: compressed, every table read in one snapshot, restorable table by
table. A restore replaces the whole database in one transaction (``--single-transaction``: a failed
restore leaves the database as it was), then brings it up to the code's migrations and change log.
It runs with the app stopped (``python -m crm_core restore``): each app process's analytic copy was
filled from the database as it was, and only a new start fills it again.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from crm_core.team.local_postgres import server_bin_dir


class TeamBackupError(RuntimeError):
    """pg_dump or pg_restore failed; the message carries their own words."""


def dump(url: str, target: Path) -> None:
    """Write the database at ``url`` to ``target`` (a new file) with pg_dump's custom format."""
    _run("pg_dump", "--format=custom", "--no-owner", "--file", str(target), "--dbname", url)


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` by the dump ``source``, all or nothing, then migrate it and
    install the change log (a dump from an older version comes up to date)."""
    from crm_core.team.replica import install_change_log
    from crm_core.team.schema import migrate_postgres

    _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
         "--dbname", url, str(source))
    migrate_postgres(url)
    install_change_log(url)


def _run(tool: str, *args: str) -> None:
    result = subprocess.run([str(server_bin_dir() / tool), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise TeamBackupError(f"{tool} failed: {result.stderr.strip()}")
