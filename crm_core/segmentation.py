"""Customer segmentation (客户细分), domain.md §2.

ABC classes (seed 002) and their concentration (80/20 share, Gini, Lorenz curve); movement of
customers between classes; big-customer identification by revenue and by non-monetary value
(seed 001); RFM segments; need types (seed 001); resource allocation by tier (seed 000).

Every function is a pure function over pandas DataFrames, except the ``*_sql`` ones, which take
a DuckDB connection or cursor as their first argument, run one parameterised query over the
store's tables (migrations/001_foundation.sql) and return a DataFrame. Periods are calendar
dates, both ends inclusive. Money comes back as float (DOUBLE) except in ``allocate_budget``,
which works in ``Decimal``. Labels are stable English keys; their display text lives in
``crm_core/locales/segmentation.py`` under ``seg.*``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

ABC_COLUMNS = ["customer_id", "spend", "rank", "share", "cum_share", "abc"]
ABC_CLASSES = ("A", "B", "C")
MIGRATION_CLASSES = ("A", "B", "C", "none")  # "none": no purchase in that period
MEASURES = {"revenue": "amount", "margin": "gross_margin"}  # whitelist: measure -> column

# ---------------------------------------------------------------------------------------------
# ABC classification
# ---------------------------------------------------------------------------------------------


def exact_share(value, name: str) -> Fraction:
    """``value`` (float, int, str, Decimal or Fraction) as the exact fraction its decimal text
    says: 0.07 → 7/100, where the binary float would be 0.07000000000000000666….

    Raises ValueError for booleans, NaN, infinities and anything that is not a number.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None


def _abc_shares(a_share, b_share) -> tuple[Fraction, Fraction]:
    a = exact_share(a_share, "a_share")
    b = exact_share(b_share, "b_share")
    if not 0 < a <= b <= 1:
        raise ValueError(
            f"ABC shares must satisfy 0 < a_share <= b_share <= 1 (got a_share={a_share}, "
            f"b_share={b_share}); b_share is the cumulative share of A and B together"
        )
    return a, b


