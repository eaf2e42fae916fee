"""The app itself: page config, language, sign-in, navigation. Home.py only calls run_app().

A page script reached without going through here (Streamlit's old multipage mode runs the first
request's page file directly, because a ``pages/`` folder exists) calls run_app() itself and stops:
st.navigation leaves the old mode and picks the page from the URL, after language and sign-in.

The menu is shaped by the role, read afresh on every run: a page the role cannot use is not in it
(the customer entry form for those who cannot write, Admin for those who read no audit log), so a
demoted user loses it on their next click.
"""
from pathlib import Path

import streamlit as st

from crm_core.audit import AUDIT_READERS
from crm_core.users import WRITE_ROLES
from ui.auth import require_sign_in
from ui.common import ROUTED, analysis_date_picker, language_switch, tr
from ui.picker import sidebar_search
from ui.print_styles import print_styles
from ui.saved_views import saved_views_sidebar
from ui.signals import demo_banner, sidebar_signals

DEFAULT_PAGE = "pages/overview.py"
SECTIONS = {
    "nav.customers": [
        ("pages/overview.py", "page.overview", ":material/dashboard:"),
        ("pages/customers.py", "page.customers", ":material/groups:"),
        ("pages/customer_360.py", "page.customer_360", ":material/person_search:"),
        ("pages/customer_form.py", "page.customer_form", ":material/person_add:"),
        ("pages/data.py", "page.data", ":material/upload_file:"),
        ("pages/care.py", "page.care", ":material/volunteer_activism:"),
    ],
    "nav.analysis": [
        ("pages/segmentation.py", "seg.page_title", ":material/donut_small:"),
        ("pages/promises.py", "promises.page.title", ":material/timer:"),
        ("pages/satisfaction.py", "page.satisfaction", ":material/sentiment_satisfied:"),
        ("pages/churn.py", "churn.page_title", ":material/person_remove:"),
    ],
}
SYSTEM_PAGES = [("pages/admin.py", "page.admin", ":material/admin_panel_settings:")]
# Pages only some roles can use; every other page is for everyone (what it shows follows the role).
PAGE_ROLES = {
    "pages/customer_form.py": WRITE_ROLES,  # creates and edits customers
    "pages/admin.py": AUDIT_READERS,  # the audit log (managers, admins); accounts, backups (admins)
}


def page_paths() -> list[str]:
    """Every page script the navigation can offer, in menu order (the admin page last)."""
    return [path for pages in (*SECTIONS.values(), SYSTEM_PAGES) for path, _, _ in pages]


def pages_for(role: str) -> list[str]:
    """The page scripts in the menu of ``role``, in menu order."""
    return [path for path in page_paths() if path not in PAGE_ROLES or role in PAGE_ROLES[path]]


def _url_path(path: str) -> str:
    return Path(path).stem


def run_app() -> None:
    """One run of the app: the chosen page runs only after language and sign-in are settled."""
    st.set_page_config(page_title="Kehu 客户", page_icon="👥", layout="wide")
    print_styles()  # how every page prints: no sidebar or buttons, charts at full width
    language_switch()
    user = require_sign_in([_url_path(path) for path in page_paths()])
    analysis_date_picker()  # the one analysis date of every page, under the language switch
    sidebar_search()  # find any customer from every page: opens their 360 view
    allowed = set(pages_for(user.role))
    sections = {**SECTIONS, "nav.system": SYSTEM_PAGES}
    navigation = st.navigation({
        tr(section): [st.Page(path, title=tr(key), icon=icon, default=(path == DEFAULT_PAGE))
                      for path, key, icon in pages if path in allowed]
        for section, pages in sections.items() if any(path in allowed for path, _, _ in pages)
    })
    saved_views_sidebar(navigation, pages_for(user.role))  # "My views": save this view, open a saved one
    st.session_state[ROUTED] = True
    sidebar_signals()  # after st.navigation (its links need the pages): promises overdue / due in 24 h
    demo_banner()  # while demo customers are in the store: what this is and how to start with your own
    try:
        navigation.run()
    finally:
        st.session_state.pop(ROUTED, None)  # the page took it; never left over for a later run
