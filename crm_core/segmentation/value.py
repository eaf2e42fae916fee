"""Big-customer identification: revenue ranking and non-monetary value (seed 001)."""
from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from crm_core import summaries
from crm_core.definitions import PURCHASE
from crm_core.segmentation.abc import ABC_CLASSES, abc_classify, check_period
from crm_core.sql import quote_identifier

# ---------------------------------------------------------------------------------------------
# Big-customer identification (seed 001): revenue ranking + non-monetary value
# ---------------------------------------------------------------------------------------------


TOP_GRADES = (1, 2, 3)  # grade within the top n: 1st / 2nd / 3rd tier (not an ABC class)


def top_n_graded(classified: pd.DataFrame, n: int = 50, a_share=0.05, b_share=0.20) -> pd.DataFrame:
    """Revenue ranking (营业额排位法): the ``n`` highest spenders of ``classified`` (any frame
    with ``customer_id`` and ``spend``), graded among themselves into ``top_grade`` 1 / 2 / 3 (the
    1st / 2nd / 3rd tier within the top n, by the ABC rule with the given shares: 3 / 7 / 40 of
    50 by default). That grade is *not* the customer's ABC class: ``abc`` is the class of the
    whole population of ``classified`` (its own ``abc`` column when it has one — pass the whole
    classification or its top rows with their classes — otherwise ``abc_classify`` of the frame
    with the same shares), so a customer has one ABC class per period and measure everywhere.
    ``share`` and ``cum_share`` are of the top-n total; ``rank`` equals the overall rank. Fewer
    than ``n`` customers: all of them.

    Returns ``customer_id``, ``spend``, ``rank``, ``share``, ``cum_share``, ``abc``, ``top_grade``.
    Raises ValueError unless n >= 1, or for invalid shares.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    ranked = abc_classify(classified[["customer_id", "spend"]], a_share, b_share)
    if "abc" in classified.columns:
        given = classified.drop_duplicates("customer_id").set_index("customer_id")["abc"]
        ranked["abc"] = ranked["customer_id"].map(given).astype("str")
    top = ranked[ranked["rank"] <= n]
    graded = abc_classify(top[["customer_id", "spend"]], a_share, b_share)
    grade = graded["abc"].map({"A": 1, "B": 2, "C": 3}).astype("int64")
    population = top.set_index("customer_id")["abc"]
    return graded.assign(abc=graded["customer_id"].map(population).astype("str"), top_grade=grade)


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


def checked_weights(weights: dict) -> dict[str, float]:
    """Every known factor's weight as a float (0 where ``weights`` leaves it out); ValueError for
    an unknown factor, a negative or non-finite weight, or all zero. Also how the segmentation
    views tell the default weights (whose scores the fit job keeps) from a user's own."""
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
    Missing values, and every value when fewer than two are known, score the neutral 50.
    (The rule for one column; ``nonmonetary_scores`` computes it in SQL, ``factor_scores_sql``.)"""
    known = int(values.notna().sum())
    if known < 2:
        return pd.Series(NEUTRAL_SCORE, index=values.index)
    pct = (values.rank(method="average") - 1) / (known - 1) * 100
    return (pct if higher_is_better else 100 - pct).fillna(NEUTRAL_SCORE)


# The feature columns of the factors, in the factors' order.
FEATURE_COLUMNS = tuple(column for columns in NONMONETARY_FACTORS.values() for column, _ in columns)


def _percentile_cte(i: int, column: str, source: str) -> str:
    """CTE ``value_pct_{i}``: each known value ``v`` of ``column`` in ``source`` and its percentile
    rank ``pct`` (0..100, lowest 0) among the known values. Grouped by value (most features have
    few distinct values: months, 1-5, counts), joined back by value: at 850,000 rows as fast as a
    window over the rows for the one with a value per customer (spend_cv), and faster for the rest;
    several windows of other orders in one query cost far more. A group of ``tied`` equal values ending at position
    ``upto`` has the average rank (2·upto − tied + 1)/2 — exact in doubles, the number pandas'
    average rank gives, so the percentile is the same bit for bit."""
    col = quote_identifier(column)
    return f"""value_pct_{i} AS (
        SELECT v, (CAST(2 * upto - tied + 1 AS DOUBLE) / 2 - 1) / CAST(known - 1 AS DOUBLE) * 100 AS pct
        FROM (SELECT v, tied, SUM(tied) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING) AS upto,
                     SUM(tied) OVER () AS known
              FROM (SELECT {col} AS v, COUNT(*) AS tied FROM {source} WHERE {col} IS NOT NULL GROUP BY ALL)))"""


def _part(i: int, column: str, higher_is_better: bool) -> str:
    """A row's score for feature ``i`` (``percentile_score``): its percentile, reversed when lower
    is better; the neutral 50 when the row's value is missing or fewer than two are known."""
    scored = f"value_pct_{i}.pct" if higher_is_better else f"100 - value_pct_{i}.pct"
    return (f"CASE WHEN f.{quote_identifier(column)} IS NULL OR value_known.k{i} < 2 THEN {NEUTRAL_SCORE!r}"
            f" ELSE {scored} END")


