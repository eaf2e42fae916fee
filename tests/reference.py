"""Reference implementations in pandas, used only by the tests (and so moved out of crm_core).

Each is the plain, readable statement of a rule the product computes another way (in DuckDB, or
from counts): the tests compare the product's numbers with these. They were public functions of
crm_core that no page, CLI or other crm_core code called. A few are not references but helpers
that only the tests called (``delete_churn_event``, the ledger's ``*_sql`` reads, ``csat_by``,
``breakdown_sql``, ``long_absent``): undocumented in the README and unused by any page, they
live here rather than in the product.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
from scipy.special import expit

from crm_core.care.absence import _check, long_absent_list, usual_products
from crm_core.care.key_dates import _finish, _window
from crm_core.care.replenishment import Estimator, ForecastAccuracy, _check_estimator
from crm_core.care.replenishment import forecast_frame as _finish_forecast
from crm_core.china_calendar import festival_dates
from crm_core.churn.bgnbd import _log_dropout_odds, expected_purchases_if_alive, p_alive, unique_patterns
from crm_core.churn.events import _audit, _require_visible
from crm_core.churn.lapsed import _period
from crm_core.churn.reasons import CONTROLLABLE, REASONS, UNCONTROLLABLE
from crm_core.churn.rfm import daily_purchases
from crm_core.churn.spend import WEEKS_PER_MONTH, GammaGammaFit
from crm_core.promises.performance import BREAKDOWNS, _count, attainment_outcomes, summarise_counts
from crm_core.satisfaction.labels import parse_yes_no_series
from crm_core.satisfaction.loyalty import QUADRANTS, ladder_from_counts, loyalty_quadrant_of
from crm_core.satisfaction.queries import answer_counts_sql
from crm_core.satisfaction.scores import CSAT_SCALE, NPS_SCALE, NPSResult
from crm_core.satisfaction.servqual import DIMENSIONS, servperf, servqual_items
from crm_core.satisfaction.trend import answer_counts, breakdown_from_counts, csat_from_answer_counts
from crm_core.segmentation.abc import MIGRATION_CLASSES, _period_spend_cte, check_period
from crm_core.segmentation.allocation import ALLOCATION_TIERS, CLASS_TO_TIER
from crm_core.stats import two_sided_p
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied


# -- from crm_core/churn/bgnbd.py ---------------------------------------------------------
def expected_purchases_by_pattern(fit, t: float, x, t_x, age) -> np.ndarray:
    """:func:`expected_purchases` over arrays of patterns (x, t_x, T) rather than a summary."""
    return expected_purchases_if_alive(fit, t, x, age) * expit(-_log_dropout_odds(fit, x, t_x, age))


def expected_purchases(fit, t: float, summary: pd.DataFrame) -> pd.Series:
    """Expected purchases in the next ``t`` weeks per customer (FHL 2005, eq. 10), indexed like summary.

    Computed once per distinct (x, t_x, T) pattern. The closed form divides by a − 1, so a fit
    with a = 1 exactly has no answer here. Raises ValueError when ``t`` is negative.
    """
    x, t_x, age, _, inverse = unique_patterns(summary)
    values = expected_purchases_by_pattern(fit, t, x, t_x, age)
    return pd.Series(values[inverse], index=summary.index, name="expected_purchases")


def p_alive_explained(fit, summary: pd.DataFrame) -> pd.DataFrame:
    """customer_id, p_alive, one_time_buyer, explanation_key — P(alive) with its caveat in words.

    ``explanation_key`` is a catalog key: ``churn.p_alive.one_time_buyer`` for frequency 0
    (P(alive) is 1 by construction), ``churn.p_alive.repeat_buyer`` otherwise.
    """
    one_time = summary["frequency"].to_numpy() == 0
    return pd.DataFrame({
        "customer_id": summary["customer_id"].to_numpy(),
        "p_alive": p_alive(fit, summary).to_numpy(),
        "one_time_buyer": one_time,
        "explanation_key": np.where(one_time, "churn.p_alive.one_time_buyer", "churn.p_alive.repeat_buyer"),
    })


# -- from crm_core/churn/lapsed.py --------------------------------------------------------
def churn_rate_by_period(transactions: pd.DataFrame, period: str = "month", customer_col: str = "customer_id",
                         date_col: str = "date", amount_col: str = "amount") -> pd.DataFrame:
    """Share of customers active in period p−1 who are not active in p, for each period p.

    Active = at least one purchase in the calendar period. Columns: period (first day, Timestamp),
    active_prev, retained, churned, churn_rate. A row for every period that follows a period with
    active customers, up to the last period with data (which may be incomplete — read its rate
    with care). Raises ValueError for a period other than month/quarter/year.
    """
    alias, _ = _period(period)
    daily = daily_purchases(transactions, None, customer_col, date_col, amount_col)
    active = pd.DataFrame({"customer_id": daily["customer_id"],
                           "period": daily["day"].dt.to_period(alias)}).drop_duplicates()
    last = active["period"].max()
    earlier = active[active["period"] < last].assign(period=lambda f: f["period"] + 1)
    retained = earlier.merge(active, on=["customer_id", "period"]).groupby("period").size()
    table = earlier.groupby("period").size().to_frame("active_prev")
    table["retained"] = retained.reindex(table.index, fill_value=0)
    table["churned"] = table["active_prev"] - table["retained"]
    table["churn_rate"] = table["churned"] / table["active_prev"]
    table.index = table.index.to_timestamp()
    return table.rename_axis("period").reset_index()


# -- from crm_core/churn/reasons.py -------------------------------------------------------
def reasons_by_category(category: str) -> list[str]:
    """The reason keys of one category (``controllable`` or ``uncontrollable``), in taxonomy order."""
    if category not in (CONTROLLABLE, UNCONTROLLABLE):
        raise ValueError(f"category must be {CONTROLLABLE!r} or {UNCONTROLLABLE!r}, got {category!r}")
    return [reason for reason, group in REASONS.items() if group == category]


# -- from crm_core/churn/spend.py ---------------------------------------------------------
def expected_spend(fit: GammaGammaFit, summary: pd.DataFrame) -> pd.Series:
    """Expected amount of a customer's future purchase, indexed like ``summary``.

    (p(γ + x·z̄)) / (px + q − 1): a weighted mean of the population mean pγ/(q−1) and the customer's
    own mean z̄, leaning on her own mean the more repeat purchases x she made. One-time buyers get
    the population mean. Raises ValueError when q ≤ 1 (the population mean does not exist).
    """
    if fit.q <= 1:
        raise ValueError(f"q = {fit.q:.3f} ≤ 1: the fitted spend distribution has no finite mean")
    x = summary["frequency"].to_numpy("float64")
    spend = summary["monetary_value"].to_numpy("float64")
    values = fit.p * (fit.gamma + x * spend) / (fit.p * x + fit.q - 1)
    return pd.Series(values, index=summary.index, name="expected_spend")


def customer_lifetime_value(bgnbd, gg: GammaGammaFit, summary: pd.DataFrame, months: int,
                            discount_rate_monthly: float) -> pd.Series:
    """Discounted expected revenue over the next ``months`` months per customer, indexed like summary.

    CLV = Σ_{i=1..months} expected_spend × (E[purchases by month i] − E[purchases by month i−1])
    / (1 + discount_rate_monthly)^i, months converted to weeks with ``WEEKS_PER_MONTH`` (the
    method of lifetimes' ``customer_lifetime_value``). Raises ValueError for months < 1 or a
    discount rate outside 0..1.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"months must be a whole number of at least 1, got {months!r}")
    if not 0 <= discount_rate_monthly <= 1:
        raise ValueError(f"discount_rate_monthly must be between 0 and 1, got {discount_rate_monthly!r}")
    x, t_x, age, _, inverse = unique_patterns(summary)
    discounted_purchases = np.zeros(len(x))
    previous = np.zeros(len(x))
    for month in range(1, months + 1):  # a loop over months; each step is vectorised over patterns
        cumulative = expected_purchases_by_pattern(bgnbd, month * WEEKS_PER_MONTH, x, t_x, age)
        discounted_purchases += (cumulative - previous) / (1 + discount_rate_monthly) ** month
        previous = cumulative
    value = expected_spend(gg, summary).to_numpy() * discounted_purchases[inverse]
    return pd.Series(value, index=summary.index, name="clv")


