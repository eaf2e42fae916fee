"""Each crm_core computation against the hand-written DuckDB query for the same answer and the
peer library where one exists, on the benchmark store. Reuses the per-area scripts' functions.

- ABC classes + Pareto figures (bench_segmentation, abc_peers): ``segmentation.abc_overview`` vs
  the hand-written query ``bench_segmentation.HANDWRITTEN`` vs pandas (``pandas_way``; the frame
  is already in memory, its fetch timed apart) vs polars, lazy with the streaming engine, over a
  Parquet file (``scan_parquet``; the export timed apart) and over an Arrow table in memory. The
  sides run in turn, repeat by repeat, for the period the Segmentation page opens on (the default
  analysis date's 12 months). Kehu is timed twice: as the page answers (``kehu``: from the totals
  the background fit keeps, when current — ``kehu_served_from_kept_totals`` says whether they were)
  and computed from the transactions (``kehu_live``: as while a refit is pending); both answers
  must agree. Targets: live ≤ 1.3 × SQL; as served ≥ 5 × faster than pandas and ≥ 2 × faster than
  polars (scan_parquet); the live ratios are reported beside them.
- RFM summary + BG/NBD fit (bench_churn): ``rfm_summary_sql`` + ``fit_bgnbd`` vs lifetimes'
  ``summary_data_from_transaction_data`` + ``BetaGeoFitter().fit`` on the same transactions; the
  RFM part alone vs a hand-written DuckDB query. Target: ≥ 10 × faster than lifetimes. lifetimes is
  a benchmark-only dependency installed into a separate directory (``--deps``, see README).
- Other page computations, timed alone (no peer): the overview KPIs, the promises overview and
  performance report (bench_promises), the care lists (bench_care.query_timings).
"""
from __future__ import annotations

import sys
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import repeat, summary

RFM_HANDWRITTEN = """
WITH daily AS (SELECT customer_id, txn_date, SUM(amount) AS amount FROM transactions
               WHERE txn_date <= ? GROUP BY ALL),
per AS (SELECT customer_id, COUNT(*) AS n, MIN(txn_date) AS first_day, MAX(txn_date) AS last_day,
               SUM(amount) AS total, arg_min(amount, txn_date) AS first_amount FROM daily GROUP BY ALL)
SELECT customer_id, n - 1 AS frequency, date_diff('day', first_day, last_day) / 7.0 AS recency,
       date_diff('day', first_day, ?) / 7.0 AS "T",
       CASE WHEN n > 1 THEN CAST((total - first_amount) / (n - 1) AS DOUBLE) ELSE 0 END AS monetary_value
FROM per ORDER BY customer_id
"""


def _alternate(functions: dict, repeats: int) -> dict:
    """Run the functions in turn, repeat by repeat (a busy moment hits every side alike)."""
    seconds = {name: [] for name in functions}
    results = {}
    for _ in range(repeats):
        for name, function in functions.items():
            began = time.perf_counter()
            results[name] = function()
            seconds[name].append(time.perf_counter() - began)
    return {name: summary(values) for name, values in seconds.items()}, results


def _analysis_date(db):
    """The date the Segmentation page opens on: the default analysis date of the store's today."""
    from crm_core.analysis_date import default_analysis_date

    return default_analysis_date(db, datetime.now(ZoneInfo(db.timezone)).date())[0]


def _kept_spend_current(db, start, end) -> bool:
    """Whether the page would read the totals the background fit keeps (fit current) for the period."""
    from contextlib import closing

    from crm_core.segmentation.fits import kept_spend

    with closing(db.system_cursor()) as cur:
        return kept_spend(cur, start, end) is not None


def _live_abc(db, q):
    """``abc_overview`` computed from the transactions, as a page does while a refit is pending."""
    from unittest import mock

    from crm_core.segmentation import views

    with mock.patch.object(views, "_kept_totals", lambda cur, q: None):
        return views.abc_overview(db, None, q)


def _same_overview(one, other) -> bool:
    """The same classes and counts, and the same shares, Gini and curve to 1e-12."""
    import numpy as np

    close = lambda x, y: x == y or (x is not None and y is not None and abs(x - y) <= 1e-12 * max(1, abs(x)))  # noqa: E731
    return (one.classes == other.classes and one[:3] == other[:3]
            and all(close(getattr(one, f), getattr(other, f)) for f in ("total_spend", "top_spend_share", "gini"))
            and one.pareto.shape == other.pareto.shape
            and np.allclose(one.pareto.to_numpy(float), other.pareto.to_numpy(float), rtol=1e-12, atol=0))


