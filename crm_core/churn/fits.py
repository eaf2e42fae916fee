"""The churn models kept by crm_core.model_fits: the purchase model (BG/NBD + Gamma-Gamma,
crm_core.churn.model), every buyer's purchase rhythm (crm_core.churn.lapsed) and every customer's
activity (crm_core.churn.activity: the rates, segments and funnel), fitted in the background for
an analysis date and read back by the pages.

Only what depends on the transactions decides whether a fit is current: each customer's owner is
joined from ``customers`` when a fit is read, and the type kept with the purchase model's rows (with
a digest of every customer's, migration 028) is used only while the customers still digest the
same, so editing a customer never makes a fit stale.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import date

import numpy as np
import pandas as pd

from crm_core import access
from crm_core.churn import activity
from crm_core.churn.activity import CHURN_ACTIVITY
from crm_core.churn.bgnbd import BGNBDFit, fit_bgnbd
from crm_core.churn.lapsed import purchase_rhythm_reader
from crm_core.churn.model import (
    DEFAULT_HORIZON,
    DISCOUNT_RATE_MONTHLY,
    HORIZON_MONTHS,
    INACTIVE_SEGMENT,
    MODEL_SEGMENTS,
    P_ALIVE_BINS,
    StoreModel,
    fit_spend,
    retention_rows,
    scored_rows,
    spend_per_purchase,
)
from crm_core.churn.rfm import rfm_summary_sql
from crm_core.churn.spend import GammaGammaFit
from crm_core.model_fits import FIT_CHUNK_ROWS, Fit, Fitter
from crm_core.sql import Fragment, compose, last_12_months_dates, run
from crm_core.users import Actor

PURCHASE_MODEL = "purchase_model"
OTHER_HORIZONS = tuple(m for m in HORIZON_MONTHS if m != DEFAULT_HORIZON)  # value_6, value_24, value_36
PURCHASE_RHYTHM = "purchase_rhythm"

_KEPT = ["customer_id", "abc", "frequency", "recency", "T", "monetary_value", "p_alive", "spend_per_purchase",
         "purchases_if_alive", "value_if_alive", "clv", "expected_loss"]


# A digest of every customer's id and type the cursor sees (how many, and the sum of their hashes):
# equal digests, the same customers with the same types (the odds of two sets of customers digesting
# alike by chance are about one in 2^64). One scan of ``customers``, no join.
_TYPES_DIGEST = "SELECT count(*), coalesce(sum(hash(customer_id, customer_type)), 0)::VARCHAR FROM customers"


def types_digest(cur) -> list:
    """[count, sum of hashes as text] of the customers ``cur`` sees (``_TYPES_DIGEST``)."""
    count, hashes = cur.execute(_TYPES_DIGEST).fetchall()[0]
    return [int(count), hashes]


def _with_types(cur, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with each customer's type now (NULL: no longer on file), read for these customers only."""
    cur.register("fit_type_ids", rows[["customer_id"]])
    try:
        types = cur.execute("SELECT k.customer_id, c.customer_type FROM fit_type_ids k"
                            " JOIN customers c USING (customer_id)").df()
    finally:
        cur.unregister("fit_type_ids")
    kinds = pd.Series(types["customer_type"].to_numpy(), index=types["customer_id"].to_numpy(), dtype=object)
    kinds = kinds.reindex(rows["customer_id"].to_numpy())
    return rows.assign(customer_type=kinds.where(kinds.notna(), None).to_numpy())


