"""The Overview page's "Management report (PDF)" button: makes the report (crm_core.report) for
the analysis date in the UI language and offers it for download; the download is audited."""
from __future__ import annotations

from datetime import date

import streamlit as st

from crm_core import report
from crm_core.store import Store
from crm_core.users import Actor
from ui.cache import actor_key, cached_read
from ui.common import actor, analysis_date, lang, store, tr

MADE = "report_pdf"  # session state: ((as_of, language, user), pdf bytes) of the last report made


@cached_read(ttl=600, max_entries=4)
def _pdf(db: Store, user: Actor, as_of: date, language: str) -> bytes:
    """Keyed on the store's data version, the user, the date and the language: a second click
    without a write in between costs nothing."""
    return report.build_pdfs(db, user, as_of, (language,))[language]


def report_button() -> None:
    db, user, as_of, language = store(), actor(), analysis_date(), lang()
    wanted = (as_of, language, actor_key(user))
    row = st.container(horizontal=True)  # the download button appears beside it (wraps on a phone)
    if row.button(tr("report.button"), key="report_make", help=tr("report.button_help"),
                  icon=":material/picture_as_pdf:"):
        try:
            with row, st.spinner(tr("report.making")):
                st.session_state[MADE] = (wanted, _pdf(db, user, as_of, language))
        except report.ChromiumMissing:
            st.error(tr("report.no_chromium"))  # below the row: the whole message, at full width
            return
    made = st.session_state.get(MADE)
    if made is None or made[0] != wanted:  # none yet, or made for another date, language or user
        return
    pdf, name = made[1], report.file_name(as_of, language)
    row.download_button(tr("report.download"), lambda: report.audited_download(db, user, pdf, name), name,
                        "application/pdf", key="report_download", on_click="ignore", icon=":material/download:")
