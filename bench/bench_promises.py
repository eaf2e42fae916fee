"""Benchmark: the Promises page's overview over 1M promises with ~5M events (target ≤ 2 s).

    python bench/bench_promises.py [--promises 1000000] [--customers 100000] [--repeats 3]

Builds a DuckDB file with the project schema: demo customers and transactions (crm_core.demo),
then ``crm_core.promises.demo.load_demo`` scaled to the requested number of promises with three
pause/resume cycles per business-hours promise (≈ 5 events per promise). Times what the page runs
when it opens — the headline cards (``queries.overview``), the Now board and the complaint board —
for a manager and for a rep, then the Performance tab (``reports.performance``, 365 days), one
customer's ledger and the home KPI ``open_promise_count``. Prints medians; writes JSON to
bench/results/. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_core import demo
from crm_core.promises import demo as promises_demo
from crm_core.promises import queries, reports
from crm_core.store import Store
from crm_core.users import Actor

AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def timed(function, repeats: int):
    """(median seconds, first-run seconds, last result) over ``repeats`` runs."""
    seconds, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), seconds[0], result


def build(path: Path, customers: int, promises: int) -> dict:
    began = time.perf_counter()
    people, txns, _, _ = demo.generate(customers, as_of=AS_OF)
    db = Store(path)
    with db.transaction() as cur:
        for table, frame in (("customers", people), ("transactions", txns)):
            cur.register("bench_frame", frame)
            columns = ", ".join(frame.columns)
            cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bench_frame").fetchall()
            cur.unregister("bench_frame")
    base = time.perf_counter() - began
    # ~3 promises per customer at scale 1, plus 6 for each three-rep customer (1 % of customers).
    scale = (promises - 0.06 * customers) / (3.0 * customers + 0.1 * customers)
    began = time.perf_counter()
    with db.transaction() as cur:
        made = promises_demo.load_demo(cur, people, txns, AS_OF, seed=1, scale=scale, pause_cycles=3.0)
    load = time.perf_counter() - began
    (events,) = db.query_one("SELECT count(*) FROM promise_events")
    (remedies,) = db.query_one("SELECT count(*) FROM remedies")
    (complaints,) = db.query_one("SELECT count(*) FROM complaints")
    db.close()
    return {"customers": customers, "transactions": len(txns), "promises": made, "events": int(events),
            "remedies": int(remedies), "complaints": int(complaints), "customers_load_s": base,
            "promises_demo_load_s": load}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--promises", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        sizes = build(path, args.customers, args.promises)
        db = Store(path)
        manager = Actor("boss", "manager")
        (rep_name,) = db.query_one("SELECT sales_rep FROM customers GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        rep = Actor(rep_name, "rep")
        (busy,) = db.query_one("SELECT customer_id FROM promises GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")

        def overview_for(user):
            return lambda: (queries.overview(db, user, NOW), queries.now_board(db, user, NOW),
                            queries.complaint_board(db, user, NOW))

        window = (NOW - timedelta(days=365), NOW)
        cases = {
            "page overview (cards + Now board + complaint board), manager": overview_for(manager),
            "page overview, rep scope": overview_for(rep),
            "  cards only (queries.overview)": lambda: queries.overview(db, manager, NOW),
            "  Now board only (top 200)": lambda: queries.now_board(db, manager, NOW),
            "  complaint board only": lambda: queries.complaint_board(db, manager, NOW),
            "performance tab, 365 days (reports.performance)": lambda: reports.performance(
                db, manager, *window, NOW),
            "one customer's ledger (360 view)": lambda: queries.customer_ledger(db, manager, int(busy), NOW),
            "home KPI open_promise_count": lambda: queries.open_promise_count(db.cursor(), NOW),
        }
        results = {}
        for name, function in cases.items():
            median, first, _ = timed(function, args.repeats)
            results[name] = {"median_s": round(median, 4), "first_s": round(first, 4)}
        db.close()
    print(f"\nPromises benchmark — {sizes['promises']:,} promises, {sizes['events']:,} events, "
          f"{sizes['remedies']:,} remedies, {sizes['complaints']:,} complaints, {sizes['customers']:,} customers")
    print(f"demo loader: {sizes['promises_demo_load_s']:.1f} s (customers + transactions {sizes['customers_load_s']:.1f} s)")
    print(f"{'case':<66}{'median s':>10}{'first s':>10}")
    for name, numbers in results.items():
        print(f"{name:<66}{numbers['median_s']:>10.3f}{numbers['first_s']:>10.3f}")
    target = results["page overview (cards + Now board + complaint board), manager"]["median_s"]
    print(f"\ntarget: page overview ≤ 2 s → {'met' if target <= 2 else 'NOT met'} ({target:.2f} s)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    payload = {"sizes": sizes, "results": results, "machine": platform.platform(), "python": platform.python_version(),
               "repeats": args.repeats}
    (out / "bench_promises.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
