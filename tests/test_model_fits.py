"""Models fitted in the background (issue 18, crm_core.model_fits): a fit is kept with the data
version it was fitted on and equals the direct fit; a write makes it stale and the scheduled job
refits it once; the pages show the fit's age and never fit on their own thread."""
from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pytest

from crm_core import model_fits, scheduler
from crm_core.care import board
from crm_core.care import fits as care_fits
from crm_core.care.replenishment import choose_methods
from crm_core.churn import fits as churn_fits
from crm_core.churn.lapsed import purchase_rhythm_sql
from crm_core.churn.model import (
    P_ALIVE_BINS,
    at_horizon,
    expected_loss_table,
    fit_store_model,
    model_summary,
    p_alive_histogram,
    retention_list,
)
from crm_core.data_version import TRANSACTIONS, current, record_change
from crm_core.i18n import t
from crm_core.sql import compose, quote_identifier, run
from crm_core.store import Store
from crm_core.team.schema import ENGINES
from crm_core.users import LOCAL_USER, Actor
from tests.conftest import DEMO_AS_OF
from tests.test_pages import run_page

MODELS = (churn_fits.PURCHASE_MODEL, churn_fits.PURCHASE_RHYTHM, churn_fits.CHURN_ACTIVITY, care_fits.REPLENISHMENT,
          care_fits.CARE_CONTACTS)
ZONE = ZoneInfo("Asia/Shanghai")


def fits_of(db: Store, as_of: date = DEMO_AS_OF) -> dict[str, model_fits.Fit]:
    with closing(db.cursor()) as cur:
        return {model: model_fits.latest_fit(cur, model, as_of) for model in MODELS}


def test_the_demo_fits_are_kept_with_their_version_and_equal_the_direct_fits(demo_store):
    with closing(demo_store.system_cursor()) as cur:
        version = current(cur, TRANSACTIONS)
        kept = fits_of(demo_store)
        assert {m: (f.as_of, f.data_version, f.data_through) for m, f in kept.items()} == {
            m: (DEMO_AS_OF, version, DEMO_AS_OF) for m in MODELS}
        stored, direct = churn_fits.stored_model(cur, kept["purchase_model"]), fit_store_model(cur, DEMO_AS_OF)
        pd.testing.assert_frame_equal(stored.customers, direct.customers)
        assert (stored.bgnbd, stored.spend) == (direct.bgnbd, direct.spend)
        assert len(stored.customers) == 275  # the demo's buyers up to its date
        rhythm = churn_fits.stored_rhythm(cur, kept["purchase_rhythm"].fit_id)
        pd.testing.assert_frame_equal(rhythm.sort_values("customer_id", ignore_index=True),
                                      purchase_rhythm_sql(cur, DEMO_AS_OF).sort_values("customer_id", ignore_index=True))
    since = DEMO_AS_OF - timedelta(days=730)
    backtest = board.backtest_for(demo_store, LOCAL_USER, DEMO_AS_OF, since=since)
    forecast = kept["replenishment"]
    pd.testing.assert_frame_equal(care_fits.stored_backtest(forecast), backtest)
    assert care_fits.stored_choice(forecast) == choose_methods(backtest)
    due = care_fits.stored_deliveries(demo_store, LOCAL_USER, forecast.fit_id, DEMO_AS_OF, 14)
    pd.testing.assert_frame_equal(due, board.deliveries_this_week(demo_store, LOCAL_USER, DEMO_AS_OF, 14, since=since,
                                                                  choice=choose_methods(backtest)))
    assert len(due) > 0


