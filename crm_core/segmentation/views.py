"""The Segmentation page's reads over the whole store, fast at 1M customers."""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

from crm_core import access
from crm_core.definitions import PURCHASE
from crm_core.model_fits import FIT_CHUNK_ROWS, customer_ranges, fit_by_id
from crm_core.segmentation.abc import (
    ABC_CLASSES,
    MEASURES,
    MIGRATION_CLASSES,
    abc_shares,
    ceil_count,
    check_period,
    exact_share,
    measure_column,
)
from crm_core.segmentation.allocation import CLASS_TO_TIER, allocate_budget
from crm_core.segmentation.fits import (
    EFFORT_TABLE,
    MOVEMENT_TABLE,
    NEED_TABLE,
    OVERVIEW_TABLE,
    RFM_CELLS_TABLE,
    SPEND_COLUMNS,
    SPEND_TABLE,
    VALUE_TABLE,
    kept_effort,
    kept_fit,
    kept_movement,
    kept_needs,
    kept_overview,
    kept_rfm_cells,
    kept_spend,
    kept_values,
    previous_period,
    spend_ranks,
)
from crm_core.segmentation.needs import NEED_CTES, NEED_TYPES, need_type_sql
from crm_core.segmentation.rfm import (
    RFM_SCORE_CTES,
    RFM_SEGMENT,
    RFM_SEGMENTS,
    RFM_TABLE,
    quintile_sql,
    rfm_as_of,
    score_cte,
    summary_frame,
)
from crm_core.segmentation.value import (
    CUSTOMER_FEATURE_COLUMNS,
    DEFAULT_NONMONETARY_WEIGHTS,
    NONMONETARY_FACTORS,
    VALUE_TIERS,
    ValueGrid,
    available_factors,
    checked_weights,
    customer_features_cte,
    customer_features_sql,  # noqa: F401  (the live read; tests check a kept view never makes it)
    factor_scores_sql,
    grid_of,
    labels_of,
    months_in_period,
    scores_and_tiers,
    top_n_graded,
    weighted_scores,
)
from crm_core.sql import (
    Fragment,
    between,
    compose,
    fetch_frame,
    last_12_months_dates,
    quote_identifier,
    relation,
    run,
)

# ---------------------------------------------------------------------------------------------
# The Segmentation page: (store, actor, ...) reads over the whole store, fast at 1M customers.
#
# Scope: a rep (Actor.rep_scope) is segmented among the customers they own — ranks, classes,
# shares and quintiles are relative to that book, so no company-wide total leaks to them. The
# restriction is the access rule as a fragment (``access.visible``) inside each query, run on the
# system cursor: a rep's book is a semi-join of transactions on their customers in the same single
# query (through the scoped cursor's views the same reads took up to twice as long at 300,000
# customers). The per-customer features of the RFM, needs and value tabs are computed over
# everyone (the store's average prices, the kept rows) and narrowed inside the same query.
# Everyone else sees the whole company. ABC and Pareto figures are aggregated in DuckDB; only
# small results (a few hundred rows, or one page of a list) come back to Python.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentQuery:
    """What an ABC classification depends on: period (both ends inclusive), measure, shares.
    Hashable, so pages cache on it. Raises ValueError like ``abc_classify_sql``."""

    start: date
    end: date
    measure: str = "revenue"
    a_share: float = 0.05
    b_share: float = 0.20

    def __post_init__(self):
        check_period(self.start, self.end)
        measure_column(self.measure)
        abc_shares(self.a_share, self.b_share)

    def with_period(self, start: date, end: date) -> SegmentQuery:
        return replace(self, start=start, end=end)


def default_period(as_of: date) -> tuple[date, date]:
    """The last 12 months up to and including ``as_of``: 2026-06-30 → 2025-07-01 .. 2026-06-30."""
    return last_12_months_dates(as_of)


def _read(store, query: Fragment) -> pd.DataFrame:
    """``query`` (already narrowed by ``access.visible``) on the system cursor."""
    with closing(store.system_cursor()) as db:
        return run(db, query).df()


def class_case(a: Fraction, b: Fraction) -> Fragment:
    """The class of a row with ``rank`` among ``n``: A within the first a·n ranks, B within b·n
    (exact integer arithmetic on the shares' fractions)."""
    return Fragment("CASE WHEN (rank - 1) * CAST($a_den AS HUGEINT) < CAST($a_num AS HUGEINT) * n THEN 'A' "
                    "WHEN (rank - 1) * CAST($b_den AS HUGEINT) < CAST($b_num AS HUGEINT) * n THEN 'B' ELSE 'C' END",
                    {"a_den": str(a.denominator), "a_num": str(a.numerator),
                     "b_den": str(b.denominator), "b_num": str(b.numerator)})


def _cut_case(a: Fraction, b: Fraction, n: int, rank: str = "rank", prefix: str = "") -> Fragment:
    """``class_case`` when ``n`` is known: ``rank`` (a column of the code) compared with the last
    ranks of A and of B, ceil(a·n) and ceil(b·n) — the same classes, without 128-bit products."""
    return Fragment(f"CASE WHEN {rank} <= ${prefix}a_last THEN 'A' WHEN {rank} <= ${prefix}b_last THEN 'B' ELSE 'C' END",
                    {f"{prefix}a_last": ceil_count(a, n), f"{prefix}b_last": ceil_count(b, n)})


def _period(q: SegmentQuery, actor, prefix: str = "") -> Fragment:
    """The transactions of ``q``'s days (both ends included) that ``actor`` may see; parameters
    named after ``prefix``."""
    return between(q.start, q.end, "txn_date", prefix=f"{prefix}period") & access.visible(actor, "transactions")


@dataclass(frozen=True)
class Kept:
    """A period's per-customer totals as the background fit keeps them (``fits.SPEND_TABLE``): fit
    ``fit_id``, ``prior`` "" for its default period or "prior_" for the one before, and ``ranked``
    (its header's count of each rank column: n over the whole store)."""

    fit_id: int
    prior: str
    ranked: dict

    def columns(self, measure: str) -> tuple[str, str]:
        """(total, rank) columns of ``measure`` (fixed names of the kept table, never user text)."""
        return SPEND_COLUMNS[(measure, self.prior)]

    def before(self) -> Kept:
        """The period before this one (``previous_period``), kept in the same rows."""
        return replace(self, prior="prior_")


def _kept_totals(cur, q: SegmentQuery) -> Kept | None:
    """Where ``q``'s totals are kept (``fits.kept_spend``; on ``cur`` inside a transaction), or None:
    compute live."""
    fit = kept_spend(cur, q.start, q.end)
    return None if fit is None else Kept(fit.fit_id, "", fit.params["ranked"])


def _on_snapshot(store, q: SegmentQuery, read):
    """``read(cur, kept)`` on a system cursor (narrowed inside its queries, ``access.visible``) in one
    snapshot, ``kept`` being where ``q``'s totals are kept (None: live), so a refit landing meanwhile
    (which prunes the older rows) cannot leave the header without its rows."""
    with closing(store.system_cursor()) as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            return read(cur, _kept_totals(cur, q))
        finally:
            cur.execute("ROLLBACK")  # read only


def _sees_everyone(actor) -> bool:
    """Whether ``actor`` may see every customer's transactions: the kept ranks are theirs."""
    return access.visible(actor, SPEND_TABLE).sql == "TRUE"


def _kept_spend_ctes(q: SegmentQuery, actor, prefix: str, buying: bool, kept: Kept, inline: bool = False) -> Fragment:
    """``_spend_ctes`` read from the kept totals: the same customers and sums (DECIMAL(18, 2)); for
    a user who sees everyone ``{prefix}spend`` also has the kept ``rank``. ``inline``: never made
    apart (a query that reads it twice by rank reads only those rows each time)."""
    total, rank = kept.columns(q.measure)  # fixed column names (fits.SPEND_COLUMNS)
    revenue, _ = kept.columns("revenue")
    ranked = f", {rank} AS rank" if _sees_everyone(actor) else ""
    where = compose(f"fit_id = ${prefix}kept_fit AND {{visible}}", visible=access.visible(actor, SPEND_TABLE),
                    **{f"{prefix}kept_fit": kept.fit_id})
    if not buying:
        how = "NOT MATERIALIZED " if inline else ""
        return compose(f"""{prefix}spend AS {how}(
        SELECT customer_id, {total} AS spend{ranked} FROM {SPEND_TABLE} WHERE {{where}} AND {total} > 0)""",
                       where=where)
    return compose(f"""{prefix}totals AS (
        SELECT customer_id, {total} AS spend, {revenue} AS revenue{ranked} FROM {SPEND_TABLE}
        WHERE {{where}} AND {revenue} IS NOT NULL),
    {prefix}spend AS (SELECT * EXCLUDE (revenue) FROM {prefix}totals WHERE spend > 0)""", where=where)


def _spend_ctes(q: SegmentQuery, actor, prefix: str, buying: bool, kept: Kept | None = None) -> Fragment:
    """CTE ``{prefix}spend`` (customer_id, spend: the positive totals of ``q``'s measure); with
    ``buying`` also ``{prefix}totals`` (customer_id, spend, revenue: every customer with a
    transaction in the period), from which both are read — one pass over the transactions for
    the margin's classes and its count of buyers (net revenue > 0). ``kept``: read from the totals
    the background fit keeps for ``q``'s period (``_kept_spend_ctes``), else from the transactions."""
    if kept is not None:
        return _kept_spend_ctes(q, actor, prefix, buying, kept)
    column = measure_column(q.measure)  # identifier from the fixed whitelist
    # DECIMAL(18, 2) (a 64-bit integer inside) sorts about twice as fast as the DECIMAL(38, 2) that
    # SUM returns; a customer's total would have to pass 10^16 to overflow (an error, not a wrong
    # rank).
    if not buying:
        return compose(f"""{prefix}spend AS (
        SELECT customer_id, CAST(SUM({column}) AS DECIMAL(18, 2)) AS spend FROM transactions
        WHERE {{period}}
        GROUP BY customer_id HAVING SUM({column}) > 0)""", period=_period(q, actor, prefix))
    # The cast is applied after the test, as HAVING SUM(...) > 0 tests the uncast sum.
    return compose(f"""{prefix}totals AS MATERIALIZED (
        SELECT customer_id, SUM({column}) AS spend, SUM(amount) AS revenue FROM transactions
        WHERE {{period}} GROUP BY customer_id),
    {prefix}spend AS (
        SELECT customer_id, CAST(spend AS DECIMAL(18, 2)) AS spend FROM {prefix}totals WHERE spend > 0)""",
                   period=_period(q, actor, prefix))


def _classified_ctes(q: SegmentQuery, actor, prefix: str = "", running: bool = False,
                     buying: bool = False, kept: Kept | None = None, spend: Fragment | None = None) -> Fragment:
    """CTEs ``{prefix}spend``, ``{prefix}ranked`` and ``{prefix}classified`` (customer_id, spend,
    rank, n, abc; with ``running`` also running and total) — the rules of ``abc_classify_sql``;
    with ``buying`` also ``{prefix}totals`` (``_spend_ctes``). ``kept``: from the totals the
    background fit keeps, with their ranks over the whole store when ``actor`` sees everyone (no
    ranking at all), else ranked here among the user's customers. ``spend``: that CTE given
    instead (the same customers and totals; other columns it has are carried along), ranked here."""
    a, b = abc_shares(q.a_share, q.b_share)
    kept_n = _kept_n(q, actor, kept) if spend is None else None
    spend = _spend_ctes(q, actor, prefix, buying, kept) if spend is None else spend
    window = "ORDER BY spend DESC, customer_id" if kept_n is None else "ORDER BY rank"
    extra = (f", SUM(spend) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running"
             ", SUM(spend) OVER () AS total") if running else ""
    if kept_n is not None:  # n is known: the class is a comparison of the rank with the classes' last ranks
        rank, n = "", Fragment(f"CAST(${prefix}kept_n AS BIGINT)", {f"{prefix}kept_n": kept_n})
        case = _cut_case(a, b, kept_n, prefix=prefix)
    else:  # n comes from a scalar subquery: a second window over every row costs more.
        rank, n = f", ROW_NUMBER() OVER ({window}) AS rank", Fragment(f"(SELECT COUNT(*) FROM {prefix}spend)")
        case = class_case(a, b)
    return compose(f"""{{spend}},
    {prefix}ranked AS (
        SELECT *{rank}, {{n}} AS n{extra}
        FROM {prefix}spend),
    {prefix}classified AS (SELECT *, {{case}} AS abc FROM {prefix}ranked)""",
                   spend=spend, n=n, case=case)


def _kept_n(q: SegmentQuery, actor, kept: Kept | None) -> int | None:
    """How many customers ``q``'s kept ranks rank when they are ``actor``'s (a user who sees
    everyone): the header's count. None: ranked at read time."""
    if kept is None or not _sees_everyone(actor):
        return None
    return int(kept.ranked[kept.columns(q.measure)[1]])


def current_classes(actor, as_of: date, cur=None) -> Fragment:
    """(customer_id, abc): the classes the Segmentation page shows ``actor`` by default for
    ``as_of`` (revenue over the last 12 months to it, A = top 5 %, B = top 20 %, ranked among the
    customers the user may see); customers without net revenue are absent. The stored class
    history cannot stand in: it is whole-population and only at closed month ends. With ``cur``
    (inside a transaction, where the query will run) from the totals the background fit keeps
    when current, else from the transactions."""
    q = SegmentQuery(*default_period(as_of))
    kept = None if cur is None else _kept_totals(cur, q)
    return compose("WITH {ctes} SELECT customer_id, abc FROM classified", ctes=_classified_ctes(q, actor, kept=kept))


class AbcOverview(NamedTuple):
    """The ABC tab's figures. ``classes``: A/B/C → count, spend, share, first_rank, last_rank.
    ``pareto``: the concentration curve from the largest customer down — ``customer_fraction``
    (share of classified customers, largest first) and ``spend_fraction`` (their cumulative
    share of the measure); (0, 0) to (1, 1), at most ``points`` + 4 rows."""

    customers: int  # customers the user can see
    classified: int  # with a positive total of the measure in the period
    no_purchase: int  # no net purchase (revenue <= 0) in the period
    not_positive: int  # bought, but the measure (margin) is not positive
    total_spend: float
    classes: dict
    top_fraction: float
    top_customers: int
    top_spend_share: float | None
    gini: float | None
    pareto: pd.DataFrame


