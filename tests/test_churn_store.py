"""crm_core.churn over the store: churn events, measured churn, fill-from-data, the model, the demo loader."""
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from crm_core import demo
from crm_core.churn import (
    REASONS,
    lapsed_customers_sql,
    p_alive,
)
from crm_core.churn import demo as churn_demo
from crm_core.churn.bgnbd import BGNBDFit
from crm_core.churn.events import (
    EVENT_COLUMNS,
    ChurnEventIn,
    churn_event_pareto,
    churn_event_rows,
    customer_churn_events,
    list_churn_events,
    record_churn_event,
)
from crm_core.churn.lapsed import lapsed_from_rhythm, purchase_rhythm_sql
from crm_core.churn.measured import (
    ASSUMED,
    MEASURED,
    churn_by_segments,
    customer_lapsed_status,
    fill_from_my_data,
    funnel_counts,
    lapsed_report,
    measured_churn_rate,
    textbook_inputs,
)
from crm_core.churn.model import (
    HORIZON_MONTHS,
    INACTIVE_SEGMENT,
    at_horizon,
    customer_outlook,
    expected_loss_table,
    fit_store_model,
    model_summary,
    retention_list,
)
from crm_core.churn.spend import fit_gamma_gamma
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied
from tests.reference import customer_lifetime_value, delete_churn_event

BOTH_ENGINES = True  # the embedded file and team mode (conftest)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)
TZ = ZoneInfo("Asia/Shanghai")
MANAGER = Actor("boss", "manager")
WANG = Actor("王芳", "rep")


def add_customers(db: Store, rows: list[tuple]) -> None:
    """rows: (customer_id, customer_type, tenure_stage, sales_rep)."""
    with db.transaction() as cur:
        for cid, ctype, stage, rep in rows:
            cur.execute("INSERT INTO customers (customer_id, code, name, customer_type, tenure_stage, sales_rep)"
                        " VALUES (?, ?, ?, ?, ?, ?)", [cid, f"K{cid:03d}", f"客户{cid}", ctype, stage, rep])


def add_purchases(db: Store, rows: list[tuple]) -> None:
    """rows: (customer_id, day, amount[, gross_margin])."""
    with db.transaction() as cur:
        for cid, day, amount, *margin in rows:
            cur.execute("INSERT INTO transactions (customer_id, txn_date, amount, gross_margin) VALUES (?, ?, ?, ?)",
                        [cid, day, amount, margin[0] if margin else None])


@pytest.fixture
def small(store):
    """Four customers around AS_OF = 2026-06-30 (previous 12 months: 2024-07-01..2025-06-30).

    1 bought in both years (retained), 2 only in the previous year (lost), 3 only in the last year
    (new), 4 only before that (long gone), 5 never bought (potential).
    """
    add_customers(store, [(1, "corporate", "old", "王芳"), (2, "individual", "old", "王芳"),
                          (3, "individual", "new", "李娜"), (4, "channel", "old", "李娜"),
                          (5, "individual", "potential", "李娜")])
    add_purchases(store, [(1, date(2025, 3, 1), Decimal("1000.00"), Decimal("300.00")),
                          (1, date(2026, 3, 1), Decimal("3000.00"), Decimal("600.00")),
                          (2, date(2025, 3, 1), Decimal("500.00")),
                          (3, date(2026, 3, 1), Decimal("1000.00")),
                          (4, date(2024, 1, 5), Decimal("800.00"))])
    return store


# --- churn events ----------------------------------------------------------------------------------

def test_every_reason_of_the_taxonomy_fits_the_table_and_no_other(store):
    add_customers(store, [(1, "individual", "old", None)])
    for reason in REASONS:
        record_churn_event(store, MANAGER, ChurnEventIn(customer_id=1, churned_on=date(2026, 1, 1), reason=reason))
    assert store.query_one("SELECT count(DISTINCT reason) FROM churn_events") == (len(REASONS),)
    with pytest.raises(Exception, match="CHECK"), store.transaction() as cur:
        cur.execute("INSERT INTO churn_events (customer_id, churned_on, reason, controllable)"
                    " VALUES (1, DATE '2026-01-01', 'weather', TRUE)")


