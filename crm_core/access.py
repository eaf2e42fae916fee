"""Row-level access: the one place that says who may see which rows and columns.

``RULES`` is the single table of visibility, with a row for every table of the schema: the rows
reps and viewers see at most (``scoped_rows``), the rows a rep may see (the customers they own —
``customers.sales_rep`` in ``Actor.rep_scope`` — and what hangs off those customers), the columns
a viewer sees masked (the contact details ``CONTACT_DETAILS``, in the customers table and wherever
their values are copied: the audit log's old and new values, rejected import cells, undo copies),
and the tables hidden from a role. Everything else is derived from it:

- ``visible(actor, table, alias)`` — the SQL condition restricting ``table`` to what ``actor``
  may read, as a ``crm_core.sql.Fragment`` with the named list parameter ``$access_reps`` (the
  rep's codes, ``Actor.rep_scope``; ``TRUE`` for managers, analysts and admins). For queries on
  a system cursor (whole-population computations) whose result must then be narrowed to the user.
  It restricts rows only: masked columns come from the scoped cursor.
- ``of_rep(rep, table, alias)`` — the same rule for a rep chosen in a filter (a manager's
  "one rep's list", one code) or a rep's own codes: ``TRUE`` for ``None``.
- ``masked_columns(actor, table)`` — the columns ``actor`` sees masked.
- ``visible_customer_ids(db, actor)`` / ``narrow(frame, db, actor)`` — the rule applied to a
  frame computed over the whole population (ranks, fits, percentiles).
- ``apply_scope(cur, actor)`` — TEMP views that shadow the base tables for one cursor (DuckDB
  resolves the temp schema first), built from the same table, for every table of the file (one
  without a rule is hidden from reps and viewers): a cursor opened with ``Store.cursor(actor)``
  answers the app's queries with only what the user may read, and writes through a view are
  refused, so writes use the store's transaction cursor after an explicit permission check.
- ``isolated_reader(store, actor)`` — a separate DuckDB database holding a copy of what
  ``actor`` may read, with no way out of it: for SQL nobody reviewed.

What the scoped cursor does NOT protect against. The views are a guard for the app's own queries
(code that forgets the rule still gets the user's rows), not a sandbox for SQL written by someone
else. On a cursor of ``Store.cursor(actor)``, SQL can: read and change the base tables by their
catalog name (``"<file name>".main.customers`` — every row, unmasked); drop or replace the temp
views; read and write files (``read_csv``, ``COPY … TO``), attach other databases and change
settings, because those are properties of the whole DuckDB instance, shared with the app's
imports, exports and backups, and DuckDB has no per-connection switch for them; and
``cursor.cursor()`` opens an unscoped connection. Python code holding a ``Store`` is trusted in
any case (``store.system_cursor()`` is one call away). So SQL that someone other than this code
wrote runs on ``isolated_reader(store, actor)``, never on a scoped cursor (tests/test_access.py
checks both lists).

The acting rep's codes never go into SQL text: a ``$access_reps`` list parameter in fragments, a
temp table of codes (filled with a parameter) in the views.
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from crm_core.sql import FALSE, TRUE, Fragment, compose, quote_identifier, run
from crm_core.users import Actor

if TYPE_CHECKING:  # crm_core.store imports this module (apply_scope)
    from crm_core.store import Store

REP_PARAM = "access_reps"
SCOPED_ROLES = ("rep", "viewer")
MASKED_FOR = ("viewer",)  # the roles that see the masked columns masked
# The customers' contact details: masked in the customers table, and wherever their values are
# copied (an edit's old and new value in the audit log, a rejected cell of an import, the copy of
# a customer an import keeps for undo).
CONTACT_DETAILS = ("phone", "phone_typed", "email", "bank_account")

# Building blocks of the rules. {a}: the alias prefix of the table itself ("c." or ""), {reps}: the
# rep's codes as a one-column subquery (of the list parameter, or of the temp table in a view),
# {customers}/{promises}: base tables.
_OWN_CUSTOMERS = "(SELECT customer_id FROM {customers} WHERE sales_rep IN {reps})"
_OWN_PROMISES = ("(SELECT promise_id FROM {promises} WHERE owner IN {reps} OR customer_id IN "
                 + _OWN_CUSTOMERS + ")")
_OF_CUSTOMER = "{a}customer_id IN " + _OWN_CUSTOMERS
_OF_PROMISE = "{a}promise_id IN " + _OWN_PROMISES
# A row whose ``field`` names a contact detail (the names are the fixed tuple above).
_OF_CONTACT_FIELD = "{a}field IN (" + ", ".join(f"'{name}'" for name in CONTACT_DETAILS) + ")"


@dataclass(frozen=True)
class Rule:
    """What one table shows (SQL templates over the table's own columns):

    - ``scoped_rows`` — the rows reps and viewers see at most (None: every row);
    - ``rep_rows`` — of those, the rows a rep sees (None: all of them);
    - ``masked`` — the columns shown masked to the roles in ``MASKED_FOR``, on the rows where
      ``masked_where`` holds (None: on every row);
    - ``hidden_from`` — the roles that see no row.
    """

    rep_rows: str | None = None
    masked: tuple[str, ...] = ()
    hidden_from: tuple[str, ...] = ()
    scoped_rows: str | None = None
    masked_where: str | None = None


_IMPORT_DATA = Rule(hidden_from=("rep",))  # files, their rows and mappings: reps do not import
_PRIVATE = Rule(hidden_from=SCOPED_ROLES)  # sign-in data, read by the system only
_WHOLE_STORE_FIGURES = Rule(hidden_from=("rep",))  # counts over every customer: not a rep's to read

# The one table of visibility, with a row for every table of the schema (tests/test_access.py
# checks): a scoped cursor hides a table that has no rule, so a table added by a migration stays
# unreadable by reps and viewers until its rule is written here. A rule whose table is missing from
# the file (an older schema) is skipped.
RULES: dict[str, Rule] = {
    # The rule itself: a rep sees the customers whose sales_rep is one of their codes.
    "customers": Rule(rep_rows="{a}sales_rep IN {reps}", masked=CONTACT_DETAILS),
    "transactions": Rule(rep_rows=_OF_CUSTOMER),
    "customer_summary": Rule(rep_rows=_OF_CUSTOMER),  # one row per customer of transactions (crm_core.summaries)
    "interactions": Rule(rep_rows=_OF_CUSTOMER),
    "key_dates": Rule(rep_rows=_OF_CUSTOMER),
    "contact_frequency": Rule(rep_rows=_OF_CUSTOMER),
    "survey_responses": Rule(rep_rows=_OF_CUSTOMER),
    "survey_invitations": Rule(rep_rows=_OF_CUSTOMER),  # a wave's personal links: a rep sees their customers'
    "churn_events": Rule(rep_rows=_OF_CUSTOMER),
    "complaints": Rule(rep_rows=_OF_CUSTOMER),
    "segment_class_changes": Rule(rep_rows=_OF_CUSTOMER),
    # Models fitted in the background (crm_core.model_fits): per-customer results go with the
    # customer; a fit's header (parameters, back-test) and the requests are company-wide.
    "fit_purchase_model": Rule(rep_rows=_OF_CUSTOMER),
    "fit_purchase_rhythm": Rule(rep_rows=_OF_CUSTOMER),
    "fit_replenishment": Rule(rep_rows=_OF_CUSTOMER),
    "fit_churn_activity": Rule(rep_rows=_OF_CUSTOMER),
    "fit_overview": Rule(rep_rows=_OF_CUSTOMER),  # the Home page's figures per customer (crm_core.overview)
    "fit_segments": Rule(rep_rows=_OF_CUSTOMER),  # the Segmentation page's per customer (crm_core.segmentation.fits)
    "fit_segment_spend": Rule(rep_rows=_OF_CUSTOMER),  # the Segmentation page's totals and ranks (the same)
    "fit_care_contacts": Rule(rep_rows=_OF_CUSTOMER),  # each customer's last contact (crm_core.care.contacts)
    "fit_value_scores": Rule(rep_rows=_OF_CUSTOMER),  # the big-customer tab's value scores (segmentation.fits)
    "fit_sat_spend": Rule(rep_rows=_OF_CUSTOMER),  # each customer's 12-month count and spend (crm_core.satisfaction.fits)
    "fit_sat_respondents": Rule(rep_rows=_OF_CUSTOMER),  # each respondent's quadrant row (the same)
    "fit_segment_effort": Rule(rep_rows=_OF_CUSTOMER),  # each customer's interactions and cost (segmentation.fits)
    # Whole-store figures kept for the users who see every customer (the pages read them for
    # those only): a rep, whose figures are counted over their own customers, reads none.
    "fit_sat_nonresponse": _WHOLE_STORE_FIGURES,
    "fit_need_summary": _WHOLE_STORE_FIGURES,
    "fit_segment_overview": _WHOLE_STORE_FIGURES,
    "fit_segment_movement": _WHOLE_STORE_FIGURES,
    "fit_rfm_cells": _WHOLE_STORE_FIGURES,
    # The performance tab's counts and rows of everyone's closed promises (crm_core.promises.fits):
    # company-wide, read for users who see every promise; a rep's are computed live.
    "fit_promise_outcomes": _WHOLE_STORE_FIGURES,
    "fit_promise_remedies": _WHOLE_STORE_FIGURES,
    "fit_promise_overruns": _WHOLE_STORE_FIGURES,
    "fit_promise_clocks": _WHOLE_STORE_FIGURES,
    # The promises a rep made, and those anyone made to a customer the rep owns (a rep must see
    # what colleagues promised their customers).
    "promises": Rule(rep_rows="({a}owner IN {reps} OR " + _OF_CUSTOMER + ")"),
    "promise_events": Rule(rep_rows=_OF_PROMISE),
    "remedies": Rule(rep_rows=_OF_PROMISE),
    # A customer's change history goes with the customer (the 360 view's audit tab): reps and
    # viewers see the history of the customers they see, contact details masked for viewers as in
    # the customers table; the rest of the log (sign-ins, exports, imports) is for the system and
    # the audit readers (crm_core.audit).
    "audit_log": Rule(scoped_rows="{a}entity = 'customer'",
                      rep_rows="({a}entity = 'customer' AND {a}entity_id IN " + _OWN_CUSTOMERS + ")",
                      masked=("old_value", "new_value"), masked_where=_OF_CONTACT_FIELD),
    "imports": _IMPORT_DATA,
    "import_rejects": Rule(hidden_from=("rep",), masked=("value",), masked_where=_OF_CONTACT_FIELD),
    "import_customer_backups": Rule(hidden_from=("rep",), masked=CONTACT_DETAILS),
    "import_mappings": _IMPORT_DATA,
    "promise_import_rows": _IMPORT_DATA,
    "promise_event_import_rows": _IMPORT_DATA,
    "accounts": _PRIVATE,
    "sessions": _PRIVATE,
    "sign_in_failures": _PRIVATE,
    "saved_views": _PRIVATE,  # each user's bookmarks: crm_core.saved_views reads the owner's own
    "survey_link_secret": _PRIVATE,  # the key that signs survey links
    "alert_channels": _PRIVATE,  # alert channels hold secrets; contacts and the outbox: crm_core.alerts
    "alert_contacts": _PRIVATE,
    "alert_outbox": _PRIVATE,
    "alert_settings": _PRIVATE,
    "scheduler_jobs": _PRIVATE,  # the scheduled jobs' state: the Admin page (admins) and the runner
    "demo_loads": _PRIVATE,  # which customer ids a demo load made: the banner counts them, system only
    # Reference data and company-wide figures, the same for everyone.
    "survey_waves": Rule(),
    "mystery_visits": Rule(),
    "holiday_notices": Rule(),
    "promise_policies": Rule(),
    "segment_snapshots": Rule(),
    "schema_version": Rule(),
    "data_changes": Rule(),  # the data version log (018): kinds and times, no customer data
    "summary_state": Rule(),  # what the summaries were computed on: counts, no customer data
    "model_fits": Rule(),
    "model_fit_requests": Rule(),
}

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
    scoped = TRUE
    if actor.role in SCOPED_ROLES and rule.scoped_rows is not None:
        scoped = Fragment(rule.scoped_rows.format(a=_prefix(alias)))
    return scoped & of_rep(actor.rep_scope, table, alias)


def masked_columns(actor: Actor | None, table: str) -> tuple[str, ...]:
    """The columns of ``table`` that ``actor`` sees masked (on the rows ``Rule.masked_where``
    picks): for a viewer the contact details wherever they are kept; none for anyone else."""
    if actor is None or actor.role not in MASKED_FOR:
        return ()
    return _rule(table).masked


def unbroken_customer_ids(db: duckdb.DuckDBPyConnection) -> tuple[int, int, int] | None:
    """(least id, greatest id, customers) when every id between them is a customer's (ids are the
    primary key), else None: then a row is of a customer on file exactly when its id is in range,
    and whoever sees everyone needs no join to the customers."""
    lo, hi, n = db.execute("SELECT min(customer_id), max(customer_id), count(*) FROM customers").fetchone()
    return (int(lo), int(hi), int(n)) if n and hi - lo + 1 == n else None


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

def mask_expression(column: str, where: str | None) -> str:
    """``column`` masked (all but its last four characters as dots) on the rows where ``where``
    holds (every row for None); NULL stays NULL."""
    quoted = quote_identifier(column)
    kept = f"repeat('•', greatest(length({quoted}) - 4, 0)) || right({quoted}, 4)"
    condition = f"{quoted} IS NOT NULL" + (f" AND coalesce({where}, FALSE)" if where else "")
    return f"CASE WHEN {condition} THEN {kept} ELSE {quoted} END AS {quoted}"


def _select_list(masked: list[str], where: str | None) -> str:
    """Every column, the ``masked`` ones replaced by their masks (no catalog read per table)."""
    if not masked:
        return "*"
    return "* REPLACE (" + ", ".join(mask_expression(c, where) for c in masked) + ")"


def _existing_tables(cur: duckdb.DuckDBPyConnection, db: str) -> set[str]:
    rows = cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = 'main'",
                       {"db": db}).fetchall()
    return {name for (name,) in rows}


def _present_masked_columns(cur: duckdb.DuckDBPyConnection, db: str, actor: Actor) -> dict[str, list[str]]:
    """For each table, the columns ``actor`` sees masked that the file has (one catalog read)."""
    wanted = {table: masked_columns(actor, table) for table in RULES}
    if not any(wanted.values()):
        return {}
    rows = cur.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = $db"
                       " AND schema_name = 'main' AND table_name IN (SELECT unnest($tables))"
                       " ORDER BY table_name, column_index",
                       {"db": db, "tables": [t for t, columns in wanted.items() if columns]}).fetchall()
    present: dict[str, list[str]] = {}
    for table, column in rows:
        if column in wanted[table]:
            present.setdefault(table, []).append(column)
    return present


_NO_RULE = Rule(hidden_from=SCOPED_ROLES)  # what a scoped cursor does with a table RULES does not know


def _view_condition(rule: Rule, role: str, db: str) -> str | None:
    """The WHERE of ``role``'s view of a table (None: no view needed for the rows)."""
    if role in rule.hidden_from:
        return "FALSE"
    parts = [rule.scoped_rows.format(a="")] if rule.scoped_rows is not None else []
    if role == "rep" and rule.rep_rows is not None:
        base = quote_identifier(db) + ".main."
        parts.append(rule.rep_rows.format(a="", reps="(SELECT rep FROM temp.access_scope)",
                                          customers=base + "customers", promises=base + "promises"))
    return " AND ".join(f"({part})" for part in parts) or None


