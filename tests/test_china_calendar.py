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
