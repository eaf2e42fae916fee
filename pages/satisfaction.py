"""Satisfaction: survey scores with honest intervals, and the customers to act on."""
import streamlit as st

from crm_core.i18n import t
from ui.common import actor, analysis_date, page_header, store, tr
from ui.satisfaction import data
from ui.satisfaction.entry import entry_forms
from ui.satisfaction.links import render_links
from ui.satisfaction.overview import render_breakdowns, render_overview, render_trend
from ui.satisfaction.quadrant import render_quadrant
from ui.satisfaction.quality import render_quality, render_regional
from ui.satisfaction.voice import render_comments, render_iceberg, render_mystery, render_nonresponse
from ui.view_state import in_url
from ui.view_state import tabs as url_tabs

page_header("page.satisfaction", "intro.satisfaction")
db, user = store(), actor()
as_of = analysis_date()
waves = data.waves(db, user)

TABS = ("overview", "trend", "quality", "regional", "quadrants", "word_of_mouth", "comments",
        "nonresponse", "mystery", "entry", "links")
if waves.empty:
    st.info(tr("sat.no_surveys"))
    entry_forms(db, user, waves)
    st.stop()

options = [None, *waves["wave_id"].tolist()[::-1]]
names = dict(zip(waves["wave_id"], waves["name"], strict=True))
wave_id = st.selectbox(tr("sat.wave"), options, index=1,
                       **in_url("sat_wave", options, lambda w, code: t("sat.all_waves", code) if w is None else names.get(w, str(w))),
                       format_func=lambda w: tr("sat.all_waves") if w is None else names.get(w, str(w)))
st.caption(tr("sat.tabs_hint"))
tabs = url_tabs("sat_tab", [f"sat.tab.{name}" for name in TABS])
renderers = {
    "overview": lambda: render_overview(db, user, waves, wave_id),
    "trend": lambda: (render_trend(db, user), render_breakdowns(db, user, wave_id, as_of)),
    "quality": lambda: render_quality(db, user, wave_id),
    "regional": lambda: render_regional(db, user, wave_id),
    "quadrants": lambda: render_quadrant(db, user, "sat_quad"),
    "word_of_mouth": lambda: render_iceberg(db, user, wave_id, as_of),
    "comments": lambda: render_comments(db, user, wave_id),
    "nonresponse": lambda: render_nonresponse(db, user, waves, wave_id),
    "mystery": lambda: render_mystery(db, user),
    "entry": lambda: entry_forms(db, user, waves),
    "links": lambda: render_links(db, user, wave_id),
}
for name, tab in zip(TABS, tabs, strict=True):
    if tab.open:  # lazy tabs: only the open one computes
        with tab:
            renderers[name]()
