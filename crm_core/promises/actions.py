"""Writes for the Promises page and the customer 360 view. Each function is one serialised
transaction of the Store (``with store.transaction() as cur: ledger...``), checks the user may
write (``Actor.require_write``) and keeps a rep to their own customers' promises.

Errors a user can fix are raised as ``PermissionDenied`` or ``PromiseError`` carrying a catalog key.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import ValidationError

from crm_core.promises import ledger
from crm_core.promises.policy import PromisePolicy
from crm_core.promises.queries import calendar_for
from crm_core.promises.state import Promise
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

# Events a user records from the page (made, remedy_granted and recomputed have their own paths).
USER_EVENTS = ("fulfilled", "paused", "resumed", "cancelled", "escalated", "complained")
COMPLAINT_CHANNELS = ("hotline", "wechat", "email", "visit", "letter", "online")


class PromiseError(ValueError):
    """A write the user can correct; ``key`` is a catalog key, ``params`` its placeholders."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


def _check_customer(cur, actor: Actor, customer_id: int) -> str | None:
    row = cur.execute("SELECT sales_rep FROM customers WHERE customer_id = ?", [int(customer_id)]).fetchone()
    if row is None:
        raise PermissionDenied("err.customer_not_found")
    if not actor.owns(row[0]):
        raise PermissionDenied("err.rep_own_customers_only")
    return row[0]


def _check_promise(cur, actor: Actor, promise_id: int) -> None:
    row = cur.execute("SELECT owner, customer_id FROM promises WHERE promise_id = ?", [int(promise_id)]).fetchone()
    if row is None:
        raise PromiseError("promises.err.no_such_promise", promise_id=promise_id)
    if not actor.owns(row[0]):
        _check_customer(cur, actor, row[1])


def ensure_presets(store: Store) -> int:
    """Store the shipped policies once (a new, empty store); returns how many were added."""
    (stored,) = store.query_one("SELECT count(*) FROM promise_policies")
    if stored:
        return 0
    with store.transaction() as cur:
        return ledger.install_presets(cur, "system")


def make_promise(
    store: Store,
    actor: Actor,
    customer_id: int,
    policy_id: str,
    made_at: datetime,
    owner: str | None = None,
    description: str = "",
    due_at: datetime | None = None,
    customer_class: str | None = None,
    priority: str | None = None,
    bill_amount: Decimal | None = None,
) -> int:
    """Make a promise under the latest version of ``policy_id``; a ``due_at`` makes it a negotiated
    promise (fixed date). The owner defaults to the acting user; a rep can only promise for
    themselves. Returns the promise id. Raises PermissionDenied, PromiseError."""
    actor.require_write()
    owner = actor.acting_rep(owner) or actor.name
    with store.transaction() as cur:
        _check_customer(cur, actor, customer_id)
        try:
            policy = ledger.load_policy(cur, policy_id)
        except KeyError:
            raise PromiseError("promises.err.no_such_policy", policy_id=policy_id) from None
        try:
            promise = Promise(
                customer_id=int(customer_id), owner=owner, promise_type=policy.promise_type,
                policy_id=policy.policy_id, policy_version=policy.version, made_at=made_at,
                due_at=due_at, negotiated_due=due_at is not None, customer_class=customer_class,
                priority=priority or None, description=description.strip(), bill_amount=bill_amount,
            )
        except ValidationError as error:
            raise PromiseError(_first_key(error)) from None
        return ledger.make_promise(cur, promise, calendar_for(store), actor.name)


def record(store: Store, actor: Actor, promise_id: int, kind: str, at: datetime) -> int:
    """Record fulfilment, a pause or resume, cancellation, escalation or a customer complaint about
    this promise at ``at``; returns the event id. Earned compensation is granted automatically."""
    actor.require_write()
    if kind not in USER_EVENTS:
        raise PromiseError("promises.err.event_kind", kind=kind)
    with store.transaction() as cur:
        _check_promise(cur, actor, promise_id)
        _check_after_made(cur, promise_id, at)
        return ledger.record_event(cur, int(promise_id), kind, at, actor.name, calendar_for(store))


def _check_after_made(cur, promise_id: int, at: datetime) -> None:
    (made_at,) = cur.execute("SELECT made_at FROM promises WHERE promise_id = ?", [int(promise_id)]).fetchone()
    if at < made_at:
        raise PromiseError("promises.err.before_made")


