"""Each page's first render and warm re-render through AppTest (Home.py's navigation).

Runs in a child process of its own (``python -m bench.pages --db PATH --repeats N``) so the app
owns the DuckDB file. One throw-away render first (imports, the store opened: the state of a
server that is already up), then for each repeat and each page:

- first render: ``st.cache_data`` (every cached read, the churn model included) cleared — the
  app's store stays open —, a fresh AppTest (new session), one run;
- warm re-render: one filter widget changed (FILTERS says which, per page), one run.

Prints one JSON document on the last line of stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _lang(app):
    app.session_state["lang"] = "en"  # what the sidebar switch (key "lang") sets


# page -> (what the warm re-render changes, how); seeded state in SEED.
FILTERS = {
    "overview": ("language switch zh→en (no filters on the page)", _lang),
    "customers": ("region filter: 华东", lambda app: app.multiselect(key="cust_regions").select("华东")),
    # the page's picker (ui/picker.py) puts the chosen customer in session_state["customer_id"]
    "customer_360": ("another customer (customer_id 2, as the picker sets it)",
                     lambda app: app.session_state.__setitem__("customer_id", 2)),
    "customer_form": ("language switch zh→en (a form, no filters)", _lang),
    "care": ("sales rep: the first rep instead of all", lambda app: app.selectbox(key="care_rep").select_index(1)),
    "segmentation": ("measure: revenue → margin", lambda app: app.radio(key="seg_measure").set_value("margin")),
    "promises": ("Now board owner: the first rep", lambda app: app.selectbox(key="prom_board_owner").select_index(1)),
    "satisfaction": ("wave: the one before the latest", lambda app: app.selectbox(key="sat_wave").select_index(2)),
    "churn": ("what-if slider (calculator tab): 2.0", lambda app: app.slider(key="churn_cut").set_value(2.0)),
    "admin": ("audit log user filter: 张伟", lambda app: app.text_input(key="adm_who").input("张伟")),
    "data": ("kind: the second kind", lambda app: app.selectbox(key="data_kind").select_index(1)),
}
SEED = {"customer_360": {"customer_id": 1}}


def home_pages() -> list[str]:
    from ui.app import page_paths

    return [Path(path).stem for path in page_paths()]


def _app(page: str, lang: str = "zh"):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=600)
    app.session_state["lang"] = lang
    for key, value in SEED.get(page, {}).items():
        app.session_state[key] = value
    app.switch_page(f"pages/{page}.py")
    return app


def clear_caches() -> list[str]:
    """Empty st.cache_data, where every cached read lives (ui.cache.cached_read), the shared
    reads of whole-population frames (ui.segmentation.common.shared_read) and the fingerprint of the
    value scores' sources (crm_core.segmentation.views.value_sources), keeping the app's store
    open (its st.cache_resource), as on a running server: the state right after a data change."""
    import streamlit as st

    from crm_core.segmentation.views import forget_value_sources
    from ui.segmentation.common import SHARED_READS

    st.cache_data.clear()
    for shared in SHARED_READS:
        shared.clear()
    forget_value_sources()
    return ["st.cache_data", "shared reads", "value sources"]


def _run(app) -> tuple[float, list[str]]:
    began = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - began
    return seconds, [str(e.value)[:300] for e in app.exception]


def measure(pages: list[str], repeats: int) -> dict:
    from bench.common import summary

    started = time.perf_counter()
    cold_process, _ = _run(_app(pages[0]))
    results = {"process_start_first_page_s": round(cold_process, 3), "pages": {}}
    timings = {page: {"first": [], "warm": [], "errors": []} for page in pages}
    for _ in range(repeats):
        for page in pages:
            clear_caches()
            app = _app(page)
            seconds, errors = _run(app)
            timings[page]["first"].append(seconds)
            timings[page]["errors"] += errors
            try:
                FILTERS[page][1](app)
                seconds, errors = _run(app)
                timings[page]["warm"].append(seconds)
                timings[page]["errors"] += errors
            except Exception as error:  # a widget not found is reported, not fatal
                timings[page]["errors"].append(f"filter: {error!r}"[:300])
    for page, t in timings.items():
        results["pages"][page] = {
            "first": summary(t["first"]), "warm": summary(t["warm"]) if t["warm"] else None,
            "filter": FILTERS[page][0], "errors": sorted(set(t["errors"]))}
    results["total_s"] = round(time.perf_counter() - started, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pages", default="", help="comma-separated page names (default: Home.py's)")
    args = parser.parse_args()
    os.environ["CRM_DB"] = args.db
    pages = [p for p in args.pages.split(",") if p] or home_pages()
    print(json.dumps(measure(pages, args.repeats)))


if __name__ == "__main__":
    main()
