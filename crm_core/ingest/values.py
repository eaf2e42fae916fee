"""Values as people write them, normalised twice over: in Python (one value) and as DuckDB SQL (a column).

Each normaliser is a ``Normaliser`` with ``py(raw) -> Parsed`` and ``sql(expr) -> (value_sql, error_sql)``;
the two are kept equivalent by construction (the same regular expressions, run by Python ``re`` and by
RE2 in DuckDB) and by ``tests/test_ingest_values.py``. ``error_sql`` yields a catalog key (``err.*``) or
NULL; ``value_sql`` yields the typed value or NULL. A blank cell is NULL, never an error here (whether a
field is required is the kind's business).

Forms accepted (domain: files Excel and WPS make in China):
- text: the apostrophe our exports put before a text starting with ``= + - @``, tab or CR
  (crm_core.exporting.neutralise) taken off again — ``'-Minus Trading`` is read as
  ``-Minus Trading`` — so an export imports back unchanged; a plain number or phone never gets one,
  so ``'-5`` stays as written. Then outer whitespace (also the ideographic space) trimmed. Codes, numbers, dates, phones, e-mails
  and choices also have full-width ASCII (Ａ１２) folded to half-width — the part of the form's NFKC
  that Chinese input methods produce. Free text (names, addresses, notes) keeps its characters as
  written, so Chinese punctuation (，（）) survives an export → import round trip; the form's NFKC would
  turn it into ASCII. Accept/reject verdicts are the same either way (tests/test_ingest_parity.py).
- dates: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, an optional time after the date
  (ignored), and Excel serial numbers of five digits (10000-99999 = 1927-05-18 … 2173-10-14; a
  four-digit number is too easily a year to be read as a serial).
- amounts: 1,234.50 (commas only in groups of three, so a European 1,5 is an error, not 15), full-width
  digits, the 千 (×10³), 万 (×10⁴) and 亿 (×10⁸) units, and for money a currency before or after the
  number ($, US$, HK$, €, £, ¥/￥, USD, RMB, CNY, 元, 美元 … — units.CURRENCY_WORDS; ¥ is the yuan). The
  currency is kept (``Parsed.currency`` / ``currency_sql``): the pipeline refuses an amount in another
  currency than the store's or the customer's, so $1,234 is never stored as ¥1,234. Two different
  currencies in one cell are refused; a currency word in a number that is not money is not a number.
- phones: the mainland forms of crm_core.models (mobile with +86/0086/86, landlines with area code in
  any bracket style, extensions, 400/800, 95xxx/96xxx), stored normalised — 13800138000,
  021-12345678, 021-12345678-8001, 4008208820, 95588; anything else keeps its digits, dashes, brackets
  and + for a customer of another country.
- Excel's damage: a code, ID, account or order number (models.is_code_field) in scientific notation
  (1.10101199003071E+17) is refused (``excel_guarded``): Excel kept only 15 significant digits and the
  rest cannot be recovered from the file; a phone so written (1.38E+10) has its own message.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm_core.exporting import FORMULA_STARTS, PLAIN_NUMBER
from crm_core.ingest.units import CURRENCY_WORDS
from crm_core.models import (
    EMAIL,
    EXCEL_SCIENTIFIC,
    FOLD_TABLE,
    LANDLINE_CN,
    MOBILE_CN,
    PHONE_CN_INPUT,
    PHONE_EXTENSION_MARK,
    PHONE_OTHER,
    PHONE_SEPARATORS,
    POSTAL_CN,
    REGION_SYNONYMS,
    SERVICE_CN,
    mainland_phone,
    phone_as_written,
)

# -- text fold -------------------------------------------------------------------------------------
_FULL, _HALF = "".join(map(chr, FOLD_TABLE)), "".join(map(chr, FOLD_TABLE.values()))  # for SQL translate()
_TRIM = " \t\n\r\x0b\x0c"
_WIDE_SPACES = "\u3000\u00a0"


def sql_literal(text: str) -> str:
    """A constant of ours (never user text) as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


_PLAIN_NUMBER_RE = re.compile(PLAIN_NUMBER)
_STARTS = "".join({"\t": r"\t", "\r": r"\r", "-": r"\-"}.get(c, c) for c in FORMULA_STARTS)
_NEUTRALISED = f"'[{_STARTS}](?s:.*)"  # an export's apostrophe and what it defused: the same in re and RE2


