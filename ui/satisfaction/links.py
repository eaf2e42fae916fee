"""Satisfaction page, tab "Survey links": make personal links for a wave, download them for a mail
merge or SMS, and see the response rate of every channel (crm_core.satisfaction.links)."""
from __future__ import annotations

import os
from datetime import date
from urllib.parse import urlsplit

import streamlit as st

from crm_core import tables
from crm_core.i18n import format_percent
from crm_core.satisfaction import links
from crm_core.satisfaction.entry import create_wave
from crm_core.users import PermissionDenied
from ui.common import choice_label, denied_reason, lang, plain, tr
from ui.promises.common import now_instant
from ui.tables import show_table

LINKS_TABLE = tables.Table("survey_link.links_table", (
    tables.text("code", "survey_link.col.code"),
    tables.text("name", "survey_link.col.name"),
    tables.text("phone", "survey_link.col.phone"),
    tables.text("email", "survey_link.col.email"),
    tables.label("channel", "survey_link.col.channel", "sat.channel"),
    tables.text("link", "survey_link.col.link"),
    tables.moment("expires_at", "survey_link.col.expires_at"),
    tables.label("status", "survey_link.col.status", "survey_link.status"),
))
RATES_TABLE = tables.Table("survey_link.rates_table", (
    tables.text("wave", "survey_link.col.wave"),
    tables.label("channel", "survey_link.col.channel", "sat.channel"),
    tables.count("invited", "survey_link.col.invited"),
    tables.count("answered", "survey_link.col.answered"),
    tables.count("expired", "survey_link.col.expired"),
    tables.count("still_open", "survey_link.col.still_open"),
    tables.percent("rate", "survey_link.col.rate"),
    tables.percent("rate_low", "survey_link.col.rate_low"),
    tables.percent("rate_high", "survey_link.col.rate_high"),
))
PENDING_WAVE = "sat_link_wave_created"


def default_base_url() -> str:
    """Where customers reach this app: ``CRM_PUBLIC_URL`` when set, else this page's own site."""
    configured = os.environ.get("CRM_PUBLIC_URL", "").strip()
    if configured:
        return configured
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def render_rates(db, user, wave_id, now) -> None:
    st.subheader(tr("survey_link.rates_title"), help=tr("survey_link.rates_help"))
    rates = links.response_rates(db, user, now, wave_id)
    if rates.empty:
        st.info(tr("survey_link.no_rates"))
        return
    total = links.overall_rate(rates)
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("survey_link.col.invited"), f"{total['invited']:,}")
    c2.metric(tr("survey_link.col.answered"), f"{total['answered']:,}")
    c3.metric(tr("survey_link.col.rate"), format_percent(total["rate"], lang()),
              help=tr("survey_link.rate_interval", low=format_percent(total["low"], lang()),
                      high=format_percent(total["high"], lang())))
    show_table(RATES_TABLE, rates, key="sat_link_rates", file_stem="survey_response_rates")


def _new_wave_form(db, user) -> None:
    with st.expander(tr("survey_link.new_wave")), st.form("sat_link_wave_form", border=False):
        name = st.text_input(tr("survey_link.new_wave_name"), max_chars=200, key="sat_link_wave_name")
        servqual = st.checkbox(tr("survey_link.asks_servqual"), value=True, key="sat_link_wave_servqual")
        if not st.form_submit_button(tr("survey_link.create_wave")):
            return
    if not name.strip():
        st.error(tr("err.required"))
        return
    st.session_state[PENDING_WAVE] = create_wave(db, user, name, date.today(), asks_servqual=servqual)
    st.rerun()


def _choose_wave(db, user, page_wave):
    waves = links.wave_choices(db, user)
    if waves.empty:
        return None
    ids = waves["wave_id"].tolist()
    names = dict(zip(ids, waves["name"], strict=True))
    if st.session_state.get(PENDING_WAVE) in ids:  # the wave made on the last run: choose it
        made = st.session_state.pop(PENDING_WAVE)
        st.session_state["sat_link_wave"] = made
        st.success(tr("survey_link.wave_created", name=plain(names[made])))
    if st.session_state.get("sat_link_wave") not in ids:  # first visit: the page's wave, else the newest
        st.session_state["sat_link_wave"] = page_wave if page_wave in ids else ids[0]
    wave_id = st.selectbox(tr("survey_link.wave"), ids, format_func=names.get, key="sat_link_wave")
    asks = bool(waves.set_index("wave_id").loc[wave_id, "asks_servqual"])
    st.caption(tr("survey_link.wave_asks", servqual=tr("survey_link.wave_asks_servqual") if asks else ""))
    return wave_id


def _generate(db, user, wave_id, now) -> None:
    st.subheader(tr("survey_link.generate_title"))
    regions, reps = links.filter_options(db, user)
    c1, c2 = st.columns(2)
    everyone = tr("find.all")  # an empty filter keeps everyone
    chosen_regions = c1.multiselect(tr("field.region"), regions, format_func=choice_label("region"),
                                    placeholder=everyone, key="sat_link_regions")
    chosen_reps = (c2.multiselect(tr("field.sales_rep"), reps, placeholder=everyone, key="sat_link_reps")
                   if user.rep_scope is None else ())  # a rep: their own customers anyway
    c3, c4 = st.columns(2)
    channel = c3.selectbox(tr("survey_link.channel"), links.CHANNELS, format_func=choice_label("sat.channel"),
                           key="sat_link_channel")
    days = c4.number_input(tr("survey_link.days"), 1, links.MAX_DAYS, links.DEFAULT_DAYS, key="sat_link_days")
    base_url = st.text_input(tr("survey_link.base_url"), default_base_url(), help=tr("survey_link.base_url_help"),
                             key="sat_link_base")
    candidates, matching = links.candidate_customers(db, user, wave_id, now, chosen_regions, chosen_reps)
    if not matching:
        st.info(tr("survey_link.none_matching"))
    else:
        st.caption(tr("survey_link.matching", count=f"{matching:,}")
                   + (" " + tr("survey_link.capped", cap=f"{links.MAX_BATCH:,}") if matching > links.MAX_BATCH else ""))
        if st.button(tr("survey_link.generate", count=f"{len(candidates):,}"), type="primary", key="sat_link_go"):
            try:
                made = links.generate_links(db, user, wave_id, candidates["customer_id"], channel, now, int(days))
            except PermissionDenied as denied:
                st.error(tr(denied.key))
            else:
                st.success(tr("survey_link.generated", count=f"{len(made):,}"))
    _link_list(db, user, wave_id, base_url, now)


def _link_list(db, user, wave_id, base_url, now) -> None:
    st.subheader(tr("survey_link.list_title"))
    try:
        frame = links.invitation_links(db, user, wave_id, base_url, now)
    except ValueError as bad:
        st.error(tr(str(bad)))
        return
    if frame.empty:
        st.info(tr("survey_link.no_links"))
        return
    show_table(LINKS_TABLE, frame, key="sat_link_list", file_stem=f"survey_links_wave_{wave_id}")


def render_links(db, user, page_wave) -> None:
    """The tab: response rates (everyone who sees the page), then for writers the links themselves."""
    st.caption(tr("survey_link.intro_tab"))
    now = now_instant(db)
    render_rates(db, user, page_wave, now)
    reason = denied_reason(user, "write")
    if reason:
        st.info(reason)
        return
    st.divider()
    _new_wave_form(db, user)
    wave_id = _choose_wave(db, user, page_wave)
    if wave_id is not None:
        _generate(db, user, wave_id, now)

