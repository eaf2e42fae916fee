"""Satisfaction page: enter a survey answer, open a wave, record a mystery-shopper visit."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from crm_core.customer_search import customer_brief
from crm_core.models import REGIONS, field_errors
from crm_core.satisfaction.demo import CHANNELS, MYSTERY_CHECKLIST
from crm_core.satisfaction.entry import (
    SERVQUAL_FIELDS,
    MysteryVisitIn,
    SurveyResponseIn,
    create_wave,
    record_response,
    record_visit,
)
from crm_core.users import PermissionDenied
from ui.common import choice_label, denied_reason, lang, plain, tr
from ui.picker import customer_picker
from ui.view_state import kept

YES_NO = (None, True, False)


def _yes_no(value) -> str:
    return "—" if value is None else tr("sat.yes" if value else "sat.no")


def _show_errors(error: ValidationError) -> None:
    st.error(tr("ui.nothing_saved_fix"))
    for name, message in field_errors(error, lang()).items():
        st.markdown(f"- **{tr(f'sat.field.{name}') if name else ''}** {plain(message)}")  # it may quote the input


def _servqual_inputs() -> dict:
    values = {}
    with st.expander(tr("sat.servqual_block")):
        columns = st.columns(2)
        for i, name in enumerate(SERVQUAL_FIELDS):
            kind, dimension = name.split("_", 1)
            label = f"{tr(f'satisfaction.dimension.{dimension}')} · {tr(f'sat.{kind}')}"
            values[name] = columns[i % 2].selectbox(label, (None, *range(1, 8)), key=f"sat_form_{name}",
                                                    format_func=lambda v: "—" if v is None else str(v))
    return values


def _answer_form(db, user, waves: pd.DataFrame) -> None:
    names = dict(zip(waves["wave_id"], waves["name"], strict=True))
    # found as one types; none chosen = an anonymous answer
    customer_id = customer_picker(tr("find.customer_optional"), "sat_form_customer", optional=True)
    code = customer_brief(db, user, customer_id)["code"] if customer_id is not None else ""
    # Plain widgets, not st.form: a form's choices wait in the browser, and a language switch before
    # saving would put them back to their defaults (view_state.kept gives them again).
    with st.container(border=True):
        c1, c2 = st.columns(2)
        wave_id = c1.selectbox(tr("sat.wave"), list(names)[::-1], format_func=names.get, key="sat_form_wave")
        answered = c2.date_input(tr("sat.answered_on"), date.today(), key="sat_form_date")
        c4, c5, c6 = st.columns(3)
        region = c4.selectbox(tr("field.region"), (None, *REGIONS), format_func=choice_label("region"), key=kept("sat_form_region"))
        channel = c5.selectbox(tr("sat.by.channel"), (None, *CHANNELS), format_func=choice_label("sat.channel"),
                               key=kept("sat_form_channel"))
        satisfaction = c6.selectbox(tr("sat.field.satisfaction"), (None, 5, 4, 3, 2, 1), key=kept("sat_form_sat"),
                                    format_func=lambda v: "—" if v is None else tr(f"satisfaction.label.{v}"))
        c7, c8, c9 = st.columns(3)
        intent = c7.selectbox(tr("sat.field.repurchase_intent"), YES_NO, format_func=_yes_no, key=kept("sat_form_intent"))
        recommend = c8.selectbox(tr("sat.field.recommend"), (None, *range(10, -1, -1)), key="sat_form_rec",
                                 format_func=lambda v: "—" if v is None else str(v))
        recommend_yes = c9.selectbox(tr("sat.field.recommend_yes"), YES_NO, format_func=_yes_no, key=kept("sat_form_rec_yes"))
        comment = st.text_area(tr("sat.field.comment"), key="sat_form_comment")
        servqual = _servqual_inputs()
        if not st.button(tr("sat.save_answer"), type="primary", key="sat_form_save"):
            return
    values = {"wave_id": wave_id, "responded_on": answered, "customer_code": code, "region": region,
              "channel": channel, "satisfaction": satisfaction, "repurchase_intent": intent,
              "recommend": recommend, "recommend_yes": recommend_yes, "comment": comment, **servqual}
    try:
        response_id = record_response(db, user, SurveyResponseIn.model_validate(values))
    except ValidationError as error:
        _show_errors(error)
    except PermissionDenied as denied:
        st.error(tr(denied.key))
    else:
        st.success(tr("sat.answer_saved", id=response_id))


def _wave_form(db, user) -> None:
    with st.form("sat_wave_form"):
        c1, c2, c3 = st.columns(3)
        name = c1.text_input(tr("sat.wave_name"), key="sat_wave_name")
        started = c2.date_input(tr("sat.started_on"), date.today(), key="sat_wave_start")
        invited = c3.number_input(tr("sat.invited"), 0, 10_000_000, 0, key="sat_wave_invited", help=tr("sat.invited_help"))
        if not st.form_submit_button(tr("sat.create_wave")):
            return
    if not name.strip():
        st.error(tr("err.required"))
        return
    try:
        create_wave(db, user, name, started, int(invited) or None)
    except PermissionDenied as denied:
        st.error(tr(denied.key))
    else:
        st.success(tr("sat.wave_created", name=plain(name.strip())))


def _visit_form(db, user) -> None:
    with st.form("sat_visit_form"):
        c1, c2, c3 = st.columns(3)
        location = c1.text_input(tr("sat.location"), key="sat_visit_location")
        visited = c2.date_input(tr("sat.visited_on"), date.today(), key="sat_visit_date")
        score = c3.number_input(tr("sat.mystery_score"), 0.0, 100.0, 80.0, 1.0, key="sat_visit_score")
        checked = st.multiselect(tr("sat.checklist_passed"), MYSTERY_CHECKLIST, key="sat_visit_checks",
                                 format_func=lambda c: tr(f"sat.check.{c}"), placeholder=tr("ui.choose"))
        if not st.form_submit_button(tr("sat.save_visit")):
            return
    try:
        visit = MysteryVisitIn(location=location, visited_on=visited, score=str(score),
                               checklist={item: item in checked for item in MYSTERY_CHECKLIST})
        record_visit(db, user, visit)
    except ValidationError as error:
        _show_errors(error)
    except PermissionDenied as denied:
        st.error(tr(denied.key))
    else:
        st.success(tr("sat.visit_saved"))


def entry_forms(db, user, waves: pd.DataFrame) -> None:
    """The three entry forms; a user without write permission is told so, not shown the forms."""
    reason = denied_reason(user, "write")
    if reason:
        st.info(reason)
        return
    st.caption(tr("sat.import_hint"))
    if waves.empty:
        st.info(tr("sat.create_wave_first"))
    else:
        st.subheader(tr("sat.answer_form_title"))
        _answer_form(db, user, waves)
    st.subheader(tr("sat.wave_form_title"))
    _wave_form(db, user)
    st.subheader(tr("sat.visit_form_title"))
    _visit_form(db, user)
