"""Row-level access: the one place that says who may see which rows and columns.

``RULES`` is the single table of visibility: for each table, the rows a rep may see (the
customers they own — ``customers.sales_rep`` — and what hangs off those customers), the columns
a viewer sees masked, and the tables hidden from a role. Everything else is derived from it:

- ``visible(actor, table, alias)`` — the SQL condition restricting ``table`` to what ``actor``
  may read, as a ``crm_core.sql.Fragment`` with the named list parameter ``$access_reps`` (the
  rep's codes, ``Actor.rep_scope``; ``TRUE`` for managers, analysts and admins). For queries on
  a system cursor (whole-population computations) whose result must then be narrowed to the user.
- ``of_rep(rep, table, alias)`` — the same rule for a rep chosen in a filter (a manager's
  "one rep's list", one code) or a rep's own codes: ``TRUE`` for ``None``.
- ``visible_customer_ids(db, actor)`` / ``narrow(frame, db, actor)`` — the rule applied to a
  frame computed over the whole population (ranks, fits, percentiles).
- ``apply_scope(cur, actor)`` — TEMP views that shadow the base tables for one cursor (DuckDB
  resolves the temp schema first), built from the same table: a cursor opened with
  ``Store.cursor(actor)`` sees only what the user may read, in crm_core or in a notebook, and
  writes through a view are refused, so writes use the store's transaction cursor after an
  explicit permission check.

The acting rep's codes never go into SQL text: a ``$access_reps`` list parameter in fragments, a
temp table of codes (filled with a parameter) in the views.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from crm_core.sql import FALSE, TRUE, Fragment, compose, quote_identifier, run
from crm_core.users import Actor

REP_PARAM = "access_reps"

# Building blocks of the rules. {a}: the alias prefix of the table itself ("c." or ""), {reps}: the
# rep's codes as a one-column subquery (of the list parameter, or of the temp table in a view),
# {customers}/{promises}: base tables.
_OWN_CUSTOMERS = "(SELECT customer_id FROM {customers} WHERE sales_rep IN {reps})"
_OWN_PROMISES = ("(SELECT promise_id FROM {promises} WHERE owner IN {reps} OR customer_id IN "
                 + _OWN_CUSTOMERS + ")")
_OF_CUSTOMER = "{a}customer_id IN " + _OWN_CUSTOMERS
_OF_PROMISE = "{a}promise_id IN " + _OWN_PROMISES


@dataclass(frozen=True)
class Rule:
    """What one table shows: ``rep_rows`` the rows a rep sees (SQL template; None = all rows),
    ``masked`` the columns a viewer sees masked, ``hidden_from`` the roles that see no row."""

    rep_rows: str | None = None
    masked: tuple[str, ...] = ()
    hidden_from: tuple[str, ...] = ()


# The one table of visibility. Tables added by later migrations join here; a table missing from
# the file (an older schema) is skipped by the views.
RULES: dict[str, Rule] = {
    # The rule itself: a rep sees the customers whose sales_rep is one of their codes.
    "customers": Rule(rep_rows="{a}sales_rep IN {reps}", masked=("phone", "phone_typed", "email", "bank_account")),
    "transactions": Rule(rep_rows=_OF_CUSTOMER),
    "interactions": Rule(rep_rows=_OF_CUSTOMER),
    "key_dates": Rule(rep_rows=_OF_CUSTOMER),
    "contact_frequency": Rule(rep_rows=_OF_CUSTOMER),
    "survey_responses": Rule(rep_rows=_OF_CUSTOMER),
    "churn_events": Rule(rep_rows=_OF_CUSTOMER),
    "complaints": Rule(rep_rows=_OF_CUSTOMER),
    "segment_class_changes": Rule(rep_rows=_OF_CUSTOMER),
    # The promises a rep made, and those anyone made to a customer the rep owns (a rep must see
    # what colleagues promised their customers).
    "promises": Rule(rep_rows="({a}owner IN {reps} OR " + _OF_CUSTOMER + ")"),
    "promise_events": Rule(rep_rows=_OF_PROMISE),
    "remedies": Rule(rep_rows=_OF_PROMISE),
    "audit_log": Rule(hidden_from=("rep", "viewer")),
    "imports": Rule(hidden_from=("rep",)),
}
SCOPED_ROLES = ("rep", "viewer")

# Kept for callers that read the masked columns (the pages' hints).
MASKED_COLUMNS = {table: rule.masked for table, rule in RULES.items() if rule.masked}


def _rule(table: str) -> Rule:
    try:
        return RULES[table]
    except KeyError:
        raise ValueError(f"no access rule for table {table!r}") from None


def _prefix(alias: str | None) -> str:
    return "" if not alias else f"{alias}."


def _codes(rep: str | Sequence[str]) -> list[str]:
    return [rep] if isinstance(rep, str) else list(rep)


def of_rep(rep: str | Sequence[str] | None, table: str, alias: str | None = None) -> Fragment:
    """The rows of ``table`` that belong to the customers of ``rep`` — one sales-rep code or
    several (``Actor.rep_scope``) — by ``RULES``; ``TRUE`` for None. A filter a manager chooses
    ("one rep's list") and a rep's own scope are the same rule."""
    if rep is None:
        return TRUE
    rule = _rule(table)
    if rule.rep_rows is None:
        return TRUE
    text = rule.rep_rows.format(a=_prefix(alias), reps=f"(SELECT unnest(${REP_PARAM}))", customers="customers",
                                promises="promises")
    return Fragment(text, {REP_PARAM: _codes(rep)})