def _factor_expression(parts: list[tuple[int, str, bool]]) -> str:
    """The mean of the factor's parts that have a known value at all (``value_known.k{i} > 0``),
    added left to right as ``sum(parts) / len(parts)`` does; NULL when none has (no data)."""
    cases = []
    for size in range(len(parts), 0, -1):
        for chosen in combinations(parts, size):
            test = " AND ".join(f"value_known.k{i} > 0" for i, _, _ in chosen)
            total = " + ".join(f"({_part(*part)})" for part in chosen)
            cases.append(f"WHEN {test} THEN ({total}) / {size}" if size > 1 else f"WHEN {test} THEN {total}")
    return "CASE " + " ".join(cases) + " END"


def factor_scores_sql(columns, source: str = "value_features") -> tuple[str, str, str]:
    """The non-monetary factor scores in SQL: the rule of ``nonmonetary_scores`` (each feature
    column scored 0..100 by percentile rank among the rows of ``source``, ties averaged, missing =
    50; a factor is the mean of its columns that have any known value) — run by it over a frame,
    and by the Segmentation page inside the store's query.

    ``source`` is a relation (a CTE) with the feature ``columns`` (DOUBLE; any of
    ``FEATURE_COLUMNS``). Returns (ctes, select, joins): CTE text to follow the caller's CTEs, the
    select list (one column per factor with a column in ``columns``, NULL for every row when
    none of its columns has a known value) and the joins to put after ``FROM source AS f``."""
    present = [c for c in FEATURE_COLUMNS if c in columns]
    index = {column: i for i, column in enumerate(present)}
    known = ", ".join(f"COUNT(f.{quote_identifier(c)}) AS k{i}" for c, i in index.items()) or "0 AS k"
    ctes = [f"value_known AS (SELECT {known} FROM {source} f)"]
    ctes += [_percentile_cte(i, c, source) for c, i in index.items()]
    select = []
    for factor, parts in NONMONETARY_FACTORS.items():
        have = [(index[c], c, better) for c, better in parts if c in index]
        if have:
            select.append(f"{_factor_expression(have)} AS {quote_identifier(factor)}")
    joins = " CROSS JOIN value_known" + "".join(
        f" LEFT JOIN value_pct_{i} ON f.{quote_identifier(c)} = value_pct_{i}.v" for c, i in index.items())
    return ",\n    ".join(ctes), ", ".join(select), joins


def _factor_scores(features: pd.DataFrame) -> pd.DataFrame:
    """0..100 per factor (``factor_scores_sql`` run over ``features``); a factor with no known
    value in any of its columns is left out."""
    columns = [c for c in FEATURE_COLUMNS if c in features.columns]
    numeric = pd.DataFrame({"value_row": np.arange(len(features), dtype="int64"),
                            **{c: pd.to_numeric(features[c]).astype(float) for c in columns}})
    ctes, select, joins = factor_scores_sql(columns)
    with duckdb.connect() as con:
        con.register("value_features", numeric)  # NaN reads as NULL: missing
        factors = con.execute(f"WITH {ctes} SELECT f.value_row{', ' if select else ''}{select} "
                              f"FROM value_features f {joins} ORDER BY f.value_row").df()
    return available_factors(factors.drop(columns="value_row").set_axis(features.index))


def available_factors(factors: pd.DataFrame) -> pd.DataFrame:
    """The factor columns of ``factors`` that have data (a factor without is NULL throughout)."""
    return factors[[f for f in NONMONETARY_FACTORS if f in factors.columns and factors[f].notna().any()]]


