"""Real historical data (the CDNOW 1/10 sample, 1997-01-01..1998-06-30) imported through the product's
own import, then every analysis page on the data's own period (issue 15: "historical data cannot be
analysed"). Expected figures are recounted from the CSV with pandas, independently of the store."""
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from crm_core.i18n import compact_money, format_date, format_money, format_money_exact, format_number, t
from crm_core.ingest import run_import
from crm_core.store import Store, close_store
from crm_core.users import Actor
from tests.test_pages import run_page

CDNOW = Path(__file__).resolve().parent / "fixtures" / "cdnow" / "cdnow_sample_transactions.csv"
DATA_ENDS = date(1998, 6, 30)


@pytest.fixture(scope="module")
def cdnow_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cdnow") / "crm.duckdb"
    store = Store(path)
    outcome = run_import(store, Actor("analyst", "manager"), "transactions", str(CDNOW), create_customers=True)
    store.close()
    assert outcome is not None
    yield path
    close_store(path)  # the app's store for this file, opened by the page runs


@pytest.fixture
def cdnow_app(cdnow_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(cdnow_path))
    return cdnow_path


def _expected_last_12_months() -> tuple[int, float]:
    frame = pd.read_csv(CDNOW, parse_dates=["date"])
    window = frame[(frame["date"] > "1997-06-30") & (frame["date"] <= "1998-06-30")]
    return window.loc[window["amount"] > 0, "customer_id"].nunique(), round(window["amount"].sum(), 2)


def test_the_import_keeps_every_row(cdnow_path):
    store = Store(cdnow_path)
    rows, customers, first, last = store.query_one(
        "SELECT count(*), count(DISTINCT customer_id), min(txn_date), max(txn_date) FROM transactions")
    store.close()
    frame = pd.read_csv(CDNOW)
    assert (rows, customers) == (len(frame), frame["customer_id"].nunique()) == (6919, 2357)
    assert (first, last) == (date(1997, 1, 1), DATA_ENDS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_overview_shows_the_datas_own_last_12_months(cdnow_app, lang):
    app = run_page("overview.py", lang)
    assert not app.exception, [e.value for e in app.exception]
    shown = {m.label: m.value for m in app.metric}
    active, revenue = _expected_last_12_months()
    assert shown[t("kpi.active_customers", lang)] == format_number(active, lang)
    assert shown[t("kpi.revenue_12m", lang)] == format_money(revenue, lang)
    assert app.sidebar.date_input(key="as_of_choice").value == DATA_ENDS  # the default: the data's last day
    assert [c for c in app.sidebar.caption if format_date(DATA_ENDS, lang) in c.value]


@pytest.mark.parametrize("page", ["segmentation.py", "churn.py", "care.py", "customer_360.py"])
def test_the_analysis_pages_run_on_1997_98(cdnow_app, page):
    app = run_page(page, "en", customer_id=1)
    assert not app.exception, [e.value for e in app.exception]


def test_segmentation_classifies_1997(cdnow_app):
    app = run_page("segmentation.py", "en", seg_period=(date(1997, 1, 1), date(1997, 12, 31)))
    assert not app.exception, [e.value for e in app.exception]
    frame = pd.read_csv(CDNOW, parse_dates=["date"])
    spend = frame[frame["date"].dt.year == 1997].groupby("customer_id")["amount"].sum()
    ranked = int((spend > 0).sum())  # customers with net spend in the period
    shown = {m.label: m.value for m in app.metric}
    assert shown["Customers ranked"] == format_number(ranked, "en")
    total = spend[spend > 0].sum()
    assert shown["Revenue"] == compact_money(total, "en")  # ¥201K: over 7 characters in full
    assert next(m.help for m in app.metric if m.label == "Revenue") == f"Exactly {format_money_exact(total)}"
    captions = [c.value for c in app.caption]
    assert "Period 1997-01-01 to 1997-12-31, both days included." in captions
    assert f"{math.ceil(0.05 * ranked)} customers" in captions  # class A: the first 5 %, rounded up
