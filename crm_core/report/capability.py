"""What the management report adds to the app: ``python -m crm_core report`` (crm_core.report.cli)."""
from __future__ import annotations

from crm_core.capabilities import Capability
from crm_core.report.cli import add_report_command

CAPABILITY = Capability("report", commands=add_report_command)
