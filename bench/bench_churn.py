"""Benchmark: RFM summary + BG/NBD fit on 1M customers / ~10M transactions, against lifetimes.

    python bench/bench_churn.py [--customers 1000000] [--repeats 3] [--lifetimes-repeats 3]
    python bench/bench_churn.py --page-db /tmp/churn1m.duckdb [--page-only]

The page section (``--page-db``) renders the Churn page with AppTest through Home.py, tab by tab, on
a store made by ``python -m crm_core demo --customers 1000000 --db /tmp/churn1m.duckdb`` (churn demo
events are added if the store has none, and the models the background job keeps are fitted first if
missing or stale), and times each tab's first render (cold caches over the kept fits: the purchase
model, the purchase rhythms, the customer activity) and a warm re-render; the table is printed and written as JSON to
``bench/results/churn_page.json``.

Generates customers from the BG/NBD story itself (purchase rate λ ~ Gamma(r, α), dropout after
each repeat purchase with p ~ Beta(a, b)), first purchases spread over one year and observed to
the end of the second, loads them into an in-memory DuckDB with the project schema, then times
``rfm_summary_sql`` + ``fit_bgnbd`` against lifetimes' ``summary_data_from_transaction_data``
(freq="D", freq_multiplier=7: the same weeks) + ``BetaGeoFitter().fit`` as its docs show it, and
prints medians. lifetimes is optional (``pip install lifetimes``); without it only Kehu is timed.
The target is ≥ 5× faster than lifetimes. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crm_core.churn import fit_bgnbd, rfm_summary, rfm_summary_sql

START = date(2023, 1, 1)
OBSERVATION_DAYS = 730
TRUE_PARAMS = {"r": 2.0, "alpha": 9.0, "a": 2.0, "b": 20.0}  # alpha in weeks


def simulate_transactions(customers: int, seed: int) -> pd.DataFrame:
    """customer_id, date, amount; one first purchase plus BG/NBD repeat purchases per customer."""
    rng = np.random.default_rng(seed)
    p = TRUE_PARAMS
    rate = rng.gamma(p["r"], 1 / p["alpha"], customers)  # purchases per week
    birth = rng.integers(0, 365, customers)  # day of the first purchase
    age_weeks = (OBSERVATION_DAYS - 1 - birth) / 7
    repeats_until_dropout = np.minimum(rng.geometric(rng.beta(p["a"], p["b"], customers)), 400)
    owner = np.repeat(np.arange(customers), repeats_until_dropout)
    gaps = rng.exponential(1.0, len(owner)) / rate[owner]
    # purchase times per customer = running sum of her gaps: one global cumsum minus her offset
    cumulative = np.cumsum(gaps)
    ends = np.cumsum(repeats_until_dropout)
    times = cumulative - np.concatenate(([0.0], cumulative[ends[:-1] - 1]))[owner]
    kept = times <= age_weeks[owner]
    ids = np.concatenate((np.arange(customers), owner[kept]))
    days = np.concatenate((birth, birth[owner[kept]] + np.floor(times[kept] * 7).astype("int64")))
    mean_spend = rng.gamma(6.0, 12.5, customers)  # mean 75 per purchase
    amount = np.round(rng.gamma(6.0, mean_spend[ids] / 6.0), 2) + 0.01
    return pd.DataFrame({"customer_id": ids, "date": np.datetime64(START) + days.astype("timedelta64[D]"),
                         "amount": amount})


def load_store(transactions: pd.DataFrame):
    con = duckdb.connect()
    con.execute("SET TimeZone='Asia/Shanghai'")
    root = Path(__file__).resolve().parents[1]
    con.execute((root / "crm_core" / "migrations" / "001_foundation.sql").read_text(encoding="utf-8"))
    con.register("incoming", transactions)
    con.execute("INSERT INTO transactions (customer_id, txn_date, amount) "
                "SELECT customer_id, CAST(date AS DATE), amount FROM incoming")
    con.unregister("incoming")
    return con


def timed(function, repeats: int):
    """(median seconds, last result) over ``repeats`` runs."""
    seconds, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), result


def kehu_pipeline(con, end: date):
    summary = rfm_summary_sql(con, end)
    return summary, fit_bgnbd(summary)


def lifetimes_pipeline(transactions: pd.DataFrame, end: date):
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    summary = summary_data_from_transaction_data(transactions, "customer_id", "date", "amount",
                                                 observation_period_end=pd.Timestamp(end),
                                                 freq="D", freq_multiplier=7)
    fitter = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    return summary, fitter


def lifetimes_available() -> bool:
    try:
        import lifetimes  # noqa: F401
    except ImportError:
        return False
    return True


PAGE_TABS = ("calculator", "lapsed", "rates", "model", "retention", "reasons", "funnel")


def _ensure_churn_events(db_path: str) -> None:
    """Add the churn demo events to a demo store made before the lead wired them into the demo."""
    from crm_core import demo
    from crm_core.churn import demo as churn_demo
    from crm_core.store import Store

    db = Store(db_path)
    try:
        (events,) = db.query_one("SELECT count(*) FROM churn_events")
        if events:
            return
        (customers,) = db.query_one("SELECT count(*) FROM customers")
        (as_of,) = db.query_one("SELECT max(txn_date) FROM transactions")
        people, txns, _, _ = demo.generate(customers, 20240305, as_of)
        with db.transaction() as cur:
            churn_demo.load_demo(cur, people, txns, as_of, 20240305)
    finally:
        db.close()


def _ensure_fits(db_path: str) -> None:
    """Fit now what the background job would keep current (the tabs read kept fits, as on a server
    that has run a minute; a store fitted before a model was added lacks that model's fit)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from crm_core.model_fits import fit_now
    from crm_core.store import Store

    db = Store(db_path)
    try:
        fitted = fit_now(db, datetime.now(ZoneInfo(db.timezone)))["fitted"]
    finally:
        db.close()
    if fitted:
        print(f"fitted {fitted} model(s) that were missing or stale before timing the tabs")


def page_section(db_path: str) -> list[dict]:
    """First and warm render of each Churn tab through Home.py (AppTest), in a fresh process state."""
    import os

    from streamlit.testing.v1 import AppTest

    from crm_core.i18n import t

    _ensure_churn_events(db_path)
    _ensure_fits(db_path)
    os.environ["CRM_DB"] = db_path
    root = Path(__file__).resolve().parents[1]
    rows = []
    for tab in PAGE_TABS:
        app = AppTest.from_file(str(root / "Home.py"), default_timeout=600)
        app.session_state["lang"] = "en"
        app.session_state["churn_tab"] = t(f"churn.tab.{tab}", "en")
        app.switch_page("pages/churn.py")
        began = time.perf_counter()
        app.run()
        first = time.perf_counter() - began
        began = time.perf_counter()
        app.run()
        warm = time.perf_counter() - began
        rows.append({"tab": tab, "first_s": round(first, 2), "warm_s": round(warm, 2),
                     "exception": bool(app.exception)})
        print(f"page  {tab:12s} first {first:6.2f} s   warm {warm:5.2f} s" + ("  EXCEPTION" if app.exception else ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeats", type=int, default=3, help="runs of the Kehu pipeline")
    parser.add_argument("--lifetimes-repeats", type=int, default=3, help="runs of the (slow) lifetimes pipeline")
    parser.add_argument("--page-db", help="time the Churn page (AppTest) on this demo store")
    parser.add_argument("--page-only", action="store_true", help="only the page section")
    args = parser.parse_args()
    if args.page_db:
        import json
        import os

        rows = page_section(args.page_db)
        out = Path(__file__).resolve().parent / "results"
        out.mkdir(exist_ok=True)
        (out / "churn_page.json").write_text(json.dumps({"db": args.page_db, "cpus": os.cpu_count(),
                                                          "load_average": os.getloadavg(), "tabs": rows}, indent=2))
        if args.page_only:
            return
    end = START + timedelta(days=OBSERVATION_DAYS - 1)

    began = time.perf_counter()
    transactions = simulate_transactions(args.customers, args.seed)
    con = load_store(transactions)
    print(f"{args.customers:,} customers, {len(transactions):,} transactions; "
          f"generated and loaded in {time.perf_counter() - began:.1f} s; true {TRUE_PARAMS}")

    sql_seconds, summary = timed(lambda: rfm_summary_sql(con, end), args.repeats)
    fit_seconds, fit = timed(lambda: fit_bgnbd(summary), args.repeats)
    kehu_seconds, _ = timed(lambda: kehu_pipeline(con, end), args.repeats)
    pandas_seconds, _ = timed(lambda: rfm_summary(transactions, end), 1)
    print(f"Kehu   rfm_summary_sql   median {sql_seconds:8.2f} s")
    print(f"Kehu   fit_bgnbd         median {fit_seconds:8.2f} s  r={fit.r:.3f} alpha={fit.alpha:.3f} "
          f"a={fit.a:.3f} b={fit.b:.3f} converged={fit.converged} iterations={fit.iterations}")
    print(f"Kehu   summary + fit     median {kehu_seconds:8.2f} s  (repeats={args.repeats})")
    print(f"Kehu   rfm_summary (pandas, for reference) {pandas_seconds:8.2f} s")

    if not lifetimes_available():
        print("lifetimes is not importable here (pip install lifetimes): no comparison run")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifetimes_seconds, (_, fitter) = timed(lambda: lifetimes_pipeline(transactions, end),
                                               args.lifetimes_repeats)
    params = fitter.params_
    print(f"lifetimes summary + fit   median {lifetimes_seconds:8.2f} s  (repeats={args.lifetimes_repeats}) "
          f"r={params['r']:.3f} alpha={params['alpha']:.3f} a={params['a']:.3f} b={params['b']:.3f}")
    print(f"speed-up: {lifetimes_seconds / kehu_seconds:.1f}x (target ≥ 5x)")


if __name__ == "__main__":
    main()
