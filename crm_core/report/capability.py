"""What the management report adds to the app: ``python -m crm_core report`` (crm_core.report.cli), and
the job keeping the Home page's figures — the report's first section — fitted for the default
analysis date (crm_core.overview, crm_core.model_fits)."""
from __future__ import annotations

from crm_core.capabilities import Capability
from crm_core.overview import FITS_JOB
from crm_core.report.cli import add_report_command

CAPABILITY = Capability("report", commands=add_report_command, jobs=(FITS_JOB,))
