"""The Care page through Home.py in both languages: each list shows the numbers crm_core computes,
and one click logs the greeting for a selected key date."""
from __future__ import annotations

from datetime import timedelta

import pytest

from crm_core import demo
from crm_core.care import board
from crm_core.care.board import backtest_for, deliveries_this_week
from crm_core.care.replenishment import choose_methods, chosen_error
from crm_core.i18n import t
from crm_core.store import Store, close_store, open_store
from crm_core.users import LOCAL_USER
from tests.conftest import DEMO_AS_OF
from tests.test_pages import run_page

SECTIONS = ("key_dates", "absent", "replenish", "contacts")


@pytest.fixture
def demo_app(demo_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    return demo_db_path


def expected_counts(path) -> dict[str, int]:
    db = open_store(path)  # the process-wide store the app shares: closing it would break later page runs
    classes = board.customer_classes(db, DEMO_AS_OF)
    since = DEMO_AS_OF - timedelta(days=730)
    return {
        "key_dates": len(board.key_dates_ahead(db, LOCAL_USER, DEMO_AS_OF, 14, None, classes)),
        "absent": len(board.long_absent_ahead(db, LOCAL_USER, DEMO_AS_OF, 6)),
        "replenish": len(deliveries_this_week(db, LOCAL_USER, DEMO_AS_OF, 7, since=since, choice=chosen_methods(db))),
        "contacts": len(board.overdue_ahead(db, LOCAL_USER, DEMO_AS_OF, None, classes)),
    }


def chosen_methods(db):
    return choose_methods(backtest_for(db, LOCAL_USER, DEMO_AS_OF, since=DEMO_AS_OF - timedelta(days=730)))


@pytest.fixture(scope="module")
def counts(demo_db_path):
    return expected_counts(demo_db_path)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("section", SECTIONS)
def test_each_list_renders_with_the_computed_count(counts, demo_app, section, lang):
    app = run_page("care.py", lang, care_section=section, as_of=DEMO_AS_OF)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == {"zh": "客户关怀", "en": "Relationship care"}[lang]
    count = f"{counts[section]:,}"
    assert counts[section] > 0  # the demo data puts something on every list
    texts = [h.value for h in app.subheader] + [m.value for m in app.metric]
    if section == "replenish":
        assert app.metric[0].value == count
        mae = float(app.metric[1].value)
        assert 0 < mae < 60  # days; the demo's purchase cycles run 21–180 days
        db = open_store(demo_app)
        scores = backtest_for(db, LOCAL_USER, DEMO_AS_OF, since=DEMO_AS_OF - timedelta(days=730))
        chosen = choose_methods(scores)
        assert mae == round(chosen_error(scores, chosen)[1], 1)
        method = t(f"care.forecast.{chosen.overall}", lang)
        assert any(method in m.value for m in app.markdown), "the page names the method in use"
        shown = app.dataframe[0].value  # each method's error: n, mean, median
        assert len(shown) == 3 and shown.iloc[:, 1].tolist() == scores["n"][:3].tolist()  # counts stay numbers
    else:
        assert any(count in text for text in texts), (count, texts)
    if lang == "zh" and section == "key_dates":
        assert any("未来 14 天" in text for text in texts)
    assert app.dataframe, "the list is shown"


def test_the_rep_filter_narrows_every_list(counts, demo_app):
    app = run_page("care.py", "en", care_section="contacts", as_of=DEMO_AS_OF)
    reps = app.selectbox(key="care_rep").options
    app.selectbox(key="care_rep").set_value(reps[1]).run()
    assert not app.exception
    narrowed = int(app.subheader[0].value.split(" ")[0].replace(",", ""))
    assert 0 < narrowed < counts["contacts"]
    assert not any("Overdue contacts by rep" in e.label for e in app.expander)


def test_selecting_a_key_date_and_clicking_logs_the_greeting(tmp_path, monkeypatch):
    path = tmp_path / "crm.duckdb"
    db = Store(path)
    demo.load_demo(db, customers=200, as_of=DEMO_AS_OF)
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    state = {"care_section": "key_dates", "as_of": DEMO_AS_OF,
             "care_dates_table": {"selection": {"rows": [0], "columns": [], "cells": []}}}
    app = run_page("care.py", "zh", **state)
    assert not app.exception, [e.value for e in app.exception]
    app.selectbox(key="care_log_channel").set_value("gift")
    app.button(key="care_log").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.success and app.success[0].value.startswith("已为")
    close_store(path)
    db = Store(path)
    try:
        first = board.key_dates_ahead(db, LOCAL_USER, DEMO_AS_OF, 14, None,
                                      board.customer_classes(db, DEMO_AS_OF)).iloc[0]
        note = board.greeting_note(str(first["occasion"]), first["date"].date(), "zh")
        assert db.query_one("SELECT customer_id, channel FROM interactions WHERE note = ?", [note]) == (
            int(first["customer_id"]), "gift")
    finally:
        db.close()


@pytest.mark.parametrize("section, key", [("absent", "care_absent"), ("replenish", "care_due")])
def test_a_page_past_the_end_of_a_list_shows_its_last_page(counts, demo_app, section, key):
    """A list read with its count in one query from the page the picker was on: a page past the end
    (the list grew shorter) shows the last page."""
    app = run_page("care.py", "en", care_section=section, as_of=DEMO_AS_OF, **{f"{key}_page": 999})
    assert not app.exception, [e.value for e in app.exception]
    last = -(-counts[section] // 50)
    assert app.number_input(key=f"{key}_page").value == last  # absent: 2 of 2; deliveries: 1 of 1
    assert len(app.dataframe[-1].value) == counts[section] - (last - 1) * 50
