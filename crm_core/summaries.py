"""Per-customer summaries of ``transactions`` (table ``customer_summary``, migration 019), kept
exact by every write, so pages read one row per customer instead of every transaction.

A row per customer with at least one transaction: ``txns``, net ``revenue`` (refunds included,
crm_core.definitions), ``purchases`` (amount > 0) and ``refunds`` (amount < 0) with
``refund_amount``, ``first_purchase`` / ``last_purchase`` (purchase days, NULL for refunds only)
and ``first_txn`` / ``last_txn`` (any transaction). All-time figures: a read about a window up to
an analysis date uses them only where the answer is the same (see the readers' docstrings).

How each write keeps them exact, in the writing transaction (each also calls
``data_version.record_change``):

- rows appended (an import's commit, one transaction entered on the form): ``add_rows`` groups
  only the new rows by customer and merges them in — sums add, first days take the earlier,
  last days the later (cost ∝ the rows imported, not the store);
- rows deleted (an import's undo, which also removes the customers it created): ``recomputing``
  notes the customers whose rows go and recomputes them from what is left;
- the demo load: ``rebuild``; a restored file brings its own summaries, and a store from before
  019 (or whose transactions were changed by SQL behind the app's back, which the fingerprint in
  ``summary_state`` — row count, largest txn_id, data version — catches) is rebuilt when opened
  (``Store.migrate``) or before a read (``ensure_current``).

Not kept: gross margins (no reader needs a lifetime margin; the margin measures are over windows,
and three more sums cost an import of 10M rows ~1 s), distinct purchase days (not additive — merging needs the days already stored) and a
per-customer-month table. At 1M customers the demo has 10.3M customer-months for 11.0M
transactions, so a month table would be as long as the rows it summarises, and grouping 10M new
rows by (customer, month) costs ~7 s (2 cores, load 4) — more than the whole margin an import has
before 2 × ``read_csv``. ``python -m crm_core check`` compares the table with a recomputation.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from crm_core import data_version
from crm_core.definitions import PURCHASE
from crm_core.sql import Fragment, compose, quote_identifier, run

if TYPE_CHECKING:
    from crm_core.store import Store

TABLE = "customer_summary"


def _money(total: str) -> str:
    """A sum of amounts as the table keeps it (migration 019: DECIMAL(18, 2), as an amount)."""
    return f"CAST({total} AS DECIMAL(18, 2))"


# column → (its aggregate over transactions, how two partial rows of one customer combine).
_COLUMNS: dict[str, tuple[str, str]] = {
    "txns": ("count(*)", "sum"),
    "revenue": (_money("sum(amount)"), "sum"),
    "purchases": (f"count(*) FILTER (WHERE {PURCHASE})", "sum"),
    "refunds": ("count(*) FILTER (WHERE amount < 0)", "sum"),
    "refund_amount": (_money("coalesce(sum(amount) FILTER (WHERE amount < 0), 0)"), "sum"),
    "first_purchase": (f"min(txn_date) FILTER (WHERE {PURCHASE})", "min"),
    "last_purchase": (f"max(txn_date) FILTER (WHERE {PURCHASE})", "max"),
    "first_txn": ("min(txn_date)", "min"),
    "last_txn": ("max(txn_date)", "max"),
}
COLUMNS = tuple(_COLUMNS)
_LIST = ", ".join(("customer_id", *COLUMNS))


def _aggregate(where: Fragment) -> Fragment:
    """The summary rows of the transactions ``where`` picks, grouped by customer (the one definition)."""
    aggregates = ", ".join(f"{expression} AS {name}" for name, (expression, _) in _COLUMNS.items())
    return compose(f"SELECT customer_id, {aggregates} FROM transactions WHERE {{where}} GROUP BY customer_id",
                   where=where)


def _joined() -> str:
    """The columns of a stored row ``s`` and a new partial row ``d`` of one customer combined, the
    stored side possibly missing (a customer's first transactions)."""
    parts = []
    for name, (_, how) in _COLUMNS.items():
        if how == "sum":
            parts.append(f"coalesce(s.{name}, 0) + coalesce(d.{name}, 0) AS {name}")
        else:  # least / greatest skip a NULL side
            parts.append(f"{'least' if how == 'min' else 'greatest'}(s.{name}, d.{name}) AS {name}")
    return ", ".join(parts)


# -- writes (all on the writing transaction's cursor) ---------------------------------------------

def rebuild(cur: duckdb.DuckDBPyConnection, record: bool = True) -> None:
    """Recompute every customer's summary from the transactions (the demo load, an upgrade).
    ``record=False`` when no data changed (bringing a stale table up to date)."""
    cur.execute(f"DELETE FROM {TABLE}")
    run(cur, compose(f"INSERT INTO {TABLE} ({_LIST}) {{rows}}", rows=_aggregate(Fragment("TRUE"))))
    _changed(cur, record)


# Customer ids merged at a time: each part's grouping and join then stay within the import command's
# 512 MiB instead of spilling to disk. 10M rows into the 10M store (6.3M customers touched), at 512 MiB:
# in one part 4.5–5.5 s, in 2 parts 4.3–4.4 s, 4 parts 3.8–3.9 s, 8 parts 4.9–5.0 s, 16 parts 4.6 s.
MERGE_SPAN = 2_500_000


def add_rows(cur: duckdb.DuckDBPyConnection, where: Fragment) -> None:
    """Merge in the transactions just appended that ``where`` picks (``import_id = …``, ``txn_id = …``):
    their rows grouped by customer, each combined with the customer's stored row, are appended to the
    table, then the stored rows of those customers are deleted. DuckDB numbers a table's rows in the
    order they were added, a transaction's own after all others, so the stored rows are those up to
    the last ``rowid`` before the first append. Done in parts of ``MERGE_SPAN`` customer ids, each
    part's statements within its range, so the cost follows the rows imported (~10 ms for one
    transaction entered on the form), not the store."""
    (low, high, count) = run(cur, compose("SELECT min(customer_id), max(customer_id), count(*) FROM transactions"
                                          " WHERE {where}", where=where)).fetchall()[0]
    (last_stored,) = cur.execute(f"SELECT max(rowid) FROM {TABLE}").fetchall()[0]
    if count:
        parts = -(-min(count, high - low + 1) // MERGE_SPAN)
        bounds = [low + (high - low + 1) * i // parts for i in range(parts + 1)]
        for start, end in zip(bounds, bounds[1:]):
            _merge_part(cur, where, start, end, last_stored)
    _changed(cur)


def _merge_part(cur: duckdb.DuckDBPyConnection, where: Fragment, start: int, end: int, last_stored: int | None) -> None:
    """``add_rows`` for the customers with ids in [start, end)."""
    ids = Fragment("customer_id >= $part_start AND customer_id < $part_end", {"part_start": start, "part_end": end})
    run(cur, compose("CREATE OR REPLACE TEMP TABLE summary_delta AS {rows}",
                     rows=_aggregate(compose("({where}) AND {ids}", where=where, ids=ids))))
    try:
        run(cur, compose(f"INSERT INTO {TABLE} ({_LIST}) SELECT customer_id, {_joined()}"
                         f" FROM (SELECT * FROM {TABLE} WHERE {{ids}}) s RIGHT JOIN temp.summary_delta d"
                         " USING (customer_id)", ids=ids))
        if last_stored is not None:
            run(cur, compose(f"DELETE FROM {TABLE} WHERE rowid <= $last_stored AND {{ids}}"
                             " AND customer_id IN (SELECT customer_id FROM temp.summary_delta)",
                             ids=ids, last_stored=int(last_stored)))
    finally:
        cur.execute("DROP TABLE IF EXISTS temp.summary_delta")


@contextmanager
def recomputing(cur: duckdb.DuckDBPyConnection, where: Fragment) -> Iterator[None]:
    """Around a DELETE of the transactions ``where`` picks: the customers they belong to are noted
    first and recomputed from the rows left afterwards (none left: no row)."""
    run(cur, compose("CREATE OR REPLACE TEMP TABLE summary_affected AS"
                     " SELECT DISTINCT customer_id FROM transactions WHERE {where}", where=where))
    try:
        yield
        affected = Fragment("customer_id IN (SELECT customer_id FROM temp.summary_affected)")
        cur.execute(f"DELETE FROM {TABLE} WHERE {affected.sql}")
        run(cur, compose(f"INSERT INTO {TABLE} ({_LIST}) {{rows}}", rows=_aggregate(affected)))
    finally:
        cur.execute("DROP TABLE IF EXISTS temp.summary_affected")
    _changed(cur)


def _fingerprint(cur: duckdb.DuckDBPyConnection) -> tuple[int, int | None, int]:
    """(row count, largest txn_id, data version) of all the transactions — the table itself, also
    on a user's scoped cursor (counts, no customer data): milliseconds at 11M rows."""
    (database,) = cur.execute("SELECT current_database()").fetchall()[0]
    (count, max_id) = cur.execute(
        f"SELECT count(*), max(txn_id) FROM {quote_identifier(database)}.main.transactions").fetchall()[0]
    return int(count), None if max_id is None else int(max_id), data_version.current(cur, data_version.TRANSACTIONS)


def _changed(cur: duckdb.DuckDBPyConnection, record: bool = True) -> None:
    """The transactions changed in this transaction and the summaries with them: a new data version,
    and the fingerprint the summaries are now exact for."""
    if record:
        data_version.record_change(cur, data_version.TRANSACTIONS)
    count, max_id, version = _fingerprint(cur)
    cur.execute("DELETE FROM summary_state")
    cur.execute("INSERT INTO summary_state (txn_count, max_txn_id, data_version) VALUES (?, ?, ?)",
                [count, max_id, version])


def _is_current(cur: duckdb.DuckDBPyConnection) -> bool:
    rows = cur.execute("SELECT txn_count, max_txn_id, data_version FROM summary_state").fetchall()
    return bool(rows) and tuple(rows[0]) == _fingerprint(cur)


def usable(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``cur`` may read the summaries instead of the rows: the store has them and they
    are those of its transactions (readers given only a cursor — possibly of a bare schema, or
    of rows just written by SQL — fall back to the rows otherwise)."""
    (present,) = cur.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main'"
                             " AND table_name IN ('customer_summary', 'summary_state')").fetchall()[0]
    return present == 2 and _is_current(cur)


def ensure_current(store: Store) -> None:
    """Rebuild the summaries if the transactions are not those they were computed on (a store
    from before migration 019, rows written by SQL outside the app); a fingerprint read otherwise."""
    with closing(store.system_cursor()) as cur:
        if _is_current(cur):
            return
    with store.transaction(changes_data=False) as cur:
        if not _is_current(cur):  # another thread may have rebuilt meanwhile
            rebuild(cur, record=False)


# -- the check -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    customer_id: int
    field: str  # a column, or "row" when one side has no row for the customer
    stored: object
    recomputed: object


@dataclass(frozen=True)
class CheckResult:
    customers: int  # rows recomputed
    differences: list[Difference]  # the first ones found, by customer

    @property
    def ok(self) -> bool:
        return not self.differences


def check(cur: duckdb.DuckDBPyConnection, limit: int = 20) -> CheckResult:
    """Recompute every summary from the transactions and compare with the stored ones (read only)."""
    fresh = _aggregate(Fragment("TRUE"))
    differs = " OR ".join(f"s.{name} IS DISTINCT FROM f.{name}" for name in COLUMNS)
    pairs = ", ".join(f"s.{name}, f.{name}" for name in COLUMNS)
    rows = run(cur, compose(
        f"WITH f AS ({{fresh}}) SELECT coalesce(s.customer_id, f.customer_id) AS id, s.customer_id IS NOT NULL,"
        f" f.customer_id IS NOT NULL, {pairs} FROM {TABLE} s FULL JOIN f USING (customer_id)"
        f" WHERE s.customer_id IS NULL OR f.customer_id IS NULL OR {differs} ORDER BY id LIMIT $limit",
        fresh=fresh, limit=int(limit))).fetchall()
    (customers,) = run(cur, compose("SELECT count(*) FROM ({fresh})", fresh=fresh)).fetchall()[0]
    differences = []
    for row in rows:
        customer_id, has_stored, has_fresh, values = row[0], row[1], row[2], row[3:]
        if not (has_stored and has_fresh):
            differences.append(Difference(int(customer_id), "row", has_stored, has_fresh))
            continue
        for i, name in enumerate(COLUMNS):
            if values[2 * i] != values[2 * i + 1]:
                differences.append(Difference(int(customer_id), name, values[2 * i], values[2 * i + 1]))
    return CheckResult(int(customers), differences)


def check_lines(result: CheckResult) -> list[str]:
    """What ``python -m crm_core check`` prints."""
    if result.ok:
        return [f"summaries match ({result.customers:,} customers)"]
    lines = [f"summaries differ from a recomputation ({result.customers:,} customers recomputed):"]
    for d in result.differences:
        if d.field == "row":
            lines.append(f"  customer {d.customer_id}: " + ("stored but has no transactions" if d.stored
                                                            else "has transactions but no stored summary"))
        else:
            lines.append(f"  customer {d.customer_id}: {d.field} stored {d.stored}, recomputed {d.recomputed}")
    return lines