# -- from crm_core/promises/performance.py ------------------------------------------------
def attainment_by(
    df: pd.DataFrame, by: str, window_start: datetime, window_end: datetime, now: datetime
) -> pd.DataFrame:
    """Attainment per ``by`` (one of BREAKDOWNS), indexed by group; ValueError for other columns."""
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break attainment down by {by!r}")
    outcomes = attainment_outcomes(df, window_start, window_end, now)
    return summarise_counts(_count(outcomes, df[by]))


def overrun_percentiles(df: pd.DataFrame, window_start: datetime, window_end: datetime) -> dict:
    """p50 and p90 of wall-clock overrun (seconds, completion − due) of promises closed breached in
    the window; NaN when there were none. Open promises are left out: their overrun still grows."""
    closed_in = (df["closed_at"] >= window_start) & (df["closed_at"] < window_end)
    late = df[df["status"].eq("breached") & closed_in]
    seconds = (late["closed_at"] - late["due_at"]).dt.total_seconds()
    if seconds.empty:
        return {"p50": float("nan"), "p90": float("nan"), "n": 0}
    return {"p50": float(seconds.quantile(0.5)), "p90": float(seconds.quantile(0.9)), "n": len(seconds)}


def compensation_by_month(remedies: pd.DataFrame, tz: str = "Asia/Shanghai") -> pd.DataFrame:
    """Per month granted (``YYYY-MM`` in ``tz``): owed and delivered counts and cost, and the cost
    still outstanding. ``remedies`` has ``granted_at``, ``delivered_at`` (NaT if not yet) and
    ``cost``. Cost columns are floats in currency units."""
    frame = pd.DataFrame(
        {
            "month": remedies["granted_at"].dt.tz_convert(tz).dt.strftime("%Y-%m"),
            "cost": remedies["cost"].astype(float),
            "delivered": remedies["delivered_at"].notna(),
        }
    )
    frame["delivered_cost"] = frame["cost"].where(frame["delivered"], 0.0)
    out = frame.groupby("month").agg(
        owed_count=("cost", "size"),
        owed_cost=("cost", "sum"),
        delivered_count=("delivered", "sum"),
        delivered_cost=("delivered_cost", "sum"),
    )
    out["outstanding_cost"] = out["owed_cost"] - out["delivered_cost"]
    return out.astype({"delivered_count": "int64"})


# -- from crm_core/satisfaction/loyalty.py ------------------------------------------------
def _yes(df: pd.DataFrame, col: str) -> np.ndarray:
    """True where the yes/no answer is yes; unknown or unreadable answers count as not yes."""
    answers, _ = parse_yes_no_series(df[col])
    return answers.fillna(False).to_numpy(dtype=bool)


