"""Promise performance: attainment with its interval, overrun percentiles, compensation by month.

Attainment (docs/domain.md §3) = met ÷ (met + breached), stated with its window [window_start,
window_end):
- a promise fulfilled or cancelled counts in the window its ``closed_at`` falls in; met and
  breached are the outcomes stored at closing (with the policy version in force then), so a later
  policy edit cannot change them; cancelled ones are excluded;
- an open promise already past its due time at ``now`` (or at its ``paused_at`` while paused)
  counts as breached in every window that ends after its due time — it is open and breached in
  the window even when it fell due before the window began (a promise still open 40 days late
  counts in "last 30 days");
- an open promise not yet due is excluded — left out of the denominator, reported in ``excluded``.
The same rules run in SQL in ``ledger.attainment_counts`` for the full table.

Input frames have one row per promise with columns ``status`` ('open', 'met', 'breached',
'cancelled' — the stored cache), ``due_at``, ``closed_at`` (NaT while open) and optionally
``paused_at``, all tz-aware; breakdown columns are ``promise_type``, ``owner``, ``customer_class``.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from crm_core.stats import wilson_interval

BREAKDOWNS = ("promise_type", "owner", "customer_class")


def attainment_outcomes(
    df: pd.DataFrame, window_start: datetime, window_end: datetime, now: datetime
) -> pd.Series:
    """Per promise: 'met', 'breached', 'excluded', or None when it does not belong to the window."""
    status, due, closed = df["status"], df["due_at"], df["closed_at"]
    paused = df["paused_at"] if "paused_at" in df else pd.Series(pd.NaT, index=df.index)
    effective_now = paused.where(paused.notna(), pd.Timestamp(now))
    closed_in = (closed >= window_start) & (closed < window_end)
    is_open = status.eq("open")
    overdue = is_open & (effective_now > due)
    conditions = [
        status.isin(["met", "breached"]) & closed_in,
        status.eq("cancelled") & closed_in,
        overdue & (due < window_end),
        is_open & ~overdue,
    ]
    choices = [status, "excluded", "breached", "excluded"]
    return pd.Series(np.select(conditions, choices, default=None), index=df.index, dtype=object)


def summarise_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Add ``pct`` and Wilson 95 % ``ci_low``/``ci_high`` (fractions) to met/breached/excluded counts."""
    out = counts.copy()
    decided = out["met"] + out["breached"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pct"] = np.where(decided > 0, out["met"] / decided.where(decided > 0, 1), np.nan)
    low, high = wilson_interval(out["met"].to_numpy(), decided.to_numpy())
    out["ci_low"], out["ci_high"] = np.atleast_1d(low), np.atleast_1d(high)
    return out


def _count(outcomes: pd.Series, keys: pd.Series | None) -> pd.DataFrame:
    frame = pd.DataFrame({"outcome": outcomes})
    frame["group"] = keys if keys is not None else "all"
    frame = frame[frame["outcome"].notna()]
    table = pd.crosstab(frame["group"], frame["outcome"])
    counts = table.reindex(columns=["met", "breached", "excluded"], fill_value=0).astype("int64")
    counts.columns.name = None
    return counts


def attainment(
    closed_and_open_df: pd.DataFrame, window_start: datetime, window_end: datetime, now: datetime
) -> dict:
    """Whole-frame attainment: met, breached, excluded, pct, ci_low, ci_high (see module rules).

    ``pct`` and the interval are NaN when nothing was decided in the window.
    """
    outcomes = attainment_outcomes(closed_and_open_df, window_start, window_end, now)
    counts = _count(outcomes, None).reindex(["all"], fill_value=0)
    row = summarise_counts(counts).iloc[0]
    return {
        "met": int(row["met"]),
        "breached": int(row["breached"]),
        "excluded": int(row["excluded"]),
        "pct": float(row["pct"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
    }