def apply_scope(cur: duckdb.DuckDBPyConnection, actor: Actor) -> None:
    """Restrict what ``cur`` can see to what ``actor`` may read (``RULES``). No-op for managers,
    analysts, admins. See the module docstring for what this does not protect against."""
    if actor.role not in SCOPED_ROLES:
        return
    (db,) = cur.execute("SELECT current_database()").fetchone()
    cur.execute("CREATE OR REPLACE TEMP TABLE access_scope (rep VARCHAR)")
    cur.execute("INSERT INTO temp.access_scope SELECT unnest($reps)", {"reps": list(actor.rep_scope or ())})
    masked_in = _present_masked_columns(cur, db, actor)
    views = []
    for table in sorted(_existing_tables(cur, db)):
        rule = RULES.get(table, _NO_RULE)
        masked = masked_in.get(table, [])
        where = _view_condition(rule, actor.role, db)
        if where is None and not masked:
            continue
        select = _select_list(masked, rule.masked_where.format(a="") if rule.masked_where else None)
        source = f"{quote_identifier(db)}.main.{quote_identifier(table)}"
        views.append(f"CREATE OR REPLACE TEMP VIEW {quote_identifier(table)} AS SELECT {select} FROM {source} "
                     f"WHERE {where or 'TRUE'}")
    if views:  # identifiers from the catalog and the fixed RULES, never from user text
        cur.execute(";\n".join(views))


