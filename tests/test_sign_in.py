"""With accounts configured, every script run asks who is signed in, afresh (issue 16, findings 3, 6,
8, 9, 13). The session cookie is set by the sign-in route (tests/test_browser_sessions.py drives it
in a real browser); AppTest cannot send cookies, so here the cookie is what ``ui.auth.session_token``
returns — everything behind it (the session and account in the store) is the real thing."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.auth
from crm_core import accounts, sessions
from crm_core.audit import write_audit
from crm_core.i18n import t
from crm_core.store import close_store, open_store
from crm_core.users import Actor
from ui.app import pages_for

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("root", "admin")


@pytest.fixture
def secured(tmp_path, monkeypatch, demo_copy):
    users = tmp_path / "users.toml"
    accounts.add_account("boss", "manager", "boss password", "王经理", path=users)
    accounts.add_account("zhangwei", "rep", "rep password 1", "张伟", users, rep_codes=["张伟"])
    monkeypatch.setenv("CRM_USERS", str(users))
    monkeypatch.setenv("CRM_DB", str(demo_copy))
    cookie = {"token": None}
    monkeypatch.setattr(ui.auth, "session_token", lambda: cookie["token"])
    yield {"users": users, "db": demo_copy, "cookie": cookie}
    close_store(demo_copy)


def _store(secured):
    store = open_store(secured["db"])  # the very store the app's script runs use (one per file)
    accounts.sync_file(store)
    return store


def sign_in(secured, name: str, password: str) -> None:
    """What the sign-in route does before setting the cookie."""
    outcome = sessions.sign_in(_store(secured), name, password, "127.0.0.1")
    assert outcome.token, outcome
    secured["cookie"]["token"] = outcome.token


def app_run(page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    if page:
        app.session_state["customer_id"] = 1
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _caption(app: AppTest) -> str:
    return " ".join(c.value for c in app.sidebar.caption)


@pytest.mark.parametrize("page", [None, "pages/customers.py", "pages/customer_360.py", "pages/data.py",
                                  "pages/admin.py"])
def test_without_a_session_only_the_sign_in_prompt_is_shown(secured, page):
    """A page asked for directly (Streamlit's old multipage mode runs that file itself) still goes
    through the app's language switch and sign-in: the prompt, not the page."""
    app = app_run(page)
    assert [t.value for t in app.title] == ["Sign in to Kehu"]
    assert [i.value for i in app.info] == ["Sign in to continue."]
    assert not app.metric and not app.dataframe and not app.tabs
    assert app.sidebar.radio[0].label == "语言 / Language"  # the app's own frame, from run_app


def test_a_dead_cookie_says_the_session_ended(secured):
    secured["cookie"]["token"] = "forged-or-expired"
    app = app_run()
    assert [i.value for i in app.info][0].startswith("Your session has ended")


def test_a_signed_in_rep_sees_her_codes_customers_and_her_display_name(secured):
    """Finding 8: rep zhangwei owns the customers whose 业务员 is 张伟."""
    sign_in(secured, "zhangwei", "rep password 1")
    app = app_run()
    (owned,) = _store(secured).query_one("SELECT count(*) FROM customers WHERE sales_rep = '张伟'")
    assert 0 < owned < 300
    assert app.title[0].value == "Overview"
    assert app.metric[0].value == f"{owned:,}"
    assert "Signed in as 张伟 (sales rep)" in _caption(app)


def test_after_sign_in_a_page_opens_through_the_navigation(secured):
    sign_in(secured, "boss", "boss password")
    app = app_run("pages/customers.py")
    assert app.title[0].value == "Customers"
    assert app.sidebar.button(key="sign_out")  # still inside the signed-in frame


def test_an_account_deleted_from_users_toml_is_signed_out_on_the_next_run(secured):
    """Finding 3: a deleted rep does not go on working."""
    sign_in(secured, "zhangwei", "rep password 1")
    app = app_run("pages/customer_form.py")
    assert app.title[0].value == "Customer entry"
    known = accounts.load_accounts(secured["users"])
    del known["zhangwei"]
    accounts.save_accounts(known, secured["users"])
    app.run()
    assert [t.value for t in app.title] == ["Sign in to Kehu"]
    assert "sign_out" not in [b.key for b in app.sidebar.button]
    assert "Signed in as" not in _caption(app)


def test_an_account_disabled_on_the_admin_page_is_signed_out_on_the_next_run(secured):
    store = _store(secured)
    accounts.create(store, Actor("setup", "admin"), "root", "admin", "root password")
    accounts.create(store, ADMIN, "li", "manager", "li password")
    sign_in(secured, "li", "li password")
    app = app_run()
    assert app.title[0].value == "Overview"
    accounts.set_enabled(store, ADMIN, "li", False)
    app.run()
    assert [t.value for t in app.title] == ["Sign in to Kehu"]


def test_a_demoted_manager_loses_the_admin_page_on_the_next_run(secured):
    """Finding 3: the role is read on every run, so the menu and the page follow at once."""
    sign_in(secured, "boss", "boss password")
    app = app_run("pages/admin.py")
    assert app.title[0].value == "Admin"
    known = accounts.load_accounts(secured["users"])
    known["boss"] = accounts.Account("boss", "analyst", known["boss"].password_hash, "王经理", managed_by="file")
    accounts.save_accounts(known, secured["users"])
    app.switch_page("pages/admin.py").run()
    assert not app.exception
    assert app.title[0].value != "Admin" and "Audit log" not in [s.value for s in app.subheader]
    assert "Signed in as 王经理 (analyst)" in _caption(app)


def test_sign_out_ends_the_session_and_says_so(secured):
    sign_in(secured, "boss", "boss password")
    token = secured["cookie"]["token"]
    app = app_run()
    app.run()  # the first run draws the sidebar in Streamlit's old pages/ mode, with other widget ids
    app.sidebar.button(key="sign_out").click().run()
    assert [t.value for t in app.title] == ["Sign in to Kehu"]
    assert [i.value for i in app.info] == ["You have signed out on every device."]
    assert sessions.account_for(_store(secured), token) is None


def test_a_malformed_users_toml_shows_one_line_and_no_traceback(secured):
    """Finding 13: no traceback, no paths, no account names for the visitor."""
    secured["users"].write_text('[users.boss]\nrole = "manager"\n[users.zhangwei\npassword_hash = "x"\n',
                                encoding="utf-8")
    app = app_run("pages/customers.py")
    assert [e.value for e in app.error] == [
        "Sign-in is unavailable: the accounts file cannot be read. Please tell the administrator."]
    shown = " ".join(str(e.value) for e in (*app.error, *app.title, *app.markdown, *app.info))
    for secret in (str(secured["users"]), "users.toml", "boss", "zhangwei"):
        assert secret not in shown


@pytest.mark.parametrize("role,form,admin", [
    ("admin", True, True), ("manager", True, True), ("rep", True, False),
    ("analyst", False, False), ("viewer", False, False),
])
def test_the_menu_has_only_the_pages_a_role_can_use(role, form, admin):
    """Finding 9: the entry form needs write rights, Admin the audit log."""
    pages = pages_for(role)
    assert ("pages/customer_form.py" in pages, "pages/admin.py" in pages) == (form, admin)
    assert "pages/overview.py" in pages and "pages/data.py" in pages


def test_an_admin_creates_changes_and_disables_an_account_on_the_admin_page(secured):
    store = _store(secured)
    accounts.create(store, Actor("setup", "admin"), "root", "admin", "root password")
    sign_in(secured, "root", "root password")
    app = app_run("pages/admin.py")
    app.run()  # the first run draws widgets in Streamlit's old pages/ mode, with other ids

    def field(label: str, index: int = 0):
        return [w for w in app.text_input if w.label == label][index]

    field("User name").input("wangfang")
    field("Display name").input("王芳")
    next(s for s in app.selectbox if s.label == "Role").set_value("rep")
    field("Password").input("rep password 1")
    field("Sales-rep codes").input("王芳, 王芳2")
    next(b for b in app.button if b.label == "Create").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [s.value for s in app.success] == ["Account wangfang created."]
    created = accounts.enabled_account(store, "wangfang")
    assert (created.role, created.display_name, created.rep_codes) == ("rep", "王芳", ("王芳", "王芳2"))

    app.selectbox(key="acc_pick").set_value("wangfang").run()
    app.selectbox(key="acc_role_wangfang").set_value("viewer")
    next(b for b in app.button if b.label == "Save changes").click().run()
    assert [s.value for s in app.success] == ["Saved. The change applies on the user's next click."]
    assert accounts.enabled_account(store, "wangfang").role == "viewer"
    app.button(key="acc_disable_wangfang").click().run()
    assert [s.value for s in app.success] == ["Account disabled."]
    assert accounts.enabled_account(store, "wangfang") is None
    assert [row[:2] for row in _store(secured).query_df(
        "SELECT action, field FROM audit_log WHERE entity = 'account' AND actor = 'root' ORDER BY audit_id"
    ).itertuples(index=False, name=None)] == [
        ("account_create", "wangfang"), ("account_update", "wangfang.role"), ("account_disable", "wangfang.enabled")]


@pytest.mark.parametrize("lang, signed_in, session, phone", [("zh", "登录", "登录会话", "联系电话"),
                                                              ("en", "Signed in", "Session", "Phone")])
def test_the_audit_log_shows_words_not_codes(secured, lang, signed_in, session, phone):
    """The log stores codes (sign_in, session, a customer's field "phone"); the Admin page's columns
    and its action filter say them. Another entity's field stays as stored (it means something else)."""
    sign_in(secured, "boss", "boss password")
    with _store(secured).transaction() as cur:
        write_audit(cur, ADMIN, "update", "customer", 1, "phone", "13800000000", "13900000000")
        write_audit(cur, ADMIN, "create", "survey_wave", 7, "name", None, "2026 春季")
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = lang
    app.switch_page("pages/admin.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    log = app.dataframe[0].value
    shown = set(log.iloc[:, 2]) | set(log.iloc[:, 3])  # the action and "what" columns
    assert {signed_in, session} <= shown
    assert not shown & {"sign_in", "session", "account_sync", "account"}
    assert signed_in in app.selectbox[0].options
    fields = dict(zip(log.iloc[:, 3], log.iloc[:, 5]))  # "what" → field (one row each here)
    assert fields[t("audit.entity.customer", lang)] == phone
    assert fields[t("audit.entity.survey_wave", lang)] == "name"