def _count_row(db, q: SegmentQuery, actor, classified: int, buying: int | None = None) -> tuple[int, int]:
    """Customers the user can see, and how many of them have net purchases in the period (for
    revenue that is the number classified; for margin ``buying`` when the overview query counted
    them, else a query of its own)."""
    if q.measure == "revenue" or buying is not None:
        (customers,) = run(db, compose("SELECT COUNT(*) FROM customers WHERE {visible}",
                                       visible=access.visible(actor, "customers"))).fetchone()
        return int(customers), classified if q.measure == "revenue" else buying
    query = compose("""SELECT (SELECT COUNT(*) FROM customers WHERE {visible}),
                    (SELECT COUNT(*) FROM (SELECT customer_id FROM transactions
                      WHERE {period} GROUP BY customer_id HAVING SUM(amount) > 0))""",
                    visible=access.visible(actor, "customers"), period=_period(q, actor))
    customers, buying = run(db, query).fetchone()
    return int(customers), int(buying)


def _checked_top(top_share, points: int) -> Fraction:
    top = exact_share(top_share, "top_share")
    if not 0 < top <= 1:
        raise ValueError(f"top_share must be in (0, 1], got {top_share}")
    if points < 1:
        raise ValueError(f"points must be at least 1, got {points}")
    return top


def abc_overview(store, actor, q: SegmentQuery, top_share=0.20, points: int = 200) -> AbcOverview:
    """Classes, 80/20 numbers, Gini and the Pareto curve of ``q`` in one aggregate query; the
    numbers equal ``pareto_summary(abc_classify_sql(...))`` (tested). ``points`` (>= 1) is the
    number of rank buckets of the curve. Raises ValueError for an invalid ``top_share``."""
    top = _checked_top(top_share, points)
    return _on_snapshot(store, q, lambda cur, kept: _overview(cur, q, actor, top, points, kept=kept))


def abc_overview_and_page(store, actor, q: SegmentQuery, limit: int = 50, top_share=0.20,
                          points: int = 200) -> tuple[AbcOverview, tuple[pd.DataFrame, int]]:
    """``abc_overview(store, actor, q, top_share, points)`` and ``class_customers(store, actor, q,
    "A", limit)`` (the first page of the A list and how many there are) in one query: the same
    answers from one pass over the period's transactions instead of two."""
    top = _checked_top(top_share, points)
    return _on_snapshot(store, q, lambda cur, kept: _overview(cur, q, actor, top, points, first_page=int(limit),
                                                               kept=kept))


def _overview(cur, q: SegmentQuery, actor, top: Fraction, points: int, first_page: int = 0,
              kept: Kept | None = None):
    """The overview of ``q`` on ``cur``; with ``first_page`` (> 0) also the first page of that many
    rows of the A list, as ``class_customers`` gives it: (overview, (page, count)). ``kept``: where
    ``q``'s totals are kept (``_classified_ctes``); the default classification of a user who sees
    everyone is read from the kept figures when current (``_kept_groups``)."""
    margin = q.measure != "revenue"  # its buyers (net revenue > 0) are counted in the same pass
    groups = _kept_groups(cur, q, actor, top, points, first_page, kept)
    if groups is None:
        groups = run(cur, _overview_query(q, actor, top, points, first_page, kept)).df()
    # no classified row carries the count of buyers: counted apart (as every margin was before)
    buying = int(groups["buying"].iloc[0]) if margin and len(groups) else None
    customers, buying = _count_row(cur, q, actor, int(groups["customers"].sum()), buying)
    overview = _overview_from_groups(groups, customers, buying, q.measure, top)
    if not first_page:
        return overview
    return overview, _first_a_page(groups, q)


# The rows of the A list's first page (by rank: A comes first) as one list, from CTE ``classified``.
_A_PAGE_ROWS = """(SELECT list({'customer_id': k.customer_id, 'spend': k.spend, 'code': c.code, 'name': c.name}
                        ORDER BY k.rank)
            FROM classified k JOIN customers c USING (customer_id)
            WHERE k.abc = 'A' AND k.rank <= $page_size)"""


def _overview_query(q: SegmentQuery, actor, top: Fraction, points: int, first_page: int,
                    kept: Kept | None) -> Fragment:
    """The overview's groups (class × rank bucket), with the count of buyers for the margin and,
    with ``first_page``, the A list's first page and everyone's exact total (``page_total``)."""
    margin = q.measure != "revenue"
    kept_n = _kept_n(q, actor, kept)
    # the top share's customers: the first ceil(top·n) ranks (n known for kept ranks: a comparison of integers)
    in_top = (Fragment("(rank - 1) * CAST($top_den AS HUGEINT) < CAST($top_num AS HUGEINT) * n",
                       {"top_den": str(top.denominator), "top_num": str(top.numerator)}) if kept_n is None
              else Fragment("rank <= $top_last", {"top_last": ceil_count(top, kept_n)}))
    extra = ", (SELECT COUNT(*) FROM totals WHERE revenue > 0) AS buying" if margin else ""
    if first_page:  # the page's rows as one list, and everyone's exact total
        extra += ", (SELECT SUM(spend) FROM classified) AS page_total, " + _A_PAGE_ROWS + " AS page_rows"
    return compose("""WITH {ctes}
    SELECT abc, (rank - 1) * CAST($points AS BIGINT) // n AS bucket, COUNT(*) AS customers,
           CAST(SUM(spend) AS DOUBLE) AS spend, MIN(rank) AS first_rank, MAX(rank) AS last_rank, MAX(n) AS n,
           -- exact (in cents, then one rounding): a sum of doubles depends on the order rows come in
           CAST(SUM(CAST(n - rank + 1 AS DECIMAL(20, 0)) * spend) AS DOUBLE) AS weighted,
           COALESCE(CAST(SUM(spend) FILTER (WHERE {in_top}) AS DOUBLE), 0) AS top_spend{extra}
    FROM classified GROUP BY ALL ORDER BY first_rank""", ctes=_classified_ctes(q, actor, buying=margin, kept=kept),
                   points=int(points), in_top=in_top,
                   extra=Fragment(extra, {"page_size": first_page} if first_page else {}))


# -- the ABC figures and the movement matrix of the default classification, kept ------------------
# (fits.OVERVIEW_TABLE and fits.MOVEMENT_TABLE, migration 031)
#
# For a user who sees every customer, ranks are the store's (the kept totals'): the figures of the
# default classification (the page's default shares, the 80/20 point, 200 buckets) are the same for
# all of them, kept per measure as the live query makes them. Other shares are computed as before.
KEPT_TOP, KEPT_POINTS = Fraction(1, 5), 200  # abc_overview's defaults
_KEPT_SHARES = abc_shares(SegmentQuery.a_share, SegmentQuery.b_share)  # SegmentQuery's defaults: the page's


def _default_classes(q: SegmentQuery, top: Fraction = KEPT_TOP, points: int = KEPT_POINTS) -> bool:
    return abc_shares(q.a_share, q.b_share) == _KEPT_SHARES and top == KEPT_TOP and points == KEPT_POINTS


def _keeps_classes(q: SegmentQuery, actor, kept: Kept | None, top: Fraction = KEPT_TOP,
                   points: int = KEPT_POINTS) -> bool:
    """Whether the kept figures of ``q``'s period can be ``actor``'s: the kept totals are current,
    the ranks are theirs and the classification the default one."""
    return kept is not None and _sees_everyone(actor) and _default_classes(q, top, points)


def _kept_groups(cur, q: SegmentQuery, actor, top: Fraction, points: int, first_page: int,
                 kept: Kept | None) -> pd.DataFrame | None:
    """``_overview_query``'s groups from the kept figures (and, with ``first_page``, the A list's
    first page read by rank from the kept totals, with the names as they are now), or None."""
    if not _keeps_classes(q, actor, kept, top, points):
        return None
    fit = kept_overview(cur, q.start, q.end)
    if fit is None:
        return None
    buying = ", buying" if q.measure != "revenue" else ""
    groups = run(cur, Fragment(f"""SELECT abc, bucket, customers, spend, first_rank, last_rank, n, weighted, top_spend{buying},
               total AS page_total FROM {OVERVIEW_TABLE} WHERE fit_id = $overview_fit AND measure = $measure
        ORDER BY first_rank""", {"overview_fit": fit.fit_id, "measure": q.measure})).df()
    if first_page and len(groups):
        total, rank = kept.columns(q.measure)  # fixed column names (fits.SPEND_COLUMNS)
        a_last = ceil_count(_KEPT_SHARES[0], int(groups["n"].iloc[0]))
        page = run(cur, compose(f"""WITH classified AS (
            SELECT customer_id, {total} AS spend, {rank} AS rank, 'A' AS abc FROM {SPEND_TABLE}
            WHERE fit_id = $kept_fit AND {rank} <= $a_last)
        SELECT {_A_PAGE_ROWS} AS page_rows""", kept_fit=kept.fit_id, a_last=a_last, page_size=int(first_page))).df()
        groups["page_rows"] = pd.Series([page["page_rows"].iloc[0]] * len(groups), dtype=object)
    return groups


def overview_rows(cur, start: date, end: date):
    """(params, rows) of the ABC figures kept for the default period ``start``..``end``
    (fits.OVERVIEW_TABLE): ``_overview_query``'s groups of the default classification of the whole
    store per measure, on ``cur``'s snapshot, from the kept totals when current (as the page reads
    them), else live; the total exact (an Arrow table: no double on the way)."""
    kept = _kept_totals(cur, SegmentQuery(start, end))
    parts = []
    for measure in MEASURES:
        query = _overview_query(SegmentQuery(start, end, measure), None, KEPT_TOP, KEPT_POINTS, 1, kept)
        buying = "buying" if measure != "revenue" else "CAST(NULL AS BIGINT)"
        parts.append(relation(cur, compose(f"""SELECT CAST($measure AS VARCHAR) AS measure, abc, bucket, customers,
            spend, first_rank, last_rank, n, weighted, top_spend, {buying} AS buying, page_total AS total
            FROM ({{groups}}) ORDER BY first_rank""", groups=query, measure=measure)).to_arrow_table())
    return {"start": start.isoformat(), "end": end.isoformat()}, parts


def _listed(value) -> list:
    """A LIST column's value as a Python list: DuckDB's list() of no rows is NULL (None or pd.NA)."""
    return list(value) if isinstance(value, (list, np.ndarray)) else []


def _first_a_page(groups: pd.DataFrame, q: SegmentQuery) -> tuple[pd.DataFrame, int]:
    """``class_customers(..., "A", limit)`` from the overview query's ``page_rows``: spends as
    floats, as DuckDB hands a DECIMAL column to pandas (exact: cents / 100, correctly rounded)."""
    n = int(groups["n"].max()) if len(groups) else 0
    a, b = abc_shares(q.a_share, q.b_share)
    a_last, b_last = ceil_count(a, n), ceil_count(b, n)
    if not n:
        return _page_frame(pd.DataFrame(), 0, a_last, b_last, 0.0, 0.0), 0
    rows = pd.DataFrame(_listed(groups["page_rows"].iloc[0]), columns=["customer_id", "spend", "code", "name"])
    rows["spend"] = rows["spend"].map(float)
    return _page_frame(rows, 0, a_last, b_last, 0.0, groups["page_total"].iloc[0]), a_last


def _overview_from_groups(groups: pd.DataFrame, customers: int, buying: int, measure: str,
                          top: Fraction) -> AbcOverview:
    n = int(groups["n"].max()) if len(groups) else 0
    total = float(groups["spend"].sum())
    by_class = groups.groupby("abc").agg(count=("customers", "sum"), spend=("spend", "sum"),
                                         first_rank=("first_rank", "min"), last_rank=("last_rank", "max"))
    classes = {}
    for cls in ABC_CLASSES:
        if cls in by_class.index:
            row = by_class.loc[cls]
            classes[cls] = {"count": int(row["count"]), "spend": float(row["spend"]),
                            "share": float(row["spend"]) / total if total else None,
                            "first_rank": int(row["first_rank"]), "last_rank": int(row["last_rank"])}
        else:
            classes[cls] = {"count": 0, "spend": 0.0, "share": None if not n else 0.0,
                            "first_rank": None, "last_rank": None}
    if n:
        cumulative = np.concatenate(([0.0], groups["spend"].cumsum().to_numpy() / total))
        ranks = np.concatenate(([0], groups["last_rank"].to_numpy()))
        pareto = pd.DataFrame({"customer_fraction": ranks / n, "spend_fraction": cumulative})
        pareto.iloc[-1] = [1.0, 1.0]
        gini = float(2.0 * groups["weighted"].sum() / (n * total) - (n + 1) / n)
        top_spend_share = float(groups["top_spend"].sum()) / total
    else:
        pareto = pd.DataFrame({"customer_fraction": pd.Series(dtype=float), "spend_fraction": pd.Series(dtype=float)})
        gini = top_spend_share = None
    return AbcOverview(customers=customers, classified=n, no_purchase=customers - buying,
                       not_positive=max(buying - n, 0) if measure != "revenue" else 0,
                       total_spend=total, classes=classes, top_fraction=float(top),
                       top_customers=ceil_count(top, n), top_spend_share=top_spend_share, gini=gini,
                       pareto=pareto)


LIST_COLUMNS = ["customer_id", "code", "name", "abc", "rank", "spend", "share", "cum_share"]


def _with_names(db, inner: Fragment, order: str) -> pd.DataFrame:
    """``inner`` (rows with customer_id) joined to the customer's code and name; ``order`` is
    fixed SQL text of the caller."""
    return run(db, compose(f"""SELECT x.*, c.code, c.name FROM ({{inner}}) x
                                JOIN customers c USING (customer_id) ORDER BY {order}""", inner=inner)).df()