def unneutralised(raw: str) -> str:
    """``raw`` without the apostrophe exporting.neutralise put before it (see the module docstring)."""
    if re.fullmatch(_NEUTRALISED, raw) and not _PLAIN_NUMBER_RE.fullmatch(raw[1:]):
        return raw[1:]
    return raw


def sql_unneutralised(expr: str) -> str:
    """SQL of ``unneutralised`` (``expr`` is a column: it is repeated)."""
    return (f"CASE WHEN regexp_full_match({expr}, {sql_literal(_NEUTRALISED)}) AND NOT "
            f"regexp_full_match(substr({expr}, 2), {sql_literal(PLAIN_NUMBER)}) THEN substr({expr}, 2) ELSE {expr} END")


def fold(raw: str | None, width: bool = True) -> str | None:
    """The export's apostrophe taken off, full-width to half-width (unless ``width`` is False),
    trimmed; blank is None. THE text fold of the import: every rule reads its cell through it."""
    if raw is None:
        return None
    raw = unneutralised(raw)
    text = (raw.translate(FOLD_TABLE) if width else raw).strip(_TRIM + _WIDE_SPACES)
    return text or None


_EDGE_OK = "[^ \\t\\n\\r\\x0b\\x0c\\x{3000}\\x{a0}]"
_FIRST_OK = "[^' \\t\\n\\r\\x0b\\x0c\\x{3000}\\x{a0}]"  # an apostrophe first may be an export's
ASCII_AS_IS = "[!-&(-~][!-~]*"  # printable ASCII without spaces, not starting with an apostrophe: fold leaves it


def sql_fold(expr: str, width: bool = True) -> str:
    """SQL of ``fold``. The common case (nothing to fold or trim) is one cheap RE2 match, because
    ``translate`` and ``trim(x, characters)`` cost microseconds per value on 10M-row files."""
    bare = sql_unneutralised(expr)
    if not width:
        as_is = sql_literal(f"{_FIRST_OK}(?s:.*{_EDGE_OK})?")
        return (f"CASE WHEN regexp_full_match({expr}, {as_is}) THEN {expr} "
                f"ELSE nullif(trim({bare}, {sql_literal(_TRIM + _WIDE_SPACES)}), '') END")
    return (f"CASE WHEN regexp_full_match({expr}, '{ASCII_AS_IS}') THEN {expr} ELSE nullif(trim(translate({bare}, "
            f"{sql_literal(_FULL)}, {sql_literal(_HALF)}), {sql_literal(_TRIM)}), '') END")


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    error: str | None = None
    currency: str | None = None  # an amount's currency as the cell says it (ISO code), else None


@dataclass(frozen=True)
class Normaliser:
    """Python and SQL forms of one rule. ``sql`` gets an expression over already-folded text."""

    name: str
    py: Callable[[str | None], Parsed]
    sql: Callable[[str], tuple[str, str]]
    sql_type: str = "VARCHAR"
    params: dict = field(default_factory=dict)
    fold_width: bool = True  # free text keeps Chinese punctuation (，（）) as written; see module doc
    # Fast path for 10M-row files: a raw cell matching ``fast`` (RE2, full match) is already folded
    # and ``fast_sql(raw) -> (value, error)`` replaces fold + ``sql`` for it (one regex per value).
    fast: str | None = None
    fast_sql: Callable[[str], tuple[str, str]] | None = None
    # Money: ``currency_sql(v)`` is the ISO code the folded cell names (NULL when none; meaningful
    # where the error is NULL), ``Parsed.currency`` its Python twin; ``scaled(shift)`` is the same
    # rule for a column whose header unit multiplies every value by 10**shift (金额（万元）).
    currency_sql: Callable[[str], str] | None = None
    scaled: Callable[[int], Normaliser] | None = None


# -- dates --------------------------------------------------------------------------------------------
DATE_RE = r"([1-9]\d{3})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
COMPACT_RE = r"([1-9]\d{3})(\d{2})(\d{2})"
SERIAL_RE = r"([1-9]\d{4})(?:\.\d+)?"
EXCEL_EPOCH = date(1899, 12, 30)


