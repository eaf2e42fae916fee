"""The outbox: every alert and report mail waits here until it is sent, and stays as the record.

``enqueue`` inserts rows with ON CONFLICT (dedupe_key) DO NOTHING — the one guarantee that nothing
is sent twice, whichever job, restart or repeated scan queued it. ``deliver_due`` sends the rows
whose quiet hours (``not_before``) and back-off (``next_attempt_at``) have passed: sent rows get
``sent_at``; a failure keeps the vendor's words in ``last_error`` and is tried again after 1, 2, 4 …
minutes (at most ``BACKOFF_CAP``), and after ``MAX_ATTEMPTS`` it is marked failed. Sending happens
outside any transaction (a slow server holds no lock); it never raises into its caller.
"""
from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timedelta

import pandas as pd

from crm_core.alerts import SYSTEM_ACTOR
from crm_core.alerts import channels as sending
from crm_core.alerts.config import Channel, channels
from crm_core.alerts.messages import render
from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.queries import calendar_for
from crm_core.store import Store
from crm_core.users import Actor

MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
BATCH = 200  # rows sent per run at most: a long queue drains over a few runs, never one long job
# A row being sent is claimed for this long (next_attempt_at moved on), so two deliveries running at
# once — two jobs, or a job and the test button — never send it twice; a crash mid-send retries it then.
CLAIM = timedelta(minutes=2)
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxRow:
    dedupe_key: str
    kind: str
    promise_id: int | None
    recipient: str
    channel_id: int
    address: str | None
    subject: str
    body: str
    html: str | None
    created_at: datetime
    not_before: datetime
    attachment: bytes | None = None
    attachment_name: str | None = None


_COLUMNS = [f.name for f in fields(OutboxRow)]
_TICK = timedelta(microseconds=1)


