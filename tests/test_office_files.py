"""Files as LibreOffice writes them (tests/fixtures/office, one file per case; README.md there says how
each was made and what its import must do): what was stored, exactly, or that nothing was and why."""
from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from crm_core.i18n import t
from crm_core.ingest import ImportProblem, problem_text, run_import
from crm_core.store import Store
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent
OFFICE = ROOT / "tests" / "fixtures" / "office"
CDNOW = ROOT / "tests" / "fixtures" / "cdnow"
ACTOR = Actor("analyst1", "analyst")
C3 = [("C001", "东方饭店", "13912345678", Decimal("50000.00"), "CNY", "老客户"),
      ("C002", "西湖贸易有限公司", "13700000000", Decimal("120000.00"), "CNY", None),
      ("C003", "张伟", "13800138000", Decimal("8000.50"), "CNY", "每月结算")]
LOST_DIGITS = {"en": "Excel has already lost digits here", "zh": "Excel 已经丢失了这里的数字"}


def _import(store: Store, kind: str, name: str, folder: Path = OFFICE, **options):
    return run_import(store, ACTOR, kind, str(folder / name), **options)


def _customers(store: Store) -> list[tuple]:
    cur = store.cursor()
    try:
        return cur.execute("SELECT code, name, phone, credit_limit, currency, notes FROM customers ORDER BY code"
                           ).fetchall()
    finally:
        cur.close()


def _transactions(store: Store) -> list[tuple]:
    cur = store.cursor()
    try:
        return cur.execute("SELECT c.code, t.txn_date, t.amount, t.order_id FROM transactions t"
                           " JOIN customers c USING (customer_id) ORDER BY t.txn_date, c.code").fetchall()
    finally:
        cur.close()


def _with_c3(store: Store) -> None:
    assert _import(store, "customers", "wrapped_header.xlsx").result.created == 3


@pytest.mark.parametrize("name", ["wrapped_header.xlsx", "wrapped_header_crlf_utf8.csv", "wrapped_header_crlf_gbk.csv",
                                  "title_rows.xlsx", "title_rows.csv", "legacy.xls", "legacy.ods", "utf16.csv"])
def test_the_three_customers_come_through_every_office_form(store, name):
    outcome = _import(store, "customers", name)
    assert outcome.lines == [] and outcome.result.created == 3
    assert _customers(store) == C3


@pytest.mark.parametrize("name", ["title_rows.xlsx", "title_rows.csv"])
def test_the_header_row_below_a_title_is_found_and_said(store, name):
    outcome = _import(store, "customers", name)
    assert outcome.notices[0] == ("ingest.notice_header_row", {"row": 3})
    assert outcome.notices[1] == ("ingest.notice_rows_skipped",
                                  {"rows": "1–2", "text": "2026年客户名单 | 制表：华东区 2026-11-30"})


def test_choosing_the_title_row_as_header_names_the_missing_column(store):
    with pytest.raises(ImportProblem) as refused:
        _import(store, "customers", "title_rows.xlsx", header_row=1)
    assert refused.value.key == "ingest.err_missing_column"
    assert store.query_one("SELECT count(*) FROM customers") == (0,)


def test_space_aligned_text_reads_as_five_columns(store):
    outcome = _import(store, "customers", "space_aligned.txt")
    assert outcome.result.created == 3
    assert _customers(store) == [row[:5] + (None,) for row in C3]


def test_gb18030_names_survive(store):
    assert _import(store, "customers", "gb18030.csv").result.created == 3
    assert store.query_df("SELECT name, credit_limit FROM customers ORDER BY code").values.tolist() == [
        ["王䶮", Decimal("5000.00")], ["李㐂", Decimal("6000.00")], ["东方饭店", Decimal("7000.00")]]


def test_two_visible_columns_with_one_header_use_the_first_and_say_so(store):
    outcome = _import(store, "customers", "duplicate_headers.xlsx")
    assert outcome.notices == [("ingest.notice_duplicate_header", {"header": "备注", "first": "D", "others": "E"})]
    assert store.query_df("SELECT code, notes FROM customers ORDER BY code").values.tolist() == [
        ["C001", "老客户"], ["C002", "新开户"]]
    for lang in ("zh", "en"):
        text = t("ingest.notice_duplicate_header", lang, header="备注", first="D", others="E")
        assert "D" in text and "E" in text


def test_a_hidden_column_is_never_preferred_to_the_visible_one(store):
    _with_c3(store)
    outcome = _import(store, "transactions", "hidden_duplicate.xlsx")
    assert outcome.notices == [("ingest.notice_hidden_duplicate", {"header": "金额", "visible": "D", "hidden": "C"})]
    assert _transactions(store) == [("C001", date(2026, 11, 2), Decimal("1130.00"), "SO-2611-301"),
                                    ("C002", date(2026, 11, 3), Decimal("2260.00"), "SO-2611-302")]


