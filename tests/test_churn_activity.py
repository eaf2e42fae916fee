"""The kept customer activity (crm_core.churn.activity, issue 18): the Churn page's rates, segments
and funnel read one row per customer with the same answers as counting the transactions; the
lapsed list is read a page at a time with the same rows as before."""
import json
from contextlib import closing
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from crm_core import model_fits
from crm_core.churn import activity, fits
from crm_core.churn.lapsed import churn_rate_by_period_sql
from crm_core.churn.measured import churn_by_segments, funnel_counts, lapsed_report
from crm_core.i18n import t
from crm_core.store import Store
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_model_fits import ZONE
from tests.test_pages import run_page

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=ZONE)
WANG = Actor("王芳", "rep")
USERS = (None, WANG, Actor("v", "viewer"))
ACTIVITY = next(f for f in fits.FITTERS if f.model == activity.CHURN_ACTIVITY)


def kept_fit(db: Store, as_of: date) -> model_fits.Fit:
    return model_fits.fit_one(db, ACTIVITY, as_of, NOW)


@pytest.fixture
def months(store):
    """Four customers over January–April 2026 (王芳 owns 1 and 2); 3's February row is a refund."""
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, sales_rep) VALUES"
                    " (1, 'K1', '甲', '王芳'), (2, 'K2', '乙', '王芳'), (3, 'K3', '丙', '李娜'), (4, 'K4', '丁', '李娜')")
        cur.executemany("INSERT INTO transactions (customer_id, txn_date, amount) VALUES (?, ?, ?)", [
            (1, date(2026, 1, 10), Decimal("100")), (1, date(2026, 2, 5), Decimal("100")),
            (1, date(2026, 4, 20), Decimal("100")), (2, date(2026, 1, 15), Decimal("100")),
            (2, date(2026, 3, 3), Decimal("100")), (3, date(2026, 2, 28), Decimal("-50")),
            (4, date(2026, 3, 31), Decimal("100"))])
    return store


def rate_rows(frame: pd.DataFrame) -> list[tuple]:
    return [(str(p.date()), a, r) for p, a, r in frame[["period", "active_prev", "retained"]].itertuples(index=False)]


def test_bit_counts_by_hand():
    masks = np.array([0b101, 0b111, 0b1, 1 << 63], dtype=np.uint64)
    assert activity.bit_counts(masks, 3).tolist() == [3, 1, 2]
    assert activity.bit_counts(masks, 64)[63] == 1 and activity.bit_counts(masks, 64).sum() == 7
    assert activity.bit_counts(np.zeros(0, np.uint64), 5).tolist() == [0] * 5


def test_kept_rates_by_hand_and_as_counted_from_the_rows(months):
    # months active: Jan {1, 2}, Feb {1, 3}, Mar {2, 4}, Apr {1}; April is last: nobody can be retained after it
    fit = kept_fit(months, date(2026, 4, 30))
    assert fit.params["spans"] == {"month": [24312, 4], "quarter": [8104, 2], "year": [2026, 1]}
    expected = {None: {"month": [("2026-02-01", 2, 1), ("2026-03-01", 2, 0), ("2026-04-01", 2, 0)],
                       "quarter": [("2026-04-01", 4, 1)], "year": []},
                WANG: {"month": [("2026-02-01", 2, 1), ("2026-03-01", 1, 0), ("2026-04-01", 1, 0)],
                       "quarter": [("2026-04-01", 2, 1)], "year": []}}
    for user, periods in expected.items():
        with closing(months.cursor(user)) as cur:
            for period, rows in periods.items():
                kept = activity.kept_rates(cur, fit.fit_id, period)
                assert rate_rows(kept) == rows, (user, period)
                pd.testing.assert_frame_equal(kept, churn_rate_by_period_sql(cur, period, date(2026, 4, 30)))
                if user is None:  # everyone's rates: the tally the fit kept in its header
                    pd.testing.assert_frame_equal(activity.kept_rates(cur, fit.fit_id, period, whole_store=True), kept)
    assert fit.params["rates"]["month"] == {"active": [2, 2, 2, 1], "retained": [1, 0, 0, 0], "union": 0b1111}


