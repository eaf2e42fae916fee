"""THE customer picker (issue 17, "find anyone") and the sidebar's global search.

Every place where a user chooses a customer calls ``customer_picker``: a search box that finds as
one types (code, name, pinyin initials, phone, contact — crm_core.customer_search, scoped to the
user), a short list of matches to choose from, and the chosen customer's name always shown.
"""
from __future__ import annotations

import streamlit as st

from crm_core import customers as cust
from crm_core.customer_search import EXACT, RESULT_LIMIT, customer_brief, find_customers
from ui.cache import cached_read
from ui.common import actor, plain, store, tr

SIDEBAR_LIMIT = 6  # links under the sidebar's search box
CUSTOMER_360 = "pages/customer_360.py"


@cached_read(ttl=120, max_entries=256)
def _matches(db, who, text: str, limit: int):
    return find_customers(db, who, text, limit)


@cached_read(ttl=600, max_entries=256)
def _brief(db, who, customer_id: int):
    return customer_brief(db, who, customer_id)


def describe(brief: dict) -> str:
    """How a customer is shown: name · code · city, as stored (plain() it where Markdown renders)."""
    parts = (brief["name"], brief["code"], brief.get("city"))
    return " · ".join(str(part) for part in parts if isinstance(part, str) and part)  # a blank city: NaN or None


def _match_label(row: dict, text: str) -> str:
    """A match in the list; one found by its contact person says so (宋桂 · C0000104 · 济南 · 联系人 张伟)."""
    contact = row.get("contact_person")
    if isinstance(contact, str) and text.lower() in contact.lower() and text.lower() not in str(row["name"]).lower():
        return f"{describe(row)} · {tr('find.contact', name=contact)}"
    return describe(row)


def _sole_match(found) -> int | None:
    """The match to take without asking: the only one, or the one exact code or name."""
    ranks = found["rank"].tolist()
    if len(ranks) == 1 or (len(ranks) > 1 and ranks[0] == EXACT and ranks[1] != EXACT):
        return int(found["customer_id"].iloc[0])
    return None


def _take(chosen_key: str, pick_key: str) -> None:
    st.session_state[chosen_key] = st.session_state.get(pick_key)


def _clear(key: str, chosen_key: str) -> None:
    """No customer: the choice and the text that found it both go."""
    st.session_state[chosen_key] = None
    st.session_state[f"{key}_q"] = ""


def _follow_url(db, user, key: str, chosen_key: str, url_param: str, synced_key: str) -> None:
    """A code in the URL that this picker did not write (a shared link, a reload, the back button)
    chooses that customer, and empties the search box (its text found another one); an unknown or
    invisible code is said, never guessed."""
    code = st.query_params.get(url_param)
    if not code or code == st.session_state.get(synced_key):
        return
    st.session_state[synced_key] = code
    st.session_state[f"{key}_q"] = ""
    st.session_state.pop(f"{key}_last", None)
    found = cust.customer_id_for_code(db, user, code.strip())
    if found is None:
        st.warning(tr("err.customer_code_unknown", code=plain(code.strip())))
    else:
        st.session_state[chosen_key] = found


def _show_in_url(brief: dict | None, url_param: str, synced_key: str) -> None:
    code = brief["code"] if brief else None
    if code and st.query_params.get(url_param) != code:
        st.query_params[url_param] = code
    if code:
        st.session_state[synced_key] = code


def customer_picker(label: str, key: str, *, chosen_key: str | None = None, url_param: str | None = None,
                    optional: bool = False, echo: bool = True, container=st) -> int | None:
    """Let the user find and choose one customer; returns its id, or None while none is chosen.

    ``chosen_key``: the session-state key holding the choice (default ``{key}_id``), so a page can
    choose for the user (Customer 360 uses ``customer_id``, which ui.common.open_customer sets).
    ``url_param``: keep the choice in the URL as the customer's code (``?code=C0000001``), so a
    reload, the back button and a shared link restore it. ``optional``: offer "no customer".
    ``echo``: say which customer is chosen under the box (off where the page's header says it).
    Drawn in ``container`` (e.g. a column); never inside an st.form (it searches as one types).
    """
    db, user = store(), actor()
    chosen_key = chosen_key or f"{key}_id"
    synced_key = f"{key}_url"
    if url_param:
        _follow_url(db, user, key, chosen_key, url_param, synced_key)
    text = container.text_input(label, key=f"{key}_q", live=True, placeholder=tr("find.placeholder"),
                                help=tr("find.help")).strip()
    if text:
        _offer_matches(db, user, text, key, chosen_key, container)
    chosen = st.session_state.get(chosen_key)
    brief = _brief(db, user, int(chosen)) if chosen is not None else None
    if chosen is not None and brief is None:  # deleted, or no longer this user's
        st.session_state[chosen_key] = chosen = None
    if url_param:
        _show_in_url(brief, url_param, synced_key)
    if brief and echo:
        container.markdown(f":material/person: {tr('find.chosen', customer=f'**{plain(describe(brief))}**')}")
        if optional:
            container.button(tr("find.clear"), key=f"{key}_clear", icon=":material/close:", on_click=_clear,
                             args=(key, chosen_key))
    elif echo and not brief and not text:
        container.caption(tr("find.nobody"))
    return None if chosen is None else int(chosen)


def _offer_matches(db, user, text: str, key: str, chosen_key: str, container) -> None:
    """The matches for ``text`` to choose from; a new text with one clear match chooses it."""
    found = _matches(db, user, text, RESULT_LIMIT)
    if found.empty:
        container.caption(tr("find.none", text=plain(text)))
        return
    sole = _sole_match(found)
    if st.session_state.get(f"{key}_last") != text:  # the text changed: this run is the first for it
        st.session_state[f"{key}_last"] = text
        if sole is not None:
            st.session_state[chosen_key] = sole
    if sole is not None:
        return  # chosen; the name is shown under the box
    ids = [int(i) for i in found["customer_id"]]
    labels = {int(row.customer_id): _match_label(row._asdict(), text) for row in found.itertuples()}
    chosen = st.session_state.get(chosen_key)
    placeholder = tr("find.choose_more" if len(ids) >= RESULT_LIMIT else "find.choose", count=len(ids))
    pick_key = f"{key}_pick_{text}"  # a new list for a new text: no choice carried over from another
    container.selectbox(tr("find.match"), ids, index=ids.index(chosen) if chosen in ids else None,
                        format_func=labels.get, key=pick_key, placeholder=placeholder,
                        on_change=_take, args=(chosen_key, pick_key))


def sidebar_search() -> None:
    """The sidebar's search box (drawn by ui.app.run_app): the matches as links that open Customer 360."""
    db, user = store(), actor()
    text = st.sidebar.text_input(tr("find.global"), key="global_find_q", live=True,
                                 placeholder=tr("find.global_placeholder"), help=tr("find.help")).strip()
    if not text:
        return
    found = _matches(db, user, text, SIDEBAR_LIMIT)
    if found.empty:
        st.sidebar.caption(tr("find.none", text=plain(text)))
    for row in found.itertuples():
        st.sidebar.page_link(CUSTOMER_360, label=plain(describe(row._asdict())), icon=":material/person:",
                             query_params={"code": row.code})
