"""The demo generator: deterministic, heavy-tailed, and shaped so every page shows something true."""
from datetime import date

import pandas as pd

from crm_core import demo
from crm_core.models import CustomerIn

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
