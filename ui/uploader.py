"""``st.file_uploader`` whose own words follow the page's language.

Streamlit writes its uploader's button ("Upload"), size hint ("200MB per file • CSV") and, while a
file is dragged over it, "Drag and drop a file here" in English and has no setting for them
(streamlit/streamlit#13500). On the Chinese page a style scoped to the one uploader's key hides
those texts and shows ours in their place. Streamlit is never
told the file types either: its refusal of another type is English only, so such a file reaches
the page, whose own check names it and the fix in the page's language.
"""
from __future__ import annotations

import streamlit as st

from crm_core.i18n import join_list
from ui.common import lang, tr

_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
_HINT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
# The overlay shown while a file is dragged over: the dropzone's box after its input that holds no
# button (it has no test id; the button's box follows the input when nothing is dragged).
_DRAGGING = '[data-testid="stFileUploaderDropzone"] > input + div:not(:has(button)) span'
_TEXT_SIZE = "0.875rem"  # Streamlit's own size for these texts (14 px)


def file_uploader(label: str, *, key: str, types: list[str] | None = None, **options):
    """``st.file_uploader(label, key=key, **options)`` said in the page's language; ``types`` (the
    extensions the page expects) are named in the hint, and the caller checks them."""
    upload = st.file_uploader(label, key=key, **options)
    if lang() != "en":
        st.html(_words_style(key, types))
    return upload


def _words_style(key: str, types: list[str] | None) -> str:
    megabytes = int(st.get_option("server.maxUploadSize"))
    hint = tr("uploader.limit", mb=megabytes)
    if types:
        hint += " · " + join_list([kind.upper() for kind in types], lang())
    scope = f".st-key-{key}"
    return ("<style>"
            + _replace(f"{scope} {_BUTTON}", tr("uploader.button"))
            + _replace(f"{scope} {_HINT}", hint)
            + _replace(f"{scope} {_DRAGGING}", tr("uploader.drop"))
            + "</style>")


def _replace(selector: str, text: str) -> str:
    """CSS that hides the text of ``selector`` and shows ``text`` instead (as a quoted CSS string)."""
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'
    return (f"{selector}{{font-size:0}}"
            f"{selector}::after{{content:{quoted};font-size:{_TEXT_SIZE}}}")