def _fit_purchase_model(cur, as_of: date) -> tuple[dict, Iterator[pd.DataFrame]]:
    """fit_store_model's parameters and per-customer rows (without owner; the type as it is now,
    with the digest of every customer's type in the params: see migration 028): the models are
    fitted on the whole store's RFM summary, the rows scored ``FIT_CHUNK_ROWS`` customers at a time
    (every per-customer figure is row by row), so only the compact summary is held whole."""
    from crm_core.segmentation import ABC_CLASSES, abc_class_codes_sql  # segmentation imports churn
    summary = rfm_summary_sql(cur, as_of)
    if summary.empty:
        raise ValueError("no purchases up to the analysis date: nothing to fit")
    bgnbd = fit_bgnbd(summary)
    spend, population = fit_spend(summary)
    classified, codes = abc_class_codes_sql(cur, *last_12_months_dates(as_of))
    labels = np.array([*ABC_CLASSES, INACTIVE_SEGMENT], dtype=object)
    params = {"months": DEFAULT_HORIZON, "discount_rate_monthly": DISCOUNT_RATE_MONTHLY,
              "bgnbd": asdict(bgnbd), "spend": None if spend is None else asdict(spend),
              "customer_types": types_digest(cur)}  # the same snapshot as the types kept

    def scored(part: pd.DataFrame) -> pd.DataFrame:
        per_purchase = spend_per_purchase(part, spend, population)
        rows = scored_rows(part, bgnbd, per_purchase, DEFAULT_HORIZON, DISCOUNT_RATE_MONTHLY)
        inactive = len(labels) - 1
        rows = rows.assign(abc=labels[_class_codes(classified, codes, rows["customer_id"].to_numpy(), inactive)])[_KEPT]
        for months in OTHER_HORIZONS:  # the page's other horizons, so no page recomputes them
            rows[f"value_{months}"] = scored_rows(part, bgnbd, per_purchase, months,
                                                  DISCOUNT_RATE_MONTHLY)["value_if_alive"].to_numpy()
        return _with_types(cur, rows)

    return params, (scored(summary.iloc[start:start + FIT_CHUNK_ROWS])
                    for start in range(0, len(summary), FIT_CHUNK_ROWS))


def _class_codes(classified: np.ndarray, codes: np.ndarray, ids: np.ndarray, missing: int) -> np.ndarray:
    """Each of ``ids``' class code among the ``classified`` ids (ascending) and their ``codes``;
    ``missing`` for an id not classified (no purchase in the 12 months)."""
    at = np.searchsorted(classified, ids)
    found = at < len(classified)
    found[found] = classified[at[found]] == ids[found]
    out = np.full(len(ids), missing, dtype="int8")
    out[found] = codes[at[found]]
    return out


def _fit_rhythm(cur, as_of: date) -> tuple[dict, Iterator]:
    """purchase_rhythm_sql's rows by customer, streamed from DuckDB ``FIT_CHUNK_ROWS`` at a time;
    ``buyers`` is counted as they pass (fit_one writes the parameters after the rows)."""
    params = {"buyers": 0}

    def batches() -> Iterator:
        for batch in purchase_rhythm_reader(cur, as_of, FIT_CHUNK_ROWS):
            params["buyers"] += batch.num_rows
            yield batch

    return params, batches()


FITTERS = (Fitter(PURCHASE_MODEL, "fit_purchase_model", _fit_purchase_model),
           Fitter(PURCHASE_RHYTHM, "fit_purchase_rhythm", _fit_rhythm),
           Fitter(CHURN_ACTIVITY, activity.TABLE, activity.fit_activity, fresh=activity.has_segments))

# fit_store_model's columns and order, type and owner from customers as they are now
_MODEL_SQL = """
SELECT f.customer_id, f.frequency, f.recency, f."T", f.monetary_value, f.p_alive,
       f.frequency = 0 AS one_time_buyer, f.spend_per_purchase, f.purchases_if_alive, f.value_if_alive,
       f.clv, f.expected_loss, c.customer_type, c.sales_rep, f.abc
FROM fit_purchase_model f LEFT JOIN customers c USING (customer_id)
WHERE f.fit_id = $fit_id {and_customer}
ORDER BY f.customer_id
"""


def stored_bgnbd(fit: Fit) -> BGNBDFit:
    return BGNBDFit(**fit.params["bgnbd"])


def stored_spend(fit: Fit) -> GammaGammaFit | None:
    spend = fit.params["spend"]
    return None if spend is None else GammaGammaFit(**spend)


