"""Models fitted in the background and kept (issue 18): BG/NBD + Gamma-Gamma, purchase rhythms,
the replenishment forecast.

A fit takes seconds at a million customers, so no page fits one. A capability names each model it
fits in a ``Fitter`` (the model's name, its table of per-customer rows and ``compute(cur, as_of)``
returning the parameters and the rows); its scheduled job (``refit_job``) keeps the fits current:

- every minute it compares each model's newest fit for the default analysis date
  (crm_core.analysis_date) with the transactions' data version (crm_core.data_version) and refits
  the stale ones, one model at a time, and every fit a page asked for (``request``: another
  analysis date, or a model not fitted yet);
- a fit is computed on a read snapshot (the version is read in the same transaction as the data,
  so a write during the fit leaves it stale, never wrong); its rows are written as they are
  computed, ``FIT_CHUNK_ROWS`` at a time in short transactions under a fit_id no header names yet
  (so memory stays bounded at ten million customers and no reader sees them), then its header row
  (``model_fits``: data version, last purchase day seen, when, how long, parameters) in one short
  transaction; only the newest fit of a (model, date) is kept, and the fits of at most
  ``KEPT_DATES`` dates per model; rows without a header (a fit that died) are pruned;
- in the last hour of the store's day (``FIT_AHEAD``) it also fits the next day's default date, so
  that at midnight, when the pages' default date moves on, they find a fit instead of computing
  live until the job has caught up (at ten million customers ~5 minutes of 7-s pages). A fit for a
  later date than today does not count against the kept dates, so today's stays until midnight.

Pages read ``state(cur, model, as_of)``: the newest fit (possibly stale, still shown with its age)
and whether a refit is pending; they never wait for one. Tests and the command line fit directly
with ``fit_now(store, now)``.
"""
from __future__ import annotations

import json
import time as monotonic_clock
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import pyarrow as pa

from crm_core.analysis_date import data_span, default_from_span
from crm_core.data_version import TRANSACTIONS, current
from crm_core.sql import quote_identifier
from crm_core.store import Store

KEPT_DATES = 3  # per model: the default analysis date's fit and those of the two dates asked for last
FIT_AHEAD = timedelta(hours=1)  # how long before the store's midnight the job fits the next day's date
FIT_LEASE = timedelta(minutes=30)  # a fit job's lease: longer than a fit at ten million customers
FIT_CHUNK_ROWS = 500_000  # rows a fit writes at a time: a few tens of MB, whatever the store size
FIT_RANGE_CUSTOMERS = 1_000_000  # customers a fit aggregates at a time (customer_ranges)
EMPTY = "empty"  # params of a fit that found nothing to fit (Fit.empty)


def customer_ranges(cur, size: int = FIT_RANGE_CUSTOMERS) -> list[tuple[int, int]]:
    """Consecutive customer_id ranges (lo, hi], in order, together covering every id (whatever
    the tables hold), each holding about ``size`` of the customers on file.
    A fit that groups every transaction by customer in one query needs memory for ten million
    groups at once (at 10M customers it ran out of DuckDB's 2 GiB); range by range it needs a
    tenth of that, for one more scan of the transactions per range."""
    bounds = [row[0] for row in cur.execute(
        "SELECT customer_id FROM (SELECT customer_id, row_number() OVER (ORDER BY customer_id) AS n"
        " FROM customers) WHERE n % ? = 0 ORDER BY customer_id", [int(size)]).fetchall()]
    edges = [-(2 ** 63), *bounds, 2 ** 63 - 1]
    return [(lo, hi) for lo, hi in zip(edges, edges[1:]) if lo < hi]


