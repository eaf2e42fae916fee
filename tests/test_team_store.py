"""Team mode's store (issue 19) on a real PostgreSQL: two TeamStores on one database stand for two
app processes (each has its own DuckDB copy and its own PostgreSQL connections)."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from crm_core import customers as cust
from crm_core.config import without_password
from crm_core.models import CustomerIn
from crm_core.scheduler import Job, ensure_jobs, every, run_due
from crm_core.team.store import TeamStore
from crm_core.team.writes import ConcurrentWrite, NotInTeamMode
from crm_core.users import LOCAL_USER


@pytest.fixture
def two(team_url):
    """Two processes' stores on one database, refreshed only when a test (or a write) says so."""
    first, second = TeamStore(team_url, refresh_seconds=0), TeamStore(team_url, refresh_seconds=0)
    yield first, second
    second.close()
    first.close()


def add(store, code, name="客户"):
    return cust.create_customer(store, LOCAL_USER, CustomerIn(code=code, name=name))


def in_postgres(url, sql, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_write_lands_in_postgresql_and_another_process_sees_it_after_its_refresh(two, team_url):
    first, second = two
    customer_id = add(first, "C1", "王永庆米店")
    assert in_postgres(team_url, "SELECT customer_id, code, name, version FROM customers") == [
        (customer_id, "C1", "王永庆米店", 1)]
    assert first.query_one("SELECT name FROM customers WHERE code = 'C1'") == ("王永庆米店",)  # at once
    assert second.query_one("SELECT count(*) FROM customers") == (0,)  # not refreshed yet
    generation = second.generation
    assert second.refresh() is True
    assert second.query_one("SELECT name FROM customers WHERE code = 'C1'") == ("王永庆米店",)
    assert second.generation == generation + 1  # cached reads of the old data end
    assert second.refresh() is False  # nothing new: the data version stays


def test_a_refresh_that_copies_something_logs_how_long_it_waited(two, caplog):
    first, second = two
    add(first, "C1")
    with caplog.at_level("INFO", logger="crm_core.team.store"):
        second.refresh()
        waited = second._copy.last_wait
        second.refresh()  # nothing new: no line
    lines = [r.getMessage() for r in caplog.records if r.name == "crm_core.team.store"]
    assert len(lines) == 1 and "the oldest change copied waited" in lines[0]
    assert float(lines[0].rsplit(" ", 2)[1]) == pytest.approx(waited, abs=1e-3) and waited > 0


def test_ids_drawn_in_two_processes_never_collide(two, team_url):
    first, second = two
    ids = [add(first, "C1"), add(second, "C2"), add(first, "C3")]
    assert ids == [1, 2, 3]  # the second process's write moved its copy's sequence past the first's id
    assert in_postgres(team_url, "SELECT customer_id, code FROM customers ORDER BY 1") == [(1, "C1"), (2, "C2"), (3, "C3")]
    assert in_postgres(team_url, "SELECT last_value FROM customer_id_seq") == [(3,)]


def test_an_edit_from_a_stale_copy_is_refused_as_in_one_process(two):
    first, second = two
    customer_id = add(first, "C1", "旧名")
    second.refresh()
    seen_by_second = cust.get_customer(second, LOCAL_USER, customer_id)
    cust.update_customer(first, LOCAL_USER, customer_id, CustomerIn(code="C1", name="新名"), expected_version=1)
    with pytest.raises(cust.StaleEdit):  # the second's copy is refreshed under the lock before the check
        cust.update_customer(second, LOCAL_USER, customer_id, CustomerIn(code="C1", name="另一个名"),
                             expected_version=seen_by_second["version"])
    assert second.query_one("SELECT name, version FROM customers") == ("新名", 2)


def test_a_change_made_in_postgresql_during_a_write_fails_the_write(two, team_url):
    """Someone with direct SQL access changes the row after the copy was refreshed for the write:
    the version check in PostgreSQL refuses to overwrite it."""
    first, _ = two
    customer_id = add(first, "C1", "旧名")
    with pytest.raises(ConcurrentWrite, match="customers"), first.transaction() as cur:
        with psycopg.connect(team_url, autocommit=True) as outside:
            outside.execute("UPDATE customers SET name = '外部', version = version + 1 WHERE customer_id = %s",
                            [customer_id])
        cur.execute("UPDATE customers SET name = '应用', version = version + 1 WHERE customer_id = ?", [customer_id])
    assert in_postgres(team_url, "SELECT name, version FROM customers") == [("外部", 2)]
    first.refresh()
    assert first.query_one("SELECT name, version FROM customers") == ("外部", 2)


def test_a_failed_write_leaves_neither_postgresql_nor_the_copy_changed(two, team_url):
    first, _ = two
    add(first, "C1")
    with pytest.raises(ZeroDivisionError), first.transaction() as cur:
        cur.execute("INSERT INTO customers (code, name) VALUES ('C2', 'x')")
        cur.execute("DELETE FROM customers WHERE code = 'C1'")
        raise ZeroDivisionError("the write fails half-way")
    assert in_postgres(team_url, "SELECT code FROM customers") == [("C1",)]
    assert first.query_df("SELECT code FROM customers")["code"].tolist() == ["C1"]


def test_a_statement_team_mode_cannot_carry_is_refused_and_nothing_lands(two, team_url):
    first, _ = two
    add(first, "C1")
    with pytest.raises(NotInTeamMode, match="TRUNCATE"), first.transaction() as cur:
        cur.execute("INSERT INTO customers (code, name) VALUES ('C2', 'x')")
        cur.execute("TRUNCATE customers")
    with pytest.raises(NotInTeamMode, match="another key"), first.transaction() as cur:
        cur.execute("UPDATE customers SET customer_id = 99 WHERE code = 'C1'")
    assert in_postgres(team_url, "SELECT customer_id, code FROM customers") == [(1, "C1")]


def test_statements_return_what_they_return_on_duckdb(two):
    first, _ = two
    with first.transaction() as cur:
        assert cur.execute("INSERT INTO customers (code, name) VALUES ('C1', 'a'), ('C2', 'b')").fetchone() == (2,)
        assert cur.execute("UPDATE customers SET name = 'c' WHERE code = 'C9'").fetchall() == [(0,)]
        returned = cur.execute("DELETE FROM customers WHERE code = 'C2' RETURNING code, name").fetchall()
        assert returned == [("C2", "b")]
        cur.execute("SELECT count(*) FROM customers").fetchone()  # a read left unfinished blocks nothing
        frame = cur.execute("INSERT INTO customers (code, name) VALUES ('C3', 'd') RETURNING customer_id, code").df()
        assert frame.to_dict("records") == [{"customer_id": 3, "code": "C3"}]


def test_the_check_finds_a_change_made_to_the_copy_only(two):
    first, _ = two
    add(first, "C1")
    assert first.differences_from_postgres() == []
    cur = first.cursor()
    cur.execute("UPDATE customers SET name = 'only in the copy'")  # behind the store's back
    cur.close()
    assert first.differences_from_postgres() == ["customers"]


def test_the_refresh_thread_brings_another_process_s_write(team_url):
    """The thread refreshes every REFRESH_SECONDS (2 s; the issue's bound is 5 s): the write shows
    without any call. Polled up to a minute so a loaded machine cannot fail it; the lag is measured
    in the load test, not asserted here."""
    writer = TeamStore(team_url, refresh_seconds=0)
    reader = TeamStore(team_url)
    try:
        add(writer, "C1")
        deadline = time.monotonic() + 60
        while reader.query_one("SELECT count(*) FROM customers") != (1,) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reader.query_one("SELECT code FROM customers") == ("C1",)
    finally:
        reader.close()
        writer.close()


def test_the_url_is_shown_without_its_password():
    assert without_password("postgresql://kehu:s3cr%40t@db.example:5432/crm") == "postgresql://kehu@db.example:5432/crm"
    assert without_password("postgresql:///crm") == "postgresql:///crm"


def test_a_due_job_runs_in_one_process_only(two):
    """Background work (promise warnings, model fits, class history) takes a job's lease with one
    write; team writes are serialised through PostgreSQL on a fresh copy, so two processes whose
    runners wake together run the job once."""
    first, second = two
    runs = []
    job = Job("team_test_job", every(timedelta(hours=1)), lambda store, now: runs.append(store.path) or {"runs": 1})
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    ensure_jobs(first, [job], now - timedelta(hours=2))  # first due an hour ago
    second.refresh()
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda store_owner: run_due(store_owner[0], now, store_owner[1], [job]),
                                 [(first, "process-1"), (second, "process-2")]))
    assert len(runs) == 1 and sorted(len(ran) for ran in outcomes) == [0, 1]
    assert in_postgres(first.url, "SELECT runs, lease_owner FROM scheduler_jobs WHERE job = 'team_test_job'") == [
        (1, None)]


def test_bookkeeping_from_another_process_arrives_without_ending_cached_reads(two):
    """A saved view (like a session or a job's lease) changes no figure: the embedded store keeps
    its data version for it (changes_data=False), and so does another team process."""
    from crm_core import saved_views

    first, second = two
    add(first, "C1")
    second.refresh()
    generation = second.generation
    saved_views.save(first, LOCAL_USER, "A customers", "pages/segmentation.py", "seg_tab=ABC")
    assert second.refresh() is False and second.generation == generation
    assert second.query_one("SELECT name FROM saved_views") == ("A customers",)  # the row did arrive
    add(first, "C2")
    assert second.refresh() is True and second.generation == generation + 1