def test_controllable_defaults_to_the_reason_category_and_can_be_overridden():
    assert ChurnEventIn(customer_id=1, churned_on=date(2026, 1, 1), reason="moved").controllable is False
    assert ChurnEventIn(customer_id=1, churned_on=date(2026, 1, 1), reason="poor_service").controllable is True
    judged = ChurnEventIn(customer_id=1, churned_on=date(2026, 1, 1), reason="moved", controllable=True)
    assert judged.controllable is True
    with pytest.raises(ValidationError) as error:
        ChurnEventIn(customer_id=1, churned_on=date(2026, 1, 1), reason="weather")
    assert error.value.errors()[0]["type"] == "err.choice"
    with pytest.raises(ValidationError) as error:
        ChurnEventIn(customer_id=1, churned_on=date(2999, 1, 1), reason="moved")
    assert error.value.errors()[0]["type"] == "err.date_future"


def test_recording_is_audited_scoped_and_refused_to_viewers(small):
    event_id = record_churn_event(small, WANG, ChurnEventIn(customer_id=2, churned_on=date(2025, 9, 1),
                                                           reason="price_too_high", note="竞争对手报价低 8%"))
    assert small.query_one("SELECT actor, action, entity, entity_id, new_value FROM audit_log"
                           " WHERE entity = 'churn_event'") == ("王芳", "create", "churn_event", event_id, "price_too_high")
    with pytest.raises(PermissionDenied):  # customer 3 belongs to 李娜
        record_churn_event(small, WANG, ChurnEventIn(customer_id=3, churned_on=date(2026, 5, 1), reason="moved"))
    with pytest.raises(PermissionDenied):
        record_churn_event(small, Actor("v", "viewer"),
                           ChurnEventIn(customer_id=2, churned_on=date(2026, 5, 1), reason="moved"))
    history = customer_churn_events(small, WANG, 2)
    assert history[["reason", "controllable", "note"]].values.tolist() == [["price_too_high", True, "竞争对手报价低 8%"]]
    assert customer_churn_events(small, Actor("李娜", "rep"), 2).empty
    delete_churn_event(small, MANAGER, event_id)
    assert small.query_one("SELECT count(*) FROM churn_events") == (0,)


def test_pareto_counts_reasons_and_uses_the_stored_controllable_flag(small):
    for cid, reason, judged in ((2, "poor_service", None), (2, "poor_service", None), (4, "poor_service", None),
                                (4, "moved", None), (1, "moved", True)):
        record_churn_event(small, MANAGER, ChurnEventIn(customer_id=cid, churned_on=date(2026, 1, 1),
                                                        reason=reason, controllable=judged))
    pareto = churn_event_pareto(small, MANAGER)
    assert pareto.table[["reason", "count"]].values.tolist() == [["poor_service", 3], ["moved", 2]]
    assert pareto.total == 5
    assert pareto.controllable_share == pytest.approx(4 / 5)  # one "moved" was judged controllable
    assert churn_event_pareto(small, WANG).total == 3  # customers 1 and 2 are hers
    assert churn_event_pareto(small, MANAGER, start=date(2026, 2, 1)).total == 0
    page, total = list_churn_events(small, MANAGER, limit=2)
    assert total == 5 and len(page) == 2 and list(page.columns)[:4] == ["event_id", "customer_id", "code", "name"]


