"""The benchmark's tab section (bench/tabs.py, issue 18): every tab of every page that has tabs is
measured, and the table and the growth table show them."""
from __future__ import annotations

import re
from pathlib import Path

from bench import growth, tabs
from bench.__main__ import _tab_line
from crm_core.i18n import LANGUAGES, t

PAGES = Path(__file__).resolve().parents[1] / "pages"


def test_every_page_with_tabs_is_measured_under_its_own_key():
    with_tabs = {}
    for page in PAGES.glob("*.py"):
        source = page.read_text(encoding="utf-8")
        keys = re.findall(r"url_tabs\(\s*\"(\w+)\"", source) + re.findall(r"st\.tabs\(.*?key=\"(\w+)\"", source, re.S)
        if keys:
            with_tabs[page.stem] = keys
    assert set(with_tabs) == set(tabs.TAB_PAGES)
    for page, keys in with_tabs.items():
        assert keys == [tabs.TAB_PAGES[page][0]], page


def test_every_measured_tab_is_a_catalog_label_the_page_uses():
    for page, (_, labels, language) in tabs.TAB_PAGES.items():
        source = (PAGES / f"{page}.py").read_text(encoding="utf-8")
        assert language in LANGUAGES
        for tab, key in labels.items():
            assert t(key, language) != key, key  # a real label, so the session opens that tab
            # the page names the tab's catalog key, whole or as its prefix and the tab's name
            assert key in source or (tab in source and key.rsplit(".", 1)[0] in source), (page, key)


def test_a_page_opens_each_of_its_tabs_once_per_page():
    assert list(tabs.TAB_PAGES["promises"][1]) == ["now", "performance", "record", "policies"]
    assert len(tabs.TAB_PAGES["customer_360"][1]) == 11
    assert tabs.TAB_PAGES["data"][1]["history"] == "data.tab_history"


def test_tab_rows_in_the_table_and_the_growth_table():
    first = {"first_s": 1.2, "warm_s": 0.05, "exception": False}
    assert _tab_line("promises tab performance", first, 1.0) == (
        "  promises tab performance                 first   1.200  MISS  again  0.050  ok")
    assert _tab_line("satisfaction tab trend", 0.31, 1.0).endswith("first   0.310  ok")  # an older result
    rows = growth._tab_rows({"tabs": {"repeats": 3, "care": {"re-render": 0.1},
                                      "promises": {"now": first},
                                      "satisfaction": {"trend": 0.31, "mystery": "error: boom"}}})
    assert rows == {"care re-render, s": 0.1, "promises tab now: first, s": 1.2, "promises tab now: again, s": 0.05,
                    "satisfaction tab trend: first, s": 0.31, "satisfaction tab mystery: first, s": None}
