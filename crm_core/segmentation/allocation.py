"""Resource allocation by tier: the 60/30/10 split (seed 000) against actual cost to serve."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import pandas as pd

from crm_core.segmentation.abc import exact_share

# ---------------------------------------------------------------------------------------------
# Resource allocation (seed 000)
# ---------------------------------------------------------------------------------------------

ALLOCATION_TIERS = ("key", "general", "potential")
CLASS_TO_TIER = {"A": "key", "B": "general", "C": "potential"}
CENT = Decimal("0.01")


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
