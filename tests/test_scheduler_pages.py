"""The scheduler on the pages (issue 20): the Admin page's "Scheduled jobs" section and its "run now",
and the sidebar's badge of the signed-in user's own promises — on a hand-made store whose numbers
can be counted by hand. AppTest runs Home.py as a script (no st.App): no runner thread starts here."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from crm_core import scheduler, sessions
from crm_core.promises import actions, ledger, queries
from crm_core.promises import demo as promises_demo
from crm_core.users import Actor
from tests.app_pages import page_app

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=SH)
ADMIN = Actor("root", "admin")
BOSS = Actor("boss", "manager", "老板")
WANG = Actor("wang", "rep", "王", ("wang",))


@pytest.fixture
def promised(store):
    """Two customers (wang's and li's) and six promises, due relative to NOW:
    wang's own: 1 overdue, 2 due within 24 h; li's to wang's customer: overdue; boss's own: due in
    5 h; li's to li's customer: due in two days."""
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, customer_type, sales_rep) VALUES "
                    "(1, 'C1', '东方饭店', 'corporate', 'wang'), (2, 'C2', 'Li Ltd', 'corporate', 'li')")
        ledger.install_presets(cur)
        ledger.save_policy(cur, promises_demo.DEMO_POLICIES[0], "admin")
    for customer, owner, due_in in ((1, "wang", -1), (1, "wang", 2), (1, "wang", 3), (1, "li", -2),
                                    (2, "boss", 5), (2, "li", 48)):
        actions.make_promise(store, BOSS, customer, "sales_callback", NOW - timedelta(hours=3), owner=owner,
                             due_at=NOW + timedelta(hours=due_in))
    return store


def test_own_and_visible_counts_by_hand(promised):
    assert queries.due_counts(promised, WANG, NOW) == {  # sees customer 1's four promises; owns three
        "overdue": 2, "due_24h": 2, "own_open": 3, "own_overdue": 1, "own_due_24h": 2}
    assert queries.due_counts(promised, BOSS, NOW) == {
        "overdue": 2, "due_24h": 3, "own_open": 1, "own_overdue": 0, "own_due_24h": 1}
    assert queries.due_counts(promised, Actor("ana", "analyst"), NOW)["own_open"] == 0
    headline = queries.overview(promised, BOSS, NOW)
    assert (headline["overdue"], headline["due_24h"]) == (2, 3)  # the same rules as the Promises page


def _sidebar(app):
    texts = [m.value for m in app.sidebar.get("markdown")]
    badges = [text for text in texts if "-badge[" in text]
    warnings = [w.value for w in app.sidebar.warning]
    return badges, warnings


@pytest.mark.parametrize(("user", "lang", "badge", "visible"), [
    (WANG, "en", "My promises :red-badge[1 overdue] :orange-badge[2 due within 24 h]",
     "2 overdue · 2 due within 24 h"),
    (BOSS, "zh", "我的承诺 :gray-badge[逾期 0] :orange-badge[24小时内到期 1]", "已超时 2 个 · 24小时内到期 3 个"),
    (Actor("ana", "analyst"), "en", None, "2 overdue · 3 due within 24 h"),
])
def test_the_sidebar_badge_shows_the_users_own_promises(promised, monkeypatch, user, lang, badge, visible):
    monkeypatch.setenv("CRM_DB", promised.path)
    app = page_app("promises.py", lang, actor=user, promises_now=NOW.isoformat())
    assert not app.exception, [e.value for e in app.exception]
    badges, warnings = _sidebar(app)
    assert badges == ([badge] if badge else [])
    assert warnings == [visible]


def test_the_admin_page_shows_each_job_and_runs_one_now(store, monkeypatch):
    with store.transaction() as cur:
        cur.executemany("INSERT INTO sessions VALUES (?, 'u', ?, ?, ?, NULL)", [
            ("old1", NOW - timedelta(days=9), NOW - timedelta(days=8), NOW - timedelta(days=2)),
            ("old2", NOW - timedelta(days=2), NOW - timedelta(days=1), NOW + timedelta(days=5))])
    failing = scheduler.Job("segment_history", scheduler.daily(datetime.min.time()),
                            lambda db, now: 1 / 0)
    scheduler.run_now(store, ADMIN, "sessions_cleanup", NOW)
    scheduler.run_now(store, ADMIN, "segment_history", NOW)
    never = scheduler.Job("weekly_report", scheduler.weekly(0, datetime.min.time()), lambda db, now: {})
    jobs = (sessions.SESSIONS_CLEANUP, failing, never)
    scheduler.run_due(store, NOW, "test", jobs)  # the weekly one is first seen: due next Monday
    monkeypatch.setattr(scheduler, "registered_jobs", lambda: jobs)
    monkeypatch.setenv("CRM_DB", store.path)

    app = page_app("admin.py", "en", actor=ADMIN)
    assert not app.exception, [e.value for e in app.exception]
    assert "Scheduled jobs" in [h.value for h in app.subheader]
    grid = next(frame.value for frame in app.dataframe if "Next run" in frame.value.columns)
    rows = grid.set_index("Job")
    cleanup, history = rows.loc["Clean up ended sessions"], rows.loc["Record the class history"]
    assert (cleanup["Outcome"], cleanup["What it did"], cleanup["Failures in a row"]) == (
        "OK", "2 ended sessions removed · 0 old failed sign-ins removed", 0)
    assert cleanup["Next run"].strftime("%Y-%m-%d %H:%M") == "2026-07-01 03:30"
    assert (history["Outcome"], history["Failures in a row"]) == ("Failed", 1)
    assert history["Last error"] == "ZeroDivisionError: division by zero"
    report = rows.loc["Weekly management report"]
    assert (report["Outcome"], report["What it did"], report["Failures in a row"]) == ("Not run yet", "", 0)
    assert report["Next run"].strftime("%Y-%m-%d %H:%M") == "2026-07-06 00:00" and pd.isna(report["Last run"])
    assert [w.value for w in app.warning] == ["1 job is failing: see the last error in the table."]
    assert any(c.value.startswith("The scheduler does not run in this process") for c in app.caption)
    assert scheduler.current_runner() is None  # a page script never starts the runner

    app.selectbox(key="adm_job_pick").select("sessions_cleanup")
    app.button(key="adm_job_run").click().run()
    assert [s.value for s in app.success] == [
        "Clean up ended sessions is due now: it runs at the next check of the process where the scheduler is on."]
    (due,) = store.query_one("SELECT next_run_at FROM scheduler_jobs WHERE job = 'sessions_cleanup'")
    assert abs((due - datetime.now(SH)).total_seconds()) < 120  # due now (the page's wall clock)
    assert store.query_one("SELECT actor, field FROM audit_log WHERE action = 'scheduler_run_now'"
                           " ORDER BY logged_at DESC LIMIT 1") == ("root", "sessions_cleanup")


def test_a_manager_sees_no_scheduled_jobs(store, monkeypatch):
    monkeypatch.setenv("CRM_DB", store.path)
    app = page_app("admin.py", "zh", actor=BOSS)
    assert not app.exception
    assert "计划任务" not in [h.value for h in app.subheader]


def test_a_runs_counts_read_as_words_in_both_languages():
    from ui.scheduler import result_words

    weekly = {"queued": 2, "pdf": True, "sent": 1, "retrying": 1, "failed": 0}
    assert result_words(weekly, "en") == "2 messages queued · as a PDF · 1 sent · 1 to retry · 0 could not be sent"
    assert result_words({"skipped": "sent_this_week"}, "zh") == "已跳过：本周已发送"
    assert result_words({"months": 1}, "en") == "1 month recorded"
    assert result_words({"mystery": 1204}, "en") == "mystery: 1,204"  # a count the catalog does not know
    assert result_words({}, "zh") == "无需处理"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_scheduled_job_has_a_title_in_both_languages(lang):
    """The Admin page names each job by its catalog title, never its code name ('promise_fits' was
    shown raw in both languages)."""
    from crm_core import capabilities
    from ui.scheduler import job_title

    names = [job.name for job in capabilities.jobs()]
    assert len(names) >= 10
    assert [name for name in names if job_title(name, lang) == name] == []
