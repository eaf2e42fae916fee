"""Churn measured from the store: the Home KPI, "fill from my data", churn per segment, the funnel, lapsed.

Windows are calendar-exact: "the last 12 months" up to ``as_of`` is (as_of − 12 months, as_of],
"the previous 12 months" is (as_of − 24 months, as_of − 12 months]. All counting happens in
DuckDB; results are small frames or dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd

from crm_core import access
from crm_core.churn.lapsed import lapsed_customers_sql, lapsed_from_rhythm
from crm_core.churn.reasons import FUNNEL_STAGES
from crm_core.definitions import purchase
from crm_core.sql import (
    Fragment,
    compose,
    last_12_months,
    previous_12_months,
    previous_12_months_dates,
    run,
)
from crm_core.store import Store, reading
from crm_core.users import Actor

MEASURED, ASSUMED, TEXTBOOK = "measured", "assumed", "textbook"
# Margins are "known" when transactions carrying a gross margin bring at least this share of revenue.
MARGIN_COVERAGE_NEEDED = 0.5


def _fetchone(db: Store | duckdb.DuckDBPyConnection, query: Fragment) -> tuple:
    with reading(db) as cur:
        return run(cur, query).fetchone()


# The churn windows on the customer's purchase days, at prm.as_of (see crm_core.sql).
_AS_OF = Fragment("prm.as_of")
_YEARLY_ACTIVITY = compose("""
WITH prm AS (SELECT CAST($as_of AS DATE) AS as_of),
activity AS (
    SELECT t.customer_id,
           bool_or({before} AND {purchase}) AS before,
           bool_or({recent} AND {purchase}) AS recent
    FROM transactions t, prm
    WHERE t.txn_date > prm.as_of - INTERVAL 24 MONTH AND t.txn_date <= prm.as_of
    GROUP BY t.customer_id
)
""", before=previous_12_months(_AS_OF, "t.txn_date"), recent=last_12_months(_AS_OF, "t.txn_date"),
   purchase=purchase("t")).sql


def measured_churn_rate(db: Store | duckdb.DuckDBPyConnection, as_of: date,
                        actor: Actor | None = None) -> float | None:
    """Share of customers who bought in the previous 12 months and not in the last 12 (0..1).

    ``db``: a Store or a DuckDB cursor. None when nobody bought in the previous 12 months (no
    base to measure against). ``actor`` limits a rep to her customers (crm_core.access).
    """
    base, lost = _fetchone(db, compose(_YEARLY_ACTIVITY + """
        SELECT count(*) FILTER (WHERE a.before), count(*) FILTER (WHERE a.before AND NOT a.recent)
        FROM activity a JOIN customers c USING (customer_id) WHERE {scope}""",
        scope=access.visible(actor, "customers", alias="c"), as_of=as_of))
    return None if not base else lost / base


@dataclass(frozen=True)
class LossInputs:
    """Inputs of the churn-loss calculator with where each came from (``sources``: name → measured/assumed)."""

    customers: int
    churn_rate: float
    revenue_per_customer: float
    margin: float
    years: int = 5
    discount_rate: float = 0.08
    word_of_mouth: float = 0.0
    word_of_mouth_loss_share: float = 0.0
    acquisition_cost_multiple: float = 5.0
    retention_cost_per_customer: float | None = None
    replacements_per_lost: float = 1.0
    currency: str = "CNY"
    sources: dict[str, str] = field(default_factory=dict)

    def loss_kwargs(self) -> dict:
        """Keyword arguments for :func:`crm_core.churn.churn_loss`."""
        return {"customers": self.customers, "churn_rate": self.churn_rate,
                    "revenue_per_customer": self.revenue_per_customer, "margin": self.margin, "years": self.years,
                    "discount_rate": self.discount_rate, "word_of_mouth": self.word_of_mouth,
                    "word_of_mouth_loss_share": self.word_of_mouth_loss_share,
                    "acquisition_cost_multiple": self.acquisition_cost_multiple,
                    "retention_cost_per_customer": self.retention_cost_per_customer,
                    "replacements_per_lost": self.replacements_per_lost}


INPUT_NAMES = ("customers", "churn_rate", "revenue_per_customer", "margin", "years", "discount_rate",
               "word_of_mouth", "word_of_mouth_loss_share", "acquisition_cost_multiple",
               "retention_cost_per_customer", "replacements_per_lost")


def textbook_inputs() -> LossInputs:
    """docs/domain.md §5, seed 004: 64,000 customers, 5 % churn, 40,000 USD a year each, 10 % margin.

    Word of mouth is off so year 1 is exactly the book's 3,200 / 128,000,000 / 12,800,000; the
    horizon of 5 years, no discounting, shows how the loss grows afterwards.
    """
    return LossInputs(customers=64_000, churn_rate=0.05, revenue_per_customer=40_000, margin=0.10, years=5,
                      discount_rate=0.0, currency="USD", sources={name: TEXTBOOK for name in INPUT_NAMES})


def default_inputs() -> LossInputs:
    """What the calculator shows before anything is loaded: the textbook example."""
    return textbook_inputs()


_FILL_SQL = _YEARLY_ACTIVITY + """,
scoped AS (SELECT customer_id FROM customers c WHERE {scope}),
recent_sales AS (
    SELECT t.amount, t.gross_margin FROM transactions t JOIN scoped USING (customer_id), prm
    WHERE """ + last_12_months(_AS_OF, "t.txn_date").sql + """
),
recent_care AS (
    SELECT i.cost, i.concession FROM interactions i JOIN scoped USING (customer_id), prm
    WHERE """ + last_12_months(_AS_OF, "i.occurred_at::DATE").sql + """
)
SELECT (SELECT count(*) FROM activity JOIN scoped USING (customer_id) WHERE recent) AS active,
       (SELECT count(*) FROM activity JOIN scoped USING (customer_id) WHERE before) AS base,
       (SELECT count(*) FROM activity JOIN scoped USING (customer_id) WHERE before AND NOT recent) AS lost,
       (SELECT sum(amount) FROM recent_sales) AS revenue,
       (SELECT sum(amount) FILTER (WHERE gross_margin IS NOT NULL) FROM recent_sales) AS revenue_with_margin,
       (SELECT sum(gross_margin) FROM recent_sales) AS margin,
       (SELECT sum(cost + concession) FROM recent_care) AS care_cost,
       (SELECT mode(currency) FROM customers c WHERE {scope}) AS currency
