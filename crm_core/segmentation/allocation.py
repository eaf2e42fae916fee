"""Resource allocation by tier: the 60/30/10 split (seed 000) against actual cost to serve."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import pandas as pd

from crm_core.segmentation.abc import check_period, exact_share

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
    check_period(start, end)
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


