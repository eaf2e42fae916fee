"""The Promises page and its crm_core parts: the bulk demo loader (checked against the ledger's own
rules), the store-level reads and writes, and AppTest of the page in both languages."""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import demo
from crm_core.promises import actions, ledger, queries, reports
from crm_core.promises import demo as promises_demo
from crm_core.promises.state import policy_version_in_force, promise_state, stored_plan
from crm_core.promises.text import format_duration
from crm_core.store import Store, close_store, open_store
from crm_core.users import Actor, PermissionDenied
from tests.test_pages import run_page

SH = ZoneInfo("Asia/Shanghai")
AS_OF = date(2026, 6, 30)
CUTOFF = datetime(2026, 6, 30, tzinfo=SH)  # the demo's "now": local midnight of as_of
NOW = CUTOFF + timedelta(hours=10)
MANAGER = Actor("boss", "manager")
PLAN_COLUMNS = ("due_at", "warn1_at", "warn2_at", "paused_at", "status", "closed_at", "overrun_seconds")


def at(m, d, hh=0, mm=0, ss=0):
    return datetime(2025, m, d, hh, mm, ss, tzinfo=SH)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    """300 demo customers with a year of demo promises (more pauses than the default)."""
    path = tmp_path_factory.mktemp("promises") / "crm.duckdb"
    db = Store(path)
    demo.load_demo(db, customers=300, as_of=AS_OF)
    people, txns, _, _ = demo.generate(300, as_of=AS_OF)
    with db.transaction() as cur:
        promises_demo.load_demo(cur, people, txns, AS_OF, seed=11, pause_cycles=1.5)
    db.close()
    return path


@pytest.fixture(scope="module")
def demo_db(demo_path):
    db = Store(demo_path)
    yield db
    db.close()


# -- the demo loader ------------------------------------------------------------------------------
def test_demo_promises_recomputed_from_their_log_match_the_stored_columns(demo_db):
    """Every demo promise: ledger.load_promise + state.stored_plan (the code the ledger runs on each
    event) give the stored cache columns; the remedies granted are exactly the ones earned."""
    cur = demo_db.cursor()
    calendar = queries.business_calendar("Asia/Shanghai")
    ids = [r[0] for r in cur.execute("SELECT promise_id FROM promises ORDER BY promise_id").fetchall()]
    assert len(ids) > 900
    mismatches = []
    for promise_id in ids:
        promise, events = ledger.load_promise(cur, promise_id)
        policy = ledger.load_policy(cur, promise.policy_id, policy_version_in_force(promise, events))
        last = max(e.at for e in events)
        plan = stored_plan(promise, events, policy, calendar, last)
        stored = dict(zip(PLAN_COLUMNS, cur.execute(
            f"SELECT {', '.join(PLAN_COLUMNS)} FROM promises WHERE promise_id = ?", [promise_id]).fetchone()))
        state = promise_state(promise, events, policy, calendar, last)
        remedies = cur.execute("SELECT key, cost FROM remedies WHERE promise_id = ? ORDER BY remedy_id",
                               [promise_id]).fetchall()
        expected_cost = [r.cost_for(promise.bill_amount) for r in policy.ladder if r.key in state.remedies_earned]
        if plan != stored or state.remedies_earned != [k for k, _ in remedies] or \
                state.remedies_granted != state.remedies_earned or [c for _, c in remedies] != expected_cost:
            mismatches.append(promise_id)
    assert mismatches == []


