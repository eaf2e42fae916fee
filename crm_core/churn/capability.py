"""What churn adds to the app: the ``churn_events`` import kind, the Home page's measured churn rate,
and the job keeping the purchase model and the purchase rhythms fitted (crm_core.model_fits)."""
from __future__ import annotations

from datetime import date, timedelta

from crm_core.capabilities import Capability
from crm_core.churn.activity import measured_rate
from crm_core.churn.fits import FITTERS
from crm_core.churn.import_kind import CHURN_EVENTS
from crm_core.model_fits import FIT_LEASE, refit_job
from crm_core.scheduler import Job, every


def overview_figures(cur, as_of: date) -> dict:
    """The measured churn rate of the 12 months ending on the analysis date: from the activity kept
    for that date when it is current (crm_core.churn.activity), measured live otherwise."""
    return {"churn_rate": measured_rate(cur, as_of)}


CAPABILITY = Capability("churn", import_kinds=(CHURN_EVENTS,), dated_overview_figures=overview_figures,
                        jobs=(Job("churn_model_fits", every(timedelta(minutes=1)), refit_job(FITTERS),
                                  lease=FIT_LEASE),))
