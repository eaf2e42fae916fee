"""The app in a real browser (Debian's headless Chromium): language, sign-in, links, hostile text. Every page and
tab in both languages is opened by tests/test_browser_signals.py."""
from pathlib import Path

import pytest

from tests.browser_harness import ARTIFACTS, browser_page, open_and_check, streamlit_server

pytestmark = pytest.mark.browser


HOSTILE_NAMES = {"X1": "<script>alert(1)</script>", "X2": '=HYPERLINK("http://x")', "X3": "**粗体** [link](http://x)"}


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    """The demo with three customers of hostile names added (for test_hostile_names_show_as_plain_text;
    no other test here looks at customers), on one server for the module."""
    from crm_core import customers as cust
    from crm_core.models import CustomerIn
    from crm_core.store import Store
    from crm_core.users import LOCAL_USER

    # A copy, so the browser's writes never touch the shared demo file other tests read.
    db = tmp_path_factory.mktemp("browser") / "crm.duckdb"
    db.write_bytes(Path(demo_db_path).read_bytes())
    store = Store(db)
    for code, name in HOSTILE_NAMES.items():
        cust.create_customer(store, LOCAL_USER, CustomerIn(code=code, name=name))
    store.close()
    with streamlit_server(db) as url:
        yield url


# Every page and tab opening without an exception in both languages: tests/test_browser_signals.py
# (its walk checks the metric cards too).


def test_language_follows_the_browser_and_the_sidebar_switch(server):
    with browser_page("en-US") as page:
        open_and_check(page, server, "en-home")
        assert page.get_by_text("Revenue, 12 months").count() >= 1
        page.get_by_text("中文", exact=True).click()
        page.wait_for_selector("text=近12个月收入", timeout=30_000)


