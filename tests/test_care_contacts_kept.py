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
    return plan(db) != "live"


def plan(db, rep=None) -> str:
    """Which rows the list reads for ``rep``: "wide" (the kept rows alone, reps and creation days
    included), "joined" (the kept rows joined to the customers) or "live"."""
    with closing(db.system_cursor()) as cur:
        known = contacts.kept_source(cur, AS_OF, contacts.plan_scopes(rep, contacts._ALL_REPS), rep)
    return "live" if known is None else "joined" if "FROM customers c" in known.sql else "wide"


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
            assert_frame_equal(classless(page), classless(whole.iloc[offset:offset + limit]),
                               check_dtype=False, check_categorical=False)


def classless(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with a missing class as None, however it was read (kept text or a live category)."""
    abc = rows["abc"].astype(object)
    return rows.assign(abc=abc.where(abc.notna(), None)).reset_index(drop=True)


def test_the_counts_and_pages_are_the_hand_counted_list(small):
    made = fit(small)
    assert kept_source(small)
    kept = small.query_df("SELECT customer_id, abc, last_contact, interactions FROM fit_care_contacts"
                          " WHERE fit_id = ? ORDER BY customer_id", [made.fit_id])
    assert kept.head(4).values.tolist() == [
        [1, "A", pd.Timestamp(2025, 5, 1), 2], [2, "B", pd.Timestamp(2025, 6, 20), 1], [3, "C", pd.NaT, 0],
        [4, "C", pd.Timestamp(2025, 1, 1), 2]]
    assert list(kept["customer_id"]) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]  # every customer on file, and buyers not
    people = small.query_df("SELECT customer_id, sales_rep, created_day FROM fit_care_contacts WHERE fit_id = ?"
                            " ORDER BY customer_id", [made.fit_id])
    assert people.fillna("-").values.tolist()[3:6] == [[4, "-", pd.Timestamp(2024, 1, 1)],
                                                        [5, "刘", pd.Timestamp(2024, 1, 1)], [6, "-", "-"]]
    assert made.params["customers"][0][:2] == ["刘", 2] and made.params["timezone"] == "Asia/Shanghai"
    assert plan(small) == plan(small, "陈") == "wide"
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


def test_a_customer_given_to_another_rep_joins_the_customers_until_the_job_fits_again(small):
    made = fit(small)
    (fitter,) = [f for f in FITTERS if f.model == contacts.CARE_CONTACTS]
    with small.transaction() as cur:  # 3 (刘, 426 days overdue) goes to 陈
        cur.execute("UPDATE customers SET sales_rep = '陈' WHERE customer_id = 3")
    assert plan(small) == plan(small, "陈") == plan(small, "刘") == "joined"
    assert list(counts(small)["overdue"]) == [2, 1]  # 陈 (1 and 3), no rep (4)
    same_as_live(small)
    same_as_live(small, REP)  # 刘: none left
    same_as_live(small, MANAGER, "陈")
    with closing(small.system_cursor()) as cur:
        assert not fitter.fresh(small, cur, made)
    fit(small)
    assert plan(small) == "wide"
    same_as_live(small)


def test_a_customer_added_after_the_fit_is_listed_from_the_join(small):
    fit(small)
    with small.transaction() as cur:  # on file since 2025-03-01, never contacted, class-less: not scheduled
        insert(cur, "customers", pd.DataFrame({"customer_id": [12], "code": ["f"], "name": "y", "sales_rep": ["陈"],
                                               "created_at": [at(date(2025, 3, 1))]}))
        cur.execute("INSERT INTO contact_frequency (customer_id, every_days) VALUES (12, 30)")  # own interval: due 03-31
    assert plan(small) == "joined" and plan(small, "刘") == "wide"  # 刘's customers are as they were
    assert counts(small).set_index("sales_rep").loc["陈", "overdue"] == 2
    same_as_live(small)
    same_as_live(small, REP)
    same_as_live(small, MANAGER, "陈")


def cards(db, as_of=AS_OF, actor=MANAGER) -> pd.DataFrame:
    """The cards of customers 1-5, with the gifts and concessions kept for ``as_of`` where current."""
    return board.customer_cards(db, actor, [1, 2, 3, 4, 5], lambda: board.customer_classes(db, AS_OF),
                                as_of=as_of).sort_values("customer_id", ignore_index=True)


def test_the_cards_gifts_and_concessions_kept_and_logged_since_are_the_live_ones(small):
    with small.transaction() as cur:  # before the fit: 1 got tea (03-01) then a gift without a word (04-01)
        insert(cur, "interactions", pd.DataFrame({
            "customer_id": [1, 1, 2], "occurred_at": [at(date(2025, 3, 1)), at(date(2025, 4, 1)), at(date(2025, 2, 1))],
            "channel": ["gift", "gift", "visit"], "products_provided": ["茶叶", None, None],
            "concession": [0.0, 0.0, 50.0]}))
    fit(small)
    assert cards_kept(small)
    kept = cards(small)
    assert kept.set_index("customer_id").loc[1, ["last_gift_date", "last_gift"]].tolist() == [
        pd.Timestamp(2025, 4, 1), "茶叶"]  # the latest gift's day; what: the latest that says
    assert kept.set_index("customer_id").loc[2, ["last_concession_date", "last_concession"]].tolist() == [
        pd.Timestamp(2025, 2, 1), 50.0]
    assert_frame_equal(kept, cards(small, as_of=None))  # live: every interaction read
    with small.transaction() as cur:  # since: a mooncake box logged back-dated to 03-15 (before the
        insert(cur, "interactions", pd.DataFrame({  # word-less gift, after the tea), 3's first concession
            "customer_id": [1, 3, 2], "occurred_at": [at(date(2025, 3, 15)), at(date(2025, 6, 1)), at(date(2025, 1, 1))],
            "channel": ["gift", "phone", "visit"], "products_provided": ["月饼", None, None],
            "concession": [0.0, 20.0, 80.0]}))
    assert plan(small) != "live" and cards_kept(small)
    now = cards(small)
    assert now.set_index("customer_id").loc[1, ["last_gift_date", "last_gift"]].tolist() == [
        pd.Timestamp(2025, 4, 1), "月饼"]
    assert now.set_index("customer_id").loc[2, "last_concession"] == 50.0  # the back-dated 80 is older
    assert_frame_equal(now, cards(small, as_of=None))
    assert_frame_equal(cards(small, actor=REP), cards(small, as_of=None, actor=REP))
    assert list(cards(small, actor=REP)["customer_id"]) == [3, 5]  # 刘's: 3's concession, none of 1's gifts
    assert cards(small, actor=REP)["last_concession"].tolist()[0] == 20.0
    with small.transaction() as cur:  # the tea undone: the kept rows no longer hold
        cur.execute("DELETE FROM interactions WHERE products_provided = '茶叶'")
    assert not cards_kept(small)
    assert_frame_equal(cards(small), cards(small, as_of=None))


def cards_kept(db) -> bool:
    """Whether the cards' gifts and concessions are read from the kept rows (else every interaction)."""
    with closing(db.system_cursor()) as cur:
        return "fit_care_contacts" in contacts.card_sources(cur, AS_OF).sql


def test_a_reps_list_is_read_from_the_kept_rows_alone_and_holds_only_their_customers(small, monkeypatch):
    """While the kept rows hold a rep's customers as they are, the rep's list (and a viewer's) is read
    on a system cursor from them alone, narrowed to the user: no query on the user's own cursor."""
    fit(small)
    with small.transaction() as cur:  # 陈's customer 2 goes to no rep: 陈 and the no-rep rows change, 刘's not
        cur.execute("UPDATE customers SET sales_rep = NULL WHERE customer_id = 2")
    viewer = Actor("v", "viewer")
    expected = {who.name: (board.overdue_ahead(small, who, AS_OF, None, board.customer_classes(small, AS_OF)))
                for who in (REP, viewer)}
    assert plan(small, ("刘",)) == "wide" and plan(small) == "joined"
    real_run = board._run
    monkeypatch.setattr(board, "_run", lambda store, actor, fn: pytest.fail("read on the user's cursor"))
    summary = counts(small, REP)
    assert list(summary["sales_rep"]) == ["刘"] and list(summary["overdue"]) == [1]
    page = board.overdue_page(small, REP, AS_OF, None, lambda: pytest.fail("kept"), summary, 0, 50)
    assert_frame_equal(classless(page), classless(expected[REP.name]), check_dtype=False, check_categorical=False)
    with pytest.raises(pytest.fail.Exception):  # the viewer sees every rep: 陈's changed, read on their cursor
        counts(small, viewer)
    monkeypatch.setattr(board, "_run", real_run)
    summary = counts(small, viewer)
    page = board.overdue_page(small, viewer, AS_OF, None, lambda: pytest.fail("kept"), summary, 0, 50)
    assert_frame_equal(classless(page), classless(expected[viewer.name]), check_dtype=False, check_categorical=False)
