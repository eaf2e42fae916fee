"""Relationship care: key dates ahead, long-absent customers, deliveries before they run out,
and who is due a contact — the customer file as a daily to-do list (docs/domain.md §1)."""
import streamlit as st

from crm_core import customers as cust
from crm_core.i18n import format_date, t
from ui.cache import cached_read
from ui.care.dates import absent_section, key_dates_section
from ui.care.lists import contacts_section, replenish_section
from ui.common import actor, analysis_date, lang, page_header, store, tr
from ui.view_state import catalog_label, in_url

page_header("page.care", "intro.care")
db, user = store(), actor()

SECTIONS = {"key_dates": key_dates_section, "absent": absent_section,
            "replenish": replenish_section, "contacts": contacts_section}


@cached_read(ttl=600, max_entries=8)
def _reps(db, who) -> list[str]:
    return cust.filter_options(db, who, ("sales_rep",))["sales_rep"]  # the regions' pass over every customer saved


all_reps = tr("care.ui.all_reps")  # labels fixed now: Streamlit may format outside the script run
section_names = {key: tr(f"care.section.{key}") for key in SECTIONS}
left, right = st.columns(2)
as_of = analysis_date()  # the app's one analysis date (sidebar)
left.caption(tr("care.ui.as_of_caption", day=format_date(as_of, lang())))
if user.rep_scope is not None:
    rep = user.rep_scope
    right.text_input(tr("care.ui.rep"), value="、".join(rep), disabled=True, key="care_rep_own")
else:
    reps = [None, *_reps(db, user)]
    rep = right.selectbox(tr("care.ui.rep"), reps,
                          **in_url("care_rep", reps, lambda r, code: t("care.ui.all_reps", code) if r is None else r),
                          format_func=lambda r: all_reps if r is None else r)
# One list at a time: only the chosen list is computed (a tab would compute all four).
section = st.radio(tr("care.ui.section"), list(SECTIONS), horizontal=True,
                   **in_url("care_section", SECTIONS, catalog_label("care.section")),
                   format_func=section_names.get, label_visibility="collapsed")
st.divider()
SECTIONS[section](db, user, as_of, rep)
