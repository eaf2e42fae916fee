"""A year's State Council holiday notice (放假安排): entered or imported by a manager.

A notice lists the days off ('holiday') and the make-up working days ('workday', 调休) of one year;
once entered, that year is ``official`` on the business calendar and follows these days alone
(``queries.business_calendar``). Entering a notice replaces the year's days in one transaction,
is audited, and recomputes the due and warning times of the open business-hours promises whose
span touches the year: each one the notice moves gets a ``recomputed`` event (same policy version,
``reason: holiday_notice``), so the log says why its due changed — history is not rewritten silently.

Errors a user can fix are ``PromiseError`` with a catalog key (``promises.notice.err.*``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime

from crm_core.audit import write_audit
from crm_core.china_calendar import FIRST_YEAR, LAST_YEAR
from crm_core.promises import ledger
from crm_core.promises.actions import PromiseError
from crm_core.promises.queries import calendar_from
from crm_core.promises.state import policy_version_in_force, stored_plan
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

# Words accepted in the CSV's kind column -> the stored kind.
KIND_WORDS = {"holiday": "holiday", "休": "holiday", "放假": "holiday",
              "workday": "workday", "班": "workday", "上班": "workday"}
AUDIT_ACTION = "holiday_notice"


def parse_notice_csv(text: str) -> list[tuple[date, str, str]]:
    """Rows ``date,kind,name`` (an optional header line; date YYYY-MM-DD; kind holiday/workday,
    休/班 or 放假/上班; name optional) as (day, 'holiday' | 'workday', name), in file order.
    Blank lines are skipped. Raises PromiseError naming the line number of the first bad row."""
    rows: list[tuple[date, str, str]] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in ("date", "day", "日期"):
            continue
        if len(cells) < 2 or len(cells) > 3:
            raise PromiseError("promises.notice.err.columns", row=number)
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            raise PromiseError("promises.notice.err.date", row=number, value=cells[0]) from None
        kind = KIND_WORDS.get(cells[1].lower())
        if kind is None:
            raise PromiseError("promises.notice.err.kind", row=number, value=cells[1])
        rows.append((day, kind, cells[2] if len(cells) == 3 else ""))
    if not rows:
        raise PromiseError("promises.notice.err.empty")
    return rows


def _validated(year: int, rows: Sequence[tuple]) -> list[tuple[date, str, str]]:
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise PromiseError("promises.notice.err.year", year=year)
    if not rows:
        raise PromiseError("promises.notice.err.empty")
    clean = []
    for row in rows:
        day, kind, name = (tuple(row) + ("",))[:3]
        if not isinstance(day, date) or isinstance(day, datetime):
            raise PromiseError("promises.notice.err.date", row=len(clean) + 1, value=str(day))
        if day.year != int(year):
            raise PromiseError("promises.notice.err.other_year", day=day.isoformat(), year=year)
        stored = KIND_WORDS.get(str(kind).strip().lower())
        if stored is None:
            raise PromiseError("promises.notice.err.kind", row=len(clean) + 1, value=str(kind))
        clean.append((day, stored, str(name or "").strip()))
    repeated = sorted(day for day, count in Counter(day for day, _, _ in clean).items() if count > 1)
    if repeated:
        raise PromiseError("promises.notice.err.duplicate", day=repeated[0].isoformat())
    return sorted(clean)


def summary(year: int, rows: Sequence[tuple[date, str, str]]) -> str:
    """The audit text of a notice: ``"2027: 8 holidays, 1 workdays"``."""
    kinds = Counter(kind for _, kind, _ in rows)
    return f"{year}: {kinds['holiday']} holidays, {kinds['workday']} workdays"


def enter_notice(store: Store, actor: Actor, year: int, rows: Sequence[tuple], at: datetime | None = None) -> int:
    """Store ``year``'s notice (rows of (day, kind, name)), replacing any earlier one for that year,
    audit it, and recompute the open business-hours promises whose made→due span touches the year
    (a ``recomputed`` event on each one whose due or warning times move), all in one transaction.
    ``at``: when the recompute is recorded (default now; never before a promise's latest event).
    Returns the number of promises recomputed. Managers and admins only.
    Raises PermissionDenied, PromiseError (nothing is written then)."""
    actor.require_write()
    if not actor.can_manage:
        raise PermissionDenied("promises.err.notice_managers_only")
    year = int(year)
    clean = _validated(year, rows)
    at = at or datetime.now(UTC)
    with store.transaction() as cur:
        before = cur.execute("SELECT kind FROM holiday_notices WHERE year = ?", [year]).fetchall()
        cur.execute("DELETE FROM holiday_notices WHERE year = ?", [year])
        cur.executemany(
            "INSERT INTO holiday_notices (day, kind, name, year, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?)",
            [[day, kind, name or None, year, actor.name, at] for day, kind, name in clean])
        old = summary(year, [(None, k, "") for (k,) in before]) if before else None
        write_audit(cur, actor, AUDIT_ACTION, "holiday_notices", year, None, old, summary(year, clean))
        return _recompute_year(cur, calendar_from(cur, store.timezone), year, at, actor.name)


def _recompute_year(cur, calendar, year: int, at: datetime, actor: str) -> int:
    """Recompute the open business-hours promises made by the end of ``year`` whose due (stored, or
    growing while paused) reaches into it; returns how many moved (a ``recomputed`` event each)."""
    # The cursor's TimeZone is the store's, so year() is the local year.
    candidates = cur.execute(
        "SELECT promise_id, due_at, warn1_at, warn2_at FROM promises "
        "WHERE status = 'open' AND clock = 'business' AND year(made_at) <= $year "
        "AND (year(due_at) >= $year OR paused_at IS NOT NULL) ORDER BY promise_id",
        {"year": year}).fetchall()
    moved = 0
    for promise_id, due, warn1, warn2 in candidates:
        promise, events = ledger.load_promise(cur, int(promise_id))
        version = policy_version_in_force(promise, events)
        policy = ledger.load_policy(cur, promise.policy_id, version)
        when = max([at] + [e.at for e in events])
        plan = stored_plan(promise, events, policy, calendar, when)
        if (plan["due_at"], plan["warn1_at"], plan["warn2_at"]) == (due, warn1, warn2):
            continue
        ledger.record_event(cur, int(promise_id), "recomputed", when, actor, calendar,
                            {"policy_version": version, "reason": "holiday_notice", "year": year,
                             "due_before": due.isoformat()})
        moved += 1
    return moved


def notice_days(store: Store, year: int) -> list[tuple[date, str, str]]:
    """The entered notice of ``year`` as (day, kind, name) in day order (empty when none)."""
    frame = store.query_df("SELECT day, kind, coalesce(name, '') AS name FROM holiday_notices WHERE year = ? "
                           "ORDER BY day", [int(year)])
    return [(d.date() if isinstance(d, datetime) else d, k, n) for d, k, n in frame.itertuples(index=False)]
