"""A bare in-memory database with just the promise tables (migrations 001 and 003), the preset
policies and the test's own: what the ledger tests need, without a whole store."""
from __future__ import annotations

from pathlib import Path

import duckdb

from crm_core.promises import PromisePolicy, ledger

MIGRATIONS = Path(__file__).resolve().parent.parent / "crm_core" / "migrations"


def promise_connection(*policies: PromisePolicy) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    for name in ("001_foundation.sql", "003_promises.sql"):
        con.execute((MIGRATIONS / name).read_text())
    ledger.install_presets(con)
    for policy in policies:
        ledger.save_policy(con, policy, "admin")
    return con