def test_demo_year_has_every_ingredient(demo_db):
    q = demo_db.query_one
    assert {r for (r,) in demo_db.query_df("SELECT DISTINCT promise_type FROM promises").itertuples(index=False)} == {
        "response", "delivery", "service", "waiting", "reservation", "correction", "check_in",
        "complaint_handling", "custom"}
    statuses = dict(demo_db.query_df("SELECT status, count(*) FROM promises GROUP BY 1").values.tolist())
    assert statuses["met"] > statuses["breached"] > statuses["cancelled"] > 0 and statuses["open"] > 0
    kinds = set(demo_db.query_df("SELECT DISTINCT kind FROM promise_events")["kind"])
    assert kinds == {"made", "paused", "resumed", "fulfilled", "cancelled", "escalated", "complained",
                     "remedy_granted", "remedy_delivered"}
    # Every complaint opened its two green-channel promises.
    assert q("SELECT count(*) FROM complaints")[0] * 2 == q(
        "SELECT count(*) FROM promises WHERE source = 'complaint'")[0]
    # Remedies: owed and delivered, and the manager's child promise for each double compensation.
    owed, delivered, doubles, children = q(
        "SELECT count(*), count(delivered_at), count(*) FILTER (WHERE key = 'double_compensation'), "
        "count(child_promise_id) FROM remedies")
    assert owed > delivered > 0 and doubles == children > 0
    # Open promises coming due after the cut-off, some overdue already, some paused.
    due_later, overdue, paused = q(
        "SELECT count(*) FILTER (WHERE due_at > ?), count(*) FILTER (WHERE due_at < ? AND paused_at IS NULL), "
        "count(paused_at) FROM promises WHERE status = 'open'", [CUTOFF, CUTOFF])
    assert due_later > 0 and overdue > 0 and paused > 0
    assert q("SELECT max(\"at\") FROM promise_events")[0] <= CUTOFF
    # The three reps: some customers were promised things by three different people.
    assert q("SELECT count(*) FROM (SELECT customer_id FROM promises WHERE source = 'form' "
             "GROUP BY 1 HAVING count(DISTINCT owner) >= 3)")[0] >= 3
    # The call-back policy was edited mid-year: both versions carry promises.
    assert demo_db.query_df("SELECT DISTINCT policy_version FROM promises WHERE policy_id = 'sales_callback' "
                            "ORDER BY 1")["policy_version"].tolist() == [1, 2]


def test_demo_is_deterministic_and_scales(tmp_path):
    people, txns, _, _ = demo.generate(100, as_of=AS_OF)

    def load(name, scale):
        db = Store(tmp_path / name)
        with db.transaction() as cur:
            count = promises_demo.load_demo(cur, people, txns, AS_OF, seed=3, scale=scale)
        rows = db.query_df("SELECT due_at, status, owner FROM promises ORDER BY promise_id")
        db.close()
        return count, rows

    (n1, first), (_, again), (n2, _) = load("a.duckdb", 1), load("b.duckdb", 1), load("c.duckdb", 2)
    assert first.equals(again)
    # ~3 promises a customer (plus 6 each for the three-rep customers), twice as many at scale 2.
    assert 300 <= n1 <= 400 and 1.8 < n2 / n1 < 2.2


# -- reads and writes on a hand-made store ------------------------------------------------------------
@pytest.fixture
def small(store):
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, customer_type, sales_rep) VALUES "
                    "(1, 'C1', '东方饭店', 'corporate', 'wang'), (2, 'C2', 'Li Ltd', 'corporate', 'li')")
        ledger.install_presets(cur)
        ledger.save_policy(cur, promises_demo.DEMO_POLICIES[0], "admin")  # call-back: 4 business hours
    return store


def test_open_promise_count_is_none_without_promises_then_counts_open_ones(small):
    cur = small.cursor()
    assert queries.open_promise_count(cur, at(11, 17, 12)) is None
    first = actions.make_promise(small, MANAGER, 1, "sales_callback", at(11, 17, 9), owner="wang")
    actions.make_promise(small, MANAGER, 1, "sales_callback", at(11, 17, 10), owner="li")
    actions.record(small, MANAGER, first, "fulfilled", at(11, 17, 11))
    assert queries.open_promise_count(cur, at(11, 17, 12)) == 1
    assert queries.open_promise_count(cur, at(11, 17, 9, 30)) == 1  # the second was not made yet


def test_three_reps_ledger_and_board_with_rep_scope(small):
    for owner, hour in (("wang", 9), ("li", 10), ("zhao", 11)):
        actions.make_promise(small, MANAGER, 1, "sales_callback", at(11, 17, hour), owner=owner,
                             description=f"{owner} calls back")
    actions.make_promise(small, MANAGER, 2, "hotel_check_in", at(11, 17, 14, 28), owner="li")
    now = at(11, 17, 14, 30)
    frame = queries.customer_ledger(small, MANAGER, 1, now)
    assert frame["owner"].tolist() == ["wang", "li", "zhao"]
    # Due 13:00, 14:00, 15:00 (4 business hours); at 14:30 two are overdue, zhao's at 87.5 %.
    assert frame["status"].tolist() == ["open_breached", "open_breached", "open_warning_2"]
    by_rep = queries.ledger_by_rep(frame)
    assert by_rep[["owner", "broken", "open"]].values.tolist() == [["wang", 1, 0], ["li", 1, 0], ["zhao", 0, 1]]
    board = queries.now_board(small, MANAGER, now)
    # Overdue first (most overdue on top), then the least time left: the check-in has 60 s left.
    assert board["promise_id"].tolist()[:2] == [1, 2] and board["code"].tolist() == ["C1", "C1", "C2", "C1"]
    assert board["time_left_seconds"].tolist() == [-5400.0, -1800.0, 60.0, 1800.0]
    # A rep sees promises they made and promises made to their customers; li: own customer 2 + own.
    li_board = queries.now_board(small, Actor("li", "rep"), now)
    assert sorted(li_board["promise_id"]) == [2, 4]
    assert queries.customer_ledger(small, Actor("li", "rep"), 1, now)["owner"].tolist() == ["li"]
    counts = queries.overview(small, MANAGER, now)
    assert (counts["open"], counts["overdue"], counts["warning_2"], counts["warning_1"]) == (4, 2, 1, 1)


