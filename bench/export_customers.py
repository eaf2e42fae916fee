"""Seconds and peak memory of the Customers list's download (all matching rows, as shown).

    python -m crm_core demo --customers 1000000 --db /tmp/big.duckdb
    python bench/export_customers.py /tmp/big.duckdb xlsx    # and csv

Each run is one fresh process, so its peak resident size (ru_maxrss) is the export's, plus the
interpreter, pandas and the open store (printed as "before").
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_core import customers, exporting, tables
from crm_core.store import Store
from crm_core.users import LOCAL_USER


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(db_path: str, fmt: str) -> None:
    store = Store(Path(db_path))
    everyone = customers.CustomerFilter("", (), (), (), ())
    before = peak_mb()
    started = time.perf_counter()
    data = exporting.export_table(store, LOCAL_USER, tables.CUSTOMERS,
                                  lambda: customers.all_matching_customers(store, LOCAL_USER, everyone),
                                  f"customers.{fmt}", fmt, "zh")
    seconds = time.perf_counter() - started
    print(f"{fmt}: {seconds:.1f} s, file {len(data) / 1e6:.1f} MB, peak {peak_mb():.0f} MB (before {before:.0f} MB)")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
