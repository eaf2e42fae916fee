"""SIGKILL in the middle of a large import: the store reopens consistent, the import wholly absent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from crm_core.store import Store

ROOT = Path(__file__).resolve().parent.parent
ROWS = 400_000


def _big_transactions_csv(db: Store, path: Path, rows: int = ROWS) -> None:
    cur = db.cursor()
    try:
        cur.execute(
            "COPY (SELECT c.code AS 客户编号, DATE '2024-01-01' + CAST(r % 365 AS INTEGER) AS 交易日期,"
            " printf('%.2f', 10 + (r % 997) * 1.5) AS 金额, '大米 25kg' AS 产品"
            " FROM range(?) t(r) JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM customers) c"
            " ON c.k = r % 50) TO '" + str(path).replace("'", "''") + "' (HEADER)", [rows])
    finally:
        cur.close()


def test_sigkill_mid_import_leaves_it_wholly_absent(demo_copy, tmp_path):
    db_path = demo_copy
    store = Store(db_path)
    (before,) = store.query_one("SELECT count(*) FROM transactions")
    data = tmp_path / "big.csv"
    _big_transactions_csv(store, data)
    store.close()

    cmd = [sys.executable, "-m", "crm_core", "import", "transactions", str(data), "--db", str(db_path),
           "--lang", "en"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # the progress lines: kill once the writing statement has started
        if line.startswith("Writing"):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    reopened = Store(db_path)
    assert reopened.query_one("SELECT count(*) FROM transactions") == (before,)
    assert reopened.query_one("SELECT count(*) FROM imports") == (0,)
    assert reopened.integrity_problems() == []
    reopened.close()

    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    again = Store(db_path)
    assert again.query_one("SELECT count(*) FROM transactions") == (before + ROWS,)
    assert again.query_one("SELECT count(*), max(rows_created) FROM imports") == (1, ROWS)
    again.close()
