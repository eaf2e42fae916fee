"""What the figures mean, stated once (docs/domain.md §1): every page composes these.

- A *purchase* is a transaction with a positive amount. A refund (a negative amount) is not a
  purchase: it never makes a customer active, new, or retained.
- *Revenue* is net: the sum of all amounts, refunds included, over the period.
- An *active* customer made a purchase in the period; a *new* customer's first purchase ever falls
  in the period.
- The *churn rate* at a date is the share of the customers who made a purchase in the previous 12
  months (its denominator) who made none in the last 12 months.
"""
from __future__ import annotations

from crm_core.sql import Fragment

# The same condition as SQL text, for queries written as one string: on ``transactions`` with no
# alias, and as ``t``.
PURCHASE = "amount > 0"
PURCHASE_T = "t.amount > 0"


def purchase(alias: str = "t") -> Fragment:
    """The transactions that are purchases, as a condition on ``transactions`` as ``alias``."""
    return Fragment(f"{alias}.{PURCHASE}")
