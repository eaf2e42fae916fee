"""One command for the whole benchmark (see bench/README.md):

    python -m bench [--customers 1000000] [--only pages,computations,import,server,office] [--repeats 5]
                    [--db PATH] [--deps DIR] [--as-of YYYY-MM-DD]

Builds (or reuses, under bench/data/) the deterministic demo store of that size, runs the chosen
sections, prints a table and writes bench/results/<timestamp>.json and bench/results/latest.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from bench.common import RESULTS_DIR, ROOT, SEED, build_store, machine, scratch_copy

SECTIONS = ("computations", "import", "pages", "server", "tabs", "office")
# issue 18: every page and tab's first open ≤ 1 s up to 1M customers and ≤ 2 s at 10M; server ≤ 3 GiB at 10M
WARM_RENDER_S, PEAK_MIB, PAGE_BYTES = 0.5, 3 * 1024, 5_000_000


def first_render_target(customers: int) -> float:
    return 1.0 if customers <= 1_000_000 else 2.0
DEFAULT_DEPS = "/tmp/kehu_bench_deps"


def _child(module: str, *args: str, timeout: float = 3600) -> dict:
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt(value, unit="s") -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if unit == "s" else f"{value:,.0f}"


def _verdict(ok) -> str:
    return "—" if ok is None else ("ok" if ok else "MISS")


def _tab_line(name: str, v, first_target: float) -> str:
    """One tab: first opening and again, each against its target (an older result kept only the
    first opening, as a number or an error text)."""
    if not isinstance(v, dict):
        shown = f"{v:>7.3f}  {_verdict(v <= first_target)}" if isinstance(v, (int, float)) else str(v)
        return f"  {name:<40} first {shown}"
    return (f"  {name:<40} first {v['first_s']:>7.3f}  {_verdict(v['first_s'] <= first_target):<4}"
            f"  again {v['warm_s']:>6.3f}  {_verdict(v['warm_s'] <= WARM_RENDER_S)}"
            + ("  EXCEPTION" if v.get("exception") else ""))


def table(results: dict) -> str:
    lines = []
    add = lines.append
    m = results["machine"]
    f = results["store"]
    first_target = first_render_target(f["counts"]["customers"])
    add(f"Kehu benchmark — {f['counts']['customers']:,} customers, {f['counts']['transactions']:,} transactions, "
        f"{f['counts']['promises']:,} promises / {f['counts']['promise_events']:,} events, "
        f"{f['counts']['survey_responses']:,} survey answers")
    add(f"{m['cpus']} cores, load average before {m['load_average']}, after {results.get('load_average_after')}; "
        f"repeats {results['repeats']}; store built in {f['build_s']} s")
    row = "{:<58} {:>9} {:>9} {:>9}  {:<16} {}"
    if "pages" in results:
        p = results["pages"]
        add("")
        add(f"PAGES (AppTest through Home.py; median [min–max] of {results['repeats']}; first render = cold caches)")
        add(row.format("page", "median", "min", "max", "target", ""))
        for name, v in p["pages"].items():
            first, warm = v["first"], v["warm"]
            add(row.format(f"{name}: first render", _fmt(first["median_s"]), _fmt(first["min_s"]),
                           _fmt(first["max_s"]), f"≤ {first_target} s",
                           "ERRORS (invalid)" if v["errors"] else _verdict(first["median_s"] <= first_target)))
            if warm:
                add(row.format(f"{name}: re-render ({v['filter']})"[:58], _fmt(warm["median_s"]), _fmt(warm["min_s"]),
                               _fmt(warm["max_s"]), f"≤ {WARM_RENDER_S} s", _verdict(warm["median_s"] <= WARM_RENDER_S)))
        add(f"(first page in a brand-new process, imports and store opening included: "
            f"{p['process_start_first_page_s']} s)")
    if "server" in results:
        s = results["server"]
        add("")
        add("SERVER (streamlit run + headless Chromium; one view each: cold, then reload)")
        add("{:<16} {:>10} {:>10} {:>12} {:>10}  {}".format("page", "cold s", "warm s", "bytes/view", "RSS MiB", ""))
        for name, v in s["pages"].items():
            worst = max(v["cold"]["ws_bytes"], v["warm"]["ws_bytes"])
            add("{:<16} {:>10.2f} {:>10.2f} {:>12,} {:>10}  {}".format(
                name, v["cold"]["settle_s"], v["warm"]["settle_s"], worst, v["rss_after_mib"],
                ("≤ 5 MB ok" if worst <= PAGE_BYTES else "> 5 MB MISS") + (" ERRORS" if v["cold"]["errors"] else "")))
        add(f"server peak RSS (VmHWM): {s['peak_rss_mib']:,.0f} MiB (target ≤ {PEAK_MIB:,.0f} MiB: "
            f"{_verdict(s['peak_rss_mib'] <= PEAK_MIB)})")
    if "computations" in results:
        c = results["computations"]
        add("")
        add("COMPUTATIONS (median [min–max] seconds)")
        add(row.format("computation", "median", "min", "max", "target", ""))
        for key in ("abc", "rfm_bgnbd_demo", "rfm_bgnbd_simulated"):
            if key not in c:
                continue
            block = c[key]
            add(f"{block['name']}  (answers agree: {block['answers_agree']})")
            for name, t in block["timings"].items():
                add(row.format(f"  {name}", _fmt(t["median_s"]), _fmt(t["min_s"]), _fmt(t["max_s"]), "", ""))
            for name, value in block["ratios"].items():
                add(f"  ratio {name}: {value:.2f}×")
            for name, ok in block["targets"].items():
                add(f"  target {name}: {_verdict(ok)}")
            if block.get("lifetimes_error"):
                add(f"  lifetimes: {block['lifetimes_error']}")
        add("page computations alone (crm_core, warm buffer pool):")
        for name, t in c["page_queries"].items():
            add(row.format(f"  {name}", _fmt(t["median_s"]), _fmt(t["min_s"]), _fmt(t["max_s"]), "", ""))
        add("care lists (bench_care.query_timings, single runs):")
        for name, seconds in c["care_queries"]["seconds"].items():
            add(row.format(f"  {name}", _fmt(seconds), "", "", "", ""))
    if "tabs" in results:
        t = results["tabs"]
        add("")
        add("TABS AND SECTIONS (AppTest; care: single runs; first opening in a session of one process)")
        for name, seconds in t["care"].items():
            add(f"  care {name:<52} {seconds:>8.3f}  {_verdict(seconds <= (WARM_RENDER_S if 're-render' in name else first_target))}")
        add(f"  (tabs: median of {t.get('repeats', 1)} rounds; first ≤ {first_target} s, again ≤ {WARM_RENDER_S} s)")
        for page, tabs in t.items():
            if page in ("care", "repeats"):
                continue
            for tab, v in tabs.items():
                add(_tab_line(f"{page} tab {tab}", v, first_target))
    if "import" in results:
        i = results["import"]
        add("")
        add(f"IMPORT ({i['rows']:,} rows, {i['file_mb']:,} MB CSV)")
        add("{:<30} {:>9} {:>9} {:>9} {:>12} {:>9} {:>10}".format("case", "median", "min", "max", "rows/s",
                                                                   "× raw", "peak MiB"))
        for name, v in i["cases"].items():
            label = "DuckDB read_csv (raw)" if name == "baseline" else f"crm_core import ({name})"
            add("{:<30} {:>9.2f} {:>9.2f} {:>9.2f} {:>12,} {:>9.2f} {:>10,}".format(
                label, v["median_s"], v["min_s"], v["max_s"], v["rows_per_s"], v["ratio_vs_baseline"], v["peak_mib"]))
        for name, ok in i["targets"].items():
            add(f"target {name}: {_verdict(ok)}")
    if "office" in results:
        from bench.bench_office import table_lines
        lines.extend(table_lines(results["office"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="demo 'today' (default: today)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated: {','.join(SECTIONS)}")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--peer-repeats", type=int, default=1, help="runs of the slow peers (lifetimes)")
    parser.add_argument("--import-repeats", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=None, help="default: 10 per customer")
    parser.add_argument("--db", default=None, help="reuse this built store instead of generating one")
    parser.add_argument("--deps", default=DEFAULT_DEPS, help="directory holding lifetimes (pip install --target)")
    parser.add_argument("--label", default="", help="free text stored with the results (e.g. 'before')")
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")

    started = time.perf_counter()
    results = {"label": args.label, "started": datetime.now().isoformat(timespec="seconds"),
               "repeats": args.repeats, "machine": machine()}
    if args.db:
        db_path = Path(args.db)
        import duckdb
        with duckdb.connect(str(db_path), read_only=True) as con:
            counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # fixed table names
                      for t in ("customers", "transactions", "promises", "promise_events", "survey_responses")}
        facts_file = db_path.with_suffix(".json")  # the build's facts, when bench.gen made the store
        facts = json.loads(facts_file.read_text()) if facts_file.exists() else {"build_s": "reused"}
        results["store"] = {**facts, "path": str(db_path), "counts": counts}
    else:
        db_path, facts = build_store(args.customers, args.seed, args.as_of)
        results["store"] = {"path": str(db_path), **facts}
    results["store"]["file_mb"] = round(db_path.stat().st_size / 1e6)  # the size on disk now
    customers = results["store"]["counts"]["customers"]
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    if "computations" in only:
        from bench import computations
        results["computations"] = computations.run(str(db_path), args.repeats, args.peer_repeats, args.deps, log=log)
    if "import" in only:
        from bench import importing
        results["import"] = importing.run(db_path, args.import_rows or 10 * customers, args.import_repeats, log=log)
    if "pages" in only:
        log("pages: AppTest ...")
        with scratch_copy(db_path) as copy:
            results["pages"] = _child("bench.pages", "--db", str(copy), "--repeats", str(args.repeats))
    if "server" in only:
        log("server: streamlit + Chromium ...")
        with scratch_copy(db_path) as copy:
            results["server"] = _child("bench.server", "--db", str(copy))
    if "tabs" in only:
        log("tabs: care sections and every tab of the tabbed pages (AppTest) ...")
        with scratch_copy(db_path) as copy:
            results["tabs"] = {"repeats": args.repeats,
                               **_child("bench.tabs", "--db", str(copy), "--repeats", str(args.repeats))}
    if "office" in only:
        from bench import bench_office
        results["office"] = bench_office.run(db_path, args.repeats, args.import_rows or 10 * customers,
                                             args.import_repeats, big_import=results.get("import"), log=log)
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["total_s"] = round(time.perf_counter() - started, 1)

    text = table(results)
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    payload = json.dumps({**results, "table": text.splitlines()}, indent=2, ensure_ascii=False, default=str)
    (RESULTS_DIR / f"{stamp}_{customers}.json").write_text(payload, encoding="utf-8")
    (RESULTS_DIR / "latest.json").write_text(payload, encoding="utf-8")
    print(f"\nwritten: bench/results/{stamp}_{customers}.json (and latest.json); {results['total_s']} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