@pytest.mark.parametrize("role", ["manager", "rep"])
def test_the_churn_pages_figures_from_the_kept_rows_equal_the_models(demo_store, role):
    user = Actor("王芳" if role == "rep" else "boss", role)
    with closing(demo_store.system_cursor()) as cur:
        fit, direct = fits_of(demo_store)["purchase_model"], fit_store_model(cur, DEMO_AS_OF)
    for months in (12, 24):  # the fit's own horizon and one kept beside it
        model = at_horizon(direct, months)
        with closing(demo_store.cursor(user)) as cur:
            summary = churn_fits.stored_summary(cur, fit, months)
            assert summary == pytest.approx(model_summary(model, user), rel=1e-12)
            pd.testing.assert_frame_equal(churn_fits.stored_histogram(cur, fit), p_alive_histogram(model, user))
            for by in ("abc", "customer_type"):
                pd.testing.assert_frame_equal(churn_fits.stored_loss_table(cur, fit, by, months),
                                              expected_loss_table(model, by, user), check_dtype=False, rtol=1e-12)
            kept = churn_fits.stored_retention(cur, fit, months, 0.9, 0.0, 50)
            pd.testing.assert_frame_equal(kept, retention_list(cur, model, user, 0.9, 0.0, 50), rtol=1e-12)
    assert (summary["customers"] < 275) == (role == "rep") and len(kept) > 0


# Kept rows of a purchase model made by hand: (customer, abc, frequency, P(alive), value over 12 months).
# Edges of numpy's bands: 0.15 lies just below the edge 0.15000000000000002 (band 0.10-0.15), 0.95 just below
# 0.9500000000000001 (band 0.90-0.95); customer 8 is in the fit but no longer on file (type "nan").
HAND_ROWS = [(1, "A", 2, 0.0, 100.0), (2, "A", 3, 0.15, 200.0), (3, "B", 1, float(P_ALIVE_BINS[3]), 50.0),
             (4, "C", 5, 1.0, 400.0), (5, "inactive", 0, 0.9, 10.0), (6, "A", 4, 0.95, 20.0),
             (7, "C", 2, None, 30.0), (8, "B", 2, 0.5, 60.0)]
HAND_PEOPLE = {1: ("corporate", "刘"), 2: ("individual", "刘"), 3: ("individual", "陈"), 4: ("channel", "陈"),
               5: ("individual", "刘"), 6: ("channel", "陈"), 7: ("individual", "刘")}


def hand_fit(db: Store) -> model_fits.Fit:
    with db.transaction() as cur:
        cur.executemany("INSERT INTO customers (customer_id, code, name, customer_type, sales_rep) VALUES (?, ?, ?, ?, ?)",
                        [[c, f"C{c}", f"客户{c}", kind, rep] for c, (kind, rep) in HAND_PEOPLE.items()])
        cur.executemany("INSERT INTO fit_purchase_model (fit_id, customer_id, abc, frequency, p_alive, value_if_alive,"
                        " value_24) VALUES (1, ?, ?, ?, ?, ?, ?)", [[*row, 2 * row[-1]] for row in HAND_ROWS])
    return model_fits.Fit(1, churn_fits.PURCHASE_MODEL, DEMO_AS_OF, 0, DEMO_AS_OF, datetime(2026, 1, 1, tzinfo=ZONE),
                          1.0, {"months": 12})