def test_deep_links_show_only_the_sign_in_form_until_signed_in(demo_copy, tmp_path):
    """Every address leads to the sign-in page (a plain form, served before Streamlit), and after
    signing in to the page asked for (tests/test_browser_sessions.py follows sessions further)."""
    from crm_core import accounts

    users = tmp_path / "users.toml"
    accounts.add_account("boss", "manager", "manager password", path=users)
    db = demo_copy
    with streamlit_server(db, {"CRM_USERS": str(users)}) as url, browser_page("en-US") as page:
        # A deep link first: the fresh server's first run is in Streamlit's old multipage mode.
        for path in ("/customers", "", "/customer_360?code=C0000001", "/admin"):
            page.goto(url + path)
            page.wait_for_selector("h1", timeout=60_000)
            assert page.url.startswith(url + "/auth/sign-in?next="), path
            assert page.get_by_text("Sign in to Kehu").count() == 1, path
            assert page.get_by_text("C0000001").count() == 0, path
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0, path
        page.get_by_label("User name").fill("boss")
        page.get_by_role("textbox", name="Password").fill("manager password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("text=Admin", timeout=60_000)  # the last link asked for: /admin
        assert page.url == url + "/admin"


def test_a_deep_link_as_a_fresh_servers_first_request_opens_that_page_inside_the_app(demo_copy):
    """The first run of a server with a pages/ folder is in Streamlit's old multipage mode, which
    runs the linked file itself: the page must still come inside the app (navigation, language)."""
    with streamlit_server(demo_copy) as url, browser_page("en-US") as page:
        open_and_check(page, f"{url}/customers", "fresh-deep-link")
        assert page.locator("h1").first.inner_text() == "Customers"
        nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        assert [entry.split()[-1] for entry in nav][:2] == ["Overview", "Customers"], nav
        assert not [entry for entry in nav if entry in ("Home", "customers")], nav  # not the file list
        assert page.get_by_text("中文", exact=True).count() == 1  # the app's language switch


def test_hostile_names_show_as_plain_text(server):
    with browser_page("en-US") as page:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for code, name in HOSTILE_NAMES.items():
            open_and_check(page, f"{server}/customer_360?code={code}", f"hostile-{code}")
            heading = page.locator("h2").first.inner_text().replace("\u2060", "")  # word joiners: see text_safety
            assert heading.startswith(name), heading
            assert page.locator('[data-testid="stMain"] a[href="http://x"]').count() == 0
        assert dialogs == []  # no script ran


def test_the_analysis_date_comes_from_the_url_and_follows_every_page(server):
    """A shared link with ?as_of= (a deep link: the session's first run is in the old multipage
    mode) sets the sidebar date; it stays in the URL from page to page and across a reload."""
    with browser_page("en-US") as page:
        open_and_check(page, f"{server}/segmentation?as_of=2026-03-31", "as-of-segmentation")
        page.wait_for_selector("text=2025-04-01", timeout=30_000)  # the period: 12 months ending on it
        picker = page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"] input')
        assert picker.input_value() == "2026-03-31"
        page.locator('[data-testid="stSidebarNav"] a', has_text="Churn").click()
        page.wait_for_selector("text=Measured up to the analysis date: 2026-03-31", timeout=60_000)
        assert "as_of=2026-03-31" in page.url
        page.reload()
        page.wait_for_selector("text=Measured up to the analysis date: 2026-03-31", timeout=60_000)
        assert picker.input_value() == "2026-03-31"


# The words a text shows: its own, or (ui/uploader.py hides it) the quoted text of its ::after.
_SHOWN = "const shown = e => getComputedStyle(e).fontSize === '0px' ? getComputedStyle(e, '::after').content : e.innerText;"
_UPLOADER_WORDS = """key => {
    const scope = document.querySelector('.st-key-' + key);
    const button = scope.querySelector('[data-testid="stFileUploaderDropzone"] button p');
    const hint = scope.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span');
    """ + _SHOWN + """
    return [shown(button), shown(hint)];
}"""


@pytest.mark.parametrize("locale, words", [
    ("zh-CN", ['"选择文件"', '"每个文件不超过 200 MB"']),
    ("en-US", ["Upload", "200MB per file"]),  # Streamlit's own words, untouched
])
def test_the_uploader_speaks_the_pages_language(server, locale, words):
    """Streamlit writes its uploader's button and size hint in English only: the Chinese page says them."""
    with browser_page(locale) as page:
        open_and_check(page, f"{server}/data", f"uploader-{locale}")
        assert page.evaluate(_UPLOADER_WORDS, "data_upload") == words


# A file dragged over the uploader (react-dropzone reads a dragenter whose data carries a file),
# then what the drop overlay says.
_DRAG_OVER = """key => {
    const zone = document.querySelector('.st-key-' + key + ' [data-testid="stFileUploaderDropzone"]');
    const data = new DataTransfer();
    data.items.add(new File(['客户编号\\n'], 'customers.csv', {type: 'text/csv'}));
    zone.dispatchEvent(new DragEvent('dragenter', {bubbles: true, cancelable: true, dataTransfer: data}));
}"""
_DROP_WORDS = """key => {
    const zone = document.querySelector('.st-key-' + key + ' [data-testid="stFileUploaderDropzone"]');
    const overlay = zone.querySelector(':scope > input + div:not(:has(button))');  // the box after the input
    if (!overlay) return null;
    """ + _SHOWN + """
    return shown(overlay.querySelector('span'));
}"""


@pytest.mark.parametrize("locale, words", [("zh-CN", '"把文件拖到这里"'), ("en-US", "Drag and drop a file here")])
def test_a_file_dragged_over_the_uploader_is_told_where_to_go_in_the_pages_language(server, locale, words, tmp_path):
    """Streamlit's drop overlay is English only: the Chinese page says it; a chosen file keeps its name."""
    with browser_page(locale) as page:
        open_and_check(page, f"{server}/data", f"uploader-drag-{locale}")
        assert page.evaluate(_DROP_WORDS, "data_upload") is None  # nothing dragged: no overlay
        page.evaluate(_DRAG_OVER, "data_upload")
        page.wait_for_function(f"() => ({_DROP_WORDS})('data_upload') !== null")
        assert page.evaluate(_DROP_WORDS, "data_upload") == words
        page.screenshot(path=str(ARTIFACTS / f"uploader-dragging-{locale}.png"))
        chosen = tmp_path / "客户名单.csv"
        chosen.write_text("客户编号,客户名称\nC001,东方饭店\n", encoding="utf-8")
        page.reload()
        page.wait_for_selector('.st-key-data_upload [data-testid="stFileUploaderDropzoneInput"]', state="attached")
        page.set_input_files('.st-key-data_upload [data-testid="stFileUploaderDropzoneInput"]', str(chosen))
        name = page.locator(".st-key-data_upload").get_by_text("客户名单.csv", exact=True)
        name.wait_for(state="visible")  # the chosen file is named as it is, not as the overlay's words
        page.screenshot(path=str(ARTIFACTS / f"uploader-chosen-{locale}.png"))
