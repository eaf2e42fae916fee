"""The one way the UI caches a read: ``@cached_read(ttl=..., max_entries=...)``.

The decorated function takes the store first (and usually the acting user), e.g.
``fn(db, user, *args)``. Its results are kept per

- store: the file's path and its data version (``Store.generation``, bumped after every committed
  write, and by a restore), so a write anywhere makes every older result unreachable — no clear;
- actor: name, role and rep codes, so a rep never gets a result computed for a manager or for
  the codes they owned before;
- every other argument (hashed by value).

It is ``st.cache_data`` underneath: each caller gets its own copy of the result, so nothing a page
does to a frame leaks into another session. ``st.cache_resource`` is kept for the Store alone.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from crm_core.store import Store
from crm_core.users import Actor

F = TypeVar("F", bound=Callable)


def actor_key(user: Actor) -> tuple:
    return user.name, user.role, user.rep_scope


# Team mode's store (crm_core.team.store.TeamStore) is a Store, but Streamlit finds hash functions by
# exact type: every store type is named, the team one by its name (its module loads only in team mode).
STORE_TYPES = (Store, "crm_core.team.store.TeamStore")


def store_hash_funcs(store_key: Callable[[Store], tuple]) -> dict:
    """``hash_funcs`` for a cached function taking a store and a user."""
    return {**dict.fromkeys(STORE_TYPES, store_key), Actor: actor_key}


def generation(db: Store) -> int:
    """The store's data version: bumped after every committed write (and by a restore)."""
    return db.generation


def cached_read(*, ttl: int, max_entries: int, data_version: Callable[[Store], object] = generation
                ) -> Callable[[F], F]:
    """Cache a read taking the store (and the user, and any arguments); see the module docstring.

    ``data_version``: a narrower version for an expensive read that depends on part of the data
    only (the churn model: purchases and customers), so unrelated writes do not throw it away.
    """
    def store_key(db: Store) -> tuple:
        return id(db), db.path, data_version(db)

    def decorate(fn: F) -> F:
        return st.cache_data(ttl=ttl, max_entries=max_entries, show_spinner=False,
                             hash_funcs=store_hash_funcs(store_key))(fn)

    return decorate
