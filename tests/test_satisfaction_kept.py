"""The quadrant and non-response tabs' kept results (crm_core.satisfaction.fits, migration 030):
every respondent's row ('sat_respondents', fit_sat_respondents) and the latest wave's non-response
table ('sat_nonresponse', fit_sat_nonresponse). Hand-counted rows; the kept rows are what a page
reads while current; an answer recorded, a customer edited, an answer written and deleted behind
the app's data versions (as an import and its undo) each send the reads to the live path until the
job refits; and every figure equal from the kept rows and counted live, both before and after."""
from __future__ import annotations

from collections import Counter
from contextlib import closing
from datetime import date

import pandas as pd
import pytest

from crm_core import model_fits
from crm_core.customers import customer_from_record, get_customer, update_customer
from crm_core.satisfaction import fits as sat_fits
from crm_core.satisfaction import report
from crm_core.satisfaction.entry import SurveyResponseIn, create_wave, record_response
from tests.test_satisfaction_fit import (
    AS_OF,
    MANAGER,
    NOW,
    REP,
    WAVE_START,
    _answers,
    _same,
    kept_reads,
    live,
    small,  # noqa: F401  (a fixture: pytest finds it by this name)
)


@pytest.fixture
def db(request):
    """test_satisfaction_fit's small store (its fixture ``small``): 4 customers, 3 answers, a wave."""
    return request.getfixturevalue("small")


RESPONDENT_COLUMNS = ["customer_id", "sat", "intent", "purchases", "spend", "on_file", "code", "region", "sales_rep"]


def both_ways(db, monkeypatch, waves) -> Counter:
    """Every figure of the two tabs (manager, rep, viewer) as the pages read them, then counted live:
    equal. Returns the kept reads that found a fit."""
    reads = kept_reads(monkeypatch)
    served = _answers(db, AS_OF, waves)
    monkeypatch.undo()
    live(monkeypatch)
    _same(served, _answers(db, AS_OF, waves))
    monkeypatch.undo()
    return reads


def answer_off_file(db) -> None:
    """An answer of customer 9, a buyer missing from the customers table (3, 2026-04-12)."""
    db.write(lambda cur: cur.execute("INSERT INTO survey_responses (wave_id, responded_on, customer_id, satisfaction)"
                                     " VALUES (?, DATE '2026-04-12', 9, 3)", [db.wave]))


def kept_fit(db, model: str, as_of: date) -> model_fits.Fit:
    with closing(db.system_cursor()) as cur:
        return model_fits.latest_fit(cur, model, as_of)


def test_respondent_rows_and_cells_hand_counted(db):
    answer_off_file(db)
    fit = model_fits.fit_one(db, sat_fits.RESPONDENTS_FITTER, AS_OF, NOW)
    rows = db.query_df(f"SELECT {', '.join(RESPONDENT_COLUMNS)} FROM fit_sat_respondents WHERE fit_id = ?"
                          " ORDER BY rowid", [fit.fit_id])
    # in the order of the default quadrants (satisfied from 4, loyal from 2), then spend: 9 (3, one
    # purchase: saboteur), 1 (2, two: hostage), 2 and 3 (5 and 4, one and none: mercenaries)
    assert rows.astype(object).where(rows.notna(), None).values.tolist() == [
        [9, 3, None, 1, 5.0, False, None, None, None],
        [1, 2, True, 2, 80.0, True, "K1", "north", "陈"],
        [2, 5, False, 1, 30.0, True, "K2", "south", "刘"],
        [3, 4, None, 0, 0.0, True, "K3", "north", "刘"]]
    assert fit.params["cells"] == {"behaviour": [[2, 2, 1], [3, 1, 1], [4, 0, 1], [5, 1, 1]],
                                   "intent": [[2, True, 1], [3, None, 1], [4, None, 1], [5, False, 1]]}
    (last_answer,) = db.query_one("SELECT max(response_id) FROM survey_responses")
    assert fit.params["answers"] == [4, last_answer] and fit.params["customers"] == [4, 4, 4]  # 4 on file, version 1


