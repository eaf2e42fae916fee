"""The three festivals of 三节两寿 (Spring Festival, Dragon Boat, Mid-Autumn) as Gregorian dates.

The lunar calendar comes from ``lunardate`` (pure Python, table-driven for 1900–2099): one
table lookup per date, so a dashboard can ask for every year in a window without a cost.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from lunardate import LunarDate

# occasion key -> (lunar month, lunar day); the keys are the stable occasion keys of the module.
FESTIVALS: dict[str, tuple[int, int]] = {
    "spring_festival": (1, 1),
    "dragon_boat": (5, 5),
    "mid_autumn": (8, 15),
}
FIRST_YEAR, LAST_YEAR = 1900, 2099


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
