"""Each customer's activity at an analysis date, kept by the churn fit job (crm_core.model_fits,
issue 18): the Churn page's churn rate per period, churn per segment and funnel then read one row
per customer instead of every transaction, with the same answers.

A row per customer with a transaction up to ``as_of`` (table ``fit_churn_activity``):

- ``month_mask`` / ``quarter_mask`` / ``year_mask``: bit k = a transaction in the fit's first period
  of that length + k — what :func:`crm_core.churn.lapsed.churn_rate_by_period_sql` counts (NULL
  when the data spans more than 64 periods: the rates are then counted from the transactions);
- ``purchased_before`` / ``purchased_recent`` / ``base_abc`` / ``base_spend``: what
  :func:`crm_core.churn.measured.churn_by_segments` groups (purchases in the previous and the last
  12 months, the base year's ABC class and spend, over the whole store);
- ``bought_twice`` / ``active_recent`` / ``active_before``: what
  :func:`crm_core.churn.measured.funnel_counts` counts (any transaction); ``customer_known``: the
  customer is on file (the whole store's funnel is tallied in the fit's header from these).

Only what depends on the transactions is kept: customer type, stage and owner are joined from
``customers`` when read, so editing a customer never makes a fit stale. Callers pass the id of a
fit made on the data as it is now (``model_fits.FitState``), or None to count from the rows.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crm_core import access, model_fits
from crm_core.churn.lapsed import PERIODS, churn_rate_by_period_sql, months_per_period, rates_frame
from crm_core.churn.measured import churn_by_segments, funnel_counts, funnel_stages, measured_churn_rate, segment_tables
from crm_core.definitions import purchase
from crm_core.model_fits import FIT_CHUNK_ROWS, customer_ranges
from crm_core.sql import Fragment, compose, last_12_months, previous_12_months, previous_12_months_dates, run
from crm_core.users import Actor

CHURN_ACTIVITY = "churn_activity"
TABLE = "fit_churn_activity"
MASK_BITS = 64
_MASKS = {period: f"{period}_mask" for period in PERIODS}  # fixed column names (migration 021)
_AS_OF = Fragment("prm.as_of")


def _step(day: date, months: int) -> int:
    """The index of ``day``'s period of ``months`` months, counted from year 0 (as the rates SQL)."""
    return (day.year * 12 + day.month - 1) // months


def _spans(cur, as_of: date) -> dict[str, list[int] | None]:
    """Per period: [first period index, number of periods] of the transactions up to ``as_of``,
    None when they span more than ``MASK_BITS`` periods (no mask kept) or there are none."""
    first, last = cur.execute("SELECT min(txn_date), max(txn_date) FROM transactions WHERE txn_date <= ?",
                              [as_of]).fetchall()[0]
    spans = {}
    for period, (_, months) in PERIODS.items():
        count = None if first is None else _step(last, months) - _step(first, months) + 1
        spans[period] = None if count is None or count > MASK_BITS else [_step(first, months), count]
    return spans


def _mask(period: str, span: list[int] | None) -> str:
    """The aggregate of one mask column (SQL text from fixed names and integers only)."""
    if span is None:
        return f"CAST(NULL AS UBIGINT) AS {_MASKS[period]}"
    months = PERIODS[period][1]
    return (f"bit_or(CAST(1 AS UBIGINT) << CAST((year(t.txn_date) * 12 + month(t.txn_date) - 1) // {months}"
            f" - {int(span[0])} AS INTEGER)) AS {_MASKS[period]}")


