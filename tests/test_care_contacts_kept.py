"""The Care page's stay-in-touch list counted in SQL and read a page at a time
(crm_core.care.contacts.overdue_summary / overdue_rows), its last contacts kept by the care fit
(model 'care_contacts', table fit_care_contacts): the same list as ``overdue_contacts``, with the
interactions logged since the fit added and a deleted one sending it back to the live count."""
from __future__ import annotations

from contextlib import closing
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import model_fits
from crm_core.care import board, contacts
from crm_core.care.fits import FITTERS
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert

AS_OF = date(2025, 6, 30)
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 7, 1, 9, 0, tzinfo=TZ)
MANAGER, REP = Actor("boss", "manager"), Actor("刘", "rep")
# Classes A/B/C every 30/60/120 days, ranked on 2025-06-30 over the 12 months before (the top 5 % of
# ten buyers A, the next 20 % B): 1 A, 2 B, 3 and 4 C; 5 bought nothing (not scheduled); 6-11 are
# buyers missing from the customers table (orphans: ranked, never listed).
SPEND = {1: 1000, 2: 300, 3: 100, 4: 50, 6: 20, 7: 10, 8: 5, 9: 5, 10: 5, 11: 5}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def small(store):
    """1 (陈, A) last contact 2025-05-01: due 05-31, 30 days overdue; 2 (陈, B) 2025-06-20: due
    08-19, not yet; 3 (刘, C) never, on file since 2024-01-01: due 2024-04-30, 426 days; 4 (no rep,
    C) 2025-01-01 (and one after as_of, not counted): due 05-01, 60 days; 5 (刘) no class."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({
            "customer_id": [1, 2, 3, 4, 5], "code": ["a", "b", "c", "d", "e"], "name": "x",
            "sales_rep": ["陈", "陈", "刘", None, "刘"], "created_at": [at(date(2024, 1, 1))] * 5}))
        insert(cur, "interactions", pd.DataFrame({
            "customer_id": [1, 1, 2, 4, 4],
            "occurred_at": [at(date(2025, 3, 1)), at(date(2025, 5, 1)), at(date(2025, 6, 20)),
                            at(date(2025, 1, 1)), at(date(2025, 7, 5))],
            "channel": "phone"}))
        insert(cur, "transactions", pd.DataFrame({"customer_id": list(SPEND), "amount": [float(v) for v in SPEND.values()],
                                                  "txn_date": date(2025, 6, 1)}))
    assert board.customer_classes(store, AS_OF).set_index("customer_id")["abc"].astype(str).head(4).to_dict() == {
        1: "A", 2: "B", 3: "C", 4: "C"}
    return store


def fit(db) -> model_fits.Fit:
    (fitter,) = [f for f in FITTERS if f.model == contacts.CARE_CONTACTS]
    return model_fits.fit_one(db, fitter, AS_OF, NOW)


def counts(db, actor=MANAGER, rep=None, as_of=AS_OF) -> pd.DataFrame:
    return board.overdue_counts(db, actor, as_of, None, lambda: board.customer_classes(db, as_of), rep)


def kept_source(db) -> bool:
    """Whether the list reads the kept last contacts (else it groups the interactions)."""
    with closing(db.system_cursor()) as cur:
        return contacts.kept_source(cur, AS_OF, contacts.plan_scopes(None, contacts._ALL_REPS)) is not None


def same_as_live(db, actor=MANAGER, rep=None, as_of=AS_OF) -> None:
    """The counts and every page equal to overdue_ahead's whole list."""
    classes = board.customer_classes(db, as_of)
    whole = board.overdue_ahead(db, actor, as_of, None, classes, rep)
    summary = counts(db, actor, rep, as_of)
    expected = board.overdue_by_rep(whole)
    expected["sales_rep"] = expected["sales_rep"].astype(object)
    assert_frame_equal(board.summary_by_rep(summary), expected, check_dtype=False)
    for offset in range(len(whole) + 1):
        for limit in (1, 2, 50):
            page = board.overdue_page(db, actor, as_of, None, lambda: classes, summary, offset, limit, rep)
            assert_frame_equal(page.reset_index(drop=True), whole.iloc[offset:offset + limit].reset_index(drop=True),
                               check_dtype=False, check_categorical=False)


