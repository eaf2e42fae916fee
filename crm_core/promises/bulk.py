"""Make many promises at once (imports): the same rows ``ledger.make_promise`` writes, computed with
the calendar's vectorised ``add_micros`` / ``elapsed_micros`` and written with one INSERT … SELECT.

Each promise gets the latest stored version of its policy, its due time (made + target on the
policy's clock, or the negotiated date), its warning instants, status 'open' and its 'made' event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.promises import ledger
from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.vectors import NAT, US, add_micros, elapsed_micros, insert_frame, next_ids, to_timestamps


def _micros(column: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(column, utc=True)
    out = ((stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)).astype("Int64")
    return out.fillna(NAT).to_numpy(dtype=np.int64)


def make_promises_bulk(cur, frame: pd.DataFrame, calendar: BusinessCalendar, actor: str) -> np.ndarray:
    """Insert one open promise per row of ``frame`` and its 'made' event; returns the new ids in row
    order. Columns: customer_id, owner, policy_id, made_at (aware); optional due_at (a negotiated
    date, NaT otherwise), description, customer_class, priority, bill_amount, source ('import' by
    default), complaint_id. KeyError for a policy that is not stored; ValueError for a negotiated
    date not after the promise was made. Runs in the caller's transaction."""
    n = len(frame)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    policies = {pid: ledger.load_policy(cur, pid) for pid in frame["policy_id"].unique()}
    made = _micros(frame["made_at"])
    due_given = _micros(frame["due_at"]) if "due_at" in frame else np.full(n, NAT)
    negotiated = due_given != NAT
    if np.any(negotiated & (due_given <= made)):
        raise ValueError("promises.err.negotiated_due_missing")
    classes = frame["customer_class"] if "customer_class" in frame else pd.Series([None] * n)
    priorities = frame["priority"] if "priority" in frame else pd.Series([None] * n)
    target = np.array([int(policies[p].target_for(None if pd.isna(c) else c, None if pd.isna(r) else r)
                           .total_seconds()) * US for p, c, r in zip(frame["policy_id"], classes, priorities)],
                      dtype=np.int64)
    business = np.array([policies[p].clock == "business" for p in frame["policy_id"]])
    due = np.where(negotiated, due_given, add_micros(calendar, business, made, target))
    budget = np.where(negotiated, elapsed_micros(calendar, business, made, due), target)
    warn = np.array([policies[p].warnings for p in frame["policy_id"]], dtype=float).reshape(n, 2)
    warn1, warn2 = (add_micros(calendar, business, made, np.rint(budget * warn[:, k]).astype(np.int64)) for k in (0, 1))
    first = next_ids(cur, "promise_id_seq", n)
    ids = first + np.arange(n, dtype=np.int64)

    def column(name, default=None):
        if name not in frame:
            return np.full(n, default, dtype=object)
        values = frame[name].astype(object)
        return values.where(values.notna(), None).to_numpy(dtype=object)

    promises = pd.DataFrame({
        "promise_id": ids, "customer_id": frame["customer_id"].astype(np.int64).to_numpy(),
        "owner": column("owner"), "promise_type": [policies[p].promise_type for p in frame["policy_id"]],
        "policy_id": column("policy_id"), "policy_version": [policies[p].version for p in frame["policy_id"]],
        "clock": np.where(business, "business", "calendar"), "customer_class": column("customer_class"),
        "priority": column("priority"), "made_at": to_timestamps(made), "due_at": to_timestamps(due), "negotiated_due": negotiated,
        "description": pd.Series(column("description", "")).fillna("").to_numpy(dtype=object),
        "source": pd.Series(column("source", "import")).fillna("import").to_numpy(dtype=object),
        "complaint_id": pd.Series(column("complaint_id"), dtype="Int64"),
        "bill_amount": pd.to_numeric(pd.Series(column("bill_amount")), errors="coerce").to_numpy(dtype=float),
        "warn1_at": to_timestamps(warn1), "warn2_at": to_timestamps(warn2),
    })
    insert_frame(cur, "promises", promises, {"bill_amount": 'CAST("bill_amount" AS DECIMAL(18, 2))'})
    events = pd.DataFrame({"event_id": next_ids(cur, "promise_event_id_seq", n) + np.arange(n), "promise_id": ids,
                           "kind": "made", "at": to_timestamps(made), "actor": actor, "detail": "{}"})
    insert_frame(cur, "promise_events", events)
    return ids
