"""Promises (时限承诺): the Now board and complaint board, performance, making and recording
promises and complaints, and the policy editor. Logic lives in crm_core.promises."""
from datetime import datetime, time, timedelta

import streamlit as st

from crm_core.promises import actions
from ui.common import actor, analysis_date, page_header, store, tr
from ui.promises.board import kpi_cards, now_tab
from ui.promises.common import now_instant
from ui.promises.forms import complaint_form, make_promise_form
from ui.promises.perf import performance_tab
from ui.promises.policies import policies_tab
from ui.view_state import tabs as url_tabs

page_header("promises.page.title", "promises.page.intro")
db, user = store(), actor()
actions.ensure_presets(db)  # a new, empty store gets the shipped policies once
now = now_instant(db)
# Performance windows end on the analysis date (sidebar) when it is before now; the board keeps the clock.
performance_end = min(now, datetime.combine(analysis_date() + timedelta(days=1), time(), tzinfo=now.tzinfo))

kpi_cards(db, user, now)
tabs = url_tabs("prom_tab", [f"promises.tab.{name}" for name in ("now", "performance", "record", "policies")])
if tabs[0].open:  # the board reads every open promise: computed only when it shows (lazy tabs)
    with tabs[0]:
        now_tab(db, user, now)
if tabs[1].open:  # the one tab that reads the whole window's history: computed only when opened
    with tabs[1]:
        performance_tab(db, user, performance_end)
with tabs[2]:
    left, right = st.columns(2)
    with left:
        st.subheader(tr("promises.form.make"))
        make_promise_form(db, user, now, key="prom_make")
    with right:
        st.subheader(tr("promises.form.complaint"))
        complaint_form(db, user, now, key="prom_complain")
with tabs[3]:
    policies_tab(db, user)