def test_overdue_agrees_on_board_kpis_and_performance(small):
    """Issue 15: open and now > current due is overdue everywhere. Mon 17 Nov 2025, looked at 15:00:
    A call-back 09:00 (due 13:00): overdue.            B call-back 09:00 paused 10:00: due 18:00, not.
    C call-back 09:00 paused 14:00 (already late): due 14:00, overdue.   D call-back 12:00: due 16:00.
    E check-in 14:50 (due 14:53): overdue.   F check-in 14:58 paused 14:59: due 15:02, not overdue.
    G call-back 09:00 fulfilled 14:00: breached.   I check-in 10:00 fulfilled 10:02: met.
    H call-back made Mon 1 Sep, still open: overdue since 1 Sep 13:00, before the 30-day window.
    Open 7 (A B C D E F H); overdue 4 (A C E H); kept, last 30 days: met 1 (I), breached 5 (G and
    the four overdue, H included), excluded 3 (B D F) → 1/6."""
    def make(policy, when):
        return actions.make_promise(small, MANAGER, 1, policy, when, owner="wang")

    def record(pid, kind, when):
        actions.record(small, MANAGER, pid, kind, when)

    a = make("sales_callback", at(11, 17, 9))
    b = make("sales_callback", at(11, 17, 9))
    record(b, "paused", at(11, 17, 10))
    c = make("sales_callback", at(11, 17, 9))
    record(c, "paused", at(11, 17, 14))
    d = make("sales_callback", at(11, 17, 12))
    e = make("hotel_check_in", at(11, 17, 14, 50))
    f = make("hotel_check_in", at(11, 17, 14, 58))
    record(f, "paused", at(11, 17, 14, 59))
    g = make("sales_callback", at(11, 17, 9))
    record(g, "fulfilled", at(11, 17, 14))
    i = make("hotel_check_in", at(11, 17, 10))
    record(i, "fulfilled", at(11, 17, 10, 2))
    h = make("sales_callback", at(9, 1, 9))
    now = at(11, 17, 15)
    board = queries.now_board(small, MANAGER, now).set_index("promise_id")
    assert sorted(board.index) == sorted([a, b, c, d, e, f, h])
    due = board["due_at"]
    assert [due[p] for p in (a, b, c, d, e, f)] == [at(11, 17, 13), at(11, 17, 18), at(11, 17, 14),
                                                    at(11, 17, 16), at(11, 17, 14, 53), at(11, 17, 15, 2)]
    overdue_board = board.index[board["status"].eq("open_breached")]
    assert sorted(overdue_board) == sorted([a, c, e, h])
    assert sorted(board.index[board["due_at"] < pd.Timestamp(now)]) == sorted(overdue_board)  # shown due agrees
    kpis = queries.overview(small, MANAGER, now)
    assert (kpis["open"], kpis["overdue"], kpis["paused"]) == (7, 4, 3)
    kept = kpis["attainment"]
    assert (kept["met"], kept["breached"], kept["excluded"]) == (1, 5, 3)
    assert kept["pct"] == pytest.approx(1 / 6)
    perf = reports.attainment_table(small, MANAGER, now - timedelta(days=30), now, now)
    assert perf.loc["all", ["met", "breached", "excluded"]].tolist() == [1, 5, 3]
    # The month breakdown puts H's breach in the window's first month, not in September.
    months = reports.attainment_table(small, MANAGER, now - timedelta(days=30), now, now, by="month")
    assert months["breached"].to_dict() == {"2025-10": 1, "2025-11": 4}


