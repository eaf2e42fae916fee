"""The replenishment forecast kept by crm_core.model_fits: the back-test of the forecast methods
on the whole store, the method it chooses, and every customer-product's run-out day by that
method, fitted in the background for an analysis date and read back by the Care page.

The forecast reads the last ``HISTORY_DAYS`` of purchases. The method is chosen on all customers'
held-back purchases (one choice for the store; a rep's list is the rows of their customers). The
payday is joined from ``customers`` when the fit is read; the household size a one-purchase
forecast uses is the one at the time of the fit.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta

import pandas as pd

from crm_core import access
from crm_core.care.board import PER_PERSON_DAILY, scoped_rep
from crm_core.care.contacts import CARE_CONTACTS, KEPT_TABLE, contacts_fresh, fit_contacts
from crm_core.care.replenishment import (
    BACKTEST_COLUMNS,
    MethodChoice,
    choose_methods,
    deliveries_due,
    forecast_backtest_sql,
    forecast_frame,
    forecast_query,
    forecast_ranges,
)
from crm_core.model_fits import Fit, Fitter
from crm_core.sql import Fragment, compose, relation, run
from crm_core.store import Store
from crm_core.users import Actor

REPLENISHMENT = "replenishment"
HISTORY_DAYS = 730  # the forecast reads the last two years of purchases

_KEPT = "customer_id, product, purchases, last_purchase, last_quantity, rate_per_day, method, days_left, run_out"


def _fit_replenishment(cur, as_of: date) -> tuple[dict, Iterator]:
    """The whole store's back-test, its choice, and the forecast by that choice, one range of
    customer ids at a time (``forecast_ranges``: each forecast is one customer's own; the store's
    transactions lie by customer, so a range reads its own row groups): neither DuckDB nor this
    process holds ten million customers' customer-products at once, and no pandas copy is made."""
    since = as_of - timedelta(days=HISTORY_DAYS)
    backtest = forecast_backtest_sql(cur, as_of, since=since)
    choice = choose_methods(backtest)
    params = {"since": since.isoformat(), "choice": choice.model_dump(),
              "backtest": backtest.astype(object).where(backtest.notna(), None).to_dict("records")}

    def ranges() -> Iterator:
        for customers in forecast_ranges(cur):
            query = forecast_query(PER_PERSON_DAILY, as_of=as_of, since=since, methods=choice, customers=customers)
            yield relation(cur, compose(f"SELECT {_KEPT} FROM ({{forecast}}) ORDER BY customer_id, product",
                                        forecast=query)).to_arrow_table()

    return params, ranges()


# The replenishment forecast, and each customer's last contact for the stay-in-touch list
# (crm_core.care.contacts: kept for one date, the default: pages on another date count live;
# fitted again when a customer is added, removed or given to another rep).
FITTERS = (Fitter(REPLENISHMENT, "fit_replenishment", _fit_replenishment),
           Fitter(CARE_CONTACTS, KEPT_TABLE, fit_contacts, kept_dates=1, fresh=contacts_fresh))


def stored_choice(fit: Fit) -> MethodChoice:
    """The method the fit chose (choose_methods of its back-test)."""
    return MethodChoice(**fit.params["choice"])


def stored_backtest(fit: Fit) -> pd.DataFrame:
    """The fit's back-test (forecast_backtest_sql's columns and order)."""
    frame = pd.DataFrame(fit.params["backtest"], columns=BACKTEST_COLUMNS)
    frame = frame.astype({"n": "int64", "mean_error": "float64", "median_error": "float64"})
    frame["customer_type"] = frame["customer_type"].astype(object).where(frame["customer_type"].notna(), None)
    return frame


def _due(actor: Actor, fit_id: int, as_of: date, days: int, rep: str | None) -> Fragment:
    """The user's (or ``rep``'s) rows of fit ``fit_id`` (alias f) running out in ``[as_of, as_of + days)``."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return compose("f.fit_id = $fit_id AND f.run_out >= $lo AND f.run_out < $hi AND {scope}",
                   fit_id=int(fit_id), lo=as_of, hi=as_of + timedelta(days=days),
                   scope=access.of_rep(scoped_rep(actor, rep), "fit_replenishment", alias="f"))


def stored_deliveries_count(store: Store, actor: Actor, fit_id: int, as_of: date, days: int = 7,
                            rep: str | None = None) -> int:
    """How many rows ``stored_deliveries`` gives, counted in SQL (the page shows the count and one
    page of rows: at ten million customers the whole list is about a million rows)."""
    with closing(store.cursor(actor)) as cur:
        (count,) = run(cur, compose("SELECT count(*) FROM fit_replenishment f WHERE {due}",
                                    due=_due(actor, fit_id, as_of, days, rep))).fetchall()[0]
    return int(count)


def stored_deliveries(store: Store, actor: Actor, fit_id: int, as_of: date, days: int = 7,
                      rep: str | None = None, offset: int = 0, limit: int | None = None) -> pd.DataFrame:
    """The user's (or ``rep``'s) customer-products of fit ``fit_id`` running out in ``[as_of, as_of +
    days)``, with payment reminders: board.deliveries_this_week's columns and order, read from the
    fit; rows ``offset`` to ``offset + limit`` of that list (``limit`` None: all of them)."""
    return stored_deliveries_page(store, actor, fit_id, as_of, days, rep, offset, limit)[0]


def stored_deliveries_page(store: Store, actor: Actor, fit_id: int, as_of: date, days: int = 7,
                           rep: str | None = None, offset: int = 0,
                           limit: int | None = None) -> tuple[pd.DataFrame, int]:
    """(``stored_deliveries``' rows ``offset``…, how many it lists): the page and the count in one
    query (counted alone only for a page past the end). The rows are picked in SQL in the list's
    order (run-out day, customer, product: one row per customer-product, so the order is total;
    DuckDB compares text by bytes, which for UTF-8 is Python's code-point order) and only those rows
    are joined to their customers' paydays."""
    due = _due(actor, fit_id, as_of, days, rep)
    query = compose(f"SELECT f.{_KEPT.replace(', ', ', f.')}, c.payday,"
                    " (SELECT count(*) FROM fit_replenishment f WHERE {due}) AS listed"
                    " FROM (SELECT * FROM fit_replenishment f WHERE {due}"
                    "       ORDER BY f.run_out, f.customer_id, f.product LIMIT $limit OFFSET $offset) f"
                    " LEFT JOIN customers c USING (customer_id)",
                    due=due, limit=limit, offset=int(offset))
    with closing(store.cursor(actor)) as cur:
        rows = run(cur, query).df()
    if rows.empty:
        listed = stored_deliveries_count(store, actor, fit_id, as_of, days, rep) if offset > 0 else 0
    else:
        listed = int(rows["listed"].iloc[0])
    frame = deliveries_due(forecast_frame(rows.drop(columns=["listed"])), as_of, days)
    frame["product"] = frame["product"].astype("category")
    return frame, listed
