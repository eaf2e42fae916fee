"""Property-based tests of the import parser: any text gives a value or a catalog error, never an
exception, and the Python and DuckDB forms of every normaliser agree on it."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.i18n import CATALOG
from crm_core.ingest.kinds import CODE_RULE, NAME_RULE
from crm_core.ingest.values import DATE, DATETIME, decimal_normaliser, int_normaliser
from tests.test_ingest_values import _sql

RULES = {"date": DATE, "datetime": DATETIME, "money": decimal_normaliser(18, 2),
         "positive": decimal_normaliser(18, 3, gt=0), "int": int_normaliser(gt=0, le=100), "code": CODE_RULE,
         "name": NAME_RULE}
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
# Text that looks like what people type into date and amount cells, so the interesting branches run.
PIECES = st.sampled_from(["2024", "1999", "0", "3", "12", "31", "-", "/", ".", "年", "月", "日", " ", ",", "万", "亿",
                          "¥", "￥", "$", "１", "２", "\u3000", "e", "+", "RMB", ":", "T", "45356"])
TYPED = st.lists(PIECES, max_size=8).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(RULES)), st.lists(st.one_of(ANY_TEXT, TYPED), min_size=1, max_size=25))
def test_python_and_sql_agree_on_any_text(rule_name, values):
    rule = RULES[rule_name]
    for raw, (value, error) in zip(values, _sql(rule, values)):
        parsed = rule.py(raw)
        assert (parsed.value, parsed.error) == (value, error if error else None), (rule_name, raw)
        assert parsed.error is None or parsed.error in CATALOG, parsed.error


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(RULES)), st.one_of(ANY_TEXT, TYPED, st.none()))
def test_every_value_is_accepted_or_refused_with_a_catalog_message(rule_name, raw):
    parsed = RULES[rule_name].py(raw)
    assert (parsed.value is None) or (parsed.error is None)
    assert parsed.error is None or parsed.error in CATALOG
