"""Entry point: page config, language, navigation. Nothing else (pages do the work)."""
import streamlit as st

from pages._auth import require_sign_in
from pages._ui import language_switch, tr

st.set_page_config(page_title="Kehu 客户", page_icon="👥", layout="wide")
language_switch()
user = require_sign_in()

PAGES = [
    ("pages/overview.py", "page.overview", ":material/dashboard:"),
    ("pages/customers.py", "page.customers", ":material/groups:"),
    ("pages/customer_360.py", "page.customer_360", ":material/person_search:"),
    ("pages/customer_form.py", "page.customer_form", ":material/person_add:"),
]
if user.role in ("admin", "manager"):
    PAGES.append(("pages/admin.py", "page.admin", ":material/admin_panel_settings:"))

navigation = st.navigation(
    [st.Page(path, title=tr(key), icon=icon, default=(i == 0)) for i, (path, key, icon) in enumerate(PAGES)]
)
navigation.run()
