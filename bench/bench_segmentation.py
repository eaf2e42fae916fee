"""Benchmark: ABC classes with the Pareto figures at 1M customers / ~10M transactions.

    python bench/bench_segmentation.py [--db /tmp/seg1m.duckdb] [--customers 1000000] [--repeats 5] [--no-page]

Uses the demo store at ``--db`` (made with ``python -m crm_core demo --customers N --db ...`` when
the file does not exist) and times, over the last 12 months of its data:

- kehu: ``segmentation.abc_overview`` — what the page runs: class counts and shares, top-20% share,
  Gini, the Pareto curve (<= 204 points) and the customers counted apart;
- duckdb: the same figures from one hand-written DuckDB query (ranking window, then one GROUP BY
  over class and curve bucket, shares written as literals) plus the customer count;
- pandas: ``abc_classify`` + ``pareto_summary`` + ``lorenz_points`` after a pandas groupby of the
  transactions, which are already in memory (fetching them is timed apart).

Targets: kehu <= 1.3 × duckdb, and >= 2 × faster than pandas. With ``--page`` (default) it also
times the page in a fresh process through AppTest: first render, and re-render after the period
changes (target 2 s and 1 s). Prints a table and writes bench/results/segmentation.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_core import demo
from crm_core import segmentation as seg
from crm_core.store import Store

HANDWRITTEN = """
WITH spend AS (
    SELECT customer_id, CAST(SUM(amount) AS DECIMAL(18, 2)) AS spend FROM transactions
    WHERE txn_date BETWEEN ? AND ? GROUP BY customer_id HAVING SUM(amount) > 0),
ranked AS (
    SELECT spend, ROW_NUMBER() OVER (ORDER BY spend DESC, customer_id) AS r,
           (SELECT COUNT(*) FROM spend) AS n
    FROM spend)
SELECT CASE WHEN r <= ceil(0.05 * n) THEN 'A' WHEN r <= ceil(0.20 * n) THEN 'B' ELSE 'C' END AS abc,
       (r - 1) * 200 // n AS bucket, COUNT(*) AS customers, SUM(spend) AS spend, MAX(r) AS last_rank,
       SUM(spend) FILTER (WHERE r <= ceil(0.20 * n)) AS top_spend,
       SUM((n - r + 1) * CAST(spend AS DOUBLE)) AS gini_weight