def abc(db, repeats: int) -> dict:
    """Kehu's ``abc_overview`` against the hand-written query, pandas and polars, side by side: the
    sides run in turn, repeat by repeat. Kehu and the SQL read the DuckDB store (buffer pool warm);
    pandas gets the transactions as a frame in memory and polars-memory as an Arrow table in memory
    (fetching each from DuckDB timed apart); polars-scan reads a Parquet file of them (written once,
    timed apart) with ``scan_parquet`` and the streaming engine."""
    from bench import abc_peers
    from bench import bench_segmentation as bs
    from bench.common import DATA_DIR
    from crm_core import segmentation as seg

    as_of = _analysis_date(db)
    (customers,) = db.query_one("SELECT COUNT(*) FROM customers")
    start, end = seg.default_period(as_of)
    q = seg.SegmentQuery(start, end)
    con = db.cursor()
    served_from_kept = _kept_spend_current(db, start, end)
    seg.abc_overview(db, None, q)  # buffer pool warmed once for both DuckDB sides
    sides = {"kehu": lambda: seg.abc_overview(db, None, q), "kehu_live": lambda: _live_abc(db, q),
             "duckdb_sql": lambda: bs.handwritten(con, start, end)}
    fetched = {}
    timings_apart = {}
    timings_apart["pandas_fetch"], txns = repeat(lambda: con.execute(
        "SELECT customer_id, txn_date, CAST(amount AS DOUBLE) AS amount FROM transactions").df(), 1)
    sides["pandas"] = lambda: bs.pandas_way(txns, customers, start, end)
    parquet = DATA_DIR / "peers" / f"{Path(db.path).stem}_transactions.parquet"
    if abc_peers.available():
        parquet.parent.mkdir(parents=True, exist_ok=True)
        timings_apart["polars_parquet_export"], _ = repeat(lambda: abc_peers.export_parquet(con, parquet), 1)
        timings_apart["polars_arrow_fetch"], fetched["arrow"] = repeat(lambda: abc_peers.fetch_arrow(con), 1)
        sides["polars_scan"] = lambda: abc_peers.polars_scan(parquet, customers, start, end)
        sides["polars_memory"] = lambda: abc_peers.polars_memory(fetched["arrow"], customers, start, end)
    timings, results = _alternate(sides, repeats)
    timings.update(timings_apart)
    txns = None  # free the frames before the next measurement
    fetched.clear()
    parquet.unlink(missing_ok=True)
    con.close()
    overview, (groups, _) = results["kehu"], results["duckdb_sql"]
    pandas_summary = results["pandas"][0]
    hand = {c: sum(row[2] for row in groups if row[0] == c) for c in "ABC"}
    counts = [overview.classes[c]["count"] for c in "ABC"]
    agree = (counts == [pandas_summary["classes"][c]["count"] for c in "ABC"] == [hand[c] for c in "ABC"]
             and abs(overview.gini - pandas_summary["gini"]) < 1e-9
             and _same_overview(results["kehu_live"], overview))
    for name in ("polars_scan", "polars_memory"):
        if name in results:
            peer = results[name]
            agree = agree and (counts == [peer["classes"][c]["count"] for c in "ABC"]
                               and abs(overview.gini - peer["gini"]) < 1e-9
                               and abs(overview.top_spend_share - peer["top_spend_share"]) < 1e-9)
    kehu = timings["kehu"]["median_s"]
    live = timings["kehu_live"]["median_s"]
    ratios = {"kehu_vs_sql": kehu / timings["duckdb_sql"]["median_s"],
              "kehu_live_vs_sql": live / timings["duckdb_sql"]["median_s"],
              "pandas_vs_kehu": timings["pandas"]["median_s"] / kehu,
              "pandas_vs_kehu_live": timings["pandas"]["median_s"] / live,
              "pandas_with_fetch_vs_kehu": (timings["pandas"]["median_s"] + timings["pandas_fetch"]["median_s"]) / kehu}
    # Kehu as the page answers (kept totals when the fit is current) against the peers; the live
    # computation (a refit pending) against the hand-written query that gives the same answer.
    targets = {"kehu_live_vs_sql <= 1.3": ratios["kehu_live_vs_sql"] <= 1.3,
               "pandas_vs_kehu >= 5": ratios["pandas_vs_kehu"] >= 5}
    if "polars_scan" in timings:
        ratios["polars_scan_vs_kehu"] = timings["polars_scan"]["median_s"] / kehu
        ratios["polars_memory_vs_kehu"] = timings["polars_memory"]["median_s"] / kehu
        ratios["polars_scan_vs_kehu_live"] = timings["polars_scan"]["median_s"] / live
        targets["polars_scan_vs_kehu >= 2"] = ratios["polars_scan_vs_kehu"] >= 2
    else:
        targets["polars_scan_vs_kehu >= 2"] = None
    out = {"name": "ABC classes + Pareto (12 months)", "period": [str(start), str(end)],
           "kehu_served_from_kept_totals": served_from_kept, "timings": timings,
           "ratios": {k: round(v, 2) for k, v in ratios.items()}, "answers_agree": agree, "targets": targets}
    if "polars_scan" not in timings:
        out["note"] = "polars not importable: pass --deps DIR (see bench/README.md)"
    return out


