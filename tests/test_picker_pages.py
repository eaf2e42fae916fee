"""The customer picker on the pages (AppTest, zh and en): Customer 360, the promise form, the
sidebar search. Demo data (300 customers as of 2026-06-30): C0000009 广州瑞源商行 (广州, rep 周杰),
C0000011 北京明信酒店管理有限公司, three customers named 张… (C0000123 张娟辉, C0000213 张洋,
C0000282 张军宇)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.i18n import t
from crm_core.store import open_store
from crm_core.users import Actor
from tests.app_pages import page_app

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def run_page(name: str, lang: str, query: dict | None = None, **state) -> AppTest:
    return page_app(name, lang, query=query, **state)


def headers(app) -> list[str]:
    return [h.value for h in app.header]


def texts(app) -> list[str]:
    return [m.value for m in app.markdown] + [c.value for c in app.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_360_finds_by_pinyin_initials_and_puts_the_code_in_the_url(demo_app, lang):
    app = run_page("customer_360.py", lang)
    assert headers(app) == []
    app.text_input(key="c360_q").input("bjmx").run()  # 北京明信…: the only one, so chosen at once
    assert not app.exception
    assert headers(app) == ["北京明信酒店管理有限公司 · C0000011"]
    assert app.query_params["code"] == "C0000011"
    assert not [m for m in texts(app) if "C0000011" in m]  # the header says it: no second echo


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_360_offers_several_matches_to_choose_from(demo_app, lang):
    app = run_page("customer_360.py", lang)
    app.text_input(key="c360_q").input("张").run()
    assert headers(app) == []  # several: the user chooses
    pick = app.selectbox(key="c360_pick_张")
    labels = list(pick.options)  # as shown
    # the three named 张… first (shorter names first), then six whose contact person is a 张
    assert labels[:3] == ["张洋 · C0000213 · 天津", "张娟辉 · C0000123 · 哈尔滨", "张军宇 · C0000282 · 郑州"]
    assert len(labels) == 9 and labels[3] == f"宋桂 · C0000104 · 济南 · {t('find.contact', lang, name='张佳帆')}"
    pick.set_value(213).run()
    assert headers(app) == ["张洋 · C0000213"]
    assert app.query_params["code"] == "C0000213"


def test_360_link_with_a_code_still_opens_the_customer(demo_app):
    app = run_page("customer_360.py", "en", query={"code": "C0000009"})
    assert headers(app) == ["广州瑞源商行 · C0000009"]


def test_a_rep_cannot_find_another_reps_customer(demo_app):
    rep = Actor("吴霞", "rep")  # owns C0000007 and C0000008, not 周杰's C0000009
    app = run_page("customer_360.py", "en", actor=rep)
    app.text_input(key="c360_q").input("C0000009").run()
    assert headers(app) == []
    assert "No customer you may see matches “C0000009”." in texts(app)
    app.text_input(key="c360_q").input("C0000007").run()
    assert headers(app) == ["董英 · C0000007"]
    link = run_page("customer_360.py", "en", query={"code": "C0000009"}, actor=rep)
    assert headers(link) == [] and [w.value for w in link.warning] == [
        "No customer with code C0000009: check the code."]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_promise_form_finds_by_name_and_echoes_it(demo_app, lang):
    app = run_page("promises.py", lang, promises_now=NOW.isoformat())
    app.text_input(key="prom_make_customer_q").input("广州瑞源").run()
    echo = t("find.chosen", lang, customer="**广州瑞源商行 · C0000009 · 广州**")
    assert f":material/person: {echo}" in texts(app)
    app.selectbox(key="prom_make_policy").set_value("hotel_check_in").run()
    app.button(key="prom_make_submit").click().run()
    assert not app.exception, [e.value for e in app.exception]
    row = open_store(demo_app).query_one("SELECT customer_id, made_at FROM promises ORDER BY promise_id DESC LIMIT 1")
    assert row == (9, NOW)


def test_the_sidebar_search_links_to_customer_360(demo_app):
    app = run_page("overview.py", "zh")
    app.sidebar.text_input(key="global_find_q").input("gzry").run()
    assert not app.exception
    found = [link for link in app.get("page_link") if "customer_360" in link.proto.page]  # not the cards' links
    assert [link.proto.label for link in found] == ["广州瑞源商行 · C0000009 · 广州"]
    assert "code=C0000009" in str(found[0].proto)




@pytest.mark.parametrize("lang", ["zh", "en"])
def test_survey_entry_links_the_customer_found_or_stays_anonymous(demo_app, lang):
    app = run_page("satisfaction.py", lang, sat_tab=t("sat.tab.entry", lang))
    submit = [b for b in app.button if b.label == t("sat.save_answer", lang)]
    assert len(submit) == 1
    app.text_input(key="sat_form_customer_q").input("gzry").run()
    assert f":material/person: {t('find.chosen', lang, customer='**广州瑞源商行 · C0000009 · 广州**')}" in texts(app)
    app.selectbox(key="sat_form_rec").set_value(9)
    [b for b in app.button if b.label == t("sat.save_answer", lang)][0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    db = open_store(demo_app)
    assert db.query_one("SELECT customer_id, recommend FROM survey_responses ORDER BY response_id DESC LIMIT 1") == (
        9, 9)
    app.button(key="sat_form_customer_clear").click().run()  # "no customer": the next answer is anonymous
    assert t("find.nobody", lang) in texts(app)
    [b for b in app.button if b.label == t("sat.save_answer", lang)][0].click().run()
    assert db.query_one("SELECT customer_id FROM survey_responses ORDER BY response_id DESC LIMIT 1") == (None,)
