"""Which promise alerts are due at ``now``, and queueing them once each in the outbox.

Alerts (docs: issue 20), each to a person of ``alert_contacts`` through every enabled channel:
- ``warning_1`` / ``warning_2`` to the owner when the promise reaches the policy's warning points
  (the stored ``warn1_at`` / ``warn2_at``; the live status is ``ledger.live_status``, the board's own
  rule, so a paused promise is judged where its pause began);
- ``breach`` to the owner once it is overdue;
- ``escalation`` to the owner's manager when it is still open as long after its due time as the
  last warning came before it (``due + (due − warn2)``: 36 s for a 3-minute hotel check-in, about
  50 minutes for a 4-business-hour call-back) — long enough for the owner to act on the breach alert;
- ``complaint`` to the owner and the manager when a complaint opens its green channel;
- ``compensation_due`` to the owner for each remedy granted and not yet delivered.

Only the stage a promise is in is alerted (a promise first seen overdue gets the breach, not two
stale warnings), and only a stage reached within ``LOOKBACK`` (a store opened after a long stop, or
the demo's old overdue promises, does not flood anyone). Each alert is queued once: the outbox's
``dedupe_key`` is ``promise:{id}:{kind}:{person}:{channel}`` (``complaint:…``, ``remedy:…``) and
inserted with ON CONFLICT DO NOTHING. Quiet hours: an alert queued outside business hours waits for
the next opening of the store's business calendar (holidays and make-up working days included).
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm_core.alerts import SYSTEM_ACTOR
from crm_core.alerts.config import Channel, channels
from crm_core.alerts.contacts import Contact, all_contacts
from crm_core.alerts.messages import render
from crm_core.alerts.outbox import OutboxRow, enqueue, next_opening, queued_keys
from crm_core.i18n import t
from crm_core.promises.ledger import live_status
from crm_core.promises.queries import calendar_for
from crm_core.store import Store

LOOKBACK = timedelta(days=3)
STAGE_OF_STATUS = {"open_warning_1": "warning_1", "open_warning_2": "warning_2", "open_breached": "breach"}


@dataclass(frozen=True)
class Alert:
    """One alert to one person, before it is fanned out to channels. ``key``: the dedupe key's
    front (``promise:12:breach``); ``values``: the texts' placeholders (raw: instants, codes)."""

    key: str
    kind: str
    person: str
    values: dict
    promise_id: int | None = None


def _rows(store: Store, sql: str, params: dict) -> list[dict]:
    # The scan acts for the whole company (SYSTEM_ACTOR, manager level), on a scoped cursor.
    with closing(store.cursor(SYSTEM_ACTOR)) as cur:
        return cur.execute(sql, params).df().to_dict("records")


def stage_alerts(store: Store, now: datetime) -> list[Alert]:
    """Warnings, breaches and escalations due at ``now`` (see the module docstring)."""
    since = now - LOOKBACK
    rows = _rows(store, (
        "SELECT p.promise_id, p.owner, p.promise_type, p.due_at, p.warn1_at, p.warn2_at, c.name AS customer, "
        f"{live_status('p')} AS live, coalesce(p.paused_at, $now::TIMESTAMPTZ) AS judged, "
        "p.due_at + (p.due_at - p.warn2_at) AS escalate_at "
        "FROM promises p JOIN customers c ON c.customer_id = p.customer_id "
        "WHERE p.status = 'open' AND p.made_at <= $now AND p.warn1_at <= $now "
        "AND p.due_at + (p.due_at - p.warn2_at) >= $since ORDER BY p.promise_id"), {"now": now, "since": since})
    alerts = []
    for row in rows:
        stage = STAGE_OF_STATUS.get(row["live"])
        if stage is None:
            continue
        values = {"customer": row["customer"], "promise_type": row["promise_type"], "due": row["due_at"],
                  "promise_id": int(row["promise_id"]), "owner": row["owner"]}
        reached = {"warning_1": row["warn1_at"], "warning_2": row["warn2_at"], "breach": row["due_at"]}[stage]
        if reached >= since:
            alerts.append(Alert(f"promise:{row['promise_id']}:{stage}", stage, row["owner"], values,
                                int(row["promise_id"])))
        if stage == "breach" and row["judged"] >= row["escalate_at"]:
            alerts.append(Alert(f"promise:{row['promise_id']}:escalation", "escalation", "", values,
                                int(row["promise_id"])))  # person: the owner's manager, filled in by fan_out
    return alerts


