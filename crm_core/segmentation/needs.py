"""Need types: price-, value-oriented or composite (seed 001)."""
from __future__ import annotations

from contextlib import closing
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from crm_core.definitions import PURCHASE
from crm_core.segmentation.abc import check_period

# ---------------------------------------------------------------------------------------------
# Need type (seed 001)
# ---------------------------------------------------------------------------------------------

NEED_TYPES = ("price", "value", "composite")
PRICE_DISCOUNT_SHARE = 0.5  # buys on discount at least half the time → price-oriented
VALUE_DISCOUNT_SHARE = 0.2  # value-oriented customers rarely wait for a discount …
LOW_RELATIVE_PRICE = 0.9  # … price-oriented ones pay under 90% of the average price
HIGH_RELATIVE_PRICE = 1.1  # … value-oriented ones over 110%


def need_type_sql(discount: str, relative: str, own: str) -> tuple[str, str]:
    """The need-type rule as two SQL expressions, (need_type, need_source), over the SQL column
    texts ``discount`` (discount_share), ``relative`` (relative_price) and ``own`` (the recorded
    type): the one place the rule is written (``infer_need_type`` runs it over a frame, the
    Segmentation page over the store). A NULL signal never votes for a type (NULL OR TRUE is TRUE,
    NULL AND x is not TRUE)."""
    known = f"({discount} IS NOT NULL OR {relative} IS NOT NULL)"
    inferred = (f"CASE WHEN {discount} >= {PRICE_DISCOUNT_SHARE!r} OR {relative} < {LOW_RELATIVE_PRICE!r} THEN 'price' "
                f"WHEN {discount} < {VALUE_DISCOUNT_SHARE!r} AND {relative} > {HIGH_RELATIVE_PRICE!r} THEN 'value' "
                f"WHEN {known} THEN 'composite' END")
    source = f"CASE WHEN {own} IS NOT NULL THEN 'own' WHEN {known} THEN 'inferred' END"
    return f"COALESCE({own}, {inferred})", source


def infer_need_type(features: pd.DataFrame) -> pd.DataFrame:
    """Need type (需求类型) per customer.

    ``features`` has ``customer_id``, ``discount_share`` (share of purchases made at a discount,
    0..1), ``relative_price`` (what the customer paid / what the same goods cost at the average
    price, 1 = average) and optionally ``need_type`` (the customer's own recorded type).
    Rule, in order (same text as catalog key ``seg.need_rule``):
      price      if discount_share >= 0.5 or relative_price < 0.9;
      value      if discount_share < 0.2 and relative_price > 1.1;
      composite  otherwise, when at least one of the two is known;
      missing (NA) when neither is known.
    A recorded ``need_type`` wins. Returns ``customer_id``, ``need_type`` and ``need_source``
    ("own", "inferred", or NA when neither), in the rows' order. Raises ValueError when a recorded
    type is not a known one.
    """
    own = features["need_type"] if "need_type" in features.columns else pd.Series(None, index=features.index)
    unknown = set(own.dropna()) - set(NEED_TYPES)
    if unknown:
        raise ValueError(f"unknown need_type value(s): {', '.join(map(str, sorted(unknown)))}")
    signals = pd.DataFrame({  # NaN reads as NULL in DuckDB
        "customer_id": features["customer_id"].to_numpy(), "own": own.astype(object).to_numpy(),
        "discount": pd.to_numeric(features["discount_share"]).astype(float).to_numpy(),
        "relative": pd.to_numeric(features["relative_price"]).astype(float).to_numpy(),
        "row": np.arange(len(features))})
    need_type, source = need_type_sql("discount", "relative", "CAST(own AS VARCHAR)")
    with closing(duckdb.connect()) as db:
        db.register("signals", signals)
        result = db.execute(f"SELECT customer_id, {need_type} AS need_type, {source} AS need_source "
                            "FROM signals ORDER BY row").df()
    for column in ("need_type", "need_source"):  # a NULL text comes back as NaN: None, as recorded
        result[column] = result[column].astype(object).where(result[column].notna(), None)
    return result


# The per-customer signals from the purchases alone (parameters $start, $end): also kept by the
# background fit (crm_core.segmentation.fits), the same text. Sums are exact (DECIMAL amounts and
# quantities) and a customer's priced quantities are added in product order, so the result does not
# depend on the order DuckDB's threads add rows in (sums of floats in parallel differed in their
# last bits from one run to the next): Σ quantity × unit price over a customer's lines is
# Σ over their products of (the quantity bought) × (that product's unit price).
NEED_CTES = """
    lines AS (
        SELECT customer_id, product, amount, quantity, discount
        FROM transactions WHERE txn_date BETWEEN $start AND $end AND """ + PURCHASE + """),
    product_price AS (
        SELECT product, CAST(SUM(amount) AS DOUBLE) / CAST(SUM(quantity) AS DOUBLE) AS unit_price
        FROM lines WHERE product IS NOT NULL AND quantity > 0 GROUP BY product),
    bought AS (  -- per customer and priced product: what they paid and how much they bought
        SELECT l.customer_id, l.product, SUM(l.amount) AS amount, SUM(l.quantity) AS quantity, MAX(p.unit_price) AS unit_price
        FROM lines l JOIN product_price p ON l.product = p.product AND l.quantity > 0
        WHERE p.unit_price > 0 GROUP BY l.customer_id, l.product),
    priced AS (
        SELECT customer_id, CAST(SUM(amount) AS DOUBLE)
                   / list_sum(list(CAST(quantity AS DOUBLE) * unit_price ORDER BY product)) AS relative_price
        FROM bought GROUP BY customer_id),
    per_customer AS (
        SELECT l.customer_id,
               AVG(CASE WHEN l.discount > 0 THEN 1.0 ELSE 0.0 END)
                   FILTER (WHERE l.discount IS NOT NULL) AS discount_share,
               ANY_VALUE(r.relative_price) AS relative_price
        FROM lines l LEFT JOIN priced r USING (customer_id)
        GROUP BY l.customer_id)"""


def need_features_sql(db, start: date, end: date) -> pd.DataFrame:
    """Inputs of ``infer_need_type`` for every customer in ``customers``, from purchases
    (amount > 0) dated ``start``..``end``: ``discount_share`` = share of purchase lines with a
    discount > 0 among lines whose discount is recorded; ``relative_price`` = Σ amount /
    Σ (quantity × the product's average unit price in the period), over lines with a product
    and quantity > 0; ``need_type`` as recorded. Unknown → NULL. Raises ValueError when
    start > end.
    """
    check_period(start, end)
    sql = "WITH " + NEED_CTES + """
    SELECT c.customer_id, p.discount_share, p.relative_price, c.need_type
    FROM customers c LEFT JOIN per_customer p USING (customer_id)
    ORDER BY c.customer_id"""
    return db.execute(sql, {"start": start, "end": end}).df()