def satisfaction_ladder(df: pd.DataFrame, satisfaction: str = "satisfaction",
                        repurchase: str = "repurchase_intent", recommend: str = "recommend_yes",
                        satisfied_from: int = 4) -> pd.DataFrame:
    """The seed-001 ladder: satisfied → satisfied and will buy again → … and will recommend.

    ``satisfaction`` holds 1..5 (satisfied = ≥ ``satisfied_from``); ``repurchase`` and
    ``recommend`` hold yes/no answers (是/否/yes/no/1/0/bool). A missing answer does not climb.
    Returns one row per level in :data:`LADDER_LEVELS` with ``count``, ``share`` (% of
    respondents) and ``conversion`` (% of the level below; NaN for the first row).
    """
    satisfied = pd.to_numeric(df[satisfaction], errors="coerce").ge(satisfied_from).to_numpy()
    buy_again = satisfied & _yes(df, repurchase)
    recommends = buy_again & _yes(df, recommend)
    return ladder_from_counts([len(df), satisfied.sum(), buy_again.sum(), recommends.sum()])


def loyalty_quadrants(df: pd.DataFrame, satisfaction: str, loyalty: str, sat_threshold: float = 4,
                      loyal_threshold: float = 2, id_col: str = "customer_id") -> pd.DataFrame:
    """Satisfaction × loyalty matrix: one row per quadrant with ``count``, ``share`` (% of rows
    with both measures), ``members`` (list of ``id_col`` values) and ``action`` (catalog key of
    the recommended action). Thresholds as in :func:`loyalty_quadrant_of`.
    """
    quadrant = loyalty_quadrant_of(df, satisfaction, loyalty, sat_threshold, loyal_threshold)
    members = df[id_col].groupby(quadrant).agg(list).reindex(list(QUADRANTS))
    counts = quadrant.value_counts().reindex(list(QUADRANTS), fill_value=0)
    total = counts.sum()
    return pd.DataFrame({
        "quadrant": QUADRANTS,
        "count": counts.to_numpy(),
        "share": 100.0 * counts.to_numpy() / total if total else np.full(4, np.nan),
        "members": [m if isinstance(m, list) else [] for m in members],
        "action": [f"satisfaction.action.{q}" for q in QUADRANTS],
    })


# -- from crm_core/satisfaction/scores.py -------------------------------------------------
def nps_z_test(a: NPSResult, b: NPSResult) -> tuple[float, float]:
    """z and two-sided p for NPS a − NPS b (independent samples).

    z = (NPS₁ − NPS₂) / sqrt(SE₁² + SE₂²), using the adjusted-Wald estimates and SEs — the same
    quantities as the intervals, and never a zero SE when a sample is all promoters (Lewis & Sauro
    2021 compare NPS this way). Significant at α = 0.05 when p < 0.05.
    """
    z = (a.score_adjusted - b.score_adjusted) / np.sqrt(a.se_adjusted ** 2 + b.se_adjusted ** 2)
    return float(z), two_sided_p(z)


# -- from crm_core/satisfaction/servqual.py -----------------------------------------------
def servqual_gaps(df: pd.DataFrame) -> pd.DataFrame:
    """Item-level SERVQUAL table: dimension, item, expectation, perception, gap, n.

    Only items with both an ``exp_`` and a ``perc_`` column are scored; means are over respondents
    who answered both. Raises ValueError when no such pair exists.
    """
    items = servqual_items(df).rename_axis("column").reset_index()
    by_kind = {kind: group.set_index(["dimension", "item"])["column"]
               for kind, group in items.groupby("kind")}
    pairs = pd.concat({k: by_kind.get(k, pd.Series(dtype=object)) for k in ("exp", "perc")}, axis=1).dropna()
    if pairs.empty:
        raise ValueError("no SERVQUAL column pairs (exp_<dimension>, perc_<dimension>)")
    rows = []
    for (dimension, item), cols in pairs.iterrows():  # one iteration per survey item (≤ ~22)
        both = df[[cols["exp"], cols["perc"]]].apply(pd.to_numeric, errors="coerce").dropna()
        exp, perc = both[cols["exp"]], both[cols["perc"]]
        rows.append({"dimension": dimension, "item": item, "expectation": exp.mean(),
                     "perception": perc.mean(), "gap": (perc - exp).mean(), "n": len(both)})
    return pd.DataFrame(rows)


def servqual_dimensions(df: pd.DataFrame) -> pd.DataFrame:
    """Dimension-level SERVQUAL and SERVPERF side by side, in :data:`DIMENSIONS` order.

    Columns: expectation, perception, gap (mean of the dimension's item gaps) and servperf (mean of
    the dimension's perception items over every respondent who answered them).
    """
    gaps = servqual_gaps(df).groupby("dimension")[["expectation", "perception", "gap"]].mean()
    perf = servperf(df)
    table = gaps.join(perf.rename("servperf"), how="outer")
    return table.reindex([d for d in DIMENSIONS if d in table.index])


# -- from crm_core/satisfaction/trend.py --------------------------------------------------
def breakdown_vs_rest(df: pd.DataFrame, group_col: str, csat_col: str = "satisfaction",
                      nps_col: str = "recommend") -> pd.DataFrame:
    """Per-group CSAT/NPS vs the rest from raw responses (any grouping column: region, channel…)."""
    return breakdown_from_counts(answer_counts(df, group_col, csat_col, CSAT_SCALE),
                                 answer_counts(df, group_col, nps_col, NPS_SCALE))


# -- from crm_core/segmentation/abc.py ----------------------------------------------------
def inactive_customer_count(con, start: date, end: date) -> int:
    """Customers in ``customers`` with no net purchase in ``start``..``end``: no transaction at
    all, or revenue summing to <= 0 (only returns). Together with the customers that
    ``abc_classify_sql(measure="revenue")`` classifies, they make up every customer.

    Raises ValueError when start > end.
    """
    check_period(start, end)
    sql = f"""
    WITH {_period_spend_cte("revenue")}
    SELECT COUNT(*) FROM customers c
    WHERE NOT EXISTS (SELECT 1 FROM period_spend p WHERE p.customer_id = c.customer_id)"""
    return int(con.execute(sql, [start, end]).fetchone()[0])