def test_writes_check_the_role_and_the_rep(small):
    with pytest.raises(PermissionDenied):
        actions.make_promise(small, Actor("v", "viewer"), 1, "sales_callback", at(11, 17, 9))
    with pytest.raises(PermissionDenied) as denied:
        actions.make_promise(small, Actor("li", "rep"), 1, "sales_callback", at(11, 17, 9))
    assert denied.value.key == "err.rep_own_customers_only"
    pid = actions.make_promise(small, Actor("li", "rep"), 2, "sales_callback", at(11, 17, 9), owner="wang")
    assert small.query_one("SELECT owner FROM promises WHERE promise_id = ?", [pid]) == ("li",)  # reps promise for themselves
    with pytest.raises(actions.PromiseError) as early:
        actions.record(small, MANAGER, pid, "fulfilled", at(11, 17, 8))
    assert early.value.key == "promises.err.before_made"


def test_complaint_opens_green_channel_and_marks_the_promise(small):
    pid = actions.make_promise(small, MANAGER, 1, "restaurant_first_dish", at(11, 17, 12), owner="wang",
                               bill_amount=Decimal(200))
    complaint, (to_gm, reply) = actions.log_complaint(small, MANAGER, 1, at(11, 17, 12, 21), "visit",
                                                      "菜太慢", about_promise_id=pid)
    actions.record(small, MANAGER, pid, "fulfilled", at(11, 17, 12, 22))
    board = queries.complaint_board(small, MANAGER, at(11, 17, 13))
    assert board[["complaint_id", "to_gm_status", "reply_status", "owner"]].values.tolist() == [
        [complaint, "open", "open", "wang"]]
    assert board.loc[0, "to_gm_due"] == at(11, 18, 0, 21)  # 12 h, calendar time
    # The guest complained 11 minutes late: all three rungs, ¥30 + ¥40 + ¥400.
    owed = small.query_df("SELECT key, cost FROM remedies ORDER BY remedy_id")
    assert owed["cost"].tolist() == [Decimal("30.00"), Decimal("40.00"), Decimal("400.00")]
    remedy = int(small.query_one("SELECT remedy_id FROM remedies WHERE key = 'fruit_plate'")[0])
    actions.deliver_remedy(small, MANAGER, pid, remedy, at(11, 17, 12, 25))
    with pytest.raises(actions.PromiseError):
        actions.deliver_remedy(small, MANAGER, pid, remedy, at(11, 17, 12, 26))
    money = reports.compensation_table(small, MANAGER, at(11, 1), at(12, 1))
    assert money[["month", "owed_cost", "delivered_cost", "outstanding_cost"]].values.tolist() == [
        ["2025-11", 470.0, 30.0, 440.0]]
    # The double compensation opened the manager's 5-minute promise first, then the green channel.
    assert small.cursor().execute("SELECT promise_id, policy_id, complaint_id, parent_promise_id FROM promises "
                                  "WHERE promise_id > ? ORDER BY 1", [pid]).fetchall() == [
        (pid + 1, "restaurant_manager_compensation", None, pid),
        (to_gm, "complaint_to_gm", complaint, None), (reply, "complaint_reply", complaint, None)]


def test_the_complaint_listing_is_judged_at_each_moment_as_the_board_is(small):
    """The page keeps the complaints (``complaint_listing``: nothing in it depends on the clock)
    until the next write and judges their promises at each run's moment (``judge_complaints``):
    the same board as ``complaint_board`` at that moment. The GM's office is due 12 h after the
    complaint (12:21 → 00:21 the next day): open at 13:00, overdue at 01:00, when the reply (24 h)
    has passed half its time, its first warning point. A moment before the
    complaint was made (a pinned past) reads the complaints made by then: none."""
    complaint, _ = actions.log_complaint(small, MANAGER, 1, at(11, 17, 12, 21), "visit", "菜太慢")
    listing = queries.complaint_listing(small, MANAGER)
    assert listing.made_until == at(11, 17, 12, 21)
    for moment, to_gm, reply in ((at(11, 17, 13), "open", "open"), (at(11, 18, 1), "open_breached", "open_warning_1")):
        judged = queries.judge_complaints(small, listing, MANAGER, moment)
        pd.testing.assert_frame_equal(judged, queries.complaint_board(small, MANAGER, moment))
        assert judged[["complaint_id", "to_gm_status", "reply_status"]].values.tolist() == [[complaint, to_gm, reply]]
        assert judged.loc[0, "to_gm_due"] == at(11, 18, 0, 21)
    before = queries.judge_complaints(small, listing, MANAGER, at(11, 17, 12))
    assert before.empty
    pd.testing.assert_frame_equal(before, queries.complaint_board(small, MANAGER, at(11, 17, 12)))


