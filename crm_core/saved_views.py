"""Saved views (issue 17): a user names the page they are on with its filters, period and open tab
(the URL's query string) and opens it later.

A view is the user's own bookmark: each user lists, saves and deletes only their own (the owner is
always the acting user, never an argument). It holds no data — opening one runs the page as the
reader, so it shows only what the reader may see. Saving and deleting are audited like every write.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from crm_core.audit import write_audit
from crm_core.store import Store
from crm_core.users import Actor

MAX_NAME = 60
MAX_QUERY = 2000  # a URL's query string, well inside what browsers and servers accept
MAX_VIEWS = 50  # per user: a sidebar list, not an archive


class ViewProblem(ValueError):
    """Why a view was not saved: a catalog key (crm_core/locales/views.py) and its parameters."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class SavedView:
    view_id: int
    name: str
    page: str
    query: str
    created_at: datetime

    def query_params(self) -> dict[str, str | list[str]]:
        """The query string as st.query_params / st.page_link take it (a repeated key as a list)."""
        params: dict[str, str | list[str]] = {}
        for key, value in parse_qsl(self.query, keep_blank_values=True):
            if key in params:
                previous = params[key]
                params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                params[key] = value
        return params


def check_name(name: str) -> str:
    """The name as stored (trimmed); refused when empty, too long or holding control characters."""
    name = (name or "").strip()
    if not name:
        raise ViewProblem("views.err.name_empty")
    if len(name) > MAX_NAME:
        raise ViewProblem("views.err.name_long", max=MAX_NAME)
    if not name.isprintable():
        raise ViewProblem("views.err.name_unprintable")
    return name


def query_string(params: dict) -> str:
    """The URL query string of ``params`` (values str or lists of str), as saved."""
    pairs = [(key, item) for key, value in params.items()
             for item in (value if isinstance(value, list | tuple) else [value])]
    return urlencode(pairs)


def save(store: Store, actor: Actor, name: str, page: str, query: str) -> SavedView:
    """Save (or replace, by name) the acting user's view of ``page`` with ``query``."""
    name = check_name(name)
    if len(query) > MAX_QUERY or len(page) > 200:
        raise ViewProblem("views.err.too_long")
    with store.transaction(changes_data=False) as cur:  # no cached figure depends on a bookmark
        replaced = cur.execute("DELETE FROM saved_views WHERE owner = ? AND name = ? RETURNING view_id",
                               [actor.name, name]).fetchall()
        (count,) = cur.execute("SELECT count(*) FROM saved_views WHERE owner = ?", [actor.name]).fetchone()
        if count >= MAX_VIEWS:
            raise ViewProblem("views.err.too_many", max=MAX_VIEWS)
        row = cur.execute("INSERT INTO saved_views (owner, name, page, query) VALUES (?, ?, ?, ?)"
                          " RETURNING view_id, name, page, query, created_at",
                          [actor.name, name, page, query]).fetchone()
        write_audit(cur, actor, "view_replace" if replaced else "view_save", "saved_view", int(row[0]),
                    name, None, f"{page}?{query}" if query else page)
    return SavedView(*row)


def my_views(store: Store, actor: Actor) -> list[SavedView]:
    """The acting user's views, newest first. Read on the system cursor, filtered to the owner: the
    table is hidden from reps' and viewers' scoped cursors (crm_core.access, sign-in data)."""
    cur = store.system_cursor()
    try:
        rows = cur.execute("SELECT view_id, name, page, query, created_at FROM saved_views WHERE owner = ?"
                           " ORDER BY created_at DESC, view_id DESC", [actor.name]).fetchall()
    finally:
        cur.close()
    return [SavedView(*row) for row in rows]


def delete(store: Store, actor: Actor, view_id: int) -> bool:
    """Delete one of the acting user's views; False (nothing done) for another user's or a missing one."""
    with store.transaction(changes_data=False) as cur:
        gone = cur.execute("DELETE FROM saved_views WHERE view_id = ? AND owner = ? RETURNING name",
                           [int(view_id), actor.name]).fetchone()
        if gone is None:
            return False
        write_audit(cur, actor, "view_delete", "saved_view", int(view_id), gone[0], None, None)
    return True
