"""Stay in touch: who is due a contact, per responsible sales rep.

Each customer has a contact interval in days: its own override (table ``contact_frequency``,
migration 005) or else the default of its ABC class. The last contact is the latest
interaction of any channel (a gift or an event counts as a touch) on or before the day asked
about; interaction times are turned into days in the session's time zone.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from crm_core import access, model_fits
from crm_core.audit import write_audit
from crm_core.customers import get_customer
from crm_core.model_fits import FIT_CHUNK_ROWS, Fit
from crm_core.sql import Fragment, compose, relation, run
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

# Editable defaults: A customers every 30 days, B every 60, C every 120.
DEFAULT_CONTACT_DAYS: dict[str, int] = {"A": 30, "B": 60, "C": 120}

_OVERDUE_SQL = """
WITH prm AS (SELECT $as_of::DATE AS as_of),
freq AS (SELECT unnest($classes::VARCHAR[]) AS abc, unnest($every_days::INTEGER[]) AS every_days),
last_contact AS (
    SELECT i.customer_id, max(i.occurred_at)::DATE AS last_contact{last_rep_of}
    FROM interactions i, prm WHERE i.occurred_at::DATE <= prm.as_of AND {scope_interactions}
    GROUP BY i.customer_id
),
plan AS (
    SELECT c.customer_id, c.code, c.name, c.sales_rep, k.abc,
           coalesce(o.every_days, f.every_days) AS every_days,
           l.last_contact, {plan_last_rep}
           coalesce(l.last_contact, c.created_at::DATE) + coalesce(o.every_days, f.every_days) AS due_date
    FROM customers c
    LEFT JOIN care_contact_classes k USING (customer_id)
    LEFT JOIN freq f ON f.abc = k.abc
    LEFT JOIN contact_frequency o USING (customer_id)
    LEFT JOIN last_contact l USING (customer_id)
    WHERE {scope_customers}
)
SELECT {columns}, p.abc, p.every_days, p.last_contact, {last_rep}
       p.due_date, prm.as_of - p.due_date AS days_overdue