@dataclass(frozen=True)
class Fitter:
    """One model a capability fits: ``model`` (its name in model_fits), ``table`` (the fit_* table
    of its rows, whose columns after fit_id are ``compute``'s frame's, in order) and
    ``compute(cur, as_of) -> (params, rows)`` on a read cursor over the whole store; ``rows`` is a
    frame, an Arrow table or stream, or an iterable of them in order (read lazily: chunk by chunk,
    so no model holds all its rows at once). ``kept_dates``: how many dates' fits to keep (fewer
    for a model with wide rows that pages never ask for at another date). ``fresh(store, cur, fit)``:
    for a model that also reads data without a data version, whether ``fit`` (made on the
    transactions as they are) still matches that data as ``cur`` sees it (None: the transactions'
    version alone decides); the job refits when it does not. ``dated``: whether the rows depend on
    the analysis date (False: the date is only the fit's key, so nothing is fitted ahead of midnight)."""

    model: str
    table: str
    compute: Callable[[object, date], tuple[Mapping, pd.DataFrame]]
    kept_dates: int = KEPT_DATES
    fresh: Callable[[Store, object, Fit], bool] | None = None
    dated: bool = True


@dataclass(frozen=True)
class Fit:
    """A kept fit: what it was fitted on and when, and its parameters."""

    fit_id: int
    model: str
    as_of: date
    data_version: int
    data_through: date | None
    fitted_at: datetime
    seconds: float
    params: dict

    @property
    def empty(self) -> bool:
        """Nothing to fit on that date (no purchases up to it): the page says there is no data."""
        return bool(self.params.get(EMPTY))


@dataclass(frozen=True)
class FitState:
    """What a page shows: the newest ``fit`` of a model for a date (None: none yet), the data version
    now, and when a refit was asked for (None: nobody is waiting for one)."""

    fit: Fit | None
    data_version: int
    requested_at: datetime | None

    @property
    def stale(self) -> bool:
        """Newer data than the fit's exists (the fit is still shown, with a note)."""
        return self.fit is not None and self.fit.data_version != self.data_version

    @property
    def current(self) -> Fit | None:
        """The fit when it was made on the data as it is now and found something to fit, else None."""
        return self.fit if self.fit is not None and not self.stale and not self.fit.empty else None


_FIT_COLUMNS = "fit_id, model, as_of, data_version, data_through, fitted_at, seconds, params"


def _fit_of(row) -> Fit:
    fit_id, model, as_of, version, through, fitted_at, seconds, params = row
    return Fit(int(fit_id), model, as_of, int(version), through, fitted_at, float(seconds), json.loads(params))


def latest_fit(cur, model: str, as_of: date) -> Fit | None:
    """The newest kept fit of ``model`` for ``as_of``, or None."""
    rows = cur.execute(f"SELECT {_FIT_COLUMNS} FROM model_fits WHERE model = ? AND as_of = ?"
                       " ORDER BY fit_id DESC LIMIT 1", [model, as_of]).fetchall()
    return _fit_of(rows[0]) if rows else None


def fit_by_id(cur, fit_id: int) -> Fit | None:
    """A kept fit by its id (None once a newer one replaced it)."""
    rows = cur.execute(f"SELECT {_FIT_COLUMNS} FROM model_fits WHERE fit_id = ?", [int(fit_id)]).fetchall()
    return _fit_of(rows[0]) if rows else None


def state(cur, model: str, as_of: date) -> FitState:
    """The newest fit of ``model`` for ``as_of``, the data version now and any pending request:
    three small reads, no cache needed."""
    (requested,) = cur.execute("SELECT max(requested_at) FROM model_fit_requests WHERE model = ? AND as_of = ?",
                               [model, as_of]).fetchall()[0]
    return FitState(latest_fit(cur, model, as_of), current(cur, TRANSACTIONS), requested)


def current_fit(cur, model: str, as_of: date) -> Fit | None:
    """The fit of ``model`` for ``as_of`` made on the transactions as ``cur`` sees them now, or None
    (none yet, stale, or empty): for results a page can also compute live with the same answers.
    Read it and its rows in one snapshot (a refit landing meanwhile prunes the older rows)."""
    return state(cur, model, as_of).current


