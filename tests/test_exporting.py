"""Exports open in Excel in China and cannot run formulas; numbers and phone numbers stay as typed."""
import io

import duckdb
import openpyxl
import pandas as pd
import pytest

from crm_core.exporting import neutralise, neutralise_sql, to_csv_bytes, to_xlsx_bytes

FRAME = pd.DataFrame({
    "name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "王永庆", "a-b"],
    "amount": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
})

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-Minus Trading", "@SUM(A1)", "\t=x", "\r=x", "-", "+ext"]
PLAIN_NUMBERS = ["+86 138-0013-8000", "-5", "-1,234.50", "(021)12345678", "+1", "-2", "-(0571) 8888.1,2"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_could_run_as_a_formula_is_made_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", PLAIN_NUMBERS)
def test_a_plain_number_or_phone_number_is_kept_exactly(value):
    assert neutralise(value) == value


def test_the_sql_form_is_the_same_rule():
    values = FORMULAS + PLAIN_NUMBERS + ["王永庆", "a-b"]
    got = duckdb.sql(f"SELECT {neutralise_sql('v')} FROM (SELECT unnest($values) AS v)",
                     params={"values": values}).fetchall()
    assert [g for (g,) in got] == [neutralise(v) for v in values]


def test_csv_has_bom_and_neutralised_cells_and_numbers_stay_numbers():
    data = to_csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"name": str})
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "+1", "-2", "'@SUM(A1)", "'\tTab", "王永庆", "a-b"]
    assert back["amount"].tolist() == [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_error_list_values_match_the_file():
    report = pd.DataFrame({"行号": [3, 4], "值": ["+86 138-0013-8000", "=1+1"]})
    text = to_csv_bytes(report).decode("utf-8-sig")
    assert text == "行号,值\n3,+86 138-0013-8000\n4,'=1+1\n"


def test_xlsx_cells_are_text_not_formulas():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(FRAME)))
    sheet = book.active
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\")"
    assert sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "+1" and sheet["A3"].data_type == "s"
    assert sheet["B3"].value == -2 and sheet["B3"].data_type == "n"
