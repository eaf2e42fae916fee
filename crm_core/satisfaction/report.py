"""What the Satisfaction page shows, read from the store: functions take ``(store, actor, ...)``.

Everything is aggregated in DuckDB (see :mod:`.queries`) and the formulas are the tested pandas
code of this package. A rep (``actor.rep_scope``) sees only the answers of the customers they
own; anonymous answers are visible to everyone else. Row-level analyses (key drivers, regional
style, comments) run on a repeatable sample of at most ``SAMPLE`` answers, which the results say.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from crm_core import access, model_fits, summaries
from crm_core.model_fits import FIT_CHUNK_ROWS, customer_ranges
from crm_core.satisfaction import fits as sat_fits
from crm_core.satisfaction import queries
from crm_core.satisfaction.comments import word_contrast
from crm_core.satisfaction.loyalty import QUADRANTS, loyalty_quadrant_of
from crm_core.satisfaction.nonresponse import categorical_rows, numeric_row, tested
from crm_core.satisfaction.queries import filters
from crm_core.satisfaction.regional import region_adjusted, region_adjusted_means
from crm_core.satisfaction.servqual import DIMENSIONS, key_drivers
from crm_core.satisfaction.trend import breakdown_from_counts
from crm_core.sql import Fragment, compose, last_12_months, relation, run, trailing_year_days, trailing_year_days_dates
from crm_core.stats import wilson_interval
from crm_core.store import Store
from crm_core.users import Actor

SAMPLE = 50_000
BREAKDOWNS = ("region", "segment", "rep", "product", "channel")
LOYALTY_SOURCES = ("behaviour", "intent")
MISSING = "(missing)"
_MEASURES = ("satisfaction", "recommend")


def _read(store: Store, fn, *args, **kwargs):
    """``fn`` on the system cursor: the callers pass the user's rep to ``fn`` (``filters``), and
    the ABC classes of a breakdown are ranked over the whole population."""
    cur = store.system_cursor()
    try:
        return fn(cur, *args, **kwargs)
    finally:
        cur.close()


def waves(store: Store, actor: Actor) -> pd.DataFrame:
    """One row per wave: wave_id, name, started_on, invited, responses, response_rate (%) with
    its Wilson interval rate_low/rate_high. Rates only for the whole base (NaN for a rep, whose
    answers are a part of the wave while the invited count is not).
    """
    frame = _read(store, lambda db: run(db, compose(
        "SELECT w.wave_id, w.name, w.started_on, w.invited, count(r.response_id) AS responses "
        "FROM survey_waves w LEFT JOIN survey_responses r ON r.wave_id = w.wave_id "
        "AND {filters} GROUP BY ALL ORDER BY w.started_on, w.wave_id",
        filters=filters(None, actor.rep_scope, "r"))).df())
    invited = frame["invited"].astype("float")
    usable = invited.notna() & (invited >= frame["responses"]) & (actor.rep_scope is None)
    low, high = wilson_interval(frame["responses"].where(usable, 0).to_numpy(float),
                                invited.where(usable, 0).to_numpy(float))
    frame["response_rate"] = np.where(usable, 100.0 * frame["responses"] / invited, np.nan)
    frame["rate_low"], frame["rate_high"] = 100.0 * low, 100.0 * high
    return frame


def trend(store: Store, actor: Actor, period: str = "wave_id") -> pd.DataFrame:
    """CSAT/NPS per wave or month with change tests (see ``trend_from_counts``); for waves the
    index is the wave_id and a ``label`` column holds the wave name, for months the month.
    """
    table = _read(store, queries.trend_sql, period, rep=actor.rep_scope)
    if period == "wave_id":
        names = _read(store, lambda db: db.execute("SELECT wave_id, name FROM survey_waves").df())
        names = names.set_index("wave_id")["name"]
        table["label"] = table.index.map(names).astype(str)
    else:
        table["label"] = pd.to_datetime(table.index).strftime("%Y-%m")
    return table


def ladder(store: Store, actor: Actor, wave_id: int | None = None) -> pd.DataFrame:
    """The satisfaction ladder of seed 001 for one wave (or all answers)."""
    return _read(store, queries.ladder_sql, wave_id, rep=actor.rep_scope)


def _attribute_join(db, by: str, as_of: date) -> tuple[Fragment, str]:
    """(join clause, group expression) for a breakdown; identifiers from fixed text only."""
    if by in ("region", "channel"):
        return Fragment(""), f"coalesce(r.{by}, '{MISSING}')"
    if by == "rep":
        return (Fragment("LEFT JOIN customers c ON c.customer_id = r.customer_id"),
                f"coalesce(c.sales_rep, '{MISSING}')")
    if by == "product":  # the product the customer spent most on in the 365 days up to as_of
        join = compose("LEFT JOIN (SELECT customer_id, arg_max(product, spend) AS product FROM ("
                       "SELECT customer_id, product, sum(amount) AS spend FROM transactions "
                       "WHERE {window} GROUP BY ALL) GROUP BY customer_id) a "
                       "ON a.customer_id = r.customer_id", window=trailing_year_days(as_of, "txn_date"))
        return join, f"coalesce(a.product, '{MISSING}')"
    from crm_core.segmentation import abc_classify_sql  # ABC classes as the Segmentation page has them

    # The same 365 days as the product breakdown (not the 12 calendar months of the other pages).
    classes = abc_classify_sql(db, *trailing_year_days_dates(as_of))[["customer_id", "abc"]]
    db.register("sat_abc_classes", classes)
    return (Fragment("LEFT JOIN sat_abc_classes a ON a.customer_id = r.customer_id"),
            f"CASE WHEN r.customer_id IS NULL THEN '{MISSING}' ELSE coalesce(a.abc, 'none') END")


def _counts_by(db, measure: str, by: str, wave_id, rep, as_of: date) -> pd.DataFrame:
    join, group_sql = _attribute_join(db, by, as_of)
    rows = run(db, compose(f"SELECT {group_sql} AS grp, r.{measure} AS answer, count(*) AS n FROM survey_responses r "
                            f"{{join}} WHERE r.{measure} IS NOT NULL AND {{filters}} GROUP BY ALL",
                            join=join, filters=filters(wave_id, rep, "r"))).df()
    scale = list(queries.MEASURES[measure])
    table = rows.pivot_table(index="grp", columns="answer", values="n", aggfunc="sum", fill_value=0)
    return table.reindex(columns=scale, fill_value=0).astype("int64").rename_axis(index=by, columns=None)


def breakdown(store: Store, actor: Actor, by: str, wave_id: int | None, as_of: date) -> pd.DataFrame:
    """Each group's CSAT and NPS against the rest (see ``breakdown_from_counts``), ``by`` one of
    :data:`BREAKDOWNS`: region and channel of the answer, the customer's rep, ABC segment (12
    months of revenue up to ``as_of``; "none" = no purchase) or main product (most spent on in
    those 12 months). Anonymous answers fall in the (missing) group except for region/channel.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"by must be one of {BREAKDOWNS}; got {by!r}")

    def counted(cur):
        counts = {m: _counts_by(cur, m, by, wave_id, actor.rep_scope, as_of) for m in _MEASURES}
        return breakdown_from_counts(counts["satisfaction"], counts["recommend"])

    return _read(store, counted)