def test_the_headline_numbers_from_the_kept_rows_are_those_of_the_store(small):
    """The page keeps the promises its headline numbers judge (``judged_rows``: every open one and
    those closed since the day the 30-day window starts) and judges them at each run's moment:
    the same numbers as reading ``promises``. Two call-backs made at 09:00, one kept at 09:30:
    one open, one met; a window that starts after ``since`` is not read from the kept rows."""
    first = actions.make_promise(small, MANAGER, 1, "sales_callback", at(11, 17, 9), owner="wang")
    actions.make_promise(small, MANAGER, 2, "sales_callback", at(11, 17, 9), owner="li")
    actions.record(small, MANAGER, first, "fulfilled", at(11, 17, 9, 30))
    since = at(10, 18)
    for who in (MANAGER, Actor("li", "rep"), Actor("v", "viewer")):
        rows = queries.JudgedRows(queries.judged_rows(small, who, since), since, None)
        for moment in (at(11, 17, 10), at(11, 18, 12)):
            kept = queries.overview(small, who, moment, rows=rows)
            assert repr(kept) == repr(queries.overview(small, who, moment))  # repr: nan equals nan
    numbers = queries.overview(small, MANAGER, at(11, 17, 10),
                               rows=queries.JudgedRows(queries.judged_rows(small, MANAGER, since), since, None))
    assert (numbers["open"], numbers["attainment"]["met"]) == (1, 1)
    empty = queries.judged_rows(small, MANAGER, at(12, 1)).slice(0, 0)  # kept from a later day: not used
    later = queries.JudgedRows(empty, at(12, 1), None)
    assert repr(queries.overview(small, MANAGER, at(11, 17, 10), rows=later)) == repr(numbers)


def test_policy_edit_keeps_closed_outcomes_and_recompute_is_recorded(small):
    pid = actions.make_promise(small, MANAGER, 1, "hotel_check_in", at(11, 3, 10), owner="wang")
    actions.record(small, MANAGER, pid, "fulfilled", at(11, 3, 10, 2, 30))  # 150 s of 180: kept
    base = ledger.load_policy(small.cursor(), "hotel_check_in")
    with pytest.raises(PermissionDenied):
        actions.save_policy_version(small, Actor("li", "rep"), base, {"target": timedelta(minutes=2)})
    with pytest.raises(actions.PromiseError) as bad:
        actions.save_policy_version(small, MANAGER, base, {"warnings": (0.9, 0.5)})
    assert bad.value.key == "promises.err.warnings_order"
    saved = actions.save_policy_version(small, MANAGER, base, {"target": timedelta(minutes=2)})
    assert saved.version == 2
    with pytest.raises(actions.PromiseError):  # edited from a stale base: refused
        actions.save_policy_version(small, MANAGER, base, {"target": timedelta(minutes=1)})
    assert small.query_one("SELECT status, policy_version FROM promises WHERE promise_id = ?", [pid]) == ("met", 1)
    actions.recompute(small, MANAGER, pid, 2, at(11, 6))
    assert small.query_one("SELECT status, overrun_seconds FROM promises WHERE promise_id = ?", [pid]) == (
        "breached", 30.0)
    kinds = small.query_df("SELECT kind, detail FROM promise_events WHERE promise_id = ? ORDER BY event_id", [pid])
    assert kinds["kind"].tolist() == ["made", "fulfilled", "recomputed"]
    assert json.loads(kinds["detail"].iloc[-1]) == {"policy_version": 2}


def test_business_hours_and_calendar_time_side_by_side(small):
    # Fri 14 Nov 17:00 call-back (4 business hours); done Mon 17 Nov 11:00: 3 business hours (kept)
    # but 66 calendar hours (broken on the calendar). A Monday one done in 2 hours is kept both ways.
    late = actions.make_promise(small, MANAGER, 1, "sales_callback", at(11, 14, 17), owner="wang")
    actions.record(small, MANAGER, late, "fulfilled", at(11, 17, 11))
    quick = actions.make_promise(small, MANAGER, 1, "sales_callback", at(11, 17, 9), owner="wang")
    actions.record(small, MANAGER, quick, "fulfilled", at(11, 17, 11))
    table = reports.clock_comparison(small, MANAGER, at(11, 1), at(12, 1)).loc["response"]
    assert (table["n"], table["pct_business"], table["pct_calendar"]) == (2, 1.0, 0.5)
    assert table["lead_hours_p50"] == pytest.approx((66 + 2) / 2)
    total = reports.attainment_table(small, MANAGER, at(11, 1), at(12, 1), at(11, 20)).loc["all"]
    assert (total["met"], total["breached"]) == (2, 0)