@pytest.mark.parametrize("role", ["manager", "rep"])
def test_the_model_tabs_figures_counted_in_the_store_by_hand(store, role):
    fit = hand_fit(store)
    user = Actor("刘", "rep") if role == "rep" else Actor("boss", "manager")
    rows = [r for r in HAND_ROWS if role == "manager" or HAND_PEOPLE.get(r[0], ("", ""))[1] == "刘"]
    with closing(store.cursor(user)) as cur:
        bands = churn_fits.stored_histogram(cur, fit)
        summary = churn_fits.stored_summary(cur, fit, 12)
        by_class = churn_fits.stored_loss_table(cur, fit, "abc", 12)
        by_type = churn_fits.stored_loss_table(cur, fit, "customer_type", 24)
    # numpy's bands of the repeat buyers' P(alive); an empty one counts as 0, as the page always counted it
    repeat = [r for r in rows if r[2] > 0]
    expected, _ = np.histogram([0.0 if r[3] is None else r[3] for r in repeat], bins=P_ALIVE_BINS)
    assert bands["customers"].tolist() == expected.tolist()
    assert list(bands["band_start"]) == list(P_ALIVE_BINS[:-1]) and list(bands["band_end"]) == list(P_ALIVE_BINS[1:])
    if role == "manager":  # by hand: 0 and the empty one in 0-5 %, 0.15 in 10-15 %, its edge in 15-20 %, 0.5, 0.95, 1
        assert {i: n for i, n in enumerate(bands["customers"]) if n} == {0: 2, 2: 1, 3: 1, 10: 1, 18: 1, 19: 1}
        assert summary == {"customers": 8, "repeat_buyers": 7, "one_time_buyers": 1,
                           "mean_p_alive_repeat": pytest.approx((0.15 + 0.15 + 1 + 0.95 + 0.5) / 6),
                           "likely_lost": 3, "clv": pytest.approx(30 + 7.5 + 400 + 9 + 19 + 30),
                           "expected_loss": pytest.approx(100 + 170 + 42.5 + 1 + 1 + 30)}
        # loss by class: A 100 + 170 + 1, B 42.5 + 30, C 0 (customer 7's P(alive) is empty), inactive 1
        assert by_class[["segment", "customers"]].values.tolist() == [["A", 3], ["B", 2], ["inactive", 1], ["C", 2]]
        assert by_class["expected_loss"].tolist() == pytest.approx([271, 72.5, 1, 0])
        assert by_class["value"].tolist() == pytest.approx([320, 110, 10, 430])
        # by type over 24 months (twice the values): the customer no longer on file is "nan"
        assert by_type[["segment", "customers"]].values.tolist() == [
            ["individual", 4], ["corporate", 1], ["nan", 1], ["channel", 2]]
        assert by_type["expected_loss"].tolist() == pytest.approx([2 * (170 + 42.5 + 1), 200, 60, 2])
    else:  # 刘: customers 1, 2, 5 and 7
        assert {i: n for i, n in enumerate(bands["customers"]) if n} == {0: 2, 2: 1}
        assert (summary["customers"], summary["repeat_buyers"], summary["likely_lost"]) == (4, 3, 2)
        assert by_class[["segment", "customers"]].values.tolist() == [["A", 2], ["inactive", 1], ["C", 1]]
        assert by_type[["segment", "customers"]].values.tolist() == [["individual", 3], ["corporate", 1]]
    assert by_class["loss_share"].sum() == pytest.approx(1)


def test_the_model_tabs_figures_but_the_loss_by_type_read_only_the_kept_rows(store):
    """The summary, the bands and the loss by ABC class need nothing from ``customers`` (a join to
    every customer was most of the tab's time at millions of customers); the loss by type does."""
    fit = hand_fit(store)
    with closing(store.cursor(Actor("boss", "manager"))) as cur:
        (name,) = cur.execute("SELECT current_database()").fetchone()  # the base table under the view
        cur.execute(f"CREATE TEMP VIEW customers AS SELECT * FROM {quote_identifier(name)}.main.customers"
                    " WHERE error('customers read')")
        assert churn_fits.stored_summary(cur, fit, 12)["customers"] == 8
        assert churn_fits.stored_histogram(cur, fit)["customers"].sum() == 7
        assert churn_fits.stored_loss_table(cur, fit, "abc", 24)["customers"].sum() == 8
        with pytest.raises(duckdb.Error, match="customers read"):
            churn_fits.stored_loss_table(cur, fit, "customer_type", 12)


