"""A unit written after a column header — ``金额（元）``, ``金额(万元)``, ``Amount (USD)``, ``数量[件]`` —
split off for matching the header, and read as a money unit (scale and currency) where it is one.

Headers are matched without their unit (``金额（万元）`` is the amount column); the pipeline applies a
money unit to every value of the column (``12.5`` under ``万元`` is ¥125,000) and checks its currency
against the store's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from crm_core.models import FOLD_TABLE

# A trailing bracketed part in any bracket style people type: (), （）, [], 【】, 〔〕.
_TRAILING_UNIT = re.compile(r"^(?P<base>.*?)\s*[(\[【〔]\s*(?P<unit>[^()\[\]【】〔〕]{1,12})\s*[)\]】〕]\s*$", re.S)


@dataclass(frozen=True)
class MoneyUnit:
    """Values of the column are multiplied by 10**shift and are in ``currency`` (None: not said)."""

    shift: int = 0
    currency: str | None = None


CURRENCY_WORDS = {
    "元": "CNY", "人民币": "CNY", "人民币元": "CNY", "rmb": "CNY", "cny": "CNY", "¥": "CNY",
    "美元": "USD", "usd": "USD", "us$": "USD", "$": "USD",
    "港元": "HKD", "港币": "HKD", "hkd": "HKD", "hk$": "HKD",
    "欧元": "EUR", "eur": "EUR", "€": "EUR",
    "日元": "JPY", "jpy": "JPY", "英镑": "GBP", "gbp": "GBP", "£": "GBP",
}
_SCALES = {"": 0, "十": 1, "百": 2, "千": 3, "万": 4, "十万": 5, "百万": 6, "千万": 7, "亿": 8}
_SCALE_WORDS = {"thousand": 3, "k": 3, "million": 6, "m": 6, "mn": 6}


def split_unit(header: str) -> tuple[str, str | None]:
    """``("金额", "元")`` for ``金额（元）``; ``(header, None)`` when it has no bracketed unit.

    Line breaks inside the header (Alt+Enter in Excel) count as spaces.
    """
    text = " ".join((header or "").translate(FOLD_TABLE).split())
    match = _TRAILING_UNIT.match(text)
    if not match or not match.group("base").strip():
        return text, None
    return match.group("base").strip(), match.group("unit").strip()


def money_unit(unit: str | None) -> MoneyUnit | None:
    """The scale and currency a unit text means (``万元`` → ×10⁴ CNY), or None when it is not money
    (``件``, ``kg``, ``%``)."""
    if not unit:
        return None
    text = unit.strip().lower().replace(" ", "")
    if text in CURRENCY_WORDS:
        return MoneyUnit(0, CURRENCY_WORDS[text])
    for scale, shift in sorted(_SCALES.items(), key=lambda item: -len(item[0])):
        if scale and text.startswith(scale) and text[len(scale):] in CURRENCY_WORDS:
            return MoneyUnit(shift, CURRENCY_WORDS[text[len(scale):]])
    for word, shift in _SCALE_WORDS.items():  # "USD thousand", "thousand USD", "CNY k"
        for rest in (text.removeprefix(word), text.removesuffix(word)):
            if rest != text and rest in CURRENCY_WORDS:
                return MoneyUnit(shift, CURRENCY_WORDS[rest])
    if text in _SCALES and text:  # （万） alone: a scale, currency not said
        return MoneyUnit(_SCALES[text], None)
    return None
