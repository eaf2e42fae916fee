"""Entry point: page config, language, sign-in, navigation. Nothing else (pages do the work)."""
import streamlit as st

from ui.auth import require_sign_in
from ui.common import language_switch, mark_routed, tr

st.set_page_config(page_title="Kehu 客户", page_icon="👥", layout="wide")
language_switch()
user = require_sign_in()

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
    "nav.system": [],
}
if user.role in ("admin", "manager"):
    SECTIONS["nav.system"].append(("pages/admin.py", "page.admin", ":material/admin_panel_settings:"))

navigation = st.navigation({
    tr(section): [st.Page(path, title=tr(key), icon=icon, default=(path == "pages/overview.py"))
                  for path, key, icon in pages]
    for section, pages in SECTIONS.items() if pages
})
mark_routed()
navigation.run()