def deliver_remedy(store: Store, actor: Actor, promise_id: int, remedy_id: int, at: datetime) -> int:
    """Mark a granted remedy delivered (a ``remedy_delivered`` event); returns the event id."""
    actor.require_write()
    with store.transaction() as cur:
        _check_promise(cur, actor, promise_id)
        try:
            return ledger.record_event(cur, int(promise_id), "remedy_delivered", at, actor.name,
                                       calendar_for(store), {"remedy_id": int(remedy_id)})
        except ValueError:
            raise PromiseError("promises.err.remedy_not_owed") from None


def recompute(store: Store, actor: Actor, promise_id: int, version: int, at: datetime) -> int:
    """Move one promise to another stored version of its policy, recorded as a ``recomputed``
    event (the only way a closed outcome can change). Managers and admins only."""
    actor.require_write()
    if not actor.can_manage:
        raise PermissionDenied("promises.err.recompute_managers_only")
    with store.transaction() as cur:
        _check_promise(cur, actor, promise_id)
        try:
            return ledger.record_event(cur, int(promise_id), "recomputed", at, actor.name, calendar_for(store),
                                       {"policy_version": int(version)})
        except KeyError:
            raise PromiseError("promises.err.no_such_version", version=version) from None


def log_complaint(
    store: Store,
    actor: Actor,
    customer_id: int,
    received_at: datetime,
    channel: str,
    description: str,
    owner: str | None = None,
    about_promise_id: int | None = None,
) -> tuple[int, list[int]]:
    """Record a complaint and open its green-channel promises (GM's office ≤ 12 h, reply ≤ 24 h);
    with ``about_promise_id`` also log a ``complained`` event on that promise (which can earn its
    ladder's top rung). Returns (complaint id, the two promise ids)."""
    actor.require_write()
    if channel not in COMPLAINT_CHANNELS:
        raise PromiseError("promises.err.channel")
    if not description.strip():
        raise PromiseError("promises.err.complaint_text")
    with store.transaction() as cur:
        rep = _check_customer(cur, actor, customer_id)
        owner = actor.acting_rep(owner or rep) or actor.name
        if about_promise_id is not None:
            _check_promise(cur, actor, about_promise_id)
            found = cur.execute("SELECT customer_id FROM promises WHERE promise_id = ?",
                                [int(about_promise_id)]).fetchone()
            if found[0] != int(customer_id):
                raise PromiseError("promises.err.other_customer")
            ledger.record_event(cur, int(about_promise_id), "complained", received_at, actor.name,
                                calendar_for(store))
        for policy_id in ("complaint_to_gm", "complaint_reply"):
            try:
                ledger.load_policy(cur, policy_id)
            except KeyError:
                ledger.install_presets(cur, "system")
        return ledger.record_complaint(cur, int(customer_id), received_at, channel, description.strip(), owner,
                                       calendar_for(store))


def save_policy_version(store: Store, actor: Actor, base: PromisePolicy | None, data: dict) -> PromisePolicy:
    """Save an edited policy as a new version (``base.edited``), or a new policy (version 1) when
    ``base`` is None. Promises already made keep their version; closed outcomes never change.
    Managers and admins only. Raises PromiseError with the first validation message's key."""
    actor.require_write()
    if not actor.can_manage:
        raise PermissionDenied("promises.err.policies_managers_only")
    try:
        policy = base.edited(**data) if base is not None else PromisePolicy.model_validate(data | {"version": 1})
    except ValidationError as error:
        raise PromiseError(_first_key(error)) from None
    with store.transaction() as cur:
        latest = cur.execute("SELECT max(version) FROM promise_policies WHERE policy_id = ?",
                             [policy.policy_id]).fetchone()[0]
        if (latest or 0) + 1 != policy.version:
            raise PromiseError("promises.err.policy_changed" if latest else "promises.err.policy_exists")
        ledger.save_policy(cur, policy, actor.name)
    return policy


def _first_key(error: ValidationError) -> str:
    """The catalog key of the first validation message (``promises.err.*``), else a generic one."""
    for problem in error.errors():
        if problem.get("type") == "string_pattern_mismatch":
            return "promises.err.policy_id"
        message = str(problem.get("ctx", {}).get("error", problem.get("msg", "")))
        for word in message.replace(",", " ").split():
            if word.startswith("promises.err."):
                return word
    return "promises.err.invalid"
