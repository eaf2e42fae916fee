"""Streamlit glue shared by the pages: language, the store, the acting user, common widgets.

Kept here (not in crm_core) because it imports streamlit; it holds no business logic.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import streamlit as st

from crm_core import exporting
from crm_core.analysis_date import DATA_ENDS, data_span, default_from_span
from crm_core.app_state import open_app_store
from crm_core.config import Settings, load_settings
from crm_core.customers import today_in
from crm_core.i18n import LANGUAGES, format_date, language_from_locale, t
from crm_core.store import Store
from crm_core.text_safety import markdown_literal
from crm_core.users import LOCAL_USER, Actor
from ui.cache import cached_read

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def lang() -> str:
    """The session's UI language: from the browser locale at first, then the sidebar choice."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = language_from_locale(getattr(st.context, "locale", None))
    return st.session_state["lang"]


def plain(text) -> str:
    """User-entered text made literal for Streamlit's Markdown: THE way a user's string reaches
    ``st.markdown``, headers, captions, messages and labels (crm_core.text_safety.markdown_literal;
    charts use crm_core.text_safety.chart_text). The page shows exactly the text that was typed:
    no bold, links, images, colours, maths, icons or autolinked URLs.
    """
    return markdown_literal(text)


def tr(key: str, **params) -> str:
    return t(key, lang(), **params)


def _take_language_choice() -> None:
    st.session_state["lang"] = st.session_state[LANGUAGE_CHOICE]
    from ui.view_state import follow_language  # here, not at the top: ui.view_state imports this module

    follow_language(st.session_state["lang"])  # open tabs and choices stay as they were


LANGUAGE_CHOICE = "lang_choice"


def language_switch() -> None:
    """The sidebar switch. The language lives in ``session_state["lang"]``, not in the widget's own
    state: a session's first run may draw the switch in Streamlit's old pages/-folder mode, where
    the widget gets another identity than in later runs and its own state would be dropped."""
    st.sidebar.radio("语言 / Language", LANGUAGES, index=LANGUAGES.index(lang()), key=LANGUAGE_CHOICE,
                     format_func=LANGUAGE_NAMES.get, horizontal=True, on_change=_take_language_choice)


@st.cache_resource(show_spinner="正在准备数据… / Preparing data…")
def _cached_store(db_path: str, timezone: str, database_url: str) -> Store:
    return open_app_store(Settings(Path(db_path), timezone, load_settings().demo_customers, database_url=database_url))


def store() -> Store:
    """The app's one store for the configured file or database (keyed on them, so tests can switch)."""
    settings = load_settings()
    return _cached_store(str(settings.db_path), settings.timezone, settings.database_url)


ANALYSIS_DATE = "as_of"  # session state and URL (?as_of=1998-06-30): the analysis date a user chose
ANALYSIS_CHOICE = "as_of_choice"  # the sidebar picker's own key; it only sets ANALYSIS_DATE


@cached_read(ttl=600, max_entries=8)
def _data_span(db: Store) -> tuple[date | None, date | None]:
    return data_span(db)


def _as_day(value) -> date | None:
    """A date from session state or the URL (a date or an ISO string); None when there is none or it is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _analysis_state() -> tuple[date, bool, str, date, date]:
    """(day, chosen, default reason, earliest, latest): the analysis date, whether the user chose it
    (session state, else the URL) rather than taking the default, and the picker's bounds."""
    db = store()
    first, last = _data_span(db)
    today = today_in(db)
    default, reason = default_from_span(last, today)
    chosen = _as_day(st.session_state.get(ANALYSIS_DATE))
    if chosen is None:
        chosen = _as_day(st.query_params.get(ANALYSIS_DATE))
        if chosen is not None:
            st.session_state[ANALYSIS_DATE] = chosen
    day = chosen or default
    earliest = min(first or day, day)
    latest = max(today, last or today, day)
    return day, chosen is not None, reason, earliest, latest


def analysis_date() -> date:
    """The app's one analysis date (issue 15): every window on every page ends on it.

    The user's choice from the sidebar (kept in session state and in the URL, so a reload or a
    shared link restores it); without one, today in the store's zone, or the newest transaction day
    when that is more than 60 days old (crm_core.analysis_date).
    """
    return _analysis_state()[0]


def analysis_bounds() -> tuple[date, date]:
    """The earliest and latest day a date picker should allow: from the first transaction day (or
    the analysis date, if earlier) to today or the last transaction day, whichever is later."""
    _, _, _, earliest, latest = _analysis_state()
    return earliest, latest


