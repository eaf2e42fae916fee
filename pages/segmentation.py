"""Segmentation (客户细分): ABC classes and their concentration, movement between periods, big
customers, RFM, need types, resource allocation. Each tab renders only when it is open."""

import streamlit as st

from crm_core import segmentation as seg
from crm_core.customers import today_in
from crm_core.i18n import format_date
from ui.common import actor, analysis_bounds, analysis_date, choice_label, lang, page_header, plain, store, tr
from ui.segmentation import abc as abc_tabs
from ui.segmentation import more as more_tabs
from ui.segmentation import value as value_tabs
from ui.segmentation.common import percent_share
from ui.view_state import catalog_label, in_url
from ui.view_state import tabs as url_tabs

page_header("seg.page_title", "seg.intro")
db, user, language = store(), actor(), lang()


# The class history of the months closed since last time (one small query when up to date: no write).
seg.record_class_history(db, today_in(db))

as_of = analysis_date()
default_period = seg.default_period(as_of)
if st.session_state.get("seg_period_as_of", as_of) != as_of:
    st.session_state.pop("seg_period", None)  # the analysis date moved: the period follows it
st.session_state["seg_period_as_of"] = as_of
earliest, latest = analysis_bounds()  # any day the data covers, not just ten years back
chosen_period = tuple(st.session_state.get("seg_period") or ())  # kept within the bounds too

controls = st.columns([2, 1, 1, 1])
period = controls[0].date_input(tr("seg.period"), value=default_period, **in_url("seg_period"),
                                min_value=min([earliest, default_period[0], *chosen_period[:1]]),
                                max_value=max([latest, *chosen_period[1:]]),
                                format="YYYY-MM-DD")
measure = controls[1].radio(tr("seg.measure"), list(seg.MEASURES),
                            **in_url("seg_measure", seg.MEASURES, catalog_label("seg.measure")),
                            format_func=choice_label("seg.measure"))
a_pct = controls[2].number_input(tr("seg.a_share"), 0.1, 100.0, 5.0, 0.5, **in_url("seg_a_pct"), help=tr("seg.a_share_help"))
b_pct = controls[3].number_input(tr("seg.b_share"), 0.1, 100.0, 20.0, 0.5, **in_url("seg_b_pct"), help=tr("seg.b_share_help"))
if len(period) != 2:
    st.info(tr("seg.pick_period_end"))
    st.stop()
if a_pct > b_pct:
    st.error(tr("seg.shares_invalid"))
    st.stop()
q = seg.SegmentQuery(period[0], period[1], measure, percent_share(a_pct), percent_share(b_pct))
st.caption(tr("seg.period_caption", start=format_date(q.start, language), end=format_date(q.end, language)))
if user.rep_scope is not None:
    st.caption(tr("seg.rep_scope_note", rep=plain("、".join(user.rep_scope))))

TABS = (("seg.tab.abc", abc_tabs.render_abc), ("seg.tab.movement", abc_tabs.render_movement),
        ("seg.tab.big", value_tabs.render_big_customers), ("seg.tab.rfm", value_tabs.render_rfm),
        ("seg.tab.need", more_tabs.render_need_types), ("seg.tab.resources", more_tabs.render_resources),
        ("seg.tab.satisfaction", more_tabs.render_satisfaction))
tabs = url_tabs("seg_tab", [key for key, _ in TABS])  # in the URL, kept across a language switch
for container, (_, render) in zip(tabs, TABS):
    with container:
        if container.open:
            render(db, user, q)
