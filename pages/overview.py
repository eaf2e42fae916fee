"""Home: the business at a glance."""
from datetime import datetime
from zoneinfo import ZoneInfo

import plotly.express as px
import streamlit as st

from crm_core import overview
from crm_core.i18n import format_money, format_number, format_percent
from ui.cache import cached_read
from ui.common import actor, analysis_date, lang, page_header, store, style_chart, tr
from ui.metrics import count_metric, money_metric
from ui.report import report_button
from ui.signals import card_links

page_header("page.overview", "intro.overview")
report_button()  # the management report (PDF) of this and the other pages' headlines


@cached_read(ttl=600, max_entries=32)
def _figures(db, user, as_of):
    return overview.kpis(db, user, as_of), overview.monthly_revenue(db, user, as_of)


@cached_read(ttl=120, max_entries=32)
def _relationship(db, user, minute: datetime, as_of):
    return overview.relationship_kpis(db, user, minute, as_of)


db = store()
as_of = analysis_date()  # the app's one analysis date (sidebar)
kpis, trend = _figures(db, actor(), as_of)
# Open promises change with the clock: keyed on the minute so a rerun within it is free.
now = datetime.now(ZoneInfo(db.timezone)).replace(second=0, microsecond=0)
later = _relationship(db, actor(), now, as_of)  # churn rate as of the analysis date
language = lang()

cards = st.columns(5)
count_metric(cards[0], tr("kpi.customers"), kpis.customers)
count_metric(cards[1], tr("kpi.active_customers"), kpis.active_customers, help=tr("kpi.active_customers_help"))
money_metric(cards[2], tr("kpi.revenue_12m"), kpis.revenue_12m,
             delta=None if kpis.revenue_growth is None else format_percent(kpis.revenue_growth, language),
             help=tr("kpi.revenue_12m_help", prior=format_money(kpis.revenue_prior_12m, language)))
money_metric(cards[3], tr("kpi.revenue_per_customer"), kpis.revenue_per_active_customer,
             help=tr("kpi.revenue_per_customer_help"))
count_metric(cards[4], tr("kpi.new_this_year"), kpis.new_customers_this_year, help=tr("kpi.new_this_year_help"))
card_links(cards, ["pages/customers.py", "pages/segmentation.py", "pages/segmentation.py"])

cards = st.columns(3)
count_metric(cards[0], tr("kpi.open_promises"), later.open_promises,
             help=tr("kpi.not_yet_help") if later.open_promises is None else None)
cards[1].metric(tr("kpi.nps"), format_number(later.nps, language, 1),
                help=tr("kpi.not_yet_help") if later.nps is None else
                tr("kpi.nps_help", low=format_number(later.nps_low, language, 1),
                   high=format_number(later.nps_high, language, 1)))
cards[2].metric(tr("kpi.churn_rate"), format_percent(later.churn_rate, language),
                help=tr("kpi.not_yet_help") if later.churn_rate is None else tr("kpi.churn_rate_help"))
card_links(cards, ["pages/promises.py", "pages/satisfaction.py", "pages/churn.py"])

st.subheader(tr("chart.revenue_trend"))
if trend.empty:
    st.info(tr("ui.no_data_yet"))
else:
    labels = {"month": tr("col.month"), "revenue": tr("col.revenue"), "customers": tr("col.buying_customers")}
    figure = px.bar(trend, x="month", y="revenue", labels=labels, hover_data=["customers"])
    st.plotly_chart(style_chart(figure, monthly=True), width="stretch")
