"""The Churn page and the churn section of the 360 view, through AppTest, in both languages."""
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.churn.measured import fill_from_my_data
from crm_core.i18n import t
from crm_core.store import Store, close_store, open_store
from tests.conftest import DEMO_AS_OF
from tests.test_pages import run_page

TABS = ("calculator", "lapsed", "rates", "model", "retention", "reasons", "funnel")


@pytest.fixture(scope="module")
def churn_db_path(demo_db_path, tmp_path_factory):
    """A copy of the session's 300-customer demo store (the demo includes churn events): these tests
    write to it, so they get a file of their own."""
    path = tmp_path_factory.mktemp("churn") / "crm.duckdb"
    shutil.copyfile(demo_db_path, path)
    db = Store(path)
    (events,) = db.query_one("SELECT count(*) FROM churn_events")
    assert events > 20
    db.close()
    yield path
    close_store(path)


@pytest.fixture
def churn_app(churn_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(churn_db_path))
    return churn_db_path


def open_tab(lang: str, tab: str, **state) -> AppTest:
    return run_page("churn.py", lang, churn_tab=t(f"churn.tab.{tab}", lang), **state)


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders(churn_app, lang, tab):
    app = open_tab(lang, tab)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == t("churn.page_title", lang)
    assert not [m for m in app.metric if m.value.startswith("churn.")]
    texts = [m.label for m in app.metric] + [c.value for c in app.caption] + [s.value for s in app.subheader]
    assert not [x for x in texts if x.startswith("churn.")], "every label comes from the catalog"


def test_textbook_example_in_english(churn_app):
    app = open_tab("en", "calculator")
    app.number_input(key="churn_in_customers").set_value(1000).run()
    assert metrics(app)["Customers lost"] == "50"
    app.button(key="churn_textbook").click().run()
    shown = metrics(app)
    assert shown["Customers lost"] == "3,200"
    assert shown["Revenue lost"] == "$128M"  # compact on the card (over 7 characters), exact in its tooltip
    assert shown["Profit lost"] == "$12.8M"
    assert [m.help for m in app.metric if m.label == "Revenue lost"] == ["Exactly $128,000,000.00"]
    assert app.selectbox(key="churn_in_currency").value == "USD"
    assert any(c.value == "Year 1 exactly: 3,200 customers lost, 128,000,000 USD revenue and 12,800,000 USD "
                          "profit lost." for c in app.caption)
    year_one = app.dataframe[0].value.iloc[0]
    assert (year_one["Lost this year"], year_one["Revenue lost"], year_one["Profit lost"]) == (
        3200, 128_000_000, 12_800_000)
    # the loss grows: year 2 still misses year 1's customers plus 5 % of the rest
    assert app.dataframe[0].value.iloc[1]["Lost so far"] == 3200 + 0.05 * 60_800


def test_textbook_example_in_chinese(churn_app):
    app = open_tab("zh", "calculator")
    app.number_input(key="churn_in_churn_rate").set_value(10.0).run()
    app.button(key="churn_textbook").click().run()
    shown = metrics(app)
    assert shown["流失客户数"] == "3,200"
    assert shown["损失的营业收入"] == "$1.28亿"  # 128,000,000 the way a Chinese reader writes it
    assert shown["损失的利润"] == "$1,280万"  # compact on the card: 1,280.0万 has 9 characters
    assert any("128,000,000 USD" in c.value and "12,800,000 USD" in c.value and "3,200" in c.value
               for c in app.caption)
    assert app.caption[0].value == "教材案例"


def test_fill_from_my_data_labels_each_input(churn_app):
    app = open_tab("en", "calculator")
    app.button(key="churn_fill").click().run()
    assert not app.exception
    expected = fill_from_my_data(open_store(churn_app), DEMO_AS_OF)
    assert app.number_input(key="churn_in_customers").value == expected.customers
    assert app.number_input(key="churn_in_churn_rate").value == pytest.approx(expected.churn_rate * 100, abs=1e-3)
    assert app.selectbox(key="churn_in_currency").value == "CNY"
    captions = [c.value for c in app.caption]
    assert captions.count("measured from your data") == 5  # customers, churn, revenue, margin, retention cost
    assert captions.count("assumed") == 6
    app.number_input(key="churn_in_years").set_value(3).run()
    assert "entered by you" in [c.value for c in app.caption]