def test_a_date_within_a_month_keeps_only_its_days(months):
    # to 15 March: 4's purchase of the 31st is not seen; 2 bought on the 3rd
    fit = kept_fit(months, date(2026, 3, 15))
    with closing(months.cursor()) as cur:
        kept = activity.churn_rates(cur, "month", date(2026, 3, 15), fit.fit_id)
        assert rate_rows(kept) == [("2026-02-01", 2, 1), ("2026-03-01", 2, 0)]
        pd.testing.assert_frame_equal(kept, churn_rate_by_period_sql(cur, "month", date(2026, 3, 15)))
        assert activity.funnel(cur, date(2026, 3, 15), None, fit.fit_id) == funnel_counts(cur, date(2026, 3, 15), None)


def test_the_whole_store_funnel_is_tallied_and_counts_only_customers_on_file(months):
    with months.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, tenure_stage) VALUES"
                    " (5, 'K5', '戊', 'potential'), (6, 'K6', '己', 'potential')")
        cur.execute("INSERT INTO transactions (customer_id, txn_date, amount) VALUES"
                    " (6, DATE '2026-04-01', 10), (9, DATE '2026-03-02', 10)")  # 9: not on file
    as_of = date(2026, 4, 30)
    fit = kept_fit(months, as_of)
    # buyers on file: 1, 2, 3, 4, 6; on two days or more: 1 and 2; nobody bought in the year before 2025-05
    assert fit.params["funnel"] == {"purchasing": 5, "repeat": 2, "loyal": 0}
    with closing(months.cursor()) as cur:
        expected = {"visitor": 6, "potential": 6, "purchasing": 5, "repeat": 2, "loyal": 0}  # + 5, marked potential
        assert activity.funnel(cur, as_of, None, fit.fit_id) == funnel_counts(cur, as_of, None) == expected
        assert activity.funnel(cur, as_of, WANG, fit.fit_id) == funnel_counts(cur, as_of, None, WANG)
        # the rates count every transaction, the one of a customer not on file too
        assert rate_rows(activity.churn_rates(cur, "month", as_of, fit.fit_id))[-1] == ("2026-04-01", 3, 0)
        pd.testing.assert_frame_equal(activity.churn_rates(cur, "month", as_of, fit.fit_id),
                                      churn_rate_by_period_sql(cur, "month", as_of))


def test_more_than_64_periods_are_counted_from_the_rows(months):
    with months.transaction() as cur:
        cur.execute("INSERT INTO transactions (customer_id, txn_date, amount) VALUES (1, DATE '2015-01-02', 10)")
    fit = kept_fit(months, date(2026, 4, 30))
    assert fit.params["spans"]["month"] is None  # 136 months: no month mask kept
    assert fit.params["spans"]["quarter"] == [2015 * 4, 46]
    with closing(months.cursor()) as cur:
        assert cur.execute("SELECT count(month_mask), count(quarter_mask) FROM fit_churn_activity").fetchall() == [
            (0, 4)]
        assert activity.kept_rates(cur, fit.fit_id, "month") is None
        for period in ("month", "quarter", "year"):
            pd.testing.assert_frame_equal(activity.churn_rates(cur, period, date(2026, 4, 30), fit.fit_id),
                                          churn_rate_by_period_sql(cur, period, date(2026, 4, 30)))


def test_no_transactions_up_to_the_date(months):
    fit = kept_fit(months, date(2025, 6, 30))
    with closing(months.cursor()) as cur:
        assert activity.churn_rates(cur, "month", date(2025, 6, 30), fit.fit_id).empty
        assert activity.funnel(cur, date(2025, 6, 30), None, fit.fit_id) == funnel_counts(cur, date(2025, 6, 30), None)


def test_customer_ranges_by_hand(months):
    with closing(months.cursor()) as cur:  # customers 1-4 have transactions
        assert model_fits.customer_ranges(cur, 2) == [(-(2 ** 63), 2), (2, 4), (4, 2 ** 63 - 1)]
        assert model_fits.customer_ranges(cur, 3) == [(-(2 ** 63), 3), (3, 2 ** 63 - 1)]
        assert model_fits.customer_ranges(cur, 10) == [(-(2 ** 63), 2 ** 63 - 1)]


