"""One way a test opens a page in Streamlit's AppTest: through Home.py (language, sign-in,
navigation), with the language, the acting user, URL parameters and session state seeded.

The caller points ``CRM_DB`` at its store first (``monkeypatch.setenv``)."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def page_app(page: str, lang: str = "en", *, actor=None, query: dict | None = None, timeout: float = 60,
             **state) -> AppTest:
    """``pages/<page>`` run once (not checked for exceptions: some tests expect one)."""
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=timeout)
    app.session_state["lang"] = lang
    if actor is not None:
        app.session_state["actor"] = actor
    for key, value in state.items():
        app.session_state[key] = value
    app.query_params.update(query or {})
    app.switch_page(f"pages/{page}")
    return app.run()
