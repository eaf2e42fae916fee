"""Key dates at a million customers: only the origins whose month and day can fall in the window
are dated (key_dates._near), and the festivals' recipients are read from the purchase model kept
for the date when it is current — the same lists as before."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core.care import board
from crm_core.care.key_dates import _near, upcoming_key_dates_sql
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert


def test_the_window_keeps_the_month_days_it_can_reach_and_29_february_with_the_28th():
    assert _near(date(2027, 2, 27), date(2027, 3, 2)).params["near_days"] == [227, 228, 229, 301]
    assert _near(date(2026, 12, 30), date(2027, 1, 2)).params["near_days"] == [101, 1230, 1231]
    assert _near(date(2028, 1, 1), date(2029, 1, 1)).sql == "TRUE"  # a whole year (366 days)


def test_a_29_february_birthday_is_remembered_on_the_28th_in_a_short_window(store):
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2], "code": ["a", "b"], "name": "x",
                                               "birthday": [date(1980, 2, 29), date(1990, 3, 2)]}))
    with store.cursor(None) as cur:
        frame = upcoming_key_dates_sql(cur, date(2027, 2, 27), 3, ())
    assert [(c, o, d.date(), y) for c, o, d, y, _ in frame.itertuples(index=False)] == [
        (1, "birthday", date(2027, 2, 28), 47)]  # 2 March is outside [27 Feb, 2 Mar)


@pytest.mark.parametrize("days", [14, 90, 366])  # no festival; mid-autumn; all three
def test_the_kept_festival_recipients_are_the_ranked_classes(demo_store, days):
    classes = board.customer_classes(demo_store, DEMO_AS_OF)
    rep = demo_store.query_one("SELECT sales_rep FROM customers WHERE sales_rep IS NOT NULL LIMIT 1")[0]
    for actor in (Actor("boss", "manager"), Actor("v", "viewer"), Actor("r", "rep", rep_codes=(rep,))):
        recipients = classes.loc[classes["abc"].isin({"A", "B"}), "customer_id"]
        with demo_store.cursor(actor) as cur:
            live = upcoming_key_dates_sql(cur, DEMO_AS_OF, days, recipients, rep=board.scoped_rep(actor, None))
        live["occasion"] = live["occasion"].astype("category")
        kept = board.key_dates_ahead(demo_store, actor, DEMO_AS_OF, days, None, lambda: pytest.fail("kept"))
        assert_frame_equal(kept, live)
