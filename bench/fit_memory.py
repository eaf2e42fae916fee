"""Peak memory of each background fit, one model per fresh process (issue 18: the server's peak
RSS must stay ≤ 3 GiB at 10M customers, and the fit job runs inside the server).

    python -m bench.fit_memory --db STORE [--models purchase_model,care_replenishment] [--trace] [--one-process]

Each model runs alone in a child process that opens the store and fits exactly as the job does
(``model_fits.fit_one``), rows written included, so the figure is the job's own: the child's
VmHWM (peak resident memory: Python, NumPy, Arrow and DuckDB together; DuckDB is capped by
``CRM_DUCKDB_MEMORY``, 2 GiB by default) and, with ``--trace``, Python's own peak allocations
(tracemalloc: NumPy and pandas buffers included, Arrow's and DuckDB's not; slower). The store is
written to (the fits are kept), so pass a copy you can spare or the benchmark's cached store.
With ``--one-process`` every model is fitted in turn in one child, as the server's fit jobs run
(each row's peak is then the process's peak so far).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from bench.common import RESULTS_DIR, ROOT, machine


def _vm_hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fit_in_this_process(db: str, models: list[str], trace: bool) -> Iterator[dict]:
    """Fit each of ``models`` in turn for the default analysis date on ``db`` here; the figures
    of each as a dict (peaks are the process's so far)."""
    import tracemalloc
    from zoneinfo import ZoneInfo

    from crm_core import model_fits
    from crm_core.scheduler import registered_jobs
    from crm_core.store import Store

    fitters = {f.model: f for job in registered_jobs() for f in getattr(job.run, "fitters", ())}
    unknown = [m for m in models if m not in fitters]
    if unknown:
        raise SystemExit(f"no fitted model named {', '.join(unknown)}")
    store = Store(db)
    try:
        now = datetime.now(ZoneInfo(store.timezone))
        as_of = model_fits._default_date(store, now.date())
        if trace:
            tracemalloc.start()
        for model in models:
            began = time.perf_counter()
            model_fits.fit_one(store, fitters[model], as_of, now)
            seconds = time.perf_counter() - began
            python_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
            yield {"model": model, "seconds": round(seconds, 1), "vm_hwm_mib": round(_vm_hwm_mib()),
                   "python_peak_mib": None if python_peak is None else round(python_peak)}
    finally:
        store.close()


def all_models() -> list[str]:
    from crm_core.scheduler import registered_jobs

    return [f.model for job in registered_jobs() for f in getattr(job.run, "fitters", ())]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--models", help="comma-separated (default: every fitted model)")
    parser.add_argument("--trace", action="store_true", help="also Python's own peak (tracemalloc)")
    parser.add_argument("--one-process", action="store_true", help="every model in one process, in turn")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        for row in fit_in_this_process(args.db, args.child.split(","), args.trace):
            print(json.dumps(row), flush=True)
        return 0
    models = args.models.split(",") if args.models else all_models()
    rows = []
    for group in ([",".join(models)] if args.one_process else models):
        command = [sys.executable, "-m", "bench.fit_memory", "--db", args.db, "--child", group]
        done = subprocess.run(command + (["--trace"] if args.trace else []), cwd=ROOT,
                              capture_output=True, text=True)
        found = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0:
            print(f"{group}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            found.append({"model": group, "failed": done.stderr[-500:]})
        for row in found:
            rows.append(row)
            if "failed" not in row:
                print(f"{row['model']:28} {row['seconds']:8.1f} s  peak RSS {row['vm_hwm_mib']:6,} MiB"
                      + (f"  Python {row['python_peak_mib']:6,} MiB" if row["python_peak_mib"] is not None else ""),
                      flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"fit_memory-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"db": args.db, "one_process": args.one_process, "machine": machine(),
                               "fits": rows}, indent=2))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
