"""ABC classes and their concentration: 80/20 share, Gini, Lorenz curve (seed 002)."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

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


def abc_shares(a_share, b_share) -> tuple[Fraction, Fraction]:
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
    a, b = abc_shares(a_share, b_share)
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


def check_period(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"period start {start} is after its end {end}")


def measure_column(measure: str) -> str:
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    return MEASURES[measure]


def _period_spend_cte(measure: str) -> str:
    column = measure_column(measure)  # identifier from the fixed whitelist, never user text
    return f"""period_spend AS (
        SELECT customer_id, SUM({column}) AS spend
        FROM transactions
        WHERE txn_date BETWEEN ? AND ?
        GROUP BY customer_id
        HAVING SUM({column}) > 0)"""


def abc_classify_sql(db, start: date, end: date, measure: str = "revenue",
                     a_share=0.05, b_share=0.20) -> pd.DataFrame:
    """``abc_classify`` computed in DuckDB over ``transactions`` dated ``start``..``end``.

    ``measure`` "revenue" sums ``amount``; "margin" sums ``gross_margin`` (missing margins are
    ignored). Customers whose total is <= 0 or who bought nothing in the period are not in the
    result. Same columns, order and rules as
    ``abc_classify``; class cut-offs use exact integer arithmetic: rank r is within
    ceil(s·n) exactly when (r - 1)·denominator(s) < numerator(s)·n.

    Raises ValueError for an unknown measure, invalid shares or start > end.
    """
    sql, params = _abc_sql(start, end, measure, a_share, b_share)
    return db.execute(f"{sql} ORDER BY rank", params).df()


def abc_class_codes_sql(db, start: date, end: date, measure: str = "revenue",
                        a_share=0.05, b_share=0.20, with_spend: bool = False) -> tuple[np.ndarray, ...]:
    """(customer ids ascending, class codes: 0 A, 1 B, 2 C as int8[, spend as float64 with
    ``with_spend``]) of ``abc_classify_sql``: nine (or seventeen) bytes a customer instead of a
    frame of six columns, for a job that needs only the classes of millions of customers (the fits
    of issue 18)."""
    sql, params = _abc_sql(start, end, measure, a_share, b_share)
    found = db.execute(f"SELECT customer_id, CAST(CASE abc WHEN 'A' THEN 0 WHEN 'B' THEN 1 ELSE 2 END AS TINYINT)"
                       f" AS code{', spend' if with_spend else ''} FROM ({sql}) ORDER BY customer_id", params).fetchnumpy()
    arrays = (np.asarray(found["customer_id"], dtype="int64"), np.asarray(found["code"], dtype="int8"))
    return (*arrays, np.asarray(found["spend"], dtype="float64")) if with_spend else arrays


def abc_classes_frame(db, start: date, end: date, with_spend: bool = False) -> pd.DataFrame:
    """``abc_class_codes_sql`` as a frame to register with DuckDB: customer_id, abc (a category:
    an ENUM to DuckDB, one byte a customer)[, spend]."""
    found = abc_class_codes_sql(db, start, end, with_spend=with_spend)
    frame = {"customer_id": found[0], "abc": pd.Categorical.from_codes(found[1], ABC_CLASSES)}
    return pd.DataFrame({**frame, "spend": found[2]} if with_spend else frame)


def _abc_sql(start: date, end: date, measure: str, a_share, b_share) -> tuple[str, list]:
    """The classification's query (one row per classified customer, unordered) and its parameters."""
    check_period(start, end)
    a, b = abc_shares(a_share, b_share)
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
    FROM ranked"""
    # Fraction parts travel as text so that no share is squeezed through a 64-bit integer.
    return sql, [start, end, str(a.denominator), str(a.numerator), str(b.denominator), str(b.numerator)]


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


