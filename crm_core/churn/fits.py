"""The churn models kept by crm_core.model_fits: the purchase model (BG/NBD + Gamma-Gamma,
crm_core.churn.model) and every buyer's purchase rhythm (crm_core.churn.lapsed), fitted in the
background for an analysis date and read back by the pages.

Only what depends on the transactions is kept: each customer's type and owner are joined from
``customers`` when a fit is read, so editing a customer never makes a fit stale.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pandas as pd

from crm_core.churn.bgnbd import BGNBDFit
from crm_core.churn.lapsed import purchase_rhythm_sql
from crm_core.churn.model import StoreModel, fit_store_model
from crm_core.churn.spend import GammaGammaFit
from crm_core.model_fits import Fit, Fitter

PURCHASE_MODEL = "purchase_model"
PURCHASE_RHYTHM = "purchase_rhythm"

_KEPT = ["customer_id", "abc", "frequency", "recency", "T", "monetary_value", "p_alive", "spend_per_purchase",
         "purchases_if_alive", "value_if_alive", "clv", "expected_loss"]


def _fit_purchase_model(cur, as_of: date) -> tuple[dict, pd.DataFrame]:
    """fit_store_model's parameters and per-customer rows (without type and owner)."""
    model = fit_store_model(cur, as_of)
    params = {"months": model.months, "discount_rate_monthly": model.discount_rate_monthly,
              "bgnbd": asdict(model.bgnbd), "spend": None if model.spend is None else asdict(model.spend)}
    rows = model.customers[_KEPT].assign(abc=model.customers["abc"].astype(str))
    return params, rows


def _fit_rhythm(cur, as_of: date) -> tuple[dict, pd.DataFrame]:
    rhythm = purchase_rhythm_sql(cur, as_of)
    return {"buyers": len(rhythm)}, rhythm.sort_values("customer_id", kind="stable")


FITTERS = (Fitter(PURCHASE_MODEL, "fit_purchase_model", _fit_purchase_model),
           Fitter(PURCHASE_RHYTHM, "fit_purchase_rhythm", _fit_rhythm))

# fit_store_model's columns and order, type and owner from customers as they are now
_MODEL_SQL = """
SELECT f.customer_id, f.frequency, f.recency, f."T", f.monetary_value, f.p_alive,
       f.frequency = 0 AS one_time_buyer, f.spend_per_purchase, f.purchases_if_alive, f.value_if_alive,
       f.clv, f.expected_loss, c.customer_type, c.sales_rep, f.abc
FROM fit_purchase_model f LEFT JOIN customers c USING (customer_id)
WHERE f.fit_id = $fit_id {and_customer}
ORDER BY f.customer_id
"""


def _model_of(fit: Fit, frame: pd.DataFrame) -> StoreModel:
    for column in ("customer_type", "sales_rep", "abc"):
        frame[column] = frame[column].astype("category")
    frame = frame.astype({"frequency": "int64", "one_time_buyer": "bool"})
    spend = fit.params["spend"]
    return StoreModel(as_of=fit.as_of, months=int(fit.params["months"]),
                      discount_rate_monthly=float(fit.params["discount_rate_monthly"]),
                      bgnbd=BGNBDFit(**fit.params["bgnbd"]), spend=None if spend is None else GammaGammaFit(**spend),
                      customers=frame)


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