@pytest.mark.parametrize("name", ["formulas.xlsx", "formulas_excel_cache.xlsx"])
def test_formula_results_are_the_cents_the_user_sees(store, name):
    _with_c3(store)
    assert _import(store, "transactions", name).result.created == 4
    assert _transactions(store) == [("C001", date(2026, 11, 2), Decimal("113.00"), "SO-2611-102"),
                                    ("C002", date(2026, 11, 3), Decimal("226.00"), "SO-2611-103"),
                                    ("C003", date(2026, 11, 4), Decimal("66.67"), "SO-2611-104"),
                                    ("C001", date(2026, 11, 5), Decimal("7.91"), "SO-2611-105")]


def test_formulas_never_calculated_ask_for_the_file_to_be_saved_in_excel(store):
    _with_c3(store)
    with pytest.raises(ImportProblem) as refused:
        _import(store, "transactions", "formula_no_value.xlsx")
    assert problem_text(refused.value, "en").startswith(
        "formula_no_value.xlsx: 4 cells hold formulas whose results were never calculated (D2, D3, D4, D5)")
    assert "WPS" in problem_text(refused.value, "zh") and "D2" in problem_text(refused.value, "zh")
    assert _transactions(store) == []


@pytest.mark.parametrize("name", ["total_row.xlsx", "total_row.csv"])
def test_a_total_row_at_the_end_is_skipped_and_reported(store, name):
    _with_c3(store)
    outcome = _import(store, "transactions", name, create_customers=True)
    assert outcome.notices == [("ingest.notice_total_rows", {"rows": "5"})]
    assert _transactions(store) == [("C001", date(2026, 11, 2), Decimal("100.00"), "SO-2611-001"),
                                    ("C002", date(2026, 11, 9), Decimal("250.50"), "SO-2611-002"),
                                    ("C003", date(2026, 11, 16), Decimal("80.00"), "SO-2611-003")]
    assert store.query_one("SELECT count(*) FROM customers WHERE code = '合计'") == (0,)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_numbers_excel_already_cut_to_15_digits_are_refused_by_row_and_column(store, lang):
    outcome = _import(store, "customers", "long_numbers.xlsx", lang=lang)
    assert outcome.result is None and store.query_one("SELECT count(*) FROM customers") == (0,)
    assert [line[:line.index(LOST_DIGITS[lang][:8])] for line in outcome.lines] == [
        t("ingest.error_line", lang, row=row, column=column, value=value, reason="")
        for row, column, value in [(2, "客户编号", "1.10101199003071E+17"), (2, "银行账号", "6.22202123456789E+18"),
                                   (4, "客户编号", "3.1010419851225E+17"), (4, "银行账号", "6.22848001234568E+18")]]
    assert all(LOST_DIGITS[lang] in line for line in outcome.lines)


def test_the_one_row_typed_as_text_is_kept_digit_for_digit(store):
    _import(store, "customers", "long_numbers.xlsx", skip_invalid=True)
    assert store.query_df("SELECT code, name, bank_account FROM customers").values.tolist() == [
        ["11010119900307123X", "李娜", "6222021234567890124"]]


def test_order_numbers_of_16_digits_are_refused_not_rounded(store):
    _with_c3(store)
    outcome = _import(store, "transactions", "long_order_numbers.xlsx")
    assert outcome.result is None and len(outcome.lines) == 2
    assert all('"订单号"' in line and "1.2345678901234" in outcome.lines[0] for line in outcome.lines)
    assert _transactions(store) == []


def test_codes_excel_stripped_of_leading_zeros_are_named_and_restored_on_request(store):
    assert _import(store, "customers", "leading_zeros_customers.csv").result.created == 5
    refused = _import(store, "transactions", "leading_zeros.xlsx", create_customers=True)
    assert refused.result is None and len(refused.lines) == 4
    assert "00001" in refused.lines[0] and "--pad-codes" in refused.lines[0]
    assert store.query_one("SELECT count(*) FROM customers") == (5,)  # no skeleton 1, 2, 3, 5 beside 00001…
    assert _import(store, "transactions", "leading_zeros.xlsx", pad_codes=True).result.created == 4
    assert [row[:3] for row in _transactions(store)] == [
        ("00001", date(2026, 11, 2), Decimal("100.00")), ("00002", date(2026, 11, 3), Decimal("58.50")),
        ("00003", date(2026, 11, 4), Decimal("12.00")), ("00005", date(2026, 11, 5), Decimal("300.00"))]


