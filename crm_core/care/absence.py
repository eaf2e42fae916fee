"""Long-absent customers: the Oriental Hotel's birthday card to a guest away for three years.

A *purchase* is a transaction with ``amount > 0``; returns and corrections do not bring a
customer back.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from crm_core.care.key_dates import anniversary_sql

_LONG_ABSENT_SQL = f"""
WITH prm AS (SELECT ?::DATE AS as_of, CAST(?::DATE - to_months(?) AS DATE) AS cutoff,
                    ?::INTEGER AS top_n, ?::INTEGER AS soon_days),
purchases AS (
    SELECT t.customer_id, t.txn_date, t.product, t.quantity
    FROM transactions t, prm WHERE t.amount > 0 AND t.txn_date <= prm.as_of
),
absent AS (
    SELECT customer_id, max(txn_date) AS last_purchase, count(*) AS purchases
    FROM purchases GROUP BY customer_id
    HAVING max(txn_date) <= (SELECT cutoff FROM prm)
),
by_product AS (
    SELECT p.customer_id, p.product, count(*) AS n, sum(p.quantity) AS qty
    FROM purchases p SEMI JOIN absent a ON p.customer_id = a.customer_id
    WHERE p.product IS NOT NULL GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY customer_id
                                 ORDER BY n DESC, qty DESC NULLS LAST, product) AS rk
    FROM by_product QUALIFY rk <= (SELECT top_n FROM prm)
),
usual AS (SELECT customer_id, list(product ORDER BY rk) AS usual_products FROM ranked GROUP BY ALL),
birthdays AS (
    SELECT c.customer_id,
           CASE WHEN {anniversary_sql('c.birthday', 'year(prm.as_of)')} >= prm.as_of
                THEN {anniversary_sql('c.birthday', 'year(prm.as_of)')}
                ELSE {anniversary_sql('c.birthday', 'year(prm.as_of) + 1')} END AS next_birthday
    FROM customers c, prm WHERE c.birthday IS NOT NULL
)
SELECT c.customer_id, c.code, c.name, c.sales_rep, c.phone, a.last_purchase,
       prm.as_of - a.last_purchase AS days_absent, a.purchases,
       coalesce(u.usual_products, []::VARCHAR[]) AS usual_products, c.preferences, c.birthday,
       b.next_birthday, coalesce(b.next_birthday - prm.as_of < prm.soon_days, FALSE) AS birthday_soon
FROM absent a JOIN customers c USING (customer_id) CROSS JOIN prm
LEFT JOIN usual u USING (customer_id) LEFT JOIN birthdays b USING (customer_id)
ORDER BY birthday_soon DESC, CASE WHEN birthday_soon THEN b.next_birthday END, a.last_purchase,
         c.customer_id
"""


def long_absent(con, as_of: date, months: int, top_products: int = 3,
                birthday_days: int = 30) -> pd.DataFrame:
    """Customers whose last purchase is at least ``months`` calendar months before ``as_of``.

    "At least 3 months" on 2025-06-30 means a last purchase on or before 2025-03-30 (DuckDB month
    arithmetic clamps 31 May − 3 months to 28/29 February). Purchases after ``as_of`` are
    ignored, so the list can be replayed for a past day. Customers who never bought are
    prospects, not absentees, and are left out.
    Columns: customer_id, code, name, sales_rep, phone, last_purchase, days_absent, purchases,
    usual_products (list of up to ``top_products`` product names, most often bought first;
    ties by quantity, then name), preferences, birthday, next_birthday (29 February → 28 February
    in other years), birthday_soon (next birthday within ``[as_of, as_of + birthday_days)``).
    Sorted: birthday_soon first (soonest birthday first), then longest absent first.
    Raises ``ValueError`` if ``months < 1``, ``top_products < 1`` or ``birthday_days < 1``.
    """
    if months < 1 or top_products < 1 or birthday_days < 1:
        raise ValueError("months, top_products and birthday_days must each be at least 1")
    frame = con.execute(_LONG_ABSENT_SQL, [as_of, as_of, months, top_products, birthday_days]).df()
    frame["usual_products"] = frame["usual_products"].map(list)
    return frame