def read_current(cur, model: str, as_of: date, read: Callable[[Fit], object]):
    """``read(fit)`` with the current fit of ``model`` for ``as_of`` (``current_fit``), or None when
    there is none (the caller computes live). ``cur`` (not in a transaction: a user's scoped cursor
    or a system one) reads the header and the rows in one snapshot, so a refit landing meanwhile,
    which prunes the older fit's rows, cannot leave the header found without its rows."""
    cur.execute("BEGIN TRANSACTION")
    try:
        fit = current_fit(cur, model, as_of)
        return None if fit is None else read(fit)
    finally:
        cur.execute("ROLLBACK")  # read only


def request(store: Store, model: str, as_of: date, now: datetime) -> datetime:
    """Ask for a (re)fit of ``model`` for ``as_of``; returns when it was first asked for (a second
    ask keeps the first time). The caller makes the fit job due (crm_core.scheduler.request_run)."""
    with store.transaction(changes_data=False) as cur:
        cur.execute("INSERT INTO model_fit_requests (model, as_of, requested_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING", [model, as_of, now])
        (first,) = cur.execute("SELECT requested_at FROM model_fit_requests WHERE model = ? AND as_of = ?",
                               [model, as_of]).fetchall()[0]
    return first


def fit_one(store: Store, fitter: Fitter, as_of: date, now: datetime) -> Fit:
    """Fit ``fitter``'s model for ``as_of``, starting at ``now``, and keep it (see the module
    docstring); its fitted_at is when it finished (``now`` + its duration).

    The rows are written a chunk at a time as the model yields them (``Fitter``: a frame, an Arrow
    table or stream, or an iterable of chunks), each chunk in its own short write, so neither this
    process nor a writer waiting on the write lock holds ten million rows at once; the header row
    is written last, so a reader never sees part of a fit."""
    started = monotonic_clock.monotonic()
    table = quote_identifier(fitter.table)
    with store.transaction(changes_data=False) as cur:
        (fit_id,) = cur.execute("SELECT nextval('model_fit_id_seq')").fetchall()[0]
    rows = None
    with closing(store.system_cursor()) as cur:
        cur.execute("BEGIN TRANSACTION")  # one snapshot: the version and the data it fits agree
        try:
            version = current(cur, TRANSACTIONS)
            (through,) = cur.execute("SELECT max(txn_date) FROM transactions WHERE txn_date <= ?", [as_of]).fetchall()[0]
            try:
                params, rows = fitter.compute(cur, as_of)
            except ValueError:  # nothing to fit (no purchases up to as_of): kept as such, so no page waits
                params, rows = {EMPTY: True}, None
            for chunk in _chunks(rows):  # computed lazily: each chunk read from the snapshot as it is written
                _write_rows(store, table, fit_id, chunk)
        finally:
            if callable(getattr(rows, "close", None)):  # a stream cut short holds the cursor's open result
                rows.close()
            cur.execute("ROLLBACK")  # read only
    seconds = monotonic_clock.monotonic() - started
    fitted_at = now + timedelta(seconds=seconds)
    with store.transaction(changes_data=False) as cur:
        cur.execute(f"INSERT INTO model_fits ({_FIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [fit_id, fitter.model, as_of, version, through, fitted_at, seconds,
                     json.dumps(params, ensure_ascii=False, default=str)])
        cur.execute("DELETE FROM model_fit_requests WHERE model = ? AND as_of = ? AND requested_at <= ?",
                    [fitter.model, as_of, now])
        _prune(cur, fitter, fit_id, now.date())
    return Fit(int(fit_id), fitter.model, as_of, version, through, fitted_at, seconds, json.loads(json.dumps(params, default=str)))


