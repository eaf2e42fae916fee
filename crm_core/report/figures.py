"""The management report's figures: the headline numbers and chart data of the Overview,
Segmentation, Promises, Satisfaction and Churn pages for one analysis date.

Every figure comes from the function the page itself calls, with the page's default settings and
the acting user (so a rep's report covers their customers only); nothing is recomputed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd

from crm_core import overview
from crm_core.churn import ChurnLoss, churn_loss
from crm_core.churn.lapsed import churn_rate_by_period_sql
from crm_core.churn.measured import fill_from_my_data
from crm_core.promises.reports import attainment_table
from crm_core.satisfaction.report import trend as satisfaction_trend
from crm_core.segmentation import AbcOverview, SegmentQuery, abc_overview, default_period
from crm_core.store import Store
from crm_core.users import Actor

PROMISE_WINDOW_DAYS = 365  # the Performance tab's default window
CHURN_PERIOD = "quarter"  # the Churn page's default period for the rate per period


@dataclass(frozen=True)
class ReportFigures:
    """What the report shows, for ``actor`` as of ``as_of`` (the clock at ``now``)."""

    as_of: date
    now: datetime
    kpis: overview.Kpis
    revenue_by_month: pd.DataFrame  # month, revenue, customers
    relationship: overview.RelationshipKpis
    segments: SegmentQuery
    abc: AbcOverview
    promise_window: tuple[datetime, datetime]
    promises_total: pd.Series | None  # met, breached, excluded, pct, ci_low, ci_high; None: none judged
    promises_by_month: pd.DataFrame  # the months with judged promises
    satisfaction: pd.DataFrame  # per wave: csat_top_two_box(+_low/_high), nps_score, nps_ci_*, label
    churn_by_period: pd.DataFrame  # period, active_prev, churned, churn_rate
    churn_loss: ChurnLoss | None  # the calculator filled from the data; None when it cannot be
    churn_loss_years: int


def _promise_window(as_of: date, now: datetime) -> tuple[datetime, datetime]:
    """The Performance tab's window: 365 days ending at the end of the analysis date (or now, if earlier)."""
    end = min(now, datetime.combine(as_of + timedelta(days=1), time(), tzinfo=now.tzinfo)).replace(second=0)
    return end - timedelta(days=PROMISE_WINDOW_DAYS), end


def _judged(table: pd.DataFrame) -> pd.DataFrame:
    """Rows with at least one promise met or breached (the page leaves the others out of its chart)."""
    return table[table["met"] + table["breached"] > 0]


def _churn_rates(store: Store, actor: Actor, as_of: date) -> pd.DataFrame:
    cur = store.cursor(actor)  # the user's cursor: a rep's rates cover only their customers
    try:
        return churn_rate_by_period_sql(cur, CHURN_PERIOD, as_of)
    finally:
        cur.close()


def _loss(store: Store, actor: Actor, as_of: date) -> tuple[ChurnLoss | None, int]:
    """The churn-loss calculator's "fill from my data" result (the Churn page's button)."""
    inputs = fill_from_my_data(store, as_of, actor)
    try:
        return churn_loss(**inputs.loss_kwargs()), inputs.years
    except ValueError:  # e.g. no customers or no revenue yet: the calculator refuses, so does the report
        return None, inputs.years


def gather(store: Store, actor: Actor, as_of: date, now: datetime) -> ReportFigures:
    """Every figure of the report for ``actor`` (``now``: an aware datetime in the store's zone)."""
    segments = SegmentQuery(*default_period(as_of))
    start, end = _promise_window(as_of, now)
    total = _judged(attainment_table(store, actor, start, end, end))
    loss, years = _loss(store, actor, as_of)
    return ReportFigures(
        as_of=as_of, now=now,
        kpis=overview.kpis(store, actor, as_of),
        revenue_by_month=overview.monthly_revenue(store, actor, as_of),
        relationship=overview.relationship_kpis(store, actor, now, as_of),
        segments=segments,
        abc=abc_overview(store, actor, segments),
        promise_window=(start, end),
        promises_total=None if total.empty else total.iloc[0],
        promises_by_month=_judged(attainment_table(store, actor, start, end, end, by="month")),
        satisfaction=satisfaction_trend(store, actor, "wave_id"),
        churn_by_period=_churn_rates(store, actor, as_of),
        churn_loss=loss, churn_loss_years=years,
    )
