"""Alerts (issue 20): promise warnings, breaches, escalations, green-channel complaints and the
compensation due, sent to the people concerned by e-mail and group robots; and the weekly
management report by e-mail.

Modules: ``channels`` (sending: SMTP, WeCom, DingTalk, Feishu), ``config`` (the channels and the
weekly report's recipients an admin sets), ``contacts`` (who is reached where, who manages whom),
``messages`` (the texts), ``promise_alerts`` (which alerts are due), ``outbox`` (each alert once,
retried with back-off), ``weekly_report`` and ``jobs`` (the functions a scheduler runs).
"""
from crm_core.users import Actor

# Who the background jobs act as: the whole company, read at manager level (crm_core.users), on
# scoped cursors like any user, and named in the audit log.
SYSTEM_ACTOR = Actor(name="alerts", role="manager", display_name="Kehu")