def test_the_kept_rows_are_what_the_tabs_read(db):
    answer_off_file(db)
    sat_fits.refit(db, NOW)
    fit = kept_fit(db, sat_fits.RESPONDENTS_MODEL, AS_OF)
    cells = report.quadrant_cells(db, MANAGER, "behaviour", AS_OF)
    assert cells[["sat", "loyalty", "n", "quadrant"]].values.tolist() == [
        [2, 2, 1, "hostage"], [3, 1, 1, "saboteur"], [4, 0, 1, "mercenary"], [5, 1, 1, "mercenary"]]
    assert report.quadrant_members(db, MANAGER, "saboteur", "behaviour", AS_OF).empty  # 9 is not on file
    db.write(lambda cur: cur.execute("UPDATE model_fits SET params = replace(params, '[2, 2, 1]', '[2, 2, 7]')"
                                        " WHERE fit_id = ?", [fit.fit_id]))
    db.write(lambda cur: cur.execute("UPDATE fit_sat_respondents SET name = 'kept', purchases = 3"
                                        " WHERE customer_id = 2"))
    # everyone's cells from the fit's params; a rep's counted over the kept rows (刘: 2 and 3)
    assert report.quadrant_cells(db, MANAGER, "behaviour", AS_OF)["n"].tolist() == [7, 1, 1, 1]
    assert report.quadrant_cells(db, REP, "behaviour", AS_OF)[["sat", "loyalty"]].values.tolist() == [[4, 0], [5, 3]]
    # a list from the kept rows with their customer columns: 2 is now loyal, an apostle named 'kept'
    apostles = report.quadrant_members(db, REP, "apostle", "behaviour", AS_OF)
    assert apostles[["customer_id", "code", "name", "purchases_12m"]].values.tolist() == [[2, "K2", "kept", 3]]
    nonresponse = kept_fit(db, sat_fits.NONRESPONSE_MODEL, WAVE_START)
    assert nonresponse.params["wave_id"] == db.wave
    db.write(lambda cur: cur.execute("UPDATE fit_sat_nonresponse SET level = 'kept' WHERE variable = 'region'"
                                        " AND level = 'north'"))
    assert "kept" in report.nonresponse(db, MANAGER, db.wave)["level"].tolist()
    assert "kept" not in report.nonresponse(db, REP, db.wave)["level"].tolist()  # a rep's: counted


def test_kept_and_live_equal_with_an_answer_off_file(db, monkeypatch):
    answer_off_file(db)
    sat_fits.refit(db, NOW)
    reads = both_ways(db, monkeypatch, [db.wave])
    # 3 users × 30 quadrant reads; the latest wave's table for the manager and the viewer
    assert reads[sat_fits.RESPONDENTS_MODEL] == 90 and reads[sat_fits.NONRESPONSE_MODEL] == 2


def test_an_answer_recorded_is_counted_live_until_the_job_refits(db, monkeypatch):
    sat_fits.refit(db, NOW)
    record_response(db, MANAGER, SurveyResponseIn(wave_id=db.wave, responded_on="2026-04-20", customer_code="K4",
                                                     satisfaction=1))
    reads = both_ways(db, monkeypatch, [db.wave])
    assert reads[sat_fits.RESPONDENTS_MODEL] == reads[sat_fits.NONRESPONSE_MODEL] == 0
    cells = report.quadrant_cells(db, MANAGER, "behaviour", AS_OF)
    assert cells[["sat", "loyalty", "n"]].values.tolist()[0] == [1, 0, 1]  # 4's answer, no purchase
    assert sat_fits.refit(db, NOW) == {"fitted": 2}  # the respondents and the wave's table; the spend is current
    reads = both_ways(db, monkeypatch, [db.wave])
    assert reads[sat_fits.RESPONDENTS_MODEL] == 90 and reads[sat_fits.NONRESPONSE_MODEL] == 2
    assert report.quadrant_cells(db, MANAGER, "behaviour", AS_OF).equals(cells)