FROM plan p, prm
WHERE p.every_days IS NOT NULL AND p.due_date <= prm.as_of
ORDER BY p.sales_rep NULLS LAST, days_overdue DESC, p.customer_id
"""


# One rep's customers are picked before anything is joined (access.of_rep: the rule of the rep's own scope).
# Full rows for a small list; compact rows (no text but the rep) for a whole population.
# The compact rows also skip the last contact's rep in the grouping (DuckDB computes an unused
# arg_max all the same: two thirds of the query at 2.5M interactions).
_OVERDUE_COLUMNS = {
    "full": ("p.sales_rep, p.customer_id, p.code, p.name", "p.last_rep,", ",\n           arg_max(i.rep, i.occurred_at) AS last_rep"),
    "compact": ("p.sales_rep, p.customer_id", "", ""),
}


def overdue_contacts(db, as_of: date, frequency_by_class: Mapping[str, int] | None,
                     classes: pd.DataFrame, rep: str | None = None, compact: bool = False) -> pd.DataFrame:
    """Customers due or overdue for a contact on ``as_of``, grouped by responsible rep.

    ``classes``: DataFrame customer_id → abc (e.g. from ABC segmentation).
    ``frequency_by_class``: class → days between contacts; ``None`` uses
    :data:`DEFAULT_CONTACT_DAYS`. A per-customer override wins over the class default; a
    customer with neither is not scheduled. Never contacted: the interval runs from the day
    the customer entered the file (``created_at``), so a fresh import is not all overdue at once.
    Columns: sales_rep, customer_id, code, name, abc, every_days, last_contact, last_rep,
    due_date, days_overdue (0 = due today). Sorted by rep, most overdue first.
    ``rep`` restricts the list to one rep. ``compact=True`` leaves out code, name and last_rep
    (for 1,000,000 customers: fetch the names of the rows shown only).
    Raises ``ValueError`` for a non-positive interval.
    """
    frequency = dict(DEFAULT_CONTACT_DAYS if frequency_by_class is None else frequency_by_class)
    if any(int(days) < 1 for days in frequency.values()):
        raise ValueError(f"contact intervals must be at least 1 day: {frequency}")
    db.register("care_contact_classes", classes[["customer_id", "abc"]])
    try:
        columns, last_rep, last_rep_of = _OVERDUE_COLUMNS["compact" if compact else "full"]
        query = compose(_OVERDUE_SQL, columns=Fragment(columns), last_rep=Fragment(last_rep),
                        last_rep_of=Fragment(last_rep_of), plan_last_rep=Fragment("l.last_rep," if last_rep else ""),
                        scope_customers=access.of_rep(rep, "customers", alias="c"),
                        scope_interactions=access.of_rep(rep, "interactions", alias="i"),
                        as_of=as_of, classes=list(frequency), every_days=[int(days) for days in frequency.values()])
        return run(db, query).df()
    finally:
        db.unregister("care_contact_classes")


# -- The list at a million customers (the Care page) ------------------------------------------
# The page shows how many are due, per rep, and one page of the list: it asks SQL for the counts
# per rep and for the rows of the page only, instead of fetching every overdue customer (2M rows at
# 3M customers). Each customer's last contact comes from the fit kept for the date (CARE_CONTACTS,
# below) when it is current, and the classes from the kept purchase model: neither groups every
# interaction or ranks a year of transactions on the page.

CARE_CONTACTS = "care_contacts"  # the model name of the kept last contacts (crm_core.model_fits)
KEPT_TABLE = "fit_care_contacts"  # migration 025

# The gifts and concessions of a customer card (board.customer_cards), of any day: the latest gift
# (when; what was given — the products, else the note — of the latest gift that says, as arg_max
# skips a NULL, and when that gift was, so that gifts logged later can be weighed against it) and
# the latest concession (when, how much).
_GIFT_WHAT = "coalesce(i.products_provided, i.note)"
CARD_AGGREGATES = f"""max(i.occurred_at) FILTER (WHERE i.channel = 'gift') AS last_gift_at,
           arg_max({_GIFT_WHAT}, i.occurred_at) FILTER (WHERE i.channel = 'gift') AS last_gift,
           max(i.occurred_at) FILTER (WHERE i.channel = 'gift' AND {_GIFT_WHAT} IS NOT NULL) AS last_gift_what_at,
           max(i.occurred_at) FILTER (WHERE i.concession > 0) AS last_concession_at,
           arg_max(i.concession, i.occurred_at) FILTER (WHERE i.concession > 0) AS last_concession"""
# Columns after fit_id, in the table's order (025, 029).
_FIT_SQL = """
WITH lc AS (
    SELECT i.customer_id, max(i.occurred_at) FILTER (WHERE i.occurred_at::DATE <= $as_of::DATE)::DATE AS last_contact,
           count(*) AS interactions, """ + CARD_AGGREGATES + """
    FROM interactions i WHERE i.interaction_id <= $max_id GROUP BY i.customer_id
),
people AS (SELECT customer_id, sales_rep, created_at::DATE AS created_day FROM customers)
SELECT customer_id, k.abc::VARCHAR AS abc, lc.last_contact, coalesce(lc.interactions, 0) AS interactions,
       p.sales_rep, p.created_day, lc.last_gift_at, lc.last_gift, lc.last_gift_what_at, lc.last_concession_at,
       lc.last_concession
FROM lc FULL JOIN care_fit_classes k USING (customer_id) FULL JOIN people p USING (customer_id)
ORDER BY p.sales_rep NULLS LAST, customer_id
"""
# The cards' gifts and concessions (gifts: customer_id, at, what; conc: customer_id, at, amount) of the
# customers in ``ids``, as CTEs: from the interactions ...
_LIVE_CARDS = f"""
gifts AS (
    SELECT i.customer_id, max(i.occurred_at) AS at, arg_max({_GIFT_WHAT}, i.occurred_at) AS what
    FROM interactions i WHERE i.channel = 'gift' AND i.customer_id IN (SELECT customer_id FROM ids) GROUP BY ALL
),
conc AS (
    SELECT i.customer_id, max(i.occurred_at) AS at, arg_max(i.concession, i.occurred_at)::DOUBLE AS amount
    FROM interactions i WHERE i.concession > 0 AND i.customer_id IN (SELECT customer_id FROM ids) GROUP BY ALL
)"""
# ... or from the kept rows, weighed against the interactions logged since (the same maximum and
# arg_max over the kept latest and the new rows: no scan of every interaction for 50 cards).
_KEPT_CARDS = f"""
kept AS (SELECT customer_id, last_gift_at, last_gift, last_gift_what_at, last_concession_at, last_concession
         FROM fit_care_contacts WHERE fit_id = $contacts_fit AND customer_id IN (SELECT customer_id FROM ids)),
