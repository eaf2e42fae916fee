"""Spreadsheet read speed: python-calamine against openpyxl's read-only mode on one big XLSX.

    python -m bench.read_speed [--rows 200000] [--repeats 3]

The workbook (``rows`` × 8 columns: code, date, amount, order number, product, quantity, a sparse
note, region — the shape of a transaction export) is written once by openpyxl into bench/data/ and
reused. Measured, each the median of ``repeats`` runs in this process:

  calamine rows         iterate the sheet's rows with python-calamine (what the import uses)
  openpyxl rows         iterate ``iter_rows(values_only=True)`` in read-only, data-only mode
  calamine → CSV        ``crm_core.ingest.prepare_file``: header row found, cells as Excel shows
                        them, CSV written, hidden columns and formula cells scanned in the XML
  openpyxl → CSV        the same CSV written from openpyxl (the import's code before calamine)

Prints a table and one JSON line (the last line) with the numbers.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import tempfile
import time
from datetime import date, timedelta

from bench.common import DATA_DIR, machine, summary

REGIONS = ["华东", "华南", "华北", "西南"]


def make_workbook(rows: int) -> str:
    path = DATA_DIR / f"read_speed_{rows}x8.xlsx"
    if path.exists():
        return str(path)
    from openpyxl import Workbook
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("交易")
    sheet.append(["客户编号", "日期", "金额", "订单号", "产品", "数量", "备注", "地区"])
    start = date(2022, 1, 1)
    for i in range(rows):
        sheet.append([f"C{i % 50000:06d}", start + timedelta(days=i % 1000), round(5 + (i * 7919 % 200000) / 100, 2),
                      f"O{i:09d}", "大米 25kg", i % 17 + 1, "备注文字" if i % 3 == 0 else None, REGIONS[i % 4]])
    partial = str(path) + ".part"
    book.save(partial)
    os.replace(partial, path)
    return str(path)


def calamine_rows(path: str) -> int:
    from python_calamine import CalamineWorkbook
    with open(path, "rb") as handle:
        book = CalamineWorkbook.from_filelike(handle)
        return sum(1 for _ in book.get_sheet_by_index(0).iter_rows())


def openpyxl_rows(path: str) -> int:
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def calamine_csv(path: str) -> int:
    from crm_core.ingest import prepare_file
    prepared = prepare_file(path, kind="transactions", max_bytes=None)
    try:
        with open(prepared.csv_path, encoding="utf-8") as handle:
            return sum(1 for _ in handle)
    finally:
        prepared.cleanup()


def openpyxl_csv(path: str) -> int:
    """The import's XLSX reading before calamine (openpyxl read-only, the same cell texts)."""
    from openpyxl import load_workbook

    from crm_core.ingest.sheets import cell_text
    book = load_workbook(path, read_only=True, data_only=True)
    handle, out = tempfile.mkstemp(suffix=".csv", prefix="kehu_bench_")
    os.close(handle)
    try:
        lines = 0
        with open(out, "w", encoding="utf-8", newline="") as target:
            writer = csv.writer(target)
            for row in book.worksheets[0].iter_rows(values_only=True):
                writer.writerow([cell_text(v) for v in row])
                lines += 1
        return lines
    finally:
        book.close()
        os.unlink(out)


CASES = {"calamine rows": calamine_rows, "openpyxl rows": openpyxl_rows,
         "calamine → CSV": calamine_csv, "openpyxl → CSV": openpyxl_csv}


def run(rows: int, repeats: int, log=print) -> dict:
    path = make_workbook(rows)
    results = {}
    for name, function in CASES.items():
        seconds, count = [], 0
        for _ in range(repeats):
            started = time.perf_counter()
            count = function(path)
            seconds.append(time.perf_counter() - started)
        results[name] = {**summary(seconds), "rows": count}
        log(f"{name:16} {statistics.median(seconds):7.2f} s  (min {min(seconds):.2f}, max {max(seconds):.2f}; "
            f"{count:,} rows)")
    ratio = results["openpyxl → CSV"]["median_s"] / results["calamine → CSV"]["median_s"]
    log(f"calamine → CSV is {ratio:.1f}× faster than openpyxl → CSV")
    return {"rows": rows, "file_mb": round(os.path.getsize(path) / 1e6, 1), "cases": results,
            "speedup_csv": round(ratio, 2), "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.repeats), ensure_ascii=False))


if __name__ == "__main__":
    main()
