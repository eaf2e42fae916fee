"""Benchmark: the Satisfaction page's first render over 500,000 survey answers (1M customers).

    python bench/bench_satisfaction.py [--customers 1000000] [--share 0.0625] [--db /tmp/bench_sat.duckdb]

Builds (once; reused when the file exists) a store with the demo generator's customers and
transactions and the satisfaction demo loader at ``--share`` answers per customer per wave
(8 quarterly waves × 6.25 % × 1M ≈ 500,000 answers), then, in this fresh process (cold caches),
renders the page through Home.py with AppTest: the first render (the Scores tab: wave table,
trend per wave, ladder), a second render (warm cache), and each other tab's first opening.
Target: first render ≤ 2 s. Prints a table and writes bench/results/satisfaction.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_core import demo
from crm_core.i18n import t
from crm_core.satisfaction import demo as survey_demo
from crm_core.store import Store

AS_OF = date(2026, 6, 30)
TABS = ("trend", "quality", "regional", "quadrants", "word_of_mouth", "comments", "nonresponse", "mystery")


def build(path: Path, customers: int, share: float) -> dict:
    started = time.perf_counter()
    db = Store(path)
    people, txns, contacts, dates = demo.generate(customers, 20240305, AS_OF)
    with db.transaction() as cur:
        for table, frame in (("customers", people), ("transactions", txns), ("interactions", contacts),
                             ("key_dates", dates)):
            cur.register("demo_frame", frame)
            columns = ", ".join(frame.columns)
            cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM demo_frame")
            cur.unregister("demo_frame")
        loaded = time.perf_counter()
        answers = survey_demo.load_demo(cur, people, txns, AS_OF, 20240305, response_share=share)
        survey_seconds = time.perf_counter() - loaded
    db.close()
    return {"customers": len(people), "transactions": len(txns), "answers": answers,
            "survey_loader_s": round(survey_seconds, 2), "build_s": round(time.perf_counter() - started, 1)}


def render(tab: str | None, lang: str = "zh", app=None, **state):
    from streamlit.testing.v1 import AppTest

    if app is None:
        app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=600)
        app.session_state["lang"] = lang
        if tab:
            app.session_state["sat_tab"] = t(f"sat.tab.{tab}", lang)
        for key, value in state.items():
            app.session_state[key] = value
        app.switch_page("pages/satisfaction.py")
    started = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError([e.value for e in app.exception])
    return app, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.0625)
    parser.add_argument("--db", default="/tmp/bench_sat.duckdb")
    args = parser.parse_args()
    path = Path(args.db)
    built = build(path, args.customers, args.share) if not path.exists() else {}
    os.environ["CRM_DB"] = str(path)
    db = Store(path)  # counts only; closed before the app opens the file
    (answers,) = db.query_one("SELECT count(*) FROM survey_responses")
    (customers,) = db.query_one("SELECT count(*) FROM customers")
    db.close()

    rows = []
    app, first = render(None)
    rows.append(("first render (Scores tab, cold)", first))
    _, again = render(None, app=app)
    rows.append(("second render (warm cache)", again))
    for tab in TABS:
        rows.append((f"open tab: {tab}", render(tab)[1]))
    for by in ("segment", "product", "rep"):
        rows.append((f"breakdown by {by}", render("trend", sat_breakdown_by=by)[1]))
    rows.append(("quadrants, stated intent", render("quadrants", sat_quad_source="intent")[1]))

    print(f"\nSatisfaction page, {answers:,} answers, {customers:,} customers")
    print(f"{'step':42s} {'seconds':>8s}")
    for name, seconds in rows:
        print(f"{name:42s} {seconds:8.2f}")
    print(f"target: first render <= 2 s -> {'met' if first <= 2.0 else 'NOT met'}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "satisfaction.json").write_text(json.dumps({
        "answers": answers, "customers": customers, "build": built,
        "seconds": {name: round(s, 3) for name, s in rows}, "target_first_render_s": 2.0}, indent=2))


if __name__ == "__main__":
    main()
