"""The SQL ledger on an in-memory DuckDB with migrations 001 and 003."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest

from crm_core.promises import (
    BusinessCalendar,
    Promise,
    PromisePolicy,
    attainment,
    ledger,
)
from crm_core.promises.state import promise_state
from tests.promise_db import promise_connection
from tests.reference import compensation_by_month, compensation_by_month_sql, overrun_percentiles_sql, remedies_frame

SH = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar.china()
CALLBACK = PromisePolicy(policy_id="callback", promise_type="response", target=timedelta(hours=4))


def at(m, d, hh=0, mm=0, ss=0):
    return datetime(2025, m, d, hh, mm, ss, tzinfo=SH)


@pytest.fixture
def cur():
    con = promise_connection(CALLBACK)
    yield con
    con.close()


def make(cur, policy_id, made_at, owner="wang", customer_id=1, **extra):
    policy = ledger.load_policy(cur, policy_id)
    return ledger.make_promise(
        cur,
        Promise(
            customer_id=customer_id,
            owner=owner,
            promise_type=policy.promise_type,
            policy_id=policy_id,
            policy_version=policy.version,
            made_at=made_at,
            **extra,
        ),
        CHINA,
        owner,
    )


def row(cur, promise_id, columns):
    return cur.execute(f"SELECT {columns} FROM promises WHERE promise_id = ?", [promise_id]).fetchone()


def test_restaurant_complaint_grants_ladder_and_child_promise(cur):
    pid = make(cur, "restaurant_first_dish", at(11, 17, 12), bill_amount=Decimal(200))
    ledger.record_event(cur, pid, "complained", at(11, 17, 12, 21), "guest", CHINA)
    ledger.record_event(cur, pid, "fulfilled", at(11, 17, 12, 22), "wang", CHINA)
    remedies = cur.execute("SELECT key, cost, child_promise_id FROM remedies ORDER BY remedy_id").fetchall()
    # Bill ¥200: fruit plate ¥30, 20 % off ¥40, double compensation 2 × ¥200; granted once each.
    assert [(k, c) for k, c, _ in remedies] == [
        ("fruit_plate", Decimal("30.00")),
        ("meal_20_off", Decimal("40.00")),
        ("double_compensation", Decimal("400.00")),
    ]
    child = remedies[2][2]
    assert row(cur, child, "parent_promise_id, due_at, policy_id") == (
        pid,
        at(11, 17, 12, 26),
        "restaurant_manager_compensation",
    )
    # Dish at 22:00 → 12 min over the 10-minute target.
    assert row(cur, pid, "status, overrun_seconds") == ("breached", 720.0)
    fruit = cur.execute("SELECT remedy_id FROM remedies WHERE key = 'fruit_plate'").fetchone()[0]
    ledger.record_event(cur, pid, "remedy_delivered", at(11, 17, 12, 23), "wang", CHINA, {"remedy_id": fruit})
    with pytest.raises(ValueError):
        ledger.record_event(
            cur, pid, "remedy_delivered", at(11, 17, 12, 24), "wang", CHINA, {"remedy_id": fruit}
        )
    month = compensation_by_month_sql(cur).iloc[0]
    assert (month["month"], month["owed_cost"], month["delivered_cost"], month["outstanding_cost"]) == (
        "2025-11",
        Decimal("470.00"),
        Decimal("30.00"),
        Decimal("440.00"),
    )
    in_pandas = compensation_by_month(remedies_frame(cur))
    assert in_pandas.loc["2025-11"].tolist() == [3, 470.0, 1, 30.0, 440.0]
    kinds = cur.execute(
        "SELECT kind FROM promise_events WHERE promise_id = ? ORDER BY event_id", [pid]
    ).fetchall()
    assert [k for (k,) in kinds] == [
        "made",
        "complained",
        "remedy_granted",
        "remedy_granted",
        "remedy_granted",
        "fulfilled",
        "remedy_delivered",
    ]


def test_board_orders_by_time_left_with_live_status(cur):
    slow = make(cur, "callback", at(9, 30, 16))  # due Thu 9 Oct 11:00 (National Day)
    quick = make(cur, "hotel_check_in", at(9, 30, 16, 58))  # due 17:01:00
    done = make(cur, "hotel_check_in", at(9, 30, 16, 50))
    ledger.record_event(cur, done, "fulfilled", at(9, 30, 16, 52), "wang", CHINA)
    board = ledger.board(cur, at(9, 30, 17), CHINA)
    assert board["promise_id"].tolist() == [quick, slow]
    # Check-in: 120 s of 180 used → past 50 %, not 80 %; 60 s left. Callback: 1 of 4 business hours
    # used (Tue 16–17), 3 h left on the business clock although due 9 days later on the wall clock.
    assert board["status"].tolist() == ["open_warning_1", "open"]
    assert board["time_left_seconds"].tolist() == [60.0, 3 * 3600.0]
    later = ledger.board(cur, at(10, 9, 10, 30), CHINA)
    assert later["status"].tolist() == ["open_breached", "open_warning_2"]
    assert later["time_left_seconds"].tolist() == [-(8 * 86400 + 17 * 3600 + 29 * 60), 1800.0]


def test_pause_and_resume_update_the_stored_due(cur):
    pid = make(cur, "callback", at(11, 17, 9))
    assert row(cur, pid, "due_at") == (at(11, 17, 13),)
    ledger.record_event(cur, pid, "paused", at(11, 17, 10), "li", CHINA)
    board = ledger.board(cur, at(11, 18, 9, 30), CHINA)
    assert board.loc[0, "paused"] and board.loc[0, "time_left_seconds"] == 3 * 3600.0
    ledger.record_event(cur, pid, "resumed", at(11, 18, 10), "li", CHINA)
    # 9 paused business hours (Mon 10–18, Tue 09–10) push the due to Tue 13:00.
    assert row(cur, pid, "due_at, paused_at") == (at(11, 18, 13), None)


def test_a_paused_promise_shows_its_current_due(cur):
    """Issue 15: a paused promise's due moves later by the time paused so far, on its own clock.

    Call-back, 4 business hours, made Mon 17 Nov 09:00 → stored due 13:00; paused at 10:00 and
    still paused. At 12:00 it has been paused 2 business hours → due 15:00; at 14:00, 4 hours →
    due 17:00 (not overdue, 3 business hours left: 1 of 4 was used before the pause); at 17:00,
    7 hours → 13:00 + 7 h = Mon 18:00 + 2 h = Tue 18 Nov 11:00."""
    pid = make(cur, "callback", at(11, 17, 9), customer_id=7)
    ledger.record_event(cur, pid, "paused", at(11, 17, 10), "li", CHINA)
    assert row(cur, pid, "due_at") == (at(11, 17, 13),)  # the stored cache stays frozen
    for now, due in ((at(11, 17, 12), at(11, 17, 15)), (at(11, 17, 14), at(11, 17, 17)),
                     (at(11, 17, 17), at(11, 18, 11))):
        board = ledger.board(cur, now, CHINA)
        assert board.loc[0, "due_at"] == due and board.loc[0, "status"] == "open"
        assert board.loc[0, "time_left_seconds"] == 3 * 3600.0 and board.loc[0, "paused"]
        assert ledger.ledger_for_customer(cur, 7, now, CHINA).loc[0, "due_at"] == due
        promise, events = ledger.load_promise(cur, pid)
        state = promise_state(promise, events, CALLBACK, CHINA, now)
        assert state.due_at == due and state.status == "open"  # the event-log rule agrees
    # Paused 10:00–12:00 (2 business hours) and resumed: due 15:00, not overdue at 14:00, 30 min
    # overdue at 15:30.
    other = make(cur, "callback", at(11, 17, 9), customer_id=8)
    ledger.record_event(cur, other, "paused", at(11, 17, 10), "li", CHINA)
    ledger.record_event(cur, other, "resumed", at(11, 17, 12), "li", CHINA)
    assert ledger.board(cur, at(11, 17, 14), CHINA).set_index("promise_id").loc[other, "status"] == "open_warning_1"
    late = ledger.board(cur, at(11, 17, 15, 30), CHINA).set_index("promise_id").loc[other]
    assert late["due_at"] == at(11, 17, 15) and late["status"] == "open_breached"
    assert late["time_left_seconds"] == -1800.0


def test_policy_edit_does_not_change_closed_outcomes(cur):
    pid = make(cur, "hotel_check_in", at(11, 3, 10))
    ledger.record_event(cur, pid, "fulfilled", at(11, 3, 10, 2, 30), "wang", CHINA)  # 150 s: met
    ledger.save_policy(
        cur, ledger.load_policy(cur, "hotel_check_in").edited(target=timedelta(minutes=2)), "gm"
    )
    ledger.record_event(cur, pid, "escalated", at(11, 4), "gm", CHINA)  # any later event refreshes
    assert row(cur, pid, "status, policy_version") == ("met", 1)
    new = make(cur, "hotel_check_in", at(11, 5, 10))
    assert row(cur, new, "policy_version, due_at") == (2, at(11, 5, 10, 2))
    ledger.record_event(cur, pid, "recomputed", at(11, 6), "gm", CHINA, {"policy_version": 2})
    assert row(cur, pid, "status") == ("breached",)
    with pytest.raises(duckdb.ConstraintException):
        ledger.save_policy(cur, ledger.load_policy(cur, "hotel_check_in", 1), "gm")  # versions are immutable


def test_ledger_for_customer_shows_what_each_rep_promised(cur):
    for owner, hour in (("wang", 9), ("li", 10), ("zhao", 11)):
        make(
            cur, "callback", at(11, 17, hour), owner=owner, customer_id=42, description=f"{owner} calls back"
        )
    make(cur, "callback", at(11, 17, 9), owner="wang", customer_id=43)
    table = ledger.ledger_for_customer(cur, 42, at(11, 17, 14, 30))
    assert table["owner"].tolist() == ["wang", "li", "zhao"]
    # At 14:30 wang's (due 13:00) is overdue, li's (due 14:00) too, zhao's (due 15:00) at 87.5 %.
    assert table["status"].tolist() == ["open_breached", "open_breached", "open_warning_2"]


def test_green_channel_opens_two_linked_promises(cur):
    complaint_id, (to_gm, reply) = ledger.record_complaint(
        cur, 5, at(11, 15, 20), "hotline", "cold room", "service_desk", CHINA
    )
    assert row(cur, to_gm, "complaint_id, source, due_at") == (complaint_id, "complaint", at(11, 16, 8))
    assert row(cur, reply, "complaint_id, due_at") == (complaint_id, at(11, 16, 20))


def test_sql_attainment_matches_the_pandas_rules(cur):
    now, window = at(11, 20, 12), (at(11, 1), at(12, 1))
    for day, owner in ((3, "wang"), (4, "li"), (5, "li")):  # 3-minute check-ins
        pid = make(cur, "hotel_check_in", at(11, day, 10), owner=owner)
        ledger.record_event(cur, pid, "fulfilled", at(11, day, 10, 1 + day % 3 * 2), owner, CHINA)
    cancelled = make(cur, "hotel_check_in", at(11, 6, 10))
    ledger.record_event(cur, cancelled, "cancelled", at(11, 6, 10, 1), "wang", CHINA)
    make(cur, "callback", at(11, 10, 9), owner="li")  # open, due 13:00 → breached
    make(cur, "callback", at(11, 20, 11), owner="wang")  # open, not yet due → excluded
    frame = cur.execute("SELECT status, due_at, closed_at, paused_at, owner FROM promises").df()
    expected = attainment(frame, *window, now)
    # Fulfilled after 1, 3 (exactly at the due time: met) and 5 minutes; the open callback is
    # past due (breached); the cancelled one and the not-yet-due callback are excluded.
    assert (expected["met"], expected["breached"], expected["excluded"]) == (2, 2, 2)
    total = ledger.attainment_counts(cur, *window, now).loc["all"]
    assert [total[k] for k in ("met", "breached", "excluded")] == [2, 2, 2]
    assert total["ci_low"] == pytest.approx(expected["ci_low"])
    by_owner = ledger.attainment_counts(cur, *window, now, by="owner")
    assert by_owner.loc["li", ["met", "breached", "excluded"]].tolist() == [1, 2, 0]
    overrun = overrun_percentiles_sql(cur, *window)
    assert overrun[["promise_type", "n", "p50"]].values.tolist() == [["check_in", 1, 120.0]]