def test_chinese_phone_numbers_are_kept_normalised_with_what_was_typed(store):
    outcome = _import(store, "customers", "phones.csv", skip_invalid=True)
    assert outcome.result.created == 8 and outcome.result.rejected == 1
    assert store.query_df("SELECT code, phone, coalesce(phone_typed, '') FROM customers ORDER BY code")\
        .values.tolist() == [
        ["P01", "13800138000", "+86 138-0013-8000"], ["P02", "13800138000", "0086 13800138000"],
        ["P03", "4008208820", "400-820-8820"], ["P04", "95588", ""], ["P05", "021-12345678", "(021)12345678"],
        ["P06", "0755-12345678", "（0755）1234-5678"], ["P07", "021-12345678-8001", "021-12345678转8001"],
        ["P08", "021-12345678-12", "021-12345678 ext. 12"]]


def test_a_phone_excel_showed_as_1_38e10_gets_its_own_message(store):
    outcome = _import(store, "customers", "phones.csv", lang="en")
    assert outcome.lines == ['Row 10, column "联系电话", value "1.38E+10": '
                             + t("err.phone_excel_scientific", "en", code="1.38E+10")]


def test_foreign_money_is_never_stored_as_yuan(store):
    _with_c3(store)
    outcome = _import(store, "transactions", "currencies.csv", lang="en")
    assert [line.split(":")[0] for line in outcome.lines] == [
        'Row 2, column "金额", value "$1,234"', 'Row 3, column "金额", value "US$50"',
        'Row 4, column "金额", value "HK$80"', 'Row 5, column "金额", value "€20"']
    assert "USD" in outcome.lines[0] and "CNY" in outcome.lines[0]
    assert _transactions(store) == []
    _import(store, "transactions", "currencies.csv", skip_invalid=True)
    assert [row[2] for row in _transactions(store)] == [Decimal("30.00"), Decimal("1234.00")]


def test_a_unit_in_the_header_scales_the_column(store):
    _with_c3(store)
    assert _import(store, "transactions", "units_headers.xlsx").result.created == 2
    assert store.query_df("SELECT amount, quantity FROM transactions ORDER BY txn_date").values.tolist() == [
        [Decimal("12500.00"), Decimal("10.000")], [Decimal("5000.00"), Decimal("4.000")]]


def test_a_dollar_header_into_a_yuan_store_is_refused(store):
    _with_c3(store)
    outcome = _import(store, "transactions", "units_usd.csv", lang="zh")
    assert outcome.result is None and len(outcome.lines) == 2 and "USD" in outcome.lines[0]
    assert _transactions(store) == []


def test_yuan_in_a_customer_header_is_plain_yuan(store):
    assert _import(store, "customers", "units_headers_customers.xlsx").result.created == 2
    assert store.query_df("SELECT credit_limit, currency FROM customers ORDER BY code").values.tolist() == [
        [Decimal("50000.00"), "CNY"], [Decimal("120000.00"), "CNY"]]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pdf_is_refused_before_reading_with_our_message(store, lang):
    with pytest.raises(ImportProblem) as refused:
        _import(store, "customers", "not_a_table.pdf")
    text = problem_text(refused.value, lang)
    assert text.startswith("not_a_table.pdf") and "XLSX" in text and "ODS" in text


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_core", "import", *args, "--db", str(db), "--lang", "en"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_command_line_exit_codes(tmp_path):
    db = tmp_path / "cli.duckdb"
    missing = _cli("customers", str(tmp_path / "missing.csv"), db=db)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert "Traceback" not in missing.stderr and "missing.csv" in missing.stderr
    pdf = _cli("customers", str(OFFICE / "not_a_table.pdf"), db=db)
    assert pdf.returncode == 2 and "Traceback" not in pdf.stderr
    assert _cli("customers", str(OFFICE / "long_numbers.xlsx"), db=db).returncode == 1
    assert _cli("customers", str(OFFICE / "title_rows.xlsx"), "--header-row", "3", db=db).returncode == 0


# -- CDNOW: 23,570 customers, 69,659 purchases --------------------------------------------------------------
@pytest.mark.parametrize("name", ["cdnow_transactions.csv", "cdnow_transactions.xlsx"])
def test_the_whole_cdnow_file_imports_from_csv_and_from_libreoffices_xlsx(store, name):
    outcome = _import(store, "transactions", name, folder=CDNOW, create_customers=True)
    assert outcome.lines == [] and outcome.result.created == 69_659 and outcome.result.customers_created == 23_570
    assert store.query_one("SELECT count(*), count(DISTINCT customer_id), sum(amount), min(txn_date), max(txn_date)"
                           " FROM transactions") == (69_659, 23_570, Decimal("2500315.63"), date(1997, 1, 1),
                                                     date(1998, 6, 30))
    # Calc's default import turned 00001 into the number 1: the XLSX's codes are what Calc saved.
    codes = ("00001", "23570") if name.endswith(".csv") else ("1", "9999")  # text order: "9999" > "23570"
    assert store.query_one("SELECT min(code), max(code) FROM customers") == codes
