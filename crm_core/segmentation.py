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
