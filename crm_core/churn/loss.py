"""What churn costs: lost customers, revenue and profit year by year (docs/domain.md §5).

All money and counts are ``Decimal`` so the book's worked example comes out to the cent:
64,000 customers × 5 % = 3,200 lost; × 40,000 USD = 128,000,000 revenue; × 10 % = 12,800,000 profit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

# Reichheld & Sasser (1990): cutting churn by 5 points raises profit by 25 %–85 %. A reference band
# shown next to the model's own figure, not a promise the model makes.
REICHHELD_SASSER_CUT_POINTS = Decimal(5)
REICHHELD_SASSER_PROFIT_BAND = (Decimal("0.25"), Decimal("0.85"))
REICHHELD_SASSER_KEY = "churn.ref.reichheld_sasser"


@dataclass(frozen=True)
class ChurnLossYear:
    """One year of the churn-loss model; see :func:`churn_loss` for the definitions."""

    year: int
    base_at_start: Decimal
    directly_lost: Decimal
    word_of_mouth_lost: Decimal
    newly_lost: Decimal
    cumulative_lost: Decimal
    lost_revenue: Decimal
    lost_profit: Decimal
    discount_factor: Decimal
    discounted_lost_profit: Decimal
    replacement_cost: Decimal | None


@dataclass(frozen=True)
class ChurnLoss:
    """Result of :func:`churn_loss`: year-1 figures, the per-year breakdown and horizon totals."""

    lost_customers: Decimal
    lost_revenue: Decimal
    lost_profit: Decimal
    replacement_cost: Decimal | None
    years: tuple[ChurnLossYear, ...]
    total_lost_customers: Decimal
    total_lost_revenue: Decimal
    total_lost_profit: Decimal
    total_replacement_cost: Decimal | None

    def to_frame(self) -> pd.DataFrame:
        """The per-year breakdown as a table (one row per year, columns as in ChurnLossYear)."""
        return pd.DataFrame([vars(y) for y in self.years])


@dataclass(frozen=True)
class ChurnWhatIf:
    """Profit over the horizon before and after cutting churn (see :func:`what_if`)."""

    churn_rate_before: Decimal
    churn_rate_after: Decimal
    profit_before: Decimal
    profit_after: Decimal
    profit_change: Decimal
    profit_change_share: Decimal | None
    reference_cut_points: Decimal = REICHHELD_SASSER_CUT_POINTS
    reference_band: tuple[Decimal, Decimal] = REICHHELD_SASSER_PROFIT_BAND
    reference_key: str = REICHHELD_SASSER_KEY


def _decimal(name: str, value) -> Decimal:
    """Exact Decimal of a number; floats go through ``str`` so 0.05 stays 0.05, not 0.05000000000000000277."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def _non_negative(name: str, value) -> Decimal:
    number = _decimal(name, value)
    if number < 0:
        raise ValueError(f"{name} must be 0 or more, got {value!r}")
    return number


def _rate(name: str, value) -> Decimal:
    number = _decimal(name, value)
    if not 0 <= number <= 1:
        raise ValueError(f"{name} must be a share between 0 and 1 (0.05 = 5 %), got {value!r}")
    return number


def _years(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"years must be a whole number of at least 1, got {value!r}")
    return value


