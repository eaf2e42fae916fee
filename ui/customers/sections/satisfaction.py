"""Customer 360 section: this customer's survey answers (wired into the 360 view by the lead)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_core.i18n import format_date
from crm_core.satisfaction.report import customer_answers
from ui.common import choice_label, lang, plain, tr
from ui.tables import show_frame


def _yes_no(value) -> str:
    return "—" if value is None or pd.isna(value) else tr("sat.yes" if value else "sat.no")


def render(db, user, customer_id: int, record: dict) -> None:
    """The customer's answers, newest first, with a note on the latest one."""
    answers = customer_answers(db, user, customer_id)
    if answers.empty:
        st.info(tr("sat.c360_none"))
        return
    latest = answers.iloc[0]
    if pd.notna(latest["satisfaction"]):
        st.caption(tr("sat.c360_latest", wave=plain(latest["wave"] or "—"),
                      answer=tr(f"satisfaction.label.{int(latest['satisfaction'])}")))
    channel = choice_label("sat.channel")
    shown = pd.DataFrame({
        tr("sat.wave"): answers["wave"],
        tr("sat.answered_on"): answers["responded_on"].map(lambda d: format_date(pd.Timestamp(d).date(), lang())),
        tr("sat.by.channel"): answers["channel"].map(channel),
        tr("sat.field.satisfaction"): answers["satisfaction"].map(
            lambda s: "—" if pd.isna(s) else tr(f"satisfaction.label.{int(s)}")),
        tr("sat.field.repurchase_intent"): answers["repurchase_intent"].map(_yes_no),
        tr("sat.field.recommend"): answers["recommend"].map(lambda v: "—" if pd.isna(v) else str(int(v))),
        tr("sat.field.comment"): answers["comment"].fillna(""),
    })
    show_frame(shown, title="table.survey_answers", key=f"sat360_{customer_id}", file_stem=f"survey_answers_{customer_id}")
