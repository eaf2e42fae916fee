"""Reads for the Promises page and the customer 360 view: every function takes (store, actor, ...)
and limits a rep to the promises they made and those made to their own customers.

All aggregation runs in DuckDB over the cache columns the ledger keeps on ``promises`` (see
migration 003), so the overview over a million promises is a handful of scans.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import duckdb
import pandas as pd

from crm_core import access
from crm_core.promises import fits, ledger
from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.policy import PromisePolicy
from crm_core.sql import Fragment, compose, relation, run, trailing_year_days
from crm_core.store import Store
from crm_core.users import Actor

OPEN_STATUSES = ("open", "open_warning_1", "open_warning_2", "open_breached")


@lru_cache(maxsize=8)
def business_calendar(tz: str = "Asia/Shanghai", notices: tuple[tuple[date, str, int], ...] = ()) -> BusinessCalendar:
    """The business calendar every business-hours promise runs on: Monday–Friday 09:00–18:00 with
    China's official holidays and make-up working days (调休), in the store's time zone, and the
    holiday notices a manager entered (``notices``: (day, 'holiday' | 'workday', year) rows; their
    years are official and follow those days alone). One instance per zone and notice content, so
    its interval table is built once per process and a changed notice gets a new calendar."""
    return BusinessCalendar.china(
        tz=tz,
        closed_days=[day for day, kind, _ in notices if kind == "holiday"],
        extra_working_days=[day for day, kind, _ in notices if kind == "workday"],
        noticed_years={year for _, _, year in notices},
    )


def stored_notices(db: duckdb.DuckDBPyConnection) -> tuple[tuple[date, str, int], ...]:
    """Every entered holiday-notice day as (day, kind, year), in day order (a system table: no
    customer data). Read on the caller's cursor, so a transaction sees its own new notice."""
    rows = db.execute("SELECT day, kind, year FROM holiday_notices ORDER BY day").fetchall()
    return tuple((day, kind, int(year)) for day, kind, year in rows)


def calendar_from(db: duckdb.DuckDBPyConnection, tz: str) -> BusinessCalendar:
    """The business calendar with the notices visible on ``db`` (see ``business_calendar``)."""
    return business_calendar(tz, stored_notices(db))


def calendar_for(store: Store) -> BusinessCalendar:
    """The store's business calendar: the shipped holidays and the notices entered in the store."""
    with closing(store.system_cursor()) as db:
        return calendar_from(db, store.timezone)


def open_promise_count(db: duckdb.DuckDBPyConnection, now: datetime) -> int | None:
    """Promises open at ``now`` — made by then and not closed by then — for the home KPI; None when
    the promises table is empty."""
    total, still_open = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE made_at <= $now AND (status = 'open' OR closed_at > $now)) "
        "FROM promises",
        {"now": now},
    ).fetchone()
    return None if total == 0 else int(still_open)


def uncertain_calendar_years(store: Store, actor: Actor, now: datetime) -> list[int]:
    """Years after ``now`` whose days off the business calendar knows only provisionally (statutory
    holidays, no State Council notice yet; docs/domain.md §3) and that the user's open business-hours
    promises run into: their due times may move when the notice is known. Empty when none do."""
    return uncertain_years_until(store, latest_business_due(store, actor), now)


def latest_business_due(store: Store, actor: Actor) -> datetime | None:
    """The latest due of the user's open business-hours promises (None: none); it does not depend
    on the clock, so a page keeps it until the next write."""
    row = store.query_one("SELECT max(due_at) FROM promises WHERE status = 'open' AND clock = 'business'",
                          actor=actor)
    return None if row is None else row[0]


def uncertain_years_until(store: Store, latest_due: datetime | None, now: datetime) -> list[int]:
    """``uncertain_calendar_years`` from ``latest_business_due``'s answer."""
    if latest_due is None:
        return []
    return calendar_for(store).uncertain_years(now, max(now, latest_due))


def due_is_provisional(store: Store, frame: pd.DataFrame) -> pd.Series:
    """Per promise row (columns ``due_at`` and ``clock``): True where a business-hours due time falls
    in a year whose days off are provisional or unknown (docs/domain.md §3) — it may move when that
    year's holiday notice is known. Spans only run forward and the shipped notices cover every year
    up to their last, so the due's own year is the one to check."""
    if frame.empty:
        return pd.Series(False, index=frame.index)
    calendar = calendar_for(store)
    years = pd.to_datetime(frame["due_at"], utc=True).dt.tz_convert(store.timezone).dt.year
    uncertain = [int(y) for y in years.dropna().unique() if calendar.year_status(int(y)) in ("provisional", "unknown")]
    return (frame["clock"] == "business") & years.isin(uncertain)


