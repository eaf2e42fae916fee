"""The scheduler (issue 20): due jobs run once, failures are recorded and do not stop the others, two
runners never run a job twice, a restart after missed runs runs a job once, "run now" is audited.
The clock is injected everywhere; nothing here waits for the wall clock."""
from __future__ import annotations

import threading
import time as wall
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_core import scheduler, sessions
from crm_core.scheduler import Job, daily, every, run_due, run_now, weekly
from crm_core.users import Actor, PermissionDenied

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 4, 10, 0, 30, tzinfo=ZONE)  # a Friday, half a minute past ten
ADMIN = Actor("root", "admin")


class Counter:
    """A job body that counts its runs and returns what it was told to."""

    def __init__(self, result=None, fail: str | None = None, pause: float = 0.0):
        self.calls: list[datetime] = []
        self.result, self.fail, self.pause = result or {"done": 1}, fail, pause
        self.lock = threading.Lock()

    def __call__(self, store, now):
        with self.lock:
            self.calls.append(now)
        if self.pause:
            wall.sleep(self.pause)
        if self.fail:
            raise RuntimeError(self.fail)
        return self.result


def state(store, name: str) -> dict:
    return scheduler.job_states(store, ADMIN, [Job(name, every(timedelta(minutes=1)), Counter())]).iloc[0].to_dict()


def test_rules_give_the_next_time_strictly_after():
    minute = every(timedelta(minutes=1))
    assert minute(T0) == datetime(2026, 12, 4, 10, 1, tzinfo=ZONE)
    assert minute(datetime(2026, 12, 4, 10, 1, tzinfo=ZONE)) == datetime(2026, 12, 4, 10, 2, tzinfo=ZONE)
    assert every(timedelta(hours=1))(T0) == datetime(2026, 12, 4, 11, 0, tzinfo=ZONE)
    assert daily(time(3, 30))(T0) == datetime(2026, 12, 5, 3, 30, tzinfo=ZONE)
    assert daily(time(11, 0))(T0) == datetime(2026, 12, 4, 11, 0, tzinfo=ZONE)
    assert weekly(0, time(8, 0))(T0) == datetime(2026, 12, 7, 8, 0, tzinfo=ZONE)  # the next Monday
    assert weekly(4, time(8, 0))(T0) == datetime(2026, 12, 11, 8, 0, tzinfo=ZONE)  # Friday 08:00 has passed
    with pytest.raises(ValueError):
        every(timedelta(0))


def test_a_due_job_runs_once_and_its_next_run_follows_the_rule(store):
    body = Counter({"sent": 3})
    job = Job("tick", every(timedelta(minutes=1)), body)
    assert run_due(store, T0, "a", [job]) == []  # first seen: due at 10:01, not before
    assert state(store, "tick")["next_run_at"] == datetime(2026, 12, 4, 10, 1, tzinfo=ZONE)
    at = datetime(2026, 12, 4, 10, 1, 5, tzinfo=ZONE)
    [outcome] = run_due(store, at, "a", [job])
    assert (outcome.ok, outcome.result, outcome.next_run_at) == (True, {"sent": 3}, datetime(2026, 12, 4, 10, 2, tzinfo=ZONE))
    assert run_due(store, at + timedelta(seconds=30), "a", [job]) == []  # 10:01:35: not due again
    assert body.calls == [at]
    row = state(store, "tick")
    assert row["last_ok"] and row["failures"] == 0 and row["runs"] == 1 and row["last_result"] == {"sent": 3}
    assert row["last_started_at"] == at and row["lease_owner"] is None
    assert row["last_finished_at"] >= row["last_started_at"]