def test_events_listed_a_page_at_a_time_and_only_of_customers_on_file(small):
    for day, cid, reason in ((date(2026, 1, 3), 1, "moved"), (date(2026, 1, 5), 2, "rep_left"),
                             (date(2026, 1, 5), 4, "poor_service"), (date(2026, 2, 1), 3, "other")):
        record_churn_event(small, MANAGER, ChurnEventIn(customer_id=cid, churned_on=day, reason=reason))
    with small.transaction() as cur:  # an event whose customer is no longer on file: neither counted nor listed
        cur.execute("INSERT INTO churn_events (customer_id, churned_on, reason) VALUES (999, DATE '2026-03-01', 'moved')")
    assert churn_event_pareto(small, MANAGER).total == 4
    # newest first, the later event of the same day first; the customer's code and rep joined in
    rows = churn_event_rows(small, MANAGER, limit=2, offset=1)
    assert rows[["customer_id", "reason"]].values.tolist() == [[4, "poor_service"], [2, "rep_left"]]
    assert rows["churned_on"].dt.date.tolist() == [date(2026, 1, 5)] * 2
    assert list(rows.columns) == EVENT_COLUMNS and rows["sales_rep"].tolist() == ["李娜", "王芳"]
    everything, total = list_churn_events(small, MANAGER)
    assert total == 4 and everything["customer_id"].tolist() == [3, 4, 2, 1]
    pd.testing.assert_frame_equal(churn_event_rows(small, MANAGER, limit=2, offset=1),
                                  everything.iloc[1:3].reset_index(drop=True))
    assert churn_event_rows(small, WANG)["customer_id"].tolist() == [2, 1]  # hers: customers 1 and 2
    assert churn_event_rows(small, MANAGER, start=date(2026, 1, 4), end=date(2026, 1, 31))["customer_id"].tolist() == [4, 2]


# --- measured churn and "fill from my data" --------------------------------------------------------

def test_measured_churn_rate_by_hand(small):
    # previous 12 months: customers 1 and 2 bought; of them 2 did not buy in the last 12 → 1/2
    assert measured_churn_rate(small, AS_OF) == 0.5
    cur = small.cursor()
    assert measured_churn_rate(cur, AS_OF) == 0.5  # a cursor works as well as the store
    cur.close()
    assert measured_churn_rate(small, AS_OF, Actor("李娜", "rep")) is None  # none of hers bought back then
    assert measured_churn_rate(small, date(2024, 6, 30)) is None


def test_fill_from_my_data_labels_what_it_measured(small):
    with small.transaction() as cur:
        cur.execute("INSERT INTO interactions (customer_id, occurred_at, channel, cost, concession)"
                    " VALUES (1, ?, 'visit', 300, 100)", [datetime(2026, 4, 1, 10, tzinfo=TZ)])
    inputs = fill_from_my_data(small, AS_OF)
    assert inputs.customers == 2  # customers 1 and 3 bought in the last 12 months
    assert inputs.churn_rate == 0.5
    assert inputs.revenue_per_customer == 2000.0  # (3000 + 1000) / 2
    # margins are known on 3000 of 4000 revenue (≥ 50 %): 600 / 3000
    assert inputs.margin == pytest.approx(0.2)
    assert inputs.retention_cost_per_customer == 200.0  # (300 + 100) / 2
    assert inputs.currency == "CNY"
    for name in ("customers", "churn_rate", "revenue_per_customer", "margin", "retention_cost_per_customer"):
        assert inputs.sources[name] == MEASURED, name
    for name in ("years", "discount_rate", "word_of_mouth", "acquisition_cost_multiple", "replacements_per_lost"):
        assert inputs.sources[name] == ASSUMED, name


def test_fill_from_my_data_assumes_the_margin_when_few_transactions_carry_one(small):
    add_purchases(small, [(3, date(2026, 5, 1), Decimal("9000.00"))])  # margin now known on 3000 of 13000
    inputs = fill_from_my_data(small, AS_OF)
    assert inputs.margin == 0.10 and inputs.sources["margin"] == ASSUMED


def test_fill_from_an_empty_store_measures_nothing(store):
    inputs = fill_from_my_data(store, AS_OF)
    assert set(inputs.sources.values()) == {ASSUMED}


def test_textbook_inputs_are_the_worked_example():
    from crm_core.churn import churn_loss

    inputs = textbook_inputs()
    loss = churn_loss(**inputs.loss_kwargs())
    assert (loss.lost_customers, loss.lost_revenue, loss.lost_profit) == (3_200, 128_000_000, 12_800_000)
    assert inputs.currency == "USD"


