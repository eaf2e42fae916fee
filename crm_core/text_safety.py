"""Text is text: a user's string shown exactly as it was typed, never read as markup.

Two renderers on the pages read markup inside the strings they are given:

- **Streamlit's Markdown** (titles, headers, captions, messages, ``st.markdown``, widget, metric,
  expander and tab labels, radio options, ``help`` tooltips, ``st.table`` cells). A customer called
  ``**Big** [deal](http://x)`` would show bold text and a live link; ``![x](http://x/p.png)`` would
  make every viewer's browser fetch an outside image; ``:red[…]`` colours, ``$…$`` typesets.
- **Plotly** reads a subset of HTML in every chart string (legend names, category axes, hover
  text, titles): ``<b>``, ``<i>``, ``<br>``, ``<span style>``, ``<a href>``.

Every user-supplied value (customer names and codes, notes, promise and complaint texts, places,
survey comments, wave names, mystery-shopper locations, products, regions, reps, file names…)
reaches those renderers through one of the two functions here: :func:`markdown_literal` (the
pages call it as ``ui.common.plain``) and :func:`chart_text`. Dataframes, ``st.text``/``st.code``,
text inputs and select boxes show text as text already and need neither.

Both keep the *visible* text identical. :func:`markdown_literal` backslash-escapes Markdown's
punctuation and puts an invisible U+2060 WORD JOINER where Streamlit would otherwise rewrite the
text after the escapes are resolved (see :data:`WORD_JOINER`); :func:`chart_text` writes HTML
entities, which Plotly turns back into the characters they stand for.
"""
from __future__ import annotations

import math
import re

WORD_JOINER = "\u2060"
"""Zero-width and unbreakable, so invisible on the page (copying the text carries it along).

Streamlit rewrites some text *after* Markdown has parsed it, when backslash escapes are already
resolved, so escaping cannot stop these: a bare ``http://…``, ``www.…`` or ``name@host.tld`` becomes
a link (GFM autolink literals), ``:smile:`` an emoji, ``:material_home:`` an icon, ``:streamlit:``
a logo, and `` -> ``, `` <= ``, `` -- `` typographic arrows and dashes. A word joiner inside each
such pattern makes it no longer match, and nothing else changes."""

# Backslash-escapable characters (CommonMark: all ASCII punctuation): every piece of Markdown,
# GFM and Streamlit syntax (emphasis, links, images, HTML, headings, lists, tables, directives
# such as :red[…], :material/…:, $ maths) is built from them.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_REWRITTEN_AFTER_PARSING = (
    re.compile(r"(?<=:)(?=//)"),               # http://… (any scheme) → a link
    re.compile(r"(?i)(?<=www)(?=\.)"),         # www.… → a link
    re.compile(r"(?<=@)(?=[-\w])"),            # name@host.tld → a mailto link
    re.compile(r"(?<=:)(?=[\w+-]+:)"),         # :smile: / :material_home: / :streamlit: → a picture
)
_TYPOGRAPHY = re.compile(r"(?<!\S)(?:<->|->|<-|--|>=|<=|~=)(?!\S)")  # " -> " → " → " and the like
_LINE_START_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)  # four spaces would start a code block
_LINE_BREAK = re.compile(r"\r\n?|\n")


def markdown_literal(text) -> str:
    """``text`` (any value, shown as ``str(value)``) as Streamlit Markdown that renders exactly that text.

    Line breaks stay line breaks (Markdown hard breaks); spaces at the start of a line, which
    Markdown never shows, are dropped so that an indented line cannot turn into a code block.
    """
    lines = _LINE_START_SPACE.sub("", _LINE_BREAK.sub("\n", str(text)))
    for pattern in _REWRITTEN_AFTER_PARSING:
        lines = pattern.sub(WORD_JOINER, lines)
    lines = _TYPOGRAPHY.sub(lambda found: found[0][0] + WORD_JOINER + found[0][1:], lines)
    return _ASCII_PUNCTUATION.sub(r"\\\1", lines).replace("\n", "  \n")


_CHART_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}
_CHART_SPECIAL = re.compile("[&<>$]|%(?={)")


def chart_text(value):
    """``value`` as Plotly text that shows exactly ``str(value)``; missing values (None, NaN) stay missing.

    ``<`` and ``>`` become entities so no tag is read, ``&`` so an entity typed by a user shows
    as typed, ``$`` so a label between two dollars is never typeset as maths, and the ``%`` of a
    ``%{`` so Plotly Express, which copies a colour group's value into the hover template, cannot
    be made to substitute a field there. Plotly turns the entities back into the characters.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return value
    return _CHART_SPECIAL.sub(lambda found: _CHART_ENTITIES.get(found[0], "&#37;"), str(value))
