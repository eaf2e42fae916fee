"""The one translation catalog: every visible string goes through ``t``.

Languages are ``"zh"`` and ``"en"``. Strings live in ``crm_core/locales/<area>.py`` as
``MESSAGES = {key: {"en": ..., "zh": ...}}``; placeholders use ``str.format`` names.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
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


def language_of_request(chosen: str | None, accept_language: str) -> str:
    """The language of a plain web page (sign-in, survey form): ``?lang=`` when it names one, else
    the first language of the browser's Accept-Language header."""
    if chosen in LANGUAGES:
        return chosen
    first = accept_language.split(",")[0].split(";")[0].strip()
    return language_from_locale(first or None)


def join_list(items, lang: str) -> str:
    """Items of a running list: 甲、乙、丙 in Chinese, "a, b, c" in English."""
    return ("、" if lang == "zh" else ", ").join(map(str, items))


def t(key: str, lang: str, **params) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in.

    A missing key returns the key itself (visible in the UI and caught by the catalog test)
    rather than raising, so one missing string never takes a page down.
    """
    texts = CATALOG.get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get("en") or key
    return _choose_plurals(text, params).format(**params) if params else text


# The one plural rule: a catalog text writes ``{count!p:row|rows}`` where English needs a noun
# agreeing with a number; ``t`` puts the first form for a count of exactly 1 and the second for any
# other (0 rows, 2 rows, 1.5 rows). The count may be a number or its formatted text ("1", "1,204").
# The field name stays ``count``, so both languages declare the same placeholders; Chinese has no
# plural and simply writes ``{count}`` (or a bare noun).
PLURAL = re.compile(r"\{(\w+)!p:([^|{}]*)\|([^{}]*)\}")


def is_one(count) -> bool:
    """Whether ``count`` (a number or a formatted number) takes the singular in English."""
    try:
        return float(str(count).replace(",", "").strip()) == 1
    except ValueError:
        return False


def plural(count, one: str, many: str) -> str:
    """``one`` for a count of exactly 1, else ``many`` — English's rule (1 row, 0 rows, 2 rows)."""
    return one if is_one(count) else many


def _choose_plurals(text: str, params: dict) -> str:
    return PLURAL.sub(lambda m: plural(params.get(m.group(1)), m.group(2), m.group(3)), text)


def format_number(value, lang: str, decimals: int = 0) -> str:
    """Thousands-separated number; ``—`` for a missing value (never a made-up 0)."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{float(value) if isinstance(value, Decimal) else value:,.{decimals}f}"


CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$"}


def currency_symbol(currency: str | None = None) -> str:
    """What goes before an amount of ``currency`` (default: the store's): its symbol, else its code
    and a space (``CHF 12``). THE prefix of every amount: cards, grids, files and the report."""
    currency = currency or store_currency()
    return CURRENCY_SYMBOLS.get(currency, currency + " ")


def format_money(value, lang: str, currency: str | None = None) -> str:
    """Money the way each audience reads it: ¥1,234,567 / 123.5万 in Chinese. Without ``currency``,
    in the store's currency (CRM_CURRENCY): every amount shown says which currency it is in."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    amount = float(value)
    symbol = currency_symbol(currency)
    if lang == "zh" and abs(amount) >= 100_000_000:
        return f"{symbol}{amount / 100_000_000:,.2f}亿"
    if lang == "zh" and abs(amount) >= 10_000:
        return f"{symbol}{amount / 10_000:,.1f}万"
    return f"{symbol}{amount:,.0f}"


def format_money_exact(value, currency: str | None = None) -> str:
    """Money to the cent with its symbol, the same in both languages (¥53,371,234.50): the full
    value a compact card puts in its tooltip."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{currency_symbol(currency)}{float(value):,.2f}"


# -- compact forms for KPI cards ------------------------------------------------------------------
# THE rule for when a card is compacted: its full text is longer than CARD_CHARS characters. 7 is
# what the narrowest cards (five in a row at 1280 × 720 beside the sidebar, ~150 px of 36 px digits)
# hold without Streamlit cutting the value ("¥53,371,…"); the full value then goes to the tooltip.
CARD_CHARS = 7
# Units per language, largest first: Chinese counts in 万 (10⁴) and 亿 (10⁸), English in K/M/B/T.
COMPACT_UNITS = {"zh": ((100_000_000, "亿"), (10_000, "万")),
                 "en": ((10**12, "T"), (10**9, "B"), (10**6, "M"), (1_000, "K"))}


def _significant(mantissa: float) -> str:
    """Three significant digits without cutting the integer part (1.23, 53.4, 534, 5,337), trailing
    zeros dropped (1.5, not 1.50). Rounds to nearest as Python's format does."""
    decimals = 0 if mantissa >= 100 else 1 if mantissa >= 10 else 2
    text = f"{mantissa:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def compact_number(value, lang: str) -> str:
    """A number in the language's short form: 53,371,234 → 5,337万 (zh) / 53.4M (en); below the
    smallest unit (10,000 in Chinese, 1,000 in English) the whole number with separators."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    amount = float(value)
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    units = COMPACT_UNITS["zh" if lang == "zh" else "en"]
    for index, (base, unit) in enumerate(units):
        if size >= base:
            text = _significant(size / base)
            bigger = units[index - 1] if index else None
            if bigger and float(text.replace(",", "")) * base >= bigger[0]:  # 9,999.7万 rounds to 1亿
                return f"{sign}{_significant(size / bigger[0])}{bigger[1]}"
            return f"{sign}{text}{unit}"
    return f"{sign}{size:,.0f}"


def compact_money(value, lang: str, currency: str | None = None) -> str:
    """Money in the short form: ¥5,337万 / ¥1.23亿 (zh), ¥53.4M (en); the symbol as format_money."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    symbol = currency_symbol(currency)
    text = compact_number(value, lang)
    return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"


def card_text(full: str, compact: str) -> str:
    """What a KPI card shows: ``full`` when it fits (CARD_CHARS), else ``compact``."""
    return full if len(full) <= CARD_CHARS else compact


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