# -- the overview -------------------------------------------------------------------------------
# What "overdue" and "due within 24 h" mean at $now (a paused promise is judged where its clock stopped
# and is not "due soon"): the headline numbers and the sidebar's counts share them.
_JUDGED = "coalesce(paused_at, $now::TIMESTAMPTZ)"
_OVERDUE = f"status = 'open' AND {_JUDGED} > due_at"
_DUE_24H = ("status = 'open' AND paused_at IS NULL AND due_at > $now"
            " AND due_at <= $now::TIMESTAMPTZ + INTERVAL 24 HOUR")


def own_codes(actor: Actor) -> tuple[str, ...]:
    """The ``promises.owner`` values that are this user's own: their sales-rep codes and their login
    name (a promise's owner is a rep code, or whatever a manager typed for themselves)."""
    return tuple(dict.fromkeys((*actor.rep_codes, actor.name)))


def due_counts(store: Store, actor: Actor, now: datetime) -> dict[str, int]:
    """The sidebar's counts at ``now``, in one query over the open promises only (every count is of
    open ones; a scan of the whole table would grow with the closed history): the open promises the user may see that are
    overdue / due within 24 h, and of those, the ones the user owns (``own_codes``): ``overdue``,
    ``due_24h``, ``own_open``, ``own_overdue``, ``own_due_24h``."""
    own = "owner IN (SELECT unnest($owners::VARCHAR[]))"
    with closing(store.system_cursor()) as db:  # narrowed to the user's promises (access)
        row = run(db, compose(
            f"""SELECT count(*) FILTER (WHERE {_OVERDUE}), count(*) FILTER (WHERE {_DUE_24H}),
                       count(*) FILTER (WHERE status = 'open' AND {own}),
                       count(*) FILTER (WHERE {_OVERDUE} AND {own}), count(*) FILTER (WHERE {_DUE_24H} AND {own})
                FROM promises WHERE status = 'open' AND made_at <= $now AND {{visible}}""",
            visible=access.visible(actor, "promises"), now=now, owners=list(own_codes(actor)),
        )).fetchone()
    return dict(zip(("overdue", "due_24h", "own_open", "own_overdue", "own_due_24h"), (int(v) for v in row)))


def remedies_owed(db: duckdb.DuckDBPyConnection, actor: Actor) -> tuple[int, float]:
    """(remedies not delivered yet, their cost) of the promises ``actor`` may see, on a system
    cursor ``db``: the same at any moment (a page keeps it until the next write)."""
    owed = run(db, compose(
        """SELECT count(*), coalesce(sum(r.cost), 0) FROM remedies r JOIN promises p USING (promise_id)
           WHERE r.delivered_at IS NULL AND {visible}""", visible=access.visible(actor, "promises", "p"))
    ).fetchone()
    return int(owed[0]), float(owed[1])


# What the headline numbers read of each promise (``overview``; ``ledger.attainment_counts``).
_JUDGED_COLUMNS = "status, made_at, due_at, warn1_at, warn2_at, paused_at, closed_at, complaint_id, source"


def judged_rows(store: Store, actor: Actor, since: datetime, skip: tuple[datetime, datetime] | None = None):
    """The user's promises ``overview`` reads for any ``now`` whose window starts at or after
    ``since`` (an Arrow table): every open one and every one closed since ``since`` — a few per cent
    of the promises —, except, with ``skip``, those closed in [skip[0], skip[1]) (whole days counted
    from the kept fit instead: ``overview_rows``). Nothing in it depends on the clock: a page keeps it
    until the next write (and the day ``since`` moves) and judges it at each run's ``now``."""
    skipped = (Fragment("TRUE") if skip is None else
               Fragment("(closed_at IS NULL OR closed_at < $skip_from OR closed_at >= $skip_to)",
                        {"skip_from": skip[0], "skip_to": skip[1]}))
    with closing(store.system_cursor()) as db:  # narrowed to the user's promises (access)
        return relation(db, compose(f"SELECT {_JUDGED_COLUMNS} FROM promises WHERE (status = 'open' OR closed_at >= $since)"
                                    " AND {skipped} AND {visible}", visible=access.visible(actor, "promises"),
                                    since=since, skipped=skipped)).to_arrow_table()