def test_the_loss_by_type_reads_the_kept_types_until_a_customer_changes_type(demo_store):
    """The purchase model keeps each buyer's type and a digest of every customer's (migration 028):
    while the customers digest the same, the loss by type groups the kept rows (no join to
    customers); a type edited since sends it back to the join, with the new type, and no refit."""
    fit = fits_of(demo_store)["purchase_model"]
    kept = demo_store.query_df("SELECT f.customer_id, f.customer_type AS kept, c.customer_type AS now"
                               " FROM fit_purchase_model f JOIN customers c USING (customer_id) WHERE f.fit_id = ?",
                               [fit.fit_id])
    assert len(kept) == 275 and (kept["kept"] == kept["now"]).all()
    manager, viewer, rep = Actor("boss", "manager"), Actor("guest", "viewer"), Actor("王芳", "rep")

    def by_type(user, months=24):
        with closing(demo_store.cursor(user)) as cur:
            return churn_fits.types_kept(cur, fit), churn_fits.stored_loss_table(cur, fit, "customer_type", months)

    def joined(user, months=24):
        with closing(demo_store.cursor(user)) as cur:
            return run(cur, compose(churn_fits._TYPED_ROWS.format(value="value_24") + """
                SELECT customer_type AS segment, count(*) AS customers, sum((1 - p_alive) * value) AS expected_loss
                FROM m GROUP BY customer_type ORDER BY expected_loss DESC, min(customer_id)""",
                fit_id=fit.fit_id)).df()

    for user, fast in ((manager, True), (viewer, True), (rep, False)):  # a rep's customers digest apart: joined
        used, table = by_type(user)
        expected = joined(user)
        assert used == fast
        assert table["segment"].tolist() == expected["segment"].tolist()
        assert table["customers"].tolist() == expected["customers"].tolist()
        assert table["expected_loss"].tolist() == pytest.approx(expected["expected_loss"].tolist(), rel=1e-12)
    moved = int(kept.loc[kept["now"] == "individual", "customer_id"].iloc[0])
    before = by_type(manager)[1].set_index("segment")["customers"]
    with demo_store.transaction() as cur:  # an edit of the type alone: the fit stays current
        cur.execute("UPDATE customers SET customer_type = 'corporate' WHERE customer_id = ?", [moved])
    assert fits_of(demo_store)["purchase_model"].fit_id == fit.fit_id
    used, after = by_type(manager)
    assert not used
    after = after.set_index("segment")["customers"]
    assert (after["individual"], after["corporate"]) == (before["individual"] - 1, before["corporate"] + 1)


def add_small_data(db) -> None:
    """Three customers buying every few weeks through 2026, written row by row (either engine)."""
    with db.transaction() as cur:
        for customer_id, code, name, rep in ((1, "C1", "甲", "刘"), (2, "C2", "乙", "刘"), (3, "C3", "丙", "陈")):
            cur.execute("INSERT INTO customers (customer_id, code, name, sales_rep) VALUES (?, ?, ?, ?)",
                        [customer_id, code, name, rep])
        for c in (1, 2, 3):
            for n in range(10):
                cur.execute("INSERT INTO transactions (txn_id, customer_id, txn_date, amount, product, quantity)"
                            " VALUES (nextval('txn_id_seq'), ?, ?, ?, '大米 25kg', 1)",
                            [c, date(2026, 1, 5) + timedelta(days=n * (14 + 7 * c)), 100 + 10 * n])
        record_change(cur, TRANSACTIONS)


def small_store(path) -> Store:
    """Three customers buying every few weeks through 2026 (enough for every model to fit)."""
    db = Store(path)
    add_small_data(db)
    return db