def servqual(store: Store, actor: Actor, wave_id: int | None = None) -> pd.DataFrame:
    """Expectation, perception, gap, SERVPERF and n_pairs per answered dimension."""
    return _read(store, queries.servqual_sql, wave_id, rep=actor.rep_scope)


def sample(store: Store, actor: Actor, wave_id: int | None = None, limit: int = SAMPLE) -> pd.DataFrame:
    """A repeatable sample of at most ``limit`` answers (all columns), for row-level analyses."""
    return _read(store, queries.response_sample, wave_id, limit, rep=actor.rep_scope)


def drivers(answers: pd.DataFrame, outcome: str) -> pd.DataFrame | None:
    """Key drivers (Johnson's relative weights) of ``outcome`` ("satisfaction" or "recommend")
    over the dimensions answered in ``answers``; None when too few complete answers.
    """
    perceived = [f"perc_{d}" for d in DIMENSIONS if f"perc_{d}" in answers and answers[f"perc_{d}"].notna().any()]
    if len(perceived) < 2:
        return None
    usable = answers[perceived + [outcome]].astype("float64").dropna()  # nullable ints → plain floats
    try:
        return key_drivers(usable, outcome)
    except ValueError:
        return None


def regional(answers: pd.DataFrame, method: str) -> pd.DataFrame | None:
    """Per region: n, raw mean and region-adjusted mean of the 5-point answers (``method`` as in
    ``region_adjusted``), n_intent, weight and prior_strength (label calibration's shrinkage, see
    ``region_adjusted_means``), plus raw CSAT %; None when there is nothing to adjust.
    """
    usable = answers.dropna(subset=["satisfaction", "region"])
    if usable.empty or usable["region"].nunique() < 2:
        return None
    try:
        adjusted = region_adjusted(usable, "satisfaction", "region", method=method)
    except ValueError:
        return None
    table = region_adjusted_means(adjusted)
    table["raw_csat"] = usable.groupby("region")["satisfaction"].apply(lambda s: 100.0 * (s >= 4).mean())
    return table


