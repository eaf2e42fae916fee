"""China's calendar facts that do not depend on any one year's State Council notice.

- The three lunar festivals of 三节两寿 (Spring Festival, Dragon Boat, Mid-Autumn) as Gregorian
  dates. The lunar calendar comes from ``lunardate`` (pure Python, table-driven for 1900–2099): one
  table lookup per date, so a dashboard can ask for every year in a window without a cost.
- The statutory public holidays (法定节假日) of the national holiday regulation as amended in 2024
  (in force from 2025): 13 days a year. Each year the State Council adds bridging days and make-up
  working days (调休) in a notice; until a year's notice is known these are the days that are
  certainly off, so a clock that runs into such a year uses them and says it is provisional
  (docs/domain.md §3).
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate

# occasion key -> (lunar month, lunar day); the keys are the stable occasion keys of the module.
FESTIVALS: dict[str, tuple[int, int]] = {
    "spring_festival": (1, 1),
    "dragon_boat": (5, 5),
    "mid_autumn": (8, 15),
}
FIRST_YEAR, LAST_YEAR = 1900, 2099
# The 2024 amendment added lunar New Year's Eve and 2 May; the statutory list below is that version.
STATUTORY_SINCE = 2025


def festival_dates(year: int) -> dict[str, date]:
    """Gregorian dates of the three festivals of lunar year ``year``.

    Returns ``{"spring_festival": date, "dragon_boat": date, "mid_autumn": date}``; every
    date falls in Gregorian ``year`` (lunar 1/1 is between 21 January and 20 February).
    Raises ``ValueError`` outside 1900–2099, the range of the lunar table.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"lunar calendar covers {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    return dict(_festival_pairs(year))


@lru_cache(maxsize=256)
def _festival_pairs(year: int) -> tuple[tuple[str, date], ...]:
    # A tuple, so that the cached value cannot be changed by a caller.
    return tuple((key, LunarDate(year, month, day).to_solar_date())
                 for key, (month, day) in FESTIVALS.items())


def statutory_holidays(year: int) -> dict[date, str]:
    """The 13 statutory public holidays of ``year`` (≥ 2025) → the holiday's key.

    New Year's Day (1 Jan); Spring Festival from lunar New Year's Eve, 4 days; Qingming (the day of
    the solar term 清明, computed by chinese-calendar for any year); Labour Day (1–2 May); Dragon
    Boat (lunar 5/5); Mid-Autumn (lunar 8/15); National Day (1–3 Oct). Raises ``ValueError`` before
    2025 (an older regulation applied) or outside the lunar table.
    """
    if year < STATUTORY_SINCE:
        raise ValueError(f"the statutory list here is the 2024 amendment's, in force from {STATUTORY_SINCE}")
    lunar = festival_dates(year)
    days = {date(year, 1, 1): "new_year"}
    eve = lunar["spring_festival"] - timedelta(days=1)
    days.update({eve + timedelta(days=i): "spring_festival" for i in range(4)})
    days[_qingming(year)] = "qingming"
    days.update({date(year, 5, 1): "labour_day", date(year, 5, 2): "labour_day"})
    days[lunar["dragon_boat"]] = "dragon_boat"
    days[lunar["mid_autumn"]] = "mid_autumn"
    days.update({date(year, 10, d): "national_day" for d in (1, 2, 3)})
    return days


@lru_cache(maxsize=256)
def _qingming(year: int) -> date:
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    return next(day for day, name in terms if name == "清明")


@lru_cache(maxsize=1)
def official_years() -> frozenset[int]:
    """The years whose official notice (holidays and make-up working days) chinese-calendar ships."""
    return frozenset(day.year for day in chinese_calendar.holidays) | frozenset(
        day.year for day in chinese_calendar.workdays)