def test_a_write_makes_the_fits_stale_and_the_job_refits_each_once(tmp_path):
    db = small_store(tmp_path / "crm.duckdb")
    jobs = [job for job in scheduler.registered_jobs() if job.name in ("churn_model_fits", "care_model_fits")]
    start = datetime(2026, 9, 1, 9, 0, 30, tzinfo=ZONE)  # data ends 2026-08-xx: default date = today
    assert scheduler.run_due(db, start, "test", jobs) == []  # first sight: due at the next minute
    first = scheduler.run_due(db, start + timedelta(minutes=1), "test", jobs)
    assert [(o.job, o.ok, o.result) for o in first] == [("churn_model_fits", True, {"fitted": 3}),
                                                        ("care_model_fits", True, {"fitted": 2})]
    before = fits_of(db, start.date())
    assert {f.data_version for f in before.values()} == {1}
    with db.transaction() as cur:  # a write as every write path makes it: the rows and their change, together
        cur.execute("INSERT INTO transactions (customer_id, txn_date, amount, product, quantity)"
                    " VALUES (3, DATE '2026-08-31', 500, '大米 25kg', 2)")
        record_change(cur, TRANSACTIONS)
    later = [start + timedelta(minutes=2), start + timedelta(minutes=3)]
    runs = [scheduler.run_due(db, moment, "test", jobs) for moment in later]
    assert [[o.result for o in run] for run in runs] == [[{"fitted": 3}, {"fitted": 2}],
                                                         [{"fitted": 0}, {"fitted": 0}]]
    after = fits_of(db, start.date())
    assert {f.data_version for f in after.values()} == {2}
    assert all(after[m].fit_id > before[m].fit_id for m in MODELS)
    # only the newest fit of a date is kept, rows included
    assert db.query_one("SELECT count(*), count(DISTINCT model) FROM model_fits") == (5, 5)
    assert db.query_one("SELECT count(DISTINCT fit_id) FROM fit_purchase_model") == (1,)
    with closing(db.cursor()) as cur:
        rhythm = churn_fits.stored_rhythm(cur, after["purchase_rhythm"].fit_id).set_index("customer_id")
    # customer 3 buys every 35 days from 01-05: 7 purchase days to 09-01 (the last 08-03), then the new one
    assert rhythm.loc[3, "purchases"] == 8 and str(rhythm.loc[3, "last_purchase"])[:10] == "2026-08-31"
    db.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_in_the_last_hour_of_the_day_the_job_fits_the_next_day_so_midnight_finds_a_fit(store):
    """At midnight the pages' default date moves on; without a fit for it they would compute live
    until the job caught up. From 23:00 the job fits the next day's date as well, today's fit stays
    (even for a model that keeps one date), and after midnight the job has nothing left to fit: the
    new day's fits are current. Then a model that keeps one date drops the day before's. On both
    engines: team mode's servers run the same job against PostgreSQL."""
    db = store
    add_small_data(db)
    jobs = [job for job in scheduler.registered_jobs() if job.name == "care_model_fits"]
    kept_dates = {f.model: f.kept_dates for f in care_fits.FITTERS}
    assert kept_dates == {care_fits.REPLENISHMENT: 3, care_fits.CARE_CONTACTS: 1}
    today, tomorrow = date(2026, 9, 1), date(2026, 9, 2)

    def fitted_at(moment: datetime) -> list[dict]:
        return [o.result for o in scheduler.run_due(db, moment, "test", jobs)]

    def dates() -> dict[str, list[date]]:
        rows = db.query_df("SELECT model, as_of FROM model_fits ORDER BY model, as_of")
        return {m: list(g["as_of"].dt.date) for m, g in rows.groupby("model")}

    assert fitted_at(datetime(2026, 9, 1, 22, 58, 30, tzinfo=ZONE)) == []  # first sight: due the next minute
    assert fitted_at(datetime(2026, 9, 1, 22, 59, 30, tzinfo=ZONE)) == [{"fitted": 2}]  # today's, not yet ahead
    assert dates() == {care_fits.CARE_CONTACTS: [today], care_fits.REPLENISHMENT: [today]}
    assert fitted_at(datetime(2026, 9, 1, 23, 0, 30, tzinfo=ZONE)) == [{"fitted": 2}]  # the next day's
    assert dates() == {care_fits.CARE_CONTACTS: [today, tomorrow], care_fits.REPLENISHMENT: [today, tomorrow]}
    assert fitted_at(datetime(2026, 9, 1, 23, 1, 30, tzinfo=ZONE)) == [{"fitted": 0}]
    with closing(db.cursor()) as cur:  # before midnight the pages still read today's fits
        assert all(model_fits.current_fit(cur, m, today) is not None for m in kept_dates)
    assert fitted_at(datetime(2026, 9, 2, 0, 0, 30, tzinfo=ZONE)) == [{"fitted": 0}]
    with closing(db.cursor()) as cur:
        assert all(model_fits.current_fit(cur, m, tomorrow) is not None for m in kept_dates)
    assert dates() == {care_fits.CARE_CONTACTS: [tomorrow], care_fits.REPLENISHMENT: [today, tomorrow]}
    (contacts,) = [f for f in care_fits.FITTERS if f.model == care_fits.CARE_CONTACTS]
    assert db.query_one(f"SELECT count(DISTINCT fit_id) FROM {contacts.table}") == (1,)  # its rows went too


