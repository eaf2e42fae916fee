"""The purchase model over the whole store: P(alive), value, expected loss, the retention list.

:func:`fit_store_model` is the one expensive step (RFM summary over every transaction + BG/NBD and
Gamma-Gamma fits: a few seconds at 10M transactions). Callers cache its result keyed on (store
path, store generation, as_of) and treat it as read-only. Everything else here slices that result.

Per customer, over the next ``months`` months, discounted monthly:

* ``value_if_alive`` — expected revenue *if she is still a customer*: expected spend per purchase
  (Gamma-Gamma) × expected purchases given alive (BG/NBD). What is at stake.
* ``clv`` = P(alive) × value_if_alive — her expected value over the horizon, shown as the
  "N-month value" (12个月价值): a discounted value over ``months`` months, not a lifetime value.
* ``expected_loss`` = (1 − P(alive)) × value_if_alive — value probably already lost.

The horizon is a choice (``HORIZON_MONTHS`` on the page): :func:`at_horizon` recomputes the value
columns of a fitted model for another number of months without refitting.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from crm_core import access
from crm_core.churn.bgnbd import BGNBDFit, expected_purchases_if_alive, fit_bgnbd, p_alive
from crm_core.churn.rfm import rfm_summary_sql
from crm_core.churn.spend import WEEKS_PER_MONTH, GammaGammaFit, expected_loss_by_segment, fit_gamma_gamma
from crm_core.sql import last_12_months_dates
from crm_core.users import Actor

INACTIVE_SEGMENT = "inactive"  # no purchase in the last 12 months: no ABC class
MODEL_SEGMENTS = ("abc", "customer_type")
P_ALIVE_BINS = np.linspace(0.0, 1.0, 21)
# Gamma-Gamma is fitted on at most this many repeat buyers (seconds saved at a million customers)
SPEND_FIT_SAMPLE = 50_000
HORIZON_MONTHS = (6, 12, 24, 36)  # the value horizons offered on the page; 12 is the default
DEFAULT_HORIZON = 12
DISCOUNT_RATE_MONTHLY = 0.01  # the value's monthly discount rate unless a caller gives another


@dataclass(frozen=True)
class StoreModel:
    """Fitted models and one row per customer who ever bought (see the module docstring for columns)."""

    as_of: date
    months: int
    discount_rate_monthly: float
    bgnbd: BGNBDFit
    spend: GammaGammaFit | None
    customers: pd.DataFrame

    @property
    def repeat_buyers(self) -> int:
        return int((~self.customers["one_time_buyer"]).sum())

    @property
    def one_time_buyers(self) -> int:
        return int(self.customers["one_time_buyer"].sum())


def _spend_per_purchase(summary: pd.DataFrame) -> tuple[np.ndarray, GammaGammaFit | None]:
    """Gamma-Gamma expected spend; without a usable fit, the customer's own mean (population mean for one-timers)."""
    fit, population = fit_spend(summary)
    return spend_per_purchase(summary, fit, population), fit


def fit_spend(summary: pd.DataFrame) -> tuple[GammaGammaFit | None, float]:
    """The store's Gamma-Gamma fit (None: too few repeat buyers) and the repeat buyers' mean spend
    (the fallback): what :func:`spend_per_purchase` needs from the whole store."""
    usable = np.flatnonzero((summary["frequency"] > 0).to_numpy() & (summary["monetary_value"] > 0).to_numpy())
    if len(usable) > SPEND_FIT_SAMPLE:  # population parameters: a large fixed sample pins them down
        # the rows DataFrame.sample(SPEND_FIT_SAMPLE, random_state=0) of the usable rows draws,
        # taken by position: no copy of every usable row first (millions at 10M customers)
        usable = usable[np.random.RandomState(0).choice(len(usable), size=SPEND_FIT_SAMPLE, replace=False)]
    usable = summary.take(usable)
    fit = None
    with contextlib.suppress(ValueError):  # too few repeat buyers: fall back to own means below
        fit = fit_gamma_gamma(usable)
    x = summary["frequency"].to_numpy("float64")
    own = summary["monetary_value"].to_numpy("float64")
    return fit, (own[x > 0].mean() if (x > 0).any() else 0.0)


def spend_per_purchase(rows: pd.DataFrame, fit: GammaGammaFit | None, population: float) -> np.ndarray:
    """Each row's expected spend per purchase under :func:`fit_spend`'s answer (row by row, so any
    slice of the summary gives its rows' values)."""
    x = rows["frequency"].to_numpy("float64")
    own = rows["monetary_value"].to_numpy("float64")
    if fit is not None and fit.q > 1:
        return np.maximum(fit.p * (fit.gamma + x * own) / (fit.p * x + fit.q - 1), 0.0)
    return np.where(x > 0, np.maximum(own, 0.0), population)


