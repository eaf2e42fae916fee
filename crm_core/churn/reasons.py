"""Why customers leave (docs/domain.md §5) and the customer funnel (seed 003).

Reasons are stable keys grouped into what the company cannot change (the customer moved, changed
trade, went bankrupt) and what it can; the analysis worth doing is on the controllable ones.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

UNCONTROLLABLE = "uncontrollable"
CONTROLLABLE = "controllable"
# reason key → category; display text in crm_core/locales/churn.py as churn.reason.<key>
REASONS = {
    "moved": UNCONTROLLABLE,
    "changed_trade": UNCONTROLLABLE,
    "bankrupt": UNCONTROLLABLE,
    "better_product": CONTROLLABLE,
    "poor_service": CONTROLLABLE,
    "poor_product": CONTROLLABLE,
    "price_too_high": CONTROLLABLE,
    "rep_left": CONTROLLABLE,
    "cross_territory_dumping": CONTROLLABLE,
    "other": CONTROLLABLE,
}
# visitor → potential → purchasing (conversion) → repeat (second purchase) → loyal
FUNNEL_STAGES = ("visitor", "potential", "purchasing", "repeat", "loyal")


@dataclass(frozen=True)
class ReasonPareto:
    """Churn reasons by frequency: ``table`` (reason, category, count, share, cumulative_share)."""

    table: pd.DataFrame
    total: int
    controllable_share: float | None


def reason_pareto(events, reason_col: str = "reason") -> ReasonPareto:
    """Count churn events per reason, most frequent first, with shares and the cumulative share.

    ``events``: a DataFrame with a ``reason_col`` column, or any iterable of reason keys (one per
    lost customer). ``controllable_share`` = events of a controllable reason / all events (None
    without events). Raises ValueError for an unknown or missing reason. See ``pareto_of_counts``.
    """
    reasons = events[reason_col] if isinstance(events, pd.DataFrame) else pd.Series(list(events), dtype=object)
    if reasons.isna().any():
        raise ValueError(f"unknown churn reason(s) [None]; use one of {list(REASONS)}")
    return pareto_of_counts(reasons.value_counts().to_dict())


def pareto_of_counts(counts: Mapping[str, int]) -> ReasonPareto:
    """:func:`reason_pareto` of events already counted: ``counts`` maps a reason key to its number
    of events (a store counts them in SQL: a million events are never listed one by one). Reasons
    with no event are left out; ties keep the order of ``REASONS``. Raises ValueError for an
    unknown reason."""
    unknown = sorted(set(counts) - REASONS.keys())
    if unknown:
        raise ValueError(f"unknown churn reason(s) {unknown}; use one of {list(REASONS)}")
    ordered = pd.Series([int(counts.get(r, 0)) for r in REASONS], index=list(REASONS), dtype="int64")
    ordered = ordered[ordered > 0].sort_values(ascending=False, kind="stable")
    total = int(ordered.sum())
    table = pd.DataFrame({"reason": ordered.index, "category": ordered.index.map(REASONS),
                          "count": ordered.to_numpy("int64")})
    table["share"] = table["count"] / total if total else np.nan
    table["cumulative_share"] = table["share"].cumsum()
    controllable = int(table.loc[table["category"] == CONTROLLABLE, "count"].sum())
    return ReasonPareto(table=table, total=total, controllable_share=controllable / total if total else None)


def customer_funnel(counts: Mapping[str, int]) -> pd.DataFrame:
    """stage, count, step_conversion (÷ previous stage), overall_conversion (÷ visitors) per stage.

    ``counts`` maps each of ``FUNNEL_STAGES`` to a head count. The first stage has no step
    conversion (NaN); a stage after an empty one too. Raises ValueError for a missing or unknown
    stage, a negative count, or a stage larger than the one before it (a funnel only narrows).
    """
    unknown = sorted(set(counts) - set(FUNNEL_STAGES))
    missing = [s for s in FUNNEL_STAGES if s not in counts]
    if unknown or missing:
        raise ValueError(f"funnel needs exactly the stages {list(FUNNEL_STAGES)}; "
                         f"missing {missing}, unknown {unknown}")
    values = np.array([counts[s] for s in FUNNEL_STAGES], dtype="float64")
    if (values < 0).any():
        raise ValueError("funnel counts must be 0 or more")
    if (np.diff(values) > 0).any():
        raise ValueError("each funnel stage must be at most as large as the stage before it")
    previous = np.concatenate(([np.nan], values[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(previous > 0, values / previous, np.nan)
        overall = values / values[0] if values[0] > 0 else np.full(len(values), np.nan)
    return pd.DataFrame({"stage": FUNNEL_STAGES, "count": [counts[s] for s in FUNNEL_STAGES],
                         "step_conversion": step, "overall_conversion": overall})
