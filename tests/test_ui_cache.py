"""ui.cache.cached_read: results per store data version and per user; writes and restores need no clear."""
from __future__ import annotations

import shutil

import pandas as pd

from crm_core.store import Store
from crm_core.users import Actor
from ui.cache import cached_read

CALLS: list[tuple] = []


@cached_read(ttl=60, max_entries=8)
def _notes(db: Store, user: Actor, tag: str) -> pd.DataFrame:
    CALLS.append((user, tag))
    frame = db.query_df("SELECT count(*) AS n FROM notes")
    return frame.assign(who=user.name, role=user.role, tag=tag)


def _make(db: Store) -> None:
    db.write(lambda cur: cur.execute("CREATE TABLE IF NOT EXISTS notes (x INTEGER)"))


def test_a_write_makes_the_next_read_fresh_without_a_clear(store):
    _make(store)
    manager = Actor("boss", "manager")
    assert _notes(store, manager, "a")["n"][0] == 0
    assert _notes(store, manager, "a")["n"][0] == 0
    calls = len(CALLS)
    store.write(lambda cur: cur.execute("INSERT INTO notes VALUES (1)"))
    assert _notes(store, manager, "a")["n"][0] == 1
    assert len(CALLS) == calls + 1


def test_each_user_gets_their_own_result(store):
    _make(store)
    rep, manager = Actor("boss", "rep"), Actor("boss", "manager")  # same name, other role
    assert _notes(store, manager, "b")["role"][0] == "manager"
    assert _notes(store, rep, "b")["role"][0] == "rep"
    assert _notes(store, Actor("li", "rep"), "b")["who"][0] == "li"


def test_callers_get_copies(store):
    _make(store)
    user = Actor("boss", "manager")
    first = _notes(store, user, "c")
    first.loc[0, "n"] = 99
    assert _notes(store, user, "c")["n"][0] == 0


def test_a_restore_makes_the_next_read_fresh(store, tmp_path):
    _make(store)
    user = Actor("boss", "manager")
    store.write(lambda cur: cur.execute("CHECKPOINT"))
    shutil.copyfile(store.path, tmp_path / "backup.duckdb")  # no notes yet
    store.write(lambda cur: cur.execute("INSERT INTO notes VALUES (1), (2)"))
    assert _notes(store, user, "d")["n"][0] == 2
    store.replace_file(tmp_path / "backup.duckdb")
    assert _notes(store, user, "d")["n"][0] == 0