def comment_words(answers: pd.DataFrame, top: int = 15) -> dict[str, pd.DataFrame]:
    """Top words of dissatisfied (1–2) and satisfied (4–5) answers' comments in ``answers``."""
    said = answers.dropna(subset=["comment", "satisfaction"])
    return word_contrast(said.loc[said["satisfaction"] <= 2, "comment"],
                         said.loc[said["satisfaction"] >= 4, "comment"], "auto", top)


def answers_with_word(store: Store, actor: Actor, word: str, mood: str, wave_id: int | None = None,
                      limit: int = 200) -> pd.DataFrame:
    """Answers whose comment contains ``word`` (case-insensitive, literal), dissatisfied (1–2) or
    satisfied (4–5) by ``mood``, newest first: response_id, responded_on, customer_id, code,
    name, region, satisfaction, recommend, comment.
    """
    if mood not in ("dissatisfied", "satisfied"):
        raise ValueError(f"mood must be 'dissatisfied' or 'satisfied'; got {mood!r}")
    band = "r.satisfaction <= 2" if mood == "dissatisfied" else "r.satisfaction >= 4"
    return _read(store, lambda db: run(db, compose(
        "SELECT r.response_id, r.responded_on, r.customer_id, c.code, c.name, r.region, r.satisfaction, "
        "r.recommend, r.comment FROM survey_responses r LEFT JOIN customers c ON c.customer_id = r.customer_id "
        f"WHERE {band} AND contains(lower(r.comment), lower($word)) AND {{filters}} "
        "ORDER BY r.responded_on DESC, r.response_id DESC LIMIT $limit",
        filters=filters(wave_id, actor.rep_scope, "r"), word=word, limit=int(limit))).df())


_LATEST = """
latest AS (
    SELECT customer_id, arg_max(satisfaction, {key}) AS sat, arg_max(repurchase_intent, {key}) AS intent,
           max(responded_on) AS answered_on
    FROM survey_responses WHERE customer_id IS NOT NULL AND satisfaction IS NOT NULL AND {filters}
    GROUP BY customer_id),
buys AS ({buys})"""
# The latest answer is the one with the greatest (responded_on, response_id). The same order as
# one BIGINT (the day shifted above 40 bits of id) when every id is in [0, 2^40) and every day
# within 2^22 days of 1970: DuckDB's arg_max then compares integers, not pairs (a third less time
# over 1.5M answers). Otherwise the pair itself.
_PAIR_KEY = Fragment("(responded_on, response_id)")
_BIGINT_KEY = Fragment("(date_diff('day', DATE '1970-01-01', responded_on)::BIGINT * 1099511627776 + response_id)")


def _latest_key(db) -> Fragment:
    """The sort key of a customer's answers (see _BIGINT_KEY): the BIGINT when it orders them exactly."""
    lo, hi, first, last = db.execute(
        "SELECT min(response_id), max(response_id), date_diff('day', DATE '1970-01-01', min(responded_on)),"
        " date_diff('day', DATE '1970-01-01', max(responded_on)) FROM survey_responses").fetchall()[0]
    fits = lo is None or (lo >= 0 and hi < 2 ** 40 and first > -(2 ** 22) and last < 2 ** 22)
    return _BIGINT_KEY if fits else _PAIR_KEY


# Each respondent's transactions in the window, grouped live (only the respondents' rows) ...
_LIVE_BUYS = (f"SELECT customer_id, {sat_fits.PURCHASES} AS purchases, {sat_fits.SPEND}::DOUBLE AS spend "
              "FROM transactions WHERE {window} AND customer_id IN (SELECT customer_id FROM latest) GROUP BY customer_id")
# ... or every buyer's kept row (crm_core.satisfaction.fits; the LEFT JOIN keeps the respondents').
_KEPT_BUYS = "SELECT customer_id, purchases, spend::DOUBLE AS spend FROM fit_sat_spend WHERE fit_id = $fit_id"


def _respondents_query(db, answers: Fragment, buys: Fragment) -> Fragment:
    """One row per customer with a 1-5 answer among ``answers`` (a condition on survey_responses):
    customer_id, sat, intent, answered_on, purchases, spend (``buys``' figures; 0 without any)."""
    return compose(f"WITH {_LATEST} SELECT l.customer_id, l.sat, l.intent, l.answered_on, "
                   "coalesce(b.purchases, 0) AS purchases, coalesce(b.spend, 0) AS spend "
                   "FROM latest l LEFT JOIN buys b USING (customer_id)",
                   filters=answers, buys=buys, key=_latest_key(db))


