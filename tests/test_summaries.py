"""The customer summaries (crm_core/summaries.py, migration 019) stay equal to a recomputation
through every write of transactions, and ``python -m crm_core check`` says so — or names the customer."""
from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from crm_core import overview, summaries
from crm_core.customers import customer_id_for_code, record_transaction
from crm_core.ingest import run_import, undo_import
from crm_core.models import TransactionIn
from crm_core.store import Store
from crm_core.team.schema import ENGINES
from crm_core.users import Actor

ADMIN = Actor("tester", "admin")


def _csv(tmp_path, name: str, rows: list[str]) -> str:
    path = tmp_path / name
    path.write_text("customer code,order date,amount,gross margin\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def _summary(store: Store, code: str) -> dict | None:
    with closing(store.system_cursor()) as cur:
        found = cur.execute("SELECT s.* FROM customer_summary s JOIN customers c USING (customer_id)"
                            " WHERE c.code = ?", [code])
        row = found.fetchone()
        return None if row is None else dict(zip([d[0] for d in found.description], row))


def _table(store: Store) -> list[tuple]:
    with closing(store.system_cursor()) as cur:
        return cur.execute("SELECT * FROM customer_summary ORDER BY customer_id").fetchall()


def _check(store: Store) -> summaries.CheckResult:
    with closing(store.system_cursor()) as cur:
        return summaries.check(cur)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One small store for the module (tests run in order; the last two write to it): two imports,
    an undo of the second (which deletes customer C3 it created and A1's row it added) and a
    transaction entered on the form."""
    tmp_path = tmp_path_factory.mktemp("summaries")
    store = Store(tmp_path / "crm.duckdb")
    run_import(store, ADMIN, "transactions", _csv(tmp_path, "one.csv", [
        "A1,2026-01-10,100.00,30.00", "A1,2026-01-10,50.00,", "A1,2026-02-03,-20.00,-6.00",
        "B2,2026-01-15,80.00,"]), create_customers=True)
    second = run_import(store, ADMIN, "transactions", _csv(tmp_path, "two.csv", [
        "A1,2026-03-01,999.00,", "C3,2026-03-02,10.00,"]), create_customers=True)
    assert _summary(store, "A1")["revenue"] == Decimal("1129.00")
    undo_import(store, ADMIN, second.result.import_id)
    record_transaction(store, ADMIN, TransactionIn(customer_id=customer_id_for_code(store, ADMIN, "B2"),
                                                    txn_date=date(2025, 12, 31), amount=Decimal("-5.00")))
    yield store
    store.close()


def test_every_write_keeps_the_summaries_exact(written):
    a1 = _summary(written, "A1")  # the undone 999 is gone; the refund counts in revenue, not in purchases
    assert (a1["txns"], a1["revenue"], a1["purchases"], a1["refunds"], a1["refund_amount"]) == \
        (3, Decimal("130.00"), 2, 1, Decimal("-20.00"))
    assert (a1["first_purchase"], a1["last_purchase"], a1["last_txn"]) == \
        (date(2026, 1, 10), date(2026, 1, 10), date(2026, 2, 3))
    b2 = _summary(written, "B2")  # the form's refund, dated before B2's only purchase
    assert (b2["txns"], b2["revenue"], b2["first_txn"], b2["first_purchase"]) == \
        (2, Decimal("75.00"), date(2025, 12, 31), date(2026, 1, 15))
    assert _summary(written, "C3") is None  # deleted with the undone import
    result = _check(written)
    assert result.ok and result.customers == 2


@pytest.mark.parametrize("span", [summaries.MERGE_SPAN, 1], ids=["one part", "a part per customer id"])
@pytest.mark.parametrize("engine", ENGINES)
def test_an_import_merged_into_stored_rows_leaves_one_row_per_customer(store, tmp_path, monkeypatch, span):
    """``add_rows`` appends the merged rows and deletes the stored rows of the customers it touched:
    each customer keeps one row, the new transactions added to the old, the untouched one as it
    was, on both engines; the same when it merges in parts of one customer id each (the parts
    must cover the lowest and the highest id, and a part must not delete what another appended)."""
    monkeypatch.setattr(summaries, "MERGE_SPAN", span)
    run_import(store, ADMIN, "transactions", _csv(tmp_path, "one.csv", [
        "A1,2026-01-10,100.00,", "B2,2026-01-15,80.00,", "E5,2026-01-20,5.00,"]), create_customers=True)
    run_import(store, ADMIN, "transactions", _csv(tmp_path, "two.csv", [  # 2 of 3 customers, and a new one
        "A1,2026-03-01,-30.00,", "B2,2025-12-01,20.00,", "D4,2026-03-02,10.00,"]), create_customers=True)
    rows = {code: (s["txns"], s["revenue"], s["refunds"], s["first_purchase"], s["last_txn"])
            for code in ("A1", "B2", "D4", "E5") for s in [_summary(store, code)]}
    assert rows == {"A1": (2, Decimal("70.00"), 1, date(2026, 1, 10), date(2026, 3, 1)),
                    "B2": (2, Decimal("100.00"), 0, date(2025, 12, 1), date(2026, 1, 15)),
                    "D4": (1, Decimal("10.00"), 0, date(2026, 3, 2), date(2026, 3, 2)),
                    "E5": (1, Decimal("5.00"), 0, date(2026, 1, 20), date(2026, 1, 20))}
    assert store.query_one("SELECT count(*), count(DISTINCT customer_id) FROM customer_summary") == (4, 4)
    assert _check(store).ok


def test_incremental_maintenance_equals_a_rebuild(written):
    maintained = _table(written)
    with written.transaction() as cur:
        summaries.rebuild(cur)
    assert _table(written) == maintained and len(maintained) == 2


def test_transactions_written_behind_the_app_are_summarised_before_a_read(written):
    with written.transaction() as cur:  # plain SQL, as a test or a repair script would
        cur.execute("INSERT INTO transactions (customer_id, txn_date, amount)"
                    " SELECT customer_id, DATE '2026-05-05', 1 FROM customers WHERE code = 'B2'")
    summaries.ensure_current(written)
    assert _summary(written, "B2")["txns"] == 3
    assert _check(written).ok


def test_check_names_a_corrupted_customer(written):
    b2 = customer_id_for_code(written, ADMIN, "B2")
    with written.transaction() as cur:
        cur.execute("UPDATE customer_summary SET revenue = revenue + 1 WHERE customer_id = ?", [b2])
    result = _check(written)
    assert [(d.customer_id, d.field, d.stored, d.recomputed) for d in result.differences] == \
        [(b2, "revenue", Decimal("77.00"), Decimal("76.00"))]
    path = written.path
    written.close()  # the command opens the file itself
    done = subprocess.run([sys.executable, "-m", "crm_core", "check", "--db", path],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"customer {b2}: revenue stored 77.00, recomputed 76.00" in done.stderr


@pytest.mark.parametrize("as_of", [date(2026, 6, 30), date(2026, 2, 17), date(2025, 9, 9)])
def test_overview_from_summaries_equals_the_rows(demo_db_path, as_of):
    """Mid-month analysis dates, one with most of the demo's purchases after it: the summaries'
    figures (crm_core.overview._KPIS) are the transactions' (_KPIS_FROM_ROWS), for a manager and a rep."""
    store = Store(demo_db_path)
    try:
        rep = Actor("rep", "rep", rep_codes=(store.query_one("SELECT min(sales_rep) FROM customers")[0],))
        for actor in (ADMIN, rep):
            assert overview.kpis(store, actor, as_of, from_rows=False) == overview.kpis(store, actor, as_of,
                                                                                        from_rows=True)
    finally:
        store.close()


def test_care_lists_from_summaries_equal_the_rows(demo_db_path, monkeypatch):
    """The long-absent list and the first-purchase anniversaries read the summaries when they are
    current; forced onto the rows they are the same frames (a mid-month date with purchases after it)."""
    from crm_core.care.absence import long_absent_list
    from crm_core.care.key_dates import upcoming_key_dates_sql

    store = Store(demo_db_path)
    try:
        with closing(store.system_cursor()) as cur:
            assert summaries.usable(cur)
            rep = cur.execute("SELECT min(sales_rep) FROM customers").fetchone()[0]
            lists = [lambda: long_absent_list(cur, date(2026, 2, 17), 3),
                     lambda: long_absent_list(cur, date(2026, 6, 30), 2, rep=rep),
                     lambda: upcoming_key_dates_sql(cur, date(2026, 2, 17), 60)]
            from_summaries = [make() for make in lists]
            monkeypatch.setattr(summaries, "usable", lambda cur: False)
            for made, make in zip(from_summaries, lists):
                assert len(made) > 0
                assert made.equals(make())
    finally:
        store.close()


def test_value_features_from_summaries_equal_the_rows(demo_db_path, monkeypatch):
    """Tenure counts from the first purchase up to the period's end: the same from the summaries."""
    from crm_core.segmentation.value import customer_features_sql

    store = Store(demo_db_path)
    try:
        with closing(store.system_cursor()) as cur:
            made = customer_features_sql(cur, date(2025, 3, 12), date(2026, 2, 17))
            monkeypatch.setattr(summaries, "usable", lambda cur: False)
            assert made["tenure_days"].notna().sum() > 100
            rows = customer_features_sql(cur, date(2025, 3, 12), date(2026, 2, 17))
            # tenure is what the summaries supply: exactly equal. spend_cv sums doubles in parallel,
            # in an order DuckDB does not fix, so it may differ in the last bits from run to run.
            assert made["tenure_days"].equals(rows["tenure_days"])
            pd.testing.assert_frame_equal(made, rows, check_exact=False, rtol=1e-12)
    finally:
        store.close()


@pytest.mark.parametrize("months", [64, 65])
def test_churn_rate_per_month_by_masks_and_beyond_them(months):
    """Monthly churn over 64 months (one 64-bit mask per customer) and 65 (the DISTINCT query):
    the pandas reference's table either way."""
    from crm_core.churn.lapsed import churn_rate_by_period_sql
    from tests.reference import churn_rate_by_period

    rng = np.random.default_rng(months)
    month = np.concatenate([np.arange(months), rng.integers(0, months, 300)])  # every month has a row
    days = [date(2020 + m // 12, m % 12 + 1, d) for m, d in zip(month, rng.integers(1, 29, len(month)))]
    rows = pd.DataFrame({"customer_id": rng.integers(1, 30, len(month)), "date": days, "amount": 10.0})
    con = duckdb.connect()
    con.execute((Path(__file__).resolve().parents[1] / "crm_core" / "migrations" / "001_foundation.sql").read_text())
    con.register("incoming", rows)
    con.execute("INSERT INTO transactions (customer_id, txn_date, amount) SELECT customer_id, CAST(date AS DATE),"
                " amount FROM incoming")
    assert con.execute("SELECT count(DISTINCT date_trunc('month', txn_date)) FROM transactions").fetchone()[0] == months
    pd.testing.assert_frame_equal(churn_rate_by_period_sql(con, "month"), churn_rate_by_period(rows, "month"))