FROM ranked GROUP BY ALL ORDER BY last_rank
"""


PAGE_SCRIPT = r"""
import datetime, os, sys, time
sys.path.insert(0, {root!r})
os.environ["CRM_DB"] = {db!r}
from streamlit.testing.v1 import AppTest
app = AppTest.from_file({home!r}, default_timeout=300)
app.session_state["lang"] = "zh"
app.switch_page("pages/segmentation.py")
t = time.perf_counter(); app.run(); first = time.perf_counter() - t
assert not app.exception, [e.value for e in app.exception]
app.date_input(key="seg_period").set_value(({a0!r}, {a1!r}))
t = time.perf_counter(); app.run(); changed = time.perf_counter() - t
app.date_input(key="seg_period").set_value(({b0!r}, {b1!r}))
t = time.perf_counter(); app.run(); changed2 = time.perf_counter() - t
app.date_input(key="seg_period").set_value(({a0!r}, {a1!r}))
t = time.perf_counter(); app.run(); back = time.perf_counter() - t
print(first, changed, changed2, back)
"""


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def handwritten(con, start, end):
    groups = con.execute(HANDWRITTEN, [start, end]).fetchall()
    customers = con.execute("SELECT COUNT(*) FROM customers").fetchone()[0]
    return groups, customers


def pandas_way(txns: pd.DataFrame, customers: int, start, end):
    period = txns[(txns["txn_date"] >= pd.Timestamp(start)) & (txns["txn_date"] <= pd.Timestamp(end))]
    spend = period.groupby("customer_id", as_index=False)["amount"].sum().rename(columns={"amount": "spend"})
    classified = seg.abc_classify(spend)
    return seg.pareto_summary(classified), seg.lorenz_points(classified), customers - len(classified)


def page_timings(db_path: str, as_of: date) -> list[float]:
    a = (date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31))
    b = (date(as_of.year - 2, 7, 1), date(as_of.year - 1, 6, 30))
    script = PAGE_SCRIPT.format(root=str(ROOT), db=db_path, home=str(ROOT / "Home.py"), a0=a[0], a1=a[1],
                                b0=b[0], b1=b[1])
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [float(x) for x in out.stdout.split()[-4:]]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/seg1m.duckdb")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-page", action="store_true")
    args = parser.parse_args()
    if not Path(args.db).exists():
        store = Store(args.db)
        demo.load_demo(store, customers=args.customers)
        store.close()
    store = Store(args.db)
    (as_of,) = store.query_one("SELECT MAX(txn_date) FROM transactions")
    (n_txns,) = store.query_one("SELECT COUNT(*) FROM transactions")
    (n_customers,) = store.query_one("SELECT COUNT(*) FROM customers")
    start, end = seg.default_period(as_of)
    q = seg.SegmentQuery(start, end)
    con = store.cursor()
    seg.abc_overview(store, None, q)  # warm the buffer pool once for both DuckDB runs

    results, kehu_times, duck_times = {}, [], []
    for _ in range(args.repeats):  # alternate run by run, so a busy moment hits both sides alike
        started = time.perf_counter()
        overview = seg.abc_overview(store, None, q)
        kehu_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        groups, _ = handwritten(con, start, end)
        duck_times.append(time.perf_counter() - started)
    results["kehu"], results["duckdb"] = statistics.median(kehu_times), statistics.median(duck_times)
    started = time.perf_counter()
    txns = con.execute("SELECT customer_id, txn_date, CAST(amount AS DOUBLE) AS amount FROM transactions").df()
    results["pandas_fetch"] = time.perf_counter() - started
    results["pandas"], (summary, _, _) = timed(lambda: pandas_way(txns, n_customers, start, end), args.repeats)
    results["class_list_page"], _ = timed(lambda: seg.class_customers(store, None, q, "A", 50, 0), args.repeats)

    # the three agree
    hand = {c: sum(row[2] for row in groups if row[0] == c) for c in "ABC"}
    assert [overview.classes[c]["count"] for c in "ABC"] == [summary["classes"][c]["count"] for c in "ABC"] \
        == [hand[c] for c in "ABC"]
    assert abs(overview.top_spend_share - summary["top_spend_share"]) < 1e-9
    assert abs(overview.gini - summary["gini"]) < 1e-9

    ratios = {"kehu_vs_duckdb": results["kehu"] / results["duckdb"],
              "pandas_vs_kehu": results["pandas"] / results["kehu"],
              "pandas_with_fetch_vs_kehu": (results["pandas"] + results["pandas_fetch"]) / results["kehu"]}
    page = None
    con.close()
    store.close()  # the page's process must own the file (one DuckDB owner per file)
    if not args.no_page:
        first, changed, changed2, back = page_timings(args.db, as_of)
        page = {"first_render": first, "rerender_new_period": changed, "rerender_new_period_2": changed2,
                "rerender_cached_period": back}
    print(f"{n_customers:,} customers, {n_txns:,} transactions, period {start} .. {end}, "
          f"{os.cpu_count()} cores, median of {args.repeats}")
    print(f"{'step':<34}{'seconds':>10}")
    for key, value in results.items():
        print(f"{key:<34}{value:>10.3f}")
    for key, value in ratios.items():
        print(f"{key:<34}{value:>10.2f}x")
    if page:
        for key, value in page.items():
            print(f"page {key:<29}{value:>10.3f}")
    verdict = ratios["kehu_vs_duckdb"] <= 1.3 and ratios["pandas_vs_kehu"] >= 2 and \
        (page is None or (page["first_render"] <= 2 and max(page["rerender_new_period"], page["rerender_new_period_2"]) <= 1))
    print("targets met" if verdict else "TARGETS MISSED")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "segmentation.json").write_text(json.dumps({
        "customers": n_customers, "transactions": n_txns, "period": [str(start), str(end)],
        "cores": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
        "repeats": args.repeats, "seconds": results, "ratios": ratios, "page": page, "targets_met": verdict,
    }, indent=2), encoding="utf-8")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