def visible(actor: Actor | None, table: str, alias: str | None = None) -> Fragment:
    """The condition restricting ``table`` (as ``alias``) to the rows ``actor`` may read:
    ``TRUE`` for managers, analysts and admins (and for ``None``, the system)."""
    rule = _rule(table)
    if actor is None:
        return TRUE
    if actor.role in rule.hidden_from:
        return FALSE
    return of_rep(actor.rep_scope, table, alias)


def visible_customer_ids(db: duckdb.DuckDBPyConnection, actor: Actor | None) -> np.ndarray | None:
    """Ids of the customers ``actor`` may see, or None when that is everyone."""
    where = visible(actor, "customers", alias="c")
    if where.sql == "TRUE":
        return None
    frame = run(db, compose("SELECT c.customer_id FROM customers c WHERE {where}", where=where)).df()
    return frame["customer_id"].to_numpy()


def narrow(frame: pd.DataFrame, db: duckdb.DuckDBPyConnection, actor: Actor | None,
           column: str = "customer_id") -> pd.DataFrame:
    """The rows of ``frame`` (computed over the whole population on a system cursor) about
    customers ``actor`` may see; ``frame`` itself when that is everyone."""
    ids = visible_customer_ids(db, actor)
    return frame if ids is None else frame[frame[column].isin(ids)].reset_index(drop=True)


def narrow_customers_frame(frame: pd.DataFrame, actor: Actor | None, owner: str = "sales_rep") -> pd.DataFrame:
    """The rows of a frame of customers that ``actor`` may see, for a frame cached without a
    database at hand (the fitted churn model): the ``customers`` rule on its ``owner`` column (a
    copy of ``customers.sales_rep``). ``frame`` itself when that is everyone; the index is kept."""
    if actor is None or _rule("customers").rep_rows is None or actor.rep_scope is None:
        return frame
    return frame[frame[owner].isin(actor.rep_scope)]


# -- the scoped cursor's views ---------------------------------------------------------------

def _mask_expression(column: str) -> str:
    quoted = quote_identifier(column)
    kept = f"repeat('•', greatest(length({quoted}) - 4, 0)) || right({quoted}, 4)"
    return f"CASE WHEN {quoted} IS NULL THEN NULL ELSE {kept} END AS {quoted}"


def _select_list(masked: list[str]) -> str:
    """Every column, the ``masked`` ones replaced by their masks (no catalog read per table)."""
    if not masked:
        return "*"
    return "* REPLACE (" + ", ".join(_mask_expression(c) for c in masked) + ")"


def _existing_tables(cur: duckdb.DuckDBPyConnection, db: str) -> set[str]:
    rows = cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = 'main'",
                       {"db": db}).fetchall()
    return {name for (name,) in rows}


def _present_columns(cur: duckdb.DuckDBPyConnection, db: str, table: str, wanted: tuple[str, ...]) -> list[str]:
    rows = cur.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = $db AND schema_name = 'main'"
                       " AND table_name = $t ORDER BY column_index", {"db": db, "t": table}).fetchall()
    return [name for (name,) in rows if name in wanted]


def _view_condition(rule: Rule, role: str, db: str) -> str | None:
    """The WHERE of ``role``'s view of a table (None: no view needed for the rows)."""
    if role in rule.hidden_from:
        return "FALSE"
    if role == "rep" and rule.rep_rows is not None:
        base = quote_identifier(db) + ".main."
        return rule.rep_rows.format(a="", reps="(SELECT rep FROM temp.access_scope)",
                                    customers=base + "customers", promises=base + "promises")
    return None


def apply_scope(cur: duckdb.DuckDBPyConnection, actor: Actor) -> None:
    """Restrict what ``cur`` can see to what ``actor`` may read (``RULES``). No-op for managers,
    analysts, admins."""
    if actor.role not in SCOPED_ROLES:
        return
    (db,) = cur.execute("SELECT current_database()").fetchone()
    tables = _existing_tables(cur, db)
    cur.execute("CREATE OR REPLACE TEMP TABLE access_scope (rep VARCHAR)")
    cur.execute("INSERT INTO temp.access_scope SELECT unnest($reps)", {"reps": list(actor.rep_scope or ())})
    views = []
    for table in sorted(tables & set(RULES)):
        rule = RULES[table]
        masked = _present_columns(cur, db, table, rule.masked) if actor.role == "viewer" and rule.masked else []
        where = _view_condition(rule, actor.role, db)
        if where is None and not masked:
            continue
        select = _select_list(masked)
        source = f"{quote_identifier(db)}.main.{quote_identifier(table)}"
        views.append(f"CREATE OR REPLACE TEMP VIEW {quote_identifier(table)} AS SELECT {select} FROM {source} "
                     f"WHERE {where or 'TRUE'}")
    if views:  # identifiers from the catalog and the fixed RULES, never from user text
        cur.execute(";\n".join(views))