# -- from crm_core/segmentation/allocation.py ---------------------------------------------
def tier_counts(tiered: pd.DataFrame) -> dict[str, int]:
    """Customers per allocation tier, every tier present (the ``counts`` of ``allocate_budget``)."""
    counts = tiered["tier"].value_counts()
    return {tier: int(counts.get(tier, 0)) for tier in ALLOCATION_TIERS}


def tier_for_allocation(classified: pd.DataFrame) -> pd.DataFrame:
    """Allocation tier per customer of an ``abc_classify`` result: A → "key" (重点),
    B → "general" (一般), C → "potential" (潜在). Seed 000's tiers are about 10% / 30% / 60% of
    customers, so classify with a_share=0.10, b_share=0.40 to match it; with the ABC defaults
    (5% / 15% / 80%) the key tier is smaller. Returns ``customer_id``, ``abc``, ``tier``.
    """
    return pd.DataFrame({"customer_id": classified["customer_id"].to_numpy(),
                         "abc": classified["abc"].to_numpy(dtype=object),
                         "tier": classified["abc"].map(CLASS_TO_TIER).to_numpy(dtype=object)})


def actual_cost_to_serve_sql(con, start: date, end: date) -> pd.DataFrame:
    """What was actually spent on each customer (企业投入记录) in ``start``..``end`` (local dates
    of the session time zone): ``customer_id``, ``interactions``, ``cost``, ``concession`` and
    ``cost_to_serve`` = cost + concession, as DOUBLE; customers without interactions are not
    listed. Join on customer_id with ``tier_for_allocation``. Raises ValueError when start > end.
    """
    check_period(start, end)
    sql = """
    SELECT customer_id, COUNT(*) AS interactions,
           CAST(SUM(cost) AS DOUBLE) AS cost,
           CAST(SUM(concession) AS DOUBLE) AS concession,
           CAST(SUM(cost + concession) AS DOUBLE) AS cost_to_serve
    FROM interactions
    WHERE occurred_at >= CAST(CAST(? AS DATE) AS TIMESTAMPTZ)
      AND occurred_at < CAST(CAST(? AS DATE) AS TIMESTAMPTZ)
    GROUP BY customer_id
    ORDER BY customer_id"""
    return con.execute(sql, [start, end + timedelta(days=1)]).df()


