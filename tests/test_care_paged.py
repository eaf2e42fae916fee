"""The Care page's lists counted in SQL and read a page at a time (issue 18: at ten million
customers a list is a million rows; the page shows its count and 50 of them): every count and every
page equal to the whole list as the live computation makes it, for a manager, a viewer and a rep,
all reps and one."""
from __future__ import annotations

from contextlib import closing
from datetime import timedelta

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import model_fits
from crm_core.care import board
from crm_core.care import fits as care_fits
from crm_core.care.replenishment import choose_methods
from crm_core.users import LOCAL_USER, Actor
from tests.conftest import DEMO_AS_OF

MANAGER, VIEWER = Actor("boss", "manager"), Actor("v", "viewer")


def a_rep(db) -> str:
    return db.query_one("SELECT sales_rep FROM customers WHERE sales_rep IS NOT NULL ORDER BY sales_rep LIMIT 1")[0]


def who(db) -> list[tuple[Actor, str | None]]:
    """(user, rep asked for): a manager for all reps and for one, a viewer, a rep user."""
    rep = a_rep(db)
    return [(MANAGER, None), (MANAGER, rep), (VIEWER, None), (Actor(rep, "rep", rep_codes=(rep,)), None)]


def same_pages(whole: pd.DataFrame, page, sizes=(1, 7, 50)) -> None:
    """``page(offset, limit)`` equals the slice of ``whole`` at every offset (and one past the end)."""
    for limit in sizes:
        for offset in range(0, len(whole) + 1, max(1, limit)):
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
        same_pages(whole, lambda offset, limit: care_fits.stored_deliveries(
            demo_store, actor, fit.fit_id, DEMO_AS_OF, days, rep, offset, limit))
