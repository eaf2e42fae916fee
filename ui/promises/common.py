"""Promises page plumbing: "now", cached reads keyed on (db path, generation, user, params), and
turning frames into labelled, coloured display tables. No business logic here."""
from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from crm_core.promises import actions, notices, queries, reports
from crm_core.promises.text import format_duration, label, policy_label
from crm_core.users import PermissionDenied
from ui.cache import cached_read
from ui.common import lang, plain, store, tr

STATUS_COLOURS = {"open_warning_1": "#fff3bf", "open_warning_2": "#ffd8a8", "open_breached": "#ffc9c9",
                  "breached": "#ffe3e3", "met": "#d3f9d8"}


def attempt(write) -> tuple[bool, object]:
    """Run a promise write; a refusal (permission, or a rule with a catalog key) is shown in place,
    its parameters (a policy id, a pasted notice cell) as literal text. Returns (done, what the write returned)."""
    try:
        return True, write()
    except PermissionDenied as error:
        st.error(tr(error.key))
    except actions.PromiseError as error:
        st.error(tr(error.key, **{name: plain(value) for name, value in error.params.items()}))
    return False, None


def now_instant(db) -> datetime:
    """The moment the page judges promises at: the wall clock in the store's zone, to the second.
    Tests and demos may pin it with ``st.session_state["promises_now"]`` (a datetime or ISO text)."""
    pinned = st.session_state.get("promises_now")
    zone = ZoneInfo(store().timezone)
    if pinned:
        moment = datetime.fromisoformat(pinned) if isinstance(pinned, str) else pinned
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return datetime.now(zone).replace(microsecond=0)


def moment_input(db, key: str, now: datetime, now_label: str = "promises.detail.when_now") -> datetime:
    """"Just now" (default) or a date and time typed by the user, as an aware datetime."""
    if st.checkbox(tr(now_label), value=True, key=f"{key}_now"):
        return now
    left, right = st.columns(2)
    day = left.date_input(tr("promises.detail.when_date"), value=now.date(), key=f"{key}_date")
    clock = right.time_input(tr("promises.detail.when_time"), value=time(now.hour, now.minute), key=f"{key}_time",
                             step=60)
    return datetime.combine(day, clock, tzinfo=ZoneInfo(db.timezone))


# -- cached reads (now is part of the key: the board is live) -------------------------------------
@cached_read(ttl=600, max_entries=16)
def remedies_owed(db, user) -> tuple[int, float]:
    with closing(db.system_cursor()) as system:  # narrowed to the user's promises in the query (access)
        return queries.remedies_owed(system, user)


@cached_read(ttl=600, max_entries=16)
def overview_rows(db, user, day: date) -> queries.JudgedRows:
    """``queries.overview_rows`` for the moments of ``day`` (its noon: they do not depend on the clock)."""
    return queries.overview_rows(db, user, datetime.combine(day, time(12), tzinfo=ZoneInfo(store().timezone)))


@cached_read(ttl=60, max_entries=16)
def overview(db, user, now: datetime) -> dict:
    # What does not move with the clock is kept until the next write, not read each second: the
    # remedies owed, and the promises the numbers judge (every open one, those closed on the days
    # of the 30-day window not kept by the promise fit job); those are judged here at ``now``.
    return queries.overview(db, user, now, owed=remedies_owed(db, user), rows=overview_rows(db, user, now.date()))


@cached_read(ttl=600, max_entries=32)
def board_listing(db, user, owner, promise_type) -> queries.BoardListing:
    return queries.board_listing(db, user, owner, promise_type)


def board(db, user, now: datetime, owner, promise_type) -> pd.DataFrame:
    """The Now board at ``now``: its candidates kept until the next write (they do not depend on
    the clock), judged at each run's ``now`` (a few hundred rows, milliseconds)."""
    return queries.judge_board(db, board_listing(db, user, owner, promise_type), user, now)


@cached_read(ttl=600, max_entries=16)
def latest_business_due(db, user):
    return queries.latest_business_due(db, user)


def uncertain_years(db, user, now: datetime) -> list[int]:
    """``queries.uncertain_calendar_years``: the latest due kept until the next write, the years from it at ``now``."""
    return queries.uncertain_years_until(db, latest_business_due(db, user), now)


@cached_read(ttl=600, max_entries=16)
def notice_days(db, year: int) -> list:
    return notices.notice_days(db, year)


@cached_read(ttl=600, max_entries=16)
def complaint_listing(db, user) -> queries.ComplaintListing:
    return queries.complaint_listing(db, user)


