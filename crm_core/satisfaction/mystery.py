"""Mystery-shopper visits (seed 004: KFC scored one restaurant 83, 85 and 88 on hidden visits).

Visits are about locations, not customers, so every user sees them all.
"""
from __future__ import annotations

import json

import pandas as pd

from crm_core.store import Store
from crm_core.users import Actor


def visit_trend(store: Store, actor: Actor, location: str | None = None) -> pd.DataFrame:
    """Visits oldest first: visit_id, location, visited_on, score (float), change (vs the
    location's previous visit), checklist_passed and checklist_items (counts from the JSON
    checklist; NaN when there is none). ``location`` None = all locations.
    """
    visits = store.query_df(
        "SELECT visit_id, location, visited_on, score::DOUBLE AS score, checklist FROM mystery_visits "
        "WHERE (CAST(? AS VARCHAR) IS NULL OR location = ?) ORDER BY location, visited_on, visit_id",
        [location, location])
    visits["change"] = visits.groupby("location")["score"].diff()
    parsed = visits["checklist"].map(_checklist)
    visits["checklist_passed"] = parsed.map(lambda c: sum(bool(v) for v in c.values()) if c else None)
    visits["checklist_items"] = parsed.map(lambda c: len(c) if c else None)
    return visits.drop(columns="checklist")


def _checklist(text) -> dict:
    """A visit's checklist as {item: passed}; unreadable text counts as no checklist."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def location_summary(visits: pd.DataFrame) -> pd.DataFrame:
    """Per location: visits, first, last and mean score, last change; from :func:`visit_trend`."""
    grouped = visits.groupby("location")
    return pd.DataFrame({"visits": grouped.size(), "first": grouped["score"].first(),
                         "last": grouped["score"].last(), "mean": grouped["score"].mean(),
                         "last_change": grouped["change"].last()})