def test_churn_by_segment_by_hand(small):
    tables = churn_by_segments(small.cursor(), AS_OF)
    by_type = tables["customer_type"].set_index("segment")
    assert by_type.loc["corporate", ["active_before", "churned"]].tolist() == [1, 0]
    assert by_type.loc["individual", ["active_before", "churned", "revenue_lost"]].tolist() == [1, 1, 500.0]
    assert "channel" not in by_type.index  # customer 4 was not active in the base year
    # ABC over the base year (1: 1000 → rank 1 = A; 2: 500 → B, as ceil(0.2·2) = 1 < 2 … C)
    by_abc = tables["abc"].set_index("segment")
    assert by_abc["active_before"].sum() == 2 and by_abc["churned"].sum() == 1
    assert by_abc.loc["A", "churned"] == 0
    base, lost = by_type["active_before"].sum(), by_type["churned"].sum()
    assert lost / base == measured_churn_rate(small, AS_OF)


def test_funnel_counts_by_hand(small):
    add_purchases(small, [(1, date(2026, 4, 1), Decimal("10.00"))])  # customer 1: three purchase days
    counts = funnel_counts(small, AS_OF, visitors=None)
    # potential = 1 marked potential + 4 buyers; repeat = customer 1 only; loyal: 1 bought in both years
    assert counts == {"visitor": 5, "potential": 5, "purchasing": 4, "repeat": 1, "loyal": 1}
    assert funnel_counts(small, AS_OF, visitors=1000)["visitor"] == 1000


def test_lapsed_status_of_one_customer(small):
    add_purchases(small, [(1, date(2026, 1, 1), Decimal("10.00"))])  # 1: 2025-03-01, 2026-01-01, 2026-03-01
    status = customer_lapsed_status(small, 1, AS_OF, k=2.0)
    assert status["median_gap_days"] == (306 + 59) / 2 and status["days_since_last"] == 121
    assert status["lapsed"] is False  # 121 ≤ 2 × 182.5
    assert customer_lapsed_status(small, 1, AS_OF, k=0.5)["lapsed"] is True
    assert customer_lapsed_status(small, 3, AS_OF)["lapsed"] is None  # one purchase: no rhythm of her own
    assert customer_lapsed_status(small, 5, AS_OF) is None


# --- lapsed and churn rate over the store --------------------------------------------------------

@pytest.fixture(scope="module")
def cdnow_db(tmp_path_factory):
    """CDNOW 1/10 sample transactions with a customer row for each buyer (alternating reps/types)."""
    db = Store(tmp_path_factory.mktemp("cdnow") / "crm.duckdb")
    frame = pd.read_csv(ROOT / "tests" / "fixtures" / "cdnow" / "cdnow_sample_transactions.csv")
    ids = np.sort(frame["customer_id"].unique())
    people = pd.DataFrame({"customer_id": ids, "code": [f"CD{i:05d}" for i in ids], "name": "cdnow",
                           "customer_type": np.where(ids % 2 == 0, "individual", "corporate"),
                           "sales_rep": np.where(ids % 3 == 0, "王芳", "李娜")})
    with db.transaction() as cur:
        cur.register("people", people)
        cur.execute("INSERT INTO customers (customer_id, code, name, customer_type, sales_rep)"
                    " SELECT customer_id, code, name, customer_type, sales_rep FROM people")
        cur.register("txns", frame)
        cur.execute("INSERT INTO transactions (customer_id, txn_date, amount)"
                    " SELECT customer_id, CAST(date AS DATE), amount FROM txns")
    yield db
    db.close()


def test_rhythm_then_k_gives_the_same_lapsed_customers(cdnow_db):
    cur = cdnow_db.cursor()
    rhythm = purchase_rhythm_sql(cur, date(1997, 9, 30))
    for k in (1.0, 2.0, 3.5):
        pd.testing.assert_frame_equal(lapsed_from_rhythm(rhythm, k), lapsed_customers_sql(cur, date(1997, 9, 30), k),
                                      check_dtype=False)
    report = lapsed_report(cur, date(1997, 9, 30), 2.0, WANG, rhythm)
    assert len(report) and set(report["sales_rep"]) == {"王芳"}
    assert report["customer_id"].mod(3).eq(0).all()