@dataclass(frozen=True)
class JudgedRows:
    """``judged_rows`` for the windows starting on the day of ``since`` and ending on the day ``skip``
    ends (``overview_rows``): ``rows``, and ``skip`` the whole days left out of them (None: none)."""

    rows: object  # an Arrow table
    since: datetime
    skip: tuple[datetime, datetime] | None


def overview_rows(store: Store, actor: Actor, now: datetime, window_days: int = 30) -> JudgedRows:
    """What ``overview`` reads for any moment of the day of ``now``: for a user who sees every
    promise, with the closed promises kept per day (crm_core.promises.fits) made on the ledger as it
    is, the open promises and those closed on the window's first and last days (``judged_rows``
    skipping the days between: counted from the kept fit); otherwise every one closed since the
    window's first day. Kept until the next write (and the day moves)."""
    since = datetime.combine((now - timedelta(days=window_days)).date(), time(), tzinfo=now.tzinfo)
    skip = None
    if actor.rep_scope is None:
        with closing(store.system_cursor()) as db:
            db.execute("BEGIN TRANSACTION")
            try:
                days = _kept_days(db, now - timedelta(days=window_days), now)
            finally:
                db.execute("ROLLBACK")  # read only
        skip = None if days is None else days.moments()
    return JudgedRows(judged_rows(store, actor, since, skip), since, skip)


def _kept_days(db, start: datetime, end: datetime):
    """The kept closed promises' whole days of [start, end) (``fits.KeptDays``), or None (no kept
    fit made on the ledger as it is, or no whole day). Inside a transaction on ``db``."""
    fit = fits.kept_fits(db, (fits.OUTCOMES,)).get(fits.OUTCOMES)
    return None if fit is None else fits.kept_days(db, fit, start, end)


def overview(store: Store, actor: Actor, now: datetime, window_days: int = 30,
             owed: tuple[int, float] | None = None, rows: JudgedRows | None = None) -> dict:
    """Headline numbers at ``now``: open promises by live status, paused, due within 24 h,
    complaints with a green-channel promise still open, compensation outstanding, and attainment
    over the last ``window_days`` (met, breached, excluded, pct, ci_low, ci_high, window). The
    counts read open promises only (each of them is about open ones). ``owed``: ``remedies_owed``
    read already (it does not depend on ``now``); ``rows``: ``overview_rows`` read already, used
    when the window starts on or after its ``since`` and, where it skipped days, when the kept
    fit's whole days of the window are those days (else the promises are read)."""
    judged = _JUDGED
    start = now - timedelta(days=window_days)
    with closing(store.system_cursor()) as db:  # narrowed to the user's promises in each query (access)
        db.execute("BEGIN TRANSACTION")  # one snapshot: the kept fit found current and its rows
        try:
            days = _kept_days(db, start, now) if rows is not None and rows.skip is not None else None
            kept = (rows is not None and pd.Timestamp(rows.since) <= pd.Timestamp(start)
                    and (rows.skip is None or (days is not None and days.moments() == rows.skip)))
            visible = Fragment("TRUE") if kept else access.visible(actor, "promises")  # kept rows: the user's already
            source = ledger.JUDGED_ROWS if kept else "promises"
            if kept:
                db.register(ledger.JUDGED_ROWS, rows.rows)
            row = run(db, compose(
                f"""SELECT count(*) FILTER (WHERE status = 'open'),
                           count(*) FILTER (WHERE {_OVERDUE}),
                           count(*) FILTER (WHERE status = 'open' AND {judged} <= due_at AND {judged} >= warn2_at),
                           count(*) FILTER (WHERE status = 'open' AND {judged} < warn2_at AND {judged} >= warn1_at),
                           count(*) FILTER (WHERE status = 'open' AND paused_at IS NOT NULL),
                           count(*) FILTER (WHERE {_DUE_24H}),
                           count(DISTINCT complaint_id) FILTER (WHERE status = 'open' AND source = 'complaint')
                    FROM {source} WHERE status = 'open' AND made_at <= $now AND {{visible}}""",
                visible=visible, now=now,
            )).fetchall()[0]
            keys = ("open", "overdue", "warning_2", "warning_1", "paused", "due_24h", "open_complaints")
            out = dict(zip(keys, (int(v) for v in row)))
            owed = remedies_owed(db, actor) if owed is None else owed
            out["remedies_outstanding"], out["cost_outstanding"] = owed
            if kept and rows.skip is not None:
                total = ledger.attainment_breakdowns(db, start, now, now, (None,), kept=days, rows=source)[None]
            elif kept:
                total = ledger.attainment_counts(db, start, now, now, rows=source)
            else:
                total = ledger.attainment_counts(db, start, now, now, rep_scope=actor.rep_scope)
        finally:
            db.execute("ROLLBACK")  # read only
    first = total.iloc[0] if not total.empty else None
    out["attainment"] = {
        "met": 0 if first is None else int(first["met"]),
        "breached": 0 if first is None else int(first["breached"]),
        "excluded": 0 if first is None else int(first["excluded"]),
        "pct": float("nan") if first is None else float(first["pct"]),
        "ci_low": float("nan") if first is None else float(first["ci_low"]),
        "ci_high": float("nan") if first is None else float(first["ci_high"]),
        "window_start": start,
        "window_end": now,
    }
    return out


