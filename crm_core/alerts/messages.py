"""The words of an alert, in the recipient's language: subject, plain text (mail body and robot
message) and the HTML alternative of a mail. Texts are catalog entries ``alerts.msg.<kind>.subject``
and ``alerts.msg.<kind>.body``; values from users (a customer's name, a complaint's text) are
escaped in the HTML and never read as markup."""
from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from crm_core.i18n import format_date, format_money, t
from crm_core.promises.text import label

MAX_QUOTE = 200  # characters of a complaint's text quoted in an alert


def when(moment: datetime | None, lang: str, tz: str) -> str:
    """An instant as the recipient reads it, in the store's zone: 2026年05月06日 09:00 / 2026-05-06 09:00."""
    return format_date(moment.astimezone(ZoneInfo(tz)) if moment is not None else None, lang)


def params_for(lang: str, tz: str, values: dict) -> dict:
    """Catalog placeholders from raw values: instants formatted, codes turned into labels."""
    out = dict(values)
    for key, value in values.items():
        if isinstance(value, datetime):
            out[key] = when(value, lang, tz)
    if "promise_type" in values:
        out["promise_type"] = label("type", values["promise_type"], lang)
    if "complaint_channel" in values:
        out["complaint_channel"] = label("channel", values["complaint_channel"], lang)
    if "remedy" in values:
        out["remedy"] = label("remedy", values["remedy"], lang)
    if "cost" in values:
        out["cost"] = format_money(values["cost"], lang)
    if "description" in values:
        text = str(values["description"] or "")
        out["description"] = text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"
    return out


def render(kind: str, lang: str, tz: str, values: dict) -> tuple[str, str, str]:
    """(subject, text, html) of an alert of ``kind`` for a reader of ``lang``."""
    params = params_for(lang, tz, values)
    subject = t(f"alerts.msg.{kind}.subject", lang, **params)
    text = t(f"alerts.msg.{kind}.body", lang, **params)
    escaped = {key: html.escape(str(value)) for key, value in params.items()}
    body_html = t(f"alerts.msg.{kind}.body", lang, **escaped)
    paragraphs = "".join(f"<p>{line}</p>" for line in body_html.split("\n") if line.strip())
    return subject, text, f"<html><body>{paragraphs}</body></html>"
