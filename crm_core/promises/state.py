"""A promise's status, computed from its append-only event log.

Rules (docs/domain.md §3):
- the due time is ``made_at`` plus the target on the policy's clock, pushed later by the clock time
  spent paused (waiting on the customer); a negotiated due date does not move, and pauses do not
  stop its clock;
- completed at or before the due time is met, later is breached; overrun = completion − due;
- open promises warn at fractions of the target (default 50 % and 80 %) and are open-breached past
  the due time;
- the status is computed with the policy version in force when the promise was made, unless a
  ``recomputed`` event explicitly moved it to another version — editing a policy never changes a
  closed outcome on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.ladder import remedies_earned
from crm_core.promises.policy import CustomerClass, PromisePolicy, PromiseType

EventKind = Literal[
    "made",
    "paused",
    "resumed",
    "fulfilled",
    "cancelled",
    "escalated",
    "complained",
    "remedy_granted",
    "remedy_delivered",
    "recomputed",
]
EVENT_KINDS: tuple[str, ...] = EventKind.__args__
Status = Literal["open", "open_warning_1", "open_warning_2", "open_breached", "met", "breached", "cancelled"]
STATUSES: tuple[str, ...] = Status.__args__
Source = Literal["form", "complaint", "import"]


class Promise(BaseModel):
    """What was promised, to whom, by whom. ``due_at`` is required when ``negotiated_due``."""

    model_config = ConfigDict(frozen=True)
    promise_id: int | None = None
    customer_id: int
    owner: str = Field(min_length=1)
    promise_type: PromiseType
    policy_id: str
    policy_version: int = Field(ge=1)
    made_at: AwareDatetime
    due_at: AwareDatetime | None = None
    negotiated_due: bool = False
    customer_class: CustomerClass | None = None
    priority: str | None = None
    description: str = ""
    source: Source = "form"
    complaint_id: int | None = None
    parent_promise_id: int | None = None
    bill_amount: Decimal | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _negotiated_needs_date(self) -> Promise:
        if self.negotiated_due and (self.due_at is None or self.due_at <= self.made_at):
            raise ValueError("promises.err.negotiated_due_missing")
        return self


class PromiseEvent(BaseModel):
    """One entry of a promise's append-only log. ``detail`` carries e.g. the recompute version."""

    model_config = ConfigDict(frozen=True)
    kind: EventKind
    at: AwareDatetime
    actor: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)


class PromiseState(BaseModel):
    """Derived state at ``now``: durations on the policy's clock, ``overrun_wall`` in wall time."""

    status: Status
    policy_version: int
    due_at: datetime
    closed_at: datetime | None
    elapsed: timedelta
    time_left: timedelta
    overrun: timedelta
    overrun_wall: timedelta
    paused: bool
    escalated: bool
    remedies_earned: list[str]
    remedies_granted: list[str]
    remedies_delivered: list[str]


@dataclass
class _Log:
    """The event log folded up to ``now``."""

    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    closed_at: datetime | None = None
    closed_kind: str | None = None
    complaints: list[datetime] = field(default_factory=list)
    escalated: bool = False
    granted: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)


def _fold(events: list[PromiseEvent], now: datetime) -> _Log:
    log = _Log()
    for event in sorted((e for e in events if e.at <= now), key=lambda e: e.at):
        open_ = log.closed_at is None
        if event.kind == "paused" and open_ and not (log.pauses and log.pauses[-1][1] is None):
            log.pauses.append((event.at, None))
        elif event.kind == "resumed" and open_ and log.pauses and log.pauses[-1][1] is None:
            log.pauses[-1] = (log.pauses[-1][0], event.at)
        elif event.kind in ("fulfilled", "cancelled") and open_:
            log.closed_at, log.closed_kind = event.at, event.kind
        elif event.kind == "complained" and open_:
            log.complaints.append(event.at)
        elif event.kind == "escalated":
            log.escalated = True
        elif event.kind == "remedy_granted":
            log.granted.append(event.detail.get("key", ""))
        elif event.kind == "remedy_delivered":
            log.delivered.append(event.detail.get("key", ""))
    return log


def policy_version_in_force(promise: Promise, events: list[PromiseEvent]) -> int:
    """The version made under, or the one named by the latest explicit ``recomputed`` event."""
    recomputes = sorted((e for e in events if e.kind == "recomputed"), key=lambda e: e.at)
    return int(recomputes[-1].detail["policy_version"]) if recomputes else promise.policy_version


def clock_for(policy: PromisePolicy, calendar: BusinessCalendar) -> BusinessCalendar:
    """The calendar itself for business-hours policies; 24/7 in its zone for calendar-time ones."""
    return calendar if policy.clock == "business" else BusinessCalendar.always(calendar.tz_name)


def paused_time(
    clock: BusinessCalendar, pauses: list[tuple[datetime, datetime | None]], until: datetime
) -> timedelta:
    """Clock time spent paused up to ``until`` (an unfinished pause runs to ``until``)."""
    total = timedelta(0)
    for start, end in pauses:
        stop = min(end or until, until)
        if stop > start:
            total += clock.elapsed(start, stop)
    return total


