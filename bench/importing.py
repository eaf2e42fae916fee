"""Import throughput: ``python -m crm_core import transactions FILE`` against DuckDB's raw
``CREATE TABLE AS SELECT * FROM read_csv(FILE)`` on the same file (bench_import's functions).

The CSV (``rows`` transactions of the store's customers, made by DuckDB COPY) is cached under
bench/data/. Each import runs in a child process into a fresh copy of the benchmark store (so
the import lands next to the store's existing transactions, as in real use); the baseline runs
in a child process into a fresh, empty DuckDB file. Peak RSS per child from /usr/bin/time -v.
Target: import ≤ 2 × the baseline (median of the repeats).
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
from pathlib import Path

from bench import bench_import as bi
from bench.common import DATA_DIR, summary


def run(db_path: Path, rows: int, repeats: int, gb18030: bool = False, log=print) -> dict:
    work = DATA_DIR / "import"
    work.mkdir(parents=True, exist_ok=True)
    csv = work / f"transactions_{Path(db_path).stem}_{rows}.csv"
    if not csv.exists():
        log(f"import: writing {rows:,}-row CSV {csv} ...")
        bi.make_csv(Path(db_path), csv, rows)
    files = {"UTF-8": csv}
    if gb18030:
        gb = csv.with_name(csv.stem + "_gb18030.csv")
        if not gb.exists():
            bi.to_gb18030(csv, gb)
        files["GB18030"] = gb
    baseline_db = work / "baseline.duckdb"
    target = work / "import_target.duckdb"
    code = (f"import duckdb; con = duckdb.connect({str(baseline_db)!r}); "
            f"con.execute(\"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')\"); con.close()")
    seconds = {"baseline": [], **{name: [] for name in files}}
    peaks = {name: [] for name in seconds}
    output = ""
    for attempt in range(repeats):
        for path in (baseline_db, Path(str(baseline_db) + ".wal")):
            path.unlink(missing_ok=True)
        s, peak, _ = bi.measure_peak([sys.executable, "-c", code])
        seconds["baseline"].append(s)
        peaks["baseline"].append(peak)
        for name, file in files.items():
            for path in (target, Path(str(target) + ".wal")):
                path.unlink(missing_ok=True)
            shutil.copy(db_path, target)
            os.sync()  # the copy's pages on disk first: their write-back would fall inside the import's time
            s, peak, output = bi.measure_peak([sys.executable, "-m", "crm_core", "import", "transactions", str(file),
                                               "--db", str(target), "--lang", "en"])
            seconds[name].append(s)
            peaks[name].append(peak)
        log(f"import: repeat {attempt + 1}/{repeats}: baseline {seconds['baseline'][-1]:.1f} s, "
            f"import {seconds['UTF-8'][-1]:.1f} s")
    for path in (baseline_db, target, Path(str(target) + ".wal"), Path(str(baseline_db) + ".wal")):
        path.unlink(missing_ok=True)
    base = statistics.median(seconds["baseline"])
    cases = {}
    for name, values in seconds.items():
        cases[name] = {**summary(values), "peak_mib": round(max(peaks[name])), "rows_per_s": round(rows / statistics.median(values)),
                       "ratio_vs_baseline": round(statistics.median(values) / base, 2)}
    return {"rows": rows, "file_mb": round(csv.stat().st_size / 1e6), "cases": cases,
            "last_import_output": output.strip()[-500:],
            "targets": {"UTF-8 import <= 2x read_csv": cases["UTF-8"]["ratio_vs_baseline"] <= 2}}
