"""Sessions on a real server (``streamlit run Home.py``: the st.App with the sign-in route), driven
over HTTP and in Debian's Chromium (issue 16, findings 6 and 7): the cookie's attributes, deep
links that come back after signing in, reload and new tabs that stay signed in, sign-out that kills
the old cookie, attempt limits that a new browser does not reset, a 2 MB user name refused."""
import http.client
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from crm_core import accounts
from crm_core.store import Store
from tests.browser_harness import browser_page, open_and_check, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser
DEEP_LINK = "/customer_360?code=C0000001"


def _users(folder: Path) -> Path:
    users = folder / "users.toml"
    accounts.add_account("boss", "manager", "manager password", "王经理", users)
    accounts.add_account("rep1", "rep", "rep password 1", path=users)
    accounts.add_account("viewer1", "viewer", "viewer password", path=users)
    return users


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sessions")
    db = folder / "crm.duckdb"
    db.write_bytes(Path(demo_db_path).read_bytes())
    with streamlit_server(db, {"CRM_USERS": str(_users(folder))}) as url:
        yield url


class Client:
    """One browser's worth of HTTP: its own cookies, no redirects followed."""

    def __init__(self, url: str):
        self.host, self.port = urlsplit(url).hostname, urlsplit(url).port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Accept": "text/html", "Accept-Language": "en-US"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("set-cookie") or []:
            name, value = header.split(";")[0].split("=", 1)
            if "Max-Age=0" in header or 'expires=Thu, 01 Jan 1970' in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip('"')
        return response

    def sign_in(self, name: str, password: str, next_path: str = "/") -> http.client.HTTPResponse:
        form = self.request("GET", "/auth/sign-in?" + urlencode({"next": next_path}))
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        body = urlencode({"name": name, "password": password, "next": next_path, "csrf": csrf}).encode()
        return self.request("POST", "/auth/sign-in", body)


def test_a_deep_link_leads_to_the_sign_in_page_and_back_with_a_session_cookie(server):
    client = Client(server)
    asked = client.request("GET", DEEP_LINK)
    assert asked.status == 303
    location = asked.getheader("location")
    assert urlsplit(location).path == "/auth/sign-in"
    assert parse_qs(urlsplit(location).query)["next"] == [DEEP_LINK]
    done = client.sign_in("viewer1", "viewer password", DEEP_LINK)
    assert (done.status, done.getheader("location")) == (303, DEEP_LINK)
    cookie = next(h for h in done.headers.get_all("set-cookie") if h.startswith("kehu_session="))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert set(attributes) >= {"httponly", "max-age", "path", "samesite"}
    assert (attributes["max-age"], attributes["path"], attributes["samesite"].lower()) == (
        "Max-Age=604800", "Path=/", "samesite=lax")
    assert client.request("GET", DEEP_LINK).status == 200  # the app's page now
    assert client.request("GET", "/auth/sign-in?next=%2Fcare").getheader("location") == "/care"
    assert Client(server).sign_in("viewer1", "viewer password", "https://evil.example/").getheader(
        "location") == "/"  # no open redirect


def test_the_attempt_limit_is_per_account_and_a_new_browser_does_not_reset_it(server):
    """Finding 7: before, a reload reset the count (30 guesses in 96 s)."""
    for _ in range(4):  # a new "browser" (no cookies) for every guess
        refused = Client(server).sign_in("rep1", "guess")
        assert refused.status == 401 and "Wrong user name or password." in refused.text
    fifth = Client(server).sign_in("rep1", "guess")
    assert fifth.status == 429 and "Wrong user name or password. Too many failed sign-ins" in fifth.text
    locked = Client(server).sign_in("rep1", "rep password 1")
    assert locked.status == 429
    assert re.search(r"Try again after \d{4}-\d{2}-\d{2} \d{2}:\d{2}\.", locked.text), locked.text
    again = Client(server)
    assert again.sign_in("rep1", "rep password 1").status == 429 and "kehu_session" not in again.cookies
    assert Client(server).sign_in("boss", "manager password").status == 303  # another account is not locked


def test_sign_in_reload_new_tab_deep_link_and_sign_out_in_a_real_browser(server):
    with browser_page("en-US") as page:
        page.goto(server + DEEP_LINK)
        assert urlsplit(page.url).path == "/auth/sign-in"
        page.get_by_label("User name").fill("boss")
        page.get_by_label("Password").fill("manager password")
        page.get_by_role("button", name="Sign in").click()
        wait_until_idle(page)
        assert page.url == server + DEEP_LINK  # back on the page asked for
        assert page.locator("h1").first.inner_text() == "Customer 360"
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("Signed in as 王经理 (manager)").count() == 1
        (cookie,) = [c for c in page.context.cookies() if c["name"] == "kehu_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        page.reload()
        wait_until_idle(page)
        assert page.locator("h1").first.inner_text() == "Customer 360"

        tab = page.context.new_page()
        open_and_check(tab, server + "/customers", "session-new-tab")
        assert tab.locator("h1").first.inner_text() == "Customers"

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("text=You have signed out on every device.", timeout=30_000)
        tab.reload()
        tab.wait_for_selector("text=Sign in to Kehu", timeout=30_000)
        assert urlsplit(tab.url).path == "/auth/sign-in"

    stale = Client(server)
    stale.cookies["kehu_session"] = cookie["value"]  # the old cookie, replayed
    assert stale.request("GET", "/customers").status == 303


def test_a_two_million_character_user_name_writes_no_audit_row(demo_copy, tmp_path):
    with streamlit_server(demo_copy, {"CRM_USERS": str(_users(tmp_path))}) as url:
        client = Client(url)
        form = client.request("GET", "/auth/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        body = urlencode({"name": "x" * 2_000_000, "password": "p", "csrf": csrf}).encode()
        refused = client.request("POST", "/auth/sign-in", body)
        assert refused.status == 413 and "too long" in refused.text
        assert client.sign_in("n" * 65, "password").status == 413  # a short body, still over the bound
    store = Store(demo_copy)
    try:
        assert store.query_one("SELECT count(*), coalesce(max(length(actor)), 0) FROM audit_log"
                               " WHERE action LIKE 'sign_in%'") == (0, 0)
        assert store.query_one("SELECT count(*) FROM sign_in_failures") == (0,)
    finally:
        store.close()
