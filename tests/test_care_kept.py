"""The Care page's ABC classes read from the purchase model the background fit keeps
(crm_core.care.board.kept_classes): the same classes as ranking the rows, only for a current fit."""
from __future__ import annotations

from contextlib import closing
from datetime import date

import pandas as pd
from pandas.testing import assert_frame_equal

from crm_core import summaries
from crm_core.care import board
from crm_core.segmentation import abc_classify_sql
from crm_core.sql import Fragment, last_12_months_dates
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert


def live(db, as_of: date) -> pd.DataFrame:
    with closing(db.system_cursor()) as cur:
        frame = abc_classify_sql(cur, *last_12_months_dates(as_of)).sort_values("customer_id")
    return pd.DataFrame({"customer_id": frame["customer_id"].astype("int64").to_numpy(),
                         "abc": frame["abc"].astype("category")})


def test_the_kept_classes_are_the_ranked_ones_until_the_data_changes(demo_store):
    with closing(demo_store.system_cursor()) as cur:
        kept = board.kept_classes(cur, DEMO_AS_OF)  # the fixture fitted the demo's default date
        assert kept is not None and board.kept_classes(cur, date(2026, 5, 31)) is None  # no fit for that date
    classes = board.customer_classes(demo_store, DEMO_AS_OF)
    assert_frame_equal(classes, live(demo_store, DEMO_AS_OF).reset_index(drop=True), check_exact=True)
    assert set(classes["abc"].astype(str)) == {"A", "B", "C"} and classes["customer_id"].is_monotonic_increasing
    top = int(classes.loc[classes["abc"] == "C", "customer_id"].iloc[0])
    with demo_store.transaction() as cur:  # a big purchase makes a C customer an A one
        insert(cur, "transactions", pd.DataFrame({"customer_id": [top], "amount": [10_000_000.0],
                                                  "txn_date": [DEMO_AS_OF]}))
        summaries.add_rows(cur, Fragment("amount = 10000000"))
    with closing(demo_store.system_cursor()) as cur:
        assert board.kept_classes(cur, DEMO_AS_OF) is None  # stale: ranked live again
    after = board.customer_classes(demo_store, DEMO_AS_OF)
    assert after.set_index("customer_id")["abc"][top] == "A"
    assert_frame_equal(after, live(demo_store, DEMO_AS_OF).reset_index(drop=True), check_exact=True)
