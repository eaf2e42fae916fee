"""What the performance tab keeps of the closed promises (crm_core.promises.fits, migration 032):
hand-counted kept rows and a window read from them, the same answers kept and live on the demo
(many windows, whole days and part-days, a manager, a viewer; a rep always live), the live tables
as they were before (tests/reference.py), and a promise write making the fits stale until the
job refits them."""
from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import model_fits
from crm_core.promises import actions, fits, ledger, queries, reports
from crm_core.store import Store
from crm_core.users import Actor
from tests.reference import (
    clock_comparison_reference,
    compensation_table_reference,
    overrun_table_reference,
    remedies_by_key_reference,
)

TZ = ZoneInfo("Asia/Shanghai")
MANAGER, VIEWER = Actor("boss", "manager"), Actor("v", "viewer")
NOW = datetime(2026, 3, 5, 9, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def small(store):
    """Six promises of the hotel check-in policy (calendar clock) and a remedy:
    1 met 03-01 10:00 (王), 2 breached 03-01 23:30 (王, 600 s late, a ¥30 remedy granted then),
    3 cancelled 03-02 08:00 (李), 4 met 03-03 09:00 (李); 5 open, due 03-02 12:00 (overdue);
    6 open, due 03-10. One 'made' event each (the ledger the fits record)."""
    actions.ensure_presets(store)
    rows = [("王", "met", at(1, 10), None), ("王", "breached", at(1, 23, 30), 600.0),
            ("李", "cancelled", at(2, 8), None), ("李", "met", at(3, 9), None),
            ("李", "open", None, None), ("王", "open", None, None)]
    dues = {5: at(2, 12), 6: at(10, 12)}
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, sales_rep) VALUES (1, 'K1', '客户', '王')")
        for pid, (owner, status, closed, overrun) in enumerate(rows, start=1):
            due = dues.get(pid) or (closed - timedelta(seconds=overrun or 0) if status == "breached" else at(10, 0))
            (made,) = cur.execute(
                "INSERT INTO promises (customer_id, owner, promise_type, policy_id, policy_version, clock,"
                " customer_class, made_at, due_at, warn1_at, warn2_at, status, closed_at, overrun_seconds)"
                " VALUES (1, ?, 'check_in', 'hotel_check_in', 1, 'calendar', 'A', ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING promise_id", [owner, at(1, 0), due, due, due, status, closed, overrun]).fetchone()
            assert made == pid
            cur.execute("INSERT INTO promise_events (promise_id, kind, \"at\", actor) VALUES (?, 'made', ?, 'x')",
                        [pid, at(1, 0)])
        cur.execute("INSERT INTO remedies (promise_id, key, cost, granted_at) VALUES (2, 'fruit_plate', 30, ?)",
                    [at(1, 23, 30)])
    return store


def fit_all(db: Store) -> dict:
    for fitter in fits.FITTERS:
        model_fits.fit_one(db, fitter, NOW.date(), NOW)
    with closing(db.system_cursor()) as cur:
        return fits.kept_fits(cur)


def live(monkeypatch):
    """The tab as it is without a kept fit."""
    monkeypatch.setattr(fits, "kept_fits", lambda cur, models=None: {})


def totals(db: Store, start: datetime, end: datetime, actor: Actor = MANAGER) -> list[int]:
    row = reports.performance(db, actor, start, end, NOW)["total"].loc["all"]
    return [int(row["met"]), int(row["breached"]), int(row["excluded"])]


def test_kept_rows_hand_counted(small):
    kept = fit_all(small)
    assert set(kept) == {fits.OUTCOMES, fits.REMEDIES, fits.OVERRUNS, fits.CLOCKS}
    outcomes = small.query_df("SELECT day, owner, status, due_at, n FROM fit_promise_outcomes WHERE fit_id = ?"
                              " ORDER BY day NULLS FIRST, owner, status", [kept[fits.OUTCOMES].fit_id])
    assert [(None if pd.isna(d) else d.day, o, s, n) for d, o, s, n in
            outcomes[["day", "owner", "status", "n"]].itertuples(index=False)] == [
        (None, "李", "open", 1), (None, "王", "open", 1),  # the open promises, one row each
        (1, "王", "breached", 1), (1, "王", "met", 1), (2, "李", "cancelled", 1), (3, "李", "met", 1)]
    assert small.query_one("SELECT day, key, owed_count, owed_cost, delivered_count FROM fit_promise_remedies") == (
        at(1, 0).date(), "fruit_plate", 1, 30, 0)
    assert small.query_one("SELECT overrun_seconds, wall_seconds FROM fit_promise_overruns") == (600.0, 600.0)
    assert small.query_one("SELECT count(*) FROM fit_promise_clocks") == (0,)  # no business-hours promise
    assert kept[fits.OUTCOMES].params == {"ledger": [6, 6], "timezone": "Asia/Shanghai"}


