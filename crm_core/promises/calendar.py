"""Business calendars: the clock a time-limit promise runs on.

A clock is the integral of running time over the calendar's open intervals (docs/domain.md §3). The
calendar turns each local day into its open intervals (business hours per weekday, closed days,
extra working days, China's official holidays and make-up working days 调休), converts them to
UTC instants once, and keeps the cumulative open time at the start of every interval in numpy
arrays. ``add`` and ``elapsed`` are then a binary search and a subtraction, however long the
duration: nothing walks minute by minute or even day by day per call.

Instants are handled as integer microseconds since 1970-01-01 UTC, so results are exact (to the
microsecond, hence to the second). Every public method takes time-zone-aware datetimes and raises
ValueError on naive ones.

China's holidays come from the ``chinese-calendar`` package, which only knows the years whose State
Council notice it ships (2004–2026 in version 1.11). For a later year the calendar closes the 13
statutory public holidays (crm_core.china_calendar) on top of its weekly hours and reports the year
as ``provisional`` (bridging days and make-up working days are unknown until the notice); for a year
before 2025 that the package lacks, it falls back to plain weekly hours (``unknown``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import numpy as np

from crm_core.china_calendar import FIRST_YEAR, LAST_YEAR, STATUTORY_SINCE, official_years, statutory_holidays

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DAY_SECONDS = 86_400
_LAST_YEAR = 9_998  # tables never extend past this: a guard against a calendar that never opens


def parse_clock(text: str) -> int:
    """Seconds after local midnight for ``"HH:MM"`` or ``"HH:MM:SS"``; ``"24:00"`` is the day's end.

    Raises ValueError for anything else.
    """
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"time of day {text!r} is not HH:MM")
    hours, minutes, seconds = (int(p) for p in parts + ["0"] * (3 - len(parts)))
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > _DAY_SECONDS:
        raise ValueError(f"time of day {text!r} is out of range")
    return total


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime; ValueError if it is naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime {moment!r} has no time zone")
    return (moment - _EPOCH) // _US


def micros_of(duration: timedelta) -> int:
    """A timedelta as integer microseconds."""
    return duration // _US


def _intervals(spec: Sequence[tuple[str, str]]) -> tuple[tuple[int, int], ...]:
    """Validated, sorted, non-overlapping (start, end) seconds of one day's opening hours."""
    parsed = sorted((parse_clock(a), parse_clock(b)) for a, b in spec)
    for (start, end), nxt in zip(parsed, parsed[1:] + [(_DAY_SECONDS + 1, 0)]):
        if end <= start:
            raise ValueError("an opening interval must end after it starts")
        if nxt[0] < end:
            raise ValueError("opening intervals of one day overlap")
    return tuple(parsed)


@dataclass(frozen=True)
class _Table:
    """Open intervals of the days [first, last] as UTC microseconds, with running totals."""

    first: date
    last: date
    starts: np.ndarray
    ends: np.ndarray
    cum_before: np.ndarray  # open microseconds from the table's origin to each interval's start

    @property
    def cum_after(self) -> np.ndarray:
        return self.cum_before + (self.ends - self.starts)

    def position(self, instants: np.ndarray) -> np.ndarray:
        """Open microseconds from the table origin up to each instant (the clock reading)."""
        i = np.searchsorted(self.starts, instants, side="right") - 1
        safe = np.clip(i, 0, None)
        if len(self.starts) == 0:
            return np.zeros_like(instants)
        inside = np.minimum(instants - self.starts[safe], self.ends[safe] - self.starts[safe])
        return np.where(i < 0, 0, self.cum_before[safe] + inside)

    def instant(self, positions: np.ndarray) -> np.ndarray:
        """Earliest instant at which the clock reads each position (positions > 0, within table)."""
        j = np.searchsorted(self.cum_after, positions, side="left")
        return self.starts[j] + (positions - self.cum_before[j])


