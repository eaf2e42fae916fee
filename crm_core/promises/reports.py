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
from crm_core.sql import Fragment, compose, run
from crm_core.store import Store
from crm_core.users import Actor

BREAKDOWN_ORDER = ("promise_type", "owner", "customer_class", "month")


def attainment_table(
    store: Store, actor: Actor, start: datetime, end: datetime, now: datetime, by: str | None = None
) -> pd.DataFrame:
    """``ledger.attainment_counts`` in the user's scope: met, breached, excluded, pct, ci_low,
    ci_high per group (index), 'all' when ``by`` is None; ValueError for an unknown breakdown."""
    with closing(store.system_cursor()) as db:  # narrowed to the user's promises by rep_scope (access.of_rep)
        return ledger.attainment_counts(db, start, end, now, by=by, rep_scope=actor.rep_scope)


# -- the rows each table is made of: read live from the ledger, or kept (crm_core.promises.fits) --
# Every promise closed late: when, under which policy and clock, its overrun on its own clock and
# in wall time (completion − due). The fit keeps these rows for every time; a window reads its own.
OVERRUN_ROWS = """SELECT closed_at, policy_id, promise_type, clock, overrun_seconds,
                         epoch(closed_at) - epoch(due_at) AS wall_seconds
                  FROM promises WHERE status = 'breached' AND closed_at IS NOT NULL AND {visible}"""
_OVERRUN = """SELECT policy_id, promise_type, clock, count(*) AS n,
                     quantile_cont(overrun_seconds, 0.5) AS p50, quantile_cont(overrun_seconds, 0.9) AS p90,
                     quantile_cont(wall_seconds, 0.5) AS wall_p50, quantile_cont(wall_seconds, 0.9) AS wall_p90
              FROM ({rows}) WHERE closed_at >= $start AND closed_at < $end
              GROUP BY policy_id, promise_type, clock ORDER BY promise_type, policy_id, clock"""

# A remedy's figures, summed over the remedies of a group (a month, a remedy, a day): owed and
# delivered, how many and their cost (exact sums: a group's figures add up to its parts').
REMEDY_FIGURES = """count(*) AS owed_count, sum(r.cost) AS owed_cost, count(r.delivered_at) AS delivered_count,
                    coalesce(sum(r.cost) FILTER (WHERE r.delivered_at IS NOT NULL), 0) AS delivered_cost"""
REMEDIES = "remedies r JOIN promises p USING (promise_id)"
# Per group (a month granted, a remedy): the figures of the ``{rows}`` (the remedies granted in the
# window, counted live, and with a kept fit the rows of its whole days) summed.
_REMEDY_TABLE = """SELECT "group", CAST(sum(owed_count) AS BIGINT) AS owed_count,
                          CAST(sum(owed_cost) AS DOUBLE) AS owed_cost,
                          CAST(sum(delivered_count) AS BIGINT) AS delivered_count,
                          CAST(sum(delivered_cost) AS DOUBLE) AS delivered_cost
                   FROM ({rows}) GROUP BY "group" ORDER BY {order}"""
# The groups: (of a remedy granted, of a kept day's row). The month is the store's zone's, as the day.
REMEDY_GROUPS = {"month": ("strftime(r.granted_at, '%Y-%m')", "strftime(day, '%Y-%m')"), "key": ("r.key", "key")}