def respondents_12m(store: Store, actor: Actor, as_of: date) -> pa.Table:
    """One row per customer with a 1–5 answer the user may see: customer_id, sat and intent (their
    latest answers), answered_on, purchases and spend (transactions in the 12 months up to
    ``as_of``; 0 without any). The live read behind the quadrant cells and every member list (when
    no kept respondents are current, see ``_on_respondents``), so a threshold or quadrant changed on
    the page reads this table, not the transactions (Arrow: DuckDB reads it back with its own
    types). Purchases and spend come from the rows kept for ``as_of`` (crm_core.satisfaction.fits)
    when that fit is current, else from the transactions."""
    def read(db):
        answers = filters(None, actor.rep_scope)
        table = model_fits.read_current(db, sat_fits.MODEL, as_of, lambda fit: relation(
            db, _respondents_query(db, answers, compose(_KEPT_BUYS, fit_id=fit.fit_id))).to_arrow_table())
        if table is None:
            buys = compose(_LIVE_BUYS, window=last_12_months(as_of, "txn_date"))
            table = relation(db, _respondents_query(db, answers, buys)).to_arrow_table()
        return table

    return _read(store, read)


# The quadrants' default thresholds (the page opens on them): satisfied from 4 of 5, loyal from 2
# purchases in the 12 months.
SATISFIED_FROM, LOYAL_FROM = 4, 2

# The rows of fit_sat_respondents (crm_core.satisfaction.fits): respondents_12m's of everyone, and
# the customer's columns a member list shows (on_file: the customer is on file) ...
_RESPONDENT_ROWS = """
    SELECT r.customer_id, r.sat, r.intent, r.answered_on, r.purchases, r.spend,
           c.customer_id IS NOT NULL AS on_file, c.code, c.name, c.region, c.sales_rep
    FROM ({respondents}) r LEFT JOIN customers c USING (customer_id)"""
# ... kept in the order of a member list within each quadrant of the default thresholds: a list
# of those thresholds then reads the first row groups of its quadrant only (DuckDB skips a row
# group by its columns' least and greatest values, and a top 5,000 by spend stops early).
_KEPT_ORDER = "ORDER BY sat >= $satisfied_from, purchases >= $loyal_from, spend DESC, customer_id"


def respondent_rows(cur, as_of: date) -> tuple[dict, Iterator]:
    """(cells, rows) kept in fit_sat_respondents for ``as_of``, on ``cur``'s snapshot (in a
    transaction: a temporary table holds the rows until it ends). The rows are grouped one customer
    range at a time (model_fits.customer_ranges: bounded memory) into that table, then streamed
    ``FIT_CHUNK_ROWS`` at a time in the kept order; cells: every respondent's
    :func:`quadrant_cells` counts per loyalty source (``[sat, loyalty, n]`` rows), by the same SQL."""
    buys = compose(_LIVE_BUYS, window=last_12_months(as_of, "txn_date"))
    for n, (lo, hi) in enumerate(customer_ranges(cur)):
        part = Fragment("customer_id > $lo AND customer_id <= $hi", {"lo": lo, "hi": hi})
        rows = compose(_RESPONDENT_ROWS, respondents=_respondents_query(cur, filters(None, None) & part, buys))
        run(cur, compose(("INSERT INTO sat_respondents " if n else "CREATE TEMP TABLE sat_respondents AS ") + "{rows}",
                         rows=rows))
    cells = {loyalty: [list(row) for row in run(cur, _cells_query(loyalty)).fetchall()] for loyalty in LOYALTY_SOURCES}
    ordered = compose(f"SELECT * FROM sat_respondents {_KEPT_ORDER}", satisfied_from=SATISFIED_FROM,
                      loyal_from=LOYAL_FROM)
    return cells, relation(cur, ordered).to_arrow_reader(FIT_CHUNK_ROWS)


_KEPT_RESPONDENTS = ("SELECT customer_id, sat, intent, answered_on, purchases, spend{columns} FROM fit_sat_respondents "
                     "WHERE fit_id = $respondents_fit AND {mine}")


def _kept_respondents(fit: model_fits.Fit, actor: Actor, query: Fragment, customer_columns: bool = False) -> Fragment:
    """``query`` over the rows of ``fit`` as ``sat_respondents`` (respondents_12m's columns; with the
    customer's: on_file, code, name, region, sales_rep), narrowed to the user's customers (the
    answers' rule)."""
    rows = compose(_KEPT_RESPONDENTS, columns=Fragment(", on_file, code, name, region, sales_rep" if customer_columns
                                                       else ""),
                   mine=access.of_rep(actor.rep_scope, "survey_responses"), respondents_fit=fit.fit_id)
    return compose("WITH sat_respondents AS ({rows}) {query}", rows=rows, query=query)


