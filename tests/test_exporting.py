"""Exports open in Excel in China and cannot run formulas."""
import io

import openpyxl
import pandas as pd

from crm_core.exporting import to_csv_bytes, to_xlsx_bytes

FRAME = pd.DataFrame({
    "name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "王永庆", "a-b"],
    "amount": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
})


def test_csv_has_bom_and_neutralised_cells_and_numbers_stay_numbers():
    data = to_csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTab", "王永庆", "a-b"]
    assert back["amount"].tolist() == [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_xlsx_cells_are_text_not_formulas():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(FRAME)))
    sheet = book.active
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\")"
    assert sheet["A2"].data_type == "s"
    assert sheet["B3"].value == -2 and sheet["B3"].data_type == "n"
