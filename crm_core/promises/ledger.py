"""Data access for promises (tables of migration 003). Every function takes a DuckDB cursor first.

Writes are plain parameterised SQL; the caller wraps each call in one transaction (Store). Each
event is appended to ``promise_events`` and the promise's cache columns are recomputed from the
whole log with the policy version in force (``state.stored_plan``), so reads — the board, the
customer's ledger, attainment over a million promises — are plain DuckDB queries.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd
import pyarrow

from crm_core import access
from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.performance import BREAKDOWNS, summarise_counts
from crm_core.promises.policy import GREEN_CHANNEL, PRESETS, PromisePolicy, Remedy
from crm_core.promises.state import (
    EVENT_KINDS,
    Promise,
    PromiseEvent,
    policy_version_in_force,
    promise_state,
    stored_plan,
)
from crm_core.promises.vectors import add_micros, elapsed_micros
from crm_core.sql import Fragment, compose, relation, run

_PROMISE_COLUMNS = (
    "promise_id, customer_id, owner, promise_type, policy_id, policy_version, made_at, "
    "due_at, negotiated_due, customer_class, priority, description, source, complaint_id, "
    "parent_promise_id, bill_amount"
)

def live_status(alias: str | None = None) -> str:
    """Live status of a row of ``promises`` (as ``alias``) at the ``$now`` parameter: paused
    promises are judged at the moment their pause began, negotiated ones never pause (paused_at
    stays NULL)."""
    a = f"{alias}." if alias else ""
    judged = f"coalesce({a}paused_at, $now::TIMESTAMPTZ)"
    return (f"CASE WHEN {a}status <> 'open' THEN {a}status WHEN {judged} > {a}due_at THEN 'open_breached' "
            f"WHEN {judged} >= {a}warn2_at THEN 'open_warning_2' WHEN {judged} >= {a}warn1_at THEN 'open_warning_1' "
            "ELSE 'open' END")


def current_due(frame: pd.DataFrame, calendar: BusinessCalendar, now: datetime) -> pd.Series:
    """The due time as it stands at ``now`` for rows of ``promises`` (``due_at``, ``paused_at``,
    ``clock``): the stored due, plus — while paused — the time paused so far on the promise's own
    clock (business hours or calendar time). The stored ``due_at`` is frozen when a pause begins, so
    showing it would put a paused promise's due in the past; this is the due the board, the detail
    and the customer's ledger show (docs/domain.md §3). Overdue (open and ``now`` > current due) is
    the same judgement as ``live_status``: a promise paused before its due is never overdue."""
    due = frame["due_at"]
    if frame.empty or "paused_at" not in frame or not frame["paused_at"].notna().any():
        return due
    paused = frame["paused_at"].notna().to_numpy()
    starts = _micros(frame.loc[paused, "paused_at"])
    dues = _micros(frame.loc[paused, "due_at"])
    now_us = np.full(len(starts), _micros(pd.Series([pd.Timestamp(now)]))[0])
    now_us = np.maximum(now_us, starts)  # looked at before the pause began: nothing paused yet
    business = frame.loc[paused, "clock"].eq("business").to_numpy()
    moved = add_micros(calendar, business, dues, elapsed_micros(calendar, business, starts, now_us))
    out = due.copy()
    out.loc[paused] = pd.Series(moved.astype("datetime64[us]")).dt.tz_localize("UTC").dt.tz_convert(
        due.dt.tz).to_numpy()
    return out


# Who sees which promises is crm_core.access's rule ("promises"): a rep sees the promises they
# made and those made to the customers they own. ``rep_scope`` below applies it for one rep.


# Breakdowns attainment_counts accepts: name -> SQL expression (a fixed whitelist, never user text).
# "month" is the month an outcome counts in: closed_at, or for an open promise past its due the
# later of its due time and the window start (one that fell due before the window is breached in it).
SQL_BREAKDOWNS = {
    "promise_type": "promise_type",
    "owner": "owner",
    "customer_class": "customer_class",
    "clock": "clock",
    "policy_id": "policy_id",
    "month": "strftime(CASE WHEN status = 'open' THEN greatest(due_at, $start::TIMESTAMPTZ) ELSE closed_at END, "
             "'%Y-%m')",
}
_MONTH_MOMENT = "CASE WHEN status = 'open' THEN greatest(due_at, $start::TIMESTAMPTZ) ELSE closed_at END"
# The breakdowns of the closed promises' counts kept per day (crm_core.promises.fits, table
# fit_promise_outcomes): the same keys, the month of the day closed (the store's zone, as the moment's).
KEPT_BREAKDOWNS = {"promise_type": "promise_type", "owner": "owner", "customer_class": "customer_class",
                   "month": "strftime(day, '%Y-%m')"}
CLOSED_STATUSES = "('met', 'breached', 'cancelled')"  # a closed promise's stored status (SQL list)


# -- policies ----------------------------------------------------------------------------------
def save_policy(cur: duckdb.DuckDBPyConnection, policy: PromisePolicy, actor: str) -> None:
    """Store a policy version; raises duckdb.ConstraintException if that version already exists
    (versions are never overwritten — edit with ``PromisePolicy.edited`` and save the new one)."""
    cur.execute(
        "INSERT INTO promise_policies (policy_id, version, promise_type, definition, created_by) "
        "VALUES (?, ?, ?, ?, ?)",
        [policy.policy_id, policy.version, policy.promise_type, policy.model_dump_json(), actor],
    )


def load_policy(db: duckdb.DuckDBPyConnection, policy_id: str, version: int | None = None) -> PromisePolicy:
    """One stored version, or the latest when ``version`` is None; KeyError if there is none."""
    row = db.execute(
        "SELECT definition FROM promise_policies WHERE policy_id = ? "
        "AND (? IS NULL OR version = ?) ORDER BY version DESC LIMIT 1",
        [policy_id, version, version],
    ).fetchone()
    if row is None:
        raise KeyError(f"no policy {policy_id!r} version {version}")
    return PromisePolicy.model_validate_json(row[0])


def install_presets(cur: duckdb.DuckDBPyConnection, actor: str = "system") -> int:
    """Store the shipped presets (docs/domain.md §3) that are not stored yet; returns how many."""
    stored = {r[0] for r in cur.execute("SELECT DISTINCT policy_id FROM promise_policies").fetchall()}
    missing = [p for p in PRESETS.values() if p.policy_id not in stored]
    for policy in missing:
        save_policy(cur, policy, actor)
    return len(missing)


# -- promises and events ----------------------------------------------------------------------
def load_promise(db: duckdb.DuckDBPyConnection, promise_id: int) -> tuple[Promise, list[PromiseEvent]]:
    """The promise and its event log in order; KeyError if the promise does not exist."""
    row = db.execute(
        f"SELECT {_PROMISE_COLUMNS} FROM promises WHERE promise_id = ?", [promise_id]
    ).fetchone()
    if row is None:
        raise KeyError(f"no promise {promise_id}")
    promise = Promise(**dict(zip((c.strip() for c in _PROMISE_COLUMNS.split(",")), row)))
    rows = db.execute(
        'SELECT kind, "at", actor, detail FROM promise_events WHERE promise_id = ? ORDER BY "at", event_id',
        [promise_id],
    ).fetchall()
    return promise, [PromiseEvent(kind=k, at=a, actor=w, detail=json.loads(d)) for k, a, w, d in rows]


def make_promise(
    cur: duckdb.DuckDBPyConnection, promise: Promise, calendar: BusinessCalendar, actor: str
) -> int:
    """Insert the promise under its stored policy version and its 'made' event; returns its id.

    KeyError if the policy version is not stored; ValueError if the type differs from the policy's.
    """
    policy = load_policy(cur, promise.policy_id, promise.policy_version)
    if policy.promise_type != promise.promise_type:
        raise ValueError(f"policy {policy.policy_id} is for {policy.promise_type} promises")
    made = PromiseEvent(kind="made", at=promise.made_at, actor=actor)
    plan = stored_plan(promise, [made], policy, calendar, promise.made_at)
    promise_id = cur.execute(
        "INSERT INTO promises (customer_id, owner, promise_type, policy_id, policy_version, clock, made_at, "
        "due_at, negotiated_due, customer_class, priority, description, source, complaint_id, "
        "parent_promise_id, bill_amount, warn1_at, warn2_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING promise_id",
        [
            promise.customer_id,
            promise.owner,
            promise.promise_type,
            promise.policy_id,
            promise.policy_version,
            policy.clock,
            promise.made_at,
            plan["due_at"],
            promise.negotiated_due,
            promise.customer_class,
            promise.priority,
            promise.description,
            promise.source,
            promise.complaint_id,
            promise.parent_promise_id,
            promise.bill_amount,
            plan["warn1_at"],
            plan["warn2_at"],
        ],
    ).fetchone()[0]
    _append_event(cur, promise_id, made)
    return promise_id


def _append_event(cur: duckdb.DuckDBPyConnection, promise_id: int, event: PromiseEvent) -> int:
    return cur.execute(
        'INSERT INTO promise_events (promise_id, kind, "at", actor, detail) '
        "VALUES (?, ?, ?, ?, ?) RETURNING event_id",
        [promise_id, event.kind, event.at, event.actor, json.dumps(event.detail, default=str)],
    ).fetchone()[0]


def record_event(
    cur: duckdb.DuckDBPyConnection,
    promise_id: int,
    kind: str,
    at: datetime,
    actor: str,
    calendar: BusinessCalendar,
    detail: dict | None = None,
) -> int:
    """Append an event and bring the promise's cache columns up to date; returns the event id.

    ``recomputed`` needs ``detail={"policy_version": n}`` (the version must be stored).
    ``remedy_delivered`` needs ``detail={"remedy_id": id}`` and stamps that remedy delivered.
    Remedies the ladder says are earned and not yet granted are granted here (a row in
    ``remedies``, a ``remedy_granted`` event, and a child promise where the rung opens one).
    Raises ValueError for an unknown kind or missing detail, KeyError for an unknown promise.
    """
    detail = dict(detail or {})
    if kind not in EVENT_KINDS or kind in ("made", "remedy_granted"):
        raise ValueError(f"cannot record a {kind!r} event here")
    if kind == "recomputed":
        load_policy(cur, load_promise(cur, promise_id)[0].policy_id, int(detail["policy_version"]))
    if kind == "remedy_delivered":
        row = cur.execute(
            "UPDATE remedies SET delivered_at = ? WHERE remedy_id = ? AND promise_id = ? "
            "AND delivered_at IS NULL RETURNING key",
            [at, detail["remedy_id"], promise_id],
        ).fetchone()
        if row is None:
            raise ValueError(
                f"remedy {detail['remedy_id']} is not an undelivered remedy of promise {promise_id}"
            )
        detail["key"] = row[0]
    event_id = _append_event(cur, promise_id, PromiseEvent(kind=kind, at=at, actor=actor, detail=detail))
    _refresh(cur, promise_id, calendar, at, actor)
    return event_id


def _refresh(
    cur: duckdb.DuckDBPyConnection, promise_id: int, calendar: BusinessCalendar, at: datetime, actor: str
) -> None:
    promise, events = load_promise(cur, promise_id)
    policy = load_policy(cur, promise.policy_id, policy_version_in_force(promise, events))
    as_of = max([at] + [e.at for e in events])
    _grant_earned(cur, promise, events, policy, calendar, as_of, actor)
    plan = stored_plan(promise, events, policy, calendar, as_of)
    cur.execute(
        "UPDATE promises SET clock = ?, due_at = ?, warn1_at = ?, warn2_at = ?, paused_at = ?, "
        "status = ?, closed_at = ?, overrun_seconds = ? WHERE promise_id = ?",
        [
            policy.clock,
            plan["due_at"],
            plan["warn1_at"],
            plan["warn2_at"],
            plan["paused_at"],
            plan["status"],
            plan["closed_at"],
            plan["overrun_seconds"],
            promise_id,
        ],
    )


def _open_child(
    cur, promise: Promise, rung: Remedy, calendar: BusinessCalendar, at: datetime, actor: str
) -> int:
    """Make the child promise a rung opens (latest version of its policy), linked to the parent."""
    child_policy = load_policy(cur, rung.child_policy_id)
    child = Promise(
        customer_id=promise.customer_id,
        owner=promise.owner,
        promise_type=child_policy.promise_type,
        policy_id=child_policy.policy_id,
        policy_version=child_policy.version,
        made_at=at,
        description=rung.key,
        source=promise.source,
        parent_promise_id=promise.promise_id,
        complaint_id=promise.complaint_id,
    )
    return make_promise(cur, child, calendar, actor)


def _grant_earned(
    cur,
    promise: Promise,
    events: list[PromiseEvent],
    policy: PromisePolicy,
    calendar: BusinessCalendar,
    at: datetime,
    actor: str,
) -> None:
    state = promise_state(promise, events, policy, calendar, at)
    granted = list(state.remedies_granted)
    for rung in (r for r in policy.ladder if r.key in state.remedies_earned):
        if rung.key in granted:
            granted.remove(rung.key)
            continue
        child_id = _open_child(cur, promise, rung, calendar, at, actor) if rung.child_policy_id else None
        cost = rung.cost_for(promise.bill_amount)
        remedy_id = cur.execute(
            "INSERT INTO remedies (promise_id, key, cost, granted_at, child_promise_id) "
            "VALUES (?, ?, ?, ?, ?) RETURNING remedy_id",
            [promise.promise_id, rung.key, cost, at, child_id],
        ).fetchone()[0]
        _append_event(
            cur,
            promise.promise_id,
            PromiseEvent(
                kind="remedy_granted",
                at=at,
                actor=actor,
                detail={
                    "key": rung.key,
                    "remedy_id": remedy_id,
                    "cost": str(cost),
                    "child_promise_id": child_id,
                },
            ),
        )


def record_complaint(
    cur: duckdb.DuckDBPyConnection,
    customer_id: int,
    received_at: datetime,
    channel: str,
    description: str,
    owner: str,
    calendar: BusinessCalendar,
) -> tuple[int, list[int]]:
    """Record a complaint and open its green-channel promises (to the GM's office ≤ 12 h, reply to
    the customer ≤ 24 h) under their latest stored versions; returns (complaint_id, promise ids)."""
    complaint_id = cur.execute(
        "INSERT INTO complaints (customer_id, received_at, channel, description, owner) "
        "VALUES (?, ?, ?, ?, ?) RETURNING complaint_id",
        [customer_id, received_at, channel, description, owner],
    ).fetchone()[0]
    promise_ids = []
    for policy_id in GREEN_CHANNEL:
        policy = load_policy(cur, policy_id)
        promise_ids.append(
            make_promise(
                cur,
                Promise(
                    customer_id=customer_id,
                    owner=owner,
                    promise_type=policy.promise_type,
                    policy_id=policy_id,
                    policy_version=policy.version,
                    made_at=received_at,
                    description=description,
                    source="complaint",
                    complaint_id=complaint_id,
                ),
                calendar,
                owner,
            )
        )
    return complaint_id, promise_ids


# -- reads -------------------------------------------------------------------------------------
# What the board reads of a promise (``board``; ``board_candidates`` keeps these columns).
BOARD_COLUMNS = ("promise_id, customer_id, owner, promise_type, policy_id, policy_version, clock, made_at, due_at, "
                 "negotiated_due, paused_at, description, complaint_id, parent_promise_id, status, warn1_at, warn2_at")
BOARD_ROWS = "kehu_board_rows"  # the name ``board`` reads ``rows`` under (``board_candidates``)


def _board_filter(owner: str | None, promise_type: str | None, rep_scope, made: bool) -> Fragment:
    """Open promises (stored), of ``owner`` and ``promise_type`` (None: any), in ``rep_scope``,
    made by ``$now`` when ``made``."""
    return compose("status = 'open'" + (" AND made_at <= $now" if made else "")
                   + " AND ($owner::VARCHAR IS NULL OR owner = $owner)"
                   " AND ($promise_type::VARCHAR IS NULL OR promise_type = $promise_type) AND {scope}",
                   scope=access.of_rep(rep_scope, "promises"), owner=owner, promise_type=promise_type)


def board(
    db: duckdb.DuckDBPyConnection,
    now: datetime,
    calendar: BusinessCalendar,
    owner: str | None = None,
    limit: int = 500,
    rep_scope: str | None = None,
    promise_type: str | None = None,
    rows=None,
) -> pd.DataFrame:
    """Open promises, the least time left first (wall time to due; paused ones frozen at their
    pause), with live status. ``due_at`` is the current due (``current_due``: a paused promise's
    due moves later while it stays paused); ``time_left_seconds`` is on each promise's own clock
    (business hours or calendar time), negative once breached; ``wall_left_seconds`` the same in
    calendar time. Promises made after ``now`` are left out;
    ``rep_scope`` limits to one rep's (``access.of_rep``), ``promise_type`` to one type.
    ``rows``: ``board_candidates`` of the same filters, read instead of ``promises`` (the same answer)."""
    if rows is not None:
        db.register(BOARD_ROWS, rows)
    query = compose(
        "SELECT promise_id, customer_id, owner, promise_type, policy_id, policy_version, clock, made_at, "
        "due_at, negotiated_due, paused_at IS NOT NULL AS paused, paused_at, "
        "coalesce(paused_at, $now::TIMESTAMPTZ) AS judged_at, description, complaint_id, parent_promise_id, "
        f"{live_status()} AS status FROM {BOARD_ROWS if rows is not None else 'promises'} WHERE {{open}} "
        "ORDER BY due_at - judged_at, promise_id LIMIT $limit",
        open=_board_filter(owner, promise_type, rep_scope, made=True), now=now, limit=limit)
    try:
        df = run(db, query).df()
    finally:
        if rows is not None:
            db.unregister(BOARD_ROWS)
    # Time left is counted from the moment the promise is judged at (its pause, else now) to the
    # stored due: the same as from now to the current due, without moving both.
    df["wall_left_seconds"] = (df["due_at"] - df["judged_at"]).dt.total_seconds()
    wall = df["wall_left_seconds"].to_numpy(dtype="float64", copy=True)
    business = df["clock"].eq("business").to_numpy()
    if business.any():
        starts = _micros(df.loc[business, "judged_at"])
        ends = _micros(df.loc[business, "due_at"])
        wall[business] = calendar.elapsed_micros(starts, ends) / 1e6
    df["time_left_seconds"] = wall
    df["due_at"] = current_due(df, calendar, now)
    return df.drop(columns=["judged_at", "paused_at"])


def board_candidates(
    db: duckdb.DuckDBPyConnection,
    limit: int,
    owner: str | None = None,
    rep_scope: str | None = None,
    promise_type: str | None = None,
    now: datetime | None = None,
) -> tuple[pyarrow.Table, datetime | None]:
    """The rows ``board`` can show at any moment from the latest ``made_at`` among them on, and
    that moment: (rows, made_until; None without open promises). ``board`` orders by time left at
    ``now``: a promise not paused by its due (now moves them all alike), a paused one by its due
    less its pause (fixed), so its first ``limit`` are among the first ``limit`` of each kind.
    Nothing here depends on the clock: a page keeps them until the next write. ``now``: only the
    promises made by then (a moment before ``made_until``)."""
    filters = _board_filter(owner, promise_type, rep_scope, made=now is not None)
    # One pass over the promises: the open ones (a few per cent) materialised, then each kind's
    # first ``limit`` and the latest made among all of them (on every row kept; none: no row).
    query = compose(
        f"""WITH o AS MATERIALIZED (SELECT {BOARD_COLUMNS} FROM promises WHERE {{open}})
            SELECT *, (SELECT max(made_at) FROM o) AS made_until FROM (
              (SELECT * FROM o WHERE paused_at IS NULL ORDER BY due_at, promise_id LIMIT $limit)
              UNION ALL
              (SELECT * FROM o WHERE paused_at IS NOT NULL ORDER BY due_at - paused_at, promise_id LIMIT $limit))""",
        open=filters, limit=int(limit), **({"now": now} if now is not None else {}))
    rows = relation(db, query).to_arrow_table()
    made_until = rows.column("made_until")[0].as_py() if rows.num_rows else None
    rows = rows.drop_columns(["made_until"])
    return rows, made_until


def _micros(column: pd.Series):
    return ((column - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)).to_numpy("int64")


def ledger_for_customer(
    db: duckdb.DuckDBPyConnection, customer_id: int, now: datetime, calendar: BusinessCalendar | None = None
) -> pd.DataFrame:
    """Every promise made to a customer, oldest first: who promised what, its live status, and the
    compensation owed and delivered — "what did each of the three reps promise?". ``due_at`` is
    the current due (``current_due``) when ``calendar`` is given, else the stored one."""
    frame = db.execute(
        f"""SELECT p.promise_id, p.made_at, p.owner, p.promise_type, p.policy_id, p.policy_version, p.clock,
                   p.description, p.due_at, p.paused_at, p.negotiated_due, {live_status("p")} AS status,
                   p.closed_at,
                   p.overrun_seconds, p.parent_promise_id, p.complaint_id,
                   coalesce(r.owed_count, 0) AS remedies_owed, coalesce(r.owed_cost, 0) AS owed_cost,
                   coalesce(r.delivered_count, 0) AS remedies_delivered,
                   coalesce(r.delivered_cost, 0) AS delivered_cost
            FROM promises p LEFT JOIN (
                SELECT promise_id, count(*) AS owed_count, sum(cost) AS owed_cost,
                       count(delivered_at) AS delivered_count,
                       sum(cost) FILTER (WHERE delivered_at IS NOT NULL) AS delivered_cost
                FROM remedies GROUP BY promise_id) r USING (promise_id)
            WHERE p.customer_id = $customer_id ORDER BY p.made_at, p.promise_id""",
        {"now": now, "customer_id": customer_id},
    ).df()
    if calendar is not None:
        frame["due_at"] = current_due(frame, calendar, now)
    return frame


JUDGED_ROWS = "kehu_judged_rows"  # the name a caller registers ``queries.judged_rows`` under


def attainment_counts(
    db: duckdb.DuckDBPyConnection,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    by: str | None = None,
    rep_scope: str | None = None,
    rows: str = "promises",
) -> pd.DataFrame:
    """Attainment per group in DuckDB, with the rules of ``performance.attainment_outcomes``:
    met, breached, excluded, pct, ci_low, ci_high, indexed by group ('all' when ``by`` is None).
    ``by`` must be one of performance.BREAKDOWNS or SQL_BREAKDOWNS (ValueError otherwise);
    ``rep_scope`` limits to one rep's promises (``access.of_rep``). Only the rows that can have an
    outcome are read (open, or closed within the window): the closed history outside it is skipped.
    ``rows``: the relation read instead of ``promises`` (a fixed name, never user text): one holding
    at least those rows (``queries.judged_rows``)."""
    if rows not in ("promises", JUDGED_ROWS):
        raise ValueError(f"cannot read attainment from {rows!r}")
    if by is not None and by not in BREAKDOWNS and by not in SQL_BREAKDOWNS:
        raise ValueError(f"cannot break attainment down by {by!r}")
    group = SQL_BREAKDOWNS.get(by, by) if by else "'all'"  # whitelisted expressions, never user text
    query = compose(
        f"""WITH o AS (
              SELECT {group} AS "group", CASE
                WHEN status IN ('met', 'breached') AND closed_at >= $start AND closed_at < $end THEN status
                WHEN status = 'cancelled' AND closed_at >= $start AND closed_at < $end THEN 'excluded'
                WHEN status = 'open' AND coalesce(paused_at, $now::TIMESTAMPTZ) > due_at
                     AND due_at < $end THEN 'breached'
                WHEN status = 'open' AND coalesce(paused_at, $now::TIMESTAMPTZ) <= due_at THEN 'excluded'
              END AS outcome FROM {rows}
              WHERE (status = 'open' OR (closed_at >= $start AND closed_at < $end)) AND {{scope}})
            SELECT "group", count(*) FILTER (WHERE outcome = 'met') AS met,
                   count(*) FILTER (WHERE outcome = 'breached') AS breached,
                   count(*) FILTER (WHERE outcome = 'excluded') AS excluded
            FROM o WHERE outcome IS NOT NULL GROUP BY "group" ORDER BY "group" """,
        scope=access.of_rep(rep_scope, "promises"), start=window_start, end=window_end, now=now)
    df = run(db, query).df()
    counts = df.set_index("group").astype("int64")
    return summarise_counts(counts)


def attainment_breakdowns(
    db: duckdb.DuckDBPyConnection,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    bys: tuple[str | None, ...],
    rep_scope: str | None = None,
    kept=None,
    rows: str = "promises",
) -> dict[str | None, pd.DataFrame]:
    """``attainment_counts`` for several breakdowns at once (None = the 'all' row), in one pass
    over ``promises`` (counted per combination of the keys, then GROUPING SETS over those few rows)
    instead of one per breakdown: {by: table}, each table equal to
    ``attainment_counts(..., by=by)``. Only rows that can have an outcome are read (open, or closed
    within the window; closed ones counted by status, open ones judged one by one), and the month is found by comparing with the window's month boundaries
    rather than formatting every row's time in the store's zone (the costly part on a big store).
    ``kept`` (``crm_core.promises.fits.KeptDays``, everyone's promises only): the closed promises of
    the window's whole days are counted from its fit's rows (``KEPT_BREAKDOWNS``), the rest live.
    ``rows``: the relation read instead of ``promises`` (a fixed name): one holding at least the
    promises counted live (``queries.judged_rows``)."""
    if rows not in ("promises", JUDGED_ROWS):
        raise ValueError(f"cannot read attainment from {rows!r}")
    unknown = [by for by in bys if by is not None and by not in (KEPT_BREAKDOWNS if kept else SQL_BREAKDOWNS)]
    if unknown:
        raise ValueError(f"cannot break attainment down by {unknown[0]!r}")
    if kept is not None and rep_scope is not None:
        raise ValueError("kept counts are everyone's: a rep's are counted live")
    window = {"start": window_start, "end": window_end, "now": now}
    keys = {by: f"k{i}" for i, by in enumerate(bys) if by is not None}
    month = _month_label(db, window_start, window_end) if "month" in keys else None
    columns = ", ".join(f"{'{month}' if by == 'month' else SQL_BREAKDOWNS[by]} AS {key}" for by, key in keys.items())
    sets = ", ".join("()" if by is None else f"({keys[by]})" for by in bys)
    moment = f", {_MONTH_MOMENT} AS m" if month is not None else ""
    grouping = f"GROUPING({', '.join(keys.values())})" if keys else "0"
    key_list = "".join(f"{k}, " for k in keys.values())
    # Closed promises are counted by their stored status (the rule's outcome follows from it after
    # counting); only the open ones, a few per cent, are judged row by row at $now. Those closed in
    # the window are counted live (a range each: a scan skips what lies outside it), with ``kept``
    # only outside its whole days, whose counts are the kept rows'; with ``kept`` the open promises
    # are its rows too.
    ranges = kept.ranges("closed_at") if kept else [Fragment("closed_at >= $start AND closed_at < $end")]
    live_closed = " UNION ALL ".join(
        f"SELECT *{moment} FROM {rows} WHERE status IN {CLOSED_STATUSES} AND {{range{i}}} AND {{scope}}"
        for i in range(len(ranges))) or f"SELECT *{moment} FROM {rows} WHERE FALSE"
    kept_closed, open_rows = "", f"{rows} WHERE status = 'open' AND {{scope}}"
    if kept:
        kept_columns = "".join(f"{KEPT_BREAKDOWNS[by]} AS {key}, " for by, key in keys.items())
        kept_closed = f""" UNION ALL SELECT {kept_columns}status, CAST(sum(n) AS BIGINT) FROM fit_promise_outcomes
                           WHERE fit_id = $outcome_fit AND status <> 'open' AND {{days}} GROUP BY ALL"""
        open_rows = ("(SELECT promise_type, owner, customer_class, status, due_at, paused_at, NULL::TIMESTAMPTZ"
                     " AS closed_at FROM fit_promise_outcomes WHERE fit_id = $outcome_fit AND status = 'open')")
    template = f"""WITH closed AS (
          SELECT {columns + ',' if columns else ''} status, count(*) AS n FROM ({live_closed}) GROUP BY ALL{kept_closed}),
        open_ AS (
          SELECT {columns + ',' if columns else ''} CASE
            WHEN coalesce(paused_at, $now::TIMESTAMPTZ) > due_at AND due_at < $end THEN 'breached'
            WHEN coalesce(paused_at, $now::TIMESTAMPTZ) <= due_at THEN 'excluded'
          END AS outcome, count(*) AS n FROM (SELECT *{moment} FROM {open_rows})
          GROUP BY ALL),
        fine AS (SELECT {key_list}CASE status WHEN 'cancelled' THEN 'excluded' ELSE status END AS outcome, n FROM closed
                 UNION ALL SELECT {key_list}outcome, n FROM open_ WHERE outcome IS NOT NULL)
        SELECT {grouping} AS grouping_id{''.join(', ' + k for k in keys.values())},
               coalesce(sum(n) FILTER (WHERE outcome = 'met'), 0) AS met,
               coalesce(sum(n) FILTER (WHERE outcome = 'breached'), 0) AS breached,
               coalesce(sum(n) FILTER (WHERE outcome = 'excluded'), 0) AS excluded
        FROM fine GROUP BY GROUPING SETS ({sets})
        ORDER BY grouping_id{''.join(', ' + k for k in keys.values())}"""
    parts = {"scope": access.of_rep(rep_scope, "promises"), **{f"range{i}": r for i, r in enumerate(ranges)}}
    if kept:
        parts |= {"days": kept.days("day"), "outcome_fit": kept.fit.fit_id}
    if month is not None:
        parts["month"] = month
    df = run(db, compose(template, **parts, **window)).df()
    return {by: _grouping_table(df, by, keys) for by in bys}


def _grouping_table(df: pd.DataFrame, by: str | None, keys: dict) -> pd.DataFrame:
    """One breakdown's rows of a GROUPING SETS result, shaped as ``attainment_counts`` returns it."""
    names = list(keys.values())
    # GROUPING(k0, k1, ...) has bit (n-1-i) set where k_i is not grouped: all set but this one's.
    wanted = (1 << len(names)) - 1
    if by is not None:
        wanted &= ~(1 << (len(names) - 1 - names.index(keys[by])))
    rows = df[df["grouping_id"] == wanted]
    group = rows[keys[by]] if by is not None else pd.Series(["all"] * len(rows), index=rows.index, dtype=object)
    counts = pd.DataFrame({"group": group.astype(object).where(group.notna(), None).to_numpy(),
                           "met": rows["met"].to_numpy(), "breached": rows["breached"].to_numpy(),
                           "excluded": rows["excluded"].to_numpy()})
    return summarise_counts(counts.set_index("group").astype("int64"))


def _month_label(db: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> Fragment:
    """``SQL_BREAKDOWNS['month']`` without formatting each row's time in the store's zone: the
    months of the window (boundaries from DuckDB's own month arithmetic in the session zone) are
    compared with, and any time outside them (an open promise due after the window) formatted as before.
    Reads the column ``m``: the moment of ``SQL_BREAKDOWNS['month']`` (``_MONTH_MOMENT``)."""
    bounds = db.execute(
        "SELECT b, strftime(b, '%Y-%m') FROM (SELECT unnest(generate_series(date_trunc('month', $start::TIMESTAMPTZ), "
        "$end::TIMESTAMPTZ, INTERVAL 1 MONTH)) AS b) UNION ALL SELECT date_trunc('month', $end::TIMESTAMPTZ) "
        "+ INTERVAL 1 MONTH, NULL ORDER BY 1", {"start": start, "end": end}).fetchall()
    edges = sorted({b for b, _ in bounds})
    labels = {b: label for b, label in bounds if label is not None}
    params = {f"mb{i}": edge for i, edge in enumerate(edges)}
    params.update({f"ml{i}": labels[edge] for i, edge in enumerate(edges[:-1])})
    inner = " ".join(f"WHEN m < $mb{i + 1} THEN $ml{i}" for i in range(len(edges) - 1))
    return Fragment(f"CASE WHEN m >= $mb0 AND m < $mb{len(edges) - 1} THEN CASE {inner} END "
                    "ELSE strftime(m, '%Y-%m') END", params)


