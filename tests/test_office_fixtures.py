"""The office-file fixtures are what tests/fixtures/office/README.md and tests/fixtures/cdnow/README.md
say they are: the bytes LibreOffice (or openpyxl, where said) wrote for each case, and the full CDNOW
data with its counts.

These tests check the files only; what the import does with them is tested elsewhere, against the
outcomes in the README. Nothing here needs LibreOffice: the files are read with zipfile, the XML
parser and the codecs of the standard library.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OFFICE = FIXTURES / "office"
CDNOW = FIXTURES / "cdnow"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

CASE_FILES = [
    "wrapped_header.xlsx", "wrapped_header_crlf_utf8.csv", "wrapped_header_crlf_gbk.csv",
    "title_rows.xlsx", "title_rows.csv", "duplicate_headers.xlsx", "hidden_duplicate.xlsx",
    "formulas.xlsx", "formulas_excel_cache.xlsx", "formula_no_value.xlsx", "total_row.xlsx", "total_row.csv",
    "long_numbers.xlsx", "long_order_numbers.xlsx", "leading_zeros.xlsx", "leading_zeros_customers.csv",
    "phones.csv", "currencies.csv", "units_headers.xlsx", "units_headers_customers.xlsx", "units_usd.csv",
    "space_aligned.txt", "legacy.xls", "legacy.ods", "gb18030.csv", "utf16.csv", "not_a_table.pdf",
]
C3_TEXT = ("客户编号,客户名称,联系电话,信用额度,币种,备注\n"
           "C001,东方饭店,13912345678,50000,CNY,老客户\n"
           "C002,西湖贸易有限公司,13700000000,120000,CNY,\n"
           "C003,张伟,13800138000,8000.5,CNY,每月结算\n")


# -- reading an XLSX with the standard library ------------------------------------------------------

def _member(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def sheet_xml(path: Path) -> str:
    return _member(path, "xl/worksheets/sheet1.xml")


def cells(path: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """Every cell of the first sheet: reference -> (type, value as written, formula or None);
    shared and inline strings resolved to their text."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]
        root = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    found = {}
    for c in root.iter(f"{MAIN}c"):
        kind = c.get("t", "n")
        v, f = c.find(f"{MAIN}v"), c.find(f"{MAIN}f")
        value = v.text if v is not None else None
        if kind == "s" and value is not None:
            value = shared[int(value)]
        elif kind == "inlineStr":
            value = "".join(t.text or "" for t in c.iter(f"{MAIN}t"))
        found[c.get("r")] = (kind, value, f.text if f is not None else None)
    return found


def application(path: Path) -> str:
    return re.search(r"<Application>(.*?)</Application>", _member(path, "docProps/app.xml")).group(1)


# -- the set of files ----------------------------------------------------------------------------

def test_every_case_has_its_file_and_a_line_in_the_readme():
    readme = (OFFICE / "README.md").read_text(encoding="utf-8")
    present = {p.name for p in OFFICE.iterdir() if p.is_file()} - {"make_fixtures.py", "README.md"}
    assert present == set(CASE_FILES)
    for name in CASE_FILES:
        assert (OFFICE / name).stat().st_size > 0, name
        assert f"| `{name}` |" in readme, f"{name} has no row in README.md"


@pytest.mark.parametrize("name", [n for n in CASE_FILES if n.endswith(".xlsx")])
def test_each_xlsx_names_the_program_that_wrote_it(name):
    if name == "formula_no_value.xlsx":
        assert application(OFFICE / name) == "Microsoft Excel Compatible / Openpyxl 3.1.5"
    else:  # formulas_excel_cache.xlsx is LibreOffice's file with other cached values (README)
        assert application(OFFICE / name).startswith("LibreOffice/7.4.7.2")


# -- header rows ---------------------------------------------------------------------------------

def test_wrapped_header_xlsx_holds_line_breaks_in_the_header_cells():
    sheet = cells(OFFICE / "wrapped_header.xlsx")
    assert [sheet[f"{col}1"][1] for col in "ABCDEF"] == ["客户\n编号", "客户\n名称", "联系电话", "信用额度", "币种", "备注"]
    assert sheet["D4"] == ("n", "8000.5", None)


@pytest.mark.parametrize("name, codec", [("wrapped_header_crlf_utf8.csv", "utf-8"),
                                         ("wrapped_header_crlf_gbk.csv", "gbk")])
