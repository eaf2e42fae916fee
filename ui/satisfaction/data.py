"""Cached reads for the Satisfaction page (ui.cache.cached_read: keyed on the store, its data version, the user)."""
from __future__ import annotations

from crm_core.satisfaction import mystery, report
from crm_core.store import Store
from crm_core.users import Actor
from ui.cache import cached_read


@cached_read(ttl=600, max_entries=16)
def waves(db: Store, user: Actor):
    return report.waves(db, user)


@cached_read(ttl=600, max_entries=16)
def trend(db: Store, user: Actor, period: str = "wave_id"):
    return report.trend(db, user, period)


@cached_read(ttl=600, max_entries=32)
def ladder(db: Store, user: Actor, wave_id):
    return report.ladder(db, user, wave_id)


@cached_read(ttl=600, max_entries=32)
def breakdown(db: Store, user: Actor, by: str, wave_id, as_of):
    return report.breakdown(db, user, by, wave_id, as_of)


@cached_read(ttl=600, max_entries=32)
def servqual(db: Store, user: Actor, wave_id):
    return report.servqual(db, user, wave_id)


@cached_read(ttl=600, max_entries=8)
def sample(db: Store, user: Actor, wave_id):
    """The row-level sample (never mutated by callers: they filter into new frames)."""
    return report.sample(db, user, wave_id)


@cached_read(ttl=600, max_entries=16)
def drivers(db: Store, user: Actor, wave_id, outcome: str):
    return report.drivers(sample(db, user, wave_id), outcome)


@cached_read(ttl=600, max_entries=16)
def regional(db: Store, user: Actor, wave_id, method: str):
    return report.regional(sample(db, user, wave_id), method)


@cached_read(ttl=600, max_entries=16)
def words(db: Store, user: Actor, wave_id):
    return report.comment_words(sample(db, user, wave_id))


@cached_read(ttl=300, max_entries=32)
def answers_with_word(db: Store, user: Actor, word: str, mood: str, wave_id):
    return report.answers_with_word(db, user, word, mood, wave_id)


@cached_read(ttl=600, max_entries=8)
def respondents(db: Store, user: Actor, as_of):
    """The one transactions scan of the quadrant tab when no kept respondents are current (cells and
    every list read it then; report._on_respondents)."""
    return report.respondents_12m(db, user, as_of)


@cached_read(ttl=600, max_entries=32)
def cells(db: Store, user: Actor, loyalty: str, as_of, sat: int, loyal: int):
    return report.quadrant_cells(db, user, loyalty, as_of, sat, loyal, respondents=lambda: respondents(db, user, as_of))


@cached_read(ttl=300, max_entries=32)
def members(db: Store, user: Actor, quadrant: str, loyalty: str, as_of, sat: int, loyal: int):
    return report.quadrant_members(db, user, quadrant, loyalty, as_of, sat, loyal,
                                   respondents=lambda: respondents(db, user, as_of))


@cached_read(ttl=600, max_entries=16)
def iceberg(db: Store, user: Actor, wave_id, as_of):
    return report.iceberg_inputs(db, user, wave_id, as_of)


@cached_read(ttl=600, max_entries=16)
def nonresponse(db: Store, user: Actor, wave_id):
    return report.nonresponse(db, user, wave_id)


@cached_read(ttl=600, max_entries=16)
def visits(db: Store, user: Actor):
    return mystery.visit_trend(db, user)