def _with_customers(store: Store, frame: pd.DataFrame, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add customer code and name to a frame with ``customer_id`` (one small lookup; ``names``:
    those of its customers read already, ``_with_customers`` of them)."""
    if frame.empty:
        return frame.assign(code=pd.Series(dtype=str), customer_name=pd.Series(dtype=str))
    if names is not None:
        return frame.merge(names, on="customer_id", how="left")
    ids = sorted({int(i) for i in frame["customer_id"]})
    # The customers of promises the user may see (a rep's own promise to a colleague's customer
    # included): names only, for rows already narrowed, so a system read.
    with closing(store.system_cursor()) as system:
        # list_contains, not IN (SELECT unnest(...)): a filter in the scan instead of a hash join
        # against a million customers, less than half the time for a board's 200 ids.
        names = system.execute(
            "SELECT customer_id, code, name AS customer_name FROM customers WHERE list_contains($ids::BIGINT[], customer_id)",
            {"ids": ids},
        ).df()
    return frame.merge(names, on="customer_id", how="left")


def now_board(
    store: Store,
    actor: Actor,
    now: datetime,
    owner: str | None = None,
    promise_type: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Open promises, overdue first then the least time left (see ``ledger.board``), with the
    customer's code and name. ``board_listing`` and ``judge_board``: the same rows, with the part
    that does not depend on ``now`` read apart (a page keeps it until the next write)."""
    return judge_board(store, board_listing(store, actor, owner, promise_type, limit), actor, now)


@dataclass(frozen=True)
class BoardListing:
    """``now_board``'s candidates before they are judged at a moment (``ledger.board_candidates``:
    ``rows``, valid from ``made_until`` on) and the filters they were read with."""

    rows: object  # an Arrow table
    made_until: datetime | None
    owner: str | None
    promise_type: str | None
    limit: int
    names: pd.DataFrame  # customer_id, code, customer_name of the rows' customers


def board_listing(store: Store, actor: Actor, owner: str | None = None, promise_type: str | None = None,
                  limit: int = 200, now: datetime | None = None) -> BoardListing:
    """The Now board's candidates for ``actor`` (``ledger.board_candidates``); ``now``: only the
    promises made by then (None: every one)."""
    with closing(store.system_cursor()) as db:  # narrowed to the user's promises by rep_scope (access.of_rep)
        rows, made_until = ledger.board_candidates(db, limit, owner=owner, rep_scope=actor.rep_scope,
                                                   promise_type=promise_type, now=now)
    names = _with_customers(store, pd.DataFrame({"customer_id": rows.column("customer_id").to_pandas()}).drop_duplicates())
    return BoardListing(rows, made_until, owner, promise_type, limit, names)


def judge_board(store: Store, listing: BoardListing, actor: Actor, now: datetime) -> pd.DataFrame:
    """``now_board`` at ``now`` from ``listing`` (``ledger.board`` over its rows). A listing read
    before a promise made after ``now`` (a pinned moment in the past) is read again up to ``now``."""
    if listing.made_until is not None and pd.Timestamp(listing.made_until) > pd.Timestamp(now):
        listing = board_listing(store, actor, listing.owner, listing.promise_type, listing.limit, now)
    with closing(store.system_cursor()) as db:
        frame = ledger.board(db, now, calendar_for(store), owner=listing.owner, limit=listing.limit,
                             rep_scope=actor.rep_scope, promise_type=listing.promise_type, rows=listing.rows)
    return _with_customers(store, frame, listing.names)


def complaint_board(store: Store, actor: Actor, now: datetime, limit: int = 200) -> pd.DataFrame:
    """Complaints with their two green-channel promises (to the GM's office, reply to the customer):
    live status and current due time of each (``ledger.current_due``); complaints with an open
    promise first, the soonest due first, then the most recent. ``complaint_listing`` and
    ``judge_complaints``: the same rows, with the part that does not depend on ``now`` read apart
    (a page keeps it until the next write and judges it at each run's ``now``)."""
    return judge_complaints(store, complaint_listing(store, actor, limit), actor, now, limit)


# The complaints and the stored fields of their two promises; the order needs none of ``now``
# (open by stored status, soonest stored due): only "made by ``now``" does, which leaves nothing out
# once ``now`` is at or after the latest promise made (``ComplaintListing.made_until``).
_COMPLAINTS = """WITH g AS (
      SELECT p.complaint_id, p.promise_id, p.policy_id, p.due_at, p.closed_at, p.status AS stored,
             p.status, p.paused_at, p.warn1_at, p.warn2_at, p.clock
      FROM promises p WHERE p.source = 'complaint' AND {made} AND {scope})
    SELECT c.complaint_id, c.customer_id, c.received_at, c.channel, c.description, c.owner,
           any_value(g.due_at) FILTER (WHERE g.policy_id = 'complaint_to_gm') AS to_gm_due,
           any_value(g.due_at) FILTER (WHERE g.policy_id = 'complaint_reply') AS reply_due,
           any_value(g.promise_id) FILTER (WHERE g.policy_id = 'complaint_to_gm') AS to_gm_id,
           any_value(g.promise_id) FILTER (WHERE g.policy_id = 'complaint_reply') AS reply_id,
           bool_or(g.stored = 'open') AS is_open,
           min(g.due_at) FILTER (WHERE g.stored = 'open') AS next_due
    FROM complaints c JOIN g USING (complaint_id)
    GROUP BY ALL
    ORDER BY is_open DESC, next_due NULLS LAST, c.received_at DESC, c.complaint_id DESC
    LIMIT $limit"""


@dataclass(frozen=True)
class ComplaintListing:
    """``complaint_board``'s rows before they are judged at a moment: ``frame`` (stored dues and
    the two promises' ids, with the customer's code and name), ``promises`` (those promises' stored
    fields) and ``made_until`` (the latest complaint promise made that the user may see; None:
    none). Valid for any ``now`` at or after ``made_until``."""

    frame: pd.DataFrame
    promises: pd.DataFrame
    made_until: datetime | None


def complaint_listing(store: Store, actor: Actor, limit: int = 200, now: datetime | None = None) -> ComplaintListing:
    """The complaint board's complaints and their promises' stored fields (see ``ComplaintListing``);
    ``now``: only the promises made by then (None: every one)."""
    scope = access.visible(actor, "promises", alias="p")
    made = Fragment("TRUE") if now is None else Fragment("p.made_at <= $now", {"now": now})
    with closing(store.system_cursor()) as system:  # complaints reached through the promises the user may see
        system.execute("BEGIN TRANSACTION")  # one snapshot: the latest promise made, the rows and their promises
        try:
            (made_until,) = run(system, compose(
                "SELECT max(p.made_at) FROM promises p WHERE p.source = 'complaint' AND {made} AND {scope}",
                made=made, scope=scope)).fetchone()
            frame = run(system, compose(_COMPLAINTS, made=made, scope=scope, limit=limit)).df()
            ids = [int(i) for c in ("to_gm_id", "reply_id") for i in frame[c].dropna()]
            promises = system.execute(
                "SELECT promise_id, status, due_at, paused_at, warn1_at, warn2_at, clock FROM promises"
                " WHERE list_contains($ids::BIGINT[], promise_id)", {"ids": ids}).df()
        finally:
            system.execute("ROLLBACK")  # read only
    return ComplaintListing(_with_customers(store, frame.drop(columns=["next_due"])), promises, made_until)


def judge_complaints(store: Store, listing: ComplaintListing, actor: Actor, now: datetime,
                     limit: int = 200) -> pd.DataFrame:
    """``complaint_board`` at ``now`` from ``listing``: each promise's live status
    (``ledger.live_status``) and, while paused, its current due (``ledger.current_due``). A listing
    read before a promise made after ``now`` (a pinned moment in the past) is read again up to ``now``."""
    if listing.made_until is not None and pd.Timestamp(listing.made_until) > pd.Timestamp(now):
        listing = complaint_listing(store, actor, limit, now)
    frame, promises = listing.frame.copy(), listing.promises
    with closing(store.system_cursor()) as system:  # the listing's own rows, judged at now
        system.register("kehu_complaint_promises", promises)
        live = system.execute(f"SELECT promise_id, {ledger.live_status()} AS live FROM kehu_complaint_promises",
                              {"now": now}).df()
        system.unregister("kehu_complaint_promises")
    status = dict(zip(live["promise_id"], live["live"]))
    paused = promises[promises["paused_at"].notna()]
    moved = dict(zip(paused["promise_id"], ledger.current_due(paused, calendar_for(store), now))) \
        if not paused.empty else {}
    for name in ("to_gm", "reply"):
        ids, dues = frame[f"{name}_id"], frame[f"{name}_due"]
        shown = [status.get(i) if pd.notna(i) else None for i in ids]  # text, as DuckDB gives it (empty: object)
        frame[f"{name}_status"] = pd.Series(shown, index=frame.index, dtype=None if shown else object)
        if moved:
            frame[f"{name}_due"] = [moved.get(i, d) if pd.notna(i) else d for d, i in zip(dues, ids)]
    columns = ["complaint_id", "customer_id", "received_at", "channel", "description", "owner", "to_gm_status",
               "to_gm_due", "reply_status", "reply_due", "is_open", "code", "customer_name"]
    return frame[columns]


# -- one customer, one promise --------------------------------------------------------------------
def customer_ledger(store: Store, actor: Actor, customer_id: int, now: datetime) -> pd.DataFrame:
    """Every promise made to the customer (``ledger.ledger_for_customer``) with the remedy names.
    A rep who does not own the customer sees only the promises they made themselves (the access
    rule for promises, applied by the user's cursor)."""
    with closing(store.cursor(actor)) as db:
        frame = ledger.ledger_for_customer(db, int(customer_id), now, calendar_for(store))
        remedies = db.execute(
            "SELECT r.promise_id, string_agg(r.key, ',' ORDER BY r.remedy_id) AS remedy_keys "
            "FROM remedies r JOIN promises p USING (promise_id) WHERE p.customer_id = $id GROUP BY r.promise_id",
            {"id": int(customer_id)},
        ).df()
    frame = frame.merge(remedies, on="promise_id", how="left")
    return frame[frame["made_at"] <= pd.Timestamp(now)].reset_index(drop=True)


def ledger_by_rep(frame: pd.DataFrame) -> pd.DataFrame:
    """Per rep who promised this customer something: promises, kept, broken (closed late or open
    past due), open, cancelled, compensation owed and delivered — "what did each rep promise?"."""
    if frame.empty:
        return pd.DataFrame(columns=["owner", "promises", "kept", "broken", "open", "cancelled",
                                     "owed_cost", "delivered_cost"])
    status = frame["status"]
    out = pd.DataFrame({
        "owner": frame["owner"],
        "promises": 1,
        "kept": status.eq("met").astype(int),
        "broken": status.isin(["breached", "open_breached"]).astype(int),
        "open": status.isin(["open", "open_warning_1", "open_warning_2"]).astype(int),
        "cancelled": status.eq("cancelled").astype(int),
        "owed_cost": frame["owed_cost"].astype(float),
        "delivered_cost": frame["delivered_cost"].astype(float),
    })
    return out.groupby("owner", sort=False, as_index=False).sum()


def promise_detail(store: Store, actor: Actor, promise_id: int, now: datetime) -> dict | None:
    """The promise's row with its live status (``due_at`` the current due, ``ledger.current_due``),
    its event log, its remedies and ``policy`` (the PromisePolicy version in force, for its
    compensation ladder); None when it does not exist or the user may not see it."""
    key = {"id": int(promise_id)}
    with closing(store.cursor(actor)) as db:
        row = db.execute(f"SELECT *, {ledger.live_status()} AS live_status FROM promises WHERE promise_id = $id",
                         {**key, "now": now}).df()
        if row.empty:
            return None
        events = db.execute(
            'SELECT event_id, kind, "at", actor, detail FROM promise_events WHERE promise_id = $id ORDER BY "at", event_id',
            key,
        ).df()
        remedies = db.execute(
            "SELECT remedy_id, key, cost, granted_at, delivered_at, child_promise_id FROM remedies "
            "WHERE promise_id = $id ORDER BY remedy_id",
            key,
        ).df()
        versions = db.execute(
            "SELECT version FROM promise_policies WHERE policy_id = $policy ORDER BY version",
            {"policy": row.loc[0, "policy_id"]},
        ).df()["version"].tolist()
        promise, log = ledger.load_promise(db, int(promise_id))
        policy = ledger.load_policy(db, promise.policy_id, ledger.policy_version_in_force(promise, log))
    customer = _with_customers(store, row[["customer_id"]]).iloc[0]
    # The due as it stands now (a paused promise's due moves later while paused); the stored,
    # frozen one stays available as ``stored_due_at``.
    row["stored_due_at"] = row["due_at"]
    row["due_at"] = ledger.current_due(row, calendar_for(store), now)
    return {
        "promise": row.iloc[0].to_dict(),
        "events": events,
        "remedies": remedies,
        "versions": versions,
        "policy": policy,
        "customer_code": customer["code"],
        "customer_name": customer["customer_name"],
    }


def customer_class_of(store: Store, customer_id: int, as_of: date) -> str | None:
    """The customer's ABC class by revenue over the 12 months to ``as_of`` (segmentation's rules:
    A = top 5 %, B = up to 20 %, ranks by spend then customer id); None without revenue.
    Ranked over the whole population (a class means the same for every user): a system read
    that returns one customer's class. The window is 365 days, not 12 calendar months."""
    query = compose(
        """WITH s AS (SELECT customer_id, sum(amount) AS spend FROM transactions
                      WHERE {window} GROUP BY customer_id HAVING sum(amount) > 0),
                me AS (SELECT spend FROM s WHERE customer_id = $id)
           SELECT (SELECT count(*) FROM s), 1 + (SELECT count(*) FROM s, me
                   WHERE s.spend > me.spend OR (s.spend = me.spend AND s.customer_id < $id)),
                  (SELECT count(*) FROM me)""",
        window=trailing_year_days(as_of, "txn_date"), id=int(customer_id))
    with closing(store.system_cursor()) as system:
        row = run(system, query).fetchone()
    n, rank, found = (int(v) for v in row)
    if not found:
        return None
    # ceil(0.05 n) and ceil(0.20 n) in integer arithmetic, as segmentation.ceil_count.
    return "A" if rank <= -(-n // 20) else "B" if rank <= -(-n // 5) else "C"


# -- policies -----------------------------------------------------------------------------------
def latest_policies(store: Store) -> list[PromisePolicy]:
    """The latest version of every stored policy, ordered by id."""
    frame = store.query_df(
        "SELECT definition FROM promise_policies QUALIFY version = max(version) OVER (PARTITION BY policy_id) "
        "ORDER BY policy_id"
    )
    return [PromisePolicy.model_validate_json(d) for d in frame["definition"]]


def policy_history(store: Store, policy_id: str) -> pd.DataFrame:
    """Every version of a policy: version, created_at, created_by, definition (JSON text), and how
    many promises were made under it."""
    return store.query_df(
        """SELECT v.version, v.created_at, v.created_by, v.definition::VARCHAR AS definition,
                  (SELECT count(*) FROM promises p WHERE p.policy_id = v.policy_id
                   AND p.policy_version = v.version) AS promises
           FROM promise_policies v WHERE v.policy_id = ? ORDER BY v.version DESC""",
        [policy_id],
    )


def known_owners(store: Store, actor: Actor) -> list[str]:
    """Reps who own customers or made promises (for the owner filter and the form)."""
    if actor.rep_scope is not None:
        return list(actor.rep_scope)
    frame = store.query_df(
        "SELECT DISTINCT sales_rep AS o FROM customers WHERE sales_rep IS NOT NULL "
        "UNION SELECT DISTINCT owner FROM promises ORDER BY 1"
    )
    return frame["o"].tolist()