def test_scoped_churn_rate_by_period_matches_the_unscoped_one(cdnow_db):
    from crm_core.churn import churn_rate_by_period_sql

    cur = cdnow_db.cursor()
    ours = churn_rate_by_period_sql(cur, "quarter", date(1998, 6, 30))
    pd.testing.assert_frame_equal(ours, churn_rate_by_period_sql(cur, "quarter"), check_dtype=False)
    theirs = churn_rate_by_period_sql(cdnow_db.cursor(WANG), "quarter", date(1998, 6, 30))
    assert (theirs["active_prev"] < ours["active_prev"]).all()


# --- the model over the store -------------------------------------------------------------------

@pytest.fixture(scope="module")
def cdnow_model(cdnow_db):
    return fit_store_model(cdnow_db.cursor(), date(1997, 9, 30), months=12, discount_rate_monthly=0.01)


def test_store_model_reproduces_the_cdnow_fit(cdnow_model):
    fit = cdnow_model.bgnbd
    assert (round(fit.r, 3), round(fit.alpha, 3), round(fit.a, 3), round(fit.b, 3)) == (0.243, 4.414, 0.793, 2.426)
    assert fit.converged and fit.customers == 2357
    assert cdnow_model.repeat_buyers + cdnow_model.one_time_buyers == 2357


def test_store_model_values_agree_with_the_clv_function(cdnow_model):
    frame = cdnow_model.customers
    summary = frame[["customer_id", "frequency", "recency", "T", "monetary_value"]]
    gg = fit_gamma_gamma(summary)
    clv = customer_lifetime_value(cdnow_model.bgnbd, gg, summary, months=12, discount_rate_monthly=0.01)
    np.testing.assert_allclose(frame["clv"], clv, rtol=1e-9)
    np.testing.assert_allclose(frame["p_alive"], p_alive(cdnow_model.bgnbd, summary), rtol=1e-12)
    np.testing.assert_allclose(frame["clv"] + frame["expected_loss"], frame["value_if_alive"], rtol=1e-9)
    assert frame.loc[frame["one_time_buyer"], "expected_loss"].eq(0).all()  # P(alive) = 1 by construction


def test_value_horizon_recomputes_without_refitting(cdnow_model, cdnow_db):
    # issue 15: the value is named for its horizon and the horizon is a choice. More months add
    # more (non-negative, discounted) purchases: 6 < 12 < 24 < 36 for every repeat buyer.
    assert at_horizon(cdnow_model, 12) is cdnow_model
    sums = {m: at_horizon(cdnow_model, m).customers["clv"].sum() for m in HORIZON_MONTHS}
    assert sums[6] < sums[12] < sums[24] < sums[36]
    twelve, twenty_four = cdnow_model.customers, at_horizon(cdnow_model, 24).customers
    repeat = ~twelve["one_time_buyer"].to_numpy()
    assert (twenty_four["clv"].to_numpy()[repeat] > twelve["clv"].to_numpy()[repeat]).all()
    assert (twenty_four["p_alive"] == twelve["p_alive"]).all()
    # the same numbers as a fit made for 24 months
    refit = fit_store_model(cdnow_db.cursor(), date(1997, 9, 30), months=24, discount_rate_monthly=0.01)
    np.testing.assert_allclose(twenty_four["clv"], refit.customers["clv"], rtol=1e-12)
    np.testing.assert_allclose(twenty_four["expected_loss"], refit.customers["expected_loss"], rtol=1e-12)
    assert at_horizon(cdnow_model, 24).months == 24
    with pytest.raises(ValueError):
        at_horizon(cdnow_model, 0)


