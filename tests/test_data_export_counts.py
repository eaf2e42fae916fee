"""The Data page's export row counts without joining every row to the customers: by the customers'
id range when it is unbroken, from the customer summaries otherwise (transactions) — the rows of the
export, orphans (a customer missing from the file) left out, a rep's own customers only, and the
same as joining the rows."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from crm_core import access, summaries
from crm_core.ingest import exports
from crm_core.sql import Fragment
from crm_core.users import Actor
from tests.test_care import insert

ACTORS = {"boss": Actor("boss", "manager"), "v": Actor("v", "viewer"), "刘": Actor("刘", "rep")}


@pytest.mark.parametrize("other, orphan", [(2, 9), (3, 2)])  # ids 1-2 unbroken, orphan outside; 1 and 3, orphan between
def test_the_counts_are_the_export_rows(store, monkeypatch, other, orphan):
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, other], "code": ["a", "b"], "name": "x",
                                               "sales_rep": ["刘", "陈"]}))
        # 1: three rows (a refund among them), the other one; the orphan two
        insert(cur, "transactions", pd.DataFrame({"customer_id": [1, 1, 1, other, orphan, orphan],
                                                  "amount": [10.0, -5.0, 7.0, 3.0, 1.0, 2.0],
                                                  "txn_date": date(2025, 6, 1)}))
        insert(cur, "interactions", pd.DataFrame({"customer_id": [1, other, orphan], "channel": "phone",
                                                  "occurred_at": datetime(2025, 6, 1, tzinfo=ZoneInfo("UTC"))}))
        summaries.add_rows(cur, Fragment("TRUE"))
    with store.cursor(None) as cur:
        assert summaries.usable(cur)
        assert (access.unbroken_customer_ids(cur) is not None) == (other == 2)

    def counts() -> dict:
        return {(name, table): exports.row_count(store, actor, table) for name, actor in ACTORS.items()
                for table in ("transactions", "interactions")}

    expected = {("boss", "transactions"): 4, ("boss", "interactions"): 2, ("v", "transactions"): 4,
                ("v", "interactions"): 2, ("刘", "transactions"): 3, ("刘", "interactions"): 1}
    assert counts() == expected
    monkeypatch.setattr(summaries, "usable", lambda cur: False)  # the rows themselves, joined
    monkeypatch.setattr(access, "unbroken_customer_ids", lambda cur: None)
    assert counts() == expected