def test_wrapped_header_csv_ends_rows_with_crlf_and_keeps_lf_inside_the_header(name, codec):
    text = (OFFICE / name).read_bytes().decode(codec)
    header = '"客户\n编号","客户\n名称",联系电话,信用额度,币种,备注'
    assert text == header + "\r\n" + "".join(line + "\r\n" for line in C3_TEXT.splitlines()[1:])


def test_the_gbk_csv_is_not_utf8():
    with pytest.raises(UnicodeDecodeError):
        (OFFICE / "wrapped_header_crlf_gbk.csv").read_bytes().decode("utf-8")


def test_title_rows_xlsx_has_a_merged_title_and_the_header_in_row_3():
    path = OFFICE / "title_rows.xlsx"
    assert '<mergeCell ref="A1:F1"/>' in sheet_xml(path)
    sheet = cells(path)
    assert sheet["A1"][1] == "2026年客户名单"
    assert sheet["A2"][1] == "制表：华东区 2026-11-30"
    assert [sheet[f"{col}3"][1] for col in "ABCDEF"] == C3_TEXT.split("\n")[0].split(",")
    assert sheet["A6"][1] == "C003"


def test_title_rows_csv():
    text = (OFFICE / "title_rows.csv").read_text(encoding="utf-8")
    assert text == "2026年客户名单,,,,,\n制表：华东区 2026-11-30,,,,,\n" + C3_TEXT


# -- duplicate and hidden columns ----------------------------------------------------------------

def test_duplicate_headers_xlsx_has_two_notes_columns():
    sheet = cells(OFFICE / "duplicate_headers.xlsx")
    assert [sheet[f"{col}1"][1] for col in "ABCDE"] == ["客户编号", "客户名称", "联系电话", "备注", "备注"]
    assert (sheet["D2"][1], sheet["E2"][1], sheet["D3"][1], sheet["E3"][1]) == ("老客户", "每月结算", "新开户", "季度结算")


def test_hidden_duplicate_xlsx_hides_column_c_only():
    path = OFFICE / "hidden_duplicate.xlsx"
    cols = re.findall(r"<col [^>]*/>", sheet_xml(path))
    hidden = [(re.search(r'min="(\d+)"', c).group(1), re.search(r'max="(\d+)"', c).group(1))
              for c in cols if 'hidden="true"' in c]
    assert hidden == [("3", "3")]
    sheet = cells(path)
    assert sheet["C1"][1] == sheet["D1"][1] == "金额"
    assert [sheet[ref][1] for ref in ("C2", "D2", "C3", "D3")] == ["1000", "1130", "2000", "2260"]


# -- formulas and totals -------------------------------------------------------------------------

PRICES = {2: 100, 3: 200, 4: 59, 5: 7}


def test_formulas_xlsx_holds_libreoffice_cached_values():
    sheet = cells(OFFICE / "formulas.xlsx")
    assert [sheet[f"D{row}"] for row in PRICES] == [
        ("n", "113", "C2*1.13"), ("n", "226", "C3*1.13"), ("n", "66.67", "C4*1.13"), ("n", "7.91", "C5*1.13")]


def test_formulas_excel_cache_holds_the_binary_products_excel_writes():
    sheet = cells(OFFICE / "formulas_excel_cache.xlsx")
    written = [sheet[f"D{row}"][1] for row in PRICES]
    assert written == ["112.99999999999999", "225.99999999999997", "66.66999999999999", "7.909999999999999"]
    for row, price in PRICES.items():
        assert float(sheet[f"D{row}"][1]) == price * 1.13
        assert sheet[f"D{row}"][2] == f"C{row}*1.13"


def test_formula_no_value_xlsx_has_formulas_without_cached_values():
    sheet = cells(OFFICE / "formula_no_value.xlsx")
    assert [sheet[f"D{row}"] for row in PRICES] == [("n", None, f"C{row}*1.13") for row in PRICES]  # <v />
    assert '<c r="D2"><f>C2*1.13</f><v /></c>' in sheet_xml(OFFICE / "formula_no_value.xlsx")


def test_total_row_xlsx_sums_with_a_formula_in_the_last_row():
    sheet = cells(OFFICE / "total_row.xlsx")
    assert sheet["A5"][1] == "合计"
    assert sheet["C5"] == ("n", "430.5", "SUM(C2:C4)")
    assert "B5" not in sheet or sheet["B5"][1] is None


