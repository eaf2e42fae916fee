"""Every table as CSV (UTF-8 with BOM, streamed by DuckDB to a file) and XLSX (capped).

Each export is read on the user's cursor (``Store.cursor(actor)``), so it holds what the user may
read and nothing else: a rep's own customers and their rows, a viewer's contact details masked
(``crm_core.access``); tests/test_scope_downloads.py checks both formats for every role.

Text cells beginning with ``= + - @``, tab or carriage return are prefixed with ``'`` in SQL
(``crm_core.exporting.neutralise_sql``: plain numbers and phone numbers stay exact); numbers and
dates stay typed. Headers are the import field names, so an exported file imports back unchanged
(see tests/test_ingest.py round trip).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import closing

import pandas as pd

from crm_core import access, summaries
from crm_core.audit import record_event
from crm_core.exporting import neutralise_sql
from crm_core.ingest.kinds import CUSTOMERS
from crm_core.sql import Fragment, compose, quote_identifier, relation, run
from crm_core.store import Store
from crm_core.users import Actor

XLSX_MAX_ROWS = 1_048_575          # Excel's sheet limit is 1,048,576 rows including the header
XLSX_DEFAULT_CAP = 100_000         # what the page builds in memory; CSV has every row
EXPORT_TABLES = ("customers", "transactions", "interactions")


def _safe(column: str, alias: str) -> str:
    """``column`` (alias-qualified, from the fixed lists below) with formula characters defused."""
    return f"{neutralise_sql(column)} AS {quote_identifier(alias)}"


def export_sql(store: Store, actor: Actor, table: str) -> Fragment:
    """The SELECT behind an export (fixed per table; a rep sees only own customers)."""
    where = access.visible(actor, "customers", alias="c")
    if table == "customers":
        text = [f.name for f in CUSTOMERS.fields if f.rule.sql_type == "VARCHAR"]
        cols = ", ".join(_safe(f"c.{quote_identifier(f.name)}", f.name) if f.name in text
                         else f"c.{quote_identifier(f.name)}" for f in CUSTOMERS.fields)
        return compose(f"SELECT {cols} FROM customers c WHERE {{where}} ORDER BY c.code", where=where)
    if table == "transactions":
        return compose(f"SELECT {_safe('c.code', 'customer_code')}, t.txn_date, t.amount,"
                       f" {_safe('t.order_id', 'order_id')},"
                       f" {_safe('t.product', 'product')}, t.quantity, t.gross_margin, t.discount"
                       " FROM transactions t JOIN customers c USING (customer_id) WHERE {where}"
                       " ORDER BY c.code, t.txn_date, t.txn_id", where=where)
    if table == "interactions":
        texts = ", ".join(_safe(f"i.{n}", n) for n in ("place", "rep", "products_provided", "note"))
        return compose(f"SELECT {_safe('c.code', 'customer_code')},"
                       " strftime(timezone($tz, i.occurred_at), '%Y-%m-%d %H:%M:%S') AS occurred_at,"
                       f" i.channel, {texts}, i.cost, i.concession"
                       " FROM interactions i JOIN customers c USING (customer_id) WHERE {where}"
                       " ORDER BY c.code, i.occurred_at, i.interaction_id", where=where, tz=store.timezone)
    raise ValueError(f"no export for {table!r}; choose one of {EXPORT_TABLES}")


# The rows of each export without its text work and ORDER BY (same FROM and WHERE as export_sql):
# counting through the whole export query took seconds at 10M transactions, this takes milliseconds.
_COUNT_FROM = {"customers": "customers c",
               "transactions": "transactions t JOIN customers c USING (customer_id)",
               "interactions": "interactions i JOIN customers c USING (customer_id)"}


# The transactions' rows from the customer summaries (crm_core.summaries: each customer's count of
# transactions, ``txns``) when they are those of the transactions: one row per customer joined to
# the customers instead of every transaction (2 s at 33M rows on the Data page's first render).
_COUNT_TRANSACTIONS_FROM_SUMMARIES = ("SELECT coalesce(sum(s.txns), 0) FROM customer_summary s"
                                      " JOIN customers c USING (customer_id) WHERE {where}")
# For a user who sees every customer, when the customers' ids are one unbroken range (none deleted:
# as many customers as ids from the least to the greatest), a row's customer is on file exactly when
# its id is in that range: the rows are counted without a join at all.
_COUNT_IN_RANGE = {"transactions": "SELECT count(*) FROM transactions WHERE customer_id BETWEEN $lo AND $hi",
                   "interactions": "SELECT count(*) FROM interactions WHERE customer_id BETWEEN $lo AND $hi"}


def row_count(store: Store, actor: Actor, table: str) -> int:
    if table not in _COUNT_FROM:
        raise ValueError(f"no export for {table!r}; choose one of {EXPORT_TABLES}")
    where = access.visible(actor, "customers", alias="c")
    with closing(store.cursor(actor)) as db:
        ids = access.unbroken_customer_ids(db) if table in _COUNT_IN_RANGE and where.sql == "TRUE" else None
        if ids is not None:
            query = compose(_COUNT_IN_RANGE[table], lo=ids[0], hi=ids[1])
        elif table == "transactions" and summaries.usable(db):
            query = compose(_COUNT_TRANSACTIONS_FROM_SUMMARIES, where=where)
        else:
            query = compose(f"SELECT count(*) FROM {_COUNT_FROM[table]} WHERE {{where}}", where=where)
        (count,) = run(db, query).fetchone()
    return int(count)


def export_csv_file(store: Store, actor: Actor, table: str, directory: str | None = None) -> str:
    """Write the whole table to a CSV file (UTF-8 with BOM) and return its path; the caller deletes it.

    DuckDB writes the rows itself (streamed, any size); the BOM is put in front while copying.
    """
    query = export_sql(store, actor, table)
    handle, raw_path = tempfile.mkstemp(suffix=".csv", prefix=f"kehu_{table}_raw_", dir=directory)
    os.close(handle)
    handle, path = tempfile.mkstemp(suffix=".csv", prefix=f"kehu_{table}_", dir=directory)
    os.close(handle)
    cur = store.cursor(actor)
    try:
        relation(cur, query).write_csv(raw_path, header=True)
        with open(path, "wb") as out, open(raw_path, "rb") as src:
            out.write(b"\xef\xbb\xbf")
            shutil.copyfileobj(src, out, 8 * 1024 * 1024)
    finally:
        cur.close()
        os.unlink(raw_path)
    record_event(store, actor, "export", "file", f"{table}.csv")
    return path


def export_frame(store: Store, actor: Actor, table: str, cap: int = XLSX_DEFAULT_CAP) -> pd.DataFrame:
    """At most ``cap`` rows (never more than an Excel sheet holds), for the XLSX download."""
    query = compose("{query} LIMIT $cap", query=export_sql(store, actor, table), cap=int(min(cap, XLSX_MAX_ROWS)))
    with closing(store.cursor(actor)) as db:
        frame = run(db, query).df()
    record_event(store, actor, "export", "file", f"{table}.xlsx ({len(frame):,} rows)")
    return frame