_ROWS_SQL = """
WITH prm AS (SELECT CAST($as_of AS DATE) AS as_of),
per AS (
    SELECT t.customer_id, {masks},
           bool_or({before} AND {purchase}) AS purchased_before, bool_or({recent} AND {purchase}) AS purchased_recent,
           min(t.txn_date) < max(t.txn_date) AS bought_twice,
           bool_or({recent}) AS active_recent, bool_or({before}) AS active_before
    FROM transactions t, prm
    WHERE t.txn_date <= prm.as_of AND t.customer_id > $lo AND t.customer_id <= $hi GROUP BY t.customer_id
)
SELECT per.customer_id, per.month_mask, per.quarter_mask, per.year_mask, per.purchased_before,
       per.purchased_recent, b.abc::VARCHAR AS base_abc, CAST(b.spend AS DECIMAL(18, 2)) AS base_spend, per.bought_twice,
       per.active_recent, per.active_before, c.customer_id IS NOT NULL AS customer_known,
       c.customer_type AS {type_now}
FROM per LEFT JOIN churn_activity_classes b USING (customer_id)
LEFT JOIN (SELECT customer_id, customer_type FROM customers) c ON c.customer_id = per.customer_id
ORDER BY per.customer_id
"""
# Each row's customer type at the fit, tallied into the header (churn per segment) and not kept.
_TYPE_NOW = "type_at_fit"


def fit_activity(cur, as_of: date) -> tuple[dict, Iterator]:
    """The fit job's compute (crm_core.model_fits.Fitter): the parameters (each period's first
    index and count, or None) and the rows by customer, streamed ``FIT_CHUNK_ROWS`` at a time."""
    from crm_core.segmentation import abc_classes_frame  # segmentation imports churn

    spans = _spans(cur, as_of)
    # ids, one-byte class codes and spends: not the classification's whole frame (issue 18)
    classes = abc_classes_frame(cur, *previous_12_months_dates(as_of), with_spend=True)
    cur.register("churn_activity_classes", classes)  # on the fit's own cursor, closed after the fit
    query = compose(_ROWS_SQL, masks=Fragment(", ".join(_mask(p, spans[p]) for p in PERIODS)),
                    before=previous_12_months(_AS_OF, "t.txn_date"), recent=last_12_months(_AS_OF, "t.txn_date"),
                    purchase=purchase("t"), as_of=as_of, type_now=Fragment(_TYPE_NOW))
    params = {"spans": spans, "customer_types": _types_digest(cur)}  # the types the segments are tallied by

    def batches() -> Iterator:  # one customer range at a time (bounded memory), in customer order
        for lo, hi in customer_ranges(cur):
            yield from cur.sql(query.sql, params={**query.params, "lo": lo, "hi": hi}).to_arrow_reader(FIT_CHUNK_ROWS)
    return params, _tallied(batches(), params)


def _tallied(reader, params: dict) -> Iterator:
    """The rows' batches as they pass, tallying the whole store's rates per period into
    ``params["rates"]`` (fit_one writes the parameters after the rows): a manager's rates are
    then read from the fit's header, not from ten million masks."""
    tallies = {period: None for period, span in params["spans"].items() if span is not None}
    funnel = dict.fromkeys(("purchasing", "repeat", "loyal"), 0)
    segments: list[pd.DataFrame] = []
    for batch in reader:
        for period, tally in tallies.items():
            masks = batch.column(_MASKS[period]).to_numpy(zero_copy_only=False).astype(np.uint64)
            more = _tally(masks, params["spans"][period][1])
            tallies[period] = more if tally is None else (tally[0] + more[0], tally[1] + more[1], tally[2] | more[2])
        for stage, count in _funnel_tally(batch).items():
            funnel[stage] += count
        segments.append(_segment_partial(batch))  # summed as they pass: a row per customer would be GBs
        yield batch.drop_columns([_TYPE_NOW])
    params["rates"] = {period: {"active": t[0].tolist(), "retained": t[1].tolist(), "union": t[2]}
                       for period, t in tallies.items() if t is not None}
    params["funnel"] = funnel
    params["segments"] = _segment_sums(segments)


def has_segments(store, cur, fit: model_fits.Fit) -> bool:
    """``Fitter.fresh``: a fit made before the segments were tallied in its header is made again
    (once: its answers are right, read the slow way until then)."""
    return fit.empty or "segments" in fit.params


