"""The replenishment forecast earns its place (docs/domain.md §1): for one user, back-test the
consumption-rate forecast against "last purchase + median gap" and "last purchase + mean gap" on
the user's customers, choose the method with the lowest mean error (per customer type where a
type has enough checks and another method wins there), and list the deliveries due by it.

Reads go through the user's scoped cursor (crm_core.access), like every Care list: a rep's
back-test and choice are computed over that rep's customers only.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from crm_core.care.board import PER_PERSON_DAILY, scoped_rep
from crm_core.care.replenishment import (
    METHODS,
    MIN_GROUP_CHECKS,
    MethodChoice,
    choose_methods,
    chosen_error,
    deliveries_due_sql,
    forecast_backtest_sql,
)

__all__ = ["METHODS", "MIN_GROUP_CHECKS", "MethodChoice", "backtest_for", "choose_methods", "chosen_error", "deliveries_by_choice"]
from crm_core.store import Store
from crm_core.users import Actor


def _with_cursor(store: Store, actor: Actor, fn):
    cur = store.cursor(actor)
    try:
        return fn(cur)
    finally:
        cur.close()


def backtest_for(store: Store, actor: Actor, as_of: date, rep: str | None = None,
                 max_customers: int | None = 20_000, since: date | None = None) -> pd.DataFrame:
    """Each method's error on the user's customers' held-back purchases (``forecast_backtest_sql``
    columns: overall rows, then per customer type)."""
    who = scoped_rep(actor, rep)
    return _with_cursor(store, actor, lambda cur: forecast_backtest_sql(cur, as_of, rep=who,
                                                                        max_customers=max_customers, since=since))


def deliveries_by_choice(store: Store, actor: Actor, as_of: date, days: int, choice: MethodChoice,
                         rep: str | None = None, per_person_daily: Mapping[str, float] | None = None,
                         since: date | None = None) -> pd.DataFrame:
    """``board.deliveries_this_week`` with each customer forecast by the method ``choice`` names
    for their customer type (``method`` column: ``history`` for the consumption rate,
    ``median_gap`` / ``mean_gap``, or ``household``)."""
    per_person = PER_PERSON_DAILY if per_person_daily is None else per_person_daily
    who = scoped_rep(actor, rep)
    frame = _with_cursor(store, actor, lambda cur: deliveries_due_sql(cur, as_of, days, who, per_person,
                                                                      since=since, methods=choice))
    frame["product"] = frame["product"].astype("category")
    return frame