def _on_respondents(store: Store, actor: Actor, as_of: date, respondents, live: Fragment, kept) -> pd.DataFrame:
    """A read of the respondents on the system cursor: ``kept(db, fit)`` with the respondents kept
    for ``as_of`` (fits.RESPONDENTS_MODEL) when current for the transactions and made from the
    answers as they are; else ``live`` over ``respondents`` (respondents_12m's table, or a function
    returning it; read when None) registered as ``sat_respondents``."""
    def read(db):
        found = model_fits.read_current(db, sat_fits.RESPONDENTS_MODEL, as_of, lambda fit: kept(db, fit)
                                        if sat_fits.unchanged(db, fit, ["answers"]) else None)
        if found is not None:
            return found
        table = respondents() if callable(respondents) else respondents
        if table is None:
            table = respondents_12m(store, actor, as_of)
        db.register("sat_respondents", table)
        try:
            return run(db, live).df()
        finally:
            db.unregister("sat_respondents")

    return _read(store, read)


def _cells_query(loyalty: str) -> Fragment:
    measure = "least(l.purchases, 12)" if loyalty == "behaviour" else "l.intent"
    return Fragment(f"SELECT l.sat, {measure} AS loyalty, count(*) AS n FROM sat_respondents l GROUP BY ALL ORDER BY ALL")


def _kept_cells(fit: model_fits.Fit, loyalty: str) -> pd.DataFrame:
    """Everyone's cells as the fit counted them, with the types DuckDB gives the live count."""
    cells = pd.DataFrame(fit.params["cells"][loyalty], columns=["sat", "loyalty", "n"])
    return cells.astype({"sat": "int16", "n": "int64"} | ({"loyalty": "int64"} if loyalty == "behaviour" else {}))


def quadrant_cells(store: Store, actor: Actor, loyalty: str, as_of: date, sat_threshold: int = SATISFIED_FROM,
                   loyal_threshold: int = LOYAL_FROM, respondents=None) -> pd.DataFrame:
    """Satisfaction × loyalty cells: sat (latest 1–5 answer per customer), loyalty (purchases in
    the 12 months up to ``as_of``, capped at 12, for "behaviour"; the latest stated repurchase
    intent for "intent"), n customers, quadrant (``loyalty_quadrant_of``). Unknown intent is left out.
    From the kept respondents when current (everyone's cells as counted by the fit; a rep's counted
    over the kept rows); else over ``respondents``: :func:`respondents_12m` of the same user and
    date, or a function returning it (read when None).
    """
    if loyalty not in LOYALTY_SOURCES:
        raise ValueError(f"loyalty must be one of {LOYALTY_SOURCES}; got {loyalty!r}")
    query = _cells_query(loyalty)
    cells = _on_respondents(store, actor, as_of, respondents, query, lambda db, fit: _kept_cells(fit, loyalty)
                            if actor.rep_scope is None else run(db, _kept_respondents(fit, actor, query)).df())
    if loyalty == "intent":
        cells["loyalty"] = cells["loyalty"].astype("boolean")
    cells["quadrant"] = loyalty_quadrant_of(cells, "sat", "loyalty", sat_threshold, loyal_threshold)
    return cells.dropna(subset=["quadrant"]).reset_index(drop=True)


def quadrant_counts(cells: pd.DataFrame) -> pd.DataFrame:
    """count and share (%) per quadrant, in :data:`QUADRANTS` order, from :func:`quadrant_cells`."""
    counts = cells.groupby("quadrant")["n"].sum().reindex(list(QUADRANTS), fill_value=0)
    total = counts.sum()
    return pd.DataFrame({"count": counts, "share": 100.0 * counts / total if total else np.nan})