def _ymd(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def parse_date(raw: str | None) -> Parsed:
    text = fold(raw)
    if text is None:
        return Parsed()
    if (match := re.fullmatch(DATE_RE, text)) or (match := re.fullmatch(COMPACT_RE, text)):
        value = _ymd(*match.group(1, 2, 3))
    elif match := re.fullmatch(SERIAL_RE, text):
        value = EXCEL_EPOCH + timedelta(days=int(match.group(1)))
    else:
        value = None
    return Parsed(value) if value is not None else Parsed(error="err.date_format")


def _sql_ymd(y: str, m: str, d: str) -> str:
    return f"try_cast({y} || '-' || lpad({m}, 2, '0') || '-' || lpad({d}, 2, '0') AS DATE)"


def sql_date_value(v: str) -> str:
    """Typed DATE of folded text ``v`` (NULL when it is not one of the forms)."""
    general = (
        f"CASE WHEN regexp_full_match({v}, {sql_literal(DATE_RE)}) THEN "
        + _sql_ymd(*(f"regexp_extract({v}, {sql_literal(DATE_RE)}, {i})" for i in (1, 2, 3)))
        + f" WHEN regexp_full_match({v}, {sql_literal(COMPACT_RE)}) THEN "
        + _sql_ymd(*(f"regexp_extract({v}, {sql_literal(COMPACT_RE)}, {i})" for i in (1, 2, 3)))
        + f" WHEN regexp_full_match({v}, {sql_literal(SERIAL_RE)}) THEN "
        f"DATE '1899-12-30' + CAST(regexp_extract({v}, {sql_literal(SERIAL_RE)}, 1) AS INTEGER) END"
    )
    # Fast path for the ISO form most files use; the general form checks the same things.
    return (f"CASE WHEN length({v}) = 10 AND regexp_full_match({v}, '[1-9]\\d{{3}}-\\d{{2}}-\\d{{2}}') "
            f"THEN try_cast({v} AS DATE) ELSE {general} END")


def _sql_date(v: str) -> tuple[str, str]:
    value = sql_date_value(v)
    return value, f"CASE WHEN {v} IS NOT NULL AND ({value}) IS NULL THEN 'err.date_format' END"


ISO_DATE_RE = r"[1-9]\d{3}-\d{2}-\d{2}"


def _sql_date_fast(raw: str) -> tuple[str, str]:
    value = f"try_cast({raw} AS DATE)"
    return value, f"CASE WHEN {value} IS NULL THEN 'err.date_format' END"


DATE = Normaliser("date", parse_date, _sql_date, "DATE", fast=ISO_DATE_RE, fast_sql=_sql_date_fast)


def parse_datetime(raw: str | None) -> Parsed:
    """A wall-clock date and time (the store's time zone applies); a date alone means midnight."""
    text = fold(raw)
    if text is None:
        return Parsed()
    if match := re.fullmatch(DATE_RE, text):
        day = _ymd(*match.group(1, 2, 3))
        hh, mm, ss = (int(g) if g else 0 for g in match.group(4, 5, 6))
        if day is not None and hh < 24 and mm < 60 and ss < 60:
            return Parsed(datetime(day.year, day.month, day.day, hh, mm, ss))
        return Parsed(error="err.datetime_format")
    parsed = parse_date(text)
    if parsed.error:
        return Parsed(error="err.datetime_format")
    return Parsed(datetime(parsed.value.year, parsed.value.month, parsed.value.day))


def _sql_datetime(v: str) -> tuple[str, str]:
    parts = [f"coalesce(nullif(regexp_extract({v}, {sql_literal(DATE_RE)}, {i}), ''), '0')" for i in (4, 5, 6)]
    hh, mm, ss = (f"CAST({p} AS INTEGER)" for p in parts)
    with_time = (f"CASE WHEN {hh} < 24 AND {mm} < 60 AND {ss} < 60 THEN "
                 f"CAST({_sql_ymd(*(f'regexp_extract({v}, {sql_literal(DATE_RE)}, {i})' for i in (1, 2, 3)))} AS TIMESTAMP)"
                 f" + to_seconds({hh} * 3600 + {mm} * 60 + {ss}) END")
    value = (f"CASE WHEN regexp_full_match({v}, {sql_literal(DATE_RE)}) THEN {with_time} "
             f"ELSE CAST({sql_date_value(v)} AS TIMESTAMP) END")
    return value, f"CASE WHEN {v} IS NOT NULL AND ({value}) IS NULL THEN 'err.datetime_format' END"


DATETIME = Normaliser("datetime", parse_datetime, _sql_datetime, "TIMESTAMP")

# -- numbers --------------------------------------------------------------------------------------------
# A currency word before or after the number: the symbols and codes of units.CURRENCY_WORDS ($, US$,
# HK$, €, £, ¥, USD, RMB, 元, 美元, …), any case. ¥ (and ￥, folded to it) is the yuan.
_CURRENCY_RE = "(?i:" + "|".join(re.escape(w) for w in sorted(CURRENCY_WORDS, key=len, reverse=True)) + ")"
AMOUNT_RE = (r"([+-]?)\s*(" + _CURRENCY_RE + r")?\s*([+-]?)\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)"
             r"\s*(千|万|亿)?\s*(" + _CURRENCY_RE + r")?")
_AMOUNT_GROUPS = ["s1", "cur1", "s2", "num", "unit", "cur2"]
_UNIT_SHIFT = {"千": 3, "万": 4, "亿": 8}


def _digits_of(int_part: str, frac: str, shift: int) -> tuple[str, str]:
    """Integer and fraction digits after multiplying by 10**shift; leading/trailing zeros dropped."""
    int_part = int_part + (frac + "0" * shift)[:shift]
    frac = frac[shift:]
    return int_part.lstrip("0"), frac.rstrip("0")


def _currency_of(word: str | None) -> str | None:
    return CURRENCY_WORDS[word.lower()] if word else None


def parse_decimal_parts(raw: str | None, shift: int = 0, money: bool = True):
    """(sign, integer digits, fraction digits, currency) of an amount as written (times 10**shift),
    an error key, or None for a blank cell."""
    text = fold(raw)
    if text is None:
        return None
    match = re.fullmatch(AMOUNT_RE, text)
    if not match or (match.group(1) and match.group(3)):
        return "err.number_format"
    before, after = _currency_of(match.group(2)), _currency_of(match.group(6))
    if (before or after) and not money:
        return "err.number_format"
    if before and after and before != after:
        return "err.amount_two_currencies"
    if match.group(5) and shift:  # 1.5万 under 金额（万元）: which one was meant is anyone's guess
        return "err.scale_twice"
    number = match.group(4).replace(",", "")
    int_part, _, frac = number.partition(".")
    int_part, frac = _digits_of(int_part, frac, _UNIT_SHIFT.get(match.group(5) or "", 0) + shift)
    return (match.group(1) or match.group(3)) == "-", int_part, frac, before or after


def decimal_normaliser(max_digits: int, places: int, gt=None, ge=None, le=None,
                       negative_key: str | None = None, money: bool = False, shift: int = 0) -> Normaliser:
    """An amount with pydantic's Decimal(max_digits, decimal_places) checks, in pydantic's order.

    Order as pydantic-core checks it: total digits, then decimal places, then whole digits (reported
    as err.invalid, as the form does), then the bounds, then ``negative_key`` (a model validator).
    A ``money`` amount may name its currency ($1,234, 1234 USD, ¥99, 100元); any other number with a
    currency word is err.number_format. ``shift`` multiplies by 10**shift (a header unit such as 万元);
    a cell with its own 千/万/亿 under such a header is refused (err.scale_twice), not multiplied twice.
    """
    whole = max_digits - places

    def py(raw: str | None) -> Parsed:
        parts = parse_decimal_parts(raw, shift, money)
        if parts is None:
            return Parsed()
        if isinstance(parts, str):
            return Parsed(error=parts)
        negative, int_part, frac, currency = parts
        value = Decimal(f"{'-' if negative else ''}{int_part or '0'}.{frac or '0'}")
        if len(int_part) + len(frac) > max_digits:
            return Parsed(error="err.too_large")
        if len(frac) > places:
            return Parsed(error="err.decimal_places")
        if len(int_part) > whole:
            return Parsed(error="err.invalid")
        bounded = _bounds(value, gt, ge, le, negative_key)
        return Parsed(bounded.value, bounded.error, currency if bounded.error is None else None)

    params = {"max_digits": max_digits, "decimal_places": places, "gt": gt, "ge": ge, "le": le,
              "negative_key": negative_key}
    sql_type = f"DECIMAL({max_digits}, {places})"

    def fast_sql(raw: str) -> tuple[str, str]:
        value = f"CAST({raw} AS {sql_type})"
        checks = _sql_bounds(value, params)
        if not checks:
            return value, "NULL"
        error = "CASE " + " ".join(f"WHEN {c} THEN '{k}'" for c, k in checks) + " END"
        return f"CASE WHEN ({error}) IS NULL THEN {value} END", error

    def scaled(extra: int) -> Normaliser:
        return decimal_normaliser(max_digits, places, gt, ge, le, negative_key, money, shift + extra)

    fast = f"-?\\d{{1,{whole}}}(\\.\\d{{1,{places}}})?" if shift == 0 else None
    return Normaliser("decimal", py, lambda v: sql_decimal(v, params, sql_type, shift, money), sql_type, params,
                      fast=fast, fast_sql=fast_sql if fast else None,
                      currency_sql=sql_amount_currency if money else None, scaled=scaled)


def _bounds(value, gt, ge, le, negative_key) -> Parsed:
    if gt is not None and not value > gt:
        return Parsed(error="err.greater_than")
    if ge is not None and not value >= ge:
        return Parsed(error="err.at_least")
    if le is not None and not value <= le:
        return Parsed(error="err.at_most")
    if negative_key and value < 0:
        return Parsed(error=negative_key)
    return Parsed(value)


def _sql_bounds(value: str, params: dict) -> list[tuple[str, str]]:
    checks = []
    if params.get("gt") is not None:
        checks.append((f"NOT ({value} > {params['gt']})", "err.greater_than"))
    if params.get("ge") is not None:
        checks.append((f"NOT ({value} >= {params['ge']})", "err.at_least"))
    if params.get("le") is not None:
        checks.append((f"NOT ({value} <= {params['le']})", "err.at_most"))
    if params.get("negative_key"):
        checks.append((f"{value} < 0", params["negative_key"]))
    return checks


def _sql_amount_parts(v: str) -> str:
    return f"regexp_extract({v}, {sql_literal(AMOUNT_RE)}, {_AMOUNT_GROUPS})"


def _sql_currency_word(word: str) -> str:
    cases = " ".join(f"WHEN {sql_literal(w)} THEN {sql_literal(code)}" for w, code in CURRENCY_WORDS.items())
    return f"CASE lower({word}) {cases} END"


def sql_amount_currency(v: str) -> str:
    """The ISO code of the currency folded amount text ``v`` names, or NULL."""
    m = _sql_amount_parts(v)
    return f"coalesce({_sql_currency_word(f'{m}.cur1')}, {_sql_currency_word(f'{m}.cur2')})"


def sql_decimal(v: str, p: dict, sql_type: str, shift: int = 0, money: bool = False) -> tuple[str, str]:
    """(value, error) SQL for a decimal normaliser over folded text ``v``.

    The common case (plain digits with at most the allowed places) skips the string work.
    """
    places, whole = p["decimal_places"], p["max_digits"] - p["decimal_places"]
    m = _sql_amount_parts(v)
    ok = f"(regexp_full_match({v}, {sql_literal(AMOUNT_RE)}) AND NOT ({m}.s1 <> '' AND {m}.s2 <> ''))"
    num = f"replace({m}.num, ',', '')"
    ip = f"split_part({num}, '.', 1)"
    fr = f"split_part({num}, '.', 2)"
    shift_sql = f"(CASE {m}.unit WHEN '千' THEN 3 WHEN '万' THEN 4 WHEN '亿' THEN 8 ELSE 0 END + {int(shift)})"
    int_digits = f"ltrim({ip} || left(rpad({fr}, {shift_sql}, '0'), {shift_sql}), '0')"
    frac_digits = f"rtrim(substr({fr}, {shift_sql} + 1), '0')"
    negative = f"({m}.s1 = '-' OR {m}.s2 = '-')"
    slow_value = (f"CAST((CASE WHEN {negative} THEN '-' ELSE '' END) || coalesce(nullif({int_digits}, ''), '0')"
                  f" || '.' || {frac_digits} || '0' AS DECIMAL(38, 10))")
    fast = f"regexp_full_match({v}, '-?\\d{{1,{whole}}}(\\.\\d{{1,{places}}})?')" if shift == 0 else "FALSE"
    before, after = _sql_currency_word(f"{m}.cur1"), _sql_currency_word(f"{m}.cur2")
    currency_errors = ([(f"{before} <> {after}", "err.amount_two_currencies")] if money else
                       [(f"({m}.cur1 <> '' OR {m}.cur2 <> '')", "err.number_format")])
    if shift:
        currency_errors.append((f"{m}.unit <> ''", "err.scale_twice"))
    parse_errors = [
        (f"NOT {ok}", "err.number_format"),
        *currency_errors,
        (f"length({int_digits}) + length({frac_digits}) > {p['max_digits']}", "err.too_large"),
        (f"length({frac_digits}) > {places}", "err.decimal_places"),
        (f"length({int_digits}) > {whole}", "err.invalid"),
    ]
    slow_error = "CASE " + " ".join(f"WHEN {c} THEN '{k}'" for c, k in parse_errors) + " END"
    # Cast straight to the target type: DECIMAL(38,10) → DECIMAL(18,2) costs ~0.4 µs a value.
    value_any = (f"CASE WHEN {fast} THEN CAST({v} AS {sql_type}) "
                 f"WHEN ({slow_error}) IS NULL THEN CAST({slow_value} AS {sql_type}) END")
    bound_checks = _sql_bounds(value_any, p)
    bounds = " ".join(f"WHEN {c} THEN '{k}'" for c, k in bound_checks)
    error = (f"CASE WHEN {v} IS NULL THEN NULL WHEN NOT {fast} AND ({slow_error}) IS NOT NULL "
             f"THEN {slow_error} {bounds} END")
    value = f"CASE WHEN ({error}) IS NULL THEN {value_any} END" if bound_checks else value_any
    return value, error


INT_RE = r"([+-]?\d{1,18})(?:\.0*)?"


def int_normaliser(gt=None, ge=None, le=None) -> Normaliser:
    params = {"gt": gt, "ge": ge, "le": le}

    def py(raw: str | None) -> Parsed:
        text = fold(raw)
        if text is None:
            return Parsed()
        match = re.fullmatch(INT_RE, text)
        if not match:
            return Parsed(error="err.whole_number")
        return _bounds(int(match.group(1)), gt, ge, le, None)

    def sql(v: str) -> tuple[str, str]:
        value_any = f"CAST(regexp_extract({v}, {sql_literal(INT_RE)}, 1) AS BIGINT)"
        bounds = " ".join(f"WHEN {c} THEN '{k}'" for c, k in _sql_bounds(value_any, params))
        error = (f"CASE WHEN {v} IS NULL THEN NULL WHEN NOT regexp_full_match({v}, {sql_literal(INT_RE)}) "
                 f"THEN 'err.whole_number' {bounds} END")
        return f"CASE WHEN ({error}) IS NULL THEN {value_any} END", error

    return Normaliser("int", py, sql, "BIGINT", params, fast=r"\d{1,9}",
                      fast_sql=lambda raw: sql(f"CAST({raw} AS VARCHAR)"))


# -- text rules -------------------------------------------------------------------------------------
# Every character str.isspace() accepts (what the entry form refuses in a code), as one class for
# both Python and DuckDB: RE2's \s alone is ASCII-only and would let U+001F or U+2003 through.
_SPACE_CLASS = "[" + "".join(sorted({chr(c) for c in range(0x3100) if chr(c).isspace()})) + "]"


def text_normaliser(max_length: int | None = None, no_spaces: bool = False, fold_width: bool = True) -> Normaliser:
    def py(raw: str | None) -> Parsed:
        text = fold(raw, fold_width)
        if text is None:
            return Parsed()
        if max_length is not None and len(text) > max_length:
            return Parsed(error="err.too_long")
        if no_spaces and re.search(_SPACE_CLASS, text):
            return Parsed(error="err.code_spaces")
        return Parsed(text)

    def sql(v: str) -> tuple[str, str]:
        checks = []
        if max_length is not None:
            checks.append((f"length({v}) > {max_length}", "err.too_long"))
        if no_spaces:
            checks.append((f"regexp_matches({v}, {sql_literal(_SPACE_CLASS)})", "err.code_spaces"))
        if not checks:
            return v, "NULL"
        error = "CASE " + " ".join(f"WHEN {c} THEN '{k}'" for c, k in checks) + " END"
        return f"CASE WHEN ({error}) IS NULL THEN {v} END", error

    if fold_width:  # printable ASCII without spaces: nothing to fold, and no space to complain about
        fast = ASCII_AS_IS if max_length is None else f"[!-&(-~][!-~]{{0,{max_length - 1}}}"
        return Normaliser("text", py, sql, "VARCHAR", {"max_length": max_length}, fold_width, fast,
                          lambda raw: (raw, "NULL"))
    return Normaliser("text", py, sql, "VARCHAR", {"max_length": max_length}, fold_width)


def regex_normaliser(pattern: str, key: str) -> Normaliser:
    """Text that must match ``pattern`` (the same pattern the model uses)."""
    def py(raw: str | None) -> Parsed:
        text = fold(raw)
        if text is None:
            return Parsed()
        return Parsed(text) if re.fullmatch(pattern, text) else Parsed(error=key)

    def sql(v: str) -> tuple[str, str]:
        error = f"CASE WHEN NOT regexp_full_match({v}, {sql_literal(pattern)}) THEN '{key}' END"
        return f"CASE WHEN ({error}) IS NULL THEN {v} END", error

    return Normaliser("regex", py, sql)


def choice_normaliser(options: dict[str, str]) -> Normaliser:
    """One of fixed keys; ``options`` maps every accepted spelling (lower case) to its key."""
    keys = list(dict.fromkeys(options.values()))
    expected = ", ".join(repr(k) for k in keys[:-1]) + f" or {keys[-1]!r}" if len(keys) > 1 else repr(keys[0])

    def py(raw: str | None) -> Parsed:
        text = fold(raw)
        if text is None:
            return Parsed()
        key = options.get(text.lower())
        return Parsed(key) if key else Parsed(error="err.choice")

    def sql(v: str) -> tuple[str, str]:
        cases = " ".join(f"WHEN {sql_literal(s)} THEN {sql_literal(k)}" for s, k in options.items())
        value = f"CASE lower({v}) {cases} END"
        return value, f"CASE WHEN {v} IS NOT NULL AND ({value}) IS NULL THEN 'err.choice' END"

    # The labels' catalog prefix (choice_spellings records it), so a message shows 集团客户, not 'corporate'.
    return Normaliser("choice", py, sql, "VARCHAR", {"expected": expected,
                                                     "choice_prefix": getattr(options, "prefix", None)})


def mapped_normaliser(mapping: dict[str, str], upper: bool = False) -> Normaliser:
    """Known spellings mapped (lower-case lookup); anything else kept as written (or upper-cased)."""
    def py(raw: str | None) -> Parsed:
        text = fold(raw)
        if text is None:
            return Parsed()
        return Parsed(text.upper() if upper else mapping.get(text.lower(), text))

    def sql(v: str) -> tuple[str, str]:
        if upper:
            return f"upper({v})", "NULL"
        cases = " ".join(f"WHEN {sql_literal(s)} THEN {sql_literal(k)}" for s, k in mapping.items())
        return f"CASE lower({v}) {cases} ELSE {v} END", "NULL"

    return Normaliser("mapped", py, sql)


# -- phones (the rule and its forms: crm_core.models, above MOBILE_CN) ---------------------------------
def parse_phone(raw: str | None) -> Parsed:
    """The normalised phone (models.normalise_phone over folded text); Excel's 1.38E+10 refused."""
    text = fold(raw)
    if text is None:
        return Parsed()
    if re.fullmatch(EXCEL_SCIENTIFIC, text):
        return Parsed(error="err.phone_excel_scientific")
    return Parsed(mainland_phone(text) or phone_as_written(text))


def _sql_phone_as_written(v: str) -> str:
    p = f"replace(replace({v}, ' ', ''), '.', '')"
    return (f"CASE WHEN starts_with({p}, '+86') THEN ltrim(substr({p}, 4), '-') "
            f"WHEN starts_with({p}, '0086') THEN ltrim(substr({p}, 5), '-') ELSE {p} END")


def _sql_mainland_phone(v: str) -> str:
    """SQL of models.mainland_phone: the normalised form, or NULL when it is not a mainland number."""
    marked = (f"regexp_replace(trim(regexp_replace({v}, {sql_literal(PHONE_SEPARATORS)}, '-', 'g'), '-'), "
              f"{sql_literal(PHONE_EXTENSION_MARK)}, '#', 'g')")
    m = f"regexp_extract({marked}, {sql_literal('^(?:' + PHONE_CN_INPUT + ')$')}, " \
        "['mobile', 'area', 'local', 'extension', 'toll_free', 'service'])"
    return (f"CASE WHEN {m}.mobile <> '' THEN replace({m}.mobile, '-', '') "
            f"WHEN {m}.area <> '' THEN '0' || {m}.area || '-' || replace({m}.local, '-', '') "
            f"|| CASE WHEN {m}.extension <> '' THEN '-' || {m}.extension ELSE '' END "
            f"WHEN {m}.toll_free <> '' THEN replace({m}.toll_free, '-', '') "
            f"WHEN {m}.service <> '' THEN {m}.service END")


def _sql_phone(v: str) -> tuple[str, str]:
    # Excel's 1.38E+10 is never a mainland form, so only the fallback needs the check. The mainland
    # part stays outside any CASE: DuckDB shares its regex work between references only there (3×).
    scientific = f"regexp_full_match({v}, {sql_literal(EXCEL_SCIENTIFIC)})"
    return (f"coalesce({_sql_mainland_phone(v)}, CASE WHEN NOT {scientific} THEN {_sql_phone_as_written(v)} END)",
            f"CASE WHEN {scientific} THEN 'err.phone_excel_scientific' END")


# Fast path: a cell already in a normalised mainland form (most of them: 13800138000) is its own value.
_PHONE_NORMALISED = "|".join(rule.pattern.strip("^$") for rule in (MOBILE_CN, LANDLINE_CN, SERVICE_CN))
PHONE_RULE = Normaliser("phone", parse_phone, _sql_phone, fast=_PHONE_NORMALISED,
                        fast_sql=lambda raw: (raw, "CAST(NULL AS VARCHAR)"))


def sql_phone_check(phone: str, country: str) -> str:
    mainland = " OR ".join(f"regexp_matches({phone}, {sql_literal(rule.pattern)})"
                           for rule in (MOBILE_CN, LANDLINE_CN, SERVICE_CN))
    return (f"CASE WHEN {phone} IS NULL THEN NULL WHEN {country} = 'CN' THEN CASE WHEN NOT ({mainland}) "
            f"THEN 'err.phone_format_cn' END WHEN NOT regexp_matches({phone}, {sql_literal(PHONE_OTHER.pattern)}) "
            f"THEN 'err.phone_format' END")


# -- Excel's damage in codes ----------------------------------------------------------------------------
_GUARDED = "+excel"


def excel_guarded(rule: Normaliser) -> Normaliser:
    """``rule`` refusing a value in scientific notation (1.10101199003071E+17): in a code, an ID or
    an account number it means Excel already kept only 15 significant digits (err.excel_digits_lost).
    The check runs before the rule's own; a ``+`` must be in the cell, so most values skip the regex."""
    if rule.name.endswith(_GUARDED):
        return rule
    key = "err.excel_digits_lost"

    def py(raw: str | None) -> Parsed:
        text = fold(raw, rule.fold_width)
        if text is not None and re.fullmatch(EXCEL_SCIENTIFIC, text):
            return Parsed(error=key)
        return rule.py(raw)

    def scientific(v: str) -> str:  # a CASE, not AND: DuckDB then runs the regex only on cells with a +
        return f"(CASE WHEN contains({v}, '+') THEN regexp_full_match({v}, {sql_literal(EXCEL_SCIENTIFIC)}) END)"

    def guard(sql_of: Callable[[str], tuple[str, str]]) -> Callable[[str], tuple[str, str]]:
        def sql(v: str) -> tuple[str, str]:
            value, error = sql_of(v)
            return (f"CASE WHEN {scientific(v)} THEN NULL ELSE {value} END",
                    f"CASE WHEN {scientific(v)} THEN '{key}' ELSE {error} END")
        return sql

    return Normaliser(rule.name + _GUARDED, py, guard(rule.sql), rule.sql_type, rule.params,
                      rule.fold_width, rule.fast, guard(rule.fast_sql) if rule.fast_sql else None,
                      rule.currency_sql, rule.scaled)


def sql_postal_check(code: str, country: str) -> str:
    return (f"CASE WHEN {code} IS NOT NULL AND {country} = 'CN' AND NOT regexp_matches({code}, "
            f"{sql_literal(POSTAL_CN.pattern)}) THEN 'err.postal_format' END")


EMAIL_RULE = regex_normaliser(EMAIL.pattern.strip("^$"), "err.email_format")
REGION_RULE = mapped_normaliser(REGION_SYNONYMS)
UPPER_RULE = mapped_normaliser({}, upper=True)


def sql_birthday_check(value: str) -> str:
    return (f"CASE WHEN {value} > current_date THEN 'err.birthday_future' "
            f"WHEN year({value}) < 1900 THEN 'err.birthday_too_old' END")


def sql_not_future_check(value: str) -> str:
    return f"CASE WHEN {value} > current_date THEN 'err.date_future' END"


def sql_duplicate_name(expr: str) -> str:
    return f"nullif(regexp_replace(lower({expr}), '[\\s\\p{{P}}\\p{{S}}\\p{{Z}}]+', '', 'g'), '')"
