"""What segmentation adds through the capability registry: each customer's current ABC class for
the Customers list (its page reads its own queries; it has no import kind and no Home page figure),
the nightly job that records the class history of the months closed, and the job keeping the
per-customer figures of the big-customer, RFM and need tabs fitted (crm_core.segmentation.fits)."""
from __future__ import annotations

from datetime import time

from crm_core.capabilities import Capability
from crm_core.scheduler import Job, daily
from crm_core.segmentation.fits import FITS_JOB
from crm_core.segmentation.history import class_history_job
from crm_core.segmentation.views import current_classes

CAPABILITY = Capability("segmentation", customer_classes=current_classes,
                        jobs=(Job("segment_history", daily(time(2, 0)), class_history_job), FITS_JOB))