def ceil_count(share: Fraction, n: int) -> int:
    """ceil(share · n) in integer arithmetic: how many of ``n`` customers a share covers."""
    return -((-share.numerator * n) // share.denominator)


def _spend_totals(spend: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with positive total spend (repeated ids are summed)."""
    missing = {"customer_id", "spend"} - set(spend.columns)
    if missing:
        raise ValueError(f"spend frame lacks column(s): {', '.join(sorted(missing))}")
    frame = pd.DataFrame({"customer_id": spend["customer_id"],
                          "spend": pd.to_numeric(spend["spend"]).astype(float)})
    if frame["customer_id"].duplicated().any():
        frame = frame.groupby("customer_id", as_index=False, sort=False)["spend"].sum()
    return frame[frame["spend"] > 0]


def _empty_abc() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": pd.Series(dtype="int64"), "spend": pd.Series(dtype=float),
        "rank": pd.Series(dtype="int64"), "share": pd.Series(dtype=float),
        "cum_share": pd.Series(dtype=float), "abc": pd.Series(dtype="str"),
    })


def abc_classify(spend: pd.DataFrame, a_share=0.05, b_share=0.20) -> pd.DataFrame:
    """ABC classes (ABC客户分类法) of customers by spend over a period.

    ``spend`` has columns ``customer_id`` and ``spend`` (money, any numeric type; a customer
    appearing on several rows is summed). Customers whose spend is <= 0 or missing are left
    out. Returns one row per remaining customer, sorted by ``rank``: ``customer_id``, ``spend``
    (float), ``rank`` (1 = highest spend, ties broken by customer_id ascending), ``share`` of
    total spend, ``cum_share`` (cumulative, including the row; the last row is exactly 1.0)
    and ``abc``. With n customers, ranks 1..ceil(a_share·n) are "A", ranks up to
    ceil(b_share·n) are "B", the rest "C"; the shares are taken exactly from their decimal text
    (7% of 100 customers is 7). Empty input gives an empty frame with these columns.

    Raises ValueError unless 0 < a_share <= b_share <= 1, or when a column is missing.
    """
    a, b = _abc_shares(a_share, b_share)
    totals = _spend_totals(spend)
    n = len(totals)
    if n == 0:
        return _empty_abc()
    ids = totals["customer_id"].to_numpy()
    amounts = totals["spend"].to_numpy(dtype=float)
    order = np.lexsort((ids, -amounts))  # last key first: spend descending, then id ascending
    ids, amounts = ids[order], amounts[order]
    running = np.cumsum(amounts)
    total = running[-1]  # the running sum's own end, so the last cum_share is exactly 1
    rank = np.arange(1, n + 1, dtype="int64")
    abc = np.where(rank <= ceil_count(a, n), "A", np.where(rank <= ceil_count(b, n), "B", "C"))
    return pd.DataFrame({"customer_id": ids, "spend": amounts, "rank": rank,
                         "share": amounts / total, "cum_share": running / total,
                         "abc": pd.array(abc, dtype="str")})


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"period start {start} is after its end {end}")


def _measure_column(measure: str) -> str:
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    return MEASURES[measure]


def _period_spend_cte(measure: str) -> str:
    column = _measure_column(measure)  # identifier from the fixed whitelist, never user text
    return f"""period_spend AS (
        SELECT customer_id, SUM({column}) AS spend
        FROM transactions
        WHERE txn_date BETWEEN ? AND ?
        GROUP BY customer_id
        HAVING SUM({column}) > 0)"""


def abc_classify_sql(con, start: date, end: date, measure: str = "revenue",
                     a_share=0.05, b_share=0.20) -> pd.DataFrame:
    """``abc_classify`` computed in DuckDB over ``transactions`` dated ``start``..``end``.

    ``measure`` "revenue" sums ``amount``; "margin" sums ``gross_margin`` (missing margins are
    ignored). Customers whose total is <= 0 or who bought nothing in the period are not in the
    result (count them with ``inactive_customer_count``). Same columns, order and rules as
    ``abc_classify``; class cut-offs use exact integer arithmetic: rank r is within
    ceil(s·n) exactly when (r - 1)·denominator(s) < numerator(s)·n.

    Raises ValueError for an unknown measure, invalid shares or start > end.
    """
    _check_period(start, end)
    a, b = _abc_shares(a_share, b_share)
    sql = f"""
    WITH {_period_spend_cte(measure)},
    ranked AS (
        SELECT customer_id, spend,
               ROW_NUMBER() OVER (ORDER BY spend DESC, customer_id) AS rank,
               SUM(spend) OVER (ORDER BY spend DESC, customer_id
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
               SUM(spend) OVER () AS total,
               COUNT(*) OVER () AS n
        FROM period_spend)
    SELECT customer_id, CAST(spend AS DOUBLE) AS spend, rank,
           CAST(spend AS DOUBLE) / CAST(total AS DOUBLE) AS share,
           CAST(running AS DOUBLE) / CAST(total AS DOUBLE) AS cum_share,
           CASE WHEN (rank - 1) * CAST(? AS HUGEINT) < CAST(? AS HUGEINT) * n THEN 'A'
                WHEN (rank - 1) * CAST(? AS HUGEINT) < CAST(? AS HUGEINT) * n THEN 'B'
                ELSE 'C' END AS abc
    FROM ranked
    ORDER BY rank"""
    # Fraction parts travel as text so that no share is squeezed through a 64-bit integer.
    params = [start, end, str(a.denominator), str(a.numerator), str(b.denominator), str(b.numerator)]
    return con.execute(sql, params).df()


def inactive_customer_count(con, start: date, end: date) -> int:
    """Customers in ``customers`` with no net purchase in ``start``..``end``: no transaction at
    all, or revenue summing to <= 0 (only returns). Together with the customers that
    ``abc_classify_sql(measure="revenue")`` classifies, they make up every customer.

    Raises ValueError when start > end.
    """
    _check_period(start, end)
    sql = f"""
    WITH {_period_spend_cte("revenue")}
    SELECT COUNT(*) FROM customers c
    WHERE NOT EXISTS (SELECT 1 FROM period_spend p WHERE p.customer_id = c.customer_id)"""
    return int(con.execute(sql, [start, end]).fetchone()[0])


# ---------------------------------------------------------------------------------------------
# Concentration: 80/20, Gini, Lorenz curve
# ---------------------------------------------------------------------------------------------


def gini_coefficient(spend) -> float:
    """Gini coefficient of positive spends: 0 when all are equal, towards 1 when one customer
    has everything. G = 2·Σ i·x_(i) / (n·Σx) − (n + 1)/n with x sorted ascending, i = 1..n.

    Raises ValueError for an empty input.
    """
    values = np.sort(np.asarray(spend, dtype=float))
    n = len(values)
    if n == 0:
        raise ValueError("the Gini coefficient needs at least one customer")
    weighted = np.dot(np.arange(1, n + 1, dtype=float), values)
    return float(2.0 * weighted / (n * values.sum()) - (n + 1) / n)


def _class_breakdown(classified: pd.DataFrame, total: float) -> dict:
    grouped = classified.groupby("abc")["spend"].agg(["count", "sum"])
    breakdown = {}
    for cls in ABC_CLASSES:
        count = int(grouped["count"].get(cls, 0))
        spend = float(grouped["sum"].get(cls, 0.0))
        breakdown[cls] = {"count": count, "spend": spend, "share": spend / total if total else None}
    return breakdown


def pareto_summary(classified: pd.DataFrame, top_share=0.20) -> dict:
    """The 80/20 numbers (二八法则) of an ``abc_classify`` result.

    Returns ``customers`` (n), ``total_spend``, ``top_fraction`` (``top_share`` as a float),
    ``top_customers`` = ceil(top_share·n) highest-ranked customers, ``top_spend_share`` (their
    share of total spend — the "top 20% bring X%" number), ``gini`` (see ``gini_coefficient``)
    and ``classes``: for each of "A", "B", "C" its ``count``, ``spend`` and ``share``.
    Shares and ``gini`` are None when there are no customers.

    Raises ValueError unless 0 < top_share <= 1.
    """
    fraction = exact_share(top_share, "top_share")
    if not 0 < fraction <= 1:
        raise ValueError(f"top_share must be in (0, 1], got {top_share}")
    spend = classified.sort_values("rank")["spend"].to_numpy(dtype=float)
    n, total = len(spend), float(spend.sum())
    top = ceil_count(fraction, n)
    return {
        "customers": n,
        "total_spend": total,
        "top_fraction": float(fraction),
        "top_customers": top,
        "top_spend_share": float(spend[:top].sum()) / total if n else None,
        "gini": gini_coefficient(spend) if n else None,
        "classes": _class_breakdown(classified, total),
    }


def lorenz_points(classified: pd.DataFrame, max_points: int = 200) -> pd.DataFrame:
    """The Lorenz curve of spend for charting: columns ``customer_fraction`` and
    ``revenue_fraction``, customers taken from the smallest spender up (the curve sags below
    the diagonal; the Gini coefficient is twice the area between them). Starts at (0, 0), ends
    at (1, 1) and has at most ``max_points`` points, evenly spaced over customers when the
    full curve (n + 1 points) is longer. Empty when there are no customers.

    Raises ValueError when max_points < 2.
    """
    if max_points < 2:
        raise ValueError(f"a curve needs max_points >= 2, got {max_points}")
    spend = np.sort(classified["spend"].to_numpy(dtype=float))
    n = len(spend)
    if n == 0:
        return pd.DataFrame({"customer_fraction": pd.Series(dtype=float),
                             "revenue_fraction": pd.Series(dtype=float)})
    running = np.concatenate(([0.0], np.cumsum(spend)))
    keep = np.arange(n + 1)
    if n + 1 > max_points:
        keep = np.unique(np.linspace(0, n, max_points).round().astype(int))
    return pd.DataFrame({"customer_fraction": keep / n, "revenue_fraction": running[keep] / running[-1]})


# ---------------------------------------------------------------------------------------------
# Movement between periods
# ---------------------------------------------------------------------------------------------


def _both_periods(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    merged = prev[["customer_id", "abc"]].merge(
        curr[["customer_id", "abc"]], on="customer_id", how="outer", suffixes=("_prev", "_curr"))
    merged["abc_prev"] = merged["abc_prev"].fillna("none")
    merged["abc_curr"] = merged["abc_curr"].fillna("none")
    return merged


def class_migration(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    """How many customers moved from each class to each class between two ``abc_classify``
    results. Rows: class in ``prev``; columns: class in ``curr``; both in the order
    A, B, C, none — "none" meaning no purchase in that period. The none→none cell is always 0
    (customers who bought in neither period are in neither input).
    """
    merged = _both_periods(prev, curr)
    before = pd.Categorical(merged["abc_prev"], categories=MIGRATION_CLASSES).codes
    after = pd.Categorical(merged["abc_curr"], categories=MIGRATION_CLASSES).codes
    size = len(MIGRATION_CLASSES)
    counts = np.bincount(before * size + after, minlength=size * size).reshape(size, size)
    return pd.DataFrame(counts, index=pd.Index(MIGRATION_CLASSES, name="prev"),
                        columns=pd.Index(MIGRATION_CLASSES, name="curr"))


def fell_out_of_a(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    """Customers who were "A" in ``prev`` and are not "A" in ``curr`` — the key customers to
    call first. Columns ``customer_id``, ``prev_rank``, ``prev_spend``, ``curr_abc`` ("B", "C"
    or "none") and ``curr_spend`` (NaN for "none"); sorted by ``prev_rank``.
    """
    was_a = prev.loc[prev["abc"] == "A", ["customer_id", "rank", "spend"]]
    now = curr[["customer_id", "abc", "spend"]]
    merged = was_a.merge(now, on="customer_id", how="left", suffixes=("_prev", "_curr"))
    merged = merged[merged["abc"] != "A"].sort_values("rank")
    return pd.DataFrame({
        "customer_id": merged["customer_id"].to_numpy(),
        "prev_rank": merged["rank"].to_numpy(),
        "prev_spend": merged["spend_prev"].to_numpy(dtype=float),
        "curr_abc": merged["abc"].fillna("none").to_numpy(dtype=object),
        "curr_spend": merged["spend_curr"].to_numpy(dtype=float),
    })


# ---------------------------------------------------------------------------------------------
# Big-customer identification (seed 001): revenue ranking + non-monetary value
# ---------------------------------------------------------------------------------------------


def top_n_graded(classified: pd.DataFrame, n: int = 50, a_share=0.05, b_share=0.20) -> pd.DataFrame:
    """Revenue ranking (营业额排位法): the ``n`` highest spenders of ``classified`` (any frame
    with ``customer_id`` and ``spend``), graded A/B/C among themselves by ``abc_classify``
    with the given shares. ``share`` and ``cum_share`` are of the top-n total; ``rank`` equals
    the overall rank. Fewer than ``n`` customers: all of them.

    Raises ValueError unless n >= 1, or for invalid shares.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    ranked = abc_classify(classified[["customer_id", "spend"]])
    return abc_classify(ranked[ranked["rank"] <= n], a_share, b_share)


# Factor -> (feature column, higher is better); a factor of several columns averages them.
NONMONETARY_FACTORS = {
    "loyalty": (("tenure_days", True), ("repeat_rate", True)),
    "stability": (("spend_cv", False),),
    "tolerance": (("complaints_per_purchase", False),),
    "feedback": (("feedback_count", True),),
    "referrals": (("referrals", True),),
    "credit": (("payment_delay_days", False),),
    "influence": (("influence", True),),
}
DEFAULT_NONMONETARY_WEIGHTS = {factor: 1.0 for factor in NONMONETARY_FACTORS}
VALUE_TIERS = ("high", "medium", "low")
NEUTRAL_SCORE = 50.0


def _checked_weights(weights: dict) -> dict[str, float]:
    unknown = set(weights) - set(NONMONETARY_FACTORS)
    if unknown:
        raise ValueError(f"unknown factor(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(NONMONETARY_FACTORS)}")
    checked = {factor: float(weights.get(factor, 0.0)) for factor in NONMONETARY_FACTORS}
    if any(not np.isfinite(w) or w < 0 for w in checked.values()):
        raise ValueError("factor weights must be non-negative numbers")
    if sum(checked.values()) == 0:
        raise ValueError("at least one factor weight must be above zero")
    return checked


def percentile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Each value's percentile rank scaled to 0..100 (best = 100; ties share the average rank).
    Missing values, and every value when fewer than two are known, score the neutral 50."""
    known = int(values.notna().sum())
    if known < 2:
        return pd.Series(NEUTRAL_SCORE, index=values.index)
    pct = (values.rank(method="average") - 1) / (known - 1) * 100
    return (pct if higher_is_better else 100 - pct).fillna(NEUTRAL_SCORE)


def _factor_scores(features: pd.DataFrame) -> pd.DataFrame:
    """0..100 per factor; a factor with no known value in any of its columns is left out."""
    scores = {}
    for factor, columns in NONMONETARY_FACTORS.items():
        parts = [percentile_score(pd.to_numeric(features[col]).astype(float), better)
                 for col, better in columns
                 if col in features.columns and features[col].notna().any()]
        if parts:
            scores[factor] = sum(parts) / len(parts)
    return pd.DataFrame(scores, index=features.index)


def _tercile_tiers(score: pd.Series) -> np.ndarray:
    """high / medium / low by the score's percentile rank p = (r − 1)/(n − 1): p > 2/3 high,
    p < 1/3 low, else medium — compared in integers on twice the average rank r."""
    n = len(score)
    twice_rank = np.rint(2 * score.rank(method="average").to_numpy()).astype("int64")
    position = 3 * (twice_rank - 2)  # 6·(r − 1)
    return np.where(position > 4 * (n - 1), "high",
                    np.where(position < 2 * (n - 1), "low", "medium")).astype(object)


def nonmonetary_scores(features: pd.DataFrame, weights: dict | None = None) -> pd.DataFrame:
    """Non-monetary value (非货币价值排位法) per customer, 0..100.

    ``features`` has ``customer_id`` and any of: ``tenure_days`` and ``repeat_rate`` (loyalty,
    higher better), ``spend_cv`` (stability: coefficient of variation of monthly spend, lower
    better), ``complaints_per_purchase`` (tolerance, lower better), ``feedback_count``,
    ``referrals`` (higher better), ``payment_delay_days`` (days paid after the agreed terms,
    lower better) and ``influence`` (manual 1–5, higher better). Each column is scaled to 0..100
    by percentile rank; a customer's missing value counts as the neutral 50; a column absent
    (or empty) for everyone leaves its factor out and the other weights are renormalised.
    ``weights`` maps factor (loyalty, stability, tolerance, feedback, referrals, credit,
    influence) to a non-negative weight; unnamed factors weigh 0; default: all equal.

    Tiers are relative terciles, not fixed cut points: a customer's score is ranked among all
    customers (ties share a rank) and a percentile rank above 2/3 is "high", below 1/3 "low",
    otherwise "medium" (so one customer alone, or all tied, is "medium").

    Returns ``customer_id``, one 0..100 column per available factor, ``score`` (rounded to 6
    decimals) and ``tier``.
    Raises ValueError for unknown factors, negative weights, all-zero weights, or when no
    factor with a weight has data.
    """
    checked = _checked_weights(DEFAULT_NONMONETARY_WEIGHTS if weights is None else weights)
    features = features.reset_index(drop=True)
    factors = _factor_scores(features)
    used = [f for f in factors.columns if checked[f] > 0]
    if not used:
        raise ValueError("none of the weighted factors has data; weight one of: "
                         f"{', '.join(factors.columns) or 'no factor has data'}")
    w = np.array([checked[f] for f in used])
    # Rounded so that scores equal in exact arithmetic (25.0 vs 24.999999999999996) tie.
    score = pd.Series(np.round(factors[used].to_numpy() @ w / w.sum(), 6), index=features.index)
    result = pd.concat([features[["customer_id"]], factors], axis=1)
    result["score"] = score
    result["tier"] = _tercile_tiers(score)
    return result.reset_index(drop=True)


class ValueGrid(NamedTuple):
    counts: pd.DataFrame  # rows A, B, C × columns high, medium, low
    not_to_overlook: pd.DataFrame  # C by revenue, high non-monetary tier


def value_grid(classified: pd.DataFrame, scores: pd.DataFrame) -> ValueGrid:
    """Combine revenue class and non-monetary tier (seed 001: a C-revenue customer with high
    non-monetary value must not be overlooked). Only customers in both inputs count.

    Returns ``counts`` (customers per ABC class × tier, all cells present) and
    ``not_to_overlook``: the "C"-class, "high"-tier customers with ``customer_id``, ``spend``,
    ``rank`` and ``score``, highest score first (ties by customer_id).
    """
    merged = classified[["customer_id", "spend", "rank", "abc"]].merge(
        scores[["customer_id", "score", "tier"]], on="customer_id", how="inner")
    row = pd.Categorical(merged["abc"], categories=ABC_CLASSES).codes
    col = pd.Categorical(merged["tier"], categories=VALUE_TIERS).codes
    cells = np.bincount(row * len(VALUE_TIERS) + col, minlength=len(ABC_CLASSES) * len(VALUE_TIERS))
    counts = pd.DataFrame(cells.reshape(len(ABC_CLASSES), len(VALUE_TIERS)),
                          index=pd.Index(ABC_CLASSES, name="abc"),
                          columns=pd.Index(VALUE_TIERS, name="tier"))
    overlooked = merged[(merged["abc"] == "C") & (merged["tier"] == "high")]
    overlooked = overlooked.sort_values(["score", "customer_id"], ascending=[False, True])
    return ValueGrid(counts, overlooked[["customer_id", "spend", "rank", "score"]].reset_index(drop=True))


def months_in_period(start: date, end: date) -> int:
    """Calendar months touched by ``start``..``end`` (Jan 31 – Feb 1 is 2)."""
    return (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1


def customer_features_sql(con, start: date, end: date) -> pd.DataFrame:
    """The non-monetary features the store can compute, one row per customer in ``customers``:
    ``tenure_days`` (days from the first purchase up to ``end`` until ``end``; NULL if none),
    ``repeat_rate`` (share of the period's calendar months with net purchases > 0),
    ``spend_cv`` (population std / mean of monthly net spend over all months of the period,
    empty months as 0; NULL when total spend <= 0) and ``influence`` (customers.influence).
    Complaints, feedback, referrals and credit are not in the store; ``nonmonetary_scores``
    treats their absence as neutral. Raises ValueError when start > end.
    """
    _check_period(start, end)
    sql = """
    WITH monthly AS (
        SELECT customer_id, year(txn_date) * 12 + month(txn_date) AS month_index,
               CAST(SUM(amount) AS DOUBLE) AS month_spend
        FROM transactions WHERE txn_date BETWEEN ? AND ?
        GROUP BY ALL),
    stats AS (
        SELECT customer_id, SUM(month_spend) / ? AS mean_spend, COUNT(*) AS months_seen,
               COUNT(*) FILTER (WHERE month_spend > 0) AS active_months
        FROM monthly GROUP BY customer_id),
    spread AS (  -- squared deviations; months without rows deviate by the whole mean
        SELECT s.customer_id, s.mean_spend, s.active_months,
               SUM((m.month_spend - s.mean_spend) * (m.month_spend - s.mean_spend))
                 + (? - s.months_seen) * s.mean_spend * s.mean_spend AS squares
        FROM stats s JOIN monthly m USING (customer_id)
        GROUP BY s.customer_id, s.mean_spend, s.active_months, s.months_seen),
    first_purchase AS (
        SELECT customer_id, MIN(txn_date) AS first_date
        FROM transactions WHERE txn_date <= ? AND amount > 0 GROUP BY customer_id)
    SELECT c.customer_id,
           date_diff('day', f.first_date, CAST(? AS DATE)) AS tenure_days,
           COALESCE(p.active_months, 0) / CAST(? AS DOUBLE) AS repeat_rate,
           CASE WHEN p.mean_spend > 0 THEN sqrt(p.squares / ?) / p.mean_spend END AS spend_cv,
           c.influence
    FROM customers c
    LEFT JOIN spread p USING (customer_id)
    LEFT JOIN first_purchase f USING (customer_id)
    ORDER BY c.customer_id"""
    months = months_in_period(start, end)
    return con.execute(sql, [start, end, months, months, end, end, months, months]).df()


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


def rfm_table_sql(con, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer from ``transactions`` dated
    ``start``..``end``: ``recency_days`` = days from the last purchase (amount > 0) to
    ``as_of`` (default ``end``), ``frequency`` = number of distinct days with a purchase,
    ``monetary`` = net amount (returns subtract). Customers without a purchase in the period
    are left out. Raises ValueError when start > end or as_of < end.
    """
    _check_period(start, end)
    as_of = end if as_of is None else as_of
    if as_of < end:
        raise ValueError(f"as_of {as_of} is before the period end {end}")
    sql = """
    SELECT customer_id,
           date_diff('day', MAX(txn_date) FILTER (WHERE amount > 0), CAST(? AS DATE)) AS recency_days,
           COUNT(DISTINCT txn_date) FILTER (WHERE amount > 0) AS frequency,
           CAST(SUM(amount) AS DOUBLE) AS monetary
    FROM transactions
    WHERE txn_date BETWEEN ? AND ?
    GROUP BY customer_id
    HAVING COUNT(*) FILTER (WHERE amount > 0) > 0
    ORDER BY customer_id"""
    return con.execute(sql, [as_of, start, end]).df()


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


# ---------------------------------------------------------------------------------------------
# Need type (seed 001)
# ---------------------------------------------------------------------------------------------

NEED_TYPES = ("price", "value", "composite")
PRICE_DISCOUNT_SHARE = 0.5  # buys on discount at least half the time → price-oriented
VALUE_DISCOUNT_SHARE = 0.2  # value-oriented customers rarely wait for a discount …
LOW_RELATIVE_PRICE = 0.9  # … price-oriented ones pay under 90% of the average price
HIGH_RELATIVE_PRICE = 1.1  # … value-oriented ones over 110%


def infer_need_type(features: pd.DataFrame) -> pd.DataFrame:
    """Need type (需求类型) per customer.

    ``features`` has ``customer_id``, ``discount_share`` (share of purchases made at a discount,
    0..1), ``relative_price`` (what the customer paid / what the same goods cost at the average
    price, 1 = average) and optionally ``need_type`` (the customer's own recorded type).
    Rule, in order (same text as catalog key ``seg.need_rule``):
      price      if discount_share >= 0.5 or relative_price < 0.9;
      value      if discount_share < 0.2 and relative_price > 1.1;
      composite  otherwise, when at least one of the two is known;
      missing (NA) when neither is known.
    A recorded ``need_type`` wins. Returns ``customer_id``, ``need_type`` and ``need_source``
    ("own", "inferred", or NA when neither). Raises ValueError when a recorded type is not a known one.
    """
    discount = pd.to_numeric(features["discount_share"]).astype(float).to_numpy()
    relative = pd.to_numeric(features["relative_price"]).astype(float).to_numpy()
    # NaN compares False, so a missing signal never votes for a type.
    price = (discount >= PRICE_DISCOUNT_SHARE) | (relative < LOW_RELATIVE_PRICE)
    value = (discount < VALUE_DISCOUNT_SHARE) & (relative > HIGH_RELATIVE_PRICE)
    known = ~(np.isnan(discount) & np.isnan(relative))
    inferred = np.where(price, "price", np.where(value, "value", "composite")).astype(object)
    inferred[~known] = None
    own = features["need_type"] if "need_type" in features.columns else pd.Series(None, index=features.index)
    has_own = own.notna().to_numpy()
    own = own.astype(object).to_numpy()
    unknown = set(own[has_own]) - set(NEED_TYPES)
    if unknown:
        raise ValueError(f"unknown need_type value(s): {', '.join(map(str, sorted(unknown)))}")
    source = np.where(has_own, "own", np.where(known, "inferred", None)).astype(object)
    return pd.DataFrame({"customer_id": features["customer_id"].to_numpy(),
                         "need_type": np.where(has_own, own, inferred), "need_source": source})


def need_features_sql(con, start: date, end: date) -> pd.DataFrame:
    """Inputs of ``infer_need_type`` for every customer in ``customers``, from purchases
    (amount > 0) dated ``start``..``end``: ``discount_share`` = share of purchase lines with a
    discount > 0 among lines whose discount is recorded; ``relative_price`` = Σ amount /
    Σ (quantity × the product's average unit price in the period), over lines with a product
    and quantity > 0; ``need_type`` as recorded. Unknown → NULL. Raises ValueError when
    start > end.
    """
    _check_period(start, end)
    sql = """
    WITH lines AS (
        SELECT customer_id, product, CAST(amount AS DOUBLE) AS amount,
               CAST(quantity AS DOUBLE) AS quantity, discount
        FROM transactions WHERE txn_date BETWEEN ? AND ? AND amount > 0),
    product_price AS (
        SELECT product, SUM(amount) / SUM(quantity) AS unit_price
        FROM lines WHERE product IS NOT NULL AND quantity > 0 GROUP BY product),
    per_customer AS (
        SELECT l.customer_id,
               AVG(CASE WHEN l.discount > 0 THEN 1.0 ELSE 0.0 END)
                   FILTER (WHERE l.discount IS NOT NULL) AS discount_share,
               SUM(l.amount) FILTER (WHERE p.unit_price > 0)
                   / SUM(l.quantity * p.unit_price) FILTER (WHERE p.unit_price > 0) AS relative_price
        FROM lines l LEFT JOIN product_price p ON l.product = p.product AND l.quantity > 0
        GROUP BY l.customer_id)
    SELECT c.customer_id, p.discount_share, p.relative_price, c.need_type
    FROM customers c LEFT JOIN per_customer p USING (customer_id)
    ORDER BY c.customer_id"""
    return con.execute(sql, [start, end]).df()


# ---------------------------------------------------------------------------------------------
# Resource allocation (seed 000)
# ---------------------------------------------------------------------------------------------

ALLOCATION_TIERS = ("key", "general", "potential")
CLASS_TO_TIER = {"A": "key", "B": "general", "C": "potential"}
CENT = Decimal("0.01")


def tier_for_allocation(classified: pd.DataFrame) -> pd.DataFrame:
    """Allocation tier per customer of an ``abc_classify`` result: A → "key" (重点),
    B → "general" (一般), C → "potential" (潜在). Seed 000's tiers are about 10% / 30% / 60% of
    customers, so classify with a_share=0.10, b_share=0.40 to match it; with the ABC defaults
    (5% / 15% / 80%) the key tier is smaller. Returns ``customer_id``, ``abc``, ``tier``.
    """
    return pd.DataFrame({"customer_id": classified["customer_id"].to_numpy(),
                         "abc": classified["abc"].to_numpy(dtype=object),
                         "tier": classified["abc"].map(CLASS_TO_TIER).to_numpy(dtype=object)})


def tier_counts(tiered: pd.DataFrame) -> dict[str, int]:
    """Customers per allocation tier, every tier present (the ``counts`` of ``allocate_budget``)."""
    counts = tiered["tier"].value_counts()
    return {tier: int(counts.get(tier, 0)) for tier in ALLOCATION_TIERS}


def _checked_split(split) -> tuple[Fraction, ...]:
    if len(split) != len(ALLOCATION_TIERS):
        raise ValueError("split needs three parts: key, general, potential")
    parts = tuple(exact_share(p, "split") for p in split)
    if any(p < 0 for p in parts) or sum(parts) != 1:
        raise ValueError(f"split parts must be non-negative and add up to 1, got {tuple(split)}")
    return parts


def _budget_amount(budget) -> Decimal:
    try:
        amount = None if isinstance(budget, bool) else Decimal(str(budget))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise ValueError(f"budget must be a non-negative amount, got {budget!r}")
    return amount


def allocate_budget(budget, counts: dict, split=(0.6, 0.3, 0.1)) -> pd.DataFrame:
    """Split a budget over key / general / potential customers (seed 000: 60% / 30% / 10%).

    ``budget`` is money (Decimal, int, float or str; float is taken by its decimal text),
    ``counts`` maps tier → number of customers (a missing tier counts 0), ``split`` the tier
    shares in the order key, general, potential, adding up to exactly 1. Returns one row per
    tier: ``tier``, ``customers``, ``share`` (Decimal), ``total`` (Decimal, exact — the totals
    add up to the budget) and ``per_customer`` (Decimal rounded half-up to the cent; None for a
    tier without customers).

    Raises ValueError for a negative or non-numeric budget, unknown tiers, negative counts or a
    split that does not add up to 1.
    """
    amount = _budget_amount(budget)
    unknown = set(counts) - set(ALLOCATION_TIERS)
    if unknown:
        raise ValueError(f"unknown tier(s) {', '.join(sorted(unknown))}; known: {', '.join(ALLOCATION_TIERS)}")
    sizes = [int(counts.get(tier, 0)) for tier in ALLOCATION_TIERS]
    if any(size < 0 for size in sizes):
        raise ValueError("customer counts must not be negative")
    rows = []
    for tier, size, part in zip(ALLOCATION_TIERS, sizes, _checked_split(split)):
        share = Decimal(part.numerator) / Decimal(part.denominator)
        total = amount * share
        each = (total / size).quantize(CENT, rounding=ROUND_HALF_UP) if size else None
        rows.append({"tier": tier, "customers": size, "share": share, "total": total, "per_customer": each})
    return pd.DataFrame(rows)


def actual_cost_to_serve_sql(con, start: date, end: date) -> pd.DataFrame:
    """What was actually spent on each customer (企业投入记录) in ``start``..``end`` (local dates
    of the session time zone): ``customer_id``, ``interactions``, ``cost``, ``concession`` and
    ``cost_to_serve`` = cost + concession, as DOUBLE; customers without interactions are not
    listed. Join on customer_id with ``tier_for_allocation``. Raises ValueError when start > end.
    """
    _check_period(start, end)
    sql = """
    SELECT customer_id, COUNT(*) AS interactions,
           CAST(SUM(cost) AS DOUBLE) AS cost,
           CAST(SUM(concession) AS DOUBLE) AS concession,
           CAST(SUM(cost + concession) AS DOUBLE) AS cost_to_serve
    FROM interactions
    WHERE occurred_at >= CAST(CAST(? AS DATE) AS TIMESTAMPTZ)
      AND occurred_at < CAST(CAST(? AS DATE) AS TIMESTAMPTZ)
    GROUP BY customer_id
    ORDER BY customer_id"""
    return con.execute(sql, [start, end + timedelta(days=1)]).df()


def actual_vs_recommended(tiered: pd.DataFrame, costs: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """Per allocation tier: ``customers``, ``recommended`` (the ``allocate_budget`` total),
    ``actual`` (sum of ``cost_to_serve`` from ``actual_cost_to_serve_sql`` over the tier's
    customers) and both as shares of their own totals (``recommended_share``,
    ``actual_share``; NaN when nothing was spent). Money as float."""
    joined = tiered[["customer_id", "tier"]].merge(
        costs[["customer_id", "cost_to_serve"]], on="customer_id", how="left")
    actual = joined.groupby("tier")["cost_to_serve"].sum().reindex(list(ALLOCATION_TIERS), fill_value=0.0)
    recommended = allocation.set_index("tier")["total"].reindex(list(ALLOCATION_TIERS)).astype(float)
    actual_total = float(actual.sum())
    counts = tier_counts(tiered)
    return pd.DataFrame({
        "tier": list(ALLOCATION_TIERS),
        "customers": [counts[t] for t in ALLOCATION_TIERS],
        "recommended": recommended.to_numpy(),
        "actual": actual.to_numpy(dtype=float),
        "recommended_share": allocation.set_index("tier")["share"].reindex(list(ALLOCATION_TIERS))
        .astype(float).to_numpy(),
        "actual_share": actual.to_numpy(dtype=float) / actual_total if actual_total else np.nan,
    })


# ---------------------------------------------------------------------------------------------
# The Segmentation page: (store, actor, ...) reads over the whole store, fast at 1M customers.
#
# Scope: a rep (Actor.rep_scope) is segmented among the customers they own — ranks, classes,
# shares and quintiles are relative to that book, so no company-wide total leaks to them.
# Everyone else sees the whole company. ABC and Pareto figures are aggregated in DuckDB; only
# small results (a few hundred rows, or one page of a list) come back to Python.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentQuery:
    """What an ABC classification depends on: period (both ends inclusive), measure, shares.
    Hashable, so pages cache on it. Raises ValueError like ``abc_classify_sql``."""

    start: date
    end: date
    measure: str = "revenue"
    a_share: float = 0.05
    b_share: float = 0.20

    def __post_init__(self):
        _check_period(self.start, self.end)
        _measure_column(self.measure)
        _abc_shares(self.a_share, self.b_share)

    def with_period(self, start: date, end: date) -> SegmentQuery:
        return replace(self, start=start, end=end)


def default_period(as_of: date) -> tuple[date, date]:
    """The last 12 months up to and including ``as_of``: 2026-06-30 → 2025-07-01 .. 2026-06-30."""
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date() + timedelta(days=1)
    return start, as_of


def _month_end(day: date) -> date:
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before ``start``..``end``. Whole calendar months shift
    by months (2025-07-01..2026-06-30 → 2024-07-01..2025-06-30); other periods by days."""
    _check_period(start, end)
    if start.day == 1 and end == _month_end(end):
        months = months_in_period(start, end)
        prev_start = (pd.Timestamp(start) - pd.DateOffset(months=months)).date()
        return prev_start, start - timedelta(days=1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def _scope(actor) -> tuple[str, list]:
    """A filter on ``customer_id`` limiting a rep to their own customers."""
    if actor is None or actor.rep_scope is None:
        return "", []
    return " AND customer_id IN (SELECT customer_id FROM customers WHERE sales_rep = ?)", [actor.rep_scope]


def _class_case(a: Fraction, b: Fraction) -> tuple[str, list]:
    sql = ("CASE WHEN (rank - 1) * CAST(? AS HUGEINT) < CAST(? AS HUGEINT) * n THEN 'A' "
           "WHEN (rank - 1) * CAST(? AS HUGEINT) < CAST(? AS HUGEINT) * n THEN 'B' ELSE 'C' END")
    return sql, [str(a.denominator), str(a.numerator), str(b.denominator), str(b.numerator)]


def _classified_ctes(q: SegmentQuery, actor, prefix: str = "", running: bool = False) -> tuple[str, list]:
    """CTEs ``{prefix}spend``, ``{prefix}ranked`` and ``{prefix}classified`` (customer_id, spend,
    rank, n, abc; with ``running`` also running and total) — the rules of ``abc_classify_sql``."""
    column = _measure_column(q.measure)  # identifier from the fixed whitelist
    scope, scope_params = _scope(actor)
    a, b = _abc_shares(q.a_share, q.b_share)
    case, case_params = _class_case(a, b)
    window = "ORDER BY spend DESC, customer_id"
    extra = (f", SUM(spend) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running"
             ", SUM(spend) OVER () AS total") if running else ""
    # DECIMAL(18, 2) (a 64-bit integer inside) sorts about twice as fast as the DECIMAL(38, 2) that
    # SUM returns; a customer's total would have to pass 10^16 to overflow (an error, not a wrong
    # rank). n comes from a scalar subquery: a second window over every row costs more.
    sql = f"""{prefix}spend AS (
        SELECT customer_id, CAST(SUM({column}) AS DECIMAL(18, 2)) AS spend FROM transactions
        WHERE txn_date BETWEEN ? AND ?{scope}
        GROUP BY customer_id HAVING SUM({column}) > 0),
    {prefix}ranked AS (
        SELECT customer_id, spend, ROW_NUMBER() OVER ({window}) AS rank,
               (SELECT COUNT(*) FROM {prefix}spend) AS n{extra}
        FROM {prefix}spend),
    {prefix}classified AS (SELECT *, {case} AS abc FROM {prefix}ranked)"""
    return sql, [q.start, q.end, *scope_params, *case_params]


class AbcOverview(NamedTuple):
    """The ABC tab's figures. ``classes``: A/B/C → count, spend, share, first_rank, last_rank.
    ``pareto``: the concentration curve from the largest customer down — ``customer_fraction``
    (share of classified customers, largest first) and ``spend_fraction`` (their cumulative
    share of the measure); (0, 0) to (1, 1), at most ``points`` + 4 rows."""

    customers: int  # customers the user can see
    classified: int  # with a positive total of the measure in the period
    no_purchase: int  # no net purchase (revenue <= 0) in the period
    not_positive: int  # bought, but the measure (margin) is not positive
    total_spend: float
    classes: dict
    top_fraction: float
    top_customers: int
    top_spend_share: float | None
    gini: float | None
    pareto: pd.DataFrame


def _count_row(cur, q: SegmentQuery, actor, classified: int) -> tuple[int, int]:
    """Customers the user can see, and how many of them have net purchases in the period (for
    revenue that is the number classified; for margin it takes a query of its own)."""
    scope, params = _scope(actor)
    if q.measure == "revenue":
        (customers,) = cur.execute(f"SELECT COUNT(*) FROM customers WHERE TRUE{scope}", params).fetchone()
        return int(customers), classified
    sql = f"""SELECT (SELECT COUNT(*) FROM customers WHERE TRUE{scope}),
                     (SELECT COUNT(*) FROM (SELECT customer_id FROM transactions
                       WHERE txn_date BETWEEN ? AND ?{scope} GROUP BY customer_id HAVING SUM(amount) > 0))"""
    customers, buying = cur.execute(sql, [*params, q.start, q.end, *params]).fetchone()
    return int(customers), int(buying)


def abc_overview(store, actor, q: SegmentQuery, top_share=0.20, points: int = 200) -> AbcOverview:
    """Classes, 80/20 numbers, Gini and the Pareto curve of ``q`` in one aggregate query; the
    numbers equal ``pareto_summary(abc_classify_sql(...))`` (tested). ``points`` (>= 1) is the
    number of rank buckets of the curve. Raises ValueError for an invalid ``top_share``."""
    top = exact_share(top_share, "top_share")
    if not 0 < top <= 1:
        raise ValueError(f"top_share must be in (0, 1], got {top_share}")
    if points < 1:
        raise ValueError(f"points must be at least 1, got {points}")
    ctes, params = _classified_ctes(q, actor)
    sql = f"""WITH {ctes}
    SELECT abc, (rank - 1) * CAST(? AS BIGINT) // n AS bucket, COUNT(*) AS customers,
           CAST(SUM(spend) AS DOUBLE) AS spend, MIN(rank) AS first_rank, MAX(rank) AS last_rank, MAX(n) AS n,
           SUM(CAST(n - rank + 1 AS DOUBLE) * CAST(spend AS DOUBLE)) AS weighted,
           COALESCE(CAST(SUM(spend) FILTER (WHERE (rank - 1) * CAST(? AS HUGEINT) < CAST(? AS HUGEINT) * n)
                    AS DOUBLE), 0) AS top_spend
    FROM classified GROUP BY ALL ORDER BY first_rank"""
    cur = store.cursor()
    try:
        groups = cur.execute(sql, [*params, int(points), str(top.denominator), str(top.numerator)]).df()
        customers, buying = _count_row(cur, q, actor, int(groups["customers"].sum()))
    finally:
        cur.close()
    return _overview_from_groups(groups, customers, buying, q.measure, top)


def _overview_from_groups(groups: pd.DataFrame, customers: int, buying: int, measure: str,
                          top: Fraction) -> AbcOverview:
    n = int(groups["n"].max()) if len(groups) else 0
    total = float(groups["spend"].sum())
    by_class = groups.groupby("abc").agg(count=("customers", "sum"), spend=("spend", "sum"),
                                         first_rank=("first_rank", "min"), last_rank=("last_rank", "max"))
    classes = {}
    for cls in ABC_CLASSES:
        if cls in by_class.index:
            row = by_class.loc[cls]
            classes[cls] = {"count": int(row["count"]), "spend": float(row["spend"]),
                            "share": float(row["spend"]) / total if total else None,
                            "first_rank": int(row["first_rank"]), "last_rank": int(row["last_rank"])}
        else:
            classes[cls] = {"count": 0, "spend": 0.0, "share": None if not n else 0.0,
                            "first_rank": None, "last_rank": None}
    if n:
        cumulative = np.concatenate(([0.0], groups["spend"].cumsum().to_numpy() / total))
        ranks = np.concatenate(([0], groups["last_rank"].to_numpy()))
        pareto = pd.DataFrame({"customer_fraction": ranks / n, "spend_fraction": cumulative})
        pareto.iloc[-1] = [1.0, 1.0]
        gini = float(2.0 * groups["weighted"].sum() / (n * total) - (n + 1) / n)
        top_spend_share = float(groups["top_spend"].sum()) / total
    else:
        pareto = pd.DataFrame({"customer_fraction": pd.Series(dtype=float), "spend_fraction": pd.Series(dtype=float)})
        gini = top_spend_share = None
    return AbcOverview(customers=customers, classified=n, no_purchase=customers - buying,
                       not_positive=max(buying - n, 0) if measure != "revenue" else 0,
                       total_spend=total, classes=classes, top_fraction=float(top),
                       top_customers=ceil_count(top, n), top_spend_share=top_spend_share, gini=gini,
                       pareto=pareto)


LIST_COLUMNS = ["customer_id", "code", "name", "abc", "rank", "spend", "share", "cum_share"]


def _with_names(cur, inner_sql: str, params: list, order: str) -> pd.DataFrame:
    """``inner_sql`` (rows with customer_id) joined to the customer's code and name."""
    return cur.execute(f"""SELECT x.*, c.code, c.name FROM ({inner_sql}) x
                           JOIN customers c USING (customer_id) ORDER BY {order}""", params).df()


def class_customers(store, actor, q: SegmentQuery, abc: str | None = None, limit: int | None = 50,
                    offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of the classified customers (all classes, or ``abc``), by rank, with code and
    name: ``LIST_COLUMNS``; and how many there are in all. ``limit`` None: every row.

    A page is read with a top-N query (no ranking of every customer): the class's rank range
    follows from n, and ``cum_share`` adds the page's spends to the sum of all higher ranks."""
    if abc is not None and abc not in ABC_CLASSES:
        raise ValueError(f"abc must be one of A, B, C, got {abc!r}")
    if limit is None:
        return _whole_class(store, actor, q, abc)
    a, b = _abc_shares(q.a_share, q.b_share)
    spend_sql, params = _spend_cte(q, actor)
    # One query: the class's rank range follows from n (ceil in integers), then a top-N read of the
    # page and of the sum of every higher rank; LIMIT/OFFSET take scalar subqueries in DuckDB.
    sql = f"""WITH {spend_sql},
    stats AS (SELECT COUNT(*) AS n, SUM(spend) AS total FROM spend),
    cuts AS (SELECT n, total,
                    (CAST(? AS HUGEINT) * n + CAST(? AS HUGEINT) - 1) // CAST(? AS HUGEINT) AS a_last,
                    (CAST(? AS HUGEINT) * n + CAST(? AS HUGEINT) - 1) // CAST(? AS HUGEINT) AS b_last FROM stats),
    bounds AS (SELECT n, total, a_last, b_last,
                      CASE CAST(? AS VARCHAR) WHEN 'B' THEN a_last + 1 WHEN 'C' THEN b_last + 1 ELSE 1 END AS first_rank,
                      CASE CAST(? AS VARCHAR) WHEN 'A' THEN a_last WHEN 'B' THEN b_last ELSE n END AS last_rank
               FROM cuts),
    window_ AS (SELECT *, CAST(first_rank - 1 + ? AS BIGINT) AS skip,
                       CAST(GREATEST(LEAST(?, last_rank - (first_rank - 1 + ?)), 0) AS BIGINT) AS take FROM bounds),
    page AS (SELECT customer_id, spend FROM spend ORDER BY spend DESC, customer_id
             LIMIT (SELECT take FROM window_) OFFSET (SELECT skip FROM window_)),
    above AS (SELECT COALESCE(SUM(spend), 0) AS above FROM
              (SELECT spend FROM spend ORDER BY spend DESC, customer_id LIMIT (SELECT skip FROM window_)))
    SELECT w.n, w.total, w.a_last, w.b_last, w.first_rank, w.last_rank, w.skip, above.above,
           p.customer_id, p.spend, c.code, c.name
    FROM window_ w CROSS JOIN above LEFT JOIN page p ON TRUE LEFT JOIN customers c ON c.customer_id = p.customer_id
    ORDER BY p.spend DESC, p.customer_id"""
    offset = max(int(offset), 0)
    params = [*params, str(a.numerator), str(a.denominator), str(a.denominator),
              str(b.numerator), str(b.denominator), str(b.denominator), abc, abc, offset, int(limit), offset]
    rows = store.query_df(sql, params)
    head = rows.iloc[0]
    skip = int(head["skip"])
    matches = max(int(head["last_rank"]) - int(head["first_rank"]) + 1, 0)
    rows = rows.dropna(subset=["customer_id"])
    if rows.empty:
        return pd.DataFrame({c: [] for c in LIST_COLUMNS}), matches
    spends = rows["spend"].map(Decimal)
    running = Decimal(head["above"]) + spends.cumsum()
    total = Decimal(head["total"])
    rank = np.arange(skip + 1, skip + len(rows) + 1, dtype="int64")
    frame = pd.DataFrame({
        "customer_id": rows["customer_id"].astype("int64").to_numpy(), "code": rows["code"].to_numpy(),
        "name": rows["name"].to_numpy(),
        "abc": np.where(rank <= int(head["a_last"]), "A", np.where(rank <= int(head["b_last"]), "B", "C")),
        "rank": rank, "spend": spends.astype(float).to_numpy(),
        "share": (spends / total).astype(float).to_numpy(), "cum_share": (running / total).astype(float).to_numpy()})
    return frame, matches


def _spend_cte(q: SegmentQuery, actor) -> tuple[str, list]:
    column = _measure_column(q.measure)
    scope, scope_params = _scope(actor)
    return (f"""spend AS MATERIALIZED (SELECT customer_id, CAST(SUM({column}) AS DECIMAL(18, 2)) AS spend
        FROM transactions WHERE txn_date BETWEEN ? AND ?{scope} GROUP BY customer_id HAVING SUM({column}) > 0)""",
            [q.start, q.end, *scope_params])


def _whole_class(store, actor, q: SegmentQuery, abc: str | None) -> tuple[pd.DataFrame, int]:
    ctes, params = _classified_ctes(q, actor, running=True)
    inner = f"""WITH {ctes}
        SELECT customer_id, abc, rank, CAST(spend AS DOUBLE) AS spend,
               CAST(spend AS DOUBLE) / CAST(total AS DOUBLE) AS share,
               CAST(running AS DOUBLE) / CAST(total AS DOUBLE) AS cum_share
        FROM classified WHERE (CAST(? AS VARCHAR) IS NULL OR abc = ?)"""
    cur = store.cursor()
    try:
        frame = _with_names(cur, inner, [*params, abc, abc], "rank")
    finally:
        cur.close()
    return frame[LIST_COLUMNS].reset_index(drop=True), len(frame)


def classified_frame(store, actor, q: SegmentQuery) -> pd.DataFrame:
    """The whole ``abc_classify`` result (``ABC_COLUMNS``) of ``q`` among the user's customers."""
    ctes, params = _classified_ctes(q, actor, running=True)
    sql = f"""WITH {ctes}
    SELECT customer_id, CAST(spend AS DOUBLE) AS spend, rank,
           CAST(spend AS DOUBLE) / CAST(total AS DOUBLE) AS share,
           CAST(running AS DOUBLE) / CAST(total AS DOUBLE) AS cum_share, abc
    FROM classified ORDER BY rank"""
    return store.query_df(sql, params)


# -- movement between the period and the one before ------------------------------------------------

class Movement(NamedTuple):
    previous: SegmentQuery
    matrix: pd.DataFrame  # like class_migration: rows prev class, columns current class


def _movement_ctes(q: SegmentQuery, actor) -> tuple[str, list, SegmentQuery]:
    prev_q = q.with_period(*previous_period(q.start, q.end))
    prev_sql, prev_params = _classified_ctes(prev_q, actor, prefix="p_")
    curr_sql, curr_params = _classified_ctes(q, actor, prefix="c_")
    joined = """moved AS (
        SELECT COALESCE(p.customer_id, c.customer_id) AS customer_id,
               COALESCE(p.abc, 'none') AS prev_abc, COALESCE(c.abc, 'none') AS curr_abc,
               p.rank AS prev_rank, CAST(p.spend AS DOUBLE) AS prev_spend,
               c.rank AS curr_rank, CAST(c.spend AS DOUBLE) AS curr_spend
        FROM p_classified p FULL OUTER JOIN c_classified c ON p.customer_id = c.customer_id)"""
    return f"{prev_sql},\n{curr_sql},\n{joined}", [*prev_params, *curr_params], prev_q


def class_movement(store, actor, q: SegmentQuery) -> Movement:
    """Customers per (class in the previous period, class in ``q``), the previous period being
    ``previous_period(q.start, q.end)``; the same numbers as ``class_migration``."""
    ctes, params, prev_q = _movement_ctes(q, actor)
    counts = store.query_df(f"WITH {ctes} SELECT prev_abc, curr_abc, COUNT(*) AS customers FROM moved GROUP BY ALL",
                            params)
    matrix = (counts.pivot(index="prev_abc", columns="curr_abc", values="customers")
              .reindex(index=list(MIGRATION_CLASSES), columns=list(MIGRATION_CLASSES)).fillna(0).astype("int64"))
    matrix.index.name, matrix.columns.name = "prev", "curr"
    return Movement(prev_q, matrix)


MOVEMENT_COLUMNS = ["customer_id", "code", "name", "prev_abc", "curr_abc", "prev_rank", "prev_spend",
                    "curr_rank", "curr_spend"]


def movement_customers(store, actor, q: SegmentQuery, prev_classes=("A",), curr_classes=("B", "C", "none"),
                       limit: int | None = 50, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of the customers who moved from any of ``prev_classes`` to any of
    ``curr_classes`` ("A", "B", "C", "none"), by previous rank (then current rank): the default
    is the customers who fell out of A — the ones to call. Returns ``MOVEMENT_COLUMNS`` and
    the number of such customers. Raises ValueError for an unknown class or an empty choice."""
    for chosen in (prev_classes, curr_classes):
        if not chosen or set(chosen) - set(MIGRATION_CLASSES):
            raise ValueError(f"classes must be a non-empty choice of {', '.join(MIGRATION_CLASSES)}")
    ctes, params, _ = _movement_ctes(q, actor)
    page = "" if limit is None else " LIMIT ? OFFSET ?"
    inner = f"""WITH {ctes}
        SELECT *, COUNT(*) OVER () AS matches FROM moved
        WHERE prev_abc IN ({', '.join('?' * len(prev_classes))}) AND curr_abc IN ({', '.join('?' * len(curr_classes))})
        ORDER BY prev_rank NULLS LAST, curr_rank NULLS LAST, customer_id{page}"""
    params = [*params, *prev_classes, *curr_classes] + ([] if limit is None else [int(limit), int(offset)])
    cur = store.cursor()
    try:
        frame = _with_names(cur, inner, params, "prev_rank NULLS LAST, curr_rank NULLS LAST, customer_id")
    finally:
        cur.close()
    total = int(frame["matches"].iloc[0]) if len(frame) else 0
    return frame[MOVEMENT_COLUMNS].reset_index(drop=True), total


# -- big customers, RFM, need types, allocation: per-customer frames for the lazy tabs -------------

def _scope_ids(store, actor) -> np.ndarray | None:
    if actor is None or actor.rep_scope is None:
        return None
    return store.query_df("SELECT customer_id FROM customers WHERE sales_rep = ?",
                          [actor.rep_scope])["customer_id"].to_numpy()


def _in_scope(frame: pd.DataFrame, ids: np.ndarray | None) -> pd.DataFrame:
    return frame if ids is None else frame[frame["customer_id"].isin(ids)].reset_index(drop=True)


def with_customer_names(store, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with ``customer_id``) with each customer's ``code`` and ``name`` put after the
    id, rows in their original order; joined inside DuckDB, so a whole list exports quickly."""
    cur = store.cursor()
    try:
        cur.register("seg_named_rows", frame.reset_index(drop=True).assign(seg_row=np.arange(len(frame))))
        named = cur.execute("""SELECT f.*, c.code, c.name FROM seg_named_rows f
                               LEFT JOIN customers c ON c.customer_id = f.customer_id ORDER BY f.seg_row""").df()
    finally:
        cur.close()
    rest = [c for c in frame.columns if c != "customer_id"]
    return named[["customer_id", "code", "name", *rest]]


def top_customers(store, actor, q: SegmentQuery, n: int = 50) -> pd.DataFrame:
    """The ``n`` highest spenders of ``q`` graded A/B/C among themselves (``top_n_graded``, with
    ``q``'s shares), with code and name."""
    ctes, params = _classified_ctes(q, actor)
    cur = store.cursor()
    try:
        top = _with_names(cur, f"WITH {ctes} SELECT customer_id, CAST(spend AS DOUBLE) AS spend, rank "
                               "FROM classified ORDER BY rank LIMIT ?", [*params, int(n)], "rank")
    finally:
        cur.close()
    graded = top_n_graded(top, n=n, a_share=q.a_share, b_share=q.b_share)
    return graded.merge(top[["customer_id", "code", "name"]], on="customer_id", how="left")


def _table_exists(cur, name: str) -> bool:
    return bool(cur.execute("SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def extra_features_sql(con, start: date, end: date) -> pd.DataFrame:
    """Non-monetary features from other parts of the store, when those parts exist:
    ``complaints_per_purchase`` (complaints received in the period / purchase days; table
    ``complaints``) and ``feedback_count`` (survey answers given in the period; table
    ``survey_responses``). One row per customer with any of them; a missing table gives no
    column. Referrals and payment delays are not recorded anywhere yet."""
    _check_period(start, end)
    parts = []
    if _table_exists(con, "complaints"):
        parts.append(con.execute("""
            WITH purchases AS (SELECT customer_id, COUNT(DISTINCT txn_date) AS days FROM transactions
                               WHERE txn_date BETWEEN ? AND ? AND amount > 0 GROUP BY customer_id),
            said AS (SELECT customer_id, COUNT(*) AS complaints FROM complaints
                     WHERE received_at >= CAST(CAST(? AS DATE) AS TIMESTAMPTZ)
                       AND received_at < CAST(CAST(? AS DATE) AS TIMESTAMPTZ) GROUP BY customer_id)
            SELECT p.customer_id, COALESCE(s.complaints, 0) / p.days AS complaints_per_purchase
            FROM purchases p LEFT JOIN said s USING (customer_id)""",
            [start, end, start, end + timedelta(days=1)]).df().set_index("customer_id"))
    if _table_exists(con, "survey_responses"):
        parts.append(con.execute("""SELECT customer_id, COUNT(*) AS feedback_count FROM survey_responses
            WHERE customer_id IS NOT NULL AND responded_on BETWEEN ? AND ? GROUP BY customer_id""",
                                 [start, end]).df().set_index("customer_id"))
    if not parts:
        return pd.DataFrame({"customer_id": pd.Series(dtype="int64")})
    return pd.concat(parts, axis=1).rename_axis("customer_id").reset_index()


class ValueView(NamedTuple):
    scores: pd.DataFrame  # classified customers: customer_id, spend, rank, abc, factor columns, score, tier
    grid: ValueGrid
    factors: tuple  # the factors that had data


def value_view(store, actor, q: SegmentQuery, weights: dict | None = None) -> ValueView:
    """Non-monetary value of every classified customer of ``q`` (``nonmonetary_scores`` over the
    store's features, ``customer_features_sql`` + ``extra_features_sql``) and the grid of ABC
    class × value tier. Tiers are relative to the classified customers the user can see."""
    classified = classified_frame(store, actor, q)
    cur = store.cursor()
    try:
        features = customer_features_sql(cur, q.start, q.end)
        extra = extra_features_sql(cur, q.start, q.end)
    finally:
        cur.close()
    features = classified[["customer_id"]].merge(features, on="customer_id", how="left")
    if len(extra.columns) > 1:
        features = features.merge(extra, on="customer_id", how="left")
    if classified.empty:
        empty = classified.assign(score=pd.Series(dtype=float), tier=pd.Series(dtype=str))
        return ValueView(empty, value_grid(classified, empty), ())
    scores = nonmonetary_scores(features, weights)
    merged = classified[["customer_id", "spend", "rank", "abc"]].merge(scores, on="customer_id")
    factors = tuple(f for f in NONMONETARY_FACTORS if f in scores.columns)
    return ValueView(merged, value_grid(classified, scores), factors)


def rfm_view(store, actor, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """``rfm_scores`` of the customers the user can see who bought in ``start``..``end``."""
    cur = store.cursor()
    try:
        table = rfm_table_sql(cur, start, end, as_of)
    finally:
        cur.close()
    table = _in_scope(table, _scope_ids(store, actor))
    if table.empty:
        return table.assign(r_score=pd.Series(dtype="int64"), f_score=pd.Series(dtype="int64"),
                            m_score=pd.Series(dtype="int64"), segment=pd.Series(dtype=str))
    return rfm_scores(table)


def need_view(store, actor, start: date, end: date) -> pd.DataFrame:
    """Need type of every customer the user can see (``infer_need_type`` over
    ``need_features_sql``) with ``revenue`` in the period (0 when none) and the two signals."""
    cur = store.cursor()
    try:
        features = need_features_sql(cur, start, end)
        revenue = cur.execute("""SELECT customer_id, CAST(SUM(amount) AS DOUBLE) AS revenue FROM transactions
                                 WHERE txn_date BETWEEN ? AND ? GROUP BY customer_id""", [start, end]).df()
    finally:
        cur.close()
    features = _in_scope(features, _scope_ids(store, actor))
    needs = infer_need_type(features)
    needs["discount_share"] = features["discount_share"].to_numpy()
    needs["relative_price"] = features["relative_price"].to_numpy()
    needs = needs.merge(revenue, on="customer_id", how="left")
    needs["revenue"] = needs["revenue"].fillna(0.0)
    return needs


def need_summary(needs: pd.DataFrame) -> pd.DataFrame:
    """Customers and revenue per need type ("unknown" for no data) and source, from ``need_view``."""
    frame = needs.assign(need_type=needs["need_type"].fillna("unknown"),
                         need_source=needs["need_source"].fillna("none"))
    summary = frame.groupby(["need_type", "need_source"], as_index=False).agg(
        customers=("customer_id", "size"), revenue=("revenue", "sum"))
    order = {k: i for i, k in enumerate((*NEED_TYPES, "unknown"))}
    return summary.sort_values(["need_type", "need_source"], key=lambda s: s.map(order) if s.name == "need_type"
                               else s).reset_index(drop=True)


def effort_by_class(store, actor, q: SegmentQuery) -> pd.DataFrame:
    """Where effort goes today: per ABC class of ``q`` (and "none" for the customers the user
    can see who did not buy), ``customers``, ``interactions`` and ``cost_to_serve`` (cost +
    concession, money as float) from the interaction log in ``q``'s period (local dates)."""
    ctes, params = _classified_ctes(q, actor)
    scope, scope_params = _scope(actor)
    sql = f"""WITH {ctes},
    effort AS (SELECT customer_id, COUNT(*) AS interactions, SUM(cost + concession) AS cost_to_serve
               FROM interactions
               WHERE occurred_at >= CAST(CAST(? AS DATE) AS TIMESTAMPTZ)
                 AND occurred_at < CAST(CAST(? AS DATE) AS TIMESTAMPTZ) GROUP BY customer_id),
    people AS (SELECT customer_id FROM customers WHERE TRUE{scope})
    SELECT COALESCE(k.abc, 'none') AS abc, COUNT(*) AS customers,
           COALESCE(SUM(e.interactions), 0) AS interactions,
           COALESCE(CAST(SUM(e.cost_to_serve) AS DOUBLE), 0) AS cost_to_serve
    FROM people p LEFT JOIN classified k USING (customer_id) LEFT JOIN effort e USING (customer_id)
    GROUP BY ALL"""
    frame = store.query_df(sql, [*params, q.start, q.end + timedelta(days=1), *scope_params])
    frame = frame.set_index("abc").reindex(list(MIGRATION_CLASSES), fill_value=0).reset_index()
    return frame.astype({"customers": "int64", "interactions": "int64", "cost_to_serve": float})


def allocation_plan(effort: pd.DataFrame, budget, split=(0.6, 0.3, 0.1), unit: str = "money") -> pd.DataFrame:
    """Seed 000 against today: ``allocate_budget`` over the tiers of ``effort_by_class`` (A →
    key, B → general, C → potential) beside the actual effort. ``unit`` "money" compares with
    cost to serve, "hours" with the number of interactions (the log records no hours). Columns:
    tier, customers, share, total, per_customer (Decimal), actual, actual_share (float; NaN when
    nothing was spent). Customers without a purchase are not in a tier.
    Raises ValueError for an unknown unit or as ``allocate_budget``."""
    if unit not in ("money", "hours"):
        raise ValueError(f"unit must be money or hours, got {unit!r}")
    by_class = effort.set_index("abc")
    counts = {CLASS_TO_TIER[c]: int(by_class.loc[c, "customers"]) for c in ABC_CLASSES}
    plan = allocate_budget(budget, counts, split)
    actual = by_class["cost_to_serve" if unit == "money" else "interactions"].astype(float)
    plan["actual"] = [float(actual.loc[c]) for c in ABC_CLASSES]
    spent = float(plan["actual"].sum())
    plan["actual_share"] = plan["actual"] / spent if spent else np.nan
    return plan


def survey_answers_linked(store) -> int | None:
    """Survey answers that name a customer, or None when the survey tables do not exist yet."""
    cur = store.cursor()
    try:
        if not _table_exists(cur, "survey_responses"):
            return None
        return int(cur.execute("SELECT COUNT(*) FROM survey_responses WHERE customer_id IS NOT NULL").fetchone()[0])
    finally:
        cur.close()


# -- one customer: why it is in its class, and when the class last changed -------------------------

def class_explanation(store, actor, customer_id: int, q: SegmentQuery) -> dict:
    """Why ``customer_id`` is in its class for ``q``: ``abc`` ("A", "B", "C", or "none" without
    a positive total), ``rank`` of ``classified`` customers, ``spend``, ``share`` and
    ``cum_share`` (of everyone ranked up to and including them), ``a_last``/``b_last`` (the
    last rank of A and of B). Same ranks as ``abc_classify_sql``; one aggregate query."""
    column = _measure_column(q.measure)
    scope, scope_params = _scope(actor)
    a, b = _abc_shares(q.a_share, q.b_share)
    sql = f"""WITH spend AS (
        SELECT customer_id, SUM({column}) AS spend FROM transactions
        WHERE txn_date BETWEEN ? AND ?{scope} GROUP BY customer_id HAVING SUM({column}) > 0),
    me AS (SELECT MAX(spend) AS spend FROM spend WHERE customer_id = ?)
    SELECT CAST(me.spend AS DOUBLE), COUNT(*), CAST(SUM(s.spend) AS DOUBLE),
           COUNT(*) FILTER (WHERE s.spend > me.spend OR (s.spend = me.spend AND s.customer_id <= ?)),
           CAST(SUM(s.spend) FILTER (WHERE s.spend > me.spend OR (s.spend = me.spend AND s.customer_id <= ?))
                AS DOUBLE)
    FROM spend s, me GROUP BY me.spend"""
    row = store.query_one(sql, [q.start, q.end, *scope_params, int(customer_id), int(customer_id), int(customer_id)])
    my_spend, n, total, rank, running = row if row else (None, 0, None, 0, None)
    n = int(n or 0)
    result = {"customer_id": int(customer_id), "classified": n, "a_last": ceil_count(a, n),
              "b_last": ceil_count(b, n), "spend": my_spend, "rank": None, "share": None,
              "cum_share": None, "abc": "none"}
    if my_spend is not None:
        rank = int(rank)
        result.update(rank=rank, share=my_spend / total, cum_share=running / total,
                      abc="A" if rank <= result["a_last"] else "B" if rank <= result["b_last"] else "C")
    return result


# -- class history (migration 007): the standard classes at each month end --------------------------

HISTORY_MONTHS = 12  # each snapshot classifies the 12 calendar months ending at its month end
HISTORY_RULE = SegmentQuery(date(2000, 1, 1), date(2000, 12, 31))  # revenue, 5% / 20%
DEMO_HISTORY_MONTHS = 24


def last_closed_month_end(day: date) -> date:
    """The last day of the month before ``day``'s month: the newest month that is over."""
    return day.replace(day=1) - timedelta(days=1)


def history_window(month_end: date) -> tuple[date, date]:
    start = (pd.Timestamp(month_end.replace(day=1)) - pd.DateOffset(months=HISTORY_MONTHS - 1)).date()
    return start, month_end


def _snapshot_classes_sql(prefix: str) -> str:
    case, _ = _class_case(Fraction(1), Fraction(1))
    return f"""WITH spend AS (
        SELECT customer_id, SUM(revenue) AS spend FROM {prefix}monthly
        WHERE month BETWEEN ? AND ? GROUP BY customer_id HAVING SUM(revenue) > 0),
    ranked AS (SELECT customer_id, spend, ROW_NUMBER() OVER (ORDER BY spend DESC, customer_id) AS rank,
                      COUNT(*) OVER () AS n FROM spend)
    SELECT customer_id, rank, spend, {case} AS abc FROM ranked"""


def _record_snapshots(cur, month_ends: list[date]) -> int:
    """Write the snapshots of ``month_ends`` (ascending, consecutive) through ``cur``: the classes
    of each window compared with those of the month before; only changes are stored."""
    a, b = _abc_shares(HISTORY_RULE.a_share, HISTORY_RULE.b_share)
    _, case_params = _class_case(a, b)
    first_start, _ = history_window(last_closed_month_end(month_ends[0]))
    cur.execute("""CREATE TEMP TABLE seg_hist_monthly AS
        SELECT customer_id, CAST(date_trunc('month', txn_date) AS DATE) AS month, SUM(amount) AS revenue
        FROM transactions WHERE txn_date BETWEEN ? AND ? GROUP BY ALL""", [first_start, month_ends[-1]])
    select = _snapshot_classes_sql("seg_hist_")
    written = 0
    try:
        baseline_start, baseline_end = history_window(last_closed_month_end(month_ends[0]))
        cur.execute(f"CREATE TEMP TABLE seg_hist_prev AS {select}",
                    [baseline_start.replace(day=1), baseline_end, *case_params])
        for month_end in month_ends:
            start, end = history_window(month_end)
            cur.execute(f"CREATE TEMP TABLE seg_hist_curr AS {select}", [start, end, *case_params])
            cur.execute("""INSERT INTO segment_class_changes (month_end, customer_id, prev_abc, abc, rank, spend)
                SELECT ?, COALESCE(c.customer_id, p.customer_id), COALESCE(p.abc, 'none'), COALESCE(c.abc, 'none'),
                       c.rank, c.spend
                FROM seg_hist_prev p FULL OUTER JOIN seg_hist_curr c ON p.customer_id = c.customer_id
                WHERE COALESCE(p.abc, 'none') <> COALESCE(c.abc, 'none')""", [month_end])
            cur.execute("""INSERT INTO segment_snapshots (month_end, period_start, measure, a_share, b_share, customers)
                SELECT ?, ?, ?, ?, ?, COUNT(*) FROM seg_hist_curr""",
                        [month_end, start, HISTORY_RULE.measure, str(HISTORY_RULE.a_share), str(HISTORY_RULE.b_share)])
            cur.execute("DROP TABLE seg_hist_prev")
            cur.execute("ALTER TABLE seg_hist_curr RENAME TO seg_hist_prev")
            written += 1
    finally:
        cur.execute("DROP TABLE IF EXISTS seg_hist_prev")
        cur.execute("DROP TABLE IF EXISTS seg_hist_curr")
        cur.execute("DROP TABLE IF EXISTS seg_hist_monthly")
    return written


def _month_ends_between(first: date, last: date) -> list[date]:
    return [d.date() for d in pd.date_range(first, last, freq="ME")]


def record_class_history(store, through: date, backfill: int = 1) -> list[date]:
    """Bring the class history up to the last closed month before ``through``: one snapshot per
    month end not yet recorded (with no history yet, the last ``backfill`` month ends). Each
    snapshot classifies revenue over the 12 calendar months ending there with the default
    shares (``HISTORY_RULE``) and stores the customers whose class differs from the month
    before. Returns the month ends written (empty when up to date)."""
    last = last_closed_month_end(through)
    if _months_to_record(store.query_one("SELECT MAX(month_end) FROM segment_snapshots")[0], last, backfill) == []:
        return []  # up to date: no write, so no cache anywhere is invalidated
    with store.transaction() as cur:  # decided again under the write lock: two sessions may race here
        recorded = cur.execute("SELECT MAX(month_end) FROM segment_snapshots").fetchone()[0]
        month_ends = _months_to_record(recorded, last, backfill)
        if month_ends:
            _record_snapshots(cur, month_ends)
    return month_ends


def _months_to_record(recorded: date | None, last: date, backfill: int) -> list[date]:
    if recorded is not None and recorded >= last:
        return []
    if recorded is None:
        first = (pd.Timestamp(last) - pd.DateOffset(months=max(backfill, 1) - 1) + pd.offsets.MonthEnd(0)).date()
    else:
        first = (pd.Timestamp(recorded) + pd.offsets.MonthEnd(1)).date()
    return _month_ends_between(first, last)


def load_demo(cur, customers: pd.DataFrame, transactions: pd.DataFrame, as_of: date, seed: int,
              months: int = DEMO_HISTORY_MONTHS) -> int:
    """Demo class history: snapshots for the ``months`` (default 24) month ends before ``as_of``'s
    month (those not recorded yet), computed from the ``transactions`` table already inserted through ``cur`` (the
    frames are not needed: the history is derived, deterministic, and uses no randomness).
    Returns the number of change rows written."""
    last = last_closed_month_end(as_of)
    recorded = cur.execute("SELECT MAX(month_end) FROM segment_snapshots").fetchone()[0]
    month_ends = _months_to_record(recorded, last, months)  # idempotent: a second call adds nothing
    before = cur.execute("SELECT COUNT(*) FROM segment_class_changes").fetchone()[0]
    if month_ends:
        _record_snapshots(cur, month_ends)
    return int(cur.execute("SELECT COUNT(*) FROM segment_class_changes").fetchone()[0] - before)


def class_history(store, actor, customer_id: int) -> pd.DataFrame:
    """The recorded class changes of one customer, newest first: month_end, prev_abc, abc,
    rank, spend (float). Empty when the user may not see the customer."""
    scope, params = _scope(actor)
    frame = store.query_df(f"""SELECT month_end, prev_abc, abc, rank, CAST(spend AS DOUBLE) AS spend
        FROM segment_class_changes WHERE customer_id = ?{scope} ORDER BY month_end DESC""",
                           [int(customer_id), *params])
    frame["month_end"] = pd.to_datetime(frame["month_end"]).dt.date
    return frame


def history_span(store) -> tuple[date | None, date | None]:
    """First and last recorded month end (None, None without history)."""
    first, last = store.query_one("SELECT MIN(month_end), MAX(month_end) FROM segment_snapshots")
    return first, last
