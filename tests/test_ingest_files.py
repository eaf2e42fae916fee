"""Office files as people make them: title rows, wrapped headers, totals, hidden and repeated columns,
formulas, .xls/.ods, space-aligned text, wrong file types and broken tables — each made here (or, for
.xls/.ods, committed from LibreOffice by tests/fixtures/import/make_office_fixtures.py), imported
through ``run_import`` into a fresh store, with the stored values, the header row, the notices and the
messages asserted exactly."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm_core.i18n import t
from crm_core.ingest import (
    ImportProblem,
    column_letter,
    get_kind,
    guess_mapping,
    prepare_file,
    preview_rows,
    problem_text,
    run_import,
    sheet_names,
)
from crm_core.ingest.sheets import cell_text
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "import"
ACTOR = Actor("analyst1", "analyst")


def _customers(store, columns: str = "code, name, phone, credit_limit, birthday") -> list[tuple]:
    cur = store.cursor()
    try:
        return cur.execute(f"SELECT {columns} FROM customers ORDER BY code").fetchall()
    finally:
        cur.close()


def _problem(store, kind: str, path: Path, **kw) -> ImportProblem:
    with pytest.raises(ImportProblem) as caught:
        run_import(store, ACTOR, kind, str(path), **kw)
    return caught.value


def _xlsx(path: Path, rows: list[list], merge: str | None = None, hidden: str | None = None,
          values: dict[str, str] | None = None, title: str = "客户") -> Path:
    """An XLSX written by openpyxl; ``values`` puts raw numbers (as Excel stores them: a formula's cached
    112.99999999999999) into cells by replacing the placeholder numbers openpyxl wrote."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if hidden:
        sheet.column_dimensions[hidden].hidden = True
    book.save(path)
    if values:
        _patch_sheet(path, values)
    return path


