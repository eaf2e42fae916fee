"""RFM quintile scores and named segments."""
from __future__ import annotations

from contextlib import closing
from datetime import date

import duckdb
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


def quintile_sql(value: str, count: str, n: str, higher_is_better: bool = True, before: str = "0") -> str:
    """The quintile rule of ``quintile_score`` as one SQL window expression, the one place it is
    written: over a relation with one row per distinct ``value`` (SQL text) held by ``count`` of
    the ``n`` values ranked, the score of that value. With the values in order (best last), a
    value's tied run is ranks a..b, its average rank r = (a + b)/2 and b = (values up to and
    including it), so 2r − 1 = 2b − count and score = 1 + ⌊5·(2b − count) / 2n⌋. ``before``:
    how many of the n values rank below the relation's first value (0 when it holds them all)."""
    order = value if higher_is_better else f"{value} DESC"
    up_to = f"({before} + SUM({count}) OVER (ORDER BY {order}))"
    return f"CAST(1 + (5 * (2 * {up_to} - {count})) // (2 * {n}) AS BIGINT)"


def segment_sql(r_score: str, f_score: str) -> str:
    """``RFM_SEGMENT_RULES`` as a SQL CASE on the SQL texts ``r_score`` and ``f_score``."""
    whens = " ".join(f"WHEN {r_score} IN ({', '.join(map(str, rs))}) AND {f_score} IN ({', '.join(map(str, fs))}) "
                     f"THEN '{segment}'" for segment, rs, fs in RFM_SEGMENT_RULES)
    return f"CASE {whens} END"


def _on_frame(sql: str, **frames: pd.DataFrame) -> pd.DataFrame:
    """``sql`` run over pandas ``frames`` (registered under their keyword names) in DuckDB."""
    with closing(duckdb.connect()) as db:
        for name, frame in frames.items():
            db.register(name, frame)
        return db.execute(sql).df()


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..5 by midpoint percentile: with average rank r (ties share it) among n values,
    score = 1 + floor(5·(r − ½)/n), computed in integers (``quintile_sql`` run over the values).
    Distinct values split into fifths (10 values: 1,1,2,2,…,5,5); one value, or all tied, scores 3;
    2 values score 2 and 4."""
    frame = pd.DataFrame({"v": _as_float(values), "row": np.arange(len(values))})
    scores = _on_frame(f"""WITH counts AS (SELECT v, COUNT(*) AS c FROM frame GROUP BY v),
                           scored AS (SELECT v, {quintile_sql("v", "c", "n", higher_is_better)} AS score
                                      FROM counts, (SELECT COUNT(*) AS n FROM frame))
                           SELECT score FROM frame LEFT JOIN scored USING (v)
                           ORDER BY frame.row""", frame=frame)["score"] if len(frame) else []
    return pd.Series(np.asarray(scores, dtype="int64"), index=values.index, dtype="int64")


def _as_float(values: pd.Series) -> np.ndarray:
    """Values as floats, as they are ranked; + 0.0 makes a −0.0 the 0.0 it ties with."""
    return pd.to_numeric(values).astype(float).to_numpy() + 0.0


# The RFM scores of a relation ``rfm_rows`` (customer_id, recency_days, frequency, monetary; every
# figure known): CTEs ``rfm_n`` (n), ``r_scores`` (recency_days, r_score), ``f_scores``
# (frequency, f_score) and ``m_scores`` (monetary, m_score), each score by ``quintile_sql`` over the
# distinct values, not by a window over every row. ``rfm_scores`` runs it over a frame, the
# Segmentation page over the store (crm_core.segmentation.views).
RFM_N = "rfm_n AS (SELECT COUNT(*) AS n FROM rfm_rows)"


def score_cte(name: str, column: str, score: str, higher_is_better: bool = True,
              counts: str = "rfm_rows", count: str = "COUNT(*)") -> str:
    """CTE ``name`` (``column``, ``score``) of ``column``'s distinct values in ``counts`` (each
    counted by ``count``), scored among ``rfm_n``'s n by ``quintile_sql``."""
    return f"""{name} AS (
        SELECT {column}, {quintile_sql(column, "c", "n", higher_is_better)} AS {score}
        FROM (SELECT {column}, {count} AS c FROM {counts} GROUP BY {column}), rfm_n)"""


RFM_SCORE_CTES = ",\n    ".join((RFM_N, score_cte("r_scores", "recency_days", "r_score", False),
                                  score_cte("f_scores", "frequency", "f_score"),
                                  score_cte("m_scores", "monetary", "m_score")))