class BusinessCalendar:
    """Opening hours per weekday in one time zone, with closed and extra working days.

    ``hours`` maps weekday (0 = Monday … 6 = Sunday) to a list of ``("HH:MM", "HH:MM")`` intervals;
    more than one a day is allowed (a lunch break). ``extra_day_hours`` are the hours of an extra
    working day such as a 调休 Saturday (default: Monday's hours). ``china_holidays`` follows China's
    official holidays and make-up days for the years chinese-calendar knows. Raises ValueError for
    bad intervals, an unknown time zone, or a calendar with no opening hours at all.
    """

    def __init__(
        self,
        hours: Mapping[int, Sequence[tuple[str, str]]],
        tz: str = "Asia/Shanghai",
        closed_days: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        extra_day_hours: Sequence[tuple[str, str]] | None = None,
        china_holidays: bool = False,
        noticed_years: Iterable[int] = (),
    ):
        self.tz_name = tz
        self.tz = ZoneInfo(tz)
        self.weekly = {day: _intervals(hours.get(day, ())) for day in range(7)}
        if set(hours) - set(range(7)):
            raise ValueError("weekdays are numbered 0 (Monday) to 6 (Sunday)")
        self.extra_day_hours = _intervals(extra_day_hours) if extra_day_hours else self.weekly[0]
        self.closed_days = frozenset(closed_days)
        self.extra_working_days = frozenset(extra_working_days)
        self.china_holidays = china_holidays
        # Years whose State Council notice was entered in the store (its days are ``closed_days`` and
        # ``extra_working_days``): complete, so neither chinese-calendar nor the statutory fallback applies.
        self.noticed_years = frozenset(int(y) for y in noticed_years)
        self.is_always = False
        if not any(self.weekly.values()):
            raise ValueError("a business calendar needs opening hours on at least one weekday")
        self._table: _Table | None = None

    @classmethod
    def china(
        cls,
        open: str = "09:00",
        close: str = "18:00",
        tz: str = "Asia/Shanghai",
        closed_days: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        noticed_years: Iterable[int] = (),
    ) -> BusinessCalendar:
        """Monday–Friday ``open``–``close`` with China's official holidays and make-up working days.
        ``noticed_years``: years whose notice is given by ``closed_days`` and ``extra_working_days``
        (entered by a manager); they are ``official`` and follow those days alone."""
        day = [(open, close)]
        return cls(
            {d: day for d in range(5)},
            tz=tz,
            closed_days=closed_days,
            extra_working_days=extra_working_days,
            extra_day_hours=day,
            china_holidays=True,
            noticed_years=noticed_years,
        )

    @classmethod
    def always(cls, tz: str = "Asia/Shanghai") -> BusinessCalendar:
        """The calendar-time clock: open 24 hours a day, every day (elapsed = wall-clock time)."""
        calendar = cls({d: [("00:00", "24:00")] for d in range(7)}, tz=tz)
        calendar.is_always = True
        return calendar

    # -- which hours a day has ------------------------------------------------------------------
    def day_hours(self, day: date) -> tuple[tuple[int, int], ...]:
        """Open intervals of a local day in seconds after midnight (empty when closed)."""
        if day in self.closed_days:
            return ()
        if day in self.extra_working_days:
            return self.weekly[day.weekday()] or self.extra_day_hours
        if self.china_holidays and day.year not in self.noticed_years:
            status = self.year_status(day.year)
            if status == "official":
                working = chinese_calendar.is_workday(day)
                return (self.weekly[day.weekday()] or self.extra_day_hours) if working else ()
            if status == "provisional" and day in statutory_holidays(day.year):
                return ()
        return self.weekly[day.weekday()]

    def year_status(self, year: int) -> str:
        """How well this calendar knows ``year``'s days off: ``official`` (the State Council notice),
        ``provisional`` (statutory holidays only: no bridging or make-up days yet), ``unknown``
        (weekly hours only), or ``weekly`` for a calendar that does not follow China's holidays."""
        if not self.china_holidays:
            return "weekly"
        if year in self.noticed_years or year in official_years():
            return "official"
        if year >= STATUTORY_SINCE and FIRST_YEAR <= year <= LAST_YEAR:
            return "provisional"
        return "unknown"

    def uncertain_years(self, start: datetime, end: datetime) -> list[int]:
        """The years between two aware datetimes (either order) whose days off are not official:
        a due time computed across them may move when the year's notice is known."""
        low, high = sorted((start.astimezone(self.tz).year, end.astimezone(self.tz).year))
        return [year for year in range(low, high + 1) if self.year_status(year) in ("provisional", "unknown")]

    # -- the interval table ---------------------------------------------------------------------
    def _build(self, first: date, last: date) -> _Table:
        starts, ends = [], []
        day = first
        while day <= last:
            midnight = datetime.combine(day, time())
            for a, b in self.day_hours(day):
                starts.append(to_micros((midnight + timedelta(seconds=a)).replace(tzinfo=self.tz)))
                ends.append(to_micros((midnight + timedelta(seconds=b)).replace(tzinfo=self.tz)))
            day += timedelta(days=1)
        s, e = np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
        cum = np.concatenate(([0], np.cumsum(e - s)[:-1])).astype(np.int64) if len(s) else s
        return _Table(first, last, s, e, cum)

    def _table_covering(self, lo: int, hi: int) -> _Table:
        """A table whose days cover the instants lo..hi (µs), padded by whole years."""
        table = self._table
        day_lo = (_EPOCH + timedelta(microseconds=lo)).astimezone(self.tz).date() - timedelta(days=1)
        day_hi = (_EPOCH + timedelta(microseconds=hi)).astimezone(self.tz).date() + timedelta(days=1)
        if table is not None and table.first <= day_lo and day_hi <= table.last:
            return table
        first = min(day_lo, table.first) if table else day_lo
        last = max(day_hi, table.last) if table else day_hi
        if last.year > _LAST_YEAR:
            raise OverflowError("the promise falls beyond the calendar's range")
        # Tables only grow, so a thread still holding the old one stays consistent.
        self._table = self._build(date(first.year - 1, 1, 1), date(last.year + 1, 12, 31))
        return self._table

    # -- the clock, vectorised --------------------------------------------------------------------
    def elapsed_micros(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Open microseconds between paired instants (µs arrays); negative where end < start."""
        starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
        if self.is_always or starts.size == 0:
            return ends - starts
        table = self._table_covering(int(min(starts.min(), ends.min())), int(max(starts.max(), ends.max())))
        return table.position(ends) - table.position(starts)

    def add_micros(self, starts: np.ndarray, durations: np.ndarray) -> np.ndarray:
        """The instant each duration (µs of open time, ≥ 0) is used up after each start (µs)."""
        starts, durations = np.asarray(starts, dtype=np.int64), np.asarray(durations, dtype=np.int64)
        if np.any(durations < 0):
            raise ValueError("a promise duration cannot be negative")
        if self.is_always or starts.size == 0:
            return starts + durations
        # Open time is at most a quarter of wall time for office hours; 5x plus a month covers
        # most spans at once, and the loop widens the table for the rest.
        span = int(durations.max()) * 5 + 86_400 * 10**6 * 30
        while True:
            table = self._table_covering(int(starts.min()), int(starts.max()) + span)
            targets = table.position(starts) + durations
            if len(table.starts) and targets.max() <= table.cum_after[-1]:
                break
            span *= 2
        result = table.instant(np.where(durations > 0, targets, 1))
        return np.where(durations > 0, result, starts)

    # -- the clock, one promise at a time ----------------------------------------------------------
    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The aware datetime (in this calendar's zone) at which ``duration`` of open time after
        ``start`` is used up. Zero duration returns ``start``. Raises ValueError for a naive start or
        a negative duration."""
        result = self.add_micros(np.array([to_micros(start)]), np.array([micros_of(duration)]))
        return (_EPOCH + timedelta(microseconds=int(result[0]))).astimezone(self.tz)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Open time between two aware datetimes; negative when ``end`` precedes ``start``."""
        result = self.elapsed_micros(np.array([to_micros(start)]), np.array([to_micros(end)]))
        return timedelta(microseconds=int(result[0]))

    def __repr__(self) -> str:
        kind = "always" if self.is_always else ("china" if self.china_holidays else "weekly")
        return f"BusinessCalendar({kind}, tz={self.tz_name!r})"
