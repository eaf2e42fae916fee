"""Promise performance: attainment with its interval, overrun percentiles, compensation by month.

Attainment (anchors.md) = met ÷ (met + breached), stated with its window [window_start,
window_end):
- a promise fulfilled or cancelled counts in the window its ``closed_at`` falls in; met and
  breached are the outcomes stored at closing (with the policy version in force then), so a later
  policy edit cannot change them; cancelled ones are excluded;
- an open promise already past its due time at ``now`` (or at its ``paused_at`` while paused)
  counts as breached, in the window its ``due_at`` falls in;
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
        overdue & (due >= window_start) & (due < window_end),
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


def attainment_by(
    df: pd.DataFrame, by: str, window_start: datetime, window_end: datetime, now: datetime
) -> pd.DataFrame:
    """Attainment per ``by`` (one of BREAKDOWNS), indexed by group; ValueError for other columns."""
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break attainment down by {by!r}")
    outcomes = attainment_outcomes(df, window_start, window_end, now)
    return summarise_counts(_count(outcomes, df[by]))


def overrun_percentiles(df: pd.DataFrame, window_start: datetime, window_end: datetime) -> dict:
    """p50 and p90 of wall-clock overrun (seconds, completion − due) of promises closed breached in
    the window; NaN when there were none. Open promises are left out: their overrun still grows."""
    closed_in = (df["closed_at"] >= window_start) & (df["closed_at"] < window_end)
    late = df[df["status"].eq("breached") & closed_in]
    seconds = (late["closed_at"] - late["due_at"]).dt.total_seconds()
    if seconds.empty:
        return {"p50": float("nan"), "p90": float("nan"), "n": 0}
    return {"p50": float(seconds.quantile(0.5)), "p90": float(seconds.quantile(0.9)), "n": len(seconds)}


def compensation_by_month(remedies: pd.DataFrame, tz: str = "Asia/Shanghai") -> pd.DataFrame:
    """Per month granted (``YYYY-MM`` in ``tz``): owed and delivered counts and cost, and the cost
    still outstanding. ``remedies`` has ``granted_at``, ``delivered_at`` (NaT if not yet) and
    ``cost``. Cost columns are floats in currency units."""
    frame = pd.DataFrame(
        {
            "month": remedies["granted_at"].dt.tz_convert(tz).dt.strftime("%Y-%m"),
            "cost": remedies["cost"].astype(float),
            "delivered": remedies["delivered_at"].notna(),
        }
    )
    frame["delivered_cost"] = frame["cost"].where(frame["delivered"], 0.0)
    out = frame.groupby("month").agg(
        owed_count=("cost", "size"),
        owed_cost=("cost", "sum"),
        delivered_count=("delivered", "sum"),
        delivered_cost=("delivered_cost", "sum"),
    )
    out["outstanding_cost"] = out["owed_cost"] - out["delivered_cost"]
    return out.astype({"delivered_count": "int64"})
