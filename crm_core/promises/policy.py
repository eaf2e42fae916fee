"""Promise policies: what is promised, how fast, on which clock, and what lateness costs.

A policy is versioned: editing one makes a new version (``PromisePolicy.edited``) and every promise
keeps the version it was made under, so a closed outcome never changes behind anyone's back.
Validation errors carry catalog keys (``promises.err.*``) so the UI can show them in either language.

Ladder (compensation for lateness): each rung names a remedy earned once lateness — completion or
now minus the due time, on the policy's clock — is strictly more than ``over``. Rungs are
cumulative (a later rung adds to the earlier ones). A rung may require that the customer complained
while already that late, and may open a child promise under another policy (the manager arrives
within 5 minutes).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PromiseType = Literal[
    "response",
    "delivery",
    "service",
    "waiting",
    "reservation",
    "correction",
    "check_in",
    "complaint_handling",
    "custom",
]
PROMISE_TYPES: tuple[str, ...] = PromiseType.__args__
ClockKind = Literal["business", "calendar"]
CustomerClass = Literal["A", "B", "C"]


def _whole_seconds(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("promises.err.target_not_positive")
    if value.microseconds:
        raise ValueError("promises.err.target_whole_seconds")
    return value


class Remedy(BaseModel):
    """One rung of a compensation ladder; cost = ``cost_fixed`` + ``cost_bill_fraction`` × bill."""

    model_config = ConfigDict(frozen=True)
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    over: timedelta = Field(ge=timedelta(0))
    cost_fixed: Decimal = Field(default=Decimal(0), ge=0, decimal_places=2)
    cost_bill_fraction: Decimal = Field(default=Decimal(0), ge=0)
    requires_complaint: bool = False
    child_policy_id: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")

    def cost_for(self, bill: Decimal | None) -> Decimal:
        """Cost in currency units, to the cent; without a bill only the fixed part is known."""
        variable = self.cost_bill_fraction * bill if bill is not None else Decimal(0)
        return (self.cost_fixed + variable).quantize(Decimal("0.01"))


class PromisePolicy(BaseModel):
    """One version of a promise policy (see module docstring)."""

    model_config = ConfigDict(frozen=True)
    policy_id: str = Field(pattern=r"^[a-z0-9_]+$")
    version: int = Field(default=1, ge=1)
    promise_type: PromiseType
    target: timedelta
    clock: ClockKind = "business"
    class_targets: dict[CustomerClass, timedelta] = Field(default_factory=dict)
    priority_targets: dict[str, timedelta] = Field(default_factory=dict)
    warnings: tuple[float, float] = (0.5, 0.8)
    ladder: tuple[Remedy, ...] = ()

    _target_ok = field_validator("target")(_whole_seconds)

    @field_validator("class_targets", "priority_targets")
    @classmethod
    def _overrides_ok(cls, value: dict) -> dict:
        for target in value.values():
            _whole_seconds(target)
        return value

    @field_validator("warnings")
    @classmethod
    def _warnings_ok(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not 0 < value[0] <= value[1] < 1:
            raise ValueError("promises.err.warnings_order")
        return value

    @model_validator(mode="after")
    def _ladder_ok(self) -> PromisePolicy:
        overs = [rung.over for rung in self.ladder]
        if overs != sorted(overs) or len({r.key for r in self.ladder}) != len(self.ladder):
            raise ValueError("promises.err.ladder_order")
        return self

    def target_for(self, customer_class: str | None = None, priority: str | None = None) -> timedelta:
        """The tightest target that applies: the default, the class's, the priority's."""
        candidates = [
            self.target,
            self.class_targets.get(customer_class),
            self.priority_targets.get(priority),
        ]
        return min(t for t in candidates if t is not None)

    def edited(self, **changes) -> PromisePolicy:
        """The next version with ``changes`` applied (validated); this version is unchanged."""
        data = self.model_dump() | changes | {"version": self.version + 1}
        return PromisePolicy.model_validate(data)


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


RESTAURANT_LADDER = (
    # The fruit plate's cost is a shipped default (¥30) for the owner to set; 20% off and the
    # double compensation (双倍赔偿, read as cash equal to twice the bill) scale with the bill.
    Remedy(key="fruit_plate", over=_minutes(0), cost_fixed=Decimal("30.00")),
    Remedy(key="meal_20_off", over=_minutes(5), cost_bill_fraction=Decimal("0.2")),
    Remedy(
        key="double_compensation",
        over=_minutes(10),
        cost_bill_fraction=Decimal(2),
        requires_complaint=True,
        child_policy_id="restaurant_manager_compensation",
    ),
)

# docs/domain.md §3, seed 001 (hotel, restaurant, green channel) and seed 004 (phone orders).
PRESETS: dict[str, PromisePolicy] = {
    p.policy_id: p
    for p in (
        PromisePolicy(
            policy_id="hotel_check_in", promise_type="check_in", target=_minutes(3), clock="calendar"
        ),
        PromisePolicy(
            policy_id="hotel_check_out", promise_type="service", target=_minutes(4), clock="calendar"
        ),
        PromisePolicy(
            policy_id="hotel_room_call", promise_type="response", target=_minutes(3), clock="calendar"
        ),
        PromisePolicy(
            policy_id="restaurant_first_dish",
            promise_type="waiting",
            target=_minutes(10),
            clock="calendar",
            ladder=RESTAURANT_LADDER,
        ),
        # The child promise the top rung opens: the manager brings the cash within 5 minutes.
        PromisePolicy(
            policy_id="restaurant_manager_compensation",
            promise_type="service",
            target=_minutes(5),
            clock="calendar",
        ),
        PromisePolicy(
            policy_id="complaint_to_gm",
            promise_type="complaint_handling",
            target=timedelta(hours=12),
            clock="calendar",
        ),
        PromisePolicy(
            policy_id="complaint_reply",
            promise_type="complaint_handling",
            target=timedelta(hours=24),
            clock="calendar",
        ),
        PromisePolicy(
            policy_id="phone_order_delivery",
            promise_type="delivery",
            target=timedelta(hours=24),
            clock="calendar",
        ),
    )
}

# The complaint green channel (绿色通道): two linked targets opened together on every complaint.
GREEN_CHANNEL = ("complaint_to_gm", "complaint_reply")