def _discounted_purchases_if_alive(fit: BGNBDFit, x: np.ndarray, age: np.ndarray, months: int,
                                   rate: float) -> tuple[np.ndarray, np.ndarray]:
    """(discounted purchases given alive over ``months``, undiscounted purchases given alive) per row.

    Computed over the distinct (x, T) pairs only (the factor does not depend on recency).
    """
    x_codes, x_levels = pd.factorize(x)
    t_codes, t_levels = pd.factorize(age)
    codes, pairs = pd.factorize(x_codes.astype("int64") * len(t_levels) + t_codes)
    ux = np.asarray(x_levels, dtype="float64")[pairs // len(t_levels)]
    ut = np.asarray(t_levels, dtype="float64")[pairs % len(t_levels)]
    discounted, previous = np.zeros(len(ux)), np.zeros(len(ux))
    for month in range(1, months + 1):
        cumulative = expected_purchases_if_alive(fit, month * WEEKS_PER_MONTH, ux, ut)
        discounted += (cumulative - previous) / (1 + rate) ** month
        previous = cumulative
    return discounted[codes], previous[codes]


def _check_months(months) -> int:
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"months must be a whole number of months, at least 1, got {months!r}")
    return int(months)


def _with_values(frame: pd.DataFrame, fit: BGNBDFit, months: int, rate: float) -> pd.DataFrame:
    """``frame`` (frequency, T, p_alive, spend_per_purchase) with purchases_if_alive, value_if_alive,
    clv and expected_loss over the next ``months`` months, discounted at ``rate`` a month."""
    x, age = frame["frequency"].to_numpy("float64"), frame["T"].to_numpy("float64")
    discounted, purchases = _discounted_purchases_if_alive(fit, x, age, months, rate)
    alive = frame["p_alive"].to_numpy()
    value = frame["spend_per_purchase"].to_numpy("float64") * discounted
    return frame.assign(purchases_if_alive=purchases, value_if_alive=value, clv=alive * value,
                        expected_loss=(1 - alive) * value)


def at_horizon(model: StoreModel, months: int) -> StoreModel:
    """The same fitted model with its value columns (purchases_if_alive, value_if_alive, clv,
    expected_loss) over ``months`` months instead: no refit, P(alive) unchanged. The model itself
    when ``months`` is already its horizon. Raises ValueError for ``months`` < 1."""
    months = _check_months(months)
    if months == model.months:
        return model
    frame = _with_values(model.customers, model.bgnbd, months, model.discount_rate_monthly)
    return replace(model, months=months, customers=frame)


def fit_store_model(db, as_of: date, months: int = DEFAULT_HORIZON,
                    discount_rate_monthly: float = DISCOUNT_RATE_MONTHLY) -> StoreModel:
    """Fit BG/NBD and Gamma-Gamma on every customer's purchases up to ``as_of`` and score each customer.

    ``db``: a DuckDB cursor over the store. Customer columns: customer_id, customer_type,
    sales_rep, abc (ABC class over the 12 months up to ``as_of``, ``inactive`` without purchases
    there), frequency, recency, T, monetary_value, p_alive, one_time_buyer, spend_per_purchase,
    purchases_if_alive (next ``months`` months, undiscounted), value_if_alive, clv (the
    ``months``-month value), expected_loss. Raises ValueError for ``months`` < 1 or
    when nobody bought up to ``as_of``.
    """
    from crm_core.segmentation import abc_classify_sql

    months = _check_months(months)
    summary = rfm_summary_sql(db, as_of)
    if summary.empty:
        raise ValueError("no purchases up to the analysis date: nothing to fit")
    fit = fit_bgnbd(summary)
    spend, spend_fit = _spend_per_purchase(summary)
    frame = scored_rows(summary, fit, spend, months, discount_rate_monthly)
    classes = abc_classify_sql(db, *last_12_months_dates(as_of))[["customer_id", "abc"]]
    people = db.execute("SELECT customer_id, customer_type, sales_rep FROM customers").df()
    frame = frame.merge(people, on="customer_id", how="left").merge(classes, on="customer_id", how="left")
    frame["abc"] = frame["abc"].fillna(INACTIVE_SEGMENT)
    for column in ("customer_type", "sales_rep", "abc"):
        frame[column] = frame[column].astype("category")
    return StoreModel(as_of=as_of, months=months, discount_rate_monthly=discount_rate_monthly, bgnbd=fit,
                      spend=spend_fit, customers=frame)


def scored_rows(summary: pd.DataFrame, fit: BGNBDFit, spend: np.ndarray, months: int, rate: float) -> pd.DataFrame:
    """RFM ``summary`` rows with p_alive, one_time_buyer, spend_per_purchase (``spend``) and the
    value columns over ``months``: row by row, so a slice of the store's summary scores the same."""
    x = summary["frequency"].to_numpy("float64")
    return _with_values(summary.assign(p_alive=p_alive(fit, summary).to_numpy(), one_time_buyer=x == 0,
                                       spend_per_purchase=spend), fit, months, rate)


def scoped(model: StoreModel, actor: Actor | None) -> pd.DataFrame:
    """The model's customer rows the actor may see (a rep: her own customers). Never mutate the result."""
    return access.narrow_customers_frame(model.customers, actor)