def due_at(promise: Promise, policy: PromisePolicy, clock: BusinessCalendar, paused: timedelta) -> datetime:
    """The due time: negotiated and fixed, or made_at + target + ``paused`` on the clock."""
    if promise.negotiated_due:
        return promise.due_at
    target = policy.target_for(promise.customer_class, promise.priority)
    return clock.add(promise.made_at, target + paused)


def _open_status(
    running: timedelta, budget: timedelta, end: datetime, due: datetime, warnings: tuple[float, float]
) -> str:
    if end > due:
        return "open_breached"
    # A negotiated date inside closed hours can leave no open time at all: treat it as all used.
    fraction = running / budget if budget > timedelta(0) else 1.0
    return (
        "open_warning_2"
        if fraction >= warnings[1]
        else "open_warning_1"
        if fraction >= warnings[0]
        else "open"
    )


def _status(
    log: _Log,
    running: timedelta,
    budget: timedelta,
    end: datetime,
    due: datetime,
    warnings: tuple[float, float],
) -> str:
    if log.closed_kind == "cancelled":
        return "cancelled"
    if log.closed_kind == "fulfilled":
        return "met" if log.closed_at <= due else "breached"
    return _open_status(running, budget, end, due, warnings)


def promise_state(
    promise: Promise,
    events: list[PromiseEvent],
    policy_version: PromisePolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> PromiseState:
    """The promise's state at ``now`` (events after ``now`` are ignored).

    ``policy_version`` is the PromisePolicy version in force (``policy_version_in_force``); any
    other version raises ValueError, so history is never silently recomputed. ``calendar`` is the
    business calendar (calendar-time policies use it only for its zone). Durations are on the
    policy's clock. Raises ValueError for naive datetimes.
    """
    policy = policy_version
    in_force = policy_version_in_force(promise, events)
    if (policy.policy_id, policy.version) != (promise.policy_id, in_force):
        raise ValueError(
            f"promise {promise.promise_id} is on {promise.policy_id} v{in_force}, "
            f"not {policy.policy_id} v{policy.version}; record a 'recomputed' event to change it"
        )
    clock = clock_for(policy, calendar)
    log = _fold(events, now)
    end = log.closed_at or now
    paused = timedelta(0) if promise.negotiated_due else paused_time(clock, log.pauses, end)
    due = due_at(promise, policy, clock, paused)
    running = clock.elapsed(promise.made_at, end) - paused
    budget = clock.elapsed(promise.made_at, due) - paused
    overrun = max(clock.elapsed(due, end), timedelta(0))
    complaint_lateness = max((clock.elapsed(due, c) for c in log.complaints), default=None)
    earned = (
        [] if log.closed_kind == "cancelled" else remedies_earned(policy.ladder, overrun, complaint_lateness)
    )
    return PromiseState(
        status=_status(log, running, budget, end, due, policy.warnings),
        policy_version=policy.version,
        due_at=due,
        closed_at=log.closed_at,
        elapsed=running,
        time_left=max(clock.elapsed(end, due), timedelta(0)),
        overrun=overrun,
        overrun_wall=max(end - due, timedelta(0)),
        paused=bool(log.pauses) and log.pauses[-1][1] is None and log.closed_at is None,
        escalated=log.escalated,
        remedies_earned=[r.key for r in earned],
        remedies_granted=log.granted,
        remedies_delivered=log.delivered,
    )


def stored_plan(
    promise: Promise,
    events: list[PromiseEvent],
    policy_version: PromisePolicy,
    calendar: BusinessCalendar,
    at: datetime,
) -> dict[str, Any]:
    """The cache columns of the ``promises`` table as of ``at`` (normally the latest event).

    While paused the due and warning instants are frozen as they stood when the pause began and
    ``paused_at`` is set; SQL then compares ``paused_at`` instead of now, which gives the same open
    status as ``promise_state``. On resume they are recomputed with the pause added. Views never
    show the frozen due of a paused promise: ``ledger.current_due`` adds the time paused so far,
    which equals ``promise_state(...).due_at`` at that moment. ``status`` is
    'open' or the final outcome; ``overrun_seconds`` (policy clock) is set once closed.
    """
    state = promise_state(promise, events, policy_version, calendar, at)
    clock = clock_for(policy_version, calendar)
    log = _fold(events, at)
    pause_start = log.pauses[-1][0] if state.paused and not promise.negotiated_due else None
    frozen = pause_start or at
    paused = timedelta(0) if promise.negotiated_due else paused_time(clock, log.pauses, frozen)
    due = due_at(promise, policy_version, clock, paused)
    budget = clock.elapsed(promise.made_at, due) - paused
    warn1, warn2 = (clock.add(promise.made_at, budget * w + paused) for w in policy_version.warnings)
    closed = state.status in ("met", "breached", "cancelled")
    return {
        "due_at": due,
        "warn1_at": warn1,
        "warn2_at": warn2,
        "paused_at": pause_start,
        "status": state.status if closed else "open",
        "closed_at": state.closed_at,
        "overrun_seconds": state.overrun.total_seconds() if closed else None,
    }