def test_year_one_from_measured_inputs_uses_the_unrounded_churn_rate(tmp_path, monkeypatch):
    # issue 15: 7 customers bought in the previous 12 months, 1 of them not in the last 12 → churn
    # rate 1/7 (the widget shows 14.2857 %); the 6 still buying spend 10,000,000 each. Year 1 by
    # hand: 6 × 1/7 × 10,000,000 = 8,571,428.57 — with the rate rounded to 0.142857 it would be
    # 8,571,420.00.
    from decimal import Decimal

    from crm_core.churn import churn_loss
    from tests.test_segmentation import add_customers, add_transactions
    path = tmp_path / "crm.duckdb"
    db = Store(path)
    cur = db.cursor()
    add_customers(cur, list(range(1, 8)))
    add_transactions(cur, [(i, "2023-09-01", "100.00", None, None, None, None) for i in range(1, 8)]
                     + [(i, "2025-02-28", "10000000.00", None, None, None, None) for i in range(1, 7)])
    cur.close()
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    try:
        app = open_tab("en", "calculator")
        app.button(key="churn_fill").click().run()
        assert not app.exception, [e.value for e in app.exception]
        assert app.number_input(key="churn_in_churn_rate").value == pytest.approx(14.2857, abs=1e-9)
        year_one = app.dataframe[0].value.iloc[0]
        # shown to the cent and to a tenth of a customer (crm_core.tables): 8,571,428.57, not 8,571,420.00
        assert year_one["Revenue lost"] == pytest.approx(6 * 10_000_000 / 7, abs=0.005)
        assert year_one["Revenue lost"] != pytest.approx(6 * 0.142857 * 10_000_000, abs=1)
        assert year_one["Lost this year"] == pytest.approx(round(6 / 7, 1), abs=1e-12)
        exact = churn_loss(customers=6, churn_rate=1 / 7, revenue_per_customer=10_000_000.0, margin=0.10)
        assert Decimal(str(year_one["Revenue lost"])) == exact.lost_revenue.quantize(Decimal("0.01"))
        assert any("8,571,429 CNY revenue" in c.value for c in app.caption)
        # a rate the user types is used as typed
        app.number_input(key="churn_in_churn_rate").set_value(10.0).run()
        assert app.dataframe[0].value.iloc[0]["Revenue lost"] == pytest.approx(6_000_000)
    finally:
        close_store(path)


def test_what_if_shows_the_reference_band_not_a_promise(churn_app):
    app = open_tab("en", "calculator")
    app.slider(key="churn_cut").set_value(2.0).run()
    assert metrics(app)["Profit gained"].startswith("$")
    assert any(c.value.startswith("Reference: Reichheld & Sasser (1990)") for c in app.caption)


def test_lapsed_tab_counts_follow_k(churn_app):
    app = open_tab("en", "lapsed")
    at_two = int(metrics(app)["Lapsed customers"].replace(",", ""))
    app.slider(key="churn_k").set_value(4.0).run()
    at_four = int(metrics(app)["Lapsed customers"].replace(",", ""))
    assert 0 < at_four < at_two


def test_model_tab_reports_the_fit_and_one_time_buyers(churn_app):
    app = open_tab("zh", "model")
    shown = metrics(app)
    assert "重复购买客户" in shown and t("churn.model.one_time_buyers", "zh") in shown
    assert any(i.value == t("churn.p_alive.meaning", "zh") for i in app.info)
    reported = [s.value for s in app.success] + [w.value for w in app.warning] + [i.value for i in app.info]
    assert any(v.startswith("BG/NBD") or v.startswith("数据与") for v in reported)


