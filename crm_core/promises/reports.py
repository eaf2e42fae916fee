"""Promise performance for the page: attainment by type, rep, customer class and month with its
stated denominator and Wilson interval, overrun p50/p90, compensation by month, and the business-
hours vs calendar-time comparison. Functions take (store, actor, ...); a rep sees their own scope.

Attainment rules (docs/domain.md §3; ``performance`` module): met ÷ (met + breached) over promises closed
in the window; an open promise already past its due time counts as breached in every window that
ends after its due time (even one it fell due before); an open promise not yet due and a cancelled one are left out (``excluded``).
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime

import pandas as pd

from crm_core import access
from crm_core.promises import ledger
from crm_core.promises.performance import summarise_counts
from crm_core.promises.policy import PromisePolicy
from crm_core.sql import compose, run
from crm_core.store import Store
from crm_core.users import Actor

BREAKDOWN_ORDER = ("promise_type", "owner", "customer_class", "month")


def _read(store: Store, actor: Actor, sql: str, start: datetime, end: datetime, alias: str | None = None
          ) -> pd.DataFrame:
    """``sql`` (with ``$start``/``$end`` and ``{visible}``, the promises — as ``alias`` — the user
    may see: ``access.visible``) in one query on the system cursor."""
    with closing(store.system_cursor()) as db:
        return run(db, compose(sql, visible=access.visible(actor, "promises", alias), start=start, end=end)).df()


def attainment_table(
    store: Store, actor: Actor, start: datetime, end: datetime, now: datetime, by: str | None = None
) -> pd.DataFrame:
    """``ledger.attainment_counts`` in the user's scope: met, breached, excluded, pct, ci_low,
    ci_high per group (index), 'all' when ``by`` is None; ValueError for an unknown breakdown."""
    with closing(store.system_cursor()) as db:  # narrowed to the user's promises by rep_scope (access.of_rep)
        return ledger.attainment_counts(db, start, end, now, by=by, rep_scope=actor.rep_scope)


def overrun_table(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Per policy, promises closed late in the window: promise_type, clock, n, p50/p90 overrun in
    seconds on the promise's own clock (business hours for business-clock policies) and on the
    calendar clock (completion − due in wall time). A policy edited from one clock to the other
    shows one row per clock."""
    return _read(store, actor,
        """SELECT policy_id, promise_type, clock, count(*) AS n,
                   quantile_cont(overrun_seconds, 0.5) AS p50, quantile_cont(overrun_seconds, 0.9) AS p90,
                   quantile_cont(epoch(closed_at) - epoch(due_at), 0.5) AS wall_p50,
                   quantile_cont(epoch(closed_at) - epoch(due_at), 0.9) AS wall_p90
            FROM promises WHERE status = 'breached' AND closed_at >= $start AND closed_at < $end AND {visible}
            GROUP BY policy_id, promise_type, clock ORDER BY promise_type, policy_id, clock""",
        start, end)