"""


def fill_from_my_data(db: Store | duckdb.DuckDBPyConnection, as_of: date, actor: Actor | None = None,
                      assumed: LossInputs | None = None) -> LossInputs:
    """Calculator inputs measured from the store where it can, the ``assumed`` values elsewhere.

    Measured (last 12 months up to ``as_of``): customers = customers who bought; churn rate =
    :func:`measured_churn_rate`; revenue per customer = revenue ÷ those customers; margin = Σ gross
    margin ÷ revenue of the transactions that carry one, if they bring ≥ 50 % of revenue; retention
    cost per customer = (interaction cost + concessions) ÷ customers who bought. Everything else —
    and any figure the data cannot give (no purchases, no margins) — comes from ``assumed``
    (default: 10 % margin, 5 years, 8 % discount rate, 5× acquisition cost) and is labelled so.
    """
    assumed = assumed or LossInputs(customers=0, churn_rate=0.0, revenue_per_customer=0.0, margin=0.10)
    row = _fetchone(db, compose(_FILL_SQL, scope=access.visible(actor, "customers", alias="c"), as_of=as_of))
    active, base, lost, revenue, revenue_with_margin, margin, care_cost, currency = row
    values = {name: getattr(assumed, name) for name in INPUT_NAMES}
    sources = {name: ASSUMED for name in INPUT_NAMES}

    def measured(name: str, value) -> None:
        values[name] = value
        sources[name] = MEASURED

    if active:
        measured("customers", int(active))
    if base:
        measured("churn_rate", lost / base)
    if active and revenue is not None:
        measured("revenue_per_customer", float(Decimal(revenue) / active))
    if revenue and revenue_with_margin and revenue_with_margin / revenue >= MARGIN_COVERAGE_NEEDED:
        measured("margin", min(max(float(Decimal(margin) / revenue_with_margin), 0.0), 1.0))
    if active and care_cost is not None:
        measured("retention_cost_per_customer", float(Decimal(care_cost) / active))
    return LossInputs(**values, currency=currency or assumed.currency, sources=sources)


_SEGMENT_SQL = _YEARLY_ACTIVITY + """
SELECT c.customer_type, coalesce(b.abc, 'C') AS abc, GROUPING(c.customer_type) AS by_abc,
       count(*) AS active_before, count(*) FILTER (WHERE NOT a.recent) AS churned,
       CAST(coalesce(sum(CAST(b.spend AS DECIMAL(18, 2))) FILTER (WHERE NOT a.recent), 0) AS DOUBLE) AS revenue_lost