def test_a_fit_made_range_by_range_keeps_the_same_rows_and_tallies(demo_store, monkeypatch):
    """At 10M customers the activity is grouped a million customers at a time (one query over every
    customer ran out of DuckDB's memory): 40 customers at a time keeps the same rows and header."""
    read = "SELECT * EXCLUDE (fit_id) FROM fit_churn_activity WHERE fit_id = ? ORDER BY customer_id"
    whole = kept_fit(demo_store, DEMO_AS_OF)
    with closing(demo_store.cursor()) as cur:
        rows = cur.execute(read, [whole.fit_id]).df()  # a refit for the same date prunes them
    monkeypatch.setattr(activity, "customer_ranges", lambda cur: model_fits.customer_ranges(cur, 40))
    with closing(demo_store.cursor()) as cur:
        assert len(activity.customer_ranges(cur)) > 5
    ranged = kept_fit(demo_store, DEMO_AS_OF)
    assert ranged.params == whole.params and len(rows) > 200
    with closing(demo_store.cursor()) as cur:
        pd.testing.assert_frame_equal(rows, cur.execute(read, [ranged.fit_id]).df())


@pytest.mark.parametrize("as_of", [DEMO_AS_OF, date(2026, 2, 28), date(2025, 11, 17), date(2025, 2, 14)])
def test_the_demo_reads_the_same_from_the_kept_rows(demo_store, as_of):
    fit = kept_fit(demo_store, as_of)
    for user in USERS:
        with closing(demo_store.cursor(user)) as cur:
            for period in ("month", "quarter", "year"):
                pd.testing.assert_frame_equal(activity.churn_rates(cur, period, as_of, fit.fit_id, user),
                                              churn_rate_by_period_sql(cur, period, as_of))
        with closing(demo_store.cursor()) as cur:
            kept, counted = activity.churn_segments(cur, as_of, user, fit.fit_id), churn_by_segments(cur, as_of, user)
            for by in ("abc", "customer_type"):
                pd.testing.assert_frame_equal(kept[by], counted[by])
            assert activity.funnel(cur, as_of, user, fit.fit_id) == funnel_counts(cur, as_of, None, user)


def test_everyones_segments_come_from_the_header_while_no_customer_changed_type(demo_store, monkeypatch):
    fit = kept_fit(demo_store, DEMO_AS_OF)
    tallies = fit.params["segments"]
    with closing(demo_store.cursor()) as cur:
        counted = churn_by_segments(cur, DEMO_AS_OF, None)
        # the header's tallies are the segment tables' counts; the lost revenue in whole cents
        assert {k: v[:2] for k, v in tallies["customer_type"].items()} == {
            r.segment: [r.active_before, r.churned] for r in counted["customer_type"].itertuples()}
        assert {k: v[2] / 100 for k, v in tallies["abc"].items()} == pytest.approx(
            {r.segment: r.revenue_lost for r in counted["abc"].itertuples()})
        with monkeypatch.context() as patched:  # read from the header: no query over the rows
            patched.setattr(activity, "run", lambda *a, **k: pytest.fail("the rows were read"))
            kept = activity.churn_segments(cur, DEMO_AS_OF, None, fit.fit_id)
        for by in ("abc", "customer_type"):
            pd.testing.assert_frame_equal(kept[by], counted[by])
    (changed,) = demo_store.query_one("SELECT min(customer_id) FROM fit_churn_activity WHERE fit_id = ?"
                                      " AND purchased_before AND NOT purchased_recent", [fit.fit_id])
    demo_store.write(lambda cur: cur.execute(
        "UPDATE customers SET customer_type = CASE customer_type WHEN 'corporate' THEN 'channel' ELSE 'corporate' END"
        " WHERE customer_id = ?", [changed]))
    with closing(demo_store.cursor()) as cur:  # a type changed since the fit: the rows joined to the customers
        kept, counted = activity.churn_segments(cur, DEMO_AS_OF, None, fit.fit_id), churn_by_segments(cur, DEMO_AS_OF, None)
        assert activity._types_digest(cur) != fit.params["customer_types"]
    for by in ("abc", "customer_type"):
        pd.testing.assert_frame_equal(kept[by], counted[by])


def test_a_fit_made_before_the_segments_were_tallied_is_made_again(demo_store):
    fit = kept_fit(demo_store, DEMO_AS_OF)
    old = {k: v for k, v in fit.params.items() if k != "segments"}
    demo_store.write(lambda cur: cur.execute("UPDATE model_fits SET params = ? WHERE fit_id = ?",
                                             [json.dumps(old), fit.fit_id]))
    model_fits.request(demo_store, activity.CHURN_ACTIVITY, DEMO_AS_OF, NOW)
    model_fits.refit_stale(demo_store, [ACTIVITY], NOW)
    with closing(demo_store.cursor()) as cur:
        again = model_fits.latest_fit(cur, activity.CHURN_ACTIVITY, DEMO_AS_OF)
    assert again.fit_id != fit.fit_id and again.params["segments"] == fit.params["segments"]


