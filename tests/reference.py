"""Reference implementations in pandas, used only by the tests (and so moved out of crm_core).

Each is the plain, readable statement of a rule the product computes another way (in DuckDB, or
from counts): the tests compare the product's numbers with these. They were public functions of
crm_core that no page, CLI or other crm_core code called.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from scipy.special import expit

from crm_core.churn.bgnbd import _log_dropout_odds, expected_purchases_if_alive, p_alive, unique_patterns
from crm_core.churn.lapsed import _period
from crm_core.churn.reasons import CONTROLLABLE, REASONS, UNCONTROLLABLE
from crm_core.churn.rfm import daily_purchases
from crm_core.churn.spend import WEEKS_PER_MONTH, GammaGammaFit
from crm_core.promises.performance import BREAKDOWNS, _count, attainment_outcomes, summarise_counts
from crm_core.satisfaction.labels import parse_yes_no_series
from crm_core.satisfaction.loyalty import QUADRANTS, ladder_from_counts, loyalty_quadrant_of
from crm_core.satisfaction.scores import CSAT_SCALE, NPS_SCALE, NPSResult
from crm_core.satisfaction.servqual import DIMENSIONS, servperf, servqual_items
from crm_core.satisfaction.trend import answer_counts, breakdown_from_counts
from crm_core.segmentation.abc import MIGRATION_CLASSES, _period_spend_cte, check_period
from crm_core.segmentation.allocation import ALLOCATION_TIERS, CLASS_TO_TIER
from crm_core.stats import two_sided_p


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
