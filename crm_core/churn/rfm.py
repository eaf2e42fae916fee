"""Per-customer RFM summary in the sense of lifetimes' ``summary_data_from_transaction_data``.

Time is measured in whole days and expressed in weeks (days / 7), the scale the BG/NBD and
Gamma-Gamma fits expect and the one the CDNOW reference uses. Purchases by one customer on one
day count as one purchase with the amounts summed.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from crm_core.sql import fetch_frame

SUMMARY_COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary_value"]
DAYS_PER_WEEK = 7.0


def daily_purchases(transactions: pd.DataFrame, observation_end, customer_col: str = "customer_id",
                    date_col: str = "date", amount_col: str = "amount") -> pd.DataFrame:
    """One row per customer and purchase day up to ``observation_end`` (None: all): customer_id, day, amount.

    Sorted by customer then day. Raises ValueError when a column is missing or a date is empty.
    """
    missing = [c for c in (customer_col, date_col, amount_col) if c not in transactions.columns]
    if missing:
        raise ValueError(f"transactions lacks column(s) {missing}; it needs customer id, date and amount")
    days = pd.to_datetime(transactions[date_col]).dt.normalize()
    if days.isna().any():
        raise ValueError(f"{int(days.isna().sum())} transaction(s) have no date")
    frame = pd.DataFrame({
        "customer_id": transactions[customer_col].to_numpy(),
        "day": days.to_numpy(),
        "amount": pd.to_numeric(transactions[amount_col]).astype("float64").to_numpy(),
    })
    if observation_end is not None:
        frame = frame[frame["day"] <= pd.Timestamp(observation_end)]
    return frame.groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index()


def rfm_summary(transactions: pd.DataFrame, observation_end, customer_col: str = "customer_id",
                date_col: str = "date", amount_col: str = "amount") -> pd.DataFrame:
    """customer_id, frequency, recency, T, monetary_value per customer, time in weeks.

    ``transactions``: one row per purchase with customer id, date (anything ``pd.to_datetime``
    reads) and amount; rows after ``observation_end`` are ignored. frequency = purchase days after
    the first; recency = weeks from first to last purchase day; T = weeks from first purchase day
    to ``observation_end``; monetary_value = mean amount of the repeat purchase days (the first is
    left out, as the Gamma-Gamma model needs), 0 when frequency is 0. Sorted by customer_id.
    """
    daily = daily_purchases(transactions, observation_end, customer_col, date_col, amount_col)
    per = daily.groupby("customer_id", sort=True).agg(
        purchases=("day", "size"), first_day=("day", "min"), last_day=("day", "max"),
        total=("amount", "sum"), first_amount=("amount", "first"),
    )
    frequency = per["purchases"] - 1
    repeat_total = per["total"] - per["first_amount"]
    return pd.DataFrame({
        "customer_id": per.index.to_numpy(),
        "frequency": frequency.to_numpy("int64"),
        "recency": ((per["last_day"] - per["first_day"]).dt.days / DAYS_PER_WEEK).to_numpy("float64"),
        "T": ((pd.Timestamp(observation_end) - per["first_day"]).dt.days / DAYS_PER_WEEK).to_numpy("float64"),
        "monetary_value": (repeat_total / frequency.where(frequency > 0)).fillna(0.0).to_numpy("float64"),
    })


_RFM_SQL = """
WITH daily AS (
    SELECT customer_id, txn_date AS day, SUM(amount) AS amount
    FROM transactions
    WHERE txn_date <= ? AND (CAST(? AS DATE) IS NULL OR txn_date >= CAST(? AS DATE))
    GROUP BY customer_id, txn_date
), per AS (
    SELECT customer_id, COUNT(*) AS purchases, MIN(day) AS first_day, MAX(day) AS last_day,
           SUM(amount) AS total, arg_min(amount, day) AS first_amount
    FROM daily
    GROUP BY customer_id
)
SELECT customer_id,
       CAST(purchases - 1 AS BIGINT) AS frequency,
       date_diff('day', first_day, last_day) / 7.0 AS recency,
       date_diff('day', first_day, CAST(? AS DATE)) / 7.0 AS "T",
       CAST(CASE WHEN purchases > 1 THEN (total - first_amount) / (purchases - 1) ELSE 0 END
            AS DOUBLE) AS monetary_value
FROM per
ORDER BY customer_id
"""


def rfm_summary_sql(db, observation_end: date, start: date | None = None) -> pd.DataFrame:
    """:func:`rfm_summary` computed in DuckDB over the ``transactions`` table (the 10M-row path).

    ``db``: a DuckDB cursor. Only transactions dated ``start`` (inclusive, if given)
    to ``observation_end`` (inclusive) count. Same columns and meaning as :func:`rfm_summary`.
    """
    end = pd.Timestamp(observation_end).date()
    begin = None if start is None else pd.Timestamp(start).date()
    frame = fetch_frame(db.execute(_RFM_SQL, [end, begin, begin, end]))  # bounded: millions of buyers
    return frame.astype({"frequency": "int64", "recency": "float64", "T": "float64",
                         "monetary_value": "float64"})
