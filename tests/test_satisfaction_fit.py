"""The Satisfaction page's kept 12-month purchases and spend (crm_core.satisfaction.fits, model
'sat_spend', table fit_sat_spend): hand-counted rows, the job fitting the analysis date and the
latest wave's start, and the quadrant and non-response tabs giving the same answers from the kept
rows as from the transactions (kept fit current, absent, stale, another date)."""
from __future__ import annotations

from collections import Counter
from contextlib import closing
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import data_version, model_fits
from crm_core.satisfaction import fits as sat_fits
from crm_core.satisfaction import report
from crm_core.satisfaction.entry import SurveyResponseIn, create_wave, record_response
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert

AS_OF = date(2026, 6, 30)  # the window (2025-06-30, 2026-06-30]
WAVE_START = date(2026, 4, 1)  # its window (2025-04-01, 2026-04-01]
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 30, 9, 0, tzinfo=TZ)  # today = AS_OF: the default analysis date
MANAGER, REP, VIEWER = Actor("boss", "manager"), Actor("刘", "rep"), Actor("v", "viewer")
FITTER = sat_fits.SPEND_FITTER


@pytest.fixture
def small(store):
    """1 (陈): 50 on 2025-06-30 (just before the window), -20 on 2026-01-10 (a refund) and 100 on
    2026-06-30 (its last day): 2 transactions, 80 in the window; 30 before the wave's start.
    2 (刘): 30 on 2025-07-01. 3 (刘): 999 on 2026-07-01 only (after as_of: nothing). 4 (陈): nothing.
    9: a buyer missing from the customers table (kept, never shown). Answers: 1 (2, would buy again),
    2 (5, would not), 3 (4) in the wave that starts 2026-04-01; every customer on file before it."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({
            "customer_id": [1, 2, 3, 4], "code": ["K1", "K2", "K3", "K4"], "name": "x",
            "region": ["north", "south", "north", None], "sales_rep": ["陈", "刘", "刘", "陈"],
            "created_at": [datetime(2024, 1, 1, 8, tzinfo=TZ)] * 4}))
        insert(cur, "transactions", pd.DataFrame({
            "customer_id": [1, 1, 1, 2, 3, 9],
            "txn_date": [date(2025, 6, 30), date(2026, 1, 10), date(2026, 6, 30), date(2025, 7, 1),
                         date(2026, 7, 1), date(2026, 3, 1)],
            "amount": [50.0, -20.0, 100.0, 30.0, 999.0, 5.0]}))
        data_version.record_change(cur, data_version.TRANSACTIONS)
    wave = create_wave(store, MANAGER, "2026 Q2", WAVE_START, invited=4)
    for code, sat, intent in (("K1", 2, True), ("K2", 5, False), ("K3", 4, None)):
        record_response(store, MANAGER, SurveyResponseIn(wave_id=wave, responded_on="2026-04-10", customer_code=code,
                                                         satisfaction=sat, repurchase_intent=intent))
    store.wave = wave
    return store


def kept_rows(db, fit: model_fits.Fit) -> dict:
    rows = db.query_df("SELECT customer_id, purchases, spend FROM fit_sat_spend WHERE fit_id = ? ORDER BY customer_id",
                       [fit.fit_id])
    return {int(r.customer_id): (int(r.purchases), float(r.spend)) for r in rows.itertuples()}


def live(monkeypatch):
    """The readers as they are without a kept fit."""
    monkeypatch.setattr(model_fits, "read_current", lambda *args, **kwargs: None)


def kept_reads(monkeypatch) -> Counter:
    """The reads that found a current kept fit, per model, from now on."""
    reads = Counter()
    read_current = model_fits.read_current

    def counted(db, model, as_of, read):
        found = read_current(db, model, as_of, read)
        reads[model] += found is not None
        return found

    monkeypatch.setattr(model_fits, "read_current", counted)
    return reads


def test_fit_rows_hand_counted(small):
    fit = model_fits.fit_one(small, FITTER, AS_OF, NOW)
    # every transaction counts (the refund too); the window excludes its first day's eve and 07-01
    assert kept_rows(small, fit) == {1: (2, 80.0), 2: (1, 30.0), 9: (1, 5.0)}
    assert kept_rows(small, model_fits.fit_one(small, FITTER, WAVE_START, NOW)) == {1: (2, 30.0), 2: (1, 30.0), 9: (1, 5.0)}


def _fitted_dates(db) -> dict:
    with closing(db.system_cursor()) as cur:
        rows = cur.execute("SELECT model, as_of FROM model_fits WHERE model LIKE 'sat_%'").fetchall()
    return {model: {day for m, day in rows if m == model} for model, _ in rows}


def test_job_fits_the_analysis_date_and_the_latest_wave(small):
    # the spend for both dates, the respondents for the analysis date, the non-response for the wave
    assert sat_fits.refit(small, NOW) == {"fitted": 4}
    assert _fitted_dates(small) == {sat_fits.MODEL: {AS_OF, WAVE_START}, sat_fits.RESPONDENTS_MODEL: {AS_OF},
                                    sat_fits.NONRESPONSE_MODEL: {WAVE_START}}
    with closing(small.system_cursor()) as cur:
        assert sat_fits.kept(cur, AS_OF) is not None and sat_fits.kept(cur, WAVE_START) is not None
    assert sat_fits.refit(small, NOW) == {"fitted": 0}  # nothing new
    create_wave(small, MANAGER, "2026 Q3", date(2026, 5, 1))  # a newer wave: its start is fitted next
    assert sat_fits.refit(small, NOW) == {"fitted": 2}  # its spend and its non-response table
    assert _fitted_dates(small) == {sat_fits.MODEL: {AS_OF, WAVE_START, date(2026, 5, 1)},  # the default date's kept
                                    sat_fits.RESPONDENTS_MODEL: {AS_OF}, sat_fits.NONRESPONSE_MODEL: {date(2026, 5, 1)}}
    with closing(small.system_cursor()) as cur:
        assert sat_fits.kept(cur, AS_OF) is not None and sat_fits.kept(cur, date(2026, 5, 1)) is not None
    for model in (sat_fits.MODEL, sat_fits.RESPONDENTS_MODEL, sat_fits.NONRESPONSE_MODEL):
        assert model_fits.job_name_of(model) == "satisfaction_fits"


def test_respondents_from_the_kept_rows_hand_counted(small):
    sat_fits.refit(small, NOW)
    frame = report.respondents_12m(small, MANAGER, AS_OF).to_pandas().sort_values("customer_id")
    assert frame[["customer_id", "sat", "purchases", "spend"]].values.tolist() == [
        [1, 2, 2, 80.0], [2, 5, 1, 30.0], [3, 4, 0, 0.0]]
    # the kept rows are what is read: a kept figure changed shows (the live count would say 80)
    small.write(lambda cur: cur.execute("UPDATE fit_sat_spend SET spend = 81 WHERE customer_id = 1"))
    assert report.respondents_12m(small, MANAGER, AS_OF).to_pandas().set_index("customer_id").loc[1, "spend"] == 81.0


def test_nonresponse_from_the_kept_rows_hand_counted(small):
    sat_fits.refit(small, NOW)
    table = report.nonresponse(small, MANAGER, small.wave).set_index(["variable", "level"])
    # respondents 1, 2, 3 spent 30, 30, 0 in the year before the start; customer 4 nothing
    assert table.loc[("spend", ""), ["respondents", "non_respondents"]].tolist() == [20.0, 0.0]
    # 刘's base: 2 and 3, both respondents: 30 and 0
    assert report.nonresponse(small, REP, small.wave).set_index(["variable", "level"]).loc[
        ("spend", ""), "respondents"] == 15.0
    small.write(lambda cur: cur.execute("UPDATE fit_sat_spend SET spend = 60 WHERE customer_id = 2"))
    table = report.nonresponse(small, REP, small.wave).set_index(["variable", "level"])
    assert table.loc[("spend", ""), "respondents"] == 30.0  # a rep's table is counted over the kept spend
    small.write(lambda cur: cur.execute("UPDATE fit_sat_nonresponse SET respondents = 21 WHERE variable = 'spend'"))
    table = report.nonresponse(small, MANAGER, small.wave).set_index(["variable", "level"])
    assert table.loc[("spend", ""), "respondents"] == 21.0  # everyone's is the kept table


def _answers(db, as_of: date, wave_ids) -> dict:
    """Every figure of the two tabs for a manager, a rep and a viewer."""
    rep = Actor(db.query_one("SELECT min(sales_rep) FROM customers")[0], "rep")
    out = {}
    for actor in (MANAGER, rep, VIEWER):
        respondents = report.respondents_12m(db, actor, as_of)
        out[actor.role, "respondents"] = respondents.to_pandas().sort_values("customer_id").reset_index(drop=True)
        out[actor.role, "schema"] = respondents.schema
        for loyalty in report.LOYALTY_SOURCES:
            for sat, loyal in ((4, 2), (3, 1), (5, 6)):
                out[actor.role, loyalty, sat, loyal] = report.quadrant_cells(db, actor, loyalty, as_of, sat, loyal,
                                                                             respondents=respondents)
                for quadrant in ("saboteur", "mercenary", "hostage", "apostle"):
                    out[actor.role, loyalty, sat, loyal, quadrant] = report.quadrant_members(
                        db, actor, quadrant, loyalty, as_of, sat, loyal, respondents=respondents)
        for wave_id in wave_ids:
            out[actor.role, "nonresponse", wave_id] = report.nonresponse(db, actor, wave_id)
    return out


def _same(kept: dict, counted: dict) -> None:
    assert kept.keys() == counted.keys()
    for key, value in kept.items():
        if key[1] == "schema":
            assert value == counted[key], key
        elif key[1] == "nonresponse":  # means of the same numbers summed in another order
            assert_frame_equal(value, counted[key], check_exact=False, rtol=1e-12, obj=str(key))
        else:
            assert_frame_equal(value, counted[key], obj=str(key))


def test_kept_and_live_answers_equal_on_the_small_store(small, monkeypatch):
    sat_fits.refit(small, NOW)
    kept = _answers(small, AS_OF, [small.wave])
    live(monkeypatch)
    _same(kept, _answers(small, AS_OF, [small.wave]))


def test_demo_kept_and_live_answers_equal(demo_store, monkeypatch):
    """The demo (fitted by the job at the wall clock: its default date is DEMO_AS_OF): the kept path
    for the analysis date and the latest wave, the same answers as counting the transactions."""
    waves = report.waves(demo_store, MANAGER)
    latest = int(waves["wave_id"].iloc[-1])
    with closing(demo_store.system_cursor()) as cur:
        assert sat_fits.kept(cur, DEMO_AS_OF) is not None
        assert sat_fits.kept(cur, waves["started_on"].iloc[-1]) is not None
    reads = kept_reads(monkeypatch)
    kept = _answers(demo_store, DEMO_AS_OF, [latest, latest - 1])
    # 3 users: each one's respondents_12m and, for the rep, the latest wave's counted spend; every
    # cell and list (2 sources × 3 thresholds × 5 reads); the latest wave's table of who sees everyone
    assert reads == {sat_fits.MODEL: 4, sat_fits.RESPONDENTS_MODEL: 90, sat_fits.NONRESPONSE_MODEL: 2}
    live(monkeypatch)
    _same(kept, _answers(demo_store, DEMO_AS_OF, [latest, latest - 1]))


def test_newer_transactions_are_counted_live(small):
    sat_fits.refit(small, NOW)
    with small.transaction() as cur:  # an import of one row: the fit is stale
        insert(cur, "transactions", pd.DataFrame({"customer_id": [2], "txn_date": [date(2026, 6, 1)], "amount": [7.0]}))
        data_version.record_change(cur, data_version.TRANSACTIONS)
    with closing(small.system_cursor()) as cur:
        assert sat_fits.kept(cur, AS_OF) is None
    frame = report.respondents_12m(small, MANAGER, AS_OF).to_pandas().set_index("customer_id")
    assert frame.loc[2, ["purchases", "spend"]].tolist() == [2, 37.0]
    # another analysis date has no fit: counted live (1's refund and purchase of 06-30 are out)
    frame = report.respondents_12m(small, REP, AS_OF - timedelta(days=1)).to_pandas().set_index("customer_id")
    assert sorted(frame.index) == [2, 3] and frame.loc[2, "spend"] == 37.0


def test_latest_answer_by_one_integer_key_or_the_pair(small, monkeypatch):
    """The latest answer per customer (greatest day, then id) by the BIGINT key, and by the pair when
    an id does not fit in 40 bits: the same rows; a later day wins over a greater id."""
    from crm_core.satisfaction.entry import SurveyResponseIn, record_response

    record_response(small, MANAGER, SurveyResponseIn(wave_id=small.wave, responded_on="2026-04-09", customer_code="K1",
                                                     satisfaction=5, repurchase_intent=False))  # older day, greater id
    record_response(small, MANAGER, SurveyResponseIn(wave_id=small.wave, responded_on="2026-04-11", customer_code="K2",
                                                     satisfaction=1))  # newer: 1, intent from the last that had one
    with closing(small.system_cursor()) as cur:
        assert report._latest_key(cur) is report._BIGINT_KEY
    by_integer = report.respondents_12m(small, MANAGER, AS_OF).to_pandas().sort_values("customer_id")
    assert by_integer[["customer_id", "sat", "intent"]].values.tolist() == [[1, 2, True], [2, 1, False], [3, 4, None]]
    monkeypatch.setattr(report, "_BIGINT_KEY", report._PAIR_KEY)
    assert_frame_equal(report.respondents_12m(small, MANAGER, AS_OF).to_pandas().sort_values("customer_id"), by_integer)
    small.write(lambda cur: cur.execute("UPDATE survey_responses SET response_id = response_id + 1099511627776"
                                        " WHERE response_id = (SELECT max(response_id) FROM survey_responses)"))
    with closing(small.system_cursor()) as cur:
        assert report._latest_key(cur) is report._PAIR_KEY