RFM_SEGMENT = segment_sql("r_score", "f_score")


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

    Computed by ``RFM_SCORE_CTES`` and ``RFM_SEGMENT`` in DuckDB over the frame (the same SQL the
    Segmentation page runs over the store). Raises ValueError when a column is missing or holds
    missing values.
    """
    columns = ["customer_id", "recency_days", "frequency", "monetary"]
    missing = [c for c in columns if c not in rfm.columns]
    if missing:
        raise ValueError(f"RFM frame lacks column(s): {', '.join(missing)}")
    if rfm[columns[1:]].isna().any().any():
        raise ValueError("recency_days, frequency and monetary must all be known")
    scored = rfm.reset_index(drop=True).copy()
    figures = pd.DataFrame({c: _as_float(scored[c]) for c in columns[1:]})  # ranked as floats
    figures["row"] = np.arange(len(figures))
    scores = _on_frame(f"""WITH {RFM_SCORE_CTES}
        SELECT r_score, f_score, m_score, {RFM_SEGMENT} AS segment
        FROM rfm_rows JOIN r_scores USING (recency_days) JOIN f_scores USING (frequency)
        JOIN m_scores USING (monetary) ORDER BY rfm_rows.row""", rfm_rows=figures)
    for column in ("r_score", "f_score", "m_score"):
        scored[column] = scores[column].to_numpy(dtype="int64")
    scored["segment"] = scores["segment"].to_numpy(dtype=object)
    return scored


# rfm_table_sql's figures (parameters $start, $end, $as_of); also the RFM tab's live rows.
RFM_TABLE = """
    SELECT customer_id,
           date_diff('day', MAX(txn_date) FILTER (WHERE """ + PURCHASE + """), CAST($as_of AS DATE)) AS recency_days,
           COUNT(DISTINCT txn_date) FILTER (WHERE """ + PURCHASE + """) AS frequency,
           CAST(SUM(amount) AS DOUBLE) AS monetary
    FROM transactions
    WHERE txn_date BETWEEN $start AND $end
    GROUP BY customer_id
    HAVING COUNT(*) FILTER (WHERE """ + PURCHASE + """) > 0"""


def rfm_as_of(start: date, end: date, as_of: date | None = None) -> date:
    """The day recency counts to: ``as_of``, default ``end``. Raises ValueError when start > end
    or as_of < end."""
    check_period(start, end)
    as_of = end if as_of is None else as_of
    if as_of < end:
        raise ValueError(f"as_of {as_of} is before the period end {end}")
    return as_of


def rfm_table_sql(db, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer from ``transactions`` dated
    ``start``..``end``: ``recency_days`` = days from the last purchase (amount > 0) to
    ``as_of`` (default ``end``), ``frequency`` = number of distinct days with a purchase,
    ``monetary`` = net amount (returns subtract). Customers without a purchase in the period
    are left out. Raises ValueError when start > end or as_of < end.
    """
    as_of = rfm_as_of(start, end, as_of)
    return db.execute(RFM_TABLE + " ORDER BY customer_id", {"as_of": as_of, "start": start, "end": end}).df()


# The revenue of a segment: its customers' ``monetary`` summed in whole cents, exact whatever order
# the rows (or DuckDB's threads) add in.
SEGMENT_REVENUE = "CAST(SUM(CAST(monetary AS DECIMAL(18, 2))) AS DOUBLE)"


def segment_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Customers and revenue per RFM segment of an ``rfm_scores`` result: columns
    ``segment`` (every segment, in ``RFM_SEGMENTS`` order), ``customers``, ``revenue`` (sum of
    ``monetary``, in whole cents) and ``revenue_share`` (NaN when total revenue is 0)."""
    grouped = _on_frame(f"SELECT segment, COUNT(*) AS customers, {SEGMENT_REVENUE} AS revenue FROM scored "
                        "GROUP BY segment", scored=scored[["segment", "monetary"]])
    return summary_frame(grouped)


def summary_frame(grouped: pd.DataFrame) -> pd.DataFrame:
    """``segment_summary``'s frame from one row per segment with customers (``segment``,
    ``customers``, ``revenue``): every segment in order, and the shares of the total."""
    grouped = grouped.set_index("segment").reindex(list(RFM_SEGMENTS), fill_value=0)
    revenue = grouped["revenue"].to_numpy(dtype=float)
    total = float(revenue.sum())
    return pd.DataFrame({
        "segment": list(RFM_SEGMENTS),
        "customers": grouped["customers"].to_numpy(dtype="int64"),
        "revenue": revenue,
        "revenue_share": revenue / total if total else np.nan,
    })
