"""Every tab / section of the pages that have them, first opening and re-render, through the
per-area scripts' own AppTest functions (a child process: ``python -m bench.tabs --db PATH``):

- care: ``bench_care.page_timings`` — each list (key dates, absent, replenish, contacts), all reps
  and one rep, first time and again (the caches of a section are cold the first time it opens);
- churn: ``bench_churn.page_section`` — each tab in a fresh session of a fresh cache state... of
  this process (the model fit is shared by the tabs that need it, as on a server);
- satisfaction: ``bench_satisfaction.render`` — each tab's first opening.
Prints one JSON document on the last line.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rep", default="张伟")
    args = parser.parse_args()
    os.environ["CRM_DB"] = args.db
    out = {}
    with contextlib.redirect_stdout(sys.stderr):
        from bench import bench_care, bench_churn, bench_satisfaction

        out["care"] = {name: round(s, 3) for name, s in bench_care.page_timings(args.rep)}
        out["churn"] = {row["tab"]: {"first_s": row["first_s"], "warm_s": row["warm_s"],
                                     "exception": row["exception"]} for row in bench_churn.page_section(args.db)}
        sat = {}
        for tab in bench_satisfaction.TABS:
            began = time.perf_counter()
            try:
                sat[tab] = round(bench_satisfaction.render(tab)[1], 3)
            except RuntimeError as error:
                sat[tab] = f"error: {str(error)[:200]}"
            sat.setdefault(tab, round(time.perf_counter() - began, 3))
        out["satisfaction"] = sat
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