def model_summary(model: StoreModel, actor: Actor | None = None) -> dict:
    """Headline figures: customers, repeat and one-time buyers, mean P(alive) of repeat buyers, Σ clv, Σ expected loss."""
    frame = scoped(model, actor)
    repeat = frame[~frame["one_time_buyer"]]
    return {
        "customers": len(frame),
        "repeat_buyers": len(repeat),
        "one_time_buyers": int(frame["one_time_buyer"].sum()),
        "mean_p_alive_repeat": float(repeat["p_alive"].mean()) if len(repeat) else None,
        "likely_lost": int((repeat["p_alive"] < 0.5).sum()),
        "clv": float(frame["clv"].sum()),
        "expected_loss": float(frame["expected_loss"].sum()),
    }


def expected_loss_table(model: StoreModel, by: str, actor: Actor | None = None) -> pd.DataFrame:
    """:func:`expected_loss_by_segment` with value = value_if_alive, segment = ``abc`` or ``customer_type``.

    Columns: segment, customers, value, expected_loss, loss_share. Raises ValueError for another ``by``.
    """
    if by not in MODEL_SEGMENTS:
        raise ValueError(f"by must be one of {MODEL_SEGMENTS}, got {by!r}")
    frame = scoped(model, actor)
    parts = pd.DataFrame({"segment": frame[by].astype(str).to_numpy(), "p_alive": frame["p_alive"].to_numpy(),
                          "value": frame["value_if_alive"].to_numpy()})
    return expected_loss_by_segment(parts)


def p_alive_histogram(model: StoreModel, actor: Actor | None = None) -> pd.DataFrame:
    """Repeat buyers per P(alive) band of 5 points: band_start, band_end, customers (20 rows)."""
    frame = scoped(model, actor)
    counts, edges = np.histogram(frame.loc[~frame["one_time_buyer"], "p_alive"], bins=P_ALIVE_BINS)
    return pd.DataFrame({"band_start": edges[:-1], "band_end": edges[1:], "customers": counts})


RETENTION_COLUMNS = ["customer_id", "code", "name", "sales_rep", "abc", "p_alive", "value_if_alive",
                     "expected_loss", "last_purchase", "last_contact", "last_contact_channel"]


def retention_list(db, model: StoreModel, actor: Actor | None = None, max_p_alive: float = 0.5,
                   min_value: float = 0.0, limit: int = 500) -> pd.DataFrame:
    """Valuable customers at risk: repeat buyers with P(alive) ≤ ``max_p_alive`` and value ≥ ``min_value``.

    Ranked by expected loss ((1 − P(alive)) × value if alive), at most ``limit`` rows, with the last
    purchase, the last contact (latest interaction of any channel) and the owner (sales_rep).
    Columns as ``RETENTION_COLUMNS``. One-time buyers are left out: their P(alive) says nothing.
    """
    frame = scoped(model, actor)
    at_risk = frame[~frame["one_time_buyer"] & (frame["p_alive"] <= max_p_alive)
                    & (frame["value_if_alive"] >= min_value)]
    top = at_risk.nlargest(int(limit), "expected_loss")[["customer_id", "abc", "p_alive", "value_if_alive",
                                                         "expected_loss"]]
    return retention_rows(db, top.assign(abc=top["abc"].astype(str)), model.as_of)


def retention_rows(db, top: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """:func:`retention_list`'s rows for ``top`` (customer_id, abc, p_alive, value_if_alive,
    expected_loss: the customers at risk already chosen), with code, name, owner, the last purchase
    up to ``as_of`` and the last contact; largest expected loss first."""
    db.register("churn_retention_top", top)
    try:
        return db.execute("""
            WITH contact AS (
                SELECT i.customer_id, max(i.occurred_at) AS last_contact,
                       arg_max(i.channel, i.occurred_at) AS last_contact_channel
                FROM interactions i JOIN churn_retention_top USING (customer_id) GROUP BY i.customer_id
            ), bought AS (
                SELECT t.customer_id, max(t.txn_date) AS last_purchase
                FROM transactions t JOIN churn_retention_top USING (customer_id)
                WHERE t.txn_date <= ? GROUP BY t.customer_id
            )
            SELECT r.customer_id, c.code, c.name, c.sales_rep, r.abc, r.p_alive, r.value_if_alive,
                   r.expected_loss, b.last_purchase, k.last_contact, k.last_contact_channel
            FROM churn_retention_top r JOIN customers c USING (customer_id)
            LEFT JOIN bought b USING (customer_id) LEFT JOIN contact k USING (customer_id)
            ORDER BY r.expected_loss DESC, r.customer_id""", [as_of]).df()
    finally:
        db.unregister("churn_retention_top")


def customer_outlook(model: StoreModel, customer_id: int) -> dict | None:
    """This customer's model row as a dict (p_alive, one_time_buyer, value_if_alive, clv, expected_loss,
    purchases_if_alive, frequency, recency, T, abc), or None if she bought nothing up to ``as_of``."""
    rows = model.customers[model.customers["customer_id"].to_numpy() == int(customer_id)]
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    row["abc"] = str(row["abc"])
    return row