def _model_of(fit: Fit, frame: pd.DataFrame) -> StoreModel:
    for column in ("customer_type", "sales_rep", "abc"):
        frame[column] = frame[column].astype("category")
    frame = frame.astype({"frequency": "int64", "one_time_buyer": "bool"})
    return StoreModel(as_of=fit.as_of, months=int(fit.params["months"]),
                      discount_rate_monthly=float(fit.params["discount_rate_monthly"]),
                      bgnbd=stored_bgnbd(fit), spend=stored_spend(fit), customers=frame)


def stored_model(cur, fit: Fit) -> StoreModel:
    """The kept purchase model ``fit`` as fit_store_model returned it (every customer who bought;
    read on a system cursor, narrowed by the callers as before: crm_core.churn.model.scoped)."""
    return _model_of(fit, cur.execute(_MODEL_SQL.format(and_customer=""), {"fit_id": fit.fit_id}).df())


def stored_customer(cur, fit: Fit, customer_id: int) -> StoreModel:
    """The kept purchase model ``fit`` with one customer's row only (the 360 view: no whole-store read)."""
    frame = cur.execute(_MODEL_SQL.format(and_customer="AND f.customer_id = $customer_id"),
                        {"fit_id": fit.fit_id, "customer_id": int(customer_id)}).df()
    return _model_of(fit, frame)


def stored_rhythm(cur, fit_id: int, k: float | None = None) -> pd.DataFrame:
    """The purchase rhythms kept by fit ``fit_id`` (purchase_rhythm_sql's columns); with ``k``, only
    the rows lapsed_from_rhythm would keep for that k (the same test, done in the query)."""
    where = "" if k is None else "AND days_since_last > $k * median_gap_days"
    params = {"fit_id": int(fit_id)} | ({} if k is None else {"k": float(k)})
    frame = cur.execute("SELECT customer_id, purchases, last_purchase, days_since_last, median_gap_days, gap_source,"
                        f" revenue_at_risk FROM fit_purchase_rhythm WHERE fit_id = $fit_id {where}", params).df()
    return frame.astype({"purchases": "int64", "days_since_last": "int64"})


# The lapsed customers of a kept rhythm for a k, as measured.lapsed_report gives them (its columns,
# its order), narrowed to a user in the store: only a page of them is read, never every lapsed row.
# The customers' details are joined to the rows of the page only: the list is cut from the kept
# rows of the customers the user may see (their ids alone), so a page never reads a million names.
_LAPSED_SQL = """
WITH lapsed AS (
    SELECT r.* FROM fit_purchase_rhythm r
    WHERE r.fit_id = $fit_id AND r.days_since_last > $k * r.median_gap_days
      AND r.customer_id IN (SELECT c.customer_id FROM customers c WHERE {scope})
    ORDER BY r.revenue_at_risk DESC, r.customer_id {tail}
)
SELECT l.customer_id, c.code, c.name, c.customer_type, c.sales_rep, l.purchases, l.last_purchase,
       l.days_since_last, l.median_gap_days, l.gap_source, $k * l.median_gap_days AS threshold_days,
       l.revenue_at_risk
FROM lapsed l JOIN customers c USING (customer_id)
ORDER BY l.revenue_at_risk DESC, l.customer_id
"""
_LAPSED_AT_RISK_SQL = """
SELECT r.revenue_at_risk FROM fit_purchase_rhythm r
WHERE r.fit_id = $fit_id AND r.days_since_last > $k * r.median_gap_days
  AND r.customer_id IN (SELECT c.customer_id FROM customers c WHERE {scope})
ORDER BY r.revenue_at_risk DESC, r.customer_id
"""


def _lapsed_query(sql: str, fit_id: int, k: float, actor: Actor | None, **parts) -> Fragment:
    if not k > 0:
        raise ValueError(f"k must be a positive multiple of the purchase gap, got {k!r}")
    return compose(sql, scope=access.visible(actor, "customers", alias="c"), fit_id=int(fit_id), k=float(k), **parts)


