"""Time-limit promises (时限承诺): business calendars, versioned policies with compensation
ladders, status from an append-only event log, attainment, and the SQL ledger.

Modules: ``calendar`` (BusinessCalendar), ``policy`` (PromisePolicy, presets), ``ladder``
(remedies_earned), ``state`` (promise_state, stored_plan), ``performance`` (attainment…),
``ledger`` (DuckDB reads and writes). ``wilson_interval`` lives in ``crm_core.stats``.
"""

from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.ladder import remedies_earned
from crm_core.promises.performance import (
    attainment,
    attainment_outcomes,
)
from crm_core.promises.policy import GREEN_CHANNEL, PRESETS, PROMISE_TYPES, PromisePolicy, Remedy
from crm_core.promises.state import (
    EVENT_KINDS,
    STATUSES,
    Promise,
    PromiseEvent,
    PromiseState,
    policy_version_in_force,
    promise_state,
    stored_plan,
)
from crm_core.stats import wilson_interval

__all__ = [
    "EVENT_KINDS",
    "GREEN_CHANNEL",
    "PRESETS",
    "PROMISE_TYPES",
    "STATUSES",
    "BusinessCalendar",
    "Promise",
    "PromiseEvent",
    "PromisePolicy",
    "PromiseState",
    "Remedy",
    "attainment",
    "attainment_outcomes",
    "policy_version_in_force",
    "promise_state",
    "remedies_earned",
    "stored_plan",
    "wilson_interval",
]