def _patch_sheet(path: Path, replacements: dict[str, str]) -> None:
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    for old, new in replacements.items():
        assert old in xml, old
        xml = xml.replace(old, new)
    members["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)


# -- cell values as Excel shows them -----------------------------------------------------------------
@pytest.mark.parametrize(("value", "text"), [
    (112.99999999999999, "113"),          # =C2*1.13 with C2 = 100, as Excel stores it
    (0.1 + 0.2, "0.3"),
    (112.9999995, "113"),                 # within 1e-6 of a cent: that cent
    (12.3400001, "12.34"),
    (1.2345, "1.2345"),                   # not near a cent: kept
    (12.340002, "12.340002"),
    (15000.5, "15000.5"),
    (110101199003071234.0, "1.10101199003071E+17"),   # an 18-digit ID typed into a number cell
    (6222020200012345678.0, "6.22202020001235E+18"),  # a 19-digit bank account
    (1e15, "1E+15"),
    (123456789012345.0, "123456789012345"),           # 15 digits: kept whole
    (100.0, "100"),
    (-20.0, "-20"),
    (True, "TRUE"),
    (None, ""),
    (date(2024, 3, 5), "2024-03-05"),
])
def test_cells_are_written_as_excel_shows_them(value, text):
    assert cell_text(value) == text


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


# -- spreadsheets: title rows, wrapped header, hidden twin, cached formula values, totals -----------------
OFFICE_ROWS = [
    ["2024年重点客户名单"],
    ["制表：销售部  2024-03-05"],
    [],
    ["客户\n编号", "客户名称", "信用额度", "信用额度", "生日", "联系电话"],
    ["K001", "东方饭店", 5000, 777.0, date(1980, 3, 5), "13912345678"],
    ["K002", "西湖贸易", 6000, 15000.5, date(1975, 12, 1), "021-87654321"],
    ["K003", "张伟", 7000, 888.0, date(1990, 7, 4), "13912345679"],
    ["合计", None, 18000, 999.0, None, None],
]
# Excel keeps a formula with its last result: =100*1.13 is stored as 112.99999999999999
CACHED = {'<c r="D5" t="n"><v>777</v></c>': '<c r="D5"><f>100*1.13</f><v>112.99999999999999</v></c>',
          '<c r="D7" t="n"><v>888</v></c>': '<c r="D7"><f>0.1+0.2</f><v>0.30000000000000004</v></c>',
          '<c r="D8" t="n"><v>999</v></c>': '<c r="D8"><f>SUM(D5:D7)</f><v>15113.8</v></c>'}
HEADER_NOTICES = [("ingest.notice_header_row", {"row": 4}),
                  ("ingest.notice_rows_skipped", {"rows": "1–2", "text": "2024年重点客户名单 | 制表：销售部 2024-03-05"}),
                  ("ingest.notice_total_rows", {"rows": "8"})]
ZH_NOTICES = ["已将第 4 行作为表头（列标题）。", "表头上方的第 1–2 行已跳过：2024年重点客户名单 | 制表：销售部 2024-03-05",
              "末尾的合计行已跳过（第 8 行）。", "C 列是隐藏列，与 D 列的标题同为“信用额度”：使用可见的 D 列。"]
VISIBLE_D = [("K001", "东方饭店", "13912345678", Decimal("113.00"), date(1980, 3, 5)),
             ("K002", "西湖贸易", "021-87654321", Decimal("15000.50"), date(1975, 12, 1)),
             ("K003", "张伟", "13912345679", Decimal("0.30"), date(1990, 7, 4))]


def test_xlsx_with_title_rows_wrapped_header_hidden_twin_formulas_and_total(fresh_store, tmp_path):
    path = _xlsx(tmp_path / "客户.xlsx", OFFICE_ROWS, merge="A1:F1", hidden="C", values=CACHED)
    prepared = prepare_file(path, kind="customers")
    assert (prepared.header_row, prepared.row_offset, prepared.hidden_columns) == (4, 3, frozenset({2}))
    assert prepared.headers == ["客户 编号", "客户名称", "信用额度", "信用额度", "生日", "联系电话"]
    assert prepared.header_candidates[:3] == [(1, ["2024年重点客户名单"]), (2, ["制表：销售部  2024-03-05"]),
                                              (4, ["客户\n编号", "客户名称", "信用额度", "信用额度", "生日", "联系电话"])]
    assert [n for n, _ in prepared.header_candidates] == [1, 2, 4, 5, 6, 7, 8]
    assert guess_mapping(get_kind("customers"), prepared.headers, prepared.hidden_columns) == {
        0: "code", 1: "name", 3: "credit_limit", 4: "birthday", 5: "phone"}
    prepared.cleanup()
    outcome = run_import(fresh_store, ACTOR, "customers", str(path))
    assert outcome.result.created == 3 and outcome.lines == []
    assert _customers(fresh_store) == VISIBLE_D  # the visible D, never the hidden C (5000, 6000, 7000)
    assert outcome.notices == HEADER_NOTICES + [
        ("ingest.notice_hidden_duplicate", {"header": "信用额度", "visible": "D", "hidden": "C"})]
    assert [t(k, "zh", **p) for k, p in outcome.notices] == ZH_NOTICES
    assert [t(k, "en", **p) for k, p in outcome.notices] == [
        "The column headers were taken from row 4.",
        "The rows above the headers were skipped (row numbers: 1–2): 2024年重点客户名单 | 制表：销售部 2024-03-05",
        "The total rows at the end were skipped (row numbers: 8).",
        'Column C is hidden and has the same header "信用额度" as column D: the visible column D is used.']


@pytest.mark.parametrize("suffix", ["ods", "xls"])
def test_ods_and_xls_written_by_libreoffice(fresh_store, suffix):
    path = FIX / f"customers_office.{suffix}"
    assert sheet_names(path) == ["客户"]
    outcome = run_import(fresh_store, ACTOR, "customers", str(path), sheet="客户")
    assert outcome.result.created == 3
    if suffix == "ods":  # ODS says which columns are hidden
        assert _customers(fresh_store) == VISIBLE_D
        assert outcome.notices[-1] == ("ingest.notice_hidden_duplicate",
                                       {"header": "信用额度", "visible": "D", "hidden": "C"})
    else:  # XLS: hidden columns are not read; both columns are named and the first is matched
        assert [row[3] for row in _customers(fresh_store)] == [Decimal("5000.00"), Decimal("6000.00"),
                                                                Decimal("7000.00")]
        assert outcome.notices[-1] == ("ingest.notice_duplicate_header",
                                       {"header": "信用额度", "first": "C", "others": "D"})
    assert outcome.notices[:3] == HEADER_NOTICES
    assert fresh_store.query_one("SELECT encoding FROM imports") == (suffix,)


def test_the_xls_keeps_formula_noise_and_it_is_read_as_the_cent(fresh_store):
    prepared = prepare_file(FIX / "customers_office.xls", kind="customers")
    lines = Path(prepared.csv_path).read_text(encoding="utf-8").splitlines()
    prepared.cleanup()
    assert lines == ["客户 编号,客户名称,信用额度,信用额度,生日,联系电话",
                     "K001,东方饭店,5000,113,1980-03-05,13912345678",
                     "K002,西湖贸易,6000,15000.5,1975-12-01,021-87654321",
                     "K003,张伟,7000,0.3,1990-07-04,13912345679"]


def test_sheet_names_of_every_workbook_type(tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.create_sheet("客户")
    book.save(tmp_path / "two.xlsx")
    shutil.copy(tmp_path / "two.xlsx", tmp_path / "two.xlsm")
    assert sheet_names(tmp_path / "two.xlsx") == ["说明", "客户"]
    assert sheet_names(tmp_path / "two.xlsm") == ["说明", "客户"]
    assert sheet_names(FIX / "customers_office.xls") == ["客户"]
    assert sheet_names(FIX / "customers_office.ods") == ["客户"]


def test_an_xlsx_saved_under_the_xls_name_is_read(fresh_store, tmp_path):
    path = _xlsx(tmp_path / "old_system.xls", [["客户编号", "客户名称"], ["M1", "改名客户"]])
    assert run_import(fresh_store, ACTOR, "customers", str(path)).result.created == 1
    assert _customers(fresh_store, "code, name") == [("M1", "改名客户")]


def test_big_numbers_are_written_as_excel_shows_them_not_as_17_digits(fresh_store, tmp_path):
    path = _xlsx(tmp_path / "ids.xlsx", [["客户编号", "客户名称", "备注"], ["B1", "身份证客户", 555.0]],
                 values={"<v>555</v>": "<v>1.1010119900307123E+17</v>"})
    prepared = prepare_file(path)
    assert Path(prepared.csv_path).read_text(encoding="utf-8").splitlines()[1] == "B1,身份证客户,1.10101199003071E+17"
    prepared.cleanup()


def test_a_table_that_starts_in_column_b_keeps_excel_letters(fresh_store, tmp_path):
    rows = [[], [], [None, "客户编号", "备注", "客户名称", "备注"], [None, "P1", "看得见", "甲", "藏起来"]]
    path = _xlsx(tmp_path / "from_b3.xlsx", rows, hidden="E")
    prepared = prepare_file(path, kind="customers")
    assert (prepared.header_row, prepared.first_column, prepared.hidden_columns) == (3, 1, frozenset({3}))
    assert list(preview_rows(fresh_store, prepared).columns) == ["客户编号", "备注 (C)", "客户名称", "备注 (E)"]
    assert prepared.notices == [("ingest.notice_header_row", {"row": 3}), (
        "ingest.notice_hidden_duplicate", {"header": "备注", "visible": "C", "hidden": "E"})]
    prepared.cleanup()
    run_import(fresh_store, ACTOR, "customers", str(path))
    assert _customers(fresh_store, "code, name, notes") == [("P1", "甲", "看得见")]


# -- choosing the header row --------------------------------------------------------------------------
def test_header_row_can_be_chosen_and_a_wrong_one_is_explained(fresh_store, tmp_path):
    rows = [["说明：请从第 3 行起填写"], ["客户编号", "客户名称"], ["编码", "称呼"], ["N1", "第一位"]]
    path = _xlsx(tmp_path / "two_headers.xlsx", rows)
    assert prepare_file(path, kind="customers").header_row == 2  # the row that matches the known headers
    chosen = prepare_file(path, kind="customers", header_row=3)
    assert (chosen.header_row, chosen.headers, chosen.notices) == (3, ["编码", "称呼"], [
        ("ingest.notice_header_row", {"row": 3}),
        ("ingest.notice_rows_skipped", {"rows": "1–2", "text": "说明：请从第 3 行起填写 | 客户编号 | 客户名称"})])
    chosen.cleanup()
    mapping = json.dumps({"编码": "code", "称呼": "name"}, ensure_ascii=False)
    outcome = run_import(fresh_store, ACTOR, "customers", str(path), header_row=3, mapping_text=mapping)
    assert _customers(fresh_store, "code, name") == [("N1", "第一位")] and outcome.result.created == 1
    problem = _problem(fresh_store, "customers", path, header_row=9)
    assert (problem.key, problem.params) == ("ingest.err_header_row", {"row": 9, "first": 1, "last": 4})
    assert problem_text(problem, "en") == ("Row 9 cannot be the header row: choose one of the filled rows 1–4 near "
                                           "the top of the file.")
    assert problem_text(problem, "zh") == "第 9 行不能作为表头行：请在文件开头第 1–4 行中选择一个有内容的行。"


def test_without_a_kind_a_one_cell_title_is_passed_over_and_nothing_more_guessed(tmp_path):
    path = _xlsx(tmp_path / "t.xlsx", [["年度名单"], ["客户编号", "客户名称", "电话"], ["A1", "x", "1"]],
                 merge="A1:C1")
    prepared = prepare_file(path)
    assert (prepared.header_row, prepared.headers) == (2, ["客户编号", "客户名称", "电话"])
    prepared.cleanup()
    narrow = tmp_path / "narrow.csv"  # two named columns and more unnamed ones: still the header
    narrow.write_text("编码,称呼,,,\nA1,x,1,2,3\n", encoding="utf-8")
    prepared = prepare_file(narrow)
    assert (prepared.header_row, prepared.headers) == (1, ["编码", "称呼", "", "", ""])


# -- CSV: wrapped headers and titles, UTF-8 and GBK, CRLF ------------------------------------------------
WRAPPED_CSV = ('2024年客户名单,,,\r\n制表：销售部,,,\r\n,,,\r\n'
               '"客户\r\n编号","客户\r\n名称",联系电话,信用额度（元）\r\n'
               'C001,东方饭店,13912345678,"1,234.50"\r\n'
               ',,,\r\n'
               'C002,"西湖贸易\r\n有限公司",021-87654321,800\r\n'
               'C003,张伟,13912345679,5\r\n'
               '合计,,,"2,039.50"\r\n')


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_with_title_rows_and_wrapped_headers(fresh_store, tmp_path, encoding):
    path = tmp_path / f"wrapped_{encoding}.csv"
    path.write_bytes(WRAPPED_CSV.encode(encoding))
    prepared = prepare_file(path, kind="customers")
    assert prepared.headers == ["客户 编号", "客户 名称", "联系电话", "信用额度（元）"]
    assert (prepared.header_row, prepared.skip_records, prepared.row_offset) == (4, 4, 3)
    assert preview_rows(fresh_store, prepared).values.tolist() == [
        ["C001", "东方饭店", "13912345678", "1,234.50"], ["", "", "", ""],
        ["C002", "西湖贸易\r\n有限公司", "021-87654321", "800"], ["C003", "张伟", "13912345679", "5"]]
    prepared.cleanup()
    outcome = run_import(fresh_store, ACTOR, "customers", str(path))
    assert outcome.lines == [] and outcome.result.created == 3
    assert _customers(fresh_store, "code, name, phone, credit_limit") == [
        ("C001", "东方饭店", "13912345678", Decimal("1234.50")),
        ("C002", "西湖贸易\r\n有限公司", "021-87654321", Decimal("800.00")),
        ("C003", "张伟", "13912345679", Decimal("5.00"))]
    assert outcome.notices == [("ingest.notice_header_row", {"row": 4}),
                               ("ingest.notice_rows_skipped", {"rows": "1–2", "text": "2024年客户名单 | 制表：销售部"}),
                               ("ingest.notice_total_rows", {"rows": "9"})]


def test_csv_row_numbers_stay_the_rows_excel_shows_below_titles_and_wrapped_cells(fresh_store, tmp_path):
    path = tmp_path / "bad_row.csv"
    path.write_bytes(WRAPPED_CSV.replace("13912345679", "12345").encode("gbk"))
    outcome = run_import(fresh_store, ACTOR, "customers", str(path), lang="zh")
    assert outcome.lines == ["第 8 行，“联系电话”列，值“12345”：不是有效的中国大陆电话：请填写手机号（13812345678，也可写 "
                             "+86 138-1234-5678）、带区号的固定电话（010-12345678、(021)1234-5678，分机写成 021-12345678转8001"
                             " 或 ext. 8001）、400/800 电话（400-820-8820）或 95xxx/96xxx 服务号码（95588）；其他国家/地区请填写国家字段。"]


def test_a_clean_utf8_csv_is_read_in_place(tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text("客户编号,客户名称\nC1,甲\n", encoding="utf-8")
    prepared = prepare_file(path, kind="customers")
    assert (prepared.csv_path, prepared.temp_paths, prepared.skip_records, prepared.notices) == (str(path), [], 1, [])
    assert (prepared.must_stage, prepared.header_row, prepared.row_offset) == (False, 1, 0)


# -- totals and blank rows ------------------------------------------------------------------------------
def test_total_rows_at_the_end_of_a_transaction_csv_are_skipped_and_reported(fresh_store, tmp_path):
    run_import(fresh_store, ACTOR, "customers", str(FIX / "customers_utf8.csv"))
    path = tmp_path / "sales.csv"
    path.write_text("客户编号,日期,金额\nC001,2024-03-05,10\nC002,2024-03-06,20\n,,\n小计,,30\n合 计,,30\n",
                    encoding="utf-8")
    prepared = prepare_file(path, kind="transactions")
    assert (prepared.trailing_totals, prepared.must_stage) == (3, True)
    assert preview_rows(fresh_store, prepared).values.tolist() == [["C001", "2024-03-05", "10"],
                                                                   ["C002", "2024-03-06", "20"]]
    prepared.cleanup()
    outcome = run_import(fresh_store, ACTOR, "transactions", str(path))
    assert outcome.result.created == 2
    assert fresh_store.query_one("SELECT count(*), sum(amount) FROM transactions") == (2, Decimal("30.00"))
    assert outcome.notices == [("ingest.notice_total_rows", {"rows": "5–6"})]


def test_a_total_word_in_the_middle_is_data_not_skipped(fresh_store, tmp_path):
    path = tmp_path / "middle.csv"
    path.write_text("客户编号,客户名称\nC1,甲\nTotal,总店\nC2,乙\n", encoding="utf-8")
    outcome = run_import(fresh_store, ACTOR, "customers", str(path))
    assert _customers(fresh_store, "code") == [("C1",), ("C2",), ("Total",)] and outcome.notices == []


def test_blank_rows_in_a_sheet_are_skipped_and_row_numbers_kept(fresh_store, tmp_path):
    path = _xlsx(tmp_path / "gaps.xlsx", [["客户编号", "客户名称", "电话"], ["G1", "甲", "13912345678"], [], [],
                                         ["G2", "乙", "12345"], ["总计", None, None]])
    outcome = run_import(fresh_store, ACTOR, "customers", str(path))
    assert outcome.result is None
    assert outcome.lines == ['Row 5, column "电话", value "12345": ' + t("err.phone_format_cn", "en")]
    assert outcome.notices == [("ingest.notice_total_rows", {"rows": "6"})]


# -- repeated headers -------------------------------------------------------------------------------------
def test_two_visible_columns_with_one_header(fresh_store, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("客户编号,备注,客户名称,地址,电话,备注\nR1,第一条,甲,北京,13912345678,第二条\n", encoding="utf-8")
    prepared = prepare_file(path, kind="customers")
    assert list(preview_rows(fresh_store, prepared).columns) == ["客户编号", "备注 (B)", "客户名称", "地址", "电话",
                                                                 "备注 (F)"]
    assert prepared.notices == [("ingest.notice_duplicate_header", {"header": "备注", "first": "B", "others": "F"})]
    assert t(prepared.notices[0][0], "en", **prepared.notices[0][1]) == (
        'Columns B and F are both headed "备注"; column B is matched. Choose column F in the mapping if that is the '
        'one to import.')
    prepared.cleanup()
    outcome = run_import(fresh_store, ACTOR, "customers", str(path))
    assert _customers(fresh_store, "code, notes") == [("R1", "第一条")]
    mapping = json.dumps({"客户编号": "code", "客户名称": "name", "#6": "notes"}, ensure_ascii=False)
    run_import(fresh_store, ACTOR, "customers", str(path), mode="upsert", mapping_text=mapping, again=True)
    assert _customers(fresh_store, "code, notes") == [("R1", "第二条")] and outcome.result.created == 1


def test_a_header_with_its_unit_is_matched():
    kind = get_kind("transactions")
    assert guess_mapping(kind, ["客户编号", "日期", "金额（元）", "数量(件)"]) == {
        0: "customer_code", 1: "txn_date", 2: "amount", 3: "quantity"}


# -- formulas without values -----------------------------------------------------------------------------
def test_formulas_never_calculated_are_refused_naming_the_cells(fresh_store, tmp_path):
    rows = [["客户编号", "客户名称", "信用额度"], *[[f"F{i}", "公式客户", f"=100*{i}"] for i in range(1, 8)],
            ["合计", None, "=SUM(C2:C8)"]]
    path = _xlsx(tmp_path / "by_a_program.xlsx", rows)
    problem = _problem(fresh_store, "customers", path)
    assert (problem.key, problem.params) == ("ingest.err_formulas_not_calculated",
                                             {"file": "by_a_program.xlsx", "cells": "C2, C3, C4, C5, C6 …", "count": 7})
    assert problem_text(problem, "en") == (
        "by_a_program.xlsx: 7 cells hold formulas whose results were never calculated (C2, C3, C4, C5, C6 …) — the "
        "file was written by a program, not by Excel, and those cells would be imported blank. Open the file in "
        "Excel or WPS, save it (the results are calculated then) and import it again.")
    assert problem_text(problem, "zh") == (
        "by_a_program.xlsx：有 7 个单元格的公式从未计算出结果（C2, C3, C4, C5, C6 …）——该文件由程序生成而非在 Excel 中保存，"
        "这些单元格会被当作空白导入。请用 Excel 或 WPS 打开该文件并保存（保存时会计算公式结果），然后重新导入。")
    assert fresh_store.query_one("SELECT count(*) FROM customers") == (0,)


def test_a_formula_whose_value_is_an_empty_text_was_calculated(fresh_store, tmp_path):
    path = _xlsx(tmp_path / "empty_text.xlsx", [["客户编号", "客户名称", "备注"], ["E1", "甲", 123.0]],
                 values={'<c r="C2" t="n"><v>123</v></c>': '<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c>'})
    assert run_import(fresh_store, ACTOR, "customers", str(path)).result.created == 1


# -- space-aligned text ---------------------------------------------------------------------------------
CDNOW_MASTER = (" customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n"
                " 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n 00003 19970102  2   20.76\r\n")
CDNOW_SAMPLE = (" 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n"
                " 00021 0002 19970101  3   63.34\r\n")


def test_space_aligned_text_with_a_header(fresh_store, tmp_path):
    path = tmp_path / "CDNOW_master.txt"
    path.write_text(CDNOW_MASTER, encoding="ascii", newline="")
    prepared = prepare_file(path, kind="transactions")
    assert (prepared.headers, prepared.header_row) == (["customer_id", "date", "number_of_cds", "dollar_value"], 1)
    assert prepared.notices == [("ingest.notice_space_aligned", {"columns": 4})]
    prepared.cleanup()
    mapping = json.dumps({"customer_id": "customer_code", "date": "txn_date", "dollar_value": "amount",
                          "number_of_cds": "quantity"})
    outcome = run_import(fresh_store, ACTOR, "transactions", str(path), mapping_text=mapping, create_customers=True)
    assert (outcome.result.created, outcome.result.customers_created) == (4, 3)
    cur = fresh_store.cursor()
    assert cur.execute("SELECT c.code, t.txn_date::DATE, t.amount, t.quantity FROM transactions t JOIN customers c"
                       " USING (customer_id) ORDER BY t.txn_id").fetchall() == [
        ("00001", date(1997, 1, 1), Decimal("11.77"), Decimal("1.000")),
        ("00002", date(1997, 1, 12), Decimal("12.00"), Decimal("1.000")),
        ("00002", date(1997, 1, 12), Decimal("77.00"), Decimal("5.000")),
        ("00003", date(1997, 1, 2), Decimal("20.76"), Decimal("2.000"))]
    cur.close()


def test_space_aligned_text_without_a_header_is_mapped_by_position(fresh_store, tmp_path):
    path = tmp_path / "CDNOW_sample.txt"
    path.write_text(CDNOW_SAMPLE, encoding="ascii", newline="")
    prepared = prepare_file(path, kind="transactions")
    assert (prepared.headers, prepared.header_row, prepared.row_offset) == (["", "", "", "", ""], 0, -1)
    assert prepared.notices == [("ingest.notice_space_aligned", {"columns": 5}), ("ingest.notice_no_header", {})]
    assert list(preview_rows(fresh_store, prepared).columns) == ["#1", "#2", "#3", "#4", "#5"]
    prepared.cleanup()
    mapping = json.dumps({"#1": "customer_code", "#3": "txn_date", "#5": "amount"})
    outcome = run_import(fresh_store, ACTOR, "transactions", str(path), mapping_text=mapping, create_customers=True)
    assert outcome.result.created == 3
    assert fresh_store.query_one("SELECT sum(amount) FROM transactions") == (Decimal("122.40"),)
    path.write_text(CDNOW_SAMPLE.replace("29.73", "2x.73"), encoding="ascii", newline="")
    rejected = run_import(fresh_store, ACTOR, "transactions", str(path), mapping_text=mapping, create_customers=True)
    assert rejected.lines == ['Row 2, column "#5", value "2x.73": Not a number: write digits only, e.g. 50000.00.']


# -- files we do not read, files that are broken ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["合同.doc", "report.PDF", "data.zip", "表格.numbers", "scan.png", "x.docx"])
def test_other_file_types_get_our_message_before_anything_is_read(fresh_store, tmp_path, name):
    path = tmp_path / name
    path.write_text("客户编号,客户名称\nC1,甲\n", encoding="utf-8")  # even a table inside is not read
    problem = _problem(fresh_store, "customers", path)
    assert (problem.key, problem.params) == ("ingest.err_file_type",
                                             {"file": name, "types": "CSV, TXT, TSV, XLSX, XLSM, XLS, ODS"})
    assert problem_text(problem, "zh").startswith(f"{name} 不是可导入的文件类型。可读取的类型：CSV, TXT, TSV, XLSX")


@pytest.mark.parametrize("name, data", [("broken.xlsx", b"PK\x03\x04" + bytes(300)),
                                        ("webpage.xls", b"<html><table><tr><td>1</td></tr></table></html>"),
                                        ("broken.ods", bytes(500))])
def test_a_broken_spreadsheet_is_named_in_our_words(fresh_store, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    problem = _problem(fresh_store, "customers", path)
    assert (problem.key, problem.params) == ("ingest.err_sheet_unreadable", {"file": name})
    assert problem_text(problem, "en").startswith(f"{name} cannot be read as a spreadsheet: it is damaged")
    assert problem_text(problem, "zh").startswith(f"无法按电子表格读取 {name}：文件已损坏")


def test_a_missing_file_is_a_problem_not_a_traceback(fresh_store, tmp_path):
    problem = _problem(fresh_store, "customers", tmp_path / "nope.csv")
    assert (problem.key, problem.params) == ("ingest.err_file_missing", {"file": "nope.csv"})
    assert problem_text(problem, "zh") == "找不到文件 nope.csv：请检查文件名和所在文件夹。"


ROWS_OK = "".join(f"C{i},客户{i}\n" for i in range(30_000))  # beyond DuckDB's sniffing sample


@pytest.mark.parametrize("text, key, params", [
    ("客户编号,客户名称\n" + ROWS_OK + "C9,x,多一列\n", "ingest.err_csv_columns",
     {"row": 30_002, "expected": 2, "found": 3}),
    ("客户编号,客户名称\nC1,a\nC2,b,多一列\nC3,c\n", "ingest.err_csv_columns", {"row": 3, "expected": 2, "found": 3}),
    ("标题\n客户编号,客户名称\nC1,a\nC2\nC3,c\n", "ingest.err_csv_columns", {"row": 4, "expected": 2, "found": 1}),
    ('客户编号,客户名称\nC1,a\nC2,"b\nC3,c\n', "ingest.err_csv_quote", {"row": 3}),
    ("客户编号,客户名称\n", "ingest.err_no_rows", {}),
])
def test_duckdb_errors_become_our_messages_with_the_row(fresh_store, tmp_path, text, key, params):
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    problem = _problem(fresh_store, "customers", path)
    expected = {**params, "file": "broken.csv"} if key != "ingest.err_no_rows" else params
    assert (problem.key, problem.params) == (key, expected)
    for lang in ("en", "zh"):
        message = problem_text(problem, lang)
        assert "Invalid Input" not in message and "sniff" not in message and "{" not in message
    if key == "ingest.err_csv_columns" and params["row"] == 3:
        assert problem_text(problem, "zh") == (
            "broken.csv 第 3 行有 3 列，而表格应为 2 列。可能某个单元格里含有分隔符（逗号）却没有加引号。请用 Excel 或 WPS 打开文件，"
            "检查第 3 行，再另存为“CSV UTF-8”。")


# -- the command line ------------------------------------------------------------------------------------
def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_core", "import", *args, "--db", str(db)],
                          capture_output=True, text=True, cwd=ROOT)


def test_cli_missing_file_is_one_line_and_exit_2(tmp_path):
    done = _cli("customers", str(tmp_path / "missing.csv"), "--lang", "en", db=tmp_path / "c.duckdb")
    assert done.returncode == 2
    assert done.stderr == "There is no file missing.csv: check the name and the folder.\n"
    mapping = _cli("customers", str(FIX / "one_row.csv"), "--mapping", str(tmp_path / "nomap.json"), "--lang", "zh",
                   db=tmp_path / "c.duckdb")
    assert (mapping.returncode, mapping.stderr) == (2, "找不到文件 " + str(tmp_path / "nomap.json") +
                                                    "：请检查文件名和所在文件夹。\n")


def test_cli_sheet_header_row_and_notices(tmp_path):
    done = _cli("customers", str(FIX / "customers_office.ods"), "--sheet", "客户", "--header-row", "4",
                "--lang", "zh", db=tmp_path / "c.duckdb")
    assert done.returncode == 0, done.stderr
    notices = [line for line in done.stderr.splitlines() if "%" not in line]
    assert notices == ZH_NOTICES
    assert done.stdout.startswith("第 1 号导入：读取 3 行，新增 3 行")
    wrong = _cli("customers", str(FIX / "customers_office.ods"), "--sheet", "没有", "--lang", "en",
                 db=tmp_path / "c.duckdb")
    assert (wrong.returncode, wrong.stderr) == (2, "The workbook has no sheet named 没有.\n")


def test_pad_codes_reaches_the_job(fresh_store, monkeypatch):
    import crm_core.ingest as ingest

    seen = {}

    def fake_commit(store, actor, job, progress=None):
        seen["pad_codes"] = job.pad_codes
        raise ImportProblem("ingest.err_no_rows")

    monkeypatch.setattr(ingest, "commit", fake_commit)
    for flag in (False, True):
        with pytest.raises(ImportProblem):
            run_import(fresh_store, ACTOR, "customers", str(FIX / "one_row.csv"), pad_codes=flag)
        assert seen["pad_codes"] is flag


def test_cli_takes_pad_codes(tmp_path):
    done = _cli("customers", str(FIX / "one_row.csv"), "--pad-codes", "--lang", "en", db=tmp_path / "c.duckdb")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Import #1: 1 row read, 1 created")
