"""What care adds through the capability registry: the job keeping the replenishment forecast
fitted (crm_core.model_fits; its page reads its own queries otherwise, it has no import kind and
no Home page figure)."""
from __future__ import annotations

from datetime import timedelta

from crm_core.capabilities import Capability
from crm_core.care.fits import FITTERS
from crm_core.model_fits import FIT_LEASE, refit_job
from crm_core.scheduler import Job, every

CAPABILITY = Capability("care", jobs=(Job("care_model_fits", every(timedelta(minutes=1)), refit_job(FITTERS),
                                          lease=FIT_LEASE),))
