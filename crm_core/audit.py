"""The audit trail: every write, import, export and sign-in (who, when, what, before → after).

Two readers: ``audit_entries``, the whole log for its readers (``AUDIT_READERS``: admins and
managers), and ``customer_trail``, one customer's change history for anyone who may see the
customer, read on the user's scoped cursor so ``crm_core.access.RULES["audit_log"]`` decides:
a rep sees the history of their own customers only, a viewer sees the old and new values of
contact details masked exactly as the customers table shows them.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

AUDIT_READERS = frozenset({"admin", "manager"})
# Every action the log records and every kind of thing acted on. Each has its words in both
# languages (crm_core/locales/audit.py, "audit.action.<code>" / "audit.entity.<code>"), so no page
# shows a code name; write_audit refuses any other code.
ACTIONS = ("create", "update", "delete", "import", "undo", "export", "backup", "restore",
           "sign_in", "sign_in_failed", "sign_out", "account_create", "account_update", "account_enable",
           "account_disable", "account_password_reset", "account_password_change", "account_sync",
           "view_save", "view_replace", "view_delete", "holiday_notice", "scheduler_run_now")
ENTITIES = ("customer", "transaction", "interaction", "key_date", "churn_event", "import", "file", "store",
            "account", "session", "saved_view", "holiday_notices", "scheduler_job", "alert_channel",
            "alert_settings", "alert_contact", "survey_wave", "survey_response", "survey_invitations",
            "mystery_visit")
ACTION_LABELS, ENTITY_LABELS = "audit.action", "audit.entity"  # the catalog prefixes of their words


def write_audit(cur: duckdb.DuckDBPyConnection, actor: Actor, action: str, entity: str, entity_id: int | None = None,
                field: str | None = None, old=None, new=None) -> None:
    """One audit row, inside the caller's transaction (so it commits or rolls back with the change).
    Raises ValueError for an action or entity not in ``ACTIONS`` / ``ENTITIES`` (a code the pages
    could only show as code), before anything is written."""
    if action not in ACTIONS or entity not in ENTITIES:
        raise ValueError(f"audit code not listed in crm_core.audit: action {action!r}, entity {entity!r}")
    cur.execute(
        "INSERT INTO audit_log (actor, action, entity, entity_id, field, old_value, new_value)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [actor.name, action, entity, entity_id, field,
         None if old is None else str(old), None if new is None else str(new)],
    )


def record_event(store: Store, actor: Actor, action: str, entity: str, detail: str | None = None) -> None:
    """An event that changes no data (sign-in, export) in a transaction of its own."""
    with store.transaction() as cur:
        write_audit(cur, actor, action, entity, None, None, None, detail)


def audit_entries(store: Store, actor: Actor, since: date | None = None, who: str | None = None,
                  action: str | None = None, limit: int = 500, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of the audit log, newest first, and the number of matching rows (admins and managers)."""
    if actor.role not in AUDIT_READERS:
        raise PermissionDenied("err.no_audit_permission")
    where = "(?::DATE IS NULL OR logged_at >= ?::DATE) AND (?::VARCHAR IS NULL OR actor = ?)" \
            " AND (?::VARCHAR IS NULL OR action = ?)"
    params = [since, since, who, who, action, action]
    (total,) = store.query_one(f"SELECT count(*) FROM audit_log WHERE {where}", params)
    page = store.query_df(
        "SELECT logged_at, actor, action, entity, entity_id, field, old_value, new_value FROM audit_log"
        f" WHERE {where} ORDER BY audit_id DESC LIMIT ? OFFSET ?", [*params, int(limit), int(offset)])
    return page, int(total)


def customer_trail(db: duckdb.DuckDBPyConnection, customer_id: int, limit: int = 200) -> pd.DataFrame:
    """The changes to one customer, newest first, as the user whose cursor ``db`` is
    (``Store.cursor(actor)``) may read them: empty for a customer they may not see."""
    return db.execute(
        "SELECT logged_at, actor, action, field, old_value, new_value FROM audit_log"
        " WHERE entity = 'customer' AND entity_id = $id ORDER BY audit_id DESC LIMIT $limit",
        {"id": int(customer_id), "limit": int(limit)}).df()


def audit_actions(store: Store) -> list[str]:
    return store.query_df("SELECT DISTINCT action FROM audit_log ORDER BY 1")["action"].tolist()
