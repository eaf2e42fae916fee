"""Shared pieces of the benchmark: the cached demo store, timing with median/min/max, machine facts.

The per-area scripts (bench_*.py) keep their own command lines; ``python -m bench`` imports their
measuring functions and these helpers.
"""
from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA_DIR = ROOT / "bench" / "data"
RESULTS_DIR = ROOT / "bench" / "results"
SEED = 20240305


def demo_options(customers: int) -> dict:
    """Extension sizes for ``customers``: ≈ 1 promise per customer with ≈ 5 events each (three
    pause/resume cycles), ≈ 0.5 survey answers per customer (8 waves × 6.25 %), 24 months of class
    history. At 1,000,000 customers: 1M promises / ~5M events, ~500k answers."""
    # promises ≈ customers × (3.1 × scale + 0.06) (bench_promises.build): solve for 1 per customer
    scale = (1.0 - 0.06) / 3.1
    return {"promises": {"scale": scale, "pause_cycles": 3},
            "surveys": {"response_share": 0.0625},
            "segment_history": {"months": 24}}


def store_path(customers: int, seed: int = SEED, as_of: date | None = None) -> Path:
    as_of = as_of or date.today()
    return DATA_DIR / f"kehu_{customers}_{seed}_{as_of.isoformat()}.duckdb"


def build_store(customers: int, seed: int = SEED, as_of: date | None = None, log=print) -> tuple[Path, dict]:
    """The demo store for (customers, seed, as_of), generated through ``crm_core.demo.build_demo_file``
    (in chunks, into a side file renamed when complete) once and reused from bench/data/ afterwards.
    Returns (path, build facts): counts, build time, file size and this process's peak RSS."""
    import duckdb

    from crm_core import demo

    as_of = as_of or date.today()
    path = store_path(customers, seed, as_of)
    facts_file = path.with_suffix(".json")
    if path.exists() and facts_file.exists():
        return path, json.loads(facts_file.read_text())
    for stale in (path, Path(str(path) + ".wal")):
        stale.unlink(missing_ok=True)
    log(f"generating {customers:,} customers (seed {seed}, as of {as_of}) into {path} ...")
    began = time.perf_counter()
    size = demo.build_demo_file(path, customers, seed=seed, as_of=as_of, options=demo_options(customers))
    build_s = time.perf_counter() - began
    with duckdb.connect(str(path), read_only=True) as con:
        counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # fixed table names
                  for table in ("customers", "transactions", "promises", "promise_events", "survey_responses",
                                "interactions", "churn_events", "segment_class_changes")}
    facts = {"customers": customers, "seed": seed, "as_of": as_of.isoformat(), "extras": size.extras,
             "counts": counts, "build_s": round(build_s, 1), "file_mb": round(path.stat().st_size / 1e6),
             "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    facts_file.write_text(json.dumps(facts, indent=2))
    log(f"built in {facts['build_s']} s: {counts}")
    return path, facts


@contextlib.contextmanager
def scratch_copy(path: Path):
    """A throw-away copy of the store for the app to open: pages write (class history, audit log),
    and the cached store must stay the same for the next run."""
    copy = DATA_DIR / "scratch.duckdb"
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # absent in a fresh clone run with --db
    for stale in (copy, Path(str(copy) + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.copy(path, copy)
    try:
        yield copy
    finally:
        for stale in (copy, Path(str(copy) + ".wal")):
            stale.unlink(missing_ok=True)


def summary(seconds: list[float]) -> dict:
    """median / min / max / runs of a list of timings (seconds, 4 decimals)."""
    return {"median_s": round(statistics.median(seconds), 4), "min_s": round(min(seconds), 4),
            "max_s": round(max(seconds), 4), "runs": len(seconds)}


def repeat(function, repeats: int) -> tuple[dict, object]:
    """Run ``function`` ``repeats`` times: (summary of the timings, last result)."""
    seconds, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - began)
    return summary(seconds), result


def machine() -> dict:
    import duckdb
    import streamlit

    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "streamlit": streamlit.__version__,
            "mem_total_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}
