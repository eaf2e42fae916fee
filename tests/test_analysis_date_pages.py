"""The one analysis date through the app (issue 15): the sidebar picker, the URL, and the pages that follow it."""
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.i18n import format_money, t
from crm_core.store import Store, close_store
from tests.app_pages import page_app
from tests.conftest import DEMO_AS_OF
from tests.test_pages import run_page

ROOT = Path(__file__).resolve().parents[1]
# Three customers who bought only in 1997 (a CDNOW-like file): ¥550 in all, the last purchase on 1997-12-15.
PURCHASES_1997 = [(1, date(1997, 1, 10), 100), (1, date(1997, 6, 1), 50), (2, date(1997, 3, 5), 300),
                  (3, date(1997, 11, 20), 80), (3, date(1997, 12, 15), 20)]


@pytest.fixture
def old_app(tmp_path, monkeypatch):
    path = tmp_path / "crm.duckdb"
    db = Store(path)
    with db.transaction() as cur:
        for cid in (1, 2, 3):
            cur.execute("INSERT INTO customers (customer_id, code, name) VALUES (?, ?, ?)", [cid, f"K{cid:03d}", f"客户{cid}"])
        for cid, day, amount in PURCHASES_1997:
            cur.execute("INSERT INTO transactions (customer_id, txn_date, amount) VALUES (?, ?, ?)", [cid, day, amount])
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    yield path
    close_store(path)


@pytest.fixture
def demo_app(demo_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    return demo_db_path


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_a_date_in_the_url_sets_the_overview(old_app):
    app = page_app("overview.py", "en", query={"as_of": "1997-12-31"})
    assert not app.exception, [e.value for e in app.exception]
    shown = metrics(app)
    assert shown[t("kpi.active_customers", "en")] == "3"
    assert shown[t("kpi.revenue_12m", "en")] == format_money(550, "en")
    assert app.session_state["as_of"] == date(1997, 12, 31)
    assert app.sidebar.date_input(key="as_of_choice").value == date(1997, 12, 31)
    assert not [c for c in app.sidebar.caption if "data ends" in c.value], "a chosen date is no default"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_old_data_defaults_to_its_last_day_and_says_so(old_app, lang):
    app = run_page("overview.py", lang)
    assert not app.exception, [e.value for e in app.exception]
    assert metrics(app)[t("kpi.active_customers", lang)] == "3"  # not 0: the windows end on 1997-12-15
    day = "1997-12-15" if lang == "en" else "1997年12月15日"
    assert t("ui.analysis_date_data_ends", lang, day=day) in [c.value for c in app.sidebar.caption]
    assert app.sidebar.date_input(key="as_of_choice").value == date(1997, 12, 15)


def test_picking_a_date_in_the_sidebar_moves_the_overview_and_the_url(old_app):
    app = run_page("overview.py", "en")
    app.sidebar.date_input(key="as_of_choice").set_value(date(1997, 6, 30)).run()
    assert not app.exception, [e.value for e in app.exception]
    assert metrics(app)[t("kpi.active_customers", "en")] == "2"  # customer 3 first bought in November
    assert app.session_state["as_of"] == date(1997, 6, 30)
    assert app.query_params["as_of"] in ("1997-06-30", ["1997-06-30"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_segmentation_classifies_1997(old_app, lang):
    app = run_page("segmentation.py", lang, as_of=date(1997, 12, 31), seg_period=(date(1997, 1, 1), date(1997, 12, 31)))
    assert not app.exception, [e.value for e in app.exception]
    assert metrics(app)[t("seg.kpi.classified", lang)] == "3"
    picker = app.date_input(key="seg_period")
    assert picker.value == (date(1997, 1, 1), date(1997, 12, 31))


def test_segmentation_defaults_to_the_12_months_ending_at_the_analysis_date(old_app):
    app = run_page("segmentation.py", "en", as_of=date(1997, 12, 31))
    assert not app.exception, [e.value for e in app.exception]
    picker = app.date_input(key="seg_period")
    assert picker.value == (date(1997, 1, 1), date(1997, 12, 31))
    assert metrics(app)[t("seg.kpi.classified", "en")] == "3"
    # the picker reaches back to the data's first day, not ten years before the analysis date
    assert picker.proto.min.replace("/", "-") <= "1997-01-01"


@pytest.mark.parametrize("page", ["care.py", "churn.py", "satisfaction.py", "customer_360.py"])
def test_the_other_pages_run_on_a_1997_analysis_date(old_app, page):
    app = run_page(page, "en", as_of=date(1997, 12, 31), customer_id=1)
    assert not app.exception, [e.value for e in app.exception]


def test_overview_and_churn_agree_on_revenue_per_active_customer(demo_app):
    overview = run_page("overview.py", "en", as_of=DEMO_AS_OF)
    shown = metrics(overview)[t("kpi.revenue_per_customer", "en")]
    churn = run_page("churn.py", "en", as_of=DEMO_AS_OF, churn_tab=t("churn.tab.calculator", "en"))
    churn.button(key="churn_fill").click().run()
    assert not churn.exception, [e.value for e in churn.exception]
    assert format_money(churn.number_input(key="churn_in_revenue").value, "en") == shown


@pytest.mark.parametrize("as_of", [DEMO_AS_OF, date(2025, 12, 31)])
def test_overview_churn_rate_is_measured_at_the_analysis_date(demo_app, as_of):
    from crm_core.churn.measured import measured_churn_rate
    from crm_core.i18n import format_percent
    from crm_core.store import open_store

    app = run_page("overview.py", "en", as_of=as_of)
    assert not app.exception, [e.value for e in app.exception]
    expected = measured_churn_rate(open_store(demo_app), as_of)
    assert expected is not None
    assert metrics(app)[t("kpi.churn_rate", "en")] == format_percent(expected, "en")


@pytest.mark.parametrize(("as_of", "end"), [(date(2026, 3, 31), "2026-04-01 00:00"),  # the end of the analysis date
                                            (DEMO_AS_OF, "2026-06-30 10:00")])  # now, when the day is not over
def test_promise_performance_ends_on_the_analysis_date(demo_app, as_of, end):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 6, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    app = run_page("promises.py", "en", as_of=as_of, promises_now=now,
                   prom_tab=t("promises.tab.performance", "en"))  # computed only when opened
    assert not app.exception, [e.value for e in app.exception]
    denominators = [m.value for m in app.markdown if m.value.startswith("**Kept % = kept")]
    assert len(denominators) == 1 and f"to {end}:" in denominators[0], denominators


def test_the_segmentation_period_follows_a_new_analysis_date(old_app):
    app = run_page("segmentation.py", "en", as_of=date(1997, 12, 31))
    app.sidebar.date_input(key="as_of_choice").set_value(date(1997, 6, 30)).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.date_input(key="seg_period").value == (date(1996, 7, 1), date(1997, 6, 30))
    assert metrics(app)[t("seg.kpi.classified", "en")] == "2"
