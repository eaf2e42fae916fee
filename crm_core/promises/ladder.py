"""Which compensation a late promise has earned."""

from __future__ import annotations

from datetime import timedelta

from crm_core.promises.policy import Remedy


def remedies_earned(
    ladder: tuple[Remedy, ...], lateness: timedelta, complaint_lateness: timedelta | None = None
) -> list[Remedy]:
    """The rungs of ``ladder`` earned, cumulative, in ladder order.

    ``lateness`` is how far past the due time the promise was completed (or is now, if still open),
    on the policy's clock; a rung is earned when lateness is strictly more than its ``over`` — on
    time to the second earns nothing. A rung that ``requires_complaint`` also needs the customer to
    have complained while already that late: ``complaint_lateness`` is the lateness at the latest
    complaint made before completion (None when there was none).
    """
    earned = []
    for rung in ladder:
        if lateness <= rung.over:
            break
        if rung.requires_complaint and (complaint_lateness is None or complaint_lateness <= rung.over):
            continue
        earned.append(rung)
    return earned