def compensation_table(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Per month granted (store time zone) within the window: remedies owed and delivered, their
    cost, and the cost still outstanding (floats, currency units)."""
    return _read(store, actor,
        """SELECT strftime(r.granted_at, '%Y-%m') AS month, count(*) AS owed_count,
                   CAST(sum(r.cost) AS DOUBLE) AS owed_cost, count(r.delivered_at) AS delivered_count,
                   CAST(coalesce(sum(r.cost) FILTER (WHERE r.delivered_at IS NOT NULL), 0) AS DOUBLE)
                       AS delivered_cost
            FROM remedies r JOIN promises p USING (promise_id)
            WHERE r.granted_at >= $start AND r.granted_at < $end AND {visible}
            GROUP BY month ORDER BY month""",
        start, end, "p").assign(outstanding_cost=lambda f: f["owed_cost"] - f["delivered_cost"])


def remedies_by_key(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Per remedy (fruit plate, 20 % off …) granted in the window: owed, delivered, cost of each."""
    return _read(store, actor,
        """SELECT r.key, count(*) AS owed_count, count(r.delivered_at) AS delivered_count,
                   CAST(sum(r.cost) AS DOUBLE) AS owed_cost,
                   CAST(coalesce(sum(r.cost) FILTER (WHERE r.delivered_at IS NOT NULL), 0) AS DOUBLE)
                       AS delivered_cost
            FROM remedies r JOIN promises p USING (promise_id)
            WHERE r.granted_at >= $start AND r.granted_at < $end AND {visible}
            GROUP BY r.key ORDER BY owed_cost DESC""",
        start, end, "p")


def clock_comparison(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Business-hours promises closed in the window, judged two ways side by side, per type:
    ``pct_business`` as promised (the stored outcome) and ``pct_calendar`` with the same time limit
    counted in calendar time from when the promise was made (time paused waiting on the customer
    is not deducted; negotiated due dates are fixed instants, so they are left out). Also the
    median lead time (made → fulfilled) in calendar hours, ``n`` and both interval bounds.
    Calendar-time policies are absent: for them the two views are the same."""
    scope = access.visible(actor, "promises", "p")
    visible, window = scope.sql, {"start": start, "end": end, **scope.params}
    cur = store.system_cursor()  # narrowed to the user's promises inside each query (access.visible)
    try:
        combos = cur.execute(
            # the distinct combinations first, then their policy text (not DISTINCT over the long text)
            f"""SELECT d.policy_id, d.policy_version, d.customer_class, d.priority, v.definition
                FROM (SELECT DISTINCT p.policy_id, p.policy_version, p.customer_class, p.priority FROM promises p
                      WHERE p.clock = 'business' AND NOT p.negotiated_due AND p.status IN ('met', 'breached')
                        AND p.closed_at >= $start AND p.closed_at < $end AND {visible}) d
                JOIN promise_policies v ON v.policy_id = d.policy_id AND v.version = d.policy_version""",
            window,
        ).df()
        if combos.empty:
            return _empty_comparison()
        targets = combos.drop(columns=["definition"]).assign(
            target_seconds=[
                PromisePolicy.model_validate_json(d).target_for(c, p).total_seconds()
                for d, c, p in zip(combos["definition"], combos["customer_class"], combos["priority"])
            ]
        )
        cur.register("promise_targets", targets)
        counts = cur.execute(
            f"""SELECT p.promise_type, count(*) AS n,
                       count(*) FILTER (WHERE p.status = 'met') AS met_business,
                       count(*) FILTER (WHERE epoch(p.closed_at) - epoch(p.made_at) <= t.target_seconds)
                           AS met_calendar,
                       median(epoch(p.closed_at) - epoch(p.made_at)) / 3600 AS lead_hours_p50
                FROM promises p JOIN promise_targets t
                  ON t.policy_id = p.policy_id AND t.policy_version = p.policy_version
                 AND t.customer_class IS NOT DISTINCT FROM p.customer_class
                 AND t.priority IS NOT DISTINCT FROM p.priority
                WHERE p.clock = 'business' AND NOT p.negotiated_due AND p.status IN ('met', 'breached')
                  AND p.closed_at >= $start AND p.closed_at < $end AND {visible}
                GROUP BY p.promise_type ORDER BY p.promise_type""",
            window,
        ).df()
        cur.unregister("promise_targets")
    finally:
        cur.close()
    counts = counts.set_index("promise_type")
    out = counts[["n", "lead_hours_p50"]].copy()
    for view in ("business", "calendar"):
        part = pd.DataFrame({"met": counts[f"met_{view}"], "breached": counts["n"] - counts[f"met_{view}"],
                             "excluded": 0})
        summary = summarise_counts(part)
        out[f"pct_{view}"], out[f"ci_low_{view}"] = summary["pct"], summary["ci_low"]
        out[f"ci_high_{view}"] = summary["ci_high"]
    return out


def _empty_comparison() -> pd.DataFrame:
    columns = ["n", "lead_hours_p50", "pct_business", "ci_low_business", "ci_high_business",
               "pct_calendar", "ci_low_calendar", "ci_high_calendar"]
    return pd.DataFrame(columns=columns, index=pd.Index([], name="promise_type"))


def performance(store: Store, actor: Actor, start: datetime, end: datetime, now: datetime) -> dict:
    """Everything the performance tab shows, for the window [start, end) judged at ``now``:
    ``total`` (one row), ``by`` {breakdown: table}, ``overrun``, ``compensation``, ``remedies``,
    ``clocks``."""
    with closing(store.system_cursor()) as db:  # narrowed to the user's promises by rep_scope (access.of_rep)
        tables = ledger.attainment_breakdowns(db, start, end, now, (None, *BREAKDOWN_ORDER), rep_scope=actor.rep_scope)
    return {
        "total": tables[None],  # the same tables as attainment_table, in one pass over promises
        "by": {b: tables[b] for b in BREAKDOWN_ORDER},
        "overrun": overrun_table(store, actor, start, end),
        "compensation": compensation_table(store, actor, start, end),
        "remedies": remedies_by_key(store, actor, start, end),
        "clocks": clock_comparison(store, actor, start, end),
    }
