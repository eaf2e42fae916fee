"""Movement of customers between classes from one period to the next."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.segmentation.abc import MIGRATION_CLASSES

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


