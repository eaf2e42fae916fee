"""Row-level access, enforced below every query rather than by hiding pages.

A cursor opened for a rep or a viewer gets TEMP views that shadow the base tables for that cursor
only (DuckDB resolves the temp schema first): a rep's cursor sees only the customers they own and
what hangs off them; a viewer's cursor sees phone numbers, emails and bank accounts masked. Any SQL
run on such a cursor — in crm_core or a notebook — sees the same restricted data, and writes
through a view are refused by DuckDB, so writes use the store's own transaction cursor after an
explicit permission check.

The acting rep's name goes into a one-row temp table with a ``?`` parameter, never into SQL text.
"""
from __future__ import annotations

import duckdb

from crm_core.users import Actor

_REP = "(SELECT rep FROM temp.access_scope)"
_OWN_CUSTOMERS = f'(SELECT customer_id FROM "{{db}}".main.customers WHERE sales_rep = {_REP})'

_OWN_PROMISES = (f'(SELECT promise_id FROM "{{db}}".main.promises '
                 f"WHERE owner = {_REP} OR customer_id IN {_OWN_CUSTOMERS})")

# table -> the rows a rep may see. Tables added by later migrations join here; a table missing from
# the file (an older schema) is simply skipped.
REP_SCOPE = {
    "customers": f"sales_rep = {_REP}",
    "transactions": f"customer_id IN {_OWN_CUSTOMERS}",
    "interactions": f"customer_id IN {_OWN_CUSTOMERS}",
    "key_dates": f"customer_id IN {_OWN_CUSTOMERS}",
    "contact_frequency": f"customer_id IN {_OWN_CUSTOMERS}",
    "survey_responses": f"customer_id IN {_OWN_CUSTOMERS}",
    "churn_events": f"customer_id IN {_OWN_CUSTOMERS}",
    "complaints": f"customer_id IN {_OWN_CUSTOMERS}",
    # The promises a rep made, and those anyone made to a customer the rep owns (the same rule as
    # crm_core.promises.ledger.scope_sql: a rep must see what colleagues promised their customers).
    "promises": f"owner = {_REP} OR customer_id IN {_OWN_CUSTOMERS}",
    "promise_events": f"promise_id IN {_OWN_PROMISES}",
    "remedies": f"promise_id IN {_OWN_PROMISES}",
    "audit_log": "FALSE",
    "imports": "FALSE",
}
# Columns a viewer sees masked: the last four characters kept, enough to recognise, not to use.
MASKED_COLUMNS = {"customers": ("phone", "email", "bank_account")}
HIDDEN_FROM_VIEWERS = ("audit_log",)


def _mask_expression(column: str) -> str:
    quoted = f'"{column}"'
    kept = f"repeat('•', greatest(length({quoted}) - 4, 0)) || right({quoted}, 4)"
    return f"CASE WHEN {quoted} IS NULL THEN NULL ELSE {kept} END AS {quoted}"


def _columns(cur: duckdb.DuckDBPyConnection, db: str, table: str) -> list[str]:
    rows = cur.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main'"
                       " AND table_name = ? ORDER BY column_index", [db, table]).fetchall()
    return [name for (name,) in rows]


def _existing_tables(cur: duckdb.DuckDBPyConnection, db: str) -> set[str]:
    rows = cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'",
                       [db]).fetchall()
    return {name for (name,) in rows}


def apply_scope(cur: duckdb.DuckDBPyConnection, actor: Actor) -> None:
    """Restrict what ``cur`` can see to what ``actor`` may read. No-op for managers, analysts, admins."""
    if actor.role not in ("rep", "viewer"):
        return
    (db,) = cur.execute("SELECT current_database()").fetchone()
    tables = _existing_tables(cur, db)
    cur.execute("CREATE OR REPLACE TEMP TABLE access_scope (rep VARCHAR)")
    cur.execute("INSERT INTO temp.access_scope VALUES (?)", [actor.name])
    for table in sorted(tables):
        columns = _columns(cur, db, table)
        masked = MASKED_COLUMNS.get(table, ()) if actor.role == "viewer" else ()
        select = ", ".join(_mask_expression(c) if c in masked else f'"{c}"' for c in columns)
        if actor.role == "rep" and table in REP_SCOPE:
            where = REP_SCOPE[table].format(db=db)
        elif actor.role == "viewer" and table in HIDDEN_FROM_VIEWERS:
            where = "FALSE"
        elif masked:
            where = "TRUE"
        else:
            continue
        # Identifiers come from the catalog and the fixed table above, never from user text.
        cur.execute(f'CREATE OR REPLACE TEMP VIEW "{table}" AS SELECT {select} FROM "{db}".main."{table}" '
                    f"WHERE {where}")
