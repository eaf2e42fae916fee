"""Calendar export (RFC 5545 ``.ics``) of key dates and deliveries, for a rep's phone calendar.

All-day events (``DTSTART;VALUE=DATE`` with ``DTEND`` the next day), CRLF line endings, lines
folded at 75 octets without splitting a UTF-8 character, TEXT values escaped. UIDs are stable
(derived from the event, or given): importing the same export twice updates the events
instead of doubling them.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from crm_core.i18n import t

_LIMIT = 75  # octets per physical line, CRLF excluded (RFC 5545 §3.1)


def escape_text(value: str) -> str:
    """A TEXT property value escaped per RFC 5545 §3.3.11 (backslash, ``;``, ``,``, newlines)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold_line(line: str) -> str:
    """``line`` folded into physical lines of at most 75 octets, joined by CRLF + space.

    Breaks fall between characters, never inside a multi-byte UTF-8 sequence.
    """
    if len(line.encode("utf-8")) <= _LIMIT:
        return line
    pieces, current, size, limit = [], [], 0, _LIMIT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, _LIMIT - 1  # continuation lines start with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _event_uid(row_date: date, summary: str, description: str) -> str:
    digest = hashlib.sha1(f"{row_date}|{summary}|{description}".encode()).hexdigest()[:20]
    return f"{digest}@kehu"


def _event_lines(day: date, summary: str, description: str, uid: str, stamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{escape_text(uid)}", f"DTSTAMP:{stamp}",
             f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
             f"SUMMARY:{escape_text(summary)}", "TRANSP:TRANSPARENT"]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    return lines + ["END:VEVENT"]


def to_ics(events: pd.DataFrame, calendar_name: str, stamp: datetime | None = None) -> bytes:
    """The events as an iCalendar file (UTF-8 bytes).

    ``events`` columns: ``date`` (the all-day event's day), ``summary``; optional
    ``description`` and ``uid`` (default: a hash of date, summary and description).
    ``stamp``: DTSTAMP (default now, UTC). Meant for one rep's list (thousands of events), not
    for the whole customer base. Raises ``KeyError`` if ``date`` or ``summary`` is missing.
    """
    stamp_text = (stamp or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    days = pd.to_datetime(events["date"]).dt.date
    summaries = events["summary"].astype(str)
    descriptions = (events["description"].fillna("").astype(str) if "description" in events
                    else pd.Series("", index=events.index))
    uids = events["uid"].astype(str) if "uid" in events else pd.Series(
        [_event_uid(d, s, x) for d, s, x in zip(days, summaries, descriptions)], index=events.index)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kehu//Kehu CRM//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"NAME:{escape_text(calendar_name)}",
             f"X-WR-CALNAME:{escape_text(calendar_name)}"]
    for day, summary, description, uid in zip(days, summaries, descriptions, uids):
        lines.extend(_event_lines(day, summary, description, uid, stamp_text))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold_line(line) for line in lines) + "\r\n").encode("utf-8")


def key_date_events(upcoming: pd.DataFrame, names: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Calendar events (date, summary, uid) for rows of :func:`crm_core.care.key_dates.upcoming_key_dates_sql`.

    ``names``: customer_id → name. Summary: "name — occasion (years)", with the custom label
    in place of the occasion where there is one. UIDs are customer, occasion and date, so a
    re-export updates the same events.
    """
    frame = upcoming.merge(names[["customer_id", "name"]], on="customer_id", how="left")
    occasion_text = frame["occasion"].map({key: t(f"care.occasion.{key}", lang)
                                           for key in frame["occasion"].unique()})
    label = frame["label"].where(frame["label"].notna() & (frame["label"].astype(str) != ""), occasion_text)
    years = frame["years"].astype("string")
    suffix = (" (" + years + ")").fillna("")
    day = pd.to_datetime(frame["date"])
    return pd.DataFrame({
        "date": day,
        "summary": frame["name"].fillna("").astype(str) + " — " + label.astype(str) + suffix,
        "uid": (frame["customer_id"].astype(str) + "-" + frame["occasion"].astype(str) + "-"
                + day.dt.strftime("%Y%m%d") + "@kehu"),
    })


def delivery_events(due: pd.DataFrame, names: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Calendar events for rows of :func:`deliveries_due`: a delivery on the run-out day and,
    where the payday is known, a payment reminder on it.

    ``names``: customer_id → name. UIDs are customer, product, kind and date (stable on re-export).
    """
    frame = due.merge(names[["customer_id", "name"]], on="customer_id", how="left")
    who = frame["name"].fillna("").astype(str)
    product = frame["product"].astype(str)
    key = frame["customer_id"].astype(str) + "-" + product.map(
        lambda p: hashlib.sha1(p.encode()).hexdigest()[:8])
    run_out = pd.to_datetime(frame["run_out"])
    deliveries = pd.DataFrame({
        "date": run_out,
        "summary": who + " — " + t("care.ics.deliver", lang) + " " + product,
        "uid": key + "-deliver-" + run_out.dt.strftime("%Y%m%d") + "@kehu",
    })
    paid = frame[frame["payment_reminder"].notna()]
    pay_day = pd.to_datetime(paid["payment_reminder"])
    payments = pd.DataFrame({
        "date": pay_day,
        "summary": who[paid.index] + " — " + t("care.ics.collect", lang) + " " + product[paid.index],
        "uid": key[paid.index] + "-pay-" + pay_day.dt.strftime("%Y%m%d") + "@kehu",
    })
    return pd.concat([deliveries, payments], ignore_index=True).sort_values("date", kind="stable")
