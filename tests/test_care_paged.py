"""The Care page's lists counted in SQL and read a page at a time (issue 18: at ten million
customers a list is a million rows; the page shows its count and 50 of them): every count and every
page equal to the whole list as the live computation makes it, for a manager, a viewer and a rep,
all reps and one."""
from __future__ import annotations

from contextlib import closing
from datetime import date, timedelta

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import model_fits
from crm_core.care import board
from crm_core.care import fits as care_fits
from crm_core.care.key_dates import upcoming_key_dates_sql
from crm_core.care.replenishment import choose_methods
from crm_core.sql import months_before
from crm_core.users import LOCAL_USER, Actor
from tests.conftest import DEMO_AS_OF

MANAGER, VIEWER = Actor("boss", "manager"), Actor("v", "viewer")


def a_rep(db) -> str:
    return db.query_one("SELECT sales_rep FROM customers WHERE sales_rep IS NOT NULL ORDER BY sales_rep LIMIT 1")[0]


def who(db) -> list[tuple[Actor, str | None]]:
    """(user, rep asked for): a manager for all reps and for one, a viewer, a rep user."""
    rep = a_rep(db)
    return [(MANAGER, None), (MANAGER, rep), (VIEWER, None), (Actor(rep, "rep", rep_codes=(rep,)), None)]


