"""Churn events (客户流失记录): who left, when, why, and whether the reason was within our control.

Stored in ``churn_events`` (migration 006). Entered one at a time on the Churn page, imported
in bulk (``crm_core.churn.import_kind``) or generated for the demo. A rep reads and records only
events of the customers she owns (``Actor.rep_scope``). Every write is one serialised transaction
through ``Store.transaction`` and leaves an audit row.
"""
from __future__ import annotations

from contextlib import closing
from datetime import date

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from crm_core import access
from crm_core.audit import write_audit
from crm_core.churn.reasons import CONTROLLABLE, REASONS, ReasonPareto, pareto_of_counts
from crm_core.sql import compose, run
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

# Events dated $start..$end (both included; NULL leaves that end open).
_DATED = ("(CAST($start AS DATE) IS NULL OR e.churned_on >= $start)"
          " AND (CAST($end AS DATE) IS NULL OR e.churned_on <= $end)")
# The stored judgement, or the reason's category when none was stored (an import without the column).
CONTROLLABLE_SQL = ("coalesce(e.controllable, e.reason IN ("
                    + ", ".join(f"'{r}'" for r, c in REASONS.items() if c == CONTROLLABLE) + "))")
# The events listed and counted: those of a customer on file (a rep's cursor: of her customers).
_LISTED = "churn_events e JOIN customers c USING (customer_id)"
EVENT_COLUMNS = ["event_id", "customer_id", "code", "name", "sales_rep", "churned_on", "reason",
                 "controllable", "note"]


class ChurnEventIn(BaseModel):
    """One lost customer and why (docs/domain.md §5). ``controllable`` defaults to the reason's category."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    customer_id: int
    churned_on: date
    reason: str
    controllable: bool | None = None
    note: str | None = Field(default=None, max_length=500)

    @field_validator("reason")
    @classmethod
    def _known_reason(cls, value: str) -> str:
        if value not in REASONS:
            raise PydanticCustomError("err.choice", "unknown reason", {"expected": ", ".join(REASONS)})
        return value

    @field_validator("churned_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise PydanticCustomError("err.date_future", "date in the future", {})
        return value

    @model_validator(mode="after")
    def _default_controllable(self) -> ChurnEventIn:
        if self.controllable is None:
            self.controllable = REASONS[self.reason] == CONTROLLABLE
        return self


def _require_visible(cur, actor: Actor, customer_id: int) -> None:
    """On the write transaction's (system) cursor: refuse a customer ``actor`` may not see."""
    if run(cur, compose("SELECT 1 FROM customers c WHERE c.customer_id = $id AND {visible}",
                        visible=access.visible(actor, "customers", alias="c"), id=int(customer_id))).fetchone() is None:
        raise PermissionDenied("err.customer_not_found")


def _audit(cur, actor: Actor, action: str, event_id: int, customer_id: int, reason: str | None) -> None:
    write_audit(cur, actor, action, "churn_event", int(event_id), "customer_id", str(customer_id), reason)


def record_churn_event(store: Store, actor: Actor, event: ChurnEventIn) -> int:
    """Save one churn event; returns its id. Raises PermissionDenied for a viewer or an invisible customer."""
    actor.require_write()
    with store.transaction() as cur:
        _require_visible(cur, actor, event.customer_id)
        (event_id,) = cur.execute(
            "INSERT INTO churn_events (customer_id, churned_on, reason, controllable, note, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING event_id",
            [event.customer_id, event.churned_on, event.reason, event.controllable, event.note, actor.name],
        ).fetchone()
        _audit(cur, actor, "create", event_id, event.customer_id, event.reason)
    return int(event_id)


def churn_event_rows(store: Store, actor: Actor, start: date | None = None, end: date | None = None,
                     limit: int = 1000, offset: int = 0) -> pd.DataFrame:
    """One page of the churn events dated ``start``..``end`` (inclusive, None = open), newest first,
    with their customer's code, name and rep (columns ``EVENT_COLUMNS``). The page's events are
    chosen first (joined to the customers' ids only) and only their customers' names are read: at
    ten million customers, joining every name before keeping 50 rows read them all."""
    with closing(store.cursor(actor)) as db:  # a rep's cursor holds only her customers' events
        return db.execute(
            f"""WITH page AS (
                  SELECT e.event_id, e.customer_id, e.churned_on, e.reason, {CONTROLLABLE_SQL} AS controllable, e.note
                  FROM {_LISTED} WHERE {_DATED} ORDER BY e.churned_on DESC, e.event_id DESC
                  LIMIT $limit OFFSET $offset)
                SELECT p.event_id, p.customer_id, c.code, c.name, c.sales_rep, p.churned_on, p.reason,
                       p.controllable, p.note
                FROM page p JOIN customers c USING (customer_id) ORDER BY p.churned_on DESC, p.event_id DESC""",
            {"start": start, "end": end, "limit": int(limit), "offset": int(offset)}).df()


def list_churn_events(store: Store, actor: Actor, start: date | None = None, end: date | None = None,
                      limit: int = 1000, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """``churn_event_rows`` and the number of events in the window (all pages)."""
    with closing(store.cursor(actor)) as db:
        (total,) = db.execute(f"SELECT count(*) FROM {_LISTED} WHERE {_DATED}", {"start": start, "end": end}).fetchone()
    return churn_event_rows(store, actor, start, end, limit, offset), int(total)


def customer_churn_events(store: Store, actor: Actor, customer_id: int) -> pd.DataFrame:
    """event_id, churned_on, reason, controllable, note of one customer, newest first (empty if not visible)."""
    with closing(store.cursor(actor)) as db:
        return db.execute(
            f"SELECT e.event_id, e.churned_on, e.reason, {CONTROLLABLE_SQL} AS controllable, e.note FROM churn_events e"
            " JOIN customers c USING (customer_id) WHERE e.customer_id = $id"
            " ORDER BY e.churned_on DESC, e.event_id DESC", {"id": int(customer_id)}).df()


def churn_event_pareto(store: Store, actor: Actor, start: date | None = None,
                       end: date | None = None) -> ReasonPareto:
    """:func:`reason_pareto` of the stored events dated ``start``..``end``, counted in DuckDB;
    ``total`` is also the number of events ``churn_event_rows`` lists for that window.

    ``controllable_share`` uses each event's stored ``controllable`` flag (a manager may have judged
    a case differently from the taxonomy), so it can differ from the category column of the table.
    """
    with closing(store.cursor(actor)) as db:
        counts = db.execute(
            f"SELECT e.reason, count(*) AS n, count(*) FILTER (WHERE {CONTROLLABLE_SQL}) AS controllable"
            f" FROM {_LISTED} WHERE {_DATED} GROUP BY e.reason", {"start": start, "end": end}).fetchall()
    pareto = pareto_of_counts({reason: n for reason, n, _ in counts})
    share = sum(c for _, _, c in counts) / pareto.total if pareto.total else None
    return ReasonPareto(table=pareto.table, total=pareto.total, controllable_share=share)