def test_a_customer_edited_is_joined_live_until_a_refit(db, monkeypatch):
    sat_fits.refit(db, NOW)
    edited = customer_from_record(get_customer(db, MANAGER, 2)).model_copy(update={"name": "Wang", "region": "north"})
    update_customer(db, MANAGER, 2, edited)
    reads = both_ways(db, monkeypatch, [db.wave])
    # the answers are unchanged: the quadrants still from the kept rows, the lists joined to the
    # customers (the kept row still says x, south); the non-response table (regions) counted
    assert reads[sat_fits.RESPONDENTS_MODEL] == 90 and reads[sat_fits.NONRESPONSE_MODEL] == 0
    mercenaries = report.quadrant_members(db, MANAGER, "mercenary", "behaviour", AS_OF)
    assert mercenaries[["customer_id", "name", "region"]].values.tolist() == [[2, "Wang", "north"], [3, "x", "north"]]
    assert "south" not in report.nonresponse(db, MANAGER, db.wave).query("variable == 'region'")["level"].tolist()
    # the job refits the non-response table, not the respondents for a customer edited
    assert sat_fits.refit(db, NOW) == {"fitted": 1}
    reads = both_ways(db, monkeypatch, [db.wave])
    assert reads[sat_fits.RESPONDENTS_MODEL] == 90 and reads[sat_fits.NONRESPONSE_MODEL] == 2
    # a new answer: the respondents are refitted with the customers as they are
    record_response(db, MANAGER, SurveyResponseIn(wave_id=db.wave, responded_on="2026-04-20", customer_code="K4",
                                                  satisfaction=1))
    assert sat_fits.refit(db, NOW) == {"fitted": 2}
    assert kept_fit(db, sat_fits.RESPONDENTS_MODEL, AS_OF).params["customers"] == [4, 4, 5]  # one edit: version 2
    db.write(lambda cur: cur.execute("UPDATE fit_sat_respondents SET name = 'kept' WHERE customer_id = 2"))
    assert report.quadrant_members(db, MANAGER, "mercenary", "behaviour", AS_OF)["name"].tolist() == ["kept", "x"]
    db.write(lambda cur: cur.execute("UPDATE fit_sat_respondents SET name = 'Wang' WHERE customer_id = 2"))
    reads = both_ways(db, monkeypatch, [db.wave])
    assert reads[sat_fits.RESPONDENTS_MODEL] == 90 and reads[sat_fits.NONRESPONSE_MODEL] == 2


def test_an_answer_written_and_deleted_without_a_data_version(db, monkeypatch):
    """As the import center does (an import of answers, then its undo): the versions read from the
    rows move, and come back with the rows."""
    sat_fits.refit(db, NOW)
    db.write(lambda cur: cur.execute("INSERT INTO survey_responses (wave_id, responded_on, customer_id, satisfaction,"
                                        " import_id) VALUES (?, DATE '2026-04-21', 4, 5, 77)", [db.wave]))
    reads = both_ways(db, monkeypatch, [db.wave])
    assert reads[sat_fits.RESPONDENTS_MODEL] == reads[sat_fits.NONRESPONSE_MODEL] == 0
    assert 4 in report.quadrant_members(db, MANAGER, "mercenary", "behaviour", AS_OF)["customer_id"].tolist()
    db.write(lambda cur: cur.execute("DELETE FROM survey_responses WHERE import_id = 77"))
    reads = both_ways(db, monkeypatch, [db.wave])
    assert reads[sat_fits.RESPONDENTS_MODEL] == 90 and reads[sat_fits.NONRESPONSE_MODEL] == 2


def test_other_waves_and_dates_are_counted(db, monkeypatch):
    """An older wave, a wave starting on the latest's day with a smaller id, another analysis date:
    no kept table or rows for them; the same answers as counted."""
    older = create_wave(db, MANAGER, "2026 Q1", date(2026, 1, 10))
    record_response(db, MANAGER, SurveyResponseIn(wave_id=older, responded_on="2026-01-20", customer_code="K4",
                                                     satisfaction=4))
    twin = create_wave(db, MANAGER, "2026 Q2 (2)", WAVE_START)  # the page opens on it: the greatest id
    record_response(db, MANAGER, SurveyResponseIn(wave_id=twin, responded_on="2026-04-11", customer_code="K1",
                                                     satisfaction=3))
    sat_fits.refit(db, NOW)
    assert kept_fit(db, sat_fits.NONRESPONSE_MODEL, WAVE_START).params["wave_id"] == twin
    reads = both_ways(db, monkeypatch, [older, db.wave, twin])
    assert reads[sat_fits.NONRESPONSE_MODEL] == 2  # the twin's, for the manager and the viewer
    reads = kept_reads(monkeypatch)
    day_before = report.quadrant_cells(db, MANAGER, "behaviour", date(2026, 6, 29))
    assert reads[sat_fits.RESPONDENTS_MODEL] == 0
    # up to 06-29 (1's latest answer is now 3): its purchase of 06-30 is out, that of 2025-06-30 in
    assert day_before.query("sat == 3")["loyalty"].tolist() == [2]


def test_no_answer_kept_as_counted(store, monkeypatch):
    """A wave without answers: the kept cells, lists and table empty, as counted."""
    store.wave = create_wave(store, MANAGER, "2026 Q2", WAVE_START)
    sat_fits.refit(store, NOW)
    assert kept_fit(store, sat_fits.RESPONDENTS_MODEL, AS_OF).params["cells"] == {"behaviour": [], "intent": []}
    reads = both_ways(store, monkeypatch, [store.wave])
    assert reads[sat_fits.RESPONDENTS_MODEL] == 90
    assert report.quadrant_cells(store, MANAGER, "intent", AS_OF).empty
    assert report.nonresponse(store, MANAGER, store.wave).equals(pd.DataFrame())
