"""KPI cards that are never cut: the one way a page shows money or a count in ``st.metric``.

A card shows the full value when it fits (crm_core.i18n.CARD_CHARS), else the compact form
(¥5,337万 / ¥53.4M, 15.5万 / 155K) with the full value first in the card's tooltip.
"""
from __future__ import annotations

from crm_core.i18n import card_text, compact_money, compact_number, format_money, format_money_exact, format_number
from ui.common import lang, tr


def _with_full(full: str, shown: str, help: str | None) -> str | None:
    """The tooltip: the full value when the card shows a compact one, then the card's own help."""
    if shown == full:
        return help
    head = tr("metric.full_value", value=full)
    return f"{head}\n\n{help}" if help else head


def money_metric(where, label: str, value, *, currency: str | None = None, help: str | None = None, **options):
    """``where.metric`` for an amount (``where`` is ``st`` or a column); ``options`` go to st.metric
    (delta, delta_color, …)."""
    language = lang()
    full = format_money(value, language, currency)
    shown = card_text(full, compact_money(value, language, currency))
    # Whole units (¥22,037) count as exact; anything in 万/亿 or K/M/B gets the amount to the cent
    # in the tooltip — Chinese full text is already in 万 (format_money), so compare with whole units.
    whole = format_money(value, "en", currency)
    exact = whole if shown == whole else format_money_exact(value, currency)
    return where.metric(label, shown, help=_with_full(exact, shown, help), **options)


def count_metric(where, label: str, value, *, help: str | None = None, **options):
    """``where.metric`` for a count: a whole number (never 155.126), compact when it is long."""
    language = lang()
    whole = None if value is None or value != value else round(float(value))
    full = format_number(whole, language)
    shown = card_text(full, compact_number(whole, language))
    return where.metric(label, shown, help=_with_full(full, shown, help), **options)
