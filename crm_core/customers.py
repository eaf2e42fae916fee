"""The customer master file: find, read, create and edit customers, with an audit trail.

Every function takes the acting user first after the store; a rep only ever sees and edits the
customers they own (``Actor.rep_scope``), a viewer reads contact details masked.
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from crm_core import access, capabilities, customer_search, data_version, model_fits, overview, summaries
from crm_core.audit import customer_trail, write_audit
from crm_core.customer_search import refresh_name_initials
from crm_core.definitions import PURCHASE
from crm_core.models import CustomerIn, InteractionIn, KeyDateIn, TransactionIn
from crm_core.sql import Fragment, all_of, compose, last_12_months, quote_identifier, relation, run
from crm_core.store import Store
from crm_core.tables import query_chunks
from crm_core.users import Actor, PermissionDenied

CUSTOMER_FIELDS = tuple(CustomerIn.model_fields)
LIST_COLUMNS = ("customer_id", "code", "name", "customer_type", "tenure_stage", "region", "city",
                "phone", "sales_rep", "credit_limit")


class CodeTaken(ValueError):
    """Another customer already has this code."""


class StaleEdit(RuntimeError):
    """The customer changed since the user loaded it; ``changes`` says what the other save did."""

    def __init__(self, changes: pd.DataFrame):
        super().__init__("err.stale_edit")
        self.changes = changes


@dataclass(frozen=True)
class CustomerFilter:
    text: str = ""
    regions: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    customer_types: tuple[str, ...] = ()
    tenure_stages: tuple[str, ...] = ()

    def where(self, actor: Actor, alias: str | None = None) -> Fragment:
        """The filter's condition on ``customers`` (as ``alias``), restricted to what ``actor`` may see.
        A chosen region, rep, type or stage is ``list_contains`` of the chosen values: a filter
        DuckDB evaluates in the scan, so the list's ``ORDER BY … LIMIT`` skips row groups as it
        does unfiltered; ``IN (SELECT unnest(…))`` is a semi join that reads every row first.
        The same rows (NULL matches neither)."""
        a = f"{alias}." if alias else ""
        parts = [access.visible(actor, "customers", alias)]
        if self.text.strip():  # what the customer picker finds: code, name, initials, phone, contact
            parts.append(customer_search.match(self.text, alias)[0])
        for column, values in (("region", self.regions), ("sales_rep", self.reps),
                               ("customer_type", self.customer_types), ("tenure_stage", self.tenure_stages)):
            if values:  # a filter in the scan (list_contains), not a semi join: see ``where``'s docstring
                parts.append(Fragment(f"list_contains(${column}::VARCHAR[], {a}{quote_identifier(column)})",
                                      {column: list(values)}))
        return all_of(*parts)


# The Customers list's sort keys (the page offers these, server-side: the list is paged).
SORT_KEYS = ("code", "name", "revenue_12m", "last_purchase", "abc", "sales_rep")
ACTIVITY_COLUMNS = ("revenue_12m", "last_purchase", "abc")


def customer_activity(store: Store, actor: Actor, as_of: date, ids=None):
    """Per customer ``actor`` may see who bought anything up to ``as_of``: ``revenue_12m`` (net
    revenue over the last 12 months to ``as_of``, crm_core.definitions), ``last_purchase`` (the
    last day with a purchase, ever, up to ``as_of``) and ``abc`` (the class the Segmentation page
    shows for ``as_of``, when a capability declares classes). Read from kept rows when they give
    the same answers (``_kept_activity``), else in one pass over the transactions; the page caches
    it per data version, so paging and sorting a million customers reuse it. ``ids``: only those
    customers (a page sorted by a customer's own column needs its 50 rows, not ten million)."""
    summaries.ensure_current(store)
    with closing(store.cursor(actor)) as db:
        db.execute("BEGIN TRANSACTION")  # one snapshot: the kept fits' headers, their rows and the summaries
        try:
            classes = capabilities.customer_classes(actor, as_of, cur=db)
            # ``ids``: a filter in each scan (list_contains), before the grouping or the join — not
            # after both, which read every customer's rows first (~0.3 s at 3M for a page's 50)
            only = {} if ids is None else {"ids": [int(i) for i in ids]}
            query = _kept_activity(db, actor, as_of, bool(only)) or _live_activity(actor, as_of, bool(only))
            if classes and only:  # the classes of these customers (ranked first, when ranked here)
                classes = compose("SELECT * FROM ({classes}) WHERE list_contains($ids::BIGINT[], customer_id)",
                                  classes=classes)
            query = compose(f"""WITH activity AS ({{activity}})
                SELECT a.*, {"k.abc" if classes else "CAST(NULL AS VARCHAR) AS abc"} FROM activity a
                {"LEFT JOIN ({classes}) k USING (customer_id)" if classes else ""}""",
                            activity=query, **({"classes": classes} if classes else {}), **only)
            return relation(db, query).to_arrow_table()  # registered by search_customers without a copy
        finally:
            db.execute("ROLLBACK")  # read only


def _only(listed: bool, alias: str = "") -> Fragment:
    """The rows of the customers ``$ids`` when ``listed`` (a filter in the scan), else every row."""
    return Fragment(f"list_contains($ids::BIGINT[], {alias}customer_id)" if listed else "TRUE")


def _live_activity(actor: Actor, as_of: date, listed: bool = False) -> Fragment:
    return compose(f"""SELECT customer_id, CAST(SUM(amount) FILTER (WHERE {{window}}) AS DOUBLE) AS revenue_12m,
                   MAX(txn_date) FILTER (WHERE {PURCHASE}) AS last_purchase
            FROM transactions WHERE txn_date <= $as_of AND {{visible}} AND {{only}} GROUP BY customer_id""",
                   window=last_12_months(as_of, "txn_date"), visible=access.visible(actor, "transactions"),
                   only=_only(listed), as_of=as_of)


def _kept_activity(db, actor: Actor, as_of: date, listed: bool = False) -> Fragment | None:
    """``_live_activity``'s rows without reading the transactions, when no transaction is dated
    after ``as_of`` (the usual case: the default analysis date is today) and the Home figures'
    rows are kept for ``as_of`` (crm_core.overview, current): the customers with a transaction
    are the summaries' (crm_core.summaries, exact in every write), their last purchase ever is the
    one up to ``as_of``, and the window's revenue is the kept ``recent`` (the same sum, as
    DECIMAL(18, 2): the same double). None otherwise: compute live. On ``db`` inside a transaction."""
    (last,) = db.execute("SELECT max(last_txn) FROM customer_summary").fetchall()[0]
    if last is not None and last > as_of:
        return None
    fit = model_fits.current_fit(db, overview.MODEL, as_of)
    if fit is None:
        return None
    return compose("""SELECT s.customer_id, CAST(o.recent AS DOUBLE) AS revenue_12m, s.last_purchase
            FROM customer_summary s LEFT JOIN (SELECT customer_id, recent FROM fit_overview
                                               WHERE fit_id = $fit_id AND {only}) o
            USING (customer_id) WHERE {visible} AND {only_s}""", visible=access.visible(actor, "customer_summary", alias="s"),
                   only=_only(listed), only_s=_only(listed, "s."), fit_id=fit.fit_id)


def activity_data_version(store: Store) -> tuple:
    """A cheap fingerprint of what ``customer_activity`` reads: the transactions' data version, row
    count and largest txn_id (the summaries' fingerprint, crm_core.summaries: every write of
    transactions appends, deletes or rebuilds and records a new version) and the customers' count
    and last edit (a rep's scope). Read on every page view, so it never sums the transactions: a
    pass over them would grow with 100M rows."""
    with closing(store.cursor()) as db:
        return (data_version.current(db, data_version.TRANSACTIONS), *db.execute(
            "SELECT (SELECT count(*) FROM transactions), (SELECT max(txn_id) FROM transactions),"
            " (SELECT count(*) FROM customers), (SELECT CAST(max(updated_at) AS VARCHAR) FROM customers)"
        ).fetchall()[0])


def _activity_columns() -> str:
    return ", ".join(f"a.{name}" for name in ACTIVITY_COLUMNS)


def _list_query(actor: Actor, flt: CustomerFilter, sort: str, descending: bool, with_activity: bool,
                limit: int | None = None, offset: int = 0) -> Fragment:
    """The Customers list's query: matches sorted by ``sort`` (blanks last either way, then by
    code), with the activity columns of the registered ``kehu_activity`` when ``with_activity``;
    one page when ``limit`` is given, else every match (the list's download)."""
    if sort not in SORT_KEYS:
        raise ValueError(f"sort must be one of {SORT_KEYS}, got {sort!r}")
    if sort in ACTIVITY_COLUMNS and not with_activity:
        raise ValueError(f"sorting by {sort} needs the activity table")
    order = f"{quote_identifier(sort)} {'DESC' if descending else 'ASC'} NULLS LAST, code"
    page = "" if limit is None else " LIMIT $limit OFFSET $offset"
    paging = {} if limit is None else {"limit": int(limit), "offset": int(offset)}
    matches = compose(f"SELECT {', '.join(f'c.{name}' for name in LIST_COLUMNS)} FROM customers c "
                      "WHERE {where}", where=flt.where(actor, "c"))
    if not with_activity:
        return compose(f"{{matches}} ORDER BY {order}{page}", matches=matches, **paging)
    joined = f"SELECT p.*, {_activity_columns()} FROM ({{matches}}"
    if sort in ACTIVITY_COLUMNS or limit is None:  # every match joined, then sorted
        return compose(f"{joined}) p LEFT JOIN kehu_activity a USING (customer_id) ORDER BY {order}{page}",
                       matches=matches, **paging)
    # sorted by a column of the customer: the page first, then its 50 rows joined (a million-row join saved)
    return compose(f"{joined} ORDER BY {order}{page}) p LEFT JOIN kehu_activity a USING (customer_id) "
                   f"ORDER BY {order}", matches=matches, **paging)


def search_customers(store: Store, actor: Actor, flt: CustomerFilter, limit: int = 50, offset: int = 0,
                     sort: str = "code", descending: bool = False,
                     activity=None) -> tuple[pd.DataFrame, int]:
    """One page of matching customers and the total number of matches, sorted by ``sort`` (one of
    SORT_KEYS; blanks last either way, then by code). With ``activity`` (customer_activity's
    table) the page has its columns too; sorting by one of them needs it."""
    query = _list_query(actor, flt, sort, descending, activity is not None, limit, offset)
    with closing(store.cursor(actor)) as db:
        if activity is not None:
            db.register("kehu_activity", activity)
        (total,) = run(db, compose("SELECT count(*) FROM customers c WHERE {where}",
                                   where=flt.where(actor, "c"))).fetchall()[0]
        page = run(db, query).df()
    return page, int(total)


def with_activity(store: Store, page: pd.DataFrame, activity) -> pd.DataFrame:
    """A page of ``search_customers`` read without activity, with the activity columns of
    ``activity`` (``customer_activity`` of its ids) joined, rows in their order: the same frame as
    a search with the whole activity table. The ids come from a page the user may see."""
    with closing(store.system_cursor()) as db:
        db.register("kehu_page", page.assign(kehu_row=range(len(page))))
        db.register("kehu_activity", activity)
        return db.execute(f"""SELECT p.* EXCLUDE (kehu_row), {_activity_columns()} FROM kehu_page p
                              LEFT JOIN kehu_activity a USING (customer_id) ORDER BY p.kehu_row""").df()


def all_matching_customers(store: Store, actor: Actor, flt: CustomerFilter, sort: str = "code",
                           descending: bool = False, activity=None, chunk_rows: int = 50_000):
    """Every matching customer in the list's order and with its columns, as frames of ``chunk_rows``
    read as needed: the list's download holds all matches, and a million of them never sit in
    memory at once."""
    query = _list_query(actor, flt, sort, descending, activity is not None)
    with closing(store.cursor(actor)) as db:
        if activity is not None:
            db.register("kehu_activity", activity)
        yield from query_chunks(db, query, chunk_rows)


def filter_options(store: Store, actor: Actor, columns: tuple[str, ...] = ("region", "sales_rep")
                   ) -> dict[str, list[str]]:
    """Distinct regions and reps for the filter widgets (``columns``: of those only; each is a pass
    over every customer)."""
    options = {}
    with closing(store.cursor(actor)) as db:
        for column in columns:
            name = quote_identifier(column)
            options[column] = run(db, compose(f"SELECT DISTINCT {name} AS v FROM customers "
                                              f"WHERE {{where}} AND {name} IS NOT NULL ORDER BY 1",
                                              where=access.visible(actor, "customers"))).df()["v"].tolist()
    return options


def get_customer(store: Store, actor: Actor, customer_id: int) -> dict | None:
    """The whole master-file row, or None when it does not exist or the user may not see it."""
    with closing(store.cursor(actor)) as db:
        frame = run(db, compose("SELECT * FROM customers WHERE customer_id = $id AND {where}",
                                where=access.visible(actor, "customers"), id=int(customer_id))).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def customer_id_for_code(store: Store, actor: Actor, code: str) -> int | None:
    with closing(store.cursor(actor)) as db:
        row = run(db, compose("SELECT customer_id FROM customers WHERE code = $code AND {where}",
                              where=access.visible(actor, "customers"), code=code)).fetchone()
    return None if row is None else int(row[0])


def _values(customer: CustomerIn) -> dict:
    return customer.model_dump()


def create_customer(store: Store, actor: Actor, customer: CustomerIn) -> int:
    """Insert a validated customer; raises CodeTaken when the code exists. Returns its id."""
    actor.require_write()
    if not actor.owns(customer.sales_rep):
        raise PermissionDenied("err.rep_own_customers_only")
    values = {**_values(customer), "phone_typed": customer.phone_typed}
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM customers WHERE code = ?", [customer.code]).fetchone():
            raise CodeTaken(customer.code)
        columns = ", ".join(values)
        (customer_id,) = cur.execute(
            f"INSERT INTO customers ({columns}) VALUES ({', '.join('?' * len(values))}) RETURNING customer_id",
            list(values.values()),
        ).fetchone()
        refresh_name_initials(cur, _one_customer(customer_id))
        write_audit(cur, actor, "create", "customer", customer_id, None, None, customer.code)
    return int(customer_id)


def _one_customer(customer_id: int) -> Fragment:
    return Fragment("customer_id = $customer_id", {"customer_id": int(customer_id)})


def _comparable(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def diff_customer(current: dict, customer: CustomerIn) -> dict[str, tuple]:
    """{field: (old, new)} for every field whose value would change."""
    changes = {}
    for name, new in _values(customer).items():
        old = _comparable(current.get(name))
        if old != new:
            changes[name] = (old, new)
    if "phone" in changes and _comparable(current.get("phone_typed")) != customer.phone_typed:
        # what was typed goes with the phone it gave (an import's stays while the phone does)
        changes["phone_typed"] = (_comparable(current.get("phone_typed")), customer.phone_typed)
    return changes


def update_customer(store: Store, actor: Actor, customer_id: int, customer: CustomerIn,
                    expected_version: int | None = None) -> dict[str, tuple]:
    """Save an edit; only changed fields are written and audited. Returns the changes.

    ``expected_version`` is the version the user loaded; if another save came in between, raises
    StaleEdit with what that save changed, and writes nothing.
    """
    actor.require_write()
    with store.transaction() as cur:
        return _save_edit(cur, actor, customer_id, customer, expected_version)


def _save_edit(cur, actor: Actor, customer_id: int, customer: CustomerIn,
               expected_version: int | None = None) -> dict[str, tuple]:
    """One customer's edit inside the caller's transaction: checks, then changed fields written and audited."""
    current = _row_for_update(cur, actor, customer_id)
    if expected_version is not None and int(current["version"]) != int(expected_version):
        raise StaleEdit(_changes_since(cur, customer_id, int(expected_version)))
    if customer.code != current["code"] and cur.execute(
            "SELECT 1 FROM customers WHERE code = ? AND customer_id <> ?", [customer.code, customer_id]
    ).fetchone():
        raise CodeTaken(customer.code)
    changes = diff_customer(current, customer)
    _apply_changes(cur, actor, customer_id, changes)
    return changes


def _row_for_update(cur, actor: Actor, customer_id: int) -> dict:
    frame = run(cur, compose("SELECT * FROM customers WHERE customer_id = $id AND {where}",
                             where=access.visible(actor, "customers"), id=int(customer_id))).df()
    if frame.empty:
        raise PermissionDenied("err.customer_not_found")
    return frame.iloc[0].to_dict()


def _apply_changes(cur, actor: Actor, customer_id: int, changes: dict[str, tuple]) -> None:
    if not changes:
        return
    assignments = ", ".join(f"{name} = ?" for name in changes)  # names are CustomerIn fields
    cur.execute(
        f"UPDATE customers SET {assignments}, version = version + 1, updated_at = current_timestamp"
        " WHERE customer_id = ?",
        [new for _, new in changes.values()] + [int(customer_id)],
    )
    if "name" in changes:
        refresh_name_initials(cur, _one_customer(customer_id))
    for name, (old, new) in changes.items():
        write_audit(cur, actor, "update", "customer", customer_id, name, old, new)


def _changes_since(cur, customer_id: int, version: int) -> pd.DataFrame:
    """What the saves after ``version`` changed (who, when, field, old → new).

    Each save is one transaction and bumps the version by one; its audit rows share one
    ``logged_at`` (DuckDB's current_timestamp is the transaction's start), so the saves since the
    user's version are the latest (current − version) distinct timestamps.
    """
    return cur.execute(
        """
        WITH saves AS (
            SELECT DISTINCT logged_at FROM audit_log
            WHERE entity = 'customer' AND entity_id = ? AND action = 'update'
            ORDER BY logged_at DESC
            LIMIT (SELECT version FROM customers WHERE customer_id = ?) - ?
        )
        SELECT logged_at, actor, field, old_value, new_value FROM audit_log
        WHERE entity = 'customer' AND entity_id = ? AND action = 'update' AND logged_at IN (SELECT * FROM saves)
        ORDER BY audit_id
        """, [int(customer_id), int(customer_id), int(version), int(customer_id)],
    ).df()


def update_many(store: Store, actor: Actor, edits: dict[int, CustomerIn]) -> int:
    """Grid edits: all rows saved in one transaction (all or nothing). Returns fields changed."""
    actor.require_write()
    changed = 0
    with store.transaction() as cur:
        for customer_id, customer in edits.items():
            changed += len(_save_edit(cur, actor, customer_id, customer))
    return changed


def _require_visible(store: Store, actor: Actor, customer_id: int) -> None:
    if get_customer(store, actor, customer_id) is None:
        raise PermissionDenied("err.customer_not_found")


def _add_to_file(store: Store, actor: Actor, table: str, id_column: str, entry, audit_field: str,
                 audit_value) -> int:
    """Insert one validated entry of a customer's file (``table`` from the fixed callers below), audited."""
    actor.require_write()
    _require_visible(store, actor, entry.customer_id)
    values = entry.model_dump()
    with store.transaction() as cur:
        (new_id,) = cur.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"
            f" RETURNING {id_column}", list(values.values())).fetchone()
        if table == "transactions":  # the customer's summary moves with it (crm_core.summaries)
            summaries.add_rows(cur, Fragment("txn_id = $entered_txn", {"entered_txn": int(new_id)}))
        write_audit(cur, actor, "create", table.rstrip("s"), new_id, audit_field, None, audit_value)
    return int(new_id)


def log_interaction(store: Store, actor: Actor, interaction: InteractionIn) -> int:
    return _add_to_file(store, actor, "interactions", "interaction_id", interaction, "customer_id",
                        interaction.customer_id)


def record_transaction(store: Store, actor: Actor, txn: TransactionIn) -> int:
    return _add_to_file(store, actor, "transactions", "txn_id", txn, "amount", txn.amount)


def add_key_date(store: Store, actor: Actor, key_date: KeyDateIn) -> int:
    return _add_to_file(store, actor, "key_dates", "key_date_id", key_date, key_date.kind, key_date.day)


@dataclass
class Customer360:
    """Everything the 360 view shows about one customer."""

    record: dict
    key_dates: pd.DataFrame
    monthly_purchases: pd.DataFrame
    recent_transactions: pd.DataFrame
    interactions: pd.DataFrame
    audit: pd.DataFrame
    totals: dict = field(default_factory=dict)


def customer_360(store: Store, actor: Actor, customer_id: int) -> Customer360 | None:
    record = get_customer(store, actor, customer_id)
    if record is None:
        return None
    cid = {"id": int(customer_id)}
    summaries.ensure_current(store)
    with closing(store.cursor(actor)) as db:
        monthly = db.execute(
            "SELECT date_trunc('month', txn_date)::DATE AS month, sum(amount)::DOUBLE AS revenue, count(*) AS orders"
            " FROM transactions WHERE customer_id = $id GROUP BY 1 ORDER BY 1", cid).df()
        # fetchone keeps DECIMAL sums as Decimal (a DataFrame would turn money into floats). The
        # lifetime totals are the customer's summary row (crm_core.summaries; none: no transactions).
        row = db.execute(
            "SELECT (SELECT coalesce(max(revenue), 0) FROM customer_summary WHERE customer_id = $id),"
            " (SELECT coalesce(max(txns), 0) FROM customer_summary WHERE customer_id = $id),"
            " (SELECT max(first_txn) FROM customer_summary WHERE customer_id = $id),"
            " (SELECT max(last_txn) FROM customer_summary WHERE customer_id = $id),"
            " (SELECT coalesce(sum(cost), 0) FROM interactions WHERE customer_id = $id),"
            " (SELECT coalesce(sum(concession), 0) FROM interactions WHERE customer_id = $id),"
            " (SELECT count(*) FROM interactions WHERE customer_id = $id)", cid).fetchone()
        key_dates = db.execute("SELECT kind, label, day FROM key_dates WHERE customer_id = $id ORDER BY day", cid).df()
        recent = db.execute(
            "SELECT txn_date, amount, order_id, product, quantity, gross_margin FROM transactions"
            " WHERE customer_id = $id ORDER BY txn_date DESC LIMIT 200", cid).df()
        interactions = db.execute(
            "SELECT occurred_at, channel, place, rep, cost, concession, products_provided, note"
            " FROM interactions WHERE customer_id = $id ORDER BY occurred_at DESC LIMIT 500", cid).df()
        audit = customer_trail(db, customer_id)  # on the user's cursor: scoped and masked like the record
    totals = dict(zip(("lifetime_revenue", "orders", "first_purchase", "last_purchase", "cost_to_serve",
                       "concessions", "contacts"), row))
    return Customer360(record=record, key_dates=key_dates, monthly_purchases=monthly,
                       recent_transactions=recent, interactions=interactions, audit=audit, totals=totals)


def customer_from_record(record: dict) -> CustomerIn:
    """A stored row back as the model (for editing forms); raises ValidationError if it no longer passes."""
    values = {name: _comparable(record.get(name)) for name in CUSTOMER_FIELDS}
    return CustomerIn.model_validate({k: v for k, v in values.items() if v is not None})


def today_in(store: Store) -> date:
    (today,) = store.query_one("SELECT current_date")
    return today
