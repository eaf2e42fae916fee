"""values.py: the Python and the DuckDB SQL form of each normaliser agree, value by value."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from crm_core.ingest.kinds import CODE_RULE, NAME_RULE, PHONE_RULE, TEXT
from crm_core.ingest.values import (
    DATE,
    DATETIME,
    decimal_normaliser,
    excel_guarded,
    int_normaliser,
    parse_date,
    sql_fold,
    sql_literal,
)

DATES = ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "45356", "2024-03-05 14:30:00",
         "２０２４-０３-０５", " 2024-03-05 ", "2024-02-30", "2024-13-01", "5/3/2024", "2024", "0999-01-01", "", None,
         "abc", "45356.75", "99999"]
AMOUNTS = ["1,234.50", "¥99", "￥1,234", "$5.5", "１２３", "1.5万", "\u3000８８\u3000", "-20.00", "1,5", "12,34",
           "1.234", "2亿", "RMB 100", "100元", "-¥3", "+7", "--1", "1e3", "", None, "0.001万", "12345678901234567",
           "99999999999999999999", ".5", "5.", "US$1,234", "1,234 USD", "HK$ 88", "€5", "£5", "￥5", "5元", "¥5元",
           "$5元", "1.5千", "1.5万元", "2万美元", "usd 3", "EUR-4", "-EUR 4", "rmb 1", "1 人民币", "JPY 100", "$"]
MONEY = decimal_normaliser(18, 2, money=True)
PHONES = ["13800138000", "+86 138-0013-8000", "0086 13800138000", "86 13800138000", "+8613800138000",
          "(021)12345678", "（021）1234-5678", "021 12345678", "0755-12345678", "0755-1234567", "+86 21 1234 5678",
          "+86 (0)21 12345678", "400-820-8820", "800 820 8820", "95588", "96777", "021-12345678转8001",
          "021-12345678 ext. 12", "021-12345678X12", "021-12345678-8001", "021-12345678 #12", "0755-1234567-8",
          "010-1234-5678", "１３８００１３８０００", "1.38E+10", "1.38e+10", "12345", "13800138000-1", "+1 (415) 555-0100",
          "555.1234", "", None, "abc", "9558", "0211234567890123"]
EXCEL = ["1.10101199003071E+17", "1.1E+17", "1.38E+10", "1.38e+10", "1E5", "1E+5", "A1.1E+17", "110101199003071234",
         "C-001", "+86", "", None, " 1.1E+17 ", "１.１Ｅ+１７"]
INTS = ["3", "3.0", "3.5", "-1", "0", "101", "abc", "１２", "", None, "+4"]
CODES = ["A1", " A1 ", "Ａ１", "A 1", "x" * 41, "", None, "\tB2\n"]


def _sql(rule, values):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, raw VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    f = sql_fold("raw", rule.fold_width)
    value, error = rule.sql("f")
    rows = con.execute(f"SELECT i, {value}, {error} FROM (SELECT i, raw, {f} AS f FROM t) ORDER BY i").fetchall()
    out = [(v, e) for _, v, e in rows]
    if rule.fast:  # the fast path must agree with the general one wherever it applies
        fv, fe = rule.fast_sql("raw")
        fast = con.execute(f"SELECT i, {fv}, {fe} FROM t WHERE regexp_full_match(raw, {sql_literal(rule.fast)}) "
                           "ORDER BY i").fetchall()
        for i, v, e in fast:
            assert (v, e) == out[i], values[i]
    return out


@pytest.mark.parametrize(("rule", "values"), [
    (DATE, DATES), (DATETIME, DATES), (decimal_normaliser(18, 2), AMOUNTS), (decimal_normaliser(18, 3, gt=0), AMOUNTS),
    (decimal_normaliser(18, 2, ge=0), AMOUNTS), (int_normaliser(gt=0, le=100), INTS), (CODE_RULE, CODES),
    (NAME_RULE, CODES), (MONEY, AMOUNTS), (decimal_normaliser(18, 2, money=True, shift=4), AMOUNTS),
    (decimal_normaliser(18, 3, gt=0, shift=3), AMOUNTS), (PHONE_RULE, PHONES), (excel_guarded(CODE_RULE), EXCEL),
    (excel_guarded(TEXT), EXCEL), (excel_guarded(int_normaliser(ge=1)), EXCEL + INTS),
])
def test_python_and_sql_agree(rule, values):
    sql = _sql(rule, values)
    for raw, (value, error) in zip(values, sql):
        parsed = rule.py(raw)
        assert (parsed.value, parsed.error) == (value, error if error else None), raw
    if rule.currency_sql:  # an amount's currency, where it has no error
        currencies = _sql_currency(rule, values)
        for raw, currency in zip(values, currencies):
            parsed = rule.py(raw)
            if parsed.error is None:
                assert parsed.currency == currency, raw


def _sql_currency(rule, values):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, raw VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    rows = con.execute(f"SELECT i, {rule.currency_sql('f')} FROM (SELECT i, {sql_fold('raw')} AS f FROM t) "
                       "ORDER BY i").fetchall()
    return [c for _, c in rows]


def test_the_forms_people_write():
    assert {parse_date(v).value for v in DATES[:9]} == {date(2024, 3, 5)}
    assert [MONEY.py(v).value for v in AMOUNTS[:8]] == [
        Decimal("1234.5"), Decimal("99"), Decimal("1234"), Decimal("5.5"), Decimal("123"), Decimal("15000"),
        Decimal("88"), Decimal("-20")]
    assert decimal_normaliser(18, 2).py("1,5").error == "err.number_format"  # not silently 15
    assert DATETIME.py("2024/3/5 9:05").value == datetime(2024, 3, 5, 9, 5)
    assert parse_date("2024").error == "err.date_format"  # a year is not an Excel serial


def test_money_keeps_its_currency_and_other_numbers_refuse_one():
    parsed = {v: MONEY.py(v) for v in ["$1,234", "US$1,234", "1,234 USD", "HK$88", "€5", "£5", "￥5", "¥5元", "100元",
                                        "RMB 1", "1.5千", "1.5万元", "1234"]}
    assert {v: (p.value, p.currency) for v, p in parsed.items()} == {
        "$1,234": (Decimal("1234"), "USD"), "US$1,234": (Decimal("1234"), "USD"), "1,234 USD": (Decimal("1234"), "USD"),
        "HK$88": (Decimal("88"), "HKD"), "€5": (Decimal("5"), "EUR"), "£5": (Decimal("5"), "GBP"),
        "￥5": (Decimal("5"), "CNY"), "¥5元": (Decimal("5"), "CNY"), "100元": (Decimal("100"), "CNY"),
        "RMB 1": (Decimal("1"), "CNY"), "1.5千": (Decimal("1500"), None), "1.5万元": (Decimal("15000"), "CNY"),
        "1234": (Decimal("1234"), None)}
    assert MONEY.py("$5元").error == "err.amount_two_currencies"
    assert decimal_normaliser(18, 3, gt=0).py("$5").error == "err.number_format"  # a quantity is not money
    assert decimal_normaliser(18, 2, money=True, shift=4).py("12.5").value == Decimal("125000")
    assert decimal_normaliser(18, 2, money=True, shift=4).py("0.0000001").error == "err.decimal_places"
    assert decimal_normaliser(18, 2, money=True, shift=4).py("1.5万").error == "err.scale_twice"


def test_phones_stored_in_one_form():
    stored = {v: PHONE_RULE.py(v).value for v in PHONES[:23]}
    assert stored == {
        "13800138000": "13800138000", "+86 138-0013-8000": "13800138000", "0086 13800138000": "13800138000",
        "86 13800138000": "13800138000", "+8613800138000": "13800138000", "(021)12345678": "021-12345678",
        "（021）1234-5678": "021-12345678", "021 12345678": "021-12345678", "0755-12345678": "0755-12345678",
        "0755-1234567": "0755-1234567", "+86 21 1234 5678": "021-12345678", "+86 (0)21 12345678": "021-12345678",
        "400-820-8820": "4008208820", "800 820 8820": "8008208820", "95588": "95588", "96777": "96777",
        "021-12345678转8001": "021-12345678-8001", "021-12345678 ext. 12": "021-12345678-12",
        "021-12345678X12": "021-12345678-12", "021-12345678-8001": "021-12345678-8001",
        "021-12345678 #12": "021-12345678-12", "0755-1234567-8": "0755-1234567-8", "010-1234-5678": "010-12345678"}
    assert PHONE_RULE.py("1.38E+10").error == "err.phone_excel_scientific"
    assert all(PHONE_RULE.py(phone).value == phone for phone in stored.values())  # a stored form reads as itself


def test_excel_scientific_notation_refused_in_codes():
    guarded = excel_guarded(CODE_RULE)
    assert [guarded.py(v).error for v in EXCEL[:8]] == ["err.excel_digits_lost"] * 4 + [None, "err.excel_digits_lost",
                                                                                         None, None]
    assert guarded.py("110101199003071234").value == "110101199003071234"  # 18 digits as text are genuine
    assert excel_guarded(guarded) is guarded
