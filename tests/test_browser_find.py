"""Finding a customer in a real browser (Debian's Chromium), zh and en, 1280 × 720 and 390 wide:
the Customer 360 picker (typed pinyin initials, the code kept in the URL across a reload), the
sidebar search, the promise form's echo, the Customers list sorted by revenue. Screenshots go to
test-artifacts/find-*.png. Demo data: C0000011 北京明信酒店管理有限公司, C0000009 广州瑞源商行."""
from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.i18n import t
from tests.browser_harness import ARTIFACTS, EXCEPTION, browser_page, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser
LOCALES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    db = tmp_path_factory.mktemp("find") / "crm.duckdb"  # a copy: the promise test writes
    db.write_bytes(Path(demo_db_path).read_bytes())
    with streamlit_server(db) as url:
        yield url


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"find-{name}.png"), full_page=False)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()[:2000]


def _type(page, box, text: str) -> None:
    box.fill(text)
    page.wait_for_timeout(600)  # the live input commits after 250 ms without typing
    wait_until_idle(page)


def _main(page):
    return page.locator('[data-testid="stMain"]')


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_customer_360_picker_finds_by_initials_and_survives_a_reload(server, lang):
    with browser_page(LOCALES[lang], 1280, 720) as page:
        page.goto(f"{server}/customer_360?as_of=2026-06-30")
        wait_until_idle(page)
        _type(page, _main(page).get_by_label(t("find.customer", lang), exact=True), "bjmx")
        header = "北京明信酒店管理有限公司 · C0000011"
        page.wait_for_selector(f"h2:has-text('{header}')", timeout=30_000)
        assert "code=C0000011" in page.url
        _shot(page, f"{lang}-360-1280")
        page.reload()
        wait_until_idle(page)
        page.wait_for_selector(f"h2:has-text('{header}')", timeout=30_000)
        _type(page, _main(page).get_by_label(t("find.customer", lang), exact=True), "gzry")
        page.wait_for_selector("h2:has-text('广州瑞源商行 · C0000009')", timeout=30_000)
        assert "code=C0000009" in page.url
        page.go_back()  # the URL's code wins over the session's choice
        wait_until_idle(page)
        page.wait_for_selector(f"h2:has-text('{header}')", timeout=30_000)
        assert _main(page).get_by_label(t("find.customer", lang), exact=True).input_value() == ""
        page.set_viewport_size({"width": 390, "height": 844})
        wait_until_idle(page)
        _shot(page, f"{lang}-360-390")


def test_sidebar_search_opens_customer_360(server):
    with browser_page("en-US", 1280, 720) as page:
        page.goto(f"{server}/customers?as_of=2026-06-30")
        wait_until_idle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        _type(page, sidebar.get_by_label("Find a customer", exact=True), "gzry")
        sidebar.get_by_text("广州瑞源商行 · C0000009 · 广州").click()
        page.wait_for_selector("h2:has-text('广州瑞源商行 · C0000009')", timeout=30_000)
        assert "/customer_360" in page.url and "code=C0000009" in page.url
        wait_until_idle(page)
        _shot(page, "en-sidebar-search")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_promise_form_echoes_the_customer_found_by_name(server, lang):
    with browser_page(LOCALES[lang], 1280, 720) as page:
        page.goto(f"{server}/promises?as_of=2026-06-30")
        wait_until_idle(page)
        page.get_by_role("tab", name=t("promises.tab.record", lang)).click()
        wait_until_idle(page)
        _type(page, _main(page).get_by_label(t("find.customer", lang), exact=True).first, "广州瑞源")
        echo = _main(page).get_by_text("广州瑞源商行 · C0000009 · 广州")
        echo.first.wait_for(timeout=30_000)
        echo.first.scroll_into_view_if_needed()
        _shot(page, f"{lang}-promise-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        wait_until_idle(page)
        echo.first.scroll_into_view_if_needed()
        _shot(page, f"{lang}-promise-390")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_customers_list_sorted_by_revenue(server, lang):
    with browser_page(LOCALES[lang], 1280, 720) as page:
        sort = t("find.sort.revenue_12m", lang)
        desc = t("find.direction.desc", lang)
        page.goto(f"{server}/customers?as_of=2026-06-30")
        wait_until_idle(page)
        page.get_by_label(t("find.sort_by", lang)).click()  # opens the selectbox list
        page.get_by_role("option", name=sort).click()
        wait_until_idle(page)
        _main(page).get_by_text(desc, exact=True).click()
        wait_until_idle(page)
        assert "cust_sort=" in page.url and "cust_dir=" in page.url
        _shot(page, f"{lang}-customers-1280")
        page.reload()  # the view comes back from the URL
        wait_until_idle(page)
        assert _main(page).get_by_text(desc, exact=True).count() >= 1
        page.set_viewport_size({"width": 390, "height": 844})
        wait_until_idle(page)
        page.locator('[data-testid="stDataFrame"]').first.scroll_into_view_if_needed()
        _shot(page, f"{lang}-customers-390")
        # choosing a row opens its 360 view, although the search box and sort are bound to the URL
        box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box
        page.wait_for_function("location.pathname.endsWith('/customer_360')", timeout=30_000)
        wait_until_idle(page)
        assert page.locator(EXCEPTION).count() == 0
        page.wait_for_selector("h2:has-text('广州瑞隆分销中心 · C0000160')", timeout=30_000)  # the top by revenue