def test_a_model_whose_rows_do_not_depend_on_the_date_is_not_fitted_ahead(tmp_path):
    db = small_store(tmp_path / "crm.duckdb")
    (rhythm,) = [f for f in churn_fits.FITTERS if f.model == churn_fits.PURCHASE_RHYTHM]
    undated = model_fits.Fitter(rhythm.model, rhythm.table, rhythm.compute, dated=False)
    late = datetime(2026, 9, 1, 23, 30, tzinfo=ZONE)
    assert model_fits.refit_stale(db, [undated], late) == {"fitted": 1}
    assert db.query_one("SELECT count(*), min(as_of) FROM model_fits") == (1, date(2026, 9, 1))
    assert model_fits.refit_stale(db, [rhythm], late) == {"fitted": 1}  # the dated one: the next day's
    assert db.query_one("SELECT count(*), max(as_of) FROM model_fits") == (2, date(2026, 9, 2))
    db.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_model_tab_shows_the_fit_and_its_age_without_fitting(demo_app, monkeypatch, lang):
    def no_fit(*args, **kwargs):
        raise AssertionError("a page must not fit the model")
    # The BG/NBD fit itself, wherever it is imported: neither the whole-store fit nor the fit job's
    # pieces may run on the page's thread.
    monkeypatch.setattr(churn_fits, "fit_bgnbd", no_fit)
    monkeypatch.setattr("crm_core.churn.model.fit_bgnbd", no_fit)
    fitted_at = fits_of(Store(demo_app))["purchase_model"].fitted_at
    app = run_page("churn.py", lang, churn_tab=t("churn.tab.model", lang), as_of=DEMO_AS_OF,
                   promises_now=(fitted_at + timedelta(minutes=3, seconds=20)).isoformat())
    assert not app.exception, [e.value for e in app.exception]
    expected = {"zh": "模型拟合于 3 分钟前，基于截至 2026年06月30日 的数据。",
                "en": "Model fitted 3 min ago on data up to 2026-06-30."}[lang]
    assert expected in [c.value for c in app.caption]
    assert t("churn.model.repeat_buyers", lang) in [m.label for m in app.metric]


def test_without_a_fit_the_page_asks_for_one_and_says_since_when(demo_app):
    db = Store(demo_app)
    with db.transaction() as cur:
        cur.execute("DELETE FROM model_fits WHERE model = 'purchase_model'")
    db.close()
    app = run_page("churn.py", "zh", churn_tab=t("churn.tab.model", "zh"), as_of=DEMO_AS_OF,
                   promises_now="2026-12-04T09:05:00+08:00")
    assert not app.exception, [e.value for e in app.exception]
    assert [i.value for i in app.info if "后台拟合" in i.value] == [
        "2026年06月30日 的模型正在后台拟合（09:05 开始），通常需要几秒到几分钟，完成后本页会自动显示。"]
    assert not app.metric, "no figures before the fit"
    db = Store(demo_app)
    moment = datetime(2026, 12, 4, 9, 5, tzinfo=ZONE)
    assert db.query_one("SELECT model, as_of, requested_at FROM model_fit_requests") == (
        "purchase_model", DEMO_AS_OF, moment)
    assert db.query_one("SELECT next_run_at FROM scheduler_jobs WHERE job = 'churn_model_fits'") == (moment,)
    db.close()


def test_a_model_keeps_the_fits_of_as_many_dates_as_it_says(tmp_path):
    """The purchase rhythm keeps three dates (KEPT_DATES); the same model declared with one keeps
    only the date fitted last, rows included."""
    db = small_store(tmp_path / "crm.duckdb")
    (rhythm,) = [f for f in churn_fits.FITTERS if f.model == churn_fits.PURCHASE_RHYTHM]
    one_date = model_fits.Fitter(rhythm.model, rhythm.table, rhythm.compute, kept_dates=1)
    now = datetime(2026, 9, 1, 9, 0, tzinfo=ZONE)
    days = [date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31), date(2026, 8, 15)]
    for day in days:
        model_fits.fit_one(db, rhythm, day, now)
    assert db.query_one("SELECT count(DISTINCT as_of) FROM model_fits") == (3,)
    assert db.query_one("SELECT count(DISTINCT fit_id) FROM fit_purchase_rhythm") == (3,)
    last = model_fits.fit_one(db, one_date, date(2026, 8, 1), now)
    assert db.query_one("SELECT count(*), min(as_of) FROM model_fits") == (1, date(2026, 8, 1))
    assert db.query_one("SELECT count(DISTINCT fit_id), min(fit_id) FROM fit_purchase_rhythm") == (1, last.fit_id)
    db.close()
