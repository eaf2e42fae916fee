"""Units written after a header: split off for matching, read as scale and currency where money."""
import pytest

from crm_core.ingest.units import MoneyUnit, money_unit, split_unit


@pytest.mark.parametrize("header, base, unit", [
    ("金额（元）", "金额", "元"),
    ("金额(万元)", "金额", "万元"),
    ("数量[件]", "数量", "件"),
    ("Amount (CNY)", "Amount", "CNY"),
    ("金额【千元】", "金额", "千元"),
    ("客户\n编号", "客户 编号", None),        # Alt+Enter in a header is a space
    ("客户\r\n编号（元）", "客户 编号", "元"),
    ("（元）", "(元)", None),                 # a unit with nothing before it is not a unit
    ("备注", "备注", None),
])
def test_split_unit(header, base, unit):
    assert split_unit(header) == (base, unit)


@pytest.mark.parametrize("unit, expected", [
    ("元", MoneyUnit(0, "CNY")),
    ("万元", MoneyUnit(4, "CNY")),
    ("千元", MoneyUnit(3, "CNY")),
    ("亿元", MoneyUnit(8, "CNY")),
    ("CNY", MoneyUnit(0, "CNY")),
    ("USD", MoneyUnit(0, "USD")),
    ("US$", MoneyUnit(0, "USD")),
    ("万美元", MoneyUnit(4, "USD")),
    ("USD thousand", MoneyUnit(3, "USD")),
    ("HK$", MoneyUnit(0, "HKD")),
    ("万", MoneyUnit(4, None)),
    ("件", None),
    ("kg", None),
    ("%", None),
    (None, None),
])
def test_money_unit(unit, expected):
    assert money_unit(unit) == expected
