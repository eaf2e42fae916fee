"""What churn adds to the app: the ``churn_events`` import kind and the Home page's measured churn rate."""
from __future__ import annotations

from datetime import datetime

from crm_core.capabilities import Capability
from crm_core.churn.import_kind import CHURN_EVENTS
from crm_core.churn.measured import measured_churn_rate


def overview_figures(cur, now: datetime) -> dict:
    return {"churn_rate": measured_churn_rate(cur, now.date())}


CAPABILITY = Capability("churn", import_kinds=(CHURN_EVENTS,), overview_figures=overview_figures)
