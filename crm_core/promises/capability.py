"""What promises add to the app: the ``promises`` and ``promise_events`` import kinds, the Home
page's count of open promises and the job keeping what the performance tab reads of the closed
promises (crm_core.promises.fits)."""
from __future__ import annotations

from datetime import datetime

from crm_core.capabilities import Capability
from crm_core.promises.fits import FITS_JOB
from crm_core.promises.import_kind import PROMISE_EVENTS, PROMISES
from crm_core.promises.queries import open_promise_count


def overview_figures(cur, now: datetime) -> dict:
    return {"open_promises": open_promise_count(cur, now)}


CAPABILITY = Capability("promises", import_kinds=(PROMISES, PROMISE_EVENTS), overview_figures=overview_figures,
                        jobs=(FITS_JOB,))
