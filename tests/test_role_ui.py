"""Pages are shaped by the role (issue 16, finding 9): an action a role cannot use is absent or
disabled, with the reason beside it — the same rule crm_core enforces (``Actor.can_*`` behind
``require_*``, asked through ``ui.common.denied_reason``). Every page runs through Home.py's
navigation with the acting user seeded (local mode), on the session's demo store.

What each role may do (crm_core/users.py): viewer — read; analyst — read and import; rep — write
for their own customers; manager — everything but accounts, including policies and recomputes.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.i18n import t
from crm_core.store import open_store
from crm_core.users import Actor
from tests.app_pages import page_app
from tests.conftest import DEMO_AS_OF

ROOT = Path(__file__).resolve().parent.parent
REP = Actor("zhangwei", "rep", "张伟", ("张伟",))
ACTORS = {"viewer": Actor("v", "viewer"), "analyst": Actor("a", "analyst"), "rep": REP,
          "manager": Actor("m", "manager")}
WRITERS, IMPORTERS, MANAGERS = {"rep", "manager"}, {"analyst", "manager"}, {"manager"}
NO_WRITE = "Your role can read but not change data."
NO_IMPORT = "Your role may not import files."
MANAGERS_ONLY = "Only managers and admins can do this."


@pytest.fixture(scope="module")
def demo(demo_db_path):
    """The demo store, and ids the pages are opened on: a customer of the rep's, an open promise of hers."""
    db = open_store(demo_db_path)
    (customer_id,) = db.query_one("SELECT min(customer_id) FROM customers WHERE sales_rep = '张伟'")
    (promise_id,) = db.query_one("SELECT min(promise_id) FROM promises JOIN customers USING (customer_id)"
                                 " WHERE sales_rep = '张伟' AND status = 'open'")
    return {"path": demo_db_path, "customer_id": int(customer_id), "promise_id": int(promise_id)}


def run_page(demo, monkeypatch, role: str, page: str, **state) -> AppTest:
    monkeypatch.setenv("CRM_DB", str(demo["path"]))
    app = page_app(page, "en", actor=ACTORS[role], timeout=90, **state)
    assert not app.exception, [e.value for e in app.exception]
    return app


def _buttons(app: AppTest, label: str) -> list:
    return [b for b in app.button if b.label == label]


def _texts(app: AppTest) -> list[str]:
    return [e.value for e in (*app.caption, *app.info)]


@pytest.mark.parametrize("role", ACTORS)
def test_the_data_page_gives_an_uploader_only_to_who_may_import(demo, monkeypatch, role):
    app = run_page(demo, monkeypatch, role, "data.py")
    uploaders = app.get("file_uploader")
    if role in IMPORTERS:
        assert len(uploaders) == 1 and NO_IMPORT not in _texts(app)
    else:  # no uploader at all: a file of theirs never reaches the server
        assert uploaders == [] and NO_IMPORT in [i.value for i in app.info]


@pytest.mark.parametrize("role", ACTORS)
def test_customer_360_edit_button_and_entry_forms(demo, monkeypatch, role):
    app = run_page(demo, monkeypatch, role, "customer_360.py", customer_id=demo["customer_id"])
    (edit,) = _buttons(app, "Edit this customer")
    forms = [label for label in ("Log an interaction", "Record a transaction", "Add a key date")
             if _buttons(app, label)]
    if role in WRITERS:
        assert not edit.disabled and forms == ["Log an interaction", "Record a transaction", "Add a key date"]
        assert NO_WRITE not in _texts(app)
    else:
        assert edit.disabled and edit.help == NO_WRITE
        assert forms == [] and NO_WRITE in _texts(app)


@pytest.mark.parametrize("role", ACTORS)
def test_the_customer_grid_offers_quick_edits_only_to_writers(demo, monkeypatch, role):
    app = run_page(demo, monkeypatch, role, "customers.py")
    saves = [b for b in app.button if b.key == "cust_grid_save"]
    if role in WRITERS:
        assert len(saves) == 1 and NO_WRITE not in _texts(app)
    else:
        assert saves == [] and NO_WRITE in _texts(app)


@pytest.mark.parametrize("role", ACTORS)
def test_promises_forms_actions_and_policies_follow_the_role(demo, monkeypatch, role):
    app = run_page(demo, monkeypatch, role, "promises.py", prom_selected=demo["promise_id"],
                   promises_now=f"{DEMO_AS_OF.isoformat()}T10:00:00")
    code_inputs = [i for i in app.text_input if i.key in ("prom_make_customer_q", "prom_complain_customer_q")]
    records = [b for b in app.button if b.key == "prom_detail_record"]
    policy_saves = [b for b in app.button if b.key and b.key.startswith("prom_pol_") and b.key.endswith("_save")]
    notice = [s for s in app.subheader if s.value == t("promises.notice.title", "en")]
    assert (len(code_inputs), len(records)) == ((2, 1) if role in WRITERS else (0, 0))
    assert (NO_WRITE in _texts(app)) == (role not in WRITERS)
    assert (len(policy_saves), len(notice)) == ((1, 1) if role in MANAGERS else (0, 0))
    assert (MANAGERS_ONLY in _texts(app)) == (role not in MANAGERS)


@pytest.mark.parametrize("role", ACTORS)
def test_the_churn_event_form_is_for_writers(demo, monkeypatch, role):
    app = run_page(demo, monkeypatch, role, "churn.py", churn_tab=t("churn.tab.reasons", "en"))
    assert (len(_buttons(app, "Save")) == 1) == (role in WRITERS)
    assert (NO_WRITE in _texts(app)) == (role not in WRITERS)


@pytest.mark.parametrize("role", ACTORS)
def test_the_survey_entry_forms_are_for_writers(demo, monkeypatch, role):
    app = run_page(demo, monkeypatch, role, "satisfaction.py", sat_tab=t("sat.tab.entry", "en"))
    forms = [label for label in ("Save answer", "Create wave", "Save visit") if _buttons(app, label)]
    assert forms == (["Save answer", "Create wave", "Save visit"] if role in WRITERS else [])
    assert (NO_WRITE in _texts(app)) == (role not in WRITERS)


@pytest.mark.parametrize("role", ACTORS)
def test_logging_a_greeting_is_disabled_with_the_reason_for_readers(demo, monkeypatch, role):
    app = run_page(demo, monkeypatch, role, "care.py", care_section="key_dates", as_of=DEMO_AS_OF,
                   care_dates_table={"selection": {"rows": [0], "columns": [], "cells": []}})
    (log,) = _buttons(app, "Log greeting / gift")
    assert log.disabled == (role not in WRITERS)
    assert (log.help or None) == (None if role in WRITERS else NO_WRITE)
    assert (NO_WRITE in _texts(app)) == (role not in WRITERS)
