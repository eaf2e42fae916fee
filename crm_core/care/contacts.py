"""Stay in touch: who is due a contact, per responsible sales rep.

Each customer has a contact interval in days: its own override (table ``contact_frequency``,
migration 005) or else the default of its ABC class. The last contact is the latest
interaction of any channel (a gift or an event counts as a touch) on or before the day asked
about; interaction times are turned into days in the session's time zone.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from crm_core import access
from crm_core.audit import write_audit
from crm_core.customers import get_customer
from crm_core.sql import Fragment, compose, run
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

# Editable defaults: A customers every 30 days, B every 60, C every 120.
DEFAULT_CONTACT_DAYS: dict[str, int] = {"A": 30, "B": 60, "C": 120}

_OVERDUE_SQL = """
WITH prm AS (SELECT $as_of::DATE AS as_of),
freq AS (SELECT unnest($classes::VARCHAR[]) AS abc, unnest($every_days::INTEGER[]) AS every_days),
last_contact AS (
    SELECT i.customer_id, max(i.occurred_at)::DATE AS last_contact{last_rep_of}
    FROM interactions i, prm WHERE i.occurred_at::DATE <= prm.as_of AND {scope_interactions}
    GROUP BY i.customer_id
),
plan AS (
    SELECT c.customer_id, c.code, c.name, c.sales_rep, k.abc,
           coalesce(o.every_days, f.every_days) AS every_days,
           l.last_contact, {plan_last_rep}
           coalesce(l.last_contact, c.created_at::DATE) + coalesce(o.every_days, f.every_days) AS due_date
    FROM customers c
    LEFT JOIN care_contact_classes k USING (customer_id)
    LEFT JOIN freq f ON f.abc = k.abc
    LEFT JOIN contact_frequency o USING (customer_id)
    LEFT JOIN last_contact l USING (customer_id)
    WHERE {scope_customers}
)
SELECT {columns}, p.abc, p.every_days, p.last_contact, {last_rep}
       p.due_date, prm.as_of - p.due_date AS days_overdue
FROM plan p, prm
WHERE p.every_days IS NOT NULL AND p.due_date <= prm.as_of
ORDER BY p.sales_rep NULLS LAST, days_overdue DESC, p.customer_id
"""


# One rep's customers are picked before anything is joined (access.of_rep: the rule of the rep's own scope).
# Full rows for a small list; compact rows (no text but the rep) for a whole population.
# The compact rows also skip the last contact's rep in the grouping (DuckDB computes an unused
# arg_max all the same: two thirds of the query at 2.5M interactions).
_OVERDUE_COLUMNS = {
    "full": ("p.sales_rep, p.customer_id, p.code, p.name", "p.last_rep,", ",\n           arg_max(i.rep, i.occurred_at) AS last_rep"),
    "compact": ("p.sales_rep, p.customer_id", "", ""),
}


def overdue_contacts(db, as_of: date, frequency_by_class: Mapping[str, int] | None,
                     classes: pd.DataFrame, rep: str | None = None, compact: bool = False) -> pd.DataFrame:
    """Customers due or overdue for a contact on ``as_of``, grouped by responsible rep.

    ``classes``: DataFrame customer_id → abc (e.g. from ABC segmentation).
    ``frequency_by_class``: class → days between contacts; ``None`` uses
    :data:`DEFAULT_CONTACT_DAYS`. A per-customer override wins over the class default; a
    customer with neither is not scheduled. Never contacted: the interval runs from the day
    the customer entered the file (``created_at``), so a fresh import is not all overdue at once.
    Columns: sales_rep, customer_id, code, name, abc, every_days, last_contact, last_rep,
    due_date, days_overdue (0 = due today). Sorted by rep, most overdue first.
    ``rep`` restricts the list to one rep. ``compact=True`` leaves out code, name and last_rep
    (for 1,000,000 customers: fetch the names of the rows shown only).
    Raises ``ValueError`` for a non-positive interval.
    """
    frequency = dict(DEFAULT_CONTACT_DAYS if frequency_by_class is None else frequency_by_class)
    if any(int(days) < 1 for days in frequency.values()):
        raise ValueError(f"contact intervals must be at least 1 day: {frequency}")
    db.register("care_contact_classes", classes[["customer_id", "abc"]])
    try:
        columns, last_rep, last_rep_of = _OVERDUE_COLUMNS["compact" if compact else "full"]
        query = compose(_OVERDUE_SQL, columns=Fragment(columns), last_rep=Fragment(last_rep),
                        last_rep_of=Fragment(last_rep_of), plan_last_rep=Fragment("l.last_rep," if last_rep else ""),
                        scope_customers=access.of_rep(rep, "customers", alias="c"),
                        scope_interactions=access.of_rep(rep, "interactions", alias="i"),
                        as_of=as_of, classes=list(frequency), every_days=[int(days) for days in frequency.values()])
        return run(db, query).df()
    finally:
        db.unregister("care_contact_classes")


def set_contact_frequency(con, customer_id: int, every_days: int | None) -> None:
    """Store (or with ``None`` remove) a customer's own contact interval in days.

    One statement, so one transaction; call it through the store's write path. Raises
    ``ValueError`` if ``every_days`` is not a positive integer.
    """
    if every_days is None:
        con.execute("DELETE FROM contact_frequency WHERE customer_id = ?", [customer_id])
        return
    if int(every_days) != every_days or every_days < 1:
        raise ValueError(f"every_days must be a positive whole number, got {every_days!r}")
    con.execute(
        "INSERT OR REPLACE INTO contact_frequency (customer_id, every_days, updated_at) "
        "VALUES (?, ?, current_timestamp)", [customer_id, int(every_days)])


def set_contact_every(store: Store, actor: Actor, customer_id: int, every_days: int | None) -> None:
    """:func:`set_contact_frequency` for a user: write permission, own customers only for a rep,
    one transaction with an audit row (field ``contact_every_days``)."""
    actor.require_write()
    if get_customer(store, actor, customer_id) is None:
        raise PermissionDenied("err.customer_not_found")
    with store.transaction() as cur:
        old = cur.execute("SELECT every_days FROM contact_frequency WHERE customer_id = ?",
                          [int(customer_id)]).fetchone()
        set_contact_frequency(cur, int(customer_id), every_days)
        write_audit(cur, actor, "update", "customer", int(customer_id), "contact_every_days",
                    None if old is None else old[0], None if every_days is None else int(every_days))
