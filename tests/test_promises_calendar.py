"""BusinessCalendar: exact due times worked out by hand (China 2025 calendar, 09:00–18:00)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.promises import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar.china(open="09:00", close="18:00", tz="Asia/Shanghai")
LUNCH = BusinessCalendar({d: [("09:00", "12:00"), ("13:00", "18:00")] for d in range(5)}, tz="Asia/Shanghai")


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


def test_national_day_2025_four_hours():
    # Tue 30 Sep 16:00–18:00 uses 2 h; 1–8 Oct are the holiday; Thu 9 Oct 09:00 + the remaining
    # 2 h = 11:00.
    due = CHINA.add(at(2025, 9, 30, 16), timedelta(hours=4))
    assert due == at(2025, 10, 9, 11)
    assert CHINA.elapsed(at(2025, 9, 30, 16), due) == timedelta(hours=4)
    assert CHINA.elapsed(at(2025, 10, 1, 9), at(2025, 10, 8, 18)) == timedelta(0)


def test_make_up_sunday_28_september_2025_is_a_working_day():
    # Fri 26 Sep 17:00–18:00 = 1 h; Sat 27 closed; Sun 28 is a 调休 working day: 09:00 + 1 h.
    assert CHINA.add(at(2025, 9, 26, 17), timedelta(hours=2)) == at(2025, 9, 28, 10)


def test_make_up_saturday_11_october_2025_is_a_working_day():
    # Fri 10 Oct 17:00–18:00 = 1 h; Sat 11 Oct works: 09:00 + 2 h = 11:00.
    assert CHINA.add(at(2025, 10, 10, 17), timedelta(hours=3)) == at(2025, 10, 11, 11)


def test_across_an_ordinary_weekend():
    # Fri 14 Nov 15:30–18:00 = 2 h 30; Sat/Sun closed; Mon 17 Nov 09:00 + 2 h 30 = 11:30.
    assert CHINA.add(at(2025, 11, 14, 15, 30), timedelta(hours=5)) == at(2025, 11, 17, 11, 30)
    assert CHINA.elapsed(at(2025, 11, 14, 15, 30), at(2025, 11, 17, 11, 30)) == timedelta(hours=5)


def test_second_precision_and_interval_end():
    # 14:00 + 4 h ends exactly at closing time, not at the next opening.
    assert CHINA.add(at(2025, 11, 17, 14), timedelta(hours=4)) == at(2025, 11, 17, 18)
    assert CHINA.add(at(2025, 11, 17, 17, 59, 59), timedelta(seconds=2)) == at(2025, 11, 18, 9, 0, 1)


def test_lunch_break():
    # Mon 17 Nov 11:00–12:00 = 1 h, lunch, 13:00 + 2 h = 15:00.
    assert LUNCH.add(at(2025, 11, 17, 11), timedelta(hours=3)) == at(2025, 11, 17, 15)
    # Fri 21 Nov 14:30–18:00 = 3 h 30; Mon 24 09:00–12:00 = 3 h (6 h 30); 13:00 + 1 h 30 = 14:30.
    assert LUNCH.add(at(2025, 11, 21, 14, 30), timedelta(hours=8)) == at(2025, 11, 24, 14, 30)
    # Started during lunch: the clock waits for 13:00.
    assert LUNCH.add(at(2025, 11, 17, 12, 20), timedelta(minutes=30)) == at(2025, 11, 17, 13, 30)
    assert LUNCH.elapsed(at(2025, 11, 17, 11, 30), at(2025, 11, 17, 13, 30)) == timedelta(hours=1)


def test_calendar_time_24_hours_ignores_holidays():
    always = BusinessCalendar.always("Asia/Shanghai")
    assert always.add(at(2025, 9, 30, 16), timedelta(hours=24)) == at(2025, 10, 1, 16)
    assert always.elapsed(at(2025, 10, 1), at(2025, 10, 8)) == timedelta(days=7)


def test_extra_closed_and_working_days():
    cal = BusinessCalendar(
        {d: [("09:00", "18:00")] for d in range(5)},
        closed_days=[date(2025, 11, 17)],
        extra_working_days=[date(2025, 11, 15)],
    )
    # Fri 14 Nov 17:00–18:00 = 1 h; Sat 15 Nov works (Monday's hours) 09:00 + 1 h = 10:00.
    assert cal.add(at(2025, 11, 14, 17), timedelta(hours=2)) == at(2025, 11, 15, 10)
    # Sat 15 ends at 18:00 after 9 h; Mon 17 closed; Tue 18 09:00 + 1 h.
    assert cal.add(at(2025, 11, 15, 9), timedelta(hours=10)) == at(2025, 11, 18, 10)


def test_daylight_saving_counts_real_elapsed_time():
    # Berlin springs forward on 30 Mar 2025: that local day has 23 hours.
    berlin = ZoneInfo("Europe/Berlin")
    cal = BusinessCalendar({d: [("00:00", "24:00")] for d in range(7)}, tz="Europe/Berlin")
    start, end = datetime(2025, 3, 29, 12, tzinfo=berlin), datetime(2025, 3, 30, 12, tzinfo=berlin)
    assert cal.elapsed(start, end) == timedelta(hours=23)
    assert cal.add(start, timedelta(hours=23)) == end


def test_years_after_the_shipped_notices_close_the_statutory_holidays():
    # 2030 is beyond chinese-calendar 1.11: Mon 30 Sep 17:00–18:00 uses 1 h; 1–3 Oct (Tue–Thu) are
    # statutory holidays; Fri 4 Oct 09:00 + 1 h = 10:00. The year is provisional (no notice yet).
    assert CHINA.add(at(2030, 9, 30, 17), timedelta(hours=2)) == at(2030, 10, 4, 10)
    assert CHINA.year_status(2030) == "provisional"


def test_years_before_the_statutory_list_without_data_fall_back_to_monday_friday():
    # 2003 predates chinese-calendar's data and the 2024 regulation: Wed 1 Oct 2003 counts as a workday.
    assert CHINA.add(at(2003, 9, 30, 17), timedelta(hours=2)) == at(2003, 10, 1, 10)
    assert CHINA.year_status(2003) == "unknown"


def test_long_durations_skip_whole_days():
    # Mon–Fri 09:00–18:00, no holidays: 2,000 working days from Thu 2 Jan 2025 09:00 are exactly
    # 400 weeks, used up at the close of the Wednesday before (Thursday 09:00 − 15 h).
    weekly = BusinessCalendar({d: [("09:00", "18:00")] for d in range(5)})
    start = at(2025, 1, 2, 9)
    due = weekly.add(start, timedelta(hours=9 * 2000))
    assert due == start + timedelta(weeks=400) - timedelta(hours=15)
    assert due.weekday() == 2 and due.hour == 18
    assert CHINA.elapsed(start, CHINA.add(start, timedelta(hours=9 * 2000))) == timedelta(hours=9 * 2000)


def test_naive_and_negative_inputs_raise():
    with pytest.raises(ValueError):
        CHINA.add(datetime(2025, 11, 17, 9), timedelta(hours=1))
    with pytest.raises(ValueError):
        CHINA.elapsed(at(2025, 11, 17, 9), datetime(2025, 11, 17, 10))
    with pytest.raises(ValueError):
        CHINA.add(at(2025, 11, 17, 9), timedelta(hours=-1))
    with pytest.raises(ValueError):
        BusinessCalendar({0: [("12:00", "09:00")]})
    with pytest.raises(ValueError):
        BusinessCalendar({})


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 6, 1)),
    seconds=st.integers(min_value=1, max_value=400 * 3600),
)
def test_add_then_elapsed_round_trips(start, seconds):
    start = start.replace(tzinfo=SH)
    due = LUNCH.add(start, timedelta(seconds=seconds))
    assert LUNCH.elapsed(start, due) == timedelta(seconds=seconds)
    # The due time is the earliest such instant: one second earlier falls short.
    assert LUNCH.elapsed(start, due - timedelta(seconds=1)) < timedelta(seconds=seconds)
