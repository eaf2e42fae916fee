"""Data: import customers, transactions and interactions from files; undo an import; export every table."""

from ui.common import actor, page_header, store
from ui.data import export, history, importing
from ui.view_state import tabs as url_tabs

page_header("page.data", "intro.data")
db, user = store(), actor()
import_tab, history_tab, export_tab = url_tabs("data_tab", ["data.tab_import", "data.tab_history", "data.tab_export"])
with import_tab:
    importing.render(db, user)
with history_tab:
    history.render(db, user)
with export_tab:
    export.render(db, user)