def churn_loss(
    customers,
    churn_rate,
    revenue_per_customer,
    margin,
    years: int = 1,
    discount_rate=0.0,
    word_of_mouth=0.0,
    word_of_mouth_loss_share=0.0,
    acquisition_cost_multiple=5.0,
    retention_cost_per_customer=None,
    replacements_per_lost=1.0,
) -> ChurnLoss:
    """Customers, revenue and profit lost to churn over ``years`` years.

    The model (expected values, counts are not rounded):

    * ``base_1 = customers``. In year y a share ``churn_rate`` of ``base_y`` leaves
      (``directly_lost``). Each of them influences ``word_of_mouth`` others, of whom a share
      ``word_of_mouth_loss_share`` leave too (``word_of_mouth_lost``; one round only — those who
      follow do not pull in others). ``newly_lost = min(base_y, direct + word of mouth)`` and
      ``base_{y+1} = base_y − newly_lost``. No new customers are acquired in the model.
    * A lost customer stays lost: lost revenue in year y is ``cumulative_lost_y ×
      revenue_per_customer`` (customers lost in year 1 cost revenue in years 2..n too), counted in
      full for the year they leave, as the book does. Lost profit = lost revenue × ``margin``.
    * Discounting: year y's figures are worth ``1 / (1 + discount_rate)^(y−1)`` today, so year 1
      is undiscounted. Totals (``total_lost_revenue``, ``total_lost_profit``) are these present values.
    * Replacement: winning a customer costs ``acquisition_cost_multiple`` × the cost of keeping one
      (``retention_cost_per_customer``, in the revenue's currency); each lost customer needs
      ``replacements_per_lost`` new ones. Replacement cost in year y = newly_lost ×
      replacements_per_lost × acquisition_cost_multiple × retention_cost_per_customer, discounted
      like the rest in the total. ``None`` when the retention cost is not given.

    ``lost_customers``/``lost_revenue``/``lost_profit``/``replacement_cost`` are year 1;
    ``total_lost_customers`` is the cumulative loss at the end of the horizon.
    Raises ValueError for negative counts or money, rates (churn, margin, discount, loss share)
    outside 0..1 and ``years`` that is not a whole number ≥ 1.
    """
    base = _non_negative("customers", customers)
    churn = _rate("churn_rate", churn_rate)
    revenue = _non_negative("revenue_per_customer", revenue_per_customer)
    margin_rate = _rate("margin", margin)
    horizon = _years(years)
    discount = _rate("discount_rate", discount_rate)
    influenced = _non_negative("word_of_mouth", word_of_mouth)
    follow_share = _rate("word_of_mouth_loss_share", word_of_mouth_loss_share)
    acquisition_cost = _acquisition_cost(
        _non_negative("acquisition_cost_multiple", acquisition_cost_multiple),
        None if retention_cost_per_customer is None
        else _non_negative("retention_cost_per_customer", retention_cost_per_customer),
        _non_negative("replacements_per_lost", replacements_per_lost),
    )
    rows, cumulative = [], Decimal(0)
    for year in range(1, horizon + 1):
        direct = base * churn
        newly_lost = min(base, direct + direct * influenced * follow_share)
        cumulative += newly_lost
        factor = 1 / (1 + discount) ** (year - 1)
        lost_revenue = cumulative * revenue
        rows.append(ChurnLossYear(
            year=year, base_at_start=base, directly_lost=direct,
            word_of_mouth_lost=newly_lost - direct,
            newly_lost=newly_lost, cumulative_lost=cumulative, lost_revenue=lost_revenue,
            lost_profit=lost_revenue * margin_rate, discount_factor=factor,
            discounted_lost_profit=lost_revenue * margin_rate * factor,
            replacement_cost=None if acquisition_cost is None else newly_lost * acquisition_cost,
        ))
        base -= newly_lost
    return _summarise(tuple(rows))


def _acquisition_cost(multiple: Decimal, retention_cost: Decimal | None, replacements: Decimal):
    """Cost of replacing one lost customer, or None when the retention cost is unknown."""
    return None if retention_cost is None else multiple * retention_cost * replacements


def _summarise(rows: tuple[ChurnLossYear, ...]) -> ChurnLoss:
    first = rows[0]
    replacement_total = None if first.replacement_cost is None else sum(
        (r.replacement_cost * r.discount_factor for r in rows), Decimal(0))
    return ChurnLoss(
        lost_customers=first.newly_lost,
        lost_revenue=first.lost_revenue,
        lost_profit=first.lost_profit,
        replacement_cost=first.replacement_cost,
        years=rows,
        total_lost_customers=rows[-1].cumulative_lost,
        total_lost_revenue=sum((r.lost_revenue * r.discount_factor for r in rows), Decimal(0)),
        total_lost_profit=sum((r.discounted_lost_profit for r in rows), Decimal(0)),
        total_replacement_cost=replacement_total,
    )


def what_if(customers, churn_rate, revenue_per_customer, margin, churn_cut_points, **options) -> ChurnWhatIf:
    """Profit change over the horizon when churn is cut by ``churn_cut_points`` percentage points.

    ``churn_cut_points`` is in points: 5 means churn 0.20 → 0.15; it must lie between 0 and
    100 × churn_rate. ``options`` are :func:`churn_loss`'s (years, discount_rate, word of mouth).
    Profit is what the starting base earns over the horizon, present value:
    ``Σ_y (customers − cumulative_lost_y) × revenue × margin / (1+discount_rate)^(y−1)``.
    ``profit_change_share`` = change / profit before (None when profit before is 0). The result
    carries the Reichheld & Sasser band (25 %–85 % for 5 points) as a reference, not a prediction.
    Raises ValueError as :func:`churn_loss` does, and for a cut outside 0..100 × churn_rate.
    """
    churn = _rate("churn_rate", churn_rate)
    cut = _non_negative("churn_cut_points", churn_cut_points) / 100
    if cut > churn:
        raise ValueError(f"churn_cut_points ({churn_cut_points}) cannot exceed the churn rate in points "
                         f"({churn * 100})")
    before = _horizon_profit(customers, churn, revenue_per_customer, margin, options)
    after = _horizon_profit(customers, churn - cut, revenue_per_customer, margin, options)
    return ChurnWhatIf(
        churn_rate_before=churn, churn_rate_after=churn - cut, profit_before=before, profit_after=after,
        profit_change=after - before, profit_change_share=(after - before) / before if before else None,
    )


def _horizon_profit(customers, churn, revenue_per_customer, margin, options) -> Decimal:
    loss = churn_loss(customers, churn, revenue_per_customer, margin, **options)
    full = _non_negative("customers", customers) * _decimal("revenue_per_customer", revenue_per_customer)
    full_profit = full * _decimal("margin", margin)
    return sum((full_profit * y.discount_factor - y.discounted_lost_profit for y in loss.years), Decimal(0))
