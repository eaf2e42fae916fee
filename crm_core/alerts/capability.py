"""What alerts add to the app: two scheduled jobs (crm_core.scheduler runs them in one process).

- ``promise_alerts`` every minute: queue the promise alerts due (each once) and send the outbox rows
  due — a minute is the finest step a promise's warning point is judged at on the board;
- ``weekly_report`` on Monday 08:30 (or the week's first business day's opening): the management
  report to the admin's addresses. It makes a PDF in Chromium, so its lease is longer.
"""
from __future__ import annotations

from datetime import timedelta

from crm_core.alerts.jobs import next_weekly_report_at, promise_alerts_job, weekly_report_job
from crm_core.capabilities import Capability
from crm_core.scheduler import Job, every

CAPABILITY = Capability("alerts", jobs=(
    Job("promise_alerts", every(timedelta(minutes=1)), promise_alerts_job),
    Job("weekly_report", next_weekly_report_at, weekly_report_job, lease=timedelta(minutes=30)),
))
