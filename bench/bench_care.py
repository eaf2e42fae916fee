"""Benchmark: the Care page rendered by AppTest at 1,000,000 customers, and its queries alone.

    python -m crm_core demo --customers 1000000 --db /tmp/care1m.duckdb     # once, ~40 s
    python bench/bench_care.py --db /tmp/care1m.duckdb [--rep 张伟]

One fresh process, so the first render is cold (store opened, ABC classes and the default list
computed). Then, in the same session: a re-render (same parameters: cache hits), and each of
the other three lists first time (cold) and again (cached), all reps and then one rep; last, the
default list in a new session with the caches emptied (a running server's first open). Also times
the crm_core queries without Streamlit, and the forecast error (MAE) on all customers, unsampled.
Targets: first render <= 2 s, re-render <= 0.5 s. Prints a table; writes bench/results/bench_care.json.
Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTIONS = ("key_dates", "absent", "replenish", "contacts")


def _run(app) -> float:
    began = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - began
    if app.exception:
        raise RuntimeError([e.value for e in app.exception])
    return seconds


def page_timings(rep: str) -> list[tuple[str, float]]:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=300)
    app.session_state["lang"] = "zh"
    app.switch_page("pages/care.py")
    rows = [("first render (key dates, all reps)", _run(app)), ("re-render", _run(app))]
    for scope, rep_value in (("all reps", None), (f"rep {rep}", rep)):
        if rep_value is not None:
            app.selectbox(key="care_rep").set_value(rep_value)
        for section in SECTIONS:
            if (section, rep_value) == ("key_dates", None):
                continue
            app.radio(key="care_section").set_value(section)
            rows.append((f"{section}, {scope}: first time", _run(app)))
            rows.append((f"{section}, {scope}: re-render", _run(app)))
    rows.append(("key_dates, all reps: first time (server up)", _first_open_in_a_running_server()))
    return rows


def _first_open_in_a_running_server() -> float:
    """The default list (key dates, all reps) opened in a new session with every cached read gone,
    in this process (its imports done and its store open): the first render above also pays the
    process's start, which a running server has paid once."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=300)
    app.session_state["lang"] = "zh"
    app.switch_page("pages/care.py")
    return _run(app)


def query_timings(db_path: str, rep: str, as_of: date) -> tuple[list[tuple[str, float]], dict]:
    from crm_core.care import board
    from crm_core.care.replenishment import forecast_accuracy_sql
    from crm_core.store import Store
    from crm_core.users import Actor

    db, boss = Store(db_path), Actor("bench", "manager")
    since = as_of - timedelta(days=730)
    rows, extra = [], {}

    def timed(name, fn):
        """A failure (DuckDB over its memory cap, say) is a result of its own, kept with the error's
        first line; the other steps still run."""
        began = time.perf_counter()
        try:
            result = fn()
        except duckdb.Error as error:
            rows.append((name, None))
            extra.setdefault("errors", {})[name] = str(error).splitlines()[0]
            return None
        rows.append((name, time.perf_counter() - began))
        return result

    classes = timed("ABC classes (kept purchase model if current)", lambda: board.customer_classes(db, as_of))
    from crm_core.segmentation import abc_classify_sql
    from crm_core.sql import last_12_months_dates
    live = db.system_cursor()
    timed("ABC classes ranked live (12 months)", lambda: abc_classify_sql(live, *last_12_months_dates(as_of)))
    live.close()
    for who, label in ((None, "all reps"), (rep, f"rep {rep}")):
        timed(f"key dates 14 days, {label}", lambda who=who: board.key_dates_ahead(db, boss, as_of, 14, who, classes))
        timed(f"long absent 6 months, {label}", lambda who=who: board.long_absent_ahead(db, boss, as_of, 6, who))
        due = timed(f"deliveries this week, {label}",
                    lambda who=who: board.deliveries_this_week(db, boss, as_of, 7, who, since=since))
        extra[f"deliveries_due_{label}"] = None if due is None else len(due)
        timed(f"forecast back-test (sampled), {label}",
              lambda who=who: board.backtest_for(db, boss, as_of, who, since=since))
        timed(f"overdue contacts, {label}", lambda who=who: board.overdue_ahead(db, boss, as_of, None, classes, who))
    cur = db.cursor()
    full = timed("forecast MAE, every customer (unsampled)",
                 lambda: forecast_accuracy_sql(cur, as_of, max_customers=None, since=since))
    if full is not None:
        extra["mae_days_all_customers"] = full.mae_days
        extra["mae_predictions_all_customers"] = full.n_predictions
    cur.close()
    db.close()
    return rows, extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/care1m.duckdb")
    parser.add_argument("--rep", default="张伟")
    parser.add_argument("--skip-queries", action="store_true")
    args = parser.parse_args()
    if not Path(args.db).exists():
        print(f"{args.db} does not exist: python -m crm_core demo --customers 1000000 --db {args.db}")
        return 2
    os.environ["CRM_DB"] = args.db
    pages = page_timings(args.rep)
    from crm_core.store import close_store
    close_store(args.db)  # the app's connection; the query timings open their own

    from crm_core.care import board  # noqa: F401  (imported after the page run on purpose)
    with duckdb.connect(args.db, read_only=True) as con:
        (as_of,) = con.execute("SELECT current_date").fetchone()
        (customers,) = con.execute("SELECT count(*) FROM customers").fetchone()
        (txns,) = con.execute("SELECT count(*) FROM transactions").fetchone()
    queries, extra = ([], {}) if args.skip_queries else query_timings(args.db, args.rep, as_of)
    print(f"\nCare page at {customers:,} customers / {txns:,} transactions (as of {as_of})")
    print(f"{'step':<52} {'seconds':>8}")
    for name, seconds in pages + queries:
        print(f"{name:<52} {'failed' if seconds is None else f'{seconds:8.2f}':>8}")
    for key, value in extra.items():
        print(f"{key}: {value}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_care.json").write_text(json.dumps({
        "customers": customers, "transactions": txns, "as_of": str(as_of),
        "page": dict(pages), "queries": dict(queries), **extra}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