def actual_vs_recommended(tiered: pd.DataFrame, costs: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """Per allocation tier: ``customers``, ``recommended`` (the ``allocate_budget`` total),
    ``actual`` (sum of ``cost_to_serve`` from ``actual_cost_to_serve_sql`` over the tier's
    customers) and both as shares of their own totals (``recommended_share``,
    ``actual_share``; NaN when nothing was spent). Money as float."""
    joined = tiered[["customer_id", "tier"]].merge(
        costs[["customer_id", "cost_to_serve"]], on="customer_id", how="left")
    actual = joined.groupby("tier")["cost_to_serve"].sum().reindex(list(ALLOCATION_TIERS), fill_value=0.0)
    recommended = allocation.set_index("tier")["total"].reindex(list(ALLOCATION_TIERS)).astype(float)
    actual_total = float(actual.sum())
    counts = tier_counts(tiered)
    return pd.DataFrame({
        "tier": list(ALLOCATION_TIERS),
        "customers": [counts[t] for t in ALLOCATION_TIERS],
        "recommended": recommended.to_numpy(),
        "actual": actual.to_numpy(dtype=float),
        "recommended_share": allocation.set_index("tier")["share"].reindex(list(ALLOCATION_TIERS))
        .astype(float).to_numpy(),
        "actual_share": actual.to_numpy(dtype=float) / actual_total if actual_total else np.nan,
    })


# -- from crm_core/segmentation/movement.py (the page reads class movement from views.class_movement)
def _both_periods(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    merged = prev[["customer_id", "abc"]].merge(
        curr[["customer_id", "abc"]], on="customer_id", how="outer", suffixes=("_prev", "_curr"))
    merged["abc_prev"] = merged["abc_prev"].fillna("none")
    merged["abc_curr"] = merged["abc_curr"].fillna("none")
    return merged


# -- -----------------------------------------------
def class_migration(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    """How many customers moved from each class to each class between two ``abc_classify``
    results. Rows: class in ``prev``; columns: class in ``curr``; both in the order
    A, B, C, none — "none" meaning no purchase in that period. The none→none cell is always 0
    (customers who bought in neither period are in neither input).
    """
    merged = _both_periods(prev, curr)
    before = pd.Categorical(merged["abc_prev"], categories=MIGRATION_CLASSES).codes
    after = pd.Categorical(merged["abc_curr"], categories=MIGRATION_CLASSES).codes
    size = len(MIGRATION_CLASSES)
    counts = np.bincount(before * size + after, minlength=size * size).reshape(size, size)
    return pd.DataFrame(counts, index=pd.Index(MIGRATION_CLASSES, name="prev"),
                        columns=pd.Index(MIGRATION_CLASSES, name="curr"))


def fell_out_of_a(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    """Customers who were "A" in ``prev`` and are not "A" in ``curr`` — the key customers to
    call first. Columns ``customer_id``, ``prev_rank``, ``prev_spend``, ``curr_abc`` ("B", "C"
    or "none") and ``curr_spend`` (NaN for "none"); sorted by ``prev_rank``.
    """
    was_a = prev.loc[prev["abc"] == "A", ["customer_id", "rank", "spend"]]
    now = curr[["customer_id", "abc", "spend"]]
    merged = was_a.merge(now, on="customer_id", how="left", suffixes=("_prev", "_curr"))
    merged = merged[merged["abc"] != "A"].sort_values("rank")
    return pd.DataFrame({
        "customer_id": merged["customer_id"].to_numpy(),
        "prev_rank": merged["rank"].to_numpy(),
        "prev_spend": merged["spend_prev"].to_numpy(dtype=float),
        "curr_abc": merged["abc"].fillna("none").to_numpy(dtype=object),
        "curr_spend": merged["spend_curr"].to_numpy(dtype=float),
    })


# -- from crm_core/care/absence.py ------------------------------------------------------
_DETAILS_SQL = """
SELECT customer_id, code, name, sales_rep, phone, preferences, birthday
FROM customers WHERE customer_id IN (SELECT unnest(?::BIGINT[]))
"""


def long_absent(db, as_of: date, months: int, top_products: int = 3,
                birthday_days: int = 30, rep: str | None = None) -> pd.DataFrame:
    """Customers whose last purchase is at least ``months`` calendar months before ``as_of``.

    "At least 3 months" on 2025-06-30 means a last purchase on or before 2025-03-30 (DuckDB month
    arithmetic clamps 31 May − 3 months to 28/29 February). Purchases after ``as_of`` are
    ignored, so the list can be replayed for a past day. Customers who never bought are
    prospects, not absentees, and are left out.
    Columns: customer_id, code, name, sales_rep, phone, last_purchase, days_absent, purchases,
    usual_products (list of up to ``top_products`` product names, most often bought first;
    ties by quantity, then name), preferences, birthday, next_birthday (29 February → 28 February
    in other years), birthday_soon (next birthday within ``[as_of, as_of + birthday_days)``).
    Sorted: birthday_soon first (soonest birthday first), then longest absent first.
    Raises ``ValueError`` if ``months < 1``, ``top_products < 1`` or ``birthday_days < 1``.
    """
    _check(months, top_products, birthday_days)
    listed = long_absent_list(db, as_of, months, birthday_days, rep)
    ids = listed["customer_id"].tolist()
    usual = usual_products(db, ids, as_of, top_products)
    details = db.execute(_DETAILS_SQL, [ids]).df()
    frame = listed.merge(details, on="customer_id", how="left").merge(usual, on="customer_id", how="left")
    frame["usual_products"] = frame["usual_products"].map(lambda v: v if isinstance(v, list) else [])
    return frame[["customer_id", "code", "name", "sales_rep", "phone", "last_purchase", "days_absent",
                  "purchases", "usual_products", "preferences", "birthday", "next_birthday", "birthday_soon"]]


# -- from crm_core/care/key_dates.py ----------------------------------------------------
# key_dates.kind -> occasion key; all recur yearly.
KIND_OCCASIONS = {"founding": "founding", "anniversary": "anniversary", "custom": "custom"}
# Occasions whose count (age, years since founding…) means something; the 0th is the event itself.
COUNTED = {"birthday", "founding", "anniversary", "first_purchase_anniversary"}


def _as_days(values) -> np.ndarray:
    """Any date-like column as numpy ``datetime64[D]`` (NaT for missing)."""
    return pd.to_datetime(pd.Series(values), errors="raise").to_numpy().astype("datetime64[D]")


def _yearly_in_window(origin: np.ndarray, start: date, end: date
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each occurrence of each origin's month/day in ``[start, end)``.

    Returns ``(row index into origin, occurrence datetime64[D], years since origin)``. Loops
    over the calendar years of the window (one or two), never over rows.
    """
    origin_year = origin.astype("datetime64[Y]").astype(np.int64) + 1970
    month0 = origin.astype("datetime64[M]").astype(np.int64) % 12
    day = (origin - origin.astype("datetime64[M]")).astype(np.int64) + 1
    rows, dates, years = [], [], []
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    for year in range(start.year, (end - timedelta(days=1)).year + 1):
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        day_in_year = np.where((month0 == 1) & (day == 29) & (not leap), 28, day)
        month_start = np.datetime64(f"{year:04d}-01", "M") + month0
        occurrence = month_start.astype("datetime64[D]") + (day_in_year - 1)
        hit = np.flatnonzero(~np.isnat(origin) & (occurrence >= lo) & (occurrence < hi))
        rows.append(hit)
        dates.append(occurrence[hit])
        years.append(year - origin_year[hit])
    return np.concatenate(rows), np.concatenate(dates), np.concatenate(years)


def _personal_rows(ids, origin, occasions, labels, start: date, end: date) -> pd.DataFrame:
    idx, when, years = _yearly_in_window(_as_days(origin), start, end)
    occasion = np.asarray(occasions, dtype=object)[idx] if len(idx) else np.array([], dtype=object)
    frame = pd.DataFrame({
        "customer_id": np.asarray(ids, dtype=np.int64)[idx],
        "occasion": occasion,
        "date": when,
        "years": years,
        "label": np.asarray(labels, dtype=object)[idx],
    })
    counted = frame["occasion"].isin(COUNTED)
    # An occurrence before the origin (a founding recorded for next year) is not a date yet.
    frame = frame[(frame["years"] >= 1) | (~counted & (frame["years"] >= 0))]
    frame["years"] = frame["years"].astype("Int64").where(frame["occasion"].isin(COUNTED))
    return frame


def _festival_rows(customer_ids, start: date, end: date) -> pd.DataFrame:
    hits = [(key, day) for year in range(start.year, (end - timedelta(days=1)).year + 1)
            for key, day in festival_dates(year).items() if start <= day < end]
    ids = pd.unique(np.asarray(list(customer_ids), dtype=np.int64))
    return pd.DataFrame({
        "customer_id": np.tile(ids, len(hits)),
        "occasion": np.repeat(np.array([k for k, _ in hits], dtype=object), len(ids)),
        "date": np.repeat(np.array([d for _, d in hits], dtype="datetime64[D]"), len(ids)),
        "years": pd.array([pd.NA] * (len(ids) * len(hits)), dtype="Int64"),
        "label": None,
    })



def upcoming_key_dates(customers: pd.DataFrame, key_dates: pd.DataFrame, first_purchases: pd.DataFrame,
                       start: date, days: int, festival_customers: Iterable[int] | None = None
                       ) -> pd.DataFrame:
    """Every key date of every customer in ``[start, start + days)``.

    Inputs: ``customers`` (customer_id, birthday), ``key_dates`` (customer_id, kind in
    founding/anniversary/custom, day, optional label), ``first_purchases`` (customer_id,
    first_purchase). ``festival_customers``: the ids who get the three festivals (e.g. the A and B
    classes); ``None`` means every customer in ``customers``.
    Returns columns customer_id, occasion, date (datetime64), years (age / anniversary count,
    ``<NA>`` for custom dates and festivals), label (the key date's label; missing for the
    rest), sorted by date, customer, occasion.
    Raises ``ValueError`` if ``days < 1`` or the window leaves 1900–2099.
    """
    start, end = _window(start, days)
    labels = key_dates["label"] if "label" in key_dates else [None] * len(key_dates)
    parts = [
        _personal_rows(customers["customer_id"], customers["birthday"], ["birthday"] * len(customers),
                       [None] * len(customers), start, end),
        _personal_rows(key_dates["customer_id"], key_dates["day"], key_dates["kind"].map(KIND_OCCASIONS),
                       labels, start, end),
        _personal_rows(first_purchases["customer_id"], first_purchases["first_purchase"],
                       ["first_purchase_anniversary"] * len(first_purchases),
                       [None] * len(first_purchases), start, end),
        _festival_rows(customers["customer_id"] if festival_customers is None else festival_customers,
                       start, end),
    ]
    return _finish(pd.concat([p for p in parts if len(p)], ignore_index=True)
                   if any(len(p) for p in parts) else parts[-1])


# -- from crm_core/care/replenishment.py ------------------------------------------------
# Rounding before the floor: 30 × (q / 30) / q can come out as 29.999999999.
_DAY_DECIMALS = 6


def _purchase_days(history: pd.DataFrame) -> pd.DataFrame:
    """One row per customer, product and day, sorted, with the day's total quantity."""
    frame = history.loc[history["product"].notna(), ["customer_id", "product", "txn_date", "quantity"]].copy()
    frame["day"] = pd.to_datetime(frame["txn_date"]).to_numpy().astype("datetime64[D]")
    frame["quantity"] = pd.to_numeric(frame["quantity"]).astype(float).fillna(1.0)
    frame = frame.groupby(["customer_id", "product", "day"], as_index=False, sort=True)["quantity"].sum()
    return frame.reset_index(drop=True)


def _rates_from_history(days: pd.DataFrame, estimator: Estimator) -> pd.DataFrame:
    """Per customer-product: purchases, last day and quantity, and the history rate (NaN if one day)."""
    keys = ["customer_id", "product"]
    group = days.groupby(keys, sort=False)
    gap = (group["day"].shift(-1) - days["day"]).dt.days
    days = days.assign(interval_rate=days["quantity"] / gap)
    group = days.groupby(keys, sort=False)
    out = group.agg(purchases=("day", "size"), first_day=("day", "min"), last_purchase=("day", "max"),
                    last_quantity=("quantity", "last"), total=("quantity", "sum"),
                    median_rate=("interval_rate", "median")).reset_index()
    span_days = (out["last_purchase"] - out["first_day"]).dt.days
    span_rate = (out["total"] - out["last_quantity"]) / span_days.where(span_days > 0)
    out["rate_per_day"] = out["median_rate"] if estimator == "median" else span_rate
    return out.drop(columns=["first_day", "total", "median_rate"])


def _with_household(rates: pd.DataFrame, customers: pd.DataFrame | None,
                    per_person_daily: Mapping[str, float] | None) -> pd.DataFrame:
    """Fill missing rates from household size × per-person daily use; add payday."""
    cols = ["customer_id", "household_size", "payday"]
    info = (customers.reindex(columns=cols) if customers is not None
            else pd.DataFrame(columns=cols)).astype({"customer_id": rates["customer_id"].dtype})
    rates = rates.merge(info, on="customer_id", how="left")
    per_person = rates["product"].map(dict(per_person_daily or {})).astype(float)
    household_rate = pd.to_numeric(rates["household_size"]).astype(float) * per_person
    rates["method"] = np.where(rates["rate_per_day"].notna(), "history",
                               np.where(household_rate.notna(), "household", None))
    rates["rate_per_day"] = rates["rate_per_day"].fillna(household_rate)
    return rates


def _with_run_out(rates: pd.DataFrame) -> pd.DataFrame:
    rates = rates[rates["rate_per_day"] > 0].copy()
    rates["days_left"] = rates["last_quantity"] / rates["rate_per_day"]
    whole_days = np.floor(rates["days_left"].round(_DAY_DECIMALS)).astype("int64")
    rates["run_out"] = rates["last_purchase"] + pd.to_timedelta(whole_days, unit="D")
    return rates



def replenishment_forecast(history: pd.DataFrame, customers: pd.DataFrame | None = None,
                           per_person_daily: Mapping[str, float] | None = None,
                           estimator: Estimator = "median") -> pd.DataFrame:
    """Run-out forecast per customer and product (see the module docstring for the model).

    ``history``: purchase lines (customer_id, product, txn_date, quantity) with returns and
    corrections already removed. ``customers``: optional (customer_id, household_size, payday).
    ``per_person_daily``: product → units one person uses per day (e.g. {"大米": 0.4} kg).
    Returns columns customer_id, product, purchases, last_purchase, last_quantity,
    rate_per_day, method ("history" / "household"), days_left, run_out, payday; only
    customer-products with a forecast; sorted by run_out. Raises ``ValueError`` for an
    unknown estimator.
    """
    _check_estimator(estimator)
    rates = _rates_from_history(_purchase_days(history), estimator)
    return _finish_forecast(_with_run_out(_with_household(rates, customers, per_person_daily)))


def forecast_accuracy(history: pd.DataFrame, holdout: int = 1,
                      estimator: Estimator = "median") -> ForecastAccuracy:
    """How many days the forecast misses real purchases by (history-based forecasts only).

    For each of the last ``holdout`` purchase days of every customer-product, predict it as the
    run-out day forecast from the purchase days before it (at least two needed) and take
    ``|predicted − actual|`` in days. ``mae_days`` is ``None`` when nothing could be predicted.
    Raises ``ValueError`` if ``holdout < 1`` or the estimator is unknown.
    """
    if holdout < 1:
        raise ValueError(f"holdout must be at least 1, got {holdout}")
    _check_estimator(estimator)
    days = _purchase_days(history)
    keys = ["customer_id", "product"]
    position = days.groupby(keys, sort=False).cumcount()
    size = days.groupby(keys, sort=False)["day"].transform("size")
    errors = []
    for k in range(1, holdout + 1):  # one pass per held-back position, never per customer
        earlier = days[position < size - k]
        actual = days.loc[(position == size - k) & (size - k >= 2), keys + ["day"]]
        predicted = _with_run_out(_rates_from_history(earlier, estimator))
        both = actual.merge(predicted[keys + ["run_out"]], on=keys, how="inner")
        errors.append((both["run_out"] - both["day"]).dt.days.abs())
    all_errors = pd.concat(errors, ignore_index=True)
    return ForecastAccuracy(mae_days=float(all_errors.mean()) if len(all_errors) else None,
                            n_predictions=len(all_errors))


# -- from crm_core/churn/events.py ------------------------------------------------------
def delete_churn_event(store: Store, actor: Actor, event_id: int) -> None:
    """Remove a churn event recorded by mistake (audited). Raises PermissionDenied if not visible."""
    actor.require_write()
    with store.transaction() as cur:
        row = cur.execute("SELECT customer_id, reason FROM churn_events WHERE event_id = ?", [int(event_id)]).fetchone()
        if row is None:
            raise PermissionDenied("err.customer_not_found")
        _require_visible(cur, actor, row[0])
        cur.execute("DELETE FROM churn_events WHERE event_id = ?", [int(event_id)])
        _audit(cur, actor, "delete", event_id, row[0], row[1])


# -- from crm_core/promises/ledger.py ---------------------------------------------------
def overrun_percentiles_sql(
    db: duckdb.DuckDBPyConnection, window_start: datetime, window_end: datetime
) -> pd.DataFrame:
    """p50/p90 overrun per promise type, in seconds on each promise's own clock, of promises closed
    breached in the window (open ones still growing are left out)."""
    return db.execute(
        "SELECT promise_type, count(*) AS n, quantile_cont(overrun_seconds, 0.5) AS p50, "
        "quantile_cont(overrun_seconds, 0.9) AS p90 FROM promises WHERE status = 'breached' "
        "AND closed_at >= ? AND closed_at < ? GROUP BY promise_type ORDER BY promise_type",
        [window_start, window_end],
    ).df()


def remedies_frame(db: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All remedies (for ``performance.compensation_by_month``) with the owning rep."""
    return db.execute(
        "SELECT r.remedy_id, r.promise_id, p.owner, r.key, r.cost, r.granted_at, r.delivered_at "
        "FROM remedies r JOIN promises p USING (promise_id) ORDER BY r.granted_at"
    ).df()


def compensation_by_month_sql(db: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Remedies per month granted (session time zone): owed vs delivered counts and cost."""
    return db.execute(
        "SELECT strftime(granted_at, '%Y-%m') AS month, count(*) AS owed_count, sum(cost) AS owed_cost, "
        "count(delivered_at) AS delivered_count, "
        "coalesce(sum(cost) FILTER (WHERE delivered_at IS NOT NULL), 0) AS delivered_cost, "
        "sum(cost) - coalesce(sum(cost) FILTER (WHERE delivered_at IS NOT NULL), 0) AS outstanding_cost "
        "FROM remedies GROUP BY month ORDER BY month"
    ).df()


# -- from crm_core/satisfaction/queries.py ----------------------------------------------
def csat_by(db, group_by: str, wave_id: int | None = None, rep: str | None = None) -> pd.DataFrame:
    """CSAT table (top-two-box, top-box, mean, Wilson intervals) per group; see ``csat_table``."""
    return csat_from_answer_counts(answer_counts_sql(db, "satisfaction", group_by, wave_id, rep))


def breakdown_sql(db, group_by: str, wave_id: int | None = None, rep: str | None = None) -> pd.DataFrame:
    """Each group's CSAT/NPS against the rest, with significance; see ``breakdown_from_counts``."""
    return breakdown_from_counts(answer_counts_sql(db, "satisfaction", group_by, wave_id, rep),
                                 answer_counts_sql(db, "recommend", group_by, wave_id, rep))


# -- from crm_core/promises/reports.py (as they were before the kept fits, issue 18) -------------
# The performance tab's tables read straight from the ledger in one query each: the product now
# reads them from rows shared with the kept fits (crm_core.promises.fits); these say what they were.
def _performance_read(store: Store, actor: Actor, sql: str, start: datetime, end: datetime,
                      alias: str | None = None) -> pd.DataFrame:
    from crm_core import access
    from crm_core.sql import compose, run

    cur = store.system_cursor()
    try:
        return run(cur, compose(sql, visible=access.visible(actor, "promises", alias), start=start, end=end)).df()
    finally:
        cur.close()


def overrun_table_reference(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    return _performance_read(store, actor,
        """SELECT policy_id, promise_type, clock, count(*) AS n,
                   quantile_cont(overrun_seconds, 0.5) AS p50, quantile_cont(overrun_seconds, 0.9) AS p90,
                   quantile_cont(epoch(closed_at) - epoch(due_at), 0.5) AS wall_p50,
                   quantile_cont(epoch(closed_at) - epoch(due_at), 0.9) AS wall_p90
            FROM promises WHERE status = 'breached' AND closed_at >= $start AND closed_at < $end AND {visible}
            GROUP BY policy_id, promise_type, clock ORDER BY promise_type, policy_id, clock""",
        start, end)


def compensation_table_reference(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    return _performance_read(store, actor,
        """SELECT strftime(r.granted_at, '%Y-%m') AS month, count(*) AS owed_count,
                   CAST(sum(r.cost) AS DOUBLE) AS owed_cost, count(r.delivered_at) AS delivered_count,
                   CAST(coalesce(sum(r.cost) FILTER (WHERE r.delivered_at IS NOT NULL), 0) AS DOUBLE)
                       AS delivered_cost
            FROM remedies r JOIN promises p USING (promise_id)
            WHERE r.granted_at >= $start AND r.granted_at < $end AND {visible}
            GROUP BY month ORDER BY month""",
        start, end, "p").assign(outstanding_cost=lambda f: f["owed_cost"] - f["delivered_cost"])


def remedies_by_key_reference(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    """Ties of cost in the order of the remedy's key (the query left them in any order)."""
    return _performance_read(store, actor,
        """SELECT r.key, count(*) AS owed_count, count(r.delivered_at) AS delivered_count,
                   CAST(sum(r.cost) AS DOUBLE) AS owed_cost,
                   CAST(coalesce(sum(r.cost) FILTER (WHERE r.delivered_at IS NOT NULL), 0) AS DOUBLE)
                       AS delivered_cost
            FROM remedies r JOIN promises p USING (promise_id)
            WHERE r.granted_at >= $start AND r.granted_at < $end AND {visible}
            GROUP BY r.key ORDER BY owed_cost DESC, r.key""",
        start, end, "p")


def clock_comparison_reference(store: Store, actor: Actor, start: datetime, end: datetime) -> pd.DataFrame:
    from crm_core import access
    from crm_core.promises.policy import PromisePolicy

    scope = access.visible(actor, "promises", "p")
    visible, window = scope.sql, {"start": start, "end": end, **scope.params}
    cur = store.system_cursor()
    try:
        combos = cur.execute(
            f"""SELECT d.policy_id, d.policy_version, d.customer_class, d.priority, v.definition
                FROM (SELECT DISTINCT p.policy_id, p.policy_version, p.customer_class, p.priority FROM promises p
                      WHERE p.clock = 'business' AND NOT p.negotiated_due AND p.status IN ('met', 'breached')
                        AND p.closed_at >= $start AND p.closed_at < $end AND {visible}) d
                JOIN promise_policies v ON v.policy_id = d.policy_id AND v.version = d.policy_version""",
            window,
        ).df()
        if combos.empty:
            columns = ["n", "lead_hours_p50", "pct_business", "ci_low_business", "ci_high_business",
                       "pct_calendar", "ci_low_calendar", "ci_high_calendar"]
            return pd.DataFrame(columns=columns, index=pd.Index([], name="promise_type"))
        targets = combos.drop(columns=["definition"]).assign(
            target_seconds=[PromisePolicy.model_validate_json(d).target_for(c, p).total_seconds()
                            for d, c, p in zip(combos["definition"], combos["customer_class"], combos["priority"])])
        cur.register("promise_targets", targets)
        counts = cur.execute(
            f"""SELECT p.promise_type, count(*) AS n,
                       count(*) FILTER (WHERE p.status = 'met') AS met_business,
                       count(*) FILTER (WHERE epoch(p.closed_at) - epoch(p.made_at) <= t.target_seconds)
                           AS met_calendar,
                       median(epoch(p.closed_at) - epoch(p.made_at)) / 3600 AS lead_hours_p50
                FROM promises p JOIN promise_targets t
                  ON t.policy_id = p.policy_id AND t.policy_version = p.policy_version
                 AND t.customer_class IS NOT DISTINCT FROM p.customer_class
                 AND t.priority IS NOT DISTINCT FROM p.priority
                WHERE p.clock = 'business' AND NOT p.negotiated_due AND p.status IN ('met', 'breached')
                  AND p.closed_at >= $start AND p.closed_at < $end AND {visible}
                GROUP BY p.promise_type ORDER BY p.promise_type""",
            window,
        ).df()
        cur.unregister("promise_targets")
    finally:
        cur.close()
    counts = counts.set_index("promise_type")
    out = counts[["n", "lead_hours_p50"]].copy()
    for view in ("business", "calendar"):
        part = pd.DataFrame({"met": counts[f"met_{view}"], "breached": counts["n"] - counts[f"met_{view}"],
                             "excluded": 0})
        summary = summarise_counts(part)
        out[f"pct_{view}"], out[f"ci_low_{view}"] = summary["pct"], summary["ci_low"]
        out[f"ci_high_{view}"] = summary["ci_high"]
    return out