def test_total_row_csv():
    assert (OFFICE / "total_row.csv").read_text(encoding="utf-8") == (
        "客户编号,日期,金额,订单号\nC001,2026-11-02,100,SO-2611-001\nC002,2026-11-09,250.5,SO-2611-002\n"
        "C003,2026-11-16,80,SO-2611-003\n合计,,430.5,\n")


# -- Excel's damage to numbers -------------------------------------------------------------------

def test_long_numbers_xlsx_holds_floats_with_15_significant_digits():
    sheet = cells(OFFICE / "long_numbers.xlsx")
    assert sheet["A2"] == ("n", "1.10101199003071E+017", None)
    assert sheet["C2"] == ("n", "6.22202123456789E+018", None)
    assert sheet["A4"] == ("n", "3.1010419851225E+017", None)
    assert sheet["C4"] == ("n", "6.22848001234568E+018", None)
    assert Decimal(sheet["A2"][1]) == 110101199003071000  # typed 110101199003071234: 3 digits gone
    assert sheet["A3"] == ("s", "11010119900307123X", None)
    assert sheet["C3"] == ("s", "6222021234567890124", None)


def test_long_order_numbers_xlsx_lost_the_16th_digit():
    sheet = cells(OFFICE / "long_order_numbers.xlsx")
    assert (sheet["D2"], sheet["D3"]) == (("n", "1234567890123460", None), ("n", "2026110300000020", None))


def test_leading_zeros_xlsx_holds_the_codes_as_numbers():
    path = OFFICE / "leading_zeros.xlsx"
    sheet = cells(path)
    assert [sheet[f"A{row}"] for row in range(2, 6)] == [("n", str(n), None) for n in (1, 2, 3, 5)]
    assert [sheet[f"C{row}"][1] for row in range(2, 6)] == ["100", "58.5", "12", "300"]
    assert 'name="leading_zeros"' in _member(path, "xl/workbook.xml")


def test_leading_zeros_customers_csv_keeps_text_codes():
    rows = list(csv.reader(io.StringIO((OFFICE / "leading_zeros_customers.csv").read_text(encoding="utf-8"))))
    assert [r[0] for r in rows] == ["客户编号", "00001", "00002", "00003", "00004", "00005"]


# -- values as typed -----------------------------------------------------------------------------

def _column(name: str, header: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO((OFFICE / name).read_text(encoding="utf-8"))))
    return [row[header] for row in rows]


def test_phones_csv_holds_the_chinese_phone_forms_and_excels_scientific_notation():
    assert _column("phones.csv", "联系电话") == [
        "+86 138-0013-8000", "0086 13800138000", "400-820-8820", "95588", "(021)12345678", "（0755）1234-5678",
        "021-12345678转8001", "021-12345678 ext. 12", "1.38E+10"]


def test_currencies_csv_holds_amounts_with_currency_marks():
    assert _column("currencies.csv", "金额") == ["$1,234", "US$50", "HK$80", "€20", "¥30", "1,234"]
    assert "\u00a5" in (OFFICE / "currencies.csv").read_text(encoding="utf-8")  # ¥ U+00A5, not ￥ U+FFE5


