"""The one translation catalog: every visible string goes through ``t``.

Languages are ``"zh"`` and ``"en"``. Strings live in ``crm_core/locales/<area>.py`` as
``MESSAGES = {key: {"en": ..., "zh": ...}}``; placeholders use ``str.format`` names.
"""
from __future__ import annotations

import importlib
import pkgutil
from datetime import date, datetime
from decimal import Decimal

from crm_core import locales
from crm_core.config import store_currency

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def _load_catalog() -> dict[str, dict[str, str]]:
    catalog: dict[str, dict[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(locales.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{locales.__name__}.{module_info.name}")
        for key, texts in module.MESSAGES.items():
            if key in catalog:
                raise RuntimeError(f"message key {key!r} defined twice (in {module_info.name})")
            catalog[key] = texts
    return catalog


CATALOG = _load_catalog()


def language_from_locale(locale: str | None) -> str:
    """Map a browser locale such as ``zh-CN`` or ``en-US`` to a UI language."""
    if locale and locale.lower().startswith("en"):
        return "en"
    if locale and locale.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


def t(key: str, lang: str, **params) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in.

    A missing key returns the key itself (visible in the UI and caught by the catalog test)
    rather than raising, so one missing string never takes a page down.
    """
    texts = CATALOG.get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get("en") or key
    return text.format(**params) if params else text


def format_number(value, lang: str, decimals: int = 0) -> str:
    """Thousands-separated number; ``—`` for a missing value (never a made-up 0)."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{float(value) if isinstance(value, Decimal) else value:,.{decimals}f}"


CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$"}


def format_money(value, lang: str, currency: str | None = None) -> str:
    """Money the way each audience reads it: ¥1,234,567 / 123.5万 in Chinese. Without ``currency``,
    in the store's currency (CRM_CURRENCY): every amount shown says which currency it is in."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    amount = float(value)
    currency = currency or store_currency()
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    if lang == "zh" and abs(amount) >= 100_000_000:
        return f"{symbol}{amount / 100_000_000:,.2f}亿"
    if lang == "zh" and abs(amount) >= 10_000:
        return f"{symbol}{amount / 10_000:,.1f}万"
    return f"{symbol}{amount:,.0f}"


def format_percent(value, lang: str, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{100 * float(value):.{decimals}f}%"


def format_date(value: date | datetime | None, lang: str) -> str:
    if value is None or value != value:  # None, NaN or NaT
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y年%m月%d日 %H:%M" if lang == "zh" else "%Y-%m-%d %H:%M")
    return value.strftime("%Y年%m月%d日" if lang == "zh" else "%Y-%m-%d")
