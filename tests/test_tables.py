"""Exports as shown (issue 17): every list's CSV and XLSX have the screen's headers, ALL the list's
rows (not the page on screen) and its formats; the XLSX is styled for Excel users; blanks are blank.

The page tests open each page on the demo store in Chinese and English (AppTest), take the grid
the user sees (``st.dataframe``) and the two files its download buttons would give (the deferred
data function called as a click would), and compare them.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from crm_core import exporting, tables
from crm_core.i18n import t
from crm_core.store import Store
from crm_core.users import LOCAL_USER
from tests.conftest import DEMO_AS_OF

ROOT = Path(__file__).resolve().parent.parent

# -- the XLSX and CSV writers ------------------------------------------------------------------

SAMPLE = tables.Table("table.customers", (
    tables.text("name", "field.name"), tables.label("customer_type", "field.customer_type", "ctype"),
    tables.money("credit_limit", "field.credit_limit"), tables.count("visits", "seg.col.frequency"),
    tables.number("score", "seg.col.score", 1), tables.percent("share", "seg.col.share"),
    tables.day("since", "churn.col.last_purchase"), tables.moment("contact", "churn.col.last_contact"),
))
FRAME = pd.DataFrame({
    "customer_id": [1, 2, 3],
    "name": ["南京金信贸易有限公司", "=HYPERLINK(\"x\")", None],
    "customer_type": ["individual", "corporate", None],
    "credit_limit": [200000.0, 116183.294, float("nan")],
    "visits": [3, 1200, None],
    "score": [52.5264, 1.04, None],
    "share": [0.01875148, 0.5, None],
    "since": pd.to_datetime(["2026-12-03", "2026-01-05", None]),
    "contact": pd.to_datetime(["2026-12-03 09:15:42", None, "2026-02-01 18:00:00"]).tz_localize("Asia/Shanghai"),
})


def _xlsx(frame=FRAME, table=SAMPLE, lang="zh", tmp_path=None) -> openpyxl.Workbook:
    path = tmp_path / "out.xlsx"
    exporting.write_xlsx(path, table, tables.chunks_of(frame), lang)
    return openpyxl.load_workbook(path)


def test_xlsx_header_is_bold_and_frozen_and_the_sheet_is_named_for_the_list(tmp_path):
    sheet = _xlsx(tmp_path=tmp_path).active
    assert sheet.title == "客户列表"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["客户名称", "客户类型", "信用额度", "购买天数", "价值得分", "占比",
                                           "最近一次购买", "最近一次接触"]
    assert all(c.font.b for c in sheet[1])


def test_xlsx_prints_on_the_page_width_with_the_header_on_every_page(tmp_path):
    sheet = _xlsx(tmp_path=tmp_path).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0  # width: 1 (default)
    assert sheet.print_title_rows == "$1:$1"


def test_an_inferred_table_types_columns_from_the_data():
    frame = pd.DataFrame({"customer_id": [1], "n": [3], "x": [1.234], "day": pd.to_datetime(["2026-12-03"]),
                          "at": pd.to_datetime(["2026-12-03 10:05"]), "ok": [True], "note": ["a"]})
    table = tables.inferred("table.customers", frame, "col")
    assert [(c.source, c.kind) for c in table.columns] == [
        ("n", "count"), ("x", "number"), ("day", "date"), ("at", "datetime"), ("ok", "label"), ("note", "text")]
    assert table.shown(frame, "zh").iloc[0].tolist()[4:] == ["是", "a"]


def test_xlsx_values_are_typed_and_formatted_by_kind(tmp_path):
    sheet = _xlsx(tmp_path=tmp_path).active
    row = sheet[2]
    assert [c.value for c in row[:2]] == ["南京金信贸易有限公司", "个人客户"]  # a stored key as its label
    assert row[2].value == 200000 and row[2].number_format == '"¥"#,##0.00'
    assert sheet["C3"].value == 116183.29  # money to the cent
    assert row[3].value == 3 and row[3].number_format == "#,##0"
    assert row[4].value == 52.5 and row[4].number_format == "#,##0.0"
    assert row[5].value == pytest.approx(0.01875148) and row[5].number_format == "0.0%"
    assert row[6].value == datetime(2026, 12, 3) and row[6].number_format == "yyyy-mm-dd"
    assert row[7].value == datetime(2026, 12, 3, 9, 15) and row[7].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["A3"].value == "'=HYPERLINK(\"x\")" and sheet["A3"].data_type == "s"  # never a formula


def test_xlsx_blanks_are_empty_cells(tmp_path):
    sheet = _xlsx(tmp_path=tmp_path).active
    assert [c.value for c in sheet[4]] == [None, None, None, None, None, None, None, datetime(2026, 2, 1, 18, 0)]
    assert sheet["G3"].value == datetime(2026, 1, 5) and sheet["H3"].value is None  # NaT


def test_xlsx_widths_fit_the_text_with_chinese_characters_counted_double(tmp_path):
    sheet = _xlsx(tmp_path=tmp_path).active
    widths = {letter: sheet.column_dimensions[letter].width for letter in "AB"}
    # "南京金信贸易有限公司": 10 characters, 20 columns wide, + 2 of margin (openpyxl adds 0.71 padding)
    assert round(widths["A"]) == 23
    assert round(widths["B"]) == 11  # "客户类型"/"个人客户"/"集团客户": 8 + 2


def test_xlsx_in_english_has_english_headers_labels_and_sheet(tmp_path):
    sheet = _xlsx(lang="en", tmp_path=tmp_path).active
    assert sheet.title == "Customers"
    assert sheet["B1"].value == "Customer type" and sheet["B2"].value == "Individual / household"


@pytest.mark.parametrize("title,expected", [("a/b:c*d?[e]\\f", "a b c d  e  f"), ("x" * 40, "x" * 31),
                                            ("", "Sheet1"), ("'客户'", "客户")])
def test_sheet_names_are_what_excel_accepts(title, expected):
    assert tables.sheet_name(title) == expected


def test_csv_has_a_bom_the_screen_headers_and_plain_numbers(tmp_path):
    path = tmp_path / "out.csv"
    exporting.write_csv(path, SAMPLE, tables.chunks_of(FRAME), "en")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Customer type", "Credit limit", "Purchase days", "Value score", "Share",
                       "Last purchase", "Last contact"]
    assert rows[1] == ["南京金信贸易有限公司", "Individual / household", "200000.00", "3", "52.5", "1.9%",
                       "2026-12-03", "2026-12-03 09:15"]
    assert rows[2][0] == "'=HYPERLINK(\"x\")" and rows[2][2] == "116183.29" and rows[2][6:] == ["2026-01-05", ""]
    assert rows[3] == ["", "", "", "", "", "", "", "2026-02-01 18:00"]


@pytest.mark.parametrize("blank", [None, float("nan"), pd.NaT, pd.NA, "None", "nan", "NaT", ""])
def test_blank_rule(blank):
    assert tables.blank_to_none(blank) is None
    shown = tables.Table("t", (tables.text("x", "x"), tables.label("y", "y", "ctype"))).shown(
        pd.DataFrame({"x": [blank], "y": [blank]}, dtype=object), "zh")
    assert shown.isna().all().all()


def test_no_blank_is_written_as_text_in_any_export(tmp_path):
    for fmt, write in exporting.TABLE_WRITERS.items():
        path = tmp_path / f"out.{fmt}"
        write(path, SAMPLE, tables.chunks_of(FRAME), "zh")
        if fmt == "csv":
            cells = [c for row in csv.reader(io.StringIO(path.read_text("utf-8-sig"))) for c in row]
        else:
            cells = [c.value for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
        assert not {"None", "nan", "NaT", "<NA>", "NaN"} & {str(c) for c in cells if c is not None}


def test_export_table_writes_all_chunks_and_its_audit_row(demo_copy):
    store = Store(demo_copy)
    try:
        chunks = lambda: (FRAME.iloc[i:i + 1] for i in range(3))  # noqa: E731 - three one-row chunks
        data = exporting.export_table(store, LOCAL_USER, SAMPLE, chunks, "sample.xlsx", "xlsx", "zh")
        assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row == 4
        detail = store.query_df("SELECT new_value FROM audit_log WHERE action = 'export'")["new_value"]
        assert "sample.xlsx (3 rows)" in detail.tolist()
    finally:
        store.close()


# -- every page's lists: the export against the screen ------------------------------------------

class Recorder:
    """Stands in for st.download_button: builds the file as a click would (key → bytes)."""

    def __init__(self):
        self.files: dict[str, tuple[str, bytes]] = {}
        self.original = ButtonMixin.download_button

    def __call__(self, dg, label, data, file_name=None, *args, **kwargs):
        built = data() if callable(data) else data
        self.files[kwargs.get("key")] = (file_name, built)
        return self.original(dg, label, data, file_name, *args, **kwargs)


def _open(page: str, lang: str, **state):
    recorder = Recorder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ButtonMixin, "download_button", lambda dg, *a, **k: recorder(dg, *a, **k))
        app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
        app.session_state["lang"] = lang
        app.session_state["as_of"] = DEMO_AS_OF
        for key, value in state.items():
            app.session_state[key] = value
        app.switch_page(f"pages/{page}")
        app = app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app, recorder.files


def _grid(app, key: str | None = None, header: str | None = None) -> pd.DataFrame:
    """The grid with ``key`` (a selectable grid carries it in its id) or with a column ``header``."""
    found = [d.value for d in app.dataframe if (key and d.proto.id.endswith(f"-{key}"))
             or (header and header in d.value.columns)]
    assert len(found) == 1, [d.proto.id for d in app.dataframe]
    return found[0]


def _as_shown(value):
    """A cell read back from an XLSX as the grid holds it: a date cell comes back as midnight."""
    if isinstance(value, datetime) and value == datetime(value.year, value.month, value.day):
        return value.date()
    return value


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> tuple[str, list[list]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    return sheet.title, [[c.value for c in row] for row in sheet.iter_rows()]


def _count_in(captions, key: str, lang: str) -> int:
    """The list size the screen states (``共 86 位客户`` / ``86 customers``)."""
    pattern = re.escape(t(key, lang, count="§")).replace("§", r"([\d,]+)")
    for caption in captions:
        match = re.fullmatch(pattern, caption.value)
        if match:
            return int(match.group(1).replace(",", ""))
    raise AssertionError(f"no caption says the count: {[c.value for c in captions]}")


def _check(files, key: str, grid: pd.DataFrame, rows: int, sheet: str) -> list[list]:
    """Both files of the list ``key``: screen headers, ``rows`` rows, sheet named ``sheet``."""
    csv_rows = _csv_rows(files[f"{key}_dl_csv"][1])
    title, xlsx_rows = _xlsx_rows(files[f"{key}_dl_xlsx"][1])
    headers = grid.columns.tolist()
    assert csv_rows[0] == headers and xlsx_rows[0] == headers
    assert len(csv_rows) - 1 == rows and len(xlsx_rows) - 1 == rows
    assert title == sheet
    # the first row on screen is the first row of the file (text columns, as shown)
    texts = [i for i, column in enumerate(headers) if grid[column].dtype == object or
             pd.api.types.is_string_dtype(grid[column])]
    first = grid.iloc[0]
    assert [_as_shown(xlsx_rows[1][i]) for i in texts] == [None if pd.isna(first.iloc[i]) or first.iloc[i] == ""
                                                           else first.iloc[i] for i in texts]
    return xlsx_rows


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_customers_export_is_every_matching_customer_as_shown(demo_db_path, monkeypatch, lang):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    app, files = _open("customers.py", lang)
    grid = _grid(app, "cust_table")
    total = int(re.search(r"[\d,]+", app.caption[0].value).group().replace(",", ""))
    assert total == 300 and len(grid) == 50  # one page on screen …
    rows = _check(files, "cust_table", grid, 300, t("table.customers", lang))  # … all 300 in the files
    type_column = rows[0].index(t("field.customer_type", lang))
    types = {r[type_column] for r in rows[1:]}
    assert types == {t(f"ctype.{k}", lang) for k in ("individual", "corporate", "channel")}
    assert not {"individual", "old", "new", "corporate"} & {c for r in rows for c in r}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_segmentation_abc_list_export_is_the_whole_class_as_shown(demo_db_path, monkeypatch, lang):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    app, files = _open("segmentation.py", lang, seg_abc_class="C")
    grid = _grid(app, "seg_abc_C_table")
    count = _count_in(app.caption, "seg.list_count", lang)
    assert count > len(grid) == 50  # the screen shows a page of the class …
    rows = _check(files, "seg_abc_C_table", grid, count, t("table.segment_customers", lang))  # … the files all
    assert rows[0] == [t(f"seg.col.{c}", lang) for c in ("code", "name", "abc", "rank", "spend", "share", "cum_share")]
    assert {r[2] for r in rows[1:]} == {t("seg.class.C", lang)}
    assert 0 < rows[1][5] < 1  # a share is a fraction Excel shows as a percentage
    sheet = openpyxl.load_workbook(io.BytesIO(files["seg_abc_C_table_dl_xlsx"][1])).active
    assert sheet["F2"].number_format == "0.0%" and sheet["E2"].number_format == '"¥"#,##0.00'


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_churn_retention_export_is_the_whole_list_as_shown(demo_db_path, monkeypatch, lang):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    app, files = _open("churn.py", lang, churn_tab=t("churn.tab.retention", lang))
    grid = _grid(app, "churn_retention_table")
    count = _count_in(app.caption, "churn.list.count", lang)
    rows = _check(files, "churn_retention_table", grid, count, t("table.churn_retention", lang))
    assert t("churn.col.value_horizon", lang, months=12) in rows[0]
    assert not {"inactive", "email", "phone", "visit"} & {c for r in rows for c in r}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_promise_policy_versions_show_no_json(demo_db_path, monkeypatch, lang):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    app, files = _open("promises.py", lang)
    grid = _grid(app, header=t("promises.pol.ladder", lang))
    rows = _check(files, "prom_pol_history", grid, len(grid), t("table.policy_versions", lang))
    cells = [str(c) for r in rows for c in r] + [str(v) for v in grid.to_numpy().ravel()]
    assert not [c for c in cells if "{" in c or '"' in c or "PT" in c]
    assert t("promises.pol.ladder", lang) in grid.columns


def test_the_grid_draws_blanks_empty_not_none(demo_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    app, _ = _open("customers.py", "zh")
    grid = [d for d in app.dataframe if d.proto.id.endswith("-cust_table")][0]
    assert grid.proto.placeholder == ""  # what the grid draws for a missing value
    assert date(2026, 6, 30) == DEMO_AS_OF