def tercile_codes(score: np.ndarray) -> np.ndarray:
    """0 high / 1 medium / 2 low (VALUE_TIERS' order) by the score's percentile rank
    p = (r − 1)/(n − 1): p > 2/3 high, p < 1/3 low, else medium — compared in integers on twice the
    average rank r of a group of equal scores (missing scores tie with each other, last): a group
    at sorted positions s..e−1 has 2r = s + e + 1, so p > 2/3 ⇔ 3(s + e − 1) > 4(n − 1). That
    grows with the group, so the low tier is a prefix of the sorted scores and the high tier a
    suffix: one sort and two counts, no rank per row (several copies of the scores at ten million
    customers, issue 18)."""
    score = np.asarray(score, dtype=float)
    n = len(score)
    order = np.argsort(score, kind="stable")
    ranked = score[order]
    starts = np.flatnonzero(np.concatenate([[True], (ranked[1:] != ranked[:-1])
                                            & ~(np.isnan(ranked[1:]) & np.isnan(ranked[:-1]))]))
    del ranked
    twice = np.append(starts[1:], n)
    twice += starts
    twice -= 1
    twice *= 3  # 3(s + e − 1) per group, ascending
    low_groups = np.count_nonzero(twice < 2 * (n - 1))
    high_groups = np.count_nonzero(twice > 4 * (n - 1))
    low_rows = starts[low_groups] if low_groups < len(starts) else n
    medium_rows = (starts[len(starts) - high_groups] if high_groups else n) - low_rows
    codes = np.empty(n, dtype="int8")
    codes[order[:low_rows]] = 2
    codes[order[low_rows:low_rows + medium_rows]] = 1
    codes[order[low_rows + medium_rows:]] = 0
    return codes


def labels_of(codes: np.ndarray, labels) -> pd.api.extensions.ExtensionArray:
    """``labels[code]`` for each code, as a string column made straight from the codes (a Python
    string per row, then converted, costs five times as much at 850,000 rows)."""
    decoded = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype="int8")), pa.array(list(labels)))
    return pd.array(decoded.dictionary_decode(), dtype="str")


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
    checked = checked_weights(DEFAULT_NONMONETARY_WEIGHTS if weights is None else weights)
    features = features.reset_index(drop=True)
    return weighted_scores(features[["customer_id"]], _factor_scores(features), checked)


def weighted_scores(rows: pd.DataFrame, factors: pd.DataFrame, weights: dict | None = None) -> pd.DataFrame:
    """``rows`` with the ``factors`` (``available_factors``, the same index), the weighted ``score``
    and the ``tier`` of ``nonmonetary_scores``: the step that depends on the weights."""
    score, tiers = scores_and_tiers(factors, weights)
    result = pd.concat([rows, factors], axis=1)
    result["score"] = pd.Series(score, index=rows.index)
    result["tier"] = labels_of(tiers, VALUE_TIERS)
    return result.reset_index(drop=True)