def test_durations_read_like_a_manager_would():
    assert format_duration(45, "en") == "45 s"
    assert format_duration(750, "zh") == "12分30秒"
    assert format_duration(-(3 * 3600 + 5 * 60), "en") == "3 h 05 min"
    assert format_duration(2 * 86400 + 4 * 3600, "zh") == "2天4小时"
    assert format_duration(50 * 3600, "en", days=False) == "50 h 00 min"
    assert format_duration(float("nan"), "en") == "—"


# -- the page -------------------------------------------------------------------------------------------
@pytest.fixture
def page_db(demo_path, tmp_path, monkeypatch):
    """A private copy of the demo file (the page writes to it)."""
    path = tmp_path / "crm.duckdb"
    shutil.copy(demo_path, path)
    monkeypatch.setenv("CRM_DB", str(path))
    yield path
    close_store(path)


@pytest.mark.parametrize("lang, labels", [
    ("zh", ("进行中的承诺", "已超时", "近30天兑现率")),
    ("en", ("Open promises", "Overdue", "Kept, last 30 days")),
])
def test_page_renders_the_numbers_of_crm_core_in_both_languages(page_db, lang, labels):
    app = run_page("promises.py", lang, promises_now=NOW.isoformat())
    assert not app.exception, [e.value for e in app.exception]
    check = open_store(page_db)  # the app's own store (one owner per file)
    expected = queries.overview(check, MANAGER, NOW)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics[labels[0]] == f"{expected['open']:,}"
    assert metrics[labels[1]] == f"{expected['overdue']:,}"
    assert metrics[labels[2]] == f"{100 * expected['attainment']['pct']:.1f}%"
    assert expected["open"] > 0
    tabs = [t.label for t in app.tabs]
    assert len(tabs) == 4 and (tabs[0] == "当前" if lang == "zh" else tabs[0] == "Now")
    # The board lists the open promises overdue first; the complaint board is there too.
    board = app.dataframe[0].value
    assert len(board) == min(expected["open"], 200)
    texts = [c.value for c in app.caption] + [m.value for m in app.markdown] + [m.label for m in app.metric]
    assert not [x for x in texts if re.search(r"promises\.[a-z_]+\.[a-z_]", x)], "every string comes from the catalog"


def test_recording_fulfilment_on_the_page_closes_the_promise(page_db):
    db = open_store(page_db)
    target = int(db.query_one("SELECT min(promise_id) FROM promises WHERE status = 'open' AND due_at > ? "
                              "AND paused_at IS NULL", [NOW])[0])
    app = run_page("promises.py", "en", promises_now=NOW.isoformat(), prom_selected=target)
    assert not app.exception
    assert app.selectbox(key="prom_detail_kind").value == "fulfilled"
    app.button(key="prom_detail_record").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert db.query_one("SELECT status, closed_at FROM promises WHERE promise_id = ?", [target]) == ("met", NOW)
    assert any(s.value == "Recorded: Fulfilled." for s in app.success)


def test_making_a_promise_on_the_page(page_db):
    app = run_page("promises.py", "zh", promises_now=NOW.isoformat())
    app.text_input(key="prom_make_customer_q").input("C0000007").run()
    app.selectbox(key="prom_make_policy").set_value("hotel_check_in").run()
    app.text_input(key="prom_make_description").input("VIP 入住").run()
    app.button(key="prom_make_submit").click().run()
    assert not app.exception, [e.value for e in app.exception]
    row = open_store(page_db).query_one(
        "SELECT customer_id, policy_id, made_at, due_at, description FROM promises ORDER BY promise_id DESC LIMIT 1")
    assert row == (7, "hotel_check_in", NOW, NOW + timedelta(minutes=3), "VIP 入住")
    assert any("到期时间 2026-06-30 10:03:00" in s.value for s in app.success)


def _section(customer_id: int):
    from ui.common import actor, store
    from ui.customers.sections.promises import render

    render(store(), actor(), customer_id, {"code": "C"})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_360_section_lists_what_each_rep_promised(page_db, lang):
    db = open_store(page_db)
    customer = int(db.query_one("SELECT customer_id FROM promises WHERE source = 'form' GROUP BY 1 "
                                "HAVING count(DISTINCT owner) >= 3 ORDER BY 1 LIMIT 1")[0])
    app = AppTest.from_function(_section, args=(customer,), default_timeout=60)
    app.session_state["lang"] = lang
    app.session_state["promises_now"] = NOW.isoformat()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    reps = app.dataframe[0].value
    expected = queries.ledger_by_rep(queries.customer_ledger(db, MANAGER, customer, NOW))
    assert len(reps) == len(expected) >= 3
    assert reps.iloc[:, 1].sum() == len(app.dataframe[1].value)  # every promise listed once


