"""Every tab / section of the pages that have them, first opening and re-render, through AppTest
(a child process: ``python -m bench.tabs --db PATH [--repeats N]``):

- care: ``bench_care.page_timings`` — each list (key dates, absent, replenish, contacts), all reps
  and one rep, first time and again (the caches of a section are cold the first time it opens);
  one run;
- every tabbed page (TAB_PAGES: churn, satisfaction, segmentation, promises, data, customer_360):
  ``open_tab`` — a fresh session (new AppTest) with the tab already chosen, as a link to the tab
  opens it, one run ("first"), then the same session run again ("again"). The tabs of a page are
  opened one after another in one process, as on a server: what a tab shares with the tabs before
  it (the page's header, the churn model) is cached by then, what is its own is cold. Each of the
  ``--repeats`` rounds starts from empty ``st.cache_data`` (the app's store stays open); the
  medians are reported (the first round also pays each page's imports).
Prints one JSON document on the last line.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from bench.bench_churn import PAGE_TABS as CHURN_TABS
from bench.bench_satisfaction import TABS as SATISFACTION_TABS
from bench.common import summary

# page -> (session-state key of its tabs, {tab name: catalog key of its label}, language of the session).
# Churn in English and the others in Chinese, as the per-area scripts measured them.
TAB_PAGES = {
    "churn": ("churn_tab", {name: f"churn.tab.{name}" for name in CHURN_TABS}, "en"),
    "satisfaction": ("sat_tab", {name: f"sat.tab.{name}" for name in SATISFACTION_TABS}, "zh"),
    "segmentation": ("seg_tab", {name: f"seg.tab.{name}" for name in
                                 ("abc", "movement", "big", "rfm", "need", "resources", "satisfaction")}, "zh"),
    "promises": ("prom_tab", {name: f"promises.tab.{name}" for name in ("now", "performance", "record", "policies")},
                 "zh"),
    "data": ("data_tab", {name: f"data.tab_{name}" for name in ("import", "history", "export")}, "zh"),
    # customer_360: the customer of bench.pages.SEED; plain st.tabs keyed "c360_tab" (not in the URL)
    "customer_360": ("c360_tab", {name: f"tab.{name}" for name in
                                  ("original_record", "analysis", "investment", "purchases", "key_dates", "segments",
                                   "promises", "surveys", "churn", "care", "audit")}, "zh"),
}


def open_tab(page: str, tab: str) -> tuple[float, float, list[str]]:
    """Open ``tab`` of ``page`` in a fresh AppTest session (Home.py's navigation, the tab chosen in
    session state before the first run): (first run s, second run s, exceptions)."""
    from bench.pages import _app, _run
    from crm_core.i18n import t

    key, labels, language = TAB_PAGES[page]
    app = _app(page, language)
    label = t(labels[tab], language)
    app.session_state[key] = label
    first, errors = _run(app)
    again, more = _run(app)
    if app.session_state[key] != label:  # an unknown label opens the first tab: that would time the wrong tab
        more.append(f"tab {tab!r} not open: {app.session_state[key]!r}")
    return first, again, errors + more


def tab_rounds(repeats: int, pages=tuple(TAB_PAGES)) -> dict:
    """{page: {tab: {"first_s", "warm_s" (medians), "first", "warm" (summaries), "exception", "errors"}}}."""
    from bench.pages import clear_caches

    runs = {page: {tab: ([], [], []) for tab in TAB_PAGES[page][1]} for page in pages}
    for _ in range(repeats):
        clear_caches()
        for page in pages:
            for tab, (firsts, agains, errors) in runs[page].items():
                first, again, problems = open_tab(page, tab)
                firsts.append(first)
                agains.append(again)
                errors += problems
                print(f"{page} tab {tab:16s} first {first:6.2f} s   again {again:5.2f} s"
                      + ("  EXCEPTION" if problems else ""))
    out = {}
    for page, tabs in runs.items():
        out[page] = {}
        for tab, (firsts, agains, errors) in tabs.items():
            first, again = summary(firsts), summary(agains)
            out[page][tab] = {"first_s": round(first["median_s"], 3), "warm_s": round(again["median_s"], 3),
                              "first": first, "warm": again, "exception": bool(errors),
                              "errors": sorted(set(errors))[:3]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rep", default="张伟")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--pages", default="", help="comma-separated tabbed pages (default: all, and care)")
    args = parser.parse_args()
    os.environ["CRM_DB"] = args.db
    pages = [p for p in args.pages.split(",") if p] or ["care", *TAB_PAGES]
    out = {}
    with contextlib.redirect_stdout(sys.stderr):
        if "churn" in pages:
            from bench.bench_churn import _ensure_churn_events

            _ensure_churn_events(args.db)  # a store made before the churn demo events
        if "care" in pages:
            from bench import bench_care

            out["care"] = {name: round(s, 3) for name, s in bench_care.page_timings(args.rep)}
        out.update(tab_rounds(max(1, args.repeats), [p for p in pages if p in TAB_PAGES]))
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