def stored_lapsed(cur, fit_id: int, k: float, actor: Actor | None = None, offset: int = 0,
                  limit: int | None = None) -> pd.DataFrame:
    """measured.lapsed_report(cur, as_of, k, actor, stored_rhythm(cur, fit_id)) — or its rows
    ``offset`` .. ``offset + limit`` — read in the store (``cur``: a system cursor)."""
    tail = Fragment("") if limit is None else Fragment("LIMIT $limit OFFSET $offset",
                                                       {"limit": int(limit), "offset": int(offset)})
    return run(cur, _lapsed_query(_LAPSED_SQL, fit_id, k, actor, tail=tail)).df()


def stored_lapsed_totals(cur, fit_id: int, k: float, actor: Actor | None = None) -> tuple[int, float]:
    """How many :func:`stored_lapsed` rows there are and their revenue at risk, summed as the page
    summed the whole list before (pandas, in the list's order: the same float to the last bit)."""
    at_risk = run(cur, _lapsed_query(_LAPSED_AT_RISK_SQL, fit_id, k, actor)).fetchnumpy()["revenue_at_risk"]
    return len(at_risk), pd.Series(np.asarray(at_risk, dtype="float64")).sum()


# -- the Churn page's figures, straight from the kept rows (a user's cursor: their customers only) --

def _value_column(fit: Fit, months: int) -> str:
    """The kept column of value_if_alive over ``months`` (one of the page's horizons)."""
    if months == int(fit.params["months"]):
        return "value_if_alive"
    if months not in OTHER_HORIZONS:
        raise ValueError(f"no kept value over {months} months; the page offers {HORIZON_MONTHS}")
    return f"value_{months}"


# The kept rows the cursor sees (a rep's: their customers'), with the value over the horizon asked for.
# The figures need nothing but the kept rows (a join to every customer was most of a read's time at
# millions of customers, issue 18); the loss by customer type takes the type kept with the rows when
# no customer the cursor sees has changed type since the fit (``types_digest``), else joins
# ``customers`` for the type as it is now (_TYPED_ROWS): the same answer either way.
_ROWS = """
WITH m AS (
    SELECT f.customer_id, f.frequency = 0 AS one_time_buyer, f.p_alive, f.{value} AS value, f.abc
    FROM fit_purchase_model f WHERE f.fit_id = $fit_id
)
"""
_KEPT_TYPED_ROWS = """
WITH m AS (
    SELECT f.customer_id, f.p_alive, f.{value} AS value, coalesce(f.customer_type, 'nan') AS customer_type
    FROM fit_purchase_model f WHERE f.fit_id = $fit_id
)
"""
_TYPED_ROWS = """
WITH m AS (
    SELECT f.customer_id, f.p_alive, f.{value} AS value, coalesce(c.customer_type::VARCHAR, 'nan') AS customer_type
    FROM fit_purchase_model f LEFT JOIN customers c USING (customer_id) WHERE f.fit_id = $fit_id
)
"""


def types_kept(cur, fit: Fit) -> bool:
    """Whether the types kept with ``fit``'s rows are the customers' types now, for every customer
    ``cur`` sees: true when they digest as the whole store did at the fit (a manager's or a viewer's
    cursor, no customer changed since); a rep's part of the customers never does (their join is small)."""
    kept = fit.params.get("customer_types")
    return kept is not None and types_digest(cur) == kept


def stored_summary(cur, fit: Fit, months: int) -> dict:
    """model.model_summary of the kept fit over ``months`` for the customers ``cur`` sees."""
    row = cur.execute(_ROWS.format(value=_value_column(fit, months)) + """
        SELECT count(*), count(*) FILTER (WHERE NOT one_time_buyer), count(*) FILTER (WHERE one_time_buyer),
               avg(p_alive) FILTER (WHERE NOT one_time_buyer),
               count(*) FILTER (WHERE NOT one_time_buyer AND p_alive < 0.5),
               coalesce(sum(p_alive * value), 0), coalesce(sum((1 - p_alive) * value), 0) FROM m""",
                      {"fit_id": fit.fit_id}).fetchall()[0]
    customers, repeat, once, mean_alive, lost, clv, loss = row
    return {"customers": int(customers), "repeat_buyers": int(repeat), "one_time_buyers": int(once),
            "mean_p_alive_repeat": None if mean_alive is None else float(mean_alive), "likely_lost": int(lost),
            "clv": float(clv), "expected_loss": float(loss)}