def quadrant_members(store: Store, actor: Actor, quadrant: str, loyalty: str, as_of: date,
                     sat_threshold: int = SATISFIED_FROM, loyal_threshold: int = LOYAL_FROM, limit: int = 5000,
                     respondents=None) -> pd.DataFrame:
    """The customers of one quadrant, biggest 12-month spenders first (at most ``limit``):
    customer_id, code, name, region, sales_rep, satisfaction, repurchase_intent, purchases_12m,
    spend_12m, answered_on. ``respondents`` as for :func:`quadrant_cells`; from the kept rows with
    their customer columns while the customers are unchanged (looking up a list's 5,000 customers
    reads every customer's code and name: ~1 s at ten million), else joined to the customers.
    """
    if quadrant not in QUADRANTS or loyalty not in LOYALTY_SOURCES:
        raise ValueError(f"unknown quadrant {quadrant!r} or loyalty source {loyalty!r}")
    satisfied, loyal = quadrant in ("mercenary", "apostle"), quadrant in ("hostage", "apostle")
    loyal_sql = ("l.purchases >= $loyal_threshold" if loyalty == "behaviour"
                 else "l.intent AND $loyal_threshold IS NOT NULL")

    def members(customer: str, join: str, on_file: str) -> Fragment:
        # the customer's columns from ``customer``; respondents not on file left out by ``join`` or ``on_file``
        return compose(
            f"SELECT l.customer_id, {customer}.code, {customer}.name, {customer}.region, {customer}.sales_rep, "
            "l.sat AS satisfaction, l.intent AS repurchase_intent, l.purchases AS purchases_12m, "
            f"l.spend AS spend_12m, l.answered_on FROM sat_respondents l {join}"
            f"WHERE {on_file}(l.sat >= $sat_threshold) = $satisfied AND ({loyal_sql}) IS NOT DISTINCT FROM $loyal "
            + ("AND l.intent IS NOT NULL " if loyalty == "intent" else "")
            + "ORDER BY spend_12m DESC, l.customer_id LIMIT $limit",
            sat_threshold=sat_threshold, satisfied=satisfied, loyal_threshold=loyal_threshold, loyal=loyal,
            limit=int(limit))

    joined = members("c", "JOIN customers c USING (customer_id) ", "")

    def kept(db, fit: model_fits.Fit) -> pd.DataFrame:
        if sat_fits.unchanged(db, fit, ["customers"]):
            return run(db, _kept_respondents(fit, actor, members("l", "", "l.on_file AND "), customer_columns=True)).df()
        return run(db, _kept_respondents(fit, actor, joined)).df()

    return _on_respondents(store, actor, as_of, respondents, joined, kept)


# --- word of mouth -------------------------------------------------------------------------

COMPLAINT_WINDOW = (180, 30)  # a complaint counts for an answer from 180 days before to 30 after it


def complaint_log_exists(store: Store) -> bool:
    """True when the promises area's ``complaints`` table (migration 003) is in the store and
    holds at least one complaint (an empty table is no log yet: its ratio would be a false 0 %).
    """
    (found,) = store.query_one("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'complaints'")
    return bool(found) and store.query_one("SELECT 1 FROM complaints LIMIT 1") is not None


def iceberg_inputs(store: Store, actor: Actor, wave_id: int | None, as_of: date) -> dict:
    """The figures the complaint iceberg starts from, for one wave (or all answers):
    answers, satisfied (4–5) and dissatisfied (1–2) answers, active_customers (bought in the 12
    months up to ``as_of``), complaint_log (bool), complaints_12m (logged in those 12 months,
    None without a log), dissatisfied_identified (distinct customers who answered 1–2) and
    dissatisfied_complained (of them, those with a complaint from 180 days before to 30 days
    after the answer; None without a log).
    """
    rep = actor.rep_scope
    log = complaint_log_exists(store)
    summaries.ensure_current(store)  # _active_customers reads them
    with closing(store.system_cursor()) as db:  # every read below is narrowed to ``rep`` (access.of_rep)
        row = run(db, compose(
            "SELECT count(*) AS answers, count(*) FILTER (satisfaction >= 4) AS satisfied, "
            "count(*) FILTER (satisfaction <= 2) AS dissatisfied, "
            "count(DISTINCT customer_id) FILTER (satisfaction <= 2) AS dissatisfied_identified "
            "FROM survey_responses WHERE satisfaction IS NOT NULL AND {filters}",
            filters=filters(wave_id, rep))).df().iloc[0].to_dict()
        active = _active_customers(db, rep, as_of)
        out = {k: int(v) for k, v in row.items()} | {"active_customers": active, "complaint_log": log}
        out["complaints_12m"] = out["dissatisfied_complained"] = None
        if out["complaint_log"]:
            (out["complaints_12m"],) = run(db, compose(
                "SELECT count(*) FROM complaints WHERE {window} AND {scope}",
                window=last_12_months(as_of, "received_at::DATE"), scope=access.of_rep(rep, "complaints"))).fetchone()
            (out["dissatisfied_complained"],) = run(db, compose(
                "SELECT count(DISTINCT r.customer_id) FROM survey_responses r WHERE r.satisfaction <= 2 "
                "AND {filters} AND EXISTS (SELECT 1 FROM complaints k WHERE k.customer_id = r.customer_id "
                "AND k.received_at::DATE BETWEEN r.responded_on - $days_before::INTEGER"
                " AND r.responded_on + $days_after::INTEGER)",
                filters=filters(wave_id, rep, "r"), days_before=COMPLAINT_WINDOW[0],
                days_after=COMPLAINT_WINDOW[1])).fetchone()
    return out


