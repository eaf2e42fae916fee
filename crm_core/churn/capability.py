"""What churn adds to the app: the ``churn_events`` import kind and the Home page's measured churn rate."""
from __future__ import annotations

from datetime import date

from crm_core.capabilities import Capability
from crm_core.churn.import_kind import CHURN_EVENTS
from crm_core.churn.measured import measured_churn_rate


def overview_figures(cur, as_of: date) -> dict:
    """The measured churn rate of the 12 months ending on the analysis date."""
    return {"churn_rate": measured_churn_rate(cur, as_of)}


CAPABILITY = Capability("churn", import_kinds=(CHURN_EVENTS,), dated_overview_figures=overview_figures)
