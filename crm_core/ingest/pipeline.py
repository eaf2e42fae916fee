"""stage → validate → preview → commit → undo, all in DuckDB SQL (no loop over rows in Python).

A job reads the prepared UTF-8 CSV either straight from the file (``read_csv``, the fast path for
clean transaction files) or from a staging table (all VARCHAR, in an in-memory database attached as
``ingest_stage``; ``rowid`` gives the row number as Excel shows it). The SQL is built in layers:

    src  the raw columns c1..cN and __row
    f    folded text per mapped field           ("f__name"; raw kept as "r__name")
    v    typed value and rule error per field   ("v__name", "e__name"); with a blank, the cell's own
         error                                  ("pe__name"), __pre_ok when the row has none
    x    joined to the target / customers       (__existing_id, "x__name", __customer_id)
    w    errors against the store and the rows  ("post__name"), one final error per (row, field)
                                                ("err__name"), __ok when the row has none

Validation counts and lists errors from ``w``; commit inserts/updates from ``w`` inside ONE
``store.transaction()`` after recounting there, so what is written is what was checked against the
store as it is at that moment. Identifiers in the SQL come only from kind declarations (the fixed
table, field and column names in ``crm_core.ingest.kinds`` and the catalog's column lists) and are
quoted with ``quote_identifier``; file paths and values are named parameters of ``Fragment``s. The
staging tables' names are made here (``ingest_stage.s_<hex>``) and go in as they are.
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from zoneinfo import available_timezones

import duckdb
import pandas as pd

from crm_core import summaries
from crm_core.audit import write_audit
from crm_core.config import store_currency
from crm_core.customer_search import refresh_name_initials
from crm_core.i18n import t
from crm_core.ingest.decode import ImportProblem, PreparedFile, read_problem, reencode_as_gb18030
from crm_core.ingest.kinds import CheckContext, FieldSpec, Kind, get_kind
from crm_core.ingest.layout import is_blank, number_list, trailing_totals
from crm_core.ingest.units import money_unit, split_unit
from crm_core.ingest.values import Normaliser, sql_duplicate_name, sql_fold
from crm_core.models import choices_text, stored_choices
from crm_core.sql import Fragment, compose, quote_identifier, run
from crm_core.store import Store
from crm_core.users import Actor

STAGE_DB = "ingest_stage"
# A clean file smaller than this (~150,000 transactions) is staged too, though one pass straight from
# the CSV would do: its rows then carry their row numbers and get their ids in the file's order
# (``_write_rows``). Bigger ones save the passes staging adds and keep no order.
STAGE_BELOW_BYTES = 8 * 1024 * 1024
ERROR_SAMPLE = 100_000
Progress = Callable[[float, str], None]


class ImportRejected(Exception):
    """Rows failed validation and the import is atomic: nothing was written."""

    def __init__(self, validation: Validation):
        super().__init__("ingest.rejected")
        self.validation = validation


@dataclass
class ImportJob:
    kind: Kind
    file: PreparedFile
    mapping: dict[int, str]
    mode: str = "create"
    skip_invalid: bool = False
    create_customers: bool = False
    stage_table: str | None = None
    # All-digit customer codes shorter than the store's code width (code_width) get their leading
    # zeros back before matching and storing (Excel turned 00001 into 1).
    pad_codes: bool = False

    @property
    def mapped(self) -> dict[str, int]:
        return {name: index for index, name in self.mapping.items()}

    def header_of(self, field_name: str) -> str:
        index = self.mapped[field_name]
        return self.file.headers[index] or f"#{index + 1}"


@dataclass
class Validation:
    rows_read: int
    rejected_rows: int
    to_create: int
    to_update: int
    unchanged: int = 0
    new_customers: int = 0
    # Rows whose customer code matches a stored one only with its leading zeros restored: what
    # ImportJob.pad_codes would fix (or, with it on, fixed). The UI offers the option when > 0.
    pad_codes_would_fix: int = 0
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)     # row_number, field, column, value, key, param
    error_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    diff_sample: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class ImportResult:
    import_id: int
    rows_read: int
    created: int
    updated: int
    rejected: int
    customers_created: int = 0
    seconds: float = 0.0


# -- checks before any SQL runs ------------------------------------------------------------------------
def check_job(job: ImportJob) -> None:
    """Mode allowed, every mapped field known and used once, required fields mapped."""
    kind = job.kind
    if job.mode not in kind.modes:
        raise ImportProblem("ingest.err_mode", mode=job.mode, kind=kind.name, modes=", ".join(kind.modes))
    names = list(job.mapping.values())
    for name in names:
        if name not in kind.field_names:
            raise ImportProblem("ingest.err_unknown_field", field=name)
        if names.count(name) > 1:
            raise ImportProblem("ingest.err_field_twice", field=name)
    for spec in kind.fields:
        needed = spec.required and (job.mode != "update" or spec.name == kind.key)
        if needed and spec.name not in names:
            raise ImportProblem("ingest.err_missing_column", field=spec.label_key,
                                example=spec.synonyms[0] if spec.synonyms else spec.name)


# -- SQL ---------------------------------------------------------------------------------------------------
def _q(name: str) -> str:
    """A name from a kind declaration or the catalog, quoted."""
    return quote_identifier(name)


def _c(layer: str, name: str) -> str:
    """The quoted column of field ``name`` in a layer of the plan: ``_c("v", "code")`` → ``"v__code"``."""
    return quote_identifier(f"{layer}__{name}")


def _read_csv_sql(prepared: PreparedFile) -> Fragment:
    """The file's data rows: the records before them (titles, the header) skipped by count, every
    column text named c1..cN (the header is read by decode.py, so a wrapped header cell is fine)."""
    names = [f"c{i + 1}" for i in range(len(prepared.headers))]
    return Fragment("read_csv($csv_path, header = false, skip = $csv_skip, all_varchar = true,"
                    " delim = $csv_delimiter, quote = '\"', escape = '\"', new_line = $csv_newline, names = $csv_names)",
                    {"csv_path": prepared.csv_path, "csv_skip": prepared.skip_records,
                     "csv_delimiter": prepared.delimiter, "csv_newline": prepared.newline, "csv_names": names})


def _not_blank(prepared: PreparedFile) -> str:
    """A row with every cell empty carries nothing (Excel users leave them between blocks): left out.
    (``coalesce`` is the cheapest form of the test: ~0.3 s over 10M rows.)"""
    return "coalesce(" + ", ".join(_q(f"c{i + 1}") for i in range(len(prepared.headers))) + ") IS NOT NULL"


def _source(job: ImportJob) -> Fragment:
    if job.stage_table:  # a name made by stage(), not a user's
        return Fragment(f"SELECT rowid + $first_row AS __row, * FROM {job.stage_table} WHERE {_not_blank(job.file)}",
                        {"first_row": 2 + job.file.row_offset})
    return compose(f"SELECT CAST(NULL AS BIGINT) AS __row, * FROM {{relation}} WHERE {_not_blank(job.file)}",
                   relation=_read_csv_sql(job.file))


def _column_rule(job: ImportJob, spec: FieldSpec) -> tuple[Normaliser, str | None]:
    """The field's rule with the column header's unit applied (金额（万元） scales by 10⁴), and the
    currency the header names for a money field (None when it names none)."""
    header = job.file.headers[job.mapped[spec.name]] if job.file is not None else None
    unit = money_unit(split_unit(header)[1]) if header else None
    if unit is None:
        return spec.rule, None
    rule = spec.rule.scaled(unit.shift) if unit.shift and spec.rule.scaled else spec.rule
    return rule, unit.currency if spec.is_money else None


def customer_code_field(kind: Kind) -> str | None:
    """The field of ``kind`` holding a customer code (the customers' key, or the reference to one)."""
    return kind.customer_ref or (kind.key if kind.table == "customers" else None)


# The store's all-digit codes that begin with a 0 (only those show a width: Excel's lost zeros can be
# restored only where the store keeps them). ``starts_with`` first lets DuckDB skip the blocks whose
# codes all begin otherwise: 0.26 s → 2 ms at 10M customers coded "C…".
_ZERO_CODES = "starts_with(code, '0') AND regexp_full_match(code, '0[0-9]+')"
# The width of the store's customer codes: the most common length of those codes, the longer on a tie;
# none when there is no such code.
_CODE_WIDTH_SQL = (f"SELECT length(code) FROM customers WHERE {_ZERO_CODES} "
                   "GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1")


def code_width(store: Store) -> int | None:
    """The store's customer-code width that ``ImportJob.pad_codes`` restores leading zeros to."""
    cur = store.cursor()
    try:
        return _code_width(cur)
    finally:
        cur.close()


def _code_width(cur) -> int | None:
    row = cur.execute(_CODE_WIDTH_SQL).fetchone()
    return int(row[0]) if row else None


def _plan(cur, job: ImportJob, timezone: str) -> Fragment:
    """``plan_sql`` against the store as ``cur`` sees it (the code width read in the same transaction)."""
    width = _code_width(cur) if customer_code_field(job.kind) in job.mapped else None
    return plan_sql(job, timezone, width)


def _padded(value: str) -> str:
    return (f"CASE WHEN length({value}) < $code_width AND regexp_full_match({value}, '[0-9]+') "
            f"THEN lpad({value}, $code_width, '0') END")


def plan_sql(job: ImportJob, timezone: str, code_width: int | None = None) -> Fragment:
    """The ``w`` query (see module docstring) with its parameters. ``code_width`` is the store's
    customer-code width (``code_width``): without one no code can have lost its leading zeros, and
    the plan does not look for them."""
    kind, mapped = job.kind, job.mapped
    specs = [s for s in kind.fields if s.name in mapped]
    src = _source(job)
    params = dict(src.params)
    params["store_currency"] = store_currency()
    f_cols, v_cols = [], []
    for i, spec in enumerate(specs):
        raw, name = _q(f"c{mapped[spec.name] + 1}"), spec.name
        rule, header_currency = _column_rule(job, spec)
        k, f = _c("k", name), _c("f", name)
        if rule.fast:
            params[f"fast_{i}"] = rule.fast
            f_cols.append(f'regexp_full_match({raw}, $fast_{i}) AS {k}, '
                          f'CASE WHEN {k} THEN {raw} ELSE {sql_fold(raw, rule.fold_width)} END AS {f}')
        else:
            f_cols.append(f'{sql_fold(raw, rule.fold_width)} AS {f}')
        f_cols.append(f'{raw} AS {_c("r", name)}')
        value, error = rule.sql(f)
        if rule.fast:
            fast_value, fast_error = rule.fast_sql(f)
            value = f'CASE WHEN {k} THEN {fast_value} ELSE {value} END'
            error = f'CASE WHEN {k} THEN {fast_error} ELSE {error} END'
        if name in kind.local_time_fields:
            params["timezone"] = valid_timezone(timezone)
            value = f"timezone($timezone, {value})"
        v_cols.append(f'{value} AS {_c("v", name)}, {error} AS {_c("e", name)}')
        if spec.is_money:
            v_cols.append(_currency_columns(rule, spec, i, f, k, header_currency, params))
    # The errors a row's own cells show ("pe__name": blank, not a value), found before the joins so
    # that only values and one flag go through them: carrying the folded texts and the per-field
    # errors through the customer lookup made it spill at 10M customers (issue 18).
    pre_cols = []
    for i, spec in enumerate(specs):
        parts = [_c("e", spec.name)]
        if spec.required or spec.blank_error:
            params[f"blank_{i}"] = spec.blank_error or "err.required"
            parts.insert(0, f"CASE WHEN {_c('f', spec.name)} IS NULL THEN $blank_{i} END")
        pre_cols.append(f'coalesce({", ".join(parts)}) AS {_c("pe", spec.name)}')
    pre_ok = " AND ".join(f'{_c("pe", s.name)} IS NULL' for s in specs)
    code_field = customer_code_field(kind) if customer_code_field(kind) in mapped else None
    pad_layer = "SELECT * FROM v1"
    if code_field and code_width:  # "p__code": the code with its zeros back (NULL when it has all it needs)
        cv = _c("v", code_field)
        params["code_width"] = int(code_width)
        replace = f" REPLACE (coalesce({_padded(cv)}, {cv}) AS {cv})" if job.pad_codes else ""
        pad_layer = f"SELECT *{replace}, {_padded(cv)} AS {_c('p', code_field)} FROM v1"
    joins, x_cols = [], []
    has_existing = kind.key is not None and kind.key in mapped
    if has_existing:
        joins.append(f'LEFT JOIN {_q(kind.table)} t ON t.{_q(kind.key)} = v.{_c("v", kind.key)}')
        x_cols.append(f"t.{_q(kind.table[:-1] + '_id')} AS __existing_id")
        for spec in specs:
            if spec.name != kind.key:
                x_cols.append(f't.{_q(spec.name)} AS {_c("x", spec.name)}')
        for column in kind.existing_columns:
            if column not in mapped:
                x_cols.append(f't.{_q(column)} AS {_c("x", column)}')
    else:
        x_cols.append("CAST(NULL AS BIGINT) AS __existing_id")
    if kind.customer_ref:
        joins.append(f'LEFT JOIN customers rc ON rc.code = v.{_c("v", kind.customer_ref)}')
        x_cols.append("rc.customer_id AS __customer_id")
    if code_field and code_width:  # "z__code": the stored code this one is with its leading zeros back
        joins.append(f"LEFT JOIN (SELECT code FROM customers WHERE {_ZERO_CODES}) zc"
                     f" ON zc.code = v.{_c('p', code_field)}")
        x_cols.append(f"zc.code AS {_c('z', code_field)}")
    elif code_field:
        x_cols.append(f"CAST(NULL AS VARCHAR) AS {_c('z', code_field)}")
    ctx = CheckContext(kind, set(mapped), has_existing)
    if kind.currency_field:
        x_cols.append(f"{_row_currency(kind, specs, ctx)} AS __row_currency")
    checks = {}
    for check in kind.checks:
        if check.field in mapped:
            checks.setdefault(check.field, []).append(check.sql(ctx))
    w_cols, err_cols, post_ok, extra = [], [], [], []
    for spec in specs:
        parts = checks.get(spec.name, []) + _row_rules(job, spec)
        if parts:  # "post__name": the errors found against the store and the other rows
            w_cols.append(f'coalesce({", ".join(parts)}) AS {_c("post", spec.name)}')
            post_ok.append(f'{_c("post", spec.name)} IS NULL')
        err = f'coalesce({_c("pe", spec.name)}, {_c("post", spec.name)})' if parts else _c("pe", spec.name)
        err_cols.append(f'{err} AS {_c("err", spec.name)}')
        if spec.typed_column:
            typed, value = sql_fold(_c("r", spec.name), width=False), _c("v", spec.name)
            w_cols.append(f"CASE WHEN {value} IS NOT NULL AND {typed} IS DISTINCT FROM CAST({value} AS VARCHAR) "
                          f"THEN {typed} END AS {_typed(spec)}")
    if has_existing and job.stage_table:
        extra.append(f'min(__row) OVER (PARTITION BY {_c("v", kind.key)}) AS __first_row')
    else:
        extra.append("CAST(NULL AS BIGINT) AS __first_row")
    changed = " OR ".join(f'({_c("v", s.name)} IS NOT NULL AND {_c("v", s.name)} IS DISTINCT FROM {_c("x", s.name)})'
                          for s in specs if s.name != kind.key) if has_existing else ""
    ok = " AND ".join(["__pre_ok", *post_ok])  # the same as every "err__name" IS NULL, without the "pe__"
    w0 = f"SELECT *, {', '.join(w_cols)} FROM x" if w_cols else "SELECT * FROM x"
    sql = (f"WITH src AS ({src.sql}),\n"
           f"f AS (SELECT __row, {', '.join(f_cols)} FROM src),\n"
           f"v0 AS (SELECT *, {', '.join(v_cols)} FROM f),\n"
           f"v1 AS (SELECT *, {', '.join(pre_cols)}, ({pre_ok}) AS __pre_ok FROM v0),\n"
           f"v AS ({pad_layer}),\n"
           f"x0 AS (SELECT v.*, {', '.join(x_cols)} FROM v {' '.join(joins)}),\n"
           f"x AS (SELECT *, {', '.join(extra)} FROM x0),\n"
           f"w0 AS ({w0}),\n"
           f"w1 AS (SELECT *, {', '.join(err_cols)} FROM w0)\n"
           f"SELECT *, ({ok}) AS __ok,"
           f" {('(' + changed + ')') if changed else 'FALSE'} AS __changed FROM w1")
    return Fragment(sql, params)


def _currency_columns(rule: Normaliser, spec: FieldSpec, i: int, f: str, k: str, header_currency: str | None,
                      params: dict) -> str:
    """The currency of a money field's value ("cur__name": the cell's, else the header's), a cell
    contradicting its header ("hc__name": the error key) and the header's currency ("hcur__name")."""
    header = "CAST(NULL AS VARCHAR)"
    if header_currency:
        params[f"header_currency_{i}"] = header_currency
        header = f"$header_currency_{i}"
    cell = rule.currency_sql(f)
    currency = f"CASE WHEN {f} IS NOT NULL THEN coalesce({cell}, {header}) END"
    if rule.fast:  # a plain number names no currency: skip the regex for it
        currency = f"CASE WHEN {k} THEN {header} ELSE {currency} END"
    conflict = (f"CASE WHEN ({cell}) <> {header} THEN 'err.currency_header_conflict' END" if header_currency
                else "CAST(NULL AS VARCHAR)")
    return (f"{currency} AS {_c('cur', spec.name)}, {conflict} AS {_c('hc', spec.name)}, "
            f"{header} AS {_c('hcur', spec.name)}")


def _row_currency(kind: Kind, specs: list[FieldSpec], ctx: CheckContext) -> str:
    """A row's currency: its currency cell, else the stored customer's, else its first amount's."""
    own = ctx.value(kind.currency_field)
    cells = [_c("cur", s.name) for s in specs if s.is_money]
    return f"coalesce({', '.join([own, ctx.current(kind.currency_field), *cells])})"


def _row_rules(job: ImportJob, spec: FieldSpec) -> list[str]:
    """Errors that depend on other rows, the store or the settings: mode, repeated key, unknown
    customer, a code that lost its leading zeros, an amount in another currency."""
    kind, rules = job.kind, []
    if spec.name == kind.key and job.stage_table:
        rules.append("CASE WHEN __row > __first_row THEN 'ingest.err_code_repeated' END")
    if spec.name == customer_code_field(kind):  # never a customer 1 (skeleton or not) beside a stored 00001
        missing = "__customer_id IS NULL" if spec.name == kind.customer_ref else "__existing_id IS NULL"
        rules.append(f"CASE WHEN {missing} AND {_c('z', spec.name)} IS NOT NULL THEN 'ingest.err_code_lost_zeros' END")
    if spec.name == kind.key:
        if job.mode == "create":
            rules.append("CASE WHEN __existing_id IS NOT NULL THEN 'ingest.err_code_exists' END")
        elif job.mode == "update":
            rules.append("CASE WHEN __existing_id IS NULL THEN 'ingest.err_code_not_found' END")
    if spec.name == kind.customer_ref and not job.create_customers:
        rules.append("CASE WHEN __customer_id IS NULL THEN 'ingest.err_customer_unknown' END")
    if spec.is_money:
        cur = _c("cur", spec.name)
        rules.append(_c("hc", spec.name))
        if kind.currency_field:
            rules.append(f"CASE WHEN {cur} <> __row_currency THEN 'err.currency_mismatch' END")
        else:
            rules.append(f"CASE WHEN {cur} <> $store_currency THEN 'err.currency_not_store' END")
    return rules


def _error_param(job: ImportJob, name: str) -> str:
    """SQL of an error's extra message parameters: the first row of a repeated key, or a JSON object
    (the currencies of a refused amount, the stored code a code would be with its zeros back)."""
    default = "CAST(__first_row AS VARCHAR)" if name == job.kind.key else "CAST(NULL AS VARCHAR)"
    cases = []
    if name == customer_code_field(job.kind):
        cases.append(("ingest.err_code_lost_zeros", f"json_object('padded', {_c('z', name)})"))
    if job.kind.field(name).is_money:
        cur = _c("cur", name)
        cases += [("err.currency_mismatch", f"json_object('currency', {cur}, 'row_currency', __row_currency)")
                  if job.kind.currency_field else
                  ("err.currency_not_store", f"json_object('currency', {cur}, 'store_currency', $store_currency)"),
                  ("err.currency_header_conflict",
                   f"json_object('currency', {cur}, 'header_currency', {_c('hcur', name)})")]
    if not cases:
        return default
    whens = " ".join(f"WHEN '{key}' THEN CAST({value} AS VARCHAR)" for key, value in cases)
    return f"CASE {_c('err', name)} {whens} ELSE {default} END"


def _errors_sql(job: ImportJob, w: Fragment) -> Fragment:
    """One row per (row, field) error of ``w`` (a query or a table name as a Fragment)."""
    parts, params = [], {**w.params, "store_currency": store_currency()}
    for name, index in job.mapped.items():
        param = _error_param(job, name)
        params[f"field_{index}"], params[f"col_{index}"] = name, index
        parts.append(f"""SELECT __row AS row_number, $field_{index} AS field, $col_{index} AS col, {_c("r", name)} AS value,
                          {_c("err", name)} AS key, {param} AS param FROM ({w.sql}) WHERE {_c("err", name)} IS NOT NULL""")
    return Fragment(" UNION ALL ".join(parts), params)


# -- staging -------------------------------------------------------------------------------------------
def _new_table_name(prefix: str) -> str:
    """A name no other import's table has: staged files, scratch, held and rejected rows."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _attach_stage(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {_q(STAGE_DB)}")


class _RowsRejected(Exception):
    """A guarded insert met an invalid row (the optimistic path rolls back and reports)."""


class _NeedsGb18030(Exception):
    """The start of the file was UTF-8 but DuckDB met a non-UTF-8 byte later: decode it and start over."""


def _read(cur, query: Fragment, job: ImportJob):
    """Run a statement that reads the CSV, turning DuckDB's errors into an ImportProblem in our words
    (the file, the row where known, the fix; never DuckDB's English)."""
    try:
        return run(cur, query)
    except duckdb.InvalidInputException as error:
        message = str(error)
        if "Invalid unicode" in message and job.file.encoding == "utf-8":
            raise _NeedsGb18030() from None
        if REJECTED_MARK in message:
            raise _RowsRejected() from None
        raise read_problem(job.file, message) from None
    except duckdb.ConversionException:
        raise ImportProblem("ingest.err_file_value", file=job.file.file_name) from None


def _redecoding(fn):
    """Run ``fn(store, actor?, job, ...)``; if the file turns out not to be UTF-8, decode as GB18030, once."""
    def wrapper(store, *args, **kwargs):
        job = next(a for a in args if isinstance(a, ImportJob))
        try:
            return fn(store, *args, **kwargs)
        except _NeedsGb18030:
            drop_stage(store, job)
            reencode_as_gb18030(job.file)
            return fn(store, *args, **kwargs)
    wrapper.__doc__, wrapper.__name__ = fn.__doc__, fn.__name__
    return wrapper


@_redecoding
def stage(store: Store, job: ImportJob) -> None:
    """Copy the file into an all-VARCHAR staging table (row numbers from ``rowid``); total rows at the
    end of a text file are dropped here, once their row numbers are known, and reported."""
    if job.stage_table:
        return
    cur = store.cursor()
    try:
        _attach_stage(cur)
        # The staging table's name is made here (a random hex suffix), never taken from a user.
        name = f"{STAGE_DB}.{_new_table_name('s')}"
        _read(cur, compose(f"CREATE TABLE {name} AS SELECT * FROM {{relation}}", relation=_read_csv_sql(job.file)),
              job)
        if job.file.trailing_totals:
            _drop_trailing_totals(cur, name, job.file)
        job.stage_table = name
    finally:
        cur.close()


def _drop_trailing_totals(cur, table: str, prepared: PreparedFile) -> None:
    """Delete the total rows the end of a text file showed, if the staged rows agree, and report them by
    row number. ``table`` is a staging table's name made by stage()."""
    (count,) = cur.execute(f"SELECT count(*) FROM {table}").fetchone()
    first = count - prepared.trailing_totals
    if first <= 0:
        return
    tail = cur.execute(f"SELECT rowid, * FROM {table} WHERE rowid >= ? ORDER BY rowid", [first]).fetchall()
    cells = [[value or "" for value in row[1:]] for row in tail]
    if trailing_totals(cells) != len(tail):
        return
    cur.execute(f"DELETE FROM {table} WHERE rowid >= ?", [first])
    rows = [row[0] + 2 + prepared.row_offset for row, c in zip(tail, cells) if not is_blank(c)]
    notice = ("ingest.notice_total_rows", {"rows": number_list(rows)})
    if notice not in prepared.notices:  # a file staged again (validate, then commit) says it once
        prepared.notices.append(notice)


def drop_stage(store: Store, job: ImportJob) -> None:
    if job.stage_table:
        cur = store.cursor()
        try:
            cur.execute(f"DROP TABLE IF EXISTS {job.stage_table}")  # our own name, made by stage()
        finally:
            cur.close()
        job.stage_table = None


# -- validate ------------------------------------------------------------------------------------------
_COUNTS = ("rows_read", "rejected_rows", "to_create", "to_update", "unchanged", "new_customers",
           "pad_codes_would_fix")


def _count_sql(job: ImportJob, relation: Fragment) -> Fragment:
    ref = _c("v", job.kind.customer_ref) if job.kind.customer_ref else "NULL"
    unknown = "__customer_id IS NULL" if job.kind.customer_ref else "FALSE"
    code_field = customer_code_field(job.kind)
    if code_field in job.mapped:
        missing = "__customer_id IS NULL" if code_field == job.kind.customer_ref else "__existing_id IS NULL"
        zeros = f"{_c('z', code_field)} IS NOT NULL" + ("" if job.pad_codes else f" AND {missing}")
    else:
        zeros = "FALSE"
    return compose(f"""SELECT count(*), count(*) FILTER (NOT __ok),
                      count(*) FILTER (__ok AND __existing_id IS NULL),
                      count(*) FILTER (__ok AND __existing_id IS NOT NULL AND __changed),
                      count(*) FILTER (__ok AND __existing_id IS NOT NULL AND NOT __changed),
                      count(DISTINCT {ref}) FILTER (__ok AND {unknown}),
                      count(*) FILTER ({zeros})
               FROM {{relation}}""", relation=relation)


def _counts(cur, job: ImportJob, w: Fragment) -> dict:
    row = _read(cur, _count_sql(job, compose("({w})", w=w)), job).fetchone()
    return dict(zip(_COUNTS, (int(v) for v in row)))


@_redecoding
def validate(store: Store, actor: Actor, job: ImportJob, detail: bool = True) -> Validation:
    """Counts of what a commit would do now; with ``detail``, the errors, duplicates and a diff sample.

    Details need row numbers, so the file is staged first. Raises ImportProblem for whole-file problems.
    """
    actor.require_import()
    check_job(job)
    if detail or job.kind.stage_always:
        stage(store, job)
    cur = store.cursor()
    try:
        _attach_stage(cur)
        w_table = None
        if job.stage_table:
            w_table = f"{job.stage_table}_w"  # made from the staging table's name
            run(cur, compose(f"CREATE OR REPLACE TABLE {w_table} AS {{w}}", w=_plan(cur, job, store.timezone)))
        counts = (_counts(cur, job, _plan(cur, job, store.timezone)) if w_table is None
                  else _counts_from(cur, w_table, job))
        if counts["rows_read"] == 0:
            raise ImportProblem("ingest.err_no_rows")
        result = Validation(**counts)
        if detail and w_table:
            errors = _errors_sql(job, Fragment(f"SELECT * FROM {w_table}"))
            result.errors = run(cur, compose("SELECT * FROM ({errors}) ORDER BY row_number, col LIMIT $limit",
                                             errors=errors, limit=ERROR_SAMPLE)).df()
            result.error_counts = run(cur, compose("SELECT field, key, count(*) AS n FROM ({errors})"
                                                   " GROUP BY ALL ORDER BY n DESC", errors=errors)).df()
            result.duplicates = _duplicates(cur, job, w_table)
            result.diff_sample = _diff_sample(cur, job, w_table)
        if w_table:
            cur.execute(f"DROP TABLE IF EXISTS {w_table}")
        return result
    finally:
        cur.close()


def _counts_from(cur, w_table: str, job: ImportJob) -> dict:
    return dict(zip(_COUNTS, (int(v) for v in run(cur, _count_sql(job, Fragment(w_table))).fetchone())))


def _duplicates(cur, job: ImportJob, w_table: str, limit: int = 500) -> pd.DataFrame:
    """Valid rows whose normalised name and phone match another customer under a different code."""
    if job.kind.name != "customers" or not {"name", "phone"} <= set(job.mapped):
        return pd.DataFrame(columns=["row_number", "code", "name", "phone", "other_code", "other_row"])
    dn = sql_duplicate_name
    return run(cur, Fragment(f"""
        WITH ok AS (SELECT __row, "v__code" AS code, "v__name" AS name, "v__phone" AS phone,
                           {dn('"v__name"')} AS dup_name FROM {w_table} WHERE __ok AND "v__phone" IS NOT NULL)
        SELECT ok.__row AS row_number, ok.code, ok.name, ok.phone, c.code AS other_code,
               CAST(NULL AS BIGINT) AS other_row
        FROM ok JOIN customers c ON c.phone = ok.phone AND {dn('c.name')} = ok.dup_name AND c.code <> ok.code
        UNION ALL
        SELECT a.__row, a.code, a.name, a.phone, b.code, b.__row
        FROM ok a JOIN ok b ON a.phone = b.phone AND a.dup_name = b.dup_name AND a.code <> b.code
                               AND a.__row > b.__row
        ORDER BY row_number, other_row NULLS FIRST, other_code LIMIT $limit""", {"limit": limit})).df()


def _diff_sample(cur, job: ImportJob, w_table: str, rows: int = 20) -> pd.DataFrame:
    """Field-level changes of the first ``rows`` rows that would update a stored row."""
    kind = job.kind
    fields = [n for n in job.mapped if n != kind.key]
    if kind.key is None or kind.key not in job.mapped or not fields:
        return pd.DataFrame(columns=["row_number", "code", "field", "old", "new"])
    sample = (f"SELECT * FROM {w_table} WHERE __ok AND __existing_id IS NOT NULL AND __changed "
              "ORDER BY __row LIMIT $rows")
    parts = [f"""SELECT __row AS row_number, {_c("v", kind.key)} AS code, $field_{i} AS field,
                        CAST({_c("x", n)} AS VARCHAR) AS old, CAST({_c("v", n)} AS VARCHAR) AS new
                 FROM sample WHERE {_c("v", n)} IS NOT NULL AND {_c("v", n)} IS DISTINCT FROM {_c("x", n)}"""
             for i, n in enumerate(fields)]
    params = {"rows": int(rows), **{f"field_{i}": n for i, n in enumerate(fields)}}
    return run(cur, Fragment(f"WITH sample AS ({sample}) " + " UNION ALL ".join(parts) + " ORDER BY row_number, field",
                             params)).df()


# -- commit ----------------------------------------------------------------------------------------------
def _execute(cur, query: Fragment, progress: Progress | None, lo: float, hi: float, label: str,
             job: ImportJob):
    """Run one statement; with ``progress``, report DuckDB's own query progress between lo and hi."""
    if progress is None:
        return _read(cur, query, job)
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = _read(cur, query, job)
        except BaseException as error:  # re-raised on the calling thread
            outcome["error"] = error
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        try:
            done = cur.query_progress()
        except duckdb.Error:
            done = -1
        if done >= 0:
            progress(lo + (hi - lo) * min(done, 100.0) / 100.0, label)
    if "error" in outcome:
        raise outcome["error"]
    progress(hi, label)
    return outcome["result"]


REJECTED_MARK = "kehu:row-rejected"


def _rows_to_write(job: ImportJob, w: Fragment, import_id: int, guard: bool = False) -> tuple[list[str], Fragment]:
    """The target's columns and the SELECT of the valid rows to write in them (a staged job's ends with
    its row number, ``__row``, which has no column); with ``guard``, any invalid row aborts the
    statement instead (one pass, no filter: the optimistic path for clean files)."""
    kind = job.kind
    columns, exprs = [], []
    if kind.customer_ref:
        columns.append("customer_id")
        exprs.append("__customer_id")  # the CTE joins customers again here, so skeletons made earlier count
    for spec in kind.fields:
        if spec.name in job.mapped and spec.name != kind.customer_ref and spec.name != kind.currency_field:
            columns.append(_q(spec.name))
            value = _c("v", spec.name)
            exprs.append(f"coalesce({value}, {spec.default})" if spec.default else value)
            if spec.typed_column:
                columns.append(_q(spec.typed_column))
                exprs.append(_typed(spec))
    if kind.currency_field:  # the row's own, else its amounts', else the store's
        columns.append(_q(kind.currency_field))
        exprs.append("coalesce(__row_currency, $store_currency)")
    columns.append("import_id")
    exprs.append("$import_id")
    new_only = " AND __existing_id IS NULL" if kind.key else ""
    if guard:
        exprs[0] = f"CASE WHEN __ok THEN {exprs[0]} ELSE error($rejected_mark) END"
        return columns, compose(f"SELECT {', '.join(exprs)} FROM ({{w}})", w=w, import_id=int(import_id),
                                rejected_mark=REJECTED_MARK)
    if job.stage_table:
        exprs.append("__row")
    return columns, compose(f"SELECT {', '.join(exprs)} FROM ({{w}}) WHERE __ok{new_only}", w=w,
                            import_id=int(import_id))


def _write_rows(cur, job: ImportJob, w: Fragment, import_id: int, guard: bool, progress: Progress | None,
                lo: float, hi: float) -> int:
    """Write the valid rows of ``w`` into the kind's table; the number written.

    Two statements, both on every core: the checked rows into a scratch table, then into the target
    with ids drawn from its sequence in one step. Drawn row by row, by the column's
    ``DEFAULT nextval(…)``, DuckDB wrote on one core: 12.7 s for 10M rows against 7.2 s this way
    (issue 18). A staged job's ids follow its row numbers, so the file's order (a row not written:
    rejected, blank, or updating a stored customer, leaves its id unused); the one pass straight
    from the CSV has no row numbers, and its rows are numbered as they come out of the customer
    lookup, a hash join, which keeps no order.
    """
    columns, rows = _rows_to_write(job, w, import_id, guard)
    scratch = _new_table_name("w")  # a TEMP table (a transaction writes one database besides it)
    middle = lo + (hi - lo) * 0.6
    _execute(cur, compose(f"CREATE TEMP TABLE {scratch} AS {{rows}}", rows=rows), progress, lo, middle,
             "ingest.stage_writing", job)
    if job.stage_table:  # ids by the file's rows
        (count, first_row, last_row) = cur.execute(f"SELECT count(*), min(__row), max(__row) FROM {scratch}").fetchone()
        number, params, values = "__row - $first_row", {"first_row": first_row}, "* EXCLUDE (__row)"
        span = last_row - first_row + 1 if count else 0
    else:  # ids in the order the rows left the customer lookup
        (count,) = cur.execute(f"SELECT count(*) FROM {scratch}").fetchone()
        number, params, values, span = "row_number() OVER () - 1", {}, "*", count
    id_column = _id_column(cur, job.kind.table)
    if count and id_column:
        column, sequence = id_column
        write = Fragment(f"INSERT INTO {_q(job.kind.table)} ({_q(column)}, {', '.join(columns)}) "
                         f"SELECT $first_id + {number}, {values} FROM {scratch}",
                         {"first_id": _reserve_ids(cur, sequence, span), **params})
    else:
        write = Fragment(f"INSERT INTO {_q(job.kind.table)} ({', '.join(columns)}) SELECT {values} FROM {scratch}")
    _execute(cur, write, progress, middle, hi, "ingest.stage_writing", job)
    cur.execute(f"DROP TABLE {scratch}")
    return int(count)


_NEXTVAL = re.compile(r"^nextval\('([A-Za-z_][A-Za-z0-9_]*)'\)$")


def _id_column(cur, table: str) -> tuple[str, str] | None:
    """``table``'s id column and the sequence its default draws from (``DEFAULT nextval('…')`` in the
    migrations), or None when it has none."""
    for column, default in cur.execute(
            "SELECT column_name, column_default FROM duckdb_columns() WHERE database_name = current_database()"
            " AND schema_name = 'main' AND table_name = ? AND column_default LIKE 'nextval(%'", [table]).fetchall():
        found = _NEXTVAL.match(default)
        if found:
            return column, found.group(1)
    return None


def _reserve_ids(cur, sequence: str, count: int) -> int:
    """The first of ``count`` consecutive new values of ``sequence``, drawn at once. Only under the
    store's write lock: no other write draws from the sequence between the two statements."""
    (first,) = cur.execute("SELECT nextval(?)", [sequence]).fetchone()
    if count > 1:
        cur.execute("SELECT setval(?, ?)", [sequence, first + count - 1])
    return int(first)


def _typed(spec: FieldSpec) -> str:
    """The cell as typed (outer spaces trimmed) when it differs from the stored value, else NULL."""
    return _c("typed", spec.name)


def _backup_and_update(cur, job: ImportJob, w: Fragment, import_id: int) -> None:
    kind, table = job.kind, _q(job.kind.table)
    backup_cols = [_q(c) for (c,) in cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'import_customer_backups'"
        " AND column_name <> 'backup_import_id' ORDER BY ordinal_position").fetchall()]
    targets = "SELECT __existing_id FROM ({w}) WHERE __ok AND __existing_id IS NOT NULL AND __changed"
    run(cur, compose(f"INSERT INTO import_customer_backups (backup_import_id, {', '.join(backup_cols)}) "
                     f"SELECT $import_id, {', '.join('c.' + c for c in backup_cols)} FROM {table} c "
                     f"WHERE c.customer_id IN ({targets})", w=w, import_id=int(import_id)))
    fields = [n for n in job.mapped if n != kind.key]
    sets = ", ".join(f'{_q(n)} = coalesce(u.{_c("v", n)}, {table}.{_q(n)})' for n in fields)
    for spec in kind.fields:
        if spec.name in fields and spec.typed_column:  # what was typed goes with the value it gave
            sets += (f', {_q(spec.typed_column)} = CASE WHEN u.{_c("v", spec.name)} IS NULL '
                     f'THEN {table}.{_q(spec.typed_column)} ELSE u.{_typed(spec)} END')
    run(cur, compose(f"UPDATE {table} SET {sets}, version = {table}.version + 1, updated_at = current_timestamp "
                     "FROM (SELECT * FROM ({w}) WHERE __ok AND __existing_id IS NOT NULL AND __changed) u "
                     f"WHERE {table}.customer_id = u.__existing_id", w=w))


def _hold_checked_rows(cur, job: ImportJob, w: Fragment) -> str | None:
    """A small staged file's checked rows, held in a temporary table (its name) that the commit's
    counts, rejects, updates and writes then read, or None: they check the file each time. The
    checking query is ~90 kB of SQL that DuckDB takes ~0.6 s to plan, whatever the file's size, so a
    three-row import spent seconds planning it again for each step. Not held: a big file (the rows
    would be written twice) and a file whose rows create their missing customers (the write must look
    those customers up again after making them)."""
    if (job.stage_table is None or job.file.size_bytes >= STAGE_BELOW_BYTES
            or (job.kind.customer_ref and job.create_customers)):
        return None
    held = _new_table_name("c")
    _read(cur, compose(f"CREATE TEMP TABLE {held} AS {{w}}", w=w), job)
    return held


def _write_rejects(cur, job: ImportJob, w: Fragment, import_id: int) -> None:
    """Each error of the rejected rows into ``import_rejects``. The rejected rows are checked once,
    into a temporary table, and their errors read from it a field at a time: naming the checking
    query once per field made DuckDB plan a query of ~800 kB, 4.5 s for a 13-row file."""
    rejected = _new_table_name("r")
    run(cur, compose(f"CREATE TEMP TABLE {rejected} AS SELECT * FROM ({{w}}) WHERE NOT __ok", w=w))
    try:
        headers = [h or f"#{i + 1}" for i, h in enumerate(job.file.headers)]
        run(cur, compose("INSERT INTO import_rejects (import_id, row_number, column_name, field, value, message_key,"
                         " param) SELECT $import_id, row_number, list_extract($headers, col + 1), field, value,"
                         " key, param FROM ({errors})",
                         errors=_errors_sql(job, Fragment(f"SELECT * FROM {rejected}")), import_id=import_id,
                         headers=headers))
    finally:
        cur.execute(f"DROP TABLE {rejected}")


@_redecoding
def commit(store: Store, actor: Actor, job: ImportJob, progress: Progress | None = None) -> ImportResult:
    """Write the job in ONE transaction and record it (``imports``, its rejects, the audit log).

    Raises ImportRejected (nothing written) when rows fail and ``skip_invalid`` is off, ImportProblem
    for whole-file problems. Staged jobs are counted first; an unstaged append (a clean transaction
    file of ``STAGE_BELOW_BYTES`` or more, the common big case) is written optimistically and rolled
    back if any row was left out, which saves a pass over the file. ``skip_invalid`` stages (rejects
    need row numbers).
    """
    actor.require_import()
    check_job(job)
    if job.skip_invalid or job.kind.stage_always or job.file.must_stage or job.file.size_bytes < STAGE_BELOW_BYTES:
        stage(store, job)
    optimistic = job.stage_table is None and job.kind.key is None
    started = time.perf_counter()
    note = progress or (lambda fraction, label: None)
    with store.transaction() as cur:
        _attach_stage(cur)
        if progress is not None:
            cur.execute("SET enable_progress_bar = true")
            cur.execute("SET enable_progress_bar_print = false")
        note(0.0, "ingest.stage_checking")
        w = _plan(cur, job, store.timezone)
        held = _hold_checked_rows(cur, job, w)
        if held:  # the plan's parameters stay: the statements below use some of them too
            w = Fragment(f"SELECT * FROM {held}", w.params)
        counts = None if optimistic else _checked_counts(cur, job, w)
        (import_id,) = cur.execute(
            "INSERT INTO imports (actor, file_name, sha256, kind, mode, encoding, file_bytes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING import_id",
            [actor.name, job.file.file_name, job.file.sha256, job.kind.name, job.mode, job.file.encoding,
             job.file.size_bytes]).fetchone()
        if counts and counts["rejected_rows"]:  # before writing: the rows written would change the verdicts
            _write_rejects(cur, job, w, int(import_id))
        customers_created = 0
        if job.kind.customer_ref and job.create_customers and (counts is None or counts["new_customers"]):
            ref = _c("v", job.kind.customer_ref)
            (customers_created,) = _read(
                cur, compose(f"INSERT INTO customers (code, name, import_id) SELECT DISTINCT {ref}, {ref}, $import_id"
                             " FROM ({w}) WHERE __ok AND __customer_id IS NULL", w=w, import_id=int(import_id)),
                job).fetchone()
        if job.kind.key and counts["to_update"]:
            _backup_and_update(cur, job, w, import_id)
        note(0.05 if optimistic else 0.3, "ingest.stage_writing")
        try:
            inserted = _write_rows(cur, job, w, import_id, optimistic, progress, 0.05 if optimistic else 0.3, 0.95)
        except _RowsRejected:
            raise ImportRejected(Validation(0, 0, 0, 0)) from None  # counted by validate() afterwards
        if held:
            cur.execute(f"DROP TABLE {held}")
        if optimistic:
            if not inserted:
                raise ImportProblem("ingest.err_no_rows")
            counts = dict(rows_read=int(inserted), rejected_rows=0, to_create=int(inserted), to_update=0,
                          unchanged=0, new_customers=0, pad_codes_would_fix=0)
        if job.kind.table == "transactions":  # the summaries move in the same transaction (crm_core.summaries)
            summaries.add_rows(cur, Fragment("import_id = $summarised_import", {"summarised_import": int(import_id)}))
        cur.execute("UPDATE imports SET rows_created = ?, rows_updated = ?, rows_rejected = ?, rows_read = ?"
                    " WHERE import_id = ?",
                    [counts["to_create"], counts["to_update"], counts["rejected_rows"], counts["rows_read"],
                     import_id])
        write_audit(cur, actor, "import", "import", import_id, job.kind.name, None, job.file.file_name)
        if job.kind.table == "customers" or customers_created:
            refresh_name_initials(cur, _written_customers(import_id))
    if job.kind.after_commit is not None:
        _after_commit(store, actor, job, int(import_id))
    note(1.0, "ingest.stage_done")
    return ImportResult(int(import_id), counts["rows_read"], counts["to_create"], counts["to_update"],
                        counts["rejected_rows"], int(customers_created), time.perf_counter() - started)


def _written_customers(import_id: int) -> Fragment:
    """The customers an import created or updated (its backups are the updated ones' old rows)."""
    return Fragment("import_id = $written_by OR customer_id IN (SELECT customer_id FROM import_customer_backups"
                    " WHERE backup_import_id = $written_by)", {"written_by": int(import_id)})


def _after_commit(store: Store, actor: Actor, job: ImportJob, import_id: int) -> None:
    """The kind's follow-up work; if it refuses the rows (an error with a catalog key), the import is
    undone as a whole and the user gets that message, so nothing is left half-imported."""
    try:
        job.kind.after_commit(store, actor, import_id)
    except Exception as error:
        key = getattr(error, "key", None)
        if key is None:
            raise
        undo_import(store, actor, import_id)
        raise ImportProblem(key, **getattr(error, "params", {})) from None


def _checked_counts(cur, job: ImportJob, w: Fragment) -> dict:
    counts = _counts(cur, job, w)
    if counts["rows_read"] == 0:
        raise ImportProblem("ingest.err_no_rows")
    if counts["rejected_rows"] and not job.skip_invalid:
        raise ImportRejected(Validation(**counts))
    return counts


# -- undo and history --------------------------------------------------------------------------------
def undo_import(store: Store, actor: Actor, import_id: int) -> dict:
    """Remove the rows an import created and restore the rows it updated, in one transaction.

    Refused (ImportProblem) when already undone, when a later import changed the same customers
    and is still in place (undo that first), or when other data now refers to customers it created.
    Returns what was done: customers removed, customers restored, transactions and interactions removed.
    """
    actor.require_import()
    import_id = int(import_id)
    with store.transaction() as cur:
        kind_name = _undoable_kind(cur, import_id)
        removed = _undo_counts(cur, import_id, kind_name)
        own = _own_rows_table(kind_name)
        with _summaries_recomputed(cur, import_id, removed["transactions"]):
            for table in ("transactions", "interactions", *((own,) if own else ())):  # from kind declarations
                cur.execute(f"DELETE FROM {_q(table)} WHERE import_id = ?", [import_id])
        _restore_backups(cur, import_id)
        cur.execute("DELETE FROM customers WHERE import_id = ?", [import_id])
        cur.execute("UPDATE imports SET undone_at = current_timestamp, undone_by = ? WHERE import_id = ?",
                    [actor.name, import_id])
        write_audit(cur, actor, "undo", "import", import_id, kind_name)
    return removed


def _summaries_recomputed(cur, import_id: int, transactions: int):
    """Around undo's deletes: the customer summaries of the transactions removed are recomputed
    (crm_core.summaries); nothing to do when the import brought none."""
    if not transactions:
        return nullcontext()
    return summaries.recomputing(cur, Fragment("import_id = $undone_import", {"undone_import": int(import_id)}))


def _undoable_kind(cur, import_id: int) -> str:
    """The kind of import ``import_id`` when it can be undone now; ImportProblem saying why not otherwise
    (the checks of ``undo_import``, shared with ``undo_preview``; they only read)."""
    row = cur.execute("SELECT kind, undone_at FROM imports WHERE import_id = ?", [import_id]).fetchone()
    if row is None:
        raise ImportProblem("ingest.err_import_not_found", import_id=import_id)
    kind_name, undone_at = row
    if undone_at is not None:
        raise ImportProblem("ingest.err_already_undone", import_id=import_id)
    if get_kind(kind_name).after_commit is not None:  # promises: the ledger only grows, rows are never deleted
        raise ImportProblem("ingest.err_undo_append_only", import_id=import_id)
    touched = ("SELECT customer_id FROM customers WHERE import_id = $import_id UNION "
               "SELECT customer_id FROM import_customer_backups WHERE backup_import_id = $import_id")
    (later,) = cur.execute(
        "SELECT min(b.backup_import_id) FROM import_customer_backups b JOIN imports i"
        " ON i.import_id = b.backup_import_id WHERE b.backup_import_id > $import_id AND i.undone_at IS NULL"
        " AND b.customer_id IN (" + touched + ")", {"import_id": import_id}).fetchone()
    if later is not None:
        raise ImportProblem("ingest.err_undo_later_first", later=int(later))
    (refs,) = cur.execute(
        "SELECT (SELECT count(*) FROM transactions WHERE customer_id IN (SELECT customer_id FROM customers"
        " WHERE import_id = $1) AND import_id IS DISTINCT FROM $1)"
        " + (SELECT count(*) FROM interactions WHERE customer_id IN (SELECT customer_id FROM customers"
        " WHERE import_id = $1) AND import_id IS DISTINCT FROM $1)"
        " + (SELECT count(*) FROM key_dates WHERE customer_id IN (SELECT customer_id FROM customers"
        " WHERE import_id = $1))", [import_id]).fetchone()
    if refs:
        raise ImportProblem("ingest.err_undo_referenced", count=int(refs))
    return kind_name


CORE_TABLES = ("customers", "transactions", "interactions")


def _own_rows_table(kind_name: str) -> str | None:
    """The table of a capability's kind (churn events, survey answers) whose rows carry the import's
    id and go with its undo; None for the core kinds (undone table by table above)."""
    table = get_kind(kind_name).table
    return None if table in CORE_TABLES else table


def _undo_counts(cur, import_id: int, kind_name: str) -> dict:
    """What undoing ``import_id`` removes or restores, counted before anything is written; ``rows``:
    the rows of a capability's own table (0 for the core kinds)."""
    (transactions, interactions, restored, customers) = cur.execute(
        "SELECT (SELECT count(*) FROM transactions WHERE import_id = $1),"
        " (SELECT count(*) FROM interactions WHERE import_id = $1),"
        " (SELECT count(*) FROM import_customer_backups WHERE backup_import_id = $1),"
        " (SELECT count(*) FROM customers WHERE import_id = $1)", [import_id]).fetchone()
    own = _own_rows_table(kind_name)
    (rows,) = cur.execute(f"SELECT count(*) FROM {_q(own)} WHERE import_id = ?", [import_id]).fetchone() \
        if own else (0,)
    return {"transactions": int(transactions), "interactions": int(interactions), "restored": int(restored),
            "customers": int(customers), "rows": int(rows)}


def _restore_backups(cur, import_id: int) -> int:
    columns = [c for (c,) in cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'import_customer_backups'"
        " AND column_name NOT IN ('backup_import_id', 'customer_id', 'code', 'version', 'updated_at', 'created_at',"
        " 'import_id') AND column_name IN (SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'customers') ORDER BY ordinal_position").fetchall()]
    (count,) = cur.execute("SELECT count(*) FROM import_customer_backups WHERE backup_import_id = ?",
                           [import_id]).fetchone()
    if count:
        sets = ", ".join(f"{_q(c)} = b.{_q(c)}" for c in columns)  # names from the catalog
        cur.execute(f"UPDATE customers SET {sets}, version = customers.version + 1, updated_at = current_timestamp "
                    "FROM (SELECT * FROM import_customer_backups WHERE backup_import_id = ?) b "
                    "WHERE customers.customer_id = b.customer_id", [import_id])
    return int(count)


