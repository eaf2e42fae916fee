"""Every page renders without an exception in both languages; the entry form saves and validates."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.store import Store
from tests.app_pages import page_app

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture
def demo_app(demo_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    return demo_db_path


def run_page(name: str, lang: str, **state) -> AppTest:
    """Run ``pages/name`` through the real entry point (Home.py's navigation), with seeded state."""
    return page_app(name, lang, **state)


def test_every_page_is_in_the_navigation():
    from ui.app import page_paths

    assert sorted(PAGES) == sorted(Path(p).name for p in page_paths())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(demo_app, page, lang):
    app = run_page(page, lang, customer_id=1)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title, "every page has a title"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_team_mode_without_exception(team_demo_url, monkeypatch, page, lang):
    """The same pages on PostgreSQL (issue 19: the page tests on both engines), the demo loaded
    with COPY as ``python -m crm_core demo --db postgresql://…`` does."""
    monkeypatch.setenv("CRM_DATABASE_URL", team_demo_url)
    app = run_page(page, lang, customer_id=1)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title, "every page has a title"


def test_the_overview_in_team_mode_counts_the_demo_from_postgresql(team_demo_url, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", team_demo_url)
    app = run_page("overview.py", "en")
    assert app.metric[0].value == "300"  # the demo's customers, read through the analytic copy


def test_overview_shows_kpis_in_chinese(demo_app):
    app = run_page("overview.py", "zh")
    labels = [m.label for m in app.metric]
    assert "客户数" in labels and "近12个月收入" in labels
    assert app.metric[0].value == "300"
    # The demo store has surveys: NPS is a number (one decimal), shown with its interval in the help.
    nps = [m for m in app.metric if m.label == "净推荐值 NPS"][0]
    assert nps.value != "—" and "." in nps.value


def test_overview_cards_say_dash_where_no_data_exists(tmp_path, monkeypatch):
    db_path = tmp_path / "crm.duckdb"
    Store(db_path).close()  # an existing, empty store
    monkeypatch.setenv("CRM_DB", str(db_path))
    app = run_page("overview.py", "en")
    values = {m.label: m.value for m in app.metric}
    assert values["Open promises"] == "—" and values["NPS"] == "—" and values["Churn rate"] == "—"
    assert values["Customers"] == "0"


def test_customers_page_searches(demo_app):
    app = run_page("customers.py", "en")
    app.text_input(key="cust_search").input("C0000007").run()
    assert not app.exception
    assert any("1 customer matches" in c.value for c in app.caption)


def _fill(app: AppTest, **values) -> None:
    prefix = "form_new_"
    for name, value in values.items():
        app.text_input(key=prefix + name).input(value)


def test_adding_a_customer_through_the_form_persists_it(tmp_path, monkeypatch):
    db_path = tmp_path / "crm.duckdb"
    Store(db_path).close()  # an existing empty store: no demo data
    monkeypatch.setenv("CRM_DB", str(db_path))
    app = run_page("customer_form.py", "zh")
    _fill(app, code="N0001", name="东方饭店", phone="13912345678", postal_code="200000", credit_limit="80000")
    app.main.button[-1].click().run()
    assert not app.exception
    from crm_core.store import close_store
    close_store(db_path)  # the app's store: closing it is what a restart does
    reopened = Store(db_path)
    assert reopened.query_one("SELECT name, phone, credit_limit FROM customers WHERE code = 'N0001'") == (
        "东方饭店", "13912345678", 80000)
    reopened.close()


def test_an_invalid_form_shows_the_field_error_and_writes_nothing(tmp_path, monkeypatch):
    db_path = tmp_path / "crm.duckdb"
    Store(db_path).close()
    monkeypatch.setenv("CRM_DB", str(db_path))
    app = run_page("customer_form.py", "en")
    _fill(app, code="N0002", name="Bad Phone Ltd", phone="12345", credit_limit="-5")
    app.main.button[-1].click().run()
    errors = [e.value for e in app.error]
    assert any(e.startswith("Not a mainland-China phone number") for e in errors)
    assert "The credit limit cannot be negative: enter 0 or more." in errors
    assert app.text_input(key="form_new_phone").value == "12345"  # what the user typed is kept
    from crm_core.store import close_store
    close_store(db_path)
    reopened = Store(db_path)
    assert reopened.query_one("SELECT count(*) FROM customers") == (0,)
    reopened.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_360_section_renders_when_its_tab_is_opened(demo_app, lang):
    from crm_core.i18n import t

    for key in ("tab.segments", "tab.promises", "tab.surveys", "tab.churn", "tab.care"):
        app = run_page("customer_360.py", lang, customer_id=3, c360_tab=t(key, lang))
        assert not app.exception, (key, [e.value for e in app.exception])
        if key == "tab.churn":  # the section really rendered: its probability-alive card is there
            assert t("churn.c360.p_alive", lang) in [m.label for m in app.metric]