# The repeat buyers per P(alive) band as numpy's histogram counts them with the edges P_ALIVE_BINS
# ($edges, 1-based): a band holds edge <= p < next edge, the last one also p = 1. floor(p * bands)
# is the band or its neighbour (the edges are rounded multiples of 1/bands), the comparisons with
# the edges themselves settle which. A P(alive) the fit left empty (NULL: too few buyers to say)
# counts as 0, as the page counted it when it read the column into numpy.
_BANDS = """
SELECT band, count(*) AS customers FROM (
    SELECT CASE WHEN p < $edges[c + 1] THEN c - 1 WHEN c < $bands - 1 AND p >= $edges[c + 2] THEN c + 1 ELSE c END AS band
    FROM (SELECT p, least(floor(p * $bands)::INTEGER, $bands - 1) AS c
          FROM (SELECT coalesce(p_alive, 0) AS p FROM fit_purchase_model WHERE fit_id = $fit_id AND frequency <> 0)
          WHERE p >= 0 AND p <= 1)
) GROUP BY band
"""


def stored_histogram(cur, fit: Fit) -> pd.DataFrame:
    """model.p_alive_histogram of the kept fit: the repeat buyers per P(alive) band, counted in the
    store (no per-customer column is read out)."""
    bands = len(P_ALIVE_BINS) - 1
    found = cur.execute(_BANDS, {"fit_id": fit.fit_id, "edges": [float(edge) for edge in P_ALIVE_BINS],
                                 "bands": bands}).fetchall()
    counts = np.zeros(bands, dtype="int64")
    for band, customers in found:
        counts[band] = customers
    return pd.DataFrame({"band_start": P_ALIVE_BINS[:-1], "band_end": P_ALIVE_BINS[1:], "customers": counts})


def stored_loss_table(cur, fit: Fit, by: str, months: int) -> pd.DataFrame:
    """model.expected_loss_table of the kept fit over ``months`` (segment, customers, value,
    expected_loss, loss_share; largest loss first, ties in order of first customer)."""
    if by not in MODEL_SEGMENTS:
        raise ValueError(f"by must be one of {MODEL_SEGMENTS}, got {by!r}")
    rows = _ROWS if by == "abc" else _KEPT_TYPED_ROWS if types_kept(cur, fit) else _TYPED_ROWS
    frame = cur.execute(rows.format(value=_value_column(fit, months)) + f"""
        SELECT {by} AS segment, count(*) AS customers, sum(value) AS value, sum((1 - p_alive) * value) AS expected_loss
        FROM m GROUP BY {by} ORDER BY expected_loss DESC, min(customer_id)""", {"fit_id": fit.fit_id}).df()
    total = frame["expected_loss"].sum()
    frame["loss_share"] = frame["expected_loss"] / total if total else np.nan
    return frame.astype({"segment": object, "customers": "int64"})


def stored_retention(cur, fit: Fit, months: int, max_p_alive: float = 0.5, min_value: float = 0.0,
                     limit: int = 500) -> pd.DataFrame:
    """model.retention_list of the kept fit over ``months`` for the customers ``cur`` sees."""
    top = cur.execute(_ROWS.format(value=_value_column(fit, months)) + """
        SELECT customer_id, abc, p_alive, value AS value_if_alive, (1 - p_alive) * value AS expected_loss FROM m
        WHERE NOT one_time_buyer AND p_alive <= $max_p AND value >= $min_value
        ORDER BY expected_loss DESC, customer_id LIMIT $limit""",
                      {"fit_id": fit.fit_id, "max_p": float(max_p_alive), "min_value": float(min_value),
                       "limit": int(limit)}).df()
    return retention_rows(cur, top, fit.as_of)