def test_a_window_read_from_whole_kept_days_and_live_part_days(small, monkeypatch):
    fit_all(small)
    # [03-01 12:00, 03-03 08:30): 03-02 a whole kept day (3 cancelled), 03-01 12:00-24:00 live (2 breached),
    # 03-03 00:00-08:30 live (nothing: 4 closed at 09:00); 5 open and overdue, 6 open and not due yet
    start, end = at(1, 12), at(3, 8, 30)
    with closing(small.system_cursor()) as cur:
        days = fits.kept_days(cur, fits.kept_fits(cur)[fits.OUTCOMES], start, end)
    assert (days.first.day, days.stop.day, days.live) == (2, 3, ((start, at(2, 0)), (at(3, 0), end)))
    assert totals(small, start, end) == [0, 2, 2]
    small.write(lambda cur: cur.execute("UPDATE fit_promise_outcomes SET n = 5 WHERE status = 'cancelled'"))
    assert totals(small, start, end) == [0, 2, 6]  # the kept day is what is read
    assert totals(small, at(1, 0), at(4, 0)) == [2, 2, 6]  # whole days only: 1 and 4 met, 2 and 5 breached
    # no whole day: live (1 met; 5 fell due after this window ended: no outcome in it; 6 not due)
    assert totals(small, at(1, 9), at(1, 23)) == [1, 0, 1]
    live(monkeypatch)
    assert totals(small, start, end) == [0, 2, 2]


def test_a_promise_written_makes_the_kept_fits_stale_until_the_job_refits(small):
    fit_all(small)
    made = actions.make_promise(small, MANAGER, 1, "hotel_check_in", at(4, 10))  # an event: the ledger moved on
    with closing(small.system_cursor()) as cur:
        assert fits.kept_fits(cur) == {}
    actions.record(small, MANAGER, made, "fulfilled", at(4, 10, 2))  # within its 3 minutes: met
    assert totals(small, at(1, 0), at(5, 0)) == [3, 2, 2]  # live: 1, 4 and the new one met
    assert model_fits.refit_stale(small, fits.FITTERS, NOW) == {"fitted": 4}
    assert model_fits.refit_stale(small, fits.FITTERS, NOW) == {"fitted": 0}
    with closing(small.system_cursor()) as cur:
        assert set(fits.kept_fits(cur)) == {fits.OUTCOMES, fits.REMEDIES, fits.OVERRUNS, fits.CLOCKS}
    assert totals(small, at(1, 0), at(5, 0)) == [3, 2, 2]
    assert model_fits.job_name_of(fits.OUTCOMES) == "promise_fits"


def test_a_fit_made_in_another_time_zone_is_not_read(small):
    fit_all(small)
    utc = Store(small.path, "UTC")  # the same file, its days counted in UTC
    try:
        with closing(utc.system_cursor()) as cur:
            assert fits.kept_fits(cur) == {}  # the kept days are Shanghai's
    finally:
        utc.close()


# -- the demo: kept and live agree, and live is what it was -----------------------------------
def _all_tables(result: dict) -> dict:
    return {"total": result["total"], **{f"by_{b}": t for b, t in result["by"].items()},
            **{k: result[k] for k in ("overrun", "compensation", "remedies", "clocks")}}


def _windows(db: Store) -> list[tuple[datetime, datetime]]:
    (last,) = db.query_one("SELECT max(closed_at) FROM promises")
    last = last.astimezone(TZ)
    ends = [last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1),  # a midnight
            last.replace(second=0, microsecond=0) - timedelta(hours=5, minutes=13),  # mid-day
            last + timedelta(days=40)]  # after the data
    return [(end - timedelta(days=days), end) for end in ends for days in (1, 2, 30, 365)]


def test_kept_and_live_agree_on_the_demo(demo_store, monkeypatch):
    with closing(demo_store.system_cursor()) as cur:
        assert set(fits.kept_fits(cur)) == {fits.OUTCOMES, fits.REMEDIES, fits.OVERRUNS, fits.CLOCKS}
    windows = _windows(demo_store)
    kept = {(actor.role, w): _all_tables(reports.performance(demo_store, actor, *w, w[1]))
            for actor in (MANAGER, VIEWER) for w in windows}
    live(monkeypatch)
    decided = 0
    for (role, window), tables in kept.items():
        actor = MANAGER if role == "manager" else VIEWER
        for name, table in _all_tables(reports.performance(demo_store, actor, *window, window[1])).items():
            assert_frame_equal(tables[name], table, check_exact=True, obj=f"{role} {window} {name}")
        decided += int(tables["total"].loc["all", "met"] + tables["total"].loc["all", "breached"])
    assert decided > 1000  # the windows hold promises (the demo's year: ~900 decided)