FROM activity a JOIN customers c USING (customer_id) LEFT JOIN churn_base_classes b USING (customer_id)
WHERE a.before AND {scope}
GROUP BY GROUPING SETS ((c.customer_type), (coalesce(b.abc, 'C')))
"""
SEGMENT_KEYS = ("abc", "customer_type")


def churn_by_segments(db, as_of: date, actor: Actor | None = None) -> dict[str, pd.DataFrame]:
    """Yearly churn per segment, ``{"abc": frame, "customer_type": frame}``, in one pass over the data.

    Each frame: segment, active_before, churned, churn_rate, revenue_lost, sorted by segment.
    Base = customers who bought in the previous 12 months; churned = of them, those with no
    purchase in the last 12. The ABC class is that of the *base* year (abc_classify_sql over the
    previous 12 months: a churned customer has no spend in the last 12 to be classed by; a base
    customer whose spend there nets to ≤ 0 counts as C). revenue_lost = what the churned brought
    in the base year, summed in cents (exact, so the same whatever order the rows are summed in). Summed over either segmentation, churned ÷ active_before is
    :func:`measured_churn_rate`. ``db``: a DuckDB cursor (a small table is registered).
    """
    from crm_core.segmentation import abc_classify_sql

    classes = abc_classify_sql(db, *previous_12_months_dates(as_of))[["customer_id", "abc", "spend"]]
    db.register("churn_base_classes", classes)
    try:
        frame = run(db, compose(_SEGMENT_SQL, scope=access.visible(actor, "customers", alias="c"), as_of=as_of)).df()
    finally:
        db.unregister("churn_base_classes")
    return segment_tables(frame)


def segment_tables(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The grouping-sets rows of the segment query as :func:`churn_by_segments`' two frames."""
    frame["churn_rate"] = frame["churned"] / frame["active_before"]
    result = {}
    for by, rows in (("abc", frame["by_abc"] == 1), ("customer_type", frame["by_abc"] == 0)):
        part = frame[rows].rename(columns={by: "segment"}).sort_values("segment", ignore_index=True)
        result[by] = part[["segment", "active_before", "churned", "churn_rate", "revenue_lost"]]
    return result


_FUNNEL_SQL = """
WITH prm AS (SELECT CAST($as_of AS DATE) AS as_of),
per AS (
    -- two or more purchase days ⇔ first day < last day (no DISTINCT over 10M rows needed)
    SELECT t.customer_id, CASE WHEN min(t.txn_date) < max(t.txn_date) THEN 2 ELSE 1 END AS days,
           bool_or(""" + last_12_months(_AS_OF, "t.txn_date").sql + """) AS recent,
           bool_or(""" + previous_12_months(_AS_OF, "t.txn_date").sql + """) AS before
    FROM transactions t, prm WHERE t.txn_date <= prm.as_of GROUP BY t.customer_id
)
SELECT count(*) FILTER (WHERE c.tenure_stage = 'potential' OR per.days >= 1) AS potential,
       count(*) FILTER (WHERE per.days >= 1) AS purchasing,
       count(*) FILTER (WHERE per.days >= 2) AS repeat,
       count(*) FILTER (WHERE per.days >= 2 AND per.recent AND per.before) AS loyal
FROM customers c LEFT JOIN per USING (customer_id)
WHERE {scope}
"""


