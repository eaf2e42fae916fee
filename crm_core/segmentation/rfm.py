"""RFM quintile scores and named segments."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from crm_core.definitions import PURCHASE
from crm_core.segmentation.abc import check_period

# ---------------------------------------------------------------------------------------------
# RFM
# ---------------------------------------------------------------------------------------------

# (segment, R scores, F scores); every (R, F) cell of the 5 × 5 grid is in exactly one row.
RFM_SEGMENT_RULES = (
    ("champions", (5,), (4, 5)),
    ("loyal", (3, 4), (4, 5)),
    ("potential_loyalist", (4, 5), (2, 3)),
    ("new_customers", (5,), (1,)),
    ("promising", (4,), (1,)),
    ("need_attention", (3,), (3,)),
    ("about_to_sleep", (3,), (1, 2)),
    ("cannot_lose", (1, 2), (5,)),
    ("at_risk", (1, 2), (3, 4)),
    ("hibernating", (2,), (1, 2)),
    ("lost", (1,), (1, 2)),
)
RFM_SEGMENTS = tuple(rule[0] for rule in RFM_SEGMENT_RULES)


def _rfm_segment_grid() -> np.ndarray:
    grid = np.full((5, 5), "", dtype=object)
    for segment, r_scores, f_scores in RFM_SEGMENT_RULES:
        for r in r_scores:
            for f in f_scores:
                grid[r - 1, f - 1] = segment
    return grid


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..5 by midpoint percentile: with average rank r (ties share it) among n values,
    score = 1 + floor(5·(r − ½)/n), computed in integers. Distinct values split into fifths
    (10 values: 1,1,2,2,…,5,5); one value, or all tied, scores 3; 2 values score 2 and 4."""
    n = len(values)
    ranks = (values if higher_is_better else -values).rank(method="average").to_numpy()
    twice_rank = np.rint(2 * ranks).astype("int64")
    return pd.Series(1 + (5 * (twice_rank - 1)) // (2 * n), index=values.index, dtype="int64")


def rfm_scores(rfm: pd.DataFrame) -> pd.DataFrame:
    """RFM quintile scores and named segments.

    ``rfm`` has ``customer_id``, ``recency_days`` (days since the last purchase), ``frequency``
    and ``monetary``. Adds ``r_score`` (most recent = 5), ``f_score``, ``m_score`` (highest =
    5), each by ``quintile_score``, and ``segment`` from ``RFM_SEGMENT_RULES`` on (R, F):

        R\\F   1               2                  3                  4          5
        5     new_customers   potential_loyalist potential_loyalist champions  champions
        4     promising       potential_loyalist potential_loyalist loyal      loyal
        3     about_to_sleep  about_to_sleep     need_attention     loyal      loyal
        2     hibernating     hibernating        at_risk            at_risk    cannot_lose
        1     lost            lost               at_risk            at_risk    cannot_lose

    Raises ValueError when a column is missing or holds missing values.
    """
    columns = ["customer_id", "recency_days", "frequency", "monetary"]
    missing = [c for c in columns if c not in rfm.columns]
    if missing:
        raise ValueError(f"RFM frame lacks column(s): {', '.join(missing)}")
    if rfm[columns[1:]].isna().any().any():
        raise ValueError("recency_days, frequency and monetary must all be known")
    scored = rfm.reset_index(drop=True).copy()
    scored["r_score"] = quintile_score(pd.to_numeric(scored["recency_days"]).astype(float), False)
    scored["f_score"] = quintile_score(pd.to_numeric(scored["frequency"]).astype(float))
    scored["m_score"] = quintile_score(pd.to_numeric(scored["monetary"]).astype(float))
    grid = _rfm_segment_grid()
    scored["segment"] = grid[scored["r_score"].to_numpy() - 1, scored["f_score"].to_numpy() - 1]
    return scored


def rfm_table_sql(db, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer from ``transactions`` dated
    ``start``..``end``: ``recency_days`` = days from the last purchase (amount > 0) to
    ``as_of`` (default ``end``), ``frequency`` = number of distinct days with a purchase,
    ``monetary`` = net amount (returns subtract). Customers without a purchase in the period
    are left out. Raises ValueError when start > end or as_of < end.
    """
    check_period(start, end)
    as_of = end if as_of is None else as_of
    if as_of < end:
        raise ValueError(f"as_of {as_of} is before the period end {end}")
    sql = """
    SELECT customer_id,
           date_diff('day', MAX(txn_date) FILTER (WHERE """ + PURCHASE + """), CAST(? AS DATE)) AS recency_days,
           COUNT(DISTINCT txn_date) FILTER (WHERE """ + PURCHASE + """) AS frequency,
           CAST(SUM(amount) AS DOUBLE) AS monetary
    FROM transactions
    WHERE txn_date BETWEEN ? AND ?
    GROUP BY customer_id
    HAVING COUNT(*) FILTER (WHERE """ + PURCHASE + """) > 0
    ORDER BY customer_id"""
    return db.execute(sql, [as_of, start, end]).df()


def segment_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Customers and revenue per RFM segment of an ``rfm_scores`` result: columns
    ``segment`` (every segment, in ``RFM_SEGMENTS`` order), ``customers``, ``revenue`` (sum of
    ``monetary``) and ``revenue_share`` (NaN when total revenue is 0)."""
    grouped = scored.groupby("segment")["monetary"].agg(["count", "sum"])
    grouped = grouped.reindex(list(RFM_SEGMENTS), fill_value=0)
    total = float(grouped["sum"].sum())
    return pd.DataFrame({
        "segment": list(RFM_SEGMENTS),
        "customers": grouped["count"].to_numpy(dtype="int64"),
        "revenue": grouped["sum"].to_numpy(dtype=float),
        "revenue_share": grouped["sum"].to_numpy(dtype=float) / total if total else np.nan,
    })