def _segment_tally(batch) -> pd.DataFrame:
    """Of a batch, as ``_SEGMENT_SQL`` groups them: the customers on file who bought in the base
    year, with their type at the fit, base class (C without one), whether they did not buy in the
    last year and their base spend if so, in cents (summed exactly)."""
    bought_before = pc.and_(batch.column("customer_known"), pc.fill_null(batch.column("purchased_before"), False))
    rows = batch.filter(bought_before)
    churned = pc.fill_null(pc.invert(rows.column("purchased_recent")), False)  # NOT NULL counts as not churned
    cents = pc.fill_null(pc.cast(pc.multiply(rows.column("base_spend"), pa.scalar(100, pa.int64())), pa.int64()), 0)
    return pd.DataFrame({"customer_type": rows.column(_TYPE_NOW).to_pandas().astype(object),
                         "abc": pc.fill_null(pc.cast(rows.column("base_abc"), pa.string()), "C").to_pandas().astype(object),
                         "active_before": 1, "churned": churned.to_numpy(zero_copy_only=False).astype(np.int64),
                         "cents": pc.if_else(churned, cents, 0).to_numpy(zero_copy_only=False).astype(np.int64)})


_SEGMENT_BYS, _SEGMENT_SUMS = ("customer_type", "abc"), ["active_before", "churned", "cents"]


def _segment_partial(batch) -> dict[str, pd.DataFrame]:
    """A batch's segment tallies summed by customer type and by class (a few rows each)."""
    frame = _segment_tally(batch)
    return {by: frame.groupby(by, dropna=False)[_SEGMENT_SUMS].sum() for by in _SEGMENT_BYS}


def _segment_sums(parts: list[dict[str, pd.DataFrame]]) -> dict:
    """The whole store's segment tallies from the batches' (``_segment_partial``; whole integers,
    so summing the sums is exact): {by: {segment: [active_before, churned, cents]}}."""
    out = {}
    for by in _SEGMENT_BYS:
        sums = pd.concat([part[by] for part in parts]).groupby(level=0, dropna=False).sum() if parts else None
        out[by] = {} if sums is None else {str(key): [int(row.active_before), int(row.churned), int(row.cents)]
                                           for key, row in sums.iterrows()}
    return out


def _funnel_tally(batch) -> dict[str, int]:
    """The funnel's buyers in a batch of rows, as funnel_counts counts them for the whole store:
    customers on file (a customer with transactions is never deleted while they stay — an undo
    that would is refused — so the tally holds as long as the fit is current)."""
    column = {name: batch.column(name).to_numpy(zero_copy_only=False) for name in
              ("customer_known", "bought_twice", "active_recent", "active_before")}
    known, twice = column["customer_known"], column["customer_known"] & column["bought_twice"]
    return {"purchasing": int(known.sum()), "repeat": int(twice.sum()),
            "loyal": int((twice & column["active_recent"] & column["active_before"]).sum())}


def _kept(cur, fit_id: int | None) -> model_fits.Fit | None:
    fit = None if fit_id is None else model_fits.fit_by_id(cur, fit_id)
    return None if fit is None or fit.empty else fit


# -- the churn rate per period ---------------------------------------------------------------------

_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little").astype(np.int64)


