"""Demo churn events: a reason for most customers whose purchases stopped.

The demo generator stops buying for about 22 % of customers well before ``as_of``. Here a customer
counts as having stopped when her last purchase is more than twice her usual gap before ``as_of``
(and at least 120 days; 200 for someone who bought only once — the longest demo cycle is 180
days). About 80 % of them get an event (not every lost customer says why), dated one usual gap
after the last purchase — when the next order should have come. Reasons are mostly controllable,
with findings the Churn page can show and that are true of the data:

* poor service and price are the top two reasons (the Pareto has a clear head);
* channel customers (dealers) also leave over cross-territory dumping (窜货), individuals never do;
* the customers of 周杰 — a rep who left — leave with "rep left" far more often than others.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from crm_core.churn.reasons import CONTROLLABLE, REASONS

REP_WHO_LEFT = "周杰"
# reason → weight by customer type (corporate, channel, individual)
REASON_WEIGHTS = {
    "poor_service": (0.24, 0.18, 0.28),
    "price_too_high": (0.18, 0.16, 0.24),
    "better_product": (0.12, 0.08, 0.12),
    "rep_left": (0.12, 0.10, 0.04),
    "poor_product": (0.08, 0.06, 0.10),
    "cross_territory_dumping": (0.00, 0.22, 0.00),
    "other": (0.05, 0.04, 0.05),
    "moved": (0.06, 0.05, 0.10),
    "changed_trade": (0.08, 0.08, 0.04),
    "bankrupt": (0.07, 0.03, 0.03),
}
TYPES = ("corporate", "channel", "individual")
NOTES = {
    "poor_service": ["投诉两次未得到回复", "送货一再延误", "Complaint about late delivery never answered"],
    "price_too_high": ["竞争对手报价低 8%", "要求降价未获批准", "Competitor quoted 10% lower"],
    "rep_left": ["原业务员离职后转向竞争对手", "Followed the former rep to a competitor"],
    "better_product": ["改用另一品牌", "Switched to a newer model elsewhere"],
    "cross_territory_dumping": ["邻区低价窜货，无利可图"],
    "moved": ["公司迁往外地", "Moved to another city"],
    "bankrupt": ["已停业"],
}
RECORDED_SHARE = 0.8


def _stopped(transactions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """customer_id, last purchase day and usual gap (days) of customers whose purchases stopped."""
    ids = transactions["customer_id"].to_numpy()
    days = transactions["txn_date"].to_numpy().astype("datetime64[D]").astype("int64")
    order = np.lexsort((days, ids))
    ids, days = ids[order], days[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)] - 1
    count = ends - starts + 1
    span = days[ends] - days[starts]
    gap = np.where(count > 1, span / np.maximum(count - 1, 1), np.nan)
    idle = np.datetime64(as_of, "D").astype("int64") - days[ends]
    stopped = np.where(count > 1, (idle > 2 * gap) & (idle >= 120), idle >= 200)
    return pd.DataFrame({"customer_id": ids[starts][stopped], "last_day": days[ends][stopped],
                         "gap": np.nan_to_num(gap[stopped], nan=90.0)})


def load_demo(cur, customers: pd.DataFrame, transactions: pd.DataFrame, as_of: date, seed: int) -> int:
    """Insert churn events for the demo's lapsed customers through ``cur`` (inside the demo transaction).

    Deterministic for a given ``seed``; bulk (numpy + one INSERT … SELECT). Returns the rows written.
    """
    rng = np.random.default_rng([seed, 6])
    stopped = _stopped(transactions, as_of)
    stopped = stopped[rng.random(len(stopped)) < RECORDED_SHARE].reset_index(drop=True)
    n = len(stopped)
    if n == 0:
        return 0
    people = customers.set_index("customer_id").reindex(stopped["customer_id"])
    type_index = pd.Categorical(people["customer_type"].to_numpy(), categories=TYPES).codes
    type_index = np.where(type_index < 0, 2, type_index)
    reasons = list(REASON_WEIGHTS)
    weights = np.array([REASON_WEIGHTS[r] for r in reasons]).T  # type × reason
    weights = weights / weights.sum(axis=1, keepdims=True)
    cumulative = weights.cumsum(axis=1)[type_index]
    choice = (rng.random(n)[:, None] > cumulative).sum(axis=1).clip(0, len(reasons) - 1)
    reason = np.asarray(reasons, dtype=object)[choice]
    followed_rep = (people["sales_rep"].to_numpy() == REP_WHO_LEFT) & (rng.random(n) < 0.6)
    reason = np.where(followed_rep, "rep_left", reason)
    churned_on = np.minimum(stopped["last_day"].to_numpy() + np.ceil(stopped["gap"].to_numpy()).astype("int64"),
                            np.datetime64(as_of, "D").astype("int64"))
    notes = np.full(n, None, dtype=object)
    pick = rng.random(n)
    for key, options in NOTES.items():
        rows = (reason == key) & (pick < 0.5)
        notes[rows] = np.asarray(options, dtype=object)[rng.integers(0, len(options), rows.sum())]
    events = pd.DataFrame({
        "customer_id": stopped["customer_id"].to_numpy(),
        "churned_on": churned_on.astype("datetime64[D]"),
        "reason": reason,
        "controllable": pd.Series(reason).map(REASONS).eq(CONTROLLABLE).to_numpy(),
        "note": notes,
    })
    cur.register("churn_demo_events", events)
    try:
        cur.execute("INSERT INTO churn_events (customer_id, churned_on, reason, controllable, note, recorded_by)"
                    " SELECT customer_id, CAST(churned_on AS DATE), reason, controllable, note, 'demo'"
                    " FROM churn_demo_events ORDER BY churned_on, customer_id")
    finally:
        cur.unregister("churn_demo_events")
    return n
