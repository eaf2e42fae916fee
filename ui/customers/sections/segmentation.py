"""Customer 360 section: the customer's ABC class, why (rank, spend, cumulative share) and when
the class last changed. ``render(db, user, customer_id, record)`` is wired in by the 360 page."""
from __future__ import annotations

import streamlit as st

from crm_core import segmentation as seg
from crm_core.i18n import format_date, format_number, format_percent
from ui.cache import cached_read
from ui.common import analysis_date, lang, tr
from ui.metrics import money_metric
from ui.segmentation.common import percent_share
from ui.tables import frame_grid


@cached_read(ttl=600, max_entries=256)
def _explained(db, who, customer_id: int, q: seg.SegmentQuery):
    return seg.class_explanation(db, who, customer_id, q), seg.class_history(db, who, customer_id), seg.history_span(db)


def _query(db) -> seg.SegmentQuery:
    """The Segmentation page's current choice when the user has made one, else the defaults."""
    state = st.session_state
    period = state.get("seg_period")
    if not period or len(period) != 2:
        period = seg.default_period(analysis_date())
    try:
        return seg.SegmentQuery(period[0], period[1], state.get("seg_measure", "revenue"),
                                percent_share(state.get("seg_a_pct", 5.0)), percent_share(state.get("seg_b_pct", 20.0)))
    except ValueError:
        return seg.SegmentQuery(*seg.default_period(analysis_date()))


def render(db, user, customer_id: int, record: dict) -> None:
    language = lang()
    q = _query(db)
    why, history, (first, last) = _explained(db, user, int(customer_id), q)
    st.markdown(f"**{tr('seg.360.title')}**")
    st.caption(tr("seg.360.rule", start=format_date(q.start, language), end=format_date(q.end, language),
                  measure=tr(f"seg.measure.{q.measure}"), a=format_percent(float(q.a_share), language),
                  b=format_percent(float(q.b_share), language)))
    cards = st.columns(4)
    # The class letter fits the card; its name (A — key customers) is the tooltip.
    cards[0].metric(tr("seg.col.abc"), "—" if why["abc"] == "none" else why["abc"],
                    help=tr(f"seg.class.{why['abc']}"))
    if why["abc"] == "none":
        st.info(tr("seg.360.none"))
    else:
        cards[1].metric(tr("seg.col.rank"), tr("seg.360.rank_of", rank=format_number(why["rank"], language),
                                                  n=format_number(why["classified"], language)))
        money_metric(cards[2], tr(f"seg.measure.{q.measure}"), why["spend"])
        cards[3].metric(tr("seg.col.cum_share"), format_percent(why["cum_share"], language))
        st.markdown(tr("seg.360.why", rank=format_number(why["rank"], language),
                       a_last=format_number(why["a_last"], language), b_last=format_number(why["b_last"], language),
                       share=format_percent(why["share"], language, 3),
                       cum_share=format_percent(why["cum_share"], language)))
    if last is None:
        st.caption(tr("seg.360.no_history"))
    elif history.empty:
        st.caption(tr("seg.360.unchanged", first=format_date(first, language)))
    else:
        change = history.iloc[0]
        st.caption(tr("seg.360.last_change", month_end=format_date(change["month_end"], language),
                      prev=tr(f"seg.class.{change['prev_abc']}"), new=tr(f"seg.class.{change['abc']}")))
        with st.expander(tr("seg.360.history")):
            shown = history.assign(prev_abc=history["prev_abc"].map(lambda v: tr(f"seg.class.{v}")),
                                   abc=history["abc"].map(lambda v: tr(f"seg.class.{v}")))
            frame_grid(shown, title="seg.360.history", key="c360_seg_history", header_prefix="seg.col")