def _page_texts(app: AppTest) -> list[str]:
    texts = [m.label for m in app.metric] + [m.value for m in app.metric] + [m.help or "" for m in app.metric]
    for kind in ("caption", "info", "success", "warning", "markdown", "subheader", "error"):
        texts += [element.value for element in getattr(app, kind)]
    return texts + [e.label for e in app.expander]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_model_tab_reports_the_limiting_model_in_plain_words(churn_app, lang):
    # issue 15: the demo's BG/NBD fit runs to the ridge a, b → ∞ (regular buyers who hardly leave)
    from crm_core.churn.model import fit_store_model
    cur = open_store(churn_app).cursor()
    fit = fit_store_model(cur, DEMO_AS_OF).bgnbd
    cur.close()
    assert fit.limiting and fit.a + fit.b > 1_000
    app = open_tab(lang, "model")
    assert not app.exception, [e.value for e in app.exception]
    p = f"{100 * fit.dropout_per_purchase:.2f}%"
    assert [i.value for i in app.info if i.value == t("churn.model.limiting", lang, p=p)]
    texts = _page_texts(app)
    assert not [x for x in texts if "e+" in x or "e-0" in x], "no scientific notation on the page"
    assert not [x for x in texts if f"a = {fit.a:.3g}" in x or "a = " in x]  # p, not a and b
    assert any(f"≈ {p}" in x for x in texts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_value_is_named_for_its_horizon_and_the_horizon_is_a_control(churn_app, lang):
    app = open_tab(lang, "model")
    label12 = t("churn.col.clv", lang, months=12)
    assert label12 == ("12-month value" if lang == "en" else "12个月价值")
    value12 = metrics(app)[label12]
    assert not [x for x in _page_texts(app) if "lifetime value" in x.replace("not a lifetime value", "")
                or "客户终身价值" in x]
    app.selectbox(key="churn_horizon").set_value(24).run()
    assert not app.exception, [e.value for e in app.exception]
    shown = metrics(app)
    label24 = t("churn.col.clv", lang, months=24)
    assert label12 not in shown and label24 in shown

    def amount(text: str) -> float:  # ¥1,234,567 / ¥123.5万 / ¥1.28亿 / ¥19.6M
        number = text.lstrip("¥$€").replace(",", "")
        for unit, factor in (("亿", 1e8), ("万", 1e4), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
            if number.endswith(unit):
                return float(number[:-1]) * factor
        return float(number)
    assert amount(shown[label24]) > amount(value12) > 0
    assert not [x for x in _page_texts(app) if "e+" in x]


def test_recording_a_churn_event_from_the_reasons_tab(churn_app):
    app = open_tab("en", "reasons", churn_reason_window="all")
    before = int(metrics(app)["Lost customers recorded"].replace(",", ""))
    app.text_input(key="churn_event_form_customer_q").input("C0000007").run()
    app.selectbox(key="churn_event_form_reason").set_value("rep_left")
    app.text_input(key="churn_event_form_note").input("followed 周杰")
    app.main.button[-1].click().run()  # the form's save button is the last one on the tab
    assert not app.exception
    assert [s.value for s in app.success] == ["Saved."]
    app.run()
    assert int(metrics(app)["Lost customers recorded"].replace(",", "")) == before + 1


def test_reasons_tab_lists_the_latest_events_a_page_at_a_time(churn_app, monkeypatch):
    from crm_core.churn.events import list_churn_events
    from crm_core.users import Actor
    from ui.churn import common, reasons

    # the newest 25 listed, 10 a page: three pages, the last of 5 (the demo has ~40 events)
    monkeypatch.setattr(reasons, "LISTED", 25)
    monkeypatch.setattr(common, "PAGE_SIZE", 10)
    app = open_tab("en", "reasons", churn_reason_window="all")
    total = int(metrics(app)["Lost customers recorded"].replace(",", ""))
    assert total > 25
    assert f"The latest 25 of {total:,} events." in [c.value for c in app.caption]
    newest, _ = list_churn_events(open_store(churn_app), Actor("local", "admin"), limit=25)
    assert app.dataframe[-1].value["Code"].tolist() == newest["code"].iloc[:10].tolist()
    app.number_input(key="churn_events_page").set_value(3).run()
    assert app.dataframe[-1].value["Code"].tolist() == newest["code"].iloc[20:].tolist()


def test_unknown_customer_code_is_refused(churn_app):
    app = open_tab("en", "reasons")
    app.text_input(key="churn_event_form_customer_q").input("NOPE").run()
    assert "No customer you may see matches “NOPE”." in [c.value for c in app.caption]
    app.main.button[-1].click().run()
    assert [e.value for e in app.error] == ["No customer chosen"]


def test_rep_sees_only_her_customers_at_risk(churn_app):
    from crm_core.users import Actor

    everyone = open_tab("en", "lapsed")
    hers = open_tab("en", "lapsed", actor=Actor("王芳", "rep"))
    assert 0 < int(metrics(hers)["Lapsed customers"]) < int(metrics(everyone)["Lapsed customers"])
    assert set(hers.dataframe[0].value["Owner (sales rep)"]) == {"王芳"}


def test_funnel_uses_the_visitor_figure(churn_app):
    app = open_tab("en", "funnel")
    app.number_input(key="churn_visitors").set_value(10_000).run()
    table = app.dataframe[0].value
    assert table.iloc[0, 1] == 10_000 and table.iloc[0, 0] == "Visitors"
    app.number_input(key="churn_visitors").set_value(1).run()
    assert app.warning and app.dataframe[0].value.iloc[0, 1] == app.dataframe[0].value.iloc[1, 1]


SECTION = """
import streamlit as st
from crm_core import customers as cust
from crm_core.users import LOCAL_USER
from ui.customers.sections.churn import render
from ui.common import store

db = store()
record = cust.get_customer(db, LOCAL_USER, st.session_state["customer_id"])
render(db, LOCAL_USER, st.session_state["customer_id"], record)
"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_360_section_shows_p_alive_and_churn_events(churn_app, lang):
    events = open_store(churn_app).query_df("SELECT customer_id FROM churn_events ORDER BY customer_id LIMIT 1")
    customer_id = int(events["customer_id"].iloc[0])
    app = AppTest.from_string(SECTION, default_timeout=60)
    app.session_state["lang"] = lang
    app.session_state["customer_id"] = customer_id
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.subheader[0].value == t("churn.c360.title", lang)
    assert t("churn.c360.p_alive", lang) in [m.label for m in app.metric]
    assert app.dataframe, "the recorded churn event is listed"
    lapsed_or_not = [w.value for w in app.warning] + [s.value for s in app.success] + [i.value for i in app.info]
    assert lapsed_or_not


@pytest.mark.parametrize("theme", ["streamlit", "plotly"])
def test_the_model_tabs_bars_are_plotly_express_bars_to_the_json(theme, monkeypatch):
    """ui.churn.common.bar_chart builds the model tab's bar charts directly (plotly express spends
    ~50 ms a chart); what goes to the browser must be what px.bar sent, byte for byte, with
    Streamlit's theme (its placeholder colours) and with plotly's own."""
    import numpy as np
    import pandas as pd
    import plotly.express as px
    import plotly.io as pio

    from crm_core.churn.model import P_ALIVE_BINS
    from ui.churn.common import bar_chart
    from ui.common import style_chart

    monkeypatch.setattr(pio.templates, "default", theme)
    bands = pd.DataFrame({"band_start": P_ALIVE_BINS[:-1], "customers": np.arange(20, dtype="int64")})
    loss = pd.DataFrame({"segment": ["无购买 (12 个月)", "Class A"], "expected_loss": [1234.0, np.nan]})
    for frame, x, y in ((bands, "band_start", "customers"), (loss, "segment", "expected_loss")):
        labels = {x: "P(存活) <b>", y: "客户数"}
        made = [px.bar(frame, x=x, y=y, labels=labels), bar_chart(frame, x, y, labels)]
        for chart in made:  # as the page styles them
            chart.update_traces(offset=0, width=0.05)
            chart.update_layout(xaxis_tickformat=".0%", title="分布")
            style_chart(chart, height=300)
        assert pio.to_json(made[1], validate=False) == pio.to_json(made[0], validate=False)