def complaints(db, user, now: datetime) -> pd.DataFrame:
    """The complaint board at ``now``: the complaints kept until the next write (they do not depend
    on the clock), their promises judged at each run's ``now`` (a few hundred rows, milliseconds)."""
    return queries.judge_complaints(db, complaint_listing(db, user), user, now)


@cached_read(ttl=600, max_entries=16)
def performance(db, user, start: datetime, end: datetime) -> dict:
    return reports.performance(db, user, start, end, end)


@cached_read(ttl=600, max_entries=8)
def owners(db, user) -> list[str]:
    return queries.known_owners(db, user)


@cached_read(ttl=600, max_entries=8)
def policies(db) -> list:
    return queries.latest_policies(db)


# Drawn on every run of the page (the policies tab is not lazy) and counting every promise made
# under each version: kept until the next write instead of re-counted on each rerun.
@cached_read(ttl=600, max_entries=16)
def policy_history(db, policy_id: str) -> pd.DataFrame:
    return queries.policy_history(db, policy_id)


@cached_read(ttl=120, max_entries=64)
def customer_ledger(db, user, customer_id: int, now: datetime) -> pd.DataFrame:
    return queries.customer_ledger(db, user, customer_id, now)


# -- display --------------------------------------------------------------------------------------
def local_text(value, with_seconds: bool = True) -> str:
    """A timestamp as local text (the store's zone), or — when missing."""
    if value is None or pd.isna(value):
        return "—"
    zone = ZoneInfo(store().timezone)
    stamp = pd.Timestamp(value).tz_convert(zone)
    return stamp.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def local_texts(values: pd.Series, with_seconds: bool = True) -> pd.Series:
    """``local_text`` of every value of a column at once (one zone lookup, no per-cell work): a
    board of 200 rows has ~800 timestamps to show."""
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.map(lambda value: local_text(value, with_seconds))
    shown = values.dt.tz_convert(ZoneInfo(store().timezone)).dt.strftime(
        "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")
    return shown.where(values.notna(), "—").astype(object)


def left_text(seconds, paused: bool = False, business: bool = False) -> str:
    """Time left, or "overdue …" once negative; "paused · …" for a frozen promise. Business-hours
    durations are shown in hours (a 24-hour "day" of open time would mislead)."""
    language = lang()
    if seconds is None or pd.isna(seconds):
        return "—"
    text = format_duration(seconds, language, days=not business)
    if seconds < 0:
        text = tr("promises.board.overdue_by", d=text)
    return tr("promises.board.paused", d=text) if paused else text


def labelled(frame: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """``columns`` maps display column → function(row frame) → Series; headings from promises.col.*."""
    return pd.DataFrame({tr(f"promises.col.{name}"): make(frame) for name, make in columns.items()})


def status_text(series: pd.Series) -> pd.Series:
    language = lang()
    return series.map(lambda s: label("status", s, language))


def coloured(shown: pd.DataFrame, statuses: dict):
    """A Styler colouring cells by live status (warning points, overdue): ``statuses`` maps a
    column key (``promises.col.<key>``) to the statuses of its rows."""
    colours = {tr(f"promises.col.{key}"): [STATUS_COLOURS.get(s, "") for s in values]
               for key, values in statuses.items()}

    def paint(col: pd.Series):
        return [f"background-color: {c}" if c else "" for c in colours.get(col.name, [""] * len(col))]

    return shown.style.apply(paint, axis=0)


def due_text(frame: pd.DataFrame) -> list[str]:
    """Due times as local text, marked provisional where the business calendar does not know the
    year's holiday notice yet (rows without a ``clock`` column are shown as they are)."""
    texts = local_texts(frame["due_at"])
    if "clock" not in frame.columns:
        return list(texts)
    provisional = queries.due_is_provisional(store(), frame)
    return [tr("promises.due.provisional", due=text) if flag else text for text, flag in zip(texts, provisional)]


def promise_columns(language: str) -> dict:
    """The columns every promise list shows, from a frame of board / ledger rows."""
    return {
        "promise_id": lambda f: f["promise_id"],
        "policy": lambda f: f["policy_id"].map(lambda p: policy_label(p, language)),
        "promise_type": lambda f: f["promise_type"].map(lambda p: label("type", p, language)),
        "owner": lambda f: f["owner"],
        "made_at": lambda f: local_texts(f["made_at"]),
        "due_at": due_text,
        "status": lambda f: status_text(f["status"]),
    }