def complaint_alerts(store: Store, now: datetime) -> list[Alert]:
    """A green-channel complaint received in the look-back window: to its owner and their manager."""
    rows = _rows(store, (
        "SELECT k.complaint_id, k.owner, k.channel, k.description, c.name AS customer, "
        "max(p.due_at) FILTER (WHERE p.policy_id = 'complaint_to_gm') AS gm_due, "
        "max(p.due_at) FILTER (WHERE p.policy_id = 'complaint_reply') AS reply_due, min(p.promise_id) AS promise_id "
        "FROM complaints k JOIN customers c ON c.customer_id = k.customer_id "
        "JOIN promises p ON p.complaint_id = k.complaint_id AND p.source = 'complaint' "
        "WHERE k.received_at <= $now AND k.received_at >= $since "
        "GROUP BY ALL ORDER BY k.complaint_id"), {"now": now, "since": now - LOOKBACK})
    alerts = []
    for row in rows:
        values = {"customer": row["customer"], "complaint_channel": row["channel"], "description": row["description"],
                  "gm_due": row["gm_due"], "reply_due": row["reply_due"], "owner": row["owner"]}
        key = f"complaint:{row['complaint_id']}:complaint"
        alerts.append(Alert(key, "complaint", row["owner"], values, int(row["promise_id"])))
        alerts.append(Alert(key, "complaint", "", values, int(row["promise_id"])))  # and the manager
    return alerts


def compensation_alerts(store: Store, now: datetime) -> list[Alert]:
    """Remedies granted in the look-back window and not delivered: to the promise's owner."""
    rows = _rows(store, (
        "SELECT r.remedy_id, r.key, r.cost, p.promise_id, p.owner, p.promise_type, p.due_at, c.name AS customer "
        "FROM remedies r JOIN promises p ON p.promise_id = r.promise_id "
        "JOIN customers c ON c.customer_id = p.customer_id "
        "WHERE r.delivered_at IS NULL AND r.granted_at <= $now AND r.granted_at >= $since ORDER BY r.remedy_id"),
        {"now": now, "since": now - LOOKBACK})
    return [Alert(f"remedy:{row['remedy_id']}:compensation_due", "compensation_due", row["owner"],
                  {"customer": row["customer"], "promise_type": row["promise_type"], "due": row["due_at"],
                   "promise_id": int(row["promise_id"]), "remedy": row["key"], "cost": row["cost"]},
                  int(row["promise_id"]))
            for row in rows]


def _recipient(alert: Alert, people: dict[str, Contact]) -> Contact | None:
    """The contact an alert goes to: its person, or (person left empty) the owner's manager."""
    if alert.person:
        return people.get(alert.person, Contact(alert.person))
    owner = people.get(alert.values.get("owner", ""))
    manager = owner.manager if owner is not None else None
    return people.get(manager, Contact(manager)) if manager else None


def fan_out(store: Store, alerts: list[Alert], enabled: list[Channel], now: datetime, not_before: datetime,
            queued: frozenset[str] | set[str] = frozenset()) -> list[OutboxRow]:
    """One outbox row per alert, recipient and enabled channel: e-mail to a contact with an address,
    every group robot with the recipient @-mentioned by mobile when known. Alerts whose every row
    is in ``queued`` (dedupe keys) are not rendered again: a scan every minute stays cheap."""
    people = all_contacts(store)
    rows = []
    for alert in alerts:
        contact = _recipient(alert, people)
        if contact is None:  # an escalation or complaint for an owner without a manager on file
            continue
        if all(f"{alert.key}:{contact.person}:{channel.channel_id}" in queued for channel in enabled):
            continue
        subject, text, body_html = render(alert.kind, contact.language, store.timezone,
                                          {**alert.values, "person": contact.person})
        # a group robot speaks to the whole group: its message says whom it is for
        to_group = f"{t('alerts.msg.for_person', contact.language, person=contact.person)}\n{text}"
        for channel in enabled:
            address = contact.email if channel.kind == "email" else contact.mobile
            if channel.kind == "email" and not address:
                continue
            rows.append(OutboxRow(
                dedupe_key=f"{alert.key}:{contact.person}:{channel.channel_id}", kind=alert.kind,
                promise_id=alert.promise_id, recipient=contact.person, channel_id=channel.channel_id,
                address=address, subject=subject, body=text if channel.kind == "email" else to_group,
                html=body_html if channel.kind == "email" else None,
                created_at=now, not_before=not_before))
    return rows


def scan(store: Store, now: datetime) -> int:
    """Queue every alert due at ``now`` that is not queued yet; returns how many rows were added."""
    enabled = [channel for channel in channels(store) if channel.enabled]
    if not enabled:
        return 0  # nothing configured to send through (the default): no scan every minute
    alerts = stage_alerts(store, now) + complaint_alerts(store, now) + compensation_alerts(store, now)
    if not alerts:
        return 0
    # Every alert is of a stage reached since now - LOOKBACK, so a row queued for it was created then or later.
    queued = queued_keys(store, now - LOOKBACK)
    return enqueue(store, fan_out(store, alerts, enabled, now, next_opening(calendar_for(store), now), queued))
