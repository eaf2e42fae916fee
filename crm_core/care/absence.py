"""Long-absent customers: the Oriental Hotel's birthday card to a guest away for three years.

A *purchase* is a transaction with ``amount > 0``; returns and corrections do not bring a
customer back.

Counted and paged, so that a page at 10,000,000 customers pulls only what it shows:
:func:`long_absent_counts` (how many, how many with a birthday soon), :func:`long_absent_list`
(who, in order — compact columns — a page of them) and :func:`usual_products` (the usual choices
of a few customers). (The tests' ``long_absent`` in tests/reference.py puts both together.)
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd

from crm_core import access, summaries
from crm_core.care.key_dates import anniversary_sql, month_days
from crm_core.definitions import PURCHASE_T
from crm_core.sql import Fragment, compose, run


def _next_birthday(birthday: str) -> str:
    """SQL: the first anniversary of ``birthday`` on or after prm.as_of (29 February: key_dates' rule)."""
    this_year, next_year = anniversary_sql(birthday, "year(prm.as_of)"), anniversary_sql(birthday, "year(prm.as_of) + 1")
    return f"CASE WHEN {this_year} >= prm.as_of THEN {this_year} ELSE {next_year} END"


# Who is away (``absent``: last purchase and purchases), and which of them have a birthday within
# soon_days (``soon``: only the customers whose birthday's month and day can fall in that window are
# dated, key_dates.month_days). The list's order: birthdays soon first (soonest first), then the
# longest absent, then by id (total, so a page read with LIMIT/OFFSET is a slice of the list).
_LISTED_SQL = f"""
WITH prm AS (SELECT $as_of::DATE AS as_of, CAST($as_of::DATE - to_months($months) AS DATE) AS cutoff,
                    $soon_days::INTEGER AS soon_days),
sc AS (SELECT customer_id FROM customers WHERE {{scope}}),
absent AS ({{absent}}),
soon AS (
    SELECT customer_id, next_birthday FROM (
        SELECT c.customer_id, {_next_birthday('c.birthday')} AS next_birthday FROM customers c, prm
        WHERE c.birthday IS NOT NULL AND {{near}} AND {{scope}})
    WHERE next_birthday - (SELECT as_of FROM prm) < (SELECT soon_days FROM prm)
),
listed AS (
    SELECT a.customer_id, a.last_purchase, a.purchases, s.next_birthday AS soon_day
    FROM absent a LEFT JOIN soon s USING (customer_id)
)
"""
_ORDER = "soon_day IS NULL, soon_day, last_purchase, customer_id"
_COUNTS_SQL = _LISTED_SQL + "SELECT count(*) AS absent, count(soon_day) AS soon FROM listed"
# A page of the list, each row with how many are listed and how many have a birthday soon (counted
# over the whole list before the page is cut: one query for the count and the page); every listed
# customer's next birthday is shown, dated for the page's rows only.
_PAGE_SQL = _LISTED_SQL + f"""
, page AS (SELECT *, count(*) OVER () AS listed_absent, count(soon_day) OVER () AS listed_soon FROM listed
           ORDER BY {_ORDER} LIMIT $limit OFFSET $offset)
SELECT p.customer_id, p.last_purchase, prm.as_of - p.last_purchase AS days_absent, p.purchases,
       b.next_birthday, p.soon_day IS NOT NULL AS birthday_soon, p.listed_absent, p.listed_soon
FROM page p CROSS JOIN prm
LEFT JOIN (SELECT c.customer_id, {_next_birthday('c.birthday')} AS next_birthday FROM customers c, prm
           WHERE c.birthday IS NOT NULL AND c.customer_id IN (SELECT customer_id FROM page)) b USING (customer_id)
ORDER BY {_ORDER}
"""
# Last purchase up to as_of and purchases per customer away since the cutoff, from the rows.
_ABSENT_FROM_ROWS = f"""
    SELECT t.customer_id, max(t.txn_date) AS last_purchase, count(*) AS purchases
    FROM transactions t, prm WHERE {PURCHASE_T} AND t.txn_date <= prm.as_of
      {{scope_and}} {{only}}
    GROUP BY t.customer_id
    HAVING max(t.txn_date) <= (SELECT cutoff FROM prm)"""
# The same from the customer summaries (crm_core.summaries) when the store keeps them current: a
# customer whose last purchase ever is on or before the cutoff (before as_of) has every purchase
# up to as_of; only those whose last purchase comes after as_of need their rows (none when as_of
# is the data's last day).
_ABSENT_FROM_SUMMARIES = """
    SELECT s.customer_id, s.last_purchase, s.purchases FROM customer_summary s, prm
    WHERE s.last_purchase <= prm.cutoff {scope_and_s}
    UNION ALL """ + _ABSENT_FROM_ROWS
# When no customer bought after as_of (as_of on or after the data's last day: the page's default),
# the rows add nobody, but DuckDB would still probe every transaction against the empty set of
# later buyers (3 s at 3M customers): the summaries alone then give the same list.
_ABSENT_SUMMARIES_ONLY = _ABSENT_FROM_SUMMARIES.split("UNION ALL")[0]
_LATER_ONLY = Fragment("AND t.customer_id IN (SELECT customer_id FROM customer_summary, prm"
                       " WHERE last_purchase > prm.as_of)")
# Purchases of the customers in scope (sc), when the scope is narrower than everyone.
_SCOPE_AND = Fragment("AND t.customer_id IN (SELECT customer_id FROM sc)")
_SCOPE_AND_S = Fragment("AND s.customer_id IN (SELECT customer_id FROM sc)")

_USUAL_SQL = """
WITH ids AS (SELECT DISTINCT unnest(?::BIGINT[]) AS customer_id),
by_product AS (
    SELECT t.customer_id, t.product, count(*) AS n, sum(t.quantity) AS qty
    FROM transactions t
    WHERE """ + PURCHASE_T + """ AND t.txn_date <= ?::DATE AND t.product IS NOT NULL
      AND t.customer_id IN (SELECT customer_id FROM ids)
    GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY customer_id
                                 ORDER BY n DESC, qty DESC NULLS LAST, product) AS rk
    FROM by_product QUALIFY rk <= ?::INTEGER
)
SELECT ids.customer_id,
       coalesce(list(r.product ORDER BY r.rk) FILTER (WHERE r.product IS NOT NULL), []::VARCHAR[])
           AS usual_products
FROM ids LEFT JOIN ranked r USING (customer_id) GROUP BY ids.customer_id
"""



def _bought_later(db, as_of: date) -> bool:
    """Whether any customer (the cursor sees) made a purchase after ``as_of``: one summary scan."""
    return db.execute("SELECT count(*) > 0 FROM customer_summary WHERE last_purchase > ?", [as_of]).fetchone()[0]


def _check(months: int, top_products: int, birthday_days: int) -> None:
    if months < 1 or top_products < 1 or birthday_days < 1:
        raise ValueError("months, top_products and birthday_days must each be at least 1")


def long_absent_list(db, as_of: date, months: int, birthday_days: int = 30,
                     rep: str | None = None, offset: int = 0, limit: int | None = None) -> pd.DataFrame:
    """Who has been away at least ``months`` calendar months on ``as_of``, in the order to call them.

    Columns: customer_id, last_purchase, days_absent, purchases, next_birthday, birthday_soon
    (numbers and dates only). ``rep`` keeps one sales rep's customers. Rows ``offset`` to ``offset +
    limit`` of the list (``limit`` None: all): a page at ten million customers reads 50 of a
    million absentees. Rules and order: see the module docstring and ``_LISTED_SQL``.
    """
    return long_absent_page(db, as_of, months, birthday_days, rep, offset, limit)[0]


def long_absent_page(db, as_of: date, months: int, birthday_days: int = 30, rep: str | None = None,
                     offset: int = 0, limit: int | None = None) -> tuple[pd.DataFrame, int, int]:
    """(``long_absent_list``'s rows ``offset``…, how many it lists, how many of them have a birthday
    soon): the page and its counts in one query (counted separately only for a page past the end)."""
    frame = run(db, _absent_query(db, as_of, months, birthday_days, rep, _PAGE_SQL,
                                  limit=limit, offset=int(offset))).df()
    if frame.empty:
        absent, soon = long_absent_counts(db, as_of, months, birthday_days, rep) if offset > 0 else (0, 0)
    else:
        absent, soon = int(frame["listed_absent"].iloc[0]), int(frame["listed_soon"].iloc[0])
    return frame.drop(columns=["listed_absent", "listed_soon"]), absent, soon


def long_absent_counts(db, as_of: date, months: int, birthday_days: int = 30,
                       rep: str | None = None) -> tuple[int, int]:
    """(how many ``long_absent_list`` lists, how many of them have a birthday soon), counted in SQL."""
    absent, soon = run(db, _absent_query(db, as_of, months, birthday_days, rep, _COUNTS_SQL)).fetchall()[0]
    return int(absent), int(soon)


def _absent_query(db, as_of: date, months: int, birthday_days: int, rep: str | None, template: str,
                  **extra) -> Fragment:
    """``template`` (over ``_LISTED_SQL``) with the absentees read from the customer summaries when
    they are current (and nobody bought after ``as_of``: the summaries alone), else from the rows."""
    _check(months, 1, birthday_days)
    scope = access.of_rep(rep, "customers")
    scope_and = Fragment("") if rep is None else _SCOPE_AND
    if summaries.usable(db):
        scope_and_s = Fragment("") if rep is None else _SCOPE_AND_S
        if _bought_later(db, as_of):
            absent = compose(_ABSENT_FROM_SUMMARIES, scope_and=scope_and, only=_LATER_ONLY, scope_and_s=scope_and_s)
        else:
            absent = compose(_ABSENT_SUMMARIES_ONLY, scope_and_s=scope_and_s)
    else:
        absent = compose(_ABSENT_FROM_ROWS, scope_and=scope_and, only=Fragment(""))
    near = month_days(as_of, as_of + timedelta(days=birthday_days), "c.birthday")
    return compose(template, scope=scope, absent=absent, near=near, as_of=as_of, months=months,
                   soon_days=birthday_days, **extra)


def usual_products(db, customer_ids: Iterable[int], as_of: date, top_products: int = 3) -> pd.DataFrame:
    """customer_id → usual_products: up to ``top_products`` products most often bought up to
    ``as_of`` (ties by quantity, then name), as a Python list (empty if none recorded)."""
    if top_products < 1:
        raise ValueError("top_products must be at least 1")
    ids = [int(i) for i in customer_ids]
    frame = db.execute(_USUAL_SQL, [ids, as_of, top_products]).df()
    frame["usual_products"] = frame["usual_products"].map(list)
    return frame


