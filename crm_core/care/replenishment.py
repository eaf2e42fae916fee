"""Proactive replenishment (Wang Yongqing's rice notebook, 预测需求，领先一步).

For each customer and product: a consumption rate in units per day, the day the last purchase
runs out, a "deliver this week" list and a payment reminder on the customer's payday.

Model. Purchases on the same day are summed. A purchase of ``q`` units on day ``t_i`` lasts
until the next purchase on ``t_{i+1}``, so each interval gives a rate ``q_i / (t_{i+1} - t_i)``.
Estimators: ``"median"`` — median of the interval rates (one odd month does not move it);
``"span"`` — everything but the last purchase over the whole span,
``(q_1 + … + q_{n-1}) / (t_n - t_1)``. Days left = last quantity / rate; the run-out day is the
last purchase plus the whole days left (rounded down: deliver a day early, never a day late).
One purchase day gives no rate; then ``household_size × per-person daily consumption`` is used
where both are known, and otherwise there is no forecast rather than a wrong one.
A missing quantity counts as one unit, so a shop that records none still gets forecasts from
the purchase rhythm alone.

The forecast must beat the simplest baselines (docs/domain.md §1): :func:`forecast_backtest_sql`
scores it and "last purchase + median gap" / "+ mean gap" on the same held-back purchases,
:func:`choose_methods` picks the lowest mean error (per customer type with enough checks), and
``replenishment_forecast_sql(..., methods=choice)`` forecasts each customer by that method.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, field_validator

from crm_core import access
from crm_core.definitions import PURCHASE_T
from crm_core.model_fits import customer_ranges
from crm_core.sql import TRUE, Fragment, Identifier, compose, run

Estimator = Literal["median", "span"]
# The forecast methods the back-test compares (docs/domain.md §1): the consumption rate (the
# forecast above), and two baselines — last purchase + the median / mean gap between purchase days.
METHODS: tuple[str, ...] = ("rate", "median_gap", "mean_gap")
MIN_GROUP_CHECKS = 30  # a customer group gets its own method only with at least this many checks


class MethodChoice(BaseModel):
    """Which method forecasts whom: ``overall`` for everyone, except the customer types in
    ``by_group`` (customer_type -> method)."""

    overall: str = "rate"
    by_group: dict[str, str] = {}

    @field_validator("overall")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {value!r}")
        return value

    @field_validator("by_group")
    @classmethod
    def _known_all(cls, value: dict[str, str]) -> dict[str, str]:
        for method in value.values():
            cls._known(method)
        return value

    def method_for(self, customer_type: str | None) -> str:
        return self.by_group.get(customer_type, self.overall) if customer_type else self.overall
FORECAST_COLUMNS = ["customer_id", "product", "purchases", "last_purchase", "last_quantity",
                    "rate_per_day", "method", "days_left", "run_out", "payday"]


def _check_estimator(estimator: str) -> None:
    if estimator not in ("median", "span"):
        raise ValueError(f"estimator must be 'median' or 'span', got {estimator!r}")


def forecast_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A forecast query's rows as :data:`FORECAST_COLUMNS` with their types, by run-out day."""
    frame = frame.reindex(columns=FORECAST_COLUMNS)
    for col in ("last_purchase", "run_out"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    frame = frame.astype({"customer_id": "int64", "purchases": "int64", "payday": "Int64",
                          "last_quantity": "float64", "rate_per_day": "float64", "days_left": "float64"})
    frame["product"] = frame["product"].astype(str)
    frame["method"] = frame["method"].astype(str)
    return frame.sort_values(["run_out", "customer_id", "product"], kind="stable").reset_index(drop=True)




_FORECAST_SQL = """
WITH prm AS (SELECT $as_of::DATE AS as_of, $due_lo::DATE AS due_lo, $due_hi::DATE AS due_hi, $since::DATE AS since),
days AS (
    SELECT t.customer_id, t.product, t.txn_date AS day, sum(coalesce(t.quantity, 1))::DOUBLE AS quantity
    FROM transactions t, prm
    WHERE """ + PURCHASE_T + """ AND t.product IS NOT NULL AND (prm.as_of IS NULL OR t.txn_date <= prm.as_of)
      AND (prm.since IS NULL OR t.txn_date >= prm.since) AND {scope}
    GROUP BY ALL
),
gaps AS (
    SELECT *, lead(day) OVER w - day AS gap, quantity / (lead(day) OVER w - day) AS interval_rate
    FROM days WINDOW w AS (PARTITION BY customer_id, product ORDER BY day)
),
hist AS (
    SELECT customer_id, product, count(*) AS purchases, max(day) AS last_purchase,
           arg_max(quantity, day) AS last_quantity, median(interval_rate) AS median_rate,
           (sum(quantity) - arg_max(quantity, day)) / nullif(max(day) - min(day), 0) AS span_rate,
           median(gap)::DOUBLE AS median_gap, avg(gap)::DOUBLE AS mean_gap
    FROM gaps GROUP BY ALL
),
per_person AS (SELECT unnest($pp_products::VARCHAR[]) AS product, unnest($pp_daily::DOUBLE[]) AS daily),
choice AS (SELECT unnest($choice_groups::VARCHAR[]) AS customer_type, unnest($choice_methods::VARCHAR[]) AS chosen),
rated AS (
    SELECT h.*, c.payday, h.{rate_column} AS history_rate,
           c.household_size * pp.daily AS household_rate,
           coalesce(ch.chosen, $default_method::VARCHAR) AS chosen
    FROM hist h LEFT JOIN customers c USING (customer_id) LEFT JOIN per_person pp USING (product)
         LEFT JOIN choice ch ON ch.customer_type = c.customer_type
),
based AS (
    SELECT *, CASE WHEN chosen IN ('median_gap', 'mean_gap') AND median_gap IS NOT NULL THEN chosen
                   WHEN history_rate IS NOT NULL THEN 'history' ELSE 'household' END AS method
    FROM rated
),
final AS (
    SELECT customer_id, product, purchases, last_purchase, last_quantity, method, payday,
           CASE method WHEN 'median_gap' THEN median_gap WHEN 'mean_gap' THEN mean_gap
                       WHEN 'history' THEN last_quantity / history_rate
                       ELSE last_quantity / household_rate END AS days_left,
           CASE method WHEN 'median_gap' THEN last_quantity / median_gap
                       WHEN 'mean_gap' THEN last_quantity / mean_gap
                       WHEN 'history' THEN history_rate ELSE household_rate END AS rate_per_day
    FROM based
),
forecast AS (
    SELECT *, last_purchase + CAST(floor(round(days_left, 6)) AS INTEGER) AS run_out
    FROM final WHERE CASE WHEN method IN ('history', 'household') THEN rate_per_day > 0 ELSE days_left > 0 END
)
SELECT f.* FROM forecast f, prm
WHERE (prm.due_lo IS NULL OR f.run_out >= prm.due_lo) AND (prm.due_hi IS NULL OR f.run_out < prm.due_hi)
"""
# Estimator -> column of the query (identifiers only from this fixed list).
_RATE_COLUMNS = {"median": "median_rate", "span": "span_rate"}


def _scope(rep: str | None, customer_id: int | None, stride: int = 1,
           customers: tuple[int, int] | None = None) -> Fragment:
    """The condition restricting purchases (``t``) to one customer / a rep's customers (the
    access rule, ``access.of_rep``) / a systematic sample of customers / a customer_id range."""
    if customer_id is not None:
        return Fragment("t.customer_id = $customer_id", {"customer_id": int(customer_id)})
    sample = Fragment("t.customer_id % $stride = 0", {"stride": int(stride)}) if stride > 1 else TRUE
    if customers is not None:
        sample = sample & Fragment("t.customer_id BETWEEN $first_customer AND $last_customer",
                                   {"first_customer": int(customers[0]), "last_customer": int(customers[1])})
    return sample & access.of_rep(rep, "transactions", alias="t")


def replenishment_forecast_sql(db, per_person_daily: Mapping[str, float] | None = None,
                               estimator: Estimator = "median", *, as_of: date | None = None,
                               rep: str | None = None, customer_id: int | None = None,
                               run_out_from: date | None = None, run_out_before: date | None = None,
                               since: date | None = None, methods: MethodChoice | None = None) -> pd.DataFrame:
    """The run-out forecast in DuckDB over the store (the pandas reference is
    ``replenishment_forecast`` in tests/reference.py).

    Purchases are transactions with ``amount > 0``; household size and payday come from
    ``customers``. Built for 10,000,000 transactions (one window pass, one group-by).
    Restrictions done inside the query (so a page never pulls the whole population):
    ``as_of`` ignores purchases after that day; ``rep`` keeps that sales rep's customers;
    ``customer_id`` one customer; ``run_out_from`` / ``run_out_before`` keep forecasts whose
    run-out day is in ``[run_out_from, run_out_before)``; ``since`` ignores purchases before that
    day (a history horizon: the recent rhythm, and less to read in a ten-year file).
    ``methods``: the method each customer's forecast uses (:func:`choose_methods` of a
    :func:`forecast_backtest_sql`); ``None`` is the consumption rate for everyone. A gap method
    gives ``days_left`` = the gap and ``rate_per_day`` = last quantity ÷ gap, ``method`` its name.
    """
    def part(customers: tuple[int, int] | None) -> pd.DataFrame:
        return run(db, forecast_query(per_person_daily, estimator, as_of=as_of, rep=rep, customer_id=customer_id,
                                      run_out_from=run_out_from, run_out_before=run_out_before, since=since,
                                      methods=methods, customers=customers)).df()

    # The store-wide forecast a range at a time (it outgrew DuckDB's memory cap at 3M customers).
    # A rep's or a customer's is read in one pass: it is a part of the store, and DuckDB 2.0 failed
    # a rep's forecast split into id ranges with an internal error ("dict-surviving cache") at 10M.
    whole_store = customer_id is None and rep is None
    ranges = forecast_ranges(db) if whole_store else [None]
    return forecast_frame(pd.concat([part(customers) for customers in ranges], ignore_index=True))


FORECAST_RANGE = 500_000  # customers a store-wide forecast reads at a time


def forecast_ranges(db) -> list[tuple[int, int]]:
    """The store's customers as (first, last) id ranges of about ``FORECAST_RANGE`` customers
    (``model_fits.customer_ranges``), for ``forecast_query(customers=...)``. Every forecast is one
    customer's own, so a store's forecast is its ranges' forecasts; read a range at a time, the
    window pass stays within DuckDB's memory cap (all 3M customers at once needed more than 1.5 GiB)."""
    return [(lo + 1, hi) for lo, hi in customer_ranges(db, FORECAST_RANGE)]  # (lo, hi] → BETWEEN


def forecast_query(per_person_daily: Mapping[str, float] | None = None, estimator: Estimator = "median", *,
                   as_of: date | None = None, rep: str | None = None, customer_id: int | None = None,
                   run_out_from: date | None = None, run_out_before: date | None = None,
                   since: date | None = None, methods: MethodChoice | None = None,
                   customers: tuple[int, int] | None = None) -> Fragment:
    """The query of :func:`replenishment_forecast_sql` (same arguments; its rows unsorted, dates as
    DATE), for a caller that keeps the forecast in the store without a pandas copy; ``customers``
    (first, last) keeps that customer_id range only (every forecast is one customer's own, so the
    ranges of a store give its whole forecast a part at a time)."""
    _check_estimator(estimator)
    per_person = dict(per_person_daily or {})
    choice = methods or MethodChoice()
    return compose(_FORECAST_SQL, rate_column=Identifier(_RATE_COLUMNS[estimator]),
                   scope=_scope(rep, customer_id, customers=customers), as_of=as_of, due_lo=run_out_from, due_hi=run_out_before,
                   since=since, pp_products=list(per_person), pp_daily=[float(v) for v in per_person.values()],
                   default_method=choice.overall, choice_groups=list(choice.by_group),
                   choice_methods=list(choice.by_group.values()))


def deliveries_due_sql(db, as_of: date, days: int = 7, rep: str | None = None,
                       per_person_daily: Mapping[str, float] | None = None,
                       estimator: Estimator = "median", since: date | None = None,
                       methods: MethodChoice | None = None) -> pd.DataFrame:
    """:func:`deliveries_due` of the store's forecast on ``as_of``, filtered inside the query.

    Only purchases in ``[since, as_of]`` count; ``rep`` restricts to one sales rep's customers;
    ``methods`` as in :func:`replenishment_forecast_sql`.
    Same columns and order as :func:`deliveries_due`. Raises ``ValueError`` if days < 1.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    forecast = replenishment_forecast_sql(db, per_person_daily, estimator, as_of=as_of, rep=rep,
                                          run_out_from=as_of, run_out_before=as_of + timedelta(days=days),
                                          since=since, methods=methods)
    return deliveries_due(forecast, as_of, days)


def deliveries_due(forecast: pd.DataFrame, as_of: date, days: int = 7) -> pd.DataFrame:
    """The "deliver this week" list: forecasts running out in ``[as_of, as_of + days)``.

    Adds ``payment_reminder``: the first payday (day of month) on or after the run-out day; a
    payday past the month's end (31 in April) falls on the month's last day; ``NaT`` where the
    payday is unknown. Sorted by run-out day, then customer. Raises ``ValueError`` if days < 1.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    lo, hi = pd.Timestamp(as_of), pd.Timestamp(as_of + timedelta(days=days))
    due = forecast[(forecast["run_out"] >= lo) & (forecast["run_out"] < hi)].copy()
    due["payment_reminder"] = next_payday(due["run_out"], due["payday"])
    return due.sort_values(["run_out", "customer_id", "product"], kind="stable").reset_index(drop=True)


def next_payday(on_or_after: pd.Series, payday: pd.Series) -> pd.Series:
    """First day-of-month ``payday`` on or after each date (clamped to the month's end); NaT if unknown."""
    day = pd.to_datetime(on_or_after).to_numpy().astype("datetime64[D]")
    pay = pd.to_numeric(payday).astype(float).to_numpy()
    month = day.astype("datetime64[M]")

    def in_month(m: np.ndarray) -> np.ndarray:
        length = ((m + 1).astype("datetime64[D]") - m.astype("datetime64[D]")).astype(np.int64)
        offset = np.minimum(np.nan_to_num(pay, nan=1.0), length).astype(np.int64) - 1
        return m.astype("datetime64[D]") + offset

    this_month = in_month(month)
    result = np.where(this_month >= day, this_month, in_month(month + 1))
    result = np.where(np.isnan(pay), np.datetime64("NaT"), result)
    return pd.Series(result, index=on_or_after.index).astype("datetime64[us]")


class ForecastAccuracy(BaseModel):
    """Back-test of the forecast: mean absolute error in days over ``n_predictions`` held-back purchases."""

    mae_days: float | None
    n_predictions: int


# Purchase days per customer-product numbered from the newest (back = 1 is the last): the held-back
# purchases both back-tests score against.
_NUMBERED_DAYS = """
WITH prm AS (SELECT $as_of::DATE AS as_of, $since::DATE AS since),
days AS (
    SELECT t.customer_id, t.product, t.txn_date AS day, sum(coalesce(t.quantity, 1))::DOUBLE AS quantity
    FROM transactions t, prm
    WHERE """ + PURCHASE_T + """ AND t.product IS NOT NULL AND (prm.as_of IS NULL OR t.txn_date <= prm.as_of)
      AND (prm.since IS NULL OR t.txn_date >= prm.since) AND {scope}
    GROUP BY ALL
),
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY customer_id, product ORDER BY day DESC) AS back,
           count(*) OVER (PARTITION BY customer_id, product) AS n
    FROM days
),
"""

_ACCURACY_SQL = _NUMBERED_DAYS + """ks AS (SELECT range AS k FROM range(1, $holdout::BIGINT + 1)),
earlier AS (SELECT ks.k, d.* FROM numbered d JOIN ks ON d.back > ks.k AND d.n - ks.k >= 2),
gaps AS (
    SELECT *, quantity / (lead(day) OVER w - day) AS interval_rate
    FROM earlier WINDOW w AS (PARTITION BY k, customer_id, product ORDER BY day)
),
pred AS (
    SELECT k, customer_id, product, max(day) AS last_day, arg_max(quantity, day) AS last_quantity,
           median(interval_rate) AS median_rate,
           (sum(quantity) - arg_max(quantity, day)) / nullif(max(day) - min(day), 0) AS span_rate
    FROM gaps GROUP BY ALL
),
scored AS (
    SELECT abs(p.last_day + CAST(floor(round(p.last_quantity / p.{rate_column}, 6)) AS INTEGER) - a.day) AS err
    FROM pred p JOIN numbered a
      ON a.customer_id = p.customer_id AND a.product = p.product AND a.back = p.k
    WHERE p.{rate_column} > 0
)
SELECT avg(err)::DOUBLE AS mae_days, count(*) AS n_predictions FROM scored
"""


def _sample_stride(db, rep: str | None, max_customers: int | None) -> int:
    """Every how many customers a back-test scores: 1 (all) up to ``max_customers`` customers in
    scope, else ceil(customers / max_customers) — a fixed systematic sample, so the cost stays flat."""
    if max_customers is None:
        return 1
    (population,) = run(db, compose("SELECT count(*) FROM customers c WHERE {scope}",
                                     scope=access.of_rep(rep, "customers", alias="c"))).fetchone()
    return max(1, -(-int(population) // int(max_customers)))


def forecast_accuracy_sql(db, as_of: date | None = None, holdout: int = 1, estimator: Estimator = "median",
                          rep: str | None = None, max_customers: int | None = 20_000,
                          since: date | None = None) -> ForecastAccuracy:
    """How many days the forecast misses real purchases by, in DuckDB over the store's purchases
    up to ``as_of`` (the pandas reference is ``forecast_accuracy`` in tests/reference.py).

    ``rep`` restricts to one sales rep's customers. ``max_customers``: above this many customers
    in scope, a fixed systematic sample is scored (customers whose id is a multiple of
    ``ceil(customers / max_customers)``), so the figure costs the same at 1,000,000 customers
    as at 20,000; ``None`` scores everyone. Raises ``ValueError`` if ``holdout < 1`` or the
    estimator is unknown.
    """
    if holdout < 1:
        raise ValueError(f"holdout must be at least 1, got {holdout}")
    _check_estimator(estimator)
    stride = _sample_stride(db, rep, max_customers)
    query = compose(_ACCURACY_SQL, rate_column=Identifier(_RATE_COLUMNS[estimator]), scope=_scope(rep, None, stride),
                    as_of=as_of, since=since, holdout=int(holdout))
    mae, count = run(db, query).fetchone()
    return ForecastAccuracy(mae_days=None if mae is None else float(mae), n_predictions=int(count))


BACKTEST_COLUMNS = ["customer_type", "method", "n", "mean_error", "median_error"]

_BACKTEST_SQL = _NUMBERED_DAYS + """gaps AS (
    SELECT *, lead(day) OVER w - day AS gap, quantity / (lead(day) OVER w - day) AS interval_rate
    FROM numbered WHERE back > 1 AND n >= 3
    WINDOW w AS (PARTITION BY customer_id, product ORDER BY day)
),
pred AS (
    SELECT customer_id, product, max(day) AS last_day, arg_max(quantity, day) AS last_quantity,
           median(interval_rate) AS median_rate,
           (sum(quantity) - arg_max(quantity, day)) / nullif(max(day) - min(day), 0) AS span_rate,
           median(gap)::DOUBLE AS median_gap, avg(gap)::DOUBLE AS mean_gap
    FROM gaps GROUP BY ALL
),
checks AS (
    SELECT coalesce(c.customer_type, 'individual') AS grp, a.day AS actual, p.last_day,
           p.last_quantity / p.{rate_column} AS rate_days, p.median_gap, p.mean_gap
    FROM pred p JOIN numbered a ON a.customer_id = p.customer_id AND a.product = p.product AND a.back = 1
         LEFT JOIN customers c ON c.customer_id = p.customer_id
    WHERE p.{rate_column} > 0
),
errors AS (
    SELECT grp, m.method,
           abs(last_day + CAST(floor(round(CASE m.method WHEN 'rate' THEN rate_days WHEN 'median_gap' THEN median_gap
                                              ELSE mean_gap END, 6)) AS INTEGER) - actual) AS err
    FROM checks, (SELECT unnest($methods::VARCHAR[]) AS method) m
)
SELECT CASE WHEN grouping(grp) = 1 THEN NULL ELSE grp END AS customer_type, method,
       count(*) AS n, avg(err)::DOUBLE AS mean_error, median(err)::DOUBLE AS median_error
FROM errors GROUP BY GROUPING SETS ((method), (grp, method))
"""


def forecast_backtest_sql(db, as_of: date | None = None, estimator: Estimator = "median", rep: str | None = None,
                          max_customers: int | None = 20_000, since: date | None = None) -> pd.DataFrame:
    """The consumption-rate forecast against the two baselines on the same held-back purchases.

    For each customer-product with at least three purchase days up to ``as_of`` (from ``since``),
    the last purchase day is held back and forecast from the earlier ones by each of
    :data:`METHODS`: ``rate`` (last day + whole days the last quantity lasts at the ``estimator``
    rate), ``median_gap`` / ``mean_gap`` (last day + the whole days of the median / mean gap
    between the earlier purchase days; rounded down like the rate). A check counts only where the
    rate is positive, so every method is scored on the same purchases. Error = |forecast −
    actual| in days. One query; ``rep`` and ``max_customers`` as in :func:`forecast_accuracy_sql`.

    Returns :data:`BACKTEST_COLUMNS`: one row per method overall (``customer_type`` null) and per
    customer type and method — ``n`` checks, ``mean_error`` and ``median_error`` in days; rows in
    :data:`METHODS` order, overall first, then by customer type.
    """
    _check_estimator(estimator)
    stride = _sample_stride(db, rep, max_customers)
    query = compose(_BACKTEST_SQL, rate_column=Identifier(_RATE_COLUMNS[estimator]), scope=_scope(rep, None, stride),
                    as_of=as_of, since=since, methods=list(METHODS))
    frame = run(db, query).df().reindex(columns=BACKTEST_COLUMNS)
    frame = frame.astype({"n": "int64", "mean_error": "float64", "median_error": "float64"})
    frame["customer_type"] = frame["customer_type"].astype(object).where(frame["customer_type"].notna(), None)
    order = frame["method"].map({m: i for i, m in enumerate(METHODS)})
    frame = frame.assign(_total=frame["customer_type"].notna(), _order=order,
                         _type=frame["customer_type"].fillna(""))
    return (frame.sort_values(["_total", "_type", "_order"], kind="stable")
            .drop(columns=["_total", "_type", "_order"]).reset_index(drop=True))


def choose_methods(backtest: pd.DataFrame, min_checks: int = MIN_GROUP_CHECKS) -> MethodChoice:
    """The method with the lowest mean error overall; a customer type with at least
    ``min_checks`` checks whose own lowest-mean method is another one gets that one. Ties go to
    the earlier method in :data:`METHODS`. No checks at all: the consumption rate."""
    def best(rows: pd.DataFrame) -> str:
        rows = rows.assign(_order=rows["method"].map({m: i for i, m in enumerate(METHODS)}))
        return str(rows.sort_values(["mean_error", "_order"], kind="stable")["method"].iloc[0])

    scored = backtest[backtest["n"] > 0]
    overall_rows = scored[scored["customer_type"].isna()]
    if overall_rows.empty:
        return MethodChoice()
    overall = best(overall_rows)
    by_group = {}
    for group, rows in scored[scored["customer_type"].notna()].groupby("customer_type", sort=True):
        if int(rows["n"].iloc[0]) >= min_checks and (method := best(rows)) != overall:
            by_group[str(group)] = method
    return MethodChoice(overall=overall, by_group=by_group)


def chosen_error(backtest: pd.DataFrame, choice: MethodChoice) -> tuple[int, float | None]:
    """Checks and mean error (days) of the forecast as ``choice`` makes it: each customer type's
    checks scored by the method it uses (the overall winner's figures when no type has its own)."""
    groups = backtest[backtest["customer_type"].notna()]
    if not choice.by_group or groups.empty:
        overall = backtest[backtest["customer_type"].isna() & (backtest["method"] == choice.overall)]
        if overall.empty or int(overall["n"].iloc[0]) == 0:
            return 0, None
        return int(overall["n"].iloc[0]), float(overall["mean_error"].iloc[0])
    used = groups[groups["method"] == groups["customer_type"].map(choice.method_for)]
    n = int(used["n"].sum())
    return n, (float((used["n"] * used["mean_error"]).sum() / n) if n else None)
