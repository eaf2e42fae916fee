"""What satisfaction adds to the app: the ``survey_responses`` import kind, the Home page's NPS of
the latest survey wave (with its interval) and the job keeping each customer's 12-month purchases
and spend for the quadrant and non-response tabs (crm_core.satisfaction.fits)."""
from __future__ import annotations

from datetime import datetime

from crm_core.capabilities import Capability
from crm_core.satisfaction.fits import FITS_JOB
from crm_core.satisfaction.import_kind import SURVEY_RESPONSES
from crm_core.satisfaction.queries import nps_by


def overview_figures(cur, now: datetime) -> dict:
    """NPS of the latest wave with answers to the recommend question; None while there is none."""
    (latest_wave,) = cur.execute("SELECT max(wave_id) FROM survey_responses WHERE recommend IS NOT NULL").fetchone()
    if latest_wave is None:
        return {"nps": None, "nps_low": None, "nps_high": None}
    latest = nps_by(cur, "wave_id", wave_id=int(latest_wave)).iloc[0]
    return {"nps": float(latest["score"]), "nps_low": float(latest["ci_low"]), "nps_high": float(latest["ci_high"])}


CAPABILITY = Capability("satisfaction", import_kinds=(SURVEY_RESPONSES,), overview_figures=overview_figures,
                        jobs=(FITS_JOB,))