def bit_counts(masks: np.ndarray, bits: int) -> np.ndarray:
    """For k < ``bits``: how many of ``masks`` (uint64) have bit k set — one histogram of each
    byte's 256 values instead of a pass per bit (a tenth of a second at ten million masks)."""
    columns = masks.astype(np.uint64).view(np.uint8).reshape(-1, 8)
    if not np.little_endian:
        columns = columns[:, ::-1]
    counts = [np.bincount(np.ascontiguousarray(columns[:, j]), minlength=256) @ _BYTE_BITS
              for j in range((bits + 7) // 8)]
    return np.concatenate(counts)[:bits] if counts else np.zeros(0, np.int64)


_PAIRS_SQL = """
SELECT make_date(CAST(($first + k + 1) * $months // 12 AS INTEGER),
                 CAST(($first + k + 1) * $months % 12 + 1 AS INTEGER), 1) AS period, active_prev, retained
FROM churn_rate_pairs ORDER BY period
"""


def _tally(masks: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Of ``masks``, per bit k < ``bits``: how many have it set (active in period k), how many
    have bit k + 1 set too (retained in the next period), and all masks OR-ed together."""
    union = int(np.bitwise_or.reduce(masks)) if len(masks) else 0
    return bit_counts(masks, bits), bit_counts(masks & (masks >> np.uint64(1)), bits), union


def _rates_of(cur, first: int, months: int, active, retained, union: int) -> pd.DataFrame:
    """churn_rate_by_period_sql's frame from a tally: every period but the scope's last (the
    highest bit of ``union``: it has no next period to be retained in) with an active customer."""
    last = max(union.bit_length() - 1, 0)
    active, retained = np.asarray(active[:last], dtype=np.int64), np.asarray(retained[:last], dtype=np.int64)
    k = np.flatnonzero(active)
    cur.register("churn_rate_pairs", pd.DataFrame({"k": k, "active_prev": active[k], "retained": retained[k]}))
    try:
        frame = cur.execute(_PAIRS_SQL, {"first": first, "months": months}).df()
    finally:
        cur.unregister("churn_rate_pairs")
    return rates_frame(frame)


def kept_rates(cur, fit_id: int | None, period: str, whole_store: bool = False) -> pd.DataFrame | None:
    """:func:`churn_rate_by_period_sql` at the fit's date from its kept masks of the customers
    ``cur`` sees (a user's cursor) — or, for a user who sees every customer (``whole_store``),
    from the tally in the fit's header; None when the fit keeps no mask for ``period``."""
    months = months_per_period(period)  # raises for an unknown period
    fit = _kept(cur, fit_id)
    span = None if fit is None else fit.params["spans"][period]
    if span is None:
        return None
    if whole_store and period in fit.params.get("rates", {}):
        kept = fit.params["rates"][period]
        return _rates_of(cur, span[0], months, kept["active"], kept["retained"], int(kept["union"]))
    column = _MASKS[period]
    masks = cur.execute(f"SELECT {column} FROM {TABLE} WHERE fit_id = ?", [fit.fit_id]).fetchnumpy()[column]
    return _rates_of(cur, span[0], months, *_tally(np.asarray(masks, dtype=np.uint64), span[1]))


def churn_rates(cur, period: str, as_of: date, fit_id: int | None, actor: Actor | None = None) -> pd.DataFrame:
    """The churn rate per period up to ``as_of`` on ``cur`` (``actor``'s cursor): from the kept fit
    ``fit_id`` when it has the masks, otherwise from the transactions."""
    whole_store = access.visible(actor, "transactions").sql == "TRUE"
    kept = kept_rates(cur, fit_id, period, whole_store)
    return churn_rate_by_period_sql(cur, period, as_of) if kept is None else kept


# -- churn per segment and the funnel (a system cursor, narrowed to ``actor``) ---------------------

_SEGMENT_SQL = """
SELECT c.customer_type, coalesce(a.base_abc, 'C') AS abc, GROUPING(c.customer_type) AS by_abc,
       count(*) AS active_before, count(*) FILTER (WHERE NOT a.purchased_recent) AS churned,
       CAST(coalesce(sum(a.base_spend) FILTER (WHERE NOT a.purchased_recent), 0) AS DOUBLE) AS revenue_lost
FROM fit_churn_activity a JOIN customers c USING (customer_id)
WHERE a.fit_id = $fit_id AND a.purchased_before AND {scope}
GROUP BY GROUPING SETS ((c.customer_type), (coalesce(a.base_abc, 'C')))
"""


def churn_segments(cur, as_of: date, actor: Actor | None, fit_id: int | None) -> dict[str, pd.DataFrame]:
    """:func:`churn_by_segments` (``cur``: a system cursor) from the kept fit when given: for a user
    who sees every customer, from the tallies in its header while every customer's type is as it
    was at the fit (``_types_digest``: one pass over the customers, no join of millions of rows),
    else by joining its rows to the customers."""
    fit = _kept(cur, fit_id)
    if fit is None:
        return churn_by_segments(cur, as_of, actor)
    scope = access.visible(actor, "customers", alias="c")
    if scope.sql == "TRUE" and "segments" in fit.params and _types_digest(cur) == fit.params["customer_types"]:
        return segment_tables(_tallied_segments(cur, fit.params["segments"]))
    return segment_tables(run(cur, compose(_SEGMENT_SQL, scope=scope, fit_id=fit.fit_id)).df())


def _types_digest(cur) -> list:
    from crm_core.churn.fits import types_digest  # fits imports this module

    return types_digest(cur)


def _tallied_segments(cur, segments: dict) -> pd.DataFrame:
    """``_SEGMENT_SQL``'s rows from the fit's tallies (``_segment_sums``), read through DuckDB so
    the frame's types are the query's; the lost revenue as DuckDB casts an exact sum of cents."""
    rows = [(key if by == "customer_type" else None, key if by == "abc" else None, int(by == "abc"),
             active, churned, float(cents) / 100.0)
            for by in ("customer_type", "abc") for key, (active, churned, cents) in segments[by].items()]
    names = ["customer_type", "abc", "by_abc", "active_before", "churned", "revenue_lost"]
    types = [pa.string(), pa.string(), pa.int64(), pa.int64(), pa.int64(), pa.float64()]
    table = pa.table([pa.array([r[i] for r in rows], t) for i, t in enumerate(types)], names=names)
    cur.register("churn_segment_tallies", table)
    try:
        return cur.execute("SELECT * FROM churn_segment_tallies").df()
    finally:
        cur.unregister("churn_segment_tallies")


_FUNNEL_SQL = """
SELECT count(*) FILTER (WHERE c.tenure_stage = 'potential' OR a.customer_id IS NOT NULL) AS potential,
       count(a.customer_id) AS purchasing,
       count(*) FILTER (WHERE a.bought_twice) AS repeat,
       count(*) FILTER (WHERE a.bought_twice AND a.active_recent AND a.active_before) AS loyal
FROM customers c LEFT JOIN (SELECT * FROM fit_churn_activity WHERE fit_id = $fit_id) a USING (customer_id)
WHERE {scope}
"""


# Everyone's funnel: the buyers from the fit's tally; of the customers marked potential, those with
# no transaction up to the date (a tenth of the customers, no join of every customer with every row).
_POTENTIAL_ONLY_SQL = """
SELECT count(*) - count(a.customer_id) FROM customers c
LEFT JOIN (SELECT customer_id FROM fit_churn_activity WHERE fit_id = $fit_id) a USING (customer_id)
WHERE c.tenure_stage = 'potential'
"""


def funnel(cur, as_of: date, actor: Actor | None, fit_id: int | None) -> dict[str, int]:
    """:func:`funnel_counts` without visitors (``cur``: a system cursor) from the kept fit when given."""
    fit = _kept(cur, fit_id)
    if fit is None:
        return funnel_counts(cur, as_of, None, actor)
    scope = access.visible(actor, "customers", alias="c")
    if scope.sql == "TRUE" and "funnel" in fit.params:
        tally = fit.params["funnel"]
        (potential_only,) = cur.execute(_POTENTIAL_ONLY_SQL, {"fit_id": fit.fit_id}).fetchall()[0]
        row = (tally["purchasing"] + potential_only, tally["purchasing"], tally["repeat"], tally["loyal"])
    else:
        row = run(cur, compose(_FUNNEL_SQL, scope=scope, fit_id=fit.fit_id)).fetchone()
    return funnel_stages(row, None)


# -- the Home page's measured churn rate -----------------------------------------------------------

# measured_churn_rate's count (a purchase in the previous 12 months; of those, none in the last 12;
# customers on file) from the kept rows: every such customer bought up to as_of, so has a row.
_MEASURED_SQL = """
    SELECT count(*) FILTER (WHERE purchased_before), count(*) FILTER (WHERE purchased_before AND NOT purchased_recent)
    FROM fit_churn_activity WHERE fit_id = $fit_id AND {on_file}
    """


def measured_rate(cur, as_of: date) -> float | None:
    """``measured_churn_rate`` on the user's cursor ``cur`` (not in a transaction): from the rows
    kept for ``as_of`` when they are current, counted from the transactions otherwise."""
    from crm_core.overview import on_file  # the customers on file by id range when unbroken (no join)

    counts = model_fits.read_current(cur, CHURN_ACTIVITY, as_of, lambda fit: run(
        cur, compose(_MEASURED_SQL, fit_id=fit.fit_id, on_file=on_file(cur))).fetchall()[0])
    if counts is None:
        return measured_churn_rate(cur, as_of)
    base, lost = counts
    return None if not base else lost / base
