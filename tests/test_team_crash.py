"""Team mode (issue 19): an app process killed in the middle of an import leaves the import wholly
present or wholly absent in PostgreSQL, and another process goes on serving and writing."""
from __future__ import annotations

import sys
from pathlib import Path

import psycopg

from crm_core import customers as cust
from crm_core.models import CustomerIn
from crm_core.team.bulk_load import load_demo
from crm_core.team.store import TeamStore
from crm_core.users import LOCAL_USER
from tests.test_crash import import_killed_after
from tests.test_ingest_kill import _big_transactions_csv

ROOT = Path(__file__).resolve().parent.parent
ROWS = 2_000
# Lines of the importer's stderr read before the kill (tests.test_crash.import_killed_after). Fixed,
# so both kinds always happen.
KILL_AFTER_LINES = (2, 6, 0, 3, 6)


def counts(url: str) -> tuple[int, int, int]:
    """(transactions, imports, rows the imports created) in PostgreSQL."""
    with psycopg.connect(url) as conn:
        (transactions,) = conn.execute("SELECT count(*) FROM transactions").fetchone()
        imports, created = conn.execute("SELECT count(*), coalesce(sum(rows_created), 0) FROM imports").fetchone()
    return transactions, imports, int(created)


def test_sigkill_during_imports_leaves_each_whole_or_absent_and_the_other_process_serving(team_url, tmp_path):
    load_demo(team_url, 60, seed=7)
    other = TeamStore(team_url, refresh_seconds=0)  # the process that is not killed
    try:
        before, _, _ = counts(team_url)
        data = tmp_path / "txns.csv"
        _big_transactions_csv(other, data, ROWS)
        command = [sys.executable, "-m", "crm_core", "import", "transactions", str(data), "--db", team_url,
                   "--lang", "en"]
        seen = {"killed": 0, "finished": 0}
        for index, lines in enumerate(KILL_AFTER_LINES):
            seen["killed" if import_killed_after(command, lines) else "finished"] += 1
            transactions, imports, created = counts(team_url)
            assert transactions == before + imports * ROWS and created == imports * ROWS
            # The other process: its copy follows PostgreSQL, and the killed one's lock is gone.
            other.refresh()
            assert other.query_one("SELECT count(*) FROM transactions") == (transactions,)
            cust.create_customer(other, LOCAL_USER, CustomerIn(code=f"K{index}", name="杀后新客户"))
        assert seen["killed"] > 0 and seen["finished"] > 0
        assert other.differences_from_postgres() == []
    finally:
        other.close()