# Above this share of (the user's) customers with a transaction after the analysis date, reading
# their rows costs about as much as counting the window's rows (crm_core.overview measured 5 %).
_LATER_SHARE = 0.05


def _active_customers(db, rep, as_of: date) -> int:
    """Customers with a transaction in the 12 months up to ``as_of``. From the customer summaries
    (crm_core.summaries, one row per customer with a transaction, orphans included) when few
    customers have a transaction after ``as_of``: one whose last transaction falls in the window is
    active, one whose last is on or before its start is not, and only the rows of the customers
    with a later transaction are read. From the window's rows otherwise."""
    mine = access.of_rep(rep, "customer_summary", alias="s")
    later, summarised = run(db, compose(
        "SELECT count(*) FILTER (WHERE s.last_txn > $as_of::DATE), count(*) FROM customer_summary s WHERE {mine}",
        mine=mine, as_of=as_of)).fetchone()
    if later > _LATER_SHARE * summarised:
        query = compose("SELECT count(DISTINCT customer_id) FROM transactions WHERE {window} AND {scope}",
                        window=last_12_months(as_of, "txn_date"), scope=access.of_rep(rep, "transactions"))
    else:
        query = compose(
            "SELECT (SELECT count(*) FROM customer_summary s WHERE {last_in_window} AND {mine}) "
            "+ (SELECT count(DISTINCT t.customer_id) FROM transactions t SEMI JOIN "
            "(SELECT customer_id FROM customer_summary s WHERE s.last_txn > $as_of::DATE AND {mine}) l "
            "USING (customer_id) WHERE {window})",
            last_in_window=last_12_months(as_of, "s.last_txn"), window=last_12_months(as_of, "t.txn_date"),
            mine=mine, as_of=as_of)
    return int(run(db, query).fetchone()[0])


# --- non-response --------------------------------------------------------------------------

_NONRESPONSE_BASE = """
WITH answered AS (SELECT DISTINCT customer_id FROM survey_responses WHERE customer_id IS NOT NULL AND wave_id = $wave_id),
base AS (SELECT c.customer_id, coalesce(c.region, '(missing)') AS region,
                coalesce(c.tenure_stage, '(missing)') AS tenure_stage,
                c.customer_id IN (SELECT customer_id FROM answered) AS responded
         FROM customers c WHERE c.created_at < $started_on::TIMESTAMPTZ AND {scope})"""
# ``created_at < started_on::TIMESTAMPTZ`` (midnight of the start day in the store's time zone) is
# ``created_at::DATE < started_on`` without converting a million timestamps to local days (0.1-0.3 s).
# The start day is a parameter, not a join with survey_waves: a constant window is filtered in the
# scan, where a join compared every transaction's day with it (a nested loop, ~30 % slower).


def nonresponse(store: Store, actor: Actor, wave_id: int) -> pd.DataFrame:
    """Respondents of a wave against the customers who existed at its start and did not answer:
    region, tenure stage and spend (revenue in the 12 months before the wave), as
    ``nonresponse_check`` returns them.

    For a user who sees every customer, the table kept for the latest wave (crm_core.satisfaction
    .fits, made by ``nonresponse_counted``) while it is current: made on the transactions, answers
    and customers as they are. Else counted (``nonresponse_counted``), the spend per customer read
    from the rows kept for the wave's start (the latest wave's) when that fit is current, else
    summed from the window's transactions.
    """
    with closing(store.system_cursor()) as db:
        started = db.execute("SELECT started_on FROM survey_waves WHERE wave_id = $wave_id", {"wave_id": wave_id}).fetchone()
        if started is None:
            return pd.DataFrame()
        if actor.rep_scope is None:
            table = model_fits.read_current(db, sat_fits.NONRESPONSE_MODEL, started[0],
                                            lambda fit: _kept_nonresponse(db, fit, wave_id))
            if table is not None:
                return table
        return nonresponse_counted(db, actor.rep_scope, wave_id, started[0],
                                   lambda read: model_fits.read_current(db, sat_fits.MODEL, started[0], read))


_NONRESPONSE_COLUMNS = "variable, level, respondents, non_respondents, p_value, measure, difference, p_holm, significant"


