"""A GBK file with Chinese headers uploaded on the Data page, committed, and seen on the Customers page."""
from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.store import Store
from tests.browser_harness import ARTIFACTS, browser_page, open_and_check, streamlit_server, wait_until_idle

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
