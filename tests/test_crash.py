"""SIGKILL in the middle of edits: the store always reopens consistent, each edit whole or absent."""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from crm_core import demo
from crm_core.store import Store
from tests.conftest import DEMO_AS_OF

ROOT = Path(__file__).resolve().parent.parent
# Each edit is one transaction: the customer's name and version change and an audit row is written.
EDITOR = textwrap.dedent("""
    import sys
    from crm_core import customers as cust
    from crm_core.store import Store
    from crm_core.users import LOCAL_USER
    store = Store(sys.argv[1])
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        customer_id = 1 + n % 50
        current = cust.customer_from_record(cust.get_customer(store, LOCAL_USER, customer_id))
        cust.update_customer(store, LOCAL_USER, customer_id, current.model_copy(update={"name": f"edit {n}"}))
""")


def consistent(path: Path) -> None:
    store = Store(path)
    try:
        assert store.integrity_problems() == []
        mismatched = store.query_df(
            "SELECT c.customer_id, c.version, count(a.audit_id) AS edits FROM customers c"
            " LEFT JOIN audit_log a ON a.entity = 'customer' AND a.entity_id = c.customer_id AND a.action = 'update'"
            " GROUP BY ALL HAVING c.version - 1 <> count(a.audit_id)")
        assert mismatched.empty, mismatched
        (named,) = store.query_one("SELECT count(*) FROM customers WHERE name LIKE 'edit %'")
        (audited,) = store.query_one("SELECT count(DISTINCT new_value) FROM audit_log WHERE field = 'name'")
        assert named <= audited
    finally:
        store.close()


def test_sigkill_during_edits_twenty_times(tmp_path):
    path = tmp_path / "crm.duckdb"
    store = Store(path)
    demo.load_demo(store, customers=60, as_of=DEMO_AS_OF)
    store.close()
    rng = random.Random(20240305)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(20):
        editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(path)], stdout=subprocess.PIPE, env=env,
                                  cwd=ROOT, text=True)
        assert editor.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        editor.send_signal(signal.SIGKILL)
        editor.wait()
        consistent(path)
    store = Store(path)
    (edits,) = store.query_one("SELECT count(*) FROM audit_log WHERE action = 'update'")
    store.close()
    assert edits > 20  # the kills really landed in the middle of a stream of edits


def test_sigkill_during_imports_twenty_times(tmp_path):
    """Each kill lands somewhere in an import (starting, checking, writing, or after it finished):
    every import recorded is wholly present, every other one wholly absent."""
    from tests.test_ingest_kill import _big_transactions_csv

    rows = 30_000
    path = tmp_path / "crm.duckdb"
    store = Store(path)
    demo.load_demo(store, customers=60, as_of=DEMO_AS_OF)
    (before,) = store.query_one("SELECT count(*) FROM transactions")
    data = tmp_path / "txns.csv"
    _big_transactions_csv(store, data, rows)
    store.close()
    rng = random.Random(7)
    command = [sys.executable, "-m", "crm_core", "import", "transactions", str(data), "--db", str(path)]
    for _ in range(20):
        importer = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        importer.send_signal(signal.SIGKILL)
        importer.wait()
        reopened = Store(path)
        imports, created = reopened.query_one("SELECT count(*), coalesce(sum(rows_created), 0) FROM imports")
        assert reopened.query_one("SELECT count(*) FROM transactions") == (before + imports * rows,)
        assert created == imports * rows
        assert reopened.integrity_problems() == []
        reopened.close()
