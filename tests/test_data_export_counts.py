"""The Data page's export row counts: the transactions counted from the customer summaries (one
row per customer) are the rows of the export — orphans (a customer missing from the file) left
out, a rep's own customers only — and the same as counting the rows when the summaries are stale."""
from __future__ import annotations

from datetime import date

import pandas as pd

from crm_core import summaries
from crm_core.ingest import exports
from crm_core.sql import Fragment
from crm_core.users import Actor
from tests.test_care import insert


def test_transactions_counted_from_the_summaries_are_the_export_rows(store, monkeypatch):
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2], "code": ["a", "b"], "name": "x",
                                               "sales_rep": ["刘", "陈"]}))
        # 1: three rows (a refund among them), 2: one, 9: two rows of a customer not on file
        insert(cur, "transactions", pd.DataFrame({"customer_id": [1, 1, 1, 2, 9, 9],
                                                  "amount": [10.0, -5.0, 7.0, 3.0, 1.0, 2.0],
                                                  "txn_date": date(2025, 6, 1)}))
        summaries.add_rows(cur, Fragment("TRUE"))
    with store.cursor(None) as cur:
        assert summaries.usable(cur)  # the count below reads them
    actors = {"boss": Actor("boss", "manager"), "v": Actor("v", "viewer"), "刘": Actor("刘", "rep")}
    counted = {name: exports.row_count(store, actor, "transactions") for name, actor in actors.items()}
    assert counted == {"boss": 4, "v": 4, "刘": 3}
    monkeypatch.setattr(summaries, "usable", lambda cur: False)  # the rows themselves
    assert {name: exports.row_count(store, actor, "transactions") for name, actor in actors.items()} == counted
