"""Finding a customer as one types: by code, name, the pinyin initials of the name, phone or contact.

The initials (南京金信商贸 → njjxsm) are kept in ``customers.name_initials`` (migration 012), written
by ``refresh_name_initials`` on every path that writes a name, so a search is one scan of stored
columns — converting a million names to pinyin on every keystroke would take half a minute.
``name_initials`` is THE conversion (pypinyin, with its phrase dictionary: 重庆 → cq, 银行 → yh).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import closing

import pandas as pd

from crm_core import access
from crm_core.sql import Fragment, all_of, compose, run
from crm_core.store import Store
from crm_core.users import Actor

RESULT_LIMIT = 20  # matches offered at once: the user types more rather than scrolls
RESULT_COLUMNS = ("customer_id", "code", "name", "city", "contact_person", "rank")
_KEEP = re.compile(r"[a-z0-9]")
_INITIALS_QUERY = re.compile(r"[a-z0-9]+")
_PHONE_QUERY = re.compile(r"[0-9 +()（）-]{3,}")
# Text no character lowercases into (Han, digits, ASCII punctuation and space): a column contains
# it exactly when the column's lowercase does, so the filter can skip lower() — most of the cost of
# a search over a million names.
_UNCASED_QUERY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff0-9 !-/:-@\[-`{-~（）]+")
# Exact code or name, then prefixes, then anything containing the text; within prefixes and
# contains, the customer's own code, name or initials before their contact person or phone.
EXACT, PREFIX, PREFIX_CONTACT, CONTAINS, CONTAINS_CONTACT = range(5)


def _initials(name: str, pinyin) -> str:
    """One name's initials: each Chinese syllable's first letter, letters and digits as they are."""
    parts = pinyin.lazy_pinyin(name, style=pinyin.Style.FIRST_LETTER, errors="default")
    return "".join(_KEEP.findall("".join(parts).lower()))


def name_initials(names: Iterable[str | None]) -> list[str | None]:
    """The stored ``name_initials`` of each name (None for None), each distinct name converted once
    (the demo's million customers share a few hundred thousand names)."""
    import pypinyin  # heavy: imported where used (crm_core's docstring)
    names = list(names)
    done = {name: _initials(name, pypinyin) for name in set(names) if isinstance(name, str)}
    return [done.get(name) if isinstance(name, str) else None for name in names]


def refresh_name_initials(cur, which: Fragment) -> int:
    """Write ``name_initials`` for the customers matching ``which`` (a condition on ``customers``)
    through ``cur``, inside the caller's transaction; returns the number of distinct names converted."""
    names = run(cur, compose("SELECT DISTINCT name FROM customers WHERE {which}", which=which)).df()["name"]
    if names.empty:
        return 0
    cur.register("kehu_name_initials", pd.DataFrame({"name": names, "initials": name_initials(names)}))
    try:
        run(cur, compose("UPDATE customers SET name_initials = i.initials FROM kehu_name_initials i "
                         "WHERE customers.name = i.name AND ({which})", which=which))
    finally:
        cur.unregister("kehu_name_initials")
    return len(names)


MISSING_INITIALS = Fragment("name_initials IS NULL")


def fill_missing_initials(store: Store) -> int:
    """The one-time step after migration 012: rows written before it get their initials (a no-op
    once done: one count of a column). Returns the number of distinct names converted."""
    (missing,) = store.query_one("SELECT count(*) FROM customers WHERE name_initials IS NULL")
    if not missing:
        return 0
    with store.transaction() as cur:
        return refresh_name_initials(cur, MISSING_INITIALS)


def _any(conditions: list[str]) -> str:
    return f"coalesce({' OR '.join(conditions)}, FALSE)" if conditions else "FALSE"


def match(text: str, alias: str | None = None) -> tuple[Fragment, Fragment]:
    """(the condition a customer must meet, its rank) for the text typed, on ``customers`` (as
    ``alias``): code, name, initials, contact person, and the phone's digits when the text is a
    phone number; any case. The Customers list filters with the same condition."""
    a = f"{alias}." if alias else ""
    needle = text.strip().lower()
    params = {"needle": needle}
    own = [f"lower({a}code)", f"lower({a}name)"]  # the customer's own names for itself
    contact = [f"lower({a}contact_person)"]
    if _INITIALS_QUERY.fullmatch(needle):
        own.append(f"{a}name_initials")
    needles = {column: "$needle" for column in own + contact}
    digits = re.sub(r"\D", "", needle)
    if _PHONE_QUERY.fullmatch(needle) and len(digits) >= 3:
        # phones are stored normalised (13800138000, 021-12345678-8001): compare digits only
        params["digits"] = digits
        contact.append(f"replace({a}phone, '-', '')")
        needles[contact[-1]] = "$digits"

    def tests(function: str, columns: list[str]) -> list[str]:
        return [f"{function}({column}, {needles[column]})" for column in columns]

    rank = Fragment(f"CASE WHEN {own[0]} = $needle OR {own[1]} = $needle THEN {EXACT} "
                    f"WHEN {_any(tests('starts_with', own))} THEN {PREFIX} "
                    f"WHEN {_any(tests('starts_with', contact))} THEN {PREFIX_CONTACT} "
                    f"WHEN {_any(tests('contains', own))} THEN {CONTAINS} ELSE {CONTAINS_CONTACT} END", params)
    searched = own + contact
    if _UNCASED_QUERY.fullmatch(needle):  # the same rows, without lowercasing every value
        unlowered = {column: _without_lower(column) for column in searched}
        needles = {unlowered[column]: value for column, value in needles.items()}
        searched = list(unlowered.values())
    return Fragment(_any(tests("contains", searched)), params), rank


def _without_lower(column: str) -> str:
    """``lower(x)`` → ``x``; any other expression as it is."""
    return column[len("lower("):-1] if column.startswith("lower(") and column.endswith(")") else column


def find_customers(store: Store, actor: Actor, text: str, limit: int = RESULT_LIMIT) -> pd.DataFrame:
    """The customers ``actor`` may see that match ``text``: exact code or name first, then those
    whose code, name, initials, phone or contact starts with it, then those containing it; shorter
    names first within a rank, then by code. At most ``limit`` rows (RESULT_COLUMNS)."""
    if not text or not text.strip():
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    condition, rank = match(text)
    query = compose("SELECT customer_id, code, name, city, contact_person, {rank} AS rank FROM customers "
                    "WHERE {where} ORDER BY rank, length(name), code LIMIT $limit",
                    rank=rank, where=all_of(access.visible(actor, "customers"), condition), limit=int(limit))
    with closing(store.cursor(actor)) as db:
        return run(db, query).df()


def customer_brief(store: Store, actor: Actor, customer_id: int) -> dict | None:
    """code, name and city of one customer ``actor`` may see (what a picker echoes), else None."""
    with closing(store.cursor(actor)) as db:
        row = run(db, compose("SELECT code, name, city FROM customers WHERE customer_id = $id AND {where}",
                              where=access.visible(actor, "customers"), id=int(customer_id))).fetchone()
    return None if row is None else dict(zip(("code", "name", "city"), row))