def test_limiting_model_values_by_hand():
    # In the limit a, b → ∞ with a/(a + b) = p → 0, a customer alive buys at her posterior rate
    # (r + x)/(α + T): over one month of W weeks, E[purchases | alive] = W·(r + x)/(α + T).
    from crm_core.churn.bgnbd import expected_purchases_if_alive
    fit = BGNBDFit(r=2.0, alpha=10.0, a=1e-9, b=1e9, log_likelihood=0.0, converged=False, iterations=1,
                   customers=1, limiting=True)
    weeks = 4.0
    got = expected_purchases_if_alive(fit, weeks, np.array([3.0]), np.array([30.0]))
    assert got[0] == pytest.approx(weeks * (2 + 3) / (10 + 30), rel=1e-5)
    # twice the horizon, twice the purchases (no dropout, no discounting here)
    twice = expected_purchases_if_alive(fit, 2 * weeks, np.array([3.0]), np.array([30.0]))
    assert twice[0] == pytest.approx(2 * got[0], rel=1e-5)


def test_expected_loss_by_segment_adds_up(cdnow_model):
    total = cdnow_model.customers["expected_loss"].sum()
    for by in ("abc", "customer_type"):
        table = expected_loss_table(cdnow_model, by)
        assert table["expected_loss"].sum() == pytest.approx(total)
        assert table["customers"].sum() == 2357
    # every CDNOW customer first bought in Q1 1997, inside the 12 months up to 1997-09-30: all are
    # classed, except those whose purchases there net to ≤ 0 (the sample has a few zero amounts)
    frame = pd.read_csv(ROOT / "tests" / "fixtures" / "cdnow" / "cdnow_sample_transactions.csv")
    net = frame[frame["date"] <= "1997-09-30"].groupby("customer_id")["amount"].sum()
    inactive = cdnow_model.customers.loc[cdnow_model.customers["abc"] == INACTIVE_SEGMENT, "customer_id"]
    assert sorted(inactive) == sorted(net[net <= 0].index)
    with pytest.raises(ValueError):
        expected_loss_table(cdnow_model, "region")
    summary = model_summary(cdnow_model, WANG)
    assert summary["customers"] == int((cdnow_model.customers["customer_id"] % 3 == 0).sum())


def test_retention_list_ranks_valuable_customers_at_risk(cdnow_db, cdnow_model):
    with cdnow_db.transaction() as cur:
        cur.execute("INSERT INTO interactions (customer_id, occurred_at, channel) VALUES (?, ?, 'phone')",
                    [int(cdnow_model.customers.nlargest(1, "expected_loss")["customer_id"].iloc[0]),
                     datetime(1997, 9, 1, 9, tzinfo=TZ)])
    table = retention_list(cdnow_db.cursor(), cdnow_model, max_p_alive=0.5, limit=20)
    assert len(table) == 20 and table["p_alive"].le(0.5).all()
    assert table["expected_loss"].is_monotonic_decreasing
    frame = cdnow_model.customers
    eligible = frame[~frame["one_time_buyer"] & (frame["p_alive"] <= 0.5)]
    assert table["expected_loss"].iloc[0] == pytest.approx(eligible["expected_loss"].max())
    assert table["last_contact_channel"].iloc[0] == "phone"
    assert (table["last_purchase"] <= pd.Timestamp(date(1997, 9, 30))).all()
    mine = retention_list(cdnow_db.cursor(), cdnow_model, WANG, max_p_alive=0.5, limit=20)
    assert set(mine["sales_rep"]) == {"王芳"}


def test_customer_outlook(cdnow_model):
    one = customer_outlook(cdnow_model, 1)
    # CDNOW customer 1: x = 2, t_x = 30.43, T = 38.86 weeks; P(alive) ≈ 0.7266 (see test_churn.py)
    assert one["frequency"] == 2 and one["p_alive"] == pytest.approx(0.7266, abs=1e-3)
    assert customer_outlook(cdnow_model, 99_999) is None


# --- demo loader -----------------------------------------------------------------------------------