def _kept_nonresponse(db, fit: model_fits.Fit, wave_id: int) -> pd.DataFrame | None:
    """The kept table of ``fit`` when it is ``wave_id``'s and current (``sat_fits.nonresponse_current``);
    no row is the empty table, as counted."""
    if not sat_fits.nonresponse_current(db, fit, wave_id):
        return None
    table = db.execute(f"SELECT {_NONRESPONSE_COLUMNS} FROM fit_sat_nonresponse WHERE fit_id = ? ORDER BY row_no",
                       [fit.fit_id]).df()
    return pd.DataFrame() if table.empty else table


def nonresponse_counted(db, rep, wave_id: int, started_on: date, kept_spend) -> pd.DataFrame:
    """``nonresponse``'s table counted on ``db`` for the customers of ``rep`` (None: everyone) who
    existed before ``started_on``, the start of ``wave_id``. ``kept_spend(read)``: ``read(fit)`` on
    the current fit of fit_sat_spend for ``started_on``, or None without one (sum the transactions).

    Counted in DuckDB (the levels by group, the spend of the customers who bought in the window
    only; everyone else spent 0), so no per-customer frame of the whole base is built. Who
    answered is taken over everyone; the base is the user's customers.
    """
    scope = access.of_rep(rep, "customers", alias="c")
    base = compose(_NONRESPONSE_BASE, scope=scope, wave_id=wave_id, started_on=started_on)
    groups = run(db, compose("{base} SELECT region, tenure_stage, responded, count(*) AS n FROM base GROUP BY ALL",
                             base=base)).df()
    if groups.empty:
        return pd.DataFrame()

    def spent(spend: Fragment) -> dict:
        return run(db, compose(
            "{base}, spend AS ({spend}) "
            "SELECT b.responded, coalesce(s.spend, 0) AS spend FROM spend s JOIN base b USING (customer_id)",
            base=base, spend=spend)).fetchnumpy()

    bought = kept_spend(lambda fit: spent(compose(
        "SELECT customer_id, spend::DOUBLE AS spend FROM fit_sat_spend WHERE fit_id = $fit_id", fit_id=fit.fit_id)))
    if bought is None:
        bought = spent(compose(
            f"SELECT t.customer_id, {sat_fits.SPEND}::DOUBLE AS spend FROM transactions t "
            "WHERE {window} {mine} GROUP BY 1", window=last_12_months(started_on, "t.txn_date"),
            # a rep's base is small: group only its rows (for everyone the join alone narrows)
            mine=Fragment("") if rep is None else Fragment("AND t.customer_id IN (SELECT customer_id FROM base)")))
    parts = [_level_rows(groups, column) for column in ("region", "tenure_stage")]
    return tested([*parts, _spend_row(groups, bought)])


def _level_rows(groups: pd.DataFrame, column: str) -> pd.DataFrame:
    """The levels in sorted order (as ``nonresponse_check`` factorizes them) and their counts."""
    by_level = groups.groupby([column, "responded"])["n"].sum().unstack("responded", fill_value=0)
    levels = sorted(by_level.index)
    by_level = by_level.reindex(index=levels, columns=[False, True], fill_value=0)
    return categorical_rows(column, levels, by_level[True].to_numpy(), by_level.sum(axis=1).to_numpy())


def _spend_row(groups: pd.DataFrame, bought: dict) -> pd.DataFrame:
    """Spend per respondent and non-respondent: the window's buyers as summed, the rest 0."""
    responded = np.asarray(bought["responded"], dtype=bool)
    spend = np.asarray(bought["spend"], dtype=float)
    n_yes = int(groups.loc[groups["responded"], "n"].sum())
    n_no = int(groups["n"].sum()) - n_yes
    yes, no = spend[responded], spend[~responded]
    return numeric_row("spend", np.concatenate([yes, np.zeros(n_yes - len(yes))]),
                       np.concatenate([no, np.zeros(n_no - len(no))]))


# --- one customer --------------------------------------------------------------------------

def customer_answers(store: Store, actor: Actor, customer_id: int) -> pd.DataFrame:
    """Every answer of one customer, newest first, with the wave name (empty for a customer the
    rep does not own).
    """
    return _read(store, lambda db: run(db, compose(
        "SELECT r.response_id, w.name AS wave, r.responded_on, r.channel, r.satisfaction, r.repurchase_intent, "
        "r.recommend, r.recommend_yes, r.comment FROM survey_responses r "
        "LEFT JOIN survey_waves w ON w.wave_id = r.wave_id "
        "WHERE r.customer_id = $id AND {filters} ORDER BY r.responded_on DESC, r.response_id DESC",
        filters=filters(None, actor.rep_scope, "r"), id=int(customer_id))).df())