# -- the isolated reader ----------------------------------------------------------------------

# A database of its own that cannot reach anything outside itself: no files (read_csv, COPY,
# ATTACH, EXPORT, extension installs), no Python variables by name; the configuration is locked
# once the copies are in, so SQL cannot turn any of it back on.
_ISOLATED_CONFIG = {"enable_external_access": False, "python_enable_replacements": False,
                    "autoinstall_known_extensions": False, "autoload_known_extensions": False}


def isolated_reader(store: Store, actor: Actor) -> duckdb.DuckDBPyConnection:
    """A connection to a separate in-memory DuckDB database holding a copy of exactly what
    ``actor`` may read, for SQL one did not write (a notebook user's, an analyst's) — run it here,
    not on ``Store.cursor(actor)``.

    The copy is read through ``actor``'s scoped cursor (``apply_scope``: the same ``RULES``), one
    table per readable table under its own name: a rep's rows only, a viewer's contact details
    already masked; tables hidden from the role are absent. The database is cut off from the
    store (another DuckDB instance: no catalog, alias or file of the store's is known to it), from
    files and from other databases (``enable_external_access = false``), from the caller's Python
    variables (``python_enable_replacements = false``), and its configuration is locked
    (``lock_configuration = true``). Writes are possible but change only this private copy, which
    is gone when the connection closes. It is a snapshot: later writes to the store are not in it.

    Cost: the actor's rows are copied once — at 100,000 customers 0.23 s and ~30 MB for a rep with
    a twelfth of them, 0.84 s and ~270 MB for a viewer, who sees every row (2 cores, measured
    2026-12) — for ad-hoc SQL, not for the pages.
    """
    con = duckdb.connect(":memory:", config=_ISOLATED_CONFIG)
    try:
        con.execute("LOAD icu")  # built in; TimeZone needs it and nothing may be installed later
        con.execute(f"SET GLOBAL TimeZone = '{store.timezone}'")  # validated against the IANA list in config
        with closing(store.cursor(actor)) as source:
            (db,) = source.execute("SELECT current_database()").fetchone()
            for table in sorted(_existing_tables(source, db)):
                if actor.role in RULES.get(table, _NO_RULE).hidden_from:
                    continue
                name = quote_identifier(table)
                con.register("copied", source.sql(f"SELECT * FROM {name}").to_arrow_table())
                con.execute(f"CREATE TABLE {name} AS FROM copied")  # name from the store's catalog
                con.unregister("copied")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con