def overrun_table(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Per policy, promises closed late in the window: promise_type, clock, n, p50/p90 overrun in
    seconds on the promise's own clock (business hours for business-clock policies) and on the
    calendar clock (completion − due in wall time). A policy edited from one clock to the other
    shows one row per clock."""
    with closing(store.system_cursor()) as db:
        return _overrun(db, actor, start, end, None)


def _overrun(db, actor: Actor, start: datetime, end: datetime, fit) -> pd.DataFrame:
    """``overrun_table`` on ``db``: from the rows of the kept ``fit`` (crm_core.promises.fits), or
    live (``fit`` None)."""
    rows = (compose("SELECT * FROM fit_promise_overruns WHERE fit_id = $overrun_fit", overrun_fit=fit.fit_id)
            if fit is not None else compose(OVERRUN_ROWS, visible=access.visible(actor, "promises")))
    return run(db, compose(_OVERRUN, rows=rows, start=start, end=end)).df()


def compensation_table(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Per month granted (store time zone) within the window: remedies owed and delivered, their
    cost, and the cost still outstanding (floats, currency units)."""
    with closing(store.system_cursor()) as db:
        return _compensation(db, actor, start, end, None)


def remedies_by_key(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Per remedy (fruit plate, 20 % off …) granted in the window: owed, delivered, cost of each."""
    with closing(store.system_cursor()) as db:
        return _by_key(db, actor, start, end, None)


def _remedy_table(db, actor: Actor, start: datetime, end: datetime, kept, group: str, order: str) -> pd.DataFrame:
    """Remedies granted in the window per ``group`` (a key of ``REMEDY_GROUPS``) ordered by ``order``:
    live, or the whole days of ``kept`` (``fits.KeptDays``: its fit's rows) and the rest live."""
    live_group, kept_group = REMEDY_GROUPS[group]
    # Granted in the window: a range each counted live (with ``kept``, outside its whole days; a scan
    # skips what lies outside a range), and the kept rows of the whole days.
    ranges = (kept.ranges("r.granted_at") if kept is not None
              else [Fragment("r.granted_at >= $start AND r.granted_at < $end", {"start": start, "end": end})])
    parts = [compose(f"SELECT {live_group} AS \"group\", {REMEDY_FIGURES} FROM {REMEDIES} WHERE {{granted}} AND {{visible}}"
                     ' GROUP BY "group"', granted=granted, visible=access.visible(actor, "promises", "p"))
             for granted in ranges]
    if kept is not None:
        parts.append(compose(f"""SELECT {kept_group} AS "group", owed_count, owed_cost, delivered_count, delivered_cost
                                 FROM fit_promise_remedies WHERE fit_id = $remedy_fit AND {{days}}""",
                             remedy_fit=kept.fit.fit_id, days=kept.days("day")))
    rows = _union(parts)  # never empty: the window's one range, or the kept days
    return run(db, compose(_REMEDY_TABLE, rows=rows, order=Fragment(order))).df().rename(columns={"group": group})


def _union(parts: list[Fragment]) -> Fragment:
    """The rows of every part (UNION ALL), their parameters joined."""
    return compose(" UNION ALL ".join(f"{{p{i}}}" for i in range(len(parts))),
                   **{f"p{i}": part for i, part in enumerate(parts)})


def _compensation(db, actor: Actor, start: datetime, end: datetime, kept) -> pd.DataFrame:
    """``compensation_table`` on ``db``, live or with ``kept`` days (``_remedy_table``)."""
    table = _remedy_table(db, actor, start, end, kept, "month", '"group"')
    return table.assign(outstanding_cost=lambda f: f["owed_cost"] - f["delivered_cost"])


def _by_key(db, actor: Actor, start: datetime, end: datetime, kept) -> pd.DataFrame:
    """``remedies_by_key`` on ``db``, live or with ``kept`` days; the costliest first (ties: by remedy)."""
    table = _remedy_table(db, actor, start, end, kept, "key", 'owed_cost DESC, "group"')
    return table[["key", "owed_count", "delivered_count", "owed_cost", "delivered_cost"]]


# The promises compared on both clocks: business hours, the policy's own time limit (negotiated due
# dates are fixed instants, so they are left out), closed met or breached.
_COMPARED = "p.clock = 'business' AND NOT p.negotiated_due AND p.status IN ('met', 'breached')"
# One row per compared promise ``{where}`` says: when it closed, met as promised, met had the same
# time limit run in calendar time from when it was made, and its lead time (made → closed) in
# seconds. Its policy version's limit is read from ``promise_targets`` (``clock_targets``).
CLOCK_ROWS = f"""SELECT p.closed_at, p.promise_type, p.status = 'met' AS met,
                        epoch(p.closed_at) - epoch(p.made_at) <= t.target_seconds AS calendar_met,
                        epoch(p.closed_at) - epoch(p.made_at) AS lead_seconds
                 FROM promises p JOIN promise_targets t
                   ON t.policy_id = p.policy_id AND t.policy_version = p.policy_version
                  AND t.customer_class IS NOT DISTINCT FROM p.customer_class
                  AND t.priority IS NOT DISTINCT FROM p.priority
                 WHERE {_COMPARED} AND {{where}}"""
_CLOCKS = """SELECT promise_type, count(*) AS n, count(*) FILTER (WHERE met) AS met_business,
                    count(*) FILTER (WHERE calendar_met) AS met_calendar,
                    median(lead_seconds) / 3600 AS lead_hours_p50
             FROM ({rows}) WHERE closed_at >= $start AND closed_at < $end
             GROUP BY promise_type ORDER BY promise_type"""


def clock_targets(cur, where: Fragment) -> bool:
    """Register ``promise_targets`` on ``cur`` for ``CLOCK_ROWS``: each (policy, version, class,
    priority) of the compared promises ``where`` says (on ``p``) with its time limit in seconds;
    False (nothing registered) when there is none."""
    combos = run(cur, compose(
        # the distinct combinations first, then their policy text (not DISTINCT over the long text)
        f"""SELECT d.policy_id, d.policy_version, d.customer_class, d.priority, v.definition
            FROM (SELECT DISTINCT p.policy_id, p.policy_version, p.customer_class, p.priority FROM promises p
                  WHERE {_COMPARED} AND {{where}}) d
            JOIN promise_policies v ON v.policy_id = d.policy_id AND v.version = d.policy_version""",
        where=where)).df()
    if combos.empty:
        return False
    cur.register("promise_targets", combos.drop(columns=["definition"]).assign(target_seconds=[
        PromisePolicy.model_validate_json(d).target_for(c, p).total_seconds()
        for d, c, p in zip(combos["definition"], combos["customer_class"], combos["priority"])]))
    return True


def clock_comparison(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Business-hours promises closed in the window, judged two ways side by side, per type:
    ``pct_business`` as promised (the stored outcome) and ``pct_calendar`` with the same time limit
    counted in calendar time from when the promise was made (time paused waiting on the customer
    is not deducted; negotiated due dates are fixed instants, so they are left out). Also the
    median lead time (made → fulfilled) in calendar hours, ``n`` and both interval bounds.
    Calendar-time policies are absent: for them the two views are the same."""
    with closing(store.system_cursor()) as cur:  # narrowed to the user's promises inside each query (access.visible)
        return _clocks(cur, actor, start, end, None)


def _clocks(cur, actor: Actor, start: datetime, end: datetime, fit) -> pd.DataFrame:
    """``clock_comparison`` on ``cur``: from the rows of the kept ``fit`` (crm_core.promises.fits), or
    live (``fit`` None)."""
    if fit is not None:
        rows = compose("SELECT * FROM fit_promise_clocks WHERE fit_id = $clock_fit", clock_fit=fit.fit_id)
    else:
        where = compose("p.closed_at >= $start AND p.closed_at < $end AND {visible}",
                        visible=access.visible(actor, "promises", "p"), start=start, end=end)
        if not clock_targets(cur, where):
            return _empty_comparison()
        rows = compose(CLOCK_ROWS, where=where)
    try:
        counts = run(cur, compose(_CLOCKS, rows=rows, start=start, end=end)).df()
    finally:
        if fit is None:
            cur.unregister("promise_targets")
    if counts.empty:
        return _empty_comparison()
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
    ``clocks``. What the promise fit job keeps of the closed promises (crm_core.promises.fits) is
    read where it was made on the ledger as it is (each table apart), with the same answers as
    live; a rep's tables (their part of the promises) are computed live. One read snapshot."""
    from crm_core.promises import fits  # fits reads this module's rows to keep them

    with closing(store.system_cursor()) as db:  # narrowed to the user's promises by rep_scope (access.of_rep)
        db.execute("BEGIN TRANSACTION")  # the kept fits' checks, their rows and the live part agree
        try:
            kept = fits.kept_fits(db) if actor.rep_scope is None else {}
            days = {model: fits.kept_days(db, kept[model], start, end) for model in (fits.OUTCOMES, fits.REMEDIES)
                    if model in kept}  # summed by day: the window's whole days kept, the rest live
            tables = ledger.attainment_breakdowns(db, start, end, now, (None, *BREAKDOWN_ORDER),
                                                  rep_scope=actor.rep_scope, kept=days.get(fits.OUTCOMES))
            out = {
                "total": tables[None],  # the same tables as attainment_table, in one pass over promises
                "by": {b: tables[b] for b in BREAKDOWN_ORDER},
                "overrun": _overrun(db, actor, start, end, kept.get(fits.OVERRUNS)),
                "compensation": _compensation(db, actor, start, end, days.get(fits.REMEDIES)),
                "remedies": _by_key(db, actor, start, end, days.get(fits.REMEDIES)),
                "clocks": _clocks(db, actor, start, end, kept.get(fits.CLOCKS)),
            }
        finally:
            db.execute("ROLLBACK")  # read only
    return out