def same_pages(whole: pd.DataFrame, page) -> None:
    """``page(offset, limit)`` equals the slice of ``whole``: every page of 50 (and one past the end),
    and pages of 1 and 7 at the start, in the middle and at the end."""
    n = len(whole)
    cases = [(offset, 50) for offset in range(0, n + 1, 50)]
    cases += [(offset, size) for offset in (0, 1, n // 2, max(n - 5, 0), n) for size in (1, 7)]
    for offset, limit in cases:
        assert_frame_equal(page(offset, limit), whole.iloc[offset:offset + limit].reset_index(drop=True),
                           check_categorical=False)


@pytest.mark.parametrize("days", [7, 30])
def test_deliveries_counted_and_paged_are_the_live_list(demo_store, days):
    since = DEMO_AS_OF - timedelta(days=730)
    choice = choose_methods(board.backtest_for(demo_store, LOCAL_USER, DEMO_AS_OF, since=since))
    with closing(demo_store.system_cursor()) as cur:
        fit = model_fits.current_fit(cur, care_fits.REPLENISHMENT, DEMO_AS_OF)
    for actor, rep in who(demo_store):
        whole = board.deliveries_this_week(demo_store, actor, DEMO_AS_OF, days, rep, since=since, choice=choice)
        assert len(whole) > 0
        assert care_fits.stored_deliveries_count(demo_store, actor, fit.fit_id, DEMO_AS_OF, days, rep) == len(whole)
        assert_frame_equal(care_fits.stored_deliveries(demo_store, actor, fit.fit_id, DEMO_AS_OF, days, rep), whole)

        due = len(whole)

        def page(offset, limit, actor=actor, rep=rep, due=due):
            rows, listed = care_fits.stored_deliveries_page(demo_store, actor, fit.fit_id, DEMO_AS_OF, days, rep,
                                                            offset, limit)
            assert listed == due  # with every page, and past the end
            return rows
        same_pages(whole, page)


@pytest.mark.parametrize("days", [14, 90])  # no festival; the mid-autumn festival to the A and B classes
def test_key_dates_counted_and_paged_are_the_live_list(demo_store, days):
    classes = board.customer_classes(demo_store, DEMO_AS_OF)
    for actor, rep in who(demo_store):
        recipients = classes.loc[classes["abc"].isin({"A", "B"}), "customer_id"]
        with closing(demo_store.cursor(actor)) as cur:  # the live list: classes ranked, not kept
            whole = upcoming_key_dates_sql(cur, DEMO_AS_OF, days, recipients, rep=board.scoped_rep(actor, rep))
        assert len(whole) > 0 and whole["date"].is_monotonic_increasing
        for size in (1, 50, len(whole) + 1):  # the opening view: the counts and the first rows
            counts, first = board.key_date_start(demo_store, actor, DEMO_AS_OF, days, rep, lambda: pytest.fail("kept"),
                                                 limit=size)
            assert_frame_equal(first.astype({"occasion": str}), whole.head(size))
        by_hand = whole.groupby(["date", "occasion"]).size()
        assert counts.set_index(["date", "occasion"])["n"].to_dict() == by_hand.to_dict()
        assert ("mid_autumn" in set(counts["occasion"])) == (days == 90)
        for occasions in (None, ("birthday", "mid_autumn")):
            shown = whole if occasions is None else whole[whole["occasion"].isin(occasions)].reset_index(drop=True)
            same_pages(shown, lambda offset, limit, actor=actor, rep=rep, occasions=occasions, counts=counts:
                       board.key_date_page(demo_store, actor, DEMO_AS_OF, days, counts, offset, limit, rep,
                                           lambda: pytest.fail("kept"), occasions=occasions)
                       .astype({"occasion": str}))
            assert_frame_equal(board.key_dates_ahead(demo_store, actor, DEMO_AS_OF, days, rep, classes,
                                                     occasions=occasions).astype({"occasion": str}), shown)


def absent_by_hand(db, as_of: date, months: int, soon_days: int, rep: str | None) -> pd.DataFrame:
    """The long-absent list in pandas from the customers and transactions tables (docs/domain.md §1):
    last purchase (amount > 0) up to ``as_of`` on or before ``as_of`` − ``months`` months, how many
    purchases, the next birthday (29 February: the 28th in other years), soon when within
    ``soon_days``; birthdays soon first (soonest first), then the longest absent, then by id."""
    customers = db.query_df("SELECT customer_id, sales_rep, birthday FROM customers")
    if rep is not None:
        customers = customers[customers["sales_rep"] == rep]
    bought = db.query_df("SELECT customer_id, txn_date FROM transactions WHERE amount > 0 AND txn_date <= ?",
                         [as_of])
    bought = bought[bought["customer_id"].isin(customers["customer_id"])]
    listed = bought.groupby("customer_id").agg(last_purchase=("txn_date", "max"), purchases=("txn_date", "size"))
    listed = listed[listed["last_purchase"] <= pd.Timestamp(months_before(as_of, months))].reset_index()

    def next_birthday(day) -> pd.Timestamp:
        if pd.isna(day):
            return pd.NaT
        for year in (as_of.year, as_of.year + 1):
            leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
            when = date(year, day.month, 28 if (day.month, day.day) == (2, 29) and not leap else day.day)
            if when >= as_of:
                return pd.Timestamp(when)

    birthdays = customers.set_index("customer_id")["birthday"].map(next_birthday)
    listed["next_birthday"] = listed["customer_id"].map(birthdays).astype("datetime64[us]")
    listed["days_absent"] = (pd.Timestamp(as_of) - listed["last_purchase"]).dt.days
    listed["birthday_soon"] = (listed["next_birthday"] - pd.Timestamp(as_of)).dt.days < soon_days
    listed["soon_day"] = listed["next_birthday"].where(listed["birthday_soon"])
    listed = listed.sort_values(["birthday_soon", "soon_day", "last_purchase", "customer_id"],
                                ascending=[False, True, True, True], na_position="last")
    return listed[["customer_id", "last_purchase", "days_absent", "purchases", "next_birthday",
                   "birthday_soon"]].reset_index(drop=True)


@pytest.mark.parametrize("as_of, months", [(DEMO_AS_OF, 6), (DEMO_AS_OF, 1), (date(2026, 2, 17), 3)])
def test_long_absent_counted_and_paged_are_the_list_by_hand(demo_store, as_of, months):
    for actor, rep in who(demo_store):
        whole = board.long_absent_ahead(demo_store, actor, as_of, months, rep)
        own = board.scoped_rep(actor, rep)
        expected = absent_by_hand(demo_store, as_of, months, 30, own if own is None else a_rep(demo_store))
        assert len(expected) > 0 and (own is not None or expected["birthday_soon"].any())
        assert_frame_equal(whole, expected, check_dtype=False)
        counted = (len(expected), int(expected["birthday_soon"].sum()))

        def page(offset, limit, actor=actor, rep=rep, counted=counted):
            rows, absent, soon = board.long_absent_paged(demo_store, actor, as_of, months, rep, offset=offset,
                                                         limit=limit)
            assert (absent, soon) == counted  # with every page, and past the end
            return rows
        same_pages(whole, page)
