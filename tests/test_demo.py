"""The demo generator: deterministic, heavy-tailed, and shaped so every page shows something true."""
from datetime import date

import pandas as pd
import pytest

from crm_core import demo
from crm_core.models import CustomerIn
from crm_core.store import Store

AS_OF = date(2026, 6, 30)


def test_same_seed_same_data():
    first, second = demo.generate(500, seed=7, as_of=AS_OF), demo.generate(500, seed=7, as_of=AS_OF)
    for a, b in zip(first, second):
        pd.testing.assert_frame_equal(a, b)
    other = demo.generate(500, seed=8, as_of=AS_OF)[1]
    assert not other["amount"].equals(first[1]["amount"])


def test_top_fifth_of_customers_bring_75_to_85_percent_of_revenue():
    _, txns, _, _ = demo.generate(2000, as_of=AS_OF)
    spend = txns.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top = spend.head(len(spend) // 5).sum() / spend.sum()
    assert 0.75 <= top <= 0.85


def test_shape_covers_every_region_type_and_three_years():
    people, txns, contacts, dates = demo.generate(2000, as_of=AS_OF)
    assert set(people["customer_type"]) == {"corporate", "channel", "individual"}
    assert set(people["region"]) == {"华东", "华北", "华南", "华中", "西部", "东北"}
    assert set(people["tenure_stage"]) == {"new", "old", "potential"}
    assert txns["txn_date"].max() <= pd.Timestamp(AS_OF)
    assert (pd.Timestamp(AS_OF) - txns["txn_date"].min()).days >= 3 * 365 - 1
    assert 8 <= len(txns) / len(people) <= 13
    assert len(contacts) == 5000 and not dates.empty
    # Potential customers have never bought.
    potential = set(people.loc[people["tenure_stage"] == "potential", "customer_id"])
    assert potential and potential.isdisjoint(set(txns["customer_id"]))


def test_generated_customers_pass_the_form_validation():
    people = demo.generate(300, as_of=AS_OF)[0]
    for record in people.drop(columns=["customer_id", "created_at", "tenure_stage"]).to_dict("records"):
        clean = {k: v for k, v in record.items() if v is not None and v == v}
        CustomerIn.model_validate(clean)


def test_load_demo_fills_a_store_once(store):
    size = demo.load_demo(store, customers=200, as_of=AS_OF)
    assert store.query_one("SELECT count(*) FROM customers") == (200,)
    assert store.query_one("SELECT count(*) FROM transactions") == (size.transactions,)
    assert store.integrity_problems() == []
    # The id sequence moved past the explicit ids: a new customer gets id 201.
    (new_id,) = store.query_one("SELECT nextval('customer_id_seq')")
    assert new_id == 201
    try:
        demo.load_demo(store, customers=10)
    except ValueError as error:
        assert "empty store" in str(error)
    else:
        raise AssertionError("loading demo data twice must be refused")


# Every table a demo writes, with the columns that do not hold the build's wall-clock time.
DEMO_TABLES = ("customers", "transactions", "interactions", "key_dates", "promises", "promise_events",
               "remedies", "complaints", "survey_waves", "survey_responses", "mystery_visits", "churn_events",
               "segment_snapshots", "segment_class_changes")


def _table_rows(store, table: str) -> pd.DataFrame:
    columns = [name for name, default in store.query_df(
        "SELECT column_name, column_default FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
        [table]).itertuples(index=False) if "current_timestamp" not in str(default).lower()]
    select = ", ".join(f'"{c}"' for c in columns)  # names read from the catalog, not user text
    return store.query_df(f"SELECT {select} FROM {table} ORDER BY ALL")


def test_a_demo_in_chunks_is_the_same_for_the_same_seed_and_continues_its_ids(tmp_path):
    stores = []
    for name in ("a", "b"):  # two chunks of 100 customers, built twice
        demo.build_demo_file(tmp_path / f"{name}.duckdb", 200, seed=11, as_of=AS_OF, chunk_customers=100)
        stores.append(Store(tmp_path / f"{name}.duckdb"))
    first, second = stores
    for table in DEMO_TABLES:
        rows = _table_rows(first, table)
        assert len(rows), table
        pd.testing.assert_frame_equal(rows, _table_rows(second, table), obj=table)
    # Ids continue across the chunks: customers 1..200, orders SO000000001.. without a gap or a repeat.
    assert first.query_one("SELECT min(customer_id), max(customer_id), count(DISTINCT code) FROM customers") == (1, 200, 200)
    (orders, last) = first.query_one("SELECT count(DISTINCT order_id), max(order_id) FROM transactions")
    assert last == f"SO{orders:09d}" and first.query_one("SELECT count(*) FROM transactions") == (orders,)
    assert first.query_one("SELECT count(*), count(DISTINCT promise_id) FROM promises")[1] == \
        first.query_one("SELECT count(*) FROM promises")[0]
    # The first chunk is the 100-customer demo of the same seed; the second one is another draw.
    _, txns, _, _ = demo.generate(100, seed=11, as_of=AS_OF)
    assert first.query_one("SELECT count(*), CAST(sum(amount) AS DOUBLE) FROM transactions WHERE customer_id <= 100") \
        == (len(txns), pytest.approx(txns["amount"].sum()))
    assert first.query_one("SELECT count(*) FROM transactions WHERE customer_id > 100")[0] != len(txns)
    # Shared once, not per chunk: eight survey waves, 48 mystery visits, one demo_loads row over every id.
    assert first.query_one("SELECT count(*) FROM survey_waves") == (8,)
    assert first.query_one("SELECT count(*) FROM mystery_visits") == (48,)
    assert first.query_one("SELECT first_customer_id, last_customer_id FROM demo_loads") == (1, 200)
    assert demo.demo_customers_left(first) == 200
    assert first.integrity_problems() == []
    for store in stores:
        store.close()


def test_a_failed_build_leaves_no_store_at_the_path(tmp_path, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_finish", fail)  # every chunk stored, the last step fails
    target = tmp_path / "crm.duckdb"
    with pytest.raises(RuntimeError):
        demo.build_demo_file(target, 20, as_of=AS_OF, chunk_customers=10)
    assert not target.exists() and list(tmp_path.iterdir()) == []  # nor the side file it was built in
