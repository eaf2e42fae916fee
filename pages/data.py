"""Data: import customers, transactions and interactions from files; undo an import; export every table."""
import streamlit as st

from pages import _data_export, _data_history, _data_import
from pages._ui import actor, page_header, store, tr

page_header("page.data", "intro.data")
db, user = store(), actor()
import_tab, history_tab, export_tab = st.tabs([tr("data.tab_import"), tr("data.tab_history"), tr("data.tab_export")])
with import_tab:
    _data_import.render(db, user)
with history_tab:
    _data_history.render(db, user)
with export_tab:
    _data_export.render(db, user)
