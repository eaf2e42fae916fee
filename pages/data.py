"""Data: import customers, transactions and interactions from files; undo an import; export every table."""
import streamlit as st

from ui.common import actor, page_header, store, tr
from ui.data import export, history, importing

page_header("page.data", "intro.data")
db, user = store(), actor()
import_tab, history_tab, export_tab = st.tabs([tr("data.tab_import"), tr("data.tab_history"), tr("data.tab_export")])
with import_tab:
    importing.render(db, user)
with history_tab:
    history.render(db, user)
with export_tab:
    export.render(db, user)
