"""Office files, measured (issue 14): the real CDNOW data imported from CSV and from the XLSX
LibreOffice saved, XLSX read speed of python-calamine against openpyxl, and the 10M-row CSV import
against DuckDB's raw read_csv.

    python -m bench --only office                    # all three; (c) on the benchmark store
    python -m bench.bench_office [--repeats 3]       # (a) and (b) only: no store, minutes not hours

(a) CDNOW (tests/fixtures/cdnow: 69,659 purchases of 23,570 customers) through
    ``crm_core.ingest.run_import(store, actor, "transactions", file, create_customers=True)`` into
    a fresh, empty store each repeat (the store is created, and migrated, before the clock starts),
    and the same through the CLI in a child process (``python -m crm_core import transactions FILE
    --create-customers``: interpreter start and imports included, what a user waits for). A file
    the import rejects is reported with its message and timed as far as it ran.
(b) A 200,000-row × 8-column XLSX (openpyxl write-only, cached under bench/data/office/) read to the
    last cell: python-calamine ``to_python()`` against openpyxl ``load_workbook(read_only=True)``
    iterating ``values_only`` rows; both must see the same cells.
(c) ``bench/importing.py``: the CLI import of a 10-rows-per-customer CSV against
    ``CREATE TABLE AS SELECT * FROM read_csv``; target ≤ 2×. Reused when the run also has
    ``--only import``.
No LibreOffice needed: the CDNOW files are committed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import bench_import as bi
from bench.common import DATA_DIR, ROOT, summary

CDNOW = ROOT / "tests" / "fixtures" / "cdnow"
CDNOW_FILES = {"CSV": CDNOW / "cdnow_transactions.csv", "XLSX": CDNOW / "cdnow_transactions.xlsx"}
SHEET_ROWS, SHEET_COLUMNS = 200_000, 8


# -- (a) CDNOW through the import ------------------------------------------------------------------

def _import_once(path: Path, work: Path) -> tuple[float, dict]:
    """One timed run_import into a fresh store: (seconds, what was stored or the refusal)."""
    from crm_core.ingest import ImportProblem, problem_text, run_import
    from crm_core.store import Store
    from crm_core.users import Actor

    db = work / "cdnow.duckdb"
    for stale in (db, Path(str(db) + ".wal")):
        stale.unlink(missing_ok=True)
    store = Store(db)  # schema and migrations: not timed
    try:
        began = time.perf_counter()
        try:
            outcome = run_import(store, Actor("bench", "manager"), "transactions", str(path), create_customers=True)
            refusal = None if outcome.result else "; ".join(outcome.lines[:3])
        except ImportProblem as problem:
            refusal = problem_text(problem, "en")
        seconds = time.perf_counter() - began
        rows, customers, amount = store.query_one(
            "SELECT count(*), count(DISTINCT customer_id), coalesce(sum(amount), 0) FROM transactions")
        codes = store.query_one("SELECT min(code), max(code) FROM customers")
    finally:
        store.close()
    return seconds, {"transactions": rows, "customers": customers, "amount": str(amount),
                     "codes_min_max": list(codes), "refused": refusal}


def _cli_once(path: Path, work: Path) -> tuple[float, float, str]:
    db = work / "cdnow_cli.duckdb"
    for stale in (db, Path(str(db) + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        seconds, peak, _ = bi.measure_peak([sys.executable, "-m", "crm_core", "import", "transactions", str(path),
                                            "--db", str(db), "--create-customers", "--lang", "en"])
        return seconds, peak, ""
    except RuntimeError as failed:  # exit 1 or 2: the import refused the file
        return float("nan"), float("nan"), str(failed)[-300:]


def cdnow_imports(repeats: int, log=print) -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="kehu_bench_office_") as tmp:
        work = Path(tmp)
        for name, path in CDNOW_FILES.items():
            seconds, cli_seconds, peaks, stored, cli_error = [], [], [], {}, ""
            for _ in range(repeats):
                s, stored = _import_once(path, work)
                seconds.append(s)
                c, peak, cli_error = _cli_once(path, work)
                cli_seconds.append(c)
                peaks.append(peak)
            log(f"office: CDNOW {name}: run_import {min(seconds):.2f} s, CLI {min(cli_seconds):.2f} s, stored {stored}")
            results[name] = {"file": path.name, "file_mb": round(path.stat().st_size / 1e6, 2),
                             "run_import": summary(seconds), "stored": stored,
                             "cli": None if cli_error else {**summary(cli_seconds), "peak_mib": round(max(peaks))},
                             "cli_error": cli_error}
    return results


# -- (b) XLSX read speed -----------------------------------------------------------------------------

def sheet_path(rows: int = SHEET_ROWS) -> Path:
    """The generated sheet: 客户编号, 日期, 金额, 订单号, 产品, 数量, 毛利, 备注 — text, date and number cells
    in the mix of a sales export. Deterministic; made once."""
    path = DATA_DIR / "office" / f"sheet_{rows}x{SHEET_COLUMNS}.xlsx"
    if path.exists():
        return path
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("交易")
    sheet.append(["客户编号", "日期", "金额", "订单号", "产品", "数量", "毛利", "备注"])
    first = date(2024, 1, 1)
    for r in range(rows):
        sheet.append([f"C{r % 50_000:07d}", first + timedelta(days=r % 1000), round(5 + (r * 7919 % 200_000) / 100, 2),
                      f"SO{r:09d}", bi.PRODUCTS[r % len(bi.PRODUCTS)], 1 + r % 12,
                      round((r * 104_729 % 50_000) / 100, 2), "加急" if r % 10 == 0 else None])
    partial = path.with_suffix(".partial.xlsx")
    book.save(partial)
    partial.replace(path)
    return path


def read_calamine(path: Path) -> tuple[int, float]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return sum(1 for row in rows for v in row if v not in ("", None)), sum(row[2] for row in rows[1:])


def read_openpyxl(path: Path) -> tuple[int, float]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    cells, amount = 0, 0.0
    try:
        for i, row in enumerate(book.worksheets[0].iter_rows(values_only=True)):
            cells += sum(1 for v in row if v not in ("", None))
            if i:
                amount += row[2]
    finally:
        book.close()
    return cells, amount


def xlsx_read(repeats: int, rows: int = SHEET_ROWS, log=print) -> dict:
    began = time.perf_counter()
    path = sheet_path(rows)
    made = round(time.perf_counter() - began, 1)
    timings, seen = {}, {}
    for name, reader in (("calamine", read_calamine), ("openpyxl", read_openpyxl)):
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            seen[name] = reader(path)
            seconds.append(time.perf_counter() - start)
        timings[name] = summary(seconds)
        log(f"office: read {rows:,}x{SHEET_COLUMNS} XLSX with {name}: {timings[name]['median_s']:.2f} s")
    cells = {name: value[0] for name, value in seen.items()}
    amounts = {name: round(value[1], 2) for name, value in seen.items()}
    return {"rows": rows, "columns": SHEET_COLUMNS, "file_mb": round(path.stat().st_size / 1e6, 1),
            "generated_s": made, "timings": timings, "cells": cells, "amount_sum": amounts,
            "same_cells": len(set(cells.values())) == 1 and len(set(amounts.values())) == 1,
            "openpyxl_over_calamine": round(timings["openpyxl"]["median_s"] / timings["calamine"]["median_s"], 2)}


# -- all three -------------------------------------------------------------------------------------

def run(db_path: Path | None, repeats: int, import_rows: int, import_repeats: int, big_import: dict | None = None,
        log=print) -> dict:
    results = {"cdnow": cdnow_imports(repeats, log=log), "xlsx_read": xlsx_read(repeats, log=log)}
    if big_import is not None:
        results["import_10m"] = big_import
    elif db_path is not None:
        from bench import importing
        results["import_10m"] = importing.run(Path(db_path), import_rows, import_repeats, log=log)
    return results


def table_lines(office: dict) -> list[str]:
    lines = ["", "OFFICE FILES (median [min–max] seconds)"]
    row = "{:<52} {:>9} {:>9} {:>9}  {}"
    lines.append(row.format("case", "median", "min", "max", ""))
    for name, v in office["cdnow"].items():
        stored = v["stored"]
        what = (f"refused: {stored['refused'][:60]}" if stored["refused"] else
                f"{stored['transactions']:,} rows, {stored['customers']:,} customers, ${stored['amount']}")
        t = v["run_import"]
        lines.append(row.format(f"CDNOW {name} run_import ({v['file_mb']} MB)", f"{t['median_s']:.2f}",
                                f"{t['min_s']:.2f}", f"{t['max_s']:.2f}", what))
        if v["cli"]:
            c = v["cli"]
            lines.append(row.format(f"CDNOW {name} CLI (child process)", f"{c['median_s']:.2f}", f"{c['min_s']:.2f}",
                                    f"{c['max_s']:.2f}", f"peak {c['peak_mib']:,} MiB"))
        else:
            lines.append(f"CDNOW {name} CLI: failed — {v['cli_error'][-120:]}")
    x = office["xlsx_read"]
    for name, t in x["timings"].items():
        lines.append(row.format(f"read {x['rows']:,}×{x['columns']} XLSX ({x['file_mb']} MB), {name}",
                                f"{t['median_s']:.2f}", f"{t['min_s']:.2f}", f"{t['max_s']:.2f}", ""))
    lines.append(f"openpyxl / calamine: {x['openpyxl_over_calamine']}×; same cells read: {x['same_cells']}")
    big = office.get("import_10m")
    if big:
        imported, raw = big["cases"]["UTF-8"], big["cases"]["baseline"]
        lines.append(row.format(f"{big['rows']:,}-row CSV: DuckDB read_csv (raw)", f"{raw['median_s']:.2f}",
                                f"{raw['min_s']:.2f}", f"{raw['max_s']:.2f}", ""))
        lines.append(row.format(f"{big['rows']:,}-row CSV: crm_core import", f"{imported['median_s']:.2f}",
                                f"{imported['min_s']:.2f}", f"{imported['max_s']:.2f}",
                                f"{imported['ratio_vs_baseline']}× raw (target ≤ 2×: "
                                f"{'ok' if imported['ratio_vs_baseline'] <= 2 else 'MISS'})"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_office", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=SHEET_ROWS, help="rows of the generated XLSX")
    args = parser.parse_args(argv)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    results = {"cdnow": cdnow_imports(args.repeats, log=log), "xlsx_read": xlsx_read(args.repeats, args.rows, log=log)}
    print("\n".join(table_lines(results)))
    print(json.dumps(results, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
