"""The import's SQL rules are the entry form's pydantic rules: same verdict, same message, value by value.

Each value goes through ``CustomerIn`` (the form) and through the import's DuckDB SQL path (a staged
file validated by ``crm_core.ingest.validate``); both must accept it, or both reject it with the same
message. The values are ones the form itself understands (ISO dates, plain numbers) plus bad ones;
the extra forms only the import reads (2024年3月5日, 1.5万) are tested in test_ingest.py.
"""
from __future__ import annotations

import csv

import pytest
from pydantic import ValidationError

from crm_core.ingest import ImportJob, get_kind, prepare_file, validate
from crm_core.ingest.pipeline import error_message
from crm_core.models import CustomerIn
from crm_core.models import error_message as form_message
from crm_core.users import Actor

CASES = {
    "code": ["A1", "A 1", "x" * 41, "", "Ｚ９", "B\t2", "1.10101199003071E+17", "1E5", "110101199003071234"],
    "name": ["东方饭店", "", "x" * 201, "　张伟　"],
    "customer_type": ["corporate", "individual", "big", ""],
    "tenure_stage": ["old", "ancient", ""],
    "need_type": ["price", "cheap", ""],
    "phone": ["13912345678", "010-12345678", "+86 139 1234 5678", "12345", "1391234567a", "", "１３９１２３４５６７８",
              "0086 139-1234-5678", "86 13912345678", "(021)12345678", "（021）1234-5678", "0755 1234567",
              "+86 (0)21 1234 5678", "400-820-8820", "95588", "96777", "9558", "021-12345678转8001",
              "021-12345678 ext. 12", "021-12345678x12", "021-12345678#12", "13912345678-1", "1.38E+10",
              "021-1234567890"],
    "email": ["a@b.cn", "not-an-email", "a@b", "x y@b.cn"],
    "postal_code": ["200000", "12345", "2000001", "２０００００", "2E+5"],
    "bank_account": ["6222021001012345678", "6.22202100101234E+18", "6222 0210 0101 2345"],
    "commission_code": ["K-01", "1.2E+16", "提成甲"],
    "credit_limit": ["1000", "1000.5", "-5", "abc", "1.234", "12345678901234567.5", "1234567890123456789", "0",
                     "1.230", "-5.123", "0.001"],
    "open_balance": ["-5", "1.999", "99999999999999999"],
    "birthday": ["1980-03-05", "2999-01-01", "1899-12-31", "2024-02-30", "yesterday"],
    "household_size": ["3", "0", "101", "3.5", "abc", "3.0", "-1"],
    "payday": ["1", "31", "0", "32"],
    "influence": ["5", "6", "0", "1"],
    "region": ["East China", "华东", "火星"],
}


def _form_verdict(field: str, value: str, extra: dict | None = None) -> str | None:
    values = {"code": "P1", "name": "名", **(extra or {}), field: value}
    try:
        CustomerIn(**values)
    except ValidationError as error:
        problems = [p for p in error.errors() if p["loc"] and p["loc"][0] == field]
        return form_message(problems[0], "en") if problems else None
    return None


def _sql_verdicts(store, tmp_path, field: str, values: list[str], extra: dict | None = None) -> list[str | None]:
    path = tmp_path / f"{field}.csv"
    columns = ["code", "name", *(extra or {}), field] if field not in ("code", "name") else ["code", "name"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i, value in enumerate(values):
            row = {"code": f"P{i}", "name": "名", **(extra or {}), field: value}
            writer.writerow([row[c] for c in columns])
    kind = get_kind("customers")
    job = ImportJob(kind, prepare_file(path), dict(enumerate(columns)))
    errors = validate(store, Actor(), job).errors
    errors = errors[errors["field"] == field]
    verdicts = [None] * len(values)
    for row in errors.itertuples():
        value = row.value if isinstance(row.value, str) else None
        verdicts[int(row.row_number) - 2] = error_message(kind, field, row.key, value, row.param, "en")
    return verdicts


@pytest.mark.parametrize("field", sorted(CASES))
def test_sql_rules_match_the_form(store, tmp_path, field):
    values = CASES[field]
    expected = [_form_verdict(field, v) for v in values]
    assert _sql_verdicts(store, tmp_path, field, values) == expected
    assert any(expected) or field == "region"  # every field's list has a bad value (region takes anything)


def test_the_import_stores_the_phone_the_form_stores(store, tmp_path):
    values = [v for v in CASES["phone"] if _form_verdict("phone", v) is None and v]
    path = tmp_path / "phones.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "phone"])
        writer.writerows([f"P{i}", "名", v] for i, v in enumerate(values))
    job = ImportJob(get_kind("customers"), prepare_file(path), {0: "code", 1: "name", 2: "phone"})
    from crm_core.ingest import commit
    commit(store, Actor(), job)
    stored = dict(store.query_df("SELECT code, phone FROM customers").values.tolist())
    assert [stored[f"P{i}"] for i in range(len(values))] == [CustomerIn(code="P", name="名", phone=v).phone
                                                             for v in values]
    assert len(values) == 17


def test_phone_rule_follows_the_country(store, tmp_path):
    values = ["555-1234", "13912345678", "abc"]
    expected = [_form_verdict("phone", v, {"country": "us"}) for v in values]
    assert expected == [None, None, "Not a phone number: use digits, spaces, dashes and an optional leading +."]
    assert _sql_verdicts(store, tmp_path, "phone", values, {"country": "us"}) == expected