def class_customers(store, actor, q: SegmentQuery, abc: str | None = None, limit: int | None = 50,
                    offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of the classified customers (all classes, or ``abc``), by rank, with code and
    name: ``LIST_COLUMNS``; and how many there are in all. ``limit`` None: every row.

    A page is read with a top-N query (no ranking of every customer): the class's rank range
    follows from n, and ``cum_share`` adds the page's spends to the sum of all higher ranks."""
    _check_class(abc)
    if limit is None:
        return _whole_class(store, actor, q, abc)
    def read(cur, kept):
        stats = _kept_stats(cur, q, actor, kept)  # n and total known: the page and the sum above it are rank ranges
        spend = (_spend_cte(q, actor) if kept is None
                 else _kept_spend_ctes(q, actor, "", False, kept, inline=stats is not None))
        return _class_page(cur, q, abc, limit, offset, spend, ranked=kept is not None and _sees_everyone(actor),
                           stats=stats)
    return _on_snapshot(store, q, read)


def _kept_stats(cur, q: SegmentQuery, actor, kept: Kept | None) -> Fragment | None:
    """CTE ``stats`` (n, total: how many ``q``'s kept ranks rank and the exact sum of their totals)
    from the kept ABC figures when the ranks are ``actor``'s and they are current — the same for any
    shares —, so a page of a list reads no other row than its own; else None."""
    if kept is None or not _sees_everyone(actor):
        return None
    fit = kept_overview(cur, q.start, q.end)
    return None if fit is None else Fragment(
        f"""stats AS (SELECT CAST($known_n AS BIGINT) AS n, (SELECT total FROM {OVERVIEW_TABLE}
                      WHERE fit_id = $overview_fit AND measure = $measure LIMIT 1) AS total)""",
        {"known_n": _kept_n(q, actor, kept), "overview_fit": fit.fit_id, "measure": q.measure})


def _check_class(abc: str | None) -> None:
    if abc is not None and abc not in ABC_CLASSES:
        raise ValueError(f"abc must be one of A, B, C, got {abc!r}")


def _class_page(cur, q: SegmentQuery, abc: str | None, limit: int, offset: int,
                spend: Fragment, ranked: bool = False, stats: Fragment | None = None) -> tuple[pd.DataFrame, int]:
    """``class_customers``' page read on ``cur``, the CTE ``spend`` given (``_spend_cte``);
    ``ranked``: it has each customer's ``rank`` (kept), so the page is a range of ranks; ``stats``:
    the CTE of n and total when known (``_kept_stats``), else counted from ``spend``."""
    a, b = abc_shares(q.a_share, q.b_share)
    # One query: the class's rank range follows from n (ceil in integers), then a top-N read of the
    # page and of the sum of every higher rank; LIMIT/OFFSET take scalar subqueries in DuckDB.
    query = compose("""WITH {spend},
    {stats},
    cuts AS (SELECT n, total,
                    (CAST($a_num AS HUGEINT) * n + CAST($a_den AS HUGEINT) - 1) // CAST($a_den AS HUGEINT) AS a_last,
                    (CAST($b_num AS HUGEINT) * n + CAST($b_den AS HUGEINT) - 1) // CAST($b_den AS HUGEINT) AS b_last
             FROM stats),
    bounds AS (SELECT n, total, a_last, b_last,
                      CASE CAST($abc AS VARCHAR) WHEN 'B' THEN a_last + 1 WHEN 'C' THEN b_last + 1 ELSE 1 END AS first_rank,
                      CASE CAST($abc AS VARCHAR) WHEN 'A' THEN a_last WHEN 'B' THEN b_last ELSE n END AS last_rank
               FROM cuts),
    window_ AS (SELECT *, CAST(first_rank - 1 + $offset AS BIGINT) AS skip,
                       CAST(GREATEST(LEAST($limit, last_rank - (first_rank - 1 + $offset)), 0) AS BIGINT) AS take
                FROM bounds),
    {page},
    SELECT w.n, w.total, w.a_last, w.b_last, w.first_rank, w.last_rank, w.skip, above.above,
           p.customer_id, p.spend, c.code, c.name
    FROM window_ w CROSS JOIN above LEFT JOIN page p ON TRUE LEFT JOIN customers c ON c.customer_id = p.customer_id
    ORDER BY p.spend DESC, p.customer_id""", spend=spend, page=Fragment(_RANKED_PAGE if ranked else _TOP_N_PAGE),
                    stats=Fragment("stats AS (SELECT COUNT(*) AS n, SUM(spend) AS total FROM spend)") if stats is None
                    else stats,
                    a_num=str(a.numerator), a_den=str(a.denominator),
                    b_num=str(b.numerator), b_den=str(b.denominator), abc=abc, offset=max(int(offset), 0),
                    limit=int(limit))
    rows = run(cur, query).df()
    head = rows.iloc[0]
    matches = max(int(head["last_rank"]) - int(head["first_rank"]) + 1, 0)
    return _page_frame(rows.dropna(subset=["customer_id"]), int(head["skip"]), int(head["a_last"]),
                       int(head["b_last"]), head["above"], head["total"]), matches


# The page of ``_class_page`` and the sum of every higher rank: a top-N read, or a range of kept ranks.
_TOP_N_PAGE = """page AS (SELECT customer_id, spend FROM spend ORDER BY spend DESC, customer_id
             LIMIT (SELECT take FROM window_) OFFSET (SELECT skip FROM window_)),
    above AS (SELECT COALESCE(SUM(spend), 0) AS above FROM
              (SELECT spend FROM spend ORDER BY spend DESC, customer_id LIMIT (SELECT skip FROM window_)))"""
_RANKED_PAGE = """page AS (SELECT customer_id, spend FROM spend, window_ w WHERE rank > w.skip AND rank <= w.skip + w.take),
    above AS (SELECT COALESCE(SUM(spend), 0) AS above FROM spend, window_ w WHERE rank <= w.skip)"""


def _page_frame(rows: pd.DataFrame, skip: int, a_last: int, b_last: int, above: float, total: float) -> pd.DataFrame:
    """``LIST_COLUMNS`` of a page: ``rows`` (customer_id, spend, code, name by rank after the first
    ``skip`` ranks), ``above`` the sum of the spends ranked higher and ``total`` everyone's."""
    if rows.empty:
        return pd.DataFrame({c: [] for c in LIST_COLUMNS})
    spends = rows["spend"].map(Decimal)
    running = Decimal(above) + spends.cumsum()
    total = Decimal(total)
    rank = np.arange(skip + 1, skip + len(rows) + 1, dtype="int64")
    return pd.DataFrame({
        "customer_id": rows["customer_id"].astype("int64").to_numpy(), "code": rows["code"].to_numpy(),
        "name": rows["name"].to_numpy(),
        "abc": np.where(rank <= a_last, "A", np.where(rank <= b_last, "B", "C")),
        "rank": rank, "spend": spends.astype(float).to_numpy(),
        "share": (spends / total).astype(float).to_numpy(), "cum_share": (running / total).astype(float).to_numpy()})


def _spend_cte(q: SegmentQuery, actor) -> Fragment:
    column = measure_column(q.measure)
    return compose(f"""spend AS MATERIALIZED (SELECT customer_id, CAST(SUM({column}) AS DECIMAL(18, 2)) AS spend
        FROM transactions WHERE {{period}} GROUP BY customer_id HAVING SUM({column}) > 0)""", period=_period(q, actor))


def _whole_class(store, actor, q: SegmentQuery, abc: str | None) -> tuple[pd.DataFrame, int]:
    def read(cur, kept):
        inner = compose("""WITH {ctes}
            SELECT customer_id, abc, rank, CAST(spend AS DOUBLE) AS spend,
                   CAST(spend AS DOUBLE) / CAST(total AS DOUBLE) AS share,
                   CAST(running AS DOUBLE) / CAST(total AS DOUBLE) AS cum_share
            FROM classified WHERE (CAST($abc AS VARCHAR) IS NULL OR abc = $abc)""",
                        ctes=_classified_ctes(q, actor, running=True, kept=kept), abc=abc)
        return _with_names(cur, inner, "rank")
    frame = _on_snapshot(store, q, read)
    return frame[LIST_COLUMNS].reset_index(drop=True), len(frame)


def classified_frame(store, actor, q: SegmentQuery) -> pd.DataFrame:
    """The whole ``abc_classify`` result (``ABC_COLUMNS``) of ``q`` among the user's customers."""
    return _read(store, compose("""WITH {ctes}
    SELECT customer_id, CAST(spend AS DOUBLE) AS spend, rank,
           CAST(spend AS DOUBLE) / CAST(total AS DOUBLE) AS share,
           CAST(running AS DOUBLE) / CAST(total AS DOUBLE) AS cum_share, abc
    FROM classified ORDER BY rank""", ctes=_classified_ctes(q, actor, running=True)))


# -- movement between the period and the one before ------------------------------------------------

class Movement(NamedTuple):
    previous: SegmentQuery
    matrix: pd.DataFrame  # like class_migration: rows prev class, columns current class


def _movement_ctes(q: SegmentQuery, actor, kept: Kept | None = None,
                   chosen: tuple | None = None) -> tuple[Fragment, SegmentQuery]:
    """CTE ``moved`` (customer_id, prev_abc, curr_abc, prev_rank, prev_spend, curr_rank, curr_spend:
    every customer classified in ``q`` or in the period before) and that period's query. ``kept``:
    where ``q``'s totals are kept (the period before is kept in the same rows). ``chosen``: (classes
    before, classes now) a query keeps only of ``moved``: the kept rows are then narrowed by rank."""
    prev_q = q.with_period(*previous_period(q.start, q.end))
    if kept is not None and _sees_everyone(actor):
        return _kept_moved(q, kept, chosen), prev_q
    joined = """moved AS (
        SELECT COALESCE(p.customer_id, c.customer_id) AS customer_id,
               COALESCE(p.abc, 'none') AS prev_abc, COALESCE(c.abc, 'none') AS curr_abc,
               p.rank AS prev_rank, CAST(p.spend AS DOUBLE) AS prev_spend,
               c.rank AS curr_rank, CAST(c.spend AS DOUBLE) AS curr_spend
        FROM p_classified p FULL OUTER JOIN c_classified c ON p.customer_id = c.customer_id)"""
    return compose("{prev},\n{curr},\n" + joined,
                   prev=_classified_ctes(prev_q, actor, prefix="p_", kept=None if kept is None else kept.before()),
                   curr=_classified_ctes(q, actor, prefix="c_", kept=kept)), prev_q


def _kept_moved(q: SegmentQuery, kept: Kept, chosen: tuple | None = None) -> Fragment:
    """``moved`` for a user who sees everyone from one read of the kept rows: both periods' totals
    and ranks over the whole store are on each customer's row, so no ranking and no join. ``chosen``
    (classes before, classes now): only the rows whose ranks put them there (a test of the columns
    as stored, before any class is worked out)."""
    a, b = abc_shares(q.a_share, q.b_share)
    (c_total, c_rank), (p_total, p_rank) = kept.columns(q.measure), kept.before().columns(q.measure)
    narrow = "" if chosen is None else f" AND {_ranks_of(p_rank, chosen[0], 'p_')} AND {_ranks_of(c_rank, chosen[1], 'c_')}"
    # fixed column names (fits.SPEND_COLUMNS); a total without a rank is not positive: not classified
    return compose(f"""moved AS (
        SELECT customer_id, CASE WHEN {p_rank} IS NULL THEN 'none' ELSE {{p_case}} END AS prev_abc,
               CASE WHEN {c_rank} IS NULL THEN 'none' ELSE {{c_case}} END AS curr_abc,
               {p_rank} AS prev_rank, CAST(CASE WHEN {p_rank} IS NOT NULL THEN {p_total} END AS DOUBLE) AS prev_spend,
               {c_rank} AS curr_rank, CAST(CASE WHEN {c_rank} IS NOT NULL THEN {c_total} END AS DOUBLE) AS curr_spend
        FROM {SPEND_TABLE} WHERE fit_id = $kept_fit AND ({p_rank} IS NOT NULL OR {c_rank} IS NOT NULL){narrow})""",
                   p_case=_cut_case(a, b, int(kept.ranked[p_rank]), p_rank, "p_"),
                   c_case=_cut_case(a, b, int(kept.ranked[c_rank]), c_rank, "c_"), kept_fit=kept.fit_id)


def _ranks_of(rank: str, classes, prefix: str) -> str:
    """SQL text: ``rank`` (a fixed column name) puts the row in one of ``classes`` ("A", "B", "C",
    "none"), by the last ranks of A and B that ``_cut_case(..., prefix=prefix)`` binds."""
    tests = {"A": f"{rank} <= ${prefix}a_last", "B": f"({rank} > ${prefix}a_last AND {rank} <= ${prefix}b_last)",
             "C": f"{rank} > ${prefix}b_last", "none": f"{rank} IS NULL"}
    return "(" + " OR ".join(tests[c] for c in classes) + ")"


def class_movement(store, actor, q: SegmentQuery) -> Movement:
    """Customers per (class in the previous period, class in ``q``), the previous period being
    ``previous_period(q.start, q.end)``; the same numbers as ``class_migration``."""
    def read(cur, kept):
        ctes, prev_q = _movement_ctes(q, actor, kept)
        counts = _kept_moves(cur, q, actor, kept)
        if counts is None:
            counts = run(cur, compose("WITH {ctes} SELECT prev_abc, curr_abc, COUNT(*) AS customers FROM moved "
                                      "GROUP BY ALL", ctes=ctes)).df()
        return Movement(prev_q, _movement_matrix(counts))
    return _on_snapshot(store, q, read)


def _kept_moves(cur, q: SegmentQuery, actor, kept: Kept | None) -> pd.DataFrame | None:
    """(prev_abc, curr_abc, customers) of ``q`` from the kept matrix of the default classification
    (fits.MOVEMENT_TABLE) when it is ``actor``'s (``_keeps_classes``) and current, else None."""
    if not _keeps_classes(q, actor, kept):
        return None
    fit = kept_movement(cur, q.start, q.end)
    return None if fit is None else run(cur, Fragment(
        f"SELECT prev_abc, curr_abc, customers FROM {MOVEMENT_TABLE} WHERE fit_id = $movement_fit AND measure = $measure",
        {"movement_fit": fit.fit_id, "measure": q.measure})).df()


def movement_rows(cur, start: date, end: date):
    """(params, rows) of the movement matrix kept for the default period ``start``..``end``
    (fits.MOVEMENT_TABLE): ``class_movement``'s counts of the default classification of the whole
    store per measure, on ``cur``'s snapshot, from the kept totals when current, else live."""
    kept = _kept_totals(cur, SegmentQuery(start, end))
    parts = []
    for measure in MEASURES:
        ctes, _ = _movement_ctes(SegmentQuery(start, end, measure), None, kept)
        parts.append(run(cur, compose("""WITH {ctes} SELECT CAST($measure AS VARCHAR) AS measure, prev_abc, curr_abc,
            COUNT(*) AS customers FROM moved GROUP BY ALL ORDER BY ALL""", ctes=ctes, measure=measure)).df())
    return {"start": start.isoformat(), "end": end.isoformat()}, pd.concat(parts, ignore_index=True)


def _movement_matrix(counts: pd.DataFrame) -> pd.DataFrame:
    matrix = (counts.pivot(index="prev_abc", columns="curr_abc", values="customers")
              .reindex(index=list(MIGRATION_CLASSES), columns=list(MIGRATION_CLASSES)).fillna(0).astype("int64"))
    matrix.index.name, matrix.columns.name = "prev", "curr"
    return matrix


MOVEMENT_COLUMNS = ["customer_id", "code", "name", "prev_abc", "curr_abc", "prev_rank", "prev_spend",
                    "curr_rank", "curr_spend"]
_MOVEMENT_ROW = ("STRUCT(customer_id BIGINT, code VARCHAR, name VARCHAR, prev_abc VARCHAR, curr_abc VARCHAR, "
                 "prev_rank BIGINT, prev_spend DOUBLE, curr_rank BIGINT, curr_spend DOUBLE)")


def class_movement_and_page(store, actor, q: SegmentQuery, prev_classes=("A",), curr_classes=("B", "C", "none"),
                            limit: int = 50) -> tuple[Movement, tuple[pd.DataFrame, int]]:
    """``class_movement(store, actor, q)`` and ``movement_customers(store, actor, q, prev_classes,
    curr_classes, limit)`` (the first page and how many there are) in one query: the same answers
    from one pass over the two periods' transactions instead of two."""
    _check_moves(prev_classes, curr_classes)
    return _on_snapshot(store, q, lambda cur, kept: _movement_and_page(cur, actor, q, prev_classes, curr_classes,
                                                                       limit, kept))


# One page of the customers who moved between the classes chosen, as one list (CTE ``moved``).
_MOVED_PAGE_ROWS = """(SELECT list({'customer_id': m.customer_id, 'code': c.code, 'name': c.name, 'prev_abc': m.prev_abc,
                             'curr_abc': m.curr_abc, 'prev_rank': m.prev_rank, 'prev_spend': m.prev_spend,
                             'curr_rank': m.curr_rank, 'curr_spend': m.curr_spend}
                            ORDER BY m.prev_rank NULLS LAST, m.curr_rank NULLS LAST, m.customer_id)
                FROM (SELECT * FROM moved
                      WHERE prev_abc IN (SELECT unnest($prev_classes)) AND curr_abc IN (SELECT unnest($curr_classes))
                      ORDER BY prev_rank NULLS LAST, curr_rank NULLS LAST, customer_id LIMIT $limit) m
                JOIN customers c USING (customer_id))"""


def _movement_and_page(cur, actor, q: SegmentQuery, prev_classes, curr_classes, limit: int,
                       kept: Kept | None) -> tuple[Movement, tuple[pd.DataFrame, int]]:
    ctes, prev_q = _movement_ctes(q, actor, kept)
    chosen = {"ctes": ctes, "prev_classes": list(prev_classes), "curr_classes": list(curr_classes), "limit": int(limit)}
    counts = _kept_moves(cur, q, actor, kept)
    if counts is None:
        counts = run(cur, compose("WITH {ctes} SELECT prev_abc, curr_abc, COUNT(*) AS customers, "
                                  + _MOVED_PAGE_ROWS + " AS page_rows FROM moved GROUP BY ALL", **chosen)).df()
        rows = _listed(counts["page_rows"].iloc[0] if len(counts) else None)
    else:  # the counts kept: only the page is read, of the kept rows in the cells chosen
        chosen["ctes"] = _movement_ctes(q, actor, kept, (prev_classes, curr_classes))[0]
        rows = _listed(run(cur, compose("WITH {ctes} SELECT " + _MOVED_PAGE_ROWS, **chosen)).fetchall()[0][0]
                       if len(counts) else None)
    # back through DuckDB with the list's column types, so pandas gets the very frame the page query gives
    # _MOVEMENT_ROW is a fixed type text (a constant above); the rows go in as a parameter
    page = cur.execute(f"SELECT unnest(CAST($rows AS {_MOVEMENT_ROW}[]), recursive := true)", {"rows": rows}).df()
    matrix = _movement_matrix(counts)
    chosen = int(matrix.loc[list(prev_classes), list(curr_classes)].to_numpy().sum())
    return Movement(prev_q, matrix), (page[MOVEMENT_COLUMNS].reset_index(drop=True), chosen if len(page) else 0)


def _check_moves(prev_classes, curr_classes) -> None:
    for chosen in (prev_classes, curr_classes):
        if not chosen or set(chosen) - set(MIGRATION_CLASSES):
            raise ValueError(f"classes must be a non-empty choice of {', '.join(MIGRATION_CLASSES)}")


def movement_customers(store, actor, q: SegmentQuery, prev_classes=("A",), curr_classes=("B", "C", "none"),
                       limit: int | None = 50, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of the customers who moved from any of ``prev_classes`` to any of
    ``curr_classes`` ("A", "B", "C", "none"), by previous rank (then current rank): the default
    is the customers who fell out of A — the ones to call. Returns ``MOVEMENT_COLUMNS`` and
    the number of such customers. Raises ValueError for an unknown class or an empty choice."""
    _check_moves(prev_classes, curr_classes)
    page = "" if limit is None else " LIMIT $limit OFFSET $offset"

    def read(cur, kept):
        inner = compose("""WITH {ctes}
            SELECT *, COUNT(*) OVER () AS matches FROM moved
            WHERE prev_abc IN (SELECT unnest($prev_classes)) AND curr_abc IN (SELECT unnest($curr_classes))
            ORDER BY prev_rank NULLS LAST, curr_rank NULLS LAST, customer_id""" + page,
                        ctes=_movement_ctes(q, actor, kept, (prev_classes, curr_classes))[0],
                        prev_classes=list(prev_classes),
                        curr_classes=list(curr_classes), limit=None if limit is None else int(limit),
                        offset=int(offset))
        return _with_names(cur, inner, "prev_rank NULLS LAST, curr_rank NULLS LAST, customer_id")
    frame = _on_snapshot(store, q, read)
    total = int(frame["matches"].iloc[0]) if len(frame) else 0
    return frame[MOVEMENT_COLUMNS].reset_index(drop=True), total


# -- big customers, RFM, need types, allocation: per-customer frames for the lazy tabs -------------

def with_customer_names(store, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with ``customer_id``) with each customer's ``code`` and ``name`` put after the
    id, rows in their original order; joined inside DuckDB, so a whole list exports quickly.
    The ids come from a frame already narrowed to the user; names only, so a system read."""
    cur = store.system_cursor()
    try:
        cur.register("seg_named_rows", frame.reset_index(drop=True).assign(seg_row=np.arange(len(frame))))
        named = cur.execute("""SELECT f.*, c.code, c.name FROM seg_named_rows f
                               LEFT JOIN customers c ON c.customer_id = f.customer_id ORDER BY f.seg_row""").df()
    finally:
        cur.close()
    rest = [c for c in frame.columns if c != "customer_id"]
    return named[["customer_id", "code", "name", *rest]]


def top_customers(store, actor, q: SegmentQuery, n: int = 50, classified: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``n`` highest spenders of ``q`` with their ABC class of ``q`` (the same class as every other
    list of ``q``) and their grade within the top n (``top_n_graded``, with ``q``'s shares), with
    code and name. ``classified``: the classification of ``q`` for ``actor`` already read, by rank
    (``value_base`` or ``classified_frame``): its first n rows, no second ranking of the period."""
    if classified is None:
        cur = store.system_cursor()  # narrowed inside the query (access.visible)
        try:
            top = _with_names(cur, compose("WITH {ctes} SELECT customer_id, CAST(spend AS DOUBLE) AS spend, rank, abc "
                                           "FROM classified ORDER BY rank LIMIT $n", ctes=_classified_ctes(q, actor),
                                           n=int(n)),
                              "rank")
        finally:
            cur.close()
    else:
        top = with_customer_names(store, classified.loc[classified["rank"] <= int(n), ["customer_id", "spend", "rank", "abc"]])
    graded = top_n_graded(top, n=n, a_share=q.a_share, b_share=q.b_share)
    return graded.merge(top[["customer_id", "code", "name"]], on="customer_id", how="left")


def _table_exists(db, name: str) -> bool:
    return bool(db.execute("SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


_PURCHASE_DAYS = Fragment("""value_purchases AS (
        SELECT customer_id, COUNT(DISTINCT txn_date) AS days FROM transactions
        WHERE txn_date BETWEEN $value_start AND $value_end AND """ + PURCHASE + """ GROUP BY customer_id)""")
_KEPT_PURCHASE_DAYS = Fragment("""value_purchases AS (
        SELECT customer_id, frequency AS days FROM fit_segments WHERE fit_id = $value_fit AND frequency > 0)""")


class _Extra(NamedTuple):
    """A non-monetary feature from another part of the store: its CTE (``name``: customer_id and
    ``count``) and its value from that count and the customer's purchase days ``days``."""
    column: str
    name: str
    cte: Fragment
    value: str  # SQL over {count} and {days}


def _extra_features(db, start: date, end: date) -> list[_Extra]:
    """The features ``extra_features_sql`` reads, when their tables exist."""
    parts = []
    if _table_exists(db, "complaints"):
        parts.append(_Extra("complaints_per_purchase", "value_said", Fragment("""value_said AS (
        SELECT customer_id, COUNT(*) AS count FROM complaints
        WHERE received_at >= CAST(CAST($value_start AS DATE) AS TIMESTAMPTZ)
          AND received_at < CAST(CAST($value_next AS DATE) AS TIMESTAMPTZ) GROUP BY customer_id)""",
            {"value_start": start, "value_next": end + timedelta(days=1)}),
            "CASE WHEN {days} > 0 THEN COALESCE({count}, 0) / {days} END"))  # per purchase day
    if _table_exists(db, "survey_responses"):
        parts.append(_Extra("feedback_count", "value_feedback", Fragment("""value_feedback AS (
        SELECT customer_id, COUNT(*) AS count FROM survey_responses
        WHERE customer_id IS NOT NULL AND responded_on BETWEEN $value_start AND $value_end GROUP BY customer_id)""",
            {"value_start": start, "value_end": end}), "{count}"))
    return parts


def _purchase_days(start: date, end: date, fit_id: int | None) -> Fragment:
    """CTE ``value_purchases`` (customer_id, days): the days with a purchase in the period, from the
    kept fit ``fit_id`` (its ``frequency``) or from the transactions."""
    if fit_id is None:
        return replace(_PURCHASE_DAYS, params={"value_start": start, "value_end": end})
    return replace(_KEPT_PURCHASE_DAYS, params={"value_fit": int(fit_id)})


def extra_features_sql(db, start: date, end: date, fit_id: int | None = None) -> pd.DataFrame:
    """Non-monetary features from other parts of the store, when those parts exist:
    ``complaints_per_purchase`` (complaints received in the period / purchase days; table
    ``complaints``) and ``feedback_count`` (survey answers given in the period; table
    ``survey_responses``). One row per customer with any of them; a missing table gives no
    column. Referrals and payment delays are not recorded anywhere yet. ``fit_id``: a kept fit of
    the period (``crm_core.segmentation.fits``), whose ``frequency`` is the purchase days."""
    check_period(start, end)
    parts = []
    for extra in _extra_features(db, start, end):
        value = extra.value.format(count="e.count", days="p.days")
        source = ("value_purchases p LEFT JOIN value_said e USING (customer_id)" if "{days}" in extra.value
                  else f"{extra.name} e")
        template = f"WITH {{purchases}}, {{extra}} SELECT customer_id, {value} AS {extra.column} FROM {source}"
        parts.append(run(db, compose(template, purchases=_purchase_days(start, end, fit_id), extra=extra.cte)).df()
                     .set_index("customer_id"))
    if not parts:
        return pd.DataFrame({"customer_id": pd.Series(dtype="int64")})
    return pd.concat(parts, axis=1).rename_axis("customer_id").reset_index()


class ValueView(NamedTuple):
    scores: pd.DataFrame  # classified customers: customer_id, spend, rank, abc, factor columns, score, tier
    grid: ValueGrid
    factors: tuple  # the factors that had data


VALUE_BASE_COLUMNS = ["customer_id", "spend", "rank", "abc"]


def value_view(store, actor, q: SegmentQuery, weights: dict | None = None) -> ValueView:
    """Non-monetary value of every classified customer of ``q`` (``nonmonetary_scores`` over the
    store's features, ``customer_features_sql`` + ``extra_features_sql``) and the grid of ABC
    class × value tier. Tiers are relative to the classified customers the user can see.
    ``scored_values(value_base(...), weights)``: the page keeps the first for every weighting."""
    return scored_values(value_base(store, actor, q), weights)


def value_base(store, actor, q: SegmentQuery) -> pd.DataFrame:
    """The part of ``value_view`` that does not depend on the weights, in one query: every
    classified customer of ``q`` the user can see, by rank — ``customer_id``, ``spend``, ``rank``,
    ``abc`` as ``classified_frame`` gives them — with the 0..100 score of each factor that has a
    feature column (``factor_scores_sql``, percentiles among these customers; NULL throughout for a
    factor without data). The features are over the whole population (system cursor), read for the
    user's classified customers only: from the rows the background fit keeps for the default
    period when current, else computed from the transactions."""
    kept = _kept(store, q.start, q.end, lambda cur, fit_id, _start, _end: _value_base(cur, actor, q, fit_id))
    if kept is not None:
        return kept
    with closing(store.system_cursor()) as cur:
        return _value_base(cur, actor, q, None)


def _value_base(cur, actor, q: SegmentQuery, fit_id: int | None) -> pd.DataFrame:
    """``value_base`` on ``cur``: features from the kept fit ``fit_id``, or live (None)."""
    ctes, joins = [], []
    if fit_id is not None and q.measure == "revenue":
        # The kept rows hold each customer's revenue of the period (``monetary``: the exact sum
        # the classification ranks, as a double — the same order and the same spend) beside the
        # features: ranked among the customers whose transactions the user may see, no join.
        spend = compose("""spend AS (
        SELECT s.customer_id, s.monetary AS spend, s.frequency AS days, s.tenure_days, s.repeat_rate,
               s.spend_cv, c.influence
        FROM fit_segments s JOIN customers c ON c.customer_id = s.customer_id
        WHERE s.fit_id = $value_fit AND s.monetary > 0 AND {visible})""",
                        visible=access.visible(actor, "transactions", "s"), value_fit=int(fit_id))
        classified, x, days = _classified_ctes(q, actor, spend=spend), "k", "k.days"
    else:
        if fit_id is None:
            features = Fragment(customer_features_cte(cur), {"start": q.start, "end": q.end,
                                                             "months": months_in_period(q.start, q.end)})
        else:
            features = Fragment("""value_customer_features AS (
        SELECT c.customer_id, s.tenure_days, s.repeat_rate, s.spend_cv, c.influence
        FROM fit_segments s JOIN customers c USING (customer_id) WHERE s.fit_id = $value_fit)""",
                                {"value_fit": int(fit_id)})
        classified, x, days = _classified_ctes(q, actor), "x", "p.days"
        ctes.append(features)
        joins.append("LEFT JOIN value_customer_features x ON x.customer_id = k.customer_id")
    columns = [f"CAST({x}.{quote_identifier(c)} AS DOUBLE) AS {quote_identifier(c)}" for c in CUSTOMER_FEATURE_COLUMNS]
    extras = _extra_features(cur, q.start, q.end)
    if any("{days}" in e.value for e in extras) and days == "p.days":
        ctes.append(_purchase_days(q.start, q.end, fit_id))
        joins.append("LEFT JOIN value_purchases p ON p.customer_id = k.customer_id")
    for i, extra in enumerate(extras):
        ctes.append(extra.cte)
        joins.append(f"LEFT JOIN {extra.name} e{i} ON e{i}.customer_id = k.customer_id")
        value = extra.value.format(count=f"e{i}.count", days=days)
        columns.append(f"CAST({value} AS DOUBLE) AS {quote_identifier(extra.column)}")
    factor_ctes, factors, factor_joins = factor_scores_sql([*CUSTOMER_FEATURE_COLUMNS, *(e.column for e in extras)])
    # The classified customers and their features once (MATERIALIZED): every percentile reads them.
    # The texts put in are fixed SQL of this module and value.py (no braces); values are parameters.
    template = f"""WITH {{classified}}{"".join(f", {{cte{i}}}" for i in range(len(ctes)))},
    value_features AS MATERIALIZED (
        SELECT k.customer_id, k.spend, k.rank, k.abc, {", ".join(columns)}
        FROM classified k {" ".join(joins)}),
    {factor_ctes}
    SELECT f.customer_id, CAST(f.spend AS DOUBLE) AS spend, f.rank,
           CAST(CASE f.abc WHEN 'A' THEN 0 WHEN 'B' THEN 1 ELSE 2 END AS TINYINT) AS abc{", " if factors else ""}{factors}
    FROM value_features f {factor_joins}"""
    query = compose(template, classified=classified, **{f"cte{i}": c for i, c in enumerate(ctes)})
    base = fetch_frame(run(cur, query), position="rank")  # by rank, 1..n: no sort of every row in the query
    base["abc"] = labels_of(base["abc"].to_numpy(), ABC_CLASSES)  # the class as its code: text costs more to read
    return base


VALUE_LISTS = ("overlook", "score")


def value_list(store, view: ValueView, which: str, offset: int = 0, limit: int | None = 50) -> pd.DataFrame:
    """``limit`` rows from ``offset`` (every row: None) of one of the big-customer tab's lists of
    ``view``, with each customer's code and name after the id (``with_customer_names``):
    ``"overlook"`` — ``grid.not_to_overlook`` in its order, with the customers' factor scores;
    ``"score"`` — every scored customer, highest score first, ties by rank. A page is read as a
    top-N (no sort of every row). ``view`` may be ``KeptValues`` (read from the kept rows). Raises
    ValueError for another list."""
    if which not in VALUE_LISTS:
        raise ValueError(f"which must be one of {', '.join(VALUE_LISTS)}, got {which!r}")
    offset = max(int(offset), 0)
    if isinstance(view, KeptValues):
        rows = _kept_value_list(store, view, which, offset, limit)
        if rows is not None:
            return rows
        view = scored_values(value_base(store, view.actor, view.q))  # replaced meanwhile: live
    if which == "overlook":
        rows = view.grid.not_to_overlook.iloc[offset:None if limit is None else offset + int(limit)]
        # the scores are by rank 1..n, so a customer's row is at rank − 1
        factors = view.scores[list(view.factors)].iloc[rows["rank"].to_numpy() - 1]
        return with_customer_names(store, pd.concat([rows.reset_index(drop=True), factors.reset_index(drop=True)],
                                                    axis=1))
    page = "" if limit is None else " LIMIT $limit OFFSET $offset"
    with closing(store.system_cursor()) as cur:  # numbers of the user's rows only
        cur.register("value_order", view.scores[["score", "rank"]])
        ranks = run(cur, Fragment(f"SELECT rank FROM value_order ORDER BY score DESC, rank{page}",
                                  {"limit": None if limit is None else int(limit), "offset": offset})).df()
    # the scores are by rank 1..n, so a customer's row is at rank − 1
    return with_customer_names(store, view.scores.iloc[ranks["rank"].to_numpy() - 1])


def _kept(store, start: date, end: date, read):
    """``read(cur, fit_id, start, end)`` over the rows kept for ``start``..``end``
    (``crm_core.segmentation.fits``) on a system cursor, in one snapshot (a refit landing meanwhile
    prunes the older rows); None when none is current for that period (compute live)."""
    with closing(store.system_cursor()) as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            fit = kept_fit(cur, start, end)
            return None if fit is None else read(cur, fit.fit_id, start, end)
        finally:
            cur.execute("ROLLBACK")  # read only


def scored_values(base: pd.DataFrame, weights: dict | None = None) -> ValueView:
    """``value_view`` from its ``value_base``: the weighted scores, tiers and grid (the step the
    weights change: no query)."""
    factors = available_factors(base[[f for f in NONMONETARY_FACTORS if f in base.columns]])
    if base.empty:  # as the classification's empty frame gave it
        empty = base[VALUE_BASE_COLUMNS].astype({"abc": object}).assign(share=pd.Series(dtype=float),
                                                                        cum_share=pd.Series(dtype=float))
        empty = empty[["customer_id", "spend", "rank", "share", "cum_share", "abc"]].assign(
            score=pd.Series(dtype=float), tier=pd.Series(dtype=str))
        return ValueView(empty, grid_of(empty), ())
    scores = weighted_scores(base[VALUE_BASE_COLUMNS], factors, weights)
    return ValueView(scores, grid_of(scores), tuple(factors.columns))


# -- the big-customer tab of the default period, kept (fits.VALUE_TABLE, migration 026) -----------
#
# For a user who sees every customer, the revenue measure and the default period, the background
# fit keeps value_base's rows with the scores and tiers of the default weights (scored_values, the
# same numpy code: the same numbers bit for bit). The tab then reads its grid as one GROUP BY and
# one page of a list as a top-N, never a row per customer in Python. Other weights read the kept
# factor scores instead of ranking the features again (kept_value_base) and weigh them in numpy as
# before. The classes come from the kept ranks and the user's shares (``_cut_case``).

# What the value scores read besides the transactions, and its columns: influence, complaints and
# survey answers carry no data version, so a fit notes a fingerprint of them (``value_sources``).
VALUE_SOURCES = (("customers", "customer_id, influence"), ("complaints", "customer_id, received_at"),
                 ("survey_responses", "customer_id, responded_on"))


_SOURCES_SEEN: dict = {}  # sources_key -> value_sources: one pass per data change


def sources_key(store) -> tuple:
    """The key ``value_sources`` keeps a fingerprint under: the store (object and file) and its
    generation, which every committed write of data moves (after its commit; crm_core.store), as the
    pages' caches are keyed. Read it BEFORE the snapshot the fingerprint is read in begins: that
    snapshot then holds every write up to it."""
    return id(store), store.path, store.generation


def forget_value_sources() -> None:
    """Drop the kept fingerprint (the benchmark times a first open after a data change)."""
    _SOURCES_SEEN.clear()


def value_sources(cur, key: tuple | None = None) -> list:
    """A fingerprint of what the value scores read besides the transactions: per table of
    ``VALUE_SOURCES``, its row count and the sum of a hash of the columns read (None for a table the
    store lacks). One pass over those columns (no sort). With ``key`` (``sources_key``), the
    fingerprint is kept for that generation: one pass per data change."""
    if key is not None and key in _SOURCES_SEEN:
        return _SOURCES_SEEN[key]
    out = []
    for table, columns in VALUE_SOURCES:
        if not _table_exists(cur, table):
            out.append(None)
            continue
        count, total = cur.execute(f"SELECT count(*), CAST(sum(hash({columns})) AS VARCHAR) FROM {table}").fetchall()[0]
        out.append([int(count), total])
    if key is not None:
        _SOURCES_SEEN.clear()
        _SOURCES_SEEN[key] = out
    return out


KEPT_VALUE_COLUMNS = ["customer_id", "rank", "spend", *NONMONETARY_FACTORS, "score", "tier"]


def value_rows(cur, start: date, end: date):
    """(params, rows) of the value scores kept for the default period ``start``..``end``
    (fits.VALUE_TABLE): value_base of the whole store for the revenue measure on ``cur``'s snapshot
    (from the kept features when current, as the page read them, else live), scored with the
    default weights (``scored_values``); rows by rank. Raises
    ValueError when nobody has revenue in the period or no factor has data (kept as empty)."""
    sources = value_sources(cur)  # first: the same snapshot as the rows
    segments = kept_fit(cur, start, end)  # the features kept just before in the same job, as a page reads them
    base = _value_base(cur, None, SegmentQuery(start, end), None if segments is None else segments.fit_id)
    if base.empty:
        raise ValueError("no customer with revenue in the period")
    # scored_values' numbers from its own steps, kept as arrays: at ten million customers the page's
    # frame (factors copied beside the rows, a tier label per row) was over a GB in the fit job
    factors = available_factors(base[[f for f in NONMONETARY_FACTORS if f in base.columns]])
    score, tiers = scores_and_tiers(factors)
    rows = pd.DataFrame({"customer_id": base["customer_id"].to_numpy(), "rank": base["rank"].to_numpy(),
                         "spend": base["spend"].to_numpy(dtype=float),
                         **{f: (factors[f].to_numpy(dtype=float) if f in factors.columns else np.full(len(base), np.nan))
                            for f in NONMONETARY_FACTORS},
                         "score": score, "tier": tiers}, copy=False)  # base's arrays, not copies of them
    params = {"start": start.isoformat(), "end": end.isoformat(), "n": len(rows), "factors": list(factors.columns),
              "sources": sources}
    del base, factors  # only the rows stay while they are written
    chunk = 500_000
    return params, (rows.iloc[i:i + chunk] for i in range(0, len(rows), chunk))


class KeptValues(NamedTuple):
    """The big-customer tab's figures read from the kept value scores (``kept_value_view``): the
    grid's ``counts``, how many customers are ``overlooked`` (class C, tier high) and ``scored``,
    the ``factors`` that have data; ``fit_id``, ``actor`` and ``q`` to read the lists' pages."""
    counts: pd.DataFrame
    overlooked: int
    scored: int
    factors: tuple
    fit_id: int
    n: int
    actor: object
    q: SegmentQuery


def _default_weights(weights: dict | None) -> bool:
    return weights is None or checked_weights(weights) == checked_weights(DEFAULT_NONMONETARY_WEIGHTS)


def _keeps_values(actor, q: SegmentQuery) -> bool:
    """Whether ``q``'s value scores can be the kept ones for ``actor``: the revenue measure over
    the whole store (the kept percentiles are among every classified customer)."""
    return q.measure == "revenue" and _sees_everyone(actor)


def _on_kept_values(store, q: SegmentQuery, read):
    """``read(cur, fit)`` with the current kept value scores of ``q``'s period in one snapshot, or
    None when there are none."""
    seen = sources_key(store)  # before the snapshot begins
    with closing(store.system_cursor()) as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            fit = kept_values(store, cur, q.start, q.end, seen)
            return None if fit is None else read(cur, fit)
        finally:
            cur.execute("ROLLBACK")  # read only


def _kept_class(q: SegmentQuery, n: int) -> Fragment:
    a, b = abc_shares(q.a_share, q.b_share)
    return _cut_case(a, b, n, rank="k.rank")


def kept_value_view(store, actor, q: SegmentQuery, weights: dict | None = None) -> KeptValues | None:
    """The tab's figures of ``value_view`` from the kept value scores, when they are ``q``'s for
    ``actor`` (``_keeps_values``), the weights are the default ones and the fit is current; else
    None (``value_view``). The same counts as ``value_view(...).grid`` and ``len(scores)``."""
    if not _keeps_values(actor, q) or not _default_weights(weights):
        return None

    def read(cur, fit):
        n = int(fit.params["n"])
        cells = run(cur, compose(f"SELECT {{abc}} AS abc, k.tier, COUNT(*) AS customers FROM {VALUE_TABLE} k "
                                 "WHERE k.fit_id = $value_fit GROUP BY ALL", abc=_kept_class(q, n),
                                 value_fit=fit.fit_id)).fetchall()
        grid = np.zeros((len(ABC_CLASSES), len(VALUE_TIERS)), dtype="int64")
        for abc, tier, customers in cells:
            grid[ABC_CLASSES.index(abc), int(tier)] = customers
        counts = pd.DataFrame(grid, index=pd.Index(ABC_CLASSES, name="abc"), columns=pd.Index(VALUE_TIERS, name="tier"))
        overlooked = int(counts.loc["C", "high"])
        return KeptValues(counts, overlooked, n, tuple(fit.params["factors"]), fit.fit_id, n, actor, q)
    return _on_kept_values(store, q, read)


def _kept_rows(cur, view: KeptValues, select: str, where: str, tie: str, offset: int, limit: int | None,
               **params) -> pd.DataFrame:
    """Rows of the kept value scores (``select`` over ``k``, narrowed by ``where``) by score,
    highest first, ties by ``tie`` (rank or customer_id: a total order), from ``offset`` (every row:
    ``limit`` None), with each customer's code and name. A page is a top-N, and its names are looked
    up by id (a join would read every customer's id)."""
    order = f"ORDER BY k.score DESC, k.{tie}"
    if limit is None:
        return run(cur, compose(f"""SELECT {select}, c.code, c.name FROM {VALUE_TABLE} k
            LEFT JOIN customers c ON c.customer_id = k.customer_id WHERE k.fit_id = $value_fit{where} {order}""",
                                value_fit=view.fit_id, **params)).df()
    rows = run(cur, compose(f"SELECT {select} FROM {VALUE_TABLE} k WHERE k.fit_id = $value_fit{where} {order}"
                            " LIMIT $limit OFFSET $offset", value_fit=view.fit_id, limit=int(limit), offset=int(offset),
                            **params)).df()
    names = cur.execute("SELECT customer_id, code, name FROM customers WHERE customer_id = ANY(?::BIGINT[])",
                        [rows["customer_id"].tolist()]).df()
    return rows.merge(names, on="customer_id", how="left", validate="one_to_one")


def value_list_sizes(view) -> tuple[pd.DataFrame, int, int]:
    """(grid counts, customers not to overlook, customers scored) of a ``ValueView`` or ``KeptValues``."""
    if isinstance(view, KeptValues):
        return view.counts, view.overlooked, view.scored
    return view.grid.counts, len(view.grid.not_to_overlook), len(view.scores)


def _kept_value_list(store, view: KeptValues, which: str, offset: int, limit: int | None) -> pd.DataFrame | None:
    """``value_list`` of a ``KeptValues``: one page read as a top-N of the kept rows with the
    customers' names; None when the fit was replaced meanwhile."""
    factors = [f"k.{quote_identifier(f)}" for f in view.factors]
    abc = _kept_class(view.q, view.n)

    def read(cur, fit):
        if fit.fit_id != view.fit_id:
            return None
        if which == "score":
            tier = "CASE k.tier " + " ".join(f"WHEN {i} THEN '{t}'" for i, t in enumerate(VALUE_TIERS)) + " END"
            select = ", ".join(["k.customer_id", "k.spend", "k.rank", "{abc} AS abc", *factors, "k.score",
                                f"{tier} AS tier"])
            rows = _kept_rows(cur, view, select, "", "rank", offset, limit, abc=abc)
            columns = ["customer_id", "code", "name", "spend", "rank", "abc", *view.factors, "score", "tier"]
        else:
            select = ", ".join(["k.customer_id", "k.spend", "k.rank", "k.score", *factors])
            b_last = ceil_count(abc_shares(view.q.a_share, view.q.b_share)[1], view.n)
            rows = _kept_rows(cur, view, select, f" AND k.tier = {VALUE_TIERS.index('high')} AND k.rank > $b_last",
                              "customer_id", offset, limit, b_last=b_last)
            columns = ["customer_id", "code", "name", "spend", "rank", "score", *view.factors]
        return rows[columns]
    return _on_kept_values(store, view.q, read)


def kept_value_top(store, actor, q: SegmentQuery, n: int = 50) -> pd.DataFrame | None:
    """The first ``n`` ranks of the kept classification (customer_id, spend, rank, abc: what
    ``top_customers`` reads of ``value_base``) when the kept value scores are ``q``'s for ``actor``
    and current, else None."""
    if not _keeps_values(actor, q):
        return None

    def read(cur, fit):
        return run(cur, compose(f"SELECT k.customer_id, k.spend, k.rank, {{abc}} AS abc FROM {VALUE_TABLE} k "
                                "WHERE k.fit_id = $value_fit AND k.rank <= $top ORDER BY k.rank",
                                abc=_kept_class(q, int(fit.params["n"])), value_fit=fit.fit_id, top=int(n))).df()
    return _on_kept_values(store, q, read)


def kept_value_base(store, actor, q: SegmentQuery) -> pd.DataFrame | None:
    """``value_base`` from the kept value scores when they are ``q``'s for ``actor``
    (``_keeps_values``) and current: the same rows in the same order with the factors that have
    data (a factor without data is left out instead of NULL throughout; ``scored_values`` drops it
    either way); else None."""
    if not _keeps_values(actor, q):
        return None

    def read(cur, fit):
        factors = "".join(f", k.{quote_identifier(f)}" for f in fit.params["factors"])
        abc = _kept_class(q, int(fit.params["n"]))
        base = run(cur, compose(f"SELECT k.customer_id, k.spend, k.rank, CAST(CASE {{abc}} WHEN 'A' THEN 0 WHEN 'B' "
                                f"THEN 1 ELSE 2 END AS TINYINT) AS abc{factors} FROM {VALUE_TABLE} k "
                                "WHERE k.fit_id = $value_fit ORDER BY k.rank", abc=abc, value_fit=fit.fit_id)).df()
        base["abc"] = labels_of(base["abc"].to_numpy(), ABC_CLASSES)
        return base
    return _on_kept_values(store, q, read)


# The RFM tab's rows: ``rfm_table_sql``'s figures of the customers the user can see who bought in
# the period (quintiles are among them), from the rows the background fit keeps for the default
# period when current ($fit_id), else from the transactions ($start, $end, $as_of); scored
# (RFM_SCORE_CTES, the rule of ``rfm_scores``), counted and paged in DuckDB, so the tab never holds
# a row per customer in Python.
_KEPT_RFM = ("SELECT customer_id, recency_days, frequency, monetary FROM fit_segments "
             "WHERE fit_id = $fit_id AND frequency > 0")
RFM_LIST_COLUMNS = ["customer_id", "code", "name", "recency_days", "frequency", "monetary",
                    "r_score", "f_score", "m_score", "segment"]


def live_rfm_rows(start: date, end: date, as_of: date) -> Fragment:
    """``rfm_table_sql``'s rows computed from the period's transactions."""
    return Fragment(RFM_TABLE, {"start": start, "end": end, "as_of": as_of})


def _rfm_rows(actor, fit_id: int | None, start: date, end: date, as_of: date) -> Fragment:
    """CTE ``rfm_rows`` (customer_id, recency_days, frequency, monetary) of the buyers ``actor``
    may see. Every query reads it several times: live or narrowed to a rep's book, the rows are
    made once (materialised); the kept rows of everyone are cheaper to scan again than to copy."""
    source = (Fragment(_KEPT_RFM, {"fit_id": int(fit_id)}) if fit_id is not None
              else live_rfm_rows(start, end, as_of))
    visible = access.visible(actor, "customers", alias="c")
    scope = "" if visible.sql == "TRUE" else " WHERE customer_id IN (SELECT c.customer_id FROM customers c WHERE {visible})"
    how = "NOT MATERIALIZED" if fit_id is not None and not scope else "MATERIALIZED"
    return compose(f"rfm_rows AS {how} (SELECT * FROM ({{source}}) x" + scope + ")", source=source, visible=visible)


def _read_rfm(store, actor, start: date, end: date, as_of: date | None, query, first=None) -> pd.DataFrame:
    """``query(rows, cells)`` over ``rows``, the CTE ``_rfm_rows`` of ``actor``, and ``cells``, the
    CTEs ``_rfm_cells``, in one snapshot: the kept rows when current (and recency counts to the
    period's end, as theirs does), and the kept cells of everyone when they are ``actor``'s.
    ``first(cur, fit_id, rows, cells)``: tried first on the kept rows; its answer unless None."""
    as_of = rfm_as_of(start, end, as_of)

    def kept(cur, fit_id, *_):
        found = kept_rfm_cells(cur, start, end) if _sees_all_customers(actor) else None
        rows, cells = _rfm_rows(actor, fit_id, start, end, as_of), _rfm_cells(None if found is None else found.fit_id)
        answer = None if first is None else first(cur, fit_id, rows, cells)
        return run(cur, query(rows, cells)).df() if answer is None else answer
    result = _kept(store, start, end, kept) if as_of == end else None
    return (_read(store, query(_rfm_rows(actor, None, start, end, as_of), _rfm_cells(None))) if result is None
            else result)


def rfm_view(store, actor, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """``rfm_scores`` of the customers the user can see who bought in ``start``..``end``, by
    customer_id (``RFM_SCORE_CTES`` in DuckDB: the same SQL)."""
    def query(rows, _cells):
        return compose(f"""WITH {{rows}}, {RFM_SCORE_CTES}
            SELECT x.customer_id, x.recency_days, x.frequency, x.monetary, r_score, f_score, m_score,
                   {RFM_SEGMENT} AS segment
            FROM rfm_rows x JOIN r_scores USING (recency_days) JOIN f_scores USING (frequency)
            JOIN m_scores USING (monetary) ORDER BY x.customer_id""", rows=rows)
    return _as_text(_read_rfm(store, actor, start, end, as_of, query), ["segment"])


def _as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with its text ``columns`` typed as text when it has no rows too (DuckDB hands an
    empty VARCHAR column over as object, a filled one as str, as pandas makes them)."""
    return frame.astype({c: str for c in columns}) if frame.empty else frame


# CTE rfm_cells: the buyers by (recency, frequency), counted, with their revenue in whole cents;
# their R and F scores (r_scores, f_scores) from these few cells, not from every row again.
_RFM_CELLS_OF_ROWS = """rfm_cells AS (SELECT recency_days, frequency, COUNT(*) AS customers,
                         SUM(CAST(monetary AS DECIMAL(18, 2))) AS revenue FROM rfm_rows GROUP BY ALL)"""
_RFM_CELL_SCORES = ",\n    ".join((
    "rfm_n AS (SELECT SUM(customers) AS n FROM rfm_cells)",
    score_cte("r_scores", "recency_days", "r_score", False, "rfm_cells", "SUM(customers)"),
    score_cte("f_scores", "frequency", "f_score", True, "rfm_cells", "SUM(customers)")))


def _rfm_cells(fit_id: int | None) -> Fragment:
    """CTEs ``rfm_cells``, ``rfm_n``, ``r_scores`` and ``f_scores``: the cells counted from
    ``rfm_rows``, or read from the kept cells of fit ``fit_id`` (fits.RFM_CELLS_TABLE: everyone's,
    counted by the same text)."""
    if fit_id is None:
        return Fragment(_RFM_CELLS_OF_ROWS + ",\n    " + _RFM_CELL_SCORES)
    return Fragment(f"rfm_cells AS (SELECT recency_days, frequency, customers, revenue FROM {RFM_CELLS_TABLE}"
                    " WHERE fit_id = $cells_fit),\n    " + _RFM_CELL_SCORES, {"cells_fit": int(fit_id)})


def rfm_cells_rows(cur, start: date, end: date):
    """(params, rows) of the RFM cells kept for the default period ``start``..``end``
    (fits.RFM_CELLS_TABLE): every buyer's cell counted on ``cur``'s snapshot from the kept rows when
    current (as the page reads them), else live; the revenue exact (an Arrow table)."""
    segments = kept_fit(cur, start, end)
    rows = _rfm_rows(None, None if segments is None else segments.fit_id, start, end, end)
    query = compose("WITH {rows}, " + _RFM_CELLS_OF_ROWS +
                    " SELECT recency_days, frequency, customers, revenue FROM rfm_cells ORDER BY ALL", rows=rows)
    return {"start": start.isoformat(), "end": end.isoformat()}, relation(cur, query).to_arrow_table()


def rfm_summary(store, actor, start: date, end: date) -> pd.DataFrame:
    """``segment_summary(rfm_view(...))`` in one GROUP BY: the rows grouped by (recency, frequency)
    first, whose few cells are then scored (R and F alone make the segment)."""
    def query(rows, cells):
        return compose(f"""WITH {{rows}}, {{cells}}
            SELECT {RFM_SEGMENT} AS segment, SUM(customers) AS customers, CAST(SUM(revenue) AS DOUBLE) AS revenue
            FROM rfm_cells JOIN r_scores USING (recency_days) JOIN f_scores USING (frequency) GROUP BY ALL""",
                       rows=rows, cells=cells)
    return summary_frame(_read_rfm(store, actor, start, end, None, query))


def rfm_members(store, actor, start: date, end: date, segment: str, limit: int | None = 50,
                offset: int = 0) -> pd.DataFrame:
    """One page of the customers of RFM ``segment`` by monetary (highest first), then id:
    ``RFM_LIST_COLUMNS`` (``rfm_view``'s row with code and name); ``limit`` None: all of them.
    Their M scores are counted among the values in the page's range of monetary (and how many lie
    below it), not over a window of every row."""
    if segment not in RFM_SEGMENTS:
        raise ValueError(f"segment must be one of {', '.join(RFM_SEGMENTS)}, got {segment!r}")
    page = "" if limit is None else " LIMIT $limit OFFSET $offset"
    m_score = quintile_sql("monetary", "c", "n", before="below")

    def query(rows, cells, reach=None):
        return compose(f"""WITH {{rows}}, {{cells}},
    cells AS MATERIALIZED (  -- the segment's few cells, made apart: inlined, the rule became a join condition
        SELECT recency_days, frequency, r_score, f_score
        FROM rfm_cells JOIN r_scores USING (recency_days) JOIN f_scores USING (frequency)
        WHERE {RFM_SEGMENT} = $segment),
    members AS (SELECT * FROM rfm_rows JOIN cells USING (recency_days, frequency) WHERE TRUE{{reach}}
                ORDER BY monetary DESC, customer_id{page}),
    bounds AS (SELECT MIN(monetary) AS low, MAX(monetary) AS high FROM members),
    below AS (SELECT COUNT(*) AS below FROM rfm_rows WHERE monetary < (SELECT low FROM bounds)),
    m_scores AS (SELECT monetary, {m_score} AS m_score FROM
                 (SELECT monetary, COUNT(*) AS c FROM rfm_rows
                  WHERE monetary BETWEEN (SELECT low FROM bounds) AND (SELECT high FROM bounds)
                  GROUP BY monetary), below, rfm_n)
    SELECT m.customer_id, c.code, c.name, m.recency_days, m.frequency, m.monetary, m.r_score, m.f_score,
           s.m_score, CAST($segment AS VARCHAR) AS segment
    FROM members m JOIN m_scores s USING (monetary) JOIN customers c USING (customer_id)
    ORDER BY m.monetary DESC, m.customer_id""", rows=rows, cells=cells, segment=segment,
                       reach=reach or Fragment(""), limit=None if limit is None else int(limit), offset=int(offset))

    def within_reach(cur, fit_id, rows, cells):
        """The page from the members among the highest kept revenues (``_revenue_floor``, as the
        need tab's): when it is full there, no member left out comes before any of its rows."""
        if limit is None or limit <= 0 or offset + limit > NEED_PAGE_MAX_ROWS or not _sees_all_customers(actor):
            return None
        floors = fit_by_id(cur, fit_id).params.get("revenue_floors")
        reach = _revenue_floor(max(NEED_PAGE_MIN_REACH, NEED_PAGE_REACH * (offset + limit)), floors or {})
        found = run(cur, query(rows, cells, reach)).df()
        return found if len(found) == limit else None
    return _as_text(_read_rfm(store, actor, start, end, None, query, within_reach), ["code", "name", "segment"])


# The need tab's rows: for each customer the user can see, the two signals and the period's
# revenue (the whole population's figures: the average prices are the store's) and the type the
# rule gives. From the rows the background fit keeps for the default period when current
# ($fit_id), else from the transactions ($start, $end); counted and paged in DuckDB, so the tab
# never holds a row per customer in Python.
_KEPT_NEED_SIGNALS = """signals AS (
        SELECT customer_id, discount_share, relative_price, monetary AS revenue
        FROM fit_segments WHERE fit_id = $fit_id{floor})"""
_LIVE_NEED_SIGNALS = NEED_CTES + """,
    period_revenue AS (
        SELECT customer_id, CAST(SUM(amount) AS DOUBLE) AS revenue FROM transactions
        WHERE txn_date BETWEEN $start AND $end GROUP BY customer_id),
    signals AS (
        SELECT r.customer_id, n.discount_share, n.relative_price, r.revenue
        FROM period_revenue r LEFT JOIN per_customer n USING (customer_id))"""
_NEED_TYPE, _NEED_SOURCE = need_type_sql("s.discount_share", "s.relative_price", "c.need_type")
NEED_LIST_COLUMNS = ["customer_id", "need_type", "need_source", "discount_share", "relative_price", "revenue"]


def live_need_signals(start: date, end: date) -> Fragment:
    """CTEs ending in ``signals`` computed from the period's transactions (``need_features_sql``)."""
    return Fragment(_LIVE_NEED_SIGNALS, {"start": start, "end": end})


def _need_rows(actor, fit_id: int | None, start: date, end: date, reach: int | None = None,
               floors: dict | None = None) -> Fragment:
    """WITH ... CTE ``needs``: ``NEED_LIST_COLUMNS`` of every customer ``actor`` may see. With
    ``reach`` (kept rows only) only those whose revenue is at least the ``reach``-th highest kept
    revenue when that is > 0 (none else): every customer left out has less revenue than all of
    those kept in (without a kept row: 0). ``floors``: the fit's k-th highest revenues
    (``fits.REVENUE_FLOOR_REACHES``), the first k at least ``reach`` taken instead (no ranking)."""
    if fit_id is None:
        signals = live_need_signals(start, end)
    else:
        floor = Fragment("") if reach is None else _revenue_floor(int(reach), floors or {})
        signals = compose(_KEPT_NEED_SIGNALS, floor=floor, fit_id=int(fit_id))
    join = "LEFT JOIN" if reach is None else "JOIN"  # within reach: everyone has a kept row
    return compose(f"""WITH {{signals}},
    needs AS (
        SELECT c.customer_id, {_NEED_TYPE} AS need_type, {_NEED_SOURCE} AS need_source,
               s.discount_share, s.relative_price, COALESCE(s.revenue, 0.0) AS revenue
        FROM customers c {join} signals s USING (customer_id) WHERE {{visible}})""",
                   signals=signals, visible=access.visible(actor, "customers", alias="c"))


def _read_needs(store, start: date, end: date, query) -> pd.DataFrame:
    """``query(rows)`` run over ``_need_rows`` in one snapshot: the kept rows when current."""
    check_period(start, end)
    kept = _kept(store, start, end, lambda cur, fit_id, *_: run(cur, query(fit_id)).df())
    return _read(store, query(None)) if kept is None else kept


def need_view(store, actor, start: date, end: date) -> pd.DataFrame:
    """Need type of every customer the user can see (``need_type_sql``, the rule of
    ``infer_need_type``, over ``need_features_sql``'s signals) with ``revenue`` in the period
    (0 when none): ``NEED_LIST_COLUMNS`` by customer_id."""
    def query(fit_id):
        return compose("{rows} SELECT * FROM needs ORDER BY customer_id",
                       rows=_need_rows(actor, fit_id, start, end))
    return _read_needs(store, start, end, query)


def _need_cells(actor, fit_id: int | None, start: date, end: date) -> Fragment:
    """The need summary's cells: customers per need type ("unknown" for no data) and source ("none")
    and their revenue, summed in whole cents (exact, whatever order the threads add in; DECIMAL)."""
    return compose("""{rows} SELECT COALESCE(need_type, 'unknown') AS need_type,
                              COALESCE(need_source, 'none') AS need_source,
                              COUNT(*) AS customers, SUM(CAST(revenue AS DECIMAL(18, 2))) AS revenue
                       FROM needs GROUP BY ALL""", rows=_need_rows(actor, fit_id, start, end))


_NEED_CELLS_SHOWN = "SELECT need_type, need_source, customers, CAST(revenue AS DOUBLE) AS revenue FROM ({cells})"


def need_summary(store, actor, start: date, end: date) -> pd.DataFrame:
    """Customers and revenue per need type ("unknown" for no data) and source ("none"). For a user
    who sees every customer, from the summary the background fit keeps when current (``kept_needs``)."""
    check_period(start, end)
    summary = _kept_need_summary(store, actor, start, end)
    if summary is None:
        summary = _read_needs(store, start, end, lambda fit_id: compose(
            _NEED_CELLS_SHOWN, cells=_need_cells(actor, fit_id, start, end)))
    summary = summary.astype({"customers": "int64", "revenue": float})
    order = {k: i for i, k in enumerate((*NEED_TYPES, "unknown"))}
    return summary.sort_values(["need_type", "need_source"], key=lambda s: s.map(order) if s.name == "need_type"
                               else s).reset_index(drop=True)


def _kept_need_summary(store, actor, start: date, end: date) -> pd.DataFrame | None:
    """``need_summary``'s cells from the kept summary of the whole store (``fits.NEED_TABLE``) when
    ``actor`` sees every customer and it is current, else None."""
    if not _sees_all_customers(actor):
        return None
    with closing(store.system_cursor()) as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            fit = kept_needs(cur, start, end)
            return None if fit is None else run(cur, compose(
                _NEED_CELLS_SHOWN, cells=Fragment(f"SELECT * FROM {NEED_TABLE} WHERE fit_id = $need_fit",
                                                  {"need_fit": fit.fit_id}))).df()
        finally:
            cur.execute("ROLLBACK")  # read only


# What the need summary reads besides the transactions: the customers and their recorded type.
NEED_SOURCES = ("customers", "customer_id, need_type")


def need_sources(cur) -> list:
    """A fingerprint of the customers' recorded need types (and of who is on file): the row count
    and the sum of a hash of ``NEED_SOURCES``' columns; one pass over two columns, no sort."""
    table, columns = NEED_SOURCES
    count, total = cur.execute(f"SELECT count(*), CAST(sum(hash({columns})) AS VARCHAR) FROM {table}").fetchall()[0]
    return [int(count), total]


def need_summary_rows(cur, start: date, end: date):
    """(params, rows) of the need summary kept for the default period ``start``..``end``
    (fits.NEED_TABLE): ``need_summary``'s cells of the whole store on ``cur``'s snapshot, from the
    kept signals when current (as the page reads them), else live; the revenue the exact DECIMAL sum
    (an Arrow table: no double on the way). params.sources: ``need_sources`` in the same snapshot."""
    segments = kept_fit(cur, start, end)
    rows = relation(cur, _need_cells(None, None if segments is None else segments.fit_id, start, end)).to_arrow_table()
    return {"start": start.isoformat(), "end": end.isoformat(), "sources": need_sources(cur)}, rows


def _revenue_floor(reach: int, floors: dict) -> Fragment:
    """The test on a kept row (its ``monetary``) of being within ``reach`` of the highest revenues:
    at least the k-th highest of ``floors`` for the least k >= ``reach`` (more rows than asked for:
    the same page when it is full), else at least the ``reach``-th highest, ranked here."""
    known = sorted((int(k), value) for k, value in floors.items() if int(k) >= reach)
    if not known:
        return Fragment(" AND monetary >= (SELECT MIN(monetary) FROM (SELECT monetary FROM fit_segments"
                        " WHERE fit_id = $fit_id ORDER BY monetary DESC LIMIT $reach)) AND monetary > 0",
                        {"reach": reach})
    floor = known[0][1]
    return (Fragment(" AND monetary > 0") if floor is None
            else Fragment(" AND monetary >= $floor AND monetary > 0", {"floor": float(floor)}))


NEED_PAGE_REACH = 10  # a page is first looked for among the top 10 × (offset + limit) kept revenues
NEED_PAGE_MIN_REACH = 1_000
NEED_PAGE_MAX_ROWS = 100_000  # a deeper page is read from everyone at once


def need_members(store, actor, start: date, end: date, kind: str, limit: int | None = 50,
                 offset: int = 0) -> pd.DataFrame:
    """One page of the customers of need type ``kind`` ("unknown": none known) by revenue, then
    id, with code and name; ``limit`` None: all of them.

    From the kept rows, for a user who sees everyone, the page is first looked for among the
    customers with the highest revenues (``_need_rows``' reach): when it is full there, no one
    left out can come before any of its rows; else (or live) the types of everyone are read."""
    if kind not in (*NEED_TYPES, "unknown"):
        raise ValueError(f"kind must be one of {', '.join((*NEED_TYPES, 'unknown'))}, got {kind!r}")
    page = "" if limit is None else " LIMIT $limit OFFSET $offset"
    offset = max(int(offset), 0)

    def query(fit_id, reach=None, floors=None):
        inner = compose("""{rows} SELECT * FROM needs WHERE COALESCE(need_type, 'unknown') = $kind
                           ORDER BY revenue DESC, customer_id""" + page,
                        rows=_need_rows(actor, fit_id, start, end, reach, floors), kind=kind,
                        limit=None if limit is None else int(limit), offset=offset)
        return compose("""SELECT x.customer_id, c.code, c.name, x.* EXCLUDE (customer_id) FROM ({inner}) x
                          JOIN customers c USING (customer_id) ORDER BY x.revenue DESC, x.customer_id""",
                       inner=inner)

    def kept(cur, fit_id, *_):
        if limit is not None and limit > 0 and offset + limit <= NEED_PAGE_MAX_ROWS and _sees_all_customers(actor):
            floors = fit_by_id(cur, fit_id).params.get("revenue_floors")  # none in a fit made before they were noted
            rows = run(cur, query(fit_id, max(NEED_PAGE_MIN_REACH, NEED_PAGE_REACH * (offset + limit)), floors)).df()
            if len(rows) == limit:
                return rows
        return run(cur, query(fit_id)).df()
    check_period(start, end)
    found = _kept(store, start, end, kept)
    return _read(store, query(None)) if found is None else found


def _sees_all_customers(actor) -> bool:
    return access.visible(actor, "customers", alias="c").sql == "TRUE"


_EFFORT_PERIOD = """occurred_at >= CAST(CAST($from_day AS DATE) AS TIMESTAMPTZ)
                 AND occurred_at < CAST(CAST($before_day AS DATE) AS TIMESTAMPTZ)"""


def _effort_period(start: date, end: date) -> Fragment:
    """The interactions of ``start``..``end`` (local dates, both included)."""
    return Fragment(_EFFORT_PERIOD, {"from_day": start, "before_day": end + timedelta(days=1)})


def effort_by_class(store, actor, q: SegmentQuery) -> pd.DataFrame:
    """Where effort goes today: per ABC class of ``q`` (and "none" for the customers the user
    can see who did not buy), ``customers``, ``interactions`` and ``cost_to_serve`` (cost +
    concession, money as float) from the interaction log in ``q``'s period (local dates).

    For a user who sees every customer, from the effort the background fit keeps for ``q``'s period
    when current (``_kept_effort``: a few sums by rank range). Else the period's interactions are
    joined to their customer's class and summed by class: no sum per customer (a group for each of
    millions of customers). A user who sees every customer, when the customer ids are one unbroken
    range (none removed), needs no join to the customers at all: a customer is on file exactly when
    its id is in that range (``access.unbroken_customer_ids``)."""
    def read(cur, kept):
        found = _kept_effort(cur, actor, q, kept)
        if found is not None:
            return found
        dense = access.unbroken_customer_ids(cur) if _sees_all_customers(actor) else None
        ctes = _classified_ctes(q, actor, kept=kept)
        period = _effort_period(q.start, q.end)
        if dense is not None:  # everyone on file: ids lo..hi, n of them
            lo, hi, n = dense
            query = compose("""WITH {ctes},
    classes AS (SELECT customer_id, abc FROM classified WHERE customer_id BETWEEN $lo AND $hi),
    counts AS (SELECT abc, COUNT(*) AS customers FROM classes GROUP BY abc
               UNION ALL SELECT 'none', $people - (SELECT COUNT(*) FROM classes)),
    effort AS (SELECT COALESCE(k.abc, 'none') AS abc, COUNT(*) AS interactions, SUM(cost + concession) AS cost_to_serve
               FROM interactions i LEFT JOIN classes k USING (customer_id)
               WHERE {period} AND i.customer_id BETWEEN $lo AND $hi GROUP BY ALL)""" + _EFFORT_SELECT,
                            ctes=ctes, period=period, lo=lo, hi=hi, people=n)
        else:
            query = compose("""WITH {ctes},
    classes AS MATERIALIZED (
        SELECT p.customer_id, COALESCE(k.abc, 'none') AS abc
        FROM customers p LEFT JOIN classified k USING (customer_id) WHERE {visible}),
    counts AS (SELECT abc, COUNT(*) AS customers FROM classes GROUP BY abc),
    effort AS (SELECT abc, COUNT(*) AS interactions, SUM(cost + concession) AS cost_to_serve
               FROM interactions JOIN classes USING (customer_id) WHERE {period} GROUP BY abc)""" + _EFFORT_SELECT,
                            ctes=ctes, period=period, visible=access.visible(actor, "customers", alias="p"))
        return run(cur, query).df()
    frame = _on_snapshot(store, q, read)
    frame = frame.set_index("abc").reindex(list(MIGRATION_CLASSES), fill_value=0).reset_index()
    return frame.astype({"customers": "int64", "interactions": "int64", "cost_to_serve": float})


_EFFORT_SELECT = """
    SELECT abc, customers, COALESCE(e.interactions, 0) AS interactions,
           COALESCE(CAST(e.cost_to_serve AS DOUBLE), 0) AS cost_to_serve
    FROM counts LEFT JOIN effort e USING (abc)"""


# -- the effort of the default period, kept (fits.EFFORT_TABLE, migration 031) --------------------
#
# For each customer on file with an interaction in the period, the fit keeps how many and their cost
# beside the customer's ranks over the whole store: a class is a range of ranks, so the effort of a
# class of any shares is one sum over the kept rows, no join. The interaction log and the customers
# carry no data version: the fit notes the last interaction id it counted and a fingerprint of the
# customers; the reader adds the interactions logged since and goes live when one counted is gone,
# or a customer on file then is not now (``effort_check``). Interactions of customers not on file
# never count; the fit notes how many ranked customers or counted interactions it found without a
# customer on file (``off_file``), and the reader goes live unless there were none (the classes'
# sizes are then the rank ranges').

_EFFORT_ROWS = """WITH ranks AS ({ranks}),
    effort AS (
        SELECT i.customer_id, COUNT(*) AS interactions, CAST(SUM(i.cost + i.concession) AS DECIMAL(18, 2)) AS cost
        FROM interactions i
        WHERE {period} AND i.interaction_id <= $max_id AND i.customer_id > $lo AND i.customer_id <= $hi
          AND EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = i.customer_id)
        GROUP BY i.customer_id)
    SELECT e.customer_id, r.revenue_rank, r.margin_rank, e.interactions, e.cost
    FROM effort e LEFT JOIN (SELECT * FROM ranks WHERE customer_id > $lo AND customer_id <= $hi) r USING (customer_id)
    ORDER BY e.customer_id"""
_EFFORT_OFF_FILE = """WITH ranks AS ({ranks})
    SELECT (SELECT COUNT(*) FROM ranks r WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = r.customer_id))
         + (SELECT COUNT(*) FROM interactions i WHERE {period} AND i.interaction_id <= $max_id
            AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = i.customer_id))"""
# The customers on file up to an id: how many and the sum of a hash of their ids (one column, no sort).
_CUSTOMERS_UP_TO = ("SELECT COUNT(*), CAST(COALESCE(SUM(hash(customer_id)), 0) AS VARCHAR) FROM customers"
                    " WHERE customer_id <= ?")


def effort_rows(cur, start: date, end: date):
    """(params, rows) of the effort kept for the default period ``start``..``end``
    (fits.EFFORT_TABLE) on ``cur``'s snapshot, a customer range at a time: each customer on
    file with an interaction in the period (up to the largest id now), how many and their exact
    cost, and the period's ranks (``fits.spend_ranks``). params: max_interaction_id, interactions (how
    many there were up to it), customers (the largest id on file, how many up to it and their
    fingerprint: ``_CUSTOMERS_UP_TO``), off_file (see above)."""
    (max_id, counted) = cur.execute("SELECT COALESCE(MAX(interaction_id), 0), COUNT(*) FROM interactions").fetchall()[0]
    (last_customer,) = cur.execute("SELECT COALESCE(MAX(customer_id), 0) FROM customers").fetchall()[0]
    on_file = cur.execute(_CUSTOMERS_UP_TO, [last_customer]).fetchall()[0]
    parts = {"ranks": spend_ranks(cur, start, end), "period": _effort_period(start, end)}
    (off_file,) = run(cur, compose(_EFFORT_OFF_FILE, max_id=int(max_id), **parts)).fetchall()[0]
    params = {"start": start.isoformat(), "end": end.isoformat(), "max_interaction_id": int(max_id),
              "interactions": int(counted), "customers": [int(last_customer), int(on_file[0]), on_file[1]],
              "off_file": int(off_file)}
    rows = compose(_EFFORT_ROWS, max_id=int(max_id), **parts)

    def batches():  # a customer range at a time (model_fits.customer_ranges): bounded memory at 10M
        for lo, hi in customer_ranges(cur):
            yield from cur.sql(rows.sql, params={**rows.params, "lo": lo, "hi": hi}).to_arrow_reader(FIT_CHUNK_ROWS)
    return params, batches()


def effort_check(cur, fit) -> int | None:
    """How many interactions were logged since ``fit`` (fits.EFFORT_TABLE) was made, when every
    interaction it counted and every customer then on file (up to its largest id) are still there;
    None when not (the effort is then computed live)."""
    max_id = int(fit.params["max_interaction_id"])
    # the whole table's count costs nothing and the ids above the fit's are the log's tail (pruned by
    # the row groups' ranges): no pass over every id
    (everyone,) = cur.execute("SELECT COUNT(*) FROM interactions").fetchall()[0]
    (since,) = cur.execute("SELECT COUNT(*) FROM interactions WHERE interaction_id > ?", [max_id]).fetchall()[0]
    counted = everyone - since
    last_customer, *on_file = fit.params["customers"]
    if counted != fit.params["interactions"] or list(cur.execute(_CUSTOMERS_UP_TO, [last_customer]).fetchall()[0]) != on_file:
        return None
    return int(since)


def _kept_effort(cur, actor, q: SegmentQuery, kept: Kept | None) -> pd.DataFrame | None:
    """``effort_by_class``'s rows from the kept effort (and the interactions logged since) when
    ``actor`` sees every customer and the kept totals (``kept``) and effort of ``q``'s period are
    current and whole (``effort_check``); else None. The sizes of the classes are the rank ranges'
    (every ranked customer is on file: ``off_file``), "none" the rest of the customers on file."""
    if kept is None or not (_sees_everyone(actor) and _sees_all_customers(actor)):
        return None
    fit = kept_effort(cur, q.start, q.end)
    since = None if fit is None or fit.params["off_file"] else effort_check(cur, fit)
    if since is None:
        return None
    _, rank = kept.columns(q.measure)  # the same fixed column name in both kept tables
    n = int(kept.ranked[rank])
    a, b = abc_shares(q.a_share, q.b_share)
    a_last, b_last = ceil_count(a, n), ceil_count(b, n)
    (people,) = cur.execute("SELECT COUNT(*) FROM customers").fetchall()[0]
    parts = {"effort_fit": fit.fit_id, "classes": ["A", "B", "C", "none"],
             "sizes": [a_last, b_last - a_last, n - b_last, int(people) - n]}
    ranked = Fragment(f"SELECT {rank} AS rank, interactions, cost FROM {EFFORT_TABLE} WHERE fit_id = $effort_fit")
    if since:
        ranked = compose("{kept} UNION ALL {logged}", kept=ranked, logged=_effort_since(cur, q, fit, kept, rank))
    query = compose("""WITH ranked AS ({ranked}),
    effort AS (SELECT CASE WHEN rank IS NULL THEN 'none' ELSE {case} END AS abc,
                      CAST(SUM(interactions) AS BIGINT) AS interactions, SUM(cost) AS cost_to_serve
               FROM ranked GROUP BY ALL),
    counts AS (SELECT unnest($classes::VARCHAR[]) AS abc, unnest($sizes::BIGINT[]) AS customers)""" + _EFFORT_SELECT,
                    ranked=ranked, case=_cut_case(a, b, n), **parts)
    return run(cur, query).df()


def _effort_since(cur, q: SegmentQuery, fit, kept: Kept, rank: str) -> Fragment:
    """(rank, interactions, cost) of the customers on file with interactions in ``q``'s period logged
    after ``fit``, their ranks from the kept totals ``kept``: the ids first (the tail of the log), then
    a lookup of those ids only (no join with every customer or every kept row)."""
    period, max_id = _effort_period(q.start, q.end), int(fit.params["max_interaction_id"])
    new = run(cur, compose("SELECT DISTINCT customer_id FROM interactions WHERE interaction_id > $max_id AND {period}",
                           period=period, max_id=max_id)).fetchall()
    ids = [int(customer_id) for (customer_id,) in new]
    return compose(f"""SELECT s.{rank} AS rank, n.interactions, n.cost FROM (
        SELECT customer_id, COUNT(*) AS interactions, SUM(cost + concession) AS cost FROM interactions
        WHERE interaction_id > $max_id AND {{period}}
          AND customer_id IN (SELECT customer_id FROM customers WHERE customer_id = ANY($new_ids::BIGINT[]))
        GROUP BY customer_id) n
    LEFT JOIN (SELECT customer_id, {rank} FROM {SPEND_TABLE}
               WHERE fit_id = $since_fit AND customer_id = ANY($new_ids::BIGINT[])) s USING (customer_id)""",
                   period=period, max_id=max_id, new_ids=ids, since_fit=kept.fit_id)


def allocation_plan(effort: pd.DataFrame, budget, split=(0.6, 0.3, 0.1), unit: str = "money") -> pd.DataFrame:
    """Seed 000 against today: ``allocate_budget`` over the tiers of ``effort_by_class`` (A →
    key, B → general, C → potential) beside the actual effort. ``unit`` "money" compares with
    cost to serve, "hours" with the number of interactions (the log records no hours). Columns:
    tier, customers, share, total, per_customer (Decimal), actual, actual_share (float; NaN when
    nothing was spent). Customers without a purchase are not in a tier.
    Raises ValueError for an unknown unit or as ``allocate_budget``."""
    if unit not in ("money", "hours"):
        raise ValueError(f"unit must be money or hours, got {unit!r}")
    by_class = effort.set_index("abc")
    counts = {CLASS_TO_TIER[c]: int(by_class.loc[c, "customers"]) for c in ABC_CLASSES}
    plan = allocate_budget(budget, counts, split)
    actual = by_class["cost_to_serve" if unit == "money" else "interactions"].astype(float)
    plan["actual"] = [float(actual.loc[c]) for c in ABC_CLASSES]
    spent = float(plan["actual"].sum())
    plan["actual_share"] = plan["actual"] / spent if spent else np.nan
    return plan


def survey_answers_linked(store) -> int | None:
    """Survey answers that name a customer, or None when the survey tables do not exist yet.
    A company-wide count (whether the feedback factor has data at all): a system read."""
    cur = store.system_cursor()
    try:
        if not _table_exists(cur, "survey_responses"):
            return None
        return int(cur.execute("SELECT COUNT(*) FROM survey_responses WHERE customer_id IS NOT NULL").fetchone()[0])
    finally:
        cur.close()


# -- one customer: why it is in its class, and when the class last changed -------------------------

def class_explanation(store, actor, customer_id: int, q: SegmentQuery) -> dict:
    """Why ``customer_id`` is in its class for ``q``: ``abc`` ("A", "B", "C", or "none" without
    a positive total), ``rank`` of ``classified`` customers, ``spend``, ``share`` and
    ``cum_share`` (of everyone ranked up to and including them), ``a_last``/``b_last`` (the
    last rank of A and of B). Same ranks as ``abc_classify_sql``; one aggregate query."""
    column = measure_column(q.measure)
    a, b = abc_shares(q.a_share, q.b_share)

    def read(cur, kept):
        # the kept totals are the same sums (as DECIMAL(18, 2): the same doubles)
        spend = (compose(f"""spend AS (
        SELECT customer_id, SUM({column}) AS spend FROM transactions
        WHERE {{period}} GROUP BY customer_id HAVING SUM({column}) > 0)""", period=_period(q, actor))
                 if kept is None else _spend_ctes(q, actor, "", False, kept))
        query = compose("""WITH {spend},
    me AS (SELECT MAX(spend) AS spend FROM spend WHERE customer_id = $id)
    SELECT CAST(me.spend AS DOUBLE), COUNT(*), CAST(SUM(s.spend) AS DOUBLE),
           COUNT(*) FILTER (WHERE s.spend > me.spend OR (s.spend = me.spend AND s.customer_id <= $id)),
           CAST(SUM(s.spend) FILTER (WHERE s.spend > me.spend OR (s.spend = me.spend AND s.customer_id <= $id))
                AS DOUBLE)
    FROM spend s, me GROUP BY me.spend""", spend=spend, id=int(customer_id))
        return run(cur, query).fetchone()
    row = _on_snapshot(store, q, read)
    my_spend, n, total, rank, running = row if row else (None, 0, None, 0, None)
    n = int(n or 0)
    result = {"customer_id": int(customer_id), "classified": n, "a_last": ceil_count(a, n),
              "b_last": ceil_count(b, n), "spend": my_spend, "rank": None, "share": None,
              "cum_share": None, "abc": "none"}
    if my_spend is not None:
        rank = int(rank)
        result.update(rank=rank, share=my_spend / total, cum_share=running / total,
                      abc="A" if rank <= result["a_last"] else "B" if rank <= result["b_last"] else "C")
    return result

