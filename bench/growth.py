"""The growth table (bench/README.md "How the cost grows"): one column per store size, one row per
measure, from the JSON results of several ``python -m bench`` runs.

    python -m bench.growth bench/results/*.json [--brief]

Runs are grouped by the store's customer count; within a size a later run (by its ``started``
time) replaces what an earlier one measured, so sections measured separately (``--only pages``,
``--only server`` …) add up to one column. Each column also lists the load averages of the runs
it was taken from, to read the timings with. ``--brief`` leaves out the per-rep care sections and
the tabs' second openings (for bench/README.md).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MISSING = "—"


def size_label(customers: int) -> str:
    """100000 → 100k, 1000000 → 1M, 2500000 → 2.5M."""
    if customers >= 1_000_000:
        return f"{customers / 1_000_000:g}M"
    if customers >= 1_000:
        return f"{customers / 1_000:g}k"
    return str(customers)


def _median(block: dict | None):
    return None if not block else block.get("median_s")


def _store_rows(result: dict) -> dict:
    store = result.get("store", {})
    counts = store.get("counts", {})
    build = store.get("build_s")
    return {"transactions": counts.get("transactions"),
            "store build time, s": build if isinstance(build, (int, float)) else None,
            "store build peak RSS, MiB": next((store[k] for k in ("build_peak_mib", "peak_rss_mib", "peak_rss_mb")
                                               if k in store), None),
            "store file on disk, MB": store.get("file_mb")}


def _server_rows(result: dict) -> dict:
    server = result.get("server")
    if not server:
        return {}
    views = server["pages"].values()
    return {"server peak RSS, MiB": server.get("peak_rss_mib"),
            "largest page view, bytes": max(max(v["cold"]["ws_bytes"], v["warm"]["ws_bytes"]) for v in views),
            "slowest cold browser view, s": max(v["cold"]["settle_s"] for v in views)}


def _page_rows(result: dict) -> dict:
    rows = {}
    for name, page in result.get("pages", {}).get("pages", {}).items():
        rows[f"page {name}: first render, s"] = _median(page.get("first"))
        rows[f"page {name}: re-render, s"] = _median(page.get("warm"))
    return rows


def _tab_rows(result: dict) -> dict:
    tabs = result.get("tabs")
    if not tabs:
        return {}
    rows = {f"care {name}, s": seconds for name, seconds in tabs.get("care", {}).items()}
    for page, by_tab in tabs.items():
        if page in ("care", "repeats"):
            continue
        for tab, value in by_tab.items():
            if isinstance(value, dict):
                rows[f"{page} tab {tab}: first, s"] = value["first_s"]
                rows[f"{page} tab {tab}: again, s"] = value["warm_s"]
            else:  # older runs kept the satisfaction tabs' first opening alone (or an error text)
                rows[f"{page} tab {tab}: first, s"] = value if isinstance(value, (int, float)) else None
    return rows


def _computation_rows(result: dict) -> dict:
    c = result.get("computations")
    if not c:
        return {}
    rows = {}
    if "abc" in c:
        abc = c["abc"]
        rows["ABC + Pareto, Kehu, s"] = _median(abc["timings"].get("kehu"))
        for peer in ("pandas", "polars_scan", "polars_memory"):
            if f"{peer}_vs_kehu" in abc["ratios"]:
                rows[f"ABC + Pareto, {peer.replace('_', ' ')} ÷ Kehu, ×"] = abc["ratios"][f"{peer}_vs_kehu"]
    for key, label in (("rfm_bgnbd_demo", "demo store"), ("rfm_bgnbd_simulated", "simulated")):
        ratio = c.get(key, {}).get("ratios", {}).get("lifetimes_vs_kehu")
        if ratio is not None:
            rows[f"RFM + BG/NBD, lifetimes ÷ Kehu ({label}), ×"] = ratio
    return rows


def _import_rows(result: dict) -> dict:
    i = result.get("import")
    if not i:
        return {}
    utf8, raw = i["cases"].get("UTF-8", {}), i["cases"].get("baseline", {})
    return {"import rows": i.get("rows"), "import, raw read_csv, s": raw.get("median_s"),
            "import, crm_core, s": utf8.get("median_s"),
            "import ÷ raw read_csv, ×": utf8.get("ratio_vs_baseline"), "import peak RSS, MiB": utf8.get("peak_mib")}


def measures(result: dict) -> dict:
    """One run's measures, {row label: number or None}, in table order."""
    rows = {}
    for part in (_store_rows, _server_rows, _page_rows, _tab_rows, _computation_rows, _import_rows):
        rows.update(part(result))
    return rows


def _place(order: list[str], labels: list[str]) -> None:
    """Add ``labels`` (in their own order) to ``order``: a new one goes right after its predecessor."""
    previous = None
    for label in labels:
        if label not in order:
            order.insert(order.index(previous) + 1 if previous else len(order), label)
        previous = label


def merge(results: list[dict]) -> dict[int, dict]:
    """{customers: {row label: value, "load averages": [...], "order": [labels]}} — later runs
    (``started``) win."""
    columns: dict[int, dict] = {}
    for result in sorted(results, key=lambda r: r.get("started", "")):
        customers = result["store"]["counts"]["customers"]
        column = columns.setdefault(customers, {"load averages": [], "order": []})
        found = {label: value for label, value in measures(result).items() if value is not None}
        column.update(found)
        _place(column["order"], list(found))
        before = result.get("machine", {}).get("load_average", [None])[0]
        after = (result.get("load_average_after") or [None])[0]
        column["load averages"].append(f"{before}→{after}")
    return dict(sorted(columns.items()))


WHOLE_UNITS = ("MiB", "MB", "bytes", "rows", "transactions")


def _cell(label: str, value) -> str:
    """Counts and memory as whole numbers with thousands separators, seconds and ratios to 0.01."""
    if value is None:
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or label.endswith(WHOLE_UNITS) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _detail(label: str) -> bool:
    """Rows ``--brief`` leaves out: one rep's care sections, tabs opened a second time."""
    return ", rep " in label or label.endswith(": again, s") or (label.startswith("care ") and "re-render" in label)


def table(columns: dict[int, dict], brief: bool = False) -> str:
    """The Markdown table: a row per measure any run has, a column per size (smallest first)."""
    labels: list[str] = []
    for column in columns.values():
        _place(labels, [label for label in column["order"] if not (brief and _detail(label))])
    lines = ["| measure | " + " | ".join(size_label(c) for c in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for label in labels:
        lines.append(f"| {label} | " + " | ".join(_cell(label, col.get(label)) for col in columns.values()) + " |")
    lines.append("| load average before→after | "
                 + " | ".join(", ".join(col["load averages"]) for col in columns.values()) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="bench/results/*.json")
    parser.add_argument("--brief", action="store_true", help="without per-rep care rows and second openings")
    args = parser.parse_args(argv)
    results = []
    for name in args.files:
        if Path(name).name == "latest.json":  # a copy of the newest run
            continue
        data = json.loads(Path(name).read_text(encoding="utf-8"))
        if "store" in data and "counts" in data["store"]:
            results.append(data)
    if not results:
        print("no benchmark results among the files", file=sys.stderr)
        return 1
    print(table(merge(results), brief=args.brief))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
