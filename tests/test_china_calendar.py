"""China's statutory holidays, and the promise clock in years whose State Council notice is not known.

Hand-checked against the 2024 amendment of the national holiday regulation: New Year's Day; Spring
Festival from lunar New Year's Eve, 4 days; Qingming; Labour Day 1–2 May; Dragon Boat; Mid-Autumn;
National Day 1–3 October — 13 days.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from crm_core.china_calendar import festival_dates, official_years, statutory_holidays
from crm_core.promises import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar.china(open="09:00", close="18:00", tz="Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_statutory_holidays_of_2027_by_hand():
    # Lunar New Year 2027 is Sat 6 Feb, so the eve is 5 Feb; Qingming 5 Apr; Dragon Boat (lunar 5/5)
    # 9 Jun; Mid-Autumn (lunar 8/15) 15 Sep.
    assert sorted(statutory_holidays(2027)) == [
        date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
        date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)]
    assert statutory_holidays(2027)[date(2027, 2, 5)] == "spring_festival"


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_are_official_holidays_in_the_years_with_a_notice(year):
    # Where the State Council notice is known, every statutory day is one of its holidays.
    assert year in official_years()
    days = statutory_holidays(year)
    assert len(days) == 13
    assert [day for day in days if not chinese_calendar.is_holiday(day)] == []


def test_statutory_list_refuses_years_of_the_older_regulation():
    with pytest.raises(ValueError):
        statutory_holidays(2024)


def test_new_years_eve_2026_plus_two_business_hours_skips_new_years_day_2027():
    # Thu 31 Dec 17:00–18:00 uses 1 h; Fri 1 Jan 2027 is New Year's Day; 2–3 Jan a weekend;
    # Mon 4 Jan 09:00 + 1 h = 10:00.
    due = CHINA.add(at(2026, 12, 31, 17), timedelta(hours=2))
    assert due == at(2027, 1, 4, 10)
    assert CHINA.uncertain_years(at(2026, 12, 31, 17), due) == [2027]
    assert CHINA.uncertain_years(at(2026, 12, 1, 9), at(2026, 12, 31, 17)) == []


def test_spring_festival_2027_is_never_a_due_day():
    # 5–8 Feb 2027 are closed; a promise made on the eve runs from Tue 9 Feb 09:00.
    due = CHINA.add(at(2027, 2, 5, 17), timedelta(hours=2))
    assert due == at(2027, 2, 9, 11)
    for start in (at(2027, 2, 4, 17), at(2027, 2, 3, 12)):
        for hours in (1, 2, 9, 18):
            assert CHINA.add(start, timedelta(hours=hours)).date() not in {
                date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)}


def test_year_status():
    assert CHINA.year_status(2026) == "official"
    assert CHINA.year_status(2027) == "provisional"
    assert CHINA.year_status(2100) == "unknown"  # beyond the lunar table
    assert BusinessCalendar.always().year_status(2027) == "weekly"


def test_festival_dates_are_the_lunar_days():
    assert festival_dates(2027) == {"spring_festival": date(2027, 2, 6), "dragon_boat": date(2027, 6, 9),
                                    "mid_autumn": date(2027, 9, 15)}


# -- the Promises page says when open promises run into a provisional year -----------------------------
def _store_with_callback(store):
    from crm_core.promises import demo as promises_demo
    from crm_core.promises import ledger

    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, customer_type, sales_rep) VALUES "
                    "(1, 'C1', '东方饭店', 'corporate', 'wang')")
        ledger.install_presets(cur)
        ledger.save_policy(cur, promises_demo.DEMO_POLICIES[0], "admin")  # call-back: 4 business hours
    return store


def test_open_business_promises_into_2027_are_reported_provisional(store):
    from crm_core.promises import actions, queries
    from crm_core.users import Actor

    manager = Actor("boss", "manager")
    db = _store_with_callback(store)
    actions.make_promise(db, manager, 1, "sales_callback", at(2026, 12, 1, 10), owner="wang")
    assert queries.uncertain_calendar_years(db, manager, at(2026, 12, 3, 12)) == []
    # Thu 31 Dec 16:00 + 4 business hours: 2 h on the 31st, then Mon 4 Jan 2027 09:00 + 2 h.
    promise_id = actions.make_promise(db, manager, 1, "sales_callback", at(2026, 12, 31, 16), owner="wang")
    (due,) = db.query_one("SELECT due_at FROM promises WHERE promise_id = ?", [promise_id])
    assert due == at(2027, 1, 4, 11)
    assert queries.uncertain_calendar_years(db, manager, at(2026, 12, 3, 12)) == [2027]
    # A rep who cannot see that promise is not told about it.
    assert queries.uncertain_calendar_years(db, Actor("li", "rep"), at(2026, 12, 3, 12)) == []


def _promises_page_with_a_2027_due(store, monkeypatch, lang: str, now: str):
    """The Promises page at ``now`` over a store with one call-back made 31 Dec 2026 16:00 (due 4 Jan 2027)."""
    from crm_core.promises import actions
    from crm_core.users import Actor
    from tests.test_pages import run_page

    db = _store_with_callback(store)
    actions.make_promise(db, Actor("boss", "manager"), 1, "sales_callback", at(2026, 12, 31, 16), owner="wang")
    db.close()
    monkeypatch.setenv("CRM_DB", db.path)
    return run_page("promises.py", lang, promises_now=now)


@pytest.mark.parametrize("lang, words", [("zh", "2027年按工作时间计算的到期时间为暂定"),
                                         ("en", "Business-hours due times in 2027 are provisional")])
def test_promises_page_warns_about_provisional_due_times(store, monkeypatch, lang, words):
    app = _promises_page_with_a_2027_due(store, monkeypatch, lang, now="2026-12-03T12:00:00+08:00")
    assert not app.exception
    assert [w.value for w in app.warning if words in w.value] != []


def test_due_times_in_a_provisional_year_are_marked(store):
    from crm_core.promises import actions, queries
    from crm_core.users import Actor

    manager = Actor("boss", "manager")
    db = _store_with_callback(store)
    actions.make_promise(db, manager, 1, "sales_callback", at(2026, 12, 1, 10), owner="wang")   # due 1 Dec 14:00
    actions.make_promise(db, manager, 1, "sales_callback", at(2026, 12, 31, 16), owner="wang")  # due 4 Jan 2027 11:00
    frame = db.query_df("SELECT due_at, clock FROM promises ORDER BY promise_id")
    assert queries.due_is_provisional(db, frame).tolist() == [False, True]
    # A calendar-time clock counts every second: no holiday notice is involved.
    assert not queries.due_is_provisional(db, frame.assign(clock="calendar")).any()


@pytest.mark.parametrize("lang, mark", [("zh", "2027-01-04 11:00:00（暂定）"), ("en", "2027-01-04 11:00:00 (provisional)")])
def test_the_board_marks_provisional_due_times(store, monkeypatch, lang, mark):
    app = _promises_page_with_a_2027_due(store, monkeypatch, lang, now="2027-01-01T12:00:00+08:00")
    assert not app.exception
    shown = [str(value) for frame in app.dataframe for value in frame.value.to_numpy().ravel()]
    assert mark in shown


# -- a manager enters the 2027 State Council notice (issue 15) -----------------------------------------
# Say the notice gives 5–12 Feb 2027 off (Fri 5 … Fri 12; 6–7 and 13–14 are weekends anyway) and makes
# Sat 20 Feb a make-up working day (班).
NOTICE_2027 = """date,kind,name
2027-01-01,休,元旦
2027-02-05,休,春节
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-09,holiday,Spring Festival
2027-02-10,放假,春节
2027-02-11,休,春节
2027-02-12,休,春节
2027-02-20,班,春节调休
"""


def test_a_holiday_notice_moves_due_times_through_the_event_log_and_is_audited(store):
    from crm_core.promises import actions, notices, queries
    from crm_core.users import Actor

    manager = Actor("boss", "manager")
    db = _store_with_callback(store)
    # Thu 4 Feb 2027 17:00 + 4 business hours. Provisional 2027 closes only the statutory 5–8 Feb:
    # 1 h on the 4th (17–18), then Tue 9 Feb 09:00 + 3 h = 9 Feb 12:00.
    promise_id = actions.make_promise(db, manager, 1, "sales_callback", at(2027, 2, 4, 17), owner="wang")
    # A promise due well before 2027 is not touched.
    early = actions.make_promise(db, manager, 1, "sales_callback", at(2026, 12, 1, 10), owner="wang")
    (due,) = db.query_one("SELECT due_at FROM promises WHERE promise_id = ?", [promise_id])
    assert due == at(2027, 2, 9, 12)
    assert queries.calendar_for(db).year_status(2027) == "provisional"

    rows = notices.parse_notice_csv(NOTICE_2027)
    assert rows[0] == (date(2027, 1, 1), "holiday", "元旦")
    assert rows[-1] == (date(2027, 2, 20), "workday", "春节调休")
    moved = notices.enter_notice(db, manager, 2027, rows, at=at(2026, 12, 3, 12))
    # After the notice 5–12 Feb are off and 13–14 Feb a weekend: 1 h on the 4th, then Mon 15 Feb
    # 09:00 + 3 h = 15 Feb 12:00.
    assert moved == 1
    (due,) = db.query_one("SELECT due_at FROM promises WHERE promise_id = ?", [promise_id])
    assert due == at(2027, 2, 15, 12)
    calendar = queries.calendar_for(db)
    assert calendar.year_status(2027) == "official"
    assert calendar.year_status(2028) == "provisional"
    # The make-up Saturday is open 09:00–18:00: Fri 19 Feb 17:00 + 4 h = 1 h Fri, 3 h Sat 20 Feb → 12:00.
    assert calendar.add(at(2027, 2, 19, 17), timedelta(hours=4)) == at(2027, 2, 20, 12)
    # The notice is complete: a statutory holiday it leaves out (Qingming, 5 Apr) is a working day.
    assert calendar.add(at(2027, 4, 5, 9), timedelta(hours=1)) == at(2027, 4, 5, 10)
    # History is not rewritten: the move is a 'recomputed' event, same policy version, with the reason.
    events = db.query_df("SELECT kind, detail FROM promise_events WHERE promise_id = ? ORDER BY event_id",
                         [promise_id])
    assert events["kind"].tolist() == ["made", "recomputed"]
    assert '"reason": "holiday_notice"' in events["detail"].iloc[1]
    assert db.query_one("SELECT count(*) FROM promise_events WHERE promise_id = ?", [early]) == (1,)
    audit = db.query_df("SELECT actor, entity_id, new_value FROM audit_log WHERE action = 'holiday_notice'")
    assert audit.to_dict("records") == [{"actor": "boss", "entity_id": 2027, "new_value": "2027: 9 holidays, 1 workdays"}]
    # Entering the same notice again moves nothing (but is audited again).
    assert notices.enter_notice(db, manager, 2027, rows, at=at(2026, 12, 3, 13)) == 0
    assert db.query_one("SELECT count(*) FROM promise_events WHERE promise_id = ?", [promise_id]) == (2,)


def test_a_holiday_notice_is_refused_whole(store):
    from crm_core.promises import notices, queries
    from crm_core.promises.actions import PromiseError
    from crm_core.users import Actor, PermissionDenied

    db = _store_with_callback(store)
    rows = notices.parse_notice_csv(NOTICE_2027)
    for role in ("rep", "analyst"):
        with pytest.raises(PermissionDenied) as refused:
            notices.enter_notice(db, Actor("li", role), 2027, rows)
    assert refused.value.key in ("promises.err.notice_managers_only", "err.no_write_permission")
    # A bad row is refused by its line number (the header is line 1).
    with pytest.raises(PromiseError) as bad:
        notices.parse_notice_csv("date,kind,name\n2027-02-05,休,春节\n2027-02-20,加班,调休\n")
    assert (bad.value.key, bad.value.params["row"]) == ("promises.notice.err.kind", 3)
    with pytest.raises(PromiseError) as bad:
        notices.parse_notice_csv("2027-02-05,休\n2027-2-31,休\n")
    assert (bad.value.key, bad.value.params["row"]) == ("promises.notice.err.date", 2)
    from crm_core.i18n import t
    assert "Row 2" in t(bad.value.key, "en", **bad.value.params)
    assert "第 2 行" in t(bad.value.key, "zh", **bad.value.params)
    manager = Actor("boss", "manager")
    with pytest.raises(PromiseError) as bad:
        notices.enter_notice(db, manager, 2027, rows + [(date(2028, 1, 1), "holiday", "")])
    assert bad.value.key == "promises.notice.err.other_year"
    with pytest.raises(PromiseError) as bad:
        notices.enter_notice(db, manager, 2027, rows + [rows[0]])
    assert bad.value.key == "promises.notice.err.duplicate"
    # Nothing half-written: no notice days, no audit row, the calendar still provisional.
    assert db.query_one("SELECT count(*) FROM holiday_notices") == (0,)
    assert db.query_one("SELECT count(*) FROM audit_log WHERE action = 'holiday_notice'") == (0,)
    assert queries.calendar_for(db).year_status(2027) == "provisional"


def test_a_notice_that_fails_while_recomputing_leaves_nothing_behind(store, monkeypatch):
    from crm_core.promises import actions, notices, queries
    from crm_core.users import Actor

    manager = Actor("boss", "manager")
    db = _store_with_callback(store)
    promise_id = actions.make_promise(db, manager, 1, "sales_callback", at(2027, 2, 4, 17), owner="wang")

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(notices, "_recompute_year", broken)
    with pytest.raises(RuntimeError):
        notices.enter_notice(db, manager, 2027, notices.parse_notice_csv(NOTICE_2027))
    assert db.query_one("SELECT count(*) FROM holiday_notices") == (0,)
    assert db.query_one("SELECT count(*) FROM audit_log WHERE action = 'holiday_notice'") == (0,)
    assert db.query_one("SELECT due_at FROM promises WHERE promise_id = ?", [promise_id]) == (at(2027, 2, 9, 12),)
    assert queries.calendar_for(db).year_status(2027) == "provisional"


@pytest.mark.parametrize("lang, words", [("en", "Recomputed: the 2027 holiday notice was entered"),
                                         ("zh", "已按录入的2027年节假日安排重新计算")])
def test_the_promise_log_says_a_notice_moved_it(store, monkeypatch, lang, words):
    from crm_core.promises import actions, notices
    from crm_core.users import Actor
    from tests.test_pages import run_page

    manager = Actor("boss", "manager")
    db = _store_with_callback(store)
    promise_id = actions.make_promise(db, manager, 1, "sales_callback", at(2027, 2, 4, 17), owner="wang")
    notices.enter_notice(db, manager, 2027, notices.parse_notice_csv(NOTICE_2027), at=at(2026, 12, 3, 12))
    db.close()
    monkeypatch.setenv("CRM_DB", db.path)
    app = run_page("promises.py", lang, promises_now="2027-02-04T17:30:00+08:00", prom_selected=promise_id)
    assert not app.exception, [e.value for e in app.exception]
    shown = [str(value) for frame in app.dataframe for value in frame.value.to_numpy().ravel()]
    assert words in shown
