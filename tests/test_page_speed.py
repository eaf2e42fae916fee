"""The faster reads of issue 18 (pages that do not read transactions) give the answers of the
rules they replace, on small stores with numbers checkable by hand."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from crm_core import customer_search, demo
from crm_core.promises import BusinessCalendar, Promise, PromisePolicy, ledger
from crm_core.satisfaction import comments
from tests.promise_db import promise_connection

SH = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar.china()
# Calendar time, so each due is the made time + 4 h whatever the day.
CALLBACK = PromisePolicy(policy_id="callback", promise_type="response", target=timedelta(hours=4), clock="calendar")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def cur():
    con = promise_connection(CALLBACK)
    yield con
    con.close()


def make(cur, policy_id, made_at, owner="wang"):
    policy = ledger.load_policy(cur, policy_id)
    return ledger.make_promise(cur, Promise(customer_id=1, owner=owner, promise_type=policy.promise_type,
                                            policy_id=policy_id, policy_version=policy.version, made_at=made_at),
                               CHINA, owner)


def test_attainment_in_one_pass_equals_one_query_per_breakdown(cur):
    now, window = at(2025, 11, 20, 12), (at(2025, 11, 1), at(2025, 12, 1))
    for day, owner in ((3, "wang"), (4, "li"), (5, "li")):  # 3-minute check-ins, done after 1, 3, 5 minutes
        pid = make(cur, "hotel_check_in", at(2025, 11, day, 10), owner)
        ledger.record_event(cur, pid, "fulfilled", at(2025, 11, day, 10, 1 + day % 3 * 2), owner, CHINA)
    before = make(cur, "hotel_check_in", at(2025, 10, 5, 10))  # met in October: no outcome in November
    ledger.record_event(cur, before, "fulfilled", at(2025, 10, 5, 10, 1), "wang", CHINA)
    cancelled = make(cur, "hotel_check_in", at(2025, 11, 6, 10))
    ledger.record_event(cur, cancelled, "cancelled", at(2025, 11, 6, 10, 1), "wang", CHINA)
    make(cur, "callback", at(2025, 10, 20, 9), "li")  # open, due 20 Oct: breached, counted in November
    make(cur, "callback", at(2025, 11, 10, 9), "li")  # open, due 13:00 on 10 Nov: breached
    make(cur, "callback", at(2025, 11, 20, 11))  # open, due 15:00 after now: excluded
    make(cur, "callback", at(2025, 11, 30, 22))  # due 1 Dec 02:00: excluded, in December
    make(cur, "callback", at(2026, 1, 15, 9))  # due in January, past the window's months: excluded
    bys = (None, *ledger.SQL_BREAKDOWNS)
    together = ledger.attainment_breakdowns(cur, *window, now, bys)
    for by in bys:
        pd.testing.assert_frame_equal(together[by], ledger.attainment_counts(cur, *window, now, by=by))
    assert together[None].loc["all", ["met", "breached", "excluded"]].tolist() == [2, 3, 4]
    months = together["month"][["met", "breached", "excluded"]]
    assert months.to_dict("index") == {"2025-11": {"met": 2, "breached": 3, "excluded": 2},
                                       "2025-12": {"met": 0, "breached": 0, "excluded": 1},
                                       "2026-01": {"met": 0, "breached": 0, "excluded": 1}}
    assert together["owner"].loc["li", ["met", "breached", "excluded"]].tolist() == [1, 3, 0]
    # a rep's scope: li's promises only
    li = ledger.attainment_breakdowns(cur, *window, now, (None, "month"), rep_scope="li")
    assert li[None].loc["all", ["met", "breached", "excluded"]].tolist() == [1, 3, 0]
    pd.testing.assert_frame_equal(li["month"], ledger.attainment_counts(cur, *window, now, by="month", rep_scope="li"))


def test_demo_customers_left_counts_each_loaded_id_once(store):
    with store.transaction() as db:
        for i in range(1, 11):
            db.execute("INSERT INTO customers (customer_id, code, name) VALUES (?, ?, ?)", [i, f"C{i}", f"客户{i}"])
        db.execute("DELETE FROM customers WHERE customer_id = 4")  # a demo customer deleted
        # two loads overlapping on 5..6, and one of ids no longer (or never) in the file
        db.execute("INSERT INTO demo_loads (first_customer_id, last_customer_id) VALUES (2, 6), (5, 8), (40, 50)")
    assert demo.demo_customers_left(store) == 6  # 2, 3, 5, 6, 7, 8
    assert demo._merged_ranges([(2, 6), (5, 8), (9, 9), (40, 50)]) == [(2, 8), (9, 9), (40, 50)]


def test_repeated_comments_count_as_often_as_they_occur():
    said = ["送货太慢", None, "价格贵", "送货太慢", "slow delivery", "送货太慢"]
    words = comments.top_words(said, "auto")
    assert words.attrs["method"] == "jieba"
    assert dict(zip(words["word"], words["count"], strict=True)) == {
        "送货": 3, "太慢": 3, "价格": 1, "贵": 1, "slow": 1, "delivery": 1}
    assert words["share"].iloc[0] == pytest.approx(100 * 3 / 10)  # 10 word tokens in all
    assert words["word"].tolist()[:2] == ["送货", "太慢"]  # ties keep the order they first appear in


def test_search_without_lowercasing_only_for_text_nothing_lowercases_into(store):
    with store.transaction() as db:
        for i, (code, name) in enumerate([("C1", "王ABC"), ("C2", "abc王"), ("C3", "李四")], start=1):
            db.execute("INSERT INTO customers (customer_id, code, name) VALUES (?, ?, ?)", [i, code, name])
    uncased = customer_search._UNCASED_QUERY.fullmatch
    assert all(uncased(text) for text in ("王", "138", "(021)", "有限公司 1"))
    assert not any(uncased(text) for text in ("k", "c1", "é", "Ｗ", "王a"))
    condition, _ = customer_search.match("王")
    assert "lower(" not in condition.sql
    found = customer_search.find_customers(store, None, "王")
    assert found["code"].tolist() == ["C1", "C2"]  # both names contain 王, whatever their case
    assert customer_search.find_customers(store, None, "王abc")["code"].tolist() == ["C1"]  # the lowercase path


def test_the_performance_tab_computes_only_when_opened(demo_copy, monkeypatch):
    from crm_core.i18n import t
    from crm_core.promises import reports
    from crm_core.store import close_store
    from tests.test_pages import run_page

    monkeypatch.setenv("CRM_DB", str(demo_copy))
    calls = []
    real = reports.performance
    monkeypatch.setattr(reports, "performance", lambda *a, **k: calls.append(a) or real(*a, **k))
    try:
        now = "2026-06-30T12:00:00+08:00"
        app = run_page("promises.py", "en", promises_now=now)
        assert not app.exception, [e.value for e in app.exception]
        assert calls == [] and not [d for d in app.dataframe if "prom_perf" in str(d.key or "")]
        app = run_page("promises.py", "en", promises_now=now, prom_tab=t("promises.tab.performance", "en"))
        assert not app.exception, [e.value for e in app.exception]
        assert len(calls) == 1
        _, _, start, end, _ = calls[0]
        kept = real(*calls[0])["total"].loc["all"]
        shown = app.markdown.values
        assert any(f"{int(kept['met']):,}" in text and f"{int(kept['breached']):,}" in text for text in shown)
        assert (end - start).days == 365 and kept["met"] + kept["breached"] > 0
    finally:
        close_store(demo_copy)
