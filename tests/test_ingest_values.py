"""values.py: the Python and the DuckDB SQL form of each normaliser agree, value by value."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from crm_core.ingest.kinds import CODE_RULE, NAME_RULE
from crm_core.ingest.values import DATE, DATETIME, decimal_normaliser, int_normaliser, parse_date, sql_fold, sql_literal

DATES = ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "45356", "2024-03-05 14:30:00",
         "２０２４-０３-０５", " 2024-03-05 ", "2024-02-30", "2024-13-01", "5/3/2024", "2024", "0999-01-01", "", None,
         "abc", "45356.75", "99999"]
AMOUNTS = ["1,234.50", "¥99", "￥1,234", "$5.5", "１２３", "1.5万", "\u3000８８\u3000", "-20.00", "1,5", "12,34",
           "1.234", "2亿", "RMB 100", "100元", "-¥3", "+7", "--1", "1e3", "", None, "0.001万", "12345678901234567",
           "99999999999999999999", ".5", "5."]
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
    (NAME_RULE, CODES),
])
def test_python_and_sql_agree(rule, values):
    sql = _sql(rule, values)
    for raw, (value, error) in zip(values, sql):
        parsed = rule.py(raw)
        assert (parsed.value, parsed.error) == (value, error if error else None), raw


def test_the_forms_people_write():
    assert {parse_date(v).value for v in DATES[:9]} == {date(2024, 3, 5)}
    assert [decimal_normaliser(18, 2).py(v).value for v in AMOUNTS[:8]] == [
        Decimal("1234.5"), Decimal("99"), Decimal("1234"), Decimal("5.5"), Decimal("123"), Decimal("15000"),
        Decimal("88"), Decimal("-20")]
    assert decimal_normaliser(18, 2).py("1,5").error == "err.number_format"  # not silently 15
    assert DATETIME.py("2024/3/5 9:05").value == datetime(2024, 3, 5, 9, 5)
    assert parse_date("2024").error == "err.date_format"  # a year is not an Excel serial
