"""Churn (客户流失): what it costs, who is slipping away, and why.

* ``loss`` — the cost of churn year by year (docs/domain.md §5 worked example) and what-if cuts.
* ``rfm`` — per-customer frequency/recency/T/monetary summary (pandas and DuckDB).
* ``bgnbd`` — BG/NBD purchase model: fit, P(alive), expected purchases.
* ``spend`` — Gamma-Gamma spend model, customer lifetime value, expected loss by segment.
* ``lapsed`` — customers overdue against their own purchase rhythm; churn rate per period.
* ``reasons`` — churn-reason taxonomy and Pareto; the customer funnel.
* ``events`` — churn events in the store (churn_events, migration 006): record, list, Pareto.
* ``measured`` — churn measured from the store: the Home KPI, "fill from my data", per segment, funnel.
* ``model`` — the purchase model over the whole store: P(alive), value, expected loss, retention list.
* ``demo`` / ``import_kind`` — demo churn events; the ``churn_events`` import kind.

Time in the models is in weeks; money in the currency of the data.
"""
from crm_core.churn.bgnbd import (
    BGNBDFit,
    fit_bgnbd,
    p_alive,
)
from crm_core.churn.lapsed import (
    churn_rate_by_period_sql,
    lapsed_customers,
    lapsed_customers_sql,
)
from crm_core.churn.loss import ChurnLoss, ChurnLossYear, ChurnWhatIf, churn_loss, what_if
from crm_core.churn.measured import measured_churn_rate
from crm_core.churn.reasons import (
    FUNNEL_STAGES,
    REASONS,
    ReasonPareto,
    customer_funnel,
    reason_pareto,
)
from crm_core.churn.rfm import rfm_summary, rfm_summary_sql
from crm_core.churn.spend import (
    GammaGammaFit,
    expected_loss_by_segment,
    fit_gamma_gamma,
)

__all__ = [
    "FUNNEL_STAGES",
    "REASONS",
    "BGNBDFit",
    "ChurnLoss",
    "ChurnLossYear",
    "ChurnWhatIf",
    "GammaGammaFit",
    "ReasonPareto",
    "churn_loss",
    "churn_rate_by_period_sql",
    "customer_funnel",
    "expected_loss_by_segment",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "lapsed_customers",
    "lapsed_customers_sql",
    "measured_churn_rate",
    "p_alive",
    "reason_pareto",
    "rfm_summary",
    "rfm_summary_sql",
    "what_if",
]