def test_a_rep_is_counted_live(demo_store, monkeypatch):
    rep = Actor(demo_store.query_one("SELECT min(owner) FROM promises")[0], "rep")
    monkeypatch.setattr(fits, "kept_fits", lambda cur, models=None: pytest.fail("a rep reads kept fits"))
    start, end = _windows(demo_store)[3]
    result = reports.performance(demo_store, rep, start, end, end)
    with closing(demo_store.system_cursor()) as cur:
        mine = ledger.attainment_counts(cur, start, end, end, rep_scope=rep.rep_scope)
    assert_frame_equal(result["total"], mine)


@pytest.mark.parametrize("role", ["manager", "rep"])
def test_live_tables_are_what_they_were(demo_store, monkeypatch, role):
    actor = MANAGER if role == "manager" else Actor(demo_store.query_one("SELECT min(owner) FROM promises")[0], "rep")
    live(monkeypatch)
    for start, end in _windows(demo_store):
        result = reports.performance(demo_store, actor, start, end, end)
        with closing(demo_store.system_cursor()) as cur:
            for by in (None, *reports.BREAKDOWN_ORDER):
                table = result["by"][by] if by else result["total"]
                counted = ledger.attainment_counts(cur, start, end, end, by=by, rep_scope=actor.rep_scope)
                if by is None and counted.empty:  # nothing in the window: the total is a row of zeros
                    assert table.loc["all", ["met", "breached", "excluded"]].tolist() == [0, 0, 0]
                else:
                    assert_frame_equal(table, counted)
        assert_frame_equal(result["overrun"], overrun_table_reference(demo_store, actor, start, end), check_exact=True)
        assert_frame_equal(result["compensation"], compensation_table_reference(demo_store, actor, start, end),
                           check_exact=True)
        assert_frame_equal(result["remedies"], remedies_by_key_reference(demo_store, actor, start, end),
                           check_exact=True)
        assert_frame_equal(result["clocks"], clock_comparison_reference(demo_store, actor, start, end),
                           check_exact=True)


def test_headline_numbers_count_the_kept_whole_days_and_read_only_the_part_days(small, monkeypatch):
    fit_all(small)
    now = at(31, 10)  # the 30 days from 03-01 10:00: 03-02 .. 03-30 whole and kept, 03-01 10:00- and 03-31 live
    rows = queries.overview_rows(small, MANAGER, now)
    assert rows.skip == (at(2, 0), at(31, 0)) and rows.since == at(1, 0)
    # read: the open promises (5, 6) and those closed on 03-01 (1 at 10:00, 2 at 23:30), not 3 and 4
    assert sorted(rows.rows.column("status").to_pylist()) == ["breached", "met", "open", "open"]
    numbers = queries.overview(small, MANAGER, now, rows=rows)
    # met 1, 4; breached 2, and 5 and 6 open past their due; excluded 3 (cancelled)
    assert [numbers["attainment"][k] for k in ("met", "breached", "excluded")] == [2, 3, 1]
    small.write(lambda cur: cur.execute("UPDATE fit_promise_outcomes SET n = 4 WHERE status = 'met'"))
    assert queries.overview(small, MANAGER, now, rows=rows)["attainment"]["met"] == 5  # 4 kept for 03-03, and 1
    small.write(lambda cur: cur.execute("UPDATE fit_promise_outcomes SET n = 1 WHERE status = 'met'"))
    for moment in (now, at(31, 0) + timedelta(seconds=1), at(31, 23, 59), at(31, 0)):  # 00:00:00: read live
        for who in (MANAGER, VIEWER, Actor("王", "rep")):
            kept = queries.overview(small, who, moment, rows=queries.overview_rows(small, who, at(31, 12)))
            assert repr(kept) == repr(queries.overview(small, who, moment)), (who, moment)
    live(monkeypatch)
    assert queries.overview_rows(small, MANAGER, now).skip is None


def test_headline_numbers_kept_and_live_agree_on_the_demo(demo_store):
    (last,) = demo_store.query_one("SELECT max(closed_at) FROM promises")
    for day in (last - timedelta(days=3), last, last + timedelta(days=20)):
        noon = day.astimezone(TZ).replace(hour=12, minute=0, second=0, microsecond=0)
        for who in (MANAGER, VIEWER):
            rows = queries.overview_rows(demo_store, who, noon)
            assert rows.skip is not None
            for moment in (noon.replace(hour=0, minute=0, second=1), noon, noon.replace(hour=23, minute=59, second=59)):
                assert repr(queries.overview(demo_store, who, moment, rows=rows)) == \
                    repr(queries.overview(demo_store, who, moment)), (who, moment)
