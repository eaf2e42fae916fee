"""With accounts configured, nothing is shown before sign-in; sign-ins are audited."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core import accounts
from crm_core.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def secured(tmp_path, monkeypatch, demo_db_path):
    users = tmp_path / "users.toml"
    accounts.add_account("rep1", "rep", "rep password 1", path=users)
    db = tmp_path / "crm.duckdb"
    db.write_bytes(Path(demo_db_path).read_bytes())
    monkeypatch.setenv("CRM_USERS", str(users))
    monkeypatch.setenv("CRM_DB", str(db))
    return db


def sign_in(name: str, password: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    app.run()
    assert app.title[0].value == "Sign in to Kehu"
    assert not app.metric  # no data before sign-in
    app.text_input[0].input(name)
    app.text_input[1].input(password)
    app.button[0].click().run()
    return app


def test_wrong_password_is_refused_and_audited(secured):
    app = sign_in("rep1", "not the password")
    assert [e.value for e in app.error] == ["Wrong user name or password."]
    from crm_core.store import close_store
    close_store(secured)
    store = Store(secured)
    assert store.query_one("SELECT actor, action FROM audit_log WHERE action LIKE 'sign_in%'") == (
        "rep1", "sign_in_failed")
    store.close()


def test_a_rep_signs_in_and_sees_only_their_customers(secured):
    app = sign_in("rep1", "rep password 1")
    assert not app.exception
    assert app.title[0].value == "Overview"
    # rep1 owns no demo customers: their view of the business is empty, not the company's.
    assert app.metric[0].value == "0"


@pytest.mark.parametrize("page", ["customers.py", "customer_360.py", "data.py", "admin.py"])
def test_a_page_asked_for_directly_shows_only_the_sign_in_form(secured, page):
    """A page script run without Home.py (Streamlit's old multipage mode runs the requested file
    itself) still goes through the app's language switch and sign-in: the form, not the page."""
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    app.session_state["customer_id"] = 1
    app.switch_page(f"pages/{page}").run()
    assert not app.exception, [e.value for e in app.exception]
    assert [t.value for t in app.title] == ["Sign in to Kehu"]
    assert not app.metric and not app.dataframe and not app.tabs
    assert app.sidebar.radio[0].label == "语言 / Language"  # the app's own frame, from run_app


def test_after_sign_in_a_page_opens_through_the_navigation(secured):
    app = sign_in("rep1", "rep password 1")
    app.switch_page("pages/customers.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Customers"
    assert app.sidebar.button(key="sign_out")  # still inside the signed-in frame