# -- bulk path and the import center -----------------------------------------------------------------
def test_bulk_promises_equal_the_ledgers_one_by_one(tmp_path):
    from crm_core.promises.bulk import make_promises_bulk
    from crm_core.promises.state import Promise

    rows = [  # (customer, policy, made, negotiated due, class, bill)
        (1, "sales_callback", at(9, 30, 16), None, "A"),  # 2 business hours for class A, across National Day
        (1, "sales_callback", at(11, 14, 17, 30), None, None),  # Friday evening: Monday 13:00
        (2, "restaurant_first_dish", at(11, 17, 12), None, None),
        (2, "custom_follow_up", at(11, 17, 9), at(11, 21, 17), None),  # negotiated
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "policy_id", "made_at", "due_at", "customer_class"]).assign(
        owner="wang", description="x", source="import")
    calendar = queries.business_calendar("Asia/Shanghai")
    stored = []
    for way in ("ledger", "bulk"):
        db = Store(tmp_path / f"{way}.duckdb")
        with db.transaction() as cur:
            ledger.install_presets(cur)
            for policy in promises_demo.DEMO_POLICIES:
                ledger.save_policy(cur, policy, "admin")
            if way == "bulk":
                make_promises_bulk(cur, frame, calendar, "importer")
            else:
                for r in frame.itertuples(index=False):
                    policy = ledger.load_policy(cur, r.policy_id)
                    ledger.make_promise(cur, Promise(
                        customer_id=r.customer_id, owner=r.owner, promise_type=policy.promise_type,
                        policy_id=r.policy_id, policy_version=policy.version, made_at=r.made_at,
                        due_at=None if pd.isna(r.due_at) else r.due_at, negotiated_due=not pd.isna(r.due_at),
                        customer_class=None if pd.isna(r.customer_class) else r.customer_class, description="x",
                        source="import"), calendar, "importer")
        stored.append(db.cursor().execute(
            "SELECT p.*, e.kind, e.\"at\", e.actor, e.detail FROM promises p JOIN promise_events e USING (promise_id) "
            "ORDER BY promise_id").fetchall())
        db.close()
    assert stored[0] == stored[1]
    # Class A gets 2 business hours: made Tue 30 Sep 16:00, the eve of National Day → due 18:00.
    # Friday 17:30 with 4 hours: 30 min on Friday, 3 h 30 min on Monday → Monday 12:30.
    assert [row[10] for row in stored[0][:2]] == [at(9, 30, 18), at(11, 17, 12, 30)]


def test_promises_and_events_import_through_the_import_center(small, tmp_path):
    from crm_core import ingest
    from crm_core.promises import import_kind

    promises_csv = tmp_path / "promises.csv"
    promises_csv.write_text("客户编号,承诺政策,承诺人,承诺时间,承诺内容,原编号\n"
                            "C1,phone_order_delivery,王芳,2025-11-17 09:00,大米送货,OLD-1\n"
                            "C2,hotel_check_in,李娜,2025年11月17日 14:00,,OLD-2\n", encoding="utf-8-sig")
    made = ingest.run_import(small, MANAGER, "promises", str(promises_csv))
    assert made.result.created == 2
    # The import made the promises itself (the kind's after_commit); applying again changes nothing.
    assert small.query_one("SELECT count(*) FROM promises WHERE source = 'import'") == (2,)
    assert import_kind.apply_import(small, MANAGER, made.result.import_id) == {"promises": 0}
    events_csv = tmp_path / "events.csv"
    events_csv.write_text("Promise,Event,When\nOLD-1,Fulfilled,2025-11-18 10:00\nOLD-2,完成,2025-11-17 14:02\n"
                          "OLD-9,done,2025-11-17 14:05\n", encoding="utf-8")
    logged = ingest.run_import(small, MANAGER, "promise_events", str(events_csv))
    assert logged.result.created == 3  # staged; two became events, the unknown promise is set aside
    assert import_kind.apply_import(small, MANAGER, logged.result.import_id) == {"events": 0, "skipped": 0}
    rows = small.cursor().execute("SELECT customer_id, owner, due_at, status, overrun_seconds, source FROM promises "
                                  "ORDER BY promise_id").fetchall()
    # Delivery within 24 h (calendar time): delivered 25 h later → 1 h late. Check-in in 2 of 3 minutes.
    assert rows == [(1, "王芳", at(11, 18, 9), "breached", 3600.0, "import"),
                    (2, "李娜", at(11, 17, 14, 3), "met", 0.0, "import")]
    assert small.query_one("SELECT problem FROM promise_event_import_rows WHERE promise_ref = 'OLD-9'") == (
        "promises.err.import_unknown_promise",)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_detail_names_the_ladder_or_says_none_is_defined(page_db, lang):
    """Issue 15: a B2B promise given a service credit (no order value in the demo) shows the step as
    '5% of the order', not ¥0; a hotel promise, whose policy has no ladder, says so."""
    db = open_store(page_db)
    credited = int(db.query_one("SELECT min(promise_id) FROM remedies WHERE key = 'service_credit'")[0])
    hotel = int(db.query_one("SELECT min(promise_id) FROM promises WHERE policy_id = 'hotel_check_in'")[0])
    share, none = {"en": ("5% of the order", "No compensation defined for this policy"),
                   "zh": ("订单金额的5%", "该政策未规定补偿")}[lang]
    app = run_page("promises.py", lang, promises_now=NOW.isoformat(), prom_selected=credited)
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert share in captions and none not in captions
    remedies = next(d.value for d in app.dataframe if len(d.value.columns) == 5 and len(d.value) >= 2)
    assert share in remedies.iloc[:, 1].tolist() and "¥0" in remedies.iloc[:, 1].tolist()  # credit; apology call
    app = run_page("promises.py", lang, promises_now=NOW.isoformat(), prom_selected=hotel)
    assert not app.exception and none in " ".join(c.value for c in app.caption)