def test_a_rep_sees_only_her_customers_kept_rows(demo_store):
    fit = kept_fit(demo_store, DEMO_AS_OF)
    with closing(demo_store.cursor()) as cur:
        everyone = activity.funnel(cur, DEMO_AS_OF, None, fit.fit_id)
        hers = activity.funnel(cur, DEMO_AS_OF, WANG, fit.fit_id)
        (owned,) = cur.execute("SELECT count(*) FROM customers WHERE sales_rep = '王芳'").fetchall()[0]
    assert 0 < hers["purchasing"] < everyone["purchasing"] and hers["potential"] <= owned


def test_a_fit_that_is_not_current_is_not_read(demo_store):
    with closing(demo_store.cursor()) as cur:
        assert activity.kept_rates(cur, None, "month") is None
        assert activity.kept_rates(cur, 10 ** 9, "month") is None  # pruned or never made
        with pytest.raises(ValueError):
            activity.churn_rates(cur, "week", DEMO_AS_OF, None)


# -- lapsed, a page at a time ----------------------------------------------------------------------

@pytest.mark.parametrize("k", [1.5, 2.0, 3.0])
def test_lapsed_pages_are_the_report_cut_in_pages(demo_store, k):
    with closing(demo_store.system_cursor()) as cur:
        fit = model_fits.latest_fit(cur, fits.PURCHASE_RHYTHM, DEMO_AS_OF)
        for user in (None, WANG):
            report = lapsed_report(cur, DEMO_AS_OF, k, user, fits.stored_rhythm(cur, fit.fit_id, k))
            assert len(report) > 3
            pd.testing.assert_frame_equal(fits.stored_lapsed(cur, fit.fit_id, k, user), report)
            pd.testing.assert_frame_equal(fits.stored_lapsed(cur, fit.fit_id, k, user, 1, 2),
                                          report.iloc[1:3].reset_index(drop=True))
            count, at_risk = fits.stored_lapsed_totals(cur, fit.fit_id, k, user)
            assert (count, at_risk) == (len(report), report["revenue_at_risk"].sum())


def test_lapsed_needs_a_positive_k(demo_store):
    with closing(demo_store.system_cursor()) as cur, pytest.raises(ValueError):
        fits.stored_lapsed(cur, 1, 0.0)


# -- the page ---------------------------------------------------------------------------------------

def open_tab(tab: str, **state):
    app = run_page("churn.py", "en", churn_tab=t(f"churn.tab.{tab}", "en"), as_of=DEMO_AS_OF,
                   promises_now="2026-12-04T09:05:00+08:00", **state)
    assert not app.exception, [e.value for e in app.exception]
    return app


def shown(app) -> tuple:
    return ({m.label: m.value for m in app.metric}, [f.value.to_json() for f in app.dataframe])  # NaN as null


def test_the_tabs_read_the_kept_activity_not_the_transactions(demo_app, monkeypatch):
    def counted(*args, **kwargs):
        raise AssertionError("a current fit is read, not the transactions")
    for name in ("churn_rate_by_period_sql", "churn_by_segments", "funnel_counts"):
        monkeypatch.setattr(activity, name, counted)
    rates, funnel = open_tab("rates"), open_tab("funnel")
    assert shown(rates)[0] and shown(funnel)[1]


def test_without_a_current_fit_the_tabs_count_the_same_and_ask_for_one(demo_app):
    kept = [shown(open_tab(tab, churn_period=period)) for tab, period in (("rates", "month"), ("funnel", None))]
    db = Store(demo_app)
    with db.transaction() as cur:
        cur.execute("DELETE FROM model_fits WHERE model = 'churn_activity'")
    db.close()
    counted = [shown(open_tab(tab, churn_period=period)) for tab, period in (("rates", "month"), ("funnel", None))]
    assert counted == kept
    db = Store(demo_app)
    assert db.query_one("SELECT model, as_of FROM model_fit_requests") == ("churn_activity", DEMO_AS_OF)
    db.close()