def test_the_counts_and_pages_are_the_hand_counted_list(small):
    made = fit(small)
    assert kept_source(small)
    kept = small.query_df("SELECT customer_id, abc, last_contact, interactions FROM fit_care_contacts"
                          " WHERE fit_id = ? ORDER BY customer_id", [made.fit_id])
    assert kept.head(4).values.tolist() == [
        [1, "A", pd.Timestamp(2025, 5, 1), 2], [2, "B", pd.Timestamp(2025, 6, 20), 1], [3, "C", pd.NaT, 0],
        [4, "C", pd.Timestamp(2025, 1, 1), 2]]
    assert list(kept["customer_id"]) == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    summary = counts(small)
    assert [(r if isinstance(r, str) else "-", n, m, b) for r, n, m, b in summary.itertuples(index=False)] == [
        ("刘", 1, 426, 0), ("陈", 1, 30, 1), ("-", 1, 60, 2)]  # no rep last
    page = board.overdue_page(small, MANAGER, AS_OF, None, lambda: pytest.fail("kept"), summary, 1, 2)
    assert list(page["customer_id"]) == [1, 4] and list(page["days_overdue"]) == [30, 60]
    assert list(counts(small, REP)["overdue"]) == [1]  # a rep: their own customer 3 only
    same_as_live(small)
    same_as_live(small, REP)
    same_as_live(small, MANAGER, "陈")
    assert counts(small, as_of=date(2025, 5, 15)).empty  # no fit for that date: live (no purchase yet: no class)
    same_as_live(small, MANAGER, as_of=date(2025, 5, 15))


def test_interactions_logged_after_the_fit_are_added(small):
    fit(small)
    with small.transaction() as cur:  # 3 is called the day before as_of: off the list
        insert(cur, "interactions", pd.DataFrame({"customer_id": [3], "occurred_at": [at(date(2025, 6, 29))],
                                                  "channel": "visit"}))
    assert kept_source(small)
    assert list(counts(small)["sales_rep"].fillna("-")) == ["陈", "-"]
    same_as_live(small)
    same_as_live(small, REP)


def test_a_deleted_interaction_sends_the_list_back_to_the_live_count(small):
    fit(small)
    with small.transaction() as cur:  # 1's contact of 05-01 undone: the last is 03-01, 91 days overdue
        cur.execute("DELETE FROM interactions WHERE customer_id = 1 AND occurred_at = ?", [at(date(2025, 5, 1))])
    assert not kept_source(small)
    assert counts(small).set_index("sales_rep").loc["陈", "max_days_overdue"] == 91
    same_as_live(small)


def test_the_demo_list_with_the_kept_classes_and_contacts(demo_store):
    classes = board.customer_classes(demo_store, DEMO_AS_OF)
    with closing(demo_store.system_cursor()) as cur:
        assert model_fits.current_fit(cur, contacts.CARE_CONTACTS, DEMO_AS_OF) is not None
    rep = demo_store.query_one("SELECT sales_rep FROM customers WHERE sales_rep IS NOT NULL LIMIT 1")[0]
    for actor in (MANAGER, Actor("v", "viewer"), Actor("r", "rep", rep_codes=(rep,))):
        whole = board.overdue_ahead(demo_store, actor, DEMO_AS_OF, None, classes)
        summary = board.overdue_counts(demo_store, actor, DEMO_AS_OF, None, lambda: pytest.fail("classes are kept"))
        assert int(summary["overdue"].sum()) == len(whole) > 0
        for offset in (0, 50, len(whole) - 3):
            page = board.overdue_page(demo_store, actor, DEMO_AS_OF, None, lambda: classes, summary, offset, 50)
            assert_frame_equal(page.reset_index(drop=True), whole.iloc[offset:offset + 50].reset_index(drop=True),
                               check_dtype=False, check_categorical=False)
        ids = whole["customer_id"].head(40)
        kept = board.customer_cards(demo_store, actor, ids, lambda: pytest.fail("kept"), as_of=DEMO_AS_OF)
        live = board.customer_cards(demo_store, actor, ids, classes)
        assert_frame_equal(kept.sort_values("customer_id", ignore_index=True),  # cards come in no order
                           live.sort_values("customer_id", ignore_index=True))