def _lifetimes_timed(txns, end, peer_repeats: int):
    """(timing summary, params or None, error text or None) of lifetimes' summary + fit."""
    from bench import bench_churn as bc

    seconds, params, error = [], None, None
    for _ in range(peer_repeats):
        began = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, fitter = bc.lifetimes_pipeline(txns, end)
            params = {k: float(v) for k, v in fitter.params_.items()}
        except Exception as failure:  # lifetimes.utils.ConvergenceError on non-BG/NBD-shaped data
            error = f"{type(failure).__name__}: {str(failure).strip()[:120]}"
        seconds.append(time.perf_counter() - began)
    return summary(seconds), params, error


def rfm_bgnbd(con, end, repeats: int, peer_repeats: int, label: str) -> dict:
    """Kehu vs hand-written SQL vs lifetimes over the ``transactions`` table of ``con``."""
    from bench import bench_churn as bc
    from crm_core.churn import fit_bgnbd, rfm_summary_sql

    timings, results = _alternate({"kehu_rfm": lambda: rfm_summary_sql(con, end),
                                   "duckdb_sql_rfm": lambda: con.execute(RFM_HANDWRITTEN, [end, end]).df()}, repeats)
    summary_frame = results["kehu_rfm"]
    timings["kehu_fit"], fit = repeat(lambda: fit_bgnbd(summary_frame), repeats)
    timings["kehu_rfm_plus_fit"], _ = repeat(lambda: bc.kehu_pipeline(con, end), repeats)
    hand = results["duckdb_sql_rfm"]
    agree = bool((hand["frequency"].to_numpy() == summary_frame["frequency"].to_numpy()).all()
                 and abs(hand["T"].sum() - summary_frame["T"].sum()) < 1e-6 * len(hand))
    out = {"name": f"RFM summary + BG/NBD fit ({label})", "customers_fitted": len(summary_frame),
           "fit": {"r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b, "converged": fit.converged},
           "answers_agree": agree}
    kehu = timings["kehu_rfm_plus_fit"]["median_s"]
    ratios = {"kehu_rfm_vs_sql": timings["kehu_rfm"]["median_s"] / timings["duckdb_sql_rfm"]["median_s"]}
    if bc.lifetimes_available() and peer_repeats > 0:
        timings["lifetimes_fetch"], txns = repeat(lambda: con.execute(
            "SELECT customer_id, txn_date AS date, CAST(amount AS DOUBLE) AS amount FROM transactions "
            "WHERE txn_date <= ?", [end]).df(), 1)
        timings["lifetimes_rfm_plus_fit"], params, error = _lifetimes_timed(txns, end, peer_repeats)
        txns = None  # free the frame before the next measurement
        out["lifetimes_fit"], out["lifetimes_error"] = params, error
        ratios["lifetimes_vs_kehu"] = timings["lifetimes_rfm_plus_fit"]["median_s"] / kehu
        out["targets"] = {"lifetimes_vs_kehu >= 10": ratios["lifetimes_vs_kehu"] >= 10}
    else:
        out["targets"] = {"lifetimes_vs_kehu >= 10": None}
        out["note"] = "lifetimes not importable: pass --deps DIR (pip install --target DIR lifetimes autograd dill)"
    out["timings"], out["ratios"] = timings, {k: round(v, 2) for k, v in ratios.items()}
    return out


def rfm_bgnbd_simulated(customers: int, repeats: int, peer_repeats: int) -> dict:
    """bench_churn's own comparison: customers drawn from the BG/NBD story (lifetimes converges on
    these; on the demo's cyclic buyers it may not), loaded into an in-memory DuckDB."""
    from datetime import date

    from bench import bench_churn as bc

    began = time.perf_counter()
    txns = bc.simulate_transactions(customers, 2024)
    con = bc.load_store(txns)
    txns = None  # free the frame before the next measurement
    end = bc.START + timedelta(days=bc.OBSERVATION_DAYS - 1)
    out = rfm_bgnbd(con, end, repeats, peer_repeats, f"BG/NBD-simulated, {customers:,} customers")
    out["true_params"] = bc.TRUE_PARAMS
    out["setup_s"] = round(time.perf_counter() - began, 1)
    con.close()
    assert isinstance(end, date)
    return out


def page_queries(db, repeats: int) -> dict:
    """crm_core calls the heavier pages make, timed alone (median of ``repeats``, warm buffer pool)."""
    from crm_core import overview
    from crm_core.customers import today_in
    from crm_core.promises import queries, reports
    from crm_core.users import Actor

    boss = Actor("bench", "manager")
    as_of = today_in(db)
    now = datetime.now(ZoneInfo(db.timezone)).replace(microsecond=0)
    cases = {
        "overview.kpis": lambda: overview.kpis(db, boss, as_of),
        "overview.monthly_revenue (36 months)": lambda: overview.monthly_revenue(db, boss, as_of),
        "overview.relationship_kpis": lambda: overview.relationship_kpis(db, boss, now),
        "promises.queries.overview": lambda: queries.overview(db, boss, now),
        "promises.queries.now_board": lambda: queries.now_board(db, boss, now),
        "promises.reports.performance (30 days)": lambda: reports.performance(db, boss, now - timedelta(days=30),
                                                                              now, now),
    }
    return {name: repeat(function, repeats)[0] for name, function in cases.items()}


def care_queries(db_path: str, rep: str = "张伟") -> dict:
    """bench_care.query_timings (single runs, as that script does) on a store it opens itself."""
    from bench import bench_care
    from crm_core.customers import today_in
    from crm_core.store import Store

    db = Store(db_path)
    as_of = today_in(db)
    db.close()
    rows, extra = bench_care.query_timings(db_path, rep, as_of)
    return {"seconds": {name: None if s is None else round(s, 4) for name, s in rows}, **extra}


def run(db_path: str, repeats: int, peer_repeats: int, deps: str | None, log=print) -> dict:
    from crm_core.store import Store

    db = Store(db_path)
    out = {}
    if deps and deps not in sys.path:
        sys.path.append(deps)
    try:
        log("computations: ABC (Kehu, SQL, pandas, polars) ...")
        out["abc"] = abc(db, repeats)
        log("computations: RFM + BG/NBD on the demo store ...")
        (end,) = db.query_one("SELECT MAX(txn_date) FROM transactions")
        con = db.cursor()
        out["rfm_bgnbd_demo"] = rfm_bgnbd(con, end, repeats, peer_repeats, "demo store, all history")
        con.close()
        log("computations: page queries ...")
        out["page_queries"] = page_queries(db, repeats)
    finally:
        db.close()
    log("computations: care lists ...")
    out["care_queries"] = care_queries(db_path)
    log("computations: RFM + BG/NBD on BG/NBD-simulated customers ...")
    (customers,) = _count_customers(db_path)
    out["rfm_bgnbd_simulated"] = rfm_bgnbd_simulated(customers, repeats, peer_repeats)
    return out


def _count_customers(db_path: str) -> tuple:
    import duckdb

    with duckdb.connect(db_path, read_only=True) as con:
        return con.execute("SELECT count(*) FROM customers").fetchone()


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-repeats", type=int, default=1)
    parser.add_argument("--deps", default=None)
    args = parser.parse_args()
    import contextlib

    with contextlib.redirect_stdout(sys.stderr):  # lifetimes prints scipy's result on failure
        found = run(args.db, args.repeats, args.peer_repeats, args.deps, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(found, default=str))