def funnel_counts(db: Store | duckdb.DuckDBPyConnection, as_of: date, visitors: int | None, actor: Actor | None = None) -> dict[str, int]:
    """Head counts per stage of the funnel visitor → potential → purchasing → repeat → loyal.

    potential = customers marked potential (tenure_stage) plus everyone who ever bought;
    purchasing = bought at least once up to ``as_of``; repeat = bought on two or more days;
    loyal = repeat customers who bought both in the last 12 months and in the 12 before.
    The CRM has no web analytics, so ``visitors`` is the user's figure; None (or fewer than the
    potential customers) makes it equal to the potential count. Feed to ``customer_funnel``.
    """
    row = _fetchone(db, compose(_FUNNEL_SQL, scope=access.visible(actor, "customers", alias="c"), as_of=as_of))
    return funnel_stages(row, visitors)


def funnel_stages(row: tuple, visitors: int | None) -> dict[str, int]:
    """The funnel query's (potential, purchasing, repeat, loyal) with the visitors, by stage."""
    counts = dict(zip(FUNNEL_STAGES[1:], (int(v) for v in row)))
    counts["visitor"] = max(int(visitors or 0), counts["potential"])
    return {stage: counts[stage] for stage in FUNNEL_STAGES}


def lapsed_report(db, as_of: date, k: float, actor: Actor | None = None,
                  rhythm: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`lapsed_customers_sql` with each customer's code, name, type, rep (rep-scoped).

    ``rhythm``: a :func:`purchase_rhythm_sql` table for ``as_of`` if the caller has one (then only
    the customer details are read). Columns: customer_id, code, name, customer_type, sales_rep,
    purchases, last_purchase, days_since_last, median_gap_days, gap_source, threshold_days,
    revenue_at_risk; largest revenue at risk first.
    """
    lapsed = lapsed_customers_sql(db, as_of, k) if rhythm is None else lapsed_from_rhythm(rhythm, k)
    db.register("churn_lapsed", lapsed)
    try:
        return run(db, compose(
            "SELECT l.customer_id, c.code, c.name, c.customer_type, c.sales_rep, l.purchases, l.last_purchase,"
            " l.days_since_last, l.median_gap_days, l.gap_source, l.threshold_days, l.revenue_at_risk"
            " FROM churn_lapsed l JOIN customers c USING (customer_id) WHERE {scope}"
            " ORDER BY l.revenue_at_risk DESC, l.customer_id", scope=access.visible(actor, "customers", alias="c"))).df()
    finally:
        db.unregister("churn_lapsed")


def customer_lapsed_status(db: Store | duckdb.DuckDBPyConnection, customer_id: int, as_of: date, k: float = 2.0) -> dict | None:
    """One customer against her own rhythm: purchases (days), last_purchase, days_since_last,
    median_gap_days, threshold_days, lapsed (bool, None for a one-time buyer — no rhythm of her own).

    None when she bought nothing up to ``as_of``. Raises ValueError for k ≤ 0.
    """
    if not k > 0:
        raise ValueError(f"k must be a positive multiple of the purchase gap, got {k!r}")
    row = _fetchone(db, Fragment("""
        WITH days AS (SELECT DISTINCT txn_date AS day FROM transactions WHERE customer_id = $id AND txn_date <= $as_of),
        gaps AS (SELECT day, date_diff('day', lag(day) OVER (ORDER BY day), day) AS gap FROM days)
        SELECT count(*), max(day), CAST(median(gap) AS DOUBLE) FROM gaps""", {"id": int(customer_id), "as_of": as_of}))
    purchases, last, gap = row
    if not purchases:
        return None
    since = (as_of - last).days
    return {"purchases": int(purchases), "last_purchase": last, "days_since_last": since, "median_gap_days": gap,
            "threshold_days": None if gap is None else k * gap,
            "lapsed": None if gap is None else since > k * gap}