def next_opening(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """Quiet hours: ``moment`` itself during business hours, else the calendar's next opening — the
    instant one microsecond of open time after ``moment`` is used up, less that microsecond."""
    return calendar.add(moment, _TICK) - _TICK


def enqueue(store: Store, rows: list[OutboxRow]) -> int:
    """Insert the rows not queued before (by dedupe key); returns how many were new. One statement
    for all rows: thousands of alerts (a busy morning at a million customers) queue in well under a
    second, where a statement per row took over a minute."""
    if not rows:
        return 0
    frame = pd.DataFrame([astuple(row) for row in rows], columns=_COLUMNS)
    frame["promise_id"] = pd.array(frame["promise_id"], dtype="Int64")
    frame["attachment"] = frame["attachment"].astype(object)
    columns = ", ".join(_COLUMNS)
    with store.transaction(changes_data=False) as cur:
        cur.register("alert_outbox_new", frame)
        try:
            return len(cur.execute(
                f"INSERT INTO alert_outbox ({columns}, next_attempt_at) "
                f"SELECT {columns}, not_before FROM alert_outbox_new "
                "ON CONFLICT (dedupe_key) DO NOTHING RETURNING alert_id").fetchall())
        finally:
            cur.unregister("alert_outbox_new")


def queued_keys(store: Store, since: datetime) -> set[str]:
    """The dedupe keys queued at or after ``since`` (a scan skips rendering what is queued already)."""
    with closing(store.cursor(SYSTEM_ACTOR)) as cur:
        return set(cur.execute("SELECT dedupe_key FROM alert_outbox WHERE created_at >= ?", [since]).df()["dedupe_key"])


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most BACKOFF_CAP."""
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)


def _message(row: dict) -> sending.Message:
    address = row["address"] or None
    return sending.Message(subject=row["subject"], text=row["body"], address=address, html=row["html"] or None,
                           attachment=row["attachment"], attachment_name=row["attachment_name"] or None,
                           mentions=(address,) if address else ())


def _attempt(row: dict, channel: Channel | None, now: datetime) -> str | None:
    """Send one row; None when accepted, else the reason. Never raises."""
    if channel is None or not channel.enabled:
        return "the channel was disabled or removed"
    try:
        sending.send(channel.kind, channel.config, _message(row), now)
    except sending.SendFailed as failure:
        return str(failure) or "rejected"
    except Exception as error:  # a bug or a broken setting must not stop the other rows
        _log.exception("alert %s could not be sent", row["alert_id"])
        return f"{type(error).__name__}: {error}"
    return None


def _record(store: Store, row: dict, problem: str | None, now: datetime, calendar: BusinessCalendar) -> str:
    attempts = int(row["attempts"]) + 1
    if problem is None:
        status, retry_at = "sent", now
    elif attempts >= MAX_ATTEMPTS or row["channel_missing"] or row["kind"] == "test":  # a test is not retried
        status, retry_at = "failed", now
    else:
        # a retry waits out the back-off, and then the quiet hours as the first attempt did
        status, retry_at = "pending", next_opening(calendar, now + backoff(attempts))
    with store.transaction(changes_data=False) as cur:
        cur.execute("UPDATE alert_outbox SET attempts = ?, status = ?, sent_at = ?, last_error = ?, "
                    "next_attempt_at = ? WHERE alert_id = ?",
                    [attempts, status, now if problem is None else None, problem, retry_at, int(row["alert_id"])])
    return status


def due_rows(store: Store, now: datetime, only: int | None = None) -> list[dict]:
    frame = store.query_df(
        "SELECT alert_id, kind, channel_id, address, subject, body, html, attachment, attachment_name, attempts "
        "FROM alert_outbox WHERE status = 'pending' AND not_before <= ? AND next_attempt_at <= ? "
        "AND (?::BIGINT IS NULL OR alert_id = ?) ORDER BY alert_id LIMIT ?", [now, now, only, only, BATCH])
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _claim(store: Store, alert_id: int, now: datetime) -> bool:
    """Take one due row for this delivery (one serialised write); False when another took it first."""
    with store.transaction(changes_data=False) as cur:
        return bool(cur.execute(
            "UPDATE alert_outbox SET next_attempt_at = ? WHERE alert_id = ? AND status = 'pending' "
            "AND next_attempt_at <= ? RETURNING alert_id", [now + CLAIM, int(alert_id), now]).fetchall())


def deliver_due(store: Store, now: datetime, only: int | None = None) -> dict[str, int]:
    """Send what is due at ``now`` (``only``: that one row); returns counts of sent / retrying /
    failed. Never raises: a problem reading the outbox is logged and reported as ``errors``."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    try:
        by_id = {c.channel_id: c for c in channels(store)}
        calendar = calendar_for(store)
        for row in due_rows(store, now, only):
            if not _claim(store, row["alert_id"], now):
                continue
            channel = by_id.get(int(row["channel_id"]))
            row["channel_missing"] = channel is None or not channel.enabled
            status = _record(store, row, _attempt(row, channel, now), now, calendar)
            counts[{"sent": "sent", "failed": "failed"}.get(status, "retrying")] += 1
    except Exception:
        _log.exception("the alert outbox could not be delivered")
        counts["errors"] = 1
    return counts


def recent(store: Store, limit: int = 200) -> pd.DataFrame:
    """The newest outbox rows for the Admin page (no bodies, no attachments, no addresses' secrets)."""
    return store.query_df(
        "SELECT o.created_at, o.kind, o.recipient, c.name AS channel, o.status, o.attempts, "
        "CASE WHEN o.status = 'pending' THEN o.next_attempt_at END AS next_attempt_at, "
        "o.sent_at, o.last_error FROM alert_outbox o LEFT JOIN alert_channels c ON c.channel_id = o.channel_id "
        "ORDER BY o.alert_id DESC LIMIT ?", [int(limit)])


def send_test_message(store: Store, actor: Actor, channel_id: int, address: str | None, lang: str,
                      now: datetime) -> str | None:
    """Send the test message through one channel now (the Admin page's button; the admin waits for
    the outcome, at most the channel's timeout): to ``address`` for e-mail, @-mentioning it (a
    mobile, optional) for a robot. Kept in the outbox like any alert. Returns None when the channel
    accepted it, else the reason. Admins only."""
    actor.require_account_admin()
    channel = next((c for c in channels(store) if c.channel_id == int(channel_id)), None)
    if channel is None:
        return "the channel was removed"
    address = (address or "").strip() or None
    subject, text, body_html = render("test", lang, store.timezone, {"channel": channel.name})
    key = f"test:{channel.channel_id}:{now.isoformat()}:{address or ''}"
    enqueue(store, [OutboxRow(key, "test", None, actor.name, channel.channel_id, address, subject, text,
                              body_html if channel.kind == "email" else None, now, now)])
    (alert_id,) = store.query_one("SELECT alert_id FROM alert_outbox WHERE dedupe_key = ?", [key])
    deliver_due(store, now, only=int(alert_id))
    status, error = store.query_one("SELECT status, last_error FROM alert_outbox WHERE alert_id = ?", [alert_id])
    return None if status == "sent" else (error or status)