new AS (SELECT customer_id, occurred_at, channel, products_provided, note, concession FROM interactions i
        WHERE i.interaction_id > $max_id AND i.customer_id IN (SELECT customer_id FROM ids)),
gifts AS (
    SELECT customer_id, max(given) AS at, arg_max(what, what_given) AS what FROM (
        SELECT customer_id, last_gift_at AS given, last_gift AS what, last_gift_what_at AS what_given
        FROM kept WHERE last_gift_at IS NOT NULL
        UNION ALL
        SELECT i.customer_id, i.occurred_at, {_GIFT_WHAT}, i.occurred_at FROM new i WHERE i.channel = 'gift')
    GROUP BY customer_id
),
conc AS (
    SELECT customer_id, max(granted) AS at, arg_max(amount, granted)::DOUBLE AS amount FROM (
        SELECT customer_id, last_concession_at AS granted, last_concession AS amount FROM kept
        WHERE last_concession_at IS NOT NULL
        UNION ALL
        SELECT i.customer_id, i.occurred_at, i.concession FROM new i WHERE i.concession > 0)
    GROUP BY customer_id
)"""


def card_sources(cur, as_of: date | None) -> Fragment:
    """The CTEs ``gifts`` and ``conc`` of the customers in a CTE ``ids`` (see ``_LIVE_CARDS``): from
    the rows kept for ``as_of`` when that fit is current and no interaction it counted is gone, from
    the interactions otherwise. ``cur``: a system cursor, in the snapshot the caller reads in (the
    fit's header and rows together)."""
    fit = None if as_of is None else model_fits.current_fit(cur, CARE_CONTACTS, as_of)
    if fit is None or interactions_since(cur, fit, whole=True) is None:
        return Fragment(_LIVE_CARDS)
    return Fragment(_KEPT_CARDS, {"contacts_fit": fit.fit_id, "max_id": int(fit.params["max_interaction_id"])})


# Per sales rep (NULL: none), how many customers and the sum of the hashes of their id, rep and
# creation time: equal digests, the same customers with the same reps and creation times (two sets
# digesting alike by chance: about one in 2^64). One scan of ``customers``, no join.
_CUSTOMERS_DIGEST = """SELECT sales_rep, count(*) AS n, sum(hash(customer_id, sales_rep, created_at))::VARCHAR AS h
    FROM customers c WHERE {scope} GROUP BY sales_rep"""


def customers_digest(cur, rep=None) -> list[list]:
    """[sales_rep, customers, hash sum] per rep of the customers ``cur`` sees (``rep``: of those reps
    only), by rep, no rep last (``_CUSTOMERS_DIGEST``)."""
    rows = run(cur, compose(_CUSTOMERS_DIGEST, scope=access.of_rep(rep, "customers", alias="c"))).fetchall()
    return sorted(([r, int(n), h] for r, n, h in rows), key=lambda row: (row[0] is None, row[0] or ""))


def fit_contacts(cur, as_of: date) -> tuple[dict, object]:
    """The fit job's compute (crm_core.model_fits.Fitter): every customer's class for ``as_of`` (the
    ranking ``customer_classes`` makes, over the whole store), last contact up to ``as_of`` over the
    interactions up to the largest id now, and rep and creation day (in the store's zone; with the
    digest of every rep's customers and the zone in the params), by rep, streamed FIT_CHUNK_ROWS at a
    time. The classes are a function of the transactions (whose version says when to refit), the
    contacts and the customers not: the reader adds what was logged since, checks that nothing was
    deleted and whether the customers digest alike (``_kept_plan``)."""
    from crm_core.segmentation import abc_classes_frame  # segmentation imports nothing of care
    from crm_core.sql import last_12_months_dates

    max_id, counted = cur.execute("SELECT coalesce(max(interaction_id), 0), count(*) FROM interactions").fetchall()[0]
    # the classes as ids and one-byte codes: at ten million customers the classification's whole
    # frame held most of a GB in the fit job; registered on the fit's own cursor, closed after it
    cur.register("care_fit_classes", abc_classes_frame(cur, *last_12_months_dates(as_of)))
    query = compose(_FIT_SQL, as_of=as_of, max_id=int(max_id))
    params = {"max_interaction_id": int(max_id), "interactions": int(counted), "customers": customers_digest(cur),
              "timezone": _zone(cur)}
    return params, relation(cur, query).to_arrow_reader(FIT_CHUNK_ROWS)


def contacts_fresh(store, cur, fit: Fit) -> bool:
    """The fit job's freshness test (``Fitter.fresh``): whether the customers digest as at ``fit``
    (else the page joins every customer until the job fits again; interactions logged since are
    added by the reader and need no refit)."""
    return fit.empty or (fit.params.get("customers") == customers_digest(cur)
                         and fit.params.get("timezone") == _zone(cur))


def _zone(cur) -> str:
    """The time zone ``cur`` turns times into days in (the store's)."""
    return cur.execute("SELECT current_setting('TimeZone')").fetchall()[0][0]


# Each customer's class and last contact, live: the interactions grouped, the classes a frame.
_LIVE_PLAN = """
    SELECT c.customer_id, c.sales_rep, c.created_at::DATE AS created_day, k.abc, l.last_contact FROM customers c
    LEFT JOIN care_contact_classes k USING (customer_id)
    LEFT JOIN (SELECT i.customer_id, max(i.occurred_at)::DATE AS last_contact
               FROM interactions i WHERE i.occurred_at::DATE <= $as_of::DATE AND {scope_interactions}
               GROUP BY i.customer_id) l USING (customer_id)
    WHERE {scope_customers} AND {reps}"""
# The interactions logged since the fit: each customer's last contact among them.
_SINCE = """(SELECT i.customer_id, max(i.occurred_at)::DATE AS last_contact FROM interactions i
               WHERE i.interaction_id > $max_id AND i.occurred_at::DATE <= $as_of::DATE AND {scope_interactions}
               GROUP BY i.customer_id)"""
# The same from the kept rows while a customer has changed since the fit: one join of the customers
# with one kept row each ...
_KEPT_PLAN = """
    SELECT c.customer_id, c.sales_rep, c.created_at::DATE AS created_day, k.abc, k.last_contact FROM customers c
    LEFT JOIN (SELECT customer_id, abc, last_contact FROM fit_care_contacts k
               WHERE k.fit_id = $contacts_fit AND {scope_kept}) k USING (customer_id)
    WHERE {scope_customers} AND {reps}"""
# ... with the interactions logged since the fit: the later of the two days.
_KEPT_AND_NEW_PLAN = """
    SELECT c.customer_id, c.sales_rep, c.created_at::DATE AS created_day, k.abc,
           greatest(k.last_contact, d.last_contact) AS last_contact
    FROM customers c
    LEFT JOIN (SELECT customer_id, abc, last_contact FROM fit_care_contacts k
               WHERE k.fit_id = $contacts_fit AND {scope_kept}) k USING (customer_id)
    LEFT JOIN """ + _SINCE + """ d USING (customer_id)
    WHERE {scope_customers} AND {reps}"""
# When the customers digest as at the fit (no one added, deleted, given to another rep or
# re-dated since), the kept rows of the customers on file (created_day set) are the customers,
# with their rep and creation day: the plan reads them alone, no join with ten million customers
# (nor a time-zone conversion of each creation time), and a rep's rows by the kept rep (the
# customers' own rule, access.of_rep, on the kept copy of their rep).
_WIDE_PLAN = """
    SELECT c.customer_id, c.sales_rep, c.created_day, c.abc, c.last_contact FROM fit_care_contacts c
    WHERE c.fit_id = $contacts_fit AND c.created_day IS NOT NULL AND {scope_wide} AND {reps}"""
_WIDE_AND_NEW_PLAN = """
    SELECT c.customer_id, c.sales_rep, c.created_day, c.abc, greatest(c.last_contact, d.last_contact) AS last_contact
    FROM fit_care_contacts c LEFT JOIN """ + _SINCE + """ d USING (customer_id)
    WHERE c.fit_id = $contacts_fit AND c.created_day IS NOT NULL AND {scope_wide} AND {reps}"""
# The kept counts against the interactions as the cursor sees them (the same customers on a rep's
# cursor: both tables are scoped by customer): a difference means an interaction the fit counted
# is gone, and the list is counted live. Also how many were logged since.
_KEPT_CHECK = """SELECT (SELECT coalesce(sum(interactions), 0) FROM fit_care_contacts WHERE fit_id = ?),
    count(*) FILTER (WHERE interaction_id <= ?), count(*) FILTER (WHERE interaction_id > ?) FROM interactions"""
# The same over the whole store: every interaction (a count DuckDB keeps) and those logged since (the
# newest row groups only).
_WHOLE_CHECK = """SELECT (SELECT count(*) FROM interactions),
    (SELECT count(*) FROM interactions WHERE interaction_id > ?)"""

# Each customer's interval (their own, else their class's: the class's place in the list of
# classes picks its interval, no join) and how many days overdue they are on as_of, in whole days
# (as_of − (last contact, else creation day) − interval: as_of − due date); due or overdue from 0.
_PLAN_SQL = """
WITH known AS ({known}),
plan AS (
    SELECT c.customer_id, c.sales_rep, c.abc, c.last_contact, c.created_day,
           coalesce(o.every_days, ($every_days::INTEGER[])[list_position($freq_classes::VARCHAR[], c.abc)]) AS every_days
    FROM known c LEFT JOIN contact_frequency o USING (customer_id)
),
overdue AS (
    SELECT sales_rep, customer_id, abc, every_days, last_contact, created_day,
           $as_of::DATE - coalesce(last_contact, created_day) - every_days AS days_overdue
    FROM plan WHERE $as_of::DATE - coalesce(last_contact, created_day) >= every_days
)
"""
# Per rep in the list's order (reps by name, no rep last): how many, the longest overdue, and how
# many rows of the reps before come first (the page's rows are then read from the reps they fall in).
_SUMMARY_SQL = _PLAN_SQL + """
SELECT sales_rep, count(*) AS overdue, max(days_overdue) AS max_days_overdue,
       sum(count(*)) OVER (ORDER BY sales_rep NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
           AS before
FROM overdue GROUP BY sales_rep ORDER BY sales_rep NULLS LAST
"""
# The page's rows; their due dates (last contact, else creation day, + interval) dated for them only.
_ROWS_SQL = _PLAN_SQL + """
SELECT sales_rep, customer_id, abc, every_days, last_contact,
       coalesce(last_contact, created_day) + every_days AS due_date, days_overdue
FROM (SELECT * FROM overdue ORDER BY sales_rep NULLS LAST, days_overdue DESC, customer_id LIMIT $limit OFFSET $offset)
ORDER BY sales_rep NULLS LAST, days_overdue DESC, customer_id
"""


def _frequency(frequency_by_class: Mapping[str, int] | None) -> dict[str, int]:
    frequency = dict(DEFAULT_CONTACT_DAYS if frequency_by_class is None else frequency_by_class)
    if any(int(days) < 1 for days in frequency.values()):
        raise ValueError(f"contact intervals must be at least 1 day: {frequency}")
    return frequency


def interactions_since(cur, fit: Fit, whole: bool = False) -> int | None:
    """How many interactions ``cur`` sees that were logged after ``fit`` (ids above the largest it
    counted), or None when one it counted is gone (``_KEPT_CHECK``). ``whole``: ``cur`` sees every
    interaction (a system cursor), so the fit's count in its params stands for its rows, and the
    interactions are counted from the table's size and its newest rows (ids only grow), not row by row."""
    max_id = int(fit.params["max_interaction_id"])
    if whole and "interactions" in fit.params:
        total, since = cur.execute(_WHOLE_CHECK, [max_id]).fetchall()[0]
        return None if total - since != fit.params["interactions"] else int(since)
    kept, counted, since = cur.execute(_KEPT_CHECK, [fit.fit_id, max_id, max_id]).fetchall()[0]
    return None if kept != counted else int(since)


def _kept_plan(cur, fit: Fit, scopes: dict, rep, wide_only: bool = False) -> Fragment | None:
    """Each customer's class and last contact from ``fit`` (and the interactions logged since), with
    their rep and creation day from the fit too while the customers of ``rep`` (None: all) digest
    as they did at the fit, in the same time zone; None when an interaction it counted is gone (or,
    ``wide_only``, when the customers do not digest alike)."""
    max_id = int(fit.params["max_interaction_id"])
    since = interactions_since(cur, fit, whole=wide_only)  # wide_only: read on a system cursor
    if since is None:
        return None
    if _customers_kept(cur, fit, rep):
        template = _WIDE_PLAN if since == 0 else _WIDE_AND_NEW_PLAN
    elif wide_only:
        return None
    else:
        template = _KEPT_PLAN if since == 0 else _KEPT_AND_NEW_PLAN
    return compose(template, contacts_fit=fit.fit_id, max_id=max_id, **scopes)  # a part it does not name is unused


def _customers_kept(cur, fit: Fit, rep) -> bool:
    """Whether the customers of ``rep`` (None: every one ``cur`` sees) are those ``fit`` kept, with
    the same reps and creation times, and days are taken in the same zone (``customers_digest``)."""
    kept = fit.params.get("customers")
    if kept is None or fit.params.get("timezone") != _zone(cur):
        return False
    reps = None if rep is None else {rep} if isinstance(rep, str) else set(rep)
    return customers_digest(cur, rep) == [row for row in kept if reps is None or row[0] in reps]


def plan_scopes(rep, reps: Fragment, actor: Actor | None = None) -> dict:
    """The scope fragments of the plan's tables for ``rep`` (None: everyone), ``reps``: the page's
    reps; ``actor``: the user a system cursor reads for (narrowed by ``access.visible``)."""
    return {"scope_kept": access.of_rep(rep, KEPT_TABLE, alias="k"),
            "scope_wide": access.of_rep(rep, "customers", alias="c") & access.visible(actor, "customers", alias="c"),
            "scope_interactions": access.of_rep(rep, "interactions", alias="i")
            & access.visible(actor, "interactions", alias="i"),
            "scope_customers": access.of_rep(rep, "customers", alias="c"), "reps": reps}


def kept_source(cur, as_of: date, scopes: dict, rep=None, wide_only: bool = False) -> Fragment | None:
    """The kept plan rows for ``as_of`` (``_kept_plan``) of ``rep``'s customers (None: all) when the
    fit is current, else None."""
    fit = model_fits.current_fit(cur, CARE_CONTACTS, as_of)
    return None if fit is None else _kept_plan(cur, fit, scopes, rep, wide_only)


def _overdue_query(cur, template: str, as_of: date, frequency_by_class, rep, classes, reps, actor=None,
                   **extra) -> Fragment | None:
    """``template`` over the plan, from the rows kept for ``as_of`` where current (on the caller's
    snapshot), live otherwise; ``classes`` is a callable giving the live class frame. With
    ``actor`` (``cur`` a system cursor reading for that user): from the kept rows alone, narrowed
    to what the user may see, or None."""
    frequency = _frequency(frequency_by_class)
    scopes = plan_scopes(rep, reps, actor)
    known = kept_source(cur, as_of, scopes, rep, wide_only=actor is not None)
    if known is None and actor is not None:
        return None
    if known is None:
        cur.register("care_contact_classes", classes()[["customer_id", "abc"]])
        known = compose(_LIVE_PLAN, **scopes)
    return compose(template, known=known, as_of=as_of, freq_classes=list(frequency),
                   every_days=[int(days) for days in frequency.values()], **extra)


def _in_snapshot(cur, build, read):
    """``read(query)`` for ``build(cur)``, fit headers and rows read in one snapshot (a refit landing
    meanwhile prunes the older fit's rows); the live class frame, if registered, dropped after."""
    cur.execute("BEGIN TRANSACTION")
    try:
        return read(build(cur))
    finally:
        cur.execute("ROLLBACK")  # read only
        cur.unregister("care_contact_classes")  # registered only when the classes were live; a no-op otherwise


_ALL_REPS = Fragment("TRUE")
# For a rep (or a viewer) the scoped cursor filters every table it reads through the customers (a
# semi-join of ten million kept rows and twenty-five million interactions, per query); while the
# kept rows hold every customer of the reps asked for as they are now (the digest), the list is
# read on a system cursor from the kept rows alone, narrowed to the user by the rule of the customers
# (access.visible) on the kept copy of their rep, and the checks and the rows in that one snapshot
# (crm_core.care.board._overdue). It holds nothing masked: ids, reps, classes, days.


def overdue_summary(cur, as_of: date, frequency_by_class: Mapping[str, int] | None, classes,
                    rep: str | None = None, actor: Actor | None = None) -> pd.DataFrame | None:
    """Per responsible rep (by name, no rep last): how many customers are due or overdue for a
    contact on ``as_of`` (``overdue``), the longest overdue in days (``max_days_overdue``) and how
    many of the list's rows come before the rep's (``before``) — what ``overdue_contacts`` lists,
    counted in SQL. ``classes()`` gives the class frame when the purchase model kept for ``as_of``
    is not current (called only then). ``actor``: ``cur`` is a system cursor read for that user,
    answering from the kept rows alone or not at all (None) — see ``kept_for``."""
    frame = _in_snapshot(cur, lambda c: _overdue_query(c, _SUMMARY_SQL, as_of, frequency_by_class, rep, classes,
                                                       _ALL_REPS, actor),
                         lambda query: None if query is None else run(cur, query).df())
    if frame is None:
        return None
    return frame.astype({"overdue": "int64", "before": "float64"}).fillna({"before": 0}).astype({"before": "int64"})


def overdue_rows(cur, as_of: date, frequency_by_class: Mapping[str, int] | None, classes, summary: pd.DataFrame,
                 offset: int, limit: int, rep: str | None = None, actor: Actor | None = None) -> pd.DataFrame | None:
    """Rows ``offset`` to ``offset + limit`` of the compact ``overdue_contacts`` list (sales_rep,
    customer_id, abc, every_days, last_contact, due_date, days_overdue; the same order), read from
    the reps those rows fall in (``summary``: ``overdue_summary``'s frame). ``actor``: as in
    ``overdue_summary`` (None when the kept rows alone cannot answer)."""
    wanted = summary[(summary["before"] < offset + limit) & (summary["before"] + summary["overdue"] > offset)]
    if wanted.empty or limit < 1:
        return _empty_rows()
    # The page's rows lie in a range of reps of the list's order (by name, the no-rep rows last):
    # only the customers of those reps are planned (a position in the list, not a scope).
    named = [str(r) for r in wanted["sales_rep"] if pd.notna(r)]
    reps = Fragment("c.sales_rep BETWEEN $first_rep AND $last_rep", {"first_rep": named[0], "last_rep": named[-1]}) \
        if named else Fragment("FALSE")
    if wanted["sales_rep"].isna().any():
        reps = Fragment(f"({reps.sql} OR c.sales_rep IS NULL)", reps.params)
    skip = int(offset - wanted["before"].iloc[0])
    return _in_snapshot(cur, lambda c: _overdue_query(c, _ROWS_SQL, as_of, frequency_by_class, rep, classes, reps,
                                                      actor, limit=int(limit), offset=max(skip, 0)),
                        lambda query: None if query is None else run(cur, query).df())


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame({"sales_rep": pd.Series(dtype=object), "customer_id": pd.Series(dtype="int64"),
                         "abc": pd.Series(dtype=object), "every_days": pd.Series(dtype="int32"),
                         "last_contact": pd.Series(dtype="datetime64[us]"),
                         "due_date": pd.Series(dtype="datetime64[us]"), "days_overdue": pd.Series(dtype="int64")})


def set_contact_frequency(con, customer_id: int, every_days: int | None) -> None:
    """Store (or with ``None`` remove) a customer's own contact interval in days.

    One statement, so one transaction; call it through the store's write path. Raises
    ``ValueError`` if ``every_days`` is not a positive integer.
    """
    if every_days is None:
        con.execute("DELETE FROM contact_frequency WHERE customer_id = ?", [customer_id])
        return
    if int(every_days) != every_days or every_days < 1:
        raise ValueError(f"every_days must be a positive whole number, got {every_days!r}")
    con.execute(
        "INSERT OR REPLACE INTO contact_frequency (customer_id, every_days, updated_at) "
        "VALUES (?, ?, current_timestamp)", [customer_id, int(every_days)])


def set_contact_every(store: Store, actor: Actor, customer_id: int, every_days: int | None) -> None:
    """:func:`set_contact_frequency` for a user: write permission, own customers only for a rep,
    one transaction with an audit row (field ``contact_every_days``)."""
    actor.require_write()
    if get_customer(store, actor, customer_id) is None:
        raise PermissionDenied("err.customer_not_found")
    with store.transaction() as cur:
        old = cur.execute("SELECT every_days FROM contact_frequency WHERE customer_id = ?",
                          [int(customer_id)]).fetchone()
        set_contact_frequency(cur, int(customer_id), every_days)
        write_audit(cur, actor, "update", "customer", int(customer_id), "contact_every_days",
                    None if old is None else old[0], None if every_days is None else int(every_days))