def test_unit_headers():
    assert [cells(OFFICE / "units_headers.xlsx")[f"{c}1"][1] for c in "ABCDE"] == [
        "客户编号", "日期", "金额（万元）", "数量(件)", "订单号"]
    assert cells(OFFICE / "units_headers_customers.xlsx")["C1"][1] == "信用额度（元）"
    assert (OFFICE / "units_usd.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "Customer Code,Date,Amount (USD),Order No")


def test_space_aligned_txt_has_no_separator_and_aligned_columns():
    lines = (OFFICE / "space_aligned.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert not any("," in line or "\t" in line for line in lines)
    assert lines[0].split() == ["客户编号", "客户名称", "联系电话", "币种", "信用额度"]
    for line, values in zip(lines[1:], (["C001", "东方饭店", "13912345678", "CNY", "50000"],
                                        ["C002", "西湖贸易有限公司", "13700000000", "CNY", "120000"],
                                        ["C003", "张伟", "13800138000", "CNY", "8000.5"])):
        # text starts at character 0, 20, 40, 60; the number is right-aligned to character 100
        assert [line[start:].split()[0] for start in (0, 20, 40, 60)] == values[:4]
        assert len(line) == 100 and line.endswith(values[4])


# -- other formats and encodings -----------------------------------------------------------------

def test_legacy_xls_is_an_excel_97_ole_file():
    data = (OFFICE / "legacy.xls").read_bytes()
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    assert "Workbook".encode("utf-16-le") in data  # the BIFF8 stream's directory entry


def test_legacy_ods_is_an_opendocument_spreadsheet():
    with zipfile.ZipFile(OFFICE / "legacy.ods") as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        assert "西湖贸易有限公司" in archive.read("content.xml").decode("utf-8")


def test_gb18030_csv_needs_gb18030():
    data = (OFFICE / "gb18030.csv").read_bytes()
    assert data.decode("gb18030") == ("客户编号,客户名称,联系电话,信用额度\nG001,王䶮,13912345678,5000\n"
                                      "G002,李㐂,13700000000,6000\nG003,东方饭店,13800138000,7000\n")
    assert bytes.fromhex("FE9F") in data and bytes.fromhex("8139EF31") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")


def test_utf16_csv_is_little_endian_with_a_bom():
    data = (OFFICE / "utf16.csv").read_bytes()
    assert data[:2] == b"\xff\xfe"
    assert data[2:].decode("utf-16-le") == C3_TEXT


def test_not_a_table_is_a_pdf():
    assert (OFFICE / "not_a_table.pdf").read_bytes()[:8] == b"%PDF-1.6"


# -- CDNOW -----------------------------------------------------------------------------------------

CDNOW_ROWS, CDNOW_CUSTOMERS, CDNOW_DOLLARS = 69_659, 23_570, Decimal("2500315.63")


def cdnow_master() -> list[list[str]]:
    lines = (CDNOW / "CDNOW_master.txt").read_bytes().decode("ascii").split("\r\n")
    assert lines[0].split() == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert lines[-1] == ""
    return [line.split() for line in lines[1:-1]]


def test_cdnow_master_counts():
    rows = cdnow_master()
    assert len(rows) == CDNOW_ROWS
    assert len({r[0] for r in rows}) == CDNOW_CUSTOMERS
    assert {len(r[0]) for r in rows} == {5}
    assert min(r[0] for r in rows) == "00001" and max(r[0] for r in rows) == "23570"
    assert sum(Decimal(r[3]) for r in rows) == CDNOW_DOLLARS
    assert sum(int(r[2]) for r in rows) == 167_881
    assert (min(r[1] for r in rows), max(r[1] for r in rows)) == ("19970101", "19980630")


def test_cdnow_csv_is_the_master_file_with_iso_dates_and_text_codes():
    lines = (CDNOW / "cdnow_transactions.csv").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "客户编号,日期,金额" and lines[-1] == ""
    expected = [f"{c},{d[:4]}-{d[4:6]}-{d[6:]},{dollars}" for c, d, _cds, dollars in cdnow_master()]
    assert lines[1:-1] == expected


def test_cdnow_xlsx_saved_by_calc_holds_numeric_codes_dates_and_amounts():
    path = CDNOW / "cdnow_transactions.xlsx"
    assert application(path).startswith("LibreOffice/7.4.7.2")
    xml = sheet_xml(path)
    rows = re.findall(r'<c r="A(\d+)"[^>]*t="n"[^>]*><v>([^<]*)</v></c><c r="B\1"[^>]*t="n"[^>]*><v>([^<]*)</v></c>'
                      r'<c r="C\1"[^>]*t="n"[^>]*><v>([^<]*)</v></c>', xml)
    assert len(rows) == CDNOW_ROWS  # every data row: three numbers (header row 1 holds strings)
    assert rows[0][:2] == ("2", "1")  # row 2, customer 00001 saved as the number 1
    assert len({code for _, code, _, _ in rows}) == CDNOW_CUSTOMERS
    assert sum(Decimal(amount) for *_, amount in rows) == CDNOW_DOLLARS
    serial = date(1899, 12, 30)
    days = sorted(int(day) for _, _, day, _ in rows)
    assert (date.fromordinal(serial.toordinal() + days[0]), date.fromordinal(serial.toordinal() + days[-1])) == (
        date(1997, 1, 1), date(1998, 6, 30))


@pytest.mark.parametrize("path", [*(OFFICE / n for n in CASE_FILES), CDNOW / "CDNOW_master.txt",
                                  CDNOW / "cdnow_transactions.csv", CDNOW / "cdnow_transactions.xlsx"],
                         ids=lambda p: p.name)
def test_each_committed_fixture_is_under_3_mb(path):
    assert path.stat().st_size < 3_000_000
