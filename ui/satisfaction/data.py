"""Cached reads for the Satisfaction page (keyed on the store file, its generation and the user)."""
from __future__ import annotations

import streamlit as st

from crm_core.satisfaction import mystery, report
from crm_core.store import Store
from crm_core.users import Actor


def _key(db: Store) -> tuple[str, int]:
    return db.path, db.generation


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _waves(_db: Store, path: str, generation: int, user: Actor):
    return report.waves(_db, user)


def waves(db: Store, user: Actor):
    return _waves(db, *_key(db), user)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _trend(_db: Store, path: str, generation: int, user: Actor, period: str):
    return report.trend(_db, user, period)


def trend(db: Store, user: Actor, period: str = "wave_id"):
    return _trend(db, *_key(db), user, period)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _ladder(_db: Store, path: str, generation: int, user: Actor, wave_id):
    return report.ladder(_db, user, wave_id)


def ladder(db: Store, user: Actor, wave_id):
    return _ladder(db, *_key(db), user, wave_id)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _breakdown(_db: Store, path: str, generation: int, user: Actor, by: str, wave_id, as_of):
    return report.breakdown(_db, user, by, wave_id, as_of)


def breakdown(db: Store, user: Actor, by: str, wave_id, as_of):
    return _breakdown(db, *_key(db), user, by, wave_id, as_of)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _servqual(_db: Store, path: str, generation: int, user: Actor, wave_id):
    return report.servqual(_db, user, wave_id)


def servqual(db: Store, user: Actor, wave_id):
    return _servqual(db, *_key(db), user, wave_id)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _sample(_db: Store, path: str, generation: int, user: Actor, wave_id):
    return report.sample(_db, user, wave_id)


def sample(db: Store, user: Actor, wave_id):
    """The row-level sample (never mutated by callers: they filter into new frames)."""
    return _sample(db, *_key(db), user, wave_id)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _drivers(_db: Store, path: str, generation: int, user: Actor, wave_id, outcome: str):
    return report.drivers(sample(_db, user, wave_id), outcome)


def drivers(db: Store, user: Actor, wave_id, outcome: str):
    return _drivers(db, *_key(db), user, wave_id, outcome)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _regional(_db: Store, path: str, generation: int, user: Actor, wave_id, method: str):
    return report.regional(sample(_db, user, wave_id), method)


def regional(db: Store, user: Actor, wave_id, method: str):
    return _regional(db, *_key(db), user, wave_id, method)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _words(_db: Store, path: str, generation: int, user: Actor, wave_id):
    return report.comment_words(sample(_db, user, wave_id))


def words(db: Store, user: Actor, wave_id):
    return _words(db, *_key(db), user, wave_id)


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def _answers_with_word(_db: Store, path: str, generation: int, user: Actor, word: str, mood: str, wave_id):
    return report.answers_with_word(_db, user, word, mood, wave_id)


def answers_with_word(db: Store, user: Actor, word: str, mood: str, wave_id):
    return _answers_with_word(db, *_key(db), user, word, mood, wave_id)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _cells(_db: Store, path: str, generation: int, user: Actor, loyalty: str, as_of, sat: int, loyal: int):
    return report.quadrant_cells(_db, user, loyalty, as_of, sat, loyal)


def cells(db: Store, user: Actor, loyalty: str, as_of, sat: int, loyal: int):
    return _cells(db, *_key(db), user, loyalty, as_of, sat, loyal)


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def _members(_db: Store, path: str, generation: int, user: Actor, quadrant: str, loyalty: str, as_of,
             sat: int, loyal: int):
    return report.quadrant_members(_db, user, quadrant, loyalty, as_of, sat, loyal)


def members(db: Store, user: Actor, quadrant: str, loyalty: str, as_of, sat: int, loyal: int):
    return _members(db, *_key(db), user, quadrant, loyalty, as_of, sat, loyal)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _iceberg(_db: Store, path: str, generation: int, user: Actor, wave_id, as_of):
    return report.iceberg_inputs(_db, user, wave_id, as_of)


def iceberg(db: Store, user: Actor, wave_id, as_of):
    return _iceberg(db, *_key(db), user, wave_id, as_of)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _nonresponse(_db: Store, path: str, generation: int, user: Actor, wave_id):
    return report.nonresponse(_db, user, wave_id)


def nonresponse(db: Store, user: Actor, wave_id):
    return _nonresponse(db, *_key(db), user, wave_id)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _visits(_db: Store, path: str, generation: int, user: Actor):
    return mystery.visit_trend(_db, user)


def visits(db: Store, user: Actor):
    return _visits(db, *_key(db), user)