def test_a_failing_job_is_recorded_and_the_others_still_run(store):
    bad, good = Counter(fail="SMTP refused " + "x" * 3000), Counter({"months": 1})
    jobs = [Job("bad", every(timedelta(minutes=1)), bad), Job("good", every(timedelta(minutes=1)), good)]
    run_due(store, T0, "a", jobs)
    for minute in (1, 2):
        outcomes = run_due(store, T0 + timedelta(minutes=minute), "a", jobs)
        assert [(o.job, o.ok) for o in outcomes] == [("bad", False), ("good", True)]
    row = state(store, "bad")
    assert row["failures"] == 2 and not row["last_ok"] and row["runs"] == 2
    assert row["last_error"].startswith("RuntimeError: SMTP refused xxx") and len(row["last_error"]) == 2000
    assert row["next_run_at"] == datetime(2026, 12, 4, 10, 3, tzinfo=ZONE)  # retried at its next time
    assert len(good.calls) == 2 and state(store, "good")["failures"] == 0
    bad.fail = None
    run_due(store, T0 + timedelta(minutes=3), "a", jobs)
    assert state(store, "bad")["failures"] == 0 and state(store, "bad")["last_error"] is None


def test_two_runners_at_once_run_a_job_exactly_once(store):
    body = Counter(pause=0.3)  # long enough for the other runner to try while it runs
    job = Job("once", every(timedelta(minutes=1)), body)
    run_due(store, T0, "setup", [job])
    at, start = T0 + timedelta(minutes=1), threading.Barrier(2)
    ran: dict[str, list] = {}

    def runner(owner):
        start.wait()
        ran[owner] = run_due(store, at, owner, [job])

    threads = [threading.Thread(target=runner, args=(owner,)) for owner in ("p1", "p2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(body.calls) == 1
    assert sorted(len(outcomes) for outcomes in ran.values()) == [0, 1]


def test_after_a_restart_a_job_that_missed_runs_runs_once(store):
    body = Counter()
    job = Job("minutely", every(timedelta(minutes=1)), body)
    run_due(store, T0, "before", [job])
    run_due(store, T0 + timedelta(minutes=1), "before", [job])
    later = T0 + timedelta(minutes=45)  # the app was down for 44 missed runs
    assert len(run_due(store, later, "after-restart", [job])) == 1
    assert run_due(store, later + timedelta(seconds=10), "after-restart", [job]) == []
    assert len(body.calls) == 2
    assert state(store, "minutely")["next_run_at"] == datetime(2026, 12, 4, 10, 46, tzinfo=ZONE)


def test_a_lease_left_by_a_dead_runner_expires(store):
    body = Counter()
    job = Job("leased", every(timedelta(minutes=1)), body, lease=timedelta(minutes=10))
    run_due(store, T0, "a", [job])
    at = T0 + timedelta(minutes=1)
    assert scheduler._take_lease(store, job, at, "died")  # took it, then the process died
    assert run_due(store, at + timedelta(minutes=5), "new", [job]) == []
    assert len(run_due(store, at + timedelta(minutes=11), "new", [job])) == 1
    assert len(body.calls) == 1


def test_run_now_makes_a_job_due_and_is_audited(store):
    body = Counter()
    job = Job("nightly", daily(time(3, 0)), body)
    run_due(store, T0, "a", [job])
    assert run_due(store, T0 + timedelta(minutes=5), "a", [job]) == []
    with pytest.raises(PermissionDenied):
        run_now(store, Actor("boss", "manager"), "nightly", T0)
    run_now(store, ADMIN, "nightly", T0 + timedelta(minutes=5))
    assert len(run_due(store, T0 + timedelta(minutes=5), "a", [job])) == 1
    assert state(store, "nightly")["next_run_at"] == datetime(2026, 12, 5, 3, 0, tzinfo=ZONE)
    assert store.query_one("SELECT actor, field FROM audit_log WHERE action = 'scheduler_run_now'") == ("root", "nightly")


def test_the_registered_jobs_include_the_nightly_clean_ups():
    names = [job.name for job in scheduler.registered_jobs()]
    assert names[:2] == ["sessions_cleanup", "segment_history"]


def test_sessions_cleanup_deletes_ended_sessions_and_old_failures(store):
    now = T0
    with store.transaction() as cur:
        cur.executemany("INSERT INTO sessions VALUES (?, 'u', ?, ?, ?, NULL)", [
            ("live", now - timedelta(hours=1), now - timedelta(hours=1), now + timedelta(days=6)),
            ("idle", now - timedelta(days=1), now - timedelta(hours=13), now + timedelta(days=6)),
            ("expired", now - timedelta(days=8), now - timedelta(hours=1), now - timedelta(minutes=1))])
        cur.executemany("INSERT INTO sign_in_failures VALUES ('u', NULL, ?)",
                        [[now - timedelta(hours=2)], [now - timedelta(days=2)]])
    assert run_due(store, now, "a", [sessions.SESSIONS_CLEANUP]) == []  # first seen: due at 03:30 tomorrow
    run_now(store, ADMIN, "sessions_cleanup", now)
    [outcome] = run_due(store, now, "a", [sessions.SESSIONS_CLEANUP])
    assert outcome.result == {"sessions": 2, "sign_in_failures": 1}
    assert store.query_one("SELECT list(token_hash) FROM sessions")[0] == ["live"]


def test_the_runner_ticks_on_the_store_it_is_given(store, monkeypatch):
    body = Counter()
    job = Job("soon", every(timedelta(seconds=1)), body)
    runner = scheduler.Runner(lambda: store, tick=0.05)
    monkeypatch.setattr(scheduler, "registered_jobs", lambda: (job,))
    try:
        runner.start()
        deadline = wall.monotonic() + 10
        while not body.calls and wall.monotonic() < deadline:
            wall.sleep(0.05)
    finally:
        runner.stop()
    assert body.calls and body.calls[0].tzinfo is not None
    assert scheduler.Runner(lambda: None).tick_once() == []  # no store open yet: nothing to do


def test_the_server_lifespan_starts_one_runner_and_stops_it(tmp_path, monkeypatch):
    """Home.py's st.App lifespan (ui.scheduler): one runner per process, on the app's store only once
    this process has opened it; none with CRM_SCHEDULER=off."""
    import asyncio

    from crm_core.store import close_store, open_store
    from ui.scheduler import _app_store_if_open, server_lifespan

    monkeypatch.setenv("CRM_DB", str(tmp_path / "app.duckdb"))
    seen = []

    async def serve():
        async with server_lifespan(None):
            seen.append((scheduler.current_runner(), scheduler.start_runner(_app_store_if_open)))

    asyncio.run(serve())
    (first, second), = seen
    assert first is not None and second is first and not first.thread.is_alive()
    assert scheduler.current_runner() is None
    assert _app_store_if_open() is None and not (tmp_path / "app.duckdb").exists()  # never creates the file
    opened = open_store(tmp_path / "app.duckdb")
    try:
        assert _app_store_if_open() is opened
    finally:
        close_store(tmp_path / "app.duckdb")
    monkeypatch.setenv("CRM_SCHEDULER", "off")
    seen.clear()
    asyncio.run(serve())
    assert seen == [(None, None)]


def test_run_now_during_a_run_is_kept_and_a_broken_rule_is_recorded(store):
    ran_now = {}

    def body(db, now):  # an admin presses "run now" while the job runs
        if not ran_now:
            run_now(db, ADMIN, "busy", now + timedelta(seconds=20))
            ran_now["done"] = True
        return {}

    job = Job("busy", every(timedelta(hours=1)), body)
    run_due(store, T0, "a", [job])
    assert run_due(store, T0 + timedelta(hours=1), "a", [job])[0].ok  # 11:00:30
    assert state(store, "busy")["next_run_at"] == T0 + timedelta(hours=1, seconds=20)  # not 12:00

    def broken(after):
        raise ValueError("no such weekday")

    [outcome] = run_due(store, T0, "a", [Job("broken", broken, lambda db, now: {})])  # due at once, says why
    assert not outcome.ok and outcome.error == "ValueError: no such weekday"
    assert outcome.next_run_at == T0 + timedelta(hours=1)
