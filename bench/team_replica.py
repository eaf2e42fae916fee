"""Team mode's analytic copy, measured (issue 19): the time of ``AnalyticCopy.fill()`` and of
``refresh()`` after 1,000 rows changed in PostgreSQL. Not part of ``python -m bench``.

    python -m crm_core demo --customers 100000 --db /tmp/demo100k.duckdb
    python -m bench.team_replica --db /tmp/demo100k.duckdb

Starts a throwaway PostgreSQL (Debian's ``postgresql``), copies the store in with ``COPY``
(``crm_core.team.bulk_load``), installs the change log, fills an in-memory copy twice, changes
500 customers and 400 transactions and deletes 100 transactions, refreshes, and checks the copy's
counts and sums against PostgreSQL's. The numbers of 2026-12-05 are in crm_core/team/replica.py.
"""
from __future__ import annotations

import argparse
import tempfile
import time

import duckdb
import psycopg

from crm_core.store import Store
from crm_core.team.bulk_load import copy_to_postgres
from crm_core.team.local_postgres import LocalPostgres, create_database
from crm_core.team.replica import AnalyticCopy, install_change_log
from crm_core.team.schema import migrate_postgres

CHANGES = [  # 1,000 rows: 500 customers and 400 transactions updated, 100 transactions deleted
    "UPDATE customers SET notes = 'changed' WHERE customer_id IN"
    " (SELECT customer_id FROM customers ORDER BY customer_id LIMIT 500)",
    "UPDATE transactions SET amount = amount + 1 WHERE txn_id IN"
    " (SELECT txn_id FROM transactions ORDER BY txn_id DESC LIMIT 400)",
    "DELETE FROM transactions WHERE txn_id IN (SELECT txn_id FROM transactions ORDER BY txn_id LIMIT 100)",
]
CHECKS = [  # (PostgreSQL, DuckDB copy): the same answer when the copy is right
    ("SELECT count(*), count(*) FILTER (WHERE notes = 'changed') FROM customers",) * 2,
    ("SELECT count(*), sum(amount) FROM transactions",) * 2,
]


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - start:.3f} s")
    return result


def measure(db: str) -> None:
    with LocalPostgres(tempfile.mkdtemp(prefix="kehu-bench-")) as server:
        url = create_database(server.url, "bench")
        migrate_postgres(url)
        source = duckdb.connect(db, read_only=True)
        loaded = timed("copy_to_postgres (before the change log)", lambda: copy_to_postgres(source, url))
        print(f"  {sum(loaded.values()):,} rows, {loaded['transactions']:,} transactions")
        timed("install_change_log", lambda: install_change_log(url))
        store = Store(":memory:")
        with AnalyticCopy(url, store.system_cursor()) as copy:
            for attempt in (1, 2):
                timed(f"fill #{attempt}", copy.fill)
            print(" ", timed("refresh, nothing changed", copy.refresh))
            with psycopg.connect(url) as conn:
                for sql in CHANGES:
                    conn.execute(sql)
            print(" ", timed("refresh after 1,000 changed rows", copy.refresh))
        with psycopg.connect(url) as conn:
            for on_postgres, on_copy in CHECKS:
                expected = conn.execute(on_postgres).fetchone()
                actual = store.system_cursor().execute(on_copy).fetchone()
                print(f"  {on_copy}: PostgreSQL {expected}, copy {actual}", "ok" if expected == actual else "DIFFERENT")
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a DuckDB store, e.g. made by python -m crm_core demo")
    measure(parser.parse_args().db)


if __name__ == "__main__":
    main()
