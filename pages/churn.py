"""Churn: what losing customers costs, who is slipping away, why they leave, and whom to call first."""
import streamlit as st

from crm_core.i18n import format_date
from ui.churn import calculator, lapsed, model, reasons
from ui.common import actor, analysis_date, lang, page_header, store, tr
from ui.view_state import tabs as url_tabs

page_header("churn.page_title", "churn.intro")
db, user = store(), actor()

as_of = analysis_date()  # the app's one analysis date (sidebar)
st.markdown(tr("churn.as_of_caption", day=format_date(as_of, lang())), help=tr("churn.as_of_help"))

TABS = {
    "calculator": calculator.render,
    "lapsed": lapsed.render_lapsed,
    "rates": lapsed.render_rates,
    "model": model.render_model,
    "retention": model.render_retention,
    "reasons": reasons.render_reasons,
    "funnel": reasons.render_funnel,
}
# Bound to the URL, so each tab's .open is known: only the open tab queries (and fits the model).
tabs = url_tabs("churn_tab", [f"churn.tab.{name}" for name in TABS])
for tab, render in zip(tabs, TABS.values()):
    with tab:
        if tab.open:
            render(db, user, as_of)