def import_history(store: Store, actor: Actor, limit: int = 200) -> pd.DataFrame:
    """The latest imports, newest first, as ``actor`` may read them (``access.RULES["imports"]``:
    none for a rep, who does not import and must not learn other reps' files)."""
    return store.query_df(
        "SELECT import_id, imported_at, actor, file_name, kind, mode, encoding, rows_read, rows_created,"
        " rows_updated, rows_rejected, sha256, undone_at, undone_by FROM imports ORDER BY import_id DESC LIMIT ?",
        [int(limit)], actor=actor)


def rejected_rows(store: Store, actor: Actor, import_id: int) -> pd.DataFrame:
    """The cells import ``import_id`` left out, as ``actor`` may read them
    (``access.RULES["import_rejects"]``: none for a rep; a rejected contact detail masked for a viewer)."""
    return store.query_df("SELECT row_number, column_name, field, value, message_key, param FROM import_rejects"
                          " WHERE import_id = ? ORDER BY row_number, column_name", [int(import_id)], actor=actor)


# -- messages ---------------------------------------------------------------------------------------------
def message_params(job_kind: Kind, field_name: str, value, param) -> dict:
    """Parameters of an error's message: the rule's, the value as ``code``, and the error's ``param``
    (the first row of a repeated key, or a JSON object such as {"currency": "USD", "store_currency":
    "CNY"} or {"padded": "00001"})."""
    spec = job_kind.field(field_name)
    params = {k: v for k, v in spec.rule.params.items() if v is not None}
    params.update(code=value if value is not None else "", first_row="", currency="", store_currency="",
                  row_currency="", header_currency="", padded="")
    if isinstance(param, str) and param.startswith("{"):
        params.update({k: v for k, v in json.loads(param).items() if v is not None})
    else:
        params["first_row"] = param or ""
    return params