def scores_and_tiers(factors: pd.DataFrame, weights: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's weighted score of the ``factors`` (``available_factors``) and its tier code
    (``tercile_codes``): arrays, for a caller that keeps them without a frame of text per row."""
    checked = checked_weights(DEFAULT_NONMONETARY_WEIGHTS if weights is None else weights)
    used = [f for f in factors.columns if checked[f] > 0]
    if not used:
        raise ValueError("none of the weighted factors has data; weight one of: "
                         f"{', '.join(factors.columns) or 'no factor has data'}")
    w = np.array([checked[f] for f in used])
    # Rounded so that scores equal in exact arithmetic (25.0 vs 24.999999999999996) tie.
    # A million rows at a time: each row's dot product is the same, without a matrix of every row.
    score = np.concatenate([factors[used].iloc[i:i + SCORE_CHUNK_ROWS].to_numpy() @ w
                            for i in range(0, len(factors), SCORE_CHUNK_ROWS)] or [np.empty(0)])
    score /= w.sum()
    np.round(score, 6, out=score)
    return score, tercile_codes(score)


SCORE_CHUNK_ROWS = 1 << 20


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
    return grid_of(merged)


def grid_of(merged: pd.DataFrame) -> ValueGrid:
    """``value_grid`` of customers with both their class and tier in one frame (``customer_id``,
    ``spend``, ``rank``, ``abc``, ``score``, ``tier``)."""
    # each class and tier compared as text once (fast on string columns; codes from labels cost more)
    in_class = [(merged["abc"] == cls).to_numpy(dtype=bool) for cls in ABC_CLASSES]
    in_tier = [(merged["tier"] == tier).to_numpy(dtype=bool) for tier in VALUE_TIERS]
    cells = np.array([np.count_nonzero(c & t) for c in in_class for t in in_tier], dtype="int64")
    counts = pd.DataFrame(cells.reshape(len(ABC_CLASSES), len(VALUE_TIERS)),
                          index=pd.Index(ABC_CLASSES, name="abc"),
                          columns=pd.Index(VALUE_TIERS, name="tier"))
    overlooked = merged[in_class[ABC_CLASSES.index("C")] & in_tier[VALUE_TIERS.index("high")]]
    overlooked = overlooked.sort_values(["score", "customer_id"], ascending=[False, True])
    return ValueGrid(counts, overlooked[["customer_id", "spend", "rank", "score"]].reset_index(drop=True))


def months_in_period(start: date, end: date) -> int:
    """Calendar months touched by ``start``..``end`` (Jan 31 – Feb 1 is 2)."""
    return (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1


# Each customer's first purchase up to the period's end: their first purchase ever when it is on
# or before it (crm_core.summaries, when current), else none — the same as from the rows.
_FIRST_FROM_SUMMARIES = ("SELECT customer_id, first_purchase AS first_date FROM customer_summary"
                         " WHERE first_purchase <= $end")
_FIRST_FROM_ROWS = ("SELECT customer_id, MIN(txn_date) AS first_date FROM transactions WHERE txn_date <= $end AND "
                    + PURCHASE + " GROUP BY customer_id")

# The per-customer parts of the features, from the transactions alone (parameters $start, $end,
# $months): also kept by the background fit (crm_core.segmentation.fits), the same text. The sums
# are exact (DECIMAL amounts, their squares in integer cents), so a customer's features do not
# depend on the order DuckDB's threads add rows in: the kept rows and a live read agree exactly
# (sums of floats in parallel differed in their last bits from one run to the next). The standard
# deviation over the N months of the period, divided by the mean, is sqrt(N·Σc² − (Σc)²) / Σc
# over the month totals c in cents (months without rows are 0).
_MONTHLY_CTES = """
    monthly AS (
        SELECT customer_id, year(txn_date) * 12 + month(txn_date) AS month_index,
               CAST(SUM(amount) * 100 AS HUGEINT) AS cents
        FROM transactions WHERE txn_date BETWEEN $start AND $end
        GROUP BY ALL),
    spread AS (
        SELECT customer_id, SUM(cents) AS cents, COUNT(*) FILTER (WHERE cents > 0) AS active_months,
               SUM(cents * cents) AS squares
        FROM monthly GROUP BY customer_id)"""
TENURE_DAYS = "date_diff('day', f.first_date, CAST($end AS DATE))"
REPEAT_RATE = "COALESCE(p.active_months, 0) / CAST($months AS DOUBLE)"
SPEND_CV = ("CASE WHEN p.cents > 0 THEN sqrt(CAST(CAST($months AS HUGEINT) * p.squares - p.cents * p.cents AS DOUBLE))"
            " / CAST(p.cents AS DOUBLE) END")


def feature_ctes(db) -> str:
    """CTEs ``monthly``, ``spread`` and ``first_purchase`` (see ``customer_features_sql``)."""
    first = _FIRST_FROM_SUMMARIES if summaries.usable(db) else _FIRST_FROM_ROWS
    return _MONTHLY_CTES + ",\n    first_purchase AS (" + first + ")"


CUSTOMER_FEATURE_COLUMNS = ("tenure_days", "repeat_rate", "spend_cv", "influence")


def customer_features_cte(db) -> str:
    """``feature_ctes`` and ``value_customer_features`` (customer_id and
    ``CUSTOMER_FEATURE_COLUMNS`` of every customer, ``customer_features_sql``); parameters $start,
    $end and $months (``months_in_period``)."""
    return f"""{feature_ctes(db)},
    value_customer_features AS (
        SELECT c.customer_id, {TENURE_DAYS} AS tenure_days, {REPEAT_RATE} AS repeat_rate,
               {SPEND_CV} AS spend_cv, c.influence
        FROM customers c
        LEFT JOIN spread p USING (customer_id)
        LEFT JOIN first_purchase f USING (customer_id))"""


def customer_features_sql(db, start: date, end: date) -> pd.DataFrame:
    """The non-monetary features the store can compute, one row per customer in ``customers``:
    ``tenure_days`` (days from the first purchase up to ``end`` until ``end``; NULL if none),
    ``repeat_rate`` (share of the period's calendar months with net purchases > 0),
    ``spend_cv`` (population std / mean of monthly net spend over all months of the period,
    empty months as 0; NULL when total spend <= 0) and ``influence`` (customers.influence).
    Complaints, feedback, referrals and credit are not in the store; ``nonmonetary_scores``
    treats their absence as neutral. Raises ValueError when start > end.
    """
    check_period(start, end)
    sql = f"WITH {customer_features_cte(db)} SELECT * FROM value_customer_features ORDER BY customer_id"
    return db.execute(sql, {"start": start, "end": end, "months": months_in_period(start, end)}).df()