def _chunks(rows) -> Iterator:
    """A compute's rows as chunks DuckDB can read: a frame or Arrow table is one chunk; an Arrow
    stream or any other iterable yields its chunks (record batches become one-batch tables)."""
    if rows is None:
        return
    if isinstance(rows, (pd.DataFrame, pa.Table)):
        yield rows
        return
    for chunk in rows:
        yield pa.Table.from_batches([chunk]) if isinstance(chunk, pa.RecordBatch) else chunk


def _write_rows(store: Store, table: str, fit_id: int, chunk) -> None:
    """One chunk of a fit's rows under ``fit_id`` (no header yet: invisible to readers, pruned if
    the fit dies before its header)."""
    if len(chunk) == 0:
        return
    with store.transaction(changes_data=False) as cur:
        cur.register("fit_rows", chunk)  # the cursor is closed with the transaction: no unregister
        cur.execute(f"INSERT INTO {table} SELECT ?, * FROM fit_rows", [fit_id])


def _prune(cur, fitter: Fitter, newest: int, today: date) -> None:
    """Keep the newest fit of each date, of the ``fitter.kept_dates`` dates up to ``today`` fitted last,
    and of each later date (fitted ahead of midnight); drop the rest and rows without a header (a fit
    that died before writing it)."""
    table = quote_identifier(fitter.table)
    cur.execute("""DELETE FROM model_fits WHERE model = $model AND fit_id NOT IN (
                       SELECT fit_id FROM (SELECT max(fit_id) AS fit_id FROM model_fits
                                           WHERE model = $model AND as_of <= $today
                                           GROUP BY as_of ORDER BY fit_id DESC LIMIT $kept)
                       UNION ALL
                       SELECT max(fit_id) FROM model_fits WHERE model = $model AND as_of > $today GROUP BY as_of)""",
                {"model": fitter.model, "kept": fitter.kept_dates, "today": today})
    cur.execute(f"DELETE FROM {table} WHERE fit_id <> ? AND fit_id NOT IN (SELECT fit_id FROM model_fits)", [newest])


def _prune_past_dates(store: Store, fitter: Fitter, today: date) -> None:
    """After midnight a model holds the fit of the day before and today's, fitted ahead; the first run
    of the day that fits nothing for it drops what is over its kept dates (a write only then)."""
    with closing(store.system_cursor()) as cur:
        rows = cur.execute("SELECT count(DISTINCT as_of), max(fit_id) FROM model_fits WHERE model = ? AND as_of <= ?",
                           [fitter.model, today]).fetchall()
    dates, newest = rows[0]
    if dates > fitter.kept_dates:
        with store.transaction(changes_data=False) as cur:
            _prune(cur, fitter, newest, today)


_LAST_DAY: dict[tuple[str, int], date | None] = {}  # (store, data version) -> last purchase day


def _default_date(store: Store, today: date) -> date:
    """The default analysis date (crm_core.analysis_date), the data's last day read once per data
    version: the job looks every minute, and a scan of every transaction each time would not be free."""
    with closing(store.system_cursor()) as cur:
        key = (store.path, current(cur, TRANSACTIONS))
    if key not in _LAST_DAY:
        _LAST_DAY.clear()
        _LAST_DAY[key] = data_span(store)[1]
    return default_from_span(_LAST_DAY[key], today)[0]


def _date_ahead(store: Store, now: datetime, default: date) -> date | None:
    """Within ``FIT_AHEAD`` of the store's midnight, the next day's default analysis date when it
    differs from today's (``default``: data that ended long ago keeps its date), else None."""
    tomorrow = now.date() + timedelta(days=1)
    if (now + FIT_AHEAD).date() < tomorrow:
        return None
    ahead = _default_date(store, tomorrow)
    return ahead if ahead != default else None


def _dates_asked(cur, fitter: Fitter) -> list[date]:
    rows = cur.execute("SELECT as_of FROM model_fit_requests WHERE model = ? ORDER BY requested_at",
                       [fitter.model]).fetchall()
    return [day for (day,) in rows]


