"""Signals (issue 17): KPI cards that lead to their list, the signed-in user's promises about to
break in the sidebar, a banner while the store holds demo data, and compact cards on a phone.

ui.app.run_app calls ``sidebar_signals`` and ``demo_banner`` (one line each); pages call
``card_links`` under a row of cards.
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from crm_core import demo
from crm_core.i18n import format_number
from crm_core.users import Actor
from ui.cache import cached_read
from ui.common import actor, lang, store, tr

PROMISE_BOARD = "pages/promises.py"
# The page each list link names (its menu title), so a link reads like the menu entry it opens.
PAGE_TITLES = {"pages/customers.py": "page.customers", "pages/segmentation.py": "seg.page_title",
               PROMISE_BOARD: "promises.page.title", "pages/satisfaction.py": "page.satisfaction",
               "pages/churn.py": "churn.page_title"}

# At phone width Streamlit stacks every column full width: a row of cards becomes a tall list of
# single cards. Rows holding metrics wrap two to a line instead (other rows keep stacking, and so do
# rows where a chart sits beside a card: half of a phone is too narrow for the chart).
NARROW_CARDS_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]):not(:has([data-testid="stPlotlyChart"])) {
    flex-flow: row wrap !important; gap: 0.5rem 1rem !important; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]):not(:has([data-testid="stPlotlyChart"]))
      > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.5rem) !important; min-width: calc(50% - 0.5rem) !important;
    width: calc(50% - 0.5rem) !important; }
  [data-testid="stMetricValue"] { font-size: 1.6rem !important; }
}
</style>"""


def allowed_pages(user: Actor) -> set[str]:
    from ui.app import pages_for  # here, not at the top: ui.app imports this module

    return set(pages_for(user.role))


def card_links(columns, pages: list[str | None]) -> None:
    """Under each card of a row, a link to the list behind it (``pages[i]`` for ``columns[i]``;
    None for no link) — only to pages the user's role may open."""
    allowed = allowed_pages(actor())
    for column, page in zip(columns, pages):
        if page and page in allowed:
            column.page_link(page, label=tr(PAGE_TITLES[page]),
                             icon=":material/arrow_forward:")


@cached_read(ttl=60, max_entries=32)
def _due_counts(db, user, minute: datetime) -> dict[str, int]:
    from crm_core.promises import queries  # the Promises page's rules of overdue / due soon (access-scoped)

    return queries.due_counts(db, user, minute)


def _now_minute(db) -> datetime:
    """The moment the Promises page judges at (its pinned ``promises_now`` in tests and demos, else
    the wall clock in the store's zone), to the minute: a rerun within the minute is free."""
    from ui.promises.common import now_instant

    return now_instant(db).replace(second=0, microsecond=0)


def sidebar_signals() -> None:
    """The sidebar's promise signal: the badge of the user's own promises (``own_badge``), then the
    overdue promises and those due within 24 hours that the user may see (a rep's and their
    customers'; everyone's for a manager, analyst or viewer), with a link to the board."""
    st.html(NARROW_CARDS_CSS)
    user = actor()
    if PROMISE_BOARD not in allowed_pages(user):
        return
    db = store()
    counts = _due_counts(db, user, _now_minute(db))
    overdue, due_soon = counts["overdue"], counts["due_24h"]
    language = lang()
    box = st.sidebar.container(border=True, key="signals_promises")
    own_badge(box, counts, language)
    box.markdown("**" + tr("signals.promises.mine" if user.rep_scope is not None else "signals.promises.all") + "**")
    text = tr("signals.promises.counts", overdue=format_number(overdue, language),
              due=format_number(due_soon, language))
    if overdue or due_soon:
        box.warning(text, icon=":material/alarm:")
    else:
        box.caption(tr("signals.promises.none"))
    box.page_link(PROMISE_BOARD, label=tr("signals.promises.board"), icon=":material/timer:")


def own_badge(box, counts: dict[str, int], language: str) -> None:
    """The badges of the signed-in user's own promises (those whose owner is one of their rep codes
    or their login): overdue (red while any) and due within 24 h (orange while any), beside
    "My promises"; only for someone who owns an open promise. Two badges in one Markdown line wrap
    between them in a narrow sidebar, where one long badge would be cut off."""
    if not counts["own_open"]:
        return
    overdue, due = counts["own_overdue"], counts["own_due_24h"]
    # No icon: a badge's icon is written into its Markdown, where tests/test_text_is_text.py rightly
    # treats any ":material/" as a risk; the colour says it. The texts are the catalog's and numbers.
    box.markdown(" ".join((
        tr("signals.promises.own"),
        f":{'red' if overdue else 'gray'}-badge[{tr('signals.promises.own_overdue', count=format_number(overdue, language))}]",
        f":{'orange' if due else 'gray'}-badge[{tr('signals.promises.own_due', count=format_number(due, language))}]",
    )))


@cached_read(ttl=300, max_entries=4)
def _demo_customers(db) -> int:
    return demo.demo_customers_left(db)


def demo_banner() -> None:
    """At the top of every page while customers loaded as demo data are in the store: what this is
    and how to start with one's own data."""
    left = _demo_customers(store())
    if left:
        st.info(tr("signals.demo_banner", count=format_number(left, lang())), icon=":material/science:")
        with st.expander(tr("signals.demo_how")):
            st.markdown(tr("signals.demo_commands"))