def test_demo_loader_records_reasons_for_customers_who_stopped(store):
    size = demo.load_demo(store, customers=600, as_of=AS_OF)  # calls churn_demo.load_demo in its transaction
    people, txns, _, _ = demo.generate(600, 20240305, AS_OF)
    written = size.extras["churn"]
    assert size.customers == 600 and 0.08 * 600 < written < 0.22 * 600
    events = store.query_df("SELECT e.*, c.sales_rep, c.customer_type,"
                            " (SELECT max(txn_date) FROM transactions t WHERE t.customer_id = e.customer_id) AS last"
                            " FROM churn_events e JOIN customers c USING (customer_id)")
    assert len(events) == written and events["customer_id"].is_unique
    assert set(events["reason"]) <= set(REASONS)
    assert (events["controllable"] == events["reason"].map(REASONS).eq("controllable")).all()
    assert ((pd.Timestamp(AS_OF) - pd.to_datetime(events["last"])).dt.days >= 120).all()
    assert (pd.to_datetime(events["churned_on"]) > pd.to_datetime(events["last"])).all()
    assert (pd.to_datetime(events["churned_on"]) <= pd.Timestamp(AS_OF)).all()
    assert events["controllable"].mean() > 0.7
    assert not ((events["reason"] == "cross_territory_dumping") & (events["customer_type"] != "channel")).any()
    # the rep who left: most of her lost customers followed her
    rep_left = events.groupby(events["sales_rep"] == churn_demo.REP_WHO_LEFT)["reason"].apply(
        lambda r: (r == "rep_left").mean())
    assert rep_left[True] > 0.5 > rep_left[False]
    again = store.query_df("SELECT * FROM churn_events ORDER BY event_id")
    with store.transaction() as cur:
        cur.execute("DELETE FROM churn_events")
        assert churn_demo.load_demo(cur, people, txns, AS_OF, 20240305) == written
    repeat = store.query_df("SELECT * FROM churn_events ORDER BY event_id")
    cols = ["customer_id", "churned_on", "reason", "controllable", "note"]
    pd.testing.assert_frame_equal(again[cols], repeat[cols])  # deterministic


# --- import kind -----------------------------------------------------------------------------------

def test_churn_events_import_kind_reads_labels_in_both_languages(store):
    import crm_core.churn.import_kind  # noqa: F401  (registers the kind, as crm_core.ingest will)
    from crm_core.ingest import run_import

    add_customers(store, [(1, "individual", "old", None), (2, "individual", "old", None),
                          (3, "channel", "old", None)])
    path = ROOT / "tests" / "fixtures" / "churn" / "churn_events_zh.csv"
    refused = run_import(store, MANAGER, "churn_events", str(path))
    assert refused.result is None and refused.lines[0].startswith('Row 5, column "流失原因", value "天气"')
    done = run_import(store, MANAGER, "churn_events", str(path), skip_invalid=True)
    assert (done.result.created, done.result.rejected) == (3, 1)
    rows = list_churn_events(store, MANAGER)[0].sort_values("customer_id")
    assert rows["reason"].tolist() == ["poor_service", "price_too_high", "cross_territory_dumping"]
    assert rows["churned_on"].astype(str).tolist() == ["2026-01-05", "2026-02-10", "2026-03-01"]
    # 服务差 with the controllable cell blank: the reason's category says controllable; 否 overrides
    assert rows["controllable"].tolist() == [True, False, True]
    assert churn_event_pareto(store, MANAGER).controllable_share == pytest.approx(2 / 3)


def test_undoing_a_churn_events_import_deletes_its_rows_and_says_so_first(store):
    from crm_core.ingest import run_import, undo_import, undo_preview

    add_customers(store, [(1, "individual", "old", None), (2, "individual", "old", None),
                          (3, "channel", "old", None)])
    path = ROOT / "tests" / "fixtures" / "churn" / "churn_events_zh.csv"
    done = run_import(store, MANAGER, "churn_events", str(path), skip_invalid=True)
    preview = undo_preview(store, MANAGER, done.result.import_id)
    assert (preview["rows"], preview["customers"], preview["kind"], preview["refused"]) == (3, 0, "churn_events", None)
    assert undo_import(store, MANAGER, done.result.import_id)["rows"] == 3
    assert store.query_one("SELECT count(*) FROM churn_events") == (0,)
