"""SIGKILL in the middle of edits: the store always reopens consistent, each edit whole or absent.

Where each kill lands is chosen by counting what the child reported (committed edits, import
progress lines), never by sleeping: the test checks the same thing on a fast or a loaded machine.
"""
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from crm_core.store import Store

ROOT = Path(__file__).resolve().parent.parent
# Each edit is one transaction: the customer's name and version change and an audit row is written.
# The editor reports every committed edit on stdout, and then goes straight on to the next one.
EDITOR = textwrap.dedent("""
    import sys
    from crm_core import customers as cust
    from crm_core.store import Store
    from crm_core.users import LOCAL_USER
    store = Store(sys.argv[1])
    run = sys.argv[2]  # in every name, so that no edit repeats an earlier run's name (a no-op save is not an edit)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        customer_id = 1 + n % 50
        current = cust.customer_from_record(cust.get_customer(store, LOCAL_USER, customer_id))
        cust.update_customer(store, LOCAL_USER, customer_id, current.model_copy(update={"name": f"edit {run}-{n}"}))
        print("committed", n, flush=True)
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


def test_sigkill_during_edits_twenty_times(demo_copy):
    path = demo_copy
    store = Store(path)
    (before,) = store.query_one("SELECT count(*) FROM audit_log WHERE action = 'update'")
    store.close()
    rng = random.Random(20240305)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    observed = 0
    for run in range(20):
        editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(path), str(run)], stdout=subprocess.PIPE, env=env,
                                  cwd=ROOT, text=True)
        assert editor.stdout.readline().strip() == "ready"
        # Kill once the editor has committed a number of edits drawn at random: by then it is
        # already inside the next one (reading, updating or committing) — the kill lands mid-stream.
        for number in range(1, rng.randint(2, 12) + 1):
            assert editor.stdout.readline().split() == ["committed", str(number)]
        observed += number
        editor.send_signal(signal.SIGKILL)
        editor.wait()
        consistent(path)
    store = Store(path)
    (edits,) = store.query_one("SELECT count(*) FROM audit_log WHERE action = 'update'")
    store.close()
    # every edit reported as committed survived the kill that followed it
    assert edits - before >= observed > 20


def import_killed_after(command: list[str], lines: int) -> bool:
    """Run the import ``command`` and SIGKILL it after reading ``lines`` lines of its stderr
    ("Checking… 0%", "Writing… 5%", "Writing… 95%", "Done. 100%", "", the summary): 0 = while
    starting, 1 = checking, 2–3 = writing, 4 = after the write; 6 = the whole summary read, that
    import left to end by itself (a kill there would race the process's own exit, which a loaded
    machine loses: all 20 counted as killed once in CI). True when the kill ended it."""
    importer = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(lines):
        if not importer.stderr.readline():
            break
    if lines < 6:
        importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=600)
    importer.stderr.close()
    return importer.returncode == -signal.SIGKILL


def test_sigkill_during_imports_twenty_times(demo_copy, tmp_path):
    """Each kill lands somewhere in an import (starting, checking, writing, or after it finished):
    every import recorded is wholly present, every other one wholly absent."""
    from tests.test_ingest_kill import _big_transactions_csv

    rows = 30_000
    path = demo_copy
    store = Store(path)
    (before,) = store.query_one("SELECT count(*) FROM transactions")
    data = tmp_path / "txns.csv"
    _big_transactions_csv(store, data, rows)
    store.close()
    rng = random.Random(7)
    command = [sys.executable, "-m", "crm_core", "import", "transactions", str(data), "--db", str(path),
               "--lang", "en"]
    # Kill after a random number of the importer's lines (import_killed_after).
    seen = {"killed": 0, "finished": 0}
    for _ in range(20):
        seen["killed" if import_killed_after(command, rng.randint(0, 6)) else "finished"] += 1
        reopened = Store(path)
        imports, created = reopened.query_one("SELECT count(*), coalesce(sum(rows_created), 0) FROM imports")
        assert reopened.query_one("SELECT count(*) FROM transactions") == (before + imports * rows,)
        assert created == imports * rows
        assert reopened.integrity_problems() == []
        reopened.close()
    assert seen["killed"] > 0 and seen["finished"] > 0  # kills landed both inside imports and after them
