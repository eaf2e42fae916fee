"""The weekly management report by e-mail: the Overview's management report (crm_core.report) for
the default analysis date, in the language an admin chose, to the addresses an admin set, once per
ISO week (outbox dedupe key ``weekly_report:{iso_year}-W{week}:{address}``).

The report is made as ``SYSTEM_ACTOR`` (the whole company, manager level) and each mail is audited
as an export, as every download of the report is. The PDF needs Chromium and a Chinese font
(crm_core.report.printing); without them the HTML document of the same report is attached instead
(no charts: they are drawn by the same browser) and the mail says so.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm_core.alerts import SYSTEM_ACTOR
from crm_core.alerts.config import channels, weekly_report_settings
from crm_core.alerts.messages import render
from crm_core.alerts.outbox import OutboxRow, deliver_due, enqueue
from crm_core.analysis_date import data_span, default_from_span
from crm_core.audit import record_event
from crm_core.i18n import format_date
from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.queries import business_calendar
from crm_core.report import ChromiumMissing, build_pdfs, file_name
from crm_core.report.document import html_document
from crm_core.report.figures import gather
from crm_core.store import Store

_log = logging.getLogger(__name__)
SEND_AT = time(8, 30)  # Monday 08:30: in the inbox before the week's first meeting


def week_key(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def dedupe_key(now: datetime, address: str) -> str:
    return f"weekly_report:{week_key(now)}:{address}"


def _first_business_day(monday: date, calendar: BusinessCalendar) -> date | None:
    return next((day for day in (monday + timedelta(d) for d in range(7)) if calendar.day_hours(day)), None)


def scheduled_in_week(monday: date, calendar: BusinessCalendar) -> datetime:
    """When the week of ``monday`` gets its report: Monday 08:30 when Monday is a business day,
    else the opening of the week's first business day (after a holiday such as National Day),
    Monday 08:30 for a week without one."""
    first = _first_business_day(monday, calendar)
    if first is None or first == monday:
        return datetime.combine(monday, SEND_AT, tzinfo=calendar.tz)
    opening = calendar.day_hours(first)[0][0]
    return datetime.combine(first, time(), tzinfo=calendar.tz) + timedelta(seconds=opening)


def next_weekly_report_at(after: datetime, calendar: BusinessCalendar | None = None) -> datetime:
    """The first scheduled weekly-report time strictly after ``after`` (aware; its zone is the
    store's). ``calendar``: the store's business calendar (default: China's, in ``after``'s zone,
    without the notices entered in a store)."""
    calendar = calendar or business_calendar(getattr(after.tzinfo, "key", "Asia/Shanghai"))
    local = after.astimezone(calendar.tz)
    monday = local.date() - timedelta(days=local.weekday())
    for weeks in range(3):
        moment = scheduled_in_week(monday + timedelta(weeks=weeks), calendar)
        if moment > local:
            return moment
    raise AssertionError("unreachable: a later week always has a later time")


def _as_of(store: Store, now: datetime) -> date:
    """The app's default analysis date on ``now``'s day (the last transaction day of stale data)."""
    return default_from_span(data_span(store)[1], now.date())[0]


def make_report(store: Store, now: datetime, lang: str, as_of: date, pdf: bool = True) -> tuple[bytes, str, bool]:
    """(document, file name, is_pdf): the PDF, or — without Chromium, or ``pdf=False`` — the HTML."""
    if pdf:
        try:
            return build_pdfs(store, SYSTEM_ACTOR, as_of, (lang,), now=now)[lang], file_name(as_of, lang), True
        except ChromiumMissing:
            pass
        except (RuntimeError, OSError, TimeoutError):  # the browser crashed or hung: the figures still go out
            _log.exception("the weekly report's PDF could not be printed; sending its HTML")
    figures = gather(store, SYSTEM_ACTOR, as_of, now)
    document = html_document(figures, lang, SYSTEM_ACTOR, {})
    return document.encode("utf-8"), file_name(as_of, lang).removesuffix(".pdf") + ".html", False


def weekly_report_job(store: Store, now: datetime, *, pdf: bool = True) -> dict:
    """Queue and send this ISO week's report to every address that has not had it; a second run in
    the same week sends nothing. Returns counts (``queued``, then the outbox's ``sent`` …) or
    ``skipped`` with the reason (no addresses, no e-mail channel, already sent this week)."""
    now = now.astimezone(ZoneInfo(store.timezone))  # the ISO week and the analysis date of the store's zone
    settings = weekly_report_settings(store)
    email = next((c for c in channels(store) if c.enabled and c.kind == "email"), None)
    if not settings["addresses"]:
        return {"skipped": "no_addresses"}
    if email is None:
        return {"skipped": "no_email_channel"}
    queued_before = _queued(store, now)
    missing = [a for a in settings["addresses"] if dedupe_key(now, a) not in queued_before]
    if not missing:
        return {"skipped": "sent_this_week"}
    lang = settings["language"]
    as_of = _as_of(store, now)
    document, name, is_pdf = make_report(store, now, lang, as_of, pdf)
    subject, text, body_html = render("weekly_report" if is_pdf else "weekly_report_html", lang, store.timezone,
                                      {"week": week_key(now), "as_of": format_date(as_of, lang)})
    rows = [OutboxRow(dedupe_key=dedupe_key(now, address), kind="weekly_report", promise_id=None, recipient=address,
                      channel_id=email.channel_id, address=address, subject=subject, body=text, html=body_html,
                      created_at=now, not_before=now, attachment=document, attachment_name=name)
            for address in missing]
    queued = enqueue(store, rows)
    for address in missing:  # the report leaves the store: audited like its download
        record_event(store, SYSTEM_ACTOR, "export", "file", f"{name} (weekly report to {address})")
    return {"queued": queued, "pdf": is_pdf, **deliver_due(store, now)}


def _queued(store: Store, now: datetime) -> set[str]:
    frame = store.query_df("SELECT dedupe_key FROM alert_outbox WHERE dedupe_key LIKE ?",
                           [f"weekly_report:{week_key(now)}:%"])
    return set(frame["dedupe_key"])
