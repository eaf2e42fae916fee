"""The Care page's to-do lists for one user (docs/domain.md §1): scoped, restricted inside SQL.

Every function takes the store and the acting user and reads through the user's scoped cursor
(crm_core.access): a rep only ever sees their own customers, a viewer sees phone numbers masked.
The rep filter is also put into each query (``Actor.rep_scope`` wins over any rep asked for), so
a manager's one-rep list costs what a rep's does. Lists
come back *compact* (ids, dates, numbers) so a page can keep a 1,000,000-customer list in its
cache; :func:`customer_cards` then fetches what we know about the few customers on screen.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd

from crm_core import customers as cust
from crm_core import model_fits
from crm_core.care.absence import long_absent_page, usual_products
from crm_core.care.contacts import card_sources, overdue_contacts, overdue_rows, overdue_summary
from crm_core.care.key_dates import festivals_between, key_date_start_sql, upcoming_key_dates_sql
from crm_core.care.replenishment import (
    FORECAST_COLUMNS,
    MethodChoice,
    deliveries_due_sql,
    forecast_backtest_sql,
    replenishment_forecast_sql,
)
from crm_core.i18n import t
from crm_core.models import InteractionIn
from crm_core.segmentation import abc_classify_sql
from crm_core.sql import Fragment, compose, last_12_months_dates, run
from crm_core.store import Store
from crm_core.users import Actor

# Units one person uses per day of the demo's cyclic products (0.4 kg rice a day from a 25 kg
# bag; 0.03 L oil from a 5 L can): used only where a product was bought once and the file
# has the household size (Wang Yongqing's notebook).
PER_PERSON_DAILY: dict[str, float] = {"大米 25kg": 0.4 / 25, "食用油 5L": 0.03 / 5}
# Festival greetings go to the A and B classes by default (三节 for the customers who matter most).
FESTIVAL_CLASSES: tuple[str, ...] = ("A", "B")
GREETING_CHANNELS: tuple[str, ...] = ("phone", "wechat", "gift", "visit")


def scoped_rep(actor: Actor, rep: str | None) -> str | tuple[str, ...] | None:
    """The rep (code, or a rep user's own codes) whose customers a list is for: a rep user is
    always limited to their own."""
    return actor.rep_scope if actor.rep_scope is not None else (rep or None)


def _run(store: Store, actor: Actor | None, fn):
    cur = store.cursor(actor)
    try:
        return fn(cur)
    finally:
        cur.close()


def customer_classes(store: Store, as_of: date) -> pd.DataFrame:
    """customer_id → abc (A/B/C) by revenue over the 12 months up to ``as_of`` (both ends included).

    Customers who bought nothing in that year have no class (not in the frame). The classes are
    ranked over the whole population (a class means the same for every user), so this reads the
    unscoped store; it returns ids and classes only, by customer_id. Read from the purchase model
    kept for ``as_of`` when it is current (``kept_classes``), ranked over the rows otherwise.
    """
    frame = _run(store, None, lambda cur: kept_classes(cur, as_of))
    if frame is None:
        start, end = last_12_months_dates(as_of)
        frame = _run(store, None, lambda cur: abc_classify_sql(cur, start, end)).sort_values("customer_id")
    frame = frame.reset_index(drop=True)
    abc = frame["abc"]
    if isinstance(abc.dtype, pd.CategoricalDtype):  # kept: an ENUM, whose categories are all three classes
        abc = abc.cat.remove_unused_categories().cat.as_unordered()
    return pd.DataFrame({"customer_id": frame["customer_id"].astype("int64"), "abc": abc.astype("category")})


# The classes the background fit of the purchase model keeps beside each buyer (crm_core.churn.fits:
# ``abc_classify_sql`` over ``last_12_months_dates(as_of)`` on the whole store, the same call as
# above; a buyer without a class is kept as 'inactive'). Every customer with a class bought up to
# as_of, so every one has a row: the classes read back are exactly the computed ones — 1 s of
# ranking 12 months of rows at 1M customers (10 s at 10M) replaced by one indexed read.
# (As an ENUM: pandas gets the categories as they are, without a string per customer — half the read.)
_KEPT_CLASSES = ("SELECT customer_id, abc::ENUM('A', 'B', 'C') AS abc FROM fit_purchase_model"
                 " WHERE fit_id = ? AND abc IN ('A', 'B', 'C') ORDER BY customer_id")


_KEPT_CLASSES_OF = ("SELECT customer_id, abc::ENUM('A', 'B', 'C') AS abc FROM fit_purchase_model"
                    " WHERE fit_id = ? AND abc IN ('A', 'B', 'C')"
                    " AND customer_id IN (SELECT unnest(?::BIGINT[])) ORDER BY customer_id")


def kept_classes(cur, as_of: date, customer_ids: list[int] | None = None) -> pd.DataFrame | None:
    """customer_id → abc for ``as_of`` from the kept purchase model when its fit for that date is of
    the current transactions (crm_core.model_fits), else None; ``customer_ids``: of those only. On
    one snapshot, so a refit landing meanwhile (which prunes the older fit's rows) cannot leave the
    header without its rows."""
    from crm_core.churn.fits import PURCHASE_MODEL  # segmentation (imported above) imports churn anyway
    if customer_ids is None:
        return model_fits.read_current(cur, PURCHASE_MODEL, as_of,
                                       lambda fit: cur.execute(_KEPT_CLASSES, [fit.fit_id]).df())
    return model_fits.read_current(cur, PURCHASE_MODEL, as_of,
                                   lambda fit: cur.execute(_KEPT_CLASSES_OF, [fit.fit_id, customer_ids]).df())


def key_dates_ahead(store: Store, actor: Actor, as_of: date, days: int, rep: str | None = None,
                    classes: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
                    festival_classes: Iterable[str] | None = FESTIVAL_CLASSES,
                    occasions: Iterable[str] | None = None, offset: int = 0, limit: int | None = None,
                    within: tuple[date, date] | None = None) -> pd.DataFrame:
    """Key dates of the user's customers in ``[as_of, as_of + days)`` (see ``upcoming_key_dates_sql``).

    Festivals go to customers whose class is in ``festival_classes`` (``classes``: customer_id →
    abc, or a function giving it); ``None`` sends them to everyone in scope. The classes are needed
    only when a festival falls in the window, and are read in SQL from the purchase model kept for
    ``as_of`` when it is current (``classes`` is then not called). Columns customer_id, occasion,
    date, years, label. ``occasions``, ``offset``, ``limit``: those occasions only, rows ``offset``
    to ``offset + limit`` of the list (``limit`` None: all); ``within``: of the days ``[first, end)``
    of the window only (a row depends on its own day alone: the list's rows on those days).
    """
    start, end = within or (as_of, as_of + timedelta(days=days))
    frame = _key_dates(store, actor, as_of, start, (end - start).days, rep, classes, festival_classes,
                       functools.partial(upcoming_key_dates_sql, occasions=occasions, offset=offset, limit=limit))
    frame["occasion"] = frame["occasion"].astype("category")
    return frame


def key_date_start(store: Store, actor: Actor, as_of: date, days: int, rep: str | None = None,
                   classes: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
                   festival_classes: Iterable[str] | None = FESTIVAL_CLASSES,
                   limit: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, first rows) of ``key_dates_ahead``'s list, from one query: how many rows of each
    occasion on each day (date, occasion, n; by day and occasion) and the first ``limit`` rows of
    every occasion. The page shows the counts and the first page, and reads another page from the
    days it falls on (``key_date_page``)."""
    counts, first = _key_dates(store, actor, as_of, as_of, days, rep, classes, festival_classes,
                               functools.partial(key_date_start_sql, limit=limit))
    first["occasion"] = first["occasion"].astype("category")
    return counts, first


def key_date_page(store: Store, actor: Actor, as_of: date, days: int, counts: pd.DataFrame, offset: int, limit: int,
                  rep: str | None = None, classes: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
                  festival_classes: Iterable[str] | None = FESTIVAL_CLASSES,
                  occasions: Iterable[str] | None = None) -> pd.DataFrame:
    """Rows ``offset`` to ``offset + limit`` of ``key_dates_ahead``'s list (same arguments; ``counts``:
    ``key_date_start``'s), read from the days those rows fall on only: each query dates only the
    origins whose month and day fall on them (key_dates.month_days)."""
    shown = counts if occasions is None else counts[counts["occasion"].isin(list(occasions))]
    per_day = shown.groupby("date", sort=True)["n"].sum()
    before = per_day.cumsum() - per_day
    wanted = per_day[(before < offset + limit) & (before + per_day > offset)]
    if wanted.empty or limit < 1:
        return key_dates_ahead(store, actor, as_of, days, rep, classes, festival_classes, occasions, 0, 0)
    first, last = wanted.index[0], wanted.index[-1]
    return key_dates_ahead(store, actor, as_of, days, rep, classes, festival_classes, occasions,
                           int(offset - before[first]), limit,
                           within=(pd.Timestamp(first).date(), pd.Timestamp(last).date() + timedelta(days=1)))


def _key_dates(store: Store, actor: Actor, as_of: date, start: date, days: int, rep: str | None, classes,
               festival_classes: Iterable[str] | None, read) -> pd.DataFrame:
    """``read(cur, start, days, recipients, rep=..., [festival_sql=...])`` (``upcoming_key_dates_sql``'s
    arguments) with the festivals' recipients of ``key_dates_ahead`` (classes for ``as_of``), on the
    user's cursor."""
    who = scoped_rep(actor, rep)
    if festival_classes is None:
        return _run(store, actor, lambda cur: read(cur, start, days, None, rep=who))
    if not festivals_between(start, start + timedelta(days=days)):  # no festival: no recipients to find
        return _run(store, actor, lambda cur: read(cur, start, days, (), rep=who))
    wanted = sorted(set(festival_classes))
    frame = _run(store, actor, lambda cur: _key_dates_kept(cur, as_of, start, days, who, wanted, read))
    if frame is None:
        known = classes() if callable(classes) else classes
        known = known if known is not None else pd.DataFrame({"customer_id": [], "abc": []})
        recipients = known.loc[known["abc"].isin(wanted), "customer_id"]
        frame = _run(store, actor, lambda cur: read(cur, start, days, recipients, rep=who))
    return frame


def _key_dates_kept(cur, as_of: date, start: date, days: int, rep, wanted: list[str], read) -> pd.DataFrame | None:
    """``read`` with the festivals' recipients read from the purchase model kept for ``as_of``
    (the classes ``customer_classes`` gives), or None when it is not current."""
    from crm_core.churn.fits import PURCHASE_MODEL  # segmentation (imported above) imports churn anyway
    return model_fits.read_current(cur, PURCHASE_MODEL, as_of, lambda fit: read(
        cur, start, days, None, rep=rep, festival_sql=Fragment(
            "SELECT customer_id FROM fit_purchase_model WHERE fit_id = $classes_fit"
            " AND abc IN (SELECT unnest($festival_abc::VARCHAR[]))",
            {"classes_fit": fit.fit_id, "festival_abc": wanted})))


_CARDS_SQL = """
SELECT c.customer_id, c.code, c.name, c.sales_rep, c.phone, c.preferences,
       coalesce(c.delivery_address, c.address) AS address
FROM customers c WHERE c.customer_id IN (SELECT unnest($ids::BIGINT[]))
"""
# Each customer's latest gift and concession (contacts.card_sources: kept where current, else every
# interaction). Nothing masked: read on a system cursor for the ids asked for, joined to the
# customers the user's own cursor gives (so an id the user may not see is dropped). On the user's
# cursor a rep's interactions are semi-joined through the customers in every query.
_GIFTS_SQL = """
WITH ids AS (SELECT DISTINCT unnest($ids::BIGINT[]) AS customer_id),
{gifts_and_concessions}
SELECT ids.customer_id, g.at::DATE AS last_gift_date, g.what AS last_gift, k.at::DATE AS last_concession_date,
       k.amount AS last_concession
FROM ids LEFT JOIN gifts g USING (customer_id) LEFT JOIN conc k USING (customer_id)
"""


def _gifts(cur, ids: list[int], as_of: date | None) -> pd.DataFrame:
    """``_GIFTS_SQL`` for ``ids`` on a system cursor, the gifts and concessions kept for ``as_of``
    where current, header and rows in one snapshot."""
    cur.execute("BEGIN TRANSACTION")
    try:
        return run(cur, compose(_GIFTS_SQL, ids=ids, gifts_and_concessions=card_sources(cur, as_of))).df()
    finally:
        cur.execute("ROLLBACK")  # read only


def customer_cards(store: Store, actor: Actor, customer_ids: Iterable[int],
                   classes: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
                   as_of: date | None = None) -> pd.DataFrame:
    """What we know about a few customers: code, name, sales_rep, phone (masked for a viewer),
    preferences, address (delivery address, else address), abc (class), last gift (date and
    what was given) and last concession (date and amount). Customers the user may not see are
    left out. Meant for the rows on screen or an export (thousands), not a whole population.
    ``classes``: the class frame (``customer_classes``), or a function giving it; with ``as_of``,
    the classes of these customers are read from the purchase model kept for it when it is current
    (``classes`` is then not called: the whole population's classes cost ~0.5 s at 3M customers),
    and the gifts and concessions from the care fit kept for it with those logged since
    (``contacts.card_sources``: no scan of every interaction for a page of cards).
    """
    ids = [int(i) for i in customer_ids]
    frame = _run(store, actor, lambda cur: run(cur, compose(_CARDS_SQL, ids=ids)).df())
    with closing(store.system_cursor()) as cur:
        frame = frame.merge(_gifts(cur, ids, as_of), on="customer_id", how="left")
    kept = None if as_of is None else _run(store, None, lambda cur: kept_classes(cur, as_of, ids))
    if kept is not None:
        classes = kept
    elif callable(classes):
        classes = classes()
    # The classes of these customers only: the whole population's as text cost 0.2 s a page at 1M.
    known = classes if classes is None else classes[classes["customer_id"].isin(frame["customer_id"])]
    abc = (known.set_index("customer_id")["abc"].astype(str) if known is not None
           else pd.Series(dtype=str))
    frame.insert(4, "abc", frame["customer_id"].map(abc))
    return frame


def long_absent_ahead(store: Store, actor: Actor, as_of: date, months: int, rep: str | None = None,
                      birthday_days: int = 30, offset: int = 0, limit: int | None = None) -> pd.DataFrame:
    """``long_absent_list`` for the user's customers (compact; birthdays soon first): rows ``offset``
    to ``offset + limit`` (``limit`` None: all)."""
    return long_absent_paged(store, actor, as_of, months, rep, birthday_days, offset, limit)[0]


def long_absent_paged(store: Store, actor: Actor, as_of: date, months: int, rep: str | None = None,
                      birthday_days: int = 30, offset: int = 0,
                      limit: int | None = None) -> tuple[pd.DataFrame, int, int]:
    """``long_absent_page`` for the user's customers: (rows ``offset``…, absent, with a birthday soon)."""
    who = scoped_rep(actor, rep)
    return _run(store, actor, lambda cur: long_absent_page(cur, as_of, months, birthday_days, who, offset, limit))


def usual_choices(store: Store, actor: Actor, customer_ids: Iterable[int], as_of: date,
                  top: int = 3) -> pd.DataFrame:
    """customer_id → usual_products (most often bought first) for a few customers."""
    return _run(store, actor, lambda cur: usual_products(cur, customer_ids, as_of, top))


def deliveries_this_week(store: Store, actor: Actor, as_of: date, days: int = 7,
                         rep: str | None = None,
                         per_person_daily: Mapping[str, float] | None = None,
                         since: date | None = None, choice: MethodChoice | None = None) -> pd.DataFrame:
    """Forecasts of the user's customers running out in ``[as_of, as_of + days)``, with payment
    reminders (``deliveries_due`` columns). ``per_person_daily`` defaults to :data:`PER_PERSON_DAILY`;
    ``since``: read purchases from that day on only (a history horizon); ``choice``: the method each
    customer type is forecast by (:func:`backtest_for`, ``choose_methods``; default the consumption rate)."""
    per_person = PER_PERSON_DAILY if per_person_daily is None else per_person_daily
    who = scoped_rep(actor, rep)
    frame = _run(store, actor, lambda cur: deliveries_due_sql(cur, as_of, days, who, per_person, since=since,
                                                              methods=choice))
    frame["product"] = frame["product"].astype("category")
    return frame


def backtest_for(store: Store, actor: Actor, as_of: date, rep: str | None = None,
                 max_customers: int | None = 20_000, since: date | None = None) -> pd.DataFrame:
    """Each forecast method's error on the held-back purchases of the user's customers
    (``forecast_backtest_sql`` columns: overall rows, then per customer type; sampled above
    ``max_customers``)."""
    who = scoped_rep(actor, rep)
    return _run(store, actor, lambda cur: forecast_backtest_sql(cur, as_of, rep=who, max_customers=max_customers,
                                                                since=since))


def customer_forecast(store: Store, actor: Actor, customer_id: int, as_of: date,
                      per_person_daily: Mapping[str, float] | None = None,
                      choice: MethodChoice | None = None) -> pd.DataFrame:
    """The replenishment forecast of every product of one customer (empty if not visible), by the
    method ``choice`` names for the customer's type (default the consumption rate)."""
    if cust.get_customer(store, actor, customer_id) is None:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    per_person = PER_PERSON_DAILY if per_person_daily is None else per_person_daily
    return _run(store, actor, lambda cur: replenishment_forecast_sql(cur, per_person, as_of=as_of,
                                                                     customer_id=customer_id, methods=choice))


def customer_key_dates(store: Store, actor: Actor, customer_id: int, as_of: date,
                       days: int = 366) -> pd.DataFrame:
    """One customer's key dates (and the three festivals) in ``[as_of, as_of + days)``."""
    if cust.get_customer(store, actor, customer_id) is None:
        return pd.DataFrame(columns=["customer_id", "occasion", "date", "years", "label"])
    return _run(store, actor, lambda cur: upcoming_key_dates_sql(cur, as_of, days, customer_id=customer_id))


def overdue_ahead(store: Store, actor: Actor, as_of: date, frequency_by_class: Mapping[str, int] | None,
                  classes: pd.DataFrame, rep: str | None = None) -> pd.DataFrame:
    """``overdue_contacts`` (compact) for the user's customers; ``sales_rep`` as a category."""
    who = scoped_rep(actor, rep)
    frame = _run(store, actor, lambda cur: overdue_contacts(cur, as_of, frequency_by_class, classes, who, compact=True))
    frame["sales_rep"] = frame["sales_rep"].astype("category")
    return frame


def overdue_counts(store: Store, actor: Actor, as_of: date, frequency_by_class: Mapping[str, int] | None,
                   classes: Callable[[], pd.DataFrame], rep: str | None = None) -> pd.DataFrame:
    """``overdue_summary`` for the user's customers (per rep: overdue, max_days_overdue, before)."""
    return _overdue(store, actor, rep, lambda cur, who, reader: overdue_summary(
        cur, as_of, frequency_by_class, classes, who, reader))


def overdue_page(store: Store, actor: Actor, as_of: date, frequency_by_class: Mapping[str, int] | None,
                 classes: Callable[[], pd.DataFrame], summary: pd.DataFrame, offset: int, limit: int,
                 rep: str | None = None) -> pd.DataFrame:
    """Rows ``offset``… of ``overdue_ahead``'s list (``overdue_rows``; ``summary``: ``overdue_counts``)."""
    frame = _overdue(store, actor, rep, lambda cur, who, reader: overdue_rows(
        cur, as_of, frequency_by_class, classes, summary, offset, limit, who, reader))
    frame["sales_rep"] = frame["sales_rep"].astype("category")
    return frame


def _overdue(store: Store, actor: Actor, rep: str | None, read) -> pd.DataFrame:
    """``read(cur, rep, reader)`` first on a system cursor for the user (``reader``: the kept rows
    alone, narrowed to what the user may see, or None: contacts.overdue_summary), else on the user's
    own cursor (``reader`` None: any plan)."""
    who = scoped_rep(actor, rep)
    with closing(store.system_cursor()) as cur:
        frame = read(cur, who, actor)
    return frame if frame is not None else _run(store, actor, lambda cur: read(cur, who, None))


def summary_by_rep(summary: pd.DataFrame) -> pd.DataFrame:
    """``overdue_by_rep`` from ``overdue_counts``'s frame: the same rows, most overdue first."""
    if summary.empty:
        return pd.DataFrame({"sales_rep": [], "overdue": [], "max_days_overdue": []})
    frame = summary[["sales_rep", "overdue", "max_days_overdue"]].copy()
    frame["sales_rep"] = frame["sales_rep"].astype("category").astype(object)  # no rep: NaN, as the groupby's
    return frame.sort_values(["overdue", "sales_rep"], ascending=[False, True], kind="stable").reset_index(drop=True)


def overdue_by_rep(overdue: pd.DataFrame) -> pd.DataFrame:
    """Per rep: how many contacts are due or overdue and the longest overdue (days); most first."""
    if overdue.empty:
        return pd.DataFrame({"sales_rep": [], "overdue": [], "max_days_overdue": []})
    summary = (overdue.groupby("sales_rep", observed=True, dropna=False)
               .agg(overdue=("customer_id", "size"), max_days_overdue=("days_overdue", "max")).reset_index())
    return summary.sort_values(["overdue", "sales_rep"], ascending=[False, True],
                               kind="stable").reset_index(drop=True)


def greeting_note(occasion: str, day: date, lang: str) -> str:
    """The interaction note naming the occasion, e.g. "中秋节问候（2025-10-06）"."""
    return t("care.note.greeting", lang, occasion=t(f"care.occasion.{occasion}", lang), date=day.isoformat())


def log_greeting(store: Store, actor: Actor, customer_id: int, occasion: str, day: date, channel: str,
                 lang: str, cost: Decimal | float = 0, now: datetime | None = None) -> int:
    """Log the greeting or gift for a key date as an interaction (one click on the Care page).

    ``channel`` is one of :data:`GREETING_CHANNELS`; the note names the occasion and its day;
    the rep is the acting user. Returns the new interaction id. Raises ``PermissionDenied``
    (no write right / not the user's customer) or ``ValidationError`` (bad channel or cost).
    """
    moment = now or datetime.now(ZoneInfo(store.timezone))
    interaction = InteractionIn(customer_id=int(customer_id), occurred_at=moment, channel=channel,
                                rep=actor.name, cost=Decimal(str(cost)), note=greeting_note(occasion, day, lang))
    return cust.log_interaction(store, actor, interaction)
