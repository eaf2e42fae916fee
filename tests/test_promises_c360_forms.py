"""The customer 360 view's promise forms open lazily: a closed expander computes nothing (the form's
default class ranks a year of every customer's spend), an opened one shows the same form."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm_core.i18n import t
from crm_core.promises import queries
from crm_core.store import open_store
from tests.app_pages import page_app

NOW = datetime(2026, 6, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))  # the demo's as of, mid-morning


def _open(customer_id: int, **state):
    return page_app("customer_360.py", "en", customer_id=customer_id, c360_tab=t("tab.promises", "en"),
                    promises_now=NOW, **state)


def _keys(app) -> set[str]:
    return {w.key for w in [*app.selectbox, *app.text_input, *app.text_area, *app.button] if w.key}


def test_closed_forms_compute_nothing(demo_app, monkeypatch):
    calls = []
    monkeypatch.setattr(queries, "customer_class_of", lambda *a: calls.append(a))
    app = _open(1)
    assert not app.exception, [e.value for e in app.exception]
    assert not {k for k in _keys(app) if k.startswith(("p360_make", "p360_complain"))}
    assert calls == []  # the class of a closed form is never ranked


@pytest.mark.parametrize("customer_id", [1, 2, 3])
def test_opened_form_offers_the_customers_class(demo_app, customer_id):
    expected = queries.customer_class_of(open_store(demo_app), customer_id, NOW.date())
    app = _open(customer_id, p360_make_open=True, p360_complain_open=True)
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key=f"p360_make_class_{customer_id}").value == expected
    assert {"p360_make_submit", "p360_complain_submit"} <= _keys(app)
