"""The view in the URL: open tabs and filters bound to query parameters, kept across a language switch.

Streamlit's ``bind="query-params"`` writes a widget's value into the URL, so back, reload, bookmarks
and shared links restore the view. Two values it writes depend on the language: a tab's value is its
label, and a choice widget's (radio, selectbox, segmented control) is its ``format_func`` text. The
rule, in one place:

- ``tabs(key, label_keys)``: tabs keyed by a stable key (never the language), bound to the URL.
- ``in_url(key, options, label)``: the keyword arguments that bind a widget to the URL:
  ``st.radio(..., **in_url("seg_measure", MEASURES, catalog_label("seg.measure")))``.
- ``kept(key)``: a choice widget outside the URL that should still survive a language switch.
- A URL written in the other language (a link shared by a 中文 reader, opened in English, or a
  saved view) is mapped to this language's label before the widget reads it.
- When the user switches language (``follow_language``, the sidebar switch's callback), every bound
  widget on the page is given its value again, a tab its label in the new language: the browser
  would otherwise keep the old label, which is no longer among the options (an empty radio, the
  first tab).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from crm_core.i18n import LANGUAGES, t

KEPT = "_view_state_kept"  # session state: the keys of widgets whose value a language switch gives again
TABS = "_view_state_tabs"  # session state: {tabs key: the catalog keys of its labels}

Label = Callable[[object, str], str]


def catalog_label(prefix: str) -> Label:
    """The label of an option whose text is the catalog entry ``prefix.option`` (as choice_label)."""
    return lambda option, language: t(f"{prefix}.{option}", language)


def _registry(name: str) -> dict:
    return st.session_state.setdefault(name, {})


def _current_language() -> str:
    from ui.common import lang  # here, not at the top: ui.common calls follow_language

    return lang()


def _adopt_url_value(key: str, labels_by_language: dict[str, list[str]], options: Sequence, language: str) -> None:
    """A URL label from another language (a link shared by a 中文 reader, a saved view) selects the
    same option here. Streamlit seeds a bound widget from the URL as loaded and only session state
    can change it, so the option goes there; Streamlit then drops the foreign label from the URL
    (the view is right, the parameter returns when the reader next changes that widget)."""
    value = st.query_params.get(key)
    if value is None or value in labels_by_language[language]:
        return
    for other, labels in labels_by_language.items():
        if other != language and value in labels:
            st.session_state[key] = options[labels.index(value)]
            return


def tabs(key: str, label_keys: Sequence[str], container=None):
    """``st.tabs`` with a stable key, bound to the URL (``?key=label``), the open one kept across a
    language switch. Bound tabs rerun on a switch and know which one is ``.open`` (lazy tabs)."""
    language = _current_language()
    labels = {code: [t(label, code) for label in label_keys] for code in LANGUAGES}
    _adopt_url_value(key, labels, labels[language], language)
    if st.session_state.get(key) not in (None, *labels[language]):
        st.session_state[key] = _translate_tab(st.session_state[key], label_keys, language)
    _registry(TABS)[key] = tuple(label_keys)
    return (container or st).tabs(labels[language], key=key, bind="query-params")


def in_url(key: str, options: Sequence | None = None, label: Label | None = None, persist: bool = True) -> dict:
    """The keyword arguments binding a widget to the URL under ``key``; registers it so a language
    switch gives it its value again. ``options`` and ``label`` (the widget's format_func as a
    function of the language) let a link written in the other language find the same option; leave
    them out for values that do not depend on the language (dates, numbers, codes).

    ``persist`` keeps the value for the session, so coming back to the page through the menu
    restores it (and its URL); off for values the page loads into session state itself on each
    visit (the churn calculator's inputs)."""
    if options is not None and label is not None:
        language = _current_language()
        options = list(options)
        labels = {code: [label(option, code) for option in options] for code in LANGUAGES}
        _adopt_url_value(key, labels, options, language)
    return {"key": kept(key), "bind": "query-params", "persist_state": "session" if persist else None}


def kept(key: str) -> str:
    """``key``, registered so a language switch gives the widget its value again: for a choice
    widget whose labels change with the language but that does not belong in the URL (e.g. the
    header row of an uploaded file)."""
    _registry(KEPT)[key] = True
    return key


def _translate_tab(value: str, label_keys: Sequence[str], language: str) -> str:
    """The open tab's label in ``language``, from its label in any language (else the first tab)."""
    for label_key in label_keys:
        if value in {t(label_key, code) for code in LANGUAGES}:
            return t(label_key, language)
    return t(label_keys[0], language)


def follow_language(new_language: str) -> None:
    """Called by the language switch before the rerun: the open tabs take their new label, and every
    bound widget on the page gets its value again, so the browser draws it with the new labels."""
    for key, label_keys in _registry(TABS).items():
        if key in st.session_state:
            st.session_state[key] = _translate_tab(st.session_state[key], label_keys, new_language)
    for key in _registry(KEPT):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