def error_message(kind: Kind, field_name: str, key: str, value, param, lang: str) -> str:
    params = message_params(kind, field_name, value, param)
    if "expected" in params and key == "err.choice":  # the allowed values as labels, not stored codes
        params["expected"] = choices_text(stored_choices(params["expected"]), lang, params.get("choice_prefix"))
    return t(key, lang, **params)


def error_report(kind: Kind, errors: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Errors as the user reads them: row (as Excel numbers it), column (the file's header), value, problem.

    ``errors`` has row_number, field, column_name (or col + headers resolved by the caller), value, key, param.
    """
    if errors.empty:
        return pd.DataFrame(columns=[t("ingest.col_row", lang), t("ingest.col_column", lang),
                                     t("ingest.col_value", lang), t("ingest.col_problem", lang)])
    problems = [error_message(kind, f, k, v if v == v else None, p if p == p else None, lang)
                for f, k, v, p in zip(errors["field"], errors["key"], errors["value"], errors["param"])]
    return pd.DataFrame({
        t("ingest.col_row", lang): errors["row_number"].astype("int64"),
        t("ingest.col_column", lang): errors["column_name"],
        t("ingest.col_value", lang): errors["value"],
        t("ingest.col_problem", lang): problems,
    })


def with_column_names(job: ImportJob, errors: pd.DataFrame) -> pd.DataFrame:
    out = errors.copy()
    out["column_name"] = [job.file.headers[int(c)] or f"#{int(c) + 1}" for c in out["col"]] if len(out) else []
    return out


def error_lines(job: ImportJob, errors: pd.DataFrame, lang: str, limit: int = 50) -> list[str]:
    """One sentence per problem: row, column, value and reason with its fix."""
    lines = []
    for row in with_column_names(job, errors.head(limit)).itertuples(index=False):
        value = row.value if isinstance(row.value, str) else ""
        reason = error_message(job.kind, row.field, row.key, value, row.param if isinstance(row.param, str) else None,
                               lang)
        lines.append(t("ingest.error_line", lang, row=int(row.row_number), column=row.column_name, value=value,
                       reason=reason))
    return lines


def problem_text(problem: ImportProblem, lang: str) -> str:
    params = dict(problem.params)
    if "field" in params and str(params["field"]).startswith("field."):
        params["field"] = t(params["field"], lang)
    return t(problem.key, lang, **params)


def valid_timezone(name: str) -> str:
    if name not in available_timezones():
        raise ValueError(f"{name!r} is not an IANA time zone")
    return name


def preview_rows(store: Store, prepared: PreparedFile, limit: int = 20) -> pd.DataFrame:
    """The first rows of the file as text (an empty cell is ""), under unique names made from the file's
    headers (``备注 (F)`` for a header used twice); total rows at the end of a short file are left out
    as the import does."""
    totals = prepared.trailing_totals
    cur = store.cursor()
    try:
        frame = _read(cur, compose("SELECT * FROM {relation} LIMIT $limit", relation=_read_csv_sql(prepared),
                                   limit=int(limit) + totals + 1),
                      ImportJob(None, prepared, {})).df()  # type: ignore[arg-type]
    finally:
        cur.close()
    frame = frame.iloc[:, :len(prepared.headers)]
    frame = frame.iloc[:limit] if len(frame) > limit + totals else frame.iloc[:max(len(frame) - totals, 0)]
    frame.columns = prepared.column_names
    return frame.fillna("")


def undo_preview(store: Store, actor: Actor, import_id: int) -> dict:
    """What ``undo_import`` would do now, without writing: ``customers`` (created, to be deleted),
    ``restored`` (customers it updated, to get their previous values back), ``transactions`` and
    ``interactions`` (to be deleted), ``rows`` (a capability kind's own rows, to be deleted), ``kind``,
    and ``refused``: None, or the ImportProblem undo would raise (already undone, a later import
    first, data referring to its customers, an append-only kind) — the same checks."""
    actor.require_import()
    import_id = int(import_id)
    cur = store.cursor()
    try:
        try:
            _undoable_kind(cur, import_id)
            refused = None
        except ImportProblem as problem:
            refused = problem
        row = cur.execute("SELECT kind FROM imports WHERE import_id = ?", [import_id]).fetchone()
        if row is None:
            return {"refused": refused}
        return {**_undo_counts(cur, import_id, row[0]), "kind": row[0], "refused": refused}
    finally:
        cur.close()
