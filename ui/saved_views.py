"""The sidebar's "My views": save the page as it is now (its URL: filters, period, open tab) under a
name, and open a saved view again. The rules (owner only, name checks, audit) are crm_core.saved_views."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from crm_core import saved_views
from ui.common import actor, plain, store, tr

NAME_KEY = "views_name"


def _current_query() -> str:
    """The page's query string as the browser shows it (a repeated key, e.g. a period, kept whole)."""
    return saved_views.query_string({key: st.query_params.get_all(key) for key in st.query_params})


def _save(page: str) -> None:
    try:
        view = saved_views.save(store(), actor(), st.session_state.get(NAME_KEY, ""), page, _current_query())
    except saved_views.ViewProblem as problem:
        st.session_state["views_message"] = ("error", tr(problem.key, **problem.params))
    else:
        st.session_state["views_message"] = ("success", tr("views.saved", name=plain(view.name)))
        st.session_state[NAME_KEY] = ""


def _delete(view: saved_views.SavedView) -> None:
    if saved_views.delete(store(), actor(), view.view_id):
        st.session_state["views_message"] = ("success", tr("views.deleted", name=plain(view.name)))


def saved_views_sidebar(current, menu: list[str]) -> None:
    """Drawn by run_app: ``current`` is the page st.navigation chose, ``menu`` the page scripts the
    user's role may open (a view of a page the user can no longer open is not offered)."""
    from ui.app import DEFAULT_PAGE  # here, not at the top: ui.app calls this function

    by_stem = {Path(path).stem: path for path in menu}
    page = by_stem.get(current.url_path, DEFAULT_PAGE)
    with st.sidebar.expander(tr("views.title")):
        st.text_input(tr("views.name"), key=NAME_KEY, max_chars=saved_views.MAX_NAME, help=tr("views.name_help"))
        st.button(tr("views.save"), key="views_save", on_click=_save, args=(page,), width="stretch")
        kind, text = st.session_state.pop("views_message", (None, None))
        if kind:
            getattr(st, kind)(text)
        views = [view for view in saved_views.my_views(store(), actor()) if view.page in menu]
        if not views:
            st.caption(tr("views.none"))
        for view in views:
            row = st.container(horizontal=True, wrap=False, vertical_alignment="center")  # one row, even at 390 px
            row.page_link(view.page, label=plain(view.name), query_params=view.query_params(), width="stretch")
            row.button("", icon=":material/delete:", key=f"views_delete_{view.view_id}", on_click=_delete,
                   args=(view,), help=tr("views.delete_help", name=plain(view.name)))
