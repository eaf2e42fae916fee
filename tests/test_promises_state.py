"""Ladder boundaries, status from the event log, pauses, and policy versions."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from crm_core.promises import (
    PRESETS,
    BusinessCalendar,
    Promise,
    PromiseEvent,
    PromisePolicy,
    policy_version_in_force,
    promise_state,
    remedies_earned,
)

SH = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar.china()
RESTAURANT = PRESETS["restaurant_first_dish"]
ORDERED = datetime(2025, 11, 17, 12, 0, 0, tzinfo=SH)


def ev(kind, moment, **detail):
    return PromiseEvent(kind=kind, at=moment, actor="wang", detail=detail)


def dinner(**overrides):
    fields = {
        "promise_id": 1,
        "customer_id": 7,
        "owner": "wang",
        "promise_type": "waiting",
        "policy_id": "restaurant_first_dish",
        "policy_version": 1,
        "made_at": ORDERED,
    }
    return Promise(**(fields | overrides))


def first_dish_after(minutes=0, seconds=0, complaint_after=None):
    """State when the first dish arrives ``minutes:seconds`` after ordering."""
    served = ORDERED + timedelta(minutes=minutes, seconds=seconds)
    events = [ev("made", ORDERED)]
    if complaint_after is not None:
        events.append(ev("complained", ORDERED + complaint_after))
    events.append(ev("fulfilled", served))
    return promise_state(dinner(), events, RESTAURANT, CHINA, served + timedelta(hours=1))


@pytest.mark.parametrize(
    "minutes, seconds, complaint, expected",
    [
        (10, 0, None, []),  # exactly 10:00 — on time, nothing
        (10, 1, None, ["fruit_plate"]),  # one second late
        (15, 0, None, ["fruit_plate"]),  # exactly 15:00 is not "more than 15"
        (16, 0, None, ["fruit_plate", "meal_20_off"]),
        (20, 0, timedelta(minutes=20), ["fruit_plate", "meal_20_off"]),  # complained at exactly 20:00
        (21, 0, None, ["fruit_plate", "meal_20_off"]),  # no complaint: no double compensation
        (22, 0, timedelta(minutes=21), ["fruit_plate", "meal_20_off", "double_compensation"]),
        (21, 0, timedelta(minutes=18), ["fruit_plate", "meal_20_off"]),  # complained before 20 min
    ],
)
def test_restaurant_ladder_boundaries(minutes, seconds, complaint, expected):
    state = first_dish_after(minutes, seconds, complaint)
    assert state.remedies_earned == expected
    assert state.status == ("met" if not expected else "breached")


def test_top_rung_opens_the_manager_child_promise():
    rung = RESTAURANT.ladder[-1]
    assert rung.requires_complaint and rung.child_policy_id == "restaurant_manager_compensation"
    assert PRESETS[rung.child_policy_id].target == timedelta(minutes=5)


def test_remedies_earned_directly_and_costs():
    ladder = RESTAURANT.ladder
    assert (
        remedies_earned(ladder, timedelta(minutes=11), timedelta(minutes=11))[-1].key == "double_compensation"
    )
    assert remedies_earned(ladder, timedelta(minutes=11), None)[-1].key == "meal_20_off"
    # Bill ¥200: fruit plate ¥30 (fixed), 20 % off = ¥40, double compensation = 2 × ¥200.
    assert [r.cost_for(Decimal(200)) for r in ladder] == [30, 40, 400]


def test_warning_points_are_fractions_of_a_three_minute_promise():
    policy = PRESETS["hotel_check_in"]
    promise = dinner(promise_type="check_in", policy_id="hotel_check_in")
    made = [ev("made", ORDERED)]

    def status(seconds):
        return promise_state(promise, made, policy, CHINA, ORDERED + timedelta(seconds=seconds)).status

    # 50 % of 180 s = 90 s, 80 % = 144 s, due at 180 s; breached from 181 s.
    assert [status(s) for s in (89, 90, 143, 144, 180, 181)] == [
        "open",
        "open_warning_1",
        "open_warning_1",
        "open_warning_2",
        "open_warning_2",
        "open_breached",
    ]
    state = promise_state(promise, made, policy, CHINA, ORDERED + timedelta(seconds=200))
    assert state.overrun == timedelta(seconds=20) and state.time_left == timedelta(0)
    cancelled = promise_state(
        promise,
        made + [ev("cancelled", ORDERED + timedelta(seconds=30))],
        policy,
        CHINA,
        ORDERED + timedelta(hours=1),
    )
    assert cancelled.status == "cancelled"


BUSINESS_4H = PromisePolicy(policy_id="callback", promise_type="response", target=timedelta(hours=4))
MONDAY_9 = datetime(2025, 11, 17, 9, tzinfo=SH)


def callback(**overrides):
    return Promise(
        **(
            {
                "promise_id": 2,
                "customer_id": 7,
                "owner": "li",
                "promise_type": "response",
                "policy_id": "callback",
                "policy_version": 1,
                "made_at": MONDAY_9,
            }
            | overrides
        )
    )


def test_pause_extends_due_by_paused_business_time():
    # Made Mon 17 Nov 09:00 (4 business hours); paused Mon 10:00, resumed Tue 10:00: paused
    # business time = Mon 10–18 (8 h) + Tue 09–10 (1 h) = 9 h. Running: 1 h before the pause,
    # 3 h more from Tue 10:00 → due Tue 18 Nov 13:00.
    events = [
        ev("made", MONDAY_9),
        ev("paused", MONDAY_9 + timedelta(hours=1)),
        ev("resumed", datetime(2025, 11, 18, 10, tzinfo=SH)),
    ]
    state = promise_state(callback(), events, BUSINESS_4H, CHINA, datetime(2025, 11, 18, 12, tzinfo=SH))
    assert state.due_at == datetime(2025, 11, 18, 13, tzinfo=SH)
    assert state.elapsed == timedelta(hours=3) and state.time_left == timedelta(hours=1)
    # While still paused (Tue 09:30) the time left is frozen at 3 h and the due time keeps moving.
    paused = promise_state(
        callback(), events[:2], BUSINESS_4H, CHINA, datetime(2025, 11, 18, 9, 30, tzinfo=SH)
    )
    assert paused.paused and paused.time_left == timedelta(hours=3) and paused.status == "open"
    assert paused.due_at == datetime(2025, 11, 18, 12, 30, tzinfo=SH)


def test_negotiated_due_does_not_move_when_paused():
    agreed = datetime(2025, 11, 17, 17, tzinfo=SH)
    promise = callback(due_at=agreed, negotiated_due=True)
    events = [
        ev("made", MONDAY_9),
        ev("paused", MONDAY_9 + timedelta(hours=1)),
        ev("resumed", datetime(2025, 11, 18, 10, tzinfo=SH)),
    ]
    state = promise_state(promise, events, BUSINESS_4H, CHINA, datetime(2025, 11, 18, 12, tzinfo=SH))
    assert state.due_at == agreed and state.status == "open_breached"
    # Overrun on the business clock: Mon 17–18 (1 h) + Tue 09–12 (3 h) = 4 h; wall time 19 h.
    assert state.overrun == timedelta(hours=4) and state.overrun_wall == timedelta(hours=19)


def test_policy_edit_leaves_closed_outcome_unchanged_until_an_explicit_recompute():
    served = [ev("made", ORDERED), ev("fulfilled", ORDERED + timedelta(minutes=9))]
    later = ORDERED + timedelta(days=30)
    v2 = RESTAURANT.edited(target=timedelta(minutes=8))
    assert v2.version == 2 and RESTAURANT.target == timedelta(minutes=10)
    assert promise_state(dinner(), served, RESTAURANT, CHINA, later).status == "met"
    with pytest.raises(ValueError):
        promise_state(dinner(), served, v2, CHINA, later)  # the edit cannot be applied silently
    recomputed = served + [ev("recomputed", later, policy_version=2)]
    assert policy_version_in_force(dinner(), recomputed) == 2
    assert promise_state(dinner(), recomputed, v2, CHINA, later).status == "breached"


def test_tighter_targets_for_class_and_priority():
    policy = BUSINESS_4H.model_copy(
        update={
            "class_targets": {"A": timedelta(hours=2)},
            "priority_targets": {"urgent": timedelta(hours=1)},
        }
    )
    assert policy.target_for("B") == timedelta(hours=4)
    assert policy.target_for("A") == timedelta(hours=2)
    assert policy.target_for("A", "urgent") == timedelta(hours=1)


def test_validation_names_catalog_keys():
    with pytest.raises(ValidationError, match="promises.err.target_whole_seconds"):
        BUSINESS_4H.edited(target=timedelta(seconds=1.5))
    with pytest.raises(ValidationError, match="promises.err.warnings_order"):
        BUSINESS_4H.edited(warnings=(0.8, 0.5))
    with pytest.raises(ValidationError, match="promises.err.negotiated_due_missing"):
        callback(negotiated_due=True)
    with pytest.raises(ValidationError):
        callback(made_at=datetime(2025, 11, 17, 9))  # naive


def test_green_channel_and_delivery_presets():
    assert PRESETS["complaint_to_gm"].target == timedelta(hours=12)
    assert PRESETS["complaint_reply"].target == timedelta(hours=24)
    delivery = PRESETS["phone_order_delivery"]
    assert delivery.clock == "calendar" and delivery.target == timedelta(hours=24)
    # Ordered by phone Tue 30 Sep 2025 22:00: due 24 h later on Wed 1 Oct, a public holiday.
    order = Promise(
        customer_id=1,
        owner="zhao",
        promise_type="delivery",
        policy_id="phone_order_delivery",
        policy_version=1,
        made_at=datetime(2025, 9, 30, 22, tzinfo=SH),
    )
    state = promise_state(order, [ev("made", order.made_at)], delivery, CHINA, order.made_at)
    assert state.due_at == datetime(2025, 10, 1, 22, tzinfo=SH)


def test_every_visible_key_has_both_languages():
    from crm_core.i18n import CATALOG
    from crm_core.promises import EVENT_KINDS, PROMISE_TYPES, STATUSES
    from crm_core.promises.demo import DEMO_POLICIES

    keys = (
        [f"promises.status.{s}" for s in STATUSES]
        + [f"promises.type.{t}" for t in PROMISE_TYPES]
        + [f"promises.event.{e}" for e in EVENT_KINDS]
        + [f"promises.policy.{p}" for p in PRESETS]
        + [f"promises.remedy.{r.key}" for p in PRESETS.values() for r in p.ladder]
        + [f"promises.remedy.{r.key}" for p in DEMO_POLICIES for r in p.ladder]
        + ["promises.detail.no_ladder", "promises.remedy.share_of_order"]
    )
    assert [k for k in keys if set(CATALOG.get(k, {})) != {"en", "zh"}] == []


def test_a_percentage_rung_shows_its_money_or_its_share_of_the_order():
    """Issue 15: '20% off' showed ¥0 without a bill. 20 % of a ¥500 bill is ¥100; without a bill it
    is '20% of the order' / '订单金额的20%'; double compensation (2 × the bill) of ¥500 is ¥1,000;
    a fixed rung (fruit plate ¥30) is ¥30 either way, and a mixed rung names both parts."""
    from crm_core.promises.policy import Remedy
    from crm_core.promises.text import remedy_cost_text

    fruit, off, double = RESTAURANT.ladder
    assert [remedy_cost_text(r, Decimal(500), "en") for r in (fruit, off, double)] == ["¥30", "¥100", "¥1,000"]
    assert [remedy_cost_text(r, None, "en") for r in (fruit, off, double)] == [
        "¥30", "20% of the order", "200% of the order"]
    assert remedy_cost_text(off, None, "zh") == "订单金额的20%"
    assert remedy_cost_text(off, float("nan"), "en") == "20% of the order"  # a missing bill from a frame
    mixed = Remedy(key="mixed", over=timedelta(0), cost_fixed=Decimal(30), cost_bill_fraction=Decimal("0.125"))
    assert remedy_cost_text(mixed, None, "en") == "¥30 + 12.5% of the order"
    assert remedy_cost_text(mixed, Decimal(400), "zh") == "¥80"  # 30 + 0.125 × 400


def test_b2b_policies_have_a_compensation_ladder():
    """Issue 15: the B2B policies had empty ladders. Call-back (4 business hours): any lateness earns
    an apology call (¥0); more than 1 business day (9 h) adds a 5 % service credit; more than 3 (27 h)
    an account manager visit. 10 business hours late → apology + credit; the credit on a ¥2,000
    order is ¥100, without the order '5% of the order'."""
    from crm_core.promises.demo import DEMO_POLICIES
    from crm_core.promises.text import remedy_cost_text

    assert all(p.ladder for p in DEMO_POLICIES)
    callback = {p.policy_id: p for p in DEMO_POLICIES}["sales_callback"]
    earned = remedies_earned(callback.ladder, timedelta(hours=10))
    assert [r.key for r in earned] == ["apology_call", "service_credit"]
    assert [r.key for r in remedies_earned(callback.ladder, timedelta(hours=9))] == ["apology_call"]
    assert [r.key for r in remedies_earned(callback.ladder, timedelta(hours=27, seconds=1))][-1] == \
        "account_manager_visit"
    assert remedies_earned(callback.ladder, timedelta(0)) == []  # on time to the second: nothing
    credit = earned[1]
    assert credit.cost_for(Decimal(2000)) == Decimal("100.00")
    assert remedy_cost_text(credit, None, "en") == "5% of the order"
    assert remedy_cost_text(credit, None, "zh") == "订单金额的5%"
    assert remedy_cost_text(earned[0], None, "en") == "¥0"
