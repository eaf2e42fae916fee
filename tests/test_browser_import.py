"""Files uploaded on the Data page in a real browser, committed, and seen in the store: a GBK CSV with
Chinese headers, a big CSV, and the workbooks office habits make (wrapped header cells, title rows)."""
from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.i18n import t
from crm_core.store import Store
from tests.browser_harness import (
    ARTIFACTS,
    EXCEPTION,
    browser_page,
    open_and_check,
    streamlit_server,
    wait_until_idle,
)

ROOT = Path(__file__).resolve().parent.parent
GBK_FILE = ROOT / "tests" / "fixtures" / "import" / "customers_gbk.csv"

pytestmark = pytest.mark.browser


def test_upload_gbk_commit_and_see_rows_on_customers_page(tmp_path):
    db = tmp_path / "crm.duckdb"
    Store(db).close()  # an existing, empty store: the app adds no demo data to it
    with streamlit_server(db) as url, browser_page("zh-CN") as page:
        open_and_check(page, f"{url}/data", "import-1-data-page")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(GBK_FILE))
        wait_until_idle(page)
        page.wait_for_selector("text=按 gb18030 读取", timeout=30_000)
        page.get_by_role("button", name="检查文件").click()
        wait_until_idle(page)
        page.wait_for_selector("text=将新增", timeout=30_000)
        page.get_by_role("button", name="确认导入").click()
        page.wait_for_selector("text=第 1 号导入：读取 3 行，新增 3 行", timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "import-2-committed.png"), full_page=True)

        open_and_check(page, f"{url}/customers", "import-3-customers")
        # st.dataframe draws on a canvas; its accessible grid cells carry the text
        page.wait_for_selector('[role="gridcell"]:text-is("东方饭店")', timeout=30_000, state="attached")
        cells = page.locator('[role="gridcell"]').all_inner_texts()
        for text in ("C001", "西湖贸易有限公司", "C003", "张伟", "13912345678"):
            assert text in cells, text


def _workbook(path: Path, rows: list[list], merged: tuple[str, ...] = ()) -> Path:
    """An XLSX as Excel users make them: header cells wrapped with Alt+Enter, titles in merged cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell in (c for line in sheet.iter_rows() for c in line if isinstance(c.value, str) and "\n" in c.value):
        cell.alignment = Alignment(wrap_text=True)
    for cells in merged:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def _upload_check_and_commit(page, path: Path, read_text: str, shot: str) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    wait_until_idle(page)
    page.wait_for_selector(f"text={read_text}", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}-1-preview.png"), full_page=True)
    assert not page.locator(EXCEPTION).count(), page.locator(EXCEPTION).first.inner_text()[:2000]
    page.get_by_role("button", name="检查文件").click()
    wait_until_idle(page)
    page.wait_for_selector("text=将新增", timeout=30_000)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=第 1 号导入：读取 2 行，新增 2 行", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / f"{shot}-2-committed.png"), full_page=True)


def _stored_customers(db: Path) -> list[list]:
    store = Store(db)
    try:
        return store.query_df("SELECT code, name FROM customers ORDER BY code").values.tolist()
    finally:
        store.close()


def test_an_xlsx_with_line_breaks_in_its_header_cells_imports(tmp_path):
    """Needs the reader of issue 14 (header text normalised: 客户\n编号 is 客户编号)."""
    db = tmp_path / "crm.duckdb"
    Store(db).close()
    book = _workbook(tmp_path / "换行表头.xlsx", [["客户\n编号", "客户\n名称", "联系\n电话"],
                                                 ["W001", "东方饭店", "13912345678"],
                                                 ["W002", "西湖贸易有限公司", "021-87654321"]])
    with streamlit_server(db) as url, browser_page("zh-CN") as page:
        open_and_check(page, f"{url}/data", "wrapped-0-data-page")
        _upload_check_and_commit(page, book, "已读取工作表“Sheet”，共 3 列", "wrapped")
    assert _stored_customers(db) == [["W001", "东方饭店"], ["W002", "西湖贸易有限公司"]]


def test_an_xlsx_with_a_merged_title_and_subtitle_above_the_header_imports(tmp_path):
    """Needs the reader of issue 14 (the header row found below title rows and merged cells)."""
    db = tmp_path / "crm.duckdb"
    Store(db).close()
    book = _workbook(tmp_path / "带标题.xlsx", [["2024年重点客户名单", None, None],
                                               ["制表：销售部　2024-06-30", None, None],
                                               ["客户编号", "客户名称", "联系电话"],
                                               ["T001", "东方饭店", "13912345678"],
                                               ["T002", "西湖贸易有限公司", "021-87654321"]],
                     merged=("A1:C1", "A2:C2"))
    with streamlit_server(db) as url, browser_page("zh-CN") as page:
        open_and_check(page, f"{url}/data", "title-0-data-page")
        _upload_check_and_commit(page, book, t("ingest.notice_header_row", "zh", row=3), "title")
    assert _stored_customers(db) == [["T001", "东方饭店"], ["T002", "西湖贸易有限公司"]]


def test_a_50_megabyte_upload_shows_progress_and_completes(demo_copy, tmp_path):
    db = demo_copy
    store = Store(db)
    (before,) = store.query_one("SELECT count(*) FROM transactions")
    big = tmp_path / "sales.csv"
    rows = 1_400_000
    cur = store.cursor()
    cur.execute("COPY (SELECT c.code AS customer_code, DATE '2025-01-01' + CAST(r % 300 AS INTEGER) AS order_date,"
                " printf('%.2f', 10 + (r % 9973) * 0.37) AS amount, '大米 25kg' AS product"
                " FROM range(?) t(r) JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM customers) c"
                " ON c.k = r % 300) TO '" + str(big).replace("'", "''") + "' (HEADER)", [rows])
    cur.close()
    store.close()
    assert big.stat().st_size > 50 * 1024 * 1024
    with streamlit_server(db) as url, browser_page("en-US") as page:
        open_and_check(page, f"{url}/data", "upload50-1-data-page")
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()  # "What the file contains"
        page.get_by_role("option", name="Transactions").click()
        wait_until_idle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
        page.wait_for_selector("text=Read as utf-8", timeout=120_000)
        page.get_by_role("button", name="Check the file").click()
        page.wait_for_selector("text=Will be created", timeout=120_000)
        page.get_by_role("button", name="Import now").click()
        progress_seen = page.wait_for_selector('[data-testid="stProgress"]', timeout=60_000, state="attached")
        assert progress_seen is not None
        page.wait_for_selector("text=rows read", timeout=180_000)
        page.screenshot(path=str(ARTIFACTS / "upload50-2-done.png"), full_page=True)
    reopened = Store(db)
    assert reopened.query_one("SELECT count(*) FROM transactions") == (before + rows,)
    reopened.close()
