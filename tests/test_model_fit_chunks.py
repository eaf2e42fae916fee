"""A fit written a chunk at a time (issue 18: bounded memory at ten million customers) keeps
exactly the rows of a fit written in one piece, in the same order, and a fit that dies between
its chunks leaves no visible fit and its rows are pruned by the next one."""
from __future__ import annotations

from contextlib import closing
from datetime import datetime

import pandas as pd
import pytest

from crm_core import model_fits
from crm_core.care import fits as care_fits
from crm_core.care import replenishment
from crm_core.churn import fits as churn_fits
from crm_core.sql import quote_identifier
from tests.conftest import DEMO_AS_OF
from tests.test_model_fits import ZONE

FITTERS = churn_fits.FITTERS + care_fits.FITTERS
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=ZONE)


def kept_rows(db, fit: model_fits.Fit, table: str) -> pd.DataFrame:
    with closing(db.system_cursor()) as cur:
        return cur.execute(f"SELECT * EXCLUDE (fit_id) FROM {quote_identifier(table)} WHERE fit_id = ?"
                           " ORDER BY rowid", [fit.fit_id]).df()


def test_forty_rows_a_chunk_keep_the_same_rows_and_parameters_as_one_chunk(demo_store, monkeypatch):
    whole = {f.model: (fit := model_fits.fit_one(demo_store, f, DEMO_AS_OF, NOW), kept_rows(demo_store, fit, f.table))
             for f in FITTERS}
    monkeypatch.setattr(churn_fits, "FIT_CHUNK_ROWS", 40)
    monkeypatch.setattr(replenishment, "FORECAST_RANGE", 40)  # the replenishment fit's customers a range
    for fitter in FITTERS:
        fit = model_fits.fit_one(demo_store, fitter, DEMO_AS_OF, NOW)
        rows = kept_rows(demo_store, fit, fitter.table)
        first, first_rows = whole[fitter.model]
        assert fit.params == first.params, fitter.model
        assert len(rows) > 40 * 6, fitter.model  # seven chunks or more: 275 buyers, more customer-products
        pd.testing.assert_frame_equal(rows, first_rows)


def test_a_fit_that_dies_between_chunks_is_not_seen_and_its_rows_go(demo_store, monkeypatch):
    rhythm = churn_fits.FITTERS[1]
    before = model_fits.fit_one(demo_store, rhythm, DEMO_AS_OF, NOW)
    monkeypatch.setattr(churn_fits, "FIT_CHUNK_ROWS", 100)
    real = model_fits._write_rows
    written = []

    def die_after_one(store, table, fit_id, chunk):
        if written:
            raise RuntimeError("the process died")
        written.append(fit_id)
        real(store, table, fit_id, chunk)

    monkeypatch.setattr(model_fits, "_write_rows", die_after_one)
    with pytest.raises(RuntimeError):
        model_fits.fit_one(demo_store, rhythm, DEMO_AS_OF, NOW)
    monkeypatch.setattr(model_fits, "_write_rows", real)
    with closing(demo_store.system_cursor()) as cur:
        assert model_fits.latest_fit(cur, rhythm.model, DEMO_AS_OF).fit_id == before.fit_id
        (orphans,) = cur.execute("SELECT count(*) FROM fit_purchase_rhythm WHERE fit_id = ?", written).fetchall()[0]
        assert orphans == 100  # the first chunk, headerless: no reader looks it up
    after = model_fits.fit_one(demo_store, rhythm, DEMO_AS_OF, NOW)
    with closing(demo_store.system_cursor()) as cur:
        assert cur.execute("SELECT DISTINCT fit_id FROM fit_purchase_rhythm").fetchall() == [(after.fit_id,)]


@pytest.mark.parametrize("position", [None, "rank"])
def test_a_frame_fetched_a_chunk_at_a_time_is_the_whole_fetch(monkeypatch, position):
    # fetch_frame (the RFM summary and value_base of ten million customers in bounded memory) gives
    # what df() gives, dtypes and missing values included, across several chunks; with a position
    # column, the rows in that order (as sorted by it).
    import duckdb

    from crm_core import sql

    monkeypatch.setattr(sql, "FETCH_CHUNK_VECTORS", 1)  # 2,048 rows a chunk: 3 chunks for 5,000 rows
    con = duckdb.connect()
    con.execute("""CREATE TABLE t AS SELECT i AS customer_id, CAST(i % 3 AS TINYINT) AS abc,
                   CASE WHEN i % 7 = 0 THEN NULL ELSE i / 10.0 END::DOUBLE AS factor,
                   row_number() OVER (ORDER BY hash(i)) AS rank FROM range(5000) r(i)""")
    order = "rank" if position else "customer_id"
    expected = con.execute(f"SELECT * FROM t ORDER BY {order}").df()
    actual = sql.fetch_frame(con.execute(f"SELECT * FROM t{'' if position else ' ORDER BY customer_id'}"), position)
    pd.testing.assert_frame_equal(actual, expected)
    assert actual["factor"].isna().sum() == 715 and len(actual) == 5000
    assert actual[order].tolist() == (list(range(1, 5001)) if position else list(range(5000)))
    empty = sql.fetch_frame(con.execute("SELECT * FROM t WHERE false"), position)
    assert empty.empty and list(empty.columns) == ["customer_id", "abc", "factor", "rank"]