def _take_analysis_choice() -> None:
    day = _as_day(st.session_state.get(ANALYSIS_CHOICE))
    if day is not None:
        st.session_state[ANALYSIS_DATE] = day
        st.query_params[ANALYSIS_DATE] = day.isoformat()


def analysis_date_picker() -> None:
    """The sidebar picker, drawn by run_app. Like the language switch, the date lives in session
    state (and the URL), not in the widget: a first run may draw the widget with another identity."""
    day, chosen, reason, earliest, latest = _analysis_state()
    if chosen and st.query_params.get(ANALYSIS_DATE) != day.isoformat():
        st.query_params[ANALYSIS_DATE] = day.isoformat()  # kept in the URL across pages
    if _as_day(st.session_state.get(ANALYSIS_CHOICE, day)) != day:
        del st.session_state[ANALYSIS_CHOICE]  # e.g. the default moved after an import: show the current day
    st.sidebar.date_input(tr("ui.analysis_date"), value=day, min_value=earliest, max_value=latest,
                          key=ANALYSIS_CHOICE, format="YYYY-MM-DD", help=tr("ui.analysis_date_help"),
                          on_change=_take_analysis_choice)
    if not chosen and reason == DATA_ENDS:
        st.sidebar.caption(tr("ui.analysis_date_data_ends", day=format_date(day, lang())))


def actor() -> Actor:
    """The signed-in user; the local single user until accounts are configured."""
    return st.session_state.get("actor", LOCAL_USER)


# What an action needs → (the Actor property that says whether the user has it, the reason shown if not).
PERMISSIONS = {"write": ("can_write", "err.no_write_permission"),
               "import": ("can_import", "err.no_import_permission"),
               "manage": ("can_manage", "perm.managers_only")}


def denied_reason(user: Actor, need: str) -> str | None:
    """Why ``user`` may not do an action that needs ``need`` ("write", "import" or "manage"), in the
    UI language — for a disabled button's help and the caption beside it — or None when they may.

    THE way a page shapes its actions by role: the rule itself is crm_core.users (``Actor.can_*``,
    what ``require_*`` enforces), so a page never offers what crm_core would refuse.
    """
    allowed, key = PERMISSIONS[need]
    return None if getattr(user, allowed) else tr(key)


ROUTED = "_routed_by_home"


def require_home_routing() -> None:
    """Make sure this page runs inside ui.app.run_app (language, sign-in, navigation).

    Because a ``pages/`` folder exists, Streamlit starts in its old multipage mode and runs the
    *first* request's page file directly, without Home.py. Such a run goes through run_app here
    (st.navigation leaves the old mode and selects this page by its URL, after sign-in) and stops,
    so nobody ever sees a page without signing in. Public Streamlit API only.
    """
    if st.session_state.pop(ROUTED, False):
        return
    from ui.app import run_app  # here, not at the top: ui.app imports this module

    run_app()
    st.stop()


def page_header(title_key: str, intro_key: str) -> None:
    """Title plus one or two collapsible sentences on what the page shows and why it matters."""
    require_home_routing()
    st.title(tr(title_key))
    with st.expander(tr("ui.about_this_page"), expanded=False):
        st.markdown(tr(intro_key))


def audited_export(file_name: str, fmt: str, make_frame):
    """The deferred data of a download button: builds the file when clicked (``fmt`` csv or xlsx);
    crm_core.exporting.export_bytes neutralises it and writes the audit row.

    The store and user are taken now, because Streamlit calls this outside the script run.
    """
    db, user = store(), actor()
    return lambda: exporting.export_bytes(db, user, make_frame(), file_name, fmt)


def choice_label(prefix: str):
    """A ``format_func`` that shows stored keys (``corporate``) as catalog text (集团客户).

    The language is fixed when the function is made: Streamlit may call it outside the script run.
    """
    language = lang()

    def label(value) -> str:
        if value is None or value != value:
            return "—"
        text = t(f"{prefix}.{value}", language)
        return str(value) if text == f"{prefix}.{value}" else text  # e.g. a region typed by a user

    return label


def style_chart(figure, height: int = 360, monthly: bool = False):
    """Common chart layout: compact margins, thousands separators; months as 2024-03 in both languages."""
    figure.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), yaxis_tickformat=",.0f")
    if monthly:
        figure.update_xaxes(tickformat="%Y-%m")
    return figure


def open_customer(customer_id: int) -> None:
    st.session_state["customer_id"] = int(customer_id)
    # query_params={}: leave this page's URL behind without clearing it param by param, which
    # Streamlit refuses while widgets are bound to it (bind="query-params"); back restores it.
    st.switch_page("pages/customer_360.py", query_params={})
