"""Key dates at a million customers: only the origins whose month and day can fall in the window
are dated (key_dates.month_days), and the festivals' recipients are read from the purchase model kept
for the date when it is current — the same lists as before."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core.care import board
from crm_core.care.key_dates import month_days, upcoming_key_dates_sql
from crm_core.sql import compose, run
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert


def test_the_window_keeps_the_month_days_it_can_reach_and_29_february_with_the_28th():
    assert month_days(date(2027, 2, 27), date(2027, 3, 2), "d").params == {"md_first": 227, "md_last": 301}
    assert month_days(date(2027, 2, 20), date(2027, 3, 1), "d").params == {"md_first": 220, "md_last": 229}
    wraps = month_days(date(2026, 12, 30), date(2027, 1, 2), "d")
    assert "NOT BETWEEN" in wraps.sql and wraps.params == {"md_first": 1230, "md_last": 101}
    assert month_days(date(2028, 1, 1), date(2029, 1, 1), "d").sql == "TRUE"  # a whole year (366 days)


def test_the_month_days_kept_are_those_of_the_windows_days(store):
    """Every window of 1 to 365 days starting on any day of 2027-2028 keeps exactly the month-days
    of its days, and 29 February with the 28th (checked on one date of each month-day)."""
    every_day = [date(2028, 1, 1) + timedelta(days=k) for k in range(366)]  # a leap year: all 366 month-days
    with store.cursor(None) as cur:
        cur.execute("CREATE TEMP TABLE md AS SELECT unnest(?::DATE[]) AS d", [every_day])
        for first in (date(2027, 1, 1) + timedelta(days=k) for k in range(0, 731, 13)):
            for days in (1, 2, 14, 30, 60, 200, 364, 365):
                days_in = {(first + timedelta(days=k)).strftime("%m%d") for k in range(days)}
                if "0228" in days_in:
                    days_in.add("0229")
                near = month_days(first, first + timedelta(days=days), "d")
                kept = {d.strftime("%m%d") for (d,) in run(cur, compose("SELECT d FROM md WHERE {near}",
                                                                         near=near)).fetchall()}
                assert kept == days_in, (first, days)


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