@pytest.mark.parametrize("lang, saved", [("zh", "2027 年放假安排已保存"), ("en", "The 2027 notice is saved")])
def test_a_manager_enters_a_holiday_notice_on_the_policies_tab(page_db, lang, saved):
    app = run_page("promises.py", lang, promises_now=NOW.isoformat())
    app.selectbox(key="prom_notice_year").set_value(2027).run()
    app.text_area(key="prom_notice_text").input("2027-02-05,休,春节\n2027-02-20,上班,春节调休\n").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.button(key="prom_notice_save")
    app.button(key="prom_notice_save").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(saved in s.value for s in app.success)
    assert open_store(page_db).query_df("SELECT day, kind FROM holiday_notices ORDER BY day")["kind"].tolist() == [
        "holiday", "workday"]


def test_a_bad_notice_row_is_named_and_a_rep_sees_no_notice_section(page_db):
    app = run_page("promises.py", "en", promises_now=NOW.isoformat())
    app.text_area(key="prom_notice_text").input("2027-02-05,休\n2027-02-31,休\n").run()
    assert any("Row 2" in e.value for e in app.error)
    assert not [b for b in app.button if b.key == "prom_notice_save"]
    rep = run_page("promises.py", "en", promises_now=NOW.isoformat(), actor=Actor("wang", "rep"))
    assert not rep.exception
    assert not [t for t in rep.text_area if t.key == "prom_notice_text"]


def test_a_promises_import_is_never_undone_by_deleting_promises(small, tmp_path):
    from crm_core import ingest

    promises_csv = tmp_path / "promises.csv"
    promises_csv.write_text("客户编号,承诺政策,承诺人,承诺时间,承诺内容\nC1,phone_order_delivery,王芳,2025-11-17 09:00,大米送货\n",
                            encoding="utf-8")
    made = ingest.run_import(small, MANAGER, "promises", str(promises_csv))
    preview = ingest.undo_preview(small, MANAGER, made.result.import_id)
    assert preview["refused"].key == "ingest.err_undo_append_only"
    with pytest.raises(ingest.ImportProblem) as refused:
        ingest.undo_import(small, MANAGER, made.result.import_id)
    assert ingest.problem_text(refused.value, "zh").startswith(f"第 {made.result.import_id} 号导入无法撤销")
    assert small.query_one("SELECT count(*) FROM promises WHERE source = 'import'") == (1,)


@pytest.mark.parametrize("lang, refused", [("zh", "通知\\.xlsx 不是文本文件"), ("en", "通知\\.xlsx is not a text file")])
def test_a_notice_that_is_not_text_is_refused_in_the_pages_language(page_db, lang, refused):
    """Streamlit's own refusal of a file type is English only: the tab names the file (as typed,
    Markdown-escaped) and the fix."""
    app = run_page("promises.py", lang, promises_now=NOW.isoformat())
    assert app.file_uploader(key="prom_notice_file").allowed_type == []
    app.file_uploader(key="prom_notice_file").set_value(("通知.xlsx", b"PK\x03\x04", "application/zip")).run()
    assert not app.exception, [e.value for e in app.exception]
    assert [e.value for e in app.error if refused in e.value]
    assert not [b for b in app.button if b.key == "prom_notice_save"]
