"""The persistent version of the store's data, per kind ("transactions", ...).

Whatever is derived from data and kept (summaries, fitted models) records the version it was
computed on; comparing it with ``current`` tells whether it is stale. Every write that changes a
kind of data calls ``record_change`` with the writing cursor, inside the same transaction, so the
version moves exactly when the data does (migration 018).
"""
from __future__ import annotations

import duckdb

TRANSACTIONS = "transactions"


def record_change(cur: duckdb.DuckDBPyConnection, kind: str) -> int:
    """Note a change of ``kind`` made in ``cur``'s open transaction; returns the new version."""
    (version,) = cur.execute("INSERT INTO data_changes (kind) VALUES (?) RETURNING change_id", [kind]).fetchone()
    return int(version)


def current(cur: duckdb.DuckDBPyConnection, kind: str) -> int:
    """The version of ``kind`` as ``cur`` sees it: 0 for data never changed since the store was made."""
    # fetchall: a result left unfetched blocks the cursor's next register() (DuckDB 2.0)
    (version,) = cur.execute("SELECT coalesce(max(change_id), 0) FROM data_changes WHERE kind = ?", [kind]).fetchall()[0]
    return int(version)