def refit_stale(store: Store, fitters: Sequence[Fitter], now: datetime) -> dict[str, int]:
    """Fit, one at a time, each model whose newest fit for the default analysis date (or for a date
    asked for, or in the day's last hour the next day's: ``FIT_AHEAD``) is missing or older than the
    data; returns {"fitted": n}. A fit that fails is raised
    after the others ran (the scheduler records it and tries again at the next run)."""
    default = _default_date(store, now.date())
    ahead = _date_ahead(store, now, default)
    fitted, failure, run_started = 0, None, monotonic_clock.monotonic()
    for fitter in fitters:
        with closing(store.system_cursor()) as cur:
            asked = _dates_asked(cur, fitter)
            version = current(cur, TRANSACTIONS)
            dates = [default, *asked, *([ahead] if ahead is not None and fitter.dated else [])]
            stale = [day for day in dict.fromkeys(dates)
                     if (fit := latest_fit(cur, fitter.model, day)) is None or fit.data_version != version
                     or (fitter.fresh is not None and not fitter.fresh(store, cur, fit))]
        for day in set(asked) - set(stale):  # asked for while it was being fitted: already current
            _drop_request(store, fitter.model, day)
        for day in stale:
            try:
                fit_one(store, fitter, day, now + timedelta(seconds=monotonic_clock.monotonic() - run_started))
                fitted += 1
            except Exception as error:  # the next model still gets its turn
                failure = failure or error
        if not stale:
            _prune_past_dates(store, fitter, now.date())
    if failure is not None:
        raise failure
    return {"fitted": fitted}


def _drop_request(store: Store, model: str, as_of: date) -> None:
    with store.transaction(changes_data=False) as cur:
        cur.execute("DELETE FROM model_fit_requests WHERE model = ? AND as_of = ?", [model, as_of])


def refit_job(fitters: Sequence[Fitter]) -> Callable[[Store, datetime], dict[str, int]]:
    """The scheduled job's work for a capability's ``fitters`` (``crm_core.scheduler.Job.run``)."""
    def run(store: Store, now: datetime) -> dict[str, int]:
        return refit_stale(store, fitters, now)

    run.fitters = tuple(fitters)  # fit_now finds the fit jobs by this
    return run


def fit_now(store: Store, now: datetime) -> dict[str, int]:
    """Run every capability's fit job at once, here (tests, the command line, a first start without
    the scheduler): the models stale at ``now`` are fitted before this returns."""
    from crm_core.scheduler import registered_jobs

    fitted = 0
    for job in registered_jobs():
        if getattr(job.run, "fitters", None):
            fitted += job.run(store, now)["fitted"]
    return {"fitted": fitted}


def job_name_of(model: str) -> str | None:
    """The scheduled job that fits ``model`` (the page makes it due when it asks for a fit)."""
    from crm_core.scheduler import registered_jobs

    for job in registered_jobs():
        if any(f.model == model for f in getattr(job.run, "fitters", ())):
            return job.name
    return None


def add_fit_command(subparsers) -> None:
    """``python -m crm_core fit [--db PATH]``: fit now what the background job would (the app stopped)."""
    command = subparsers.add_parser("fit", help="fit the models the pages show now (what the background job does)")
    command.add_argument("--db", help="DuckDB file (default $CRM_DB or data/crm.duckdb)")
    command.set_defaults(run=_run_fit_command)


def _run_fit_command(args) -> int:
    from zoneinfo import ZoneInfo

    from crm_core.config import load_settings

    settings = load_settings()
    store = Store(args.db or settings.db_path, settings.timezone)
    try:
        started = monotonic_clock.monotonic()
        fitted = fit_now(store, datetime.now(ZoneInfo(store.timezone)))["fitted"]  # the outermost caller: the clock
        print(f"{fitted} model fit(s) made in {monotonic_clock.monotonic() - started:.1f} s")
    finally:
        store.close()
    return 0
